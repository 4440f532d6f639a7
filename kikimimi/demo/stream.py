"""The bundled sample stream, moved to the present and split by source.

``sample_mentions.jsonl`` holds 64 realistic English and Japanese posts about the fictional
carrier Hoshi Mobile and its competitors, three weeks of November 2026, with a nationwide
outage on the 18th (the spike), a VIP author, a competitor outage and untagged complaints.
For the demo the whole sample is moved in time so that the outage ends a few minutes ago;
posts that would then lie in the future move two weeks back (same hour of the week).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib import resources

from core import Mention, parse_record
from standins import StandinPost

__all__ = ["OUTAGE_END", "demo_posts", "sample_mentions"]

SAMPLE = "sample_mentions.jsonl"
OUTAGE_END = datetime(2026, 11, 18, 10, 56, tzinfo=UTC)
FOLD = timedelta(weeks=2)


def sample_mentions() -> Iterator[Mention]:
    text = resources.files("kikimimi.demo").joinpath(SAMPLE).read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip():
            yield parse_record(Mention, line)


def _numeric(native_id: str) -> str:
    if native_id.isdigit():
        return native_id
    return str(int(hashlib.sha256(native_id.encode()).hexdigest()[:12], 16))


def demo_posts(now: datetime) -> dict[str, list[StandinPost]]:
    """Stand-in posts per sample source, their times moved so the outage is happening now."""
    shift = now - timedelta(minutes=3) - OUTAGE_END
    by_source: dict[str, list[StandinPost]] = defaultdict(list)
    for mention in sample_mentions():
        when = mention.published_at + shift
        while when > now:
            when -= FOLD
        author = mention.author
        who = author.handle or author.name or author.id or "someone"
        if mention.source == "bluesky":
            who = author.id or who  # the firehose knows authors by DID only
            native_id = mention.native_id.rsplit("/", 1)[-1]
        else:
            native_id = _numeric(mention.native_id)
        by_source[mention.source].append(
            StandinPost(
                native_id=native_id,
                text=mention.text,
                created_at=when,
                author=who,
                author_name=author.name,
                followers=author.followers or 0,
                title=mention.title,
                lang=mention.lang,
                likes=mention.engagement.likes or 0,
                replies=mention.engagement.replies or 0,
                reposts=mention.engagement.reposts or 0,
            )
        )
    return dict(by_source)
