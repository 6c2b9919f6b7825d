"""feeds.yaml -> frozen dataclasses, validated once.

Every problem in the file is collected and reported together, each with its path in the file
("sources[3].interval_minutes") and what to write instead. Unknown keys are errors, so a misspelt
option never silently falls back to a default. Secrets are never read from the file: the file names
environment variables (`password_env: MONITOR_SMTP_PASSWORD`) and the value is read from the
environment when it is needed.
"""

from __future__ import annotations

import difflib
import functools
import math
import os
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from classifiers.text import ascii_fold, retone
from classifiers.types import SCOPE_NAMES_VI, SCOPES, scope_id
from monitor.errors import ConfigError, ConfigProblem

# libyaml's parser when PyYAML was built with it (the wheels are): same documents, errors and marks, ~10x quicker
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def outlet_matching(outlets, host: str):
    """The outlet whose domain is `host` or a parent of it (m.vnexpress.net -> vnexpress.net), never a mere
    suffix (notvnexpress.net is not VnExpress)."""
    host = host.lower().removeprefix("www.")
    for o in outlets:
        for d in o.domains:
            d = d.lower().removeprefix("www.")
            if host == d or host.endswith("." + d):
                return o
    return None


# How a masthead is written around the outlet's own name: "Báo VnExpress", "Tuổi Trẻ Online", "Báo điện tử Dân trí"
_MASTHEAD_BEFORE = ("bao dien tu ", "bao ")
_MASTHEAD_AFTER = (" online", " dien tu")
_HOST_FORM = re.compile(r"(?:https?://)?(?:www\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)(?::\d+)?(?:/\S*)?")
_PUBLIC_SUFFIXES = ("com.vn", "net.vn", "org.vn", "edu.vn", "gov.vn", "info.vn", "vn", "net", "com", "org", "info")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def outlet_key(name: str) -> str:
    """What stays of an outlet's name however a feed writes it: whatever its normal form, tone placement, case and
    marks, "Báo …", "… Online" and its site's host ("vnexpress.net", "https://tuoitre.vn/") all give one key."""
    folded = ascii_fold(name or "").strip()
    host = _HOST_FORM.fullmatch(folded)
    if host:
        labels = host.group(1)
        for suffix in _PUBLIC_SUFFIXES:
            if labels.endswith("." + suffix):
                labels = labels[:-len(suffix) - 1]
                break
        return labels.replace(".", "").replace("-", "")
    words = " ".join(_NOT_ALNUM.sub(" ", folded).split())
    for before in _MASTHEAD_BEFORE:
        if words.startswith(before) and len(words) > len(before):
            words = words[len(before):]
            break
    for after in _MASTHEAD_AFTER:
        if words.endswith(after) and len(words) > len(after):
            words = words[:-len(after)]
            break
    return words.replace(" ", "")


class OutletNames:
    """Each outlet under one name, however the feeds that brought its articles spelt it: the display name of
    feeds.yaml's outlet when its key (outlet_key) is a configured outlet's name or domain, else the first spelling
    met (NFC, one tone placement). Applied where articles are read rather than where they are stored, so the rows
    kept before an outlet was configured or renamed count right too; one instance per clipping, report or story,
    so that the spellings of an outlet feeds.yaml does not list fall together as well."""

    def __init__(self, config: "Config | None" = None) -> None:
        self.config = config
        self._by_key: dict[str, str] = {}
        self._by_raw: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        if not name:
            return name
        known = self._by_raw.get(name)
        if known is None:
            key = outlet_key(name) or name
            known = self._by_key.get(key)
            if known is None:
                outlet = self.config.outlet(name) if self.config is not None else None
                known = outlet.name if outlet is not None else retone(" ".join(unicodedata.normalize("NFC", name).split()))
                self._by_key[key] = known
            self._by_raw[name] = known
        return known

    def unique(self, names) -> tuple[str, ...]:
        """The outlets named, each once, in their first order."""
        return tuple(dict.fromkeys(self(n) for n in names if n))

    def stories(self, *maps: dict) -> tuple[dict, ...]:
        """Each map (anything -> monitor.models.Story) with its stories' outlets named once (unique); a story
        several maps or keys share stays one object across them."""
        named: dict[int, object] = {}
        for m in maps:
            for s in m.values():
                if id(s) not in named:
                    named[id(s)] = replace(s, outlets=self.unique(s.outlets))
        return tuple({k: named[id(s)] for k, s in m.items()} for m in maps)


@dataclass(frozen=True)
class DuplicateKey:
    key: str
    line: int  # 1-based, where it is written again
    first_line: int

    def __str__(self) -> str:
        return (f"{self.key!r} được viết lại lần nữa (lần đầu ở dòng {self.first_line}); YAML sẽ chỉ giữ lần sau "
                f"và bỏ lần đầu, nên hãy gộp hai chỗ làm một")


class _StrictLoader(YAML_LOADER):
    """YAML keeps the last of two equal keys in a mapping and drops the first without a word, so a second
    `sources:` block would silently replace the office's feed list: record every repeat instead."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.duplicates: list[DuplicateKey] = []

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            line = key_node.start_mark.line + 1
            try:
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    self.duplicates.append(DuplicateKey(str(key), line, seen[key]))
                else:
                    seen[key] = line
            except TypeError:  # an unhashable key: the base constructor reports it
                continue
        return super().construct_mapping(node, deep)


def load_yaml(text: str) -> tuple[Any, list[DuplicateKey]]:
    """Parse one YAML document (feeds.yaml, topics.yaml) -> (data, keys written twice in one mapping)."""
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


def duplicate_key_problems(duplicates: list[DuplicateKey] | tuple) -> list[ConfigProblem]:
    """The keys `load_yaml` found written twice, as problems of the file in the order they are written (YAML reads
    a nested mapping after the one around it, so a repeat inside a list item would otherwise come after a later one)."""
    return [ConfigProblem(f"dòng {d.line}", f"khóa {d}") for d in sorted(duplicates, key=lambda d: d.line)]


DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
SELECTOR_FIELDS = ("title", "sapo", "body", "published", "author", "remove")


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
    return "Hồ Chí Minh" if _compare_key(name).replace(".", "").replace(" ", "") in ("hcm", "hochiminh") else name


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

    @property
    def area_suffix(self) -> re.Match | None:
        """Where the office's name ends in its area: ' tỉnh Nghệ An' of a Sở, ' quận Long Biên' of a Phòng, and
        since the 2025 reorganisation ' phường Việt Hưng' or ' xã Bát Tràng' of a commune's office."""
        if self.is_department:
            city = province_name(self.city)
            return re.search(r"\s+(thành phố|tỉnh)\s+" + re.escape(city) + r"\s*$", self.name, re.I)
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
        return "thành phố" if province_name(self.city) in CENTRAL_CITIES else "tỉnh"

    @property
    def city_area(self) -> str:
        """office.city with its kind: 'thành phố Hà Nội', 'tỉnh Gia Lai'."""
        return f"{self.city_kind} {province_name(self.city)}"

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
        """The issuing office's code in a document number ('Số: …/BC-PGDĐT')."""
        return "SGDĐT" if self.is_department else "PGDĐT"

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
        city = re.sub(r"^(thành phố|tỉnh)\s+", "", self.city.strip(), flags=re.I)
        above = () if self.is_department or not city else (f"Sở GD&ĐT {city}",)
        return (*above, f"{self.governing_body} (để báo cáo)", self.leadership, "Lưu: VT")


