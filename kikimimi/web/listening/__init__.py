"""Listening for the web app: the team feeds, spike alerts, mention search and the lead
dashboard — one service layer (:class:`Listening`) under the ``/feeds`` and ``/dashboard``
pages and the ``/api/v1`` feeds, spikes and mentions routes, and the views they show
(:mod:`.views`)."""

from kikimimi.web.listening.dependency import ListeningService, listening
from kikimimi.web.listening.service import Listening
from kikimimi.web.listening.views import (
    Dashboard,
    FeedItem,
    FeedPage,
    MentionHits,
    SpikeAlert,
    TeamCount,
    Tile,
)

__all__ = [
    "Dashboard",
    "FeedItem",
    "FeedPage",
    "Listening",
    "ListeningService",
    "MentionHits",
    "SpikeAlert",
    "TeamCount",
    "Tile",
    "listening",
]
