"""Where a story happens, judged against the office: local, city, national or foreign.

local   = the office's district named as a district ("quận Long Biên"), one of its wards or communes named as
          such ("phường Sài Đồng", "P. Sài Đồng", "xã Kiêu Kỵ", "thị trấn Trâu Quỳ", "TT. Trâu Quỳ": the kind the
          watchlist entry is written with, or else the kinds the office's area has, see `ward_kinds`; alone when
          the city's list names it too), a watchlist school or
          other watchlist name. The bare district name also counts, except in a
          fixed phrase where it names something else ("cầu Long Biên" is a bridge). A watchlist name or a ward
          (not the district itself) is a namesake where the story is placed in another province of
          classifiers/provinces.yaml and names none of the office's own district or city: "THPT Cao Bá Quát (Đắk
          Lắk)" (placed_elsewhere, ABLATIONS round 17).
city    = the office's city or one of its other districts/wards, named in the title or
          sapo: a page body names the capital in passing ("a teacher in Hà Nội says…"), and read there it made 43
          of 382 national stories "city" (ABLATIONS round 14). The body's first 60 syllables still make a story
          local (BODY_LOCAL_SYLLABLES, round 15), and the whole body makes it local or city when there is no
          title or sapo (classify.Classifier._one). A Sở, whose district is its city (README), has no
          district below the city: its city is read as "city" (which is its own area,
          monitor.config.Office.own_scopes), from the body too, and only its watchlist is "local".
          The city's names: those of its province in classifiers/provinces.yaml (the 34 since 1 July 2025, with
          the provinces merged into each and their best-known cities: city_names), and topics.yaml scope.cities,
          which the office edits (`aliases`, `districts`, and `exclude` to leave out names of the table). A
          place below the province (a former district of the table, a topics.yaml district: `city_places`) is a
          namesake where the story is placed in another province and names nothing only the office's province
          is called ("xã Sơn Tây, tỉnh Quảng Ngãi" is not Hà Nội's Sơn Tây: city_namesake).
foreign = the foreign model's score over its cross-validated threshold (it reads the whole text, with the
          weighted foreign cues of topics.yaml as evidence); without models, those cues in the title and
          sapo adding up to 1 and outweighing the Vietnamese places named there.
national otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial

from classifiers.provinces import MERGER, Placement, ProvinceTable, expand, load_provinces, place_key
from classifiers.rules import FIELDS, LazyTerms, Matches, Prepared, RuleSet, load_rules, prepare
from classifiers.text import fold, nfc, normalize, retone, syllables


@dataclass(frozen=True)
class OfficePlaces:
    district: str
    city: str
    wards: tuple[str, ...] = ()  # as the watchlist writes them: "Sài Đồng", or with their kind, "xã Kiêu Kỵ"
    names: tuple[str, ...] = ()  # schools, officials, other watchlist names
    # the kinds of ward a bare watchlist entry is read as (WARD_KINDS): those of the office's area
    ward_kinds: tuple[str, ...] = ("phường", "xã", "thị trấn")
    # what office.city is, the word a "city" scope's reason opens with: "tỉnh" for a province, "thành phố" for a
    # centrally-run city (office_city_kind)
    city_kind: str = "thành phố"


def office_places(office) -> OfficePlaces:
    """From monitor.config.Office or classifiers.types.OfficeContext (duck-typed: no import of monitor)."""
    wl = getattr(office, "watchlist", ())
    if hasattr(wl, "wards"):
        wards = tuple(wl.wards)
        names = tuple(wl.schools) + tuple(wl.officials) + tuple(wl.other)
    else:
        wards, names = (), tuple(wl or ())
    return OfficePlaces(district=office.district, city=office.city, wards=wards, names=names,
                        ward_kinds=ward_kinds(getattr(office, "area", ""), getattr(office, "is_department", False)),
                        city_kind=office_city_kind(office))


def office_city_kind(office, table: ProvinceTable | None = None) -> str:
    """"tỉnh" or "thành phố": what the office calls its city, as its listings name the "city" scope
    (monitor.config.Office.city_kind); for an office without one (classifiers.types.OfficeContext), its province's
    kind in `table` (default: the shipped one), "thành phố" when the table does not know it."""
    kind = getattr(office, "city_kind", None)
    if kind:
        return kind
    placement = (load_provinces() if table is None else table).find(office.city)
    return placement.province.kind if placement else "thành phố"


# How a ward, commune or township is written before its name: "phường Sài Đồng", "P. Sài Đồng", "P.Sài Đồng"
# (the same syllables), "xã Kiêu Kỵ", "X. Kiêu Kỵ", "thị trấn Trâu Quỳ", "TT. Trâu Quỳ". Each is a prefix of
# the watchlist name, so only that name makes it local: a common word such as "xa" (far, in unmarked text) or
# "TT" (trung tâm, thông tư) says nothing alone. Kind word -> its abbreviation.
WARD_KINDS = {"phường": "P.", "xã": "X.", "thị trấn": "TT."}
# The wards an area has, by the kind its name starts with (monitor.config.Office.area): a quận's are phường, a
# huyện's xã and thị trấn; a thị xã or a provincial city has both, and so has a Sở's province. A bare watchlist
# name is read after those kinds only: "Đức Giang" of Long Biên (a quận) is "phường Đức Giang", and "xã Đức
# Giang" is Hoài Đức's commune, not the office's.
AREA_WARD_KINDS = (("thị xã", tuple(WARD_KINDS)), ("thị trấn", ("xã", "thị trấn")), ("quận", ("phường",)),
                   ("phường", ("phường",)), ("huyện", ("xã", "thị trấn")), ("xã", ("xã", "thị trấn")))
# Other kinds of area a watchlist entry may name ("thị xã Sơn Tây"): the entry is matched as written.
OTHER_AREA_KINDS = ("quận", "huyện", "thị xã", "thành phố", "đặc khu")
# "xã hội" (society), "xã luận" (an editorial), "phường hội" (a guild): a ward whose name starts with "Hội" or
# "Luận" is named in lowercase text only by its capitals ("môi trường xã hội an toàn" is no "xã Hội An").
COMMON_AFTER_KIND = {"xã": frozenset({"hội", "hoi", "luận", "luan", "viên", "vien"}), "phường": frozenset({"hội", "hoi"})}


def ward_kinds(area: str, department: bool = False) -> tuple[str, ...]:
    """The kinds of ward on an office's area ("quận Long Biên" -> phường); all of them for a Sở, or when the
    area's kind is not known (the office's name does not say it)."""
    a = normalize(area or "").strip()
    if not department:
        for kind, kinds in AREA_WARD_KINDS:
            if a.startswith(kind + " "):
                return kinds
    return tuple(WARD_KINDS)


def ward_entry(entry: str, kinds: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """(name, kinds) of a watchlist ward: "xã Kiêu Kỵ" or "X. Kiêu Kỵ" -> ("Kiêu Kỵ", ("xã",)); a bare name gets
    the office's `kinds`; an entry naming another kind of area ("thị xã Sơn Tây") -> (entry, ())."""
    e = retone(nfc(" ".join(entry.split())))
    low = e.lower()
    for kind, abbr in WARD_KINDS.items():
        for written in (kind + " ", abbr.lower()):
            if low.startswith(written):
                name = e[len(written):].strip()
                if name:
                    return name, (kind,)
    if any(low.startswith(k + " ") for k in OTHER_AREA_KINDS):
        return e, ()
    return e, kinds


