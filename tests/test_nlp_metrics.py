"""Metric gate: the shipped models on ../shared/labels/dev.jsonl must not fall below these floors.

The floors sit a little below what the model card reports, so a regression fails the suite while the
usual run-to-run noise of a retrain does not. Skipped (with the reason) when ../shared is absent.
"""

from pathlib import Path

import pytest

from classifiers.classify import load_classifier
from classifiers.evaluate import article_texts, attach_text, evaluate_file, hot_sign_scores, read_labels
from monitor.config import Office

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEV = SHARED / "labels" / "dev.jsonl"
# measured with the shipped bundle (models/edu-nlp/MODEL_CARD.md): education F1 0.9498, topic micro-F1 0.806,
# tone macro-F1 0.782, hot recall 0.88 / precision 0.58, scope accuracy 0.927. The hot floors moved with the
# round-9 re-reading of `hot` (recall 0.84 -> 0.88, precision 0.66 -> 0.56: the threshold buys recall)
FLOORS = {
    "education_f1": 0.93,
    "topic_micro_f1": 0.80,
    "tone_macro_f1": 0.75,
    "hot_recall": 0.80,  # 25 hot items in dev: one item is 0.04
    "hot_precision": 0.50,
    "scope_accuracy": 0.89,
}

# the hot signs (the categories named as the reason an article is hot) on the 150 hand-read hot items of
# data/signs/hot-categories.jsonl, of the 132 the shipped bundle calls hot: micro precision 0.842 (0.773 before
# round 16), the first sign right on 76.5% (71.2%). The signs are the rules' matches, so a retrain moves them
# only through which items are called hot: with all 148 Vietnamese ones called hot they are 0.829 and 70.3%.
SIGNS = Path(__file__).resolve().parents[1] / "data" / "signs" / "hot-categories.jsonl"
SIGN_FLOORS = {"precision": 0.80, "first_right": 0.68}

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def metrics():
    if not DEV.exists():
        pytest.skip(f"{DEV} is absent: the metric gate needs ../shared/labels/dev.jsonl beside the repository")
    return evaluate_file(_shipped(), DEV, SHARED / "corpus")


def _shipped():
    office = Office(name="Phòng GD&ĐT quận Long Biên", short_name="PGD Long Biên", district="Long Biên", city="Hà Nội")
    return load_classifier(None, office, require_models=True)


def test_education_relevance(metrics):
    assert metrics["education"]["f1"] >= FLOORS["education_f1"], metrics["education"]


def test_topics(metrics):
    assert metrics["topic_micro"]["f1"] >= FLOORS["topic_micro_f1"], metrics["topic_micro"]


def test_tone(metrics):
    assert metrics["tone_macro_f1"] >= FLOORS["tone_macro_f1"], metrics["sentiment"]


def test_hot(metrics):
    assert metrics["hot"]["recall"] >= FLOORS["hot_recall"], metrics["hot"]
    assert metrics["hot"]["precision"] >= FLOORS["hot_precision"], metrics["hot"]


def test_scope(metrics):
    assert metrics["scope_accuracy"] >= FLOORS["scope_accuracy"], metrics["scope"]


def test_hot_signs():
    if not (SHARED / "corpus").exists():
        pytest.skip(f"{SHARED / 'corpus'} is absent: the hot signs' gate needs the corpus's text beside the repository")
    clf = _shipped()
    rows = attach_text(read_labels(SIGNS, required=("id", "categories")), SHARED / "corpus")
    s = hot_sign_scores(rows, clf.classify_many(article_texts(rows), evidence=False), list(clf.rules.hot_ids))
    assert s["micro"]["precision"] >= SIGN_FLOORS["precision"], s["micro"]
    assert s["first_right"] / s["called_hot"] >= SIGN_FLOORS["first_right"], (s["first_right"], s["called_hot"])
