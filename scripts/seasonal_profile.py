"""Build the shipped national seasonal profile (monitor/seasonal-national.json): education articles and plan
topics per month of the real year of national RSS (../shared/corpus/rss_aggregator_2025_2026), classified with
the shipped classifier (`monitor classify`). Only counts are written: no title, sapo or link.

    .venv/bin/python scripts/seasonal_profile.py [--classified out.jsonl] [--output monitor/seasonal-national.json]

Without --classified it runs `monitor classify` on the corpus (about 40 s on this machine) into a temporary file.
The card is docs/seasonal-national.md; bench/forecast.py measures what the profile is worth.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RSS = REPO.parent / "shared" / "corpus" / "rss_aggregator_2025_2026"
OUT = REPO / "monitor" / "seasonal-national.json"


def corpus_items() -> list[dict]:
    """The year's RSS items (id, title, sapo, url, outlet, published), read as bench/classify.py reads them."""
    sys.path.insert(0, str(REPO / "bench"))
    from classify import load_items

    return load_items()


def classify(items: list[dict], tmp: Path) -> Path:
    src, dst = tmp / "in.jsonl", tmp / "out.jsonl"
    src.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "monitor", "--config", str(tmp / "no-config.yaml"), "classify",
                    "--input", str(src), "--output", str(dst)], check=True, cwd=REPO)
    return dst


def read_classified(path: Path) -> dict[str, dict]:
    with open(path, encoding="utf-8") as f:
        return {r["id"]: r for r in map(json.loads, f)}


def classified_corpus(classified_file: Path | None) -> tuple[list[dict], dict[str, dict]]:
    """The corpus's items and their classification: read from `classified_file` (a `monitor classify` output of
    them) when given, else made now with the shipped classifier."""
    items = corpus_items()
    if classified_file:
        return items, read_classified(classified_file)
    with tempfile.TemporaryDirectory() as tmp:
        return items, read_classified(classify(items, Path(tmp)))


def profile(items: list[dict], classified: dict[str, dict]) -> dict:
    edu: Counter = Counter()
    topics: dict[str, Counter] = {}
    versions: Counter = Counter()
    for it in items:
        c = classified.get(it["id"])
        if not c or not c.get("is_education") or not it["published"]:
            continue
        month = it["published"][:7]  # ISO with +07:00: the month in Viet Nam
        edu[month] += 1
        topics.setdefault(month, Counter()).update(c.get("topics") or ())
        versions[c.get("model_version", "")] += 1
    return {
        "source": "rss_aggregator_2025_2026 (VnExpress, Thanh Niên, Tuổi Trẻ; title + sapo), months by publication "
                  "time in Viet Nam; 2025-08 starts on the 9th, 2026-08 ends on the 22nd",
        "classifier": versions.most_common(1)[0][0] if versions else "",
        "articles": len(items),
        "months": {m: {"education": edu[m], "topics": dict(sorted(topics[m].items()))} for m in sorted(edu)},
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--classified", type=Path, help="`monitor classify` output of the corpus, to skip classifying")
    ap.add_argument("--output", type=Path, default=OUT)
    args = ap.parse_args()
    if not RSS.is_dir():
        print(f"skipped: {RSS} is not here (the corpus sits beside the repository in ../shared)")
        return 0
    items, classified = classified_corpus(args.classified)
    data = profile(items, classified)
    args.output.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.output}: {sum(v['education'] for v in data['months'].values())} education articles "
          f"of {data['articles']} in {len(data['months'])} months")
    return 0


if __name__ == "__main__":
    sys.exit(main())
