"""The demo job: a real run of the current pipeline on the bundled sample of mentions.

Starts the local Elasticsearch if the configuration points at it, installs the templates,
indexes ``sample_mentions.jsonl`` and prints what is in the index afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from elasticsearch import Elasticsearch

from indexer.bulk import IndexReport
from indexer.names import IndexNames
from indexer.search import search_mentions
from kikimimi import wiring
from kikimimi.settings import Settings

SAMPLE = "sample_mentions.jsonl"
EXAMPLE_SEARCHES = ("通信障害", "二重引き落とし", "charged twice")


@dataclass(frozen=True)
class DemoSummary:
    """What the demo did and found."""

    elasticsearch_url: str
    analyzer: str
    report: IndexReport
    seconds: float
    total_in_index: int
    by_source: dict[str, int]
    by_language: dict[str, int]
    searches: dict[str, list[dict[str, Any]]]


def sample_lines() -> Iterator[str]:
    """The bundled sample mentions, one JSON object per line."""
    text = resources.files("kikimimi.demo").joinpath(SAMPLE).read_text(encoding="utf-8")
    yield from (line for line in text.splitlines() if line.strip())


def run_demo(settings: Settings, say: Callable[[str], None]) -> DemoSummary:
    """Run the demo against the configured Elasticsearch (starting the local node if needed)."""
    if wiring.uses_local_node(settings):
        wiring.local_node(settings, progress=say).start()
    client = wiring.elasticsearch_client(settings)
    names = wiring.index_names(settings)
    templates = wiring.install_index_templates(settings, client)
    say(f"templates installed (text analyzer: {templates.analyzer})")
    started = time.monotonic()
    report = wiring.indexer(settings, client).index(sample_lines())
    seconds = time.monotonic() - started
    client.indices.refresh(index=names.mentions_alias)
    return DemoSummary(
        elasticsearch_url=str(settings.elasticsearch.hosts[0]),
        analyzer=templates.analyzer,
        report=report,
        seconds=seconds,
        total_in_index=int(client.count(index=names.mentions_alias)["count"]),
        by_source=_terms(client, names, "source"),
        by_language=_terms(client, names, "lang"),
        searches={q: search_mentions(client, names, q, size=3) for q in EXAMPLE_SEARCHES},
    )


def render(summary: DemoSummary) -> str:
    """The summary as the lines the demo prints."""
    r = summary.report
    lines = [
        f"Kikimimi demo — Elasticsearch {summary.elasticsearch_url} "
        f"(text analyzer: {summary.analyzer})",
        f"indexed {r.indexed} new, {r.updated} updated, {r.dead_lettered} dead-lettered, "
        f"{r.spooled} spooled in {summary.seconds:.2f} s",
        f"mentions in the index: {summary.total_in_index}",
        "by source:   " + _counts(summary.by_source),
        "by language: " + _counts(summary.by_language),
    ]
    for query, hits in summary.searches.items():
        lines.append(f"search {query!r}: {len(hits)} hit(s)")
        lines.extend(f"  [{h['source']}] {h['text'][:90]}" for h in hits)
    return "\n".join(lines)


def _terms(client: Elasticsearch, names: IndexNames, field: str) -> dict[str, int]:
    response = client.search(
        index=names.mentions_alias, size=0, aggs={"by": {"terms": {"field": field, "size": 50}}}
    )
    return {b["key"]: b["doc_count"] for b in response["aggregations"]["by"]["buckets"]}


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {value}" for key, value in counts.items()) or "none"
