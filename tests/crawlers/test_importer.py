"""The bulk importer of JSONL and CSV export files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from crawlers.importer import FileCursor, parse_local_time
from crawlers.sqlite_state import SqliteCrawlState
from tests.crawlers.conftest import CrawlEnv

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TOKYO = ZoneInfo("Asia/Tokyo")


def row(i: int, **fields: Any) -> str:
    data = {
        "native_id": f"x{i}",
        "text": f"Hoshi Mobile の電波 #{i}",
        "published_at": f"2026-11-20T18:{i:02d}:00",  # naive: the source's time zone
        "author": {"handle": f"user{i}", "followers": i * 10},
        "engagement": {"likes": i},
        **fields,
    }
    return json.dumps(data, ensure_ascii=False) + "\n"


def cursors(crawl_env: CrawlEnv) -> dict[str, str]:
    state = SqliteCrawlState(crawl_env.root / "var" / "crawl" / "state.sqlite")
    try:
        return state.cursors("imp")
    finally:
        state.close()


def test_jsonl_rows_then_only_appended_rows(crawl_env: CrawlEnv, tmp_path: Path) -> None:
    export = tmp_path / "export.jsonl"
    export.write_text(
        row(1)
        + row(2, url="https://example.com/2", lang="ja", reply_to="x1")
        + "{not json\n"
        + row(3, text="")
        + row(4, published_at="yesterday")
        + "\n"
        + row(5, surprise="field"),
        encoding="utf-8",
    )
    crawl_env.add_source(name="imp", type="import", path=str(export), timezone="Asia/Tokyo")
    first = crawl_env.crawl("imp")
    assert first.returncode == 0, first.stderr
    assert first.run is not None and first.run.ok
    assert first.run.pages == 1
    assert first.run.malformed == 4
    assert "export.jsonl:3: not JSON" in first.stderr
    assert "export.jsonl:4: no text" in first.stderr
    assert "export.jsonl:5: published_at: not a time: 'yesterday'" in first.stderr
    assert "export.jsonl:7: surprise: Extra inputs are not permitted" in first.stderr
    by_id = {m.native_id: m for m in first.mentions}
    assert set(by_id) == {"x1", "x2"}
    one = by_id["x1"]
    assert one.source == "imp"
    assert one.text == "Hoshi Mobile の電波 #1"
    assert one.published_at == datetime(2026, 11, 20, 9, 1, tzinfo=UTC)
    assert one.author.handle == "user1" and one.author.followers == 10
    assert one.engagement.likes == 1
    assert by_id["x2"].reply_to == "x1" and by_id["x2"].lang == "ja"

    with export.open("a", encoding="utf-8") as out:
        out.write(row(6) + row(7).rstrip("\n"))  # a complete last row without a newline
        out.write("\n" + '{"native_id": "x8", "te')  # half written
    second = crawl_env.crawl("imp")
    assert second.run is not None and second.run.malformed == 0
    assert sorted(m.native_id for m in second.mentions) == ["x6", "x7"]

    with export.open("a", encoding="utf-8") as out:
        out.write('xt": "ほしモバイル", "published_at": "2026-11-20T09:00:00Z"}\n')
    third = crawl_env.crawl("imp")
    assert [m.native_id for m in third.mentions] == ["x8"]
    assert third.mentions[0].published_at == T0  # an explicit offset wins over the time zone
    fourth = crawl_env.crawl("imp")
    assert fourth.run is not None and fourth.run.pages == 0 and fourth.mentions == []


def test_japanese_csv_with_bom_and_a_column_map(crawl_env: CrawlEnv, tmp_path: Path) -> None:
    export = tmp_path / "クチコミ.csv"
    lines = [
        "投稿ID,本文,投稿日時,ユーザー名,いいね数,備考",
        'a1,ほしモバイルの5G、速い！,2026/11/20 18:00,山田,"1,234",',
        'a2,"ＨＯＳＨＩ mobile\r\n改行あり ""引用""",2026-11-20 18:30:00,佐藤,0,メモ',
        "a3,列が足りない,2026/11/20 19:00",
        "a4,日付が変,昨日の夜,鈴木,3,",
        "a5,いいねが数でない,2026/11/20 19:30,田中,たくさん,",
    ]
    export.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    columns = {
        "native_id": "投稿ID",
        "text": "本文",
        "published_at": "投稿日時",
        "author.name": "ユーザー名",
        "engagement.likes": "いいね数",
    }
    crawl_env.add_source(
        name="imp",
        type="import",
        path=str(export),
        format="csv",
        columns=columns,
        timezone="Asia/Tokyo",
    )
    first = crawl_env.crawl("imp")
    assert first.returncode == 0, first.stderr
    assert first.run is not None and first.run.malformed == 3
    assert "クチコミ.csv:5: 3 columns, the header has 6" in first.stderr
    assert "クチコミ.csv:6: published_at: not a time" in first.stderr
    assert "クチコミ.csv:7: engagement.likes: not a whole number" in first.stderr
    by_id = {m.native_id: m for m in first.mentions}
    assert set(by_id) == {"a1", "a2"}
    assert by_id["a1"].text == "ほしモバイルの5G、速い！"
    assert by_id["a1"].published_at == T0
    assert by_id["a1"].author.name == "山田"
    assert by_id["a1"].engagement.likes == 1234
    assert by_id["a2"].text == 'ＨＯＳＨＩ mobile\r\n改行あり "引用"'
    assert by_id["a2"].published_at == datetime(2026, 11, 20, 9, 30, tzinfo=UTC)

    with export.open("ab") as out:
        out.write("a6,ナミテレコムから乗り換え,2026/11/21 08:00,伊藤,5,\r\n".encode())
        out.write("a7,ほしモバイル,2026/11/21 09:00,,,\r\n".encode("shift_jis"))
    second = crawl_env.crawl("imp")
    assert [(m.native_id, m.author.name) for m in second.mentions] == [("a6", "伊藤")]
    assert second.run is not None and second.run.malformed == 1  # bad rows are not re-read
    assert "クチコミ.csv:9: not UTF-8" in second.stderr


