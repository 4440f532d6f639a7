"""Intent: complaint / question / praise / other, from the complaint head plus clear rules.

The model's (calibrated) complaint probability decides ``complaint`` at the complaint
threshold (the model's calibration, or ``nlp.complaint_threshold``); a model without a
complaint label gives 0, so only the rules below decide. Otherwise a question mark or an
interrogative (English or Japanese) makes a ``question`` — rules do this better than the
small labelled set could teach. Otherwise a confidently positive post is ``praise``.
"""

from __future__ import annotations

import re
from typing import Literal

from core import fold

Intent = Literal["complaint", "question", "praise", "other"]

QUESTION = re.compile(
    r"[?？]"
    r"|^(?:how|why|what|when|where|which|who|is|are|can|could|does|do|did|will|would|should)\b"
    r"|\b(?:anyone know|does anyone|is there a way|how do i|how can i|can i|can you)\b"
    r"|(?:ですか|ますか|でしょうか|ませんか|のかな|かな$|教えて|どうやって|どうすれば|なぜ|何で|なんで|どこで|いつ)"
)


def is_question(text: str) -> bool:
    """Whether ``text`` asks something (question marks, interrogatives in en and ja)."""
    return QUESTION.search(fold(text).strip()) is not None


def decide_intent(
    text: str,
    complaint_probability: float,
    positive_probability: float,
    *,
    complaint_threshold: float = 0.5,
    praise_threshold: float = 0.6,
) -> Intent:
    """The intent of one post from the model's outputs and the question rules."""
    if complaint_probability >= complaint_threshold:
        return "complaint"
    if is_question(text):
        return "question"
    if positive_probability >= praise_threshold:
        return "praise"
    return "other"
