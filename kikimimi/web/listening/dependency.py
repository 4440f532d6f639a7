"""The :data:`ListeningService` dependency: a :class:`Listening` on the app's Elasticsearch
client and case store (those of the case service, :mod:`kikimimi.web.casework`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kikimimi.web.casework import Cases
from kikimimi.web.listening.service import Listening


async def listening(cases: Cases) -> Listening:
    """Feeds, spikes, search and the dashboard for a request (a dependency; ``async`` so
    that it is not sent to a worker thread)."""
    return Listening(
        settings=cases.settings,
        client=cases.client,
        names=cases.names,
        store=cases.store,
        clock=cases.clock,
    )


ListeningService = Annotated[Listening, Depends(listening)]
