"""Spike alerts: negative-mention volume per brand against the same hour of past weeks.

Each evaluation counts a brand's negative mentions published in the last window and the
mean count in the same window 1..N weeks earlier (the baseline for that hour of the week).
A window *spikes* when its count is at least ``min_count`` and ``min_ratio`` times the
baseline (a baseline below one counts as one). The alert fires once the spike held for
``confirm_windows`` consecutive evaluations, then stays quiet for ``cooldown_minutes``.
The streaks and last alerts persist (:mod:`alerts.spike_state`: a JSON file, or Redis where the
scheduler leader may move between machines), so restarts and take-overs neither lose a streak
nor repeat an alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from elasticsearch import Elasticsearch

from alerts.spike_state import BrandSpikeState, SpikeState
from config import SpikeSettings
from core import IndexedMention, IndexNames, elasticsearch_errors

__all__ = ["SpikeAlert", "SpikeDetector"]

EXAMPLES = 3


@dataclass(frozen=True)
class SpikeAlert:
    """Why a spike alert fired."""

    brand: str
    window_start: datetime
    window_end: datetime
    count: int
    baseline: float
    ratio: float
    confirmed_windows: int
    top_topics: list[tuple[str, int]]
    examples: list[IndexedMention]

    @property
    def key(self) -> str:
        return f"spike:{self.brand}:{self.window_end.isoformat()}"

    def reason(self) -> str:
        topics = ", ".join(f"{t} ({n})" for t, n in self.top_topics) or "none"
        return (
            f"{self.count} negative mentions of {self.brand} in the last "
            f"{int((self.window_end - self.window_start).total_seconds() // 60)} min vs a "
            f"baseline of {self.baseline:.1f} for this hour of the week ({self.ratio:.1f}x), "
            f"confirmed over {self.confirmed_windows} consecutive windows; top topics: {topics}"
        )


class SpikeDetector:
    """Evaluates spikes for the given brands from the mentions in Elasticsearch."""

    def __init__(
        self,
        client: Elasticsearch,
        names: IndexNames,
        settings: SpikeSettings,
        brands: Sequence[str],
        state: SpikeState,
    ) -> None:
        """``state`` is read at the first evaluation, not here."""
        self.client = client
        self.names = names
        self.settings = settings
        self.brands = list(brands)
        self.state = state
        self._states: dict[str, BrandSpikeState] | None = None

    @elasticsearch_errors("evaluate spike alerts")
    def evaluate(self, now: datetime) -> list[SpikeAlert]:
        """Check every brand once; returns the alerts that fire now. Call :meth:`commit`
        once they are handled."""
        if self._states is None:
            self._states = self.state.load()
        alerts = []
        window = timedelta(minutes=self.settings.window_minutes)
        for brand in self.brands:
            state = self._states.setdefault(brand, BrandSpikeState())
            count = self._count(brand, now - window, now)
            past = [
                self._count(brand, now - timedelta(weeks=k) - window, now - timedelta(weeks=k))
                for k in range(1, self.settings.baseline_weeks + 1)
            ]
            baseline = sum(past) / len(past)
            ratio = count / max(baseline, 1.0)
            spiking = count >= self.settings.min_count and ratio >= self.settings.min_ratio
            state.streak = state.streak + 1 if spiking else 0
            if state.streak < self.settings.confirm_windows or self._cooling(state, now):
                continue
            state.last_alert = now.isoformat()
            topics, examples = self._details(brand, now - window, now)
            alerts.append(
                SpikeAlert(
                    brand, now - window, now, count, baseline, ratio, state.streak, topics, examples
                )
            )
        return alerts

    def _cooling(self, state: BrandSpikeState, now: datetime) -> bool:
        if state.last_alert is None:
            return False
        since = now - datetime.fromisoformat(state.last_alert)
        return since < timedelta(minutes=self.settings.cooldown_minutes)

    def _query(self, brand: str, start: datetime, end: datetime) -> dict[str, Any]:
        filters: list[dict[str, Any]] = [
            {"term": {"brands.brand": brand}},
            {"term": {"sentiment.label": "negative"}},
            {"range": {"published_at": {"gte": start.isoformat(), "lt": end.isoformat()}}},
        ]
        return {"bool": {"filter": filters, "must_not": [{"term": {"deleted": True}}]}}

    def _count(self, brand: str, start: datetime, end: datetime) -> int:
        response = self.client.count(
            index=self.names.mentions_alias,
            query=self._query(brand, start, end),
            ignore_unavailable=True,
        )
        return int(response["count"])

    def _details(
        self, brand: str, start: datetime, end: datetime
    ) -> tuple[list[tuple[str, int]], list[IndexedMention]]:
        response = self.client.search(
            index=self.names.mentions_alias,
            query=self._query(brand, start, end),
            size=EXAMPLES,
            sort=[{"author.followers": {"order": "desc", "missing": "_last"}}],
            aggs={"topics": {"terms": {"field": "topics", "size": 5}}},
        )
        buckets = response["aggregations"]["topics"]["buckets"]
        topics = [(str(b["key"]), int(b["doc_count"])) for b in buckets]
        examples = [IndexedMention.model_validate(h["_source"]) for h in response["hits"]["hits"]]
        return topics, examples

    def commit(self) -> None:
        """Persist streaks and last alerts (after the alerts' notices are safely queued)."""
        if self._states is not None:
            self.state.save(self._states)
