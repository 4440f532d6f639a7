"""The inputs of :func:`alerts.kpis.compute_kpis`, read from Elasticsearch."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from elasticsearch import Elasticsearch

from alerts.cases import CaseStore
from alerts.kpis import DailySentimentCount, KpiReport, SourceSentimentCount, compute_kpis
from core import IndexNames, elasticsearch_errors

__all__ = ["kpi_report"]


@elasticsearch_errors("compute the KPIs")
def kpi_report(
    client: Elasticsearch,
    names: IndexNames,
    cases: CaseStore,
    *,
    start: datetime,
    end: datetime,
    brand: str | None = None,
    teams: Collection[str] | None = None,
) -> KpiReport:
    """KPIs for cases opened and mentions published in [start, end), optionally one brand;
    with ``teams``, the case figures count those teams' cases only (mentions belong to no
    team)."""
    opened = [
        case
        for case in cases.search(brand=brand, opened_from=start, opened_to=end)
        if teams is None or case.team in teams
    ]
    by_source, daily = _mention_counts(client, names, start, end, brand)
    return compute_kpis(
        opened,
        start=start,
        end=end,
        brand=brand,
        mentions_by_source=by_source,
        daily_mentions=daily,
    )


def _mention_counts(
    client: Elasticsearch, names: IndexNames, start: datetime, end: datetime, brand: str | None
) -> tuple[list[SourceSentimentCount], list[DailySentimentCount]]:
    filters: list[dict[str, Any]] = [
        {"range": {"published_at": {"gte": start.isoformat(), "lt": end.isoformat()}}}
    ]
    if brand:
        filters.append({"term": {"brands.brand": brand}})
    zone = start.strftime("%z") or "+0000"
    by_label = {"terms": {"field": "sentiment.label", "missing": "unlabelled", "size": 10}}
    response = client.search(
        index=names.mentions_alias,
        size=0,
        query={"bool": {"filter": filters}},
        aggs={
            "sources": {"terms": {"field": "source", "size": 100}, "aggs": {"labels": by_label}},
            "days": {
                "date_histogram": {
                    "field": "published_at",
                    "calendar_interval": "day",
                    "time_zone": f"{zone[:3]}:{zone[3:]}",
                },
                "aggs": {"labels": by_label},
            },
        },
        ignore_unavailable=True,
    )
    aggregations = response.get("aggregations")
    if not aggregations:
        return [], []
    by_source = [
        SourceSentimentCount(str(s["key"]), _label(label["key"]), int(label["doc_count"]))
        for s in aggregations["sources"]["buckets"]
        for label in s["labels"]["buckets"]
    ]
    daily = [
        DailySentimentCount(_day(d["key_as_string"]), _label(label["key"]), int(label["doc_count"]))
        for d in aggregations["days"]["buckets"]
        for label in d["labels"]["buckets"]
    ]
    return by_source, daily


def _label(key: object) -> str | None:
    return None if key == "unlabelled" else str(key)


def _day(text: str) -> date:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
