"""Themes: groups of posts that say the same thing, each named by its most distinctive words.

Deterministic clustering of sentence embeddings (:class:`nlp.E5SentenceEncoder`), numpy only,
of the posts without their URLs, @handles and brand names (posts that all name one brand are
not alike for that; :mod:`nlp.theme_terms`):

1. Centring. Embeddings of one encoder share a large common direction (most pairs of posts
   score 0.75 to 0.9), so the encoder's mean post embedding (``centre``:
   :attr:`nlp.E5SentenceEncoder.centre`) is subtracted and the rows normalised again: the
   cosine then says how much two posts have in common beyond being posts at all. The centre is
   fixed, not the mean of the posts at hand: a mean pulled towards a large theme would shrink
   that very theme's similarities.
2. Seeds, densest first. The post with the most neighbours (centred cosine at least
   ``similarity``) among the posts not yet taken is a seed; it and those neighbours form a
   group, which is taken. Repeated while a seed has at least ``min_size`` posts (itself
   included); ties go to the earlier post.
3. Assignment. Each group's centroid is its normalised mean; every post joins the theme of its
   nearest centroid when that is at least ``similarity`` close. Themes under ``min_size`` posts
   are dropped. Posts of another period are counted the same way (:meth:`ThemeSet.assign`), so
   sizes compare.

:data:`THEME_SIMILARITY` was chosen on 7 groups of 3 to 6 paraphrased complaints (English and
Japanese) among 330 labelled negative posts: at 0.55 six groups came out whole and alone (one
lost a post); at 0.45 groups merged or took in unrelated posts; at 0.65 groups split. Names
come from :mod:`nlp.theme_terms`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from nlp.theme_terms import (
    distinctive_terms,
    name_words,
    names_pattern,
    post_words,
    without_names,
)
from nlp.topics import Embeddings

THEME_SIMILARITY = 0.55
MIN_THEME_SIZE = 3
TERM_COUNT = 5
NO_THEME = -1


class ThemeEncoder(Protocol):
    """What embeds posts for themes (:class:`nlp.E5SentenceEncoder`): L2-normalised rows, and
    the mean post embedding that centring subtracts."""

    @property
    def centre(self) -> Embeddings: ...

    def encode(self, texts: Sequence[str]) -> Embeddings: ...


@dataclass(frozen=True, eq=False)
class Theme:
    """Posts that say the same thing: ``members`` (rows of the input, closest to the
    centroid first), ``terms`` (most distinctive first) and the centroid (centred space)."""

    members: tuple[int, ...]
    terms: tuple[str, ...]
    centroid: Embeddings


def theme_inputs(texts: Sequence[str], excluded_names: Iterable[str] = ()) -> list[str]:
    """What the encoder is given for each of ``texts`` when their themes are found (or they
    are assigned to themes) with these ``excluded_names``: the text without its URLs, @handles
    and those names."""
    names = names_pattern(excluded_names)
    return [without_names(text, names) for text in texts]


class _Embedder:
    """Centred embeddings of posts with URLs, @handles and brand names taken out."""

    def __init__(self, encoder: ThemeEncoder, names: Iterable[str]) -> None:
        self._encoder = encoder
        self._names = list(names)

    def __call__(self, texts: Sequence[str]) -> Embeddings:
        centre = self._encoder.centre  # first: without the encoder's files, embed nothing
        return _centred(self._encoder.encode(theme_inputs(texts, self._names)), centre)


@dataclass(frozen=True, eq=False)
class ThemeSet:
    """The themes of some posts, largest first, and what places other posts among them."""

    themes: tuple[Theme, ...]
    similarity: float
    _embed: _Embedder

    def assign(self, texts: Sequence[str]) -> npt.NDArray[np.intp]:
        """Each post's theme (index into ``themes``), or :data:`NO_THEME`."""
        if not self.themes or not texts:
            return np.full(len(texts), NO_THEME, dtype=np.intp)
        centroids = np.stack([theme.centroid for theme in self.themes])
        return _nearest(self._embed(texts), centroids, self.similarity)


def find_themes(
    texts: Sequence[str],
    encoder: ThemeEncoder,
    *,
    excluded_names: Iterable[str] = (),
    similarity: float = THEME_SIMILARITY,
    min_size: int = MIN_THEME_SIZE,
    term_count: int = TERM_COUNT,
) -> ThemeSet:
    """The themes of ``texts``. ``excluded_names`` (brand names and aliases) are taken out of
    the texts before they are embedded, and their words never name a theme: posts about one
    brand are not alike for naming it."""
    names = list(excluded_names)
    embed = _Embedder(encoder, names)
    centred = embed(texts)
    seeds = _seeds(centred, similarity, min_size)
    if not seeds:
        return ThemeSet((), similarity, embed)
    assigned = _nearest(centred, np.stack([_centroid(centred[rows]) for rows in seeds]), similarity)
    groups = [np.flatnonzero(assigned == k) for k in range(len(seeds))]
    groups = sorted(
        (rows for rows in groups if len(rows) >= min_size), key=lambda r: (-len(r), r[0])
    )
    excluded = name_words(names)
    words = [post_words(text, excluded) for text in texts]
    themes = []
    for rows in groups:
        centroid = _centroid(centred[rows])
        closest_first = rows[np.argsort(-(centred[rows] @ centroid), kind="stable")]
        members = tuple(int(row) for row in closest_first)
        themes.append(Theme(members, distinctive_terms(words, set(members), term_count), centroid))
    return ThemeSet(tuple(themes), similarity, embed)


def _centred(embeddings: Embeddings, centre: Embeddings) -> Embeddings:
    shifted = embeddings - centre
    norms = np.linalg.norm(shifted, axis=1, keepdims=True)
    centred: Embeddings = (shifted / np.maximum(norms, 1e-9)).astype(np.float32)
    return centred


def _centroid(rows: Embeddings) -> Embeddings:
    mean = rows.mean(axis=0)
    centroid: Embeddings = (mean / max(float(np.linalg.norm(mean)), 1e-9)).astype(np.float32)
    return centroid


def _seeds(centred: Embeddings, similarity: float, min_size: int) -> list[npt.NDArray[np.intp]]:
    """Groups around the densest posts, densest first (step 2 of the module's docstring)."""
    close = (centred @ centred.T) >= similarity
    np.fill_diagonal(close, True)
    free = np.ones(len(centred), dtype=bool)
    neighbours = close.sum(axis=1)
    seeds = []
    while free.any():
        seed = int(np.argmax(np.where(free, neighbours, -1)))
        if neighbours[seed] < min_size:
            break
        taken = close[seed] & free
        seeds.append(np.flatnonzero(taken))
        free &= ~taken
        neighbours = neighbours - close[:, taken].sum(axis=1)
    return seeds


def _nearest(centred: Embeddings, centroids: Embeddings, similarity: float) -> npt.NDArray[np.intp]:
    scores = centred @ centroids.T
    nearest = np.argmax(scores, axis=1)
    close_enough = scores[np.arange(len(centred)), nearest] >= similarity
    return np.where(close_enough, nearest, NO_THEME).astype(np.intp)