# Words after which a lowercase name is a place: "ở long biên". The bare name lowercase is not enough, as a
# district's name may be a common word ("thanh xuân" is youth).
AT_PLACE = ("ở", "tại")


@dataclass(frozen=True)
class CityNames:
    """What the office's city is read as: its province in the shipped table (classifiers/provinces.yaml), when
    office.city names one, and its entry in topics.yaml scope.cities, which the office edits."""
    placement: Placement | None
    cfg: dict  # the topics.yaml scope.cities entry ({} when none applies)
    aliases: list[str]  # every name read as the city: the table's (else office.city itself), the entry's `aliases`
    own: frozenset[str]  # the city's own names, folded: a Sở writes one of them as its district
    not_city: tuple[str, ...]  # phrases naming something else with one of `aliases` in them (a school, a person)
    # the `aliases` naming a former district of the table, not the province itself, one merged into it or a city
    # (whose name is the place's alone, provinces.yaml): a commune or a ward elsewhere may have it (city_namesake)
    places: frozenset[str] = frozenset()


def city_names(rules: RuleSet, places: OfficePlaces, table: ProvinceTable | None = None) -> CityNames:
    """The office's city as the scope rules read it: the names of its province in `table` (default: the
    shipped one), its former provinces and their cities included, plus topics.yaml scope.cities' `aliases`
    (and `districts`, read by build_scope_index); the entry's `exclude` leaves out names of the table (a former
    province's name leaves out all of its names)."""
    table = load_provinces() if table is None else table
    placement = table.find(places.city)
    wanted = [places.city] + ([placement.province.name] if placement else [])
    city_key = next((k for k in rules.scope.cities for c in wanted if fold(normalize(k)) in fold(normalize(c))
                     or fold(normalize(c)) in fold(normalize(k))), None)
    city_cfg = rules.scope.cities.get(city_key, {}) if city_key else {}
    excluded = tuple(city_cfg.get("exclude") or ())
    from_table = placement.province.terms(excluded) if placement else []
    # office.city as written ("tỉnh Quảng Nam") only when the table does not know it: beside the table's "Quảng
    # Nam" it would count one mention twice
    aliases = sorted({*(from_table if placement else (places.city,)), *city_cfg.get("aliases", ())})
    own = {places.city, *city_cfg.get("aliases", ())}
    if placement:
        own.update(placement.province.own_terms())
        own.update(n for f in placement.province.former if f.name == placement.former for n in (f.name, *f.names))
    folded = [fold(normalize(a)).split() for a in aliases if a]
    not_city = tuple(p for p in table.not_city if any(_contains(fold(normalize(p)).split(), a) for a in folded))
    # the table's own names (not those topics.yaml gives, Hà Nội's all) after a school's kind name a school, after
    # a family name a person
    only_table = [t for t in from_table if t not in set(city_cfg.get("aliases", ()))]
    not_city += tuple(f"{w} {t}" for t in only_table for w in (*table.school_before, *table.person_before))
    below = {retone(nfc(t)) for t in placement.province.district_terms()} if placement else set()
    places_ = frozenset(t for t in only_table if retone(nfc(t)) in below)
    return CityNames(placement, city_cfg, aliases, frozenset(fold(normalize(a)) for a in own if a), not_city, places_)


