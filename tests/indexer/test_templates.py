"""Index templates against the real local Elasticsearch."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from elasticsearch import ApiError, Elasticsearch

from core import IndexNames
from indexer import detect_analyzer, install_templates

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
