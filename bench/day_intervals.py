"""How sure the whole days' figures are, resampling whole days rather than items.

Items of one day are not independent (one story, many outlets, the same news cycle), so the README gives,
beside `monitor evaluate`'s item bootstrap, a percentile interval from resampling the labelled days
themselves: each resample draws as many days as there are, with replacement, and scores every item of the
days drawn (a day drawn twice counts twice). Also the clipping's "right" (precision of the education items it
shows) and "complete" (their recall).

    .venv/bin/python bench/day_intervals.py [--models models] [--resamples 2000] [--seed 20221] [--json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from labelled_days import ROOT, classified_days, shipped_classifier

from classifiers.evaluate import bootstrap_samples


def day_intervals(days: list[tuple], resamples: int, seed: int) -> dict[str, tuple[float, float]]:
    """95% percentile intervals of the headline figures over `resamples` draws of whole days."""
    gold, predicted, day_of = [], [], []
    for k, (_, rows, results) in enumerate(days):
        gold += rows
        predicted += results
        day_of += [k] * len(rows)
    n = len(days)
    draws = np.random.default_rng(seed).multinomial(n, np.full(n, 1.0 / n), size=resamples).astype(np.float64)
    weights = draws[:, np.array(day_of)]  # each item weighs as often as its day was drawn
    samples = bootstrap_samples(gold, predicted, weights)
    g = np.array([bool(r["is_education"]) for r in gold])
    p = np.array([c.is_education for c in predicted])
    tp, fp, fn = weights @ (g & p), weights @ (~g & p), weights @ (g & ~p)
    with np.errstate(invalid="ignore", divide="ignore"):
        samples["right"], samples["complete"] = tp / (tp + fp), tp / (tp + fn)
    return {k: (round(float(np.nanpercentile(v, 2.5)), 3), round(float(np.nanpercentile(v, 97.5)), 3))
            for k, v in samples.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", type=Path, default=ROOT / "models")
    ap.add_argument("--resamples", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=20221)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    _, classifier = shipped_classifier(args.models)
    days = list(classified_days(classifier))
    intervals = day_intervals(days, args.resamples, args.seed)
    if args.json:
        print(json.dumps({"days": len(days), "resamples": args.resamples, "intervals": intervals}, indent=1))
        return
    print(f"{len(days)} days, {sum(len(r) for _, r, _ in days):,} items, {args.resamples} resamples of whole days "
          f"(seed {args.seed}); 95% intervals:")
    for name, (lo, hi) in intervals.items():
        print(f"  {name:<16} {lo:.3f}–{hi:.3f}")


if __name__ == "__main__":
    main()
