"""Every response carries the strict Content-Security-Policy and the other security
headers: pages, JSON, redirects, errors and static assets alike."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.kikimimi.web.conftest import sign_in

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def assert_secured(headers: Mapping[str, str], what: str) -> None:
    assert headers["content-security-policy"] == CSP, what
    assert headers["x-content-type-options"] == "nosniff", what
    assert headers["referrer-policy"] == "same-origin", what
    assert headers["x-frame-options"] == "DENY", what


def test_every_kind_of_response_is_secured(client: TestClient) -> None:
    anonymous = [
        ("GET", "/healthz"),
        ("GET", "/login"),
        ("POST", "/login"),
        ("GET", "/inbox"),
        ("GET", "/api/v1/me"),
        ("GET", "/no/such/page"),
        ("GET", "/api/v1/nothing"),
        ("DELETE", "/healthz"),
        ("GET", "/static/app.css"),
        ("GET", "/static/app.js"),
        ("GET", "/static/missing.css"),
    ]
    for method, path in anonymous:
        response = client.request(method, path)
        assert_secured(response.headers, f"{method} {path} -> {response.status_code}")
    too_large = client.post("/login", content=b"x" * 2_000_000)
    assert too_large.status_code == 413
    assert_secured(too_large.headers, "413")
    token = sign_in(client, "ana")
    for method, path in [("GET", "/inbox"), ("GET", "/users"), ("GET", "/api/v1/me")]:
        response = client.request(method, path)
        assert_secured(response.headers, f"{method} {path} -> {response.status_code}")
    logout = client.post("/logout", data={"csrf_token": token})
    assert_secured(logout.headers, "logout")


def test_pages_and_api_answers_are_not_cached(client: TestClient) -> None:
    sign_in(client, "ana")

    assert client.get("/inbox").headers["cache-control"] == "no-store"
    assert client.get("/api/v1/me").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/static/app.css").headers.get("cache-control", "")


def test_the_last_resort_answer_is_secured_too(app: FastAPI) -> None:
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    response = TestClient(app, raise_server_exceptions=False).get("/boom")

    assert response.status_code == 500
    assert_secured(response.headers, "500")
