"""The Mastodon spider against the instance stand-in (hashtag timelines and token search)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from scrapy import Request as ScrapyRequest
from scrapy.http import TextResponse

from crawlers.spiders.mastodon import MastodonSpider
from standins.mastodon import TAG_PATH, MastodonStandin
from standins.server import (
    Request,
    StandinPost,
    StandinServer,
    malformed_json,
    server_error,
    too_many_requests,
)
from tests.crawlers.conftest import CrawlEnv, CrawlResult

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
FIRST_ID = 113_500_000_000_000_000
TOKEN = "mastodon-token-0f9e8d7c6b5a"
KIKIMIMI = [sys.executable, "-m", "kikimimi"]
HOSHI_TAG = (
    '<a href="https://mastodon.example/tags/hoshimobile" rel="tag">#<span>HoshiMobile</span></a>'
)


def status_id(i: int) -> str:
    return str(FIRST_ID + i * 1000)


def tagged(count: int, start: int = 0) -> list[StandinPost]:
    return [
        StandinPost(
            native_id=status_id(i),
            text=f"<p>Hoshi Mobile post {i} &amp; more {HOSHI_TAG}</p><p>第{i}号</p>",
            created_at=T0 + timedelta(minutes=i),
            author=f"user{i}",
            author_name=f"ユーザー{i}",
            followers=i * 10,
            lang="en",
            likes=i,
            reposts=1,
            replies=2,
        )
        for i in range(start, start + count)
    ]


def japanese(count: int, start: int) -> list[StandinPost]:
    return [
        StandinPost(
            native_id=status_id(i),
            text=f"<p>#ほしモバイル の速度、今日は{i}Mbps。<br>快適です</p>",
            created_at=T0 + timedelta(minutes=i),
            author="yuki_t",
            lang="ja",
            title="速度" if i % 2 else None,
        )
        for i in range(start, start + count)
    ]


def untagged(count: int, start: int) -> list[StandinPost]:
    return [
        StandinPost(
            native_id=status_id(i),
            text=f"<p>Asked Hoshi Mobile support about plan {i}.</p>",
            created_at=T0 + timedelta(minutes=i),
            author=f"searcher{i}",
        )
        for i in range(start, start + count)
    ]


def tag_requests(server: StandinServer, tag: str) -> list[Request]:
    path = TAG_PATH + quote(tag, safe="")
    return [r for r in server.requests if r.path == path]


def test_pages_back_then_fetches_only_new_statuses_from_the_cursor(crawl_env: CrawlEnv) -> None:
    standin = MastodonStandin([*tagged(90), *japanese(5, start=90)])
    with StandinServer(standin) as server:
        crawl_env.add_source(name="masto", type="mastodon", base_url=server.url)
        first = crawl_env.crawl("masto")
        assert first.returncode == 0, first.stderr
        assert first.run is not None and first.run.ok
        assert len(first.mentions) == 95
        # the brand terms as hashtags, each paged back through Link rel="next" to an empty page
        hoshi = tag_requests(server, "hoshimobile")
        assert [r.arg("max_id") for r in hoshi] == ["", status_id(50), status_id(10), status_id(0)]
        assert all(r.arg("limit") == "40" for r in hoshi)
        assert len(tag_requests(server, "ほしモバイル")) == 2
        assert len(tag_requests(server, "namitelecom")) == 1
        assert len(tag_requests(server, "ナミテレコム")) == 1

        sample = next(m for m in first.mentions if m.native_id == status_id(5))
        assert sample.text == "Hoshi Mobile post 5 & more #HoshiMobile\n第5号"
        assert sample.url == f"https://mastodon.example/@user5/{status_id(5)}"
        assert sample.published_at == T0 + timedelta(minutes=5)
        assert sample.query == "#hoshimobile"
        assert sample.author.handle == "user5"
        assert sample.author.name == "ユーザー5"
        assert sample.author.followers == 50
        assert sample.engagement.likes == 5
        assert sample.engagement.reposts == 1
        assert sample.lang == "en"
        ja = next(m for m in first.mentions if m.native_id == status_id(91))
        assert ja.text == "#ほしモバイル の速度、今日は91Mbps。\n快適です"
        assert ja.title == "速度"
        assert ja.lang == "ja"

        standin.posts.extend([*tagged(3, start=200), *japanese(1, start=300)])
        server.requests.clear()
        second = crawl_env.crawl("masto")
        assert second.returncode == 0, second.stderr
        assert sorted(m.native_id for m in second.mentions) == [
            status_id(200),
            status_id(201),
            status_id(202),
            status_id(300),
        ]
        hoshi = tag_requests(server, "hoshimobile")
        # forward from the cursor through rel="prev" (min_id) until nothing is new
        assert [r.arg("min_id") for r in hoshi] == [status_id(89), status_id(202)]
        assert all(not r.arg("max_id") for r in hoshi)
        assert tag_requests(server, "ほしモバイル")[0].arg("min_id") == status_id(94)


def test_waits_out_429_and_retries_5xx(crawl_env: CrawlEnv) -> None:
    with StandinServer(MastodonStandin(tagged(5))) as server:
        server.inject(TAG_PATH, too_many_requests("1"))
        server.inject(TAG_PATH, server_error())
        crawl_env.add_source(
            name="masto", type="mastodon", base_url=server.url, tags=["hoshimobile"]
        )
        result = crawl_env.crawl("masto")
    assert result.returncode == 0, result.stderr
    assert result.run is not None and result.run.ok
    assert len(result.mentions) == 5
    assert len(server.requests) == 4  # 429, 503, the page, the empty page after it


def test_malformed_page_is_counted_and_keeps_the_cursor(crawl_env: CrawlEnv) -> None:
    with StandinServer(MastodonStandin(tagged(5))) as server:
        server.inject(TAG_PATH, malformed_json())
        crawl_env.add_source(
            name="masto", type="mastodon", base_url=server.url, tags=["hoshimobile"]
        )
        broken = crawl_env.crawl("masto")
        assert broken.run is not None
        assert broken.run.malformed == 1
        assert not broken.run.ok
        assert broken.mentions == []
        again = crawl_env.crawl("masto")
    assert again.run is not None and again.run.ok
    assert len(again.mentions) == 5
    assert not server.requests[1].arg("min_id")  # no cursor was saved


def test_a_restricted_tag_timeline_fails_that_query_with_a_clear_message(
    crawl_env: CrawlEnv,
) -> None:
    with StandinServer(MastodonStandin(tagged(3), restrict_tags=True)) as server:
        crawl_env.add_source(
            name="masto", type="mastodon", base_url=server.url, tags=["hoshimobile", "namitelecom"]
        )
        result = crawl_env.crawl("masto")
    assert result.returncode == 1
    assert result.run is not None and not result.run.ok
    assert "refuses its public hashtag timeline for '#hoshimobile' (HTTP 401)" in result.stderr
    assert "'#namitelecom'" in result.stderr  # the other tag was still asked for
    assert "Traceback" not in result.stderr
    assert len(server.requests) == 2


def test_token_adds_search_pages_by_offset_and_resumes_from_the_cursor(
    crawl_env: CrawlEnv,
) -> None:
    excluded = StandinPost(
        native_id=status_id(99), text="<p>hoshi tea with Hoshi Mobile</p>", created_at=T0
    )
    posts = [*tagged(3), *untagged(45, start=10), *japanese(2, start=60), excluded]
    standin = MastodonStandin(posts, token=TOKEN, restrict_tags=True)
    with StandinServer(standin) as server:
        crawl_env.env["MASTODON_TOKEN"] = TOKEN
        crawl_env.add_source(
            name="masto",
            type="mastodon",
            base_url=server.url,
            tags=["hoshimobile"],
            token={"$env": "MASTODON_TOKEN"},
        )
        first = crawl_debug(crawl_env, "masto")
        assert first.returncode == 0, first.stderr
        assert TOKEN not in first.stdout + first.stderr
        assert "DEBUG" in first.stderr
        assert all(r.headers.get("authorization") == f"Bearer {TOKEN}" for r in server.requests)
        assert len(first.mentions) == 50  # tagged ones are found by search too, queued once
        assert status_id(99) not in {m.native_id for m in first.mentions}
        search = [r for r in server.requests if r.path == "/api/v2/search"]
        hoshi = [r for r in search if r.arg("q") == '"Hoshi Mobile" -"hoshi tea"']
        assert [r.arg("offset") for r in hoshi] == ["", "40", "48"]
        assert all(r.arg("type") == "statuses" for r in search)
        assert any(r.arg("q").startswith("ほしモバイル") for r in search)

        standin.posts.extend(untagged(1, start=500))
        server.requests.clear()
        second = crawl_env.crawl("masto")
        assert second.returncode == 0, second.stderr
        assert [m.native_id for m in second.mentions] == [status_id(500)]
        hoshi = [r for r in server.requests if r.arg("q") == '"Hoshi Mobile" -"hoshi tea"']
        assert [(r.arg("min_id"), r.arg("offset")) for r in hoshi] == [(status_id(54), "")]

        crawl_env.env["MASTODON_TOKEN"] = "not-the-token"
        rejected = crawl_env.crawl("masto")
    assert rejected.returncode == 1
    assert "status search with the configured token" in rejected.stderr
    assert "(HTTP 401)" in rejected.stderr
    assert "not-the-token" not in rejected.stdout + rejected.stderr


def test_a_reblog_is_its_original_status() -> None:
    spider = MastodonSpider()
    response = TextResponse(
        "https://mastodon.example/api/v1/timelines/tag/x",
        body=b"[]",
        request=ScrapyRequest("https://mastodon.example/", meta={"query": "#x"}),
    )
    original = {
        "id": "2",
        "created_at": "2026-11-20T09:00:00.000Z",
        "content": "<p>ほしモバイル &lt;3</p>",
        "url": "https://other.example/@a/2",
        "account": {"id": "7", "acct": "a@other.example", "followers_count": -1},
        "favourites_count": 4,
    }
    boost = {"id": "3", "created_at": "2026-11-20T10:00:00.000Z", "reblog": original}
    item = spider.status_to_mention(response, {**boost, "account": {"id": "8", "acct": "b"}})
    assert item is not None
    assert item["native_id"] == "2"
    assert item["text"] == "ほしモバイル <3"
    assert item["author"]["handle"] == "a@other.example"
    assert item["author"]["followers"] is None  # a count the source got wrong is left out
    assert item["query"] == "#x"


def test_stand_in_checks_the_token_and_answers_404_elsewhere() -> None:
    standin = MastodonStandin([], token=TOKEN)
    assert standin(_request("/other")).status == 404
    assert standin(_request("/api/v2/search")).status == 401
    assert standin(_request("/api/v2/search", "Bearer wrong")).status == 401
    assert standin(_request("/api/v2/search", f"Bearer {TOKEN}")).status == 200


def _request(path: str, authorization: str | None = None) -> Request:
    headers = {"authorization": authorization} if authorization else {}
    return Request("GET", path, {}, headers, b"")


def crawl_debug(env: CrawlEnv, name: str) -> CrawlResult:
    """``kikimimi crawl`` with ``--log-level DEBUG`` (the most that could leak a secret)."""
    env.write_config()
    process = subprocess.run(
        [*KIKIMIMI, "--config", str(env.config), "crawl", name, "--log-level", "DEBUG"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env.env},
        check=False,
    )
    return CrawlResult(process.returncode, process.stdout, process.stderr, None, env.drain())
