"""Canned responses: leads edit their teams', agents read them and find them on the case
page (in the case's language or any); the file is in the state directory."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from config import Settings, canned_responses_path
from tests.kikimimi.web.cases.conftest import HOSTILE, OpenCase
from tests.kikimimi.web.conftest import NewClient, sign_in

pytestmark = pytest.mark.elasticsearch


def add(client: TestClient, token: str, **fields: str) -> int:
    form = {"csrf_token": token, "team": "care", "lang": "en", "title": "t", "text": "x"}
    return client.post("/canned-responses", data={**form, **fields}).status_code


def test_a_lead_edits_and_an_agent_uses_them(
    new_client: NewClient, open_case: OpenCase, settings: Settings
) -> None:
    lead, agent = new_client(), new_client()
    ken, ana = sign_in(lead, "ken"), sign_in(agent, "ana")

    assert add(lead, ken, title="Refund", text="We have refunded you.") == 303
    assert add(lead, ken, lang="ja", title="返金", text="返金いたしました。") == 303
    assert add(lead, ken, lang="*", title="Thanks", text=HOSTILE) == 303
    assert add(lead, ken, team="billing") == 404, "not ken's team"
    assert add(lead, ken, title="  ") == 400
    assert add(agent, ana) == 403, "agents do not edit"
    assert canned_responses_path(settings).exists()

    listing = agent.get("/canned-responses").text
    assert "We have refunded you." in listing and "返金いたしました。" in listing
    assert "<img src=x" not in listing
    case_page = agent.get(f"/cases/{open_case(lang='en').id}").text
    assert '<option value="We have refunded you.">Refund (en)</option>' in case_page
    assert "返金" not in case_page, "another language"
    assert "Thanks (*)" in case_page, "any language"


def test_a_lead_removes_one(client: TestClient) -> None:
    ken = sign_in(client, "ken")
    add(client, ken, title="Old", text="old text")
    page = client.get("/canned-responses").text
    response_id = page.split('action="/canned-responses/')[1].split("/remove")[0]

    removed = client.post(f"/canned-responses/{response_id}/remove", data={"csrf_token": ken})

    assert removed.status_code == 303
    assert "old text" not in client.get("/canned-responses").text
