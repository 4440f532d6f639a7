"""Whether a set of saved objects holds together: ids unique, types and migration versions
those of the Kibana we target, every reference resolved inside the set, and every
reference an object's attributes name (a Lens layer's data view, a saved search's data
view, a dashboard's panels) present, and none unused."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from indexer.kibana.saved_objects import CORE_MIGRATION_VERSION, TYPE_VERSIONS, SavedObject

__all__ = ["consistency_problems", "embedded_json"]

SEARCH_INDEX_REF = "kibanaSavedObjectMeta.searchSourceJSON.index"
LENS_LAYER_REF = "indexpattern-datasource-layer-"


def embedded_json(item: SavedObject, *path: str) -> Any:
    """The JSON held as text at ``path`` in ``item``'s attributes (Kibana stores some so);
    ``None`` when there is none. Raises ValueError when it is not JSON."""
    value: Any = item.attributes
    for part in path:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    if not isinstance(value, str):
        raise ValueError(f"{'.'.join(path)} is not a JSON text")
    return json.loads(value)


def consistency_problems(objects: Sequence[SavedObject]) -> list[str]:
    """Everything Kibana would refuse or break on in ``objects``, one line each."""
    counts = Counter(item.key for item in objects)
    problems = [f"{key} appears {count} times" for key, count in counts.items() if count > 1]
    present = {(o.type, o.id) for o in objects}
    for item in objects:
        problems += [f"{item.key}: {problem}" for problem in _object_problems(item, present)]
    return problems


def _object_problems(item: SavedObject, present: set[tuple[str, str]]) -> Iterable[str]:
    expected = TYPE_VERSIONS.get(item.type)
    if expected is None:
        yield f"type {item.type!r} is none of {sorted(TYPE_VERSIONS)}"
    elif item.type_migration_version != expected:
        yield f"typeMigrationVersion {item.type_migration_version}, not {expected}"
    if item.core_migration_version != CORE_MIGRATION_VERSION:
        yield f"coreMigrationVersion {item.core_migration_version}, not {CORE_MIGRATION_VERSION}"
    for name, count in Counter(r.name for r in item.references).items():
        if count > 1:
            yield f"reference name {name!r} used {count} times"
    for reference in item.references:
        if (reference.type, reference.id) not in present:
            yield f"reference {reference.name!r} to {reference.type}:{reference.id} is missing"
    try:
        needed = _needed_references(item)
    except (KeyError, TypeError, ValueError) as error:
        yield f"attributes not as Kibana writes them ({type(error).__name__}: {error})"
        return
    given = {r.name: r.type for r in item.references}
    for name, kind in needed.items():
        if given.get(name) != kind:
            yield f"needs a reference {name!r} to a {kind}"
    for name in given.keys() - needed.keys():
        yield f"reference {name!r} is used by nothing"


def _needed_references(item: SavedObject) -> dict[str, str]:
    """The reference names ``item``'s attributes use, and the type each must have."""
    if item.type == "lens":
        layers = item.attributes["state"]["datasourceStates"]["formBased"]["layers"]
        return {f"{LENS_LAYER_REF}{layer}": "index-pattern" for layer in layers}
    if item.type == "search":
        source = embedded_json(item, "kibanaSavedObjectMeta", "searchSourceJSON") or {}
        name = source.get("indexRefName")
        return {name: "index-pattern"} if name else {}
    if item.type == "dashboard":
        panels = embedded_json(item, "panelsJSON") or []
        return {f"{p['panelIndex']}:{p['panelRefName']}": p["type"] for p in panels}
    return {}
