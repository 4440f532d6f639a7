"""Calibration fitting: temperatures by likelihood, thresholds by the held-out objective."""

from __future__ import annotations

import numpy as np

from nlp.training.calibrate import (
    OWN_CARE_SETS,
    REAL_CARE_SETS,
    Predictions,
    care_negative_recall,
    care_sets,
    fit_calibration,
    trade_off,
)
from nlp.training.data import Example
from nlp.training.evaluate import evaluate, halves


def _set(name: str, rows: list[tuple[str, list[float], float]]) -> Predictions:
    examples = [
        Example(text=f"{name} {i}", lang="en", source=name, sentiment=label, complaint=c > 0.5)
        for i, (label, _, c) in enumerate(rows)
    ]
    sentiment = np.array([p for _, p, _ in rows], dtype=np.float32)
    complaint = np.array([0.9 if e.complaint else 0.1 for e in examples], dtype=np.float32)
    return Predictions(name, examples, sentiment, complaint)


def test_an_under_confident_model_gets_a_threshold_below_the_argmax() -> None:
    # Negative posts get only 0.4 for "negative" (neutral wins the argmax): a threshold
    # at or below 0.4 recovers them, while neutral posts stay below it.
    rows = [("negative", [0.40, 0.45, 0.15], 1.0)] * 20
    rows += [("neutral", [0.20, 0.60, 0.20], 0.0)] * 20
    rows += [("positive", [0.10, 0.20, 0.70], 0.0)] * 20

    calibration = fit_calibration([_set("care", rows)])

    assert calibration.negative_threshold is not None
    assert 0.2 < calibration.negative_threshold <= 0.40
    reports = evaluate([_set("care", rows)], calibration)
    assert reports["care/sentiment"].per_class["negative"].recall == 1.0
    assert reports["care/complaint"].macro_f1 == 1.0


def test_over_confident_wrong_answers_raise_the_temperature() -> None:
    rows = [("negative", [0.98, 0.01, 0.01], 0.0)] * 6 + [("positive", [0.98, 0.01, 0.01], 0.0)] * 4

    calibration = fit_calibration([_set("noisy", rows)])

    assert calibration.sentiment_temperature > 1.5


def test_halves_are_disjoint_and_cover_the_set() -> None:
    rows = [("neutral", [0.2, 0.6, 0.2], 0.0)] * 200
    tuning, report = halves([_set("s", rows)])

    texts = [e.text for e in tuning[0].examples] + [e.text for e in report[0].examples]
    assert sorted(texts) == sorted(f"s {i}" for i in range(200))
    assert 60 < len(tuning[0].examples) < 140


def test_the_trade_off_table_loses_recall_as_the_threshold_rises() -> None:
    rows = [("negative", [p, 0.9 - p, 0.1], 1.0) for p in np.linspace(0.2, 0.8, 30)]
    rows += [("neutral", [0.3, 0.6, 0.1], 0.0)] * 30
    table = trade_off([_set("care", rows)], fit_calibration([_set("care", rows)]))

    recalls = [row["negative_recall"] for row in table]
    assert recalls == sorted(recalls, reverse=True) and recalls[0] > recalls[-1]


def test_care_posts_lower_the_negative_threshold_until_their_recall_reaches_the_target() -> None:
    # Neutral posts at P(negative) 0.35 pull the macro-recall optimum above 0.35, which
    # would miss the weaker negative posts; on care posts the threshold comes down.
    rows = [("negative", [p, 0.9 - p, 0.1], 1.0) for p in np.linspace(0.2, 0.8, 20)]
    rows += [("neutral", [0.35, 0.55, 0.10], 0.0)] * 20
    rows += [("positive", [0.10, 0.20, 0.70], 0.0)] * 20

    general = fit_calibration([_set("tweets", rows)])
    care = fit_calibration([_set("en_care", rows)])

    assert general.negative_threshold is not None and care.negative_threshold is not None
    assert care.negative_threshold < general.negative_threshold
    posts = [_set("en_care", rows)]
    temperature = care.sentiment_temperature
    assert care_negative_recall(posts, temperature, care.negative_threshold) >= 0.85
    assert care_negative_recall(posts, temperature, care.negative_threshold + 0.01) < 0.85
    assert care_negative_recall(posts, temperature, general.negative_threshold) < 0.85


