"""A year of one office's store: build it from a year of real RSS items, then time every command a person runs.

An office running the shipped feeds.yaml (education feeds plus a national "tin mới" feed) collects, in a
year, about 150,000 articles. This bench builds such a store from ../shared/corpus/rss_aggregator_2025_2026
(151,693 real VnExpress / Thanh Niên / Tuổi Trẻ items; read at run time, never written into the project;
without it the bench says so and stops), then measures the commands on it.

Building (`build`): the items are replayed in publication order, shifted so the year ends now, through the
service's own code: each simulated poll (every --tick minutes) runs as a `monitor serve` crawl job
(monitor.service.Service.run_job) whose crawl stores the new items through the store's API as the crawler
does (feed entries, the page with its text and archived HTML, the fetch log, the feed's state), and then the
real pipeline step (monitor.pipeline.classify_and_triage: the shipped classifier, story grouping, scoring,
cases, alerts); the service's clock-based work runs after each poll (the daily clipping at the cut-off, the
monthly report, nightly housekeeping). Education articles of the three outlets are also listed by their
education feeds. An analyst labels five doubtful articles a day and handles the cases (taken on, handled,
closed as another area's, a few dismissed as false alarms). The model is retrained twice (three versions: the
whole history reclassified after the first retraining, the last quarter after the second).
The corpus has titles and sapos only, so each page's body is the article's own words repeated to a news
article's length (--body-words) and its archived HTML is padded to --page-kb compressed (an article page of
VnExpress is 120-200 KB, about 30 KB deflated); the classifier reads title and sapo only, as the corpus has
them, so its calls are the shipped model's on real text.

Measuring (`measure`): each command runs as a subprocess under /usr/bin/time -v (wall time, peak RSS) on a
copy of the built store, in the order a person might: status, digest (files only), report, search, cases,
review, explain, label, triage, reclassify --dry-run and reclassify, and the service's per-poll step (a poll
bringing 20 new items, classified and triaged in a fresh process and then once more warm). Also the database's
size by table and what housekeeping keeps bounded.

    python bench/year_store.py build --out /tmp/year [--tick 30] [--days 365] [--page-kb 30]
    python bench/year_store.py measure --store /tmp/year [--json out.json] [--skip-reclassify]
    python bench/year_store.py all --out /tmp/year           # both

The build takes about an hour on the 2-core machine (most of it the pipeline at every poll); the store
takes about 6 GB with the default page size (--page-kb 0: no archived HTML).
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import hashlib
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# `measure --code DIR` times another checkout of the monitor (the code before a change) on the same store
CODE = Path(os.environ.get("YEAR_STORE_CODE") or ROOT)
sys.path.insert(0, str(CODE))

CORPUS = Path(os.environ.get("MONITOR_SHARED", ROOT.parent / "shared")) / "corpus" / "rss_aggregator_2025_2026"
RESERVED = 40  # the newest items are kept out of the build: two polls of 20 for the per-poll measurement
# the corpus's three outlets: domain -> (outlet in feeds.yaml, its "tin mới" feed, its education feed)
OUTLETS = {
    "vnexpress.net": ("VnExpress", "vnexpress-tin-moi", "vnexpress-giao-duc"),
    "thanhnien.vn": ("Thanh Niên", "thanhnien-tin-moi", "thanhnien-giao-duc"),
    "tuoitre.vn": ("Tuổi Trẻ", "tuoitre-tin-moi", "tuoitre-giao-duc"),
}
FEED_URLS = {"vnexpress-tin-moi": "https://vnexpress.net/rss/tin-moi-nhat.rss",
             "thanhnien-tin-moi": "https://thanhnien.vn/rss/home.rss",
             "tuoitre-tin-moi": "https://tuoitre.vn/rss/tin-moi-nhat.rss"}
ANALYST = "Chị Lan (bench)"


# --------------------------------------------------------------------------- the corpus


def load_corpus(path: Path) -> list[dict]:
    if not path.is_dir():
        sys.exit(f"{path} is absent: this benchmark needs ../shared/corpus beside the repository "
                 "(or MONITOR_SHARED=/path/to/shared)")
    items = []
    for f in sorted(path.glob("articles-*.jsonl.gz")):
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                if r.get("outlet") not in OUTLETS or not r.get("published"):
                    continue
                items.append({"id": r["id"], "domain": r["outlet"], "url": r["url"],
                              "title": unicodedata.normalize("NFC", r.get("title") or ""),
                              "sapo": unicodedata.normalize("NFC", r.get("sapo") or ""),
                              "published": datetime.fromisoformat(r["published"])})
    items.sort(key=lambda r: (r["published"], r["id"]))
    return items


def lag(item_id: str) -> timedelta:
    """How long after publication the feed listed it (1 to 15 minutes, fixed per item)."""
    return timedelta(minutes=1 + int(hashlib.md5(item_id.encode()).hexdigest()[:4], 16) % 15)


def shift_to_now(items: list[dict], now: datetime) -> list[dict]:
    """The year moved by whole days so that its last day is today (time of day kept); items later than now dropped."""
    last = max(r["published"] for r in items)
    days = (now.astimezone(last.tzinfo).date() - last.date()).days
    out = []
    for r in items:
        published = r["published"] + timedelta(days=days)
        if published + lag(r["id"]) <= now:
            out.append(r | {"published": published})
    return out


# --------------------------------------------------------------------------- pages


class Pages:
    """A page's body (the article's own words repeated to a news article's length) and archived HTML (a fixed
    boilerplate of pseudo-random markup sized so that each page deflates to about `page_kb` KB)."""

    def __init__(self, body_words: int, page_kb: int) -> None:
        self.body_words = body_words
        rng = random.Random(7)
        vocab = [f'<div class="{"".join(rng.choices("abcdefghijklmnop-", k=rng.randint(4, 14)))}" data-id="{rng.getrandbits(40):x}">'
                 for _ in range(4000)]
        self.boilerplate = b""
        if page_kb:
            from monitor.store.base import compress

            chunk = "".join(rng.choice(vocab) for _ in range(20000)).encode()
            per_byte = len(compress(chunk)) / len(chunk)
            size = int(page_kb * 1024 / per_byte)
            self.boilerplate = (chunk * (size // len(chunk) + 1))[:size] if size <= len(chunk) else \
                "".join(rng.choice(vocab) for _ in range(int(20000 * size / len(chunk)) + 1)).encode()[:size]

    def body(self, title: str, sapo: str) -> str:
        words = f"{title} {sapo}".split() or ["tin"]
        rng = random.Random(title)
        out, n = [], 0
        while n < self.body_words:
            sentence = rng.sample(words, min(len(words), rng.randint(8, 20)))
            out.append(" ".join(sentence).capitalize() + ".")
            n += len(sentence)
        return " ".join(out)

    def html(self, title: str, body: str) -> bytes:
        return (b"<!DOCTYPE html><html><head><title>" + title.encode() + b"</title></head><body>" + self.boilerplate
                + b"<article class=\"fck_detail\"><p>" + body.encode() + b"</p></article></body></html>")


# --------------------------------------------------------------------------- the classifier as retrained


class Retrained:
    """The shipped classifier under another version name (a retraining), reading title and sapo only: the
    corpus has no bodies, and the bench's made-up bodies must not change the model's calls."""

    def __init__(self, real, version: str) -> None:
        self.real, self.version = real, version
        self.rules_note = None

    def classify_many(self, articles, **kw):
        out = self.real.classify_many([dataclasses.replace(a, body="") for a in articles], **kw)
        return [dataclasses.replace(c, model_version=self.version) for c in out]

    def classify(self, article):
        return self.classify_many([article])[0]

    def explain(self, article):
        return dataclasses.replace(self.real.explain(dataclasses.replace(article, body="")), model_version=self.version)


# --------------------------------------------------------------------------- configuration


def write_config(folder: Path) -> Path:
    import yaml

    data = yaml.safe_load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    data["sources"] = [{"name": feed, "outlet": outlet, "url": FEED_URLS.get(feed) or f"https://{domain}/rss/giao-duc.rss",
                        "interval_minutes": 10}
                       for domain, (outlet, tin_moi, edu) in OUTLETS.items() for feed in (tin_moi, edu)]
    data["storage"] = {"data_dir": "var", "database": "monitor.sqlite3", "models_dir": str(ROOT / "models"),
                       "raw_html_retention_days": 365}
    data["alerts"]["channels"] = []
    path = folder / "feeds.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- one simulated poll


@dataclasses.dataclass
class PollReport:
    """What monitor.pipeline.classify_and_triage reads of a crawl report."""

    new_article_ids: tuple[int, ...] = ()
    updated_article_ids: tuple[int, ...] = ()


def store_poll(app, items: list[dict], edu_listed: dict[str, list[dict]], pages: Pages, now: datetime) -> PollReport:
    """What a crawl writes for a poll: each feed's new entries, their pages (text and archived HTML), the fetch
    log and the feed's state. `edu_listed`: education feed -> items it lists now (already stored)."""
    from monitor.models import ExtractedPage, FeedEntry

    store = app.store
    by_feed: dict[str, list[dict]] = defaultdict(list)
    for r in items:
        by_feed[OUTLETS[r["domain"]][1]].append(r)
    for feed, rows in edu_listed.items():
        by_feed[feed] += rows
    new_ids, updated = [], []
    for src in app.config.sources:
        rows = by_feed.get(src.name, [])
        entries = [FeedEntry(source=src.name, url=r["url"], guid=r["url"], title=r["title"], sapo=r["sapo"],
                             published=r["published"]) for r in rows]
        added = store.add_feed_entries(entries, src.outlet, now) if entries else []
        store.log_fetch(source=src.name, kind="feed", url=src.url, started_at=now, status=200 if entries else 304,
                        size=40_000 if entries else 0, duration_ms=180, outcome="ok" if entries else "not-modified",
                        new_items=sum(n for _, n in added))
        store.record_feed_success(src.name, now, status=200 if entries else 304, etag=None, last_modified=None,
                                  body_hash=None, new_items=sum(n for _, n in added), items=50, warning=None,
                                  not_modified=not entries)
        for (article_id, is_new), r in zip(added, rows):
            if not is_new:
                continue
            new_ids.append(article_id)
            body = pages.body(r["title"], r["sapo"])
            store.save_page(article_id, ExtractedPage(title=r["title"], sapo=r["sapo"], body=body, published=r["published"],
                                                      method="selectors"),
                            pages.html(r["title"], body), "utf-8", now - timedelta(seconds=1))
            store.log_fetch(source=None, kind="page", url=r["url"], started_at=now, status=200, size=150_000,
                            duration_ms=350, outcome="ok")
            updated.append(article_id)
    return PollReport(tuple(new_ids), tuple(updated))


