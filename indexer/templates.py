"""Composable index templates for mentions and cases, with a Japanese-capable analyzer.

The analyzer is chosen from what the cluster actually has: ``kuromoji`` (analysis-kuromoji
plugin), else ``cjk`` (analysis-common module), else ``standard``. ``standard`` still finds
Japanese words, one character per token, through phrase queries (see :mod:`indexer.search`).

A mention's text also has the sub-field ``text.phrases`` (:data:`PHRASES_ANALYZER`): words
and two-word phrases (shingles) of the same tokenizer, what the rising themes of the trends
(:mod:`indexer.trends`) are found in. With kuromoji these are Japanese words and word pairs;
with the standard tokenizer a Japanese character pair such as ``圏 外`` (圏外) is a term of
its own, so a Japanese word is findable even on a cluster without a Japanese analyzer.

The cases index is one index, created once: when the templates are installed again (an
upgrade), the fields the cases mapping gained since are added to it, so its strict
mapping takes the cases of the new version. Fields it has already are left as they are.
Beside it, the small case owners index (which case is each author's open one on a brand,
see :mod:`alerts.case_owners`) is created once with its own strict mapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from elasticsearch import BadRequestError, Elasticsearch, NotFoundError

from core import IndexNames, elasticsearch_errors

TEMPLATE_VERSION = 4
PHRASES_ANALYZER = "kikimimi_phrases"
Analyzer = Literal["kuromoji", "cjk", "standard"]
PROBES: tuple[tuple[Analyzer, dict[str, str]], ...] = (
    ("kuromoji", {"tokenizer": "kuromoji_tokenizer"}),
    ("cjk", {"analyzer": "cjk"}),
)


@dataclass(frozen=True)
class TemplateReport:
    """What :func:`install_templates` did."""

    analyzer: Analyzer
    templates: tuple[str, ...]


@elasticsearch_errors("detect the cluster's text analyzers")
def detect_analyzer(client: Elasticsearch) -> Analyzer:
    """The best Japanese-capable analyzer this cluster can run, probed with ``_analyze``."""
    for name, probe in PROBES:
        try:
            client.indices.analyze(text="聞き耳を立てる", **probe)  # type: ignore[arg-type]
        except (BadRequestError, NotFoundError):
            continue
        return name
    return "standard"


def _text(analyzer: Analyzer, keyword_limit: int = 256) -> dict[str, Any]:
    return {
        "type": "text",
        "analyzer": analyzer,
        "fields": {"keyword": {"type": "keyword", "ignore_above": keyword_limit}},
    }


def phrases_analysis(analyzer: Analyzer) -> dict[str, Any]:
    """The index analysis settings of :data:`PHRASES_ANALYZER`: the tokenizer of ``analyzer``
    (kuromoji's, else the standard one), lowercased, with two-word shingles."""
    tokenizer = "kuromoji_tokenizer" if analyzer == "kuromoji" else "standard"
    return {
        "filter": {
            "kikimimi_shingles": {
                "type": "shingle",
                "min_shingle_size": 2,
                "max_shingle_size": 2,
                "output_unigrams": True,
            }
        },
        "analyzer": {
            PHRASES_ANALYZER: {
                "type": "custom",
                "tokenizer": tokenizer,
                "filter": ["lowercase", "kikimimi_shingles"],
            }
        },
    }


def _post_text(analyzer: Analyzer) -> dict[str, Any]:
    """A mention's text: :func:`_text` and its ``phrases`` (terms only: no positions, no
    scoring)."""
    mapping = _text(analyzer)
    mapping["fields"]["phrases"] = {
        "type": "text",
        "analyzer": PHRASES_ANALYZER,
        "index_options": "docs",
        "norms": False,
    }
    return mapping


KEYWORD = {"type": "keyword", "ignore_above": 1024}
COUNT = {"type": "long"}
DATE = {"type": "date"}


def _author(analyzer: Analyzer) -> dict[str, Any]:
    return {
        "properties": {
            "id": KEYWORD,
            "handle": KEYWORD,
            "name": _text(analyzer),
            "followers": COUNT,
            "verified": {"type": "boolean"},
        }
    }


def mentions_mappings(analyzer: Analyzer) -> dict[str, Any]:
    """Mapping of mention documents: the fields of IndexedMention (a Mention has a subset)."""
    probability = {"type": "float"}
    return {
        "dynamic": "strict",
        "_meta": {"kikimimi_template_version": TEMPLATE_VERSION},
        "properties": {
            "id": KEYWORD,
            "source": KEYWORD,
            "native_id": KEYWORD,
            "url": KEYWORD,
            "text": _post_text(analyzer),
            "title": _text(analyzer),
            "lang": KEYWORD,
            "author": _author(analyzer),
            "published_at": DATE,
            "collected_at": DATE,
            "engagement": {
                "properties": dict.fromkeys(
                    ("likes", "reposts", "replies", "quotes", "views", "score"), COUNT
                )
            },
            "reply_to": KEYWORD,
            "thread_id": KEYWORD,
            "query": KEYWORD,
            "deleted": {"type": "boolean"},
            "detected_lang": KEYWORD,
            "brands": {
                "properties": {
                    "brand": KEYWORD,
                    "role": KEYWORD,
                    "tagged": {"type": "boolean"},
                    "terms": KEYWORD,
                }
            },
            "matched_no_brand": {"type": "boolean"},
            "sentiment": {
                "properties": {
                    "label": KEYWORD,
                    "score": probability,
                    "probabilities": {
                        "properties": dict.fromkeys(
                            ("negative", "neutral", "positive"), probability
                        )
                    },
                    "model": KEYWORD,
                }
            },
            "topics": KEYWORD,
            "intent": KEYWORD,
            "vip": {"type": "boolean"},
            "rules": KEYWORD,
            "feeds": KEYWORD,
        },
    }


def cases_mappings(analyzer: Analyzer) -> dict[str, Any]:
    """Mapping of Case documents."""
    return {
        "dynamic": "strict",
        "_meta": {"kikimimi_template_version": TEMPLATE_VERSION},
        "properties": {
            "id": KEYWORD,
            "mention_ids": KEYWORD,
            "brand": KEYWORD,
            "author": _author(analyzer),
            "status": KEYWORD,
            "priority": KEYWORD,
            "team": KEYWORD,
            "rule": KEYWORD,
            "reason": _text(analyzer),
            "source": KEYWORD,
            "opened_at": DATE,
            "updated_at": DATE,
            "assigned_to": KEYWORD,
            "first_response_at": DATE,
            "closed_at": DATE,
            "sla_due_at": DATE,
            "csat": {"type": "integer"},
            "sla_breached": {"type": "boolean"},
            "do_not_market": {"type": "boolean"},
            "lang": KEYWORD,
            "tagged": {"type": "boolean"},
            "excerpt": _text(analyzer),
            "tags": KEYWORD,
            "resolution": KEYWORD,
            "merged_into": KEYWORD,
            "history": {
                "properties": {
                    "at": DATE,
                    "kind": KEYWORD,
                    "actor": KEYWORD,
                    "note": _text(analyzer),
                    "mention_id": KEYWORD,
                }
            },
        },
    }


def case_owners_mappings() -> dict[str, Any]:
    """Mapping of the case owner pointers: per brand and author, the case that is their
    open one (read by id only, never searched)."""
    return {
        "dynamic": "strict",
        "_meta": {"kikimimi_template_version": TEMPLATE_VERSION},
        "properties": {
            "case_id": KEYWORD,
            "brand": KEYWORD,
            "author_key": KEYWORD,
            "updated_at": DATE,
        },
    }


@elasticsearch_errors("install the index templates")
def install_templates(
    client: Elasticsearch,
    names: IndexNames,
    *,
    replicas: int = 0,
    refresh_interval: str = "1s",
    analyzer: Analyzer | None = None,
) -> TemplateReport:
    """Install (or overwrite, idempotently) the templates; create the current indices."""
    chosen = analyzer or detect_analyzer(client)
    client.cluster.put_component_template(
        name=names.settings_component,
        template={
            "settings": {
                "index": {
                    "number_of_shards": 1,
                    "number_of_replicas": replicas,
                    "refresh_interval": refresh_interval,
                }
            }
        },
        meta={"kikimimi_template_version": TEMPLATE_VERSION},
    )
    client.indices.put_index_template(
        name=names.mentions_template,
        index_patterns=[names.mentions_pattern],
        composed_of=[names.settings_component],
        priority=200,
        template={
            "settings": {"analysis": phrases_analysis(chosen)},
            "mappings": mentions_mappings(chosen),
            "aliases": {names.mentions_alias: {}},
        },
        meta={"kikimimi_template_version": TEMPLATE_VERSION, "analyzer": chosen},
    )
    client.indices.put_index_template(
        name=names.cases_template,
        index_patterns=[names.cases_index],
        composed_of=[names.settings_component],
        priority=200,
        template={"mappings": cases_mappings(chosen)},
        meta={"kikimimi_template_version": TEMPLATE_VERSION, "analyzer": chosen},
    )
    for index in (names.mention_index(datetime.now(UTC)), names.cases_index):
        if not client.indices.exists(index=index):
            client.indices.create(index=index)
    _add_missing_fields(client, names.cases_index, cases_mappings(chosen))
    if not client.indices.exists(index=names.case_owners_index):
        client.indices.create(
            index=names.case_owners_index,
            settings={"number_of_shards": 1, "number_of_replicas": replicas},
            mappings=case_owners_mappings(),
        )
    return TemplateReport(
        analyzer=chosen,
        templates=(names.settings_component, names.mentions_template, names.cases_template),
    )


def _add_missing_fields(client: Elasticsearch, index: str, mappings: dict[str, Any]) -> None:
    """Give an existing index the fields of ``mappings`` it lacks (and its ``_meta``)."""
    current = client.indices.get_mapping(index=index)[index]["mappings"]
    missing = _missing(mappings["properties"], current.get("properties", {}))
    if missing or current.get("_meta") != mappings["_meta"]:
        client.indices.put_mapping(index=index, properties=missing, meta=mappings["_meta"])


def _missing(wanted: dict[str, Any], present: dict[str, Any]) -> dict[str, Any]:
    """The fields (and object fields' inner fields) of ``wanted`` not in ``present``."""
    missing: dict[str, Any] = {}
    for name, spec in wanted.items():
        if name not in present:
            missing[name] = spec
        elif "properties" in spec:
            inner = _missing(spec["properties"], present[name].get("properties", {}))
            if inner:
                missing[name] = {"properties": inner}
    return missing
