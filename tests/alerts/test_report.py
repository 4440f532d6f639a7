"""Report rendering: durations, aligned terminal tables, a parseable self-contained HTML page
with charts, escaping of hostile names, atomic writes."""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from alerts.kpis import DailySentimentCount, KpiReport, compute_kpis
from alerts.report import (
    format_duration,
    format_share,
    render_html,
    render_table,
    response_time_bins,
    write_report,
)
from core.records import Author, Case, CaseEvent

START = datetime(2025, 3, 3, tzinfo=UTC)
END = START + timedelta(days=7)
HOSTILE_BRAND = "<script>alert(1)</script>"
HOSTILE_SOURCE = "<img src=x onerror=alert(1)>"
HOSTILE_TEAM = '"><svg onload=alert(1)>&amp;'
VOID = {"meta", "br", "hr", "img", "input", "link"}


def case(
    case_id: str,
    opened: datetime,
    response: timedelta | None,
    *,
    team: str | None = None,
    source: str | None = None,
    brand: str = HOSTILE_BRAND,
) -> Case:
    responded = None if response is None else opened + response
    history = [CaseEvent(at=opened, kind="opened")]
    if responded is not None:
        history.append(CaseEvent(at=responded, kind="responded"))
    return Case(
        id=case_id,
        mention_ids=[f"m-{case_id}"],
        brand=brand,
        author=Author(),
        rule="r",
        opened_at=opened,
        first_response_at=responded,
        sla_due_at=opened + timedelta(hours=1),
        team=team,
        source=source,
        csat=5 if response else None,
    )


def hostile_report() -> KpiReport:
    cases = [
        case("a", START, timedelta(minutes=65), team=HOSTILE_TEAM, source=HOSTILE_SOURCE),
        case("b", START + timedelta(days=1), timedelta(minutes=5), team="お客様サポート"),
        case("c", START + timedelta(days=2), None, source=HOSTILE_SOURCE),
    ]
    return compute_kpis(
        cases,
        start=START,
        end=END,
        brand=HOSTILE_BRAND,
        mentions_by_source=[
            (HOSTILE_SOURCE, "negative", 7),
            ("mastodon", "positive", 3),
            ("mastodon", "neutral", 2),
        ],
        daily_mentions=[
            DailySentimentCount(date(2025, 3, 3), "negative", 4),
            DailySentimentCount(date(2025, 3, 4), "positive", 3),
        ],
    )


def empty_report() -> KpiReport:
    return compute_kpis([], start=START, end=END)