def _contains(words: list[str], part: list[str]) -> bool:
    return any(words[i:i + len(part)] == part for i in range(len(words) - len(part) + 1))


def city_reading(rules: RuleSet, office, table: ProvinceTable | None = None) -> tuple[str, str | None]:
    """(what the office's city is read as, a warning or None), for `monitor config check`: the province office.city
    was placed in, the names read as the city, and, when office.city names a former province or none of the
    table's, what that means and what to write."""
    table = load_provinces() if table is None else table
    places = office_places(office)
    names = city_names(rules, places, table)
    city = places.city.strip()
    # the forms a name written with its kind is also matched in ("tại Vinh", "ở Vinh", "Vinh cũ") are how it is
    # read, not names an office would recognise as a list of its places: "TP Vinh" stands for them
    shown = [a for a in names.aliases if a and not a.startswith(("tại ", "ở ")) and not a.endswith(" cũ")]
    districts = [d for d in names.cfg.get("districts", ()) if normalize(d) != normalize(places.district)]
    more = f", và {len(districts)} địa danh của topics.yaml scope.cities" if districts else ""
    area = "; là Sở: cả tỉnh, thành là địa bàn của đơn vị" if city_is_area(rules, places, table) else ""
    p = names.placement
    where = (f"office.city {city} là {p.province.full_name} (classifiers/provinces.yaml)" if p
             else f"office.city {city} không là tỉnh, thành nào trong 34 tỉnh, thành của classifiers/provinces.yaml")
    line = f"Phạm vi: {where}; các tên được đọc là tỉnh, thành của đơn vị: {', '.join(shown)}{more}{area}"
    if p is None:
        return line, (f"office.city {city} không là tỉnh, thành nào trong 34 tỉnh, thành từ 1/7/2025 "
                      "(classifiers/provinces.yaml, tên có hoặc không có tỉnh/thành phố, có hoặc không dấu): chỉ các tên "
                      "trên mới làm một tin thành `city`; kiểm tra chính tả, hoặc ghi các tên khác của tỉnh, thành vào "
                      "topics.yaml scope.cities")
    if p.former:
        return line, (f"office.city {city} là tỉnh cũ, đã sáp nhập vào {p.province.full_name} ({MERGER}): cả "
                      f"{p.province.name} được đọc là tỉnh, thành của đơn vị; ghi city: {p.province.name}"
                      f"{f' (và district: {p.province.name})' if area else ''} cho đúng")
    return line, None


def city_is_area(rules: RuleSet, places: OfficePlaces, table: ProvinceTable | None = None) -> bool:
    """Whether the office's district is its city (a Sở): its whole city is its own area. The city's own names
    only: a Phòng of "Hội An" in Đà Nẵng is no Sở, though Hội An is read as its city."""
    d = places.district.strip()
    return bool(d) and fold(normalize(d)) in city_names(rules, places, table).own


