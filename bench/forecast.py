"""How well the monthly report's forecast (monitor/forecast.py) works, backtested on the real year of national RSS
(../shared/corpus/rss_aggregator_2025_2026, Aug 2025 – Aug 2026), classified with the shipped classifier.

    .venv/bin/python bench/forecast.py [--classified out.jsonl] [--json out.json]

Without --classified it runs `monitor classify` on the corpus first (about 40 s). Skips cleanly when the corpus is
not beside the repository.

1. Topics, month by month (each target month T from 2025-09 to 2026-08, using only what came before T):
   a topic "rose" in T when its share of T's education articles is at least MIN_LIFT times its share in T-1, on
   at least MIN_ARTICLES articles (monitor.forecast's own definition). Lists scored (precision and recall over all
   months together):
   - calendar: the topics of the calendar events that begin in T (a window in T and none in T-1);
   - baseline "top": T-1's top 3 topics;
   - baseline "rose again": the topics that rose in T-1.
   And a second question, "which topics will be among T's 5 largest": every calendar event in T against T-1's
   top 5 (persistence).
   The seasonal profile cannot be backtested on this one year: each pair of calendar months occurs once, so a
   profile from before T never holds T's months. That part of the report is worded as what happened in the same
   months before, not as a measured forecast.
2. Momentum, day by day: stories grouped as the service groups them (monitor.stories.StoryIndex, 72-hour window,
   in publication order, IDF from the year's items); on each day d, the stories flagged growing at the end of d
   (monitor.forecast.growing) and whether they got at least one more article in the next 7 days, against the
   baselines "every story with at least MIN_RECENT articles in the last RECENT_DAYS" and "every story with an
   article in the last RECENT_DAYS".
"""

from __future__ import annotations

import argparse
import json
import sys
from bisect import bisect_right
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from seasonal_profile import RSS, classified_corpus  # noqa: E402

from monitor.forecast import (MIN_ARTICLES, MIN_LIFT, MIN_RECENT, RECENT_DAYS, SHIPPED_CALENDAR, MonthCounts,  # noqa: E402
                              StoryTrace, counts_by_month, growing, load_calendar, next_month)

TOP_K = 3
TOP_ATTENTION = 5
HORIZON = timedelta(days=7)


def risers(before: MonthCounts, after: MonthCounts) -> set[str]:
    out = set()
    for topic, n in after.topics:
        share_after = n / after.education
        share_before = before.count(topic) / before.education
        if n >= MIN_ARTICLES and share_after >= MIN_LIFT * share_before:
            out.add(topic)
    return out


def top(m: MonthCounts, k: int) -> set[str]:
    return {t for t, _ in sorted(m.topics, key=lambda tn: (-tn[1], tn[0]))[:k]}


def month_span(y: int, m: int) -> tuple[date, date]:
    ny, nm = next_month(y, m)
    return date(y, m, 1), date(ny, nm, 1) - timedelta(days=1)


def score(pairs: list[tuple[set, set]]) -> dict:
    tp = sum(len(p & t) for p, t in pairs)
    named = sum(len(p) for p, _ in pairs)
    actual = sum(len(t) for _, t in pairs)
    return {"named": named, "hits": tp, "actual": actual, "precision": round(tp / named, 3) if named else None,
            "recall": round(tp / actual, 3) if actual else None}


def topic_backtest(months: tuple[MonthCounts, ...]) -> dict:
    events = load_calendar(SHIPPED_CALENDAR)
    by = {(m.year, m.month): m for m in months}
    rows = {"calendar": [], "top": [], "rose_again": [], "attention_calendar": [], "attention_top": []}
    per_month = []
    keys = sorted(by)
    for i in range(1, len(keys)):
        prev_key, key = keys[i - 1], keys[i]
        prev, cur = by[prev_key], by[key]
        first, last = month_span(*key)
        p_first, p_last = month_span(*prev_key)
        in_t = [e for e in events if e.overlaps(first, last)]
        beginning = {t for e in in_t if not e.overlaps(p_first, p_last) for t in e.topics}
        actual = risers(prev, cur)
        before_prev = by.get(keys[i - 2]) if i >= 2 else None
        rose_before = risers(before_prev, prev) if before_prev else set()
        rows["calendar"].append((beginning, actual))
        rows["top"].append((top(prev, TOP_K), actual))
        rows["rose_again"].append((rose_before, actual))
        big = top(cur, TOP_ATTENTION)
        rows["attention_calendar"].append(({t for e in in_t for t in e.topics}, big))
        rows["attention_top"].append((top(prev, TOP_ATTENTION), big))
        per_month.append({"month": f"{key[0]}-{key[1]:02d}", "rose": sorted(actual), "calendar": sorted(beginning),
                          "top": sorted(top(prev, TOP_K))})
    return {name: score(pairs) for name, pairs in rows.items()} | {"months": per_month}


