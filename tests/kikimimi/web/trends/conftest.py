"""Fixtures of the trends API tests: the web app on the real local Elasticsearch (a fresh
index prefix per test) with the three brands of the seeded stream configured (see
``tests/indexer/trends/conftest.py``: its answers are known) and that stream indexed."""

from __future__ import annotations

from pathlib import Path

import pytest
from elasticsearch import Elasticsearch, helpers

from config import Settings
from core import IndexNames
from indexer import install_templates
from tests.conftest import RunningElasticsearch
from tests.indexer.trends.conftest import HOSHI, KAZE, NAMI, seeded_mentions
from tests.kikimimi.web.elasticsearch_setup import es_config

pytestmark = pytest.mark.elasticsearch


@pytest.fixture
def settings(
    tmp_path: Path, elasticsearch_node: RunningElasticsearch, index_names: IndexNames
) -> Settings:
    return Settings.model_validate(
        {
            "state_dir": tmp_path / "var",
            "elasticsearch": es_config(elasticsearch_node, index_names),
            "brands": [{"name": HOSHI}],
            "competitors": [{"name": NAMI}, {"name": KAZE}],
        }
    )


@pytest.fixture
def seeded(es: Elasticsearch, index_names: IndexNames) -> IndexNames:
    """The seeded stream, indexed and searchable."""
    install_templates(es, index_names)
    actions = (
        {
            "_index": index_names.mention_index(m.published_at),
            "_id": m.id,
            "_source": m.model_dump(mode="json", exclude_none=True),
        }
        for m in seeded_mentions()
    )
    helpers.bulk(es, actions, refresh=True)
    return index_names
