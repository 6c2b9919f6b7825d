"""Measurement: which stories the city namesake rule takes out of an office's `city`, on the RSS year.

A place of the office's province below the province itself (a former district, a city of classifiers/provinces.yaml,
a topics.yaml scope.cities district) may have a namesake in another province: Hà Nội's "Sơn Tây" is also a huyện
of Quảng Ngãi. Such a name does not make a story `city` where the title or sapo places it in another province and
names nothing that is only the office's province (classifiers.scope.city_namesake). This classifies the education
items of the RSS year (title + sapo, as the feeds give them) for the shipped office (feeds.yaml) and for invented
Sở offices, without the rule (the index's `city_places` emptied) and with it, and lists every item that moved, by
id, with its scope and reason before and after. --show prints each moved item's title and sapo (to the terminal
only: read them to judge each move; nothing of the corpus is written anywhere).

  .venv/bin/python bench/scope_city_namesake.py [--models models] [--offices "Đà Nẵng,Hồ Chí Minh,Nghệ An,Gia Lai"]
                                                [--limit N] [--show] [--json]

Needs ../shared/corpus/rss_aggregator_2025_2026 (exits with a reason when it is missing). The education call does
not depend on the office; it is made once, with the shipped office's classifier. Results: README, "The office's
city" (the namesake paragraph).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

from provinces import rss_items, scopes, texts

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifiers.classify import load_classifier  # noqa: E402
from classifiers.types import OfficeContext  # noqa: E402
from monitor.config import load_config  # noqa: E402


def without_rule(clf):
    """The same classifier reading every name of the office's province as its city, as before the rule."""
    clf._scope_index.city_places = frozenset()
    return clf


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", type=Path, default=ROOT / "models")
    ap.add_argument("--offices", default="Đà Nẵng,Hồ Chí Minh,Nghệ An,Gia Lai",
                    help="comma-separated office.city values, each read as a Sở (district = city), beside the shipped office")
    ap.add_argument("--limit", type=int, default=None, help="read only the first N RSS items")
    ap.add_argument("--show", action="store_true", help="print each moved item's title and sapo (terminal only)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    arts = texts(rss_items(args.limit))
    shipped = load_config(ROOT / "feeds.yaml").office
    offices = [(shipped.short_name, shipped)] + [
        (f"Sở {c}", OfficeContext(district=c, city=c)) for c in (o.strip() for o in args.offices.split(",")) if c]
    first = load_classifier(args.models, shipped, require_models=True)
    edu = [arts[i] for i, (is_edu, _, _) in enumerate(scopes(first, arts)) if is_edu]
    report = {"items": len(arts), "education": len(edu), "offices": {}}
    for name, office in offices:
        new = load_classifier(args.models, office, require_models=True)
        old = without_rule(load_classifier(args.models, office, require_models=True))
        before, after = scopes(old, edu), scopes(new, edu)
        moved = [(a, b, n) for a, b, n in zip(edu, before, after) if b[1] != n[1] or b[2] != n[2]]
        report["offices"][name] = {
            "city_places": len(new._scope_index.city_places),
            "city_before": sum(b[1] == "city" for b in before), "city_after": sum(n[1] == "city" for n in after),
            "transitions": dict(collections.Counter(f"{b[1]}->{n[1]}" for _, b, n in moved)),
            "moved": [{"id": a.id, "before": b[1], "after": n[1], "reason": n[2][-1]} for a, b, n in moved]}
        if args.show:
            print(f"\n=== {name}: {len(moved)} moved")
            for a, b, n in moved:
                print(f"- {a.id} {b[1]}->{n[1]} [{n[2][-1]}]\n  {a.title}\n  {a.sapo[:300]}")
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return
    print(f"{report['items']} RSS items, {report['education']} education")
    for name, r in report["offices"].items():
        print(f"{name} ({r['city_places']} places below the province): city {r['city_before']} -> {r['city_after']}; "
              f"transitions {r['transitions']}")
        for m in r["moved"]:
            print(f"  {m['id']} {m['before']} -> {m['after']}: {m['reason']}")


if __name__ == "__main__":
    main()
