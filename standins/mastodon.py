"""Stand-in of a Mastodon instance: hashtag timelines and (with a token) status search.

``GET /api/v1/timelines/tag/{tag}`` answers like Mastodon: statuses newest first, ``limit``
(default 20, at most 40), ``max_id``/``since_id``/``min_id`` (``min_id`` gives the statuses
just after it), and a ``Link`` header (``rel="next"`` with ``max_id``, ``rel="prev"`` with
``min_id``) on non-empty pages. ``restrict_tags`` makes it answer 401 without a token, as
instances that turn off the public timeline preview do. ``GET /api/v2/search?type=statuses``
needs ``Authorization: Bearer TOKEN`` (401 otherwise) and pages by ``offset``; like Mastodon,
``min_id`` is only a coarse filter (here: ids at or after it). A post's tags are the
``#hashtags`` in its text; a deleted post is gone from both, as on Mastodon.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Sequence
from urllib.parse import unquote, urlencode

from standins.server import Reply, Request, StandinPost
from standins.text import hashtag, html_to_text

__all__ = ["MastodonStandin"]

HOST = "mastodon.example"
TAG_PATH = "/api/v1/timelines/tag/"
_HASHTAG = re.compile(r"#(\w+)")
_QUERY_WORD = re.compile(r'(-?)(?:"([^"]*)"|(\S+))')
_NOT_AUTHENTICATED = b'{"error":"This method requires an authenticated user"}'
_BAD_TOKEN = b'{"error":"The access token is invalid"}'
_NO_PAGING = b'{"error":"Search queries pagination is not supported without authentication"}'


class MastodonStandin:
    """A request handler over ``posts``; ``native_id`` must be a numeric (snowflake) id."""

    def __init__(
        self,
        posts: Sequence[StandinPost],
        token: str | None = None,
        restrict_tags: bool = False,
    ) -> None:
        self.posts = list(posts)
        self.token = token
        self.restrict_tags = restrict_tags

    def __call__(self, request: Request) -> Reply:
        if request.path.startswith(TAG_PATH):
            return self.tag_timeline(request)
        if request.path == "/api/v2/search":
            return self.search(request)
        return Reply(404, b'{"error":"Record not found"}')

    def authorized(self, request: Request) -> bool:
        given = request.headers.get("authorization")
        return self.token is not None and given == f"Bearer {self.token}"

    def tag_timeline(self, request: Request) -> Reply:
        if self.restrict_tags and not self.authorized(request):
            return Reply(401, _NOT_AUTHENTICATED)
        tag = hashtag(unquote(request.path[len(TAG_PATH) :]))
        found = [p for p in self.visible() if tag in _tags(p)]
        limit = min(int(request.arg("limit", "20")), 40)
        page = _window(found, request, limit)
        headers = {}
        if page:
            link = f"https://{request.headers.get('host', HOST)}{request.path}"
            newer = urlencode({"limit": limit, "min_id": page[0].native_id})
            older = urlencode({"limit": limit, "max_id": page[-1].native_id})
            headers["Link"] = f'<{link}?{older}>; rel="next", <{link}?{newer}>; rel="prev"'
        body = json.dumps([_status(p) for p in page], ensure_ascii=False).encode()
        return Reply(200, body, headers=headers)

    def search(self, request: Request) -> Reply:
        if not self.authorized(request):
            return Reply(401, _BAD_TOKEN if "authorization" in request.headers else _NO_PAGING)
        statuses: list[dict[str, object]] = []
        if request.arg("type", "statuses") == "statuses":
            found = [p for p in self.visible() if _matches(request.arg("q"), p)]
            if request.arg("min_id"):
                found = [p for p in found if int(p.native_id) >= int(request.arg("min_id"))]
            if request.arg("max_id"):
                found = [p for p in found if int(p.native_id) <= int(request.arg("max_id"))]
            limit = min(int(request.arg("limit", "20")), 40)
            offset = int(request.arg("offset", "0"))
            statuses = [_status(p) for p in found[offset : offset + limit]]
        body = {"accounts": [], "statuses": statuses, "hashtags": []}
        return Reply(200, json.dumps(body, ensure_ascii=False).encode())

    def visible(self) -> list[StandinPost]:
        """Undeleted posts, newest (highest id) first."""
        return sorted(
            (p for p in self.posts if not p.deleted), key=lambda p: int(p.native_id), reverse=True
        )


def _window(found: list[StandinPost], request: Request, limit: int) -> list[StandinPost]:
    """Mastodon's paging: ``min_id`` gives the oldest statuses after it, others the newest."""
    ids = {
        name: int(request.arg(name))
        for name in ("max_id", "since_id", "min_id")
        if request.arg(name)
    }
    if "max_id" in ids:
        found = [p for p in found if int(p.native_id) < ids["max_id"]]
    if "since_id" in ids:
        found = [p for p in found if int(p.native_id) > ids["since_id"]]
    if "min_id" in ids:
        after = [p for p in found if int(p.native_id) > ids["min_id"]]
        return after[-limit:]
    return found[:limit]


def _tags(post: StandinPost) -> set[str]:
    return {hashtag(tag) for tag in _HASHTAG.findall(html_to_text(post.text))}


def _matches(query: str, post: StandinPost) -> bool:
    """Mastodon's search syntax in short: words and "phrases" must occur, -excluded not."""
    text = html_to_text(post.text).casefold()
    for minus, phrase, word in _QUERY_WORD.findall(query):
        found = (phrase or word).casefold() in text
        if found == bool(minus):
            return False
    return True


def _account(post: StandinPost) -> dict[str, object]:
    return {
        "id": str(100_000 + zlib.crc32(post.author.encode())),
        "username": post.author,
        "acct": post.author,
        "display_name": post.author_name or "",
        "locked": False,
        "bot": False,
        "discoverable": True,
        "group": False,
        "created_at": "2022-11-01T00:00:00.000Z",
        "note": "",
        "url": f"https://{HOST}/@{post.author}",
        "avatar": f"https://{HOST}/avatars/original/missing.png",
        "avatar_static": f"https://{HOST}/avatars/original/missing.png",
        "header": f"https://{HOST}/headers/original/missing.png",
        "header_static": f"https://{HOST}/headers/original/missing.png",
        "followers_count": post.followers,
        "following_count": 0,
        "statuses_count": 1,
        "last_status_at": post.created_at.date().isoformat(),
        "emojis": [],
        "fields": [],
    }


def _status(post: StandinPost) -> dict[str, object]:
    return {
        "id": post.native_id,
        "created_at": post.iso(),
        "in_reply_to_id": post.parent_id,
        "in_reply_to_account_id": None,
        "sensitive": post.title is not None,
        "spoiler_text": post.title or "",
        "visibility": "public",
        "language": post.lang,
        "uri": f"https://{HOST}/users/{post.author}/statuses/{post.native_id}",
        "url": f"https://{HOST}/@{post.author}/{post.native_id}",
        "replies_count": post.replies,
        "reblogs_count": post.reposts,
        "favourites_count": post.likes,
        "edited_at": None,
        "content": post.text,
        "reblog": None,
        "application": None,
        "account": _account(post),
        "media_attachments": [],
        "mentions": [],
        "tags": [{"name": tag, "url": f"https://{HOST}/tags/{tag}"} for tag in sorted(_tags(post))],
        "emojis": [],
        "card": None,
        "poll": None,
    }
