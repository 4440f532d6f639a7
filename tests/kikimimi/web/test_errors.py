"""Unknown routes and malformed requests get a 4xx with one clear message, never a 5xx or a
stack trace; the last-resort handler answers 500 without details and logs the error.

The TestClients here re-raise any exception that reaches the server's last resort, so a
malformed request that got that far fails the test loudly."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from kikimimi.accounts import Accounts
from kikimimi.web.access import CaseActor
from tests.kikimimi.web.conftest import PASSWORD, form_csrf, sign_in


class Note(BaseModel):
    text: str
    count: int


@pytest.fixture
def note_route(app: FastAPI) -> None:
    """A JSON endpoint like the case endpoints that come next."""

    @app.post("/api/v1/test-notes")
    def add_note(principal: CaseActor, note: Note) -> dict[str, int]:
        return {"count": note.count}


def bearer(accounts: Accounts, name: str = "ana") -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.issue_token(name).secret}"}


def test_unknown_routes(client: TestClient) -> None:
    page = client.get("/no/such/page")
    api = client.get("/api/v1/no-such-thing")

    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Not found" in page.text
    assert api.status_code == 404
    assert api.json() == {"error": "not found"}


def test_wrong_methods(client: TestClient) -> None:
    for method, path in [
        ("POST", "/healthz"),
        ("PUT", "/login"),
        ("DELETE", "/api/v1/me"),
        ("TRACE", "/"),
    ]:
        response = client.request(method, path)
        assert response.status_code == 405, (method, path)
        assert "allow" in response.headers


@pytest.mark.usefixtures("note_route")
def test_bad_json_and_wrong_types(client: TestClient, accounts: Accounts) -> None:
    headers = {**bearer(accounts), "Content-Type": "application/json"}
    cases = {
        "not json": b"{'text': ",
        "a list": b"[1, 2]",
        "wrong type": b'{"text": "hi", "count": "many"}',
        "missing field": b'{"count": 1}',
        "bad utf-8": b'{"text": "\xff\xfe", "count": 1}',
        "huge number": b'{"text": "hi", "count": 1' + b"0" * 5000 + b"}",
        "deep nesting": b"[" * 10_000 + b"]" * 10_000,
    }
    for what, body in cases.items():
        response = client.post("/api/v1/test-notes", content=body, headers=headers)
        assert response.status_code in {400, 422}, what
        assert response.json()["error"], what
        assert "Traceback" not in response.text
    good = client.post("/api/v1/test-notes", json={"text": "hi", "count": 2}, headers=headers)
    assert good.json() == {"count": 2}


@pytest.mark.usefixtures("note_route")
def test_a_validation_error_never_echoes_what_was_sent(
    client: TestClient, accounts: Accounts
) -> None:
    response = client.post(
        "/api/v1/test-notes", json={"text": "hi", "count": PASSWORD}, headers=bearer(accounts)
    )

    assert response.status_code == 422
    assert response.json() == {
        "error": "invalid request: body.count: Input should be a valid integer, unable to "
        "parse string as an integer",
        "problems": [
            {
                "field": "body.count",
                "message": "Input should be a valid integer, unable to parse string as an integer",
            }
        ],
    }


def test_huge_bodies_and_fields_are_refused(client: TestClient) -> None:
    token = form_csrf(client.get("/login").text)

    huge_body = client.post(
        "/login", data={"name": "ana", "password": "x" * 2_000_000, "csrf_token": token}
    )
    huge_field = client.post(
        "/login", data={"name": "a" * 100_000, "password": PASSWORD, "csrf_token": token}
    )
    long_name = client.post(
        "/login", data={"name": "a" * 300, "password": PASSWORD, "csrf_token": token}
    )
    many_fields = client.post(
        "/login",
        content="&".join(f"f{i}=1" for i in range(1000)).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert huge_body.status_code == 413
    assert huge_field.status_code == 400
    assert long_name.status_code == 400
    assert "name" in long_name.text
    assert many_fields.status_code == 400


def test_malformed_forms(client: TestClient) -> None:
    token = form_csrf(client.get("/login").text)
    url_encoded = {"Content-Type": "application/x-www-form-urlencoded"}
    cases = [
        (b"name=%ZZ&password=%&csrf_token=" + token.encode(), url_encoded),
        (b"name=ana&password=\xff\xfe&csrf_token=" + token.encode(), url_encoded),
        (b"\x00\x01\x02", url_encoded),
        (b"--x\r\nbroken", {"Content-Type": "multipart/form-data"}),
        (b"--x\r\nbroken", {"Content-Type": "multipart/form-data; boundary=x"}),
        (b'{"name": "ana"}', {"Content-Type": "application/json"}),
        (b"name=ana", {"Content-Type": "text/plain"}),
    ]
    for body, headers in cases:
        response = client.post("/login", content=body, headers=headers)
        assert 400 <= response.status_code < 500, (body, headers, response.status_code)


def test_invalid_percent_encoding_and_odd_paths(client: TestClient) -> None:
    sign_in(client, "ana")
    for path in [
        "/login?next=%ZZ",
        "/login?next=%ff%fe",
        "/inbox?x=%",
        "/%ff%fe",
        "/static/..%2f..%2fpyproject.toml",
        "/static/%00",
        "/users/%00/remove",
        "/" + "a" * 10_000,
    ]:
        response = client.get(path)
        assert response.status_code < 500, path
    assert client.get("/static/..%2f..%2fpyproject.toml").status_code == 404


def test_hostile_headers(client: TestClient) -> None:
    hostile: list[dict[bytes, bytes]] = [
        {b"Authorization": "Bearer ü\u3042".encode()},
        {b"Authorization": b"Bearer " + b"x" * 20_000},
        {b"Authorization": b"Bearer \xff\xfe"},
        {b"Cookie": b"kikimimi_session=" + b"%ff" * 100},
        {b"Cookie": b"kikimimi_session=\xff\xfe"},
        {b"Cookie": b"kikimimi_session"},
        {b"X-CSRF-Token": b"\x7f"},
    ]
    for headers in hostile:
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401, headers


def test_the_last_resort_logs_and_answers_500_without_details(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/api/v1/boom")
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug with a detail only the log may show")

    client = TestClient(app, raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="kikimimi.web"):
        page = client.get("/boom")
        api = client.get("/api/v1/boom")

    assert page.status_code == api.status_code == 500
    assert api.json() == {"error": "internal error: it has been logged"}
    for response in (page, api):
        assert "a bug with" not in response.text
        assert "Traceback" not in response.text
    assert "a bug with a detail only the log may show" in caplog.text
    assert "GET /boom" in caplog.text
