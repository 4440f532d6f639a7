"""``GET /healthz`` answers without signing in."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_healthz_answers_without_auth(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "set-cookie" not in response.headers
    assert client.head("/healthz").status_code == 200
