"""Configuration: the shipped default is valid; every bad file gets one clear error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from config.loader import DEFAULT_CONFIG, load_settings
from core.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kikimimi.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def only_problem(path: Path) -> str:
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert len(error.value.problems) == 1
    assert error.value.file == path
    return str(error.value)


def test_the_shipped_default_configuration_is_valid() -> None:
    settings = load_settings(REPO / DEFAULT_CONFIG)
    assert settings.brands and settings.competitors
    assert settings.state_dir == REPO / "var"


def test_wrong_type_names_file_line_field_and_value(tmp_path: Path) -> None:
    path = write(tmp_path, "elasticsearch:\n  local:\n    port: nine-two\n")
    message = only_problem(path)
    assert message.startswith(f"{path}:3: elasticsearch.local.port:")
    assert "'nine-two'" in message


def test_a_heap_among_the_jvm_options_is_refused(tmp_path: Path) -> None:
    options = "jvm_options: [-XX:+UseSerialGC, -Xmx4g]"
    path = write(tmp_path, f"elasticsearch:\n  local:\n    {options}\n")
    message = only_problem(path)
    assert message.startswith(f"{path}:3: elasticsearch.local.jvm_options:")
    assert "'-Xmx4g'" in message


def test_unknown_field_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "brands:\n  - name: Hoshi\n    colour: blue\n")
    message = only_problem(path)
    assert f"{path}:3: brands[0].colour: unknown setting (got 'blue')" == message


def test_missing_env_secret_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KIKIMIMI_TEST_API_KEY", raising=False)
    path = write(tmp_path, 'elasticsearch:\n  api_key: {"$env": "KIKIMIMI_TEST_API_KEY"}\n')
    message = only_problem(path)
    assert "elasticsearch.api_key" in message
    assert "environment variable KIKIMIMI_TEST_API_KEY is not set" in message


def test_env_secret_is_read_and_never_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIKIMIMI_TEST_API_KEY", "s3cr3t-value")
    path = write(tmp_path, 'elasticsearch:\n  api_key: {"$env": "KIKIMIMI_TEST_API_KEY"}\n')
    settings = load_settings(path)
    assert settings.elasticsearch.api_key is not None
    assert settings.elasticsearch.api_key.get_secret_value() == "s3cr3t-value"
    assert "s3cr3t" not in repr(settings)


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "brands:\n  - name: Hoshi\n   aliases: [a\n")
    message = only_problem(path)
    assert message.startswith(f"{path}:3: invalid YAML")
    assert "aliases: [a" in message


def test_invalid_values_from_the_environment_show_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIKIMIMI_TEST_PORT", "abc")
    path = write(tmp_path, 'elasticsearch:\n  local:\n    port: {"$env": "KIKIMIMI_TEST_PORT"}\n')
    message = only_problem(path)
    assert "elasticsearch.local.port" in message and "KIKIMIMI_TEST_PORT" in message


def test_rules_must_notify_known_channels(tmp_path: Path) -> None:
    path = write(tmp_path, "rules:\n  - name: r1\n    notify: [nowhere]\n")
    assert only_problem(path) == (
        f"{path}:3: rules[0].notify[0]: unknown channel; configured: none (got 'nowhere')"
    )


def test_missing_file(tmp_path: Path) -> None:
    assert "file not found" in only_problem(tmp_path / "absent.yaml")


def test_relative_paths_resolve_against_the_file(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "state_dir: ../state\n"))
    assert settings.state_dir == tmp_path.parent / "state"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("indexer:\n  batch_size: many\n", "indexer.batch_size"),
        ("sources:\n  - name: x\n    type: myspace\n", "sources[0].type"),
        ("brands: {oops: 1}\n", "brands"),
        ("a: [\n", "invalid YAML"),
    ],
)
def test_config_check_exits_non_zero_with_one_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    result = subprocess.run(
        [sys.executable, "-m", "kikimimi", "config", "check", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {path}:")
    assert expected in lines[0]
