"""Stand-in of Kibana's saved-objects import API, for :class:`standins.server.StandinServer`.

:class:`KibanaStandin` answers ``POST /api/saved_objects/_import`` (and
``/s/SPACE/api/saved_objects/_import``) as Kibana 8.19 does, checking what Kibana checks,
in its order: the route (404), the credentials (401: an API key as ``Authorization:
ApiKey``, or basic auth), the ``kbn-xsrf`` header (400), the query (``overwrite`` and
``createNewCopies`` exclude each other), a multipart body (415 otherwise) with a field
``file`` named ``*.ndjson`` (400), each line a JSON object with a ``type`` and an ``id``
(400, as are two lines with one type and id). Then, per object: its type known
(``unsupported_type``), its attributes an object, a dashboard's or a saved search's
attributes those of their schema, its migration versions not newer than this Kibana's
(``unknown``, 400), every reference found in the file or among the space's stored objects
(``missing_references``), an existing id replaced only with ``overwrite`` (``conflict``).
Objects without an error are stored; the answer has Kibana's shape: ``success``,
``successCount``, ``successResults`` and ``errors`` (each left out when empty), ``warnings``.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hmac
import json
import re
import threading
from collections.abc import Mapping
from typing import Any

from standins.server import Reply, Request, json_reply

__all__ = ["KIBANA_TYPE_VERSIONS", "KibanaStandin"]

CORE_VERSION = "8.8.0"
KIBANA_TYPE_VERSIONS: Mapping[str, str] = {
    "index-pattern": "8.0.0",
    "search": "10.5.0",
    "lens": "8.9.0",
    "dashboard": "10.3.0",
    "visualization": "8.5.0",
}
"""The importable types of this Kibana and the newest migration version it knows of each."""
ICONS = {
    "index-pattern": "indexPatternApp",
    "search": "discoverApp",
    "lens": "lensApp",
    "dashboard": "dashboardApp",
    "visualization": "visualizeApp",
}
DASHBOARD_ATTRIBUTES = frozenset(
    {"title", "description", "kibanaSavedObjectMeta", "timeRestore", "timeFrom", "timeTo"}
    | {"refreshInterval", "controlGroupInput", "panelsJSON", "optionsJSON", "hits", "version"}
    | {"sections"}
)
SEARCH_ATTRIBUTES = frozenset(
    {"title", "description", "columns", "sort", "grid", "rowHeight", "rowsPerPage"}
    | {"hideChart", "breakdownField", "kibanaSavedObjectMeta", "isTextBasedQuery"}
    | {"usesAdHocDataView", "timeRestore", "timeRange", "refreshInterval", "viewMode"}
    | {"hideAggregatedPreview", "hits", "version", "sampleSize", "headerRowHeight"}
    | {"visContext", "density"}
)
"""The attributes Kibana 8.19's schemas allow (dashboard v3, saved search model version 5)."""
IMPORT_PATH = re.compile(r"(?:/s/(?P<space>[a-z0-9_-]+))?/api/saved_objects/_import")


def _error(
    status: int, error: str, message: str, headers: Mapping[str, str] | None = None
) -> Reply:
    return json_reply(status, {"statusCode": status, "error": error, "message": message}, headers)


def _bad_request(message: str) -> Reply:
    return _error(400, "Bad Request", message)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


