"""Cursors only move forward: the order of two cursors, and whether a crawl may save its own.

A cursor is a source's position: a number (ids, Unix times), a time (ISO 8601 and the like),
or something of the crawler's own that has no order (the importer's file positions, which
go back to the start when a file is replaced). A saved cursor is replaced only by a later
one; one without an order only by the crawl that started from it, so a crawl that ran
beside another never puts back a position the other already moved past.
"""

from __future__ import annotations

from collections.abc import Mapping

from crawlers.convert import parse_time

__all__ = ["cursor_later", "kept_back", "may_replace"]


def cursor_later(value: str, than: str) -> bool | None:
    """Whether cursor ``value`` is past ``than``, as numbers or else as times; None when
    they are neither."""
    try:
        return float(value) > float(than)
    except ValueError:
        pass
    try:
        return parse_time(value) > parse_time(than)
    except (ValueError, TypeError):
        return None


def may_replace(
    saved: str | None, proposed: str, started_from: str | None, *, start_known: bool
) -> bool:
    """Whether a crawl that started from ``started_from`` (when ``start_known``) may replace
    the ``saved`` cursor with ``proposed``."""
    if saved is None:
        return True
    later = cursor_later(proposed, saved)
    if later is not None:
        return later
    return not start_known or saved == started_from


def kept_back(
    proposed: Mapping[str, str], saved_now: Mapping[str, str], before: Mapping[str, str]
) -> list[str]:
    """The queries whose proposed cursor was not saved (``saved_now`` are those that were)
    although it differs from the one ``before``: another crawl had moved it further."""
    return sorted(
        query
        for query, value in proposed.items()
        if query not in saved_now and before.get(query) != value
    )
