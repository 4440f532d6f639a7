"""Training runs end to end on a tiny subset; the split keeps validation out of training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import ModelError
from nlp.classifier import load_model
from nlp.inference import torch_predict
from nlp.training.card import reproduce_command
from nlp.training.data import Example, in_holdout, load_corpus, text_key
from nlp.training.distill import student_from_teacher, teacher_layers
from nlp.training.run import train_and_save
from nlp.training.train import TrainSettings, training_examples

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
LABELLED = Path(__file__).resolve().parents[2] / "data" / "labelled"


def test_no_validation_text_is_trained_on() -> None:
    corpus = load_corpus(SHARED, LABELLED)
    held_out = {text_key(e.text) for rows in corpus.validation.values() for e in rows}
    assert not held_out & {text_key(e.text) for e in corpus.train}
    assert {"tweeteval", "ja_posts", "en_care", "complaints"} <= set(corpus.validation)
    assert all(corpus.validation[name] for name in ("tweeteval", "ja_posts", "en_care"))


def test_real_care_tweets_carry_the_projects_sentiment_labels_and_stay_held_out() -> None:
    corpus = load_corpus(SHARED, LABELLED)
    labelled = [e for e in corpus.validation["complaints"] if e.sentiment]
    labels = (LABELLED / "complaints_sentiment.jsonl").read_text().splitlines()
    assert len(labelled) == len(labels) == 340
    assert {e.sentiment for e in labelled} == {"negative", "neutral", "positive"}
    assert all(e.complaint is not None for e in labelled)
    assert not any(e.source == "complaints-acl2019" and e.sentiment for e in corpus.train)


def test_sentiment_labels_attach_to_complaint_tweets_by_id(tmp_path: Path) -> None:
    shared, labelled = tmp_path / "shared", tmp_path / "labelled"
    (shared / "sentiment").mkdir(parents=True)
    (shared / "intent").mkdir()
    labelled.mkdir()
    tweets = [
        {"id": str(i), "text": f"@brand tweet {i}", "label": "complaint", "source": "c"}
        for i in range(40)
    ]
    (shared / "intent" / "complaints_train.jsonl").write_text(
        "".join(json.dumps(t) + "\n" for t in tweets)
    )
    (labelled / "complaints_sentiment.jsonl").write_text('{"id": "3", "sentiment": "negative"}\n')
    for name in ("ja_posts.jsonl", "en_care_posts.jsonl"):
        (labelled / name).write_text("")
    for name in ("tweeteval_train", "tweeteval_val", "goemotions_sentiment", "chabsa_train"):
        (shared / "sentiment" / f"{name}.jsonl").write_text("")

    corpus = load_corpus(shared, labelled)

    everything = corpus.train + corpus.validation["complaints"]
    assert [e.text for e in everything if e.sentiment] == ["@brand tweet 3"]
    assert next(e for e in everything if e.sentiment).sentiment == "negative"


def test_the_holdout_split_is_deterministic() -> None:
    assert in_holdout("ほしモバイル最悪", 0.4) == in_holdout("ほしモバイル最悪", 0.4)
    share = sum(in_holdout(f"post number {i}", 0.25) for i in range(4000)) / 4000
    assert 0.22 < share < 0.28


SAMPLE_EVERY = 10


@pytest.fixture(scope="module")
def shared_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every :data:`SAMPLE_EVERY`-th row of each shared data file: the same sources and splits
    with a tenth of the posts to read and to evaluate (the training runs' held-out sets)."""
    sample = tmp_path_factory.mktemp("shared-sample")
    for path in SHARED.glob("*/*.jsonl"):
        target = sample / path.relative_to(SHARED)
        target.parent.mkdir(exist_ok=True)
        rows = path.read_text(encoding="utf-8").splitlines(keepends=True)
        target.write_text("".join(rows[::SAMPLE_EVERY]), encoding="utf-8")
    return sample


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, shared_sample: Path) -> Path:
    """A 2-layer model trained on 64 examples: the end-to-end subject and the tests' teacher."""
    out = tmp_path_factory.mktemp("training") / "tiny-model"
    settings = TrainSettings(num_layers=2, max_examples=64, batch_size=16, max_length=32)
    train_and_save(shared_sample, LABELLED, out, settings, progress=lambda _: None)
    return out


