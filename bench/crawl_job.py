"""Peak memory of a whole `monitor crawl` job: crawl, fetch the pages, classify, group and triage.

`bench/crawl.py` measures the crawler alone; this runs the real command (`monitor --config ... crawl
--all`, a subprocess, a fresh database each run) against news served on 127.0.0.1 and reports the job's
peak memory: its max RSS (from wait4, the kernel's own high-water mark of that process) and the PSS of it
and any children, sampled every 20 ms. Target: < 300 MB (README, "crawler peak memory").

The news: by default FEEDS x ITEMS articles (13 x 50, the shipped feeds.yaml's feeds on a first poll)
with full pages, their texts the RSS items with crawled bodies of ../shared/corpus/crawl_news_2026 (real
news, read at run time and served from memory, never written into the project); without ../shared, the
demo's invented articles, repeated. `--no-pages` lists items in feeds only (as bench/crawl.py does);
`--stages` runs the same steps in this process instead and prints the memory after each one.

    python bench/crawl_job.py [--feeds 13] [--items 50] [--runs 3] [--text corpus|demo] [--no-pages] [--stages]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classify import tree_pss_mb  # noqa: E402  (bench/classify.py: PSS of a process tree, read the same way)

CORPUS = ROOT.parent / "shared" / "corpus" / "crawl_news_2026" / "articles.jsonl"


def shipped_feeds() -> list[tuple[str, str]]:
    """(name, outlet) of the sources in the packaged feeds.yaml template."""
    import yaml

    data = yaml.safe_load((ROOT / "monitor" / "templates" / "feeds.example.yaml").read_text(encoding="utf-8"))
    return [(s["name"], s["outlet"]) for s in data["sources"]]


FEEDS = shipped_feeds()


def corpus_texts(path: Path) -> list[tuple[str, str, list[str]]]:
    """(title, sapo, paragraphs) of the corpus's RSS items with a crawled body, in file order: the first
    sentence is the sapo, the rest the body, three sentences a paragraph. Items whose body is only the sapo
    again are left out: the outlets' selectors would find no body and trafilatura would take those pages over
    (it reads every Báo Tin tức page anyway, which has no body selector)."""
    from monitor.extract import MIN_BODY_CHARS

    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r.get("subset") != "rss_fulltext" or not r.get("body") or not r.get("title"):
                continue
            sentences = re.split(r"(?<=[.!?])\s+", r["body"].strip())
            sapo, rest = sentences[0], sentences[1:]
            if len(" ".join(rest)) < MIN_BODY_CHARS:
                continue
            out.append((r["title"], sapo, [" ".join(rest[i:i + 3]) for i in range(0, len(rest), 3)]))
    return out


def demo_texts() -> list[tuple[str, str, list[str]]]:
    from monitor.demo import demo_articles

    return [(d["title"], d["sapo"], list(d["paragraphs"]) or [d["sapo"]]) for d in demo_articles(datetime.now(timezone.utc))]


def articles(n_feeds: int, per_feed: int, texts: list[tuple[str, str, list[str]]], pages: bool) -> list:
    from monitor.sample_site import SampleArticle

    now = datetime.now(timezone.utc)
    out = []
    for k in range(n_feeds * per_feed):
        title, sapo, paragraphs = texts[k % len(texts)]
        f = k % n_feeds
        feed, outlet = FEEDS[f % len(FEEDS)]
        feed = feed if n_feeds <= len(FEEDS) else f"{feed}-{f}"
        if k >= len(texts):  # a text served again is another article: mark it so that it is not a reprint
            title = f"{title} ({k // len(texts) + 1})"
        out.append(SampleArticle(outlet=outlet, feed=feed, slug=f"bai-{k:05d}", title=title, sapo=sapo,
                                 paragraphs=tuple(paragraphs) if pages else ("",),
                                 published=now - timedelta(minutes=5 * k + 1)))
    return out


def write_config(site, folder: Path, pages: bool) -> Path:
    from monitor.sample_site import sample_config

    sources = [dict(s, fetch_pages=pages) for s in site.source_configs()]
    path = folder / "feeds.yaml"
    sample_config(site, folder / "var", sources=sources, config_path=path)
    return path


def run_job(cfg: Path) -> dict:
    """`monitor crawl --all` in a subprocess: seconds, max RSS (wait4), peak PSS of its process tree, its summary lines."""
    monitor = Path(sys.executable).with_name("monitor")
    cmd = [str(monitor), "--config", str(cfg), "crawl", "--all"] if monitor.exists() else \
        [sys.executable, "-m", "monitor", "--config", str(cfg), "crawl", "--all"]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with tempfile.TemporaryFile("w+") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, text=True, env=env)
        peak_pss = 0.0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak_pss = max(peak_pss, tree_pss_mb(proc.pid))
            time.sleep(0.02)
        secs = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"monitor crawl failed ({proc.returncode}):\n{text[-3000:]}")
    summary = [line for line in text.splitlines() if line.startswith(("phân loại", "thu thập")) or "xếp vào tin" in line]
    return {"seconds": secs, "max_rss_mb": usage.ru_maxrss / 1024, "peak_pss_mb": peak_pss, "exit": proc.returncode,
            "summary": summary or text.strip().splitlines()[-2:]}


STAGES = r"""
import gc, sys, time
sys.path.insert(0, sys.argv[2])

