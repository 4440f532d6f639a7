"""Reddit search through the OAuth API with an application-only token.

``POST {token_url}`` (HTTP Basic ``client_id:client_secret``, form
``grant_type=client_credentials``) gives a bearer token; then
``GET {base}/search?q=TERM&sort=new&limit=100&type=link&raw_json=1&after=FULLNAME`` lists
posts newest first, paged by the Listing's ``after``. The cursor of a term is the newest
``created_utc`` collected; paging stops at the first post that is not newer. When
``X-Ratelimit-Remaining`` reaches 0 the spider pauses for ``X-Ratelimit-Reset`` seconds.

A post is deleted when Reddit says the post is: its text ``[deleted]``/``[removed]`` or a
``removed_by_category``. An author shown as ``[deleted]`` (the account is gone) leaves the
post live with an unknown author. A title-only self post (``selftext`` empty or blank, e.g.
``"\\n\\n"``) has its title as its text.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy import Request
from scrapy.http import Response
from w3lib.http import basic_auth_header

from config import RedditSource
from crawlers.convert import from_unix, html_to_text
from crawlers.logsafe import hide_in_logs
from crawlers.middlewares import pause_spider
from crawlers.spiders.base import MentionSpider

__all__ = ["RedditSpider"]

logger = logging.getLogger(__name__)

PAGE_LIMIT = 100
SITE = "https://www.reddit.com"
AUTH_QUERY = "(authentication)"
GONE = frozenset({"[deleted]", "[removed]"})


class RedditSpider(MentionSpider):
    name = "reddit"
    source_type = "reddit"
    access_token = ""

    async def start(self) -> AsyncIterator[Request]:
        if not isinstance(self.source, RedditSource):
            return
        source = self.source
        yield self.request(
            str(source.token_url),
            self.on_token,
            AUTH_QUERY,
            method="POST",
            body=urlencode({"grant_type": "client_credentials"}),
            headers={
                "Authorization": basic_auth_header(
                    source.client_id.get_secret_value(), source.client_secret.get_secret_value()
                ),
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )

    def on_token(self, response: Response) -> Iterator[Request]:
        """With the access token, one search per term."""
        body = self.read_json(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            if body is not None:
                error = body.get("error") if isinstance(body, dict) else None
                logger.error("%s: no access token (%s)", self.source_name, error or "no token")
                self.failed_queries.add(AUTH_QUERY)
            return
        hide_in_logs(token)
        self.access_token = token
        source = self.source
        base = str(source.base_url).rstrip("/") if isinstance(source, RedditSource) else SITE
        for term in self.terms:
            since = float(self.cursors.get(term.phrase, "0"))
            yield self.page_request(base, term.phrase, since, after=None, page=1)

    def page_request(
        self, base: str, query: str, since: float, after: str | None, page: int
    ) -> Request:
        params: dict[str, str | int] = {
            "q": query,
            "sort": "new",
            "limit": PAGE_LIMIT,
            "type": "link",
            "raw_json": 1,
        }
        if after:
            params["after"] = after
        return self.request(
            f"{base}/search?{urlencode(params)}",
            self.parse,
            query,
            headers={"Authorization": f"bearer {self.access_token}"},
            cb_kwargs={"base": base, "since": since, "page": page},
        )

    def parse(
        self, response: Response, base: str = "", since: float = 0.0, page: int = 1
    ) -> Iterator[Any]:
        """Posts newer than the cursor become mentions; ``after`` pages on until known ones.

        @fixture reddit/search.json
        @returns items 3 3
        @returns requests 0 0
        @scrapes source native_id url text title published_at author deleted
        """
        self.respect_rate_limit(response)
        body = self.read_json(response)
        data = body.get("data") if isinstance(body, dict) else None
        children = data.get("children") if isinstance(data, dict) else None
        query = response.meta.get("query", "")
        if not isinstance(data, dict) or not isinstance(children, list):
            if body is not None:
                self.malformed(response, "not a Listing")
                self.failed_queries.add(query)
            return
        newest = float(self.next_cursors.get(query, self.cursors.get(query, "0")))
        reached_known = False
        for child in children:
            post = child.get("data") if isinstance(child, dict) else None
            created = _created(post)
            if created is None:
                self.malformed(response, "post without created_utc")
                continue
            if since and created <= since:
                reached_known = True
            if created < since:
                continue
            item = self.post_to_mention(response, post)
            if item is not None:
                newest = max(newest, created)
                yield item
        if query:
            self.advance(query, repr(newest))
        after = data.get("after")
        more = isinstance(after, str) and bool(after) and not reached_known
        if base and more and page < self.max_pages:
            yield self.page_request(base, query, since, after, page + 1)

    @property
    def max_pages(self) -> int:
        return self.source.max_pages if self.source is not None else 1

    def respect_rate_limit(self, response: Response) -> None:
        """Pause every request until the window resets when none are left in it."""
        try:
            remaining = float(response.headers.get(b"X-Ratelimit-Remaining") or b"")
            reset = float(response.headers.get(b"X-Ratelimit-Reset") or b"")
        except ValueError:
            return
        if remaining < 1:
            logger.info("%s: rate limit used up, pausing %.0f s", self.source_name, reset)
            pause_spider(self, reset)

    def post_to_mention(self, response: Response, post: Any) -> dict[str, Any] | None:
        try:
            fullname = str(post["name"])
            permalink = str(post["permalink"])
            created = from_unix(float(post["created_utc"]))
            title = str(post.get("title") or "")
        except (KeyError, TypeError, ValueError) as exc:
            self.malformed(response, f"post without {exc}")
            return None
        author = post.get("author")
        selftext = str(post.get("selftext") or "").strip()
        gone = selftext in GONE  # the post itself deleted or removed, not just its author
        body = "" if gone else html_to_text(post.get("selftext_html")) or selftext
        known_author = isinstance(author, str) and author not in GONE
        return self.mention(
            response,
            native_id=fullname,
            url=SITE + permalink if permalink.startswith("/") else permalink,
            text=body or title,
            title=title or None,
            author={"id": post.get("author_fullname"), "handle": author} if known_author else {},
            published_at=created,
            engagement={"score": post.get("score"), "replies": post.get("num_comments")},
            thread_id=fullname,
            deleted=gone or bool(post.get("removed_by_category")),
        )


def _created(post: Any) -> float | None:
    try:
        return float(post["created_utc"])
    except (KeyError, TypeError, ValueError):
        return None
