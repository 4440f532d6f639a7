"""Channel settings: one model per type, secrets from the environment and never shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from alerts.notify import build_channels
from alerts.notify.channels import (
    EmailChannel,
    SalesforceChannel,
    SlackChannel,
    WebhookChannel,
    ZendeskChannel,
)
from config.loader import load_settings
from config.notifications import EmailChannelSettings, SalesforceChannelSettings
from config.settings import Settings
from core.errors import ConfigError

ALL_TYPES = """
notifications:
  - name: hook
    type: webhook
    url: https://hooks.hoshi.example/kikimimi
    secret: {"$env": "KK_HOOK_SECRET"}
  - name: slack
    type: slack
    url: {"$env": "KK_SLACK_URL"}
  - name: mail
    type: email
    host: smtp.hoshi.example
    username: care-bot
    password: {"$env": "KK_SMTP_PASSWORD"}
    from_address: alerts@hoshi.example
    to: [care@hoshi.example]
  - name: sfdc
    type: salesforce
    instance_url: https://hoshi.my.salesforce.com
    client_id: {"$env": "KK_SF_ID"}
    client_secret: {"$env": "KK_SF_SECRET"}
    case: {key_field: Kikimimi_Key__c, fields: {Type: Problem}}
  - name: zd
    type: zendesk
    base_url: https://hoshi.zendesk.com
    email: care-bot@hoshi.example
    api_token: {"$env": "KK_ZD_TOKEN"}
    enabled: false
rules:
  - name: r1
    notify: [hook, slack, mail, sfdc, zd]
"""
ENV = {
    "KK_HOOK_SECRET": "hook-secret-0123456789",
    "KK_SLACK_URL": "https://hooks.slack.com/services/T0/B0/slack-secret-path",
    "KK_SMTP_PASSWORD": "smtp-password",
    "KK_SF_ID": "sf-client-id",
    "KK_SF_SECRET": "sf-client-secret",
    "KK_ZD_TOKEN": "zd-token",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kikimimi.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_type_loads_and_builds(tmp_path: Path, env: None) -> None:
    settings = load_settings(write(tmp_path, ALL_TYPES))
    types = [type(c).__name__ for c in settings.notifications]
    assert types == [
        "WebhookChannelSettings",
        "SlackChannelSettings",
        "EmailChannelSettings",
        "SalesforceChannelSettings",
        "ZendeskChannelSettings",
    ]
    channels = build_channels(settings)
    assert {name: type(c) for name, c in channels.items()} == {
        "hook": WebhookChannel,
        "slack": SlackChannel,
        "mail": EmailChannel,
        "sfdc": SalesforceChannel,
    }
    assert "zd" not in channels  # disabled
    sfdc = settings.notifications[3]
    assert isinstance(sfdc, SalesforceChannelSettings)
    assert sfdc.effective_token_url == "https://hoshi.my.salesforce.com/services/oauth2/token"
    assert sfdc.case.subject_field == "Subject" and sfdc.case.origin == "Social"
    assert ENV["KK_SLACK_URL"] not in repr(settings)
    zendesk = settings.notifications[4].model_copy(update={"enabled": True})
    assert isinstance(build_channels([zendesk])["zd"], ZendeskChannel)


def test_the_shipped_configuration_still_validates() -> None:
    root = Path(__file__).resolve().parents[3]
    settings = load_settings(root / "config" / "kikimimi.yaml")
    assert [c.name for c in settings.notifications] == ["care-webhook"]


def test_a_bad_slack_url_is_an_error_that_hides_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KK_SLACK_URL", "hooks.slack.com/services/T0/B0/slack-secret-path")
    text = 'notifications:\n  - name: s\n    type: slack\n    url: {"$env": "KK_SLACK_URL"}\n'
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text))
    assert "slack-secret-path" not in str(caught.value)
    assert "http(s) URL" in str(caught.value)


def test_a_type_needs_its_own_fields(tmp_path: Path) -> None:
    text = "notifications:\n  - name: z\n    type: zendesk\n    base_url: https://z.example\n"
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text))
    assert "email" in str(caught.value) and "api_token" in str(caught.value)


def test_unknown_type_and_fields_are_errors() -> None:
    with pytest.raises(ValidationError):
        Settings.model_validate({"notifications": [{"name": "x", "type": "pager"}]})
    with pytest.raises(ValidationError):
        Settings.model_validate(
            {"notifications": [{"name": "x", "type": "webhook", "url": "http://a", "colour": 1}]}
        )


def test_email_login_needs_both_halves() -> None:
    base = {
        "name": "m",
        "type": "email",
        "host": "smtp.example",
        "from_address": "a@example.com",
        "to": ["b@example.com"],
    }
    with pytest.raises(ValidationError, match="together"):
        EmailChannelSettings.model_validate({**base, "username": "u"})
    settings = EmailChannelSettings.model_validate(base)
    assert settings.effective_port == 587
    assert EmailChannelSettings.model_validate({**base, "security": "ssl"}).effective_port == 465


def test_rules_must_name_a_configured_channel() -> None:
    with pytest.raises(ValidationError, match="unknown channel"):
        Settings.model_validate(
            {
                "notifications": [{"name": "hook", "type": "webhook", "url": "http://a"}],
                "rules": [{"name": "r", "notify": ["hook", "nowhere"]}],
            }
        )
