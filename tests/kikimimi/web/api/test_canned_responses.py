"""``/api/v1/canned-responses``: the page's canned responses as JSON, with the page's rules:
agents read their teams', leads change their teams', marketers neither, another team's is
404; a browser session needs its CSRF token to change one; the OpenAPI document lists it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from kikimimi.accounts import Accounts, Role
from tests.kikimimi.web.conftest import PASSWORD, sign_in

if TYPE_CHECKING:
    from httpx2 import Response  # what the TestClient answers with

PATH = "/api/v1/canned-responses"
REFUND = {"team": "care", "lang": "en", "title": "Refund", "text": "We have refunded you."}
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def bearer(accounts: Accounts) -> dict[str, dict[str, str]]:
    """An API token's header for each user: the people of every role, and ``cy``, an
    agent of another team (billing)."""
    accounts.add_user("cy", PASSWORD, Role.AGENT, ["billing"])
    names = ["ana", "ken", "mia", "root", "cy"]
    return {n: {"Authorization": f"Bearer {accounts.issue_token(n).secret}"} for n in names}


def add(client: TestClient, headers: dict[str, str], **fields: Any) -> Response:
    return client.post(PATH, json={**REFUND, **fields}, headers=headers)


def test_a_lead_adds_replaces_and_removes_their_teams(
    client: TestClient, bearer: dict[str, dict[str, str]]
) -> None:
    ken = bearer["ken"]

    added = add(client, ken)
    assert added.status_code == 201
    created = added.json()
    assert {k: created[k] for k in REFUND} == REFUND
    assert created["updated_by"] == "ken"

    path = f"{PATH}/{created['id']}"
    replaced = client.put(path, json={**REFUND, "text": HOSTILE}, headers=ken)
    assert replaced.status_code == 200
    assert replaced.json()["id"] == created["id"]
    assert [r["text"] for r in client.get(PATH, headers=ken).json()] == [HOSTILE]

    removed = client.delete(path, headers=ken)
    assert removed.status_code == 204
    assert client.get(PATH, headers=ken).json() == []
    assert client.delete(path, headers=ken).status_code == 404, "gone"


def test_agents_read_their_teams_and_change_nothing(
    client: TestClient, bearer: dict[str, dict[str, str]]
) -> None:
    add(client, bearer["ken"])
    add(client, bearer["ken"], lang="ja", title="返金", text="返金いたしました。")
    add(client, bearer["ken"], lang="*", title="Thanks", text="Thank you!")
    billing = add(client, bearer["root"], team="billing", title="Bill").json()

    mine = client.get(PATH, headers=bearer["ana"])
    assert mine.status_code == 200
    assert [r["title"] for r in mine.json()] == ["Refund", "Thanks", "返金"]
    english = client.get(PATH, params={"team": "care", "lang": "en"}, headers=bearer["ana"])
    assert [r["title"] for r in english.json()] == ["Refund", "Thanks"], "en, or any"
    other_team = client.get(PATH, params={"team": "billing"}, headers=bearer["ana"])
    assert other_team.json() == []
    assert [r["title"] for r in client.get(PATH, headers=bearer["cy"]).json()] == ["Bill"]
    assert len(client.get(PATH, headers=bearer["root"]).json()) == 4

    assert add(client, bearer["ana"]).status_code == 403
    assert client.delete(f"{PATH}/{billing['id']}", headers=bearer["ana"]).status_code == 403
    assert client.get(PATH, headers=bearer["mia"]).status_code == 403, "marketers: no cases"


def test_another_teams_response_is_not_found(
    client: TestClient, bearer: dict[str, dict[str, str]]
) -> None:
    billing = add(client, bearer["root"], team="billing", title="Bill").json()
    ken = bearer["ken"]

    assert add(client, ken, team="billing").status_code == 404
    assert client.put(f"{PATH}/{billing['id']}", json=REFUND, headers=ken).status_code == 404
    assert client.delete(f"{PATH}/{billing['id']}", headers=ken).status_code == 404
    assert client.delete(f"{PATH}/no-such-id", headers=ken).status_code == 404
    assert [r["title"] for r in client.get(PATH, headers=bearer["root"]).json()] == ["Bill"]


def test_bad_values_are_refused(client: TestClient, bearer: dict[str, dict[str, str]]) -> None:
    ken = bearer["ken"]

    assert add(client, ken, title="  ").status_code == 400
    assert add(client, ken, text="x" * 5001).status_code == 400
    assert add(client, ken, colour="red").status_code == 422
    assert client.post(PATH, json={"team": "care"}, headers=ken).status_code == 422
    assert client.get(PATH, headers=ken).json() == []


def test_a_browser_session_needs_its_csrf_token(client: TestClient) -> None:
    token = sign_in(client, "ken")

    refused = client.post(PATH, json=REFUND)
    assert refused.status_code == 403
    assert client.post(PATH, json=REFUND, headers={"X-CSRF-Token": token}).status_code == 201


def test_the_openapi_document_lists_it(
    client: TestClient, bearer: dict[str, dict[str, str]]
) -> None:
    paths = client.get("/api/v1/openapi.json", headers=bearer["ana"]).json()["paths"]

    assert set(paths[PATH]) == {"get", "post"}
    assert set(paths[f"{PATH}/{{response_id}}"]) == {"put", "delete"}
