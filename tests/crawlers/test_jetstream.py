"""The Jetstream consumer against the WebSocket stand-in."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from crawlers.jetstream import CURSOR_KEY, REPLAY_MARGIN_US, tid_time
from crawlers.matching import TermMatcher
from crawlers.queries import SearchTerm
from crawlers.sqlite_state import SqliteCrawlState
from standins.jetstream import (
    JetstreamStandin,
    account_event,
    delete_event,
    did_of,
    identity_event,
    post_event,
    tid,
)
from standins.server import StandinPost
from tests.crawlers.conftest import CrawlEnv, CrawlResult

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
T0_US = int(T0.timestamp() * 1_000_000)
SECOND = 1_000_000
POST = "app.bsky.feed.post"


def post(i: int, text: str, author: str = "alice", **fields: Any) -> StandinPost:
    created = T0 + timedelta(seconds=i)
    return StandinPost(tid(created), text, created, author=did_of(author), **fields)


def at_uri(p: StandinPost) -> str:
    return f"at://{p.author}/{POST}/{p.native_id}"


def add_source(crawl_env: CrawlEnv, url: str, **fields: Any) -> None:
    fields.setdefault("session_seconds", 2)
    crawl_env.add_source(name="bsky", type="bluesky", jetstream_url=url, **fields)


def save_cursor(crawl_env: CrawlEnv, value: int) -> None:
    state = SqliteCrawlState(crawl_env.root / "var" / "crawl" / "state.sqlite")
    state.save_cursors("bsky", {CURSOR_KEY: str(value)})
    state.close()


def saved_cursor(crawl_env: CrawlEnv) -> str | None:
    state = SqliteCrawlState(crawl_env.root / "var" / "crawl" / "state.sqlite")
    try:
        return state.cursor("bsky", CURSOR_KEY)
    finally:
        state.close()


def test_live_tail_keeps_only_posts_matching_the_brand_terms(crawl_env: CrawlEnv) -> None:
    fullwidth = post(1, "ＨＯＳＨＩ　ｍｏｂｉｌｅ の新プラン、安い！", lang="ja")
    japanese = post(2, "ほしモバイルに乗り換えた", author="bob", lang="ja")
    halfwidth = post(3, "ﾅﾐﾃﾚｺﾑ 圏外すぎ", author="carol", lang="ja")
    reply = post(4, "@hoshimobile.bsky.social help, no signal", parent_id=at_uri(japanese))
    excluded = post(5, "Hoshi Mobile sponsors the hoshi tea festival")
    unrelated = post(6, "just a normal day, mobile phones are fun")
    like: dict[str, Any] = {
        "did": did_of("dave"),
        "time_us": T0_US + 7 * SECOND,
        "kind": "commit",
        "commit": {"operation": "create", "collection": "app.bsky.feed.like", "rkey": "x"},
    }
    with JetstreamStandin() as standin:
        add_source(crawl_env, standin.url, session_seconds=4)
        outcome: list[CrawlResult] = []
        crawler = threading.Thread(target=lambda: outcome.append(crawl_env.crawl("bsky")))
        crawler.start()
        assert standin.wait_for_connections(1)
        standin.publish(
            post_event(fullwidth, T0_US + 1 * SECOND),
            identity_event(did_of("bob"), "bob.bsky.social", T0_US + 1 * SECOND + 1),
            post_event(japanese, T0_US + 2 * SECOND),
            post_event(halfwidth, T0_US + 3 * SECOND),
            post_event(reply, T0_US + 4 * SECOND),
            post_event(excluded, T0_US + 5 * SECOND),
            post_event(unrelated, T0_US + 6 * SECOND),
            like,
            account_event(did_of("erin"), T0_US + 8 * SECOND, active=False),
        )
        standin.publish_raw(T0_US + 9 * SECOND, '{"did": "did:plc:x", "time_us": ')
        standin.publish(post_event(post(10, "ナミテレコム最高"), T0_US + 10 * SECOND))
        crawler.join(60)
    [result] = outcome
    assert result.returncode == 0, result.stderr
    assert "wantedCollections" in standin.connections[0]
    assert standin.connections[0]["wantedCollections"] == [POST]
    assert "cursor" not in standin.connections[0]  # no saved cursor: live tail
    assert result.run is not None and result.run.ok
    assert result.run.pages == 10  # the like is not sent: not a wanted collection
    assert result.run.malformed == 1
    assert "skipped malformed frame" in result.stderr
    by_text = {m.text: m for m in result.mentions}
    assert set(by_text) == {
        fullwidth.text,
        japanese.text,
        halfwidth.text,
        reply.text,
        "ナミテレコム最高",
    }
    first = by_text[fullwidth.text]
    assert first.native_id == at_uri(fullwidth)
    assert first.url == f"https://bsky.app/profile/{fullwidth.author}/post/{fullwidth.native_id}"
    assert first.author.id == fullwidth.author
    assert first.author.handle is None
    assert first.lang == "ja"
    assert first.published_at == T0 + timedelta(seconds=1)
    assert first.query == "Hoshi Mobile"
    assert first.thread_id == first.native_id
    assert by_text[japanese.text].query == "ほしモバイル"
    assert by_text[reply.text].reply_to == at_uri(japanese)
    assert by_text[reply.text].thread_id == at_uri(japanese)
    assert saved_cursor(crawl_env) == str(T0_US + 10 * SECOND)


def test_a_dropped_connection_resumes_from_its_cursor_and_the_next_session_from_the_saved(
    crawl_env: CrawlEnv,
) -> None:
    posts = [
        post(i, f"Hoshi Mobile の話 {i}" if i % 2 else f"Nami Telecom #{i}") for i in range(12)
    ]
    with JetstreamStandin() as standin:
        standin.publish(*(post_event(p, T0_US + i * SECOND) for i, p in enumerate(posts[:10])))
        standin.drop_after(4, abrupt=True)
        save_cursor(crawl_env, T0_US)
        add_source(crawl_env, standin.url, session_seconds=3)
        first = crawl_env.crawl("bsky")
        assert first.returncode == 0, first.stderr
        assert [c["cursor"] for c in standin.connections] == [
            [str(T0_US - REPLAY_MARGIN_US)],
            [str(T0_US + 3 * SECOND - REPLAY_MARGIN_US)],  # the 4th event, minus the margin
        ]
        assert "reconnect 1 of 5" in first.stderr
        assert sorted(m.native_id for m in first.mentions) == sorted(map(at_uri, posts[:10]))
        assert first.run is not None and first.run.ok
        assert first.run.pages == 4 + 10  # the replay repeats the first four; none is queued
        assert saved_cursor(crawl_env) == str(T0_US + 9 * SECOND)

        standin.publish(*(post_event(p, T0_US + i * SECOND) for i, p in enumerate(posts) if i > 9))
        second = crawl_env.crawl("bsky")
    assert standin.connections[2]["cursor"] == [str(T0_US + 9 * SECOND - REPLAY_MARGIN_US)]
    assert sorted(m.native_id for m in second.mentions) == sorted(map(at_uri, posts[10:]))
    assert second.run is not None and second.run.ok and second.run.dropped == 0
    assert saved_cursor(crawl_env) == str(T0_US + 11 * SECOND)


def test_deletes_of_collected_posts_become_deleted_mentions(crawl_env: CrawlEnv) -> None:
    kept = post(1, "Hoshi Mobile is down again")
    ignored = post(2, "nothing to see here")
    brief = post(3, "ほしモバイル、最悪")
    with JetstreamStandin() as standin:
        standin.publish(
            post_event(kept, T0_US + 1 * SECOND), post_event(ignored, T0_US + 2 * SECOND)
        )
        save_cursor(crawl_env, T0_US)
        add_source(crawl_env, standin.url)
        first = crawl_env.crawl("bsky")
        assert [m.native_id for m in first.mentions] == [at_uri(kept)]

        standin.publish(
            delete_event(kept.author, kept.native_id, T0_US + 20 * SECOND),
            delete_event(ignored.author, ignored.native_id, T0_US + 21 * SECOND),
            delete_event(did_of("zed"), tid(T0), T0_US + 22 * SECOND),
            post_event(brief, T0_US + 23 * SECOND),
            delete_event(brief.author, brief.native_id, T0_US + 24 * SECOND),
        )
        second = crawl_env.crawl("bsky")
    assert second.returncode == 0, second.stderr
    by_id = {m.native_id: m for m in second.mentions}
    assert set(by_id) == {at_uri(kept), at_uri(brief)}
    gone = by_id[at_uri(kept)]
    assert gone.deleted and gone.text == ""
    assert gone.published_at == kept.created_at  # read from the record key (a TID)
    assert gone.url == f"https://bsky.app/profile/{kept.author}/post/{kept.native_id}"
    assert by_id[at_uri(brief)].deleted  # created and deleted in one session: queued once
    assert by_id[at_uri(brief)].text == ""
    assert second.run is not None and second.run.mentions_changed == 1


def test_gives_up_after_max_reconnects(crawl_env: CrawlEnv) -> None:
    with JetstreamStandin() as standin:
        url = standin.url
    add_source(crawl_env, url, max_reconnects=2, session_seconds=30)
    result = crawl_env.crawl("bsky")
    assert result.returncode == 1
    assert result.run is not None and not result.run.ok
    assert result.run.error is not None and "after 2 reconnect(s)" in result.run.error
    assert result.run.finished_at - result.run.started_at < 10


def test_record_keys_are_read_as_creation_times() -> None:
    moment = T0 + timedelta(microseconds=123_456)
    assert tid_time(tid(moment)) == moment
    assert tid_time("3l3qo2vutsw2b") == datetime(2024, 9, 9, 19, 46, 2, 251036, tzinfo=UTC)
    assert tid_time("not-a-tid") is None


def test_terms_match_across_width_and_case_as_whole_words() -> None:
    matcher = TermMatcher(
        [SearchTerm("Hoshi Mobile", "Hoshi Mobile", ("hoshi tea",)), SearchTerm("Nami", "Nami")]
    )
    assert matcher.match("ＨＯＳＨＩ\u3000MOBILE のプラン") is not None
    assert matcher.match("hoshi\n mobile!") is not None
    assert matcher.match("Hoshi Mobile at the Hoshi Tea house") is None  # excluded
    assert matcher.match("tsunami warning") is None  # not a word of its own
    assert matcher.match("NAMI's new plan") is not None
    assert TermMatcher([SearchTerm("ナミテレコム", "Nami")]).match("ﾅﾐﾃﾚｺﾑの店") is not None
