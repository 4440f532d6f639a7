"""Escalation settings (issue 11, item 6): channels per priority and per team, checked like
every other channel reference; the SLA sweep interval; the default configuration's entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.loader import DEFAULT_CONFIG, load_settings
from core.errors import ConfigError

CHANNEL = "notifications:\n  - {name: leads, type: webhook, url: 'http://127.0.0.1:9/x'}\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kikimimi.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_escalation_channels_and_the_sweep_interval_load(tmp_path: Path) -> None:
    text = CHANNEL + (
        "alerting:\n"
        "  cases: {sla_sweep_seconds: 15}\n"
        "  escalation:\n"
        "    by_priority: {urgent: [leads]}\n"
        "    by_team: {care: [leads]}\n"
    )
    alerting = load_settings(write(tmp_path, text)).alerting
    assert alerting.cases.sla_sweep_seconds == 15
    assert alerting.escalation.channels_for("urgent", "care") == ("leads",)


def test_defaults_escalate_nowhere_and_sweep_every_minute(tmp_path: Path) -> None:
    alerting = load_settings(write(tmp_path, "state_dir: var\n")).alerting
    assert alerting.cases.sla_sweep_seconds == 60
    assert alerting.escalation.channels_for("urgent", "care") == ()


def test_unknown_channels_priorities_and_a_bad_interval_are_named(tmp_path: Path) -> None:
    text = CHANNEL + (
        "alerting:\n"
        "  cases: {sla_sweep_seconds: 0}\n"
        "  escalation:\n"
        "    by_priority: {urgent: [leads, pager], asap: [leads]}\n"
        "    by_team: {care: [ops]}\n"
    )
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert f"{path}:4: alerting.cases.sla_sweep_seconds:" in message
    assert "alerting.escalation.by_priority.asap" in message


def test_unknown_escalation_channels_are_named(tmp_path: Path) -> None:
    text = CHANNEL + (
        "alerting:\n"
        "  escalation:\n"
        "    by_priority: {urgent: [leads, pager]}\n"
        "    by_team: {care: [ops]}\n"
    )
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value).splitlines() == [
        f"{path}:5: alerting.escalation.by_priority.urgent[1]: unknown channel; "
        "configured: leads (got 'pager')",
        f"{path}:6: alerting.escalation.by_team.care[0]: unknown channel; "
        "configured: leads (got 'ops')",
    ]


def test_the_default_configuration_escalates_urgent_cases() -> None:
    settings = load_settings(DEFAULT_CONFIG)
    assert settings.alerting.escalation.channels_for("urgent", None) == ("care-webhook",)
