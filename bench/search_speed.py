"""Full-text search speed over a store of N invented articles (monitor search's FTS5 over folded text).

    .venv/bin/python bench/search_speed.py [N]        # default 50 000 articles

Prints the time to index and the median / worst time of typical analyst queries. Target: a query
answers in well under 100 ms on a year of one office's news (~50 000 articles). Then, the articles classified (a
tenth judged hot) and grouped in stories of four (one in twenty at an alert level with a case, one of those a
false alarm), times `monitor search` itself in this process, each query with and without --hot (which reads the
stories of a page of candidates to tell a hot issue, as `monitor articles --hot` does).

    .venv/bin/python bench/search_speed.py --store FEEDS_YAML [--runs 5] [--code DIR]

times `monitor search` itself (a process per run, as a person runs it) on an existing store, e.g. a copy of the
year store of bench/year_store.py: each query typed with diacritics beside the same query typed without, the
median of --runs, and the ratio (the words typed with marks are checked on the candidates' text, which the folded
query does not do). --code times another checkout (the code before a change) on the same store; the two
versions' results can be compared with --json-dir.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifiers.types import Classification  # noqa: E402
from monitor.models import FeedEntry  # noqa: E402
from monitor.search import fold_text, fts_query  # noqa: E402
from monitor.store import Store  # noqa: E402

WORDS = ("học sinh giáo viên phụ huynh nhà trường tuyển sinh lớp 10 học phí khoản thu bạo lực học đường "
         "an toàn trường học chương trình sách giáo khoa thi tốt nghiệp điểm chuẩn Hòa Bình Long Biên Đà Nẵng "
         "kinh tế giá vàng bóng đá thời tiết giao thông chứng khoán xăng dầu hội chợ nông sản").split()
QUERIES = ["bao luc hoc duong", "bạo lực học đường", '"hoc phi"', "hoà bình", "tuyen sinh lop 10",
           '"khoản thu" OR "học phí"', "giao vien -bong", "chuong*", "không có từ này"]


def main(n: int) -> None:
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "var").mkdir()
        store = Store(Path(tmp) / "var" / "monitor.sqlite3")  # where the checkout's feeds.yaml has it (cli_main)
        t0 = time.perf_counter()
        now = datetime(2026, 11, 26, tzinfo=timezone.utc)
        docs = []
        for i in range(n):
            title = " ".join(rng.choice(WORDS) for _ in range(12))
            body = " ".join(rng.choice(WORDS) for _ in range(300))
            entry = FeedEntry(source="bench", url=f"https://example.vn/{i}.html", guid=str(i), title=title,
                              published=now - timedelta(minutes=i))
            article_id, _ = store.add_feed_entry(entry, "Bench", now)
            docs.append((article_id, fold_text(title), "", fold_text(body)))
            if len(docs) == 1000:
                store.index_articles(docs)
                docs = []
        store.index_articles(docs)
        store.maintain()
        print(f"{n} articles stored and indexed in {time.perf_counter() - t0:.1f} s")
        for q in QUERIES:
            expr = fts_query(q)
            times = []
            for _ in range(7):
                t = time.perf_counter()
                hits = store.search_ids(expr, limit=20)
                times.append((time.perf_counter() - t) * 1000)
            print(f"  {q!r:32} {len(hits):>3} hits  median {statistics.median(times):7.1f} ms  worst {max(times):7.1f} ms")
        cli_main(store, Path(tmp), now, rng)


# (query, extra options): each timed as is and with --hot
CLI_QUERIES = [("học sinh", ()), ("hoc sinh", ()), ("bạo lực học đường", ()), ("Long Biên", ()),
               ("học phí", ("--topic", "hoc-phi-thu-chi")), ("Hà Noi", ())]


def cli_main(store: Store, tmp: Path, now: datetime, rng: random.Random) -> None:
    from click.testing import CliRunner

    from monitor.cases import DISMISSED
    from monitor.cli import cli

    t0 = time.perf_counter()
    ids = [r[0] for r in store.execute("SELECT id FROM articles ORDER BY id")]
    store.register_model_version("bench-1", now)
    store.save_classifications([(i, Classification(
        id=str(i), is_education=rng.random() < 0.6, relevance=0.8, topics=("hoc-phi-thu-chi",) if rng.random() < 0.3 else (),
        topic_scores={}, sentiment="negative", hot=rng.random() < 0.1, hot_score=0.5, scope="national", reasons=(),
        model_version="bench-1")) for i in ids], now)
    hot_stories = dismissed = 0
    for k in range(0, len(ids) - 3, 4):
        sid = store.create_story(ids[k], now)
        for j in ids[k + 1:k + 4]:
            store.add_story_member(sid, j, now, similarity=0.9, matched_id=ids[k], reprint=False)
        hot = k % 80 == 0
        store.save_story_score(sid, now, main_topic="", n_outlets=1, hot_score=80.0 if hot else 10.0,
                               severity="cao" if hot else None, reasons=["bench"] if hot else [], explanation={})
        if hot:
            case_id, _ = store.open_case(sid, now)
            hot_stories += 1
            if k % 400 == 0:
                store.dismiss_case(case_id, now, by="bench", status=DISMISSED, note="bench", education={},
                                   label_note="bench")
                dismissed += 1
    store.close()
    # this checkout's office, its store the one just built
    config = tmp / "feeds.yaml"
    config.write_text((Path(__file__).resolve().parents[1] / "feeds.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    print(f"classified, {hot_stories} stories at a level with a case ({dismissed} false alarms) among "
          f"{len(ids) // 4} in {time.perf_counter() - t0:.1f} s; `monitor search` in this process, median of 5:")
    runner = CliRunner()
    for q, extra in CLI_QUERIES:
        times: dict[bool, list[float]] = {False: [], True: []}
        found: dict[bool, int] = {}
        for _ in range(5):
            for hot in (False, True):  # alternated, so a busy moment weighs on both
                t = time.perf_counter()
                r = runner.invoke(cli, ["--config", str(config), "search", q, *extra, *(("--hot",) if hot else ()),
                                        "--json"])
                times[hot].append(time.perf_counter() - t)
                if r.exit_code != 0:
                    sys.exit(f"{q!r} failed: {r.output[-500:]}")
                found[hot] = r.output.count('"id":')
        plain, hot = statistics.median(times[False]), statistics.median(times[True])
        label = " ".join((repr(q), *extra))
        print(f"  {label:42} {plain * 1000:7.0f} ms ({found[False]:>2})   --hot {hot * 1000:7.0f} ms ({found[True]:>2})"
              f"   x{hot / plain:.2f}", flush=True)


# (typed with diacritics, the same typed without, extra options): common words, phrases, a word whose folded form
# is mostly other words ("lạm thu": "làm thêm … thứ"), a mark left off ("Hà Noi": nothing as typed), filters
# (the filters keep a few of each page: the words as typed are looked for past the first page)
STORE_QUERIES = [("người", "nguoi", ()), ("người", "nguoi", ("--hot",)), ("học sinh", "hoc sinh", ()),
                 ("giáo viên", "giao vien", ()), ("Hà Nội", "ha noi", ()), ("học phí", "hoc phi", ()),
                 ("bạo lực học đường", "bao luc hoc duong", ()), ("Long Biên", "long bien", ()),
                 ('"khoản thu" OR "học phí"', '"khoan thu" OR "hoc phi"', ()), ("lạm thu", "lam thu", ()),
                 ("Hà Noi", "ha noi", ()), ("người", "nguoi", ("--limit", "500")),
                 # "ngươi" folds to "nguoi", mostly "người": a few matches among a year's 35,000 candidates
                 ("ngươi", "nguoi", ()), ("ngươi", "nguoi", ("--hot",)), ("ngươi", "nguoi", ("--topic", "hoc-phi-thu-chi")),
                 ("Hà Noi", "ha noi", ("--hot",)),
                 # the words of "lạm thu" the other way round: typed with marks they are found apart; without, plain
                 # words must stand together ("thu lam" is then mostly a name, "Thu Lâm")
                 ("thu lạm", "thu lam", ())]


def timed_search(feeds: Path, code: Path, query: str, extra: tuple[str, ...], json_out: Path | None) -> float:
    env = os.environ | {"PYTHONPATH": str(code)}
    args = [sys.executable, "-m", "monitor", "--config", str(feeds), "search", query, *extra, "--json"]
    t = time.perf_counter()
    # run beside the store, not here: `python -m` puts the working folder before PYTHONPATH, and this checkout's
    # monitor would answer for --code's
    done = subprocess.run(args, env=env, capture_output=True, text=True, cwd=feeds.parent)
    seconds = time.perf_counter() - t
    if done.returncode != 0:
        sys.exit(f"{query!r} failed: {done.stderr[-500:]}")
    if json_out is not None:
        json_out.write_text(done.stdout, encoding="utf-8")
    return seconds


def store_main(feeds: Path, runs: int, code: Path, json_dir: Path | None) -> None:
    print(f"code: {code}; store: {feeds}; median of {runs} runs (a process each)")
    for k, (marked, folded, extra) in enumerate(STORE_QUERIES):
        times: dict[str, list[float]] = {marked: [], folded: []}
        for r in range(runs):
            for q in (marked, folded):  # alternated, so a busy moment weighs on both
                out = json_dir / f"{k}-{'marked' if q == marked else 'folded'}.json" if json_dir and r == 0 else None
                times[q].append(timed_search(feeds, code, q, extra, out))
        m, f = statistics.median(times[marked]), statistics.median(times[folded])
        label = " ".join((repr(marked), *extra))
        print(f"  {label:38} {m:6.2f} s   {repr(folded):30} {f:6.2f} s   x{m / f:.2f}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=50_000, help="invented articles (without --store)")
    parser.add_argument("--store", type=Path, help="feeds.yaml of an existing store: time `monitor search` on it")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--json-dir", type=Path, help="keep each query's first JSON answer there (to compare)")
    a = parser.parse_args()
    if a.store:
        if a.json_dir:
            a.json_dir.mkdir(parents=True, exist_ok=True)
        store_main(a.store.resolve(), a.runs, a.code.resolve(), a.json_dir)
    else:
        main(a.n)
