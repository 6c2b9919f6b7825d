"""Where a story happens, judged against the office: local, city, national or foreign.

local   = the office's district named as a district ("quận Long Biên"), one of its wards or communes named as
          such ("phường Sài Đồng", "P. Sài Đồng", "xã Kiêu Kỵ", "thị trấn Trâu Quỳ", "TT. Trâu Quỳ"; alone when
          the city's list names it too), a watchlist school or
          other watchlist name. The bare district name also counts, except in a
          fixed phrase where it names something else ("cầu Long Biên" is a bridge).
city    = the office's city or one of its other districts/wards (topics.yaml scope.cities).
foreign = the foreign model's score over its cross-validated threshold (it reads the whole text, with the
          weighted foreign cues of topics.yaml as evidence); without models, those cues in the title and
          sapo adding up to 1 and outweighing the Vietnamese places named there.
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


# How a ward, commune or township is written before its name: "phường Sài Đồng", "P. Sài Đồng", "P.Sài Đồng"
# (the same syllables), "xã Kiêu Kỵ", "X. Kiêu Kỵ", "thị trấn Trâu Quỳ", "TT. Trâu Quỳ". Most of a rural
# office's or a Sở's units are communes. Each is a prefix of the watchlist name, so only that name makes it
# local: a common word such as "xa" (far, in unmarked text) or "TT" (trung tâm, thông tư) says nothing alone.
WARD_PREFIXES = ("phường", "xã", "thị trấn", "P.", "X.", "TT.")
# the same words in lowercase, for a name the writer typed in lowercase ("xã kiêu kỵ")
WARD_WORDS = ("phường", "xã", "thị trấn")
# Words after which a lowercase name is a place: "ở long biên". The bare name lowercase is not enough, as a
# district's name may be a common word ("thanh xuân" is youth).
AT_PLACE = ("ở", "tại")


def build_scope_index(rules: RuleSet, places: OfficePlaces):
    entries: list[tuple[str, str, float]] = []
    d = places.district.strip()
    if d:
        for prefix in ("quận", "huyện", "thị xã", "Q.", "Phòng GD&ĐT", "Phòng Giáo dục và Đào tạo", *WARD_PREFIXES):
            entries.append(("local", f"{prefix} {d}", 1.0))
        # the name is capitalised, so only capitalised text matches it; a writer who typed it in lowercase
        # still names the place after an administrative word or "ở/tại" (a lowercase term matches any case)
        for prefix in ("quận", "huyện", "thị xã", *WARD_WORDS, *AT_PLACE):
            entries.append(("local-lower", f"{prefix} {d.lower()}", 1.0))
        entries.append(("district-bare", d, 1.0))
        for word in rules.scope.not_local_alone:
            entries.append(("not-local", f"{word} {d}", 1.0))
    wards = {normalize(w) for w in places.wards if w and normalize(w) != normalize(d)}
    for w in places.wards:
        if w and normalize(w) in wards:
            for prefix in WARD_PREFIXES:
                entries.append(("local", f"{prefix} {w}", 1.0))
            for prefix in WARD_WORDS:
                entries.append(("local-lower", f"{prefix} {w.lower()}", 1.0))
    for n in places.names:
        if n:
            entries.append(("local", n, 1.0))
    city_key = next((k for k in rules.scope.cities if fold(normalize(k)) in fold(normalize(places.city))
                     or fold(normalize(places.city)) in fold(normalize(k))), None)
    city_cfg = rules.scope.cities.get(city_key, {}) if city_key else {}
    for alias in sorted({places.city, *city_cfg.get("aliases", ())}):
        if alias:
            entries.append(("city", alias, 1.0))
            for word in rules.scope.institutions_before:
                entries.append(("not-city", f"{word} {alias}", 1.0))
            for word in rules.scope.institutions_after:
                entries.append(("not-city", f"{alias} {word}", 1.0))
    for district in city_cfg.get("districts", ()):
        if normalize(district) == normalize(d):
            continue
        # The city's list names some of the office's own wards (Việt Hưng, Bồ Đề in Hà Nội's): named alone
        # they are the office's place first, so local, as the district's bare name is. Only capitalised:
        # unmarked and lowercase, "bo de" is "bộ đề" (a set of exam papers), "phuc loi" welfare.
        entries.append(("ward-bare" if normalize(district) in wards else "city", district, 1.0))
    return rules.index_with(entries, cased_only=("ward-bare",))


def judge_scope(m: Matches, foreign_score: float | None = None, foreign_threshold: float = 0.5) -> tuple[str, str]:
    """(scope, reason) from the matches of the rules plus the office's scope index, and the foreign model's
    score when there is one (without it, the weighted foreign cues of the rules decide)."""
    # a lowercase term matches capitalised text too: its reasons only when the name is in lowercase alone
    local = m.terms("local") or m.terms("local-lower") or m.terms("ward-bare")
    if local:
        return "local", "địa bàn: " + ", ".join(local[:3])
    bare = m.count("district-bare")
    if bare > m.count("not-local"):
        return "local", "địa bàn: " + ", ".join(m.terms("district-bare")[:2])
    city_hits = m.count("city") - m.count("not-city")
    city = m.terms("city")
    if (city and city_hits > 0) or bare:
        return "city", "thành phố: " + ", ".join((city or m.terms("district-bare"))[:3])
    cues = ", ".join(m.terms("foreign")[:3])
    if foreign_score is not None:
        if foreign_score >= foreign_threshold:
            return "foreign", f"nước ngoài {foreign_score:.2f}" + (f": {cues}" if cues else ": theo mô hình")
        return "national", ""
    foreign = _lead_score(m, "foreign")
    if foreign >= 1.0 and foreign > _lead_score(m, "domestic"):
        return "foreign", "nước ngoài: " + cues
    return "national", ""


def _lead_score(m: Matches, group: str) -> float:
    """Evidence in the title and sapo only: a body names many places in passing."""
    terms = m.groups().get(group, {})
    return sum(w for f, w in terms.values() if f in ("title", "sapo"))
