"""The reverse proxy the app believes (``web.trusted_proxies``): single sign-on by its user
header (``web.proxy_user_header``) only from its own address, whatever ``X-Forwarded-For``
claims, as a session with a CSRF token like any other; off by default; its
``X-Forwarded-Proto`` marks the session cookie ``Secure``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from config import Settings
from kikimimi.accounts import Accounts
from kikimimi.web import create_app
from tests.kikimimi.web.conftest import meta_csrf

PROXY = "10.9.8.7"
HEADER = "X-Remote-User"

Client = Callable[[str], TestClient]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    web = {"trusted_proxies": [PROXY, "10.20.0.0/16"], "proxy_user_header": HEADER}
    return Settings.model_validate({"state_dir": str(tmp_path / "var"), "web": web})


@pytest.fixture
def client_from(app: FastAPI) -> Iterator[Client]:
    """A TestClient whose connections come from an address."""
    clients: list[TestClient] = []

    def make(address: str) -> TestClient:
        client = TestClient(app, client=(address, 40000), follow_redirects=False)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def me(client: TestClient, user: str | None = None) -> int:
    headers = {HEADER: user} if user is not None else {}
    return client.get("/api/v1/me", headers=headers).status_code


def test_the_proxy_signs_its_user_in_with_a_session_like_any_other(
    client_from: Client,
) -> None:
    browser = client_from(PROXY)
    as_ana = {HEADER: " Ana "}

    asked = browser.get("/inbox", headers=as_ana)
    assert (asked.status_code, asked.headers["location"]) == (303, "/login?next=%2Finbox")
    signed_in = browser.get("/login?next=%2Finbox", headers=as_ana)
    assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/inbox")
    assert "kikimimi_session" in browser.cookies

    page = browser.get("/canned-responses", headers=as_ana)
    assert page.status_code == 200 and "ana" in page.text
    refused = browser.post("/logout", headers=as_ana)
    assert refused.status_code == 403, "a change still needs the session's CSRF token"
    token = meta_csrf(page.text)
    assert browser.post("/logout", headers={**as_ana, "X-CSRF-Token": token}).status_code == 303


def test_a_session_counts_only_for_the_user_the_proxy_names(client_from: Client) -> None:
    browser = client_from("10.20.3.4")  # a proxy of the trusted network
    browser.get("/login", headers={HEADER: "ana"})
    assert me(browser, "ana") == 200

    assert me(browser, "ken") == 401, "another user behind the same browser"
    assert browser.get("/login", headers={HEADER: "ken"}).status_code == 303
    assert browser.get("/api/v1/me", headers={HEADER: "ken"}).json()["name"] == "ken"
    assert me(browser) == 200, "no header: the session as usual"


def test_an_unknown_or_disabled_user_gets_the_form_saying_so(
    client_from: Client, accounts: Accounts
) -> None:
    browser = client_from(PROXY)
    accounts.set_disabled("mia", disabled=True)

    for name in ("nobody", "mia", "<b>x</b>"):
        form = browser.get("/login", headers={HEADER: name})
        assert form.status_code == 403
        assert "has no enabled account here: ask an admin." in form.text
        assert "kikimimi_session" not in browser.cookies
    assert "&lt;b&gt;x&lt;/b&gt;" in form.text


def test_the_header_is_believed_only_from_the_proxys_own_address(
    client_from: Client,
) -> None:
    elsewhere = client_from("10.0.0.1")
    spoofed = {HEADER: "root", "X-Forwarded-For": PROXY}

    form = elsewhere.get("/login", headers=spoofed)
    assert form.status_code == 200 and 'name="password"' in form.text
    assert "kikimimi_session" not in elsewhere.cookies
    assert me(elsewhere, "root") == 401

    forwarded = client_from(PROXY)  # the proxy tells the real client's address
    signed_in = forwarded.get("/login", headers={HEADER: "root", "X-Forwarded-For": "203.0.113.9"})
    assert signed_in.status_code == 303


def test_it_is_off_by_default(tmp_path: Path, accounts: Accounts) -> None:
    plain = Settings(state_dir=tmp_path / "var")
    assert plain.web.proxy_user_header is None
    app = create_app(plain, accounts=accounts)

    with TestClient(app, client=("127.0.0.1", 40000), follow_redirects=False) as local:
        form = local.get("/login", headers={HEADER: "root", "X-Forwarded-User": "root"})
        assert form.status_code == 200 and 'name="password"' in form.text
        assert me(local, "root") == 401


def test_https_at_the_proxy_makes_the_cookies_secure(client_from: Client) -> None:
    https = {"X-Forwarded-Proto": "https"}

    assert "Secure" in client_from(PROXY).get("/login", headers=https).headers["set-cookie"]
    form_elsewhere = client_from("10.0.0.1").get("/login", headers=https)
    assert "Secure" not in form_elsewhere.headers["set-cookie"]
    signed_in = client_from(PROXY).get("/login", headers={HEADER: "ana", **https})
    assert "kikimimi_session" in signed_in.headers["set-cookie"]
    assert "Secure" in signed_in.headers["set-cookie"]
