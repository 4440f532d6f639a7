"""The Kibana stand-in checks an import request as Kibana does and answers in its shape."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from standins.kibana import KibanaStandin
from standins.server import StandinServer

KEY = "a2lraW1pbWk6dGVzdC1rZXk="
BOUNDARY = "test-boundary-7e3c"


def data_view(view_id: str = "dv") -> dict[str, Any]:
    return {
        "type": "index-pattern",
        "id": view_id,
        "attributes": {"title": "acme-mentions"},
        "references": [],
        "coreMigrationVersion": "8.8.0",
        "typeMigrationVersion": "8.0.0",
    }


def lens(lens_id: str = "chart", view_id: str = "dv") -> dict[str, Any]:
    return {
        "type": "lens",
        "id": lens_id,
        "attributes": {"title": "Chart", "visualizationType": "lnsXY", "state": {}},
        "references": [
            {"type": "index-pattern", "id": view_id, "name": "indexpattern-datasource-layer-l1"}
        ],
        "coreMigrationVersion": "8.8.0",
        "typeMigrationVersion": "8.9.0",
    }


def dashboard(**attributes: Any) -> dict[str, Any]:
    return {
        "type": "dashboard",
        "id": "board",
        "attributes": {"title": "Board", "panelsJSON": "[]", **attributes},
        "references": [],
        "coreMigrationVersion": "8.8.0",
        "typeMigrationVersion": "10.3.0",
    }


def ndjson(*objects: dict[str, Any]) -> bytes:
    return "".join(json.dumps(o) + "\n" for o in objects).encode()


def multipart(data: bytes, field: str = "file", filename: str = "export.ndjson") -> bytes:
    return (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"'
            "\r\nContent-Type: application/ndjson\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def post(
    url: str,
    body: bytes,
    *,
    path: str = "/api/saved_objects/_import?overwrite=true",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    sent = {
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "kbn-xsrf": "true",
        "Authorization": f"ApiKey {KEY}",
        **(headers or {}),
    }
    request = urllib.request.Request(  # noqa: S310 (the stand-in's own http URL)
        url + path, data=body, headers={k: v for k, v in sent.items() if v}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def kibana() -> KibanaStandin:
    return KibanaStandin(api_key=KEY, username="analyst", password="correct horse battery")


@pytest.fixture
def url(kibana: KibanaStandin) -> Iterator[str]:
    with StandinServer(kibana) as server:
        yield server.url


def test_imports_objects_whose_references_are_in_the_file(kibana: KibanaStandin, url: str) -> None:
    status, answer = post(url, multipart(ndjson(data_view(), lens())))

    assert status == 200
    assert answer == {
        "successCount": 2,
        "success": True,
        "successResults": [
            {
                "type": "index-pattern",
                "id": "dv",
                "meta": {"title": "acme-mentions", "icon": "indexPatternApp"},
                "managed": False,
            },
            {
                "type": "lens",
                "id": "chart",
                "meta": {"title": "Chart", "icon": "lensApp"},
                "managed": False,
            },
        ],
        "warnings": [],
    }
    assert set(kibana.stored["default"]) == {("index-pattern", "dv"), ("lens", "chart")}


def test_a_reference_to_an_object_already_stored_resolves(kibana: KibanaStandin, url: str) -> None:
    kibana.store(data_view("theirs"))
    status, answer = post(url, multipart(ndjson(lens(view_id="theirs"))))
    assert (status, answer["successCount"], answer["success"]) == (200, 1, True)


def test_a_missing_reference_is_an_error_and_the_object_is_not_stored(
    kibana: KibanaStandin, url: str
) -> None:
    status, answer = post(url, multipart(ndjson(data_view(), lens("orphan", view_id="gone"))))

    assert status == 200
    assert (answer["success"], answer["successCount"]) == (False, 1)
    assert answer["errors"] == [
        {
            "id": "orphan",
            "type": "lens",
            "title": "Chart",
            "meta": {"title": "Chart", "icon": "lensApp"},
            "error": {
                "type": "missing_references",
                "references": [{"type": "index-pattern", "id": "gone"}],
            },
        }
    ]
    assert ("lens", "orphan") not in kibana.stored["default"]


def test_basic_auth_is_accepted_too(url: str) -> None:
    pair = base64.b64encode(b"analyst:correct horse battery").decode()
    status, _ = post(
        url, multipart(ndjson(data_view())), headers={"Authorization": f"Basic {pair}"}
    )
    assert status == 200


@pytest.mark.parametrize("authorization", ["", "ApiKey wrong", "Basic YW5hbHlzdDpndWVzcw=="])
def test_without_valid_credentials_it_answers_401(
    kibana: KibanaStandin, url: str, authorization: str
) -> None:
    status, answer = post(
        url, multipart(ndjson(data_view())), headers={"Authorization": authorization}
    )
    assert (status, answer["error"]) == (401, "Unauthorized")
    assert kibana.stored["default"] == {}


def test_without_kbn_xsrf_it_answers_400(kibana: KibanaStandin, url: str) -> None:
    status, answer = post(url, multipart(ndjson(data_view())), headers={"kbn-xsrf": ""})
    assert (status, answer["message"]) == (400, "Request must contain a kbn-xsrf header.")
    assert kibana.stored["default"] == {}


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        (multipart(ndjson(data_view()), field="upload"), None, 400, "[request body.file]"),
        (multipart(ndjson(data_view()), filename="x.json"), None, 400, "Invalid file extension"),
        (multipart(b'{"type": "lens", "id": '), None, 400, "Unexpected token in JSON at line 1"),
        (multipart(b'{"attributes": {}}\n'), None, 400, "line 1: a saved object needs"),
        (multipart(ndjson(lens(), lens())), None, 400, "Non-unique import objects detected"),
        (ndjson(data_view()), "application/x-ndjson", 415, "Unsupported Media Type"),
    ],
)
def test_a_malformed_request_is_refused(
    url: str, body: bytes, content_type: str | None, status: int, message: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    answered, answer = post(url, body, headers=headers)
    assert (answered, answer["statusCode"]) == (status, status)
    assert answer["message"].startswith(message)


@pytest.mark.parametrize(
    ("item", "error"),
    [
        (
            {**data_view(), "type": "canvas-workpad"},
            {"type": "unsupported_type"},
        ),
        (
            {**lens(), "typeMigrationVersion": "10.1.0"},
            {
                "type": "unknown",
                "statusCode": 400,
                "message": 'Document "chart" belongs to a more recent version of Kibana [10.1.0] '
                "when the last known version is [8.9.0].",
            },
        ),
        (
            dashboard(layout="grid"),
            {
                "type": "unknown",
                "statusCode": 400,
                "message": "[attributes.layout]: definition for this key is missing",
            },
        ),
        (
            {**data_view(), "attributes": None},
            {
                "type": "unknown",
                "statusCode": 400,
                "message": "[attributes]: expected value of type [object]",
            },
        ),
    ],
)
def test_an_object_kibana_cannot_create_is_an_error(
    url: str, item: dict[str, Any], error: dict[str, Any]
) -> None:
    status, answer = post(url, multipart(ndjson(data_view("other"), item)))
    assert (status, answer["successCount"]) == (200, 1)
    [failure] = answer["errors"]
    assert (failure["id"], failure["type"], failure["error"]) == (item["id"], item["type"], error)


def test_an_existing_id_is_replaced_only_with_overwrite(kibana: KibanaStandin, url: str) -> None:
    kibana.store({**dashboard(), "attributes": {"title": "Old"}})

    _, refused = post(url, multipart(ndjson(dashboard())), path="/api/saved_objects/_import")
    assert refused["errors"][0]["error"] == {"type": "conflict"}
    assert kibana.stored["default"][("dashboard", "board")]["attributes"] == {"title": "Old"}

    _, replaced = post(url, multipart(ndjson(dashboard())))
    assert replaced["successResults"][0]["overwrite"] is True
    assert kibana.stored["default"][("dashboard", "board")]["attributes"]["title"] == "Board"


def test_spaces_are_separate_and_an_unknown_one_is_not_found(url: str) -> None:
    kibana = KibanaStandin(api_key=KEY, spaces=("default", "marketing"))
    with StandinServer(kibana) as server:
        status, _ = post(
            server.url,
            multipart(ndjson(data_view())),
            path="/s/marketing/api/saved_objects/_import?overwrite=true",
        )
        missing, answer = post(
            server.url,
            multipart(ndjson(data_view())),
            path="/s/sales/api/saved_objects/_import",
        )
    assert status == 200
    assert set(kibana.stored["marketing"]) == {("index-pattern", "dv")}
    assert kibana.stored["default"] == {}
    assert (missing, answer["error"]) == (404, "Not Found")


def test_overwrite_and_new_copies_together_are_refused(url: str) -> None:
    status, answer = post(
        url,
        multipart(ndjson(data_view())),
        path="/api/saved_objects/_import?overwrite=true&createNewCopies=true",
    )
    assert (status, answer["message"]) == (
        400,
        "[request query]: cannot use [overwrite] with [createNewCopies]",
    )


def test_an_export_summary_line_is_left_out(url: str) -> None:
    summary = {"exportedCount": 1, "missingRefCount": 0, "missingReferences": []}
    status, answer = post(url, multipart(ndjson(data_view(), summary)))
    assert (status, answer["successCount"]) == (200, 1)
