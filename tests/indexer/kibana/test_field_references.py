"""Every field a saved object uses exists in the index templates' mappings with a type that
suits the use, so renaming or retyping a field in indexer/templates.py cannot silently break
a dashboard: each such change below is caught, naming the object and the field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from core import IndexNames, KibanaError
from indexer.kibana import (
    field_problems,
    field_uses,
    index_mappings,
    mapping_fields,
    read_saved_objects,
    saved_objects_for,
)
from indexer.kibana import shipped as shipped_module
from indexer.kibana.saved_objects import SavedObject
from indexer.templates import cases_mappings

MAPPINGS = index_mappings(IndexNames("kikimimi"))
VIEW_INDEX = {"kikimimi-mentions": "kikimimi-mentions", "kikimimi-cases": "kikimimi-cases"}


def mapped_uses() -> list[tuple[str, str]]:
    """Each (data view, field) the shipped objects use that the mapping itself holds."""
    runtime = {"first_response_minutes"}
    return sorted(
        {(u.data_view, u.field) for u in field_uses(read_saved_objects()) if u.field not in runtime}
    )


def without(mappings: dict[str, Any], field: str) -> dict[str, Any]:
    """``mappings`` with ``field`` (a dotted path, sub-fields too) renamed to ``field_old``."""
    changed = copy.deepcopy(mappings)
    node: dict[str, Any] = changed
    parts = field.split(".")
    for index, part in enumerate(parts[:-1]):
        spec = node["properties"][part]
        if "properties" in spec:
            node = spec
        else:  # a multi-field such as text.keyword
            assert index == len(parts) - 2
            spec["fields"][f"{parts[-1]}_old"] = spec["fields"].pop(parts[-1])
            return changed
    node["properties"][f"{parts[-1]}_old"] = node["properties"].pop(parts[-1])
    return changed


def retyped(mappings: dict[str, Any], field: str, new_type: str) -> dict[str, Any]:
    changed = copy.deepcopy(mappings)
    node: dict[str, Any] = changed
    for part in field.split("."):
        node = node["properties"][part]
    node.clear()
    node["type"] = new_type
    return changed


def problems_with(index: str, mappings: dict[str, Any]) -> list[str]:
    return field_problems(read_saved_objects(), {**MAPPINGS, index: mappings})


def test_every_field_the_saved_objects_use_fits_the_index_templates() -> None:
    assert field_problems(read_saved_objects(), MAPPINGS) == []


def test_the_check_sees_the_fields_of_every_kind_of_object() -> None:
    uses = field_uses(read_saved_objects())
    owners = {u.owner for u in uses}
    objects = read_saved_objects()
    unchecked = {o.key for o in objects if o.type != "dashboard"} - owners
    assert unchecked == {"lens:kikimimi-lens-mentions"}  # a count of records: no field
    used = {u.field for u in uses}
    assert {
        "published_at",  # the mentions' time field and date histograms
        "brands.brand",  # share of voice
        "sentiment.label",  # sentiment over time, the searches' query
        "brands.tagged",  # KQL `not brands.tagged : true`
        "topics",
        "source",
        "detected_lang",
        "engagement.likes",  # a field format
        "text",  # a saved search column and a label
        "opened_at",
        "team",
        "priority",
        "status",
        "csat",
        "sla_breached",
        "sla_due_at",  # a sort
        "first_response_at",  # the runtime field's script
        "first_response_minutes",  # the runtime field in a histogram
    } <= used


@pytest.mark.parametrize(("data_view", "field"), mapped_uses())
def test_renaming_any_used_field_is_caught(data_view: str, field: str) -> None:
    index = VIEW_INDEX[data_view]
    problems = problems_with(index, without(MAPPINGS[index], field))
    assert problems
    assert all(f" uses {field}, which {index} does not have" in p for p in problems), problems


@pytest.mark.parametrize(
    ("index", "field", "new_type", "expected"),
    [
        (
            "kikimimi-mentions",
            "published_at",
            "keyword",
            "index-pattern:kikimimi-mentions: the time field uses published_at, a keyword field; "
            "it needs date",
        ),
        (
            "kikimimi-mentions",
            "sentiment.label",
            "text",
            "lens:kikimimi-lens-sentiment-over-time: column 'sentiment' (terms) uses "
            "sentiment.label, a text field; it needs keyword",
        ),
        (
            "kikimimi-mentions",
            "brands.tagged",
            "keyword",
            "search:kikimimi-search-untagged-negative-own: the query uses brands.tagged, a keyword "
            "field; it needs boolean",
        ),
        (
            "kikimimi-cases",
            "csat",
            "keyword",
            "lens:kikimimi-lens-csat-average: column 'csat' (average) uses csat, a keyword field; "
            "it needs number",
        ),
        (
            "kikimimi-cases",
            "first_response_at",
            "text",
            "index-pattern:kikimimi-cases: runtime field 'first_response_minutes' uses "
            "first_response_at, a text field; it needs boolean or date or keyword or number",
        ),
    ],
)
def test_retyping_a_field_is_caught(index: str, field: str, new_type: str, expected: str) -> None:
    assert expected in problems_with(index, retyped(MAPPINGS[index], field, new_type))


def test_a_changed_cases_template_stops_the_import_before_kibana_sees_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def renamed_team(analyzer: Any) -> dict[str, Any]:
        return without(cases_mappings(analyzer), "team")

    monkeypatch.setattr(shipped_module, "cases_mappings", renamed_team)
    with pytest.raises(KibanaError) as refused:
        saved_objects_for("kikimimi")
    message = str(refused.value)
    assert "does not fit this version of Kikimimi" in message
    assert "lens:kikimimi-lens-open-cases-by-team: column 'team' (terms) uses team" in message


def edited_lens(update: dict[str, Any]) -> SavedObject:
    lens = next(o for o in read_saved_objects() if o.id == "kikimimi-lens-csat-average")
    state = copy.deepcopy(lens.attributes["state"])
    state["datasourceStates"]["formBased"]["layers"]["layer1"]["columns"]["csat"].update(update)
    return lens.model_copy(update={"attributes": {**lens.attributes, "state": state}})


def test_a_lens_operation_the_check_does_not_know_is_a_problem() -> None:
    views = [o for o in read_saved_objects() if o.type == "index-pattern"]
    problems = field_problems([*views, edited_lens({"operationType": "moving_average"})], MAPPINGS)
    assert problems == [
        "lens:kikimimi-lens-csat-average: column 'csat' (moving_average) uses csat: this check "
        "does not know what such a use needs"
    ]


def test_a_query_the_check_cannot_read_is_a_problem() -> None:
    views = [o for o in read_saved_objects() if o.type == "index-pattern"]
    lens = edited_lens({})
    state = {
        **lens.attributes["state"],
        "query": {"query": "csat:{ value > 3 }", "language": "kuery"},
    }
    unreadable = lens.model_copy(update={"attributes": {**lens.attributes, "state": state}})
    [problem] = field_problems([*views, unreadable], MAPPINGS)
    assert problem.startswith("lens:kikimimi-lens-csat-average: the query (nested KQL queries")


def test_sub_fields_and_object_fields_are_walked() -> None:
    fields = mapping_fields(MAPPINGS["kikimimi-mentions"])
    assert fields["text"] == "text"
    assert fields["text.keyword"] == "keyword"
    assert fields["sentiment.probabilities.negative"] == "number"
    assert "sentiment" not in fields