@dataclass(frozen=True)
class Selectors:
    """CSS selectors for an outlet's article pages; each a list tried in order."""

    title: tuple[str, ...] = ()
    sapo: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()  # boilerplate inside the body: related links, captions, ads


@dataclass(frozen=True)
class Outlet:
    name: str  # display name, e.g. "VnExpress"
    domains: tuple[str, ...]  # hosts whose article pages use these selectors
    selectors: Selectors = field(default_factory=Selectors)
    reach: float = 1.0  # relative audience weight used by triage (national dailies 1.0)


@dataclass(frozen=True)
class Source:
    name: str  # unique id, e.g. "vnexpress-giao-duc"
    url: str
    outlet: str  # Outlet.name
    interval_minutes: int = 30
    enabled: bool = True
    fetch_pages: bool = True


@dataclass(frozen=True)
class Crawler:
    user_agent: str = "edu-media-monitor/0.1"
    contact: str = ""
    max_connections_per_host: int = 2
    min_delay_seconds: float = 1.0
    timeout_seconds: float = 20.0
    max_retries: int = 3
    max_redirects: int = 5
    max_body_bytes: int = 5_000_000
    respect_robots: bool = True
    allow_private_addresses: bool = False
    quiet_factor: float = 6.0  # a feed is "quiet" after this many times its usual gap between items
    # the office's HTTP proxy, e.g. http://proxy.so-gddt.example.vn:3128 (never with credentials in it); "": direct
    proxy: str = ""
    proxy_username_env: str = ""  # names of environment variables holding the proxy's credentials
    proxy_password_env: str = ""
    no_proxy: tuple[str, ...] = ()  # host suffixes reached directly, e.g. ("so-gddt.local",)
    # PEM file of CA certificates trusted besides the default ones: the root of an office network that
    # inspects TLS (its proxy or firewall presents certificates of its own); None: the default ones only
    ca_file: Path | None = None

    @property
    def user_agent_header(self) -> str:
        return f"{self.user_agent} (+{self.contact})" if self.contact else self.user_agent

    def proxy_for(self, host: str) -> str:
        """The proxy URL a request to `host` goes through, "" for a direct connection (no proxy set, or the host
        is one of `no_proxy` or below one: gddt.local covers tin.gddt.local, not xgddt.local; an IP address
        only itself)."""
        if not self.proxy:
            return ""
        host = host.lower().rstrip(".")
        literal = host.replace(".", "").isdigit() or ":" in host  # an address: only an equal entry matches
        for suffix in self.no_proxy:
            suffix = suffix.lower().strip(".")
            if host == suffix or (not literal and host.endswith("." + suffix)):
                return ""
        return self.proxy

    def proxy_auth(self) -> tuple[str, str] | None:
        """(user name, password) for the proxy, read from the environment now; None when none is configured."""
        if not self.proxy_username_env:
            return None
        password = os.environ.get(self.proxy_password_env, "") if self.proxy_password_env else ""
        return os.environ.get(self.proxy_username_env, ""), password

    def proxy_description(self) -> str:
        """How the crawler connects, for people (never with the credentials' values)."""
        if not self.proxy:
            return "kết nối trực tiếp (không qua proxy)"
        text = f"qua proxy {self.proxy}"
        if self.proxy_username_env:
            names = " và ".join(n for n in (self.proxy_username_env, self.proxy_password_env) if n)
            text += f" (thông tin đăng nhập từ {names})"
        if self.no_proxy:
            text += f", kết nối trực tiếp tới {', '.join(self.no_proxy)}"
        return text

    def tls_description(self) -> str:
        """Which certificate authorities https connections trust, for people."""
        text = "chứng chỉ được kiểm tra theo các tổ chức cấp chứng chỉ mặc định (bộ của certifi)"
        if self.ca_file is None:
            return text
        try:
            names = "; ".join(ca_certificates(self.ca_file)) or "không có"
        except (OSError, ValueError) as exc:
            names = f"hiện không đọc được: {exc}"
        return f"{text} và các tổ chức trong {self.ca_file} (crawler.ca_file: {names})"


def ca_certificates(path: Path) -> list[str]:
    """A line per CA certificate in the PEM file `path` ("subject, until date"), as OpenSSL reads it for
    verifying (a certificate that cannot sign others, such as a site's own, is not listed). Raises OSError
    when the file cannot be read, ValueError (OpenSSL's reason) when it holds no readable certificate."""
    import ssl  # here, not at import: every command reads the configuration, few have a ca_file

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # an empty store: only the file's certificates
    try:
        ctx.load_verify_locations(cafile=path)
    except ssl.SSLError as exc:
        raise ValueError(getattr(exc, "reason", None) or str(exc)) from exc
    lines = []
    for cert in ctx.get_ca_certs():
        subject = ", ".join(f"{k}={v}" for rdn in cert.get("subject", ()) for k, v in rdn)
        until = cert.get("notAfter")
        lines.append(f"{subject or 'no subject'}, until {until}" if until else subject or "no subject")
    return lines


@dataclass(frozen=True)
class Digest:
    cutoff: str = "07:00"  # HH:MM in the office time zone; the digest covers the 24 h before
    recipients: tuple[str, ...] = ()
    subject_prefix: str = "Điểm báo"
    formats: tuple[str, ...] = ("html", "txt", "md", "docx")
    outbox_dir: str = "outbox"  # relative to the data directory
    max_items_per_topic: int = 15
    missed_grace_hours: int = 12
    # the appendix of articles judged not education but close to it; 0.30 is also where an incident lowers
    # the education bar (classifiers.classify.INCIDENT_RELEVANCE_FLOOR), and on the labelled whole days it lists ~2.4 articles a day
    borderline_min_relevance: float = 0.3
    borderline_max_items: int = 8  # 0: no appendix


@dataclass(frozen=True)
class AlertChannel:
    kind: str  # email | webhook | telegram
    recipients: tuple[str, ...] = ()  # email
    url: str = ""  # webhook
    url_env: str = ""  # webhook: env variable holding the URL, when the URL is itself the credential (Slack, Google Chat)
    bot_token_env: str = ""  # telegram
    chat_id: str = ""  # telegram
    base_url: str = "https://api.telegram.org"  # telegram
    secret_env: str = ""  # webhook: HMAC secret for a signature header
    timeout_seconds: float = 20.0  # webhook, telegram: wait this long for the answer; a later one leaves the alert in doubt


# The alert levels, most severe first: the clipping, the alerts and the report name and colour these.
SEVERITY_LEVELS = ("khẩn cấp", "cao", "theo dõi")


