"""The digest of one audience and period, computed from Elasticsearch: the indexer's trends
(volume, sentiment and share of voice per brand, topics, rising themes — aggregations, no
scan), the care KPIs as ``kikimimi report`` computes them, and the spike alerts the main
job recorded in the outbox for the period.

Care KPIs: for every brand when the audience covers all of them (``kikimimi report``
without ``--brand``), else one set per own brand it names (none when it names only
competitors). Day buckets are 24 hours from the period's start; in a week with a change of
clocks the last day takes the hour left over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Self

from elasticsearch import Elasticsearch

from alerts import CaseStore, Outbox, care_tiles, kpi_report
from config import DigestSettings, Settings
from core import IndexedMention, IndexNames, Notice, one_line
from indexer import (
    BrandVolume,
    PostFilters,
    TrendBrand,
    TrendScope,
    rising_themes,
    share_of_voice,
    topics_trend,
    trend_posts,
    volume_trend,
)
from kikimimi import wiring
from kikimimi.digest.records import (
    BrandHealth,
    CareKpis,
    Digest,
    Excerpt,
    KpiTile,
    Spike,
    Theme,
    TopTopic,
)
from kikimimi.digest.schedule import DigestPeriod

__all__ = ["DigestSources", "build_digest"]

TOP_TOPICS = 5
TOPICS_PER_BRAND = 3
TOP_THEMES = 5
EXCERPT_CHARS = 200
AUTHOR_CHARS = 80
SPIKES_READ = 500
"""Spike notices read back from the outbox, newest first (a period has far fewer)."""
_HTTP_URL = re.compile(r"https?://[^\s<>\"'`|\\]+")


@dataclass(frozen=True)
class DigestSources:
    """Where a digest's figures come from."""

    client: Elasticsearch
    names: IndexNames
    cases: CaseStore
    outbox: Outbox

    @classmethod
    def for_settings(cls, settings: Settings, client: Elasticsearch, outbox: Outbox) -> Self:
        """The configured indices and case store, through ``client``; spikes from ``outbox``."""
        return cls(
            client=client,
            names=wiring.index_names(settings),
            cases=wiring.case_store(settings, client),
            outbox=outbox,
        )


def _brands(settings: Settings, audience: DigestSettings) -> tuple[TrendBrand, ...]:
    """The audience's brands in configured order, ours first (all when it names none)."""
    configured = [TrendBrand(name=b.name, role="own") for b in settings.brands] + [
        TrendBrand(name=b.name, role="competitor") for b in settings.competitors
    ]
    named = set(audience.brands)
    return tuple(b for b in configured if not named or b.name in named)


def build_digest(
    settings: Settings, audience: DigestSettings, period: DigestPeriod, sources: DigestSources
) -> Digest:
    """Every figure of ``audience``'s digest for ``period``."""
    brands = _brands(settings, audience)
    # in UTC: the trends subtract and bucket instants, not wall-clock readings of a zone
    start, end = period.start.astimezone(UTC), period.end.astimezone(UTC)
    scope = TrendScope(start=start, end=end, bucket="day", brands=brands)
    client, names = sources.client, sources.names
    volume = volume_trend(client, names, scope)
    shares = share_of_voice(client, names, scope)
    share_of = {share.brand: share for share in shares.brands}
    roles = {brand.role for brand in brands}
    own_brands = [b.name for b in settings.brands]
    care_brands: list[str | None] = (
        [b for b in audience.brands if b in own_brands] if audience.brands else [None]
    )
    return Digest(
        audience=audience.name,
        timezone=audience.timezone,
        start=period.start,
        end=period.end,
        days=period.days,
        brands=[
            BrandHealth(
                brand=counts.brand,
                role=counts.role,
                posts=counts.change,
                sentiment=counts.current,
                previous_sentiment=counts.previous,
                daily=_daily(counts, len(period.days)),
                share=share_of[counts.brand],
            )
            for counts in volume.brands
        ],
        own=shares.own if roles == {"own", "competitor"} else None,
        topics=_top_topics(sources, scope),
        themes=_themes(sources, scope, settings.brand_words()),
        spikes=_spikes(sources.outbox, {b.name for b in brands}, period),
        care=[_care(sources, scope, brand) for brand in care_brands],
    )