# --------------------------------------------------------------------------- the analyst's day


def analyst_day(app, now: datetime, rng: random.Random) -> None:
    """Five labels on the day's most doubtful articles, and the cases handled as an office does."""
    from monitor import cases as cases_mod
    from monitor.review import doubtful, questions

    store = app.store
    ids = [r[0] for r in store.execute("SELECT id FROM articles WHERE first_seen_at >= ?",
                                       ((now - timedelta(days=1)).astimezone(timezone.utc).isoformat(timespec="seconds"),))]
    classes = store.classifications_for(ids)
    unsure = sorted((c for c in classes.values() if doubtful(c)), key=lambda c: -max(q.doubt for q in questions(c)))[:5]
    for c in unsure:
        flip = rng.random() < 0.3
        edu = c.is_education != flip
        store.add_label(int(c.id), by=ANALYST, at=now, is_education=edu, topics=list(c.topics) if edu else [],
                        hot=(c.hot != (flip and c.is_education)) if edu else False, sentiment=c.sentiment)
    for case in store.cases(status=cases_mod.OPEN_STATUS, limit=1000):
        if now - case.opened_at < timedelta(hours=20):
            continue
        roll = case.id % 20
        if roll < 2:
            cases_mod.dismiss_case(app, case.id, by=ANALYST, note="Tin cũ đăng lại")
        elif roll < 11:
            cases_mod.close_not_ours(app, case.id, by=ANALYST)
        else:
            cases_mod.update_case(app, case.id, by=ANALYST, status="đã tiếp nhận", owner=ANALYST, note="Đã báo lãnh đạo")
    for case in store.cases(status="đã tiếp nhận", limit=1000):
        if now - case.updated_at >= timedelta(days=3):
            cases_mod.update_case(app, case.id, by=ANALYST, status="đã xử lý", note="Nhà trường đã báo cáo, đã xử lý")


