"""Story grouping replayed over a year's store: how many hot stories (alerts) it makes, and which of the stored ones
a change of grouping brings together.

The store (a copy of a year's: bench/year_store.py builds one; opened read-only here) holds what triage grouped and
scored at every poll. This replays the grouping alone over the same articles, each poll's (first seen in the same
--tick minutes) in publication order as assign_articles takes them, against an index of the stories so far whose
IDF background is the store's articles of the BACKGROUND_DAYS before (rebuilt every --idf-days). A replayed story is
counted hot when it holds an article of a story the store rated hot (at some level): the scoring is not replayed, so
a story made hot only by articles joining it is not counted, and one joined to a hot story counts once.

The replay runs twice, with the change measured off and as shipped: --change same-name (the default) the joins of
hot articles by a specific name and the round-ups (monitor.stories.SAME_NAME, _ROUND_UP; each article's hot judgement
is its newest classification's), --change follow-up triage's follow-up reach (monitor.stories.FOLLOW_UP). It prints
the pairs of stored hot stories each brings together that the other keeps apart, the joins past the window and those
by a name (ids only: read them in the store; no text of the corpus is kept here).

    python bench/story_splits.py --store /tmp/year/var/monitor.sqlite3 [--show 40] [--change follow-up]

Measured 2026-11-28 on the year's store of bench/year_store.py (7,832 articles in 6,216 stories, 1,066 hot; built
before the place veto, which the replays both have): without the follow-up reach 6,276 stories, 1,079 hot; as
shipped 6,247, 1,054 hot; 34 pairs of stored hot stories brought together, none kept apart; 50 joins past the
window (45 of articles of stored hot stories). Each replay about 3.5 minutes. What the pairs and joins were, read
one by one: the FOLLOW_UP lines of monitor.stories.

Measured 2026-11-28, --change same-name: without it 6,247 stories, 1,054 hot (as above); as shipped 6,227, 1,033
hot: 20 joins by a name (17 read right, 3 debatable, none wrong: the SAME_NAME lines of monitor.stories), 33 pairs of
stored hot stories brought together, none kept apart, and 3 stories of round-ups alone no longer rated hot (6
round-ups in the store).

Measured 2026-11-28, --change follow-up-hot (each replay also prints its hot stories' spans, first to last member's
publication): follow-ups matching any member 6,227 stories, 1,033 hot, spans <1 h 812, <1 d 107, 1-3 d 67, 3-7 d 41,
7-14 d 5, 14+ d 1 (25 days: an admissions test's news); matching only members judged hot (shipped) 6,229, 1,034 hot,
spans 811, 107, 70, 40, 6, 0 (longest 14 days, a crash inquiry). It removes 5 of the 50 joins past the window (read: 2
wrong, 2 debatable, 1 right) and keeps one pair of stored hot stories apart (two incidents of that test, the second
hidden in the chain). What the longest and largest stories were, read one by one: the FOLLOW_UP_FROM_HOT lines of
monitor.stories.

    python bench/story_splits.py --store /tmp/year/var/monitor.sqlite3 --change follow-up-hot --show 40
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifiers.hot import categories_from_reasons  # noqa: E402
from monitor import stories  # noqa: E402
from monitor.stories import Doc, Idf, StoryIndex, is_round_up  # noqa: E402
from monitor.triage import BACKGROUND_DAYS  # noqa: E402

WHEN = "COALESCE(a.published_at, a.first_seen_at)"


def hot_judgements(db: sqlite3.Connection) -> dict[int, frozenset[str]]:
    """Each story member judged hot by its newest classification, with its hot categories' names (Doc.hot)."""
    out: dict[int, frozenset[str]] = {}
    for aid, hot, stored, reasons in db.execute(
            "SELECT c.article_id, c.hot, c.hot_categories, c.reasons FROM classifications c"
            " JOIN story_articles sa ON sa.article_id = c.article_id ORDER BY c.classified_at, c.rowid"):
        if not hot:
            out.pop(aid, None)
            continue
        cats = ([c[1] for c in json.loads(stored)] if stored is not None
                else [c.name for c in categories_from_reasons(json.loads(reasons)) or ()])
        out[aid] = frozenset(cats)
    return out


def load(db: sqlite3.Connection):
    judged = hot_judgements(db)
    rows = db.execute(
        f"SELECT a.id, a.outlet, a.title, a.sapo, {WHEN}, a.first_seen_at, sa.story_id, s.severity"
        " FROM story_articles sa JOIN articles a ON a.id = sa.article_id JOIN stories s ON s.id = sa.story_id"
        " ORDER BY a.first_seen_at, a.id").fetchall()
    docs, stored, hot = [], {}, set()
    for aid, outlet, title, sapo, when, seen, sid, severity in rows:
        docs.append((datetime.fromisoformat(seen), Doc(aid, outlet, datetime.fromisoformat(when), f"{title} {sapo}",
                                                       judged.get(aid))))
        stored[aid] = sid
        if severity:
            hot.add(sid)
    return docs, stored, hot


