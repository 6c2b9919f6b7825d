"""Measurement: what the province table (classifiers/provinces.yaml) changes in the scope of a Sở's education news.

Since 1 July 2025 Viet Nam has 34 provinces; the press still names the 29 merged away ("tỉnh Quảng Nam (cũ)",
"Bình Dương"). Before the table, an office outside Hà Nội and TP.HCM had only its `office.city` as its city's name,
and a story of a former province merged into its own was `national`. For a few offices configured as a Sở (district
and city both the province), this classifies the education items of the RSS year (title + sapo, as the feeds give
them) with the table and without it (an empty one, the former behaviour) and counts the scope transitions; every
item that moved is listed by id with the name that moved it, and --show N prints a seeded random sample of N moved
items per office (title and sapo, to the terminal only: read them to judge the move; nothing of the corpus is
written anywhere).

  .venv/bin/python bench/provinces.py [--models models] [--offices "Đà Nẵng,Hồ Chí Minh,Ninh Bình,Gia Lai"]
                                      [--limit N] [--show 30] [--seed 19] [--json] [--districts]

With --districts the comparison is the table against itself without its former districts (`districts`, quận/
huyện/thị xã abolished on 1 July 2025): what the districts alone move.

Needs ../shared/corpus/rss_aggregator_2025_2026 (exits with a reason when it is missing). The education call does
not depend on the office; it is made once, with the first office's classifier. Results: README, "The office's city"
(office.city).
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifiers.classify import load_classifier  # noqa: E402
import dataclasses  # noqa: E402

from classifiers.provinces import EMPTY, load_provinces  # noqa: E402
from classifiers.scope import build_scope_index, city_is_area, city_names  # noqa: E402
from classifiers.types import ArticleText, OfficeContext  # noqa: E402

RSS = ROOT.parent / "shared" / "corpus" / "rss_aggregator_2025_2026"
BATCH = 512


def rss_items(limit: int | None) -> list[dict]:
    files = sorted(RSS.glob("articles-*.jsonl.gz"))
    if not files:
        sys.exit(f"{RSS} is missing: this measurement needs the shared corpus beside the project")
    out = []
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                out.append(json.loads(line))
                if limit and len(out) >= limit:
                    return out
    return out


def texts(rows: list[dict]) -> list[ArticleText]:
    return [ArticleText(id=r["id"], title=r.get("title") or "", sapo=r.get("sapo") or "", url=r.get("url") or "")
            for r in rows]


def scopes(clf, arts: list[ArticleText]) -> list[tuple[bool, str, list[str]]]:
    out = []
    for i in range(0, len(arts), BATCH):
        out += [(c.is_education, c.scope, list(c.reasons)) for c in clf.classify_many(arts[i:i + BATCH], evidence=False)]
    return out


def scope_reason(reasons: list[str]) -> str:
    # a "city" reason opens with the office's city's kind: "tỉnh: …" for a province, "thành phố: …" for a city
    return next((r for r in reasons if r.startswith(("tỉnh: ", "thành phố: "))), "")


def without_districts():
    """The shipped table without its former districts."""
    t = load_provinces()
    return dataclasses.replace(t, provinces=tuple(
        dataclasses.replace(p, districts=(), former=tuple(dataclasses.replace(f, districts=()) for f in p.former))
        for p in t.provinces))


def without_table(clf, table=EMPTY):
    """The same classifier reading the office's city as before the table (office.city and topics.yaml only), or
    with `table` instead of the shipped one."""
    clf._scope_index = build_scope_index(clf.rules, clf.places, table)
    clf._body_city = city_is_area(clf.rules, clf.places, table)
    return clf


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", type=Path, default=ROOT / "models")
    ap.add_argument("--offices", default="Đà Nẵng,Hồ Chí Minh,Ninh Bình,Gia Lai",
                    help="comma-separated office.city values, each read as a Sở (district = city)")
    ap.add_argument("--limit", type=int, default=None, help="read only the first N RSS items")
    ap.add_argument("--show", type=int, default=0, help="print N random moved items per office (terminal only)")
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--districts", action="store_true", help="compare with the table without its former districts")
    args = ap.parse_args()

    rows = rss_items(args.limit)
    arts = texts(rows)
    offices = [o.strip() for o in args.offices.split(",") if o.strip()]
    first = load_classifier(args.models, OfficeContext(district=offices[0], city=offices[0]), require_models=True)
    edu = [i for i, (is_edu, _, _) in enumerate(scopes(first, arts)) if is_edu]
    edu_arts = [arts[i] for i in edu]
    print(f"{len(rows)} RSS items, {len(edu)} education", file=sys.stderr)
    report = {"items": len(rows), "education": len(edu), "offices": {}}
    for city in offices:
        office = OfficeContext(district=city, city=city)
        new = load_classifier(args.models, office, require_models=True)
        names = city_names(new.rules, new.places)
        old = without_table(load_classifier(args.models, office, require_models=True),
                            without_districts() if args.districts else EMPTY)
        before, after = scopes(old, edu_arts), scopes(new, edu_arts)
        moves = collections.Counter(f"{b[1]}->{a[1]}" for b, a in zip(before, after) if b[1] != a[1])
        moved = [(edu_arts[k], a[2]) for k, (b, a) in enumerate(zip(before, after)) if b[1] == "national" and a[1] == "city"]
        by_name = collections.Counter(scope_reason(rs).split(": ", 1)[-1].split(" (")[0] for _, rs in moved)
        placement = names.placement
        report["offices"][city] = {
            "province": placement.province.full_name if placement else None,
            "names": len(names.aliases),
            "city_before": sum(1 for b in before if b[1] == "city"),
            "city_after": sum(1 for a in after if a[1] == "city"),
            "transitions": dict(moves),
            "national_to_city_by_first_name": dict(by_name.most_common()),
            "moved_ids": [a.id for a, _ in moved],
        }
        if args.show and moved:
            rng = random.Random(args.seed)
            print(f"\n=== {city}: {len(moved)} moved national -> city; a sample of {min(args.show, len(moved))}")
            for a, rs in rng.sample(moved, min(args.show, len(moved))):
                print(f"- {a.id} [{scope_reason(rs)}]\n  {a.title}\n  {a.sapo[:300]}")
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return
    print(f"{report['items']} RSS items, {report['education']} education")
    for city, r in report["offices"].items():
        print(f"Sở {city} ({r['province']}, {r['names']} names): city {r['city_before']} -> {r['city_after']}; "
              f"transitions {r['transitions']}")
        print("  moved national -> city by the first name read: "
              + ", ".join(f"{n} {c}" for n, c in r["national_to_city_by_first_name"].items()))


if __name__ == "__main__":
    main()
