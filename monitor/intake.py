"""Hot issues that reach the office from outside the crawled press (`monitor cases open --title ...`).

The communication plan asks the office to catch public opinion "thông qua điểm báo, điểm báo mạng xã hội hàng
ngày, từ các nguồn trong và ngoài Ngành khác": a Facebook group's post, a parent's call to the hotline, a
school's report, a TV segment, an outlet feeds.yaml does not crawl. Such an item is stored once
(monitor.models.IntakeItem: who entered it and when, its source kind and source, the address it can be seen
at when there is one; never a made-up article), in a story of its own that opens a case as a crawled hot
story does. It is a hot issue in the clipping (on the day it was entered) and in the monthly report's part
III, with its source ("Nguồn: mạng xã hội – Nhóm Facebook …"), and counts where hot issues are counted; it
is no article, so the press figures (articles per outlet, tone of coverage) never count it.

It alerts leadership unless the person says not to (`alert=False`): the office heard of it before the press,
which is when leadership most needs to. The alert goes through the outbox like a crawled story's, queued in
the same transaction as the case, at the level the person gives (the lowest alert level by default), so it
is sent once whatever fails; quiet hours hold it as they hold the others.

The same title from the same source on the same day is taken as the same item entered twice by mistake: the
second entry is refused, naming the case that holds the first, unless the person says it is another (`force`).
A typo in what was entered is corrected on the case (`correct_item`, `monitor cases update N --title ...`), the
history keeping the old values; an alert already sent is never sent again for it. A day given without an hour is
kept as a day (IntakeItem.day_only): every output says "ngày 25/11/2026", never an invented "00:00".

Press articles about the same event later are not grouped into its story by themselves (story grouping
compares articles, and an item has a title and a summary at most: a wrong join would silence the press story's
own alert). Their case names the item's as the one it may continue (monitor.triage.RelatedCases reads the open
items beside the open cases' articles), in the alert, `monitor cases show` and the clipping, and a person who
agrees merges it (`monitor cases merge PRESS_CASE --into ITEM_CASE`): the item's story then holds both, and the
level the person gave stays its floor (kept with the item, IntakeItem.level): the press score may raise it, never
lower it (monitor.triage.keep_entered_level), and the case's history says so when it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from classifiers.plan_topics import TOPIC_IDS
from classifiers.types import scope_id
from monitor.errors import InputError
from monitor.models import IntakeItem
from monitor.wording import time_label
from monitor.stories import fold

SOURCE_KINDS = ("mạng xã hội", "đường dây nóng", "cơ sở giáo dục", "truyền hình", "báo chí khác", "khác")
# the channels that reach the office itself: what comes by them is about its area unless it names another place
OWN_CHANNELS = frozenset({"đường dây nóng", "cơ sở giáo dục"})
# what a person may type for a kind besides its Vietnamese name, with or without diacritics
KIND_ALIASES = {"social": "mạng xã hội", "mxh": "mạng xã hội", "facebook": "mạng xã hội", "hotline": "đường dây nóng",
                "school": "cơ sở giáo dục", "truong": "cơ sở giáo dục", "tv": "truyền hình",
                "press": "báo chí khác", "bao": "báo chí khác", "other": "khác"}
MAX_TITLE = 300
# a time a little ahead of the machine's clock is a person's watch, not the future
CLOCK_SLACK = timedelta(minutes=10)
TIME_FORMATS = ("%H:%M %d/%m/%Y", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")
DAY_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
WHEN_HINT = 'viết dạng "HH:MM DD/MM/YYYY" hoặc "DD/MM/YYYY", ví dụ --at "08:30 26/11/2026"'


def parse_source_kind(text: str) -> str:
    """The canonical source kind for what a person typed (with or without diacritics, or an English alias)."""
    wanted = fold(text or "")
    for kind in SOURCE_KINDS:
        if fold(kind) == wanted:
            return kind
    if wanted in KIND_ALIASES:
        return KIND_ALIASES[wanted]
    raise InputError(f"không có loại nguồn {text!r}; dùng một trong: {', '.join(SOURCE_KINDS)}",
                     hint='ví dụ --source-kind "mạng xã hội" --source "Nhóm Facebook Phụ huynh Long Biên"')


def parse_when(text: str | None, now: datetime, tz) -> datetime:
    """When the item appeared or reached the office (read_when), without saying whether the hour was given."""
    return read_when(text, now, tz)[0]


def read_when(text: str | None, now: datetime, tz) -> tuple[datetime, bool]:
    """(when the item appeared or reached the office, in the office's time zone; whether only its day was given): now
    when not given. A day without an hour is that day's start (today's: now), for ordering and windows only: the
    outputs say the day (IntakeItem.when_label). A time in the future is refused."""
    if text is None or not text.strip():
        return now, False
    value = " ".join(text.split())
    when, day_only = None, False
    for fmt in TIME_FORMATS:
        try:
            when = datetime.strptime(value, fmt).replace(tzinfo=tz)
            break
        except ValueError:
            continue
    if when is None:
        for fmt in DAY_FORMATS:
            try:
                day = datetime.strptime(value, fmt).date()
            except ValueError:
                continue
            when = now if day == now.astimezone(tz).date() else datetime.combine(day, time(0), tzinfo=tz)
            day_only = True
            break
    if when is None:
        raise InputError(f"--at {text!r} không phải thời điểm hệ thống đọc được; {WHEN_HINT}")
    if not 1970 <= when.year <= 2999:
        raise InputError(f"--at {text!r} nằm ngoài khoảng cho phép; cho một thời điểm trong các năm 1970–2999")
    if when > now + CLOCK_SLACK:
        local = now.astimezone(tz)
        raise InputError(f"--at {text!r} là thời điểm trong tương lai (bây giờ là {local:%H:%M %d/%m/%Y}); cho lúc bài "
                         "đăng, cuộc gọi hoặc phản ánh xuất hiện hay đến cơ quan", hint="bỏ --at để lấy thời điểm hiện tại")
    return when, day_only


def parse_level(config, text: str | None) -> str:
    """The alert level of the item: one of alerts.thresholds' names; the lowest when not given."""
    names = [n for n, _ in config.alerts.thresholds]
    if not text:
        return names[-1]
    for n in names:
        if fold(n) == fold(text):
            return n
    raise InputError(f"không có mức độ {text!r}; dùng một trong: {', '.join(names)} (alerts.thresholds trong feeds.yaml)")


