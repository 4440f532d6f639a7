"""Digest settings (issue 12, item 2): audiences with their channels, brands, schedule and
period; every mistake named by file, line, field and value."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

import pytest

from config.loader import DEFAULT_CONFIG, load_settings
from tests.config.config_errors import error

HEAD = """\
brands:
  - name: Hoshi Mobile
competitors:
  - name: Nami Telecom
notifications:
  - {name: mail, type: email, host: smtp.example, from_address: a@b.example, to: [c@d.example]}
  - {name: chat, type: slack, url: "https://hooks.slack.example/services/T/B/x"}
  - {name: hook, type: webhook, url: "http://127.0.0.1:9/x"}
  - {name: desk, type: zendesk, base_url: "https://x.zendesk.com", email: a@b.example, api_token: t}
digests:
"""


def write(tmp_path: Path, digests: str, head: str = HEAD) -> Path:
    path = tmp_path / "kikimimi.yaml"
    path.write_text(head + digests, encoding="utf-8")
    return path


def test_defaults_monday_nine_utc_seven_days_all_brands(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "  - {name: marketing, channels: [mail, chat]}\n"))

    (digest,) = settings.digests
    assert (digest.weekday, digest.local_time, digest.timezone) == ("monday", time(9), "UTC")
    assert (digest.period_days, digest.catch_up_hours, digest.brands) == (7, 24.0, [])


def test_every_field_can_be_set(tmp_path: Path) -> None:
    text = (
        "  - name: tokyo\n    channels: [hook]\n    brands: [Nami Telecom]\n"
        '    weekday: friday\n    time: "17:30"\n    timezone: Asia/Tokyo\n'
        "    period_days: 14\n    catch_up_hours: 6\n"
    )
    (digest,) = load_settings(write(tmp_path, text)).digests

    assert (digest.weekday_number, digest.local_time, str(digest.zone)) == (
        4,
        time(17, 30),
        "Asia/Tokyo",
    )
    assert (digest.brands, digest.period_days, digest.catch_up_hours) == (["Nami Telecom"], 14, 6)


def test_unknown_channels_and_brands_are_named(tmp_path: Path) -> None:
    path = write(tmp_path, "  - {name: m, channels: [mail, pager], brands: [Kaze]}\n")

    assert error(path).splitlines() == [
        f"{path}:11: digests[0].channels[1]: unknown channel; configured: mail, chat, hook, "
        "desk (got 'pager')",
        f"{path}:11: digests[0].brands[0]: unknown brand; configured: Hoshi Mobile, "
        "Nami Telecom (got 'Kaze')",
    ]


def test_a_ticketing_channel_cannot_carry_a_digest(tmp_path: Path) -> None:
    path = write(tmp_path, "  - name: m\n    channels: [desk]\n")

    assert error(path) == (
        f"{path}:12: digests[0].channels[0]: a zendesk channel cannot carry a digest; use a "
        "channel of type email, slack, webhook (got 'desk')"
    )


def test_schedule_mistakes_are_named(tmp_path: Path) -> None:
    text = (
        "  - name: m\n    channels: [mail]\n    weekday: mon\n    time: 17:30\n"
        "    timezone: Mars/Olympus\n    period_days: 0\n"
        "  - name: n\n    channels: [mail]\n    time: '9:00'\n"
    )
    path = write(tmp_path, text)

    lines = error(path).splitlines()
    assert lines[0].startswith(f"{path}:13: digests[0].weekday: Input should be 'monday'")
    assert lines[1:] == [
        # YAML 1.1 reads an unquoted 17:30 as 1050 (base 60)
        f'{path}:14: digests[0].time: write the time in quotes, e.g. "09:00" (got 1050)',
        f"{path}:15: digests[0].timezone: not an IANA time zone such as UTC or Asia/Tokyo "
        "(got 'Mars/Olympus')",
        f"{path}:16: digests[0].period_days: Input should be greater than or equal to 1 (got 0)",
        f'{path}:19: digests[1].time: must be a 24-hour clock time "HH:MM", e.g. "09:00" '
        "(got '9:00')",
    ]


def test_names_are_unique_and_a_digest_needs_a_channel(tmp_path: Path) -> None:
    path = write(tmp_path, "  - {name: m, channels: [mail]}\n  - {name: m, channels: []}\n")

    assert error(path).splitlines() == [
        f"{path}:12: digests[1].channels: List should have at least 1 item after validation, "
        "not 0 (got [])",
    ]
    path = write(tmp_path, "  - {name: m, channels: [mail]}\n  - {name: m, channels: [chat]}\n")
    assert error(path) == f"{path}:12: digests[1].name: already used by digests[0] (got 'm')"


def test_at_most_ten_brands_per_digest(tmp_path: Path) -> None:
    competitors = "".join(f"  - name: Rival {n}\n" for n in range(10))
    head = HEAD.replace("  - name: Nami Telecom\n", competitors)
    path = write(tmp_path, "  - {name: m, channels: [mail]}\n", head)

    assert error(path) == (
        f"{path}:{head.count(chr(10)) + 1}: digests[0].brands: a digest compares at most 10 "
        "brands and this one would cover 11: name the brands its audience follows"
    )
    named = "  - {name: m, channels: [mail], brands: [Hoshi Mobile, Rival 1]}\n"
    assert len(load_settings(write(tmp_path, named, head)).digests[0].brands) == 2


def test_catch_up_shorter_than_delivered_notices_are_kept(tmp_path: Path) -> None:
    head = "alerting: {keep_delivered_days: 0.5}\n" + HEAD
    path = write(tmp_path, "  - {name: m, channels: [mail]}\n", head)

    assert error(path).endswith(
        "digests[0].catch_up_hours: must be shorter than alerting.keep_delivered_days "
        "(12 hours), or a digest delivered and forgotten could be sent again"
    )


def test_the_shipped_example_loads_once_uncommented(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The commented digest and its two channels in ``config/kikimimi.yaml`` stay valid."""
    lines = DEFAULT_CONFIG.read_text(encoding="utf-8").splitlines()
    channels = lines.index("  # - name: marketing-mail")
    digests = lines.index("# digests:")
    for number in [*range(channels, channels + 10), *range(digests, len(lines))]:
        lines[number] = re.sub(r"^(\s*)# ", r"\1", lines[number])
    path = tmp_path / "kikimimi.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("KIKIMIMI_SMTP_PASSWORD", "secret")
    monkeypatch.setenv("KIKIMIMI_SLACK_MARKETING_WEBHOOK", "https://hooks.slack.example/x")

    (digest,) = load_settings(path).digests

    assert digest.channels == ["marketing-mail", "marketing-slack"]
    assert (digest.weekday, digest.time, digest.timezone) == ("monday", "09:00", "Asia/Tokyo")
