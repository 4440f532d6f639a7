"""Every string a user or the accounts file supplies is rendered escaped: names typed into
the login form, ``next``, error messages quoting a bad value, and names and teams stored in
the accounts file (written here straight into the file, past the store's name rules, as an
attacker with write access or a future bug might)."""

from __future__ import annotations

import json
import sqlite3

from fastapi.testclient import TestClient

from config import Settings, users_path
from tests.kikimimi.web.conftest import form_csrf, sign_in

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>\"'&"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&#34;&#39;&amp;"


def assert_escaped(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert ESCAPED in html


def test_a_hostile_name_typed_into_the_login_form(client: TestClient) -> None:
    token = form_csrf(client.get("/login").text)

    response = client.post(
        "/login", data={"name": HOSTILE, "password": "whatever it is", "csrf_token": token}
    )

    assert response.status_code == 401
    assert_escaped(response.text)


def test_a_hostile_next(client: TestClient) -> None:
    response = client.get("/login", params={"next": "/inbox?" + HOSTILE})

    assert "<script>alert" not in response.text
    assert "<img src=x" not in response.text


def test_a_hostile_new_user_name_in_the_error_message(client: TestClient) -> None:
    token = sign_in(client, "root")

    response = client.post(
        "/users",
        data={
            "name": HOSTILE,
            "role": "agent",
            "teams": HOSTILE,
            "password": "x" * 12,
            "csrf_token": token,
        },
    )

    assert response.status_code == 400
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "<script>alert" not in response.text


def test_hostile_names_and_teams_in_the_accounts_file(
    client: TestClient, settings: Settings
) -> None:
    with sqlite3.connect(users_path(settings)) as db:
        db.execute("UPDATE users SET teams = ? WHERE name = 'root'", (json.dumps([HOSTILE]),))
        db.execute("UPDATE users SET name = ? WHERE name = 'mia'", (HOSTILE,))
    sign_in(client, "root")

    inbox = client.get("/inbox")
    users = client.get("/users")
    me = client.get("/api/v1/me")

    assert_escaped(inbox.text)
    assert_escaped(users.text)
    assert "/users/%3Cscript%3Ealert%281%29%3C%2Fscript%3E" in users.text  # a URL segment
    assert me.headers["content-type"] == "application/json"
    assert me.json()["teams"] == [HOSTILE]
