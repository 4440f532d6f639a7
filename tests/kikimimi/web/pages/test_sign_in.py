"""The login form, the session cookie, sign-out, and throttled failed sign-ins."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from kikimimi.accounts import Accounts
from tests.kikimimi.web.conftest import PASSWORD, FakeClock, NewClient, form_csrf, sign_in

if TYPE_CHECKING:
    from httpx2 import Response  # what the TestClient answers with


def post_login(client: TestClient, name: str, password: str, **extra: str) -> Response:
    token = form_csrf(client.get("/login").text)
    return client.post(
        "/login", data={"name": name, "password": password, "csrf_token": token, **extra}
    )


def test_the_login_form(client: TestClient) -> None:
    response = client.get("/login")

    assert response.status_code == 200
    assert '<form method="post" action="/login"' in response.text
    assert 'autocomplete="current-password"' in response.text
    assert "kikimimi_session" not in response.headers.get("set-cookie", "")


def test_signing_in_lands_on_the_inbox_with_a_session_cookie(client: TestClient) -> None:
    token = form_csrf(client.get("/login").text)

    response = client.post(
        "/login", data={"name": " Ana ", "password": PASSWORD, "csrf_token": token}
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = next(
        header
        for header in response.headers.get_list("set-cookie")
        if header.startswith("kikimimi_session=")
    )
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= flags
    assert "secure" not in flags  # plain http: a Secure cookie would never come back
    assert client.get("/").headers["location"] == "/inbox"
    inbox = client.get("/inbox")
    assert inbox.status_code == 200
    assert "<h1>Inbox</h1>" in inbox.text
    assert '<span class="user-name">ana</span>' in inbox.text


def test_the_session_cookie_is_secure_over_https(new_client: NewClient) -> None:
    client = new_client("https://testserver")
    token = form_csrf(client.get("/login").text)

    response = client.post(
        "/login", data={"name": "ana", "password": PASSWORD, "csrf_token": token}
    )

    cookie = next(
        header
        for header in response.headers.get_list("set-cookie")
        if header.startswith("kikimimi_session=")
    )
    assert "secure" in {part.strip().lower() for part in cookie.split(";")[1:]}


def test_signing_in_goes_back_to_the_page_asked_for(client: TestClient) -> None:
    asked = client.get("/users?x=1")
    login = client.get(asked.headers["location"])
    assert 'name="next" value="/users?x=1"' in login.text

    response = post_login(client, "root", PASSWORD, next="/users?x=1")

    assert response.headers["location"] == "/users?x=1"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/inbox\r\nSet-Cookie: x=1",
        "inbox",
        "",
    ],
)
def test_only_local_paths_are_followed_after_signing_in(client: TestClient, target: str) -> None:
    response = post_login(client, "ana", PASSWORD, next=target)

    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_a_wrong_password_shows_the_form_again(client: TestClient) -> None:
    response = post_login(client, "ana", "wrong password")

    assert response.status_code == 401
    assert "Wrong user name or password." in response.text
    assert 'value="ana"' in response.text  # the name typed stays, the password does not
    assert "wrong password" not in response.text
    assert "kikimimi_session" not in response.headers.get("set-cookie", "")


def test_an_unknown_user_gets_the_same_answer(client: TestClient) -> None:
    wrong_password = post_login(client, "ana", "wrong password")
    unknown = post_login(client, "nobody", "wrong password")

    assert unknown.status_code == wrong_password.status_code == 401
    assert unknown.text.replace("nobody", "ana") == wrong_password.text.replace(
        form_csrf(wrong_password.text), form_csrf(unknown.text)
    )


def test_a_disabled_user_cannot_sign_in(client: TestClient, accounts: Accounts) -> None:
    accounts.set_disabled("ana", True)

    assert post_login(client, "ana", PASSWORD).status_code == 401


def test_failed_sign_ins_are_throttled_with_retry_after(
    client: TestClient, clock: FakeClock
) -> None:
    for _ in range(5):
        assert post_login(client, "ana", "wrong password").status_code == 401

    throttled = post_login(client, "ana", PASSWORD)

    assert throttled.status_code == 429
    assert throttled.headers["retry-after"] == "60"
    assert "Too many failed sign-ins" in throttled.text
    assert "Try again in 1 minute." in throttled.text
    clock.advance(timedelta(seconds=61))
    assert post_login(client, "ana", PASSWORD).status_code == 303


def test_the_login_form_needs_its_own_csrf_token(client: TestClient) -> None:
    client.get("/login")

    missing = client.post("/login", data={"name": "ana", "password": PASSWORD})
    wrong = client.post(
        "/login", data={"name": "ana", "password": PASSWORD, "csrf_token": "forged"}
    )

    assert missing.status_code == wrong.status_code == 403
    assert "The sign-in form expired" in wrong.text
    assert "kikimimi_session" not in wrong.headers.get("set-cookie", "")


def test_signing_in_again_replaces_the_browsers_session(new_client: NewClient) -> None:
    browser, stale_tab = new_client(), new_client()
    token = form_csrf(stale_tab.get("/login").text)  # a login form left open in another tab
    sign_in(browser, "ana")
    first = browser.cookies["kikimimi_session"]
    browser.cookies.set("kikimimi_login", stale_tab.cookies["kikimimi_login"])

    response = browser.post(
        "/login", data={"name": "ken", "password": PASSWORD, "csrf_token": token}
    )

    assert response.status_code == 303
    assert browser.get("/api/v1/me").json()["name"] == "ken"
    browser.cookies.clear()
    browser.cookies.set("kikimimi_session", first)
    assert browser.get("/api/v1/me").status_code == 401


def test_a_signed_in_user_is_sent_on_from_the_login_page(client: TestClient) -> None:
    sign_in(client, "ana")

    response = client.get("/login?next=/inbox")

    assert response.status_code == 303
    assert response.headers["location"] == "/inbox"


def test_signing_out_ends_the_session_and_clears_the_cookie(client: TestClient) -> None:
    token = sign_in(client, "ana")
    cookie = client.cookies["kikimimi_session"]

    response = client.post("/logout", data={"csrf_token": token})

    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    cleared = response.headers["set-cookie"]
    assert cleared.startswith('kikimimi_session=""') or "max-age=0" in cleared.lower()
    client.cookies.set("kikimimi_session", cookie)  # the old cookie replayed
    assert client.get("/api/v1/me").status_code == 401
