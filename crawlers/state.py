"""What crawls remember between runs, and the records they remember it in.

- cursors: per (source, query) the position a new run starts from; they only move forward
  (:mod:`crawlers.cursors`), even when crawls of one source overlap;
- seen: every mention id collected, when, and a fingerprint of its changing fields, so a
  post seen again is dropped, or re-emitted within the refresh window when it changed; an
  id not collected again for ``crawl_state.seen_days`` is forgotten;
- runs: one record per crawl with its counts and error, for ``kikimimi sources status``.

Two backends keep them: one SQLite file in the state directory
(:mod:`crawlers.sqlite_state`, the processes of one machine) and Redis
(:mod:`crawlers.redis_state`, crawls on any number of machines).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from core import Mention

__all__ = [
    "SECONDS_PER_DAY",
    "SEEN_DAYS",
    "CrawlRun",
    "CrawlState",
    "Novelty",
    "fingerprint",
    "novelty_of",
]

Novelty = Literal["new", "changed", "known"]

SEEN_DAYS = 90.0
"""How long a collected id is remembered after it was last collected (new or changed)."""
SECONDS_PER_DAY = 86_400


def fingerprint(mention: Mention) -> str:
    """A digest of what may change on a post we already have: text, engagement, deletion."""
    changing = mention.model_dump_json(include={"text", "title", "engagement", "deleted"})
    return hashlib.sha256(changing.encode()).hexdigest()[:16]


def novelty_of(
    mention: Mention,
    seen: tuple[float, str] | None,
    refresh_window_seconds: float,
    now: float,
) -> Novelty:
    """Whether a mention is new, a changed copy of a recent one, or nothing new, given when
    it was first seen and its fingerprint then (``seen``), if it was."""
    if seen is None:
        return "new"
    first_seen, known_fingerprint = seen
    recent = now - first_seen <= refresh_window_seconds
    changed = known_fingerprint != fingerprint(mention)
    return "changed" if recent and changed else "known"


@dataclass(frozen=True)
class CrawlRun:
    """The outcome of one crawl of one source."""

    source: str
    started_at: float
    finished_at: float
    ok: bool
    pages: int = 0
    mentions_new: int = 0
    mentions_changed: int = 0
    malformed: int = 0
    dropped: int = 0
    error: str | None = None

    @property
    def mentions(self) -> int:
        return self.mentions_new + self.mentions_changed

    def summary(self) -> str:
        """One line for people: what the run found, skipped and how it ended."""
        seconds = self.finished_at - self.started_at
        return (
            f"{self.source}: {self.pages} page(s), {self.mentions_new} new, "
            f"{self.mentions_changed} changed, {self.dropped} already collected, "
            f"{self.malformed} malformed, in {seconds:.1f} s"
            + ("" if self.ok else f" — FAILED: {self.error}")
        )


class CrawlState(Protocol):
    """Cursors, seen ids and run history of every source."""

    def cursor(self, source: str, query: str) -> str | None:
        """The saved cursor of one query of a source."""
        ...

    def cursors(self, source: str) -> dict[str, str]:
        """Every saved cursor of a source, by query."""
        ...

    def save_cursors(
        self,
        source: str,
        cursors: Mapping[str, str],
        started_from: Mapping[str, str] | None = None,
    ) -> list[str]:
        """Save the cursors a crawl reached, each only where it moves forward
        (:func:`~crawlers.cursors.may_replace`); ``started_from`` is what the crawl read
        when it started (None: not known). Atomic per cursor. Returns the queries whose
        cursor was kept because another crawl had moved it further."""
        ...

    def novelty(self, mention: Mention, refresh_window_seconds: float) -> Novelty:
        """Whether a mention is new, a changed copy of a recent one, or nothing new."""
        ...

    def has_seen(self, mention_id: str) -> bool:
        """Whether a mention with this id was collected (and not forgotten since)."""
        ...

    def remember(self, mentions: Iterable[Mention]) -> None:
        """Remember mentions as collected now (the first time they were seen is kept)."""
        ...

    def record_run(self, run: CrawlRun) -> None:
        """Keep the outcome of a crawl."""
        ...

    def runs(self, source: str, limit: int = 20) -> list[CrawlRun]:
        """The latest runs of a source, newest first."""
        ...

    def close(self) -> None:
        """Let go of the file or connection."""
        ...
