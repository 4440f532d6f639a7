"""The App Store reviews spider against the customer reviews feed stand-in."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import Request as ScrapyRequest
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from config.sources import AppStoreSource
from crawlers.spiders.appstore import AppStoreSpider
from standins.appstore import AppStoreStandin
from standins.server import (
    Request,
    StandinPost,
    StandinServer,
    malformed_json,
    server_error,
    too_many_requests,
)
from tests.crawlers.conftest import CrawlEnv

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
APP = "1512345678"


def reviews(count: int, start: int = 0) -> list[StandinPost]:
    return [
        StandinPost(
            native_id=str(13_150_000_000 + i),
            text=f"ほしモバイル最高！<料金> & 速度に満足 #{i}",
            title=f"レビュー{i}",
            author=f"user{i}",
            author_name=f"さくら{i}",
            created_at=T0 + timedelta(minutes=i),
            likes=1 + i % 5,
        )
        for i in range(start, start + count)
    ]


def page_of(request: Request) -> tuple[str, int]:
    parts = request.path.split("/")
    return parts[1], int(parts[4].removeprefix("page="))


def test_pages_to_the_end_then_stops_at_reviews_already_collected(crawl_env: CrawlEnv) -> None:
    us = StandinPost("9000001", "Café calling works — love it", T0, author="bob", likes=5)
    standin = AppStoreStandin({("jp", APP): reviews(120), ("us", APP): [us]})
    with StandinServer(standin) as server:
        crawl_env.add_source(
            name="ios", type="appstore", base_url=server.url, app_ids=[APP], countries=["jp", "us"]
        )
        first = crawl_env.crawl("ios")
        assert first.returncode == 0, first.stderr
        assert first.run is not None and first.run.ok
        assert sorted(page_of(r) for r in server.requests) == [
            ("jp", 1),
            ("jp", 2),
            ("jp", 3),  # 120 reviews, 50 a page; the "last" link says 3
            ("us", 1),  # a single review: "entry" is an object
        ]
        assert len(first.mentions) == 121
        sample = next(m for m in first.mentions if m.native_id == "jp:13150000007")
        assert sample.text == "ほしモバイル最高！<料金> & 速度に満足 #7"  # plain text, kept as is
        assert sample.title == "レビュー7"
        assert sample.engagement.score == 3
        assert sample.author.name == "さくら7"
        assert sample.author.id is not None and sample.author.id.isdigit()
        assert sample.published_at == T0 + timedelta(minutes=7)
        assert next(m for m in first.mentions if m.native_id == "us:9000001").engagement.score == 5

        standin.reviews["jp", APP].extend(reviews(55, start=120))
        server.requests.clear()
        second = crawl_env.crawl("ios")
    assert second.returncode == 0, second.stderr
    assert sorted(m.native_id for m in second.mentions) == [
        f"jp:{13_150_000_000 + i}" for i in range(120, 175)
    ]
    # page 2 reaches reviews of the first run, so page 3 is not asked for
    assert sorted(page_of(r) for r in server.requests) == [("jp", 1), ("jp", 2), ("us", 1)]
    assert second.run is not None and second.run.dropped == 0


def test_waits_out_429_and_retries_5xx(crawl_env: CrawlEnv) -> None:
    with StandinServer(AppStoreStandin({("jp", APP): reviews(3)})) as server:
        server.inject("/jp/rss/customerreviews", too_many_requests("1"))
        server.inject("/jp/rss/customerreviews", server_error())
        crawl_env.add_source(
            name="ios", type="appstore", base_url=server.url, app_ids=[APP], countries=["jp"]
        )
        result = crawl_env.crawl("ios")
    assert result.returncode == 0, result.stderr
    assert len(result.mentions) == 3
    assert len(server.requests) == 3
    assert result.run is not None and result.run.ok


def test_malformed_page_is_counted_and_keeps_the_cursor(crawl_env: CrawlEnv) -> None:
    with StandinServer(AppStoreStandin({("jp", APP): reviews(60)})) as server:
        server.inject("/jp/rss/customerreviews/page=2/", malformed_json())
        crawl_env.add_source(
            name="ios", type="appstore", base_url=server.url, app_ids=[APP], countries=["jp"]
        )
        broken = crawl_env.crawl("ios")
        assert broken.run is not None
        assert broken.run.malformed == 1
        assert len(broken.mentions) == 50  # page 1 was fine
        again = crawl_env.crawl("ios")
    assert again.run is not None and again.run.ok
    # the cursor did not move: page 1 again (already collected), then page 2
    assert len(again.mentions) == 10
    assert again.run.dropped == 50


# parse() directly, for what a stand-in crawl would not show quickly


def parse(
    feed: dict[str, Any], cursor: str | None = None, max_pages: int = 10
) -> tuple[list[Any], int]:
    source = AppStoreSource(
        name="ios", type="appstore", app_ids=[APP], countries=["jp"], max_pages=max_pages
    )
    crawler = get_crawler(AppStoreSpider)
    spider = AppStoreSpider.from_crawler(
        crawler, source=source, cursors={f"jp/{APP}": cursor} if cursor else {}
    )
    assert crawler.stats is not None
    crawler.stats.open_spider()
    url = f"https://itunes.apple.com/jp/rss/customerreviews/page=1/id={APP}/sortby=mostrecent/json"
    request = ScrapyRequest(url, meta={"query": f"jp/{APP}"})
    response = TextResponse(url, body=json.dumps(feed).encode(), request=request)
    out = list(
        spider.parse(response, base="https://itunes.apple.com", country="jp", app=APP, page=1)
    )
    return out, int(crawler.stats.get_value("kikimimi/malformed", 0))


def standin_page(posts: list[StandinPost], page: int = 1) -> dict[str, Any]:
    path = f"/jp/rss/customerreviews/page={page}/id={APP}/sortby=mostrecent/json"
    reply = AppStoreStandin({("jp", APP): posts})(Request("GET", path, {}, {}, b""))
    return json.loads(reply.body)  # type: ignore[no-any-return]


def test_a_page_past_the_last_has_no_entry_and_ends_paging() -> None:
    feed = standin_page(reviews(3), page=2)
    assert "entry" not in feed["feed"]
    assert parse(feed) == ([], 0)


def test_max_pages_limits_paging() -> None:
    full = standin_page(reviews(200))
    two, _ = parse(full, max_pages=2)
    assert [r.url for r in two if isinstance(r, ScrapyRequest)] == [
        f"https://itunes.apple.com/jp/rss/customerreviews/page=2/id={APP}/sortby=mostrecent/json"
    ]
    one, _ = parse(full, max_pages=1)
    assert not [r for r in one if isinstance(r, ScrapyRequest)]


def test_only_reviews_newer_than_the_cursor_and_no_next_page() -> None:
    feed = standin_page(reviews(100))
    cursor = str(int((T0 + timedelta(minutes=97)).timestamp()))
    out, malformed = parse(feed, cursor)
    assert [o["native_id"] for o in out] == ["jp:13150000099", "jp:13150000098"]
    assert malformed == 0


def test_the_app_entry_of_older_feeds_is_skipped_and_a_bad_review_counted() -> None:
    feed = standin_page(reviews(2))
    entries = feed["feed"]["entry"]
    app = {"im:name": {"label": "Hoshi Mobile"}, "id": {"label": "https://apps.apple.com/x"}}
    del entries[1]["updated"]
    feed["feed"]["entry"] = [app, *entries]
    items, malformed = parse(feed)
    assert [i["native_id"] for i in items] == ["jp:13150000001"]
    assert malformed == 1


def test_stand_in_refuses_pages_past_ten_and_answers_404_elsewhere() -> None:
    standin = AppStoreStandin({})
    deep = f"/jp/rss/customerreviews/page=11/id={APP}/sortby=mostrecent/json"
    assert standin(Request("GET", deep, {}, {}, b"")).status == 400
    assert standin(Request("GET", "/other", {}, {}, b"")).status == 404
