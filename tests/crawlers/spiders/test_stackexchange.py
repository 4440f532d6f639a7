"""The Stack Exchange spider against the ``/2.3/search/advanced`` stand-in."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta

from scrapy import Request as ScrapyRequest
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from crawlers.spiders.stackexchange import StackExchangeSpider
from standins.server import (
    Request,
    StandinPost,
    StandinServer,
    server_error,
    too_many_requests,
)
from standins.stackexchange import StackExchangeStandin, api_error, gzipped
from tests.crawlers.conftest import CrawlEnv

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SEARCH = "/2.3/search/advanced"
KEY = "k3yQ9xZstackappsSecret"


def questions(count: int, start: int = 0) -> list[StandinPost]:
    return [
        StandinPost(
            native_id=str(90_000 + i),
            title=f"ほしモバイルの \"eSIM\" が 'Android' & iOS で動かない #{i}",
            text=f"<p>Hoshi Mobile の APN 設定 &gt; 手動</p><pre><code>apn = hoshi.jp  # {i}</code>"
            "</pre>",
            created_at=T0 + timedelta(minutes=i),
            author=f"user{i}" if i % 10 else "",  # every tenth asker deleted their account
            author_name=f"ゆき & {i}",
            followers=100 + i,
            likes=i % 4 - 1,
            replies=i % 3,
            reposts=10 * i,
        )
        for i in range(start, start + count)
    ]


def searches(server: StandinServer) -> list[Request]:
    return [r for r in server.requests if r.path == SEARCH]


def add_source(crawl_env: CrawlEnv, server: StandinServer, **extra: object) -> None:
    crawl_env.add_source(
        name="se",
        type="stackexchange",
        base_url=server.url,
        site="ja.stackoverflow",
        queries=["ほしモバイル"],
        **extra,
    )


def test_pages_to_the_end_then_asks_only_for_newer_questions(crawl_env: CrawlEnv) -> None:
    standin = StackExchangeStandin(questions(250), site="ja.stackoverflow")
    with StandinServer(standin) as server:
        add_source(crawl_env, server)
        first = crawl_env.crawl("se")
        assert first.returncode == 0, first.stderr
        assert first.run is not None and first.run.ok
        assert [r.arg("page") for r in searches(server)] == ["1", "2", "3"]  # 100 + 100 + 50
        request = searches(server)[0]
        assert (request.arg("sort"), request.arg("order"), request.arg("filter")) == (
            "creation",
            "desc",
            "withbody",
        )
        assert request.arg("pagesize") == "100"
        assert "fromdate" not in request.query and "key" not in request.query
        assert len(first.mentions) == 250
        sample = next(m for m in first.mentions if m.native_id == "90007")
        assert sample.title == "ほしモバイルの \"eSIM\" が 'Android' & iOS で動かない #7"
        assert sample.text == "Hoshi Mobile の APN 設定 > 手動\napn = hoshi.jp # 7"
        assert sample.lang == "ja"
        assert sample.author.name == "ゆき & 7"
        assert sample.author.id is not None
        assert (sample.engagement.score, sample.engagement.replies) == (2, 1)
        assert sample.engagement.views == 70
        assert sample.url is not None
        assert sample.url.startswith("https://ja.stackoverflow.com/questions/90007/")
        assert sample.published_at == T0 + timedelta(minutes=7)
        deleted_user = next(m for m in first.mentions if m.native_id == "90010")
        assert deleted_user.author.id is None and deleted_user.author.name == "ゆき & 10"

        standin.posts.extend(questions(5, start=250))
        server.requests.clear()
        second = crawl_env.crawl("se")
    assert second.returncode == 0, second.stderr
    assert sorted(m.native_id for m in second.mentions) == [str(90_250 + i) for i in range(5)]
    newest_of_first = int((T0 + timedelta(minutes=249)).timestamp())
    assert [r.arg("fromdate") for r in searches(server)] == [str(newest_of_first + 1)]


def test_backoff_holds_the_next_request(crawl_env: CrawlEnv) -> None:
    standin = StackExchangeStandin(questions(150), site="ja.stackoverflow")
    standin.backoff_next = 2
    with StandinServer(standin) as server:
        add_source(crawl_env, server)
        result = crawl_env.crawl("se")
    assert result.returncode == 0, result.stderr
    assert result.run is not None and result.run.ok  # no throttle_violation
    (t1, page1), (t2, page2) = standin.arrivals
    assert (page1.arg("page"), page2.arg("page")) == ("1", "2")
    assert t2 - t1 >= 2.0
    assert len(result.mentions) == 150


def test_key_is_sent_and_never_logged(crawl_env: CrawlEnv) -> None:
    standin = StackExchangeStandin(questions(120), site="ja.stackoverflow", key=KEY)
    with StandinServer(standin) as server:
        add_source(crawl_env, server, key={"$env": "SE_KEY"})
        crawl_env.env["SE_KEY"] = KEY
        ok = crawl_env.crawl("se", log_level="DEBUG")
        assert ok.run is not None and ok.run.ok
        assert [r.arg("key") for r in searches(server)] == [KEY, KEY]
        assert len(ok.mentions) == 120

        crawl_env.env["SE_KEY"] = "wrongK3yZ7notTheSecret"
        refused = crawl_env.crawl("se", log_level="DEBUG")
    assert refused.returncode == 1
    assert refused.run is not None and not refused.run.ok
    assert "bad_parameter" in refused.stdout + refused.stderr
    for result in (ok, refused):
        output = result.stdout + result.stderr
        assert "DEBUG" in output
        assert KEY not in output and "wrongK3yZ7notTheSecret" not in output


def test_waits_out_429_and_retries_5xx_and_transient_api_errors(crawl_env: CrawlEnv) -> None:
    with StandinServer(StackExchangeStandin(questions(5), site="ja.stackoverflow")) as server:
        server.inject(SEARCH, too_many_requests("1"))
        server.inject(SEARCH, server_error())
        server.inject(SEARCH, api_error(500, "internal_error", "an internal error occurred"))
        add_source(crawl_env, server)
        result = crawl_env.crawl("se")
    assert result.returncode == 0, result.stderr
    assert len(result.mentions) == 5
    assert len(server.requests) == 4
    assert result.run is not None and result.run.ok


def test_malformed_page_is_counted_and_keeps_the_cursor(crawl_env: CrawlEnv) -> None:
    with StandinServer(StackExchangeStandin(questions(5), site="ja.stackoverflow")) as server:
        server.inject(SEARCH, gzipped(b'{"items": [{"question_id": 1, "title": '))
        add_source(crawl_env, server)
        broken = crawl_env.crawl("se")
        assert broken.run is not None
        assert broken.run.malformed == 1
        assert broken.mentions == []
        again = crawl_env.crawl("se")
    assert again.run is not None and again.run.ok
    assert len(again.mentions) == 5  # the cursor did not move past the malformed page
    assert "fromdate" not in searches(server)[-1].query


def test_throttle_violation_ends_the_crawl_and_keeps_the_cursor(crawl_env: CrawlEnv) -> None:
    with StandinServer(StackExchangeStandin(questions(3), site="ja.stackoverflow")) as server:
        server.inject(
            SEARCH,
            api_error(502, "throttle_violation", "too many requests from this IP, more in 80 s"),
        )
        add_source(crawl_env, server)
        throttled = crawl_env.crawl("se")
        assert throttled.returncode == 1
        assert throttled.run is not None and not throttled.run.ok
        assert throttled.run.error is not None and "throttle_violation" in throttled.run.error
        later = crawl_env.crawl("se")
    assert later.run is not None and later.run.ok
    assert len(later.mentions) == 3


def test_a_spent_quota_stops_paging_and_keeps_the_cursor() -> None:
    crawler = get_crawler(StackExchangeSpider)
    spider = StackExchangeSpider.from_crawler(crawler)
    assert crawler.stats is not None
    crawler.stats.open_spider()
    url = "https://api.stackexchange.com/2.3/search/advanced?q=hoshi&site=stackoverflow"
    request = ScrapyRequest(url, meta={"query": "hoshi"})
    body = {"items": [], "has_more": True, "quota_max": 300, "quota_remaining": 0}
    response = TextResponse(url, body=json.dumps(body).encode(), request=request)
    assert list(spider.parse(response)) == []
    assert spider.failed_queries == {"hoshi"}


def test_stand_in_compresses_and_checks_key_and_site() -> None:
    standin = StackExchangeStandin(questions(1), key=KEY)
    good = standin(
        Request("GET", SEARCH, {"site": ["stackoverflow"], "sort": ["creation"]}, {}, b"")
    )
    assert good.headers["Content-Encoding"] == "gzip"
    assert b'"quota_max": 300' in gzip.decompress(good.body)
    wrong = standin(Request("GET", SEARCH, {"site": ["stackoverflow"], "key": ["nope"]}, {}, b""))
    assert wrong.status == 400
    assert b'"error_name": "bad_parameter"' in gzip.decompress(wrong.body)
    assert standin(Request("GET", "/2.3/other", {}, {}, b"")).status == 400