# --------------------------------------------------------------------------- build


def build(out: Path, tick_minutes: int, days: int | None, body_words: int, page_kb: int) -> None:
    from monitor.app import App
    from monitor.pipeline import classify_and_triage, classify_articles
    from monitor.service import Service, summarize_pipeline

    out.mkdir(parents=True, exist_ok=True)
    if (out / "var" / "monitor.sqlite3").exists():
        sys.exit(f"{out} already holds a store; remove it or choose another --out")
    t_load = time.perf_counter()
    start_wall = datetime.now(timezone.utc).replace(microsecond=0)
    items = shift_to_now(load_corpus(CORPUS), start_wall)
    reserved, items = items[-RESERVED:], items[:-RESERVED]
    if days:
        first = items[-1]["published"] - timedelta(days=days)
        items = [r for r in items if r["published"] >= first]
    print(f"{len(items)} items from {items[0]['published']:%Y-%m-%d} to {items[-1]['published']:%Y-%m-%d %H:%M} "
          f"(corpus read and shifted in {time.perf_counter() - t_load:.0f} s); {len(reserved)} kept for the per-poll step",
          flush=True)
    cfg_path = write_config(out)
    (out / "bench-state.json").write_text(json.dumps({"reserved": [r["id"] for r in reserved], "built_at": start_wall.isoformat(),
                                                      "tick_minutes": tick_minutes, "body_words": body_words,
                                                      "page_kb": page_kb}), encoding="utf-8")
    clock = {"now": items[0]["published"].astimezone(timezone.utc)}
    app = App.from_path(cfg_path, clock=lambda: clock["now"])
    real = app.classifier
    version_of = real.version.split("+rules.")
    names = [f"{hashlib.sha1(f'bench-{n}'.encode()).hexdigest()[:10]}+rules.{version_of[-1]}" for n in (1, 2)] + [real.version]
    app.classifier = Retrained(real, names[0])
    service = Service(app)
    service.refresh_classifier = lambda: None  # the bench swaps the classifier itself (the retrainings)
    pages = Pages(body_words, page_kb)
    rng = random.Random(11)
    tick = timedelta(minutes=tick_minutes)
    t = (items[0]["published"] + lag(items[0]["id"])).astimezone(timezone.utc)
    end = (items[-1]["published"] + lag(items[-1]["id"])).astimezone(timezone.utc)
    total_days = (end - t).total_seconds() / 86400
    retrain = [t + timedelta(days=total_days * 4 / 12), t + timedelta(days=total_days * 9 / 12)]
    i, polls, edu_pending = 0, [], defaultdict(list)
    last_analyst_day = None
    t0 = time.perf_counter()
    progress_at = t0
    tz = app.config.office.tz
    while t < end + tick:
        t += tick
        clock["now"] = t
        batch = []
        while i < len(items) and items[i]["published"] + lag(items[i]["id"]) <= t:
            batch.append(items[i])
            i += 1
        listed, edu_pending = edu_pending, defaultdict(list)
        step = {}

        def crawl_job() -> str:
            s0 = time.perf_counter()
            report = store_poll(app, batch, listed, pages, t)
            s1 = time.perf_counter()
            classified, triaged = classify_and_triage(app, report)
            step.update(store=s1 - s0, pipeline=time.perf_counter() - s1, new=len(report.new_article_ids))
            for aid in classified.article_ids:
                c = app.store.classification(aid)
                if c is not None and c.is_education:
                    a = app.store.get_article(aid)
                    dom = next(d for d in OUTLETS if a.url.split("/")[2].endswith(d))
                    edu_pending[OUTLETS[dom][2]].append({"url": a.url, "title": a.title, "sapo": a.sapo,
                                                         "published": a.published})
            from monitor.pipeline import PipelineReport

            return summarize_pipeline(PipelineReport(None, classified, triaged))

        service.run_job("crawl:10m", crawl_job)
        polls.append({"at": t.isoformat(), "articles": i, **step})
        w0 = time.perf_counter()
        service.due_work()
        polls[-1]["due_work"] = time.perf_counter() - w0
        local = t.astimezone(tz)
        if local.hour >= 9 and local.date() != last_analyst_day:
            last_analyst_day = local.date()
            analyst_day(app, t, rng)
        if retrain and t >= retrain[0]:
            retrain.pop(0)
            version = names[2 - len(retrain)]
            clf = app.classifier = Retrained(real, version)
            since = None if len(retrain) == 1 else t - timedelta(days=92)
            ids = app.store.article_ids_between(since, None)
            r0 = time.perf_counter()
            classify_articles(app, ids, classifier=clf)
            print(f"  retrained: {version}, {len(ids)} articles reclassified in {time.perf_counter() - r0:.0f} s", flush=True)
        if time.perf_counter() - progress_at > 60:
            progress_at = time.perf_counter()
            recent = polls[-50:]
            print(f"  {local:%Y-%m-%d %H:%M}: {i} articles, {time.perf_counter() - t0:.0f} s; last 50 polls: pipeline "
                  f"{sum(p.get('pipeline', 0) for p in recent) / len(recent):.2f} s, due work "
                  f"{sum(p['due_work'] for p in recent) / len(recent):.2f} s a poll", flush=True)
    (out / "polls.json").write_text(json.dumps(polls), encoding="utf-8")
    app.close()
    print(f"built {out} in {time.perf_counter() - t0:.0f} s: {i} articles", flush=True)


