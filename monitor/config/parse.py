"""feeds.yaml read into a Config: each section in turn, then every problem found raised together in one
ConfigError."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from classifiers.types import scope_id
from monitor.config.checks import Checker, env_name, http_url
from monitor.config.model import ALERT_SCOPES, SEVERITY_LEVELS, AlertChannel, Alerts, Config, Digest, Smtp, Storage
from monitor.config.office import DEFAULT_TIMEZONE, Office, Watchlist, compare_key
from monitor.config.parse_fetch import parse_crawler, parse_outlets, parse_sources
from monitor.config.yaml_io import DuplicateKey, duplicate_key_problems, read_yaml_file
from monitor.errors import ConfigError


_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clock_time(text: str) -> time:
    """An "HH:MM" that _HHMM accepted (a cut-off, either end of the quiet hours) as a time of day."""
    hh, mm = text.strip().split(":")
    return time(int(hh), int(mm))


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
            url_env=env_name(c, cm, "url_env", p),
            bot_token_env=env_name(c, cm, "bot_token_env", p), chat_id=c.string(cm, "chat_id", p),
            base_url=c.string(cm, "base_url", p, AlertChannel.base_url) or AlertChannel.base_url,
            secret_env=env_name(c, cm, "secret_env", p),
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
                http_url(c, channel.url, f"{p}.url")
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


def _thresholds(c: Checker, tm: dict) -> tuple[tuple[str, int], ...] | None:
    """The levels a thresholds mapping gives, most severe first, named as the clipping and the alerts name
    them; None (with the problems added) when a key is no level or the scores do not fall with the levels."""
    known = {compare_key(n): n for n in SEVERITY_LEVELS}
    levels: dict[str, int] = {}
    ok = True
    for k, v in tm.items():
        name = known.get(compare_key(str(k)))
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
        security=security, username_env=env_name(c, m, "username_env", "smtp"), password_env=env_name(c, m, "password_env", "smtp"),
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
    top = c.mapping(data, "", TOP_LEVEL, required=("office",))  # a missing `sources` is reported by parse_sources
    if overrides:
        top = {**top, **overrides}
    office = _office(c, top.get("office"))
    crawler = parse_crawler(c, top.get("crawler"), path.parent)
    outlets = parse_outlets(c, top.get("outlets"))
    sources = parse_sources(c, top.get("sources"), outlets)
    cfg = Config(
        path=path, office=office, crawler=crawler, outlets=outlets, sources=sources,
        digest=_digest(c, top.get("digest")), alerts=_alerts(c, top.get("alerts")), smtp=_smtp(c, top.get("smtp")),
        storage=_storage(c, top.get("storage"), path.parent),
    )
    if c.problems:
        raise ConfigError(str(path), c.problems)
    return cfg


def load_config(path: str | Path, *, overrides: dict | None = None) -> Config:
    """Read and validate feeds.yaml. `overrides` replaces whole top-level sections (used by the demo)."""
    p = Path(path)
    data, duplicates = read_yaml_file(p, missing="chạy `monitor init` để tạo một feeds.yaml ban đầu, hoặc chỉ rõ --config PATH")
    return parse_config(data, p.resolve(), overrides=overrides, duplicates=duplicates)
