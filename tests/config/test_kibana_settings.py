"""The ``kibana`` section: where ``kikimimi kibana import`` goes and how it signs in; a bad
value is one error naming the file's line and the field, never a secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.loader import load_settings
from tests.config.config_errors import error


def write(tmp_path: Path, kibana: str) -> Path:
    path = tmp_path / "kikimimi.yaml"
    path.write_text(f"state_dir: var\nkibana:\n{kibana}", encoding="utf-8")
    return path


def test_an_api_key_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIBANA_KEY", "a2liYW5hLWtleS1pZDpzZWNyZXQ=")
    path = write(
        tmp_path,
        "  url: https://kibana.example.com/kibana\n"
        "  space: marketing\n"
        '  api_key: {"$env": KIBANA_KEY}\n',
    )
    kibana = load_settings(path).kibana

    assert str(kibana.url) == "https://kibana.example.com/kibana"
    assert kibana.space == "marketing"
    assert kibana.api_key is not None
    assert kibana.api_key.get_secret_value() == "a2liYW5hLWtleS1pZDpzZWNyZXQ="
    assert (kibana.verify_certs, kibana.timeout_seconds) == (True, 60.0)


def test_a_user_without_a_password_is_named(tmp_path: Path) -> None:
    message = error(write(tmp_path, "  url: http://127.0.0.1:5601\n  username: analyst\n"))
    assert message == (
        f"{tmp_path / 'kikimimi.yaml'}:4: kibana.username: set username and password together"
        " (got 'analyst')"
    )


def test_an_api_key_and_a_password_together_are_refused_without_showing_either(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIBANA_KEY", "key-value-not-to-show")
    monkeypatch.setenv("KIBANA_PASSWORD", "password-not-to-show")
    path = write(
        tmp_path,
        '  api_key: {"$env": KIBANA_KEY}\n  username: analyst\n'
        '  password: {"$env": KIBANA_PASSWORD}\n',
    )
    message = error(path)
    assert "kibana.api_key: set either api_key or username/password, not both" in message
    assert "not-to-show" not in message


def test_credentials_in_the_url_are_refused_and_not_shown(tmp_path: Path) -> None:
    message = error(write(tmp_path, "  url: https://analyst:hunter2hunter2@kibana.example.com\n"))
    assert "kibana.url: no credentials in the URL" in message
    assert "hunter2" not in message


def test_a_space_must_be_a_space_id(tmp_path: Path) -> None:
    message = error(write(tmp_path, "  space: Marketing Team\n"))
    assert ":3: kibana.space: String should match pattern" in message
    assert "(got 'Marketing Team')" in message
