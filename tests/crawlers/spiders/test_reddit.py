"""The Reddit spider against the OAuth API stand-in."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scrapy.http import Request as ScrapyRequest
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from crawlers.spiders.reddit import RedditSpider
from standins.reddit import RedditStandin
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
CLIENT_ID = "kkRedditClientId7Qx2"
CLIENT_SECRET = "kkRedditSecret-9fJ3mWq0Lz"
USER_AGENT = "linux:kikimimi-tests:v0.1 (by /u/kikimimi)"


def posts(count: int, start: int = 0) -> list[StandinPost]:
    return [
        StandinPost(
            native_id=f"1h{i:05d}",
            text=f"<p>Hoshi Mobile post {i} &amp; <em>more</em></p><p>第{i}号 ほしモバイル</p>",
            created_at=T0 + timedelta(minutes=i),
            author=f"user{i}",
            title=f"Post {i} about Hoshi Mobile",
            likes=i,
            replies=i % 4,
        )
        for i in range(start, start + count)
    ]


def add_reddit(crawl_env: CrawlEnv, server: StandinServer, **extra: object) -> None:
    crawl_env.env["REDDIT_CLIENT_ID"] = CLIENT_ID
    crawl_env.env["REDDIT_CLIENT_SECRET"] = CLIENT_SECRET
    crawl_env.crawl_settings["user_agent"] = USER_AGENT
    crawl_env.add_source(
        name="rd",
        type="reddit",
        base_url=server.url,
        token_url=f"{server.url}/api/v1/access_token",
        client_id={"$env": "REDDIT_CLIENT_ID"},
        client_secret={"$env": "REDDIT_CLIENT_SECRET"},
        **{"queries": ["hoshi mobile"], **extra},
    )


def searches(server: StandinServer) -> list[Request]:
    return [r for r in server.requests if r.path == "/search"]


def standin(items: list[StandinPost], ratelimit: int = 1000, reset: int = 600) -> RedditStandin:
    return RedditStandin(items, CLIENT_ID, CLIENT_SECRET, ratelimit=ratelimit, reset_seconds=reset)


GONE = StandinPost(
    "1hdead0",
    "<p>Hoshi Mobile refund</p>",
    T0 - timedelta(minutes=1),
    title="Hoshi Mobile refund?",
    deleted=True,
)


def test_pages_to_the_end_then_fetches_only_new_posts(crawl_env: CrawlEnv) -> None:
    reddit = standin([*posts(250), GONE])
    with StandinServer(reddit) as server:
        add_reddit(crawl_env, server)
        first = crawl_env.crawl("rd")
        assert first.returncode == 0, first.stderr
        assert first.run is not None and first.run.ok
        assert len(first.mentions) == 251
        assert [r.arg("after") for r in searches(server)] == ["", "t3_1h00150", "t3_1h00050"]
        assert {r.headers["user-agent"] for r in searches(server)} == {USER_AGENT}
        token = server.requests[0]
        assert (token.method, token.path) == ("POST", "/api/v1/access_token")
        assert token.body == b"grant_type=client_credentials"
        sample = next(m for m in first.mentions if m.native_id == "t3_1h00005")
        assert sample.text == "Hoshi Mobile post 5 & more\n第5号 ほしモバイル"
        assert sample.title == "Post 5 about Hoshi Mobile"
        assert sample.published_at == T0 + timedelta(minutes=5)
        assert sample.url == "https://www.reddit.com/r/japan/comments/1h00005/post/"
        assert (sample.author.handle, sample.author.id) == ("user5", "t2_user5")
        assert (sample.engagement.score, sample.engagement.replies) == (5, 1)
        assert not sample.deleted
        deleted = [m for m in first.mentions if m.deleted]
        assert [m.native_id for m in deleted] == ["t3_1hdead0"]
        assert deleted[0].text == "Hoshi Mobile refund?"  # the title stays visible
        assert deleted[0].author.handle is None

        reddit.posts.extend(posts(4, start=250))
        server.requests.clear()
        second = crawl_env.crawl("rd")
        assert second.returncode == 0, second.stderr
        assert sorted(m.native_id for m in second.mentions) == [
            f"t3_1h{250 + i:05d}" for i in range(4)
        ]
        assert len(searches(server)) == 1  # the first page reached the posts already seen


# quirks of real listings (see crawlers/fixtures/reddit): an author who deleted their account,
# title-only self posts whose selftext is "" or blank lines

QUIRKS = [
    StandinPost(
        "1hghost",
        "<p>Hoshi Mobile support fixed my eSIM in 5 minutes.</p><p>Impressed.</p>",
        T0,
        author="[deleted]",
        title="Hoshi Mobile support is great",
        likes=12,
    ),
    StandinPost("1htitle", "", T0 + timedelta(minutes=1), title="Hoshi Mobile down in Osaka?"),
    StandinPost(
        "1hblank", "\n\n", T0 + timedelta(minutes=2), author="kaz", title="Hoshi Mobile 5G map"
    ),
    GONE,
]


def test_real_listing_quirks_become_correct_mentions(crawl_env: CrawlEnv) -> None:
    with StandinServer(standin(QUIRKS)) as server:
        add_reddit(crawl_env, server)
        result = crawl_env.crawl("rd")
    assert result.returncode == 0, result.stderr
    assert result.run is not None and result.run.ok and result.run.malformed == 0
    got = {
        m.native_id: (m.text, m.title, m.author.handle, m.author.id, m.published_at, m.deleted)
        for m in result.mentions
    }
    assert got == {
        "t3_1hghost": (  # the account is gone, the post is not
            "Hoshi Mobile support fixed my eSIM in 5 minutes.\nImpressed.",
            "Hoshi Mobile support is great",
            None,
            None,
            T0,
            False,
        ),
        "t3_1htitle": (
            "Hoshi Mobile down in Osaka?",
            "Hoshi Mobile down in Osaka?",
            "someone",
            "t2_someone",
            T0 + timedelta(minutes=1),
            False,
        ),
        "t3_1hblank": (
            "Hoshi Mobile 5G map",
            "Hoshi Mobile 5G map",
            "kaz",
            "t2_kaz",
            T0 + timedelta(minutes=2),
            False,
        ),
        "t3_1hdead0": (
            "Hoshi Mobile refund?",
            "Hoshi Mobile refund?",
            None,
            None,
            T0 - timedelta(minutes=1),
            True,
        ),
    }


def test_the_real_shaped_sample_listing_parses_as_reddit_means_it() -> None:
    path = Path(__file__).parents[3] / "crawlers/fixtures/reddit/search_quirks.json"
    crawler = get_crawler(RedditSpider)
    spider = RedditSpider.from_crawler(crawler)
    assert crawler.stats is not None
    crawler.stats.open_spider()
    request = ScrapyRequest("https://oauth.reddit.com/search?q=hoshi", meta={"query": "hoshi"})
    response = TextResponse(request.url, body=path.read_bytes(), request=request)
    items = {i["native_id"]: i for i in spider.parse(response) if isinstance(i, dict)}
    assert len(items) == len(json.loads(path.read_bytes())["data"]["children"])
    got = {k: (i["text"], i["author"], i["deleted"]) for k, i in items.items()}
    assert got == {
        "t3_1hx7k2q": (
            "Support fixed my Hoshi Mobile eSIM in five minutes.\n\nHonestly impressed.",
            {},
            False,
        ),
        "t3_1hx7m9d": (
            "ほしモバイル、大阪で圏外？",
            {"id": "t2_osaka_commuter", "handle": "osaka_commuter"},
            False,
        ),
        "t3_1hx7p0a": (
            "Hoshi Mobile 5G coverage map (Nov 2026)",
            {"id": "t2_kaz_t", "handle": "kaz_t"},
            False,
        ),
        "t3_1hx7r4c": ("Hoshi Mobile refund??", {}, True),
    }


def test_waits_out_429_and_retries_5xx(crawl_env: CrawlEnv) -> None:
    with StandinServer(standin(posts(5))) as server:
        server.inject("/search", too_many_requests("1"))
        server.inject("/search", server_error())
        add_reddit(crawl_env, server)
        result = crawl_env.crawl("rd")
    assert result.returncode == 0, result.stderr
    assert result.run is not None and result.run.ok
    assert len(result.mentions) == 5
    assert len(searches(server)) == 3


def test_used_up_rate_limit_pauses_until_the_reset(crawl_env: CrawlEnv) -> None:
    reddit = standin(posts(150), ratelimit=1, reset=2)
    with StandinServer(reddit) as server:
        add_reddit(crawl_env, server)
        result = crawl_env.crawl("rd")
    assert result.run is not None and result.run.ok, result.stderr
    assert len(result.mentions) == 150
    first, second = reddit.search_times  # no third request: no 429 was answered
    assert second - first >= 1.5  # waited for the window to reset


def test_malformed_page_is_counted_and_keeps_the_cursor(crawl_env: CrawlEnv) -> None:
    with StandinServer(standin(posts(5))) as server:
        server.inject("/search", malformed_json())
        add_reddit(crawl_env, server)
        broken = crawl_env.crawl("rd")
        assert broken.run is not None
        assert broken.run.malformed == 1
        assert not broken.run.ok
        assert broken.mentions == []
        again = crawl_env.crawl("rd")
    assert again.run is not None and again.run.ok
    assert len(again.mentions) == 5


def test_credentials_are_checked_and_never_logged(crawl_env: CrawlEnv) -> None:
    reddit = standin(posts(3))
    with StandinServer(reddit) as server:
        add_reddit(crawl_env, server)
        ok = crawl_env.crawl("rd", log_level="DEBUG")
        crawl_env.env["REDDIT_CLIENT_SECRET"] = "not-the-secret-x1"
        refused = crawl_env.crawl("rd", log_level="DEBUG")
    assert ok.run is not None and ok.run.ok
    assert len(ok.mentions) == 3
    assert refused.returncode == 1
    assert refused.run is not None and not refused.run.ok
    assert len(searches(server)) == 1  # no search without a token
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    for output in (ok.stdout, ok.stderr, refused.stdout, refused.stderr):
        for secret in (CLIENT_ID, CLIENT_SECRET, basic, "not-the-secret-x1", *reddit.tokens):
            assert secret not in output
    assert "DEBUG" in ok.stderr


def test_stand_in_refuses_missing_or_wrong_auth() -> None:
    reddit = standin(posts(1))
    assert reddit(Request("GET", "/search", {"q": ["hoshi"]}, {}, b"")).status == 401
    token = Request("POST", "/api/v1/access_token", {}, {"authorization": "Basic eDp5"}, b"")
    assert reddit(token).status == 401
    assert reddit(Request("GET", "/other", {}, {}, b"")).status == 404
