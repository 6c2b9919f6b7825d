"""Throughput of the NLP stage on the real year of national RSS (../shared/corpus/rss_aggregator_2025_2026).

Measures, in one run on this machine:
  1. `monitor classify` on N items (default 20,000) as a subprocess, including model loading: items/s and
     peak memory (the largest process's max RSS, and the PSS of all its processes summed, sampled every
     50 ms), as it runs by default (one worker process per core) and with --jobs 1 (one process);
  2. underthesea word segmentation alone on the same texts (title + sapo) — on a fixed sample of them
     (default 2,000, the first ones), because segmenting everything takes long — items/s, and the ratio;
  3. the whole year (~150,000 items) classified in this process: seconds, items/s.

    .venv/bin/python bench/classify.py [--n 20000] [--sample 2000] [--skip-year] [--json out.json]
    .venv/bin/python bench/classify.py --segmentation-ablation
    .venv/bin/python bench/classify.py --vsfc-ablation

The ablation answers "does underthesea word segmentation pay?": 5-fold cross-validation on the hand
labels (data/labels, text joined from the corpus) of the same logistic regressions on tf-idf 1-2-grams of
(a) syllables of the normalised text, (b) underthesea words; relevance F1 and topic micro-F1 for each.
The VSFC ablation answers "does UIT-VSFC (student feedback, another register) help the tone model?": the
same 5-fold tone cross-validation on the hand-labelled education items, with the VSFC training sentences
added at weights 0, 0.05 and 0.2.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RSS = REPO.parent / "shared" / "corpus" / "rss_aggregator_2025_2026"


def load_items() -> list[dict]:
    items = []
    for path in sorted(RSS.glob("articles-*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                items.append({"id": r["id"], "title": r.get("title") or "", "sapo": r.get("sapo") or "",
                              "url": r.get("url") or "", "outlet": r.get("outlet") or "", "published": r.get("published") or ""})
    return items


def bench_cli(items: list[dict], tmp: Path, jobs: int | None = None) -> dict:
    src, dst = tmp / "in.jsonl", tmp / "out.jsonl"
    src.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    monitor = Path(sys.executable).with_name("monitor")
    cmd = [str(monitor), "--config", str(tmp / "no-config.yaml"), "classify", "--input", str(src), "--output", str(dst)]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, text=True)
        peak_tree_mb = 0.0
        while proc.poll() is None:
            peak_tree_mb = max(peak_tree_mb, tree_pss_mb(proc.pid))
            time.sleep(0.05)
        secs = time.perf_counter() - t0
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"monitor classify failed ({proc.returncode}): {err.read().strip()}")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest process so far
    n_out = sum(1 for _ in dst.open(encoding="utf-8"))
    edu = sum(1 for line in dst.open(encoding="utf-8") if '"is_education": true' in line)
    return {"items": len(items), "seconds": round(secs, 2), "items_per_second": round(len(items) / secs, 1),
            "peak_rss_mb": round(peak_mb, 1), "peak_pss_all_processes_mb": round(peak_tree_mb, 1),
            "output_lines": n_out, "education": edu}


def tree_pss_mb(pid: int) -> float:
    """Proportional set size of a process and all its descendants, summed (MB). PSS splits each shared page
    among the processes mapping it, so forked workers sharing the parent's models are not counted twice, as
    adding up their RSS would."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) / 1024
                    break
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):  # the process ended while being read
            continue
    return total


def bench_underthesea(items: list[dict]) -> dict:
    from classifiers.text import segment, warm_segmenter

    t0 = time.perf_counter()
    warm_segmenter()
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i in items:
        segment(i["title"] + ". " + i["sapo"])
    secs = time.perf_counter() - t0
    return {"sample_items": len(items), "seconds": round(secs, 2), "load_seconds": round(load, 2),
            "items_per_second": round(len(items) / secs, 1)}


def bench_year(items: list[dict]) -> dict:
    from classifiers.classify import load_classifier
    from classifiers.types import ArticleText
    from monitor.config import Office

    office = Office(name="Phòng GD&ĐT quận Long Biên", short_name="PGD Long Biên", district="Long Biên", city="Hà Nội")
    t0 = time.perf_counter()
    clf = load_classifier(None, office, require_models=True)
    load = time.perf_counter() - t0
    arts = [ArticleText(id=i["id"], title=i["title"], sapo=i["sapo"], url=i["url"], outlet=i["outlet"]) for i in items]
    t0 = time.perf_counter()
    edu = hot = 0
    for k in range(0, len(arts), 1000):
        for c in clf.classify_many(arts[k:k + 1000]):
            edu += c.is_education
            hot += c.hot
    secs = time.perf_counter() - t0
    return {"items": len(arts), "load_seconds": round(load, 2), "seconds": round(secs, 1),
            "items_per_second": round(len(arts) / secs, 1), "education": edu, "hot": hot, "version": clf.version}


