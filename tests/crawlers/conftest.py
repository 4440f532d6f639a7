"""Crawl tests: a config in a temporary state dir, crawls run as ``kikimimi crawl`` processes
(one crawl per process, as in production), and the queue they fill; the crawl state store
of a test, once per backend."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.mention_queue import SqliteMentionQueue
from core.records import Mention
from crawlers.sqlite_state import SqliteCrawlState
from crawlers.state import CrawlRun, CrawlState
from tests.crawlers.state_stores import CrawlStateStore
from tests.redis_server import RedisServer

BRANDS = {
    "brands": [
        {
            "name": "Hoshi Mobile",
            "aliases": ["ほしモバイル"],
            "handles": ["@hoshimobile", "hoshimobile.bsky.social"],
            "exclusions": ["hoshi tea"],
        }
    ],
    "competitors": [{"name": "Nami Telecom", "aliases": ["ナミテレコム"]}],
}


@dataclass
class CrawlResult:
    """One ``kikimimi crawl`` process: exit code, output, the run it recorded, new mentions."""

    returncode: int
    stdout: str
    stderr: str
    run: CrawlRun | None
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class CrawlEnv:
    """A configuration file in a temporary directory and helpers to crawl with it."""

    root: Path
    sources: list[dict[str, Any]] = field(default_factory=list)
    crawl_settings: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def config(self) -> Path:
        return self.root / "kikimimi.yaml"

    def write_config(self) -> Path:
        crawl = {"backoff_seconds": 0.1, "max_retry_after_seconds": 5, **self.crawl_settings}
        document = {"state_dir": "var", **BRANDS, "sources": self.sources, "crawl": crawl}
        self.config.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        return self.config

    def add_source(self, **source: Any) -> None:
        source.setdefault("requests_per_second", 50)
        self.sources.append(source)

    def crawl(self, name: str, timeout: float = 120, log_level: str = "INFO") -> CrawlResult:
        self.write_config()
        process = subprocess.run(
            [
                sys.executable,
                "-m",
                "kikimimi",
                "--config",
                str(self.config),
                "crawl",
                name,
                "--log-level",
                log_level,
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **self.env},
            check=False,
        )
        state = self.state()
        runs = state.runs(name, limit=1)
        state.close()
        return CrawlResult(
            process.returncode,
            process.stdout,
            process.stderr,
            runs[0] if runs else None,
            self.drain(),
        )

    def state(self) -> CrawlState:
        """The crawl state the crawls keep."""
        return SqliteCrawlState(self.root / "var" / "crawl" / "state.sqlite")

    def drain(self) -> list[Mention]:
        """Take (and acknowledge) everything in the queue."""
        path = self.root / "var" / "queue" / "mentions.sqlite"
        if not path.exists():
            return []
        queue = SqliteMentionQueue(path)
        claimed = queue.claim("test", 1_000_000, lease_seconds=60)
        queue.ack([c.receipt for c in claimed])
        queue.close()
        return [c.mention for c in claimed]


@pytest.fixture
def crawl_env(tmp_path: Path) -> Iterator[CrawlEnv]:
    yield CrawlEnv(tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def crawl_state_store(request: pytest.FixtureRequest, tmp_path: Path) -> CrawlStateStore:
    """The test's crawl state store, once per backend: a SQLite file, or keys of the
    session's Redis under a fresh prefix."""
    path = tmp_path / "state.sqlite"
    if request.param == "sqlite":
        return CrawlStateStore("sqlite", path)
    server: RedisServer = request.getfixturevalue("redis_server")
    return CrawlStateStore("redis", path, server.url, request.getfixturevalue("redis_prefix"))
