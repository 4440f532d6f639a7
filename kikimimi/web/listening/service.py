"""The service layer of the feeds page, the dashboard and the ``/api/v1`` feeds, spikes and
mentions routes, for one signed-in user (the pages and the API call the same methods).

Feeds: the mentions whose indexed ``feeds`` name one of the user's teams (any feed for an
admin), newest first; another team's feed is 404. Spikes: the spike notices the main job
recorded in the outbox (a spike belongs to no team: every feed reader sees them). The
dashboard: today's KPIs for the lead's teams (:func:`alerts.kpi_report`, as ``kikimimi
report`` computes them) and the open cases past or near their SLA.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from elasticsearch import Elasticsearch
from fastapi import HTTPException, status

from alerts import CaseQuery, CaseStore, care_tiles, kpi_report
from config import Settings, outbox_path
from core import CaseStatus, IndexedMention, IndexNames, elasticsearch_errors
from indexer import search_mentions
from kikimimi import wiring
from kikimimi.accounts import Permission, TeamScope, team_scope
from kikimimi.web.access import Principal, ensure_on_team
from kikimimi.web.casework.views import card
from kikimimi.web.context import Clock
from kikimimi.web.listening import views

SPIKES_SHOWN = 20
AT_RISK = timedelta(minutes=30)
"""An unanswered case due within this (or due already, before the sweep marks it) is at
risk."""
UNANSWERED: tuple[CaseStatus, ...] = ("open", "assigned")
DASHBOARD_CASES = 50
MAX_PAGE_SIZE = 100


class Listening:
    """Feeds, spikes, mention search and the lead dashboard (thread-safe)."""

    def __init__(
        self,
        *,
        settings: Settings,
        client: Elasticsearch,
        names: IndexNames,
        store: CaseStore,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.client = client
        self.names = names
        self.store = store
        self.clock = clock

    # feeds

    def feed_page(
        self,
        principal: Principal,
        *,
        feed: str | None = None,
        page_size: int = 50,
        cursor: str | None = None,
        since: datetime | None = None,
    ) -> views.FeedPage:
        """The newest items of the user's feeds (of ``feed`` when given: 404 unless one
        of theirs), after ``cursor`` (the page before's ``next_cursor``), published at or
        after ``since`` when given (the live page asks for what is new)."""
        scope = team_scope(principal.user, Permission.READ_FEEDS)
        if feed is not None:
            ensure_on_team(principal, Permission.READ_FEEDS, feed)
            wanted: list[str] | None = [feed]
        else:
            wanted = None if scope.all_teams else sorted(scope.teams)
        if wanted == []:
            return views.FeedPage(items=[], total=0, next_cursor=None)
        filters: list[dict[str, Any]] = [
            {"exists": {"field": "feeds"}} if wanted is None else {"terms": {"feeds": wanted}}
        ]
        if since is not None:
            filters.append({"range": {"published_at": {"gte": since.isoformat()}}})
        hits, total = self._feed_search(filters, page_size, _search_after(cursor))
        items = [_item(source, scope) for source, _ in hits]
        next_cursor = None
        if len(hits) == page_size and hits:
            millis, mention_id = hits[-1][1]
            next_cursor = f"{millis}:{mention_id}"
        return views.FeedPage(
            items=[i for i in items if i is not None], total=total, next_cursor=next_cursor
        )

    def spikes(self, _principal: Principal, *, limit: int = SPIKES_SHOWN) -> list[views.SpikeAlert]:
        """The latest spike alerts, newest first (the route checked ``read_feeds``); none
        before the main job made the outbox (the web app never creates it)."""
        if self.settings.outbox.backend == "sqlite" and not outbox_path(self.settings).exists():
            return []
        with wiring.outbox(self.settings) as outbox:
            notices = outbox.recent("spike", limit)
        return [views.spike_alert(notice) for notice in notices]

    def search(self, principal: Principal, words: str, size: int = 50) -> views.MentionHits:
        """The newest mentions matching ``words`` (English or Japanese)."""
        scope = team_scope(principal.user, Permission.READ_FEEDS)
        if not self._mentions_exist():
            return views.MentionHits(query=words, items=[])
        sources = search_mentions(self.client, self.names, words, size=size)
        items = [_item(source, scope) for source in sources]
        return views.MentionHits(query=words, items=[i for i in items if i is not None])

    # dashboard

    def dashboard(self, principal: Principal) -> views.Dashboard:
        """Today's (UTC) KPIs of the lead's teams, and their open cases past or near the
        SLA, most urgent first."""
        scope = team_scope(principal.user, Permission.VIEW_DASHBOARD)
        teams = None if scope.all_teams else sorted(scope.teams)
        now = self.clock()
        start = datetime.combine(now.date(), time(), tzinfo=now.tzinfo)
        report = kpi_report(self.client, self.names, self.store, start=start, end=now, teams=teams)
        breached = self.store.inbox(
            CaseQuery(teams=teams, sla_breached=True, page_size=DASHBOARD_CASES)
        )
        at_risk = self.store.inbox(
            CaseQuery(
                teams=teams,
                status=UNANSWERED,
                sla_breached=False,
                due_before=now + AT_RISK,
                page_size=DASHBOARD_CASES,
            )
        )
        return views.Dashboard(
            start=start,
            end=now,
            teams=teams,
            tiles=[views.Tile(label=a, value=b, detail=c) for a, b, c in care_tiles(report)],
            by_team=self._by_team(scope, dict(report.by_team)),
            breached=[card(case, now) for case in breached.cases],
            breached_total=breached.total,
            at_risk=[card(case, now) for case in at_risk.cases],
            at_risk_total=at_risk.total,
            at_risk_minutes=int(AT_RISK.total_seconds() // 60),
        )

    def _by_team(self, scope: TeamScope, opened: dict[str, int]) -> list[views.TeamCount]:
        """Each team's open cases and cases opened today: the lead's teams, or for an
        admin every team the rules route to or that opened a case today."""
        if scope.all_teams:
            teams = {rule.team for rule in self.settings.rules if rule.team} | set(opened)
        else:
            teams = set(scope.teams)
        return [
            views.TeamCount(
                team=team,
                open_now=self.store.inbox(CaseQuery(teams=[team], page_size=1)).total,
                opened_today=opened.get(team, 0),
            )
            for team in sorted(teams)
        ]

    @elasticsearch_errors("search mentions")
    def _mentions_exist(self) -> bool:
        """Whether any mention was indexed yet (the alias comes with the first index)."""
        return bool(self.client.indices.exists(index=self.names.mentions_alias))

    @elasticsearch_errors("read the team feeds")
    def _feed_search(
        self, filters: list[dict[str, Any]], size: int, after: list[Any] | None
    ) -> tuple[list[tuple[dict[str, Any], list[Any]]], int]:
        response = self.client.search(
            index=self.names.mentions_alias,
            query={"bool": {"filter": filters}},
            sort=[{"published_at": "desc"}, {"id": "desc"}],
            size=size,
            search_after=after,
            track_total_hits=True,
            ignore_unavailable=True,
            allow_no_indices=True,
        )
        hits = [(hit["_source"], hit["sort"]) for hit in response["hits"]["hits"]]
        return hits, int(response["hits"]["total"]["value"])


def _search_after(cursor: str | None) -> list[Any] | None:
    if cursor is None:
        return None
    millis, _, mention_id = cursor.partition(":")
    if not millis.lstrip("-").isdigit() or not mention_id:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "cursor: not one this API gave")
    return [int(millis), mention_id]


def _item(source: dict[str, Any], scope: TeamScope) -> views.FeedItem | None:
    try:
        mention = IndexedMention.model_validate(source)
    except ValueError:
        return None  # a document this version cannot read is left out
    readable = [feed for feed in mention.feeds if scope.includes(feed)]
    return views.feed_item(mention, readable)
