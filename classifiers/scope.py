"""Where a story happens, judged against the office: local, city, national or foreign.

local   = the office's district named as a district ("quận Long Biên"), one of its wards named as a ward,
          a watchlist school or other watchlist name. The bare district name also counts, except in a
          fixed phrase where it names something else ("cầu Long Biên" is a bridge).
city    = the office's city or one of its other districts/wards (topics.yaml scope.cities).
foreign = a foreign country, city or "du học" named in the title or sapo, and no Vietnamese place there.
national otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from classifiers.rules import Matches, RuleSet
from classifiers.text import fold, normalize


@dataclass(frozen=True)
class OfficePlaces:
    district: str
    city: str
    wards: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # schools, officials, other watchlist names


def office_places(office) -> OfficePlaces:
    """From monitor.config.Office or classifiers.types.OfficeContext."""
    wl = getattr(office, "watchlist", ())
    if hasattr(wl, "wards"):
        wards = tuple(wl.wards)
        names = tuple(wl.schools) + tuple(wl.officials) + tuple(wl.other)
    else:
        wards, names = (), tuple(wl or ())
    return OfficePlaces(district=office.district, city=office.city, wards=wards, names=names)


def build_scope_index(rules: RuleSet, places: OfficePlaces):
    entries: list[tuple[str, str, float]] = []
    d = places.district.strip()
    if d:
        for prefix in ("quận", "huyện", "thị xã", "Q.", "Phòng GD&ĐT", "Phòng Giáo dục và Đào tạo", "phường"):
            entries.append(("local", f"{prefix} {d}", 1.0))
        entries.append(("district-bare", d, 1.0))
        for word in rules.scope.not_local_alone:
            entries.append(("not-local", f"{word} {d}", 1.0))
    for w in places.wards:
        if w and normalize(w) != normalize(d):
            entries.append(("local", f"phường {w}", 1.0))
    for n in places.names:
        if n:
            entries.append(("local", n, 1.0))
    city_key = next((k for k in rules.scope.cities if fold(normalize(k)) in fold(normalize(places.city))
                     or fold(normalize(places.city)) in fold(normalize(k))), None)
    city_cfg = rules.scope.cities.get(city_key, {}) if city_key else {}
    for alias in {places.city, *city_cfg.get("aliases", ())}:
        if alias:
            entries.append(("city", alias, 1.0))
    for district in city_cfg.get("districts", ()):
        if normalize(district) != normalize(d):
            entries.append(("city", district, 1.0))
    return rules.index_with(entries)


def judge_scope(m: Matches) -> tuple[str, str]:
    """(scope, reason) from the matches of the rules plus the office's scope index."""
    local = m.terms("local")
    if local:
        return "local", "địa bàn: " + ", ".join(local[:3])
    bare = m.count("district-bare")
    if bare > m.count("not-local"):
        return "local", "địa bàn: " + ", ".join(m.terms("district-bare")[:2])
    city = m.terms("city")
    if city or bare:
        return "city", "thành phố: " + ", ".join((city or m.terms("district-bare"))[:3])
    lead = [h for h in m.hits if h.field in ("title", "sapo")]
    foreign = [h.term for h in lead if h.group == "foreign"]
    domestic = [h.term for h in lead if h.group == "domestic"]
    if foreign and not domestic:
        return "foreign", "nước ngoài: " + ", ".join(dict.fromkeys(foreign[:3]))
    return "national", ""
