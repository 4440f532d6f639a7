"""Notification channels, one module per type, and the factory that builds them from settings."""

from __future__ import annotations

from collections.abc import Iterable

from alerts.notify.channels.base import Channel
from alerts.notify.channels.email import EmailChannel
from alerts.notify.channels.salesforce import SalesforceChannel
from alerts.notify.channels.slack import SlackChannel
from alerts.notify.channels.webhook import WebhookChannel
from alerts.notify.channels.zendesk import ZendeskChannel
from config import (
    EmailChannelSettings,
    NotificationChannelSettings,
    SalesforceChannelSettings,
    Settings,
    SlackChannelSettings,
    WebhookChannelSettings,
    ZendeskChannelSettings,
)

__all__ = [
    "Channel",
    "EmailChannel",
    "SalesforceChannel",
    "SlackChannel",
    "WebhookChannel",
    "ZendeskChannel",
    "build_channel",
    "build_channels",
]


def build_channel(settings: NotificationChannelSettings) -> Channel:
    """The channel for one ``notifications[]`` entry (enabled or not)."""
    match settings:
        case WebhookChannelSettings():
            return WebhookChannel(settings)
        case SlackChannelSettings():
            return SlackChannel(settings)
        case EmailChannelSettings():
            return EmailChannel(settings)
        case SalesforceChannelSettings():
            return SalesforceChannel(settings)
        case ZendeskChannelSettings():
            return ZendeskChannel(settings)


def build_channels(
    settings: Settings | Iterable[NotificationChannelSettings],
) -> dict[str, Channel]:
    """Every enabled channel by name; disabled ones are left out (their notices wait)."""
    entries = settings.notifications if isinstance(settings, Settings) else settings
    return {entry.name: build_channel(entry) for entry in entries if entry.enabled}
