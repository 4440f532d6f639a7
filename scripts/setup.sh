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
if [ "$("$VENV/bin/uv" --version 2>/dev/null | cut -d" " -f1-2 || true)" != "uv $UV_VERSION" ]; then
    echo "setup: installing uv $UV_VERSION into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
bash scripts/system_packages.sh

echo "setup: syncing $VENV with requirements.lock (cached in ${UV_CACHE_DIR:-~/.cache/uv})"
# Bytecode is compiled at install time: every crawl is a fresh process (Scrapy's reactor
# cannot restart), and with PYTHONDONTWRITEBYTECODE set Python would recompile each time.
"$VENV/bin/uv" pip sync --quiet --python "$VENV/bin/python" --require-hashes --compile-bytecode \
    requirements.lock
"$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" --no-deps --editable .
"$VENV/bin/python" -m compileall -q core config kikimimi crawlers nlp indexer alerts >/dev/null
echo "setup: preparing the NLP model's ONNX export (once per model release)"
HF_HUB_OFFLINE=1 "$VENV/bin/kikimimi" nlp build
echo "setup: done ($VENV/bin/kikimimi)"
