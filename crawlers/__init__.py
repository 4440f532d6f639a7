"""The crawling stage: Scrapy spiders and stream consumers that yield ``Mention`` records
into the durable queue, with their cursors and run history.

Public interface: :func:`run_crawl` (one source, one run: a :class:`CrawlRun`),
:class:`CrawlState` (a :class:`SqliteCrawlState` or a :class:`RedisCrawlState`, as
:func:`open_crawl_state` opens it from the settings) and :func:`source_health` (what
``kikimimi sources status`` shows); :class:`SearchTerm` and :func:`html_to_text`, which the
crawl benchmark's raw bound shares with the spiders. Importing it loads Scrapy: the
application imports it only where it crawls or reports on crawls.
"""

from crawlers.convert import html_to_text
from crawlers.health import source_health
from crawlers.queries import SearchTerm
from crawlers.redis_state import RedisCrawlState
from crawlers.runner import run_crawl
from crawlers.sqlite_state import SqliteCrawlState
from crawlers.state import CrawlRun, CrawlState
from crawlers.state_backends import open_crawl_state

__all__ = [
    "CrawlRun",
    "CrawlState",
    "RedisCrawlState",
    "SearchTerm",
    "SqliteCrawlState",
    "html_to_text",
    "open_crawl_state",
    "run_crawl",
    "source_health",
]
