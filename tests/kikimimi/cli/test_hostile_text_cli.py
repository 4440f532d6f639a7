"""Hostile post text and author handles never drive the terminal: ``cases list``, ``cases
show`` and ``rules test`` run as real processes, and what they print holds no escape
sequence, control character, bidi control or zero-width character."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import termios
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from elasticsearch import Elasticsearch

from alerts.cases import CaseStore
from alerts.rules import CaseAction
from config.rules import CaseSettings
from core.index_names import IndexNames
from core.records import AnalyzedMention, Author, BrandMatch, IndexedMention, Sentiment
from indexer.templates import install_templates
from tests.conftest import RunningElasticsearch

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ATTACK = (
    "\x1b[2J\x1b[31m\x1b]0;title\x07\x1b]8;;http://evil\x07link\x1b]8;;\x07"
    "\rOVERWRITTEN\u202etxt.exe\u200b\x9b2J"
)
HANDLE = f"@evil{ATTACK}"
TEXT = f"Hoshi Mobile is down {ATTACK} ほしモバイル📱"
CONTROLS = ("\x1b", "\x07", "\r", "\x9b", "\u202e", "\u200b")
FORBIDDEN = (*CONTROLS, "[2J", "[31m", "]0;", "http://evil")


def kikimimi(config: dict[str, Any], tmp_path: Path, *args: str) -> str:
    """Run the CLI on a real terminal (a pseudo-terminal: nothing strips what it prints);
    everything it printed (it must succeed)."""
    path = tmp_path / "kikimimi.yaml"
    path.write_text(yaml.safe_dump({"state_dir": "var", **config}), encoding="utf-8")
    command = [sys.executable, "-m", "kikimimi", "--config", str(path), *args]
    terminal, child_side = pty.openpty()
    modes = termios.tcgetattr(child_side)
    modes[1] &= ~termios.ONLCR  # keep "\n" as printed: a "\r" seen is one the CLI wrote
    termios.tcsetattr(child_side, termios.TCSANOW, modes)
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=child_side, stderr=child_side, cwd=tmp_path
    )
    os.close(child_side)
    output = bytearray()
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            if not select.select([terminal], [], [], 1)[0]:
                continue
            try:
                chunk = os.read(terminal, 65536)
            except OSError:  # EIO: the process closed the terminal
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(terminal)
    text = output.decode("utf-8")
    assert process.wait(timeout=60) == 0, text
    return text


def assert_harmless(output: str) -> None:
    assert [raw for raw in FORBIDDEN if raw in output] == []


def mention() -> AnalyzedMention:
    return AnalyzedMention(
        source="mastodon",
        native_id="1",
        text=TEXT,
        published_at=NOW,
        collected_at=NOW,
        author=Author(id="1", handle=HANDLE, name=f"Evil {ATTACK}"),
        brands=[BrandMatch(brand="Hoshi Mobile", role="own", tagged=False)],
        sentiment=Sentiment(
            label="negative",
            score=0.9,
            probabilities={"negative": 0.9, "neutral": 0.05, "positive": 0.05},
            model="test",
        ),
        intent="complaint",
    )


@pytest.mark.elasticsearch
def test_cases_list_and_show(
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
        reason=f"complaint: language {ATTACK}",  # a reason may quote the post's own fields
        do_not_market=False,
        notify=(),
    )
    case = CaseStore(es, index_names, CaseSettings()).apply(action, mention(), NOW).case
    es.indices.refresh(index=f"{index_names.prefix}-*")
    config = {
        "elasticsearch": {"hosts": [elasticsearch_node.url], "index_prefix": index_names.prefix}
    }

    listed = kikimimi(config, tmp_path, "cases", "list")
    assert case.id in listed and "@evillink OVERWRITTENtxt.exe" in listed
    assert_harmless(listed)

    shown = kikimimi(config, tmp_path, "cases", "show", case.id)
    assert "@evillink OVERWRITTENtxt.exe" in shown
    assert "why: complaint: language link OVERWRITTENtxt.exe" in shown
    assert_harmless(shown)


@pytest.mark.elasticsearch
def test_index_search(
    tmp_path: Path,
    elasticsearch_node: RunningElasticsearch,
    es: Elasticsearch,
    index_names: IndexNames,
) -> None:
    install_templates(es, index_names)
    document = IndexedMention(**mention().model_dump())
    es.index(
        index=index_names.mention_index(NOW),
        id=document.id,
        document=document.model_dump(mode="json"),
        refresh=True,
    )
    config = {
        "elasticsearch": {"hosts": [elasticsearch_node.url], "index_prefix": index_names.prefix}
    }

    found = kikimimi(config, tmp_path, "index", "search", "Hoshi")
    assert "Hoshi Mobile is down link OVERWRITTENtxt.exe ほしモバイル📱" in found
    assert_harmless(found)

    as_json = kikimimi(config, tmp_path, "index", "search", "Hoshi", "--json")
    assert [raw for raw in CONTROLS if raw in as_json] == []  # their payload is inert text
    (line,) = [line for line in as_json.splitlines() if line.startswith("{")]
    assert json.loads(line)["text"] == TEXT  # escaped, nothing lost


def test_rules_test(tmp_path: Path) -> None:
    mentions = tmp_path / "mentions.jsonl"
    mentions.write_text(mention().model_dump_json() + "\n", encoding="utf-8")
    config = {
        "brands": [{"name": "Hoshi Mobile"}],
        "rules": [
            {
                "name": "own-complaint",
                "brand_role": "own",
                "sentiment": ["negative"],
                "open_case": True,
                "priority": "high",
                "team": "care",
            }
        ],
    }
    output = kikimimi(config, tmp_path, "rules", "test", str(mentions))
    assert "fires own-complaint" in output
    assert "Hoshi Mobile is down link OVERWRITTENtxt.exe ほしモバイル📱" in output
    assert_harmless(output)
