"""``kikimimi status`` shows what waits in the indexer's spool and needs attention until it is
replayed (the CLI runs as a process: its real output and exit status are checked)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from benchmarks.synthetic import generate_mentions
from core.index_names import IndexNames
from indexer.actions import BulkDoc
from indexer.spool import Spool
from tests.conftest import RunningElasticsearch
from tests.kikimimi.test_main_job import Job

pytestmark = pytest.mark.elasticsearch


def test_the_spool_needs_attention_until_it_is_replayed(
    tmp_path: Path, elasticsearch_node: RunningElasticsearch, index_names: IndexNames
) -> None:
    config = tmp_path / "kikimimi.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "state_dir": "var",
                "sources": [],
                "elasticsearch": {
                    "hosts": [elasticsearch_node.url],
                    "index_prefix": index_names.prefix,
                },
            }
        ),
        encoding="utf-8",
    )
    job = Job(tmp_path, config, index_names)
    job.run("index", "templates")
    spool = Spool(tmp_path / "var" / "indexer" / "spool")
    spool.write([BulkDoc.from_mention(m, index_names) for m in generate_mentions(3, seed=1)])

    waiting = job.call("status")

    assert waiting.returncode == 3, waiting.stdout
    assert "spool:          3 mention(s) waiting for Elasticsearch" in waiting.stdout
    job.run("index", "replay")
    replayed = job.run("status")
    assert "spool:          empty" in replayed.stdout