def score_text(score: float) -> str:
    """A story's 0-100 score as every output shows it beside its level: whole points, rounded down. A level is
    reached at score >= its threshold (triage.severity_for), and the thresholds are whole numbers, so a score
    shown never reaches a level the story does not have: 59.96 rounded to "60" read as «cao» beside «theo dõi»."""
    return str(math.floor(score))


# Where a story happens, nearest the office first: alerts.min_scope keeps the alerts to the stories at least
# this near.
ALERT_SCOPES = SCOPES


@dataclass(frozen=True)
class Alerts:
    enabled: bool = True
    thresholds: tuple[tuple[str, int], ...] = (("khẩn cấp", 80), ("cao", 60), ("theo dõi", 40))
    min_scope: str = "foreign"  # alert stories of this scope and nearer; "foreign": every story (the default)
    quiet_hours: str = "22:00-06:00"
    cooldown_minutes: int = 60
    window_hours: int = 72
    channels: tuple[AlertChannel, ...] = ()


@dataclass(frozen=True)
class Smtp:
    host: str = ""
    port: int = 587
    security: str = "starttls"  # starttls | ssl | none
    username_env: str = ""
    password_env: str = ""
    sender: str = ""
    timeout_seconds: float = 30.0

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)

    def username(self) -> str:
        return os.environ.get(self.username_env, "") if self.username_env else ""

    def password(self) -> str:
        return os.environ.get(self.password_env, "") if self.password_env else ""


@dataclass(frozen=True)
class Storage:
    data_dir: Path
    database: Path
    models_dir: Path
    raw_html_retention_days: int = 365
    rules_file: Path | None = None  # the office's own topic rules; None: the shipped classifiers/topics.yaml


@dataclass(frozen=True)
class Config:
    path: Path
    office: Office
    crawler: Crawler
    outlets: tuple[Outlet, ...]
    sources: tuple[Source, ...]
    digest: Digest
    alerts: Alerts
    smtp: Smtp
    storage: Storage

    def outlet(self, name: str) -> Outlet | None:
        """The configured outlet of this name, however it is spelt (outlet_key)."""
        exact = next((o for o in self.outlets if o.name == name), None)
        if exact is not None or not name:
            return exact
        host = _HOST_FORM.fullmatch(name.strip().lower())  # a feed's host stood for its outlet: m.vnexpress.net
        return (outlet_matching(self.outlets, host.group(1)) if host else None) or self._outlets_by_key.get(outlet_key(name))

    @functools.cached_property
    def _outlets_by_key(self) -> dict[str, Outlet]:
        by_key: dict[str, Outlet] = {}
        for o in self.outlets:  # names before domains: a name is what feeds.yaml says the outlet is
            by_key.setdefault(outlet_key(o.name), o)
        for o in self.outlets:
            for d in o.domains:
                by_key.setdefault(outlet_key(d), o)
        by_key.pop("", None)
        return by_key

    def outlet_for_host(self, host: str) -> Outlet | None:
        return outlet_matching(self.outlets, host)

    def source(self, name: str) -> Source | None:
        return next((s for s in self.sources if s.name == name), None)


def unset_secrets(cfg: Config) -> list[tuple[str, str]]:
    """(variable, what it is for) for each secret the file names but this environment does not hold: the
    file can be valid while the service that reads it would fail, or send mail without logging in."""
    wanted = []
    if cfg.crawler.proxy:
        wanted += [(cfg.crawler.proxy_username_env, "tên đăng nhập proxy"), (cfg.crawler.proxy_password_env, "mật khẩu proxy")]
    if cfg.smtp.configured:
        wanted += [(cfg.smtp.username_env, "tên đăng nhập SMTP"), (cfg.smtp.password_env, "mật khẩu SMTP")]
    for ch in cfg.alerts.channels:
        wanted += [(ch.secret_env, f"khóa ký của kênh {ch.kind}"), (ch.bot_token_env, "token của bot Telegram"),
                   (ch.url_env, "URL của kênh webhook")]
    return [(name, what) for name, what in wanted if name and not os.environ.get(name)]


# --------------------------------------------------------------------------- validation


class Checker:
    """Reads a parsed YAML file the office edits (feeds.yaml here, calendar.yaml in monitor.forecast) part by part,
    collecting every problem with its path in the file and what to write instead; it never raises, so the caller
    raises ConfigError(file, checker.problems) once, listing them all. Each reader returns a usable default for a
    value it found wrong, so reading goes on past it."""

    def __init__(self) -> None:
        self.problems: list[ConfigProblem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(ConfigProblem(path, message))

    def mapping(self, value: Any, path: str, allowed: dict[str, str], required: tuple[str, ...] = ()) -> dict:
        """Check `value` is a mapping with only the keys in `allowed` (key -> one-line description)."""
        if value is None:
            value = {}
        if not isinstance(value, dict):
            self.add(path, f"phải là một ánh xạ (mapping) với các khóa {', '.join(allowed)}; hiện là {type(value).__name__}")
            return {}
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), list(allowed), n=1, cutoff=0.75)
                suggestion = f"; có phải ý bạn là '{close[0]}'?" if close else f"; các khóa được phép: {', '.join(allowed)}"
                self.add(f"{path}.{key}" if path else str(key), f"khóa không hợp lệ{suggestion}")
        for key in required:
            if value.get(key) in (None, ""):
                self.add(f"{path}.{key}" if path else key, f"bắt buộc phải có: {allowed[key]}")
        return value

    def string(self, m: dict, key: str, path: str, default: str = "") -> str:
        v = m.get(key, default)
        if v is None:
            return default
        if not isinstance(v, (str, int, float)) or isinstance(v, bool):
            self.add(f"{path}.{key}", f"phải là văn bản; hiện là {type(v).__name__}")
            return default
        return str(v).strip()

    def strings(self, m: dict, key: str, path: str) -> tuple[str, ...]:
        v = m.get(key)
        if v is None:
            return ()
        if isinstance(v, str):
            return (v.strip(),)
        if not isinstance(v, list) or not all(isinstance(x, (str, int)) for x in v):
            self.add(f"{path}.{key}", "phải là một danh sách giá trị văn bản, ví dụ [\"a\", \"b\"]")
            return ()
        return tuple(str(x).strip() for x in v if str(x).strip())

    def number(self, m: dict, key: str, path: str, default, *, minimum=None, maximum=None, integer=False):
        v = m.get(key, default)
        if (isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and not isinstance(v, int))
                or not math.isfinite(v)):
            kind = "một số nguyên" if integer else "một số"
            self.add(f"{path}.{key}", f"phải là {kind}; hiện là {v!r}")
            return default
        if minimum is not None and v < minimum or maximum is not None and v > maximum:
            rng = f"nằm trong khoảng {minimum} đến {maximum}" if maximum is not None else f"lớn hơn hoặc bằng {minimum}"
            self.add(f"{path}.{key}", f"phải {rng}; hiện là {v!r}")
            return default
        return v

    def boolean(self, m: dict, key: str, path: str, default: bool) -> bool:
        v = m.get(key, default)
        if not isinstance(v, bool):
            self.add(f"{path}.{key}", f"phải là true hoặc false; hiện là {v!r}")
            return default
        return v


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clock_time(text: str) -> time:
    """An "HH:MM" that _HHMM accepted (a cut-off, either end of the quiet hours) as a time of day."""
    hh, mm = text.strip().split(":")
    return time(int(hh), int(mm))