def segmentation_ablation() -> dict:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from classifiers.corpus import lookup
    from classifiers.rules import load_rules
    from classifiers.text import normalize, segment, warm_segmenter
    from classifiers.train import LABELS_DIR, read_hand_labels

    rows, _ = read_hand_labels(LABELS_DIR)
    texts = lookup({r["id"] for r in rows}, REPO.parent / "shared" / "corpus")
    rows = [r for r in rows if r["id"] in texts]
    raw = [texts[r["id"]]["title"] + " . " + texts[r["id"]]["sapo"] for r in rows]
    warm_segmenter()
    t0 = time.perf_counter()
    seg = [" ".join(segment(t)).lower() for t in raw]
    seg_secs = time.perf_counter() - t0
    t0 = time.perf_counter()
    syl = [normalize(t) for t in raw]
    syl_secs = time.perf_counter() - t0
    y = np.array([bool(r["is_education"]) for r in rows])
    topic_ids = load_rules().topic_ids
    folds = np.random.RandomState(0).permutation(len(rows)) % 5
    out = {"items": len(rows), "segment_seconds": round(seg_secs, 2), "normalize_seconds": round(syl_secs, 3)}
    for name, docs in (("syllables", syl), ("underthesea_words", seg)):
        vec = TfidfVectorizer(token_pattern=r"(?u)\b\w+\b", ngram_range=(1, 2), sublinear_tf=True, min_df=1)
        pred = np.zeros(len(rows), bool)
        tp = fp = fn = 0
        for k in range(5):
            tr, te = folds != k, folds == k
            X = vec.fit_transform([d for d, m in zip(docs, tr) if m])
            Xt = vec.transform([d for d, m in zip(docs, te) if m])
            pred[te] = LogisticRegression(C=4, solver="liblinear").fit(X, y[tr]).predict(Xt)
            edu_tr = [i for i in np.where(tr)[0] if rows[i]["is_education"]]
            edu_te = [i for i in np.where(te)[0] if rows[i]["is_education"]]
            Xe, Xet = vec.transform([docs[i] for i in edu_tr]), vec.transform([docs[i] for i in edu_te])
            for t in topic_ids:
                yt = np.array([t in (rows[i].get("topics") or []) for i in edu_tr])
                gt = np.array([t in (rows[i].get("topics") or []) for i in edu_te])
                if yt.sum() < 5:
                    continue
                p = LogisticRegression(C=8, solver="liblinear").fit(Xe, yt).predict_proba(Xet)[:, 1] >= 0.3
                tp += int((p & gt).sum()); fp += int((p & ~gt).sum()); fn += int((~p & gt).sum())
        a = int((pred & y).sum()); b = int((pred & ~y).sum()); c = int((~pred & y).sum())
        out[name] = {"relevance_f1": round(2 * a / (2 * a + b + c), 4), "topic_micro_f1": round(2 * tp / (2 * tp + fp + fn), 4)}
    return out


