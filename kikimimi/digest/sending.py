"""Putting an audience's digest of a period in the outbox, once.

Before computing anything, the outbox is asked for the period's keys: when every channel's
notice is already stored (queued or delivered), nothing is computed or stored again. The
outbox then delivers each notice with retries, exactly as it does every other notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from config import DigestSettings, Settings
from kikimimi.digest.content import DigestSources, build_digest
from kikimimi.digest.notices import digest_key, digest_notices
from kikimimi.digest.schedule import DigestPeriod

__all__ = ["DigestSend", "send_digest"]


@dataclass(frozen=True)
class DigestSend:
    """The outbox keys of a digest (one per channel) and how many were newly queued (0:
    the period's digest was already in the outbox)."""

    keys: tuple[str, ...]
    queued: int


def send_digest(
    settings: Settings,
    audience: DigestSettings,
    period: DigestPeriod,
    sources: DigestSources,
    now: datetime,
) -> DigestSend:
    """Compute ``audience``'s digest of ``period`` and queue it for each of its channels,
    unless the outbox holds it already."""
    keys = tuple(digest_key(audience.name, period, channel) for channel in audience.channels)
    if all(sources.outbox.get(key) is not None for key in keys):
        return DigestSend(keys, 0)
    digest = build_digest(settings, audience, period, sources)
    queued = sources.outbox.enqueue(digest_notices(digest, period, audience.channels, now))
    return DigestSend(keys, queued)
