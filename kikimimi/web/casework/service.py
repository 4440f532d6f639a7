"""The service layer of case work: every read and action of the inbox and case pages and
of the ``/api/v1/cases`` API, for one signed-in user.

Each call takes the :class:`~kikimimi.web.access.Principal` and checks the case's team
against their scope first: another team's case is 404, as if it did not exist (the routes
have checked the role already: 403). Actions are recorded with the user as actor at the
app's clock; :class:`core.CaseHeldError` and the other case errors pass through to the
app's error handlers (409 naming the holder, ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from elasticsearch import Elasticsearch

from alerts import CaseStore, case_author_key
from config import Settings
from core import (
    Case,
    CaseNotFoundError,
    CaseValueError,
    IndexedMention,
    IndexNames,
    UserNotFoundError,
    elasticsearch_errors,
)
from kikimimi.accounts import Accounts, Permission, can_on_team, team_scope
from kikimimi.web.access import Principal, ensure_on_team
from kikimimi.web.casework import views
from kikimimi.web.casework.canned import CannedResponse, CannedResponses
from kikimimi.web.casework.filters import InboxFilters
from kikimimi.web.casework.presence import Presence
from kikimimi.web.context import Clock

NOT_ACTIONABLE = "not actionable"
EARLIER_CASES = 10
CHANGES_AT_ONCE = 500


class CaseService:
    """Case work for signed-in users (thread-safe: the stores are)."""

    def __init__(
        self,
        *,
        settings: Settings,
        store: CaseStore,
        client: Elasticsearch,
        names: IndexNames,
        accounts: Accounts,
        canned: CannedResponses,
        presence: Presence,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.store = store
        self.client = client
        self.names = names
        self.accounts = accounts
        self.canned = canned
        self.presence = presence
        self.clock = clock

    # reading

    def inbox(self, principal: Principal, filters: InboxFilters) -> views.InboxPage:
        """One page of the cases of the user's teams that ``filters`` ask for, most urgent
        first."""
        page = self.store.inbox(filters.query(principal.user))
        now = self.clock()
        return views.InboxPage(
            cases=[views.card(case, now) for case in page.cases],
            total=page.total,
            next_cursor=page.next_cursor,
        )

    def case(self, principal: Principal, case_id: str) -> Case:
        """The case, if the user may read it (else 404)."""
        return self._read(principal, case_id, Permission.READ_CASES)

    def detail(
        self, principal: Principal, case_id: str, *, viewing: bool = True
    ) -> views.CaseDetail:
        """The case with its posts in order, its author card and why it opened; with
        ``viewing``, the user is recorded as viewing it."""
        case = self._read(principal, case_id, Permission.READ_CASES)
        now = self.clock()
        mentions = self._mentions(case.mention_ids)
        found = [mentions[m] for m in case.mention_ids if m in mentions]
        scope = team_scope(principal.user, Permission.READ_CASES)
        earlier = [
            other
            for other in self.store.cases_of_author(case_author_key(case), limit=EARLIER_CASES + 1)
            if other.id != case.id and scope.includes(other.team)
        ][:EARLIER_CASES]
        if viewing:
            others = self.presence.seen(case.id, principal.user.name, now)
        else:
            others = [v for v in self.presence.viewers(case.id, now) if v != principal.user.name]
        return views.CaseDetail(
            case=case,
            card=views.card(case, now),
            posts=[views.post(m, mentions.get(m)) for m in case.mention_ids],
            author=views.author_card(case, found, earlier),
            why=views.why_opened(case, mentions.get(case.mention_ids[0])),
            viewers=others,
        )

    def viewing(self, principal: Principal, case_id: str) -> list[str]:
        """Record that the user views the case; the others viewing it."""
        case = self._read(principal, case_id, Permission.READ_CASES)
        return self.presence.seen(case.id, principal.user.name, self.clock())

    def changes(
        self, principal: Principal, since: datetime, filters: InboxFilters
    ) -> views.Changes:
        """The cases of the user's teams written after ``since`` (at most
        :data:`CHANGES_AT_ONCE`, the oldest first): the cards matching ``filters``, the ids
        of those that no longer match."""
        changed = self.store.changed_since(since, limit=CHANGES_AT_ONCE)
        scope = team_scope(principal.user, Permission.READ_CASES)
        now = self.clock()
        cards: list[views.CaseCard] = []
        gone: list[str] = []
        for case in changed:
            if not scope.includes(case.team):
                continue
            if filters.matches(case, principal.user):
                cards.append(views.card(case, now))
            else:
                gone.append(case.id)
        return views.Changes(
            cards=cards,
            gone=gone,
            latest=max((c.updated_at or c.opened_at for c in changed), default=None),
            more=len(changed) == CHANGES_AT_ONCE,
        )

    # acting

    def claim(self, principal: Principal, case_id: str, *, take_over: bool = False) -> Case:
        self._acting(principal, case_id)
        return self.store.claim(case_id, principal.user.name, self.clock(), take_over=take_over)

    def assign(
        self, principal: Principal, case_id: str, *, user: str | None, team: str | None
    ) -> Case:
        """Hand the case to a user (who must be able to work it) or a team (one the
        configured rules route to, or one of the user's)."""
        case = self._acting(principal, case_id)
        if team is not None and team not in self._known_teams(principal):
            raise CaseValueError("team", "a team the rules route cases to", team)
        if user is not None:
            try:
                assignee = self.accounts.user(user)
            except UserNotFoundError as missing:
                raise CaseValueError("user", "an existing user", user) from missing
            if assignee.disabled or not can_on_team(
                assignee, Permission.ACT_ON_CASES, team or case.team
            ):
                raise CaseValueError("user", "a user who works this case's team", user)
        return self.store.assign(case_id, user, self.clock(), principal.user.name, to_team=team)

    def respond(
        self, principal: Principal, case_id: str, text: str, *, take_over: bool = False
    ) -> Case:
        self._acting(principal, case_id)
        return self.store.respond(
            case_id, self.clock(), principal.user.name, text, take_over=take_over
        )

    def note(self, principal: Principal, case_id: str, text: str) -> Case:
        self._acting(principal, case_id)
        return self.store.note(case_id, text, self.clock(), principal.user.name)

    def tag(self, principal: Principal, case_id: str, tag: str) -> Case:
        self._acting(principal, case_id)
        return self.store.tag(case_id, tag, self.clock(), principal.user.name)

    def untag(self, principal: Principal, case_id: str, tag: str) -> Case:
        self._acting(principal, case_id)
        return self.store.untag(case_id, tag, self.clock(), principal.user.name)

    def set_priority(self, principal: Principal, case_id: str, priority: str) -> Case:
        self._acting(principal, case_id)
        return self.store.set_priority(case_id, priority, self.clock(), principal.user.name)

    def merge(self, principal: Principal, case_id: str, into: str) -> Case:
        """Merge the case into another case of the same author (both of the user's
        teams); returns the case merged into."""
        self._acting(principal, case_id)
        self._acting(principal, into)
        return self.store.merge(case_id, into, self.clock(), principal.user.name)

    def close(
        self,
        principal: Principal,
        case_id: str,
        *,
        resolution: str | None = None,
        csat: int | None = None,
    ) -> Case:
        self._acting(principal, case_id)
        return self.store.close(
            case_id, self.clock(), csat, principal.user.name, resolution=resolution
        )

    def close_not_actionable(self, principal: Principal, case_id: str) -> Case:
        return self.close(principal, case_id, resolution=NOT_ACTIONABLE)

    # canned responses

    def canned_responses(
        self, principal: Principal, team: str | None = None, lang: str | None = None
    ) -> list[CannedResponse]:
        """The canned responses of the user's teams (of ``team`` when given, in ``lang``
        or any language when given)."""
        scope = team_scope(principal.user, Permission.READ_CASES)
        if team is not None:
            teams: list[str] | None = [team] if scope.includes(team) else []
        else:
            teams = None if scope.all_teams else sorted(scope.teams)
        return self.canned.of_teams(teams, lang)

    def save_canned_response(
        self,
        principal: Principal,
        *,
        team: str,
        lang: str,
        title: str,
        text: str,
        response_id: str | None = None,
    ) -> CannedResponse:
        """Add or replace a canned response of one of the lead's teams."""
        ensure_on_team(principal, Permission.EDIT_CANNED_RESPONSES, team)
        if response_id is not None:
            self._editable(principal, response_id)
        return self.canned.save(
            team=team,
            lang=lang,
            title=title,
            text=text,
            by=principal.user.name,
            now=self.clock(),
            response_id=response_id,
        )

    def remove_canned_response(self, principal: Principal, response_id: str) -> None:
        self._editable(principal, response_id)
        self.canned.remove(response_id)

    def editable_teams(self, principal: Principal) -> list[str]:
        """The teams whose canned responses the user may edit."""
        scope = team_scope(principal.user, Permission.EDIT_CANNED_RESPONSES)
        if scope.all_teams:
            return sorted(self._known_teams(principal))
        return sorted(scope.teams)

    # inside

    def _read(self, principal: Principal, case_id: str, permission: Permission) -> Case:
        try:
            case = self.store.get(case_id)
        except CaseNotFoundError:
            ensure_on_team(principal, permission, None)  # 404 unless an admin
            raise
        ensure_on_team(principal, permission, case.team)
        return case

    def _acting(self, principal: Principal, case_id: str) -> Case:
        return self._read(principal, case_id, Permission.ACT_ON_CASES)

    def _editable(self, principal: Principal, response_id: str) -> CannedResponse:
        found = self.canned.get(response_id)
        team = None if found is None else found.team
        ensure_on_team(principal, Permission.EDIT_CANNED_RESPONSES, team)
        if found is None:  # an admin asking for one that does not exist
            raise CaseValueError("canned response", "an existing one", response_id)
        return found

    def _known_teams(self, principal: Principal) -> set[str]:
        rules = {rule.team for rule in self.settings.rules if rule.team}
        return rules | set(principal.user.teams)

    @elasticsearch_errors("read a case's posts")
    def _mentions(self, ids: Sequence[str]) -> dict[str, IndexedMention]:
        """The indexed posts of ``ids`` (those found)."""
        response = self.client.search(
            index=self.names.mentions_alias,
            query={"ids": {"values": list(ids)}},
            size=len(ids),
            ignore_unavailable=True,
            allow_no_indices=True,
        )
        found: dict[str, IndexedMention] = {}
        for hit in response["hits"]["hits"]:
            try:
                found[hit["_id"]] = IndexedMention.model_validate(hit["_source"])
            except ValueError:
                continue  # a document this version cannot read is shown as missing
        return found
