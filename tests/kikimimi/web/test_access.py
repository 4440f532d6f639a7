"""Who is asking: every route but ``/healthz``, ``/login`` and the static assets needs a
browser session or an API token; state-changing requests made with a session need its CSRF
token; a bearer token needs none and stops working when revoked."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from kikimimi.accounts import Accounts, Permission
from kikimimi.web.access import CaseReader, ensure_on_team
from tests.kikimimi.web.conftest import FakeClock, NewClient, sign_in

PUBLIC = {"/healthz", "/login"}


def protected_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route that needs a signed-in user, path parameters filled."""
    routes: list[tuple[str, str]] = []
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and route.path not in PUBLIC:
            path = re.sub(r"\{[^}]+\}", "x", route.path or "")
            routes.extend((method, path) for method in sorted(route.methods or ()))
    return routes


def test_the_app_has_the_routes_this_test_walks(app: FastAPI) -> None:
    found = set(protected_routes(app))
    assert {("GET", "/"), ("GET", "/inbox"), ("POST", "/logout"), ("GET", "/users")} <= found
    assert {("GET", "/api/v1/me"), ("GET", "/api/v1/openapi.json")} <= found


def test_pages_redirect_to_sign_in_and_the_api_answers_401(
    app: FastAPI, client: TestClient
) -> None:
    for method, path in protected_routes(app):
        response = client.request(method, path)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path)
            assert response.json() == {"error": "sign in or send an API token"}
            assert response.headers["www-authenticate"] == "Bearer"
        else:
            assert response.status_code == 303, (method, path)
            location = response.headers["location"]
            expected = f"/login?next={path.replace('/', '%2F')}" if method == "GET" else "/login"
            assert location == expected, (method, path)


def test_a_page_redirect_keeps_the_query(client: TestClient) -> None:
    response = client.get("/inbox?team=care&page=2")

    assert response.headers["location"] == "/login?next=%2Finbox%3Fteam%3Dcare%26page%3D2"


def test_an_unknown_or_ended_session_is_not_signed_in(client: TestClient) -> None:
    client.cookies.set("kikimimi_session", "not-a-session")

    assert client.get("/inbox").status_code == 303
    assert client.get("/api/v1/me").status_code == 401


def test_a_session_ends_after_12_idle_hours(client: TestClient, clock: FakeClock) -> None:
    sign_in(client, "ana")
    clock.advance(timedelta(hours=11))
    assert client.get("/api/v1/me").status_code == 200
    clock.advance(timedelta(hours=12, seconds=1))

    assert client.get("/api/v1/me").status_code == 401


def test_a_disabled_users_session_ends(client: TestClient, accounts: Accounts) -> None:
    sign_in(client, "ana")
    accounts.set_disabled("ana", True)

    assert client.get("/inbox").status_code == 303


# CSRF


def test_a_post_with_a_session_but_no_csrf_token_is_refused(client: TestClient) -> None:
    sign_in(client, "ana")

    response = client.post("/logout")

    assert response.status_code == 403
    assert "CSRF" in response.text
    assert client.get("/api/v1/me").status_code == 200  # still signed in


def test_a_wrong_csrf_token_is_refused_in_a_form_and_in_the_header(client: TestClient) -> None:
    token = sign_in(client, "ana")
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert client.post("/logout", data={"csrf_token": wrong}).status_code == 403
    assert client.post("/logout", headers={"X-CSRF-Token": wrong}).status_code == 403
    assert client.post("/logout", headers={b"X-CSRF-Token": "ü".encode() * 40}).status_code == 403


def test_another_sessions_csrf_token_is_refused(new_client: NewClient) -> None:
    first, second = new_client(), new_client()
    sign_in(first, "ana")
    others = sign_in(second, "ana")

    assert first.post("/logout", data={"csrf_token": others}).status_code == 403


def test_the_csrf_token_is_accepted_in_a_form_field(client: TestClient) -> None:
    token = sign_in(client, "ana")

    response = client.post("/logout", data={"csrf_token": token})

    assert response.status_code == 303
    assert client.get("/api/v1/me").status_code == 401


def test_the_csrf_token_is_accepted_in_the_header(client: TestClient) -> None:
    token = sign_in(client, "ana")

    response = client.post("/logout", headers={"X-CSRF-Token": token})

    assert response.status_code == 303


# API tokens


def test_a_bearer_token_works_for_the_api_and_needs_no_csrf_token(
    client: TestClient, accounts: Accounts
) -> None:
    issued = accounts.issue_token("ken")
    headers = {"Authorization": f"Bearer {issued.secret}"}

    me = client.get("/api/v1/me", headers=headers)

    assert me.status_code == 200
    assert me.json()["name"] == "ken"
    assert client.post("/logout", headers=headers).status_code == 303  # no CSRF token needed


def test_a_revoked_token_is_refused(client: TestClient, accounts: Accounts) -> None:
    issued = accounts.issue_token("ken")
    accounts.revoke_token("ken", issued.token.id)

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {issued.secret}"})

    assert response.status_code == 401
    assert response.json() == {"error": "unknown or revoked API token"}


@pytest.mark.parametrize(
    "authorization",
    ["Bearer", "Bearer ", "Basic YW5hOnBhc3N3b3Jk", "kkm_nothing", "Bearer kkm_" + "x" * 43],
)
def test_a_bad_authorization_header_is_refused_even_with_a_session(
    client: TestClient, authorization: str
) -> None:
    sign_in(client, "ana")

    response = client.get("/api/v1/me", headers={"Authorization": authorization})

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


# team checks for the routes that come next


def test_ensure_on_team_hides_another_teams_things(
    app: FastAPI, new_client: NewClient, accounts: Accounts
) -> None:
    @app.get("/api/v1/test-teams/{team}")
    def team_thing(principal: CaseReader, team: str) -> dict[str, str]:
        ensure_on_team(principal, Permission.READ_CASES, team)
        return {"team": team}

    ana = {"Authorization": f"Bearer {accounts.issue_token('ana').secret}"}
    root = {"Authorization": f"Bearer {accounts.issue_token('root').secret}"}
    mia = {"Authorization": f"Bearer {accounts.issue_token('mia').secret}"}
    client = new_client()

    assert client.get("/api/v1/test-teams/care", headers=ana).status_code == 200
    assert client.get("/api/v1/test-teams/billing", headers=ana).json() == {"error": "not found"}
    assert client.get("/api/v1/test-teams/billing", headers=ana).status_code == 404
    assert client.get("/api/v1/test-teams/billing", headers=root).status_code == 200
    assert client.get("/api/v1/test-teams/care", headers=mia).status_code == 403
