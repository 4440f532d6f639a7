"""The crawling stage: Scrapy spiders and stream consumers that yield ``Mention`` records
into the durable queue, with their cursors and run history.

Public interface: :func:`run_crawl` (one source, one run), :class:`CrawlState` and
:func:`source_health` (what ``kikimimi sources status`` shows). Importing it loads Scrapy:
the application imports it only where it crawls or reports on crawls.
"""

from crawlers.health import source_health
from crawlers.runner import run_crawl
from crawlers.state import CrawlState

__all__ = ["CrawlState", "run_crawl", "source_health"]