def _http_url(c: Checker, value: str, path: str) -> None:
    try:
        parts = urlsplit(value)
        parts.port  # raises on a port out of range or not a number
    except ValueError as exc:
        c.add(path, f"không phải URL hợp lệ ({exc}); viết dạng https://vnexpress.net/rss/giao-duc.rss; hiện là {value!r}")
        return
    if parts.scheme not in ("http", "https") or not parts.hostname:
        c.add(path, f"phải là URL http(s), ví dụ https://vnexpress.net/rss/giao-duc.rss; hiện là {value!r}")


def _proxy_url(c: Checker, value: str, path: str) -> str:
    """The proxy URL as written ("" when none), or "" with a problem recorded: http(s), a host, an optional
    port, nothing else; credentials are refused (they belong in the environment, not in the file)."""
    if not value:
        return ""
    example = "viết dạng http://proxy.so-gddt.example.vn:3128"
    if "@" in value:  # checked first, and the value never repeated: it may hold a password
        c.add(path, "không được chứa thông tin đăng nhập (user:password@): xóa chúng khỏi tệp, export chúng vào các biến "
                    "môi trường và ghi tên các biến đó ở crawler.proxy_username_env và crawler.proxy_password_env")
        return ""
    if "://" not in value:
        c.add(path, f"phải bắt đầu bằng http:// hoặc https://; viết http://{value} nếu đó là máy chủ và cổng của proxy")
        return ""
    try:
        parts = urlsplit(value)
        parts.port  # raises on a port out of range or not a number
    except ValueError as exc:
        c.add(path, f"không phải URL hợp lệ ({exc}); {example}")
        return ""
    if parts.scheme not in ("http", "https"):
        c.add(path, f"phải là URL proxy http:// hoặc https:// ({example}); hiện là {parts.scheme}://"
              + (" (không hỗ trợ proxy SOCKS)" if parts.scheme.startswith("socks") else ""))
        return ""
    if not parts.hostname:
        c.add(path, f"thiếu tên máy chủ; {example}")
        return ""
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        c.add(path, f"chỉ được gồm giao thức, máy chủ và cổng của proxy ({example}); hiện là {value!r}")
        return ""
    return value.rstrip("/")


def _host_name(value: str) -> str | None:
    """The host a domains entry names, or None when it is not a bare host (a URL, a path, a port)."""
    if not value or any(ch in value for ch in "/:@?#[] \t"):
        return None
    try:
        host = urlsplit("//" + value).hostname
    except ValueError:
        return None
    return host if host == value.lower() else None


def _host_in(value: str) -> str:
    try:
        return urlsplit(value if "//" in value else "//" + value).hostname or ""
    except ValueError:
        return ""


def _env_name(c: Checker, m: dict, key: str, path: str) -> str:
    """The name of an environment variable holding a secret; a value that cannot be a variable name is most
    likely the secret itself pasted in, which must not stay in the file."""
    name = c.string(m, key, path)
    if name and not _ENV_NAME.match(name):
        c.add(f"{path}.{key}", "phải là tên một biến môi trường (chữ cái, chữ số, _), ví dụ MONITOR_SMTP_PASSWORD; "
                               "nếu đó chính là giá trị bí mật, hãy xóa nó khỏi tệp và export nó vào một biến môi trường")
        return ""
    return name


def _office(c: Checker, raw: Any) -> Office:
    m = c.mapping(
        raw,
        "office",
        {
            "name": "tên đầy đủ của đơn vị, ví dụ Phòng Giáo dục và Đào tạo quận Long Biên",
            "short_name": "tên ngắn dùng ở đầu trang, ví dụ Phòng GD&ĐT quận Long Biên",
            "district": "tên quận/huyện, ví dụ Long Biên",
            "city": "thành phố hoặc tỉnh, ví dụ Hà Nội",
            "timezone": "an IANA time zone, default Asia/Ho_Chi_Minh",
            "watchlist": "names that make news local: wards, schools, officials, other",
            "signer": "the monthly report's signature title lines, e.g. [KT. TRƯỞNG PHÒNG, PHÓ TRƯỞNG PHÒNG]",
            "signer_name": "the name printed under the signature, e.g. Nguyễn Thị Hằng",
            "recipients": "the monthly report's Nơi nhận, one a line, e.g. [UBND quận Long Biên (để báo cáo), Lãnh đạo Phòng, Lưu: VT]",
        },
        required=("name", "district", "city") if raw is not None else (),  # a missing office is one problem
    )
    tz = c.string(m, "timezone", "office", DEFAULT_TIMEZONE) or DEFAULT_TIMEZONE
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        c.add("office.timezone", f"múi giờ {tz!r} không hợp lệ; ghi một tên IANA như Asia/Ho_Chi_Minh")
        tz = DEFAULT_TIMEZONE
    wl = c.mapping(
        m.get("watchlist"),
        "office.watchlist",
        {"wards": "ward names", "schools": "school names", "officials": "officials' names", "other": "other local names"},
    )
    watchlist = Watchlist(
        wards=c.strings(wl, "wards", "office.watchlist"),
        schools=c.strings(wl, "schools", "office.watchlist"),
        officials=c.strings(wl, "officials", "office.watchlist"),
        other=c.strings(wl, "other", "office.watchlist"),
    )
    name = c.string(m, "name", "office")
    return Office(
        name=name,
        short_name=c.string(m, "short_name", "office") or name,
        district=c.string(m, "district", "office"),
        city=c.string(m, "city", "office"),
        timezone=tz,
        watchlist=watchlist,
        signer=_signer(c, m),
        signer_name=c.string(m, "signer_name", "office"),
        recipients=_recipients(c, m),
    )


def _signer(c: Checker, m: dict) -> tuple[str, ...]:
    """The signature's title lines, as written (Decree 30/2020: capitals); "KT." (signing for the head) needs the
    signer's own title on a second line."""
    if m.get("signer") in ([], ""):
        c.add("office.signer", "phải có ít nhất một dòng chức danh, ví dụ TRƯỞNG PHÒNG; bỏ khóa này để dùng mặc định")
        return ()
    lines = c.strings(m, "signer", "office")
    if len(lines) > 3:
        c.add("office.signer", f"có {len(lines)} dòng; phần ký có từ một đến ba dòng, ví dụ [KT. TRƯỞNG PHÒNG, PHÓ TRƯỞNG PHÒNG]")
        return ()
    if lines and re.match(r"^(KT|TL|TUQ|Q)\b\.?", lines[0], re.I) and len(lines) < 2:
        c.add("office.signer", f"{lines[0]!r} là ký thay người khác: thêm chức danh của chính người ký ở dòng thứ hai, "
                               f"ví dụ [{lines[0]}, PHÓ TRƯỞNG PHÒNG]")
    return lines


