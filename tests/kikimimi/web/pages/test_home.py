"""The home redirect, the inbox placeholder and the layout: who is signed in, and the
navigation each role may use."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.kikimimi.web.conftest import sign_in

NAV = {
    "ana": ["Inbox", "Feeds"],
    "ken": ["Inbox", "Feeds", "Dashboard", "Trends"],
    "mia": ["Feeds", "Trends"],
    "root": ["Inbox", "Feeds", "Dashboard", "Trends", "Users"],
}


@pytest.mark.parametrize(("name", "home"), [("ana", "/inbox"), ("mia", "/feeds")])
def test_home_is_the_first_page_the_role_may_open(client: TestClient, name: str, home: str) -> None:
    sign_in(client, name)

    assert client.get("/").headers["location"] == home


@pytest.mark.parametrize("name", sorted(NAV))
def test_the_layout_shows_who_is_signed_in_and_their_navigation(
    client: TestClient, name: str
) -> None:
    sign_in(client, name)

    page = client.get("/feeds")

    assert page.status_code == 200
    assert f'<span class="user-name">{name}</span>' in page.text
    labels = [
        label
        for label in ("Inbox", "Feeds", "Dashboard", "Trends", "Users")
        if f">{label}</a>" in page.text
    ]
    assert labels == NAV[name]
    assert '<a href="/feeds" aria-current="page">Feeds</a>' in page.text
    assert '<form method="post" action="/logout"' in page.text


def test_the_inbox_shows_the_users_teams(client: TestClient) -> None:
    sign_in(client, "ken")

    inbox = client.get("/inbox")

    assert "<h1>Inbox</h1>" in inbox.text
    assert '<li class="team">care</li>' in inbox.text
    assert '<li class="team">care-leads</li>' in inbox.text


def test_pages_load_only_local_assets(client: TestClient) -> None:
    sign_in(client, "ana")

    page = client.get("/inbox").text

    assert '<link rel="stylesheet" href="/static/app.css">' in page
    assert '<script src="/static/app.js" defer></script>' in page
    assert "http://" not in page
    assert "https://" not in page
    assert " style=" not in page
    assert "<style" not in page
    assert "<script>" not in page
    for asset in ("/static/app.css", "/static/app.js", "/static/favicon.svg"):
        assert client.get(asset).status_code == 200
