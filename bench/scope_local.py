"""Measurement: should the office's own places named only in an article's page body make its scope "local"?

`classifiers.scope.judge_scope` reads the office's district, wards and watchlist in the first 4,000 characters of
the body (rules.BODY_CHARS) and the city's names in the title and sapo only (ABLATIONS round 14); since round 15
the office's places count in the body's first 60 syllables only (scope.BODY_LOCAL_SYLLABLES). This scores the
scope of the hand-labelled items of data/scope/local-bodies.jsonl (every corpus item with a body in which the
project's own matcher finds that local evidence; data/scope/README.md) under round 14's rule and under variants
that read the local evidence from less of the body, and, with --heldout, the same variants on the labelled items
with a title and a body that round 14 scored (none of them labelled local: there a variant can only remove false
"local" calls).

Items are classified as the pipeline does (title + sapo + body: every head reads the body, bench/body_lead.py's
`predictions`); only the local evidence the scope rule sees changes. A variant restricts items that have a title or
a sapo: an item with neither keeps its whole body, as the city rule's exception does (classify.Classifier._one);
those items are scored apart, since production always has the feed item's title.

A missed local story costs the office more than a false one (it is the office's own news; a false "local" is one
more item to skip in the local section): --miss-weight (3) is what a missed local costs in false locals, and
`cost` = miss_weight x missed + false. Each variant's difference from round 14's rule comes with a paired 95%
bootstrap interval (the same resamples for all, seeded as `monitor evaluate`'s). Items whose reading is
borderline carry an `alt_scope`; --alt scores them with it instead.

  .venv/bin/python bench/scope_local.py [--models models] [--heldout] [--alt] [--miss-weight 3] [--against VARIANT] [--json]

Round 17's variant adds the namesake rule (a watchlist name or a ward is not local where the story is placed in
another province: classifiers.scope.placed_elsewhere); every other variant reads the matches without the other
provinces' names, as before it.

Needs ../shared/corpus (exits with a reason when it is missing). Results: models/edu-nlp/ABLATIONS.md, rounds 15 and 17.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

from body_lead import labelled_rows, lead, predictions
from labelled_days import CORPUS, ROOT, shipped_classifier

from classifiers.corpus import lookup  # noqa: E402
from classifiers.evaluate import read_labels, resample_weights  # noqa: E402
from classifiers.rules import BODY_CHARS, Matches, prepare  # noqa: E402
import classifiers.scope as scope_rule  # noqa: E402
from classifiers.scope import judge_scope  # noqa: E402
from classifiers.types import ArticleText  # noqa: E402

LABELS = ROOT / "data" / "scope" / "local-bodies.jsonl"
# classifiers.scope's evidence for "local", with the groups that cancel a bare name ("cầu Long Biên", "xã Bồ Đề")
LOCAL_GROUPS = ("local", "local-cased", "local-lower", "ward-bare", "ward-elsewhere", "district-bare", "not-local")
NAMED_WITH_KIND = ("local", "local-cased", "local-lower")  # "quận/phường …", a watchlist school or other entry
SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")


def local_in(m: Matches) -> bool:
    """Whether these hits alone make judge_scope say local (read whole: they are one sentence's)."""
    return judge_scope(m, whole_body=True)[0] == "local"


class Item:
    """One item's matches, and what its body says of the office's places, sentence by sentence."""

    def __init__(self, clf, a: ArticleText, m: Matches):
        self.a, self.m = a, m
        self.fw = clf.rules.field_weights
        self.titled = bool(a.title.strip() or a.sapo.strip())
        body = (a.body or "")[:BODY_CHARS]
        sentences = [s for s in SENTENCE.split(body) if s.strip()]
        idx = clf._scope_index
        self.sentence_local = [local_in(clf.rules.match_prepared([("body", prepare(s, "body"))], idx)) for s in sentences]
        self.leads = {n: clf.rules.match_prepared([("body", prepare(lead(a.body, n), "body"))], idx) for n in (30, 60, 120, 250)}

    def without_body_local(self) -> list:
        return [h for h in self.m.hits if not (h.field == "body" and h.group in LOCAL_GROUPS)]

    def body_local(self, groups=LOCAL_GROUPS) -> list:
        return [h for h in self.m.hits if h.field == "body" and h.group in groups]

    def keep_body_if(self, ok: bool) -> Matches:
        return Matches(self.without_body_local() + (self.body_local() if ok else []), self.fw)


ELSEWHERE_GROUPS = ("elsewhere", "not-elsewhere")


def without_elsewhere(m: Matches) -> Matches:
    """The matches without the other provinces' names: the scope rule before round 17 (no namesake is found)."""
    if not m.has("elsewhere"):
        return m
    return Matches([h for h in m.hits if h.group not in ELSEWHERE_GROUPS], m.field_weights)


def variants(it: Item) -> dict[str, Matches]:
    """Variant name -> the matches the scope rule reads under it: every variant but round 17's without the other
    provinces' names."""
    if not it.titled:
        return {name: (it.m if name == ROUND17 else without_elsewhere(it.m)) for name in VARIANTS}
    return {name: (m if name == ROUND17 else without_elsewhere(m)) for name, m in _variants(it).items()}


def _variants(it: Item) -> dict[str, Matches]:
    s = it.sentence_local
    out = {SHIPPED: it.m, NOW: it.m, ROUND17: it.m,
           "local from title + sapo only": it.keep_body_if(False)}
    for n in (30, 60, 120, 250):
        out[f"body lead {n} syllables"] = Matches(it.without_body_local() + [h for h in it.leads[n].hits if h.group in LOCAL_GROUPS], it.fw)
    out["body: in 2+ sentences"] = it.keep_body_if(sum(s) >= 2)
    out["body: in its first 2 sentences"] = it.keep_body_if(any(s[:2]))
    out["body: in its first 2 sentences or 2+ sentences"] = it.keep_body_if(any(s[:2]) or sum(s) >= 2)
    # a bare "Long Biên" or "Việt Hưng" in a body is often a bridge, a mall, an inland port or a person's name
    out["body: named with its kind or as a watchlist entry only"] = Matches(
        it.without_body_local() + it.body_local(NAMED_WITH_KIND), it.fw)
    return out


VARIANTS = ("round 14 rule: local from the body's first 4,000 characters",
            f"round 15 rule: local from the body's first {scope_rule.BODY_LOCAL_SYLLABLES} syllables",
            "round 17 rule: round 15's, and a watchlist name or ward placed in another province is a namesake (classifiers.scope)",
            "local from title + sapo only",
            "body lead 30 syllables", "body lead 60 syllables", "body lead 120 syllables", "body lead 250 syllables",
            "body: in 2+ sentences", "body: in its first 2 sentences", "body: in its first 2 sentences or 2+ sentences",
            "body: named with its kind or as a watchlist entry only")
SHIPPED, NOW, ROUND17 = VARIANTS[:3]


def scopes(clf, rows: list[dict]) -> tuple[dict[str, list[str]], list[Item]]:
    arts = [ArticleText(id=str(r["id"]), title=r.get("title") or "", sapo=r.get("sapo") or "", body=r.get("body") or "",
                        url=r.get("url") or "", outlet=r.get("outlet") or "") for r in rows]
    matches, dense, pred = predictions(clf, arts)
    items = [Item(clf, a, m) for a, m in zip(arts, matches)]
    out: dict[str, list[str]] = {v: [] for v in VARIANTS}
    for i, (a, it) in enumerate(zip(arts, items)):
        for name, m in variants(it).items():
            # every variant but the rule as classifiers.scope now has it reads the hits it is given, all of them
            was = scope_rule.BODY_LOCAL_SYLLABLES
            scope_rule.BODY_LOCAL_SYLLABLES = was if name in (NOW, ROUND17) else BODY_CHARS
            try:
                out[name].append(clf._one(a, m, pred, i, None, dense[i], False).scope)
            finally:
                scope_rule.BODY_LOCAL_SYLLABLES = was
    return out, items


def score(gold: list[str], pred: list[str], ref: list[str], weights: np.ndarray, miss_weight: float) -> dict:
    g, p, r = (np.array(x) for x in (gold, pred, ref))
    gl, pl, rl = g == "local", p == "local", r == "local"
    per = {"correct": (g == p), "missed": gl & ~pl, "false": ~gl & pl}
    per["cost"] = miss_weight * per["missed"] + per["false"]
    ref_per = {"correct": (g == r), "missed": gl & ~rl, "false": ~gl & rl}
    ref_per["cost"] = miss_weight * ref_per["missed"] + ref_per["false"]
    n = len(g)
    figs = {"items": n, "labelled_local": int(gl.sum()), "called_local": int(pl.sum()), "local_right": int((gl & pl).sum()),
            "missed_local": int(per["missed"].sum()), "false_local": int(per["false"].sum()),
            "found_vs_reference": int((gl & pl & ~rl).sum()), "lost_vs_reference": int((gl & ~pl & rl).sum()),
            "false_added_vs_reference": int((~gl & pl & ~rl).sum()), "false_removed_vs_reference": int((~gl & ~pl & rl).sum()),
            "scope_accuracy": round(float(per["correct"].mean()), 4) if n else 0.0, "cost": float(per["cost"].sum())}
    diff = {}
    for k in ("correct", "cost"):
        d = weights @ (per[k].astype(np.float64) - ref_per[k].astype(np.float64))
        if k == "correct":
            d = d / n
        diff["accuracy" if k == "correct" else "cost"] = [round(float(np.percentile(d, q)), 4) for q in (2.5, 97.5)]
    figs["difference_from_reference"] = diff
    return figs


def run(models: Path, heldout: bool, alt: bool, miss_weight: float, as_json: bool, against: str = "") -> None:
    _, clf = shipped_classifier(models)
    ref = next((v for v in VARIANTS if v.startswith(against)), None) if against else SHIPPED
    if ref is None:
        sys.exit(f"--against {against!r}: no variant starts so; the variants are: {'; '.join(VARIANTS)}")
    labelled = read_labels(LABELS, required=("id", "scope"))
    sets = {}
    texts = lookup({r["id"] for r in labelled}, CORPUS)
    rows = [{**texts[r["id"]], **r} for r in labelled if r["id"] in texts]
    if alt:
        rows = [{**r, "scope": r.get("alt_scope") or r["scope"]} for r in rows]
    sets["local-bodies, titled"] = [r for r in rows if (r["title"] or r["sapo"]).strip()]
    # the tc201805 items with a post number are social-media posts (27 of them one pet-store chain's, all alike):
    # the news alone, so that one page's repeated posts do not decide
    sets["local-bodies, titled, news only (no social posts)"] = [r for r in sets["local-bodies, titled"]
                                                                 if not re.match(r"tc201805-\d+_\d+$", r["id"])]
    sets["local-bodies, untitled (every variant reads the whole body)"] = [r for r in rows if not (r["title"] or r["sapo"]).strip()]
    if heldout:
        # round 14's 382: the labelled items whose corpus text has a title and a body (bench/body_lead.py heldout)
        lab = labelled_rows()
        ids = {i for i in lab if i.split("-", 1)[0] in ("unc", "cn", "tc201805")} - {r["id"] for r in rows}
        found = lookup(ids, CORPUS)
        sets["round 14's held-out items"] = [{**found[i], **lab[i]} for i in sorted(found)
                                             if found[i]["body"].strip() and found[i]["title"].strip() and lab[i].get("scope")]
    out = {"model": clf.version, "miss_weight": miss_weight, "alt": alt, "against": ref, "sets": {}}
    for name, rs in sets.items():
        if not rs:
            continue
        pred, _ = scopes(clf, rs)
        weights = resample_weights(len(rs))
        gold = [r["scope"] for r in rs]
        out["sets"][name] = {v: score(gold, pred[v], pred[ref], weights, miss_weight) for v in VARIANTS}
        out["sets"][name]["_changed"] = {v: [{"id": r["id"], "label": r["scope"], "reference": a, "variant": b}
                                             for r, a, b in zip(rs, pred[ref], pred[v]) if a != b]
                                         for v in VARIANTS if v != ref}
    if as_json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return
    print(f"model {out['model']}; a missed local costs {miss_weight:g} false ones; differences from: {ref}"
          + ("; borderline items scored with their alt_scope" if alt else ""))
    for name, res in out["sets"].items():
        first = res[SHIPPED]
        print(f"\n{name}: {first['items']} items, {first['labelled_local']} labelled local")
        print("  variant: called local (right) | missed / false | vs reference: found, lost, false added, false removed"
              " | accuracy [diff 95%] | cost [diff 95%]")
        for v in VARIANTS:
            f = res[v]
            d = f["difference_from_reference"]
            print(f"  {v}: {f['called_local']} ({f['local_right']}) | {f['missed_local']} / {f['false_local']} | "
                  f"{f['found_vs_reference']}, {f['lost_vs_reference']}, {f['false_added_vs_reference']}, {f['false_removed_vs_reference']} | "
                  f"{f['scope_accuracy']:.3f} [{d['accuracy'][0]:+.3f} {d['accuracy'][1]:+.3f}] | "
                  f"{f['cost']:g} [{d['cost'][0]:+g} {d['cost'][1]:+g}]")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", type=Path, default=ROOT / "models", help="the bundle to classify with (the shipped one)")
    ap.add_argument("--heldout", action="store_true", help="also score round 14's labelled items with a title and a body")
    ap.add_argument("--alt", action="store_true", help="score borderline items with their alt_scope")
    ap.add_argument("--miss-weight", type=float, default=3.0, help="what a missed local story costs, in false ones")
    ap.add_argument("--against", default="", help="the variant (its name's start) that found/lost and the intervals "
                    "are counted from; round 14's rule by default")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not CORPUS.exists():
        sys.exit(f"{CORPUS} is missing: this measurement needs the shared corpus beside the project")
    run(args.models, args.heldout, args.alt, args.miss_weight, args.json, args.against)


if __name__ == "__main__":
    main()
