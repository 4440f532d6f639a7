"""Case work for the web app: the one service layer under the inbox and case pages and the
``/api/v1/cases`` API (no logic twice).

:class:`CaseService` does every case read and action for a :class:`~kikimimi.web.access.
Principal` (another team's case is 404), building the views both the pages and the API
show (:mod:`.views`); :class:`InboxFilters` are the inbox's filters; :class:`Presence`
remembers who is viewing which case (in this process); :class:`CannedResponses` keeps the
teams' canned responses; :func:`case_events` is the live inbox's event stream.
"""

from kikimimi.web.casework.canned import CannedResponse, CannedResponses
from kikimimi.web.casework.dependency import Cases, case_service
from kikimimi.web.casework.filters import InboxFilters
from kikimimi.web.casework.live import case_events
from kikimimi.web.casework.presence import Presence
from kikimimi.web.casework.service import CaseService
from kikimimi.web.casework.views import (
    AuthorCard,
    CaseCard,
    CaseDetail,
    EarlierCase,
    InboxPage,
    Post,
    SlaClock,
    WhyOpened,
)

__all__ = [
    "AuthorCard",
    "CannedResponse",
    "CannedResponses",
    "CaseCard",
    "CaseDetail",
    "CaseService",
    "Cases",
    "EarlierCase",
    "InboxFilters",
    "InboxPage",
    "Post",
    "Presence",
    "SlaClock",
    "WhyOpened",
    "case_events",
    "case_service",
]
