"""``/feeds`` on the real Elasticsearch: the user's feeds and the spike alerts, another
team's feed never shown, the live updates' HTML, and hostile text escaped."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.kikimimi.web.conftest import sign_in
from tests.kikimimi.web.listening.conftest import HOSTILE, Post, RaiseSpike

pytestmark = pytest.mark.elasticsearch


def test_a_marketer_reads_their_feed_and_the_spikes(
    client: TestClient, post: Post, raise_spike: RaiseSpike
) -> None:
    post("Rival Mobile is cheaper", feeds=("marketing",), rules=("competitors",))
    post("please add eSIM", feeds=("product",))
    raise_spike("Hoshi Mobile", count=40)
    sign_in(client, "mia")
    page = client.get("/feeds")
    assert page.status_code == 200
    assert "Rival Mobile is cheaper" in page.text
    assert "please add eSIM" not in page.text  # product's feed
    assert "rule competitors" in page.text
    assert 'href="https://social.example/p/1"' in page.text
    assert "40 negative mentions of Hoshi Mobile" in page.text
    assert '<script src="/static/feeds.js" defer></script>' in page.text
    assert "<option>marketing</option>" in page.text
    assert "<option>product</option>" not in page.text  # only mia's feeds to choose


@pytest.mark.parametrize(("name", "status"), [("ana", 404), ("pia", 404), ("mia", 200)])
def test_another_teams_feed_page_is_not_found(
    client: TestClient, post: Post, name: str, status: int
) -> None:
    post("Rival Mobile is cheaper", feeds=("marketing",))
    sign_in(client, name)
    response = client.get("/feeds", params={"feed": "marketing"})
    assert response.status_code == status
    assert ("Rival Mobile is cheaper" in response.text) == (status == 200)


def test_live_updates_carry_the_newest_items_as_escaped_html(
    client: TestClient, post: Post, raise_spike: RaiseSpike
) -> None:
    sign_in(client, "pia")
    first = client.get("/feeds/updates").json()
    assert first == {"items": [], "spikes": []}
    mention = post(HOSTILE, feeds=("product",))
    raise_spike(HOSTILE)
    post("not mine", feeds=("marketing",))
    answer = client.get("/feeds/updates").json()
    assert [item["id"] for item in answer["items"]] == [mention.id]
    html = answer["items"][0]["html"] + answer["spikes"][0]["html"]
    assert "<img" not in html and "<script" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert client.get("/feeds/updates", params={"feed": "marketing"}).status_code == 404


def test_hostile_text_renders_as_text(
    client: TestClient, post: Post, raise_spike: RaiseSpike
) -> None:
    post(HOSTILE, feeds=("marketing",), author=HOSTILE, url="javascript:alert(3)")
    raise_spike(HOSTILE)
    sign_in(client, "mia")
    page = client.get("/feeds").text
    assert "<img src=x" not in page and "<script>alert" not in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") >= 3  # post, author, spike
    assert "javascript:" not in page


def test_signed_out_goes_to_sign_in(client: TestClient) -> None:
    response = client.get("/feeds")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
