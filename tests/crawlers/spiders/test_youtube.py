"""The YouTube spider against the Data API v3 ``commentThreads`` stand-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from standins.server import (
    Request,
    StandinPost,
    StandinServer,
    malformed_json,
    server_error,
    too_many_requests,
)
from standins.youtube import YouTubeStandin
from tests.crawlers.conftest import CrawlEnv

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
API_KEY = "AIzaSyKikimimiTestKey0123456789abcdEF"
VIDEO = "dQ4hoshi5G0"


def comments(count: int, start: int = 0) -> list[StandinPost]:
    return [
        StandinPost(
            native_id=f"C{i:05d}",
            text=f"Hoshi Mobile comment {i} &amp; <b>more</b><br>第{i}号 ほしモバイル",
            created_at=T0 + timedelta(minutes=i),
            author=f"viewer{i}",
            likes=i,
            replies=i % 3,
        )
        for i in range(start, start + count)
    ]


def add_youtube(crawl_env: CrawlEnv, server: StandinServer, **extra: object) -> None:
    crawl_env.env["YOUTUBE_API_KEY"] = API_KEY
    crawl_env.add_source(
        name="yt",
        type="youtube",
        base_url=server.url,
        api_key={"$env": "YOUTUBE_API_KEY"},
        **{"queries": ["hoshi mobile"], "video_ids": [VIDEO], **extra},
    )


def test_pages_to_the_end_then_fetches_only_new_comments(crawl_env: CrawlEnv) -> None:
    youtube = YouTubeStandin({VIDEO: comments(250)}, API_KEY)
    with StandinServer(youtube) as server:
        add_youtube(crawl_env, server)
        first = crawl_env.crawl("yt")
        assert first.returncode == 0, first.stderr
        assert first.run is not None and first.run.ok
        assert first.run.pages == 3
        assert len(first.mentions) == 250
        for request in server.requests:
            assert request.headers["x-goog-api-key"] == API_KEY
            assert "key" not in request.query  # the key never is in a URL
            assert request.arg("order") == "time"
            assert request.arg("searchTerms") == "hoshi mobile"
        sample = next(m for m in first.mentions if m.native_id == "UgzC00005AaABAg")
        assert sample.text == "Hoshi Mobile comment 5 & more\n第5号 ほしモバイル"
        assert sample.url == f"https://www.youtube.com/watch?v={VIDEO}&lc=UgzC00005AaABAg"
        assert sample.published_at == T0 + timedelta(minutes=5)
        assert (sample.author.id, sample.author.handle) == ("UCviewer5", "@viewer5")
        assert (sample.engagement.likes, sample.engagement.replies) == (5, 2)
        assert (sample.thread_id, sample.query) == (VIDEO, "hoshi mobile")

        youtube.videos[VIDEO].extend(comments(4, start=250))
        server.requests.clear()
        second = crawl_env.crawl("yt")
    assert second.run is not None and second.run.ok, second.stderr
    assert sorted(m.native_id for m in second.mentions) == [
        f"UgzC{250 + i:05d}AaABAg" for i in range(4)
    ]
    assert len(server.requests) == 1  # the first page reached comments already seen


def test_channels_are_read_and_videos_without_comments_skipped(crawl_env: CrawlEnv) -> None:
    youtube = YouTubeStandin(
        {VIDEO: comments(3), "vid2": comments(2, start=10)},
        API_KEY,
        channels={"UChoshi": [VIDEO, "vid2"]},
        comments_disabled=["closed0"],
    )
    with StandinServer(youtube) as server:
        add_youtube(crawl_env, server, video_ids=["closed0"], channel_ids=["UChoshi"])
        result = crawl_env.crawl("yt")
    assert result.run is not None and result.run.ok, result.stderr
    assert len(result.mentions) == 5
    assert {m.thread_id for m in result.mentions} == {VIDEO, "vid2"}
    assert "commentsDisabled" in result.stderr


def test_waits_out_429_and_retries_5xx(crawl_env: CrawlEnv) -> None:
    with StandinServer(YouTubeStandin({VIDEO: comments(5)}, API_KEY)) as server:
        server.inject("/commentThreads", too_many_requests("1"))
        server.inject("/commentThreads", server_error())
        add_youtube(crawl_env, server)
        result = crawl_env.crawl("yt")
    assert result.run is not None and result.run.ok, result.stderr
    assert len(result.mentions) == 5
    assert len(server.requests) == 3


def test_malformed_page_is_counted_and_keeps_the_cursor(crawl_env: CrawlEnv) -> None:
    with StandinServer(YouTubeStandin({VIDEO: comments(5)}, API_KEY)) as server:
        server.inject("/commentThreads", malformed_json())
        add_youtube(crawl_env, server)
        broken = crawl_env.crawl("yt")
        assert broken.run is not None
        assert broken.run.malformed == 1
        assert not broken.run.ok
        assert broken.mentions == []
        again = crawl_env.crawl("yt")
    assert again.run is not None and again.run.ok
    assert len(again.mentions) == 5


def test_used_up_quota_fails_the_run_and_stops_further_requests(crawl_env: CrawlEnv) -> None:
    videos = {f"vid{i}": comments(2) for i in range(30)}
    with StandinServer(YouTubeStandin(videos, API_KEY, quota=1)) as server:
        add_youtube(crawl_env, server, video_ids=list(videos))
        result = crawl_env.crawl("yt")
    assert result.returncode == 1
    assert result.run is not None and not result.run.ok
    assert "quotaExceeded" in result.stderr
    assert len(result.mentions) == 2
    assert len(server.requests) < 20  # the videos not yet asked for are not asked for


def test_the_key_is_checked_and_never_logged(crawl_env: CrawlEnv) -> None:
    with StandinServer(YouTubeStandin({VIDEO: comments(2)}, API_KEY)) as server:
        add_youtube(crawl_env, server)
        ok = crawl_env.crawl("yt", log_level="DEBUG")
        crawl_env.env["YOUTUBE_API_KEY"] = "AIzaSyWrongKey-zz9"
        refused = crawl_env.crawl("yt", log_level="DEBUG")
    assert ok.run is not None and ok.run.ok
    assert len(ok.mentions) == 2
    assert refused.returncode == 1
    assert refused.run is not None and not refused.run.ok
    assert "keyInvalid" in refused.stderr
    for output in (ok.stdout, ok.stderr, refused.stdout, refused.stderr):
        assert API_KEY not in output
        assert "AIzaSyWrongKey-zz9" not in output
    assert "DEBUG" in ok.stderr


def test_stand_in_errors_look_like_google_errors() -> None:
    youtube = YouTubeStandin({VIDEO: comments(1)}, API_KEY)
    missing = youtube(Request("GET", "/commentThreads", {"videoId": [VIDEO]}, {}, b""))
    assert missing.status == 403
    assert b'"reason": "forbidden"' in missing.body
    other = youtube(_request({"videoId": ["nope"]}))
    assert other.status == 404
    assert b'"reason": "videoNotFound"' in other.body


def _request(query: dict[str, list[str]]) -> Request:
    return Request("GET", "/commentThreads", query, {"x-goog-api-key": API_KEY}, b"")
