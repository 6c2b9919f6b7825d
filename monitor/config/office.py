"""The office a monitor serves and the places it answers for: its area and province as its documents name them,
who signs them and whom they go to."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from classifiers.types import SCOPE_NAMES_VI


DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class Watchlist:
    wards: tuple[str, ...] = ()
    schools: tuple[str, ...] = ()
    officials: tuple[str, ...] = ()
    other: tuple[str, ...] = ()

    def all_names(self) -> tuple[str, ...]:
        return self.wards + self.schools + self.officials + self.other


# cities directly under the central government: their people's committee is "UBND THÀNH PHỐ …"
CENTRAL_CITIES = ("Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế")


def province_name(city: str) -> str:
    """The province or centrally-run city without its kind word, as written in office.city: "thành phố Hà Nội",
    "TP. Hồ Chí Minh", "TP.HCM" and "tỉnh Nghệ An" are Hà Nội, Hồ Chí Minh and Nghệ An."""
    name = re.sub(r"^(thành phố|tỉnh|tp\.?)\s*", "", city.strip(), flags=re.I).strip()
    return "Hồ Chí Minh" if compare_key(name).replace(".", "").replace(" ", "") in ("hcm", "hochiminh") else name


# the kinds of area below a province that an office's name may end in (districts until 2025, communes since)
AREA_KINDS = ("quận", "huyện", "thị xã", "thành phố", "phường", "xã", "thị trấn", "đặc khu")


@dataclass(frozen=True)
class Office:
    name: str
    short_name: str
    district: str
    city: str
    timezone: str = DEFAULT_TIMEZONE
    watchlist: Watchlist = field(default_factory=Watchlist)
    # who signs the monthly report (its title lines, e.g. ("KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG")) and its
    # "Nơi nhận"; empty: derived from the kind of office (`report_signer`, `report_recipients`)
    signer: tuple[str, ...] = ()
    signer_name: str = ""
    recipients: tuple[str, ...] = ()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_department(self) -> bool:
        """A Sở (the province's department of education), not a district's Phòng."""
        return self.name.strip().lower().startswith("sở")

    @property
    def own_scopes(self) -> tuple[str, ...]:
        """The story scopes (classifiers.types.SCOPES) that are the office's own area: a Phòng's is its district
        ("local"); a Sở's is its whole province or city, so a story in any of its districts ("city") is its own."""
        return ("local", "city") if self.is_department else ("local",)

    def is_own_area(self, scope: str | None) -> bool:
        """Whether a story of this scope happens on the office's own area: the one reading that triage's locality,
        the clipping's local section, the report's area lists and counts and the alerts' area tag share."""
        return scope in self.own_scopes

    @property
    def head_title(self) -> str:
        """The title of the office's head, who signs its documents."""
        return "GIÁM ĐỐC" if self.is_department else "TRƯỞNG PHÒNG"

    @property
    def leadership(self) -> str:
        """The office's leadership as its documents address it."""
        return "Ban Giám đốc Sở" if self.is_department else "Lãnh đạo Phòng"

    @functools.cached_property
    def province(self) -> tuple[str, str]:
        """(name, kind) of office.city as every document prints it: the province classifiers/provinces.yaml places
        it in, named as the table writes it, whatever office.city's spelling ("Ha Noi", "TP.HCM": ("Hà Nội",
        "thành phố"), ("Hồ Chí Minh", "thành phố")); a former province too ("Quảng Nam": ("Đà Nẵng", "thành phố")):
        its people's committee and Sở are the merged province's since 1 July 2025, so a report addressed to "UBND
        tỉnh Quảng Nam" would go to no one (config check warns to write the new name); a name the table does not
        know as written, "thành phố" for the six centrally-run cities."""
        from classifiers.provinces import load_provinces  # here: classifiers.provinces reads YAML with monitor.config

        placement = load_provinces().find(self.city)
        if placement is not None:
            return placement.province.name, placement.province.kind
        name = province_name(self.city)
        return name, "thành phố" if name in CENTRAL_CITIES else "tỉnh"

    @functools.cached_property
    def former_province(self) -> str | None:
        """The province office.city names when it is one merged into another on 1 July 2025 ("Hà Giang" of
        Tuyên Quang), as the table writes it: a Sở not yet renamed still ends its name in it."""
        from classifiers.provinces import load_provinces

        placement = load_provinces().find(self.city)
        return placement.former if placement is not None else None

    @property
    def area_suffix(self) -> re.Match | None:
        """Where the office's name ends in its area: ' tỉnh Nghệ An' of a Sở, ' quận Long Biên' of a Phòng, and
        since the 2025 reorganisation ' phường Việt Hưng' or ' xã Bát Tràng' of a commune's office."""
        if self.is_department:
            names = "|".join(re.escape(n) for n in (self.province[0], self.former_province) if n)
            return re.search(r"\s+(thành phố|tỉnh)\s+(?:" + names + r")\s*$", self.name, re.I)
        return re.search(r"\s+(" + "|".join(AREA_KINDS) + r")\s+" + re.escape(self.district) + r"\s*$", self.name, re.I)

    @property
    def area(self) -> str:
        """The area the office serves, with its kind: 'quận Long Biên', 'tỉnh Nghệ An', 'thành phố Hà Nội'; the
        bare name when the office's name does not say its kind (better than a wrong kind word)."""
        if self.is_department:
            return self.city_area
        m = self.area_suffix
        return f"{m.group(1).lower()} {self.district}" if m else self.district

    @property
    def city_kind(self) -> str:
        """What office.city is: 'thành phố' for the six centrally-run cities, else 'tỉnh' (Gia Lai is no city)."""
        return self.province[1]

    @property
    def city_area(self) -> str:
        """office.city with its kind: 'thành phố Hà Nội', 'tỉnh Gia Lai' (office.city 'Ha Noi' too)."""
        return f"{self.city_kind} {self.province[0]}"

    def scope_name(self, scope: str) -> str:
        """A scope (classifiers.types.SCOPES) as a person of this office reads it: "city" is the office's province,
        named by its kind ("tỉnh" for a Sở of Gia Lai, whose own stories a "thành phố" mislabelled)."""
        return self.city_kind if scope == "city" else SCOPE_NAMES_VI.get(scope, scope)

    @property
    def governing_body(self) -> str:
        """The people's committee the office answers to: 'UBND quận Long Biên', 'UBND thành phố Hà Nội'."""
        return f"UBND {self.area}"

    @property
    def document_code(self) -> str:
        """The issuing office's code in a document number ('Số: …/BC-PGDĐT'): since the 2025 reorganisation a
        commune's education is its Phòng Văn hóa - Xã hội's, which numbers as 'VHXH', not as a Phòng GD&ĐT."""
        if self.is_department:
            return "SGDĐT"
        unit = re.sub(r"[^a-z]", "", compare_key(self.name))
        return "VHXH" if "vanhoaxahoi" in unit or unit.startswith("phongvhxh") else "PGDĐT"

    @property
    def report_signer(self) -> tuple[str, ...]:
        return self.signer or (self.head_title,)

    @property
    def report_recipients(self) -> tuple[str, ...]:
        """'Nơi nhận' of the monthly report, without the dashes and end marks the document adds: the head signs
        it, so by default it goes up to the governing body and to the rest of the leadership, never to the head; a
        Phòng's also to the city's Sở, first, as the communication plan lists it."""
        if self.recipients:
            return self.recipients
        city = self.province[0]
        # the Sở of Hà Nội is "Sở GD&ĐT Hà Nội"; Hồ Chí Minh alone is the person, so that Sở's name keeps "TP."
        city = f"TP. {city}" if city == "Hồ Chí Minh" else city
        above = () if self.is_department or not city else (f"Sở GD&ĐT {city}",)
        return (*above, f"{self.governing_body} (để báo cáo)", self.leadership, "Lưu: VT")


def compare_key(name: str) -> str:
    """A name as compared: without diacritics, case or extra spaces ("khan cap" is "khẩn cấp")."""
    t = unicodedata.normalize("NFD", name.lower().replace("đ", "d"))
    return " ".join("".join(ch for ch in t if not unicodedata.combining(ch)).split())