def build_scope_index(rules: RuleSet, places: OfficePlaces, table: ProvinceTable | None = None, elsewhere: bool = True,
                      rules_too: bool = True):
    """The office's place names as scope entries (local, city and their exceptions), and with `elsewhere` the other
    provinces' (elsewhere_entries), beside the rules' own terms unless not `rules_too` (WatchlistReader reads the
    places alone); `table`: the provinces (default: the shipped classifiers/provinces.yaml). The index's
    `district_terms` are the terms naming the office's district itself, which no other place overrides; its
    `watchlist_terms`, the watchlist entries each local term names (watchlist_named)."""
    table = load_provinces() if table is None else table
    entries: list[tuple[str, str, float]] = []
    named: dict[str, list[str]] = {}  # term -> the watchlist entries it names

    def naming(new: list[tuple[str, str, float]], entry: str) -> list[tuple[str, str, float]]:
        for _, term, _ in new:
            named.setdefault(term, []).append(entry)
        return new
    kinds = places.ward_kinds
    names = city_names(rules, places, table)
    city_cfg, aliases = names.cfg, names.aliases
    d = places.district.strip()
    if city_is_area(rules, places, table):
        # A Sở gives its city as its district too (README): there is no district below the city, the whole city
        # is its area. The city is then read as the city, with the exceptions its entries carry (an institution
        # named after it), whatever name it goes by; read as a district, every "Hà Nội" was local and "Thủ đô"
        # city, "Đại học Y Hà Nội" and "TT. Hà Nội" local. Lowercase after "ở/tại" it still names the city.
        d = ""
        entries += [("city", f"{prefix} {places.city.strip().lower()}", 1.0) for prefix in AT_PLACE]
    if d:
        start = len(entries)
        for prefix in ("quận", "huyện", "thị xã", "Q.", "Phòng GD&ĐT", "Phòng Giáo dục và Đào tạo"):
            entries.append(("local", f"{prefix} {d}", 1.0))
        entries += _ward_entries(d, kinds)  # a commune's office since 2025: "xã Bát Tràng"
        # the name is capitalised, so only capitalised text matches it; a writer who typed it in lowercase
        # still names the place after an administrative word or "ở/tại" (a lowercase term matches any case)
        for prefix in ("quận", "huyện", "thị xã", *AT_PLACE):
            entries.append(("local-lower", f"{prefix} {d.lower()}", 1.0))
        entries.append(("district-bare", d, 1.0))
        for word in rules.scope.not_local_alone:
            entries.append(("not-local", f"{word} {d}", 1.0))
        # a watchlist ward that is the district's own name ("Long Biên") is named by the district's terms
        for w in places.wards:
            if w and normalize(w) == normalize(d):
                naming([e for e in entries[start:] if e[0] != "not-local"], w)
    district_terms = frozenset(t for g, t, _ in entries if g in LOCAL_GROUPS)
    city_places = set(names.places)
    wards: dict[str, tuple[str, ...]] = {}  # normalised name -> the kinds it is a ward of
    ward_names: dict[str, list[str]] = {}  # normalised name -> the watchlist entries naming it
    for w in places.wards:
        if not w or not w.strip():
            continue
        name, its_kinds = ward_entry(w, kinds)
        if not its_kinds:
            entries += naming([("local", name, 1.0)], w)
        elif normalize(name) != normalize(d):
            wards[normalize(name)] = its_kinds
            ward_names.setdefault(normalize(name), []).append(w)
            entries += naming(_ward_entries(name, its_kinds), w)
    for n in places.names:
        if n:
            entries += naming([("local", n, 1.0)], n)
    for alias in aliases:
        if alias:
            entries.append(("city", alias, 1.0))
            for word in rules.scope.institutions_before:
                entries.append(("not-city", f"{word} {alias}", 1.0))
            for word in rules.scope.institutions_after:
                entries.append(("not-city", f"{alias} {word}", 1.0))
    entries += [("not-city", phrase, 1.0) for phrase in names.not_city]
    for district in city_cfg.get("districts", ()):
        if normalize(district) == normalize(d):
            continue
        # The city's list names some of the office's own wards (Việt Hưng, Bồ Đề in Hà Nội's): named alone
        # they are the office's place first, so local, as the district's bare name is. Only capitalised:
        # unmarked and lowercase, "bo de" is "bộ đề" (a set of exam papers), "phuc loi" welfare.
        its_kinds = wards.get(normalize(district))
        if its_kinds is None:
            entries.append(("city", district, 1.0))
            city_places.add(district)
            continue
        entries.append(("ward-bare", district, 1.0))
        for w in ward_names[normalize(district)]:
            named.setdefault(district, []).append(w)
        # ...but not where another kind names a namesake elsewhere: "xã Bồ Đề" of Hà Nam is not phường Bồ Đề
        for kind, abbr in WARD_KINDS.items():
            if kind not in its_kinds:
                entries += [("ward-elsewhere", f"{kind} {district}", 1.0), ("ward-elsewhere", f"{abbr} {district}", 1.0)]
    guards: list[tuple[str, list[tuple[str, str, float]]]] = []
    if elsewhere:
        other, guards = elsewhere_entries(rules, places, names, table)
        entries += other
    idx = rules.index_with(entries, cased_only=("ward-bare", "local-cased"), rules_too=rules_too)
    # The guards are some 11,000 phrases (each other province's names times the words of a school, a person or an
    # institution): indexing them took most of the index's build, 0.2 s of every classifier process's start, while
    # only placed_elsewhere reads them, for a dozen texts a year (a local name and another province's). Those texts
    # alone are matched against them, and against those of the provinces they may name only (LazyTerms).
    if guards:
        idx.lazy = LazyTerms(rules, guards, partial(_needs_guards, frozenset(city_places)))
    idx.district_terms = district_terms
    idx.city_places = frozenset(city_places)
    idx.watchlist_terms = {t: tuple(dict.fromkeys(e)) for t, e in named.items()}
    idx.watchlist = tuple(dict.fromkeys(w for w in (*places.wards, *places.names) if w and w.strip()))
    return idx


def _needs_guards(city_places: frozenset[str], hits: list) -> bool:
    """Whether placed_elsewhere may read these hits (judge_scope, watchlist_named: a local name, or a place of the
    city's `city_places`, and another province's), so their "not-elsewhere" guards must be among them."""
    return any(h.group == "elsewhere" for h in hits) and any(
        h.group in LOCAL_GROUPS or (h.group == "city" and h.term in city_places) for h in hits)