def _daily(counts: BrandVolume, days: int) -> list[int]:
    """Posts per day: the series' buckets (none before anything was indexed), a leftover
    hour's bucket added to the last day."""
    totals = [point.counts.total for point in counts.series]
    totals += [0] * (days - len(totals))
    return [*totals[: days - 1], sum(totals[days - 1 :])] if days else []


def _top_topics(sources: DigestSources, scope: TrendScope) -> list[TopTopic]:
    """The topics with the most posts across the brands, each with its newest post."""
    found = topics_trend(sources.client, sources.names, scope, size=TOPICS_PER_BRAND)
    ranked = sorted(
        (
            (brand.brand, topic)
            for brand in found.brands
            for topic in brand.topics
            if topic.change.current
        ),
        key=lambda pair: -pair[1].change.current,
    )[:TOP_TOPICS]
    by_name = {brand.name: brand for brand in scope.brands}
    top = []
    for brand, topic in ranked:
        one_brand = TrendScope(
            start=scope.start, end=scope.end, bucket=scope.bucket, brands=(by_name[brand],)
        )
        posts = trend_posts(
            sources.client, sources.names, one_brand, PostFilters(topic=topic.topic), size=1
        ).posts
        top.append(
            TopTopic(
                brand=brand,
                topic=topic.topic,
                posts=topic.change,
                negative=topic.negative,
                example=_excerpt(posts[0]) if posts else None,
            )
        )
    return top


def _themes(sources: DigestSources, scope: TrendScope, brand_words: list[str]) -> list[Theme]:
    found = rising_themes(
        sources.client,
        sources.names,
        scope,
        size=TOP_THEMES,
        examples=1,
        excluded_names=brand_words,
    )
    return [
        Theme(
            term=one_line(theme.term),
            posts=theme.posts,
            previous_posts=theme.previous_posts,
            example=_excerpt(theme.examples[0]) if theme.examples else None,
        )
        for theme in found.themes
    ]


def _spikes(outbox: Outbox, brands: set[str], period: DigestPeriod) -> list[Spike]:
    """The period's spike alerts about the brands, oldest first."""
    spikes = [
        spike
        for notice in outbox.recent("spike", SPIKES_READ)
        if notice.brand in brands
        and (spike := _spike(notice)) is not None
        and period.start <= spike.window_end < period.end
    ]
    return sorted(spikes, key=lambda spike: spike.window_end)


def _spike(notice: Notice) -> Spike | None:
    """A recorded spike notice as a spike (``None`` without its window)."""
    facts = notice.facts
    end = _moment(facts.get("window_end"))
    if end is None or notice.brand is None:
        return None
    return Spike(
        brand=notice.brand,
        window_start=_moment(facts.get("window_start")) or end,
        window_end=end,
        count=int(facts["count"]) if facts.get("count", "").isdigit() else None,
        baseline=_number(facts.get("baseline")),
        why=one_line(notice.body.partition("\n\n")[0]),
    )


def _care(sources: DigestSources, scope: TrendScope, brand: str | None) -> CareKpis:
    report = kpi_report(
        sources.client, sources.names, sources.cases, start=scope.start, end=scope.end, brand=brand
    )
    tiles = [
        KpiTile(label=label, value=value, detail=detail)
        for label, value, detail in care_tiles(report)
    ]
    return CareKpis(brand=brand, tiles=tiles)


def _excerpt(post: IndexedMention) -> Excerpt:
    """A post as an example: one clean line of its text, cut short; an http(s) link only."""
    author = post.author
    who = one_line(author.handle or author.name or author.id or "someone")
    return Excerpt(
        author=_cut(who, AUTHOR_CHARS),
        source=post.source,
        published_at=post.published_at,
        text=_cut(one_line(post.text), EXCERPT_CHARS),
        url=post.url if post.url and _HTTP_URL.fullmatch(post.url) else None,
    )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _moment(text: str | None) -> datetime | None:
    """An aware time written by isoformat, else ``None``."""
    try:
        moment = datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None
