"""Every field the saved objects use, checked against the index mappings.

A field must exist in the mapping of the index its data view reads (or be one of the data
view's runtime fields), and its type must suit the use: a date histogram needs a date, an
average a number, a terms bucket the type its column declares, a sort or a runtime
script's ``doc[...]`` a field with doc values, ``field : true`` a boolean. So renaming or
retyping a field in :mod:`indexer.templates` cannot silently break a dashboard. Uses this
check does not know (a new Lens operation, a field format) are problems too, until taught.
A dashboard's own query is not tied to a data view: it must stay empty (panels hold the
conditions).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from indexer.kibana.consistency import LENS_LAYER_REF, SEARCH_INDEX_REF, embedded_json
from indexer.kibana.kql import KqlCondition, kql_conditions
from indexer.kibana.saved_objects import SavedObject

__all__ = ["FieldUse", "field_problems", "field_uses", "mapping_fields"]

KEYWORD, TEXT, NUMBER, DATE, BOOLEAN = "keyword", "text", "number", "date", "boolean"
AGGREGATABLE = frozenset({KEYWORD, NUMBER, DATE, BOOLEAN})
ANY = AGGREGATABLE | {TEXT}
KINDS: Mapping[str, str] = {
    **dict.fromkeys(("keyword", "constant_keyword", "wildcard"), KEYWORD),
    **dict.fromkeys(("text", "match_only_text"), TEXT),
    **dict.fromkeys(
        ("long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float"),
        NUMBER,
    ),
    **dict.fromkeys(("date", "date_nanos"), DATE),
    "boolean": BOOLEAN,
}
"""Elasticsearch field types (and runtime field types) by the kind of value they hold."""
FORMAT_KINDS: Mapping[str, frozenset[str]] = {
    **dict.fromkeys(("number", "percent", "bytes", "duration", "currency"), frozenset({NUMBER})),
    **dict.fromkeys(("url", "string"), frozenset({KEYWORD, TEXT})),
    **dict.fromkeys(("date", "relative_date"), frozenset({DATE})),
    "boolean": frozenset({BOOLEAN}),
}
OPERATION_KINDS: Mapping[str, frozenset[str]] = {
    "date_histogram": frozenset({DATE}),
    "range": frozenset({NUMBER}),
    **dict.fromkeys(
        ("average", "sum", "median", "percentile", "percentile_rank", "standard_deviation"),
        frozenset({NUMBER}),
    ),
    **dict.fromkeys(("min", "max"), frozenset({NUMBER, DATE})),
    **dict.fromkeys(("count", "unique_count", "last_value"), AGGREGATABLE),
}
"""What each Lens operation needs of its field (``terms``: the type its column declares)."""
DATA_TYPE_KINDS: Mapping[str, frozenset[str]] = {
    "string": frozenset({KEYWORD}),
    "number": frozenset({NUMBER}),
    "date": frozenset({DATE}),
    "boolean": frozenset({BOOLEAN}),
}
LENS_RECORDS = "___records___"  # Lens's "count of records": no field
DOC_FIELD = re.compile(r"""doc\[\s*['"]([^'"]+)['"]\s*\]""")


@dataclass(frozen=True)
class FieldUse:
    """A field one saved object uses (``owner``, ``type:id``), in which ``use``, through
    which data view, and the kinds of field that suit the use."""

    owner: str
    use: str
    data_view: str
    field: str
    kinds: frozenset[str]


def mapping_fields(mappings: Mapping[str, Any]) -> dict[str, str]:
    """Every field of an index mapping (sub-fields such as ``text.keyword`` included) and its
    kind (:data:`KINDS`; other types as Elasticsearch names them)."""
    found: dict[str, str] = {}

    def walk(properties: Mapping[str, Any], prefix: str) -> None:
        for name, spec in properties.items():
            path = f"{prefix}{name}"
            if "properties" in spec:
                walk(spec["properties"], f"{path}.")
            if "type" in spec and spec["type"] not in ("object", "nested"):
                found[path] = KINDS.get(spec["type"], spec["type"])
                for sub, sub_spec in spec.get("fields", {}).items():
                    found[f"{path}.{sub}"] = KINDS.get(sub_spec["type"], sub_spec["type"])

    walk(mappings.get("properties", {}), "")
    return found


def field_uses(objects: Sequence[SavedObject]) -> list[FieldUse]:
    """Every field use in ``objects`` (data views, saved searches, Lens visualizations)."""
    uses: list[FieldUse] = []
    for item in objects:
        if item.type == "index-pattern":
            uses += _data_view_uses(item)
        elif item.type == "search":
            uses += _search_uses(item)
        elif item.type == "lens":
            uses += _lens_uses(item)
    return uses


def field_problems(
    objects: Sequence[SavedObject], mappings: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """What in ``objects`` does not fit ``mappings`` (the index mapping of each data view's
    title: the index or alias it reads), one line each."""
    problems: list[str] = []
    fields: dict[str, tuple[str, dict[str, str]]] = {}
    for view in (o for o in objects if o.type == "index-pattern"):
        title = str(view.attributes.get("title"))
        if title not in mappings:
            problems.append(f"{view.key}: reads {title!r}, an index with no known mapping")
            continue
        fields[view.id] = (title, {**mapping_fields(mappings[title]), **_runtime_kinds(view)})
    for dashboard in (o for o in objects if o.type == "dashboard"):
        source = embedded_json(dashboard, "kibanaSavedObjectMeta", "searchSourceJSON") or {}
        if source.get("query", {}).get("query"):
            problems.append(f"{dashboard.key}: has a query of its own: give it to the panels")
    for use in field_uses(objects):
        if use.data_view not in fields:
            problems.append(f"{use.owner}: {use.use} reads data view {use.data_view}, unknown")
            continue
        if not use.field:  # a query this check cannot read: ``use`` says why
            problems.append(f"{use.owner}: {use.use}")
            continue
        title, known = fields[use.data_view]
        kind = known.get(use.field)
        where = f"{use.owner}: {use.use} uses {use.field}"
        if kind is None:
            problems.append(f"{where}, which {title} does not have")
        elif not use.kinds:
            problems.append(f"{where}: this check does not know what such a use needs")
        elif kind not in use.kinds:
            problems.append(f"{where}, a {kind} field; it needs {' or '.join(sorted(use.kinds))}")
    return problems


def _runtime_kinds(view: SavedObject) -> dict[str, str]:
    runtime = embedded_json(view, "runtimeFieldMap") or {}
    return {name: KINDS.get(spec["type"], spec["type"]) for name, spec in runtime.items()}


def _data_view_uses(view: SavedObject) -> Iterator[FieldUse]:
    def use(what: str, field: str, kinds: frozenset[str]) -> FieldUse:
        return FieldUse(view.key, what, view.id, field, kinds)

    if view.attributes.get("timeFieldName"):
        yield use("the time field", view.attributes["timeFieldName"], frozenset({DATE}))
    for field, field_format in (embedded_json(view, "fieldFormatMap") or {}).items():
        format_id = field_format.get("id")
        yield use(f"format {format_id!r}", field, FORMAT_KINDS.get(format_id, frozenset()))
    for field in embedded_json(view, "fieldAttrs") or {}:
        yield use("a label or popularity", field, ANY)
    for name, spec in (embedded_json(view, "runtimeFieldMap") or {}).items():
        for field in DOC_FIELD.findall(spec.get("script", {}).get("source", "")):
            yield use(f"runtime field {name!r}", field, AGGREGATABLE)


def _search_uses(search: SavedObject) -> Iterator[FieldUse]:
    source = embedded_json(search, "kibanaSavedObjectMeta", "searchSourceJSON") or {}
    view = _referenced(search, source.get("indexRefName", SEARCH_INDEX_REF))
    yield from _query_uses(search.key, "the query", view, source.get("query", {}))
    for field in search.attributes.get("columns", []):
        yield FieldUse(search.key, "a column", view, field, ANY)
    for field, _direction in search.attributes.get("sort", []):
        yield FieldUse(search.key, "the sort", view, field, AGGREGATABLE)


def _lens_uses(lens: SavedObject) -> Iterator[FieldUse]:
    state = lens.attributes["state"]
    for layer_id, layer in state["datasourceStates"]["formBased"]["layers"].items():
        view = _referenced(lens, f"{LENS_LAYER_REF}{layer_id}")
        yield from _query_uses(lens.key, "the query", view, state.get("query", {}))
        for item in state.get("filters", []):
            yield FieldUse(lens.key, "a filter", view, item["meta"]["key"], ANY)
        for column_id, column in layer["columns"].items():
            yield from _column_uses(lens.key, view, column_id, column)


def _column_uses(
    owner: str, view: str, column_id: str, column: Mapping[str, Any]
) -> Iterator[FieldUse]:
    operation = column["operationType"]
    what = f"column {column_id!r} ({operation})"
    if operation == "filters":
        for item in column["params"]["filters"]:
            yield from _query_uses(owner, f"{what} filter", view, item["input"])
        return
    field = column.get("sourceField")
    if field and field != LENS_RECORDS:
        if operation == "terms":
            kinds = DATA_TYPE_KINDS.get(column.get("dataType", ""), frozenset())
        else:
            kinds = OPERATION_KINDS.get(operation, frozenset())
        yield FieldUse(owner, what, view, field, kinds)


def _query_uses(owner: str, what: str, view: str, query: Mapping[str, Any]) -> Iterator[FieldUse]:
    text = query.get("query", "")
    if not text:
        return
    if query.get("language") != "kuery":
        yield FieldUse(owner, f"{what} (not KQL: unreadable)", view, "", frozenset())
        return
    try:
        conditions = kql_conditions(text)
    except ValueError as error:
        yield FieldUse(owner, f"{what} ({error})", view, "", frozenset())
        return
    for condition in conditions:
        yield FieldUse(owner, what, view, condition.field, _condition_kinds(condition))


def _condition_kinds(condition: KqlCondition) -> frozenset[str]:
    if condition.operator != ":":
        return frozenset({NUMBER, DATE})
    kinds = ANY
    for value in condition.values:
        if value.quoted:
            kinds &= {KEYWORD, TEXT}
        elif value.text in ("true", "false"):
            kinds &= {BOOLEAN}
        elif re.fullmatch(r"-?\d+(\.\d+)?", value.text):
            kinds &= {NUMBER, KEYWORD, TEXT}
        elif value.text != "*":
            kinds &= {KEYWORD, TEXT}
    return kinds


def _referenced(item: SavedObject, name: str) -> str:
    """The id of the data view ``item`` names ``name`` (empty when there is none)."""
    return next((r.id for r in item.references if r.name == name), "")
