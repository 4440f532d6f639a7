"""Stand-in of the YouTube Data API v3 ``GET /commentThreads`` (``part=snippet``).

Answers like https://developers.google.com/youtube/v3/docs/commentThreads/list: the API key
comes as the ``key`` parameter or the ``X-Goog-Api-Key`` header (403 ``forbidden`` when
missing, 400 ``keyInvalid`` when wrong); ``videoId`` or ``allThreadsRelatedToChannelId``
select the threads, ``searchTerms`` filters, ``order=time`` is newest first,
``maxResults`` (at most 100) and an opaque ``nextPageToken``/``pageToken`` page;
``textFormat=html`` gives ``textDisplay`` as HTML. Errors have Google's JSON error format
(``commentsDisabled``, ``videoNotFound``, ``quotaExceeded`` once ``quota`` calls are used).
Deleted comments are simply gone from the answers, as on YouTube.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Mapping, Sequence

from standins.server import Reply, Request, StandinPost
from standins.text import html_to_text

__all__ = ["YouTubeStandin"]


class YouTubeStandin:
    """Comments (``StandinPost``) per video id; channels own videos; one valid key."""

    def __init__(
        self,
        videos: Mapping[str, Sequence[StandinPost]],
        api_key: str,
        *,
        channels: Mapping[str, Sequence[str]] | None = None,
        comments_disabled: Sequence[str] = (),
        quota: int | None = None,
    ) -> None:
        self.videos = {video: list(comments) for video, comments in videos.items()}
        self.api_key = api_key
        self.channels = dict(channels or {})
        self.comments_disabled = set(comments_disabled)
        self.quota = quota
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Reply:
        if request.path != "/commentThreads":
            return _error(404, "notFound", "global", "Not Found")
        key = request.headers.get("x-goog-api-key") or request.arg("key")
        if not key:
            return _error(403, "forbidden", "global", "The request is missing a valid API key.")
        if key != self.api_key:
            message = "API key not valid. Please pass a valid API key."
            return _error(400, "keyInvalid", "usageLimits", message)
        with self._lock:
            if self.quota is not None:
                if self.quota <= 0:
                    return _error(403, "quotaExceeded", "youtube.quota", QUOTA_MESSAGE)
                self.quota -= 1
        found = self._threads(request)
        if isinstance(found, Reply):
            return found
        terms = request.arg("searchTerms").casefold()
        threads = [
            t for t in found if not t[1].deleted and terms in html_to_text(t[1].text).casefold()
        ]
        threads.sort(key=lambda t: t[1].created_at, reverse=True)
        size = max(1, min(int(request.arg("maxResults", "20")), 100))
        offset = _offset(request.arg("pageToken"))
        if offset is None:
            return _error(400, "invalidPageToken", "youtube.parameter", "Invalid page token.")
        page = threads[offset : offset + size]
        html = request.arg("textFormat", "html") == "html"
        body: dict[str, object] = {
            "kind": "youtube#commentThreadListResponse",
            "etag": f"etag-{offset}",
            "pageInfo": {"totalResults": len(page), "resultsPerPage": size},
            "items": [_thread(video, post, html) for video, post in page],
        }
        if offset + size < len(threads):
            body["nextPageToken"] = _token(offset + size)
        return Reply(200, json.dumps(body, ensure_ascii=False).encode())

    def _threads(self, request: Request) -> list[tuple[str, StandinPost]] | Reply:
        video = request.arg("videoId")
        channel = request.arg("allThreadsRelatedToChannelId")
        if video:
            if video in self.comments_disabled:
                return _error(403, "commentsDisabled", "youtube.commentThread", DISABLED_MESSAGE)
            if video not in self.videos:
                return _error(404, "videoNotFound", "youtube.commentThread", NO_VIDEO_MESSAGE)
            return [(video, p) for p in self.videos[video]]
        if channel:
            if channel not in self.channels:
                return _error(404, "channelNotFound", "youtube.commentThread", NO_CHANNEL)
            return [(v, p) for v in self.channels[channel] for p in self.videos.get(v, [])]
        return _error(400, "missingRequiredParameter", "youtube.parameter", "No filter selected.")


QUOTA_MESSAGE = (
    'The request cannot be completed because you have exceeded your <a href="/youtube/v3/'
    'getting-started#quota">quota</a>.'
)
DISABLED_MESSAGE = (
    'The video identified by the <code><a href="/youtube/v3/docs/commentThreads/list#videoId">'
    "videoId</a></code> parameter has disabled comments."
)
NO_VIDEO_MESSAGE = (
    'The video identified by the <code><a href="/youtube/v3/docs/commentThreads/list#videoId">'
    "videoId</a></code> parameter could not be found."
)
NO_CHANNEL = "The channel identified by the allThreadsRelatedToChannelId parameter was not found."


def _error(code: int, reason: str, domain: str, message: str) -> Reply:
    body = {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
    }
    return Reply(code, json.dumps(body).encode())


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"time-desc:{offset}".encode()).decode()


def _offset(token: str) -> int | None:
    if not token:
        return 0
    try:
        prefix, _, value = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        return int(value) if prefix == "time-desc" else None
    except ValueError:
        return None


def _thread(video: str, post: StandinPost, html: bool) -> dict[str, object]:
    published = post.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    comment_id = f"Ugz{post.native_id}AaABAg"
    return {
        "kind": "youtube#commentThread",
        "etag": f"etag-{post.native_id}",
        "id": comment_id,
        "snippet": {
            "channelId": "UCx1Hoshi0Mobile0Official0",
            "videoId": video,
            "topLevelComment": {
                "kind": "youtube#comment",
                "etag": f"etag-c-{post.native_id}",
                "id": comment_id,
                "snippet": {
                    "channelId": "UCx1Hoshi0Mobile0Official0",
                    "videoId": video,
                    "textDisplay": post.text if html else html_to_text(post.text),
                    "textOriginal": html_to_text(post.text),
                    "authorDisplayName": post.author_name or f"@{post.author}",
                    "authorProfileImageUrl": f"https://yt3.ggpht.com/ytc/{post.author}=s48",
                    "authorChannelUrl": f"http://www.youtube.com/@{post.author}",
                    "authorChannelId": {"value": f"UC{post.author}"},
                    "canRate": True,
                    "viewerRating": "none",
                    "likeCount": post.likes,
                    "publishedAt": published,
                    "updatedAt": published,
                },
            },
            "canReply": True,
            "totalReplyCount": post.replies,
            "isPublic": True,
        },
    }
