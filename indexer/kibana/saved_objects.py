"""The Kibana saved objects Kikimimi ships (``kibana/kikimimi.ndjson``), read and rendered
for an index prefix.

The file is written for the default prefix ``kikimimi``: it is what Kibana's own *Import*
page takes as it is. For another prefix only the data views' titles (the index or alias
each one reads) change; every id stays, so importing again replaces our objects and no
other. The objects carry the migration versions of Kibana 8.19 (:data:`TYPE_VERSIONS`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core import IndexNames, KibanaError

__all__ = [
    "CORE_MIGRATION_VERSION",
    "KIBANA_VERSION",
    "SAVED_OBJECTS_FILE",
    "SHIPPED_PREFIX",
    "TYPE_VERSIONS",
    "SavedObject",
    "SavedObjectReference",
    "parse_ndjson",
    "read_saved_objects",
    "to_ndjson",
    "with_prefix",
]

SAVED_OBJECTS_FILE = Path(__file__).resolve().parents[2] / "kibana" / "kikimimi.ndjson"
SHIPPED_PREFIX = "kikimimi"
KIBANA_VERSION = "8.19"
CORE_MIGRATION_VERSION = "8.8.0"
TYPE_VERSIONS: Mapping[str, str] = {
    "index-pattern": "8.0.0",
    "search": "10.5.0",
    "lens": "8.9.0",
    "dashboard": "10.3.0",
}
"""Each type's ``typeMigrationVersion`` in Kibana 8.19 (later versions migrate them)."""
INDEX_PREFIX = re.compile(r"[a-z0-9][a-z0-9_-]*")  # as elasticsearch.index_prefix
NonEmpty = Annotated[str, Field(min_length=1)]


class SavedObjectReference(BaseModel):
    """Another saved object this one needs, under the ``name`` its attributes use."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: NonEmpty
    id: NonEmpty
    name: NonEmpty


class SavedObject(BaseModel):
    """One line of a saved-objects NDJSON file, as Kibana exports it."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    type: NonEmpty
    id: NonEmpty
    attributes: dict[str, Any]
    references: tuple[SavedObjectReference, ...] = ()
    core_migration_version: str = Field(alias="coreMigrationVersion")
    type_migration_version: str = Field(alias="typeMigrationVersion")
    managed: bool = False

    @property
    def key(self) -> str:
        """``type:id``, how Kibana names an object in its messages."""
        return f"{self.type}:{self.id}"

    @property
    def title(self) -> str:
        return str(self.attributes.get("title", ""))


def parse_ndjson(text: str, source: str) -> tuple[SavedObject, ...]:
    """The saved objects of NDJSON ``text``; ``source`` names it in the errors."""
    objects = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            objects.append(SavedObject.model_validate_json(line))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(map(str, first["loc"])) or "(line)"
            message = f"{source} line {number}: {where}: {first['msg']}"
            raise KibanaError("read the Kibana saved objects", message) from None
    return tuple(objects)


def read_saved_objects(file: Path = SAVED_OBJECTS_FILE) -> tuple[SavedObject, ...]:
    """The saved objects as shipped, for :data:`SHIPPED_PREFIX`."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        reason = f"{file}: {error.strerror or error}"
        raise KibanaError("read the Kibana saved objects", reason) from None
    except UnicodeDecodeError:
        raise KibanaError("read the Kibana saved objects", f"{file} is not UTF-8") from None
    return parse_ndjson(text, file.name)


def with_prefix(objects: Iterable[SavedObject], prefix: str) -> tuple[SavedObject, ...]:
    """``objects`` (made for :data:`SHIPPED_PREFIX`) with their data views reading the
    indices of ``prefix``."""
    if not INDEX_PREFIX.fullmatch(prefix):
        message = f"{prefix!r} is not an index prefix (lower-case letters, digits, _ and -)"
        raise KibanaError("render the Kibana saved objects", message)
    shipped, wanted = IndexNames(SHIPPED_PREFIX), IndexNames(prefix)
    titles = {
        shipped.mentions_alias: wanted.mentions_alias,
        shipped.cases_index: wanted.cases_index,
    }
    rendered = []
    for item in objects:
        if item.type == "index-pattern":
            title = item.attributes.get("title")
            if title not in titles:
                message = f"data view {item.id} reads {title!r}, none of {sorted(titles)}"
                raise KibanaError("render the Kibana saved objects", message)
            attributes = {**item.attributes, "title": titles[title]}
            rendered.append(item.model_copy(update={"attributes": attributes}))
        else:
            rendered.append(item)
    return tuple(rendered)


def to_ndjson(objects: Iterable[SavedObject]) -> bytes:
    """``objects`` as NDJSON, one object a line, keys sorted as Kibana exports them."""
    lines = (
        json.dumps(
            item.model_dump(by_alias=True),
            ensure_ascii=False,
            separators=(",", ":"),
            sort_keys=True,
        )
        for item in objects
    )
    return "".join(f"{line}\n" for line in lines).encode("utf-8")
