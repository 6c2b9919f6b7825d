"""`monitor rules test` on a store of some thousands of articles: wall time, and the same output as another checkout.

The store is built from the invented sample articles of the offline demo (monitor/demo_data/articles.yaml,
our own text), repeated to --n articles over the month before --until (each copy its own URL and a numbered
title; the body is the article's paragraphs, repeated to about --body-words words as a news page is), through
the store's own API. The candidate rules are the shipped topics.yaml with one exclusion added, so the run has
differences to list. Each checkout named runs `monitor rules test` as a subprocess on the same store, and the
bench says whether their standard outputs are the same.

    .venv/bin/python bench/rules_test.py [--n 5000] [--body-words 600] [--code /path/to/old/checkout ...]
    .venv/bin/python bench/rules_test.py --store /tmp/rt --keep      # keep the store to time again

A year's store holds about 10,000 articles a month; the command was measured there at 42 s before it prepared
each article's text once for both rule sets and classified the batches on every core.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build(store_dir: Path, n: int, body_words: int, until: date) -> Path:
    from monitor.app import App
    from monitor.models import ExtractedPage, FeedEntry

    text = (ROOT / "feeds.yaml").read_text(encoding="utf-8")
    text = text.replace("data_dir: var", f"data_dir: {store_dir / 'var'}")
    text = text.replace("models_dir: models", f"models_dir: {ROOT / 'models'}")
    config = store_dir / "feeds.yaml"
    config.write_text(text, encoding="utf-8")
    items = yaml.safe_load((ROOT / "monitor" / "demo_data" / "articles.yaml").read_text(encoding="utf-8"))
    app = App.from_path(config)
    end = datetime.combine(until, dtime(12), tzinfo=timezone.utc)
    step = timedelta(days=28) / n
    try:
        for k in range(n):
            it = items[k % len(items)]
            copy = k // len(items)
            words = " ".join(it.get("paragraphs", [])).split()
            body = " ".join((words * (body_words // max(1, len(words)) + 1))[:body_words]) if words else ""
            title = f"{it['title']} ({copy + 1})"
            when = end - step * k
            url = f"https://bao-vi-du.vn/giao-duc/{it['slug']}-{copy}.html"
            entry = FeedEntry(source="bench", url=url, guid=url, title=title, sapo=it["sapo"], published=when)
            aid, _ = app.store.add_feed_entry(entry, it["outlet"], when + timedelta(minutes=5))
            app.store.save_page(aid, ExtractedPage(title=title, sapo=it["sapo"], body=body, published=when,
                                                   method="selectors"), b"", "utf-8", when + timedelta(minutes=6))
    finally:
        app.close()
    return config


def candidate_rules(out: Path) -> Path:
    from classifiers.rules import DEFAULT_RULES_PATH

    rules = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    marker = "    exclusions: [tuyển dụng]"
    if marker not in rules:
        sys.exit(f"the shipped topics.yaml no longer has {marker.strip()!r}: choose another edit for the bench")
    out.write_text(rules.replace(marker, "    exclusions: [tuyển dụng, điểm chuẩn]"), encoding="utf-8")
    return out


def run(code: Path, config: Path, rules: Path, since: date, until: date, extra: list[str]) -> tuple[float, str, str]:
    env = dict(os.environ, PYTHONPATH=str(code))
    cmd = [sys.executable, "-m", "monitor", "--config", str(config), "rules", "test", "--rules", str(rules),
           "--since", since.isoformat(), "--until", until.isoformat(), *extra]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, env=env, cwd=code, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if res.returncode != 0:
        sys.exit(f"{code}: rules test failed ({res.returncode}):\n{res.stderr}")
    return seconds, res.stdout, res.stderr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000, help="articles in the store")
    ap.add_argument("--body-words", type=int, default=600, help="words of each article's body")
    ap.add_argument("--store", type=Path, help="folder for the store (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the store (with --store: reuse it when built)")
    ap.add_argument("--code", type=Path, action="append", default=[],
                    help="another checkout to time on the same store (the code before a change); repeatable")
    ap.add_argument("--jobs", type=int, help="pass --jobs to the checkouts that have it (this one does)")
    args = ap.parse_args()
    until = date(2026, 11, 30)
    since = until - timedelta(days=29)
    with tempfile.TemporaryDirectory(prefix="rules-test-bench-") as tmp:
        store_dir = args.store or Path(tmp)
        store_dir.mkdir(parents=True, exist_ok=True)
        config = store_dir / "feeds.yaml"
        if not (args.keep and config.exists()):
            t0 = time.perf_counter()
            config = build(store_dir, args.n, args.body_words, until)
            print(f"built a store of {args.n} articles in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        rules = candidate_rules(store_dir / "candidate-topics.yaml")
        outputs = {}
        for code in [ROOT, *args.code]:
            extra = ["--jobs", str(args.jobs)] if args.jobs and code == ROOT else []
            seconds, out, err = run(code.resolve(), config, rules, since, until, extra)
            outputs[code] = out
            progress = sum(1 for line in err.splitlines() if line.startswith(("classified ", "đã phân loại ")))
            print(f"{code}: {seconds:.1f} s, {out.splitlines()[0] if out else '(no output)'}; "
                  f"{progress} progress line(s) on stderr")
        if args.code:
            same = all(o == outputs[ROOT] for o in outputs.values())
            print("outputs identical" if same else "OUTPUTS DIFFER")


if __name__ == "__main__":
    main()