class TagChecker(HTMLParser):
    """Fails on unbalanced tags; collects tag names."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack, f"</{tag}> without an open tag"
        assert self.stack.pop() == tag, f"</{tag}> closes another tag"


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in {"W", "F"} else 1 for ch in text)


def check_html(page: str) -> ET.Element:
    checker = TagChecker()
    checker.feed(page)
    checker.close()
    assert checker.stack == []
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(checker.tags)
    root = ET.fromstring(page)  # noqa: S314 (our own output; well-formed as XML too)
    for element in root.iter():
        assert not {"src", "href"} & set(element.attrib), element.tag
        assert not any(name.startswith("on") for name in element.attrib), element.tag
    return root


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "n/a"),
        (0, "0 s"),
        (45.4, "45 s"),
        (59.6, "1 min"),
        (720, "12 min"),
        (3600, "1 h 00 min"),
        (3900, "1 h 05 min"),
        (3929, "1 h 05 min"),
        (2 * 86400 + 3 * 3600 + 60, "2 d 03 h 01 min"),
    ],
)
def test_format_duration(seconds: float | None, text: str) -> None:
    assert format_duration(seconds) == text


def test_format_share() -> None:
    assert format_share(5 / 6) == "83.3%"
    assert format_share(None) == "n/a"


def test_response_time_bins() -> None:
    bins = dict(response_time_bins([0, 899, 900, 3599, 3600, 86400, 10**7]))
    assert bins["< 15 min"] == 2
    assert bins["15–30 min"] == 1
    assert bins["30 min–1 h"] == 1
    assert bins["1–2 h"] == 1
    assert bins["≥ 24 h"] == 2
    assert sum(bins.values()) == 7


def test_html_has_tiles_charts_and_tables() -> None:
    page = render_html(hostile_report(), "Weekly report")
    root = check_html(page)

    assert page.startswith("<!DOCTYPE html>")
    svgs = [element for element in root.iter() if element.tag == "svg"]
    assert len(svgs) == 3
    assert page.count("<svg") == 3
    assert page.count('class="tile"') == 9
    for label in ("Mentions", "Response rate", "First contact resolution", "SLA breaches", "CSAT"):
        assert f'<div class="label">{label}</div>' in page
    assert '<div class="value">35 min</div>' in page  # median of 5 and 65 min
    assert "p90 1 h 05 min" in page
    assert "<title>Weekly report</title>" in page
    assert "<rect" in page
    assert "お客様サポート" in page


def test_hostile_names_appear_only_escaped() -> None:
    report = hostile_report()
    page = render_html(report, f"Report for {HOSTILE_BRAND}")
    check_html(page)

    for raw in (HOSTILE_BRAND, HOSTILE_SOURCE, '"><svg onload'):
        assert raw not in page
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # in the source chart and table
    assert "&quot;&gt;&lt;svg onload=alert(1)&gt;&amp;amp;" in page


def test_control_characters_cannot_break_the_page_or_the_terminal() -> None:
    report = compute_kpis(
        [],
        start=START,
        end=END,
        mentions_by_source=[("evil\x00\x1b[31m\u202e", "negative", 1)],
    )
    page = render_html(report)
    check_html(page)
    assert "\x00" not in page
    assert "\x1b" not in page
    table = render_table(report)
    assert "\x1b" not in table
    assert "\u202e" not in table
    assert "[31m" not in table  # the whole escape sequence goes, not only its ESC
    assert "  evil  " in table


def test_empty_report_renders() -> None:
    page = render_html(empty_report())
    check_html(page)
    assert page.count("<svg") == 3
    assert "No data in this period" in page
    assert "Kikimimi report: all brands" in page
    table = render_table(empty_report())
    assert "Response rate" in table
    assert "n/a" in table


def test_terminal_table_is_aligned() -> None:
    table = render_table(hostile_report())

    assert "First response, p90" in table
    assert "1 h 05 min" in table
    assert "<script>alert(1)</script>" in table  # plain text: nothing to escape in a terminal
    lines = table.splitlines()
    section = lines[lines.index("Mentions by source") + 1 :]
    rows = section[: section.index("")]
    assert len(rows) == 5  # header, rule, two sources, total
    assert len({len(row) for row in rows}) == 1  # right-aligned last column
    team = lines[lines.index("Cases by team") + 1 :]
    team = team[: team.index("")]
    assert any("お客様サポート" in row for row in team)
    assert len({display_width(row) for row in team}) == 1  # full-width names take two columns


def test_write_report_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "week.html"
    report = hostile_report()

    assert write_report(report, target, title="Week") == target
    assert target.read_text(encoding="utf-8") == render_html(report, "Week")
    write_report(empty_report(), target)
    assert "No data in this period" in target.read_text(encoding="utf-8")
    assert [path.name for path in target.parent.iterdir()] == ["week.html"]


def test_long_source_names_are_cut_in_the_chart_only() -> None:
    name = "お客様サポートセンター東京第一営業部"
    report = compute_kpis([], start=START, end=END, mentions_by_source=[(name, "negative", 2)])
    page = render_html(report)
    check_html(page)
    assert ">お客様サポートセンタ…<" in page  # the chart's label: 22 columns
    assert f"<title>{name}</title>" in page  # the full name as a tooltip
    assert f"<td>{name}</td>" in page  # and in the table
