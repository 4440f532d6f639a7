"""The Google News spider against the RSS search stand-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from scrapy.http import Request as ScrapyRequest
from scrapy.http import XmlResponse
from scrapy.utils.test import get_crawler

from crawlers.spiders.news import GoogleNewsSpider
from standins.news import NewsStandin
from standins.server import (
    Reply,
    Request,
    StandinPost,
    StandinServer,
    server_error,
    too_many_requests,
)
from tests.crawlers.conftest import CrawlEnv

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def english(count: int, start: int = 0) -> list[StandinPost]:
    return [
        StandinPost(
            native_id=f"en{i:04d}",
            text="",
            title=f"Hoshi Mobile & partners: <5G> plan #{i}",
            author="Mobile World Live",
            created_at=T0 + timedelta(minutes=i),
            lang="en",
        )
        for i in range(start, start + count)
    ]


def japanese(count: int, start: int = 0) -> list[StandinPost]:
    return [
        StandinPost(
            native_id=f"ja{i:04d}",
            text="",
            title=f"ほしモバイル、新料金プラン第{i}弾を発表　ナミテレコムに対抗",
            author="ITmedia Mobile",
            created_at=T0 + timedelta(minutes=i, seconds=30),
            lang="ja",
        )
        for i in range(start, start + count)
    ]


def test_reads_every_edition_then_only_newer_items(crawl_env: CrawlEnv) -> None:
    tea = StandinPost("tea1", "", T0, title="Hoshi Mobile hoshi tea review", lang="en")
    standin = NewsStandin([*english(30), *japanese(20), tea])
    with StandinServer(standin) as server:
        crawl_env.add_source(name="news", type="news", base_url=server.url)
        first = crawl_env.crawl("news")
        assert first.returncode == 0, first.stderr
        assert first.run is not None and first.run.ok
        # 4 brand terms (names and aliases) x 2 default editions, one whole feed each
        assert first.run.pages == 8
        editions = {(r.arg("hl"), r.arg("gl"), r.arg("ceid")) for r in server.requests}
        assert editions == {("en-US", "US", "US:en"), ("ja", "JP", "JP:ja")}
        assert '"Hoshi Mobile" -"hoshi tea"' in {r.arg("q") for r in server.requests}
        by_id = {m.native_id: m for m in first.mentions}
        assert set(by_id) == {f"CBMien{i:04d}" for i in range(30)} | {
            f"CBMija{i:04d}" for i in range(20)
        }
        en = by_id["CBMien0007"]
        assert en.title == "Hoshi Mobile & partners: <5G> plan #7"
        assert en.text == "Hoshi Mobile & partners: <5G> plan #7"  # description HTML as text
        assert en.lang == "en"
        assert en.author.name == "Mobile World Live"
        assert en.author.id == "https://mobileworldlive.example"
        assert en.url == "https://news.google.com/rss/articles/CBMien0007?oc=5"
        assert en.published_at == T0 + timedelta(minutes=7)
        assert en.query == "Hoshi Mobile"
        ja = by_id["CBMija0003"]
        assert ja.title == "ほしモバイル、新料金プラン第3弾を発表　ナミテレコムに対抗"
        assert ja.lang == "ja"
        assert ja.query in {"ほしモバイル", "ナミテレコム"}

        standin.posts.extend([*english(2, start=30), *japanese(1, start=20)])
        server.requests.clear()
        second = crawl_env.crawl("news")
    assert second.returncode == 0, second.stderr
    assert sorted(m.native_id for m in second.mentions) == [
        "CBMien0030",
        "CBMien0031",
        "CBMija0020",
    ]
    # old items were not yielded again; the new Japanese one was found by both Japanese terms
    assert second.run is not None and second.run.dropped == 1
    assert len(server.requests) == 8  # one feed per term and edition, no paging


def test_waits_out_429_and_retries_5xx(crawl_env: CrawlEnv) -> None:
    with StandinServer(NewsStandin(english(4))) as server:
        server.inject("/rss/search", too_many_requests("1"))
        server.inject("/rss/search", server_error())
        crawl_env.add_source(
            name="news",
            type="news",
            base_url=server.url,
            queries=["hoshi"],
            editions=[{"hl": "en-US", "gl": "US", "ceid": "US:en"}],
        )
        result = crawl_env.crawl("news")
    assert result.returncode == 0, result.stderr
    assert len(result.mentions) == 4
    assert len(server.requests) == 3
    assert result.run is not None and result.run.ok


def test_malformed_feed_is_counted_and_keeps_the_cursor(crawl_env: CrawlEnv) -> None:
    broken_xml = Reply(200, b"<?xml version='1.0'?><rss><channel><item><title>Hoshi", "text/xml")
    with StandinServer(NewsStandin(japanese(3))) as server:
        server.inject("/rss/search", broken_xml)
        crawl_env.add_source(
            name="news",
            type="news",
            base_url=server.url,
            queries=["ほしモバイル"],
            editions=[{"hl": "ja", "gl": "JP", "ceid": "JP:ja"}],
        )
        broken = crawl_env.crawl("news")
        assert broken.run is not None
        assert broken.run.malformed == 1
        assert broken.mentions == []
        again = crawl_env.crawl("news")
    assert again.run is not None and again.run.ok
    assert len(again.mentions) == 3  # the cursor did not move past the malformed feed
    assert {m.lang for m in again.mentions} == {"ja"}


# story clusters, as real search feeds carry them (see crawlers/fixtures/news)

RELATED = [(f"Hoshi Mobile price cut: what outlet {n} says", f"Outlet {n}") for n in range(1, 10)]


def test_a_story_cluster_keeps_only_the_items_own_headline_and_source(
    crawl_env: CrawlEnv,
) -> None:
    lead = StandinPost(
        "cl0001", "", T0, title="Hoshi Mobile cuts 5G prices by 20%", author="Nikkei Asia"
    )
    single = StandinPost(
        "sg0001",
        "",
        T0 + timedelta(minutes=1),
        title="Hoshi Mobile & Nami Telecom: eSIM roaming compared",
        author="Mobile World Live",
    )
    with StandinServer(NewsStandin([lead, single], clusters={"cl0001": RELATED})) as server:
        crawl_env.add_source(
            name="news",
            type="news",
            base_url=server.url,
            queries=["hoshi mobile"],
            editions=[{"hl": "en-US", "gl": "US", "ceid": "US:en"}],
        )
        result = crawl_env.crawl("news")
    assert result.returncode == 0, result.stderr
    assert result.run is not None and result.run.ok and result.run.malformed == 0
    got = {
        m.native_id: (m.text, m.title, m.author.name, m.author.id, m.published_at, m.deleted)
        for m in result.mentions
    }
    assert got == {
        "CBMicl0001": (
            "Hoshi Mobile cuts 5G prices by 20%",  # not the nine related headlines
            "Hoshi Mobile cuts 5G prices by 20%",
            "Nikkei Asia",
            "https://nikkeiasia.example",
            T0,
            False,
        ),
        "CBMisg0001": (
            "Hoshi Mobile & Nami Telecom: eSIM roaming compared",
            "Hoshi Mobile & Nami Telecom: eSIM roaming compared",
            "Mobile World Live",
            "https://mobileworldlive.example",
            T0 + timedelta(minutes=1),
            False,
        ),
    }


def test_the_real_shaped_cluster_sample_keeps_each_items_own_story() -> None:
    path = Path(__file__).parents[3] / "crawlers/fixtures/news/search_clusters.xml"
    items, malformed = parse(path.read_bytes())
    assert malformed == 0
    assert [(i["text"], i["title"], i["author"]) for i in items] == [
        (
            "ほしモバイル、5G料金を2割値下げ　ナミテレコムに対抗",
            "ほしモバイル、5G料金を2割値下げ　ナミテレコムに対抗",
            {"id": "https://nikkei.example", "name": "日本経済新聞"},
        ),
        (
            "ほしモバイル、eSIMの海外ローミングを開始",
            "ほしモバイル、eSIMの海外ローミングを開始",
            {"id": "https://itmediamobile.example", "name": "ITmedia Mobile"},
        ),
    ]


# parse() directly, for what a stand-in crawl would not show quickly


def parse(body: bytes, cursor: str | None = None) -> tuple[list[dict[str, object]], int]:
    crawler = get_crawler(GoogleNewsSpider)
    spider = GoogleNewsSpider.from_crawler(
        crawler, cursors={"US:en hoshi": cursor} if cursor else {}
    )
    assert crawler.stats is not None
    crawler.stats.open_spider()
    request = ScrapyRequest(
        "https://news.google.com/rss/search?q=hoshi", meta={"query": "US:en hoshi"}
    )
    response = XmlResponse(request.url, body=body, request=request)
    items = list(spider.parse(response, phrase="hoshi", lang="en"))
    return items, int(crawler.stats.get_value("kikimimi/malformed", 0))


def feed(*items: str) -> bytes:
    return f"<rss version='2.0'><channel><title>t</title>{''.join(items)}</channel></rss>".encode()


def test_an_item_without_a_date_is_skipped_and_counted() -> None:
    good = (
        "<item><title>Hoshi Mobile ＆ 東京 - Pub</title><link>https://n/1</link>"
        "<guid isPermaLink='false'>g1</guid><pubDate>Fri, 20 Nov 2026 08:00:00 GMT</pubDate>"
        "<description>&lt;b&gt;Hoshi&lt;/b&gt; Mobile ＆ 東京</description>"
        "<source url='https://pub.example'>Pub</source></item>"
    )
    undated = "<item><title>x - Pub</title><link>https://n/2</link><guid>g2</guid></item>"
    items, malformed = parse(feed(good, undated))
    assert malformed == 1
    assert [(i["native_id"], i["text"], i["title"]) for i in items] == [
        ("g1", "Hoshi Mobile ＆ 東京", "Hoshi Mobile ＆ 東京")
    ]


def test_an_html_page_instead_of_a_feed_is_malformed() -> None:
    items, malformed = parse(b"<html><body><form>Before you continue</form></body></html>")
    assert (items, malformed) == ([], 1)


def test_items_not_newer_than_the_cursor_are_left_out() -> None:
    old = "<item><guid>g1</guid><pubDate>Fri, 20 Nov 2026 08:00:00 GMT</pubDate></item>"
    new = "<item><guid>g2</guid><pubDate>Fri, 20 Nov 2026 08:00:01 GMT</pubDate></item>"
    cursor = str(int(datetime(2026, 11, 20, 8, 0, tzinfo=UTC).timestamp()))
    items, _ = parse(feed(old, new), cursor)
    assert [i["native_id"] for i in items] == ["g2"]


def test_stand_in_answers_404_elsewhere() -> None:
    assert NewsStandin([])(Request("GET", "/other", {}, {}, b"")).status == 404
