"""Stand-in of a Discourse forum: ``GET /search.json`` and ``GET /posts/{id}.json``.

Answers like Discourse: full-page search (``q`` with ``order:latest`` and ``after:YYYY-MM-DD``,
``page`` from 1, 50 posts a page) returns ``posts`` (``id``, ``username``, ``created_at``,
``blurb``, ``post_number``, ``topic_id``, ``like_count``...), their ``topics`` and a
``grouped_search_result`` whose ``more_full_page_results`` says whether another page exists.
A post's JSON has ``cooked`` HTML, ``raw``, ``topic_slug``, ``reply_count``, ``reads``,
``actions_summary`` (id 2: likes), ``deleted_at`` and ``user_deleted``. A post with
``parent_id`` is a reply in the topic started by that post; a ``deleted`` post is one its
author withdrew (still found, ``user_deleted`` with the withdrawn text), as Discourse shows.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime

from standins.server import Reply, Request, StandinPost
from standins.text import html_to_text

__all__ = ["DiscourseStandin"]

PER_PAGE = 50
WITHDRAWN = "(post withdrawn by author, will be automatically deleted in 24 hours unless flagged)"
_POST_PATH = re.compile(r"^/posts/(\d+)\.json$")
_AFTER = re.compile(r"\bafter:(\d{4}-\d{2}-\d{2})\b")
_ORDER = re.compile(r"\border:\w+\b")
_NOT_FOUND = (
    b'{"errors":["The requested URL or resource could not be found."],"error_type":"not_found"}'
)


class DiscourseStandin:
    """A request handler over ``posts`` (numeric ``native_id``s)."""

    def __init__(self, posts: Sequence[StandinPost]) -> None:
        self.posts = list(posts)

    def __call__(self, request: Request) -> Reply:
        if request.path == "/search.json":
            return self.search(request)
        match = _POST_PATH.match(request.path)
        if match is not None:
            post = next((p for p in self.posts if p.native_id == match.group(1)), None)
            if post is None:
                return Reply(404, _NOT_FOUND)
            body = json.dumps(self.post_json(post), ensure_ascii=False).encode()
            return Reply(200, body)
        return Reply(404, _NOT_FOUND)

    def search(self, request: Request) -> Reply:
        term = request.arg("q")
        after = _AFTER.search(term)
        words = _ORDER.sub("", _AFTER.sub("", term)).strip().strip('"').casefold()
        found = [p for p in self.posts if words and words in _searchable(p)]
        if after is not None:
            since = datetime.fromisoformat(after.group(1)).replace(tzinfo=UTC)
            found = [p for p in found if p.created_at > since]
        found.sort(key=lambda p: p.created_at, reverse=True)
        page = max(int(request.arg("page", "1")), 1)
        hits = found[(page - 1) * PER_PAGE : page * PER_PAGE]
        topics = {self.topic_id(p): self.topic_json(p) for p in hits}
        body = {
            "posts": [self.hit_json(p) for p in hits],
            "topics": list(topics.values()),
            "users": [],
            "categories": [],
            "tags": [],
            "groups": [],
            "grouped_search_result": {
                "more_posts": None,
                "more_users": None,
                "more_categories": None,
                "term": term,
                "search_log_id": 1,
                "more_full_page_results": True if len(found) > page * PER_PAGE else None,
                "can_create_topic": False,
                "error": None,
                "extra": {},
                "post_ids": [int(p.native_id) for p in hits],
                "user_ids": [],
                "category_ids": [],
                "tag_ids": [],
                "group_ids": [],
            },
        }
        return Reply(200, json.dumps(body, ensure_ascii=False).encode())

    # the topic a post is in

    def root(self, post: StandinPost) -> StandinPost:
        if post.parent_id is None:
            return post
        return next((p for p in self.posts if p.native_id == post.parent_id), post)

    def topic_id(self, post: StandinPost) -> int:
        return 9000 + int(self.root(post).native_id) % 100_000

    def post_number(self, post: StandinPost) -> int:
        root = self.root(post)
        if root is post:
            return 1
        replies = sorted(
            (p for p in self.posts if p.parent_id == root.native_id), key=lambda p: p.created_at
        )
        return 2 + replies.index(post)

    def title(self, post: StandinPost) -> str:
        root = self.root(post)
        return root.title or html_to_text(root.text)[:60]

    # JSON

    def hit_json(self, post: StandinPost) -> dict[str, object]:
        return {
            "id": int(post.native_id),
            "name": post.author_name,
            "username": post.author,
            "avatar_template": f"/user_avatar/forum.example/{post.author}/{{size}}/1_2.png",
            "created_at": post.iso(),
            "like_count": post.likes,
            "blurb": html_to_text(post.text)[:200],
            "post_number": self.post_number(post),
            "topic_title_headline": self.title(post),
            "topic_id": self.topic_id(post),
        }

    def topic_json(self, post: StandinPost) -> dict[str, object]:
        root = self.root(post)
        title = self.title(post)
        count = 1 + sum(1 for p in self.posts if p.parent_id == root.native_id)
        return {
            "id": self.topic_id(post),
            "title": title,
            "fancy_title": title,
            "slug": _slug(title),
            "posts_count": count,
            "reply_count": count - 1,
            "highest_post_number": count,
            "created_at": root.iso(),
            "last_posted_at": root.iso(),
            "bumped": True,
            "bumped_at": root.iso(),
            "archetype": "regular",
            "unseen": False,
            "pinned": False,
            "unpinned": None,
            "visible": True,
            "closed": False,
            "archived": False,
            "bookmarked": None,
            "liked": None,
            "tags": [],
            "tags_descriptions": {},
            "category_id": 4,
            "has_accepted_answer": False,
        }

    def post_json(self, post: StandinPost) -> dict[str, object]:
        cooked = f"<p>{WITHDRAWN}</p>" if post.deleted else post.text
        user_id = zlib.crc32(post.author.encode()) % 100_000
        return {
            "id": int(post.native_id),
            "name": post.author_name,
            "username": post.author,
            "avatar_template": f"/user_avatar/forum.example/{post.author}/{{size}}/1_2.png",
            "created_at": post.iso(),
            "cooked": cooked,
            "post_number": self.post_number(post),
            "post_type": 1,
            "updated_at": post.iso(),
            "reply_count": post.replies,
            "reply_to_post_number": None,
            "quote_count": 0,
            "incoming_link_count": 0,
            "reads": post.reposts,  # StandinPost has no view count: its reposts stand in
            "readers_count": max(post.reposts - 1, 0),
            "score": float(post.likes),
            "yours": False,
            "topic_id": self.topic_id(post),
            "topic_slug": _slug(self.title(post)),
            "display_username": post.author_name,
            "primary_group_name": None,
            "flair_name": None,
            "version": 1,
            "can_edit": False,
            "can_delete": False,
            "can_recover": False,
            "can_see_hidden_post": False,
            "can_wiki": False,
            "user_title": None,
            "bookmarked": False,
            "raw": WITHDRAWN if post.deleted else html_to_text(post.text),
            "actions_summary": [{"id": 2, "count": post.likes, "can_act": False}],
            "moderator": False,
            "admin": False,
            "staff": False,
            "user_id": user_id,
            "hidden": False,
            "trust_level": 1,
            "deleted_at": None,
            "user_deleted": post.deleted,
            "edit_reason": None,
            "can_view_edit_history": True,
            "wiki": False,
        }


def _searchable(post: StandinPost) -> str:
    return f"{post.title or ''} {html_to_text(post.text)}".casefold()


def _slug(title: str) -> str:
    """Discourse's ASCII slugs; a title without ASCII letters gets ``topic``."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.casefold()).strip("-")
    return slug or "topic"
