"""Stand-in of a Bluesky PDS for post search: sessions and ``app.bsky.feed.searchPosts``.

Answers like the atproto lexicons: ``com.atproto.server.createSession`` takes JSON
``identifier`` + ``password`` (401 ``AuthenticationRequired`` otherwise) and gives
``accessJwt``/``refreshJwt``; ``com.atproto.server.refreshSession`` takes the refresh JWT as
bearer; ``searchPosts`` wants ``Authorization: Bearer accessJwt`` (401
``AuthenticationRequired``; 400 ``ExpiredToken`` once an access token has served
``access_uses`` searches), ``q`` (phrases in quotes), ``sort=latest``, ``limit`` 1-100,
``since`` (inclusive, on ``sortAt``) and an opaque ``cursor``, and returns postViews newest
first. Errors are XRPC ``{"error", "message"}``. Deleted posts are gone from search.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections.abc import Sequence

from standins.server import Reply, Request, StandinPost
from standins.text import html_to_text, parse_iso_time

__all__ = ["BlueskySearchStandin"]

CREATE = "/xrpc/com.atproto.server.createSession"
REFRESH = "/xrpc/com.atproto.server.refreshSession"
SEARCH = "/xrpc/app.bsky.feed.searchPosts"


class BlueskySearchStandin:
    """Search over ``posts`` for one account (``identifier`` + app ``password``)."""

    def __init__(
        self,
        posts: Sequence[StandinPost],
        identifier: str,
        password: str,
        *,
        access_uses: int | None = None,
    ) -> None:
        self.posts = list(posts)
        self.identifier = identifier
        self.password = password
        self.access_uses = access_uses
        self.access: dict[str, int] = {}  # access JWT -> searches it has served
        self.refresh: set[str] = set()
        self._lock = threading.Lock()

    @property
    def tokens(self) -> list[str]:
        """Every JWT handed out (to check that none is logged)."""
        return [*self.access, *self.refresh]

    def __call__(self, request: Request) -> Reply:
        if request.path == CREATE and request.method == "POST":
            return self._create(request)
        if request.path == REFRESH and request.method == "POST":
            return self._refresh(request)
        if request.path == SEARCH and request.method == "GET":
            return self._search(request)
        return _error(501, "MethodNotImplemented", "Method Not Implemented")

    def _create(self, request: Request) -> Reply:
        try:
            body = json.loads(request.body)
            identifier, password = str(body["identifier"]), str(body["password"])
        except (ValueError, KeyError, TypeError):
            return _error(400, "InvalidRequest", 'Input must have the property "password"')
        if identifier != self.identifier or password != self.password:
            return _error(401, "AuthenticationRequired", "Invalid identifier or password")
        return self._session()

    def _refresh(self, request: Request) -> Reply:
        token = _bearer(request)
        with self._lock:
            if token not in self.refresh:
                return _error(400, "ExpiredToken", "Token has been revoked")
            self.refresh.discard(token)
        return self._session()

    def _session(self) -> Reply:
        access, refresh = _jwt("com.atproto.access"), _jwt("com.atproto.refresh")
        with self._lock:
            self.access[access] = 0
            self.refresh.add(refresh)
        body = {
            "did": f"did:plc:{self.identifier.split('.')[0]}",
            "handle": self.identifier,
            "accessJwt": access,
            "refreshJwt": refresh,
            "active": True,
        }
        return Reply(200, json.dumps(body).encode())

    def _search(self, request: Request) -> Reply:
        token = _bearer(request)
        with self._lock:
            if token not in self.access:
                return _error(401, "AuthenticationRequired", "Authentication Required")
            if self.access_uses is not None and self.access[token] >= self.access_uses:
                return _error(400, "ExpiredToken", "Token has expired")
            self.access[token] += 1
        query = request.arg("q").strip('"').casefold()
        if not query:
            return _error(400, "InvalidRequest", 'Error: Params must have the property "q"')
        limit = int(request.arg("limit", "25"))
        if not 1 <= limit <= 100:  # the lexicon's bounds
            return _error(400, "InvalidRequest", "Error: limit must be between 1 and 100")
        hits = [p for p in self.posts if not p.deleted and query in _text(p).casefold()]
        since = request.arg("since")
        if since:
            hits = [p for p in hits if p.created_at >= parse_iso_time(since)]
        hits.sort(key=lambda p: p.created_at, reverse=True)
        offset = int(request.arg("cursor") or "0")
        page = hits[offset : offset + limit]
        body: dict[str, object] = {"hitsTotal": len(hits), "posts": [_post_view(p) for p in page]}
        if offset + limit < len(hits):
            body["cursor"] = str(offset + limit)
        return Reply(200, json.dumps(body, ensure_ascii=False).encode())


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token if scheme == "Bearer" else ""


def _jwt(scope: str) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    header = part({"typ": "at+jwt", "alg": "ES256K"})
    claims = part({"scope": scope, "jti": secrets.token_hex(8)})
    return f"{header}.{claims}.{secrets.token_urlsafe(32)}"


def _error(status: int, name: str, message: str) -> Reply:
    return Reply(status, json.dumps({"error": name, "message": message}).encode())


def _text(post: StandinPost) -> str:
    return html_to_text(post.text)


def _did(handle: str) -> str:
    return f"did:plc:{handle.lower()}0000000000000000"


def _uri(post: StandinPost) -> str:
    return f"at://{_did(post.author)}/app.bsky.feed.post/{post.native_id}"


def _post_view(post: StandinPost) -> dict[str, object]:
    record: dict[str, object] = {
        "$type": "app.bsky.feed.post",
        "createdAt": post.iso(),
        "text": _text(post),
    }
    if post.lang:
        record["langs"] = [post.lang]
    if post.parent_id:
        parent = {
            "uri": f"at://{_did('root')}/app.bsky.feed.post/{post.parent_id}",
            "cid": f"bafyrei{post.parent_id}",
        }
        record["reply"] = {"root": parent, "parent": parent}
    return {
        "uri": _uri(post),
        "cid": f"bafyrei{post.native_id}",
        "author": {
            "did": _did(post.author),
            "handle": f"{post.author}.bsky.social",
            "displayName": post.author_name or "",
            "labels": [],
        },
        "record": record,
        "replyCount": post.replies,
        "repostCount": post.reposts,
        "likeCount": post.likes,
        "quoteCount": 0,
        "indexedAt": post.iso(),
        "labels": [],
    }
