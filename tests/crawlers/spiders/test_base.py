"""The spiders' shared base: cursors only move forward."""

from __future__ import annotations

from crawlers.spiders.hackernews import HackerNewsSpider


def test_cursors_only_move_forward() -> None:
    spider = HackerNewsSpider()
    spider.advance("q", "200")
    spider.advance("q", "100")  # an older page finished later
    spider.advance("t", "2026-11-20T10:00:00+00:00")
    spider.advance("t", "2026-11-20 09:00:00+00:00")
    spider.advance("t", "2026-11-20T11:00:00Z")
    assert spider.next_cursors == {"q": "200", "t": "2026-11-20T11:00:00Z"}
