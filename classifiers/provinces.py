"""Viet Nam's 34 provinces since 1 July 2025 and the provinces merged into them (provinces.yaml): the names an
office's `office.city` goes by, which the scope rules read as its city (classifiers.scope).

    table = load_provinces()
    place = table.find("tỉnh Quảng Nam")      # Placement(province=<Đà Nẵng>, former="Quảng Nam")
    place.province.terms()                    # ["Đà Nẵng", "Quảng Nam", "Hội An", "Tam Kỳ"]

The table is shipped data, read once; an office extends or overrides it in topics.yaml `scope.cities`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from classifiers.text import fold, nfc, normalize, retone
from monitor.config import load_yaml

PROVINCES_PATH = Path(__file__).resolve().with_name("provinces.yaml")
MERGER = "1/7/2025, Nghị quyết 202/2025/QH15"

# A name written with its kind matches only with it (provinces.yaml): "tỉnh Hòa Bình", "TP Vinh".
_KIND_FORMS = {"tỉnh": ("tỉnh",), "tp": ("TP", "thành phố"), "thành phố": ("TP", "thành phố")}
AT_PLACE = ("ở", "tại")  # as classifiers.scope.AT_PLACE
_KIND_RE = re.compile(r"^(tỉnh|thành phố|tp)\.?\s+(.+)$", re.I)


def expand(name: str, bare: frozenset[str] = frozenset()) -> list[str]:
    """The terms one table name is matched as: itself, or a name written with its kind in each way the kind is
    written, after "ở"/"tại", or followed by "cũ" ("TP Vinh" -> "TP Vinh", "thành phố Vinh", "ở Vinh", "tại Vinh",
    "Vinh cũ"; "TP. Vinh" and "TP.Vinh" are the same syllables, "(cũ)" the same as "cũ"). Written
    with its kind beside its bare name (place_key in `bare`: "TP Hà Nội" beside "Hà Nội"), it is kept as
    written: the bare name matches inside every kind form already."""
    m = _KIND_RE.match(name.strip())
    if not m or place_key(m.group(2)) in bare:
        return [name.strip()]
    bare_name = m.group(2).strip()
    return ([f"{k} {bare_name}" for k in _KIND_FORMS[m.group(1).lower()]]
            + [f"{at} {bare_name}" for at in AT_PLACE] + [f"{bare_name} cũ"])


def place_key(name: str) -> str:
    """A province's name as compared with office.city: without its kind word ("tỉnh", "thành phố", "TP"), a
    trailing "(cũ)", case, marks, spaces and punctuation: "TP. Hồ Chí Minh", "TPHCM", "ho chi minh" -> "hochiminh"
    ("HCM" -> "hcm", which the table's names give too)."""
    f = fold(normalize(retone(nfc(name or "")))).lower()
    f = re.sub(r"\(\s*cu\s*\)\s*$", "", f)
    compact = re.sub(r"[^0-9a-z]+", "", f)
    for prefix in ("thanhpho", "tinh", "tp"):
        if compact.startswith(prefix) and len(compact) > len(prefix):
            return compact[len(prefix):]
    return compact


def _inside(part: list[str], words: list[str]) -> bool:
    return len(part) < len(words) and any(words[i:i + len(part)] == part for i in range(len(words) - len(part) + 1))


def _expand_all(names) -> list[str]:
    bare = frozenset(place_key(n) for n in names if not _KIND_RE.match(n.strip()))
    return [t for n in names for t in expand(n, bare)]


@dataclass(frozen=True)
class Former:
    name: str
    names: tuple[str, ...]
    cities: tuple[str, ...]
    districts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Province:
    name: str
    kind: str  # "tỉnh" | "thành phố"
    names: tuple[str, ...]
    cities: tuple[str, ...] = ()
    former: tuple[Former, ...] = ()
    districts: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        return f"{self.kind} {self.name}"

    def own_terms(self) -> list[str]:
        """The province's own names (not its cities nor former provinces): what a Sở writes as its district."""
        return _expand_all(self.names or (self.name,))

    def district_terms(self) -> list[str]:
        """The terms of its former districts and those of the provinces merged into it: unlike a city of the table,
        whose name is the place's alone, one may be a commune's or a ward's elsewhere."""
        return [t for d in (self.districts, *(f.districts for f in self.former)) for t in _expand_all(d)]

    def terms(self, excluded: tuple[str, ...] = ()) -> list[str]:
        """Every term read as the province, without those `excluded` (a name, or a former province: all of its)."""
        gone = {place_key(e) for e in excluded}
        out = [*self.own_terms(), *_expand_all((*self.cities, *self.districts))]
        for f in self.former:
            if place_key(f.name) in gone:
                continue
            out += [*_expand_all((*(f.names or (f.name,)), *f.cities, *f.districts))]
        seen, kept = set(), []
        for t in out:
            written = retone(nfc(t))  # "Hoà"/"Hòa": one term, or one mention would count twice
            if written not in seen and place_key(t) not in gone:
                seen.add(written)
                kept.append(t)
        # A term holding another one of two syllables or more ("Bà Rịa - Vũng Tàu" and "Vũng Tàu") is left out: the
        # shorter matches inside it, and each mention must count once, or one "Đại học …" before it (topics.yaml
        # scope.institutions_before) would not cancel it. A one-syllable name ("Huế") does not match unmarked
        # text, so "Thừa Thiên Huế" stays for it.
        words = {t: fold(normalize(t)).split() for t in kept}
        return [t for t in kept if not any(o != t and len(words[o]) > 1 and _inside(words[o], words[t]) for o in kept)]


@dataclass(frozen=True)
class Placement:
    province: Province
    former: str | None = None  # office.city named a province merged into `province`: its name


@dataclass(frozen=True)
class ProvinceTable:
    provinces: tuple[Province, ...]
    not_city: tuple[str, ...] = ()
    school_before: tuple[str, ...] = ()
    person_before: tuple[str, ...] = ()
    # read as another province than the office's (classifiers.scope.elsewhere_entries): words before a name that
    # make it a person's given name, and the names read so only with their kind
    given_before: tuple[str, ...] = ()
    elsewhere_with_kind: tuple[str, ...] = ()

    def find(self, city: str) -> Placement | None:
        """The province office.city names, by its name or another one it goes by, with or without "tỉnh"/"thành
        phố"/"TP", with or without diacritics; a former province gives the one it was merged into."""
        key = place_key(city)
        if not key:
            return None
        for p in self.provinces:
            if key in {place_key(n) for n in (p.name, *p.names)}:
                return Placement(p)
        for p in self.provinces:
            for f in p.former:
                if key in {place_key(n) for n in (f.name, *f.names)}:
                    return Placement(p, f.name)
        return None


EMPTY = ProvinceTable(())


# A former district written with its kind: "huyện Núi Thành", "thị xã Điện Bàn", "quận Ngô Quyền".
DISTRICT_KINDS = ("quận", "huyện", "thị xã", "đặc khu")


def district_key(name: str) -> str:
    """A former district's name without its kind, as place_key: "huyện Châu Thành" -> "chauthanh"."""
    low = normalize(retone(nfc(name))).strip()
    for kind in DISTRICT_KINDS:
        if low.startswith(kind + " "):
            return place_key(name.strip()[len(kind) + 1:])
    return place_key(name)


def _check_districts(path, provinces: list[Province]) -> None:
    """A district's name belongs to one province: a name that several provinces had (Châu Thành, Tân Phú) would
    read one province's story as another's, so the table leaves it out (provinces.yaml), and shipped data that
    lists one twice is an error rather than a silent misreading."""
    where: dict[str, set[str]] = {}
    for p in provinces:
        for d in (*p.districts, *(d for f in p.former for d in f.districts)):
            where.setdefault(district_key(d), set()).add(p.name)
    twice = sorted(k for k, ps in where.items() if len(ps) > 1)
    if twice:
        raise ValueError(f"{path}: districts listed under several provinces (a shared name is left out): "
                         f"{', '.join(twice)}")


@lru_cache(maxsize=4)
def load_provinces(path: Path = PROVINCES_PATH) -> ProvinceTable:
    data, duplicates = load_yaml(Path(path).read_text(encoding="utf-8"))
    if duplicates:  # shipped data: a province written twice would lose its first entry without a word
        raise ValueError(f"{path}: keys written twice: {', '.join(map(str, duplicates))}")
    data = data or {}
    provinces = []
    for name, p in (data.get("provinces") or {}).items():
        p = p or {}
        former = tuple(Former(str(fn), tuple(f.get("names") or ()), tuple(f.get("cities") or ()),
                              tuple(f.get("districts") or ()))
                       for fn, f in ((k, v or {}) for k, v in (p.get("former") or {}).items()))
        provinces.append(Province(str(name), p.get("kind", "tỉnh"), tuple(p.get("names") or ()),
                                  tuple(p.get("cities") or ()), former, tuple(p.get("districts") or ())))
    _check_districts(path, provinces)
    return ProvinceTable(tuple(provinces), tuple(data.get("not_city") or ()), tuple(data.get("school_before") or ()),
                         tuple(data.get("person_before") or ()), tuple(data.get("given_before") or ()),
                         tuple(data.get("elsewhere_with_kind") or ()))
