"""The Discourse spider against the forum stand-in (search, then each post in full)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from standins.discourse import WITHDRAWN, DiscourseStandin
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


def posts(count: int, start: int = 0) -> list[StandinPost]:
    return [
        StandinPost(
            native_id=str(5000 + i),
            text=(
                f"<p>Hoshi Mobile reply {i} &amp; more</p><p>第{i}号 ほしモバイル</p>"
                if i % 4
                else f"<p>Thread {i}: <strong>Hoshi Mobile</strong> coverage?</p>"
            ),
            created_at=T0 + timedelta(minutes=i),
            author=f"user{i}",
            author_name=f"ユーザー{i}",
            title=None if i % 4 else f"Hoshi Mobile thread {i}",
            likes=i,
            replies=1,
            reposts=20,
            parent_id=None if i % 4 == 0 else str(5000 + i - i % 4),
            deleted=i == 7,
        )
        for i in range(start, start + count)
    ]


def searches(server: StandinServer) -> list[Request]:
    return [r for r in server.requests if r.path == "/search.json"]


def fetched(server: StandinServer) -> list[str]:
    return sorted(r.path for r in server.requests if r.path.startswith("/posts/"))


def test_pages_to_the_end_then_fetches_only_new_posts(crawl_env: CrawlEnv) -> None:
    standin = DiscourseStandin(posts(60))
    with StandinServer(standin) as server:
        crawl_env.add_source(
            name="forum", type="discourse", base_url=server.url, queries=["Hoshi Mobile"]
        )
        first = crawl_env.crawl("forum")
        assert first.returncode == 0, first.stderr
        assert first.run is not None and first.run.ok
        assert len(first.mentions) == 60
        assert [(r.arg("q"), r.arg("page")) for r in searches(server)] == [
            ('"Hoshi Mobile" order:latest', "1"),
            ('"Hoshi Mobile" order:latest', "2"),
        ]
        assert len(fetched(server)) == 60

        reply = next(m for m in first.mentions if m.native_id == "5005")
        assert reply.text == "Hoshi Mobile reply 5 & more\n第5号 ほしモバイル"
        assert reply.title == "Hoshi Mobile thread 4"
        assert reply.url == f"{server.url}/t/hoshi-mobile-thread-4/{9000 + 5004}/2"
        assert reply.thread_id == str(9000 + 5004)
        assert reply.published_at == T0 + timedelta(minutes=5)
        assert reply.author.handle == "user5"
        assert reply.author.name == "ユーザー5"
        assert reply.engagement.likes == 5
        assert reply.engagement.views == 20
        assert reply.query == "Hoshi Mobile"
        assert not reply.deleted
        withdrawn = next(m for m in first.mentions if m.native_id == "5007")
        assert withdrawn.deleted
        assert withdrawn.text == WITHDRAWN

        standin.posts.extend(posts(3, start=100))
        server.requests.clear()
        second = crawl_env.crawl("forum")
        assert second.returncode == 0, second.stderr
        assert sorted(m.native_id for m in second.mentions) == ["5100", "5101", "5102"]
        # one search page (it reaches the cursor), narrowed by after:, and only new posts fetched
        assert [r.arg("q") for r in searches(server)] == [
            '"Hoshi Mobile" order:latest after:2026-11-19'
        ]
        assert fetched(server) == ["/posts/5100.json", "/posts/5101.json", "/posts/5102.json"]


def test_waits_out_429_and_retries_5xx(crawl_env: CrawlEnv) -> None:
    with StandinServer(DiscourseStandin(posts(3))) as server:
        server.inject("/search.json", too_many_requests("1"))
        server.inject("/posts/", server_error())
        crawl_env.add_source(
            name="forum", type="discourse", base_url=server.url, queries=["hoshi mobile"]
        )
        result = crawl_env.crawl("forum")
    assert result.returncode == 0, result.stderr
    assert result.run is not None and result.run.ok
    assert len(result.mentions) == 3
    assert len(server.requests) == 6  # 429, search, 503, three posts


def test_malformed_search_page_is_counted_and_keeps_the_cursor(crawl_env: CrawlEnv) -> None:
    with StandinServer(DiscourseStandin(posts(3))) as server:
        server.inject("/search.json", malformed_json())
        crawl_env.add_source(
            name="forum", type="discourse", base_url=server.url, queries=["hoshi mobile"]
        )
        broken = crawl_env.crawl("forum")
        assert broken.run is not None
        assert broken.run.malformed == 1
        assert not broken.run.ok
        assert broken.mentions == []
        again = crawl_env.crawl("forum")
    assert again.run is not None and again.run.ok
    assert len(again.mentions) == 3
    assert "after:" not in searches(server)[-1].arg("q")


def test_malformed_post_keeps_the_cursor_and_a_vanished_post_is_skipped(
    crawl_env: CrawlEnv,
) -> None:
    with StandinServer(DiscourseStandin(posts(5))) as server:
        server.inject("/posts/5004.json", malformed_json())
        server.inject("/posts/5003.json", Reply(404, b'{"errors":["not found"]}'))
        crawl_env.add_source(
            name="forum", type="discourse", base_url=server.url, queries=["hoshi mobile"]
        )
        broken = crawl_env.crawl("forum")
        assert broken.run is not None and not broken.run.ok
        assert broken.run.malformed == 1
        assert sorted(m.native_id for m in broken.mentions) == ["5000", "5001", "5002"]
        server.requests.clear()
        again = crawl_env.crawl("forum")
    assert again.run is not None and again.run.ok
    assert "after:" not in searches(server)[0].arg("q")  # the cursor did not move
    assert sorted(m.native_id for m in again.mentions) == ["5003", "5004"]
    assert again.run.dropped == 3


def test_japanese_terms_are_searched(crawl_env: CrawlEnv) -> None:
    with StandinServer(DiscourseStandin(posts(6))) as server:
        crawl_env.add_source(name="forum", type="discourse", base_url=server.url)
        result = crawl_env.crawl("forum")
    assert result.returncode == 0, result.stderr
    terms = {r.arg("q") for r in searches(server)}
    assert "ほしモバイル order:latest" in terms
    assert '"Nami Telecom" order:latest' in terms
    assert len(result.mentions) == 6
    found_by = {m.native_id: m.query for m in result.mentions}
    assert found_by["5005"] in {"Hoshi Mobile", "ほしモバイル"}


def test_stand_in_answers_404_elsewhere() -> None:
    standin = DiscourseStandin(posts(1))
    assert standin(Request("GET", "/other", {}, {}, b"")).status == 404
    assert standin(Request("GET", "/posts/1.json", {}, {}, b"")).status == 404
    assert standin(Request("GET", "/posts/5000.json", {}, {}, b"")).status == 200
