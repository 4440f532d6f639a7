"""The saved objects Kikimimi ships, for an index prefix, checked before anything uses them:
a file that no longer fits the index mappings or holds a dangling reference is refused with
every problem named, rather than imported to break in Kibana."""

from __future__ import annotations

from typing import Any

from core import IndexNames, KibanaError
from indexer.kibana.consistency import consistency_problems
from indexer.kibana.fields import field_problems
from indexer.kibana.saved_objects import (
    SAVED_OBJECTS_FILE,
    SHIPPED_PREFIX,
    SavedObject,
    read_saved_objects,
    with_prefix,
)
from indexer.templates import cases_mappings, mentions_mappings

__all__ = ["index_mappings", "saved_objects_for"]


def index_mappings(names: IndexNames) -> dict[str, dict[str, Any]]:
    """The mapping of each index or alias a data view may read, by its name (field types do
    not depend on the text analyzer, so the standard one stands for all)."""
    return {
        names.mentions_alias: mentions_mappings("standard"),
        names.cases_index: cases_mappings("standard"),
    }


def saved_objects_for(prefix: str) -> tuple[SavedObject, ...]:
    """The shipped saved objects, checked, with their data views reading ``prefix``'s
    indices."""
    objects = read_saved_objects()
    problems = consistency_problems(objects)
    problems += field_problems(objects, index_mappings(IndexNames(SHIPPED_PREFIX)))
    if problems:
        listed = "; ".join(problems)
        message = f"{SAVED_OBJECTS_FILE} does not fit this version of Kikimimi: {listed}"
        raise KibanaError("use the Kibana saved objects", message)
    return with_prefix(objects, prefix)
