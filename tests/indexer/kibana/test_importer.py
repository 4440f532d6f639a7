"""Importing the saved objects into the Kibana stand-in: every object, with the request
Kibana wants, and a clear error for each way it can go wrong."""

from __future__ import annotations

import base64
import email.parser
import email.policy
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from config import KibanaSettings
from core import KibanaError
from indexer.kibana import (
    import_endpoint,
    import_saved_objects,
    read_saved_objects,
    saved_objects_for,
    to_ndjson,
)
from standins.kibana import KIBANA_TYPE_VERSIONS, KibanaStandin
from standins.server import Reply, StandinServer
from tests.conftest import free_port

KEY = "a2lraW1pbWk6aW1wb3J0LWtleQ=="
SETTINGS = KibanaSettings(api_key=SecretStr(KEY), timeout_seconds=10)


@pytest.fixture
def kibana() -> KibanaStandin:
    return KibanaStandin(
        api_key=KEY, username="analyst", password="s3cret-pass", spaces=("default", "marketing")
    )


@pytest.fixture
def server(kibana: KibanaStandin) -> Iterator[StandinServer]:
    with StandinServer(kibana) as running:
        yield running


def test_every_object_is_imported(kibana: KibanaStandin, server: StandinServer) -> None:
    objects = saved_objects_for("acme")
    report = import_saved_objects(objects, SETTINGS, server.url)

    assert (report.sent, report.success_count, report.failures) == (22, 22, ())
    assert report.success
    stored = kibana.stored["default"]
    assert set(stored) == {(o.type, o.id) for o in objects}
    assert stored[("index-pattern", "kikimimi-cases")]["attributes"]["title"] == "acme-cases"


def test_the_request_is_the_one_kibana_wants(server: StandinServer) -> None:
    objects = saved_objects_for("kikimimi")
    import_saved_objects(objects, SETTINGS, server.url)

    [request] = server.requests
    assert (request.method, request.path) == ("POST", "/api/saved_objects/_import")
    assert request.query == {"overwrite": ["true"]}
    assert request.headers["kbn-xsrf"]
    assert request.headers["authorization"] == f"ApiKey {KEY}"
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    form = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
    [part] = form.iter_parts()
    assert part.get_param("name", header="content-disposition") == "file"
    assert part.get_filename() == "kikimimi.ndjson"
    assert part.get_payload(decode=True) == to_ndjson(objects)


def test_basic_auth_and_a_space(kibana: KibanaStandin, server: StandinServer) -> None:
    settings = KibanaSettings(username="analyst", password=SecretStr("s3cret-pass"))
    report = import_saved_objects(read_saved_objects(), settings, server.url + "/", "marketing")

    assert report.success
    [request] = server.requests
    assert request.path == "/s/marketing/api/saved_objects/_import"
    expected = base64.b64encode(b"analyst:s3cret-pass").decode()
    assert request.headers["authorization"] == f"Basic {expected}"
    assert len(kibana.stored["marketing"]) == 22
    assert kibana.stored["default"] == {}


def test_a_users_own_objects_stay_and_only_ours_are_replaced(
    kibana: KibanaStandin, server: StandinServer
) -> None:
    theirs = {"type": "dashboard", "id": "my-own-board", "attributes": {"title": "Mine"}}
    kibana.store(theirs)
    kibana.store(
        {"type": "dashboard", "id": "kikimimi-dashboard-care", "attributes": {"title": "Old"}}
    )

    report = import_saved_objects(read_saved_objects(), SETTINGS, server.url)

    assert report.success
    stored = kibana.stored["default"]
    assert stored[("dashboard", "my-own-board")] == theirs
    assert (
        stored[("dashboard", "kikimimi-dashboard-care")]["attributes"]["title"] == "Kikimimi: Care"
    )
    assert [(r.method, r.path) for r in server.requests] == [("POST", "/api/saved_objects/_import")]


def test_each_object_kibana_refuses_is_reported_with_its_reason() -> None:
    older = KibanaStandin(
        api_key=KEY, type_versions={**KIBANA_TYPE_VERSIONS, "dashboard": "10.2.0"}
    )
    with StandinServer(older) as kibana_8_15:
        report = import_saved_objects(read_saved_objects(), SETTINGS, kibana_8_15.url)

    assert (report.sent, report.success_count, report.success) == (22, 20, False)
    by_id = {f.id: f for f in report.failures}
    assert set(by_id) == {"kikimimi-dashboard-brand-health", "kikimimi-dashboard-care"}
    failure = by_id["kikimimi-dashboard-care"]
    assert (failure.type, failure.title) == ("dashboard", "Kikimimi: Care")
    assert failure.reason == (
        'Document "kikimimi-dashboard-care" belongs to a more recent version of Kibana [10.3.0] '
        "when the last known version is [10.2.0]. (HTTP 400)"
    )


