"""Where every crawler's mentions go: de-duplicated, then durably queued.

Shared by the Scrapy pipeline and the non-Scrapy consumers (Jetstream, bulk import). A
mention is remembered as seen only after it is in the queue, so a crash in between can only
queue it twice (harmless: ids are stable), never lose it.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import Mention, MentionQueue
from crawlers.state import CrawlState, Novelty

__all__ = ["MentionSink", "SinkCounts"]


@dataclass
class SinkCounts:
    """What a sink did with the mentions offered to it."""

    new: int = 0
    changed: int = 0
    known: int = 0
    duplicates: int = 0

    @property
    def queued(self) -> int:
        return self.new + self.changed


class MentionSink:
    """Classifies offered mentions (new / changed / known) and queues the new and changed."""

    def __init__(
        self,
        queue: MentionQueue,
        state: CrawlState,
        refresh_window_seconds: float,
        batch_size: int = 200,
    ) -> None:
        self.queue = queue
        self.state = state
        self.refresh_window_seconds = refresh_window_seconds
        self.batch_size = batch_size
        self.counts = SinkCounts()
        self._this_run: set[str] = set()
        self._pending: list[Mention] = []

    def offer(self, mention: Mention) -> Novelty | None:
        """Queue the mention if it is new or changed; None if this run already had it."""
        if mention.id in self._this_run:
            self.counts.duplicates += 1
            return None
        self._this_run.add(mention.id)
        novelty = self.state.novelty(mention, self.refresh_window_seconds)
        if novelty == "known":
            self.counts.known += 1
            return novelty
        if novelty == "new":
            self.counts.new += 1
        else:
            self.counts.changed += 1
        self._pending.append(mention)
        if len(self._pending) >= self.batch_size:
            self.flush()
        return novelty

    def flush(self) -> None:
        """Write pending mentions to the queue, then remember them as seen."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        self.queue.put(pending)
        self.state.remember(pending)