def parse_topic(text: str | None, known: tuple[str, ...] = TOPIC_IDS) -> str:
    """The topic id a person gave, checked as `monitor label --topics` checks it: against the topics of the rules the
    office runs (`known`: monitor.corrections.office_topic_ids), its own added ones with the plan's."""
    from monitor.corrections import parse_topics

    if not text or not text.strip():
        return ""
    try:
        (topic,) = parse_topics([text.strip().lower()], known) or [""]
    except ValueError:  # several, comma-separated: an item is filed under one topic
        raise InputError(f"--topic {text!r} nêu nhiều chủ đề; chỉ cho chủ đề chính của tin") from None
    return topic


def parse_scope(text: str | None) -> str | None:
    """The scope a person gave (`--scope`): local, city, national or foreign, or their Vietnamese words; None when
    not given (judged from the item's text then: judge_scope)."""
    if text is None:
        return None
    scope = scope_id(text)
    if scope:
        return scope
    raise InputError(f"--scope {text!r} không phải phạm vi; dùng local (địa bàn), city (thành phố), national (toàn quốc) "
                     "hoặc foreign (nước ngoài), hoặc bỏ --scope để hệ thống tự xét theo tiêu đề, tóm tắt và nguồn")


def judge_scope(app, title: str, summary: str, source: str, source_kind: str = "") -> str:
    """Where an item entered by hand happens, from its own text as an article's place is read: its title as a title,
    its summary and source as the lead, by the scope rules (the district, its wards, the watchlist: classifiers.scope)
    and the watchlist names triage's locality reads, so "Nhóm Facebook Phụ huynh Long Biên" or a watchlist school
    places it on a Phòng's district. The rules alone, without the trained models: an item has no page for them."""
    from classifiers.classify import Classifier
    from classifiers.rules import load_rules
    from monitor.triage import Watchlist

    lead = ". ".join(t for t in (summary, source) if t and t.strip())
    if Watchlist(app.config).hits(title, lead):
        return "local"
    clf = app.loaded_classifier or Classifier(load_rules(app.config.storage.rules_file), app.config.office, None)
    scope, reason = clf.place(title, lead)
    if scope == "national" and not reason and source_kind in OWN_CHANNELS:
        # a call to the office's own hotline, or a report from one of its schools, that names no place at all is
        # about the office's area: that is whom such a channel reaches. Named elsewhere, the text says so.
        return "local"
    return scope


