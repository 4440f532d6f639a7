"""KPIs from hand-built cases with known timestamps: exact figures, filters, empty input."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest

from alerts.kpis import (
    CsatStats,
    DailySentimentCount,
    DurationStats,
    SentimentCounts,
    SourceSentimentCount,
    SourceVolume,
    closed_at,
    compute_kpis,
    first_contact_resolved,
    percentile,
    sla_breached,
)
from core.records import Author, Case, CaseEvent

START = datetime(2025, 3, 3, tzinfo=UTC)
END = START + timedelta(days=7)
BRAND = "Hoshi Mobile"
H = timedelta(hours=1)
M = timedelta(minutes=1)
D = timedelta(days=1)


def make_case(
    case_id: str,
    opened: datetime,
    *,
    responses: Sequence[timedelta] = (),
    closes: Sequence[timedelta] = (),
    reopens: Sequence[timedelta] = (),
    due: timedelta = H,
    brand: str = BRAND,
    **fields: object,
) -> Case:
    """A case whose timestamps and history follow from offsets after ``opened``."""
    events = [CaseEvent(at=opened, kind="opened")]
    events += [CaseEvent(at=opened + offset, kind="responded") for offset in responses]
    events += [CaseEvent(at=opened + offset, kind="closed") for offset in closes]
    events += [CaseEvent(at=opened + offset, kind="reopened") for offset in reopens]
    data: dict[str, object] = {
        "id": case_id,
        "mention_ids": [f"m-{case_id}"],
        "brand": brand,
        "author": Author(handle="someone"),
        "rule": "own-brand-negative",
        "opened_at": opened,
        "sla_due_at": opened + due,
        "first_response_at": opened + responses[0] if responses else None,
        "closed_at": opened + closes[-1] if closes else None,
        "history": sorted(events, key=lambda event: event.at),
        **fields,
    }
    return Case.model_validate(data)


def scenario() -> list[Case]:
    """Eight Hoshi Mobile cases in the week, one of another brand, two outside the week."""
    return [
        # FRT 10 min, AHT 1 h, one response: first contact resolution; CSAT 5.
        make_case(
            "c1",
            START + H,
            responses=[10 * M],
            closes=[H],
            csat=5,
            source="mastodon",
            priority="high",
            team="care-ja",
        ),
        # FRT 30 min, AHT 2 h, two responses: no FCR; CSAT 4.
        make_case(
            "c2",
            START + D,
            responses=[30 * M, 40 * M],
            closes=[2 * H],
            csat=4,
            source="reddit",
            team="care-ja",
        ),
        # FRT 2 h (SLA 1 h: breached), closed, reopened, closed again at 5 h: no FCR; CSAT 2.
        make_case(
            "c3",
            START + 2 * D,
            responses=[2 * H],
            closes=[3 * H, 5 * H],
            reopens=[4 * H],
            csat=2,
            source="reddit",
            priority="low",
            team="care-en",
        ),
        # FRT 20 min, AHT 1 day, one response: FCR; CSAT 3.
        make_case(
            "c4",
            START + 3 * D,
            responses=[20 * M],
            closes=[D],
            csat=3,
            source="mastodon",
            priority="urgent",
        ),
        # Never answered, due long before the end: breached, open.
        make_case("c5", START + 6 * D, source="reddit", team="care-ja"),
        # Never answered, due 30 min after the end: not (yet) breached, open, no source.
        make_case("c6", START + 6 * D + 23 * H + 30 * M),
        # FRT 5 min, still open.
        make_case("c7", START + 4 * D, responses=[5 * M], source="mastodon", team="care-en"),
        # Due before the end, answered and closed only after it: unanswered and open at end.
        make_case(
            "c11",
            START + 6 * D + 22 * H,
            responses=[3 * H],
            closes=[4 * H],
            source="reddit",
            team="care-ja",
        ),
        make_case("before", START - H, responses=[M], closes=[2 * M], csat=1),
        make_case("at-end", END, responses=[M]),
        make_case("rival", START + 5 * D, responses=[M], brand="Rival", csat=1),
    ]


MENTIONS = [
    ("mastodon", "negative", 5),
    SourceSentimentCount("mastodon", "positive", 3),
    ("reddit", "negative", 2),
    ("reddit", None, 4),
    ("mastodon", "negative", 1),
]
DAILY = [
    DailySentimentCount(date(2025, 3, 3), "negative", 2),
    DailySentimentCount(date(2025, 3, 3), "neutral", 1),
    DailySentimentCount(date(2025, 3, 4), "positive", 1),
    DailySentimentCount(date(2025, 3, 2), "negative", 99),  # before the period
    DailySentimentCount(date(2025, 3, 10), "negative", 99),  # the excluded end day
]


def test_care_figures_for_one_brand() -> None:
    report = compute_kpis(scenario(), start=START, end=END, brand=BRAND)

    assert report.cases_opened == 8
    assert report.cases_responded == 5
    assert report.response_rate == 5 / 8
    # 300, 600, 1200, 1800, 7200 s
    assert report.first_response == DurationStats(count=5, mean=2220.0, median=1200.0, p90=7200.0)
    assert report.first_response_samples == (300.0, 600.0, 1200.0, 1800.0, 7200.0)
    # 3600, 7200, 18000, 86400 s
    assert report.cases_closed == 4
    assert report.handle_time == DurationStats(count=4, mean=28800.0, median=12600.0, p90=86400.0)
    assert report.fcr_count == 2
    assert report.first_contact_resolution == 0.5
    assert report.csat == CsatStats(count=4, mean=3.5, satisfied_share=0.5)
    assert report.sla_breaches == 3  # c3 answered late, c5 and c11 unanswered past due
    assert report.sla_breach_rate == 3 / 8
    assert report.cases_open == 4
    assert report.open_by_source == (("reddit", 2), ("(unknown)", 1), ("mastodon", 1))
    assert report.by_priority == (("urgent", 1), ("high", 1), ("normal", 5), ("low", 1))
    assert report.by_team == (("care-ja", 4), ("(no team)", 2), ("care-en", 2))


def test_without_brand_filter_all_brands_count() -> None:
    report = compute_kpis(scenario(), start=START, end=END)

    assert report.brand is None
    assert report.cases_opened == 9
    assert report.cases_responded == 6
    assert report.first_response.count == 6
    assert report.first_response.p90 == 7200.0  # ceil(0.9 * 6) = 6th of 6
    assert report.first_response.median == (600 + 1200) / 2  # 60, 300, 600, 1200, 1800, 7200
    assert report.csat == CsatStats(count=5, mean=3.0, satisfied_share=0.4)


def test_period_filter_and_exclusive_end() -> None:
    report = compute_kpis(scenario(), start=START + D, end=START + 3 * D, brand=BRAND)

    assert report.cases_opened == 2  # c2, c3; c4 opens exactly at the end
    assert report.first_response == DurationStats(count=2, mean=4500.0, median=4500.0, p90=7200.0)
    assert report.handle_time.mean == (7200 + 18000) / 2
    assert report.fcr_count == 0
    assert report.first_contact_resolution == 0.0
    assert report.sla_breaches == 1
    assert [day.day for day in report.daily_mentions] == [date(2025, 3, 4), date(2025, 3, 5)]


def test_state_is_taken_at_the_end_of_the_period() -> None:
    opened = START + 6 * D
    late = make_case("late", opened, responses=[2 * D], closes=[3 * D])
    # Seen from a period that ends before the response, the case is unanswered and open.
    report = compute_kpis([late], start=START, end=END)
    assert (report.cases_responded, report.cases_closed, report.sla_breaches) == (0, 0, 1)
    # Seen from a later end, it was answered (late) and closed.
    report = compute_kpis([late], start=START, end=END + 7 * D)
    assert (report.cases_responded, report.cases_closed, report.sla_breaches) == (1, 1, 1)


def test_reopen_after_close_means_open_unless_after_the_end() -> None:
    opened = START + D
    stale = make_case("stale", opened, responses=[M], closes=[H], reopens=[2 * H])
    assert closed_at(stale, END) is None
    assert not first_contact_resolved(stale, END)
    assert closed_at(stale, opened + 90 * M) == opened + H
    assert first_contact_resolved(stale, opened + 90 * M)


def test_typed_in_flags_are_ignored() -> None:
    case = make_case("flagged", START, responses=[M], closes=[2 * M], sla_breached=True)
    assert not sla_breached(case, END)
    assert compute_kpis([case], start=START, end=END).sla_breaches == 0
    due_exactly_at_end = make_case("edge", END - H, due=H)
    assert not sla_breached(due_exactly_at_end, END)
    answered_at_due = make_case("on-time", START, responses=[H], due=H)
    assert not sla_breached(answered_at_due, END)


def test_mentions_by_source_and_day() -> None:
    report = compute_kpis(
        [], start=START, end=END, mentions_by_source=MENTIONS, daily_mentions=DAILY
    )

    assert report.mentions_by_source == (
        SourceVolume("mastodon", SentimentCounts(negative=6, positive=3)),
        SourceVolume("reddit", SentimentCounts(negative=2, unlabelled=4)),
    )
    assert report.mentions == SentimentCounts(negative=8, positive=3, unlabelled=4)
    assert report.mentions.total == 15
    assert report.mentions.net == (3 - 8) / 11
    assert report.mentions.negative_share == 8 / 11
    days = report.daily_mentions
    assert [day.day for day in days] == [date(2025, 3, 3) + timedelta(days=i) for i in range(7)]
    assert days[0].sentiment == SentimentCounts(negative=2, neutral=1)
    assert days[1].sentiment == SentimentCounts(positive=1)
    assert all(day.sentiment.total == 0 for day in days[2:])


def test_empty_input() -> None:
    report = compute_kpis([], start=START, end=END, brand=BRAND)

    empty = DurationStats(count=0, mean=None, median=None, p90=None)
    assert (report.cases_opened, report.cases_responded, report.cases_closed) == (0, 0, 0)
    assert report.response_rate is None
    assert report.first_response == empty
    assert report.handle_time == empty
    assert report.first_response_samples == ()
    assert report.first_contact_resolution is None
    assert report.csat == CsatStats(count=0, mean=None, satisfied_share=None)
    assert (report.sla_breaches, report.sla_breach_rate) == (0, None)
    assert report.open_by_source == ()
    assert report.by_priority == (("urgent", 0), ("high", 0), ("normal", 0), ("low", 0))
    assert report.by_team == ()
    assert report.mentions == SentimentCounts()
    assert report.mentions.net is None
    assert report.mentions_by_source == ()
    assert len(report.daily_mentions) == 7


def test_percentile_is_nearest_rank() -> None:
    assert percentile(list(range(1, 11)), 90) == 9
    assert percentile([5.0], 90) == 5.0
    assert percentile([3, 1, 2], 50) == 2
    with pytest.raises(ValueError, match="no values"):
        percentile([], 90)
    with pytest.raises(ValueError, match="outside"):
        percentile([1], 0)


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="time-zone aware"):
        compute_kpis([], start=datetime(2025, 3, 3), end=END)
    with pytest.raises(ValueError, match="empty period"):
        compute_kpis([], start=END, end=START)
    with pytest.raises(ValueError, match="negative mention count"):
        compute_kpis([], start=START, end=END, mentions_by_source=[("reddit", "negative", -1)])