# The first words of a table term written with its kind or place word ("tỉnh Hòa Bình", "ở Vinh"): no school or
# person is named so, so such terms get no guard
_KINDED = ("tỉnh", "thành phố", "tp", "tp.", "ở", "tại", "quận", "huyện", "thị xã", "đặc khu")


def name_guards(rules: RuleSet, table: ProvinceTable, terms, group: str
                ) -> list[tuple[str, list[tuple[str, str, float]]]]:
    """The phrases in which each of a province's `terms` names no place, as LazyTerms groups of `group` (a term with
    its phrases): after a school's kind or a family name (the table's school_before, person_before), a given name's
    word (given_before: "cô Khánh Hòa"), or the words topics.yaml scope.institutions_before/after name an
    institution with ("Đại học Đà Nẵng"). A term written with its kind ("tỉnh Hòa Bình") has none."""
    before = (*table.school_before, *table.person_before, *table.given_before, *rules.scope.institutions_before)
    return [(t, [(group, f"{w} {t}", 1.0) for w in before] + [(group, f"{t} {w}", 1.0) for w in rules.scope.institutions_after])
            for t in terms if not t.lower().startswith(tuple(k + " " for k in _KINDED))]


def elsewhere_entries(rules: RuleSet, places: OfficePlaces, names: CityNames, table: ProvinceTable
                      ) -> tuple[list[tuple[str, str, float]], list[tuple[str, list[tuple[str, str, float]]]]]:
    """The names of every province of `table` but the office's own (its former provinces and cities included):
    named where a story is read for its place (LEAD_FIELDS and the body's lead), and with none of the office's own
    district or city, they place the story in another province, so that a watchlist school or a ward alone does
    not make it local (judge_scope): "THPT Cao Bá Quát (Đắk Lắk)" is a namesake. Each comes with its guards, as
    "not-elsewhere": after a school's kind or a family name (the table's school_before, person_before), a given
    name's word (given_before: "cô Khánh Hòa"), or the words topics.yaml scope.institutions_before/after name an
    institution with ("Đại học Đà Nẵng": a school of the office's may send pupils there), the table's not_city
    phrases, and a watchlist entry holding the name. The office's own names (its city's, its district's, its
    wards' and watchlist's) are never another province's. -> (the "elsewhere" entries, the guards as LazyTerms
    groups: each name with its guards, each phrase alone)."""
    own_province = names.placement.province if names.placement else None
    own = {place_key(n) for n in (*names.aliases, *names.cfg.get("districts", ()), places.district, places.city,
                                  *places.wards, *places.names) if n}
    with_kind = {place_key(n) for n in table.elsewhere_with_kind}
    terms: dict[str, str] = {}  # "Hòa"/"Hoà", "Thành phố"/"thành phố" once (not folded: "Đăk Lăk" is another spelling)
    for p in table.provinces:
        if p is own_province:
            continue
        for t in p.terms():
            if place_key(t) in own:
                continue
            for written in (expand(f"thành phố {t}") if place_key(t) in with_kind else (t,)):
                terms.setdefault(normalize(written), written)
    entries = [("elsewhere", t, 1.0) for t in terms.values()]
    guards = name_guards(rules, table, terms.values(), "not-elsewhere")
    folded = [fold(normalize(k)).split() for k in terms]
    for phrase in (*table.not_city, *places.names, *(w for w in places.wards if w)):
        if any(_contains(fold(normalize(phrase)).split(), f) for f in folded):
            guards.append((phrase, [("not-elsewhere", phrase, 1.0)]))
    return entries, guards


# The provinces an article names, whatever the office (story grouping: monitor.stories). Same-template news of
# different provinces (each one's exam plan, tuition decision, school-year opening) is worded alike, and the
# grouping had joined "Đà Nẵng công bố phương án tuyển sinh lớp 10" with Hà Nội's; a story on the office's area
# then carried the other province's articles into its report, alerts and clipping.
PROVINCE_GROUP = "in:"