def build_stories(items: list[dict], classified: dict[str, dict]) -> list[StoryTrace]:
    from monitor.stories import Doc, Idf, StoryIndex

    idf = Idf(f"{it['title']} {it['sapo']}" for it in items)
    edu = [it for it in items if classified.get(it["id"], {}).get("is_education") and it["published"]]
    edu.sort(key=lambda it: it["published"])
    index = StoryIndex(idf, timedelta(hours=72))
    members: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    titles: dict[int, str] = {}
    for n, it in enumerate(edu, 1):
        doc = Doc(n, it["outlet"], datetime.fromisoformat(it["published"]), f"{it['title']} {it['sapo']}")
        match = index.match(doc)
        sid = match.story_id if match else n
        index.add(doc, sid)
        members[sid].append((doc.when, doc.outlet))
        titles.setdefault(sid, "")
    return [StoryTrace(sid, titles[sid], tuple(ms)) for sid, ms in members.items()]


def momentum_backtest(stories: list[StoryTrace]) -> dict:
    times = {s.story_id: [t for t, _ in s.members] for s in stories}
    all_t = [t for ts in times.values() for t in ts]
    tz = all_t[0].tzinfo
    first_day, last_day = min(all_t).date(), max(all_t).date()
    by_day: dict[date, set[int]] = defaultdict(set)
    for sid, ts in times.items():
        for t in ts:
            by_day[t.date()].add(sid)
    counts = {"growing": Counter(), "active_min": Counter(), "active_any": Counter()}
    later_articles = {k: 0 for k in counts}
    d = first_day + timedelta(days=2 * RECENT_DAYS)
    while d + timedelta(days=7) <= last_day:
        as_of = datetime(d.year, d.month, d.day, 23, 59, 59, tzinfo=tz)
        recent_from = as_of - timedelta(days=RECENT_DAYS)
        candidates = set().union(*(by_day.get(d - timedelta(days=k), set()) for k in range(2 * RECENT_DAYS + 1)))
        traces = [s for s in stories if s.story_id in candidates]
        flagged = {m.story_id for m in growing(traces, as_of)}
        for s in traces:
            ts = times[s.story_id]
            recent = bisect_right(ts, as_of) - bisect_right(ts, recent_from)
            after = bisect_right(ts, as_of + HORIZON) - bisect_right(ts, as_of)
            groups = ["growing"] * (s.story_id in flagged) + ["active_min"] * (recent >= MIN_RECENT) + \
                     ["active_any"] * (recent >= 1)
            for g in groups:
                counts[g]["flagged"] += 1
                counts[g]["continued"] += after >= 1
                later_articles[g] += after
        d += timedelta(days=1)
    out = {}
    for g, c in counts.items():
        out[g] = {"story_days": c["flagged"], "continued": c["continued"],
                  "rate": round(c["continued"] / c["flagged"], 3) if c["flagged"] else None,
                  "mean_next_7d_articles": round(later_articles[g] / c["flagged"], 2) if c["flagged"] else None}
    out["stories"] = len(stories)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--classified", type=Path, help="`monitor classify` output of the corpus, to skip classifying")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if not RSS.is_dir():
        print(f"skipped: {RSS} is not here (the corpus sits beside the repository in ../shared)")
        return 0
    items, classified = classified_corpus(args.classified)
    months = counts_by_month(
        (date.fromisoformat(it["published"][:10]), classified[it["id"]].get("topics") or ())
        for it in items if classified.get(it["id"], {}).get("is_education") and it["published"])
    topics = topic_backtest(months)
    print("topics that rose next month (share x%.1f, >= %d articles), 12 target months:" % (MIN_LIFT, MIN_ARTICLES))
    for name in ("calendar", "top", "rose_again"):
        s = topics[name]
        print(f"  {name:12s} named {s['named']:3d}, right {s['hits']:3d}: precision {s['precision']}, recall "
              f"{s['recall']} (of {s['actual']} rises)")
    print(f"topics among next month's {TOP_ATTENTION} largest:")
    for name in ("attention_calendar", "attention_top"):
        s = topics[name]
        print(f"  {name:18s} named {s['named']:3d}, right {s['hits']:3d}: precision {s['precision']}, recall {s['recall']}")
    for m in topics["months"]:
        print(f"    {m['month']}: rose {', '.join(m['rose']) or '-'} | calendar {', '.join(m['calendar']) or '-'}")
    momentum = momentum_backtest(build_stories(items, classified))
    print(f"momentum ({momentum['stories']} stories; story-days; 'continued' = at least one more article in 7 days):")
    for g in ("growing", "active_min", "active_any"):
        s = momentum[g]
        print(f"  {g:10s} {s['story_days']:6d} story-days, continued {s['continued']:6d}: rate {s['rate']}, "
              f"mean articles in the next 7 days {s['mean_next_7d_articles']}")
    if args.json:
        args.json.write_text(json.dumps({"topics": topics, "momentum": momentum}, ensure_ascii=False, indent=1),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
