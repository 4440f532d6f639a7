"""Stand-in of the App Store customer reviews feed in JSON.

``GET /{cc}/rss/customerreviews/page={n}/id={app}/sortby=mostrecent/json`` answers like
https://itunes.apple.com: ``{"feed": {"author", "entry", "updated", "rights", "title",
"icon", "link", "id"}}`` with 50 reviews a page, newest ``updated`` first, each entry with
``author.name``/``author.uri``, ``updated`` (Pacific time with offset), ``im:rating``,
``im:version``, ``id``, ``title``, ``content`` (``type: text``), ``link``, ``im:voteSum``,
``im:voteCount`` and ``im:contentType``, all as ``{"label": ...}``. One entry on a page is an
object, not a list; past the last page ``entry`` is absent; pages beyond 10 are refused.
A post's ``likes`` is the star rating, ``reposts`` the helpful votes, ``replies`` the votes.

``review_times=False`` answers in the shape of the 2015 to 2020 feeds: reviews carry no
``updated`` (only the feed's own ``updated``, ``built_at``, says when it was made), as in the
Japanese-storefront capture DayBySay/Reviewer ``Tests/ReviewerTests/Fixture.swift`` (2020);
``app_entry=True`` opens page 1 with the app's own entry (``im:name``, ``im:price``, ...), as
older feeds did.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone

from standins.server import Reply, Request, StandinPost

__all__ = ["AppStoreStandin"]

PER_PAGE = 50
MAX_PAGE = 10
PACIFIC = timezone(timedelta(hours=-8))
BUILT_AT = datetime(2026, 11, 20, 1, 0, tzinfo=timezone(timedelta(hours=-7)))
_PATH = re.compile(
    r"^/(?P<cc>[a-z]{2})/rss/customerreviews/page=(?P<page>\d+)/id=(?P<app>\d+)"
    r"/sortby=mostrecent/json$"
)


class AppStoreStandin:
    """A request handler over ``reviews[(country, app_id)]``."""

    def __init__(
        self,
        reviews: Mapping[tuple[str, str], Sequence[StandinPost]],
        *,
        review_times: bool = True,
        app_entry: bool = False,
        built_at: datetime = BUILT_AT,
    ) -> None:
        self.reviews = {key: list(posts) for key, posts in reviews.items()}
        self.review_times = review_times
        self.app_entry = app_entry
        self.built_at = built_at

    def __call__(self, request: Request) -> Reply:
        match = _PATH.match(request.path)
        if match is None:
            return Reply(404, b"<html><body>Not Found</body></html>", "text/html")
        cc, app, page = match["cc"], match["app"], int(match["page"])
        if not 1 <= page <= MAX_PAGE:
            return Reply(400, b"CustomerReviews RSS page depth is limited to 10", "text/plain")
        reviews = sorted(
            (p for p in self.reviews.get((cc, app), []) if not p.deleted),
            key=lambda p: p.created_at,
            reverse=True,
        )
        pages = min(MAX_PAGE, max(1, (len(reviews) + PER_PAGE - 1) // PER_PAGE))
        shown = [
            _entry(cc, app, p, self.review_times)
            for p in reviews[(page - 1) * PER_PAGE : page * PER_PAGE]
        ]
        if shown and self.app_entry and page == 1:
            shown.insert(0, _app_entry(cc, app))
        feed: dict[str, object] = {
            "author": {
                "name": {"label": "iTunes Store"},
                "uri": {"label": "http://www.apple.com/itunes/"},
            },
            "updated": {"label": self.built_at.isoformat()},
            "rights": {"label": "Copyright 2008 Apple Inc."},
            "title": {"label": "iTunes Store: Customer Reviews"},
            "icon": {"label": "http://itunes.apple.com/favicon.ico"},
            "link": [
                _link(
                    "alternate",
                    f"https://apps.apple.com/WebObjects/MZStore.woa/wa/viewGrouping?cc={cc}&id=29099",
                    "text/html",
                ),
                _link("self", _url(cc, app, page)),
                _link("first", _url(cc, app, 1)),
                _link("last", _url(cc, app, pages)),
                _link("previous", _url(cc, app, max(1, page - 1))),
                _link("next", _url(cc, app, min(pages, page + 1))),
            ],
            "id": {"label": _url(cc, app, page)},
        }
        if shown:
            feed = {
                "author": feed.pop("author"),
                "entry": shown[0] if len(shown) == 1 else shown,
                **feed,
            }
        return Reply(
            200,
            json.dumps({"feed": feed}, ensure_ascii=False).encode(),
            "text/javascript; charset=utf-8",
        )


def _url(cc: str, app: str, page: int) -> str:
    return (
        f"https://itunes.apple.com/{cc}/rss/customerreviews/page={page}/id={app}"
        f"/sortby=mostrecent/xml?urlDesc=/customerreviews/page={page}/id={app}"
        "/sortby=mostrecent/json"
    )


def _link(rel: str, href: str, kind: str = "application/xml") -> dict[str, object]:
    return {"attributes": {"rel": rel, "type": kind, "href": href}}


def _app_entry(cc: str, app: str) -> dict[str, object]:
    page = f"https://apps.apple.com/{cc}/app/hoshi-mobile/id{app}?mt=8&uo=2"
    return {
        "im:name": {"label": "Hoshi Mobile"},
        "rights": {"label": "© 2026 Hoshi Mobile K.K."},
        "im:price": {"label": "Get", "attributes": {"amount": "0.00000", "currency": "JPY"}},
        "title": {"label": "Hoshi Mobile - Hoshi Mobile K.K."},
        "link": {"attributes": {"rel": "alternate", "type": "text/html", "href": page}},
        "id": {"label": page, "attributes": {"im:id": app, "im:bundleId": "jp.hoshi.mobile"}},
        "im:contentType": {"attributes": {"term": "Application", "label": "Application"}},
        "im:releaseDate": {"label": "2020-04-01T00:00:00-07:00"},
    }


def _entry(cc: str, app: str, post: StandinPost, with_time: bool) -> dict[str, object]:
    user = zlib.crc32(post.author.encode())
    author = {
        "uri": {"label": f"https://itunes.apple.com/{cc}/reviews/id{user}"},
        "name": {"label": post.author_name or post.author},
        "label": "",
    }
    if not with_time:  # the older shape: no "updated", the version first
        return {
            "author": author,
            "im:version": {"label": "4.2.0"},
            "im:rating": {"label": str(post.likes)},
            **_review(cc, app, post),
        }
    return {
        "author": author,
        "updated": {"label": post.created_at.astimezone(PACIFIC).isoformat()},
        "im:rating": {"label": str(post.likes)},
        "im:version": {"label": "4.2.0"},
        **_review(cc, app, post),
    }


def _review(cc: str, app: str, post: StandinPost) -> dict[str, object]:
    return {
        "id": {"label": post.native_id},
        "title": {"label": post.title or ""},
        "content": {"label": post.text, "attributes": {"type": "text"}},
        "link": {
            "attributes": {
                "rel": "related",
                "href": f"https://itunes.apple.com/{cc}/review?id={app}&type=Purple%20Software",
            }
        },
        "im:voteSum": {"label": str(post.reposts)},
        "im:contentType": {
            "attributes": {
                "term": "Application",
                "label": "アプリケーション" if cc == "jp" else "Application",
            }
        },
        "im:voteCount": {"label": str(post.replies)},
    }
