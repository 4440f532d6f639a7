"""``GET /api/v1/me`` and the API's OpenAPI document."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kikimimi.accounts import Accounts
from tests.kikimimi.web.conftest import sign_in


def test_me_with_a_token(client: TestClient, accounts: Accounts) -> None:
    headers = {"Authorization": f"Bearer {accounts.issue_token('ken').secret}"}

    me = client.get("/api/v1/me", headers=headers)

    assert me.status_code == 200
    assert me.json() == {
        "name": "ken",
        "role": "lead",
        "teams": ["care", "care-leads"],
        "permissions": {
            "read_cases": "teams",
            "act_on_cases": "teams",
            "edit_canned_responses": "teams",
            "view_dashboard": "teams",
            "read_feeds": "teams",
            "search_mentions": "all",
            "view_trends": "all",
        },
    }


def test_me_with_a_session(client: TestClient) -> None:
    sign_in(client, "mia")

    me = client.get("/api/v1/me").json()

    assert me["role"] == "marketer"
    assert me["permissions"] == {
        "read_feeds": "teams",
        "search_mentions": "all",
        "view_trends": "all",
    }


def test_the_openapi_document_describes_the_api_only(
    client: TestClient, accounts: Accounts
) -> None:
    headers = {"Authorization": f"Bearer {accounts.issue_token('ana').secret}"}

    document = client.get("/api/v1/openapi.json", headers=headers)

    assert document.status_code == 200
    spec = document.json()
    assert spec["info"]["title"] == "Kikimimi API"
    assert "/api/v1/me" in spec["paths"]
    assert all(path.startswith("/api/v1/") for path in spec["paths"]), "no page, no /healthz"
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearer"]["description"],
    }
    assert schemes["session"]["in"] == "cookie"
    assert schemes["session"]["name"] == "kikimimi_session"


def test_no_docs_ui(client: TestClient) -> None:
    for path in ("/docs", "/redoc", "/openapi.json", "/api/v1/docs"):
        assert client.get(path).status_code in {303, 404}, path
