"""Configuration errors never show a secret (issue 10, item 1): not in list- or model-level
errors, not as a length, not the value read from the environment. Each error names the field
and says what is wrong; it shows the value only when that is not a secret."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from config.loader import SECRET_FIELDS, load_settings
from config.settings import Settings
from core.errors import ConfigError
from tests.kikimimi.test_docs import _models_in

SECRETS = {
    "KK_YT_KEY": "yt-key-SECRET-1",
    "KK_REDDIT_ID": "reddit-id-SECRET-2",
    "KK_REDDIT_SECRET": "reddit-secret-SECRET-3",
    "KK_HMAC": "hmac-secret-SECRET-4-0123456789",
    "KK_SLACK": "https://hooks.slack.com/services/T0/B0/SECRET-5",
    "KK_SMTP": "smtp-SECRET-6",
    "KK_SHORT": "SECRET-7",
}

DUPLICATE_SOURCE = """\
sources:
  - name: yt
    type: youtube
    api_key: {"$env": "KK_YT_KEY"}
    video_ids: [v1]
  - name: yt
    type: reddit
    client_id: {"$env": "KK_REDDIT_ID"}
    client_secret: {"$env": "KK_REDDIT_SECRET"}
"""
DUPLICATE_CHANNEL = """\
notifications:
  - name: hook
    type: webhook
    url: https://hooks.example/kikimimi
    secret: {"$env": "KK_HMAC"}
  - name: hook
    type: slack
    url: {"$env": "KK_SLACK"}
  - name: mail
    type: email
    host: smtp.example
    username: bot
    password: {"$env": "KK_SMTP"}
    from_address: alerts@example.com
    to: [care@example.com]
"""
UNKNOWN_CHANNEL = """\
notifications:
  - name: hook
    type: webhook
    url: https://hooks.example/kikimimi
    secret: {"$env": "KK_HMAC"}
rules:
  - name: r1
    open_case: true
    notify: [hook, nowhere]
"""
BAD_WEBHOOK_URL = """\
notifications:
  - name: hook
    type: webhook
    url: hooks.example/SECRET-8
"""
SHORT_HMAC_SECRET = """\
notifications:
  - name: hook
    type: webhook
    url: https://hooks.example/kikimimi
    secret: {"$env": "KK_SHORT"}
"""
HALF_A_LOGIN = """\
notifications:
  - name: mail
    type: email
    host: smtp.example
    password: {"$env": "KK_SMTP"}
    from_address: alerts@example.com
    to: [care@example.com]
elasticsearch:
  password: literal-SECRET-9
"""


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kikimimi.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_lines(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    text = str(caught.value)
    assert "SECRET" not in text, text
    assert "***" not in text, text
    return text.splitlines()


def test_a_duplicate_source_name_names_the_field_not_the_keys(tmp_path: Path) -> None:
    path = write(tmp_path, DUPLICATE_SOURCE)
    assert error_lines(path) == [
        f"{path}:6: sources[1].name: already used by sources[0] (got 'yt')"
    ]


def test_a_duplicate_channel_name_shows_no_hmac_secret_url_or_password(tmp_path: Path) -> None:
    path = write(tmp_path, DUPLICATE_CHANNEL)
    assert error_lines(path) == [
        f"{path}:6: notifications[1].name: already used by notifications[0] (got 'hook')"
    ]


def test_a_rule_naming_an_unknown_channel_shows_no_channel_secret(tmp_path: Path) -> None:
    path = write(tmp_path, UNKNOWN_CHANNEL)
    assert error_lines(path) == [
        f"{path}:9: rules[0].notify[1]: unknown channel; configured: hook (got 'nowhere')"
    ]


def test_an_invalid_webhook_url_says_what_is_wrong_without_the_value(tmp_path: Path) -> None:
    path = write(tmp_path, BAD_WEBHOOK_URL)
    [line] = error_lines(path)
    assert line.startswith(f"{path}:4: notifications[0].url: ")
    assert "URL" in line and "(got" not in line


def test_a_short_secret_does_not_reveal_its_length(tmp_path: Path) -> None:
    path = write(tmp_path, SHORT_HMAC_SECRET)
    assert error_lines(path) == [
        f"{path}:5: notifications[0].secret: must be at least 16 characters long "
        "(the value of environment variable KK_SHORT, not shown)"
    ]


def test_model_level_errors_name_a_field_and_hide_secrets(tmp_path: Path) -> None:
    path = write(tmp_path, HALF_A_LOGIN)
    assert error_lines(path) == [
        f"{path}:5: notifications[0].password: set username and password together "
        "(the value of environment variable KK_SMTP, not shown)",
        f"{path}:9: elasticsearch.password: set username and password together",
    ]


def test_every_secret_setting_is_hidden_by_name() -> None:
    assert secret_str_fields(Settings) <= SECRET_FIELDS
    assert "url" in SECRET_FIELDS  # webhook and Slack URLs carry credentials


def secret_str_fields(model: type[BaseModel]) -> set[str]:
    """Names of every ``SecretStr`` setting, in ``model`` and the models inside it."""
    found: set[str] = set()
    for name, field in model.model_fields.items():
        if "SecretStr" in repr(field.annotation):
            found.add(name)
        for inner in _models_in(field.annotation):
            found |= secret_str_fields(inner)
    return found


@pytest.mark.parametrize(
    "text",
    [
        DUPLICATE_SOURCE,
        DUPLICATE_CHANNEL,
        UNKNOWN_CHANNEL,
        BAD_WEBHOOK_URL,
        SHORT_HMAC_SECRET,
        HALF_A_LOGIN,
    ],
    ids=["duplicate-source", "duplicate-channel", "unknown-channel", "url", "short", "login"],
)
def test_config_check_prints_one_secret_free_line_per_problem(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    result = subprocess.run(
        [sys.executable, "-m", "kikimimi", "config", "check", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1
    assert "SECRET" not in result.stderr + result.stdout
    for line in result.stderr.splitlines():
        assert line.startswith(f"error: {path}:"), line
        assert len(line.replace(str(path), "FILE")) < 150, line
