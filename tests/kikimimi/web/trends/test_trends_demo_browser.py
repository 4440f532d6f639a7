"""The trends page on the demo's data (``kikimimi demo``, then ``kikimimi web`` on the config
it leaves behind), in Debian's Chromium, as the demo lead: every figure is drawn with the
demo's posts, a click on a bar lists the posts behind it and the CSV export downloads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kikimimi.demo.job import DEMO_PASSWORD, DemoSummary
from tests.kikimimi.web.conftest import RunningWeb, launch_web, sign_in_page
from tests.kikimimi.web.trends.test_trends_browser import CHARTS, EMERGING, chart, click_bar, watch

pytestmark = [pytest.mark.browser, pytest.mark.elasticsearch, pytest.mark.slow]

FIGURES_DRAWN = """() => [...document.querySelectorAll("#trends [data-part=state]")]
    .every((state) => !/^(Loading|Being computed|Still being computed)/.test(state.textContent))"""


@pytest.fixture
def demo_web(demo_run: DemoSummary, tmp_path: Path) -> Iterator[RunningWeb]:
    running = launch_web(demo_run.config_path, tmp_path)
    yield running
    running.stop()


def test_the_trends_page_on_the_demos_data(demo_web: RunningWeb, page: Page) -> None:
    problems = watch(page, allowed=EMERGING)
    sign_in_page(page, demo_web, "demo-lead", DEMO_PASSWORD)
    page.goto(f"{demo_web.url}/trends")
    page.wait_for_function(FIGURES_DRAWN, timeout=180_000)

    for canvas in CHARTS:
        assert chart(page, canvas, "c => c !== undefined && c.data.datasets.length > 0"), canvas
    ours = chart(page, "volume-chart", "c => c.data.datasets[0].data")
    assert sum(ours) > 0, ours

    negative = chart(page, "sentiment-time-chart", "c => c.data.datasets[2].data")
    click_bar(page, "sentiment-time-chart", dataset=2, index=negative.index(max(negative)))
    panel = page.locator("#trend-posts")
    expect(panel.locator("[data-part=state]")).to_have_text(f"{max(negative)} posts.")
    assert panel.locator(".feed-item").count() > 0

    with page.expect_download() as download:
        page.locator("#share-of-voice .csv-link").click()
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert content.splitlines()[0].startswith("\ufeff")
    assert len(content.splitlines()) > 1
    assert problems == []
