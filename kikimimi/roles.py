"""The roles of ``kikimimi run`` (``--role``), and what each one does.

- ``scheduler``: stands for the scheduler leader (:mod:`kikimimi.leadership`); while it
  leads, it runs the crawl schedule and the sweeps over Elasticsearch that must run once per
  deployment: SLA escalations, the digests and the spike alerts (:mod:`kikimimi.leader`).
- ``pipeline``: claims batches from the queue and takes them through NLP, rules, indexing
  and cases into the outbox; any number with the Redis queue.
- ``notifier``: delivers the outbox's notices.
- ``web``: serves the web app, and sweeps what lives beside it in the state directory of its
  machine: expired browser sessions (the users file) and the emerging themes' embeddings
  (the cache the trends page reads).
- ``all`` (the default): everything but serving the web app, in one process, as
  ``kikimimi run`` always did (``kikimimi web`` serves the app).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

__all__ = ["ROLES", "Duties", "Role"]

Role = Literal["all", "scheduler", "pipeline", "notifier", "web"]
ROLES: tuple[Role, ...] = get_args(Role)


@dataclass(frozen=True)
class Duties:
    """What one role process does (see the module)."""

    role: Role
    scheduler: bool = False
    pipeline: bool = False
    notifier: bool = False
    web: bool = False
    web_sweeps: bool = False

    @classmethod
    def of(cls, role: Role) -> Duties:
        if role == "all":
            return cls(role, scheduler=True, pipeline=True, notifier=True, web_sweeps=True)
        if role == "web":
            return cls(role, web=True, web_sweeps=True)
        return cls(role, **{role: True})

    @property
    def parts(self) -> tuple[str, ...]:
        """The parts of the main job it runs, by name (``web`` not among them)."""
        return tuple(p for p in ("scheduler", "pipeline", "notifier") if getattr(self, p))