def vsfc_ablation() -> dict:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from classifiers.corpus import lookup
    from classifiers.text import normalize
    from classifiers.train import LABELS_DIR, read_hand_labels
    from classifiers.types import SENTIMENTS

    corpus = REPO.parent / "shared" / "corpus"
    rows, _ = read_hand_labels(LABELS_DIR)
    rows = [r for r in rows if r.get("is_education") and r.get("sentiment") in SENTIMENTS]
    texts = lookup({r["id"] for r in rows}, corpus)
    rows = [r for r in rows if r["id"] in texts]
    docs = [normalize(texts[r["id"]]["title"] + " . " + texts[r["id"]]["sapo"]) for r in rows]
    y = np.array([SENTIMENTS.index(r["sentiment"]) for r in rows])
    vs = [json.loads(line) for line in (corpus / "uit_vsfc" / "sentences.jsonl").open(encoding="utf-8")]
    vs = [v for v in vs if v["split"] == "train" and v["sentiment"] in SENTIMENTS]
    vdocs = [normalize(v["sentence"].replace("_", " ")) for v in vs]
    vy = np.array([SENTIMENTS.index(v["sentiment"]) for v in vs])
    folds = np.random.RandomState(0).permutation(len(rows)) % 5
    out = {"education_items": len(rows), "vsfc_sentences": len(vs)}
    for wv in (0.0, 0.05, 0.2):
        pred = np.zeros(len(rows), int)
        for k in range(5):
            tr, te = folds != k, folds == k
            D = [d for d, m in zip(docs, tr) if m]
            Y, Wt = y[tr], np.ones(int(tr.sum()))
            if wv:
                D, Y, Wt = D + vdocs, np.concatenate([Y, vy]), np.concatenate([Wt, np.full(len(vdocs), wv)])
            vec = TfidfVectorizer(token_pattern=r"(?u)\b\w+\b", ngram_range=(1, 2), sublinear_tf=True)
            model = LogisticRegression(C=4, max_iter=2000).fit(vec.fit_transform(D), Y, sample_weight=Wt)
            pred[te] = model.predict(vec.transform([d for d, m in zip(docs, te) if m]))
        f1 = []
        for c in range(3):
            a, b, cc = ((pred == c) & (y == c)).sum(), ((pred == c) & (y != c)).sum(), ((pred != c) & (y == c)).sum()
            f1.append(2 * a / (2 * a + b + cc) if a else 0.0)
        out[f"vsfc_weight_{wv}"] = {"tone_macro_f1": round(float(np.mean(f1)), 4)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--sample", type=int, default=2000)
    ap.add_argument("--skip-year", action="store_true")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--card", action="store_true", help="Write the numbers into the shipped model card (models/edu-nlp).")
    ap.add_argument("--segmentation-ablation", action="store_true")
    ap.add_argument("--vsfc-ablation", action="store_true")
    args = ap.parse_args()
    if args.segmentation_ablation or args.vsfc_ablation:
        res = segmentation_ablation() if args.segmentation_ablation else vsfc_ablation()
        print(json.dumps(res, indent=2))
        if args.json:
            args.json.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
        return
    if not RSS.is_dir():
        raise SystemExit(f"{RSS} is absent: this benchmark needs ../shared/corpus beside the repository")
    items = load_items()
    sub = items[: args.n]
    print(f"{len(items)} RSS items loaded; {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        one = bench_cli(sub, Path(tmp), jobs=1)
        cli = bench_cli(sub, Path(tmp))
    for name, c in (("--jobs 1", one), ("default, a worker per core", cli)):
        print(f"monitor classify ({name}), {c['items']} items incl. model loading: {c['seconds']} s = {c['items_per_second']} "
              f"items/s, peak memory {c['peak_pss_all_processes_mb']} MB (PSS, all processes; largest process's RSS "
              f"{c['peak_rss_mb']} MB), {c['education']} education", flush=True)
    seg = bench_underthesea(sub[: args.sample])
    ratio = cli["items_per_second"] / seg["items_per_second"]
    ratio_one = one["items_per_second"] / seg["items_per_second"]
    print(f"underthesea word_tokenize alone on the first {seg['sample_items']} of the same texts: {seg['items_per_second']} items/s "
          f"(+{seg['load_seconds']} s loading, not counted) → classify is {ratio:.1f}x the segmentation speed "
          f"({ratio_one:.1f}x in one process)", flush=True)
    result = {"classify_cli": cli, "classify_cli_one_process": one, "underthesea_segmentation": seg,
              "speed_ratio": round(ratio, 2), "speed_ratio_one_process": round(ratio_one, 2)}
    if not args.skip_year:
        year = bench_year(items)
        print(f"whole year: {year['items']} items in {year['seconds']} s (+{year['load_seconds']} s loading) = "
              f"{year['items_per_second']} items/s, {year['education']} education, {year['hot']} hot", flush=True)
        result["year"] = year
        result["year_peak_rss_mb_incl_data"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.card:
        write_measurements(result)


def write_measurements(result: dict) -> None:
    from classifiers.card import write_card
    from classifiers.classify import BUNDLE_NAME, SHIPPED_MODELS_DIR

    bundle = SHIPPED_MODELS_DIR / BUNDLE_NAME
    cli, seg = result["classify_cli"], result["underthesea_segmentation"]
    version = result.get("year", {}).get("version", "")
    lines = ["## Speed and memory (bench/classify.py on the national RSS year, 2 cores, one run)", "",
             f"Measured with {version or 'the shipped models'}; rerun `bench/classify.py --card` after `monitor train`.", "",
             f"- `monitor classify` on {cli['items']} RSS items (title + sapo) including model loading, as it runs by default "
             f"(a worker process per core): {cli['seconds']} s = {cli['items_per_second']} items/s; peak memory "
             f"{cli['peak_pss_all_processes_mb']} MB (PSS of all its processes summed; the largest process's RSS "
             f"{cli['peak_rss_mb']} MB)"]
    one = result.get("classify_cli_one_process")
    if one:
        lines.append(f"- the same with `--jobs 1` (one process): {one['seconds']} s = {one['items_per_second']} items/s; "
                     f"peak memory {one['peak_pss_all_processes_mb']} MB (PSS; RSS {one['peak_rss_mb']} MB)")
    lines += [f"- underthesea `word_tokenize` alone on the first {seg['sample_items']} of the same texts (a fixed sample; "
              f"segmenting all of them takes too long; one process, as underthesea runs): {seg['items_per_second']} items/s "
              f"(model loading not counted)",
              f"- ratio: classify is {result['speed_ratio']}x the speed of word segmentation alone"
              + (f" ({result['speed_ratio_one_process']}x with `--jobs 1`)" if one else "")]
    if "year" in result:
        y = result["year"]
        lines.append(f"- whole year: {y['items']} items classified in {y['seconds']} s (+{y['load_seconds']} s loading) = "
                     f"{y['items_per_second']} items/s; {y['education']} education, {y['hot']} hot")
    for name, title in (("segmentation", "Does underthesea word segmentation pay? (5-fold CV on the hand labels)"),
                        ("vsfc", "Does UIT-VSFC help tone? (5-fold CV on hand-labelled education items)")):
        path = bundle / f"ablation-{name}.json"
        if path.exists():
            lines += ["", f"### {title}", "", "```", path.read_text(encoding="utf-8").strip(), "```"]
    (bundle / "MEASUREMENTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_card(bundle, json.loads((bundle / "metadata.json").read_text(encoding="utf-8")))


if __name__ == "__main__":
    main()