# --------------------------------------------------------------------------- per-poll step (a subprocess)


def poll_step(store_dir: Path, n: int) -> None:
    """Two polls of `n` new items each, in this (fresh) process: the first with the classifier and caches cold,
    the second warm, as in the long-running service. Prints JSON."""
    from monitor.app import App
    from monitor.pipeline import classify_and_triage

    state = json.loads((store_dir / "bench-state.json").read_text(encoding="utf-8"))
    wanted = set(state["reserved"])
    items = [r for r in load_corpus(CORPUS) if r["id"] in wanted]
    # the year's newest items, brought to now (their spacing kept)
    delta = datetime.now(timezone.utc) - max(r["published"] for r in items) - timedelta(minutes=1)
    items = [r | {"published": r["published"] + delta} for r in items][:2 * n]
    app = App.from_path(store_dir / "feeds.yaml")
    t0 = time.perf_counter()
    app.classifier  # the service loads it once; here it reads the pages' bodies, as the service would
    load = time.perf_counter() - t0
    pages = Pages(state["body_words"], state["page_kb"])
    out = {"classifier_load": round(load, 2), "polls": []}
    for k in range(2):
        batch = items[k * n:(k + 1) * n]
        now = datetime.now(timezone.utc)
        app.clock = lambda now=now: now
        s0 = time.perf_counter()
        report = store_poll(app, batch, {}, pages, now)
        s1 = time.perf_counter()
        classified, triaged = classify_and_triage(app, report)
        s2 = time.perf_counter()
        out["polls"].append({"new": len(report.new_article_ids), "store": round(s1 - s0, 2),
                             "classify_triage": round(s2 - s1, 2), "classified": classified.classified,
                             "triage": str(triaged)})
    print(json.dumps(out, ensure_ascii=False))


