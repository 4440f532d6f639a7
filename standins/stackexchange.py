"""Stand-in of the Stack Exchange API: ``GET /2.3/search/advanced``.

Answers like https://api.stackexchange.com/docs/advanced-search: always gzip-compressed
(``Content-Encoding: gzip``), the wrapper ``{"items", "has_more", "quota_max",
"quota_remaining"}`` plus ``backoff`` (seconds) when asked to send one, questions with
``question_id``, ``title`` (HTML entities), ``body`` (HTML, ``filter=withbody`` only),
``creation_date``/``last_activity_date`` (Unix), ``owner``, ``score``, ``answer_count``,
``view_count``, ``is_answered``, ``link`` and ``tags``; ``q``, ``site``, ``fromdate``/``todate``
(inclusive), ``sort=creation``, ``order``, ``page`` and ``pagesize`` (at most 100). Errors
are HTTP 400 with ``error_id``/``error_name``/``error_message``: a wrong ``key`` is
``bad_parameter`` "key"; a request before a ``backoff`` has passed is ``throttle_violation``.
Without a key the quota is 300 a day, with the right one 10,000.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
import zlib
from collections.abc import Sequence
from html import escape

from standins.server import Reply, Request, StandinPost

__all__ = ["StackExchangeStandin", "api_error", "gzipped"]

_SLUG = re.compile(r"[^a-z0-9]+")


def gzipped(body: bytes, status: int = 200) -> Reply:
    """A reply compressed as the Stack Exchange API always compresses them."""
    return Reply(
        status,
        gzip.compress(body),
        "application/json; charset=utf-8",
        headers={"Content-Encoding": "gzip"},
    )


def api_error(error_id: int, name: str, message: str) -> Reply:
    body = {"error_id": error_id, "error_message": message, "error_name": name}
    return gzipped(json.dumps(body).encode(), status=400)


class StackExchangeStandin:
    """A request handler over the questions ``posts`` of ``site`` (a post's ``title`` is the
    question's title, ``text`` its HTML body, ``likes`` its score, ``replies`` its answers)."""

    def __init__(
        self, posts: Sequence[StandinPost], site: str = "stackoverflow", key: str | None = None
    ) -> None:
        self.posts = list(posts)
        self.site = site
        self.key = key
        self.backoff_next: int | None = None  # seconds to ask for in the next good answer
        self.arrivals: list[tuple[float, Request]] = []  # (monotonic time, request)
        self.used = 0
        self._blocked_until = 0.0
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Reply:
        with self._lock:
            now = time.monotonic()
            self.arrivals.append((now, request))
            if request.path != "/2.3/search/advanced":
                return api_error(404, "no_method", "no method found with this name")
            if now < self._blocked_until:
                wait = int(self._blocked_until - now) + 1
                return api_error(
                    502,
                    "throttle_violation",
                    f"too many requests from this IP, more requests available in {wait} seconds",
                )
            problem = self._check(request)
            if problem is not None:
                return problem
            self.used += 1
            body = self._search(request)
            if self.backoff_next is not None:
                body["backoff"] = self.backoff_next
                self._blocked_until = now + self.backoff_next
                self.backoff_next = None
            return gzipped(json.dumps(body, ensure_ascii=False).encode())

    def _check(self, request: Request) -> Reply | None:
        if "key" in request.query and request.arg("key") != self.key:
            return api_error(400, "bad_parameter", "key")
        site = request.arg("site")
        if not site:
            return api_error(400, "bad_parameter", "site is required")
        if site.removesuffix(".com") != self.site:
            return api_error(400, "bad_parameter", f"No site found for name `{site}`")
        if not 0 <= int(request.arg("pagesize", "30")) <= 100:
            return api_error(400, "bad_parameter", "pagesize")
        if request.arg("sort", "activity") != "creation":
            return api_error(400, "bad_parameter", "sort (the stand-in knows only creation)")
        return None

    def _search(self, request: Request) -> dict[str, object]:
        q = request.arg("q").casefold()
        since = int(request.arg("fromdate", "0"))
        until = int(request.arg("todate", str(2**40)))
        found = [
            p
            for p in self.posts
            if not p.deleted
            and since <= p.unix <= until
            and q in f"{p.title or ''} {p.text}".casefold()
        ]
        found.sort(key=lambda p: p.unix, reverse=request.arg("order", "desc") == "desc")
        size = int(request.arg("pagesize", "30"))
        page = int(request.arg("page", "1"))
        with_body = request.arg("filter") == "withbody"
        quota = 10_000 if self.key and request.arg("key") == self.key else 300
        return {
            "items": [self._question(p, with_body) for p in found[(page - 1) * size : page * size]],
            "has_more": page * size < len(found),
            "quota_max": quota,
            "quota_remaining": max(0, quota - self.used),
        }

    def _question(self, post: StandinPost, with_body: bool) -> dict[str, object]:
        title = post.title or "Question"
        slug = _SLUG.sub("-", title.casefold()).strip("-") or "question"
        question: dict[str, object] = {
            "tags": ["mobile", "esim"],
            "owner": _owner(post, self.site),
            "is_answered": post.replies > 0,
            "view_count": post.reposts,
            "answer_count": post.replies,
            "score": post.likes,
            "last_activity_date": post.unix,
            "creation_date": post.unix,
            "question_id": int(post.native_id),
            "content_license": "CC BY-SA 4.0",
            "link": f"https://{self.site}.com/questions/{post.native_id}/{slug}",
            "title": _entities(title),
        }
        if with_body:
            question["body"] = post.text
        return question


def _entities(text: str) -> str:
    """Text as the API sends titles and names: with HTML entities."""
    return escape(text, quote=False).replace('"', "&quot;").replace("'", "&#39;")


def _owner(post: StandinPost, site: str) -> dict[str, object]:
    name = post.author_name or post.author
    if not post.author:  # a deleted user
        return {"user_type": "does_not_exist", "display_name": name or "user1"}
    user_id = zlib.crc32(post.author.encode()) % 10_000_000
    return {
        "account_id": user_id + 1,
        "reputation": post.followers,
        "user_id": user_id,
        "user_type": "registered",
        "profile_image": f"https://www.gravatar.com/avatar/{user_id}?s=256&d=identicon&r=PG",
        "display_name": _entities(name),
        "link": f"https://{site}.com/users/{user_id}/{post.author}",
    }
