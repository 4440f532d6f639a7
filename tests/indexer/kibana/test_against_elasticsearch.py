"""The saved objects against indices the templates made on the real local Elasticsearch:
the fields the visualizations bucket and sort on are aggregatable there, and the cases data
view's runtime field computes the time to first response as Kibana will ask for it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from elasticsearch import Elasticsearch

from core import IndexNames
from indexer import install_templates
from indexer.kibana import field_uses, read_saved_objects
from indexer.kibana.fields import AGGREGATABLE

pytestmark = pytest.mark.elasticsearch

OPENED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_fields_used_as_buckets_sorts_and_scripts_are_aggregatable_in_the_real_indices(
    es: Elasticsearch, index_names: IndexNames
) -> None:
    install_templates(es, index_names)
    indices = {
        "kikimimi-mentions": index_names.mentions_alias,
        "kikimimi-cases": index_names.cases_index,
    }
    runtime = {"first_response_minutes"}
    needed = {
        (u.data_view, u.field)
        for u in field_uses(read_saved_objects())
        if u.kinds <= AGGREGATABLE and u.field not in runtime
    }
    assert len(needed) > 10
    for view, index in indices.items():
        caps = es.field_caps(index=index, fields="*")["fields"]
        for field in sorted(f for v, f in needed if v == view):
            assert field in caps, (view, field)
            assert all(cap["aggregatable"] for cap in caps[field].values()), (view, field)


def test_the_first_response_runtime_field_counts_minutes(
    es: Elasticsearch, index_names: IndexNames
) -> None:
    modules = {m["name"] for node in es.nodes.info()["nodes"].values() for m in node["modules"]}
    if "lang-painless" not in modules:  # Kibana needs the default distribution, which has it
        pytest.skip("this node (the integ-test distribution) cannot run Painless scripts")
    install_templates(es, index_names)
    base = {"mention_ids": ["m"], "brand": "Hoshi Mobile", "rule": "r", "opened_at": OPENED}
    base["sla_due_at"] = OPENED + timedelta(hours=2)
    es.index(
        index=index_names.cases_index,
        id="answered",
        document={**base, "first_response_at": OPENED + timedelta(minutes=95)},
    )
    es.index(index=index_names.cases_index, id="waiting", document=base, refresh=True)
    view = next(o for o in read_saved_objects() if o.id == "kikimimi-cases")

    response = es.search(
        index=index_names.cases_index,
        runtime_mappings=json.loads(view.attributes["runtimeFieldMap"]),
        fields=[{"field": "first_response_minutes"}],
        sort=[{"opened_at": "asc"}, {"_id": "asc"}],
        aggs={"spread": {"histogram": {"field": "first_response_minutes", "interval": 60}}},
    )

    found = {hit["_id"]: hit.get("fields", {}) for hit in response["hits"]["hits"]}
    assert found == {"answered": {"first_response_minutes": [95.0]}, "waiting": {}}
    buckets = response["aggregations"]["spread"]["buckets"]
    assert [(b["key"], b["doc_count"]) for b in buckets] == [(60.0, 1)]
