"""Elasticsearch's client and transport errors become Kikimimi's, carrying their data."""

from __future__ import annotations

from typing import Any

import pytest
from elastic_transport import ApiResponseMeta, ConnectionError, ConnectionTimeout, HttpHeaders
from elastic_transport import NodeConfig as TransportNode
from elasticsearch import ApiError, BadRequestError, ConflictError, NotFoundError

from core.elasticsearch_boundary import elasticsearch_errors, response_error
from core.errors import (
    ElasticsearchRequestError,
    ElasticsearchUnavailableError,
    KikimimiError,
)

MAPPER_ERROR = {
    "root_cause": [{"type": "strict_dynamic_mapping_exception", "reason": "no 'surprise'"}],
    "type": "document_parsing_exception",
    "reason": "[1:14] failed to parse",
    "caused_by": {"type": "strict_dynamic_mapping_exception", "reason": "no 'surprise'"},
}


def api_error(kind: type[ApiError], status: int, body: Any) -> ApiError:
    meta = ApiResponseMeta(
        status=status,
        http_version="1.1",
        headers=HttpHeaders(),
        duration=0.01,
        node=TransportNode("http", "127.0.0.1", 9200),
    )
    return kind(message="refused", meta=meta, body=body)


def raised_from(exc: Exception, operation: str = "list cases") -> KikimimiError:
    with pytest.raises(KikimimiError) as raised, elasticsearch_errors(operation):
        raise exc
    assert raised.value.__cause__ is exc
    return raised.value


def test_a_refused_request_carries_its_status_and_reason() -> None:
    error = raised_from(api_error(BadRequestError, 400, {"error": MAPPER_ERROR, "status": 400}))
    assert isinstance(error, ElasticsearchRequestError)
    assert (error.operation, error.status) == ("list cases", 400)
    assert error.reason == (
        "document_parsing_exception: [1:14] failed to parse "
        "(caused by strict_dynamic_mapping_exception: no 'surprise')"
    )
    assert str(error) == f"could not list cases: Elasticsearch refused it (400): {error.reason}"


def test_a_refusal_without_an_error_object_gives_the_clients_message() -> None:
    error = raised_from(api_error(NotFoundError, 404, {"_id": "x", "found": False}))
    assert isinstance(error, ElasticsearchRequestError)
    assert (error.status, error.reason) == (404, "refused")
    conflict = raised_from(api_error(ConflictError, 409, "version conflict\n  on case-1"))
    assert isinstance(conflict, ElasticsearchRequestError)
    assert conflict.reason == "refused"


@pytest.mark.parametrize("status", [429, 500, 503])
def test_overload_and_server_errors_are_unavailable_and_retryable(status: int) -> None:
    body = {"error": {"type": "es_rejected_execution_exception", "reason": "queue full"}}
    error = raised_from(api_error(ApiError, status, body), "search mentions")
    assert isinstance(error, ElasticsearchUnavailableError)
    assert (error.operation, error.status) == ("search mentions", status)
    assert error.cause == "es_rejected_execution_exception: queue full"


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionError("Connection error", errors=(OSError("[Errno 111]\nConnection refused"),)),
        ConnectionTimeout("Connection timed out"),
    ],
)
def test_transport_errors_are_unavailable_with_the_cause_on_one_line(exc: Exception) -> None:
    error = raised_from(exc, "check the cluster's health")
    assert isinstance(error, ElasticsearchUnavailableError)
    assert error.operation == "check the cluster's health" and error.status is None
    assert error.cause == " ".join(str(exc).split())
    assert str(error).startswith("could not check the cluster's health: Elasticsearch is")
    assert "\n" not in str(error)


def test_as_a_decorator_it_maps_each_call_and_leaves_other_errors_alone() -> None:
    @elasticsearch_errors("count the mentions")
    def count(fail: Exception | None) -> int:
        if fail is not None:
            raise fail
        return 3

    assert count(None) == 3
    with pytest.raises(ElasticsearchUnavailableError, match="could not count the mentions"):
        count(ConnectionTimeout("timed out"))
    with pytest.raises(KeyError):
        count(KeyError("hits"))


def test_an_item_of_a_bulk_response_maps_by_its_status() -> None:
    refused = response_error("write cases", 400, MAPPER_ERROR)
    assert isinstance(refused, ElasticsearchRequestError) and refused.status == 400
    busy = response_error("write cases", 429, {"type": "rejected", "reason": "busy"})
    assert isinstance(busy, ElasticsearchUnavailableError)
    assert (busy.status, busy.cause) == (429, "rejected: busy")