def test_a_folder_is_read_in_name_order_and_a_new_file_fully(
    crawl_env: CrawlEnv, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "b.jsonl").write_text(row(3) + row(4), encoding="utf-8")
    (folder / "a.jsonl").write_text(row(1) + row(2), encoding="utf-8")
    (folder / "other.csv").write_text("native_id,text\nz,Hoshi Mobile\n", encoding="utf-8")
    (folder / ".partial.jsonl").write_text(row(9), encoding="utf-8")
    crawl_env.add_source(name="imp", type="import", path=str(folder))
    first = crawl_env.crawl("imp")
    assert first.returncode == 0, first.stderr
    assert [m.native_id for m in first.mentions] == ["x1", "x2", "x3", "x4"]
    assert first.mentions[0].published_at == datetime(2026, 11, 20, 18, 1, tzinfo=UTC)
    assert first.run is not None and first.run.pages == 2
    saved = cursors(crawl_env)
    assert set(saved) == {"a.jsonl", "b.jsonl"}
    assert FileCursor.loads(saved["a.jsonl"]).offset == (folder / "a.jsonl").stat().st_size
    assert FileCursor.loads(saved["a.jsonl"]).line == 2

    (folder / "c.jsonl").write_text(row(5) + row(6), encoding="utf-8")
    second = crawl_env.crawl("imp")
    assert [m.native_id for m in second.mentions] == ["x5", "x6"]
    assert second.run is not None and second.run.pages == 1


