"""Finding a Java runtime that can run Elasticsearch 8.x."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import JavaNotFoundError
from indexer.localnode import java
from indexer.localnode.java import find_java, parse_java_version

from .conftest import MakeJavaHome


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ('openjdk version "17.0.15" 2025-04-15', (17, "17.0.15")),
        ('java version "21" 2023-09-19 LTS', (21, "21")),
        ('openjdk version "25.0.2" 2026-01-20 LTS', (25, "25.0.2")),
        ('java version "1.8.0_392"', (8, "1.8.0_392")),
        ("no version here", None),
    ],
)
def test_parse_java_version(output: str, expected: tuple[int, str] | None) -> None:
    assert parse_java_version(output) == expected


@pytest.fixture
def clean_java_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No ES_JAVA_HOME/JAVA_HOME, no /usr/lib/jvm, a PATH of only an empty folder (returned)."""
    monkeypatch.setattr(java, "JVM_ROOTS", ())
    monkeypatch.delenv("ES_JAVA_HOME", raising=False)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    path_dir = tmp_path / "path"
    path_dir.mkdir()
    monkeypatch.setenv("PATH", str(path_dir))
    return path_dir


def test_configured_java_home_comes_first(
    make_java_home: MakeJavaHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured = make_java_home("configured", "21.0.4")
    monkeypatch.setenv("ES_JAVA_HOME", str(make_java_home("es", "17.0.1")))

    runtime = find_java(configured)

    assert (runtime.home, runtime.major, runtime.version) == (configured, 21, "21.0.4")
    assert runtime.source == "elasticsearch.local.java_home"


def test_es_java_home_wins_over_java_home(
    make_java_home: MakeJavaHome, monkeypatch: pytest.MonkeyPatch, clean_java_env: Path
) -> None:
    monkeypatch.setenv("ES_JAVA_HOME", str(make_java_home("es", "17.0.9")))
    monkeypatch.setenv("JAVA_HOME", str(make_java_home("plain", "21.0.1")))

    runtime = find_java()

    assert (runtime.source, runtime.version) == ("ES_JAVA_HOME", "17.0.9")


def test_java_on_path_resolves_its_real_home(
    make_java_home: MakeJavaHome, clean_java_env: Path
) -> None:
    home = make_java_home("jdk-21", "21.0.2")
    (clean_java_env / "java").symlink_to(home / "bin" / "java")

    runtime = find_java()

    assert (runtime.source, runtime.home) == ("java on PATH", home.resolve())


def test_too_old_and_trimmed_runtimes_are_skipped_with_reasons(
    make_java_home: MakeJavaHome, monkeypatch: pytest.MonkeyPatch, clean_java_env: Path
) -> None:
    old = make_java_home("jdk-11", "11.0.2")
    monkeypatch.setenv("ES_JAVA_HOME", str(make_java_home("jre-21", "21.0.1", "java.base")))
    monkeypatch.setenv("JAVA_HOME", str(clean_java_env))  # a folder without bin/java
    jdk8 = make_java_home("jdk-8", "1.8.0_392")
    monkeypatch.setattr(java, "JVM_ROOTS", (jdk8.parent,))

    with pytest.raises(JavaNotFoundError) as raised:
        find_java(old)

    tried = raised.value.tried
    assert len(tried) == 4
    assert tried[0].startswith("elasticsearch.local.java_home") and "11.0.2 is too old" in tried[0]
    assert tried[1].startswith("ES_JAVA_HOME") and "jdk.jdi" in tried[1]
    assert tried[2].startswith("JAVA_HOME") and "no executable bin/java" in tried[2]
    assert f"{jdk8.parent} {jdk8}: Java 1.8.0_392 is too old" in tried
    assert "Java 17 or newer" in str(raised.value)
