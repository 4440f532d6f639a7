"""Records: stable ids, UTC times, JSON round trip, errors that name the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from core.errors import RecordError
from core.records import (
    AnalyzedMention,
    BrandMatch,
    Case,
    CaseEvent,
    IndexedMention,
    Mention,
    Sentiment,
    mention_id,
    parse_record,
)

JST = timezone(timedelta(hours=9))


def mention(**overrides: object) -> Mention:
    data: dict[str, object] = {
        "source": "mastodon",
        "native_id": "1093",
        "text": "ほしモバイル、また圏外…",
        "published_at": "2026-11-02T09:30:00+09:00",
        "collected_at": "2026-11-02T00:31:00Z",
    }
    return parse_record(Mention, data | overrides)


def test_id_is_stable_and_derived_from_source_and_native_id() -> None:
    first, again = mention(), mention(text="edited later")
    assert first.id == again.id == mention_id("mastodon", "1093")
    assert len(first.id) == 32
    assert mention(source="bluesky").id != first.id
    assert mention(native_id="1094").id != first.id


def test_an_id_that_does_not_match_is_refused() -> None:
    with pytest.raises(RecordError, match="not derived from source and native_id"):
        mention(id="0" * 32)


def test_times_become_utc() -> None:
    m = mention()
    assert m.published_at == datetime(2026, 11, 2, 0, 30, tzinfo=UTC)
    assert m.published_at.utcoffset() == timedelta(0)


def test_naive_times_are_refused_with_the_field_named() -> None:
    with pytest.raises(RecordError) as error:
        mention(published_at="2026-11-02T09:30:00")
    assert error.value.field == "published_at"
    assert "timezone" in str(error.value)


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(RecordError) as error:
        mention(sentiment_guess="bad")
    assert error.value.field == "sentiment_guess"


def test_nested_errors_name_the_dotted_path() -> None:
    with pytest.raises(RecordError) as error:
        mention(author={"followers": -3})
    assert error.value.field == "author.followers"
    assert error.value.value == -3


def test_json_round_trip_of_every_record() -> None:
    analyzed = AnalyzedMention(
        **mention().model_dump(),
        detected_lang="ja",
        brands=[BrandMatch(brand="Hoshi Mobile", role="own", tagged=False, terms=["ほしモバイル"])],
        sentiment=Sentiment(
            label="negative",
            score=0.91,
            probabilities={"negative": 0.91, "neutral": 0.06, "positive": 0.03},
            model="kikimimi-sentiment-test",
        ),
        topics=["network"],
        intent="complaint",
    )
    indexed = IndexedMention(
        **analyzed.model_dump(), vip=True, rules=["own-complaint"], feeds=["marketing"]
    )
    opened = datetime(2026, 11, 2, 1, 0, tzinfo=JST)
    case = Case(
        id="case-1",
        mention_ids=[analyzed.id],
        brand="Hoshi Mobile",
        author=analyzed.author,
        rule="own-brand-negative-complaint",
        opened_at=opened,
        sla_due_at=opened + timedelta(hours=1),
        history=[CaseEvent(at=opened, kind="opened", mention_id=analyzed.id)],
    )
    for record in (mention(), analyzed, indexed, case):
        assert type(record).model_validate_json(record.model_dump_json()) == record
    assert case.opened_at.tzinfo == UTC


def test_case_needs_a_mention() -> None:
    with pytest.raises(RecordError) as error:
        parse_record(
            Case,
            {
                "id": "c",
                "mention_ids": [],
                "brand": "b",
                "author": {},
                "rule": "r",
                "opened_at": "2026-11-02T00:00:00Z",
                "sla_due_at": "2026-11-02T01:00:00Z",
            },
        )
    assert error.value.field == "mention_ids"


def test_parse_record_accepts_json_text() -> None:
    m = mention()
    assert parse_record(Mention, m.model_dump_json()) == m


def test_a_record_grows_into_the_next_in_memory() -> None:
    m = mention(author={"handle": "@angry"})
    analyzed = AnalyzedMention(**m.fields_of(Mention), topics=["network"])
    indexed = IndexedMention(**analyzed.fields_of(AnalyzedMention), rules=["r"], feeds=["f"])
    assert indexed.author is analyzed.author is m.author, "shared, not dumped and re-parsed"
    assert indexed.fields_of(Mention) == m.fields_of(Mention)
    assert (indexed.topics, indexed.vip, indexed.rules, indexed.feeds) == (
        ["network"],
        False,
        ["r"],
        ["f"],
    )


def test_what_nlp_found_carries_no_rule_outcome() -> None:
    for field, value in {"vip": True, "rules": ["r"], "feeds": ["f"]}.items():
        with pytest.raises(RecordError, match="Extra inputs are not permitted") as error:
            parse_record(AnalyzedMention, mention().model_dump() | {field: value})
        assert error.value.field == field
