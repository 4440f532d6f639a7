"""The authorisation matrix of the routes built so far: each role on each route, checked by
the one dependency layer (``kikimimi.web.access``) that pages and the API share."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kikimimi.accounts import Accounts
from tests.kikimimi.web.conftest import PEOPLE, sign_in

ROLES = ("ana", "ken", "mia", "root")  # agent, lead, marketer, admin
MATRIX: dict[tuple[str, str], tuple[int, int, int, int]] = {
    ("GET", "/"): (303, 303, 303, 303),
    ("GET", "/inbox"): (200, 200, 403, 200),
    ("GET", "/feeds"): (200, 200, 200, 200),
    ("GET", "/dashboard"): (403, 200, 403, 200),
    ("GET", "/trends"): (403, 200, 200, 200),
    ("GET", "/users"): (403, 403, 403, 200),
    ("POST", "/users"): (403, 403, 403, 400),  # the admin's empty form is refused later
    ("POST", "/users/ana/tokens"): (403, 403, 403, 200),
    ("POST", "/users/ana/tokens/nope/revoke"): (403, 403, 403, 404),
    ("GET", "/api/v1/me"): (200, 200, 200, 200),
    ("GET", "/api/v1/openapi.json"): (200, 200, 200, 200),
    ("POST", "/users/mia/remove"): (403, 403, 403, 303),  # last: mia is gone after it
}


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX))
@pytest.mark.parametrize("name", ROLES)
def test_each_role_on_each_route_with_a_session(
    client: TestClient, method: str, path: str, name: str
) -> None:
    token = sign_in(client, name)

    response = client.request(method, path, headers={"X-CSRF-Token": token})

    assert response.status_code == MATRIX[method, path][ROLES.index(name)], response.text
    if response.status_code == 403:
        role = PEOPLE[name][0]
        assert f"your role ({role}) may not" in response.text


@pytest.mark.parametrize("name", ROLES)
def test_the_api_refuses_the_same_with_a_token(
    client: TestClient, accounts: Accounts, name: str
) -> None:
    headers = {"Authorization": f"Bearer {accounts.issue_token(name).secret}"}

    for (method, path), expected in MATRIX.items():
        response = client.request(method, path, headers=headers)
        assert response.status_code == expected[ROLES.index(name)], (method, path)
