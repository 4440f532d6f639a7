"""One crawl of a source at a time, across machines.

With the Redis queue (``queue.backend: redis``), ``kikimimi crawl SOURCE`` holds the lease
``<redis.key_prefix>:crawling:<SOURCE>`` while it crawls (:mod:`kikimimi.leadership`). A
crawl that finds the lease held does not crawl and exits with :data:`BUSY_EXIT_STATUS`;
the scheduler logs that and tries again at the source's next interval. This is what keeps
a source from being crawled twice at once when the scheduler leader dies: its crawl
processes go on to their end, and the scheduler that takes over cannot start another crawl
of their sources before they finish (or, killed, their leases run out). With the SQLite
queue everything runs on one machine, and the scheduler runs one crawl per source.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from config import Settings
from core import CrawlError, RedisLease
from kikimimi.leadership import LeaseKeeper, lease_for
from kikimimi.workers import process_name

__all__ = ["BUSY_EXIT_STATUS", "SourceBusyError", "crawling"]

logger = logging.getLogger(__name__)

BUSY_EXIT_STATUS = 75
"""``kikimimi crawl``'s exit status when another crawl of the source runs (EX_TEMPFAIL)."""


class SourceBusyError(CrawlError):
    """Another process crawls the source now."""

    def __init__(self, source: str, holder: str) -> None:
        self.source = source
        self.holder = holder
        super().__init__(f"{source}: not crawled: another crawl of it runs now ({holder})")


@contextmanager
def crawling(settings: Settings, source: str) -> Iterator[None]:
    """Hold the source's crawl lease for the block (nothing to hold with the SQLite queue);
    :class:`SourceBusyError` when another process holds it."""
    if settings.queue.backend != "redis":
        yield
        return
    lease = lease_for(settings, f"crawling:{source}", process_name())
    keeper = LeaseKeeper(
        lease,
        on_lost=lambda: logger.warning(
            "%s: the crawl lost its lease; another crawl of the source may start", source
        ),
    )
    try:
        if not keeper.try_once():
            raise SourceBusyError(source, _holder(lease))
        keeper.start()
        try:
            yield
        finally:
            keeper.stop()
    finally:
        lease.client.close()


def _holder(lease: RedisLease) -> str:
    holder = lease.holder()
    return holder.owner if holder is not None else "its lease just ran out"
