"""The demo, run once per session for the tests that look at its results."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import AnyHttpUrl

from config.loader import load_settings
from kikimimi.demo.job import DemoSummary, run_demo
from tests.conftest import RunningElasticsearch

SHIPPED_CONFIG = Path(__file__).resolve().parents[2] / "config" / "kikimimi.yaml"


@pytest.fixture(scope="session")
def demo_run(
    tmp_path_factory: pytest.TempPathFactory, elasticsearch_node: RunningElasticsearch
) -> DemoSummary:
    """``kikimimi demo`` on the session's Elasticsearch, its state in a temporary folder."""
    shipped = load_settings(SHIPPED_CONFIG)
    es = shipped.elasticsearch.model_copy(update={"hosts": [AnyHttpUrl(elasticsearch_node.url)]})
    state = tmp_path_factory.mktemp("demo")
    settings = shipped.model_copy(update={"state_dir": state, "elasticsearch": es})
    return run_demo(settings, print)