def _as_recipient(entry: Any) -> Any:
    """"Lưu: VT", the last line of every Nơi nhận, is a one-pair mapping to YAML when written unquoted in a list
    ([Lãnh đạo Phòng, Lưu: VT] or "- Lưu: VT"): read it as the line the office wrote."""
    if isinstance(entry, dict) and len(entry) == 1:
        (key, value), = entry.items()
        if isinstance(key, str) and isinstance(value, (str, int)) and not isinstance(value, bool):
            return f"{key}: {value}"
    return entry


def _recipients(c: Checker, m: dict) -> tuple[str, ...]:
    """Nơi nhận entries without the leading dash and the end mark (the document adds "- " and ";" / ".")."""
    raw = m.get("recipients")
    if raw in ([], ""):
        c.add("office.recipients", "phải có ít nhất một nơi nhận, ví dụ [Lãnh đạo Phòng, Lưu: VT]; bỏ khóa này để dùng mặc định")
        return ()
    if isinstance(raw, list):
        m = {**m, "recipients": [_as_recipient(x) for x in raw]}
    entries = tuple(e for e in (re.sub(r"[\s;.,]+$", "", re.sub(r"^[-–•\s]+", "", x)) for x in c.strings(m, "recipients", "office")) if e)
    listed = m.get("recipients")
    well_typed = isinstance(listed, str) or isinstance(listed, list) and all(isinstance(x, (str, int)) for x in listed)
    if raw and not entries and well_typed:  # a wrong type has had its own message
        c.add("office.recipients", "chỉ có gạch đầu dòng hoặc dấu câu; hãy ghi các nơi nhận, ví dụ [Lãnh đạo Phòng, Lưu: VT]")
    return entries


def _ca_file(c: Checker, value: str, base: Path) -> Path | None:
    """crawler.ca_file resolved against feeds.yaml's folder, or None with a problem recorded: it must hold at
    least one CA certificate in PEM that OpenSSL reads (checked now, not at the first https fetch)."""
    if not value:
        return None
    path = (base / Path(value).expanduser()).resolve()
    how = ("lưu chứng chỉ gốc của đơn vị vào đó ở dạng PEM (\"Base-64\" khi xuất từ Windows: đoạn văn bản "
           "giữa -----BEGIN CERTIFICATE----- và -----END CERTIFICATE-----), hoặc bỏ khóa này")
    if not path.exists():
        c.add("crawler.ca_file", f"{path} không tồn tại; {how}")
        return None
    if not path.is_file():
        c.add("crawler.ca_file", f"{path} không phải là tệp; hãy ghi tên chính tệp PEM; {how}")
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        c.add("crawler.ca_file", f"không đọc được {path} ({exc.strerror or exc}); cho người dùng chạy monitor quyền "
                                 f"đọc tệp này")
        return None
    if b"-----BEGIN CERTIFICATE-----" not in data:
        der = data[:1] == b"\x30"  # an ASN.1 SEQUENCE: a binary (DER) certificate
        c.add("crawler.ca_file", f"{path} không chứa chứng chỉ PEM nào"
              + (f"; có vẻ là tệp nhị phân (DER): chuyển đổi bằng `openssl x509 -inform der -in {path} -out office-root.pem` "
                 f"rồi ghi tên office-root.pem" if der else f"; {how}"))
        return None
    try:
        if not ca_certificates(path):
            c.add("crawler.ca_file", f"{path} không chứa chứng chỉ CA nào, chỉ có chứng chỉ không ký được chứng chỉ "
                                     f"khác (của một trang web?); hãy xuất chứng chỉ gốc đã ký chúng để thay vào")
            return None
    except (OSError, ValueError) as exc:
        c.add("crawler.ca_file", f"{path} chứa một chứng chỉ mà OpenSSL không đọc được ({exc}); "
                                 f"hãy xuất lại ở dạng PEM; {how}")
        return None
    return path


def _crawler(c: Checker, raw: Any, base: Path) -> Crawler:
    d = Crawler()
    m = c.mapping(
        raw,
        "crawler",
        {
            "user_agent": "the User-Agent product token",
            "contact": "a contact URL or e-mail added to the User-Agent so site operators can reach you",
            "max_connections_per_host": "parallel connections to one host",
            "min_delay_seconds": "minimum pause between two requests to one host",
            "timeout_seconds": "per-request timeout",
            "max_retries": "retries on timeouts, connection errors and 5xx",
            "max_redirects": "redirects followed before giving up",
            "max_body_bytes": "largest body accepted",
            "respect_robots": "obey robots.txt for article pages",
            "allow_private_addresses": "allow loopback/private addresses (tests, the demo, or a feed on the office's own network)",
            "quiet_factor": "a feed is quiet after this many times its usual gap between new items",
            "proxy": "the office's HTTP proxy, e.g. http://proxy.so-gddt.example.vn:3128 (empty: direct connections)",
            "proxy_username_env": "env variable holding the proxy user name",
            "proxy_password_env": "env variable holding the proxy password",
            "no_proxy": "host suffixes reached directly, not through the proxy, e.g. [so-gddt.local]",
            "ca_file": "PEM file of CA certificates trusted besides the default ones (an office network that inspects TLS)",
        },
    )
    proxy = _proxy_url(c, c.string(m, "proxy", "crawler"), "crawler.proxy")
    username_env = _env_name(c, m, "proxy_username_env", "crawler")
    password_env = _env_name(c, m, "proxy_password_env", "crawler")
    no_proxy = c.strings(m, "no_proxy", "crawler")
    for suffix in no_proxy:
        if _host_name(suffix.strip(".")) is None:
            host = _host_in(suffix)
            c.add("crawler.no_proxy", f"{suffix!r} không phải tên máy chủ" + (f"; viết {host!r}" if host and host != suffix else "")
                  + " (một máy chủ, hoặc tên miền chung của nhiều máy chủ, được truy cập không qua proxy)")
    if password_env and not m.get("proxy_username_env"):
        c.add("crawler.proxy_password_env", "mật khẩu proxy cần có tên đăng nhập đi kèm: đặt cả proxy_username_env")
    return Crawler(
        user_agent=c.string(m, "user_agent", "crawler", d.user_agent) or d.user_agent,
        contact=c.string(m, "contact", "crawler", d.contact),
        max_connections_per_host=c.number(m, "max_connections_per_host", "crawler", d.max_connections_per_host, minimum=1, maximum=16, integer=True),
        min_delay_seconds=float(c.number(m, "min_delay_seconds", "crawler", d.min_delay_seconds, minimum=0, maximum=60)),
        timeout_seconds=float(c.number(m, "timeout_seconds", "crawler", d.timeout_seconds, minimum=0.1, maximum=300)),
        max_retries=c.number(m, "max_retries", "crawler", d.max_retries, minimum=0, maximum=10, integer=True),
        max_redirects=c.number(m, "max_redirects", "crawler", d.max_redirects, minimum=0, maximum=20, integer=True),
        max_body_bytes=c.number(m, "max_body_bytes", "crawler", d.max_body_bytes, minimum=1024, integer=True),
        respect_robots=c.boolean(m, "respect_robots", "crawler", d.respect_robots),
        allow_private_addresses=c.boolean(m, "allow_private_addresses", "crawler", d.allow_private_addresses),
        quiet_factor=float(c.number(m, "quiet_factor", "crawler", d.quiet_factor, minimum=1)),
        proxy=proxy, proxy_username_env=username_env if proxy else "", proxy_password_env=password_env if proxy else "",
        no_proxy=no_proxy if proxy else (),
        ca_file=_ca_file(c, c.string(m, "ca_file", "crawler"), base),
    )