class KibanaStandin:
    """A Kibana with spaces, its stored saved objects, and one user's credentials."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        username: str | None = None,
        password: str | None = None,
        type_versions: Mapping[str, str] = KIBANA_TYPE_VERSIONS,
        spaces: tuple[str, ...] = ("default",),
    ) -> None:
        self._accepted: list[str] = []
        if api_key is not None:
            self._accepted.append(f"ApiKey {api_key}")
        if username is not None and password is not None:
            pair = base64.b64encode(f"{username}:{password}".encode()).decode()
            self._accepted.append(f"Basic {pair}")
        self.type_versions = dict(type_versions)
        self.stored: dict[str, dict[tuple[str, str], dict[str, Any]]] = {s: {} for s in spaces}
        self._lock = threading.Lock()

    def store(self, saved_object: dict[str, Any], space: str = "default") -> None:
        """Keep ``saved_object`` as if someone had made it in ``space``."""
        with self._lock:
            self.stored[space][(saved_object["type"], saved_object["id"])] = saved_object

    def __call__(self, request: Request) -> Reply:
        route = IMPORT_PATH.fullmatch(request.path)
        if route is None or request.method != "POST":
            return _error(404, "Not Found", "Not Found")
        if not self._authenticated(request.headers.get("authorization", "")):
            return _error(
                401,
                "Unauthorized",
                "[security_exception]: unable to authenticate with the provided credentials",
                {"WWW-Authenticate": 'Basic realm="security" charset="UTF-8", ApiKey'},
            )
        space = route["space"] or "default"
        if space not in self.stored:
            return _error(404, "Not Found", "Not Found")
        if "kbn-xsrf" not in request.headers:
            return _bad_request("Request must contain a kbn-xsrf header.")
        overwrite = request.arg("overwrite", "false") == "true"
        if overwrite and request.arg("createNewCopies", "false") == "true":
            return _bad_request("[request query]: cannot use [overwrite] with [createNewCopies]")
        content_type = request.headers.get("content-type", "")
        if not content_type.lower().startswith("multipart/form-data"):
            return _error(415, "Unsupported Media Type", "Unsupported Media Type")
        file = _form_file(content_type, request.body)
        if file is None:
            return _bad_request(
                "[request body.file]: expected value of type [Stream] but got [undefined]"
            )
        filename, data = file
        extension = filename[filename.rfind(".") :].lower() if "." in filename else ""
        if extension != ".ndjson":
            return _bad_request(f"Invalid file extension {extension}")
        objects = _parse(data)
        if isinstance(objects, Reply):
            return objects
        with self._lock:
            return json_reply(200, self._import(objects, space, overwrite))

    def _authenticated(self, authorization: str) -> bool:
        return any(hmac.compare_digest(authorization, given) for given in self._accepted)

    def _import(self, objects: list[dict[str, Any]], space: str, overwrite: bool) -> dict[str, Any]:
        stored = self.stored[space]
        in_file = {(o["type"], o["id"]) for o in objects if o["type"] in self.type_versions}
        results: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for item in objects:
            error = self._problem(item, in_file, stored, overwrite)
            meta = {"title": _title(item), "icon": ICONS.get(item["type"], "")}
            if error is not None:
                errors.append(
                    {"id": item["id"], "type": item["type"], "title": meta["title"], "meta": meta}
                    | {"error": error}
                )
                continue
            key = (item["type"], item["id"])
            result = {"type": item["type"], "id": item["id"], "meta": meta, "managed": False}
            if key in stored:
                result["overwrite"] = True
            stored[key] = item
            results.append(result)
        answer: dict[str, Any] = {"successCount": len(results), "success": not errors}
        if results:
            answer["successResults"] = results
        if errors:
            answer["errors"] = errors
        answer["warnings"] = []
        return answer

    def _problem(
        self,
        item: dict[str, Any],
        in_file: set[tuple[str, str]],
        stored: Mapping[tuple[str, str], Any],
        overwrite: bool,
    ) -> dict[str, Any] | None:
        known = self.type_versions.get(item["type"])
        if known is None:
            return {"type": "unsupported_type"}
        invalid = _invalid(item, known)
        if invalid is not None:
            return {"type": "unknown", "message": invalid, "statusCode": 400}
        missing = []
        for reference in item.get("references", []):
            key = (reference.get("type"), reference.get("id"))
            if key not in in_file and key not in stored:
                missing.append({"type": key[0], "id": key[1]})
        if missing:
            return {"type": "missing_references", "references": missing}
        if (item["type"], item["id"]) in stored and not overwrite:
            return {"type": "conflict"}
        return None


def _form_file(content_type: str, body: bytes) -> tuple[str, bytes] | None:
    """The file name and content of the multipart field ``file``, if the body has one."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return None
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "file":
            payload = part.get_payload(decode=True)
            return part.get_filename() or "", payload if isinstance(payload, bytes) else b""
    return None


def _parse(data: bytes) -> list[dict[str, Any]] | Reply:
    """The saved objects of an NDJSON file (an export's summary line left out), or the 400
    Kibana answers."""
    objects: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    duplicates: list[str] = []
    for number, line in enumerate(data.decode("utf-8", "replace").split("\n"), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as error:
            return _bad_request(f"Unexpected token in JSON at line {number}: {error}")
        if isinstance(item, dict) and "exportedCount" in item:
            continue
        if not (
            isinstance(item, dict)
            and isinstance(item.get("type"), str)
            and isinstance(item.get("id"), str)
        ):
            return _bad_request(f"line {number}: a saved object needs a string type and id")
        key = (item["type"], item["id"])
        if key in seen:
            duplicates.append(f"{key[0]}:{key[1]}")
        seen.add(key)
        objects.append(item)
    if duplicates:
        return _bad_request(f"Non-unique import objects detected: [{','.join(duplicates)}]")
    return objects


def _invalid(item: dict[str, Any], known: str) -> str | None:
    """Why Kibana would refuse to create ``item``, or None."""
    attributes = item.get("attributes")
    if not isinstance(attributes, dict):
        return "[attributes]: expected value of type [object]"
    given = item.get("typeMigrationVersion") or "0.0.0"
    core = item.get("coreMigrationVersion") or "0.0.0"
    try:
        newer, newer_core = (
            _version(given) > _version(known),
            _version(core) > _version(CORE_VERSION),
        )
    except (AttributeError, ValueError):
        return f"invalid migration versions {given!r}, {core!r}"
    if newer:
        return (
            f'Document "{item["id"]}" belongs to a more recent version of Kibana [{given}] '
            f"when the last known version is [{known}]."
        )
    if newer_core:
        return f'Document "{item["id"]}" has a coreMigrationVersion newer than this Kibana'
    allowed = {"dashboard": DASHBOARD_ATTRIBUTES, "search": SEARCH_ATTRIBUTES}.get(item["type"])
    if allowed is not None:
        for name in attributes:
            if name not in allowed:
                return f"[attributes.{name}]: definition for this key is missing"
        if not isinstance(attributes.get("title"), str):
            return "[attributes.title]: expected value of type [string]"
    if item["type"] == "dashboard":
        try:
            panels = json.loads(attributes.get("panelsJSON", "[]"))
        except (TypeError, ValueError):
            panels = None
        if not isinstance(panels, list):
            return "[attributes.panelsJSON]: not a JSON list of panels"
    return None


def _title(item: Mapping[str, Any]) -> str:
    attributes = item.get("attributes")
    if not isinstance(attributes, dict):
        return ""
    return str(attributes.get("name") or attributes.get("title") or "")
