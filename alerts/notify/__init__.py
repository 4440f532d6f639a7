"""Notifications: channels (webhook, Slack, email, Salesforce, Zendesk) and the durable outbox.

Wiring: ``channels = build_channels(settings)``; the outbox is a :class:`SqliteOutbox` (one
machine) or a :class:`RedisOutbox` (shared by machines), both an :class:`Outbox`;
``outbox.enqueue(notices)`` when notices are made, ``outbox.deliver_due(channels)`` on a
schedule. See :mod:`alerts.notify.outbox` for the delivery guarantees.
"""

from __future__ import annotations

from alerts.notify.channels import Channel, build_channel, build_channels
from alerts.notify.outbox import Attempt, DeliveryReport, Outbox, OutboxCounts, OutboxEntry
from alerts.notify.redis_outbox import RedisOutbox
from alerts.notify.sqlite_outbox import SqliteOutbox
from core import DeliveryError, NotifyError

__all__ = [
    "Attempt",
    "Channel",
    "DeliveryError",
    "DeliveryReport",
    "NotifyError",
    "Outbox",
    "OutboxCounts",
    "OutboxEntry",
    "RedisOutbox",
    "SqliteOutbox",
    "build_channel",
    "build_channels",
]