def mem(label, t0=[time.perf_counter()]):
    f = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines() if ":" in l)
    print(f"{label:<34} RSS {int(f['VmRSS'].split()[0]) / 1024:6.1f} MB   peak {int(f['VmHWM'].split()[0]) / 1024:6.1f} MB"
          f"   {time.perf_counter() - t0[0]:6.2f} s", flush=True)

mem("python")
from monitor.cli import cli  # what the command imports before it runs
from monitor.app import App
from monitor.config import load_config
mem("imports (monitor.cli)")
app = App(config=load_config(sys.argv[1]))
app.store
mem("database opened")
from monitor.crawl import run_crawl
report = run_crawl(app, force=True)
mem(f"crawl ({len(report.new_article_ids)} new)")
gc.collect()
mem("gc.collect()")
app.classifier
mem("classifier loaded")
from monitor.pipeline import classify_pending
changed = set(report.new_article_ids) | set(report.updated_article_ids)
c = classify_pending(app, changed)
mem(f"classified ({c.classified}, {c.education} edu)")
from monitor.triage import run_triage
t = run_triage(app, list(c.article_ids))
mem("triage")
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=len(FEEDS))
    ap.add_argument("--items", type=int, default=50, help="articles per feed")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--text", choices=("corpus", "demo"), default=None, help="corpus when it is there, else demo")
    ap.add_argument("--corpus", type=Path, default=CORPUS, help=f"crawl_news_2026/articles.jsonl (default {CORPUS})")
    ap.add_argument("--no-pages", action="store_true", help="feeds only, no article pages (as bench/crawl.py)")
    ap.add_argument("--stages", action="store_true", help="one run in this process's child, memory after each step")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    from monitor.sample_site import build_site, serve, stop

    args.text = args.text or ("corpus" if args.corpus.is_file() else "demo")
    texts = corpus_texts(args.corpus) if args.text == "corpus" else demo_texts()
    arts = articles(args.feeds, args.items, texts, not args.no_pages)
    site = build_site(arts)
    server, base = serve(site)
    print(f"{len(arts)} articles ({args.text} texts, {len(texts)} distinct) in {len(site.feeds)} feeds at {base}, "
          f"pages {'off' if args.no_pages else 'on'}; {os.cpu_count()} CPUs", flush=True)
    runs = []
    try:
        for r in range(1 if args.stages else args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                cfg = write_config(site, Path(tmp), not args.no_pages)
                if args.stages:
                    subprocess.run([sys.executable, "-c", STAGES, str(cfg), str(ROOT)], check=True)
                    return
                res = run_job(cfg)
                runs.append(res)
                print(f"run {r + 1}: {res['seconds']:.1f} s, max RSS {res['max_rss_mb']:.1f} MB, peak PSS "
                      f"{res['peak_pss_mb']:.1f} MB, exit {res['exit']}; " + " | ".join(res["summary"]), flush=True)
    finally:
        stop(server)
    rss = [r["max_rss_mb"] for r in runs]
    pss = [r["peak_pss_mb"] for r in runs]
    print(f"monitor crawl peak memory over {len(runs)} runs: max RSS {min(rss):.0f}–{max(rss):.0f} MB "
          f"(median {statistics.median(rss):.0f}), peak PSS {min(pss):.0f}–{max(pss):.0f} MB (target < 300 MB)")
    if args.json:
        args.json.write_text(json.dumps({"articles": len(arts), "text": args.text, "pages": not args.no_pages, "runs": runs},
                                        indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
