"""feeds.yaml's sections other than the office as frozen dataclasses (their defaults are the documented ones), and
Config, which holds them all."""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from classifiers.types import SCOPES
from monitor.config.office import Office
from monitor.config.outlets import HOST_FORM, outlet_key, outlet_matching


SELECTOR_FIELDS = ("title", "sapo", "body", "published", "author", "remove")


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
        host = HOST_FORM.fullmatch(name.strip().lower())  # a feed's host stood for its outlet: m.vnexpress.net
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
