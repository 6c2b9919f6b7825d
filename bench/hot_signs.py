"""Measurement: are the hot-issue signs right?

For a hot article the classifier names the hot rule groups (classifiers/topics.yaml `hot:`) it takes as the
reason the article is hot: `Classification.hot_categories`, the "nóng 0.83: bạo lực, xâm hại (…)" reason, the
categories the clipping, the alerts and the report show (the report counts false information by `tin-sai`). This
scores those signs against data/signs/hot-categories.jsonl: every item labelled hot in data/labels/day-*.jsonl
and ../shared/labels/dev.jsonl, read by hand for the categories it truly is (data/signs/README.md).

Only items the classifier calls hot carry signs, so the figures are over those (what a reader is shown); the hot
items it misses are counted apart. Per category: precision (of the items signed with it, how many are it) and
recall (of the items that are it, how many are signed with it). Over items: the share signed by the model alone
(no group matched: the reason says "theo mô hình"), the share whose signs are all wrong (at least one sign, none
of them right), and the share whose first-named sign is right (the reason line shows at most three).

  .venv/bin/python bench/hot_signs.py [--models models] [--rules FILE] [--errors] [--json]

--rules scores another topics.yaml (scored as `monitor rules test` does: the trained models read the new terms
when the groups are the same). Needs ../shared/corpus (exits with a reason when it is missing). Results:
models/edu-nlp/ABLATIONS.md, round 16.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from labelled_days import CORPUS, ROOT, shipped_classifier

from classifiers.classify import load_classifier  # noqa: E402
from classifiers.evaluate import article_texts, attach_text, hot_sign_scores, read_labels  # noqa: E402

LABELS = ROOT / "data" / "signs" / "hot-categories.jsonl"


def sign_rows(labels: Path = LABELS) -> list[dict]:
    """The hand-read hot items with their title and sapo (looked up by id in ../shared/corpus)."""
    return attach_text(read_labels(labels, required=("id", "categories")), CORPUS)


def _f(x) -> str:
    return f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", type=Path, default=ROOT / "models")
    ap.add_argument("--rules", type=Path, help="score this topics.yaml instead of the shipped one")
    ap.add_argument("--errors", action="store_true", help="list every item whose signs differ from its labels")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    cfg, clf = shipped_classifier(args.models)
    if args.rules:
        clf = load_classifier(args.models, cfg.office, rules_path=args.rules, trial=True, require_models=True)
    rows = sign_rows()
    predicted = clf.classify_many(article_texts(rows), evidence=False)
    s = hot_sign_scores(rows, predicted, [g.id for g in clf.rules.hot])
    if args.json:
        print(json.dumps(s, ensure_ascii=False, indent=2))
        return 0
    n = s["called_hot"]
    print(f"hand-read hot items: {s['items']}   called hot: {n}   missed (no signs shown): {s['missed']}")
    print(f"{'category':<14}{'P':>7}{'R':>7}   tp  fp  fn")
    for h, c in s["categories"].items():
        print(f"{h:<14}{_f(c['precision']):>7}{_f(c['recall']):>7}  {c['tp']:>3} {c['fp']:>3} {c['fn']:>3}")
    m = s["micro"]
    print(f"{'micro':<14}{_f(m['precision']):>7}{_f(m['recall']):>7}  {m['tp']:>3} {m['fp']:>3} {m['fn']:>3}")
    print(f"signed by the model alone: {s['model_alone']}/{n} ({s['model_alone'] / n:.1%})")
    print(f"all signs wrong:           {s['all_wrong']}/{n} ({s['all_wrong'] / n:.1%})")
    print(f"first sign right:          {s['first_right']}/{n} ({s['first_right'] / n:.1%})")
    if args.errors:
        for e in s["errors"]:
            print(f"  {e['id']}  true {','.join(e['truth'])}  signed {','.join(e['signs']) or '(model alone)'}  — {e['note']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
