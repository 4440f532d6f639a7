"""The trends page in Debian's Chromium against a real ``kikimimi web`` on the real
Elasticsearch, on the seeded stream (its answers known: ``tests/indexer/trends/conftest.py``)
plus a hostile post: the charts render under the strict CSP with no console error, hover
shows values, a legend entry hides and shows its series, a click on a bar lists the posts
behind it (the hostile one inert), a table's number does the same from the keyboard, the
CSV export downloads, spikes show their why and top sources; with Elasticsearch down the
page still opens and each figure says why it is missing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from playwright.sync_api import ConsoleMessage, Dialog, Page, expect

from alerts import SqliteOutbox, spike_notices
from alerts.spikes import SpikeAlert
from config import load_settings, outbox_path
from core import Author, IndexedMention, IndexNames
from tests.conftest import RunningElasticsearch, free_port
from tests.indexer.trends.conftest import HOSHI, KAZE, NAMI, WEEK, mention
from tests.kikimimi.web.conftest import RunningWeb, sign_in_page, start_web
from tests.kikimimi.web.elasticsearch_setup import es_config, index_mention

pytestmark = [pytest.mark.browser, pytest.mark.elasticsearch]

HOSTILE = "<img src=x onerror=alert(1)> <script>alert(2)</script>"
BRANDS = {"brands": [{"name": HOSHI}], "competitors": [{"name": NAMI}, {"name": KAZE}]}
THE_WEEK = "/trends?period=custom&start=2026-11-08&end=2026-11-14"
CHARTS = (
    "volume-chart",
    "sentiment-time-chart",
    "net-sentiment-chart",
    "share-chart",
    "sources-chart",
    "topics-chart",
)
EMERGING = "/api/v1/trends/emerging"  # may answer 503 (no encoder files): the page says so
EMERGING_SAID = re.compile(r"negative posts? without a topic|unavailable|Still being computed")


def hostile_post() -> IndexedMention:
    """A negative post about Hoshi Mobile on the week's first day, hostile all over."""
    return mention(
        "hostile",
        HOSTILE,
        WEEK + timedelta(hours=1, minutes=30),
        HOSHI,
        "negative",
        url="javascript:alert(3)",
        author=Author(id="h", handle="<b>h</b>", name=HOSTILE, followers=5),
    )


def record_spike(config: Path, example: IndexedMention) -> None:
    """A spike of Hoshi Mobile in the week's first hour of posts, as the main job records it."""
    start = WEEK + timedelta(hours=1)
    alert = SpikeAlert(
        brand=HOSHI,
        window_start=start,
        window_end=start + timedelta(hours=1),
        count=2,
        baseline=0.5,
        ratio=4.0,
        confirmed_windows=2,
        top_topics=[("outage", 2)],
        examples=[example],
    )
    with SqliteOutbox(outbox_path(load_settings(config))) as outbox:
        outbox.enqueue(spike_notices(alert, ["care-webhook"], start + timedelta(hours=1)))


@pytest.fixture
def server(
    tmp_path: Path,
    elasticsearch_node: RunningElasticsearch,
    index_names: IndexNames,
    seeded: IndexNames,
    es: Elasticsearch,
) -> Iterator[RunningWeb]:
    """``kikimimi web`` on the seeded stream, the hostile post and a recorded spike."""
    hostile = hostile_post()
    index_mention(es, index_names, hostile)
    directory = tmp_path / "web"
    directory.mkdir()
    running = start_web(
        directory, {"elasticsearch": es_config(elasticsearch_node, index_names), **BRANDS}
    )
    record_spike(running.config, hostile)
    yield running
    running.stop()


@pytest.fixture
def server_without_elasticsearch(tmp_path: Path) -> Iterator[RunningWeb]:
    elasticsearch = {"hosts": [f"http://127.0.0.1:{free_port()}"], "request_timeout_seconds": 2}
    running = start_web(tmp_path, {"elasticsearch": elasticsearch, **BRANDS})
    yield running
    running.stop()


def watch(page: Page, *, allowed: str) -> list[str]:
    """Console errors (a CSP violation is one), page errors and dialogs; an answer with an
    error status from a URL holding ``allowed`` is expected."""
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        expected = message.text.startswith("Failed to load resource") and (
            allowed in message.location.get("url", "")
        )
        if message.type == "error" and not expected:
            problems.append(f"console: {message.text} ({message.location})")

    def dialog(opened: Dialog) -> None:
        problems.append(f"dialog: {opened.message}")
        opened.dismiss()

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("dialog", dialog)
    return problems


def chart(page: Page, canvas: str, script: str) -> Any:
    """``script``, a function of the chart on ``canvas``, evaluated in the page."""
    return page.evaluate(f"(id) => ({script})(Chart.getChart(id))", canvas)


def until(page: Page, canvas: str, script: str) -> None:
    """Wait until ``script``, a function of the chart on ``canvas``, holds (Chart.js handles
    pointer events in the next animation frame)."""
    page.wait_for_function(f"(id) => ({script})(Chart.getChart(id))", arg=canvas, timeout=5_000)