def background(db: sqlite3.Connection, until: datetime) -> Idf:
    since = until - timedelta(days=BACKGROUND_DAYS)
    return Idf(f"{t} {s}" for t, s in db.execute(
        f"SELECT a.title, a.sapo FROM articles a WHERE {WHEN} >= ? AND {WHEN} < ? ORDER BY {WHEN} DESC LIMIT 30000",
        (since.isoformat(), until.isoformat())))


def replay(db, docs, stored: dict[int, int], hot: set[int], window: timedelta, follow_up: timedelta | None,
           tick: timedelta, idf_every: timedelta, same_name: bool = stories.SAME_NAME, round_ups: bool = True,
           from_hot: bool = stories.FOLLOW_UP_FROM_HOT):
    """(article id -> replayed story id (the id of the story's first article), the joins past the window: (article,
    the member it matched, cosine, hours apart), the joins by a specific name: (article, member, cosine, name))."""
    story: dict[int, int] = {}
    past: list[tuple[int, int, float, float]] = []
    by_name: list[tuple[int, int, float, str]] = []
    followed: set[int] = set()  # replayed stories holding an article of a stored hot story: those triage follows
    members: list[Doc] = []
    index = idf = None
    idf_at = None
    i = 0
    while i < len(docs):
        poll_end = docs[i][0] + tick
        batch = []
        while i < len(docs) and docs[i][0] < poll_end:
            batch.append(docs[i][1])
            i += 1
        batch.sort(key=lambda d: (d.when, d.article_id))
        if idf_at is None or batch[-1].when - idf_at >= idf_every:
            idf_at = batch[-1].when
            idf = background(db, idf_at + window)
            index = None
        if index is None:
            index = StoryIndex(idf, window, follow_up=follow_up, followed=followed, same_name=same_name,
                               round_ups=round_ups, follow_up_from_hot=from_hot)
            reach = max(window, follow_up or window)
            for m in members:
                if m.when >= idf_at - 2 * reach:
                    index.add(m, story[m.article_id])
        for d in batch:
            match = index.match(d)
            story[d.article_id] = d.article_id if match is None else match.story_id
            if match is not None and abs(d.when - index.docs[match.article_id].when) > window:
                hours = abs(d.when - index.docs[match.article_id].when).total_seconds() / 3600
                past.append((d.article_id, match.article_id, match.similarity, hours))
            if match is not None and match.named:
                by_name.append((d.article_id, match.article_id, match.similarity, match.named))
            index.add(d, story[d.article_id])
            members.append(d)
            if stored[d.article_id] in hot:
                followed.add(story[d.article_id])
    return story, past, by_name


def hot_stories(story: dict[int, int], stored: dict[int, int], hot: set[int],
                round_ups: set[int] = frozenset()) -> dict[int, set[int]]:
    """replayed story -> the stored hot stories it holds articles of (replayed stories holding none left out, and
    those all of whose members are `round_ups`: triage.score_story rates none of them hot)."""
    out: dict[int, set[int]] = defaultdict(set)
    members: dict[int, list[int]] = defaultdict(list)
    for aid, sid in story.items():
        members[sid].append(aid)
        if stored[aid] in hot:
            out[sid].add(stored[aid])
    return {sid: v for sid, v in out.items() if not all(a in round_ups for a in members[sid])}


SPAN_BINS = ((1 / 24, "<1 h"), (1, "<1 d"), (3, "1-3 d"), (7, "3-7 d"), (14, "7-14 d"), (float("inf"), "14+ d"))


def span_days(story: dict[int, int], when: dict[int, datetime], hot: dict[int, set[int]]) -> dict[int, float]:
    """Each hot replayed story's span: days from its first to its last member's publication."""
    times: dict[int, list[datetime]] = defaultdict(list)
    for aid, sid in story.items():
        if sid in hot:
            times[sid].append(when[aid])
    return {sid: (max(t) - min(t)).total_seconds() / 86400 for sid, t in times.items()}


