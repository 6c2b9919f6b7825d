"""What a valid feeds.yaml still gets wrong for a real office: the starting config's Long Biên watchlist and contact
kept after `office` was edited for another area, a mail server set up with nobody to send the clipping to, alerts
on with no channel to receive them. None of these is an error (the file loads, and the demo, a test or an office
trying things out may want each of them), so they are warnings, each with what to do: `monitor config check`
prints them, `monitor status` repeats them and `monitor serve` logs them at its start, since the first two are
read by whoever installs the monitor and the log by whoever looks after it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class SetupWarning:
    message: str
    fix: str

    def as_dict(self) -> dict:
        return {"message": self.message, "fix": self.fix}


# how many of a watchlist's questionable entries a warning names before "và N tên khác"
SHOWN = 6
# a watchlist entry naming a district-level area or its office: "quận Long Biên", "Phòng GD&ĐT Long Biên"
# a commune or ward named with its kind is not another province's district of that name: since the 2025 reform
# many wards took their former district's name, in several provinces at once (Nghệ An's phường Hoàng Mai and Hà
# Nội's quận Hoàng Mai, now a phường of Hà Nội too)
_WARD_ENTRY = re.compile(r"^(phường|xã|thị trấn|đặc khu)\s", re.I)
_DISTRICT_ENTRY = re.compile(r"^(quận|huyện|thị xã|phòng gd&đt|phòng gd-đt|phòng giáo dục và đào tạo|phòng giáo dục)"
                             r"\s+(?:(?:quận|huyện|thị xã)\s+)?(.+)$", re.I)


@lru_cache(maxsize=1)
def starting_config() -> dict:
    """The office, watchlist and contact of the starting config (monitor/templates/feeds.example.yaml, which
    `monitor init` writes and the checkout's feeds.yaml starts as): what an office that did not replace them has."""
    from monitor.config import load_yaml

    text = (resources.files("monitor") / "templates" / "feeds.example.yaml").read_text(encoding="utf-8")
    data, _ = load_yaml(text)
    office = data.get("office") or {}
    wl = office.get("watchlist") or {}
    names = tuple(str(n) for key in ("wards", "schools", "officials", "other") for n in (wl.get(key) or ()))
    return {"district": str(office.get("district", "")), "short_name": str(office.get("short_name", "")),
            "watchlist": names, "contact": str((data.get("crawler") or {}).get("contact", ""))}


def _listed(entries: list[str]) -> str:
    shown = ", ".join(entries[:SHOWN])
    return shown + (f" và {len(entries) - SHOWN} tên khác" if len(entries) > SHOWN else "")


def _words(text: str) -> list[str]:
    from classifiers.text import normalize

    return re.findall(r"\w+", normalize(text))


def _holds(entry: list[str], term: list[str]) -> bool:
    return bool(term) and any(entry[i:i + len(term)] == term for i in range(len(entry) - len(term) + 1))


def watchlist_elsewhere(cfg, rules) -> list[str]:
    """The watchlist entries naming a place that is not the office's, each with that place: another province of
    classifiers/provinces.yaml (read as story grouping reads a text, classifiers.scope.provinces_named), a place
    of another province's entry in the rules' scope.cities (Hà Nội's districts and wards are listed there, not in
    the table), or, for a Phòng, another district named with its kind or its Phòng ("quận Long Biên" under
    Thanh Trì). A story naming such an entry is read as the office's own area."""
    from classifiers.provinces import load_provinces
    from classifiers.scope import provinces_named

    office = cfg.office
    table = load_provinces()
    placement = table.find(office.city)
    own = placement.province.name if placement else None
    own_key = _words(office.district)
    # the rules' places of other provinces: an entry is the province its key names in the table
    elsewhere: list[tuple[list[str], str]] = []
    for key, entry in rules.scope.cities.items():
        found = table.find(key)
        if found is None or found.province.name == own:
            continue
        where = found.province.full_name
        for name in (*(entry.get("aliases") or ()), *(entry.get("districts") or ())):
            if _words(name) != own_key:
                elsewhere.append((_words(name), where))
    full_name = {p.name: p.full_name for p in table.provinces}
    out: list[str] = []
    for name in office.watchlist.all_names():
        words = _words(name)
        place = next((full_name[p] for p in sorted(provinces_named(name)) if p != own), None)
        if place is None and not _WARD_ENTRY.match(name.strip()):
            place = next((where for term, where in elsewhere if _holds(words, term)), None)
        if place is None and not office.is_department:
            m = _DISTRICT_ENTRY.match(name.strip())
            if m and _words(m.group(2)) != own_key:
                place = f"ngoài {office.area}"
        if place:
            out.append(f"«{name}» ({place})")
    return out


def setup_warnings(cfg, rules=None) -> list[SetupWarning]:
    """The warnings for `cfg` (a valid Config), in the order the office would fix them. `rules`: the topic rules in
    force (storage.rules_file or the shipped ones); loaded here when not given, and the watchlist's places are
    not checked when they cannot be loaded (the crawl and `monitor config check` say why)."""
    warnings: list[SetupWarning] = []
    office = cfg.office
    start = starting_config()
    from monitor.config.office import compare_key

    if rules is None:
        from classifiers.rules import load_rules
        from monitor.errors import MonitorError

        try:
            rules = load_rules(cfg.storage.rules_file)
        except MonitorError:
            rules = None
    if rules is not None:
        strays = watchlist_elsewhere(cfg, rules)
        if strays:
            warnings.append(SetupWarning(
                f"office.watchlist có {len(strays)} tên là nơi khác, không thuộc {office.area} của đơn vị: "
                f"{_listed(strays)}. Tin nhắc tới các tên này được tính là tin trên địa bàn của đơn vị (mục tin "
                "trên địa bàn của điểm báo, cảnh báo, báo cáo tháng)",
                "thay office.watchlist bằng tên phường/xã, trường học, cán bộ của chính đơn vị; một tên đúng là của "
                "đơn vị mà trùng tên nơi khác thì giữ lại"))
    if compare_key(office.district) != compare_key(start["district"]):
        # a ward carved out of the template's district (2025) keeps the names of its own ward: not the template's
        own = _words(office.district)
        kept = [n for n in office.watchlist.all_names() if n in set(start["watchlist"]) and not _holds(_words(n), own)]
        if len(kept) >= 3:
            warnings.append(SetupWarning(
                f"office.watchlist còn {len(kept)} tên của danh sách mẫu ({start['short_name']}), trong khi "
                f"office.district là {office.district}: {_listed(kept)}",
                "xóa các tên mẫu đó, ghi tên phường/xã, trường học của đơn vị vào office.watchlist"))
    contact = cfg.crawler.contact
    host = re.sub(r"^(mailto:|https?://)", "", contact, flags=re.I).split("/")[0].rsplit("@", 1)[-1].lower()
    if contact and (contact == start["contact"] or re.search(r"(^|\.)example\.[a-z.]+$", host)):
        warnings.append(SetupWarning(
            f"crawler.contact vẫn là địa chỉ ví dụ {contact}: địa chỉ này đi kèm mỗi yêu cầu gửi tới các trang "
            "báo (User-Agent) để họ liên hệ khi cần, và không phải của đơn vị",
            "ghi địa chỉ e-mail hoặc trang web thật của đơn vị, ví dụ contact: mailto:vanthu@<tên miền của đơn vị>"))
    if cfg.smtp.host and not cfg.digest.recipients:
        outbox = cfg.storage.data_dir / cfg.digest.outbox_dir
        warnings.append(SetupWarning(
            f"smtp.host đã đặt ({cfg.smtp.host}) nhưng digest.recipients trống: điểm báo hằng ngày không gửi cho ai, "
            f"chỉ được lưu vào thư mục {outbox}, và mỗi lần gửi (digest --send, dịch vụ) báo lỗi, ngày đó chưa gửi",
            "thêm địa chỉ e-mail của lãnh đạo vào digest.recipients, ví dụ recipients: [lanhdao@<tên miền của đơn vị>]; "
            "nếu chỉ muốn lưu điểm báo vào thư mục, xóa smtp.host"))
    if cfg.alerts.enabled and not cfg.alerts.channels:
        warnings.append(SetupWarning(
            "alerts.enabled là true nhưng alerts.channels trống: lãnh đạo sẽ không nhận cảnh báo nào; "
            "cảnh báo tạo ra khi chưa có kênh không được gửi cả sau khi thêm kênh",
            "thêm ít nhất một kênh vào alerts.channels, ví dụ - {kind: email, recipients: [truongphong@<tên miền của "
            "đơn vị>]} (kênh email gửi qua smtp), hoặc đặt alerts.enabled: false nếu đơn vị không dùng cảnh báo"))
    return warnings
