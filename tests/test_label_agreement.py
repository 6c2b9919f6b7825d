"""scripts/label_agreement.py: two label files scored against each other, as `monitor evaluate` scores a model."""

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "label_agreement.py"
spec = importlib.util.spec_from_file_location("label_agreement", SCRIPT)
label_agreement = importlib.util.module_from_spec(spec)
spec.loader.exec_module(label_agreement)

REFERENCE = [
    {"id": "a", "is_education": True, "topics": ["tuyen-sinh"], "sentiment": "neutral", "hot": False, "scope": "city"},
    {"id": "b", "is_education": True, "topics": ["an-toan-truong-hoc"], "sentiment": "negative", "hot": True, "scope": "national"},
    {"id": "d", "is_education": True, "topics": ["guong-dien-hinh"], "sentiment": "positive", "hot": False, "scope": "national"},
    {"id": "c", "is_education": False, "topics": [], "sentiment": "neutral", "hot": False, "scope": "national"},
]


def test_identical_files_agree_fully():
    res = label_agreement.agreement(REFERENCE, REFERENCE)
    assert res["education"]["f1"] == 1.0 and res["topic_micro"]["f1"] == 1.0
    assert res["tone_macro_f1"] == 1.0 and res["hot"]["recall"] == 1.0 and res["scope_accuracy"] == 1.0


def test_disagreements_are_counted_and_missing_items_reported():
    other = [dict(REFERENCE[0], topics=["doi-moi-chat-luong"]), dict(REFERENCE[1], hot=False, sentiment="neutral"), REFERENCE[2]]
    res = label_agreement.agreement(REFERENCE, other)
    assert res["topic_micro"]["f1"] == 0.6667  # two topics matched, one missed, one extra
    assert res["hot"]["recall"] == 0.0
    assert res["tone_macro_f1"] < 1.0
    assert res["only_in_reference"] == 1


def test_command_line_prints_the_evaluate_summary(tmp_path, capsys):
    ref, other = tmp_path / "ref.jsonl", tmp_path / "other.jsonl"
    ref.write_text("\n".join(json.dumps(r) for r in REFERENCE) + "\n", encoding="utf-8")
    other.write_text("\n".join(json.dumps(r) for r in REFERENCE[:3]) + "\n", encoding="utf-8")
    assert label_agreement.main([str(ref), str(other)]) == 0
    out = capsys.readouterr().out
    assert "education   P 1.000  R 1.000  F1 1.000" in out and "1 reference item(s)" in out


def test_a_reading_of_one_field_is_scored_on_that_field_alone(tmp_path, capsys):
    ref1, ref2, other = tmp_path / "day-1.jsonl", tmp_path / "day-2.jsonl", tmp_path / "hot-blind.jsonl"
    ref1.write_text("\n".join(json.dumps(r) for r in REFERENCE[:2]) + "\n", encoding="utf-8")
    ref2.write_text("\n".join(json.dumps(r) for r in REFERENCE[2:]) + "\n", encoding="utf-8")
    other.write_text("\n".join(json.dumps({"id": r["id"], "hot": r["id"] in ("b", "d")}) for r in REFERENCE) + "\n",
                     encoding="utf-8")
    assert label_agreement.main([str(ref1), str(ref2), str(other)]) == 0
    out = capsys.readouterr().out
    assert "hot         P 0.500  R 1.000" in out  # d read as hot: one false alarm beside the one hot item
    assert "education" not in out and "topics" not in out and "scope" not in out


def test_a_reading_without_any_label_field_is_refused(tmp_path):
    ref, other = tmp_path / "ref.jsonl", tmp_path / "other.jsonl"
    ref.write_text(json.dumps(REFERENCE[0]) + "\n", encoding="utf-8")
    other.write_text(json.dumps({"id": "a", "note": "read"}) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="needs an id and at least one of"):
        label_agreement.main([str(ref), str(other)])
