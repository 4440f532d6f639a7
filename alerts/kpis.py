"""Customer-care and listening KPIs for one period, computed from timestamps only.

Cases count when they were opened in ``[start, end)`` (and belong to ``brand``, if given).
Every case figure is derived from timestamps and history *as they stood at* ``end``: a
response, close or reopen at or after ``end`` has not happened yet, so a report for a past
period comes out the same whenever it is run. Typed-in flags (``sla_breached``, ``status``)
are not used. Mention figures arrive pre-aggregated (an Elasticsearch aggregation that the
caller filters to the same period and brand); daily counts are clipped to the period's days
and gaps are filled with zeros. Durations are in seconds.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import NamedTuple

from core import PRIORITIES, Case

__all__ = [
    "NO_TEAM",
    "UNKNOWN_SOURCE",
    "CsatStats",
    "DailySentiment",
    "DailySentimentCount",
    "DurationStats",
    "KpiReport",
    "SentimentCounts",
    "SourceSentimentCount",
    "SourceVolume",
    "cases_in_period",
    "closed_at",
    "compute_kpis",
    "count_by",
    "csat_stats",
    "daily_sentiment",
    "duration_stats",
    "first_contact_resolved",
    "first_response_seconds",
    "handle_seconds",
    "percentile",
    "responded_at",
    "sla_breached",
    "source_volumes",
]

UNKNOWN_SOURCE = "(unknown)"
NO_TEAM = "(no team)"
SATISFIED = 4  # CSAT scores from this one up count as satisfied ("CSAT %")


class SourceSentimentCount(NamedTuple):
    """Mentions from one source with one sentiment label (``None``: not analysed)."""

    source: str
    label: str | None
    mentions: int  # not ``count``: that would shadow tuple.count


class DailySentimentCount(NamedTuple):
    """Mentions published on one day with one sentiment label (``None``: not analysed)."""

    day: date
    label: str | None
    mentions: int


@dataclass(frozen=True)
class SentimentCounts:
    """Mention counts by sentiment; labels other than the three known ones are unlabelled."""

    negative: int = 0
    neutral: int = 0
    positive: int = 0
    unlabelled: int = 0

    @property
    def labelled(self) -> int:
        """Mentions with a known sentiment."""
        return self.negative + self.neutral + self.positive

    @property
    def total(self) -> int:
        """All mentions."""
        return self.labelled + self.unlabelled

    @property
    def negative_share(self) -> float | None:
        """Negative share of the labelled mentions."""
        return _ratio(self.negative, self.labelled)

    @property
    def net(self) -> float | None:
        """Net sentiment, (positive - negative) / labelled, in [-1, 1]."""
        return _ratio(self.positive - self.negative, self.labelled)

    def add(self, label: str | None, count: int) -> SentimentCounts:
        """These counts plus ``count`` mentions labelled ``label``."""
        if count < 0:
            raise ValueError(f"negative mention count {count} for label {label!r}")
        field = label if label in ("negative", "neutral", "positive") else "unlabelled"
        current: int = getattr(self, field)
        return replace(self, **{field: current + count})

    def __add__(self, other: SentimentCounts) -> SentimentCounts:
        return SentimentCounts(
            negative=self.negative + other.negative,
            neutral=self.neutral + other.neutral,
            positive=self.positive + other.positive,
            unlabelled=self.unlabelled + other.unlabelled,
        )


@dataclass(frozen=True)
class SourceVolume:
    """Mention volume and sentiment of one source."""

    source: str
    sentiment: SentimentCounts


@dataclass(frozen=True)
class DailySentiment:
    """Mention volume and sentiment of one day."""

    day: date
    sentiment: SentimentCounts


@dataclass(frozen=True)
class DurationStats:
    """Mean, median and 90th percentile (nearest rank) of durations in seconds."""

    count: int
    mean: float | None
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class CsatStats:
    """CSAT: how many scores, their mean, and the share of 4-5 scores ("CSAT %")."""

    count: int
    mean: float | None
    satisfied_share: float | None


@dataclass(frozen=True)
class KpiReport:
    """All figures for one period and brand; ``None`` where a figure is undefined."""

    start: datetime
    end: datetime
    brand: str | None
    cases_opened: int
    cases_responded: int
    response_rate: float | None
    first_response: DurationStats
    first_response_samples: tuple[float, ...]  # seconds, ascending (for the histogram)
    cases_closed: int
    handle_time: DurationStats
    fcr_count: int
    first_contact_resolution: float | None
    csat: CsatStats
    sla_breaches: int
    sla_breach_rate: float | None
    cases_open: int
    open_by_source: tuple[tuple[str, int], ...]
    by_priority: tuple[tuple[str, int], ...]
    by_team: tuple[tuple[str, int], ...]
    mentions: SentimentCounts
    mentions_by_source: tuple[SourceVolume, ...]
    daily_mentions: tuple[DailySentiment, ...]


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _seconds(later: datetime, earlier: datetime) -> float:
    return max((later - earlier).total_seconds(), 0.0)  # clock skew never gives < 0


def cases_in_period(
    cases: Iterable[Case], start: datetime, end: datetime, brand: str | None = None
) -> list[Case]:
    """The cases opened in ``[start, end)``, of ``brand`` when given (exact match)."""
    return [
        case
        for case in cases
        if start <= case.opened_at < end and (brand is None or case.brand == brand)
    ]


def responded_at(case: Case, end: datetime) -> datetime | None:
    """When the case was first responded to, if that was before ``end``."""
    at = case.first_response_at
    return at if at is not None and at < end else None


def closed_at(case: Case, end: datetime) -> datetime | None:
    """When the case was closed, if it was closed before ``end`` and not reopened since."""
    at = case.closed_at
    if at is None or at >= end:
        return None
    reopened = any(e.kind == "reopened" and at < e.at < end for e in case.history)
    return None if reopened else at


def first_contact_resolved(case: Case, end: datetime) -> bool:
    """Closed by ``end`` after exactly one response and never reopened."""
    if closed_at(case, end) is None:
        return False
    kinds = [event.kind for event in case.history if event.at < end]
    return kinds.count("responded") == 1 and "reopened" not in kinds


def sla_breached(case: Case, end: datetime) -> bool:
    """Responded after ``sla_due_at``, or still unanswered at ``end`` with the SLA past."""
    at = responded_at(case, end)
    return at > case.sla_due_at if at is not None else case.sla_due_at < end


def first_response_seconds(cases: Iterable[Case], end: datetime) -> list[float]:
    """Seconds from opening to first response, for cases responded to before ``end``."""
    return [
        _seconds(at, case.opened_at)
        for case in cases
        if (at := responded_at(case, end)) is not None
    ]


def handle_seconds(cases: Iterable[Case], end: datetime) -> list[float]:
    """Seconds from opening to closing, for cases closed at ``end``."""
    return [
        _seconds(at, case.opened_at) for case in cases if (at := closed_at(case, end)) is not None
    ]


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0 < q <= 100) by nearest rank: an observed value."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 < q <= 100:
        raise ValueError(f"percentile {q} outside (0, 100]")
    ordered = sorted(values)
    return ordered[math.ceil(q / 100 * len(ordered)) - 1]


def duration_stats(seconds: Sequence[float]) -> DurationStats:
    """Mean, median and p90 of ``seconds``; all ``None`` when there are none."""
    if not seconds:
        return DurationStats(count=0, mean=None, median=None, p90=None)
    return DurationStats(
        count=len(seconds),
        mean=statistics.fmean(seconds),
        median=statistics.median(seconds),
        p90=percentile(seconds, 90),
    )


def csat_stats(cases: Iterable[Case]) -> CsatStats:
    """CSAT over the cases that have a score."""
    scores = [case.csat for case in cases if case.csat is not None]
    if not scores:
        return CsatStats(count=0, mean=None, satisfied_share=None)
    satisfied = sum(1 for score in scores if score >= SATISFIED)
    return CsatStats(
        count=len(scores),
        mean=statistics.fmean(scores),
        satisfied_share=satisfied / len(scores),
    )


def count_by(
    cases: Iterable[Case], key: Callable[[Case], str], order: Sequence[str] = ()
) -> tuple[tuple[str, int], ...]:
    """Case counts by ``key``: keys in ``order`` first (even at 0), then the rest by count."""
    counts = Counter(dict.fromkeys(order, 0))
    counts.update(key(case) for case in cases)
    rank = {name: index for index, name in enumerate(order)}
    return tuple(
        sorted(
            counts.items(),
            key=lambda item: (rank.get(item[0], len(rank)), -item[1], item[0]),
        )
    )


def source_volumes(counts: Iterable[tuple[str, str | None, int]]) -> tuple[SourceVolume, ...]:
    """Mention volume and sentiment by source, the busiest source first."""
    by_source: dict[str, SentimentCounts] = {}
    for source, label, count in counts:
        by_source[source] = by_source.get(source, SentimentCounts()).add(label, count)
    return tuple(
        SourceVolume(source, sentiment)
        for source, sentiment in sorted(by_source.items(), key=lambda i: (-i[1].total, i[0]))
    )


def _period_days(start: datetime, end: datetime) -> list[date]:
    first, last = start.date(), (end - timedelta(microseconds=1)).date()
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def daily_sentiment(
    counts: Iterable[tuple[date, str | None, int]], start: datetime, end: datetime
) -> tuple[DailySentiment, ...]:
    """One entry per calendar day of the period (in ``start``/``end``'s time zone)."""
    by_day = {day: SentimentCounts() for day in _period_days(start, end)}
    for day, label, count in counts:
        if day in by_day:
            by_day[day] = by_day[day].add(label, count)
    return tuple(DailySentiment(day, sentiment) for day, sentiment in by_day.items())


def compute_kpis(
    cases: Sequence[Case],
    *,
    start: datetime,
    end: datetime,
    brand: str | None = None,
    mentions_by_source: Iterable[tuple[str, str | None, int]] = (),
    daily_mentions: Iterable[tuple[date, str | None, int]] = (),
) -> KpiReport:
    """All KPIs for ``[start, end)``: see the module docstring for what counts."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be time-zone aware")
    if not start < end:
        raise ValueError(f"empty period: start {start.isoformat()} is not before end")
    period = cases_in_period(cases, start, end, brand)
    responses = sorted(first_response_seconds(period, end))
    closed = [case for case in period if closed_at(case, end) is not None]
    still_open = [case for case in period if closed_at(case, end) is None]
    fcr = sum(1 for case in closed if first_contact_resolved(case, end))
    breaches = sum(1 for case in period if sla_breached(case, end))
    volumes = source_volumes(mentions_by_source)
    total = sum((volume.sentiment for volume in volumes), SentimentCounts())
    return KpiReport(
        start=start,
        end=end,
        brand=brand,
        cases_opened=len(period),
        cases_responded=len(responses),
        response_rate=_ratio(len(responses), len(period)),
        first_response=duration_stats(responses),
        first_response_samples=tuple(responses),
        cases_closed=len(closed),
        handle_time=duration_stats(handle_seconds(closed, end)),
        fcr_count=fcr,
        first_contact_resolution=_ratio(fcr, len(closed)),
        csat=csat_stats(period),
        sla_breaches=breaches,
        sla_breach_rate=_ratio(breaches, len(period)),
        cases_open=len(still_open),
        open_by_source=count_by(still_open, lambda case: case.source or UNKNOWN_SOURCE),
        by_priority=count_by(period, lambda case: case.priority, PRIORITIES),
        by_team=count_by(period, lambda case: case.team or NO_TEAM),
        mentions=total,
        mentions_by_source=volumes,
        daily_mentions=daily_sentiment(daily_mentions, start, end),
    )
