"""The app's one :class:`CaseService`: built by :func:`~kikimimi.web.app.create_app` with
:func:`open_case_service`, taken by routes as the :data:`Cases` dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from config import Settings, canned_responses_path
from kikimimi import wiring
from kikimimi.accounts import Accounts
from kikimimi.web.casework.canned import CannedResponses
from kikimimi.web.casework.presence import Presence
from kikimimi.web.casework.service import CaseService
from kikimimi.web.context import Clock


def open_case_service(settings: Settings, accounts: Accounts, clock: Clock) -> CaseService:
    """The service on the configured Elasticsearch (nothing is asked of it yet) and the
    canned responses file; :func:`close_case_service` when the app stops."""
    client = wiring.elasticsearch_client(settings)
    return CaseService(
        settings=settings,
        store=wiring.case_store(settings, client),
        client=client,
        names=wiring.index_names(settings),
        accounts=accounts,
        canned=CannedResponses(canned_responses_path(settings)),
        presence=Presence(),
        clock=clock,
    )


def close_case_service(service: CaseService) -> None:
    service.canned.close()
    service.client.close()


async def case_service(request: Request) -> CaseService:
    """The app's :class:`CaseService` (a dependency; ``async`` so that it is not sent to a
    worker thread)."""
    service: CaseService = request.app.state.cases
    return service


Cases = Annotated[CaseService, Depends(case_service)]