def click_bar(page: Page, canvas: str, dataset: int, index: int) -> None:
    where = chart(
        page,
        canvas,
        f"""c => {{
            const bar = c.getDatasetMeta({dataset}).data[{index}];
            return {{ x: bar.x, y: (bar.y + bar.base) / 2 }};
        }}""",
    )
    page.locator(f"#{canvas}").click(position=where)


def test_charts_render_and_list_the_posts_behind_a_bar(server: RunningWeb, page: Page) -> None:
    problems = watch(page, allowed=EMERGING)
    sign_in_page(page, server, "mia")
    page.goto(f"{server.url}{THE_WEEK}")

    expect(page.get_by_role("heading", level=1)).to_have_text("Trends")
    expect(page.locator("#volume .trend-summary li").first).to_have_text(
        "Hoshi Mobile (ours) 61 posts, +21 (+52%) vs 40 before"
    )
    for canvas in CHARTS:
        expect(page.locator(f"#{canvas}")).to_be_visible()
        # each chart is drawn when its own request answers, after the canvas is on the page
        until(page, canvas, "c => c !== undefined && c.data.datasets.length > 0")
    hoshi = chart(page, "volume-chart", "c => c.data.datasets[0].data")
    assert hoshi == [10, 9, 9, 9, 8, 8, 8]

    # hover: the tooltip shows the values
    click_point = chart(page, "volume-chart", "c => c.getDatasetMeta(0).data[0].getCenterPoint()")
    page.locator("#volume-chart").hover(position=click_point)
    until(page, "volume-chart", "c => c.tooltip.getActiveElements().length === 3")

    # the legend: the previous period's series of Hoshi Mobile, hidden, shows and hides
    legend = chart(
        page,
        "volume-chart",
        "c => { const b = c.legend.legendHitBoxes[3];"
        " return {x: b.left + b.width / 2, y: b.top + b.height / 2}; }",
    )
    assert chart(page, "volume-chart", "c => c.isDatasetVisible(3)") is False
    page.locator("#volume-chart").click(position=legend)
    until(page, "volume-chart", "c => c.isDatasetVisible(3)")

    # a click on a bar: Hoshi Mobile's negative posts of the first day, the hostile one inert
    click_bar(page, "sentiment-time-chart", dataset=2, index=0)
    panel = page.locator("#trend-posts")
    expect(panel).to_be_visible()
    expect(panel.locator("h2")).to_have_text("Posts: Hoshi Mobile · negative · Sun 8 Nov")
    expect(panel.locator("[data-part=state]")).to_have_text("6 posts.")
    expect(panel.locator(".feed-item")).to_have_count(6)
    hostile = panel.locator(".feed-item", has_text="<script>alert(2)</script>")
    expect(hostile.locator(".feed-text")).to_have_text(HOSTILE)
    expect(hostile.locator(".author")).to_have_text("<b>h</b>")
    assert panel.locator("img, script, b").count() == 0
    assert hostile.locator("a").count() == 0  # its javascript: link is not one
    assert {s.strip() for s in panel.locator(".sentiment").all_inner_texts()} == {"negative 0.80"}

    # the keyboard: a number of a table lists its posts too
    page.locator("#authors tbody tr", has_text="busy").get_by_role("button").focus()
    page.keyboard.press("Enter")
    expect(panel.locator("h2")).to_have_text("Posts: posts by busy")
    expect(panel.locator("[data-part=state]")).to_have_text("20 posts.")

    expect(page.locator("#themes .theme-term", has_text="roaming")).to_be_visible()
    expect(page.locator("#themes .theme-term", has_text="圏外")).to_be_visible()
    expect(page.locator("#topics table th", has_text="outage")).to_be_visible()
    spike = page.locator("#spikes .spike")
    expect(spike.locator(".spike-why")).to_contain_text("2 negative mentions of Hoshi Mobile")
    expect(spike.locator(".spike-sources")).to_have_text("Top sources: bluesky 2")
    expect(spike.locator(".spike-examples")).to_contain_text(HOSTILE)

    with page.expect_download() as download:
        page.locator("#volume .csv-link").click()
    saved = download.value
    assert saved.suggested_filename == "kikimimi-volume-20261108T0000Z-20261115T0000Z.csv"
    content = Path(saved.path()).read_text(encoding="utf-8")
    assert content.startswith("\ufeffbrand,role,period,bucket_start,total,positive")
    expect(page.locator("#emerging [data-part=state]")).to_have_text(EMERGING_SAID, timeout=60_000)
    assert problems == []


def test_without_elasticsearch_each_figure_says_why(
    server_without_elasticsearch: RunningWeb, page: Page
) -> None:
    problems = watch(page, allowed="/api/v1/")
    sign_in_page(page, server_without_elasticsearch, "ken")
    page.goto(f"{server_without_elasticsearch.url}{THE_WEEK}")

    expect(page.get_by_role("heading", level=1)).to_have_text("Trends")
    expect(page.get_by_role("checkbox", name="Nami Telecom")).to_be_checked()
    for figure in ("volume", "sentiment-time", "net-sentiment", "topics", "authors"):
        expect(page.locator(f"#{figure} [data-part=state]")).to_contain_text(
            "Cannot be computed now (is Elasticsearch running?)", timeout=20_000
        )
    expect(page.locator("#volume [data-part=state]")).to_contain_text(
        "Elasticsearch is unavailable"
    )
    assert problems == []
