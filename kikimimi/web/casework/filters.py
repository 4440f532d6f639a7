"""The inbox's filters, as the page's form and the API's query string give them, and the
:class:`alerts.CaseQuery` they become for one user (only their teams' cases)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from alerts import CaseQuery
from core import OPEN_CASE_STATUSES, Case, CaseStatus, Priority
from kikimimi.accounts import Permission, User, team_scope

DEFAULT_PAGE_SIZE = 25
_WORD = re.compile(r"\w+")


class InboxFilters(BaseModel):
    """Which cases of the user's teams the inbox lists. An empty value means "any"; other
    parameters of the page (its messages) are not filters."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    team: str | None = None
    brand: str | None = None
    priority: Priority | None = None
    status: list[CaseStatus] = Field(default_factory=lambda: list(OPEN_CASE_STATUSES))
    source: str | None = None
    lang: str | None = None
    tagged: bool | None = None
    mine: bool = False
    unassigned: bool = False
    q: Annotated[str | None, Field(max_length=200)] = None
    page_size: Annotated[int, Field(ge=1, le=100)] = DEFAULT_PAGE_SIZE
    after: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_any(cls, value: Any) -> Any:
        """A form's empty field (``<option value="">any</option>``) means no filter."""
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, list):
            kept = [item for item in value if not (isinstance(item, str) and not item.strip())]
            return kept or None
        return value

    @field_validator("status", mode="after")
    @classmethod
    def _some_status(cls, value: list[CaseStatus] | None) -> list[CaseStatus]:
        return value or list(OPEN_CASE_STATUSES)

    def query(self, user: User) -> CaseQuery:
        """The inbox query for ``user``: these filters within the teams they may read."""
        return CaseQuery(
            teams=self._teams(user),
            brand=self.brand,
            priority=self.priority,
            status=tuple(self.status),
            source=self.source,
            lang=self.lang,
            tagged=self.tagged,
            assignee=user.name if self.mine else None,
            unassigned=self.unassigned and not self.mine,
            text=self.q,
            page_size=self.page_size,
            after=self.after,
        )

    def matches(self, case: Case, user: User) -> bool:
        """Whether ``case`` belongs in this list for ``user`` (the live inbox asks for each
        changed case). The words of ``q`` are looked for in the excerpt, the author's name
        and handle, or the id, like the search, but without its word analysis."""
        teams = self._teams(user)
        if teams is not None and case.team not in teams:
            return False
        wanted = {
            "brand": self.brand,
            "priority": self.priority,
            "source": self.source,
            "lang": self.lang,
        }
        if any(value is not None and getattr(case, f) != value for f, value in wanted.items()):
            return False
        if case.status not in self.status:
            return False
        if self.tagged is not None and case.tagged != self.tagged:
            return False
        if self.mine and case.assigned_to != user.name:
            return False
        if self.unassigned and not self.mine and case.assigned_to is not None:
            return False
        return self.q is None or _text_matches(self.q, case)

    def _teams(self, user: User) -> list[str] | None:
        scope = team_scope(user, Permission.READ_CASES)
        if scope.all_teams:
            return None if self.team is None else [self.team]
        mine = sorted(scope.teams)
        if self.team is None:
            return mine
        return [self.team] if self.team in scope.teams else []


def _text_matches(text: str, case: Case) -> bool:
    if text.strip() == case.id:
        return True
    haystack = " ".join(
        part for part in (case.excerpt, case.author.name, case.author.handle) if part
    ).casefold()
    return all(word.casefold() in haystack for word in _WORD.findall(text))
