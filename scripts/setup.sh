#!/usr/bin/env bash
# Create .venv/ and install the pinned dependency set (requirements.lock) and Kikimimi itself.
# Idempotent: re-running with an unchanged lock only re-links the project.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
UV_VERSION="0.13.9"
VENV=".venv"

if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "setup: $PYTHON not found; Kikimimi needs CPython 3.11 (set PYTHON=/path/to/python3.11)" >&2
    exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
    echo "setup: creating $VENV with $("$PYTHON" --version)"
    "$PYTHON" -m venv "$VENV"
fi
if [ "$("$VENV/bin/python" -c 'import uv; print(uv.__version__)' 2>/dev/null || true)" != "$UV_VERSION" ]; then
    echo "setup: installing uv $UV_VERSION into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
echo "setup: syncing $VENV with requirements.lock (cached in ${UV_CACHE_DIR:-~/.cache/uv})"
"$VENV/bin/uv" pip sync --quiet --python "$VENV/bin/python" --require-hashes requirements.lock
"$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" --no-deps --editable .
echo "setup: done ($VENV/bin/kikimimi)"