def test_missing_references_are_named(server: StandinServer) -> None:
    lenses = [o for o in read_saved_objects() if o.id == "kikimimi-lens-csat-average"]
    [failure] = import_saved_objects(lenses, SETTINGS, server.url).failures
    assert failure.reason == "missing references: index-pattern:kikimimi-cases"


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            KibanaSettings(api_key=SecretStr("d3Jvbmc6a2V5")),
            "did not accept the credentials (HTTP 401): [security_exception]: unable to "
            "authenticate with the provided credentials; check kibana.api_key, or "
            "kibana.username and kibana.password",
        ),
        (
            KibanaSettings(),
            "did not accept the credentials (HTTP 401): [security_exception]: unable to "
            "authenticate with the provided credentials; set kibana.api_key, or "
            "kibana.username and kibana.password",
        ),
    ],
)
def test_refused_credentials_say_what_to_set_and_show_no_secret(
    server: StandinServer, settings: KibanaSettings, expected: str
) -> None:
    with pytest.raises(KibanaError) as refused:
        import_saved_objects(read_saved_objects(), settings, server.url)
    message = str(refused.value)
    assert message == (
        f"could not import the saved objects into Kibana: Kibana at {server.url} {expected}"
    )
    assert refused.value.status == 401
    assert "d3Jvbmc6a2V5" not in message


@pytest.mark.parametrize(
    ("reply", "status", "expected"),
    [
        (
            Reply(403, b'{"statusCode":403,"error":"Forbidden","message":"no privileges"}'),
            403,
            "does not let these credentials import saved objects (HTTP 403): no privileges",
        ),
        (Reply(302, b"", headers={"Location": "/login"}), 302, "answered a redirect (HTTP 302)"),
        (
            Reply(503, b"<html>Kibana server is not ready yet</html>", "text/html"),
            503,
            "refused the import (HTTP 503): <html>Kibana server is not ready yet</html>",
        ),
        (
            Reply(200, b"<html>welcome</html>", "text/html"),
            200,
            "did not answer as Kibana's import API does: is that Kibana's URL?",
        ),
    ],
)
def test_other_answers_are_clear_errors(
    server: StandinServer, reply: Reply, status: int, expected: str
) -> None:
    server.inject("/api/saved_objects/_import", reply)
    with pytest.raises(KibanaError) as refused:
        import_saved_objects(read_saved_objects(), SETTINGS, server.url)
    assert expected in str(refused.value)
    assert refused.value.status == status


def test_an_unknown_space_is_a_clear_error(server: StandinServer) -> None:
    with pytest.raises(KibanaError) as refused:
        import_saved_objects(read_saved_objects(), SETTINGS, server.url, "sales")
    assert "has no such API (HTTP 404): Not Found" in str(refused.value)
    assert "does the space 'sales' exist?" in str(refused.value)


def test_nobody_listening_is_a_clear_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(KibanaError) as refused:
        import_saved_objects(read_saved_objects(), SETTINGS, url)
    assert str(refused.value).startswith(
        f"could not import the saved objects into Kibana: cannot reach Kibana at {url}: "
    )
    assert refused.value.status is None


@pytest.mark.parametrize(
    ("url", "space", "endpoint"),
    [
        ("http://kibana:5601", None, "http://kibana:5601/api/saved_objects/_import?overwrite=true"),
        (
            "https://example.com/kibana/",
            "default",
            "https://example.com/kibana/api/saved_objects/_import?overwrite=true",
        ),
        (
            "https://example.com/kibana",
            "care_team",
            "https://example.com/kibana/s/care_team/api/saved_objects/_import?overwrite=true",
        ),
    ],
)
def test_the_endpoint_keeps_the_base_path(url: str, space: str | None, endpoint: str) -> None:
    assert import_endpoint(url, space) == endpoint


@pytest.mark.parametrize(
    ("url", "space", "message"),
    [
        ("ftp://kibana", None, "'ftp://kibana' is not an http(s) URL"),
        ("http://user:pw@kibana:5601", None, "the URL holds credentials"),
        ("http://kibana:5601", "../admin", "'../admin' is not a space id"),
    ],
)
def test_a_bad_url_or_space_is_refused(url: str, space: str | None, message: str) -> None:
    with pytest.raises(
        KibanaError, match=message.replace("(", r"\(").replace(")", r"\)")
    ) as refused:
        import_endpoint(url, space)
    assert "pw" not in str(refused.value)