def test_a_replaced_file_is_read_from_the_start(crawl_env: CrawlEnv, tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text("native_id,text,published_at\nr1,Hoshi Mobile,2026-11-20T09:00:00Z\n")
    crawl_env.add_source(name="imp", type="import", path=str(export), format="csv")
    first = crawl_env.crawl("imp")
    assert [m.native_id for m in first.mentions] == ["r1"]
    export.write_text(  # a new export: the same header, other rows, longer than before
        "native_id,text,published_at\n"
        "r2,Nami Telecom,2026-11-20T09:00:00Z\n"
        "r3,ナミテレコム,2026-11-20T09:01:00Z\n"
    )
    second = crawl_env.crawl("imp")
    assert [m.native_id for m in second.mentions] == ["r2", "r3"]


def csv_row(native_id: str, text: str, minute: int) -> str:
    return f"{native_id},{text},2026-11-20T09:{minute:02d}:00Z\n"


def test_an_unbalanced_quote_is_one_malformed_row_and_reading_goes_on(
    crawl_env: CrawlEnv, tmp_path: Path
) -> None:
    export = tmp_path / "export.csv"
    export.write_text(
        "native_id,text,published_at\n"
        + csv_row("c1", "Hoshi Mobile", 1)
        + csv_row("c2", '"a quote never closed', 2)  # runs into the next quoted field
        + csv_row("c3", '"quoted, fine"', 3)
        + csv_row("c4", "ほしモバイル", 4)
        + csv_row("c5", '"also never closed', 5)  # runs to the end of the file
        + csv_row("c6", "Hoshi Mobile", 6),
        encoding="utf-8",
    )
    crawl_env.add_source(name="imp", type="import", path=str(export), format="csv")
    first = crawl_env.crawl("imp")
    assert first.returncode == 0, first.stderr
    assert [m.native_id for m in first.mentions] == ["c1", "c3", "c4", "c6"]
    assert first.run is not None and first.run.malformed == 2
    assert "export.csv:3: not CSV (',' expected after '\"' on line 4)" in first.stderr
    assert "export.csv:6: not CSV (the quote opened on this line is never closed)" in (first.stderr)
    assert "not complete yet" not in first.stderr

    with export.open("a", encoding="utf-8") as out:
        out.write(csv_row("c7", "Hoshi Mobile", 7) + csv_row("c8", '"two\nlines"', 8))
    second = crawl_env.crawl("imp")
    assert [(m.native_id, m.text) for m in second.mentions] == [
        ("c7", "Hoshi Mobile"),
        ("c8", "two\nlines"),
    ]
    assert second.run is not None and second.run.malformed == 0


def test_a_half_written_last_row_waits_until_it_is_complete(
    crawl_env: CrawlEnv, tmp_path: Path
) -> None:
    export = tmp_path / "export.csv"
    export.write_text(
        "native_id,text,published_at\n" + csv_row("c1", "Hoshi Mobile", 1) + 'c2,"half',
        encoding="utf-8",
    )
    crawl_env.add_source(name="imp", type="import", path=str(export), format="csv")
    first = crawl_env.crawl("imp")
    assert [m.native_id for m in first.mentions] == ["c1"]
    assert first.run is not None and first.run.malformed == 0

    with export.open("a", encoding="utf-8") as out:  # the row ends; the next one is half out
        out.write(' written",2026-11-20T09:02:00Z\n' + 'c3,"first line\nsecond')
    second = crawl_env.crawl("imp")
    assert [(m.native_id, m.text) for m in second.mentions] == [("c2", "half written")]
    assert second.run is not None and second.run.malformed == 0

    with export.open("a", encoding="utf-8") as out:
        out.write(' line",2026-11-20T09:03:00Z\n')
    third = crawl_env.crawl("imp")
    assert [(m.native_id, m.text) for m in third.mentions] == [("c3", "first line\nsecond line")]
    assert third.run is not None and third.run.malformed == 0


def test_a_quote_left_open_in_a_file_that_stopped_growing_is_malformed(
    crawl_env: CrawlEnv, tmp_path: Path
) -> None:
    export = tmp_path / "export.csv"
    export.write_text(  # complete, but without a newline at its end
        "native_id,text,published_at\n"
        + csv_row("c1", "Hoshi Mobile", 1)
        + csv_row("c2", '"never closed', 2)
        + csv_row("c3", "Hoshi Mobile", 3).rstrip("\n"),
        encoding="utf-8",
    )
    crawl_env.add_source(name="imp", type="import", path=str(export), format="csv")
    first = crawl_env.crawl("imp")  # it may still be being written: wait one run
    assert [m.native_id for m in first.mentions] == ["c1"]
    assert first.run is not None and first.run.malformed == 0
    assert "export.csv:3: the quote opened on this line is still open" in first.stderr

    second = crawl_env.crawl("imp")  # it has not grown since: it is complete
    assert [m.native_id for m in second.mentions] == ["c3"]
    assert second.run is not None and second.run.malformed == 1
    assert "export.csv:3: not CSV (the quote opened on this line is never closed)" in (
        second.stderr
    )
    third = crawl_env.crawl("imp")
    assert third.mentions == [] and third.run is not None and third.run.pages == 0


def test_a_missing_path_fails_the_run(crawl_env: CrawlEnv, tmp_path: Path) -> None:
    crawl_env.add_source(name="imp", type="import", path=str(tmp_path / "nowhere"))
    result = crawl_env.crawl("imp")
    assert result.returncode == 1
    assert result.run is not None and not result.run.ok
    assert result.run.error is not None and "does not exist" in result.run.error


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20T18:00:00", T0),
        ("2026-11-20 18:00", T0),
        ("2026/11/20 18:00:00", T0),
        ("2026-11-20T09:00:00Z", T0),
        ("2026-11-20T10:00:00+01:00", T0),
        ("Fri, 20 Nov 2026 09:00:00 GMT", T0),
        (int(T0.timestamp()), T0),
        (str(int(T0.timestamp() * 1000)), T0),
    ],
)
def test_times_are_read_in_the_source_time_zone(value: object, expected: datetime) -> None:
    assert parse_local_time(value, TOKYO) == expected


def test_a_bad_cursor_starts_over() -> None:
    assert FileCursor.loads("not json") == FileCursor()
    assert FileCursor.loads(FileCursor(10, 2, "ab").dumps()) == FileCursor(10, 2, "ab")
    assert FileCursor.loads(FileCursor(10, 2, "ab", 12).dumps()) == FileCursor(10, 2, "ab", 12)
    old = json.dumps({"offset": 10, "line": 2, "head": "ab"})  # saved before ``held_at``
    assert FileCursor.loads(old) == FileCursor(10, 2, "ab")
