"""The App Store reviews spider against the customer reviews feed stand-in."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from scrapy import Request as ScrapyRequest
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from config.sources import AppStoreSource
from crawlers.spiders.appstore import AppStoreSpider
from standins.appstore import AppStoreStandin
from standins.server import (
    Reply,
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


# the shape of real feeds: the Japanese storefront in 2015 and 2020 (see crawlers/fixtures)

PDT = timezone(timedelta(hours=-7))
BUILT = datetime(2026, 11, 20, 3, 17, 3, tzinfo=UTC)  # the feed's own "updated"


def japanese_reviews(count: int, start: int = 0) -> list[StandinPost]:
    """Reviews as Japanese users write them: several lines, emoji, a star rating."""
    return [
        StandinPost(
            native_id=str(6_290_000_000 + i),
            text=f"ほしモバイルに乗り換えました📶\n通信は安定、料金も安い。\nただ#{i}の通知が多すぎる…",
            title=f"乗り換えて正解{i}",
            author=f"user{i}",
            author_name=f"ヤミ{i}。",
            created_at=T0 + timedelta(minutes=i),
            likes=1 + i % 5,
        )
        for i in range(start, start + count)
    ]


def test_reviews_without_their_own_time_are_kept_with_the_feed_time(
    crawl_env: CrawlEnv,
) -> None:
    standin = AppStoreStandin(
        {("jp", APP): japanese_reviews(60)},
        review_times=False,
        app_entry=True,
        built_at=BUILT.astimezone(PDT),
    )
    with StandinServer(standin) as server:
        crawl_env.add_source(
            name="ios", type="appstore", base_url=server.url, app_ids=[APP], countries=["jp"]
        )
        first = crawl_env.crawl("ios")
        assert first.returncode == 0, first.stderr
        assert first.run is not None and first.run.ok
        assert first.run.malformed == 0
        assert len(first.mentions) == 60  # every review, none skipped; the app entry is not one
        by_id = {m.native_id: m for m in first.mentions}
        for i in range(60):
            mention = by_id[f"jp:{6_290_000_000 + i}"]
            assert mention.text == (
                f"ほしモバイルに乗り換えました📶\n通信は安定、料金も安い。\nただ#{i}の通知が多すぎる…"
            )
            assert mention.title == f"乗り換えて正解{i}"
            assert mention.author.name == f"ヤミ{i}。"
            assert mention.author.id is not None and mention.author.id.isdigit()
            assert mention.published_at == BUILT  # no time of its own: when the feed was built
            assert mention.engagement.score == 1 + i % 5
            assert (
                mention.url == f"https://itunes.apple.com/jp/review?id={APP}&type=Purple%20Software"
            )
            assert not mention.deleted

        standin.reviews["jp", APP].extend(japanese_reviews(3, start=60))
        standin.built_at = BUILT + timedelta(hours=1)
        second = crawl_env.crawl("ios")
    assert second.returncode == 0, second.stderr
    assert second.run is not None and second.run.ok
    assert sorted(m.native_id for m in second.mentions) == [
        f"jp:{6_290_000_000 + i}" for i in range(60, 63)
    ]
    assert {m.published_at for m in second.mentions} == {BUILT + timedelta(hours=1)}
    assert second.run.dropped == 60  # the others again, already collected


def test_a_crawl_that_keeps_none_of_the_reviews_it_received_fails(crawl_env: CrawlEnv) -> None:
    feed = standin_page(japanese_reviews(5))
    for entry in feed["feed"]["entry"]:
        del entry["id"]
    with StandinServer(AppStoreStandin({("jp", APP): japanese_reviews(5)})) as server:
        server.inject("/jp/rss/customerreviews/page=1/", Reply(200, json.dumps(feed).encode()))
        crawl_env.add_source(
            name="ios", type="appstore", base_url=server.url, app_ids=[APP], countries=["jp"]
        )
        result = crawl_env.crawl("ios")
    assert result.returncode == 1
    assert result.mentions == []
    assert result.run is not None and not result.run.ok
    assert result.run.malformed == 5
    assert result.run.error == "nothing kept: all 5 item(s) received were malformed"
    assert "FAILED: nothing kept: all 5 item(s) received were malformed" in result.stdout


def test_the_real_shaped_sample_feed_parses_entirely() -> None:
    path = Path(__file__).parents[3] / "crawlers/fixtures/appstore/customerreviews_jp_2020.json"
    feed = json.loads(path.read_text(encoding="utf-8"))
    items, malformed = parse(feed)
    assert malformed == 0
    reviews_ = [i for i in items if isinstance(i, dict)]
    assert len(reviews_) == len(feed["feed"]["entry"])
    built = datetime.fromisoformat(feed["feed"]["updated"]["label"])
    assert {r["published_at"] for r in reviews_} == {built}
    assert all(r["text"] and r["title"] and r["author"]["name"] for r in reviews_)


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
    del entries[1]["im:rating"]  # a review without its rating is not one we can read
    feed["feed"]["entry"] = [app, *entries]
    items, malformed = parse(feed)
    assert [i["native_id"] for i in items] == ["jp:13150000001"]
    assert malformed == 1


def test_stand_in_refuses_pages_past_ten_and_answers_404_elsewhere() -> None:
    standin = AppStoreStandin({})
    deep = f"/jp/rss/customerreviews/page=11/id={APP}/sortby=mostrecent/json"
    assert standin(Request("GET", deep, {}, {}, b"")).status == 400
    assert standin(Request("GET", "/other", {}, {}, b"")).status == 404
