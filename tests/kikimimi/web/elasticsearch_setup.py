"""Helpers shared by the web tests that run on the real local Elasticsearch: the app's
settings for a test's index prefix, extra users, a case store on installed templates, and
a mention indexed as the pipeline indexes it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from alerts import CaseStore
from config import Settings
from core import IndexedMention, IndexNames
from indexer import install_templates
from kikimimi import wiring
from kikimimi.accounts import Accounts, Role
from tests.conftest import RunningElasticsearch
from tests.kikimimi.web.conftest import PASSWORD


def es_config(elasticsearch_node: RunningElasticsearch, index_names: IndexNames) -> dict[str, Any]:
    """The ``elasticsearch`` settings of the test node with the test's index prefix."""
    return {"hosts": [elasticsearch_node.url], "index_prefix": index_names.prefix}


def web_settings(
    tmp_path: Path,
    elasticsearch_node: RunningElasticsearch,
    index_names: IndexNames,
    rules: Sequence[Mapping[str, Any]],
) -> Settings:
    """The app's settings on the test node, with the test's index prefix and ``rules``."""
    return Settings.model_validate(
        {
            "state_dir": tmp_path / "var",
            "elasticsearch": es_config(elasticsearch_node, index_names),
            "rules": list(rules),
            "brands": [{"name": "Hoshi Mobile"}],
        }
    )


def add_people(accounts: Accounts, people: Mapping[str, tuple[Role, tuple[str, ...]]]) -> None:
    for name, (role, teams) in people.items():
        accounts.add_user(name, PASSWORD, role, teams)


def case_store(settings: Settings, es: Elasticsearch, index_names: IndexNames) -> CaseStore:
    """A case store on freshly installed templates."""
    install_templates(es, index_names)
    return wiring.case_store(settings, es)


def index_mention(es: Elasticsearch, index_names: IndexNames, mention: IndexedMention) -> None:
    """Index ``mention`` into its monthly index, searchable at once."""
    es.index(
        index=index_names.mention_index(mention.published_at),
        id=mention.id,
        document=mention.model_dump(mode="json", exclude_none=True),
        refresh=True,
    )
