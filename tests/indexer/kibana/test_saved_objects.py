"""The shipped NDJSON: what it holds, that it holds together, and how a prefix renders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import KibanaError
from indexer.kibana import (
    SAVED_OBJECTS_FILE,
    consistency_problems,
    read_saved_objects,
    saved_objects_for,
    to_ndjson,
    with_prefix,
)
from indexer.kibana.saved_objects import TYPE_VERSIONS, SavedObject

EXPECTED_IDS = {
    "index-pattern": {"kikimimi-mentions", "kikimimi-cases"},
    "search": {
        "kikimimi-search-untagged-negative-own",
        "kikimimi-search-open-urgent-cases",
        "kikimimi-search-sla-breaches",
    },
    "dashboard": {"kikimimi-dashboard-brand-health", "kikimimi-dashboard-care"},
}


def shipped_lines() -> list[dict[str, object]]:
    return [json.loads(line) for line in SAVED_OBJECTS_FILE.read_text("utf-8").splitlines()]


def test_every_line_is_a_saved_object_as_kibana_exports_it() -> None:
    lines = shipped_lines()
    assert len(lines) == 22
    for line in lines:
        assert set(line) == {
            "attributes",
            "coreMigrationVersion",
            "id",
            "managed",
            "references",
            "type",
            "typeMigrationVersion",
        }
        assert line["coreMigrationVersion"] == "8.8.0"
        assert line["typeMigrationVersion"] == TYPE_VERSIONS[str(line["type"])]


def test_the_objects_are_the_data_views_searches_and_dashboards_we_ship() -> None:
    objects = read_saved_objects()
    for kind, ids in EXPECTED_IDS.items():
        assert {o.id for o in objects if o.type == kind} == ids
    lenses = [o for o in objects if o.type == "lens"]
    assert len(lenses) == 15
    assert all(o.id.startswith("kikimimi-") for o in objects)  # never a user's id


def test_the_ndjson_holds_together_every_reference_resolving_inside_the_file() -> None:
    objects = read_saved_objects()
    assert consistency_problems(objects) == []
    keys = {(o.type, o.id) for o in objects}
    references = [(r.type, r.id) for o in objects for r in o.references]
    assert references and set(references) <= keys


def test_the_dashboards_show_every_visualization_and_the_searches_of_their_area() -> None:
    objects = {o.id: o for o in read_saved_objects()}
    shown = {
        r.id for dashboard_id in EXPECTED_IDS["dashboard"] for r in objects[dashboard_id].references
    }
    assert shown == {o.id for o in objects.values() if o.type in ("lens", "search")}
    care = {r.id for r in objects["kikimimi-dashboard-care"].references}
    assert {"kikimimi-search-open-urgent-cases", "kikimimi-search-sla-breaches"} <= care


def test_the_data_views_have_time_fields_formats_and_popularity() -> None:
    views = {o.id: o.attributes for o in read_saved_objects() if o.type == "index-pattern"}
    assert views["kikimimi-mentions"]["timeFieldName"] == "published_at"
    assert views["kikimimi-cases"]["timeFieldName"] == "opened_at"
    for view in views.values():
        assert json.loads(view["fieldFormatMap"])
        popularity = json.loads(view["fieldAttrs"])
        assert all(attrs["count"] > 0 for attrs in popularity.values())
    runtime = json.loads(views["kikimimi-cases"]["runtimeFieldMap"])
    assert runtime["first_response_minutes"]["type"] == "double"


def test_rendering_the_default_prefix_gives_the_shipped_file_byte_for_byte() -> None:
    assert to_ndjson(saved_objects_for("kikimimi")) == SAVED_OBJECTS_FILE.read_bytes()


def test_another_prefix_changes_only_the_indices_the_data_views_read() -> None:
    shipped = read_saved_objects()
    rendered = saved_objects_for("acme-prod")

    assert [o.key for o in rendered] == [o.key for o in shipped]
    titles = {o.id: o.attributes["title"] for o in rendered if o.type == "index-pattern"}
    assert titles == {
        "kikimimi-mentions": "acme-prod-mentions",
        "kikimimi-cases": "acme-prod-cases",
    }
    for before, after in zip(shipped, rendered, strict=True):
        if before.type != "index-pattern":
            assert after == before
        else:
            assert {**after.attributes, "title": None} == {**before.attributes, "title": None}


@pytest.mark.parametrize("prefix", ["", "Acme", "acme/../x", "-acme", "acme mentions"])
def test_a_prefix_that_is_no_index_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(KibanaError, match="is not an index prefix"):
        saved_objects_for(prefix)


def test_a_data_view_reading_an_unknown_index_is_refused() -> None:
    view = next(o for o in read_saved_objects() if o.type == "index-pattern")
    stray = view.model_copy(update={"attributes": {**view.attributes, "title": "logs-*"}})
    with pytest.raises(KibanaError, match="data view kikimimi-mentions reads 'logs-\\*'"):
        with_prefix([stray], "acme")


def test_a_broken_file_names_its_line_and_field(tmp_path: Path) -> None:
    broken = tmp_path / "kikimimi.ndjson"
    lines = SAVED_OBJECTS_FILE.read_text("utf-8").splitlines()
    lines[2] = lines[2].replace('"id":', '"ident":', 1)
    broken.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(KibanaError) as refused:
        read_saved_objects(broken)
    assert "kikimimi.ndjson line 3: id: Field required" in str(refused.value)


def test_inconsistencies_are_each_named() -> None:
    objects = list(read_saved_objects())
    lens = next(o for o in objects if o.type == "lens")
    orphan = lens.model_copy(
        update={
            "references": (lens.references[0].model_copy(update={"id": "gone"}),),
            "type_migration_version": "8.10.0",
        }
    )
    dashboard = next(o for o in objects if o.id == "kikimimi-dashboard-care")
    panel_less = dashboard.model_copy(update={"references": dashboard.references[1:]})
    problems = consistency_problems([*objects, orphan, panel_less])

    assert f"{lens.key} appears 2 times" in problems
    assert f"{lens.key}: typeMigrationVersion 8.10.0, not 8.9.0" in problems
    assert (
        f"{lens.key}: reference 'indexpattern-datasource-layer-layer1' to index-pattern:gone "
        "is missing"
    ) in problems
    assert (
        "dashboard:kikimimi-dashboard-care: needs a reference 'p1:panel_p1' to a lens" in problems
    )


def test_an_object_of_a_type_we_do_not_target_is_named() -> None:
    item = SavedObject.model_validate(
        {
            "type": "visualization",
            "id": "legacy",
            "attributes": {"title": "old"},
            "coreMigrationVersion": "8.8.0",
            "typeMigrationVersion": "8.5.0",
        }
    )
    assert consistency_problems([item]) == [
        "visualization:legacy: type 'visualization' is none of "
        "['dashboard', 'index-pattern', 'lens', 'search']"
    ]
