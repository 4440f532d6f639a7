"""``kikimimi sources status`` reads the run history; ``kikimimi crawl`` names bad sources."""

from __future__ import annotations

import time
from pathlib import Path

import yaml
from click.testing import CliRunner

from crawlers.sqlite_state import SqliteCrawlState
from crawlers.state import CrawlRun
from kikimimi.cli import cli


def write_config(tmp_path: Path) -> Path:
    config = tmp_path / "k.yaml"
    sources = [
        {"name": "hn", "type": "hackernews", "interval_seconds": 60},
        {"name": "forum", "type": "discourse", "base_url": "https://forum.example"},
        {"name": "news", "type": "news", "interval_seconds": 60},
        {"name": "off", "type": "hackernews", "enabled": False},
    ]
    config.write_text(yaml.safe_dump({"state_dir": "var", "sources": sources}))
    return config


def test_sources_status_shows_health_per_source(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    state = SqliteCrawlState(tmp_path / "var" / "crawl" / "state.sqlite")
    now = time.time()
    state.record_run(CrawlRun("hn", now - 5, now - 4, ok=True, pages=3, mentions_new=12))
    state.record_run(CrawlRun("forum", now - 9, now - 8, ok=True, mentions_new=2))
    state.record_run(CrawlRun("forum", now - 3, now - 2, ok=False, error="requests failed for 'x'"))
    state.close()
    result = CliRunner().invoke(cli, ["--config", str(config), "sources", "status"])
    assert result.exit_code == 3, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[1:] if line.strip()}
    assert " ok " in lines["hn"] and lines["hn"].split()[-1] == "12"
    assert "UNHEALTHY" in lines["forum"] and "requests failed for 'x'" in lines["forum"]
    assert "UNHEALTHY" in lines["news"] and "never" in lines["news"]
    assert "never run" in result.output
    assert " ok " in lines["off"]


def test_crawl_of_an_unknown_source_names_the_configured_ones(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = CliRunner().invoke(cli, ["--config", str(config), "crawl", "nope"])
    assert result.exit_code != 0
    assert "no source named 'nope' (configured: hn, forum, news, off)" in str(result.exception)


def test_sources_status_counts_malformed_items_of_the_last_day(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    state = SqliteCrawlState(tmp_path / "var" / "crawl" / "state.sqlite")
    now = time.time()
    day = 24 * 3600
    state.record_run(CrawlRun("hn", now - 2 * day, now - 2 * day, ok=True, malformed=40))
    state.record_run(CrawlRun("hn", now - 60, now - 59, ok=True, mentions_new=5, malformed=3))
    state.record_run(CrawlRun("hn", now - 5, now - 4, ok=True, mentions_new=7, malformed=2))
    state.close()
    result = CliRunner().invoke(cli, ["--config", str(config), "sources", "status"])
    header, *rows = result.output.splitlines()
    assert "malformed 24h" in header
    hn = next(row.split() for row in rows if row.startswith("hn "))
    assert hn[-2:] == ["5", "7"], result.output
