"""Measurement: what the clipping's appendix of unsure articles adds on hand-labelled whole days.

The clipping shows the articles the classifier judges education. The appendix (monitor.digest,
`digest.borderline_*` in feeds.yaml) lists apart the ones it judged *not* education but scored at least
`borderline_min_relevance`, at most `borderline_max_items` a day. For each labelled day in
data/labels/day-*.jsonl (every national RSS item of that day, read one by one) this builds the real
clipping (monitor.digest.build_digest) from the shipped classifier's output and counts:
  sections   education articles in the clipping's sections: right (labelled education) / complete
  appendix   lines a day, and how many of them are labelled education (the model's misses it recovers)
  folded     unsure articles telling an event the sections already show, which the clipping counts as one
             more outlet of that story instead of listing them again
  together   the share of labelled education articles a reader of the whole clipping has in front of them

Needs ../shared/corpus for the texts. The days are held out of the shipped model's training
(`monitor train --exclude 'day-*.jsonl'`); the floor and the cap are not chosen on these labels.

Run:  .venv/bin/python bench/borderline.py [--floor 0.3] [--max-items 8] [--models models] [--json]
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from labelled_days import ROOT, as_articles, classified_days, shipped_classifier
from monitor.digest import build_digest, digest_window, told_elsewhere


def measure_day(day, rows: list[dict], results: list, office, floor: float, max_items: int) -> dict:
    window = digest_window(day, "07:00", office.tz)
    articles = as_articles(rows, window[0] + timedelta(hours=12))
    d = build_digest(office=office, day=day, window=window, articles=articles,
                     classifications={n: c for n, c in enumerate(results)}, borderline_min_relevance=floor,
                     borderline_max_items=max_items, generated_at=datetime.now(timezone.utc), max_items=10_000)
    gold = {n for n, r in enumerate(rows) if r.get("is_education")}
    shown = {i.article_id for s in d.all_sections for i in s.items}
    appendix = [i.article_id for i in d.borderline.items]
    # unsure articles the clipping shows as one more outlet of an event in its sections, instead of a line
    judged = list(zip(articles, results))
    folded = set(told_elsewhere([(a, c) for a, c in judged if not c.is_education and c.relevance >= floor],
                                [(a, c) for a, c in judged if c.is_education], articles)) if max_items > 0 else set()
    return {"day": day.isoformat(), "items": len(rows), "education": len(gold), "shown": len(shown),
            "shown_right": len(shown & gold), "appendix": len(appendix), "appendix_education": len(set(appendix) & gold),
            "folded": len(folded), "folded_education": len(folded & gold)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--floor", type=float, default=None, help="borderline_min_relevance (default: feeds.yaml)")
    ap.add_argument("--max-items", type=int, default=None, help="borderline_max_items (default: feeds.yaml)")
    ap.add_argument("--models", type=Path, default=ROOT / "models")
    ap.add_argument("--json", action="store_true", help="print the per-day counts as JSON too")
    args = ap.parse_args()
    cfg, classifier = shipped_classifier(args.models)
    floor = cfg.digest.borderline_min_relevance if args.floor is None else args.floor
    max_items = cfg.digest.borderline_max_items if args.max_items is None else args.max_items
    days = [measure_day(day, rows, results, cfg.office, floor, max_items) for day, rows, results in classified_days(classifier)]
    total = {k: sum(d[k] for d in days) for k in ("items", "education", "shown", "shown_right", "appendix", "appendix_education",
                                     "folded", "folded_education")}
    n = len(days)
    print(f"model {classifier.version}; {n} labelled days, {total['items']} articles, {total['education']} education; "
          f"appendix floor {floor}, at most {max_items} a day")
    print(f"sections: {total['shown']} shown, right {total['shown_right'] / max(1, total['shown']):.1%}, "
          f"complete {total['shown_right'] / max(1, total['education']):.1%}")
    print(f"appendix: {total['appendix']} lines ({total['appendix'] / n:.1f} a day, at most "
          f"{max(d['appendix'] for d in days)}), {total['appendix_education']} of them education")
    print(f"same event as a section's story, shown as one more outlet of it: {total['folded']}, "
          f"{total['folded_education']} of them education")
    print(f"together: {(total['shown_right'] + total['appendix_education']) / max(1, total['education']):.1%} of the "
          f"education articles are in front of the reader, "
          f"{(total['shown_right'] + total['appendix_education'] + total['folded_education']) / max(1, total['education']):.1%} "
          f"with their events")
    if args.json:
        print(json.dumps({"floor": floor, "max_items": max_items, "total": total, "days": days}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
