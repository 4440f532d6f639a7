"""The admin's Users page: list users, add and remove them, issue and revoke API tokens (a
new token is shown once)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from kikimimi.accounts import Accounts, Role
from tests.kikimimi.web.conftest import PASSWORD, sign_in


def test_the_users_page_lists_every_user(client: TestClient) -> None:
    sign_in(client, "root")

    page = client.get("/users")

    assert page.status_code == 200
    assert "<h1>Users</h1>" in page.text
    for name in ("ana", "ken", "mia", "root"):
        assert f'<td class="user-name">{name}</td>' in page.text
    assert "care, care-leads" in page.text


def test_an_admin_adds_a_user_who_can_then_sign_in(client: TestClient, accounts: Accounts) -> None:
    token = sign_in(client, "root")

    added = client.post(
        "/users",
        data={
            "name": "sora",
            "role": "lead",
            "teams": "care, marketing",
            "password": "a new long password",
            "csrf_token": token,
        },
    )

    assert added.status_code == 303
    assert added.headers["location"] == "/users"
    sora = accounts.user("sora")
    assert sora.role is Role.LEAD
    assert sora.teams == ("care", "marketing")
    assert accounts.authenticate("sora", "a new long password") == sora


def test_a_bad_new_user_shows_the_rule_it_breaks(client: TestClient, accounts: Accounts) -> None:
    token = sign_in(client, "root")
    form = {"role": "agent", "teams": "", "password": PASSWORD, "csrf_token": token}

    bad_name = client.post("/users", data={**form, "name": "Has Spaces"})
    taken = client.post("/users", data={**form, "name": "ana"})
    short = client.post("/users", data={**form, "name": "kai", "password": "short"})
    bad_role = client.post("/users", data={**form, "name": "kai", "role": "boss"})

    assert bad_name.status_code == 400
    assert "user name: 1 to 64 lowercase letters" in bad_name.text
    assert taken.status_code == 409
    assert "a user named &#39;ana&#39; exists already" in taken.text
    assert short.status_code == 400
    assert "password: too short" in short.text
    assert bad_role.status_code == 400
    assert "role: must be one of agent, lead, marketer, admin" in bad_role.text
    assert PASSWORD not in bad_name.text + taken.text + short.text + bad_role.text
    assert [user.name for user in accounts.users()] == ["ana", "ken", "mia", "root"]


def test_an_admin_removes_a_user(client: TestClient, accounts: Accounts) -> None:
    token = sign_in(client, "root")

    removed = client.post("/users/mia/remove", data={"csrf_token": token})

    assert removed.status_code == 303
    assert [user.name for user in accounts.users()] == ["ana", "ken", "root"]
    assert client.post("/users/mia/remove", data={"csrf_token": token}).status_code == 404


def test_an_admin_cannot_remove_themselves(client: TestClient, accounts: Accounts) -> None:
    token = sign_in(client, "root")

    response = client.post("/users/root/remove", data={"csrf_token": token})

    assert response.status_code == 409
    assert "You cannot remove yourself" in response.text
    assert accounts.user("root").name == "root"


def test_a_new_token_is_shown_once_and_works(client: TestClient, accounts: Accounts) -> None:
    token = sign_in(client, "root")

    issued = client.post("/users/ken/tokens", data={"csrf_token": token})

    assert issued.status_code == 200
    assert issued.headers["cache-control"] == "no-store"
    found = re.search(r'<code id="new-token">(kkm_[A-Za-z0-9_-]{43})</code>', issued.text)
    assert found, issued.text
    secret = found.group(1)
    assert accounts.user_for_token(secret) == accounts.user("ken")
    assert secret not in client.get("/users").text
    [listed] = accounts.tokens("ken")
    assert listed.id in client.get("/users").text


def test_an_admin_revokes_a_token(client: TestClient, accounts: Accounts) -> None:
    token = sign_in(client, "root")
    issued = accounts.issue_token("ken")

    revoked = client.post(f"/users/ken/tokens/{issued.token.id}/revoke", data={"csrf_token": token})

    assert revoked.status_code == 303
    assert accounts.tokens("ken") == []
    assert accounts.user_for_token(issued.secret) is None
    again = client.post(f"/users/ken/tokens/{issued.token.id}/revoke", data={"csrf_token": token})
    assert again.status_code == 404