@pytest.mark.slow
def test_training_end_to_end_on_a_tiny_subset(tiny_model: Path) -> None:
    config = json.loads((tiny_model / "config.json").read_text())
    assert config["num_layers"] == 2
    assert {"tweeteval/sentiment", "ja_posts/sentiment", "complaints/complaint"} <= set(
        config["metrics"]
    )
    card = (tiny_model / "MODEL_CARD.md").read_text()
    assert "Validation metrics" in card and "nlp.negative_threshold" in card
    model, loaded = load_model(tiny_model)
    sentiment, complaint, embeddings = torch_predict(model, ["great", "最悪"], loaded.max_length)
    assert sentiment.shape == (2, 3) and complaint.shape == (2,) and embeddings.shape == (2, 384)
    assert abs(float(sentiment.sum()) - 2.0) < 1e-4
    assert loaded.calibration.negative_threshold is not None
    threshold = loaded.calibration.negative_threshold
    assert f"| {threshold:.2f} |" in card and "For a care team: at its threshold" in card
    assert "on real care tweets, negative precision" in card


@pytest.mark.slow
def test_a_student_is_distilled_from_a_teacher_and_resumes_from_its_checkpoint(
    tiny_model: Path, shared_sample: Path, tmp_path: Path
) -> None:
    teacher = tiny_model
    checkpoint = tmp_path / "student.ckpt"
    student = TrainSettings(
        num_layers=2,
        max_examples=64,
        batch_size=16,
        max_length=32,
        teacher_weight=0.7,
        checkpoint=checkpoint,
        checkpoint_every=2,
    )
    said: list[str] = []

    for name in ("student", "again"):
        output = tmp_path / name
        train_and_save(shared_sample, LABELLED, output, student, said.append, teacher=teacher)

    assert checkpoint.exists() and checkpoint.with_suffix(".teacher.npz").exists()
    assert any(line.startswith("teacher labels read from") for line in said)
    assert any(line.startswith("resuming from") for line in said)
    card = (tmp_path / "student" / "MODEL_CARD.md").read_text()
    assert "distilled from `tiny-model`" in card
    assert f"--teacher {teacher} --teacher-weight 0.7`" in card
    first = (tmp_path / "student" / "weights.safetensors").read_bytes()
    assert first == (tmp_path / "again" / "weights.safetensors").read_bytes()


def test_complaints_without_a_sentiment_can_be_taught_as_negative() -> None:
    train = [
        Example("refund me, you thieves", "en", "complaints-acl2019", complaint=True),
        Example("lovely weather in Leeds", "en", "complaints-acl2019", complaint=False),
        Example("late again, but the staff were kind", "en", "en_care", "positive", True),
    ]
    relabel = TrainSettings(complaints_as_negative=True, upsample={})

    taught = {e.text: e.sentiment for e in training_examples(train, relabel)}
    as_given = {e.text: e.sentiment for e in training_examples(train, TrainSettings(upsample={}))}

    assert taught == {
        "refund me, you thieves": "negative",
        "lovely weather in Leeds": None,
        "late again, but the staff were kind": "positive",
    }
    assert as_given["refund me, you thieves"] is None
    assert reproduce_command(relabel, None).endswith(" --complaints-as-negative")
    assert "--complaints-as-negative" not in reproduce_command(TrainSettings(), None)


def test_a_student_starts_from_evenly_spaced_teacher_layers_ending_with_the_last() -> None:
    assert teacher_layers(12, 6) == [1, 3, 5, 7, 9, 11]
    assert teacher_layers(12, 4) == [2, 5, 8, 11]
    assert teacher_layers(12, 12) == list(range(12))
    with pytest.raises(ValueError, match=r"1\.\.12"):
        teacher_layers(12, 13)


@pytest.mark.slow
def test_a_student_started_from_the_teacher_holds_its_weights(
    tiny_model: Path, shared_sample: Path, tmp_path: Path
) -> None:
    teacher = tiny_model
    trained, _ = load_model(teacher)
    texts = ["great support", "最悪の対応", "refund me now"]

    whole = student_from_teacher(teacher, 2).eval()
    one = student_from_teacher(teacher, 1)

    expected = torch_predict(trained, texts, 32)
    for ours, theirs in zip(torch_predict(whole, texts, 32), expected, strict=True):
        assert abs(ours - theirs).max() < 1e-6
    kept, source = one.state_dict(), trained.state_dict()
    layer = "encoder.encoder.layer.{}.output.dense.weight"
    assert (kept[layer.format(0)] == source[layer.format(1)]).all()
    assert (kept["sentiment.weight"] == source["sentiment.weight"]).all()
    with pytest.raises(ModelError, match="has 2 layers: a student started from it cannot have 3"):
        student_from_teacher(teacher, 3)

    settings = TrainSettings(
        num_layers=1, max_examples=32, batch_size=16, max_length=32, init_from_teacher=True
    )
    said: list[str] = []
    student = tmp_path / "student"
    train_and_save(shared_sample, LABELLED, student, settings, said.append, teacher=teacher)
    card = (student / "MODEL_CARD.md").read_text()
    assert "student starts from tiny-model's layers, embeddings and heads" in said
    assert "started from the teacher's layers 1 (of 0-1), embeddings and heads" in card
    assert "--init-from-teacher`" in card
