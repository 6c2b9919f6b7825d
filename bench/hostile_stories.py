"""A feed of near-copies that changes every poll must not slow story grouping without bound.

A hostile (or badly built) feed lists 500 near-copies of one invented item, all under new links at every
poll. Served on 127.0.0.1 by monitor.sample_site beside six ordinary outlets' feeds (bench/alert_latency.py's
invented day); every 5 simulated minutes the real pipeline runs (monitor.pipeline.run_once: crawl over HTTP,
classify, group into stories, score, queue and deliver alerts). Each poll's wall time is printed with the part
spent placing the new articles in stories (triage.assign_articles) and the number of similarity comparisons
grouping made (cosine and shingle Jaccard, counted by wrapping monitor.stories' functions), so the run shows
whether grouping's cost per poll stays flat while the copies pile up in the alert window.

The classifier is bench/alert_latency.py's stand-in (every item is education) so that every copy reaches
grouping and the bench measures grouping, not the NLP models. All text is invented.

    python bench/hostile_stories.py [--polls 20] [--copies 500] [--interval 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import monitor.stories as stories  # noqa: E402
import monitor.triage as triage  # noqa: E402
from alert_latency import FEEDS, VN, FakeClassifier, make_day  # noqa: E402
from monitor import sample_site  # noqa: E402
from monitor.app import App  # noqa: E402
from monitor.config import Alerts  # noqa: E402
from monitor.pipeline import run_once  # noqa: E402

HOSTILE_FEED = "tin-nhanh-giao-duc"
HOSTILE_OUTLET = "Báo Tin tức"
HOSTILE_PATH = "/tinnhanh/rss/tin-nhanh-giao-duc.rss"
# one invented notice, copied with a few words changed in each item
WARDS = ["Ngọc Lâm", "Bồ Đề", "Gia Thụy", "Việt Hưng", "Phúc Đồng", "Thạch Bàn", "Cự Khối", "Sài Đồng"]
TITLE = "Thông báo: học sinh Trường THCS {w} nghỉ học ngày {d}/11 để bảo trì hệ thống điện (bản {k})"
SAPO = ("Ban giám hiệu Trường THCS {w} thông báo toàn bộ học sinh khối {g} nghỉ học một ngày để đơn vị thi công "
        "bảo trì hệ thống điện và thay mới thiết bị chiếu sáng trong các phòng học; lịch học bù sẽ được gửi "
        "tới phụ huynh qua sổ liên lạc điện tử (mã tin {k}).")


def hostile_feed(poll: int, copies: int, at: datetime, rng: random.Random) -> str:
    """This poll's version of the feed: `copies` near-copies under links never listed before."""
    out = ['<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tin nhanh giáo dục</title>'
           "<link>http://127.0.0.1/</link><description>Tin nhanh</description>"]
    for i in range(copies):
        k = f"{poll:03d}{i:03d}{rng.randint(100, 999)}"
        fill = {"w": rng.choice(WARDS), "d": rng.randint(20, 29), "g": rng.randint(6, 9), "k": k}
        when = sample_site.rfc822(at - timedelta(seconds=i))
        out.append(f"<item><title>{TITLE.format(**fill)}</title><description>{SAPO.format(**fill)}</description>"
                   f"<pubDate>{when}</pubDate><link>{{base}}/tinnhanh/tin-{k}.html</link><guid>tin-{k}</guid></item>")
    out.append("</channel></rss>")
    return "\n".join(out)


class Counted:
    """monitor.stories' similarity functions, counting their calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.cosine, self.jaccard = stories.cosine, stories.jaccard

        def cosine(a, b):
            self.calls += 1
            return self.cosine(a, b)

        def jaccard(a, b):
            self.calls += 1
            return self.jaccard(a, b)

        stories.cosine, stories.jaccard = cosine, jaccard


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--polls", type=int, default=20)
    ap.add_argument("--copies", type=int, default=500, help="near-copies in the hostile feed at each poll")
    ap.add_argument("--interval", type=float, default=5.0, help="polling interval, simulated minutes")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    start = datetime(2026, 11, 23, 8, 0, tzinfo=VN)
    articles = make_day(start - timedelta(hours=24), 24, rng)  # the ordinary outlets' last day
    sim = {"t": start, "wall": time.monotonic()}

    def clock() -> datetime:
        return sim["t"] + timedelta(seconds=time.monotonic() - sim["wall"])

    site = sample_site.build_site(articles)
    state = {"feed": ""}
    server, base = sample_site.serve(site)
    site.routes[HOSTILE_PATH] = sample_site.Route("application/rss+xml; charset=utf-8",
                                                  lambda b: state["feed"].replace("{base}", b))
    tmp = Path(tempfile.mkdtemp(prefix="hostile-stories-"))
    sources = [{"name": f, "url": site.feed_url(f), "outlet": o, "fetch_pages": False} for o, f in FEEDS.items()]
    sources.append({"name": HOSTILE_FEED, "url": base + HOSTILE_PATH, "outlet": HOSTILE_OUTLET, "fetch_pages": False})
    cfg = sample_site.sample_config(site, tmp, sources=sources)
    cfg = dataclasses.replace(cfg, alerts=Alerts(quiet_hours="", cooldown_minutes=60, window_hours=72, channels=()))
    app = App(config=cfg, clock=clock)
    app.classifier = FakeClassifier()
    counted = Counted()
    spent = {"assign": 0.0}
    assign = triage.assign_articles

    def timed_assign(*a, **kw):
        t = time.perf_counter()
        try:
            return assign(*a, **kw)
        finally:
            spent["assign"] += time.perf_counter() - t

    triage.assign_articles = timed_assign
    rows = []
    try:
        for poll in range(args.polls + 1):
            t = start + timedelta(minutes=args.interval * poll)
            state["feed"] = hostile_feed(poll, args.copies, t, rng)
            sim["t"], sim["wall"] = t, time.monotonic()
            spent["assign"], counted.calls = 0.0, 0
            w = time.perf_counter()
            report = run_once(app, force=True)
            wall = time.perf_counter() - w
            new = len(report.crawl.new_article_ids)
            if poll == 0:
                print(f"poll 0 (first poll, the ordinary feeds' day and {args.copies} copies: {new} new articles): "
                      f"{wall:.2f} s, grouping {spent['assign']:.2f} s, {counted.calls} comparisons (not counted below)")
                continue
            rows.append((wall, spent["assign"], counted.calls))
            print(f"poll {poll:2d}: {new:4d} new articles, {wall:6.2f} s, grouping {spent['assign']:6.2f} s, "
                  f"{counted.calls:9d} comparisons ({counted.calls / max(new, 1):7.1f} per new article)", flush=True)
    finally:
        sample_site.stop(server)
        app.close()
    walls, groups, comps = zip(*rows)
    k = max(1, len(rows) // 4)
    print(f"{len(rows)} polls after the first: per poll median {statistics.median(walls):.2f} s "
          f"(grouping {statistics.median(groups):.2f} s); first {k}: {statistics.mean(walls[:k]):.2f} s "
          f"(grouping {statistics.mean(groups[:k]):.2f} s, {statistics.mean(comps[:k]):.0f} comparisons); "
          f"last {k}: {statistics.mean(walls[-k:]):.2f} s (grouping {statistics.mean(groups[-k:]):.2f} s, "
          f"{statistics.mean(comps[-k:]):.0f} comparisons)")


if __name__ == "__main__":
    main()