class ProvincesNamed:
    """Reads which provinces of `table` (the shipped classifiers/provinces.yaml) a text names: each by any name it
    goes by ("Hà Nội", "Thủ đô"), its former provinces and their cities as the province they were merged into
    ("Hội An", "Quảng Nam" -> Đà Nẵng), with elsewhere_entries' guards (a school's kind, a family name, a given
    name's word, an institution's words of `rules`, the table's not_city phrases; "Hồ Chí Minh" only with its
    kind). An office-free reading: every province, the office's own included."""

    def __init__(self, rules: RuleSet, table: ProvinceTable) -> None:
        self.rules = rules
        with_kind = {place_key(n) for n in table.elsewhere_with_kind}
        entries: list[tuple[str, str, float]] = []
        guarded: list[str] = []
        for p in table.provinces:
            for t in p.terms():
                for written in (expand(f"thành phố {t}") if place_key(t) in with_kind else (t,)):
                    entries.append((PROVINCE_GROUP + p.name, written, 1.0))
                guarded.append(t)
        # the guards in the index itself: unlike scope's (build_scope_index), they are read for most texts, since most
        # name a province, and LazyTerms' small indexes built per text were 18 times slower than this one built once
        guards = name_guards(rules, table, guarded, "not-in")
        entries += [e for _, phrases in guards for e in phrases] + [("not-in", phrase, 1.0) for phrase in table.not_city]
        self.index = rules.index_with(entries, rules_too=False)
        self.name_words = frozenset(w.lower() for w in (*table.person_before, *table.given_before))

    def __call__(self, text: str) -> frozenset[str]:
        prepared = prepare(text)
        hits = self.rules.match_prepared([("title", prepared)], self.index).hits
        guards = [(h.at, h.at + _length(h.term)) for h in hits if h.group == "not-in"]
        return frozenset(h.group[len(PROVINCE_GROUP):] for h in hits if h.group.startswith(PROVINCE_GROUP)
                         and not any(a <= h.at < b for a, b in guards) and not self._given_name(prepared, h.at))

    def _given_name(self, p: Prepared, at: int) -> bool:
        """A name ending a person's two-syllable given name: "bà Đỗ Thị Hồng Huế", "em Lê Văn Hải Dương" (the
        guards above hold one word before a name: "Thị Huế")."""
        return (at >= 2 and at not in p.breaks and at - 1 not in p.breaks and p.cased[at - 1][:1].isupper()
                and p.lowered[at - 2] in self.name_words)


@lru_cache(maxsize=1)
def _shipped_reader() -> ProvincesNamed:
    return ProvincesNamed(load_rules(), load_provinces())


@lru_cache(maxsize=16384)
def provinces_named(text: str) -> frozenset[str]:
    """The provinces (their names in classifiers/provinces.yaml) a text names, read with the shipped rules'
    institution words (ProvincesNamed). Story grouping asks it of each title + sapo, once as a query and once
    as it is indexed."""
    return _shipped_reader()(text)


def _ward_entries(name: str, kinds: tuple[str, ...]) -> list[tuple[str, str, float]]:
    """The terms naming ward `name` as one of `kinds`: "phường Sài Đồng", "P. Sài Đồng", and in lowercase
    "phường sài đồng" unless the kind and the name's first syllable make a common word (COMMON_AFTER_KIND)."""
    out = []
    first = normalize(name).split()[0] if name.split() else ""
    for kind in kinds:
        common = first in COMMON_AFTER_KIND.get(kind, ()) or fold(first) in COMMON_AFTER_KIND.get(kind, ())
        out.append(("local-cased" if common else "local", f"{kind} {name}", 1.0))
        out.append(("local", f"{WARD_KINDS[kind]} {name}", 1.0))
        if not common:
            out.append(("local-lower", f"{kind} {name.lower()}", 1.0))
    return out


# The office's places count in the body's first syllables only: named past them they made 36 false "local" calls
# and no right one on the hand-labelled bodies of data/scope/local-bodies.jsonl (a national story quoting a teacher
# of a watchlist school, a chain's list of branch addresses, a person or a firm sharing a ward's name), while a
# story of the district places itself in its title, sapo or lead. 30 syllables did as well there (one false
# "local" fewer), but a page's lead may open with a dateline or a line of boilerplate; 120 kept 9 more false ones.
# ABLATIONS round 15, bench/scope_local.py.
BODY_LOCAL_SYLLABLES = 60
LOCAL_GROUPS = frozenset({"local", "local-cased", "local-lower", "ward-bare", "ward-elsewhere", "district-bare", "not-local"})


def judge_scope(m: Matches, foreign_score: float | None = None, foreign_threshold: float = 0.5,
                body_city: bool = False, whole_body: bool = False,
                district_terms: frozenset[str] | None = None,
                city_places: frozenset[str] | None = None, city_kind: str = "thành phố") -> tuple[str, str]:
    """(scope, reason) from the matches of the rules plus the office's scope index, and the foreign model's
    score when there is one (without it, the weighted foreign cues of the rules decide). The body's lead
    (BODY_LOCAL_SYLLABLES) may make a story local, the whole body with whole_body (an item that has no title or
    sapo); the body makes one city only with body_city (a Sở's, whose city is its own area: city_is_area; or an
    item that has no title or sapo). With `district_terms` (the index's: build_scope_index), a watchlist name or
    a ward, but not the district itself, is a namesake where the story is placed in another province
    (placed_elsewhere); None: every local name stands. With `city_places` (the index's), a place of the city
    below its province ("Sơn Tây") is a namesake so too, unless the province itself is named (city_namesake).
    A "city" reason opens with `city_kind` (OfficePlaces.city_kind): "tỉnh: Quy Nhơn (title)" for a province's
    office."""
    lm = _lead(m, whole_body)
    # a lowercase term matches capitalised text too: its reasons only when the name is in lowercase alone
    bare_ward = lm.terms("ward-bare") if _bare_ward_stands(lm) else []
    local = lm.terms("local") or lm.terms("local-cased") or lm.terms("local-lower") or bare_ward
    namesake = ""
    if local and district_terms is not None:
        where = _namesake_of(m, lm, whole_body, district_terms)
        if where:
            namesake = f"trùng tên ở nơi khác: {', '.join(local[:2])} — {', '.join(where[:2])}"
            local = []
    if local:
        return "local", "địa bàn: " + ", ".join(local[:3])
    if _district_bare_stands(lm):
        return "local", "địa bàn: " + ", ".join(lm.terms("district-bare")[:2])
    scope, reason = _beyond_district(m, foreign_score, foreign_threshold, body_city, whole_body, city_places, city_kind)
    if namesake:
        reason = f"{reason}; {namesake}" if reason else namesake
    return scope, reason


