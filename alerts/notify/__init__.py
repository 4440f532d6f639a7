"""Notifications: channels (webhook, Slack, email, Salesforce, Zendesk) and the durable outbox.

Wiring: ``channels = build_channels(settings)``, ``outbox = Outbox(path)``;
``outbox.enqueue(notices)`` when notices are made, ``outbox.deliver_due(channels)`` on a
schedule. See :mod:`alerts.notify.outbox` for the delivery guarantees.
"""

from __future__ import annotations

from alerts.notify.channels import Channel, build_channel, build_channels
from alerts.notify.outbox import Attempt, DeliveryReport, Outbox, OutboxCounts, OutboxEntry
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
    "build_channel",
    "build_channels",
]
