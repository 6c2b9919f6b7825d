"""Measurement: how many of the review queue's articles are the model's mistakes, on hand-labelled whole days.

`monitor review` (monitor.review) lists the articles the model is least sure of, one per event, for an
analyst to correct or confirm. For each labelled day in data/labels/day-*.jsonl (every national RSS item of
that day, read one by one) this classifies the day with the shipped model, builds the queue of the day's
articles, and counts how many queued articles the model got wrong on a decision that reaches leadership:
education or not, and for an article labelled education, hot or not. Against that: the share of the
model's mistakes among all the day's articles, and how many of the day's mistakes the queue holds.

Needs ../shared/corpus for the texts. The days are held out of the shipped model's training.

Run:  .venv/bin/python bench/review.py [--limit 10] [--models models] [--json]
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, time
from pathlib import Path

from labelled_days import ROOT, as_articles, classified_days, shipped_classifier
from monitor.review import Thresholds, review_queue


def wrong(row: dict, c) -> bool:
    """The model's call differs from the label on education, or (for a labelled education item) on hot."""
    edu = bool(row.get("is_education"))
    return c.is_education != edu or (edu and c.hot != bool(row.get("hot")))


def measure_day(day, rows: list[dict], results: list, tz, limit: int, thresholds: dict | None = None) -> dict:
    articles = as_articles(rows, datetime.combine(day, time(12), tzinfo=tz))
    queue = review_queue(zip(articles, results), limit=limit, thresholds=thresholds)
    mistakes = {n for n, (r, c) in enumerate(zip(rows, results)) if wrong(r, c)}
    queued = {d.article.id for d in queue}
    return {"day": day.isoformat(), "items": len(rows), "mistakes": len(mistakes), "queued": len(queued),
            "queued_mistakes": len(queued & mistakes)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=10, help="queue length a day (default 10)")
    ap.add_argument("--models", type=Path, default=ROOT / "models")
    ap.add_argument("--json", action="store_true", help="print the per-day counts as JSON too")
    args = ap.parse_args()
    cfg, classifier = shipped_classifier(args.models)
    # the thresholds the stored classifications' evidence gives `monitor review`
    heads = classifier.models.heads
    thresholds = {classifier.version: Thresholds(float(heads.rel_threshold), float(heads.hot_threshold))}
    days = [measure_day(day, rows, results, cfg.office.tz, args.limit, thresholds)
            for day, rows, results in classified_days(classifier)]
    total = {k: sum(d[k] for d in days) for k in ("items", "mistakes", "queued", "queued_mistakes")}
    print(f"model {classifier.version}; {len(days)} labelled days, {total['items']} articles; queue of at most "
          f"{args.limit} a day")
    print(f"the model's mistakes (education, or hot on an education article): {total['mistakes']} "
          f"({total['mistakes'] / max(1, total['items']):.1%} of the articles)")
    print(f"queued: {total['queued']} ({total['queued'] / len(days):.1f} a day), of them mistakes "
          f"{total['queued_mistakes']} ({total['queued_mistakes'] / max(1, total['queued']):.1%}); the queue holds "
          f"{total['queued_mistakes'] / max(1, total['mistakes']):.1%} of all the mistakes")
    if args.json:
        print(json.dumps({"limit": args.limit, "total": total, "days": days}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
