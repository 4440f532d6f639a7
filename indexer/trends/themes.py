"""Rising themes: terms and two-word phrases significantly more frequent in the period than
in the previous one, in English and Japanese alike.

Elasticsearch's ``significant_text`` compares a sample of the period's posts (the
foreground, :data:`SAMPLE` posts per index at most: re-analysing every post would be slow)
with the previous period's (the background filter), on ``text.phrases`` (see
:mod:`indexer.templates`: words and word pairs, and Japanese character pairs where the
cluster has no Japanese analyzer). Single characters, bare numbers, English function words
(alone or paired) and hiragana-only terms (Japanese particles and endings such as した or
ます) are left out, and so is text repeated word for word (copies of one post are one
voice). A term the previous
period never had counts as seen once there. A second request (one ``msearch``) fetches
each theme's example posts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from elasticsearch import Elasticsearch

from core import IndexedMention, IndexNames, elasticsearch_errors, response_error
from indexer.search import CJK
from indexer.trends.aggregate import aggregate, period_of
from indexer.trends.posts import readable_posts, theme_filter
from indexer.trends.records import RisingTheme, RisingThemes
from indexer.trends.scope import TrendScope

THEMES = 10
MAX_THEMES = 30
SAMPLE = 1000
EXAMPLES = 3
MIN_POSTS = 3
"""A theme is in at least this many posts of the sample."""
_FUNCTION_WORD_LIST = """
a about after again all also am an and any are as at be been but by can could
did do does for from get got had has have he her him his how i i'm if in into
is it it's its just me more my no not now of on only or our out she so some
such than that the their them then there these they this to too up us very was
we were what when which who why will with would you your
"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORD_LIST.split())
"""English words too common to be a theme, alone or as a pair of two."""
_FUNCTION_WORD = "(" + "|".join(sorted(FUNCTION_WORDS)) + ")"
_NOT_THEMES = "|".join(
    (
        ".",  # a single character
        "[0-9]+",
        f"{_FUNCTION_WORD}( {_FUNCTION_WORD})?",
        "[\u3041-\u309f\u30fc ]+",  # hiragana only: Japanese particles and endings
    )
)
_CJK_GAP = re.compile(rf"(?<={CJK.pattern}) (?={CJK.pattern})")


def theme_label(key: str) -> str:
    """An indexed term as it reads: a space between two CJK characters (a Japanese
    character or word pair) is dropped."""
    return _CJK_GAP.sub("", key)


@elasticsearch_errors("find the rising themes")
def rising_themes(
    client: Elasticsearch,
    names: IndexNames,
    scope: TrendScope,
    *,
    size: int = THEMES,
    sample: int = SAMPLE,
    examples: int = EXAMPLES,
    excluded_names: Iterable[str] = (),
) -> RisingThemes:
    """Up to ``size`` rising themes (at most :data:`MAX_THEMES`), most significant first,
    each with up to ``examples`` posts of the period. The terms of ``excluded_names`` (the
    brands' names and aliases: what every post is found by) never make a theme."""
    found = aggregate(
        client,
        names,
        scope.query(scope.start, scope.end),
        {
            "sample": {
                "sampler": {"shard_size": sample},
                "aggs": {
                    "themes": {
                        "significant_text": {
                            "field": "text.phrases",
                            "source_fields": ["text"],
                            "size": size,
                            "min_doc_count": MIN_POSTS,
                            "exclude": _not_themes(client, names, excluded_names),
                            "filter_duplicate_text": True,
                            "background_filter": scope.query(scope.previous_start, scope.start),
                        }
                    }
                },
            }
        },
    )
    sampled = found.get("sample", {})
    themes = sampled.get("themes", {})
    buckets = themes.get("buckets", [])
    posts = _examples(client, names, scope, [str(b["key"]) for b in buckets], examples)
    return RisingThemes(
        period=period_of(scope),
        sampled=int(sampled.get("doc_count", 0)),
        previous_total=int(themes.get("bg_count", 0)),
        themes=[
            RisingTheme(
                term=theme_label(str(bucket["key"])),
                key=str(bucket["key"]),
                score=float(bucket["score"]),
                posts=int(bucket["doc_count"]),
                previous_posts=int(bucket["bg_count"]),
                examples=found_posts,
            )
            for bucket, found_posts in zip(buckets, posts, strict=True)
        ],
    )


def _not_themes(client: Elasticsearch, names: IndexNames, excluded_names: Iterable[str]) -> str:
    """The regular expression (Lucene's syntax) of the terms that are never themes: the
    fixed ones and the terms ``text.phrases`` makes of ``excluded_names`` (asked of the
    newest mentions index with ``_analyze``, so they match whatever the analyzer is)."""
    texts = [name for name in excluded_names if name.strip()]
    aliases = client.options(ignore_status=404).indices.get_alias(name=names.mentions_alias)
    indices = sorted(aliases.body) if texts and aliases.meta.status == 200 else []
    if not indices:
        return _NOT_THEMES
    analysed = client.indices.analyze(index=indices[-1], field="text.phrases", text=texts)
    terms = sorted({str(token["token"]) for token in analysed["tokens"]})
    return "|".join([_NOT_THEMES, *(_lucene_literal(term) for term in terms)])


def _lucene_literal(text: str) -> str:
    return "".join(c if c.isalnum() else "\\" + c for c in text)


def _examples(
    client: Elasticsearch, names: IndexNames, scope: TrendScope, keys: list[str], size: int
) -> list[list[IndexedMention]]:
    """Up to ``size`` posts of the period for each theme, the most followed authors' first."""
    if not keys:
        return []
    period = scope.query(scope.start, scope.end)["bool"]
    searches: list[dict[str, Any]] = []
    for key in keys:
        searches.append({"index": names.mentions_alias, "ignore_unavailable": True})
        searches.append(
            {
                "query": {"bool": {**period, "filter": [*period["filter"], theme_filter(key)]}},
                "size": size,
                "sort": [
                    {"author.followers": {"order": "desc", "missing": "_last"}},
                    {"published_at": "desc"},
                ],
                "track_total_hits": False,
            }
        )
    found = []
    for response in client.msearch(searches=searches)["responses"]:
        if "error" in response:
            operation = "find the themes' example posts"
            raise response_error(operation, response["status"], response["error"])
        found.append(readable_posts(hit["_source"] for hit in response["hits"]["hits"]))
    return found
