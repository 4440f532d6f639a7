"""Full-text search over mentions that works for English and Japanese alike."""

from __future__ import annotations

import re
from typing import Any

from elasticsearch import Elasticsearch

from core import IndexNames, elasticsearch_errors

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def text_query(words: str) -> dict[str, Any]:
    """A query for ``words`` in a mention's text or title.

    Japanese has no spaces, and without kuromoji the analyzer splits it into characters,
    so CJK queries are phrase queries (characters adjacent, in order); others need every word.
    """
    fields = ["text", "title"]
    if CJK.search(words):
        return {"multi_match": {"query": words, "fields": fields, "type": "phrase"}}
    return {"multi_match": {"query": words, "fields": fields, "operator": "and"}}


@elasticsearch_errors("search mentions")
def search_mentions(
    client: Elasticsearch, names: IndexNames, words: str, size: int = 10
) -> list[dict[str, Any]]:
    """The newest mentions matching ``words``, as their stored documents."""
    response = client.search(
        index=names.mentions_alias,
        query=text_query(words),
        size=size,
        sort=[{"published_at": "desc"}],
    )
    return [hit["_source"] for hit in response["hits"]["hits"]]
