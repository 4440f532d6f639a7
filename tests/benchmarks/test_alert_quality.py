"""The alert-quality benchmark's figures: recall into cases, precision, positives opened."""

from __future__ import annotations

from benchmarks.alert_quality import Gold, Post, Share, case_quality


def posts() -> list[Post]:
    return [
        Post(Gold("care", "negative", True, "complaint"), opened_case=True),
        Post(Gold("care", "negative", False, "other"), opened_case=False),
        Post(Gold("care", "positive", True, "complaint"), opened_case=True),  # sarcasm
        Post(Gold("care", "neutral", False, "question"), opened_case=True),
        Post(Gold("care", "positive", False, "praise"), opened_case=True),  # a false case
        Post(Gold("care", "positive", False, "praise"), opened_case=False),
        Post(Gold("tweets", "negative"), opened_case=True),
        Post(Gold("tweets", "neutral"), opened_case=False),
        Post(Gold("complaints", complaint=True), opened_case=False),
        Post(Gold("complaints", complaint=False), opened_case=True),  # a false case
    ]


def test_recall_precision_and_positives_into_cases() -> None:
    quality = case_quality(posts())
    assert (quality.posts, quality.cases) == (10, 6)
    assert quality.negative_recall == Share(2, 3)
    assert quality.complaint_recall == Share(2, 3)
    assert quality.precision == Share(4, 6)
    assert quality.positives_opened == Share(2, 3)


def test_a_set_without_a_label_has_no_figure_for_it() -> None:
    quality = case_quality([p for p in posts() if p.gold.stream == "tweets"])
    assert quality.complaint_recall == Share(0, 0) and quality.complaint_recall.value is None
    assert str(quality.complaint_recall) == "–"
    assert str(quality.negative_recall) == "1.00 (1/1)"
    assert str(quality.precision) == "1.00 (1/1)"
