"""The inbox query against the real Elasticsearch (issue 11): filters, most urgent first,
paging with a cursor and a total, free-text search in English and Japanese; the live
``changed_since`` and an author's earlier cases."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from elasticsearch import Elasticsearch

from alerts.case_work import case_author_key
from alerts.cases import CaseStore
from alerts.inbox import CaseQuery
from alerts.rules import CaseAction
from config.rules import CaseSettings
from core.errors import CaseValueError
from core.index_names import IndexNames
from core.records import AnalyzedMention, Author, Case, Priority
from indexer.templates import install_templates

pytestmark = pytest.mark.elasticsearch

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Spec:
    name: str
    priority: Priority = "normal"
    minutes: int = 0
    team: str | None = "care"
    brand: str = "Hoshi Mobile"
    source: str = "hn"
    lang: str | None = "en"
    tagged: bool = False
    text: str = "my bill is wrong"
    author_name: str | None = None


SPECS = [
    Spec("c", "urgent", 0, text="Hoshi Mobile network is down again", tagged=True),
    Spec("b", "urgent", 10, team="noc", source="bluesky"),
    Spec("d", "high", 1, lang="ja", text="ほしモバイルの通信障害がひどい", author_name="山田 太郎"),
    Spec("a", "normal", 2, brand="Kaze", text="double charge on my bill"),
    Spec("e", "low", 3, tagged=True, author_name="Angry Customer"),
    Spec("f", "normal", 5, team=None),
]
ORDER = ["c", "b", "d", "a", "f", "e"]  # priority, then SLA due (normal: a at +482, f at +485)


def mention(spec: Spec, number: int, handle: str | None = None) -> AnalyzedMention:
    return AnalyzedMention(
        source=spec.source,
        native_id=f"{spec.name}{number}",
        text=spec.text,
        published_at=T0,
        collected_at=T0,
        author=Author(id=handle or spec.name, handle=handle or spec.name, name=spec.author_name),
    )


def action(spec: Spec) -> CaseAction:
    return CaseAction(
        brand=spec.brand,
        priority=spec.priority,
        team=spec.team,
        rule="complaint",
        reason="complaint",
        do_not_market=False,
        notify=(),
        lang=spec.lang,
        tagged=spec.tagged,
    )


@pytest.fixture
def store(es: Elasticsearch, index_names: IndexNames) -> Iterator[CaseStore]:
    install_templates(es, index_names)
    yield CaseStore(es, index_names, CaseSettings(group_window_hours=24))


@pytest.fixture
def seeded(store: CaseStore) -> dict[str, Case]:
    cases = {}
    for spec in SPECS:
        opened_at = T0 + timedelta(minutes=spec.minutes)
        cases[spec.name] = store.apply(action(spec), mention(spec, 1), opened_at).case
    store.refresh()
    return cases


def names(seeded: dict[str, Case], cases: list[Case]) -> list[str]:
    by_id = {case.id: name for name, case in seeded.items()}
    return [by_id[case.id] for case in cases]


def listed(store: CaseStore, seeded: dict[str, Case], **query: object) -> list[str]:
    return names(seeded, store.inbox(CaseQuery(**query)).cases)  # type: ignore[arg-type]


def test_the_inbox_lists_open_cases_most_urgent_first(
    store: CaseStore, seeded: dict[str, Case]
) -> None:
    page = store.inbox(CaseQuery())
    assert names(seeded, page.cases) == ORDER
    assert (page.total, page.next_cursor) == (6, None)
    store.close(seeded["c"].id, T0 + timedelta(hours=1))
    store.refresh()
    assert listed(store, seeded) == ORDER[1:], "closed cases leave the default inbox"
    assert listed(store, seeded, status=("closed",)) == ["c"]
    assert listed(store, seeded, sort="newest") == ["b", "f", "e", "a", "d"]


def test_a_page_asked_again_comes_from_the_request_cache_never_stale(
    es: Elasticsearch, index_names: IndexNames, store: CaseStore, seeded: dict[str, Case]
) -> None:
    def cache_hits() -> int:
        stats = es.indices.stats(index=index_names.cases_index, metric="request_cache")
        return int(stats["_all"]["total"]["request_cache"]["hit_count"])

    assert listed(store, seeded) == ORDER
    hits = cache_hits()
    assert listed(store, seeded) == ORDER, "the same answer..."
    assert cache_hits() == hits + 1, "...from the shard request cache"
    store.close(seeded["c"].id, T0 + timedelta(hours=1))
    store.refresh()
    assert listed(store, seeded) == ORDER[1:], "a change, once refreshed, is seen at once"


def test_each_filter(store: CaseStore, seeded: dict[str, Case]) -> None:
    store.claim(seeded["d"].id, "aiko", T0 + timedelta(minutes=1))
    store.refresh()
    assert listed(store, seeded, teams=["care"]) == ["c", "d", "a", "e"]
    assert listed(store, seeded, teams=["care", "noc"]) == ["c", "b", "d", "a", "e"]
    assert listed(store, seeded, teams=[]) == [], "no teams: nothing"
    assert listed(store, seeded, brand="Kaze") == ["a"]
    assert listed(store, seeded, priority="urgent") == ["c", "b"]
    assert listed(store, seeded, status=("assigned",)) == ["d"]
    assert listed(store, seeded, source="bluesky") == ["b"]
    assert listed(store, seeded, lang="ja") == ["d"]
    assert listed(store, seeded, tagged=True) == ["c", "e"]
    assert listed(store, seeded, tagged=False) == ["b", "d", "a", "f"]
    assert listed(store, seeded, assignee="aiko") == ["d"]
    assert listed(store, seeded, unassigned=True) == ["c", "b", "a", "f", "e"]
    assert listed(store, seeded, teams=["care"], tagged=True, priority="low") == ["e"]


def test_an_old_case_without_the_new_fields_counts_as_untagged(
    store: CaseStore, seeded: dict[str, Case], es: Elasticsearch
) -> None:
    old = seeded["f"].model_dump(mode="json", exclude_none=True)
    for field in ("lang", "tagged", "excerpt", "tags"):
        old.pop(field)
    old["id"] = "case-old"
    es.index(index=store.index, id="case-old", document=old, refresh=True)
    page = store.inbox(CaseQuery(tagged=False, priority="normal"))
    assert [c.id for c in page.cases] == [seeded["a"].id, seeded["f"].id, "case-old"]


def test_free_text_search_in_english_and_japanese(
    store: CaseStore, seeded: dict[str, Case]
) -> None:
    assert listed(store, seeded, text="double charge") == ["a"]
    assert listed(store, seeded, text="charge double") == ["a"], "every word, any order"
    assert listed(store, seeded, text="通信障害") == ["d"]
    assert listed(store, seeded, text="障害通信") == [], "Japanese: the characters in order"
    assert listed(store, seeded, text="山田") == ["d"], "the author's name"
    assert listed(store, seeded, text="angry") == ["e"]
    assert listed(store, seeded, text="BLUE") == [], "handles only, not sources"
    assert listed(store, seeded, text="F") == ["f"], "a handle, case-insensitively"
    assert listed(store, seeded, text=seeded["b"].id) == ["b"], "a case id"
    assert listed(store, seeded, text="*") == [], "wildcards are text"


def test_paging_walks_every_case_once_with_the_total(
    store: CaseStore, seeded: dict[str, Case]
) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = store.inbox(CaseQuery(page_size=4, after=cursor))
        assert page.total == 6
        seen += names(seeded, page.cases)
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert (seen, pages) == (ORDER, 2)
    newest = store.inbox(CaseQuery(sort="newest", page_size=5))
    rest = store.inbox(CaseQuery(sort="newest", page_size=5, after=newest.next_cursor))
    assert len(newest.cases) == 5 and len(rest.cases) == 1 and rest.next_cursor is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"after": "not-a-cursor"}, "after"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 501}, "page_size"),
        ({"assignee": "aiko", "unassigned": True}, "unassigned"),
        ({"priority": "asap"}, "priority"),
        ({"status": ("done",)}, "status"),
        ({"sort": "random"}, "sort"),
    ],
)
def test_a_bad_query_names_its_field(query: dict[str, object], field: str) -> None:
    with pytest.raises(CaseValueError) as raised:
        CaseQuery(**query)  # type: ignore[arg-type]
    assert raised.value.field == field


def test_a_cursor_of_the_other_sort_is_refused(store: CaseStore, seeded: dict[str, Case]) -> None:
    cursor = store.inbox(CaseQuery(page_size=1)).next_cursor
    with pytest.raises(CaseValueError, match="after"):
        store.inbox(CaseQuery(sort="newest", after=cursor))


def test_changed_since_gives_the_cases_written_after_a_time(
    store: CaseStore, seeded: dict[str, Case]
) -> None:
    mark = T0 + timedelta(minutes=30)
    assert store.changed_since(mark) == []
    store.note(seeded["a"].id, "checking the bill", mark + timedelta(seconds=1), actor="aiko")
    store.claim(seeded["e"].id, "ben", mark + timedelta(seconds=2))
    store.refresh()
    changed = store.changed_since(mark)
    assert names(seeded, changed) == ["a", "e"], "oldest change first"
    assert names(seeded, store.changed_since(changed[0].updated_at or mark)) == ["e"]
    assert len(store.changed_since(T0 - timedelta(seconds=1))) == 6


def test_an_authors_earlier_cases(store: CaseStore, seeded: dict[str, Case]) -> None:
    spec = SPECS[0]
    store.close(seeded["c"].id, T0 + timedelta(hours=1))
    later = store.apply(action(spec), mention(spec, 2), T0 + timedelta(hours=2)).case
    elsewhere = Spec("c", source="bluesky")  # the same handle on another source
    store.apply(action(elsewhere), mention(elsewhere, 3), T0)
    store.refresh()
    key = case_author_key(later)
    assert key == "hn:c"
    assert [c.id for c in store.cases_of_author(key)] == [later.id, seeded["c"].id]
    assert [c.id for c in store.cases_of_author(key, limit=1)] == [later.id]
    assert store.cases_of_author("hn:nobody") == []
