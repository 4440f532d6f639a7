"""``kikimimi cases`` as a real process (issue 11): assign to a team, collision control on
responses with ``--take-over``, close with a resolution; errors are one line and exit 1."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from elasticsearch import Elasticsearch

from alerts.cases import CaseStore
from alerts.rules import CaseAction
from config.rules import CaseSettings
from core.index_names import IndexNames
from core.records import AnalyzedMention, Author
from indexer.templates import install_templates
from tests.conftest import RunningElasticsearch

pytestmark = pytest.mark.elasticsearch

NOW = datetime.now(UTC)


def kikimimi(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "kikimimi", "--config", str(config), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_case_work_from_the_command_line(
    tmp_path: Path,
    elasticsearch_node: RunningElasticsearch,
    es: Elasticsearch,
    index_names: IndexNames,
) -> None:
    install_templates(es, index_names)
    action = CaseAction(
        brand="Hoshi Mobile",
        priority="high",
        team="care",
        rule="complaint",
        reason="complaint",
        do_not_market=False,
        notify=(),
    )
    mention = AnalyzedMention(
        source="hn",
        native_id="1",
        text="billed twice",
        published_at=NOW,
        collected_at=NOW,
        author=Author(id="u1", handle="u1"),
    )
    case = CaseStore(es, index_names, CaseSettings()).apply(action, mention, NOW).case
    config = tmp_path / "kikimimi.yaml"
    settings = {"hosts": [elasticsearch_node.url], "index_prefix": index_names.prefix}
    config.write_text(yaml.safe_dump({"state_dir": "var", "elasticsearch": settings}))

    moved = kikimimi(config, "cases", "assign", case.id, "--team", "billing", "--by", "lead")
    assert moved.returncode == 0, moved.stderr
    assert f"{case.id}  open" in moved.stdout and "billing" in moved.stdout
    held = kikimimi(config, "cases", "assign", case.id, "--to", "aiko")
    assert held.returncode == 0, held.stderr

    refused = kikimimi(config, "cases", "respond", case.id, "--by", "ben", "--note", "hi")
    assert refused.returncode == 1
    assert refused.stderr.strip().endswith(
        f"case {case.id} is held by aiko: take it over to act on it"
    )
    taken = kikimimi(config, "cases", "respond", case.id, "--by", "ben", "--take-over")
    assert taken.returncode == 0, taken.stderr

    nothing = kikimimi(config, "cases", "assign", case.id)
    assert nothing.returncode == 1 and "assign: name a user or a team" in nothing.stderr

    closed = kikimimi(config, "cases", "close", case.id, "--resolution", "refunded", "--csat", "5")
    assert closed.returncode == 0, closed.stderr
    shown = kikimimi(config, "cases", "show", case.id).stdout
    assert "taken_over by ben from aiko" in shown
    assert "closed resolution: refunded; CSAT 5/5" in shown
    assert "resolution: refunded" in shown.splitlines()
