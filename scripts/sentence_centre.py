"""Write the mean embedding of the labelled posts, the centre that theme clustering subtracts
(:data:`nlp.sentence_encoder.CENTRE_FILE`; see :mod:`nlp.themes`)::

    .venv/bin/python scripts/sentence_centre.py

It embeds every post of ``data/labelled`` (900 English and 900 Japanese, every sentiment)
with :class:`nlp.E5SentenceEncoder` on the CPU and saves their mean (float32, ``.npy``).
Rerun it only when the encoder changes; a slow test checks the saved centre against a
sample of the posts.
"""

from __future__ import annotations

import json

import numpy as np

from nlp import E5SentenceEncoder
from nlp.onnx_export import LABELLED, LABELLED_FILES
from nlp.sentence_encoder import CENTRE_FILE


def labelled_texts() -> list[str]:
    """Every labelled post's text, file by file, in file order."""
    return [
        json.loads(line)["text"]
        for name in LABELLED_FILES
        for line in (LABELLED / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def main() -> None:
    texts = labelled_texts()
    centre = E5SentenceEncoder(device="cpu").encode(texts).mean(axis=0).astype(np.float32)
    np.save(CENTRE_FILE, centre)
    print(f"wrote the mean of {len(texts)} posts' embeddings to {CENTRE_FILE}")


if __name__ == "__main__":
    main()
