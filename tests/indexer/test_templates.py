"""Index templates against the real local Elasticsearch."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from elasticsearch import ApiError, Elasticsearch

from core import Case, IndexNames
from indexer import detect_analyzer, install_templates
from indexer.templates import TEMPLATE_VERSION, cases_mappings

pytestmark = pytest.mark.elasticsearch


def test_templates_install_idempotently(es: Elasticsearch, index_names: IndexNames) -> None:
    first = install_templates(es, index_names)
    stored = es.indices.get_index_template(name=index_names.mentions_template)
    second = install_templates(es, index_names)

    assert first == second
    assert es.indices.get_index_template(name=index_names.mentions_template) == stored
    template = stored["index_templates"][0]["index_template"]
    assert template["composed_of"] == [index_names.settings_component]
    assert template["index_patterns"] == [index_names.mentions_pattern]
    assert es.indices.exists_alias(name=index_names.mentions_alias)
    assert es.indices.exists(index=index_names.cases_index)
    owners = es.indices.get_mapping(index=index_names.case_owners_index)
    assert owners[index_names.case_owners_index]["mappings"]["dynamic"] == "strict"


def test_analyzer_detection_matches_what_the_cluster_can_do(es: Elasticsearch) -> None:
    def can(**probe: Any) -> bool:
        try:
            es.indices.analyze(text="日本語", **probe)
        except ApiError:
            return False
        return True

    expected = (
        "kuromoji"
        if can(tokenizer="kuromoji_tokenizer")
        else "cjk"
        if can(analyzer="cjk")
        else "standard"
    )
    assert detect_analyzer(es) == expected


def test_mappings_are_strict(es: Elasticsearch, index_names: IndexNames) -> None:
    install_templates(es, index_names)
    index = index_names.mention_index(datetime(2026, 11, 1, tzinfo=UTC))
    with pytest.raises(ApiError) as refused:
        es.index(index=index, document={"surprise": 1})
    assert refused.value.meta.status == 400


NEW_CASE_FIELDS = {"lang", "tagged", "excerpt", "tags", "resolution", "merged_into"}


def test_an_existing_cases_index_gets_the_new_case_fields(
    es: Elasticsearch, index_names: IndexNames
) -> None:
    analyzer = detect_analyzer(es)
    before = cases_mappings(analyzer)
    before["properties"] = {
        name: spec for name, spec in before["properties"].items() if name not in NEW_CASE_FIELDS
    }
    es.indices.create(index=index_names.cases_index, mappings=before)
    old = {
        "id": "case-old",
        "mention_ids": ["m1"],
        "brand": "Hoshi Mobile",
        "author": {"handle": "u1"},
        "rule": "complaint",
        "opened_at": "2026-11-20T09:00:00Z",
        "sla_due_at": "2026-11-20T17:00:00Z",
    }
    es.index(index=index_names.cases_index, id="case-old", document=old, refresh=True)
    with pytest.raises(ApiError):  # the old strict mapping refuses a case of today
        es.index(index=index_names.cases_index, document={**old, "tags": ["refund"]})

    install_templates(es, index_names, analyzer=analyzer)
    install_templates(es, index_names, analyzer=analyzer)  # idempotent

    mapping = es.indices.get_mapping(index=index_names.cases_index)[index_names.cases_index]
    properties = mapping["mappings"]["properties"]
    assert set(properties) >= NEW_CASE_FIELDS
    assert mapping["mappings"]["dynamic"] == "strict"
    assert mapping["mappings"]["_meta"]["kikimimi_template_version"] == TEMPLATE_VERSION
    today = {**old, "id": "case-new", "lang": "ja", "tagged": True, "excerpt": "通信障害"}
    today |= {"tags": ["refund"], "resolution": "refunded", "merged_into": "case-old"}
    es.index(index=index_names.cases_index, id="case-new", document=today, refresh=True)
    found = es.search(index=index_names.cases_index, query={"term": {"tags": "refund"}})
    assert [hit["_id"] for hit in found["hits"]["hits"]] == ["case-new"]
    assert Case.model_validate(es.get(index=index_names.cases_index, id="case-old")["_source"])
