"""The Hacker News spider against the Algolia API stand-in."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scrapy.http import Request as ScrapyRequest
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from crawlers.spiders.hackernews import HackerNewsSpider
from standins.hackernews import HackerNewsStandin
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


def posts(count: int, start: int = 0) -> list[StandinPost]:
    return [
        StandinPost(
            native_id=str(46_000_000 + i),
            text=f"<p>Hoshi Mobile post {i} &amp; more</p><p>第{i}号 ほしモバイル</p>",
            created_at=T0 + timedelta(minutes=i),
            author=f"user{i}",
            title=f"Story {i} about Hoshi Mobile",
            likes=i,
            parent_id=None if i % 3 else "46000000",
        )
        for i in range(start, start + count)
    ]


def test_pages_to_the_end_then_fetches_only_new_posts(crawl_env: CrawlEnv) -> None:
    standin = HackerNewsStandin(posts(120))
    with StandinServer(standin) as server:
        crawl_env.add_source(
            name="hn", type="hackernews", base_url=server.url, queries=["hoshi mobile"]
        )
        first = crawl_env.crawl("hn")
        assert first.returncode == 0, first.stderr
        assert first.run is not None and first.run.ok
        assert first.run.pages == 3  # 120 hits, 50 per page
        assert len(first.mentions) == 120
        assert len({m.id for m in first.mentions}) == 120
        sample = next(m for m in first.mentions if m.native_id == "46000005")
        assert sample.text == "Hoshi Mobile post 5 & more\n第5号 ほしモバイル"
        assert sample.published_at == T0 + timedelta(minutes=5)
        assert sample.url == "https://news.ycombinator.com/item?id=46000005"
        assert sample.query == "hoshi mobile"

        standin.posts.extend(posts(4, start=120))
        server.requests.clear()
        second = crawl_env.crawl("hn")
        assert second.returncode == 0, second.stderr
        assert sorted(m.native_id for m in second.mentions) == [
            str(46_000_120 + i) for i in range(4)
        ]
        assert (
            server.requests[0].arg("numericFilters")
            == f"created_at_i>{int((T0 + timedelta(minutes=119)).timestamp())}"
        )


def test_waits_out_429_and_retries_5xx(crawl_env: CrawlEnv) -> None:
    with StandinServer(HackerNewsStandin(posts(5))) as server:
        server.inject("/api/v1/search_by_date", too_many_requests("1"))
        server.inject("/api/v1/search_by_date", server_error())
        crawl_env.add_source(name="hn", type="hackernews", base_url=server.url, queries=["hoshi"])
        result = crawl_env.crawl("hn")
    assert result.returncode == 0, result.stderr
    assert len(result.mentions) == 5
    assert len(server.requests) == 3
    assert result.run is not None and result.run.ok


def test_malformed_page_is_counted_and_keeps_the_cursor(crawl_env: CrawlEnv) -> None:
    with StandinServer(HackerNewsStandin(posts(5))) as server:
        server.inject("/api/v1/search_by_date", malformed_json())
        crawl_env.add_source(name="hn", type="hackernews", base_url=server.url, queries=["hoshi"])
        broken = crawl_env.crawl("hn")
        assert broken.run is not None
        assert broken.run.malformed == 1
        assert broken.mentions == []
        again = crawl_env.crawl("hn")
    assert again.run is not None and again.run.ok
    assert len(again.mentions) == 5  # the cursor did not move past the malformed page


def test_a_rate_limit_longer_than_allowed_fails_the_run_without_losing_the_cursor(
    crawl_env: CrawlEnv,
) -> None:
    with StandinServer(HackerNewsStandin(posts(3))) as server:
        server.inject("/api/v1/search_by_date", too_many_requests("3600"))
        crawl_env.add_source(name="hn", type="hackernews", base_url=server.url, queries=["hoshi"])
        limited = crawl_env.crawl("hn")
        assert limited.returncode == 1
        assert limited.run is not None and not limited.run.ok
        assert "FAILED" in limited.stdout
        later = crawl_env.crawl("hn")
    assert len(later.mentions) == 3


def test_the_same_posts_again_are_not_queued_twice(crawl_env: CrawlEnv) -> None:
    standin = HackerNewsStandin(posts(3))
    with StandinServer(standin) as server:
        crawl_env.add_source(
            name="hn", type="hackernews", base_url=server.url, queries=["hoshi", "mobile"]
        )
        result = crawl_env.crawl("hn")
    assert len(result.mentions) == 3  # both queries find the same three posts
    assert result.run is not None and result.run.dropped == 3  # the second query's copies


# posts as Hacker News writes them (see crawlers/fixtures/hackernews): paragraphs as
# "first<p>second", never closed, and entities such as &#x27; and &#x2F;

REAL_SHAPED = [
    StandinPost(
        native_id="46100001",
        text="",  # a link story: no text of its own
        created_at=T0,
        author="kenji",
        title="Hoshi Mobile drops its unlimited plan",
        likes=120,
        replies=2,
    ),
    StandinPost(
        native_id="46100005",
        text=(
            "Customers of Hoshi Mobile are worse off as a result.<p>Apple used to sell their "
            'SIMs &amp; now it doesn&#x27;t.<p>[1] <a href="https:&#x2F;&#x2F;example.com&#x2F;'
            'hoshi" rel="nofollow">https:&#x2F;&#x2F;example.com&#x2F;hoshi</a>'
        ),
        created_at=T0 + timedelta(minutes=5),
        author="tcas",
        title="Hoshi Mobile drops its unlimited plan",
        parent_id="46100001",
    ),
    StandinPost(
        native_id="46100009",
        text="&gt; Hoshi Mobile is worse off<p>Nami Telecom did the same &quot;last year&quot;.",
        created_at=T0 + timedelta(minutes=9),
        author="mkato",
        title="Hoshi Mobile drops its unlimited plan",
        parent_id="46100001",
    ),
    StandinPost(
        native_id="46100012",
        text="I moved to Hoshi Mobile last month.<p>Ask me anything about the eSIM setup.",
        created_at=T0 + timedelta(minutes=12),
        author="yuki_t",
        title="Ask HN: Hoshi Mobile eSIM?",
        likes=7,
    ),
]


def test_real_shaped_posts_become_correct_mentions(crawl_env: CrawlEnv) -> None:
    with StandinServer(HackerNewsStandin(REAL_SHAPED)) as server:
        crawl_env.add_source(
            name="hn", type="hackernews", base_url=server.url, queries=["hoshi mobile"]
        )
        result = crawl_env.crawl("hn")
    assert result.returncode == 0, result.stderr
    assert result.run is not None and result.run.ok and result.run.malformed == 0
    got = {
        m.native_id: (m.text, m.title, m.author.handle, m.published_at, m.reply_to, m.deleted)
        for m in result.mentions
    }
    title = "Hoshi Mobile drops its unlimited plan"
    assert got == {
        "46100001": (title, title, "kenji", T0, None, False),
        "46100005": (
            "Customers of Hoshi Mobile are worse off as a result.\n"
            "Apple used to sell their SIMs & now it doesn't.\n"
            "[1] https://example.com/hoshi",
            title,
            "tcas",
            T0 + timedelta(minutes=5),
            "46100001",
            False,
        ),
        "46100009": (
            '> Hoshi Mobile is worse off\nNami Telecom did the same "last year".',
            title,
            "mkato",
            T0 + timedelta(minutes=9),
            "46100001",
            False,
        ),
        "46100012": (
            "I moved to Hoshi Mobile last month.\nAsk me anything about the eSIM setup.",
            "Ask HN: Hoshi Mobile eSIM?",
            "yuki_t",
            T0 + timedelta(minutes=12),
            None,
            False,
        ),
    }


def test_the_real_shaped_sample_keeps_every_paragraph_apart() -> None:
    path = Path(__file__).parents[3] / "crawlers/fixtures/hackernews/search_by_date_comments.json"
    crawler = get_crawler(HackerNewsSpider)
    spider = HackerNewsSpider.from_crawler(crawler)
    assert crawler.stats is not None
    crawler.stats.open_spider()
    request = ScrapyRequest("https://hn.algolia.com/api/v1/search_by_date", meta={"query": "hoshi"})
    response = TextResponse(request.url, body=path.read_bytes(), request=request)
    items = {i["native_id"]: i for i in spider.parse(response) if isinstance(i, dict)}
    assert len(items) == len(json.loads(path.read_bytes())["hits"])
    assert items["45200004"]["text"] == (
        "Hoshi Mobile customers are worse off as a result.\n"
        "They used to include roaming in Korea & Taiwan; now it's ¥500 a day.\n"
        "[1] https://hoshi.example/plans"
    )
    assert items["45200007"]["text"] == (
        '> worse off as a result\nNot really. Nami Telecom charges "more" for less.'
    )
    assert (
        items["45200011"]["text"]
        == "ほしモバイルのeSIM、設定は5分で終わった。\n速度も安定している。"
    )
    assert items["45200001"]["text"] == "Hoshi Mobile drops its unlimited plan"  # link story


def test_unknown_source_is_a_clear_error(crawl_env: CrawlEnv) -> None:
    result = crawl_env.crawl("nope")
    assert result.returncode == 1
    assert "no source named 'nope'" in result.stderr


def test_stand_in_answers_404_elsewhere() -> None:
    assert HackerNewsStandin([])(_request("/other")).status == 404


def _request(path: str) -> Request:
    return Request("GET", path, {}, {}, b"")