def area_line(office, item: IntakeItem) -> str:
    """"Địa bàn: …" of the item's alert: on the office's area or not (Office.is_own_area), and who says so."""
    how = "do người ghi nhận xác định" if item.scope_given else "theo nội dung ghi nhận"
    if office.is_own_area(item.scope):
        return f"Địa bàn: {office.area} ({how})"
    return f"Địa bàn: ngoài địa bàn {office.area}, {office.scope_name(item.scope)} ({how})"


def same_key(title: str, source: str, day: date) -> str:
    """What makes two entries the same item: the title and the source, folded, and the office's local day."""
    return f"{fold(title)}|{fold(source)}|{day.isoformat()}"


@dataclass(frozen=True)
class Intake:
    """What `open_from_outside` did."""

    case: object  # monitor.cases.Case
    item: IntakeItem | None  # None when refused as entered already
    alert_id: int | None = None
    duplicate_of: IntakeItem | None = None  # the item entered before, when this one is refused as the same


def open_from_outside(app, *, title: str, source_kind: str, source: str, by: str, url: str | None = None,
                      at: str | None = None, summary: str = "", topic: str | None = None, level: str | None = None,
                      note: str = "", alert: bool = True, force: bool = False, scope: str | None = None) -> Intake:
    """Record a hot issue from outside the crawled press and open its case (see the module docstring). `scope`:
    where it happens as the person says (parse_scope), else judged from its text (judge_scope)."""
    from monitor.cases import OUTSIDE_OPENED, actor_name

    title = _title(title)
    kind = parse_source_kind(source_kind)
    source = _source(source)
    url = _url(url)
    who = actor_name(by)
    tz = app.config.office.tz
    now = app.now()
    when, day_only = read_when(at, now, tz)
    severity = parse_level(app.config, level)
    from monitor.corrections import office_topic_ids

    topic_id = parse_topic(topic, office_topic_ids(app)) if topic else ""
    summary = " ".join((summary or "").split())
    given = parse_scope(scope)
    item = dict(title=title, source_kind=kind, source=source, url=url, happened_at=when, day_only=day_only,
                summary=summary, same_key=same_key(title, source, when.astimezone(tz).date()),
                scope=given or judge_scope(app, title, summary, source, kind), scope_given=given is not None)
    event = f"{OUTSIDE_OPENED}: {kind} – {source}" + ("" if alert else "; không gửi cảnh báo (--no-alert)")

    def compose(case, stored: IntakeItem):
        from monitor.notify import delivery_plan
        subject, body, payload = intake_alert(app.config, stored, case, severity)
        return subject, body, payload, delivery_plan(app.config, severity, now)

    item_id, case_id, alert_id, duplicate = app.store.add_intake(
        item, now, by=who, severity=severity, topic=topic_id, note=event, remark=note.strip(),
        compose=compose if alert else None, force=force)
    if duplicate is not None:
        return Intake(app.store.case_of_story(duplicate.story_id), None, None, duplicate)
    return Intake(app.store.case(case_id), app.store.intake_item(item_id), alert_id)


def _title(text: str | None) -> str:
    title = " ".join((text or "").split())
    if not title:
        raise InputError("vấn đề nóng cần có tiêu đề: việc gì đã xảy ra, trong một dòng",
                         hint='ví dụ --title "Phụ huynh phản ánh trường thu quỹ lớp 2 triệu đồng"')
    if len(title) > MAX_TITLE:
        raise InputError(f"tiêu đề dài {len(title)} ký tự; giữ trong một dòng (tối đa {MAX_TITLE} ký tự) và "
                         "đưa phần còn lại vào --summary")
    return title


def _source(text: str | None) -> str:
    source = " ".join((text or "").split())
    if not source:
        raise InputError("cho biết tin đến từ đâu (--source): nhóm, trang, người gọi, trường, kênh hay tờ báo nào",
                         hint='ví dụ --source "Nhóm Facebook Phụ huynh Long Biên"')
    return source


def _url(text: str | None) -> str | None:
    from monitor.urls import is_web_url

    url = (text or "").strip() or None
    if url is not None and not is_web_url(url):
        raise InputError(f"--url {url!r} không phải địa chỉ web (http:// hoặc https://)",
                         hint="bỏ --url khi tin không có địa chỉ (một cuộc gọi, một báo cáo giấy)")
    return url


