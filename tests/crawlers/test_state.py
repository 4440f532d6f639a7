"""Crawl state: cursors per (source, query), seen ids with a refresh window, run history."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from core.records import Engagement, Mention
from crawlers.state import CrawlRun, CrawlState


def test_cursors_are_per_source_and_query(tmp_path: Path) -> None:
    state = CrawlState(tmp_path / "s.sqlite")
    state.save_cursors("hn", {"hoshi": "10", "nami": "20"})
    state.save_cursors("hn", {"hoshi": "11"})
    state.save_cursors("news", {"hoshi": "x"})
    assert state.cursors("hn") == {"hoshi": "11", "nami": "20"}
    assert state.cursor("news", "hoshi") == "x"
    assert state.cursor("news", "nami") is None


def test_novelty_new_then_known_then_changed_within_the_window(
    tmp_path: Path, make_mentions: Callable[..., list[Mention]]
) -> None:
    state = CrawlState(tmp_path / "s.sqlite")
    mention = make_mentions(1)[0]
    assert state.novelty(mention, 3600) == "new"
    state.remember([mention])
    assert state.novelty(mention, 3600) == "known"
    liked = mention.model_copy(update={"engagement": Engagement(likes=99)})
    assert state.novelty(liked, 3600) == "changed"
    assert state.novelty(liked, 0) == "known"  # outside the refresh window: not re-emitted
    deleted = mention.model_copy(update={"deleted": True})
    assert state.novelty(deleted, 3600) == "changed"


def test_runs_newest_first(tmp_path: Path) -> None:
    state = CrawlState(tmp_path / "s.sqlite")
    now = time.time()
    state.record_run(CrawlRun("hn", now, now + 1, ok=True, pages=2, mentions_new=5))
    state.record_run(CrawlRun("hn", now + 2, now + 3, ok=False, error="boom"))
    latest, earlier = state.runs("hn")
    assert (latest.ok, latest.error) == (False, "boom")
    assert earlier.mentions == 5
    assert state.runs("other") == []
