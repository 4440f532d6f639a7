"""The :data:`TrendsService` dependency: a :class:`Trends` on the app's Elasticsearch client
(that of the case service, :mod:`kikimimi.web.casework`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kikimimi.web.casework import Cases
from kikimimi.web.trends.service import Trends


async def trends(cases: Cases) -> Trends:
    """The trends of a request (a dependency; ``async`` so that it is not sent to a worker
    thread)."""
    return Trends(
        settings=cases.settings, client=cases.client, names=cases.names, clock=cases.clock
    )


TrendsService = Annotated[Trends, Depends(trends)]
