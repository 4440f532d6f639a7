"""The feeds page and the lead dashboard in Debian's Chromium, on the real Elasticsearch:
both render under the strict CSP with no console error (a CSP violation is one), hostile
post text fires no dialog, and a post forwarded to a feed appears without reload."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Page, expect

from config import load_settings, outbox_path
from core import IndexNames
from tests.conftest import RunningElasticsearch
from tests.kikimimi.web.conftest import RunningWeb, sign_in_page, start_web
from tests.kikimimi.web.listening.conftest import HOSTILE, RULES, OpenCase, Post, record_spike

pytestmark = [pytest.mark.browser, pytest.mark.elasticsearch]


@pytest.fixture
def server(
    tmp_path: Path, elasticsearch_node: RunningElasticsearch, index_names: IndexNames, post: Post
) -> Iterator[RunningWeb]:
    """``kikimimi web`` on the test's indices (``post`` installed their templates)."""
    directory = tmp_path / "web"
    directory.mkdir()
    elasticsearch = {"hosts": [elasticsearch_node.url], "index_prefix": index_names.prefix}
    running = start_web(directory, {"elasticsearch": elasticsearch, "rules": RULES})
    yield running
    running.stop()


def test_feeds_and_dashboard_render_cleanly_and_stay_live(
    server: RunningWeb, page: Page, post: Post, open_case: OpenCase
) -> None:
    problems: list[str] = []
    dialogs: list[str] = []
    page.on("console", lambda message: problems.extend([message.text] * (message.type == "error")))
    page.on("pageerror", lambda error: problems.append(str(error)))

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    post(HOSTILE, feeds=("marketing",), rules=("competitors",), minutes_ago=5)
    record_spike(outbox_path(load_settings(server.config)), "Hoshi Mobile", count=40)
    open_case(team="care", priority="urgent", text="nobody answers")

    sign_in_page(page, server, "root")
    page.goto(f"{server.url}/feeds")
    expect(page.get_by_role("heading", level=1)).to_have_text("Feeds")
    expect(page.locator("#feed-items .feed-text").first).to_have_text(HOSTILE)
    expect(page.locator("#spikes .spike-why")).to_contain_text("40 negative mentions")

    fresh = post("Rival Mobile cut its prices", feeds=("marketing",), rules=("competitors",))
    expect(page.locator(f"#mention-{fresh.id}")).to_be_visible(timeout=15_000)
    expect(page.locator("#feed-items .feed-item").first).to_have_attribute("data-id", fresh.id)

    page.goto(f"{server.url}/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.locator("#kpi-tiles .tile")).to_have_count(7)
    expect(page.locator("#at-risk .case-link")).to_have_text("nobody answers")
    assert problems == []
    assert dialogs == []
