"""Names of Kikimimi's indices, aliases and templates, derived from one prefix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class IndexNames:
    """Every index-level name the indexer uses, for one ``prefix``."""

    prefix: str

    @property
    def mentions_alias(self) -> str:
        """Alias over all monthly mention indices (search and Kibana use it)."""
        return f"{self.prefix}-mentions"

    @property
    def mentions_pattern(self) -> str:
        return f"{self.prefix}-mentions-*"

    def mention_index(self, published_at: datetime) -> str:
        """The monthly index a mention published at ``published_at`` (UTC) lives in."""
        return f"{self.prefix}-mentions-{published_at:%Y.%m}"

    @property
    def cases_index(self) -> str:
        return f"{self.prefix}-cases"

    @property
    def case_owners_index(self) -> str:
        """Which case is each author's open one on a brand (read by id, in real time)."""
        return f"{self.prefix}-case-owners"

    @property
    def mentions_template(self) -> str:
        return f"{self.prefix}-mentions"

    @property
    def cases_template(self) -> str:
        return f"{self.prefix}-cases"

    @property
    def settings_component(self) -> str:
        return f"{self.prefix}-settings"
