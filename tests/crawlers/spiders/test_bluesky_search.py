"""The Bluesky search spider against the PDS stand-in (sessions + ``searchPosts``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from standins.bluesky_search import SEARCH, BlueskySearchStandin
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
HANDLE = "kikimimi-listener.bsky.social"
APP_PASSWORD = "kq4z-7m2x-hb9t-w3pn"


def posts(count: int, start: int = 0) -> list[StandinPost]:
    return [
        StandinPost(
            native_id=f"3lbq{i:05d}",
            text=f"Hoshi Mobile post {i} — 第{i}号 ほしモバイル 📶",
            created_at=T0 + timedelta(minutes=i),
            author=f"user{i}",
            author_name=f"ユーザー{i}",
            lang="ja" if i % 2 else "en",
            likes=i,
            reposts=i % 5,
            replies=i % 3,
            parent_id="3lbqroot0" if i % 4 == 0 else None,
        )
        for i in range(start, start + count)
    ]


def add_bluesky(crawl_env: CrawlEnv, server: StandinServer) -> None:
    crawl_env.env["BSKY_APP_PASSWORD"] = APP_PASSWORD
    crawl_env.add_source(
        name="bsky",
        type="bluesky_search",
        base_url=server.url,
        identifier=HANDLE,
        app_password={"$env": "BSKY_APP_PASSWORD"},
        queries=["hoshi mobile"],
    )


def searches(server: StandinServer) -> list[Request]:
    return [r for r in server.requests if r.path == SEARCH]


def test_pages_to_the_end_then_fetches_only_new_posts(crawl_env: CrawlEnv) -> None:
    bluesky = BlueskySearchStandin(posts(250), HANDLE, APP_PASSWORD)
    with StandinServer(bluesky) as server:
        add_bluesky(crawl_env, server)
        first = crawl_env.crawl("bsky")
        assert first.returncode == 0, first.stderr
        assert first.run is not None and first.run.ok
        assert len(first.mentions) == 250
        session = server.requests[0]
        assert json.loads(session.body) == {"identifier": HANDLE, "password": APP_PASSWORD}
        assert [r.arg("cursor") for r in searches(server)] == ["", "100", "200"]
        assert {(r.arg("q"), r.arg("sort"), r.arg("since")) for r in searches(server)} == {
            ('"hoshi mobile"', "latest", "")
        }
        sample = next(m for m in first.mentions if m.native_id.endswith("/3lbq00005"))
        assert sample.text == "Hoshi Mobile post 5 — 第5号 ほしモバイル 📶"
        assert sample.lang == "ja"
        assert sample.url == "https://bsky.app/profile/user5.bsky.social/post/3lbq00005"
        assert sample.native_id == "at://did:plc:user50000000000000000/app.bsky.feed.post/3lbq00005"
        assert (sample.author.handle, sample.author.name) == ("user5.bsky.social", "ユーザー5")
        assert sample.published_at == T0 + timedelta(minutes=5)
        assert (sample.engagement.likes, sample.engagement.reposts) == (5, 0)
        reply = next(m for m in first.mentions if m.native_id.endswith("/3lbq00004"))
        assert reply.reply_to == reply.thread_id
        assert reply.reply_to is not None and reply.reply_to.endswith("/3lbqroot0")

        bluesky.posts.extend(posts(4, start=250))
        server.requests.clear()
        second = crawl_env.crawl("bsky")
    assert second.run is not None and second.run.ok, second.stderr
    assert sorted(m.native_id[-9:] for m in second.mentions) == [
        f"3lbq{250 + i:05d}" for i in range(4)
    ]
    (search,) = searches(server)
    assert search.arg("since") == "2026-11-20T13:09:00.000Z"  # the newest post of the first run


def test_an_expired_session_is_refreshed_once(crawl_env: CrawlEnv) -> None:
    bluesky = BlueskySearchStandin(posts(150), HANDLE, APP_PASSWORD, access_uses=1)
    with StandinServer(bluesky) as server:
        add_bluesky(crawl_env, server)
        result = crawl_env.crawl("bsky")
    assert result.run is not None and result.run.ok, result.stderr
    assert len(result.mentions) == 150
    paths = [r.path.rsplit(".", 1)[-1] for r in server.requests]
    assert paths == ["createSession", "searchPosts", "searchPosts", "refreshSession", "searchPosts"]


def test_waits_out_429_and_retries_5xx(crawl_env: CrawlEnv) -> None:
    with StandinServer(BlueskySearchStandin(posts(5), HANDLE, APP_PASSWORD)) as server:
        server.inject(SEARCH, too_many_requests("1"))
        server.inject(SEARCH, server_error())
        add_bluesky(crawl_env, server)
        result = crawl_env.crawl("bsky")
    assert result.run is not None and result.run.ok, result.stderr
    assert len(result.mentions) == 5
    assert len(searches(server)) == 3


def test_malformed_page_is_counted_and_keeps_the_cursor(crawl_env: CrawlEnv) -> None:
    with StandinServer(BlueskySearchStandin(posts(5), HANDLE, APP_PASSWORD)) as server:
        server.inject(SEARCH, malformed_json())
        add_bluesky(crawl_env, server)
        broken = crawl_env.crawl("bsky")
        assert broken.run is not None
        assert broken.run.malformed == 1
        assert not broken.run.ok
        assert broken.mentions == []
        again = crawl_env.crawl("bsky")
    assert again.run is not None and again.run.ok
    assert len(again.mentions) == 5
    assert searches(server)[-1].arg("since") == ""


def test_the_app_password_is_checked_and_never_logged(crawl_env: CrawlEnv) -> None:
    bluesky = BlueskySearchStandin(posts(3), HANDLE, APP_PASSWORD)
    with StandinServer(bluesky) as server:
        add_bluesky(crawl_env, server)
        ok = crawl_env.crawl("bsky", log_level="DEBUG")
        crawl_env.env["BSKY_APP_PASSWORD"] = "wrong-pass-word-0000"
        refused = crawl_env.crawl("bsky", log_level="DEBUG")
    assert ok.run is not None and ok.run.ok
    assert len(ok.mentions) == 3
    assert refused.returncode == 1
    assert refused.run is not None and not refused.run.ok
    assert "AuthenticationRequired" in refused.stderr
    assert len(searches(server)) == 1  # none without a session
    for output in (ok.stdout, ok.stderr, refused.stdout, refused.stderr):
        for secret in (APP_PASSWORD, "wrong-pass-word-0000", *bluesky.tokens):
            assert secret not in output
    assert "DEBUG" in ok.stderr


def test_stand_in_answers_xrpc_errors() -> None:
    bluesky = BlueskySearchStandin(posts(1), HANDLE, APP_PASSWORD)
    anonymous = bluesky(Request("GET", SEARCH, {"q": ["hoshi"]}, {}, b""))
    assert anonymous.status == 401
    assert json.loads(anonymous.body)["error"] == "AuthenticationRequired"
    assert bluesky(Request("GET", "/xrpc/other", {}, {}, b"")).status == 501
