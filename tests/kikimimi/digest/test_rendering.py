"""The digest rendered: the text part, the HTML e-mail with its PNG charts and tables, the
Slack blocks — content checked piece by piece on a digest built by hand."""

from __future__ import annotations

import json
from html.parser import HTMLParser

from kikimimi.digest import digest_notices, render_digest
from kikimimi.digest.charts import BRAND_COLOURS, scale_step
from kikimimi.digest.raster import colour
from kikimimi.digest.schedule import DigestPeriod
from kikimimi.digest.slack_render import sparkline
from standins.slack import slack_block_problems
from tests.kikimimi.digest.png import read_png
from tests.kikimimi.digest.samples import END, POST_URL, START, sample_digest


class _Text(HTMLParser):
    """The visible text of an HTML document, and its images' attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.links: list[str | None] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append(data.strip())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs))
        if tag == "a":
            self.links.append(dict(attrs).get("href"))


def parsed(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def test_the_text_part_reads_like_the_report() -> None:
    text = render_digest(sample_digest()).text
    lines = text.splitlines()

    assert lines[0] == "Brand health, 9–15 Nov 2026: marketing"
    assert lines[1] == "9–15 Nov 2026 (UTC), compared with the 7 day(s) before."
    assert "Brand               Posts  vs before  Negative    Net  Net before" in lines
    assert "Hoshi Mobile (own)     60       +50%        30  -0.17       +0.25" in lines
    assert "Nami Telecom           30       -25%         6  +0.20       +0.00" in lines
    assert any(line.startswith("Posts per day  Mon 9  Tue 10") for line in lines)
    assert (
        "Our brands: 66.7% of all posts (+16.7 pp), 83.3% of the negative ones (+33.3 pp)." in text
    )
    assert "- outage (Hoshi Mobile): 25 posts (+400%), 25 negative" in lines
    assert "  “The network is down again in Shibuya”" in lines
    assert "  — kenta on bluesky, Wed 11 Nov 05:00" in lines
    assert f"  {POST_URL}" in lines
    assert "- roaming: 15 posts (0 before)" in lines
    spike = "- Hoshi Mobile, until Wed 11 Nov 14:00: 30 negative mentions of Hoshi Mobile"
    assert f"{spike} in the last 60 min" in lines
    assert "  Cases opened: 4 (1 still open)" in lines
    assert "  First response (median): 30 min" in lines
    sections = [line for line in lines if line.isupper()]
    assert sections == [
        "VOLUME AND NET SENTIMENT",
        "SHARE OF VOICE",
        "TOP TOPICS",
        "RISING THEMES",
        "SPIKES",
        "CARE",
    ]


def test_the_html_shows_each_chart_then_its_figures() -> None:
    digest = sample_digest()
    rendered = render_digest(digest)
    page = parsed(rendered.html)
    text = " ".join(page.text)

    assert [image["src"] for image in page.images] == [
        "cid:volume.marketing.20261109@kikimimi",
        "cid:sentiment.marketing.20261109@kikimimi",
        "cid:share.marketing.20261109@kikimimi",
    ]
    volume = page.images[0]
    assert (volume["width"], volume["height"]) == ("600", "200")
    assert volume["alt"] == (
        "Posts per day over 7 days, one line per brand (gridlines every 5 posts): "
        "Hoshi Mobile 60, Nami Telecom 30 posts in all."
    )
    assert "Brand health: marketing" in text
    for heading in ("Volume", "Net sentiment", "Share of voice", "Top topics", "Rising themes"):
        assert heading in page.text
    assert text.index("Volume") < text.index("Net sentiment") < text.index("Share of voice")
    assert "Mon 9" in page.text and "Sun 15" in page.text
    assert "+50%" in page.text and "-0.17" in page.text and "66.7%" in page.text
    assert "The network is down again in Shibuya" in page.text
    assert page.links == [POST_URL, POST_URL]
    assert rendered.subject == "Brand health, 9–15 Nov 2026: marketing"


def test_charts_are_pngs_in_the_brands_colours() -> None:
    charts = {chart.name: chart for chart in render_digest(sample_digest()).charts}

    share = read_png(charts["share"].png)
    assert (share.width, share.height) == (600, 100)
    hoshi, nami = colour(BRAND_COLOURS[0]), colour(BRAND_COLOURS[1])
    assert share.pixel(20, 20) == hoshi  # 2/3 of all posts: the left part
    assert share.pixel(500, 20) == nami
    assert share.pixel(480, 70) == hoshi  # 5/6 of the negative posts
    sentiment = read_png(charts["sentiment"].png)
    assert sentiment.pixel(300 - 20, 8 + 10) == colour("#d64545")  # Hoshi's net -0.17: left
    assert sentiment.pixel(300 + 20, 8 + 34 + 10) == colour("#3f9c5a")  # Nami's +0.2: right
    volume = read_png(charts["volume"].png)
    assert volume.height == 200
    assert hoshi in {volume.pixel(x, y) for x in range(600) for y in range(200)}


def test_scale_steps_are_round() -> None:
    assert [scale_step(n) for n in (0, 3, 4, 9, 20, 60, 61, 999, 4000)] == [
        1, 1, 1, 5, 5, 20, 20, 500, 1000,
    ]  # fmt: skip


def test_slack_blocks_are_valid_and_hold_the_figures() -> None:
    blocks = render_digest(sample_digest()).slack_blocks
    text = json.dumps(blocks, ensure_ascii=False)

    assert slack_block_problems(blocks) == []
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Brand health: marketing", "emoji": False},
    }
    volume = blocks[3]
    assert volume["text"]["text"] == "*Volume and net sentiment (posts per day: ▁ to █)*"
    assert volume["fields"][0]["text"] == (
        "Hoshi Mobile (own)\n60 posts (+50%), 30 negative\nnet -0.17 (before +0.25)\n████▇▇▇"
    )
    for fragment in ("66.7% of all posts (+16.7 pp)", "outage (Hoshi Mobile): 25 posts", "roaming"):
        assert fragment in text
    assert f"<{POST_URL}|open the post>" in text
    assert sparkline([0, 5, 10]) == "▁▅█"


def test_one_notice_per_channel_keyed_by_audience_period_and_channel() -> None:
    digest = sample_digest()
    period = DigestPeriod(START, END)

    notices = digest_notices(digest, period, ["mail", "slack"], END)

    assert [n.key for n in notices] == [
        "digest:marketing:2026-11-09..2026-11-16:mail",
        "digest:marketing:2026-11-09..2026-11-16:slack",
    ]
    notice = notices[0]
    assert notice.kind == "digest"
    assert notice.body == render_digest(digest).text
    assert notice.document is not None
    assert [image.content_id for image in notice.document.images] == [
        "volume.marketing.20261109@kikimimi",
        "sentiment.marketing.20261109@kikimimi",
        "share.marketing.20261109@kikimimi",
    ]
    assert notices[1].document == notice.document