def _outlets(c: Checker, raw: Any) -> tuple[Outlet, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        c.add("outlets", "phải là một danh sách các báo, mỗi báo có name, domains và selectors")
        return ()
    out: list[Outlet] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        p = f"outlets[{i}]"
        m = c.mapping(
            item,
            p,
            {"name": "tên hiển thị, ví dụ VnExpress", "domains": "các máy chủ của trang bài viết, ví dụ [vnexpress.net]",
             "selectors": "CSS selectors for title, sapo, body, published, author, remove", "reach": "audience weight 0-1"},
            required=("name", "domains"),
        )
        name = c.string(m, "name", p)
        if name in seen:
            c.add(f"{p}.name", f"tên báo {name!r} bị trùng; mỗi báo chỉ ghi một lần")
        seen.add(name)
        sm = c.mapping(m.get("selectors"), f"{p}.selectors", {k: f"CSS selector(s) for the {k}" for k in SELECTOR_FIELDS})
        sel = Selectors(**{k: c.strings(sm, k, f"{p}.selectors") for k in SELECTOR_FIELDS})
        domains = c.strings(m, "domains", p)
        if "domains" in m and not domains:
            c.add(f"{p}.domains", "bắt buộc phải có: các máy chủ của trang bài viết, ví dụ [vnexpress.net]")
        for d in domains:
            if _host_name(d) is None:
                host = _host_in(d)
                c.add(f"{p}.domains", f"{d!r} không phải tên máy chủ" + (f"; viết {host!r}" if host and host != d else "")
                      + " (máy chủ của các trang bài viết, không có http:// hay đường dẫn)")
        out.append(Outlet(name=name, domains=domains, selectors=sel,
                          reach=float(c.number(m, "reach", p, 1.0, minimum=0, maximum=1))))
    return tuple(out)


def _sources(c: Checker, raw: Any, outlets: tuple[Outlet, ...]) -> tuple[Source, ...]:
    if raw is None or raw == []:
        c.add("sources", "bắt buộc phải có: liệt kê ít nhất một nguồn tin (name, url, outlet, interval_minutes)")
        return ()
    if not isinstance(raw, list):
        c.add("sources", "phải là một danh sách nguồn tin, mỗi nguồn có name, url, outlet và interval_minutes")
        return ()
    outlet_names = {o.name for o in outlets}
    out: list[Source] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        p = f"sources[{i}]"
        m = c.mapping(
            item,
            p,
            {"name": "một mã không trùng, như vnexpress-giao-duc", "url": "URL của nguồn tin (http hoặc https)",
             "outlet": "the name of an entry in outlets", "interval_minutes": "polling interval in minutes (1-1440)",
             "enabled": "false to keep the feed but not poll it", "fetch_pages": "false to keep only the feed's text"},
            required=("name", "url"),
        )
        name = c.string(m, "name", p)
        if name and name in seen:
            c.add(f"{p}.name", f"tên nguồn {name!r} bị trùng; mỗi tên chỉ được dùng một lần")
        seen.add(name)
        url = c.string(m, "url", p)
        if url:
            _http_url(c, url, f"{p}.url")
        outlet = c.string(m, "outlet", p)
        if outlet and outlets and outlet not in outlet_names:
            # "VNExpress", "Báo Tuổi Trẻ", "tuoitre.vn": the configured outlet under another spelling is that outlet
            same = [o.name for o in outlets if outlet_key(outlet) in {outlet_key(o.name), *map(outlet_key, o.domains)}]
            if same:
                outlet = same[0]
            else:
                c.add(f"{p}.outlet", f"không có báo nào tên {outlet!r}; dùng một trong các tên: {', '.join(sorted(outlet_names))}")
        if not outlet and url:
            host = _host_in(url)
            match = outlet_matching(outlets, host)
            outlet = match.name if match else host
        out.append(Source(
            name=name, url=url, outlet=outlet,
            interval_minutes=c.number(m, "interval_minutes", p, 30, minimum=1, maximum=1440, integer=True),
            enabled=c.boolean(m, "enabled", p, True),
            fetch_pages=c.boolean(m, "fetch_pages", p, True),
        ))
    return tuple(out)


def _digest(c: Checker, raw: Any) -> Digest:
    d = Digest()
    m = c.mapping(
        raw,
        "digest",
        {"cutoff": "HH:MM in the office time zone, default 07:00", "recipients": "e-mail addresses",
         "subject_prefix": "subject line prefix", "formats": "any of html, txt, md, docx",
         "outbox_dir": "folder (inside the data directory) for digests when SMTP is not configured",
         "max_items_per_topic": "items listed per topic", "missed_grace_hours": "hours after the cut-off a missed digest is still sent",
         "borderline_min_relevance": "0-1: articles judged not education but scored at least this are listed in an appendix",
         "borderline_max_items": "articles listed in that appendix at most (0: no appendix)"},
    )
    if isinstance(m.get("cutoff"), int) and not isinstance(m.get("cutoff"), bool):
        # YAML 1.1 reads an unquoted 12:30 as the base-60 number 750
        v = m["cutoff"]
        c.add("digest.cutoff", f"viết giờ trong dấu ngoặc kép: cutoff: \"{v // 60:02d}:{v % 60:02d}\" (không có ngoặc kép, YAML đọc nó thành số {v})")
        m = {**m, "cutoff": d.cutoff}
    cutoff = c.string(m, "cutoff", "digest", d.cutoff)
    if not _HHMM.match(cutoff):
        c.add("digest.cutoff", f"phải là giờ dạng HH:MM như \"07:00\"; hiện là {cutoff!r}")
        cutoff = d.cutoff
    recipients = c.strings(m, "recipients", "digest")
    for r in recipients:
        if not _EMAIL.match(r):
            c.add("digest.recipients", f"{r!r} không phải địa chỉ e-mail")
    formats = c.strings(m, "formats", "digest") or d.formats
    for f in formats:
        if f not in ("html", "txt", "md", "docx"):
            c.add("digest.formats", f"định dạng {f!r} không hợp lệ; dùng html, txt, md hoặc docx")
    return Digest(
        cutoff=cutoff, recipients=recipients,
        subject_prefix=c.string(m, "subject_prefix", "digest", d.subject_prefix) or d.subject_prefix,
        formats=formats, outbox_dir=c.string(m, "outbox_dir", "digest", d.outbox_dir) or d.outbox_dir,
        max_items_per_topic=c.number(m, "max_items_per_topic", "digest", d.max_items_per_topic, minimum=1, integer=True),
        missed_grace_hours=c.number(m, "missed_grace_hours", "digest", d.missed_grace_hours, minimum=0, maximum=72, integer=True),
        borderline_min_relevance=c.number(m, "borderline_min_relevance", "digest", d.borderline_min_relevance,
                                          minimum=0.0, maximum=1.0),
        borderline_max_items=c.number(m, "borderline_max_items", "digest", d.borderline_max_items, minimum=0, integer=True),
    )


def _alerts(c: Checker, raw: Any) -> Alerts:
    d = Alerts()
    m = c.mapping(
        raw,
        "alerts",
        {"enabled": "false to stop sending alerts", "thresholds": "severity name -> minimum hot score 0-100",
         "quiet_hours": "HH:MM-HH:MM when only urgent alerts go out", "cooldown_minutes": "minimum gap between two alerts of one story",
         "window_hours": "how long articles keep joining a story (a hot story's close developments: up to 7 days)", "channels": "list of email / webhook / telegram channels",
         "min_scope": "local | city | national | foreign: alert only stories at least this near (default foreign: all)"},
    )
    thresholds = d.thresholds
    if "thresholds" in m:
        tm = m["thresholds"]
        if (not isinstance(tm, dict) or not tm
                or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 100 for v in tm.values())):
            c.add("alerts.thresholds", "phải gán ít nhất một tên mức cảnh báo với một số nguyên 0-100, "
                                       "ví dụ {\"khẩn cấp\": 80, cao: 60} (để tắt cảnh báo, ghi enabled: false)")
        else:
            thresholds = _thresholds(c, tm) or thresholds
    min_scope = c.string(m, "min_scope", "alerts", d.min_scope)
    min_scope = scope_id(min_scope) or min_scope  # "tỉnh", "địa phương": the words `monitor articles --scope` takes
    if min_scope not in ALERT_SCOPES:
        c.add("alerts.min_scope", f"phạm vi {min_scope!r} không hợp lệ; dùng local (chỉ tin của chính địa bàn), city "
                                  "(thêm tin của thành phố, tỉnh), national (thêm tin của cả nước) hoặc foreign "
                                  "(mọi tin, mặc định)")
        min_scope = d.min_scope
    quiet = c.string(m, "quiet_hours", "alerts", d.quiet_hours)
    if quiet and not (len(quiet.split("-")) == 2 and all(_HHMM.match(x.strip()) for x in quiet.split("-"))):
        c.add("alerts.quiet_hours", f"phải có dạng \"22:00-06:00\" (hoặc để trống nếu không có giờ yên lặng); hiện là {quiet!r}")
        quiet = d.quiet_hours
    channels: list[AlertChannel] = []
    raw_channels = m.get("channels") or []
    if not isinstance(raw_channels, list):
        c.add("alerts.channels", "phải là một danh sách kênh, mỗi kênh có kind: email | webhook | telegram")
        raw_channels = []
    for i, ch in enumerate(raw_channels):
        p = f"alerts.channels[{i}]"
        cm = c.mapping(ch, p, {"kind": "email | webhook | telegram", "recipients": "email: addresses",
                               "url": "webhook: the URL to POST to",
                               "url_env": "webhook: env variable holding the URL, when the URL is itself a secret",
                               "secret_env": "webhook: env variable holding an HMAC secret",
                               "bot_token_env": "telegram: env variable holding the bot token", "chat_id": "telegram: chat id",
                               "base_url": "telegram: API base URL",
                               "timeout_seconds": "webhook, telegram: how long to wait for the answer"}, required=("kind",))
        kind = c.string(cm, "kind", p)
        if kind and kind not in ("email", "webhook", "telegram"):
            c.add(f"{p}.kind", f"loại kênh {kind!r} không hợp lệ; dùng email, webhook hoặc telegram")
        channel = AlertChannel(
            kind=kind, recipients=c.strings(cm, "recipients", p), url=c.string(cm, "url", p),
            url_env=_env_name(c, cm, "url_env", p),
            bot_token_env=_env_name(c, cm, "bot_token_env", p), chat_id=c.string(cm, "chat_id", p),
            base_url=c.string(cm, "base_url", p, AlertChannel.base_url) or AlertChannel.base_url,
            secret_env=_env_name(c, cm, "secret_env", p),
            timeout_seconds=float(c.number(cm, "timeout_seconds", p, AlertChannel.timeout_seconds, minimum=1, maximum=300)),
        )
        if kind == "email" and not channel.recipients:
            c.add(f"{p}.recipients", "kênh email cần ít nhất một địa chỉ người nhận")
        for r in channel.recipients:
            if not _EMAIL.match(r):
                c.add(f"{p}.recipients", f"{r!r} không phải địa chỉ e-mail")
        if kind == "webhook":
            if channel.url and channel.url_env:
                c.add(p, "kênh webhook dùng url hoặc url_env, không dùng cả hai")
            elif channel.url:
                _http_url(c, channel.url, f"{p}.url")
            elif not channel.url_env:
                c.add(f"{p}.url", "kênh webhook cần url: https://..., hoặc url_env: NAME (một biến môi trường "
                                  "chứa URL) khi chính URL là thông tin bí mật")
        if kind == "telegram" and not (channel.bot_token_env and channel.chat_id):
            c.add(p, "kênh telegram cần bot_token_env (tên một biến môi trường) và chat_id")
        channels.append(channel)
    return Alerts(
        enabled=c.boolean(m, "enabled", "alerts", True), thresholds=thresholds, quiet_hours=quiet,
        cooldown_minutes=c.number(m, "cooldown_minutes", "alerts", d.cooldown_minutes, minimum=0, integer=True),
        window_hours=c.number(m, "window_hours", "alerts", d.window_hours, minimum=1, maximum=24 * 14, integer=True),
        channels=tuple(channels), min_scope=min_scope,
    )


