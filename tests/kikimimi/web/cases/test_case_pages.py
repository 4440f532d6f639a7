"""The inbox and case pages on the real Elasticsearch: cards with their SLA countdown,
filters, bulk actions, every form of the case page (POST-redirect-GET, CSRF), the lock
of a case held by someone else, another team's case as a 404 page, and hostile post text
rendered as text."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from alerts import CaseStore
from tests.kikimimi.web.cases.conftest import HOSTILE, OpenCase
from tests.kikimimi.web.conftest import FakeClock, sign_in

pytestmark = pytest.mark.elasticsearch

ESCAPED_IMG = "&lt;img src=x onerror=alert(1)&gt;"
ESCAPED_SCRIPT = "&lt;script&gt;alert(2)&lt;/script&gt;"


def card_ids(html: str) -> list[str]:
    return re.findall(r'<li class="case-card" id="case-([^"]+)"', html)


def test_the_inbox_lists_my_teams_open_cases_most_urgent_first(
    client: TestClient, open_case: OpenCase, store: CaseStore
) -> None:
    normal = open_case(author="a", text="slow network")
    urgent = open_case(author="b", priority="urgent", text="no service at all")
    open_case(author="c", team="billing")
    closed = open_case(author="d")
    store.close(closed.id, closed.opened_at)
    store.refresh()
    sign_in(client, "ana")

    page = client.get("/inbox")

    assert page.status_code == 200
    assert card_ids(page.text) == [urgent.id, normal.id]
    assert "no service at all" in page.text
    assert f'href="/cases/{urgent.id}"' in page.text
    assert "2 cases" in page.text
    assert '<script src="/static/inbox.js" defer></script>' in page.text


def test_the_sla_countdown_turns_amber_then_red(
    client: TestClient, open_case: OpenCase, clock: FakeClock
) -> None:
    case = open_case(priority="urgent")  # 30 minutes
    sign_in(client, "ana")

    def sla() -> str:
        found = re.search(r'<span class="sla (\w+)">([^<]+)</span>', client.get("/inbox").text)
        assert found, "no SLA on the card"
        return f"{found.group(1)}: {found.group(2)}"

    assert sla() == "ok: due in 30 min"
    clock.advance(timedelta(minutes=24))
    assert sla() == "amber: due in 6 min"
    clock.advance(timedelta(minutes=10))
    assert sla() == "red: overdue 4 min"
    assert case.sla_due_at == case.opened_at + timedelta(minutes=30)


def test_inbox_filters_search_and_paging(client: TestClient, open_case: OpenCase) -> None:
    first = open_case(author="a", priority="urgent", lang="ja", text="料金が二重")
    second = open_case(author="b", priority="high", text="network down")
    sign_in(client, "ana")

    assert card_ids(client.get("/inbox?lang=ja").text) == [first.id]
    assert card_ids(client.get("/inbox?q=network").text) == [second.id]
    assert card_ids(client.get("/inbox?priority=&brand=&q=").text) == [first.id, second.id]
    assert card_ids(client.get("/inbox?team=billing").text) == []
    paged = client.get("/inbox?page_size=1")
    assert card_ids(paged.text) == [first.id]
    next_link = re.search(r'<a href="([^"]+)" rel="next">', paged.text)
    assert next_link
    following = client.get(next_link.group(1).replace("&amp;", "&"))
    assert card_ids(following.text) == [second.id]
    assert "First page" in following.text
    assert client.get("/inbox?priority=asap").status_code == 400


def test_bulk_assign_to_me_and_close_as_not_actionable(
    client: TestClient, open_case: OpenCase, store: CaseStore
) -> None:
    one, two = open_case(author="a"), open_case(author="b")
    held = open_case(author="c")
    store.claim(held.id, "bo", held.opened_at)
    token = sign_in(client, "ana")

    assigned = client.post(
        "/inbox/bulk",
        data={
            "csrf_token": token,
            "action": "assign_me",
            "ids": [one.id, held.id],
            "filters": "lang=en",
        },
    )
    assert assigned.status_code == 303
    assert assigned.headers["location"] == "/inbox?lang=en&done=assign_me&n=1&failed=1"
    assert store.get(one.id).assigned_to == "ana"
    assert store.get(held.id).assigned_to == "bo", "held by bo: not taken"
    message = client.get(assigned.headers["location"]).text
    assert "1 case assigned to you. 1 could not be" in message

    closed = client.post(
        "/inbox/bulk", data={"csrf_token": token, "action": "close", "ids": [two.id]}
    )
    assert closed.status_code == 303
    assert (store.get(two.id).status, store.get(two.id).resolution) == ("closed", "not actionable")
    refused = client.post("/inbox/bulk", data={"action": "close", "ids": [one.id]})
    assert refused.status_code == 403, "no CSRF token"
    assert store.get(one.id).status != "closed"


def test_the_case_page(client: TestClient, open_case: OpenCase) -> None:
    case = open_case(author="vip9", text="my bill is wrong")
    open_case(author="vip9", text="still wrong")
    sign_in(client, "ana")

    page = client.get(f"/cases/{case.id}")

    assert page.status_code == 200
    text = page.text
    assert text.index("my bill is wrong") < text.index("still wrong")
    assert 'href="https://social.example/p/1" rel="noopener noreferrer nofollow"' in text
    assert "1200 followers" in text
    assert '<span class="flag vip">VIP</span>' in text
    assert '<span class="flag dnm">Do not market</span>' in text
    assert "Rule <strong>complaints</strong>: complaint: negative" in text
    assert "Sentiment <strong>negative</strong> (0.91)" in text
    assert "Intent <strong>complaint</strong>" in text
    assert '<script src="/static/case.js" defer></script>' in text


def test_every_form_of_the_case_page(
    client: TestClient, open_case: OpenCase, store: CaseStore, clock: FakeClock
) -> None:
    case = open_case()
    token = sign_in(client, "ana")
    url = f"/cases/{case.id}"

    def post(action: str, **fields: str) -> str:
        answer = client.post(f"{url}/{action}", data={"csrf_token": token, **fields})
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == f"{url}?done={action}"
        clock.advance(timedelta(seconds=1))
        return client.get(answer.headers["location"]).text

    assert "You hold this case now." in post("claim")
    assert "Response recorded." in post("respond", text="We refunded you.")
    assert "Note added." in post("note", text="checked the bill")
    assert "Tag added." in post("tag", tag="refund")
    assert "Tag removed." in post("untag", tag="refund")
    assert "Priority changed." in post("priority", priority="high")
    assert "Case assigned." in post("assign", user="bo")
    closed = post("close", resolution="refunded", csat="5")
    assert "Case closed." in closed
    assert "resolution: refunded; CSAT 5/5" in closed
    done = store.get(case.id)
    assert (done.status, done.csat, done.priority) == ("closed", 5, "high")
    assert [e.kind for e in done.history][1:] == [
        "claimed", "responded", "note", "tagged", "untagged", "priority_changed", "assigned",
        "closed",
    ]  # fmt: skip
    bad = client.post(f"{url}/close", data={"csrf_token": token})
    assert bad.status_code == 409
    assert "is closed: cannot close it" in bad.text
    assert client.post(f"{url}/note", data={"text": "x"}).status_code == 403, "no CSRF token"
    assert client.post(f"{url}/explode", data={"csrf_token": token}).status_code == 404


def test_a_held_case_shows_the_lock_and_needs_a_take_over(
    client: TestClient, new_client: object, open_case: OpenCase, store: CaseStore
) -> None:
    case = open_case()
    store.claim(case.id, "bo", case.opened_at)
    token = sign_in(client, "ana")

    page = client.get(f"/cases/{case.id}").text
    assert "Held by <strong>bo</strong>" in page
    assert "take over from bo" in page

    refused = client.post(f"/cases/{case.id}/respond", data={"csrf_token": token, "text": "hi"})
    assert refused.status_code == 409
    assert "is held by bo: take it over" in refused.text
    taken = client.post(
        f"/cases/{case.id}/respond", data={"csrf_token": token, "text": "hi", "take_over": "on"}
    )
    assert taken.status_code == 303
    assert store.get(case.id).assigned_to == "ana"


def test_who_is_viewing(client: TestClient, new_client: object, open_case: OpenCase) -> None:
    case = open_case()
    other = new_client()  # type: ignore[operator]
    sign_in(other, "bo")
    other.get(f"/cases/{case.id}")
    token = sign_in(client, "ana")

    page = client.get(f"/cases/{case.id}").text
    beat = client.post(f"/api/v1/cases/{case.id}/presence", headers={"X-CSRF-Token": token})

    assert "bo is viewing this case." in page
    assert beat.json() == {"viewers": ["bo"], "holder": None}


def test_another_teams_case_is_a_404_page(client: TestClient, open_case: OpenCase) -> None:
    case = open_case(team="billing")
    token = sign_in(client, "ana")

    page = client.get(f"/cases/{case.id}")
    action = client.post(f"/cases/{case.id}/claim", data={"csrf_token": token})

    assert page.status_code == 404
    assert "billing" not in page.text
    assert action.status_code == 404
    assert client.get("/cases/case-nope").status_code == 404


def test_a_marketer_cannot_open_a_case(client: TestClient, open_case: OpenCase) -> None:
    case = open_case()
    sign_in(client, "mia")

    assert client.get(f"/cases/{case.id}").status_code == 403
    assert client.get("/inbox").status_code == 403


def test_hostile_post_text_is_text_on_the_inbox_and_case_pages(
    client: TestClient, open_case: OpenCase
) -> None:
    case = open_case(text=HOSTILE, name=HOSTILE, author="x<b>y")
    token = sign_in(client, "ana")
    client.post(f"/cases/{case.id}/note", data={"csrf_token": token, "text": HOSTILE})
    client.post(f"/cases/{case.id}/tag", data={"csrf_token": token, "tag": "<b>t</b>"})

    for html in (client.get("/inbox").text, client.get(f"/cases/{case.id}").text):
        assert "<img src=x" not in html
        assert "<script>alert" not in html
        assert "<b>" not in html
        assert ESCAPED_IMG in html
        assert ESCAPED_SCRIPT in html