def _lead(m: Matches, whole_body: bool) -> Matches:
    """The hits local is read from: the office's places past the body's lead left out, unless `whole_body`."""
    def past_lead(h) -> bool:
        return h.field == "body" and h.group in LOCAL_GROUPS and h.at >= BODY_LOCAL_SYLLABLES

    # built again only when something is left out: most items (every RSS item) name no place past the lead
    return m if whole_body or not any(past_lead(h) for h in m.hits) else \
        Matches([h for h in m.hits if not past_lead(h)], m.field_weights)


def _bare_ward_stands(lm: Matches) -> bool:
    """A ward the city's list names too, alone ("Bồ Đề"), counts unless named as often after another kind
    ("xã Bồ Đề" of Hà Nam)."""
    return lm.count("ward-bare") > lm.count("ward-elsewhere")


def _district_bare_stands(lm: Matches) -> bool:
    """The district's bare name counts unless named as often in a fixed phrase naming something else ("cầu Long
    Biên")."""
    return lm.count("district-bare") > lm.count("not-local")


def _namesake_of(m: Matches, lm: Matches, whole_body: bool, district_terms: frozenset[str]) -> list[str]:
    """The other provinces that make the local names of `lm` a namesake's (placed_elsewhere), none when the
    district's own names are there: no other place is so named, and its bare name, or "cầu Long Biên", names the
    office's place too."""
    if not m.has("elsewhere") or any(h.group in LOCAL_GROUPS and h.term in district_terms for h in lm.hits):
        return []
    return placed_elsewhere(m, whole_body)


def watchlist_named(m: Matches, index, whole_body: bool = False) -> list[str]:
    """The office's watchlist entries `m` names as judge_scope reads the office's places (`index`: build_scope_index's,
    whose terms `m` was matched with), in the order the watchlist lists them: a ward after the kinds its entry is
    read with (ward_entry: "phường Hải Châu" not in "quận Hải Châu (cũ)"), alone only where the city's list names it
    too; the district's own entry as the district is read ("cầu Long Biên" is a bridge); none of a namesake
    placed in another province. Triage's locality and its reason ("Tin trên địa bàn: …") read these, so they say of
    a text what its scope says."""
    lm = _lead(m, whole_body)
    read = {"local", "local-cased", "local-lower"} | ({"ward-bare"} if _bare_ward_stands(lm) else set())
    hits = [h for h in lm.hits if h.group in read]
    if hits and _namesake_of(m, lm, whole_body, index.district_terms):
        hits = []
    if _district_bare_stands(lm):
        hits += [h for h in lm.hits if h.group == "district-bare"]
    named = {e for h in hits for e in index.watchlist_terms.get(h.term, ())}
    return [e for e in index.watchlist if e in named]


class WatchlistReader:
    """watchlist_named of short texts (a story's titles and sapos), by the office's places alone: the rules' own
    terms are no part of it."""

    def __init__(self, rules: RuleSet, places: OfficePlaces, table: ProvinceTable | None = None) -> None:
        self.rules = rules
        self.index = build_scope_index(rules, places, table, rules_too=False)

    def named(self, title: str, sapo: str = "") -> list[str]:
        m = self.rules.match_fields([("title", title), ("sapo", sapo)], self.index)
        return watchlist_named(m, self.index)


@lru_cache(maxsize=16)
def watchlist_reader(rules: RuleSet, places: OfficePlaces) -> WatchlistReader:
    """The office's WatchlistReader, built once (each story's rescoring reads every member)."""
    return WatchlistReader(rules, places)


def city_namesake(m: Matches, fields: tuple[str, ...], whole_body: bool, city_places: frozenset[str]
                  ) -> tuple[list[str], list[str]]:
    """(the city's names in `fields`, the other provinces that make them a namesake's): none unless each name is
    one of `city_places` (a place below the province: Hà Nội's "Sơn Tây" is a commune of Quảng Ngãi too) and the
    story is placed in another province (placed_elsewhere, these names aside), naming nothing that is only the
    office's province ("Hà Nội", "Thủ đô"; an institution's "Đại học Y Hà Nội" is none)."""
    named = _uncovered([h for h in m.hits if h.field in fields], "city", "not-city")
    if not named or any(h.term not in city_places for h in named):
        return [], []
    first = {h.term: h.field for h in reversed(named)}  # each name once, where first named (the title before the sapo)
    return [f"{t} ({f})" for t, f in sorted(first.items(), key=lambda tf: FIELDS.index(tf[1]))], \
        placed_elsewhere(m, whole_body, city_places)