# the words a correction's history line (monitor.cases.ITEM_CORRECTED) names each field by
FIELD_WORDS = {"title": "tiêu đề", "source_kind": "loại nguồn", "source": "nguồn", "url": "địa chỉ",
               "happened_at": "thời điểm", "summary": "tóm tắt", "scope": "địa bàn"}


def correct_item(app, case_id: int, *, by: str, title: str | None = None, source_kind: str | None = None,
                 source: str | None = None, url: str | None = None, at: str | None = None, summary: str | None = None,
                 item_id: int | None = None, scope: str | None = None):
    """Correct what a person entered for a hot issue from outside the press (a typo in its title, the wrong source,
    a missing address) on its case, rather than dismissing it and entering it again: each field given is checked as
    `open_from_outside` checks it (`url=""` removes the address, `summary=""` the summary), and a line of the case's
    history says who changed what, from what (the old value is kept there). What a second entry is compared with
    (same_key) follows the correction. An alert already sent, or on its way, is never sent again for a correction;
    one still waiting (quiet hours) is written again, so leadership reads the corrected item. Where it happens
    (`scope`, parse_scope) is the person's from then on; one nobody gave is judged again from the corrected text
    (judge_scope). -> the case."""
    from monitor.cases import ITEM_CORRECTED, actor_name, existing_case

    store = app.store
    tz = app.config.office.tz
    case = existing_case(store, case_id)
    if case.merged:
        raise InputError(f"hồ sơ {case_id} đã được gộp vào hồ sơ khác, nay giữ các tin của nó",
                         hint=f"`monitor cases show {case_id}` cho biết hồ sơ đó; sửa tin ở hồ sơ đó")
    items = store.intake_of_story(case.story_id)
    if not items:
        raise InputError(f"hồ sơ {case_id} không có tin nào ghi nhận từ ngoài báo chí: tiêu đề và nguồn của nó là của "
                         "các bài báo; --title, --source-kind, --source, --url, --at và --summary sửa một tin đã ghi "
                         "nhận bằng `monitor cases open --title`")
    if item_id is None and len(items) > 1:
        raise InputError(f"hồ sơ {case_id} có {len(items)} tin ghi nhận từ ngoài báo chí; chọn tin cần sửa "
                         "bằng --item (" + ", ".join(f"{i.id}: “{i.title}”" for i in items) + ")")
    item = next((i for i in items if item_id is None or i.id == item_id), None)
    if item is None:
        raise InputError(f"hồ sơ {case_id} không có tin số {item_id}; các tin của nó: " + ", ".join(str(i.id) for i in items))
    who = actor_name(by)
    new = {}
    if title is not None:
        new["title"] = _title(title)
    if source_kind is not None:
        new["source_kind"] = parse_source_kind(source_kind)
    if source is not None:
        new["source"] = _source(source)
    if url is not None:
        new["url"] = _url(url)
    if summary is not None:
        new["summary"] = " ".join(summary.split())
    if at is not None:
        if not at.strip():
            raise InputError("--at đang để trống: cho lúc tin xuất hiện hoặc đến cơ quan", hint=WHEN_HINT)
        new["happened_at"], new["day_only"] = read_when(at, app.now(), tz)
    changed = {k: v for k, v in new.items() if k not in ("happened_at", "day_only") and v != getattr(item, k)}
    if "happened_at" in new and (new["happened_at"] != item.happened_at or new["day_only"] != item.day_only):
        changed |= {"happened_at": new["happened_at"], "day_only": new["day_only"]}
    given = parse_scope(scope)
    if given is not None:
        if given != item.scope or not item.scope_given:
            changed |= {"scope": given, "scope_given": True}
    elif not item.scope_given and changed.keys() & {"title", "summary", "source", "source_kind"}:
        # nobody said where it is: the corrected text says it, as it said it at entry
        fixed = replace(item, **changed)
        judged = judge_scope(app, fixed.title, fixed.summary, fixed.source, fixed.source_kind)
        if judged != item.scope:
            changed["scope"] = judged
    if not changed:
        raise InputError(f"không có gì để sửa: tin số {item.id} của hồ sơ {case_id} đã ghi đúng như vậy",
                         hint=f"`monitor cases show {case_id}` cho xem nội dung đã ghi")
    after = replace(item, **changed)

    def said(field: str, of: IntakeItem) -> str:
        if field == "happened_at":
            return of.when_label(tz)
        if field == "scope":
            return "«" + area_line(app.config.office, of).removeprefix("Địa bàn: ") + "»"
        value = getattr(of, field)
        return f"«{value}»" if value else "(trống)"

    note = f"{ITEM_CORRECTED}: " + "; ".join(f"{FIELD_WORDS[k]} {said(k, item)} → {said(k, after)}"
                                         for k in FIELD_WORDS if k in changed)
    changed["same_key"] = same_key(after.title, after.source, after.happened_at.astimezone(tz).date())

    def recompose(stored: IntakeItem, severity: str):
        subject, body, payload = intake_alert(app.config, stored, store.case(case_id), severity)
        return subject, body, payload

    store.correct_intake(item.id, changed, app.now(), by=who, case_id=case_id, note=note, recompose=recompose)
    return store.case(case_id)