def _compare_key(name: str) -> str:
    """A name as compared: without diacritics, case or extra spaces ("khan cap" is "khẩn cấp")."""
    t = unicodedata.normalize("NFD", name.lower().replace("đ", "d"))
    return " ".join("".join(ch for ch in t if not unicodedata.combining(ch)).split())


def _thresholds(c: Checker, tm: dict) -> tuple[tuple[str, int], ...] | None:
    """The levels a thresholds mapping gives, most severe first, named as the clipping and the alerts name
    them; None (with the problems added) when a key is no level or the scores do not fall with the levels."""
    known = {_compare_key(n): n for n in SEVERITY_LEVELS}
    levels: dict[str, int] = {}
    ok = True
    for k, v in tm.items():
        name = known.get(_compare_key(str(k)))
        if name is None:
            c.add(f"alerts.thresholds.{k}", f"mức cảnh báo {str(k)!r} không hợp lệ; các mức là "
                                            f"{', '.join(SEVERITY_LEVELS)} (có dấu hoặc không dấu)")
            ok = False
        elif name in levels:
            c.add(f"alerts.thresholds.{k}", f"mức {name!r} được ghi hai lần")
            ok = False
        else:
            levels[name] = int(v)
    ordered = [(n, levels[n]) for n in SEVERITY_LEVELS if n in levels]
    if ok and any(a[1] <= b[1] for a, b in zip(ordered, ordered[1:])):
        c.add("alerts.thresholds", "mỗi mức phải có điểm cao hơn mức kế tiếp, nhưng "
                                   + " > ".join(f"{n} {v}" for n, v in ordered) + " không đúng")
        ok = False
    return tuple(ordered) if ok else None