def placed_elsewhere(m: Matches, whole_body: bool = False, city_places: frozenset[str] = frozenset()) -> list[str]:
    """The other provinces (build_scope_index's "elsewhere" terms) where the story is placed, as 'term (field)':
    named where its local evidence counts (the title, the sapo, the body's lead; the whole body with whole_body),
    each mention not part of a guard phrase ("THCS Bình Thuận", "cô Khánh Hòa"); none when the office's own city
    is named there too (a school of the office's in a contest elsewhere: "học sinh Hà Nội … tại Đà Nẵng"), as
    "city" not cancelled by "not-city" (but for the places of `city_places`), or the district's bare name. An
    office's story is rarely placed in another province without naming its own; a namesake's is (ABLATIONS round
    17)."""
    def read(h) -> bool:
        return h.field != "body" or whole_body or h.at < BODY_LOCAL_SYLLABLES

    hits = [h for h in m.hits if read(h)]
    if (any(h.term not in city_places for h in _uncovered(hits, "city", "not-city"))
            or any(h.group in ("district-bare", "not-local") for h in hits)):
        return []
    # one name per mention: "TP.HCM" is also matched as "TP HCM"
    first = {(h.field, h.at): h for h in reversed(_uncovered(hits, "elsewhere", "not-elsewhere"))}
    ordered = sorted(first.values(), key=lambda h: (FIELDS.index(h.field), h.at))
    return list(dict.fromkeys(f"{h.term} ({h.field})" for h in ordered))


def _uncovered(hits: list, group: str, guard: str) -> list:
    """The hits of `group` no hit of `guard` spans (a guard phrase holds its term: "Đại học Đà Nẵng")."""
    guards = [(h.field, h.at, h.at + _length(h.term)) for h in hits if h.group == guard]
    return [h for h in hits if h.group == group and not any(f == h.field and a <= h.at < b for f, a, b in guards)]


@lru_cache(maxsize=8192)
def _length(term: str) -> int:
    return len(syllables(retone(nfc(term))))


def _beyond_district(m: Matches, foreign_score: float | None, foreign_threshold: float,
                     body_city: bool, whole_body: bool = False,
                     city_places: frozenset[str] | None = None, city_kind: str = "thành phố") -> tuple[str, str]:
    """judge_scope once the story is not local: city, foreign or national."""
    fields = FIELDS if body_city else LEAD_FIELDS
    city_hits = _count(m, "city", fields) - _count(m, "not-city", fields)
    city = _terms(m, "city", fields)
    bare_city = _terms(m, "district-bare", fields)
    namesake = ""
    if city and city_hits > 0 and not bare_city and city_places:
        named, where = city_namesake(m, fields, whole_body, city_places)
        if where:
            namesake = f"trùng tên ở nơi khác: {', '.join(named[:2])} — {', '.join(where[:2])}"
            city = []
    if (city and city_hits > 0) or bare_city:
        return "city", f"{city_kind}: " + ", ".join((city or bare_city)[:3])
    scope, reason = _foreign_or_national(m, foreign_score, foreign_threshold)
    return (scope, f"{reason}; {namesake}" if reason else namesake) if namesake else (scope, reason)


def _foreign_or_national(m: Matches, foreign_score: float | None, foreign_threshold: float) -> tuple[str, str]:
    """judge_scope once the story is neither local nor city."""
    cues = ", ".join(m.terms("foreign")[:3])
    if foreign_score is not None:
        if foreign_score >= foreign_threshold:
            return "foreign", f"nước ngoài {foreign_score:.2f}" + (f": {cues}" if cues else ": theo mô hình")
        return "national", ""
    foreign = _lead_score(m, "foreign")
    if foreign >= 1.0 and foreign > _lead_score(m, "domestic"):
        return "foreign", "nước ngoài: " + cues
    return "national", ""


LEAD_FIELDS = ("title", "sapo")


def _count(m: Matches, group: str, fields: tuple[str, ...]) -> int:
    return sum(1 for h in m.hits if h.group == group and h.field in fields)


def _terms(m: Matches, group: str, fields: tuple[str, ...]) -> list[str]:
    """Matches.terms of the terms first named in `fields` (the fields are matched title first)."""
    return [f"{t} ({f})" for t, (f, _) in m.groups().get(group, {}).items() if f in fields]


def _lead_score(m: Matches, group: str) -> float:
    """Evidence in the title and sapo only: a body names many places in passing."""
    terms = m.groups().get(group, {})
    return sum(w for f, w in terms.values() if f in LEAD_FIELDS)
