"""Retry-After parsing (crawlers and notification channels share it)."""

from __future__ import annotations

from datetime import UTC, datetime

from core.retry_after import retry_after_seconds


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = datetime(2026, 11, 20, 8, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(b"120") == 120
    assert retry_after_seconds(b"Fri, 20 Nov 2026 08:00:30 GMT", now=now) == 30
    assert retry_after_seconds(b"Fri, 20 Nov 2026 07:00:00 GMT", now=now) == 0
    assert retry_after_seconds(b"soon") is None
    assert retry_after_seconds(None) is None
