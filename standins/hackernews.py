"""Stand-in of the Hacker News Algolia API: ``GET /api/v1/search_by_date``.

Answers like https://hn.algolia.com/api: ``hits`` newest first with ``objectID``,
``created_at``/``created_at_i``, ``author``, ``title``/``story_text`` for stories and
``comment_text``/``story_id``/``parent_id`` for comments (HTML), ``points``,
``num_comments``, ``_tags`` and ``_highlightResult`` (matches in ``<em>``), the fields of the
other kind present as ``null``; paging by ``page``/``nbPages``/``hitsPerPage``; ``query``,
``tags=(story,comment)`` and ``numericFilters=created_at_i>T`` filter. Post text is served
as given: write it as Hacker News does, paragraphs as ``first<p>second`` (never closed),
entities such as ``&#x27;`` and ``&#x2F;``. The shape follows real captures, e.g.
shazow/communal ``loader/hackernews/hackernews_test.go`` (2015).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from standins.server import Reply, Request, StandinPost
from standins.text import html_to_text

__all__ = ["HackerNewsStandin"]

_FILTER = re.compile(r"^created_at_i([<>]=?)(\d+)$")


class HackerNewsStandin:
    """A request handler over ``posts`` (a post with ``parent_id`` is a comment)."""

    def __init__(self, posts: Sequence[StandinPost]) -> None:
        self.posts = list(posts)
        self._searchable: dict[str, str] = {}

    def __call__(self, request: Request) -> Reply:
        if request.path != "/api/v1/search_by_date":
            return Reply(404, b'{"message":"Not Found","status":404}')
        query = request.arg("query").casefold()
        hits = [p for p in self.posts if not p.deleted and query in self.searchable(p)]
        kinds = set(request.arg("tags", "(story,comment)").strip("()").split(","))
        hits = [p for p in hits if ("comment" if p.parent_id else "story") in kinds]
        for condition in filter(None, request.arg("numericFilters").split(",")):
            match = _FILTER.match(condition)
            if match is None:
                return Reply(400, b'{"message":"invalid numericFilters","status":400}')
            op, value = match.group(1), int(match.group(2))
            hits = [p for p in hits if _compare(p.unix, op, value)]
        hits.sort(key=lambda p: p.created_at, reverse=True)
        per_page = int(request.arg("hitsPerPage", "20"))
        page = int(request.arg("page", "0"))
        pages = (len(hits) + per_page - 1) // per_page
        query = request.arg("query")
        body = {
            "hits": [_hit(p, query) for p in hits[page * per_page : (page + 1) * per_page]],
            "nbHits": len(hits),
            "page": page,
            "nbPages": pages,
            "hitsPerPage": per_page,
            "exhaustiveNbHits": True,
            "query": query,
            "params": "&".join(f"{k}={v[0]}" for k, v in request.query.items()),
            "processingTimeMS": 1,
        }
        return Reply(200, json.dumps(body, ensure_ascii=False).encode())

    def searchable(self, post: StandinPost) -> str:
        """The post's title and plain text, casefolded (cached: posts do not change)."""
        text = self._searchable.get(post.native_id)
        if text is None:
            text = f"{post.title or ''} {html_to_text(post.text)}".casefold()
            self._searchable[post.native_id] = text
        return text


def _compare(left: int, op: str, right: int) -> bool:
    return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[op]


def _hit(post: StandinPost, query: str) -> dict[str, object]:
    base: dict[str, object] = {
        "created_at": post.iso(),
        "created_at_i": post.unix,
        "author": post.author,
        "objectID": post.native_id,
        "updated_at": post.iso(),
        "children": [],
    }
    if post.parent_id:
        return {
            **base,
            "title": None,
            "url": None,
            "story_text": None,
            "comment_text": post.text,
            "num_comments": None,
            "story_id": int(post.parent_id),
            "parent_id": int(post.parent_id),
            "story_title": post.title or "",
            "story_url": None,
            "points": None,
            "_tags": ["comment", f"author_{post.author}", f"story_{post.parent_id}"],
            "_highlightResult": _highlights(
                {"author": post.author, "comment_text": post.text, "story_title": post.title or ""},
                query,
            ),
        }
    title = post.title or html_to_text(post.text)[:80]
    return {
        **base,
        "title": title,
        "url": None,
        "story_text": post.text,
        "comment_text": None,
        "points": post.likes,
        "num_comments": post.replies,
        "story_id": int(post.native_id),
        "story_title": None,
        "story_url": None,
        "parent_id": None,
        "_tags": ["story", f"author_{post.author}", f"story_{post.native_id}"],
        "_highlightResult": _highlights(
            {"author": post.author, "title": title, "story_text": post.text}, query
        ),
    }


def _highlights(fields: Mapping[str, str], query: str) -> dict[str, object]:
    """Algolia's ``_highlightResult``: each field with the query's words in ``<em>``."""
    words = query.casefold().split()
    result: dict[str, object] = {}
    for name, value in fields.items():
        matched = [w for w in words if w in value.casefold()]
        marked = (
            re.sub("|".join(map(re.escape, matched)), r"<em>\g<0></em>", value, flags=re.I)
            if matched
            else value
        )
        level = "none" if not matched else "full" if len(matched) == len(words) else "partial"
        result[name] = {"value": marked, "matchLevel": level, "matchedWords": matched}
    return result
