"""Measurement: which stories the namesake rule (ABLATIONS round 17) takes out of an office's `local`, on the RSS year.

A watchlist school or a ward of the office's is a namesake where the story is placed in another province and names
none of the office's own district or city (classifiers.scope.placed_elsewhere): "THPT Cao Bá Quát" of Đắk Lắk is
not Long Biên's. This classifies every item of the RSS year (title + sapo, as the feeds give them) for the shipped
office (feeds.yaml) and for invented offices whose watchlists hold school names common elsewhere, without the rule
(the index without the other provinces' names, as before) and with it, and lists every item `local` under either,
by id, with its scope and reason before and after. --show prints each such item's title and sapo (to the terminal
only: read them to judge each call; nothing of the corpus is written anywhere); data/scope/rss-local.jsonl holds
our reading of the shipped office's locals, and the script counts true and false locals before and after by it.

  .venv/bin/python bench/scope_namesake.py [--models models] [--limit N] [--show] [--json]

Only items some local evidence matches are classified in full (the rule only ever takes a story out of `local`).
Needs ../shared/corpus/rss_aggregator_2025_2026 (exits with a reason when it is missing). Results: ABLATIONS round 17.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from provinces import rss_items, texts

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifiers.classify import load_classifier, prepared_fields  # noqa: E402
from classifiers.scope import LOCAL_GROUPS, build_scope_index  # noqa: E402
from monitor.config import Office, Watchlist, load_config  # noqa: E402

READING = ROOT / "data" / "scope" / "rss-local.jsonl"
# invented offices: a Sở and a Phòng whose watchlists hold the names of schools found in many provinces
INVENTED = (
    Office(name="Sở Giáo dục và Đào tạo thành phố Đà Nẵng", short_name="Sở GD&ĐT Đà Nẵng", district="Đà Nẵng",
           city="Đà Nẵng", watchlist=Watchlist(schools=("THPT Phan Châu Trinh", "THPT Lê Quý Đôn", "THPT Trần Phú",
                                                        "THPT Nguyễn Trãi", "THCS Nguyễn Huệ", "THCS Lê Lợi",
                                                        "Tiểu học Kim Đồng"))),
    Office(name="Phòng Giáo dục và Đào tạo quận Ba Đình", short_name="Phòng GD&ĐT Ba Đình", district="Ba Đình",
           city="Hà Nội", watchlist=Watchlist(wards=("Ngọc Hà", "Giảng Võ", "Kim Mã", "Điện Biên"),
                                              schools=("THPT Phan Đình Phùng", "THPT Nguyễn Trãi", "THCS Nguyễn Tri Phương",
                                                       "THCS Thăng Long", "Tiểu học Hoàng Hoa Thám"))),
)


def without_rule(clf):
    """The same classifier without the other provinces' names: the scope rule as before round 17."""
    clf._scope_index = build_scope_index(clf.rules, clf.places, elsewhere=False)
    return clf


def local_candidates(clf, arts) -> list[int]:
    """The items whose matches hold any of the office's local evidence (a superset of those judged local)."""
    idx = clf._scope_index
    return [i for i, a in enumerate(arts)
            if any(h.group in LOCAL_GROUPS for h in clf.rules.match_prepared(prepared_fields(a), idx).hits)]


def compare(models: Path, office, arts) -> list[dict]:
    old = without_rule(load_classifier(models, office, require_models=True))
    new = load_classifier(models, office, require_models=True)
    some = [arts[i] for i in local_candidates(old, arts)]
    out = []
    for a, b, n in zip(some, old.classify_many(some, evidence=False), new.classify_many(some, evidence=False)):
        if "local" in (b.scope, n.scope):
            out.append({"id": a.id, "education": b.is_education, "before": b.scope, "after": n.scope,
                        "reason_before": b.reasons[-1], "reason_after": n.reasons[-1], "title": a.title, "sapo": a.sapo})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", type=Path, default=ROOT / "models")
    ap.add_argument("--limit", type=int, default=None, help="read only the first N RSS items")
    ap.add_argument("--show", action="store_true", help="print each local item's title and sapo (terminal only)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    arts = texts(rss_items(args.limit))
    shipped = load_config(ROOT / "feeds.yaml").office
    reading = {r["id"]: r for r in (json.loads(line) for line in READING.read_text(encoding="utf-8").splitlines()
                                    if line.strip())} if READING.exists() else {}
    report = {"items": len(arts), "offices": {}}
    for office in (shipped, *INVENTED):
        rows = compare(args.models, office, arts)
        res = {"local_before": sum(r["before"] == "local" for r in rows), "local_after": sum(r["after"] == "local" for r in rows),
               "moved": [{k: r[k] for k in ("id", "education", "before", "after", "reason_before", "reason_after")}
                         for r in rows if r["before"] != r["after"]]}
        if office is shipped and reading:
            for when in ("before", "after"):
                said = [reading.get(r["id"], {}).get("local") for r in rows if r[when] == "local"]
                res[f"{when}_true_false_unread"] = [said.count(True), said.count(False), said.count(None)]
            res["true_local_lost"] = [r["id"] for r in rows if r["before"] == "local" and r["after"] != "local"
                                      and reading.get(r["id"], {}).get("local") is not False]
        report["offices"][office.short_name] = res
        if args.show:
            print(f"\n=== {office.short_name}: local before {res['local_before']}, after {res['local_after']}")
            for r in rows:
                mark = "  " if r["before"] == r["after"] else "->"
                print(f"{mark} {r['id']} {r['before']}->{r['after']} edu={r['education']} [{r['reason_after'] or r['reason_before']}]"
                      f"\n   {r['title']}\n   {r['sapo'][:300]}")
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return
    print(f"{report['items']} RSS items")
    for name, r in report["offices"].items():
        print(f"{name}: local {r['local_before']} -> {r['local_after']}" + (
            f"; by our reading (true, false, unknown): before {r['before_true_false_unread']}, after "
            f"{r['after_true_false_unread']}; true local lost: {len(r['true_local_lost'])}" if "true_local_lost" in r else ""))
        for m in r["moved"]:
            print(f"  {m['id']} {m['before']} -> {m['after']} (education {m['education']}): {m['reason_after']}")


if __name__ == "__main__":
    main()