def span_counts(spans) -> list[tuple[str, int]]:
    counts = dict.fromkeys((label for _, label in SPAN_BINS), 0)
    for d in spans:
        counts[next(label for bound, label in SPAN_BINS if d < bound)] += 1
    return list(counts.items())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", required=True, help="a year's monitor.sqlite3 (read only)")
    ap.add_argument("--tick", type=int, default=30, help="minutes of one poll")
    ap.add_argument("--idf-days", type=int, default=3, help="days between rebuilds of the IDF background")
    ap.add_argument("--window-hours", type=int, default=72, help="alerts.window_hours")
    ap.add_argument("--show", type=int, default=40, help="stored hot stories brought together, printed")
    ap.add_argument("--change", choices=("same-name", "follow-up", "follow-up-hot"), default="same-name",
                    help="what the replays compare: same-name joins and round-ups (SAME_NAME), the follow-up reach, or"
                         " follow-ups matching only members judged hot (FOLLOW_UP_FROM_HOT)")
    args = ap.parse_args()
    db = sqlite3.connect(f"file:{args.store}?mode=ro", uri=True)
    docs, stored, hot = load(db)
    round_ups = {d.article_id for _, d in docs if is_round_up(d.text)}
    print(f"{len(docs)} articles in {len(set(stored.values()))} stored stories, {len(hot)} hot;"
          f" {sum(d.hot is not None for _, d in docs)} judged hot, {len(round_ups)} round-ups")
    window = timedelta(hours=args.window_hours)
    if args.change == "follow-up":
        configs = (("no follow-up window", None, stories.SAME_NAME, True, True),
                   ("shipped", stories.FOLLOW_UP, stories.SAME_NAME, True, True))
    elif args.change == "follow-up-hot":
        configs = (("follow-ups matching any member", stories.FOLLOW_UP, stories.SAME_NAME, True, False),
                   ("shipped", stories.FOLLOW_UP, stories.SAME_NAME, True, True))
    else:
        configs = (("no same-name joins, round-ups as any article", stories.FOLLOW_UP, False, False, True),
                   ("shipped", stories.FOLLOW_UP, True, True, True))
    runs, joins, named, spans = {}, {}, {}, {}
    for name, follow, same_name, rounding, from_hot in configs:
        t = time.perf_counter()
        story, past, by_name = replay(db, docs, stored, hot, window, follow, timedelta(minutes=args.tick),
                                      timedelta(days=args.idf_days), same_name=same_name, round_ups=rounding,
                                      from_hot=from_hot)
        h = hot_stories(story, stored, hot, round_ups if rounding else set())
        runs[name] = h
        joins[name] = past
        named[name] = by_name
        print(f"{name}: {len(set(story.values()))} stories, {len(h)} hot; {sum(len(v) > 1 for v in h.values())} hold"
              f" 2+ stored hot stories ({time.perf_counter() - t:.0f} s)")
        spans[name] = span_days(story, {d.article_id: d.when for _, d in docs}, h)
        print("  hot stories' spans, first to last member's publication (days): " + ", ".join(
            f"{label} {n}" for label, n in span_counts(spans[name].values())))
        if rounding:
            print(f"  of which round-ups alone, not rated hot: {len(hot_stories(story, stored, hot)) - len(h)}")
    before, after = runs.values()
    pairs = lambda h: {(a, b) for v in h.values() for a in v for b in v if a < b}  # noqa: E731
    new, lost = pairs(after) - pairs(before), pairs(before) - pairs(after)
    print(f"stored hot pairs brought together by the change: {len(new)}; kept apart by it: {len(lost)}")
    for a, b in sorted(new)[:args.show]:
        print(f"  + s{a} s{b}")
    for a, b in sorted(lost)[:args.show]:
        print(f"  - s{a} s{b}")
    if args.change == "follow-up-hot":
        print("joins past the window the change removes (articles that join another story or none):")
        kept = {(a, m) for a, m, *_ in joins["shipped"]}
        for a, m, c, hours in joins["follow-ups matching any member"]:
            if (a, m) not in kept:
                print(f"  a{a} (s{stored[a]}) -> a{m} (s{stored[m]}) cosine {c:.2f}, {hours:.0f} h apart")
        longest = sorted(spans["shipped"].items(), key=lambda kv: -kv[1])[:args.show]
        print("longest-spanning hot stories as shipped (replayed story = its first article's id): "
              + " ".join(f"a{sid} {d:.1f}" for sid, d in longest))
    past = joins["shipped"]
    print(f"joins past the window: {len(past)} (of articles of stored hot stories:"
          f" {sum(stored[a] in hot for a, *_ in past)})")
    for a, m, c, hours in past[:args.show]:
        print(f"  a{a} (s{stored[a]}) -> a{m} (s{stored[m]}) cosine {c:.2f}, {hours:.0f} h apart")
    by_name = named["shipped"]
    print(f"joins by a specific name: {len(by_name)}")
    for a, m, c, what in by_name[:args.show]:
        print(f"  a{a} (s{stored[a]}) -> a{m} (s{stored[m]}) cosine {c:.2f}, {what}")


if __name__ == "__main__":
    main()