# --------------------------------------------------------------------------- measure


def timed(cmd: list[str], env: dict, cwd: Path) -> dict:
    """Run a command under /usr/bin/time -v: wall seconds, peak RSS (MB), exit code, the output's tail."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", *cmd], env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    err = "\n".join(line for line in p.stderr.splitlines() if not line.startswith("\t") and "Command being timed" not in line)
    return {"seconds": round(wall, 2), "peak_mb": round(int(rss.group(1)) / 1024) if rss else None, "exit": p.returncode,
            "stdout": p.stdout[-3000:], "stderr": err[-1500:]}


def table_sizes(db: Path) -> dict[str, float]:
    """MB per table and index (dbstat), largest first."""
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    except sqlite3.OperationalError:
        return {}
    finally:
        con.close()
    return {n: round(s / 1_048_576, 1) for n, s in rows}


def counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    out = {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
           for t in ("articles", "article_feeds", "classifications", "model_versions", "labels", "stories", "story_articles",
                     "cases", "case_events", "alerts", "digests", "digest_articles", "job_runs", "fetches")}
    out["raw_html_kept"] = con.execute("SELECT COUNT(*) FROM articles WHERE raw_html IS NOT NULL").fetchone()[0]
    con.close()
    return out


def pick_ids(db: Path) -> dict:
    """Arguments for the commands: an education article of the last day, the case with the most articles, the
    last whole month, the day of the latest clipping."""
    con = sqlite3.connect(db)
    version = con.execute("SELECT version FROM model_versions WHERE active = 1").fetchone()[0]
    article = con.execute("SELECT a.id FROM articles a JOIN classifications c ON c.article_id = a.id AND c.model_version = ?"
                          " WHERE c.is_education = 1 ORDER BY a.id DESC LIMIT 1", (version,)).fetchone()[0]
    case = con.execute("SELECT c.id FROM cases c JOIN story_articles s ON s.story_id = c.story_id GROUP BY c.id"
                       " ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
    day = con.execute("SELECT MAX(day) FROM digests").fetchone()[0]
    con.close()
    return {"article": article, "case": case, "day": day}


QUERIES = ["bao luc hoc duong", "học phí", '"hoc phi" OR "khoan thu"', "tuyen sinh lop 10", "Long Biên", "giáo viên",
           "hoc sinh"]


def measure(store_dir: Path, json_out: Path | None, skip_reclassify: bool, keep: bool, code: Path | None = None) -> dict:
    src = store_dir / "var" / "monitor.sqlite3"
    if not src.exists():
        sys.exit(f"no store at {src}; build one first (python bench/year_store.py build --out {store_dir})")
    work = store_dir / "work"
    if work.exists():
        shutil.rmtree(work)
    (work / "var").mkdir(parents=True)
    t0 = time.perf_counter()
    # a copy: label, triage and reclassify write; the built store stays as it was for the next run
    con = sqlite3.connect(src)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    shutil.copyfile(src, work / "var" / "monitor.sqlite3")
    shutil.copyfile(store_dir / "feeds.yaml", work / "feeds.yaml")
    shutil.copyfile(store_dir / "bench-state.json", work / "bench-state.json")
    print(f"copied the store ({src.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - t0:.0f} s", flush=True)
    db = work / "var" / "monitor.sqlite3"
    code = (code or CODE).resolve()
    env = os.environ | {"PYTHONPATH": str(code), "YEAR_STORE_CODE": str(code)}
    print(f"code: {code}", flush=True)
    ids = pick_ids(db)
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    out_dir = work / "out"
    base = [sys.executable, "-m", "monitor", "--config", str(work / "feeds.yaml")]
    commands: list[tuple[str, list[str]]] = [
        ("status", ["status"]),
        (f"digest --date {ids['day']} (all formats, written)", ["digest", "--date", ids["day"], "--out", str(out_dir / "digest")]),
        (f"report --month {month} (docx, html)", ["report", "--month", month, "--out", str(out_dir / "report")]),
        *[(f"search {q}", ["search", q]) for q in QUERIES],
        ("search hoc sinh --since (30 days) --hot", ["search", "hoc sinh", "--hot", "--since",
                                                     (today - timedelta(days=30)).isoformat()]),
        ("articles (today)", ["articles"]),
        ("alerts", ["alerts"]),
        ("cases list", ["cases", "list"]),
        (f"cases show {ids['case']}", ["cases", "show", str(ids["case"])]),
        ("review", ["review"]),
        (f"explain {ids['article']}", ["explain", str(ids["article"])]),
        (f"label {ids['article']}", ["label", str(ids["article"]), "--education", "--hot", "no", "--by", "bench"]),
        ("triage", ["triage"]),
        ("reclassify --versions", ["reclassify", "--versions"]),
        ("reclassify --dry-run --since (30 days)", ["reclassify", "--dry-run", "--since", (today - timedelta(days=30)).isoformat()]),
    ]
    if not skip_reclassify:
        commands += [("reclassify --dry-run (all)", ["reclassify", "--dry-run"]),
                     ("reclassify (all)", ["reclassify"])]
    results = {}
    for name, args in commands:
        r = timed(base + args, env, work)
        results[name] = r
        print(f"{name:<55} {r['seconds']:>8.2f} s {r['peak_mb'] or 0:>6} MB  exit {r['exit']}", flush=True)
        if r["exit"] not in (0, 1):
            print("   " + r["stderr"][-600:].replace("\n", "\n   "), flush=True)
    r = timed([sys.executable, str(Path(__file__).resolve()), "poll", "--store", str(work), "--items", "20"], env, work)
    try:
        poll = json.loads(r["stdout"].strip().splitlines()[-1])
    except (ValueError, IndexError):
        poll = {"error": r["stderr"][-800:]}
    results["per-poll step (20 new items)"] = r | {"detail": poll}
    print(f"{'per-poll step (20 new items), whole process':<55} {r['seconds']:>8.2f} s {r['peak_mb'] or 0:>6} MB; {poll}", flush=True)
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    summary = {"store": str(src), "db_bytes": src.stat().st_size, "counts": counts(db), "tables_mb": table_sizes(db),
               "commands": {k: {x: v[x] for x in ("seconds", "peak_mb", "exit")} | ({"detail": v["detail"]} if "detail" in v else {})
                            for k, v in results.items()}}
    print(json.dumps({"db_gb": round(summary["db_bytes"] / 1e9, 2), "counts": summary["counts"],
                      "largest": dict(list(summary["tables_mb"].items())[:12])}, ensure_ascii=False, indent=1))
    if json_out:
        json_out.write_text(json.dumps(summary | {"output": {k: v["stdout"][-1500:] for k, v in results.items()}},
                                       ensure_ascii=False, indent=1), encoding="utf-8")
    if not keep:
        shutil.rmtree(work)
    return summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build a year-sized store")
    m = sub.add_parser("measure", help="time the commands on a built store")
    a = sub.add_parser("all", help="build, then measure")
    p = sub.add_parser("poll", help="(internal) the per-poll step in a fresh process")
    for x in (b, a):
        x.add_argument("--out", type=Path, required=True, help="folder for the store (needs ~6 GB)")
        x.add_argument("--tick", type=int, default=30, help="minutes between simulated polls (default 30)")
        x.add_argument("--days", type=int, help="only the last N days of the year (a quicker, smaller store)")
        x.add_argument("--body-words", type=int, default=700, help="words in each page's body (default 700)")
        x.add_argument("--page-kb", type=int, default=30, help="archived HTML per page, KB deflated (default 30; 0: none)")
    for x in (m, a):
        x.add_argument("--json", type=Path, help="write the measurements here")
        x.add_argument("--skip-reclassify", action="store_true", help="leave out the two whole-history reclassify runs")
        x.add_argument("--keep", action="store_true", help="keep the working copy (<store>/work) after measuring")
        x.add_argument("--code", type=Path, help="time this checkout of the monitor instead of this one (e.g. the code "
                                                  "before a change; a store it cannot read is refused by its migrations)")
    m.add_argument("--store", type=Path, required=True)
    p.add_argument("--store", type=Path, required=True)
    p.add_argument("--items", type=int, default=20)
    args = ap.parse_args()
    if args.cmd in ("build", "all"):
        build(args.out, args.tick, args.days, args.body_words, args.page_kb)
    if args.cmd in ("measure", "all"):
        measure(args.store if args.cmd == "measure" else args.out, args.json, args.skip_reclassify, args.keep, args.code)
    if args.cmd == "poll":
        poll_step(args.store, args.items)


if __name__ == "__main__":
    main()
