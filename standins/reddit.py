"""Stand-in of Reddit's OAuth API: ``POST /api/v1/access_token`` and ``GET /search``.

Answers like https://www.reddit.com/dev/api: the token endpoint wants HTTP Basic
``client_id:client_secret`` and ``grant_type=client_credentials`` (401 otherwise) and gives a
``bearer`` token; ``/search`` wants ``Authorization: bearer TOKEN`` and a User-Agent (401 /
403 otherwise) and returns a ``Listing`` of ``t3`` posts newest first, paged by ``after``
(``limit`` at most 100), with ``selftext_html`` escaped unless ``raw_json=1``. Deleted posts
come back as Reddit shows them (``[deleted]`` author, ``[removed]`` text). Every search
answer carries ``X-Ratelimit-Used/Remaining/Reset``; past the limit it is a 429.

Quirks of real listings are served too (shape as in turnage/graw
``reddit/redded_fixtures_test.go``): a post whose author deleted their account has the author
``[deleted]``, no ``author_fullname`` and its text intact (give it ``author="[deleted]"``); a
title-only self post has ``selftext`` ``""`` and no ``selftext_html`` (text ``""``), or
whitespace such as ``"\\n\\n"`` kept as written and an empty ``<div class="md">``.
"""

from __future__ import annotations

import base64
import html
import json
import math
import secrets
import threading
import time
from collections.abc import Sequence
from urllib.parse import parse_qs

from standins.server import Reply, Request, StandinPost
from standins.text import html_to_text

__all__ = ["RedditStandin"]

DELETED = "[deleted]"

UNAUTHORIZED = Reply(
    401,
    b'{"message": "Unauthorized", "error": 401}',
    headers={"WWW-Authenticate": 'Bearer realm="reddit", error="invalid_token"'},
)


class RedditStandin:
    """A request handler over ``posts`` for one registered app's credentials."""

    def __init__(
        self,
        posts: Sequence[StandinPost],
        client_id: str,
        client_secret: str,
        *,
        subreddit: str = "japan",
        ratelimit: int = 1000,
        reset_seconds: int = 600,
    ) -> None:
        self.posts = list(posts)
        self.client_id = client_id
        self.client_secret = client_secret
        self.subreddit = subreddit
        self.ratelimit = ratelimit
        self.reset_seconds = reset_seconds
        self.tokens: list[str] = []
        self.search_times: list[float] = []
        self._window_start: float | None = None  # the window opens at the first search
        self._used = 0
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Reply:
        if request.path == "/api/v1/access_token":
            return self._token(request)
        if request.path == "/search":
            return self._search(request)
        return Reply(404, b'{"message": "Not Found", "error": 404}')

    def _token(self, request: Request) -> Reply:
        if request.method != "POST":
            return Reply(405, b'{"message": "Method Not Allowed", "error": 405}')
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return Reply(401, b'{"message": "Unauthorized", "error": 401}')
        form = parse_qs(request.body.decode("utf-8", "replace"))
        if form.get("grant_type") != ["client_credentials"]:
            return Reply(200, b'{"error": "unsupported_grant_type"}')
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.tokens.append(token)
        body = {"access_token": token, "token_type": "bearer", "expires_in": 86400, "scope": "*"}
        return Reply(200, json.dumps(body).encode())

    def _search(self, request: Request) -> Reply:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token not in self.tokens:
            return UNAUTHORIZED
        if not request.headers.get("user-agent"):
            return Reply(403, b"<html><body>Blocked</body></html>", "text/html")
        limits = self._count_request()
        if limits is None:
            return Reply(429, b'{"message": "Too Many Requests", "error": 429}')
        query = request.arg("q").casefold()
        hits = [p for p in self.posts if query in _searchable(p)]
        hits.sort(key=lambda p: p.created_at, reverse=True)
        after = request.arg("after")
        if after:
            names = [f"t3_{p.native_id}" for p in hits]
            hits = hits[names.index(after) + 1 :] if after in names else []
        limit = min(int(request.arg("limit", "25")), 100)
        page, rest = hits[:limit], hits[limit:]
        raw = request.arg("raw_json") == "1"
        body = {
            "kind": "Listing",
            "data": {
                "after": f"t3_{page[-1].native_id}" if page and rest else None,
                "dist": len(page),
                "modhash": "",
                "geo_filter": "",
                "children": [{"kind": "t3", "data": self._post(p, raw)} for p in page],
                "before": None,
            },
        }
        return Reply(200, json.dumps(body, ensure_ascii=False).encode(), headers=limits)

    def _count_request(self) -> dict[str, str] | None:
        """The rate-limit headers of one more request, or None when the window is used up."""
        with self._lock:
            now = time.monotonic()
            self.search_times.append(now)
            if self._window_start is None or now - self._window_start >= self.reset_seconds:
                self._window_start, self._used = now, 0
            if self._used >= self.ratelimit:
                return None
            self._used += 1
            left = self.reset_seconds - (now - self._window_start)
            return {
                "X-Ratelimit-Used": str(self._used),
                "X-Ratelimit-Remaining": f"{self.ratelimit - self._used:.1f}",
                "X-Ratelimit-Reset": str(max(1, math.ceil(left))),
            }

    def _post(self, post: StandinPost, raw: bool) -> dict[str, object]:
        blank = not post.text.strip()
        markup = f'<!-- SC_OFF --><div class="md">{"" if blank else post.text}</div><!-- SC_ON -->'
        permalink = f"/r/{self.subreddit}/comments/{post.native_id}/post/"
        author = DELETED if post.deleted else post.author
        fields: dict[str, object] = {
            "id": post.native_id,
            "name": f"t3_{post.native_id}",
            "title": post.title or html_to_text(post.text)[:80],
            "selftext": _selftext(post),
            "selftext_html": (
                None if post.deleted or not post.text else markup if raw else html.escape(markup)
            ),
            "author": author,
        }
        if author != DELETED:  # an account deleted: no fullname at all
            fields["author_fullname"] = f"t2_{post.author}"
        return {
            **fields,
            "created": float(post.unix),
            "created_utc": float(post.unix),
            "permalink": permalink,
            "url": f"https://www.reddit.com{permalink}",
            "subreddit": self.subreddit,
            "subreddit_name_prefixed": f"r/{self.subreddit}",
            "is_self": True,
            "domain": f"self.{self.subreddit}",
            "thumbnail": "self",
            "edited": False,
            "stickied": False,
            "link_flair_text": None,
            "score": post.likes,
            "ups": post.likes,
            "upvote_ratio": 1.0,
            "num_comments": post.replies,
            "over_18": False,
            "removed_by_category": "deleted" if post.deleted else None,
        }


def _selftext(post: StandinPost) -> str:
    """The post's markdown as Reddit returns it: blank bodies as written."""
    if post.deleted:
        return "[removed]"
    return post.text if not post.text.strip() else html_to_text(post.text)


def _searchable(post: StandinPost) -> str:
    return f"{post.title or ''} {html_to_text(post.text)}".casefold()