def _smtp(c: Checker, raw: Any) -> Smtp:
    d = Smtp()
    if isinstance(raw, dict):  # an inline secret is one problem (below), not also an unknown key
        secrets = {k: raw[k] for k in ("username", "password") if k in raw}
        raw = {k: v for k, v in raw.items() if k not in secrets}
    else:
        secrets = {}
    m = c.mapping(raw, "smtp", {"host": "SMTP server host", "port": "SMTP port", "security": "starttls | ssl | none",
                                "username_env": "env variable holding the user name", "password_env": "env variable holding the password",
                                "sender": "From address", "timeout_seconds": "connection timeout"})
    for key in ("username", "password"):
        if key in secrets:
            c.add(f"smtp.{key}", f"không ghi thông tin bí mật trong tệp; đặt {key}_env: NAME và export NAME trong môi trường")
    security = c.string(m, "security", "smtp", d.security) or d.security
    if security not in ("starttls", "ssl", "none"):
        c.add("smtp.security", f"phải là starttls, ssl hoặc none; hiện là {security!r}")
    sender = c.string(m, "sender", "smtp")
    if sender and not _EMAIL.match(sender.split("<")[-1].rstrip(">")):
        c.add("smtp.sender", f"{sender!r} không phải địa chỉ e-mail")
    return Smtp(
        host=c.string(m, "host", "smtp"), port=c.number(m, "port", "smtp", d.port, minimum=1, maximum=65535, integer=True),
        security=security, username_env=_env_name(c, m, "username_env", "smtp"), password_env=_env_name(c, m, "password_env", "smtp"),
        sender=sender, timeout_seconds=float(c.number(m, "timeout_seconds", "smtp", d.timeout_seconds, minimum=1)),
    )


def _storage(c: Checker, raw: Any, base: Path) -> Storage:
    m = c.mapping(raw, "storage", {"data_dir": "folder for the database, outbox and logs (relative to feeds.yaml)",
                                   "database": "SQLite file name inside data_dir", "models_dir": "folder of trained models",
                                   "raw_html_retention_days": "days to keep archived article HTML",
                                   "rules_file": "the office's edited topic rules (a copy of classifiers/topics.yaml); "
                                                 "default: the shipped file"})
    data_dir = (base / (c.string(m, "data_dir", "storage", "var") or "var")).resolve()
    db = c.string(m, "database", "storage", "monitor.sqlite3") or "monitor.sqlite3"
    models = (base / (c.string(m, "models_dir", "storage", "models") or "models")).resolve()
    rules = c.string(m, "rules_file", "storage")
    rules_file = (base / rules).resolve() if rules else None
    if rules_file is not None and not rules_file.is_file():
        c.add("storage.rules_file", f"{rules_file} không tồn tại; sao chép classifiers/topics.yaml tới đó rồi sửa, "
                                    f"hoặc bỏ khóa này để dùng bộ quy tắc đi kèm")
    return Storage(
        data_dir=data_dir, database=(data_dir / db) if not Path(db).is_absolute() else Path(db), models_dir=models,
        raw_html_retention_days=c.number(m, "raw_html_retention_days", "storage", 365, minimum=1, integer=True),
        rules_file=rules_file,
    )


TOP_LEVEL = {
    "office": "đơn vị giáo dục mà monitor này phục vụ",
    "crawler": "politeness and limits for fetching",
    "outlets": "news outlets with their article-page selectors",
    "sources": "the feeds to poll",
    "digest": "the daily press clipping",
    "alerts": "hot-issue alerts",
    "smtp": "the mail server",
    "storage": "where data is kept",
}


def parse_config(data: Any, path: Path, *, overrides: dict | None = None,
                 duplicates: list[DuplicateKey] | tuple = ()) -> Config:
    """Validate already-parsed YAML; raise ConfigError listing every problem."""
    c = Checker()
    c.problems.extend(duplicate_key_problems(duplicates))
    top = c.mapping(data, "", TOP_LEVEL, required=("office",))  # a missing `sources` is reported by _sources
    if overrides:
        top = {**top, **overrides}
    office = _office(c, top.get("office"))
    crawler = _crawler(c, top.get("crawler"), path.parent)
    outlets = _outlets(c, top.get("outlets"))
    sources = _sources(c, top.get("sources"), outlets)
    cfg = Config(
        path=path, office=office, crawler=crawler, outlets=outlets, sources=sources,
        digest=_digest(c, top.get("digest")), alerts=_alerts(c, top.get("alerts")), smtp=_smtp(c, top.get("smtp")),
        storage=_storage(c, top.get("storage"), path.parent),
    )
    if c.problems:
        raise ConfigError(str(path), c.problems)
    return cfg


def read_yaml_file(path: Path, *, missing: str | None = None) -> tuple[Any, list[DuplicateKey]]:
    """A YAML file the office edits (feeds.yaml, calendar.yaml) -> (data, keys written twice in one mapping); a file
    that cannot be read or parsed is a ConfigError naming it and the place. `missing`: what to do when it does not
    exist (without it, the system's own words)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(str(path), [ConfigProblem("", f"không tìm thấy tệp; {missing}" if missing else
                                                     f"không đọc được tệp ({exc})")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), [ConfigProblem("", f"không đọc được tệp ({exc}); hãy lưu tệp dưới dạng văn bản UTF-8")]) from None
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"dòng {mark.line + 1}, cột {mark.column + 1}" if mark else "YAML"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(str(path), [ConfigProblem(where, f"không phải YAML hợp lệ ({problem}); kiểm tra thụt lề và dấu ngoặc kép ở chỗ đó")]) from None


def load_config(path: str | Path, *, overrides: dict | None = None) -> Config:
    """Read and validate feeds.yaml. `overrides` replaces whole top-level sections (used by the demo)."""
    p = Path(path)
    data, duplicates = read_yaml_file(p, missing="chạy `monitor init` để tạo một feeds.yaml ban đầu, hoặc chỉ rõ --config PATH")
    return parse_config(data, p.resolve(), overrides=overrides, duplicates=duplicates)
