"""Measurement: are the classifier's calls better or worse once an article's page body is added to its title and sapo?

Most labelled items are RSS items (title and sapo, or a title alone), but in production the crawler fetches each
article's page and the pipeline classifies the item again with its body. This scores the same hand-labelled items
(data/labels/*.jsonl, the last label of an id winning, and ../shared/labels/dev.jsonl) whose text in
../shared/corpus has a title and a body, read as title + sapo, as title + sapo + body, with a shorter body lead, with
the body read by some heads only, and with the scope's city names (round 14's rule: the whole body) or all its place
names from another reading; each difference from title + sapo (or the variant --against names) comes with a paired
95% bootstrap interval (the same resamples for both, seeded as `monitor evaluate`'s).

The shipped model was trained on most of these items, so measure a model trained without them. Leave out only the
items scored here (those with a title): the untitled bodies stay in training, as in the shipped bundle, where they
are what the has_body feature learns from; trained without every body, its relevance weight became -5.1 logits
instead of -1.5 and the body looked harmful (round 14).

  .venv/bin/python bench/body_lead.py heldout > /tmp/bodies.jsonl       # ids and labels only, no corpus text
  cp /tmp/bodies.jsonl data/labels/zz-bodies.jsonl                      # temporary: never commit it
  monitor train --models /tmp/bodies-model --no-db-labels --exclude 'day-*.jsonl' --exclude 'zz-bodies.jsonl'
  rm data/labels/zz-bodies.jsonl
  .venv/bin/python bench/body_lead.py measure --models /tmp/bodies-model --labels /tmp/bodies.jsonl [--json]

Needs ../shared/corpus (exits with a reason when it is missing). Results: models/edu-nlp/ABLATIONS.md, round 14.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from labelled_days import CORPUS, ROOT, shipped_classifier

from classifiers.classify import INCIDENT_HOT_FLOOR, INCIDENT_RELEVANCE_FLOOR  # noqa: E402
from classifiers.corpus import lookup  # noqa: E402
from classifiers.evaluate import (attach_text, bootstrap_samples, evaluate, read_labels,  # noqa: E402
                                  resample_weights, stated)
from classifiers.features import dense_matrix, model_grams  # noqa: E402
from classifiers.rules import Matches, prepare  # noqa: E402
from classifiers.types import SCOPES, ArticleText  # noqa: E402

DEV = CORPUS.parent / "labels" / "dev.jsonl"
LEADS = (30, 60, 120)  # body leads in syllables; the model reads at most 350 (features.BODY_MODEL_TOKENS)
HEADS = {"relevance": ("relevance",), "topics": ("topics",), "tone": ("tone",), "hot": ("hot",)}
CITY_GROUPS = ("city", "not-city", "district-bare")  # classifiers.scope's evidence for "city"
LABEL_FIELDS = ("id", "is_education", "topics", "sentiment", "hot", "scope", "note")
FIGURES = ("education_precision", "education_recall", "education_f1", "topic_micro_f1", "tone_macro_f1", "hot_recall", "hot_precision", "scope_accuracy")


def labelled_rows() -> dict[str, dict]:
    """id -> the label that counts: the last of data/labels (read in name order), dev's for dev items."""
    out: dict[str, dict] = {}
    for path in sorted((ROOT / "data" / "labels").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                r = json.loads(line) if line.strip() else None
            except json.JSONDecodeError:
                continue
            if isinstance(r, dict) and "id" in r and "is_education" in r:
                out[str(r["id"])] = r
    if DEV.exists():
        out.update({str(r["id"]): r for r in read_labels(DEV)})
    return out


def heldout() -> None:
    """Print the labels (no text) of the labelled items whose corpus text has a title and a body."""
    rows = labelled_rows()
    # only these corpus parts carry page bodies; RSS items (na-…) have none
    ids = {i for i in rows if i.split("-", 1)[0] in ("unc", "cn", "tc201805")}
    texts = lookup(ids, CORPUS)
    bodies = {i for i in ids if (texts.get(i, {}).get("body") or "").strip()}
    kept = sorted(i for i in bodies if (texts[i].get("title") or "").strip())
    for i in kept:
        # the labels alone: dev's rows also carry their text, which must not land in data/labels
        print(json.dumps({k: rows[i][k] for k in LABEL_FIELDS if k in rows[i]}, ensure_ascii=False))
    edu = sum(1 for i in kept if rows[i]["is_education"])
    print(f"{len(kept)} labelled items with a title and a body: {edu} education, {len(kept) - edu} not "
          f"({len(bodies) - len(kept)} more with a body and no title stay in training)", file=sys.stderr)


def lead(body: str, n: int | None) -> str:
    return body if n is None else " ".join(body.split()[:n])


def predictions(clf, articles: list[ArticleText], body_flag: bool = True):
    """classify_many's first half: the rule matches, the dense rule evidence and the models' scores.
    body_flag=False zeroes the has_body feature (the body's text is read all the same)."""
    matches, columns = [], []
    for a in articles:
        p = [(name, prepare(text, name)) for name, text in (("title", a.title), ("sapo", a.sapo), ("body", a.body)) if text]
        matches.append(clf.rules.match_prepared(p, clf._scope_index))
        columns.append(clf.models.columns(model_grams(p, a.url)))
    dense = dense_matrix(clf.rules, matches, [bool(a.sapo) for a in articles], [bool(a.body) and body_flag for a in articles])
    pred = clf.models.predict(columns, dense)
    pred["incident_floors"] = {"relevance": INCIDENT_RELEVANCE_FLOOR, "hot": INCIDENT_HOT_FLOOR}
    return matches, dense, {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in pred.items()}


def mixed(clf, articles, without, with_body, body_heads: set[str], places=None) -> list:
    """Calls where the heads in body_heads read the body and the others title + sapo only (scope from the body,
    or with `places`, another reading's predictions, the place names of the rules from that reading)."""
    m0, _, p0 = without
    m1, d1, p1 = with_body
    m1 = places[0] if places is not None else m1
    pred = dict(p1)
    for head in set(HEADS) - body_heads:
        for key in HEADS[head]:
            pred[key] = p0[key]
    return [clf._one(a, m1[i], pred, i, None, d1[i], False) for i, a in enumerate(articles)]


def education_pr(rows: list[dict], pred: list, weights: np.ndarray) -> dict[str, np.ndarray]:
    """Education precision and recall on each resample (bootstrap_samples has their F1 only)."""
    g = np.array([bool(r["is_education"]) for r in rows])
    p = np.array([c.is_education for c in pred])
    tp, fp, fn = (weights @ x.astype(np.float64) for x in (g & p, ~g & p, g & ~p))
    with np.errstate(divide="ignore", invalid="ignore"):
        return {"education_precision": np.nan_to_num(tp / (tp + fp)), "education_recall": np.nan_to_num(tp / (tp + fn))}


def measure(models: Path, labels: Path, as_json: bool, against: str = "title + sapo") -> None:
    _, clf = shipped_classifier(models)
    rows = attach_text(read_labels(labels), CORPUS)
    # a Dan Tri item of the UNC set often has a body and no title: without its body there is nothing to read, and
    # production always has the RSS item's title, so those are left out
    untitled = sum(1 for r in rows if not (r.get("title") or "").strip())
    rows = [r for r in rows if (r.get("body") or "").strip() and (r.get("title") or "").strip()]
    base = [ArticleText(id=str(r["id"]), title=r.get("title") or "", sapo=r.get("sapo") or "", url=r.get("url") or "",
                        outlet=r.get("outlet") or "") for r in rows]
    variants: dict[str, list] = {"title + sapo": clf.classify_many(base, evidence=False)}
    for n in (None,) + LEADS:
        arts = [ArticleText(**{**a.__dict__, "body": lead(r["body"], n)}) for a, r in zip(base, rows)]
        name = "+ body" if n is None else f"+ body lead {n}"
        variants[name] = clf.classify_many(arts, evidence=False)
        if n is None:
            full_arts = arts
    without, with_body = predictions(clf, base), predictions(clf, full_arts)
    # the has_body feature's weight was learnt from which training items carry a body (most are section-labelled
    # corpus items, most of them not education), not from what a body says: this shows what it does alone
    flagless = predictions(clf, full_arts, body_flag=False)
    variants["+ body, has_body feature off"] = mixed(clf, full_arts, flagless, flagless, set())
    # judge_scope reads the office's district and wards in the first 4,000 characters of the body (rules.BODY_CHARS)
    # but a city name in the title and sapo only: a body names the capital in passing. Here round 14's rule (city
    # names from the whole body too), city names from a body lead (local still from the whole body), and every place
    # name from a shorter reading; every head still reads the body. (A bare district name past a lead is dropped for
    # local too: "district-bare" is evidence for both.)
    for n in (None,) + LEADS:
        city_from = with_body[0] if n is None else predictions(
            clf, [ArticleText(**{**a.__dict__, "body": lead(r["body"], n)}) for a, r in zip(base, rows)])[0]
        merged = [Matches([h for h in m.hits if h.field != "body" or h.group not in CITY_GROUPS]
                          + [h for h in c.hits if h.field == "body" and h.group in CITY_GROUPS], clf.rules.field_weights)
                  for m, c in zip(with_body[0], city_from)]
        clf._body_city, was = True, clf._body_city
        try:
            variants[f"+ body, city names from {'the whole body (round 14)' if n is None else f'body lead {n}'}"] = mixed(
                clf, full_arts, without, with_body, set(HEADS), places=(merged,))
        finally:
            clf._body_city = was
    for n in (0, 120):
        arts = [ArticleText(**{**a.__dict__, "body": lead(r["body"], n)}) for a, r in zip(base, rows)]
        variants[f"+ body, place names from {'title + sapo' if n == 0 else f'body lead {n}'}"] = mixed(
            clf, full_arts, without, with_body, set(HEADS), places=predictions(clf, arts))
    for head in HEADS:
        variants[f"+ body, {head} head only"] = mixed(clf, full_arts, without, with_body, {head})
        variants[f"+ body, all heads but {head}"] = mixed(clf, full_arts, without, with_body, set(HEADS) - {head})

    weights = resample_weights(len(rows))
    if against not in variants:
        sys.exit(f"--against {against!r}: not a variant; the variants are: {', '.join(variants)}")
    ref = bootstrap_samples(rows, variants[against], weights) | education_pr(rows, variants[against], weights)
    out = {"items": len(rows), "untitled_left_out": untitled, "education": sum(1 for r in rows if r["is_education"]),
           "hot": sum(1 for r in rows if stated(r, "hot")), "model": clf.version, "against": against, "variants": {}}
    for name, pred in variants.items():
        res = evaluate(rows, pred)
        samples = bootstrap_samples(rows, pred, weights)
        figs = {"education_p": res["education"]["precision"], "education_r": res["education"]["recall"],
                "education_f1": res["education"]["f1"], "topic_micro_f1": res["topic_micro"]["f1"],
                "tone_macro_f1": res["tone_macro_f1"], "hot_recall": res["hot"]["recall"],
                "hot_precision": res["hot"]["precision"], "scope_accuracy": res["scope_accuracy"],
                "scope_accuracy_education": round(sum(1 for r, p in zip(rows, pred) if r["is_education"] and r.get("scope") == p.scope)
                                                  / max(1, sum(1 for r in rows if r["is_education"] and r.get("scope"))), 4),
                "flagged_education": sum(p.is_education for p in pred), "flagged_hot": sum(p.hot for p in pred),
                "scopes": {s: sum(1 for p in pred if p.scope == s) for s in SCOPES}}
        samples |= education_pr(rows, pred, weights)
        diff = {k: [round(float(np.percentile(samples[k] - ref[k], q)), 4) for q in (2.5, 97.5)] for k in FIGURES}
        out["variants"][name] = {"figures": figs, "difference_interval": diff}
    if as_json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return
    print(f"{out['items']} items with a title and a body ({out['education']} education, {out['hot']} hot; {untitled} "
          f"without a title left out), model {out['model']}")
    print(f"figure: value [95% paired bootstrap interval of the difference from {against}]")
    for name, v in out["variants"].items():
        f, d = v["figures"], v["difference_interval"]
        print(f"{name}")
        print(f"  education P {f['education_p']:.3f} [{d['education_precision'][0]:+.3f} {d['education_precision'][1]:+.3f}]"
              f"  R {f['education_r']:.3f} [{d['education_recall'][0]:+.3f} {d['education_recall'][1]:+.3f}]"
              f"  F1 {f['education_f1']:.3f} [{d['education_f1'][0]:+.3f} {d['education_f1'][1]:+.3f}]"
              f"  flagged {f['flagged_education']}")
        print(f"  topics {f['topic_micro_f1']:.3f} [{d['topic_micro_f1'][0]:+.3f} {d['topic_micro_f1'][1]:+.3f}]  "
              f"tone {f['tone_macro_f1']:.3f} [{d['tone_macro_f1'][0]:+.3f} {d['tone_macro_f1'][1]:+.3f}]  "
              f"scope {f['scope_accuracy']:.3f} [{d['scope_accuracy'][0]:+.3f} {d['scope_accuracy'][1]:+.3f}] "
              f"(education items {f['scope_accuracy_education']:.3f}; "
              + ", ".join(f"{k} {v}" for k, v in f["scopes"].items()) + ")")
        print(f"  hot R {f['hot_recall']:.3f} [{d['hot_recall'][0]:+.3f} {d['hot_recall'][1]:+.3f}]  "
              f"P {f['hot_precision']:.3f} [{d['hot_precision'][0]:+.3f} {d['hot_precision'][1]:+.3f}]  "
              f"flagged {f['flagged_hot']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("heldout", help="print the labels of the labelled items with a title and a body (to leave out of training)")
    m = sub.add_parser("measure", help="score those items without and with their body")
    m.add_argument("--models", type=Path, required=True, help="a bundle trained without these items")
    m.add_argument("--labels", type=Path, required=True, help="the file `heldout` printed")
    m.add_argument("--against", default="title + sapo", help="the variant the differences are measured from")
    m.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not CORPUS.exists():
        sys.exit(f"{CORPUS} is missing: this measurement needs the shared corpus beside the project")
    if args.cmd == "heldout":
        heldout()
    else:
        measure(args.models, args.labels, args.json, args.against)


if __name__ == "__main__":
    main()