def duplicate_error(found: Intake, tz) -> InputError:
    """The refusal of an item entered twice: which case holds the first, and what to do instead."""
    d = found.duplicate_of
    case = found.case
    where = f"hồ sơ {case.id}" if case is not None else "một hồ sơ"
    return InputError(
        f"tin này có vẻ đã được ghi nhận: {where} có “{d.title}” ({d.source_label}, "
        f"{d.happened_at.astimezone(tz):%d/%m/%Y}), do {d.entered_by} ghi lúc {d.entered_at.astimezone(tz):%H:%M %d/%m/%Y}; "
        "chưa ghi gì",
        hint=(f"để bổ sung vào đó: monitor cases update {case.id} --note \"...\"; " if case is not None else "")
        + "nếu đúng là một tin khác, chạy lại lệnh với --force")


def intake_alert(config, item: IntakeItem, case, severity: str) -> tuple[str, str, dict]:
    """(subject, plain-text body, webhook payload) of the alert for a hot issue from outside the press: what it is,
    where it came from, when, and the case; the same shape as a crawled story's (monitor.notify.compose_alert)."""
    from monitor.notify import alert_subject, case_line

    tz = config.office.tz
    # on the office's area as the clipping and the report read it (Office.is_own_area of the item's scope)
    subject = alert_subject(config, severity, item.title, local=config.office.is_own_area(item.scope))
    lines = [f"{config.office.short_name} — cảnh báo tin nóng (nguồn ngoài báo chí)", ""]
    if item.summary:
        lines += [item.summary, ""]
    lines += [f"Mức độ nóng: {severity} (do {item.entered_by} đánh giá khi ghi nhận)",
              f"Nguồn: {item.source_label}",
              area_line(config.office, item),
              f"Thời điểm: {item.when_label(tz)}",
              f"Ghi nhận: {item.entered_by}, lúc {time_label(item.entered_at.astimezone(tz))}"]
    if item.url:
        lines.append(f"Địa chỉ: {item.url}")
    lines += ["", case_line(case)]
    body = "\n".join(lines) + "\n"
    payload = {
        "type": "alert.new", "story_id": item.story_id, "case_id": case.id, "title": item.title,
        "summary": item.summary, "severity": severity, "hot_score": 0.0, "change": None, "reasons": [],
        "classifier_reasons": [], "explanation": {},
        # what `monitor cases show --json` says of the item: one shape, so the two cannot drift apart (receivers rely on
        # id, source_kind, source, url, happened_at, day_only, entered_by and entered_at: keys are added, never renamed)
        "intake": as_dict(item, tz),
        "sources": [], "related_cases": [], "text": body,
    }
    return subject, body, payload


def as_dict(item: IntakeItem, tz) -> dict:
    """The item as JSON says it: `monitor cases show --json`/`cases list --json` and the alert's webhook payload."""
    return {"id": item.id, "title": item.title, "source_kind": item.source_kind, "source": item.source,
            "url": item.url, "happened_at": item.happened_at.astimezone(tz).isoformat(), "day_only": item.day_only,
            "summary": item.summary, "topic": item.topic, "level": item.level, "entered_by": item.entered_by,
            "entered_at": item.entered_at.astimezone(tz).isoformat(), "scope": item.scope, "scope_given": item.scope_given}