def test_complaints_count_as_posts_a_care_team_needs_where_a_set_has_no_sentiment() -> None:
    examples = [
        Example(text=f"c {i}", lang="en", source="complaints", complaint=i < 4) for i in range(8)
    ]
    sentiment = np.array([[0.8, 0.1, 0.1]] * 3 + [[0.1, 0.1, 0.8]] * 5, dtype=np.float32)
    complaints = Predictions("complaints", examples, sentiment, np.zeros(8, dtype=np.float32))

    assert care_negative_recall([complaints], 1.0, 0.5) == 0.75


def test_where_complaint_tweets_carry_sentiment_the_negative_ones_are_what_care_needs() -> None:
    # Real care tweets labelled with sentiment: a negative post that is not a complaint counts,
    # a complaint labelled neutral does not; unlabelled rows (random tweets) are left out.
    examples = [
        Example(text="a", lang="en", source="complaints", sentiment="negative", complaint=False),
        Example(text="b", lang="en", source="complaints", sentiment="negative", complaint=True),
        Example(text="c", lang="en", source="complaints", sentiment="neutral", complaint=True),
        Example(text="d", lang="en", source="complaints", complaint=False),
    ]
    sentiment = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.8, 0.1, 0.1], [0.8, 0.1, 0.1]])
    complaints = Predictions(
        "complaints", examples, sentiment.astype(np.float32), np.zeros(4, dtype=np.float32)
    )

    assert care_negative_recall([complaints], 1.0, 0.5) == 0.5


def test_care_sets_are_the_teams_own_posts_and_real_tweets_to_brands() -> None:
    rows = [("negative", [0.8, 0.1, 0.1], 1.0)]
    sets = [_set(name, rows) for name in ("tweeteval", "en_care", "ja_posts", "complaints")]

    assert [s.name for s in care_sets(sets)] == ["en_care", "ja_posts", "complaints"]
    assert [s.name for s in care_sets(sets, OWN_CARE_SETS)] == ["en_care", "ja_posts"]
    assert [s.name for s in care_sets(sets, REAL_CARE_SETS)] == ["complaints"]


def test_each_kind_of_care_post_reaches_the_recall_target_not_just_their_pool() -> None:
    # The team's own posts are easy (P(negative) 0.5-0.8), the real tweets are not (0.25-0.55):
    # pooled, the easy posts would carry the threshold past the real tweets' weak negatives.
    own = [("negative", [p, 0.9 - p, 0.1], 1.0) for p in np.linspace(0.5, 0.8, 60)]
    own += [("neutral", [0.20, 0.70, 0.10], 0.0)] * 60
    real = [("negative", [p, 0.9 - p, 0.1], 1.0) for p in np.linspace(0.25, 0.55, 20)]
    real += [("neutral", [0.45, 0.45, 0.10], 0.0)] * 20
    sets = [_set("en_care", own), _set("complaints", real)]

    calibration = fit_calibration(sets)

    temperature, threshold = calibration.sentiment_temperature, calibration.negative_threshold
    assert threshold is not None
    for names in (OWN_CARE_SETS, REAL_CARE_SETS):
        assert care_negative_recall(care_sets(sets, names), temperature, threshold) >= 0.85
    assert (
        care_negative_recall(care_sets(sets, REAL_CARE_SETS), temperature, threshold + 0.01) < 0.85
    )
    pooled = care_sets(sets)
    assert care_negative_recall(pooled, temperature, threshold + 0.05) >= 0.85
