"""Post text, author names and theme terms are hostile: in the digest they are inert — HTML
escaped (nothing runs, no tag or attribute of theirs), Slack neutralised (no ping, no link,
no formatting: plain text only), control, bidi and zero-width characters gone everywhere."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

from kikimimi.digest import render_digest
from kikimimi.digest.records import Digest
from standins.slack import slack_block_problems
from tests.kikimimi.digest.samples import POST_URL, sample_digest

POST = (
    '<script>alert("x")</script><img src=x onerror=alert(1)> @channel <!here> <!channel> '
    "*bold* _italic_ ~strike~ `code` <https://evil.example/x|click here> & &amp; "
    "\u202etxt.exe\u202c \x1b[31mred\x1b[0m \x1b]8;;http://evil.example\x07link\x1b]8;;\x07 "
    "zero\u200bwidth\r\nBcc: x@evil.example ほしモバイル📱"
)
AUTHOR = '<b onmouseover="alert(2)">@here</b>\u202e\x07'
TERM = "<!everyone> *rising*"
INVISIBLE = ("\x1b", "\x07", "\r", "\u202e", "\u202c", "\u200b")
TAGS = {
    "html", "head", "meta", "title", "body", "table", "tr", "td", "th", "h1", "h2", "h3",
    "p", "img", "ul", "li", "b", "small", "blockquote", "br", "a", "span",
}  # fmt: skip


def hostile() -> Digest:
    return sample_digest(
        brand="Hoshi <i>Mobile</i>",
        text=POST,
        author=AUTHOR,
        term=TERM,
        topic="<u>outage</u>",
        why="<!here> spike &",
    )


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_escapes_everything_from_the_posts() -> None:
    page = render_digest(hostile()).html
    parser = _Tags()
    parser.feed(page)

    assert {tag for tag, _ in parser.tags} <= TAGS  # no script, no i, no u, no b of theirs
    attributes = [name for _, attrs in parser.tags for name, _ in attrs]
    assert not [name for name in attributes if name.startswith("on")]
    assert [(dict(a)["src"] or "")[:4] for t, a in parser.tags if t == "img"] == ["cid:"] * 3
    assert [dict(a)["href"] for t, a in parser.tags if t == "a"] == [POST_URL, POST_URL]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;b onmouseover=&quot;alert(2)&quot;&gt;@here&lt;/b&gt;" in page
    assert "&amp;amp;" in page
    text = "".join(parser.text)
    assert POST.split("\u202e", maxsplit=1)[0] in text  # shown as written, as text
    assert [c for c in INVISIBLE if c in page] == []


def test_slack_shows_post_text_as_plain_text_only() -> None:
    blocks = render_digest(hostile()).slack_blocks
    payload = json.dumps(blocks, ensure_ascii=False)

    assert slack_block_problems(blocks) == []
    for raw in ("<!here>", "<!channel>", "<!everyone>", "<https://evil", "<script", "<b ", "<i>"):
        assert raw not in payload
    assert "&lt;!here&gt;" in payload and "&lt;!channel&gt;" in payload
    assert "&lt;https://evil.example/x|click here&gt;" in payload
    assert "&amp;amp;" in payload
    mrkdwn = [obj for obj in _text_objects(blocks) if obj["type"] == "mrkdwn"]
    assert all(obj["verbatim"] is True for obj in mrkdwn)
    own_words = {obj["text"] for obj in mrkdwn}
    assert own_words == {
        "*Volume and net sentiment (posts per day: ▁ to █)*",
        "*Share of voice*",
        "*Top topics*",
        "*Rising themes*",
        "*Spikes*",
        f"<{POST_URL}|open the post>",
    }  # the posts' @channel, *bold* and links are all in plain_text, which Slack never parses
    plain = " ".join(obj["text"] for obj in _text_objects(blocks) if obj["type"] == "plain_text")
    assert "@channel" in plain and "*bold*" in plain
    assert [c for c in INVISIBLE if c in payload] == []


def test_the_text_part_has_no_control_characters() -> None:
    text = render_digest(hostile()).text

    assert [c for c in INVISIBLE if c in text] == []
    assert "[31mred" not in text and "http://evil.example" not in text  # sequences removed
    assert "Bcc: x@evil.example" in text  # on the excerpt's line, not a line of its own
    assert not [line for line in text.splitlines() if line.startswith("Bcc:")]


def _text_objects(value: Any) -> list[dict[str, Any]]:
    """Every Slack text object in ``value``."""
    if isinstance(value, list):
        return [obj for item in value for obj in _text_objects(item)]
    if isinstance(value, dict):
        if value.get("type") in ("plain_text", "mrkdwn"):
            return [value]
        return [obj for item in value.values() for obj in _text_objects(item)]
    return []
