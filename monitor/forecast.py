"""What the press is likely to take up next month (the plan's "dự báo các vấn đề dư luận xã hội quan tâm"),
for the monthly report, from three things measured separately (bench/forecast.py):

* the education year's calendar (calendar.yaml: the shipped one, or the office's own beside feeds.yaml):
  recurring events whose window falls in the next month;
* seasonality: which plan topics' share of education articles rose from this month to the next in earlier
  years, from the office's own store once it holds a year, otherwise from the shipped national profile
  (monitor/seasonal-national.json, docs/seasonal-national.md);
* momentum: stories still growing at the end of the period, and cases still open.

Everything here but `calendar_path`, `load_calendar`, `national_profile` and `load_forecast` is pure.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Iterable, Sequence

from classifiers.plan_topics import PLAN_TOPICS
from monitor.cases import OPEN_STATUSES
from monitor.config import Checker, OutletNames, duplicate_key_problems, read_yaml_file
from monitor.errors import ConfigError
from monitor.wording import FULL_CASE_LIST, quoted, topic_list

CALENDAR_FILE = "calendar.yaml"  # the office's own, beside feeds.yaml
SHIPPED_CALENDAR = Path(__file__).with_name("calendar.yaml")
NATIONAL_PROFILE = Path(__file__).with_name("seasonal-national.json")
NATIONAL_SOURCE = "số liệu báo chí toàn quốc của VnExpress, Thanh Niên, Tuổi Trẻ"
OWN_SOURCE = "số liệu của hệ thống theo dõi"

# seasonal: a topic "rose" when its share of the month's education articles grew by this much, on enough articles
# to mean it (a topic going from 2 to 4 articles is noise); chosen before the backtest, not tuned on it
MIN_LIFT = 1.3
MIN_ARTICLES = 15
MAX_SEASONAL = 4
# momentum: a story is still growing when its last RECENT_DAYS hold at least MIN_RECENT articles and more than the
# RECENT_DAYS before them
RECENT_DAYS = 3
MIN_RECENT = 2
MAX_MOMENTUM = 5
MAX_OPEN_CASES = 10  # the month's own first, then the oldest still pending (monitor.report)
# whether momentum is offered as a forecast: set from bench/forecast.py's backtest (README, docs/seasonal-national.md);
# when it does not beat its baseline the report lists the stories as what they are, not as a forecast
# (2026-11-27: flagged stories continued in 16.8% of story-days, stories merely active with >= 2 recent articles in
# 17.8%: it does not)
MOMENTUM_BEATS_BASELINE = False

log = logging.getLogger(__name__)

_WINDOW = re.compile(r"^\s*(\d{1,2})/(\d{1,2})\s*[-–]\s*(\d{1,2})/(\d{1,2})\s*$")
_TOPIC_NAMES = dict(PLAN_TOPICS)


# --------------------------------------------------------------------------- the calendar


@dataclass(frozen=True)
class Window:
    """A yearly span of days, month/day to month/day; it runs over the year's end when it ends before it starts."""

    start_month: int
    start_day: int
    end_month: int
    end_day: int

    def _in_year(self, year: int) -> tuple[date, date]:
        start = _day(year, self.start_month, self.start_day)
        wraps = (self.end_month, self.end_day) < (self.start_month, self.start_day)
        return start, _day(year + wraps, self.end_month, self.end_day)

    def overlaps(self, first: date, last: date) -> bool:
        """Whether any day of [first, last] falls in the window, in whatever year."""
        for year in range(first.year - 1, last.year + 1):
            start, end = self._in_year(year)
            if start <= last and end >= first:
                return True
        return False

    @property
    def label(self) -> str:
        return f"{self.start_day:02d}/{self.start_month:02d}–{self.end_day:02d}/{self.end_month:02d}"


def _day(year: int, month: int, day: int) -> date:
    if month == 2 and day == 29:  # 29/02 in a year without it: the last day of February
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 2, 28)
    return date(year, month, day)


@dataclass(frozen=True)
class CalendarEvent:
    name: str
    windows: tuple[Window, ...]
    topics: tuple[str, ...]
    why: str

    def overlaps(self, first: date, last: date) -> bool:
        return any(w.overlaps(first, last) for w in self.windows)

    def window_label(self, first: date, last: date) -> str:
        return ", ".join(w.label for w in self.windows if w.overlaps(first, last))


def upcoming(events: Iterable[CalendarEvent], first: date, last: date) -> tuple[CalendarEvent, ...]:
    """The events with a window in [first, last], in the file's order (the office's own order of importance)."""
    return tuple(e for e in events if e.overlaps(first, last))


CALENDAR_KEYS = {"events": "danh sách các sự kiện lặp lại hằng năm"}
EVENT_KEYS = {"name": "tên báo cáo dùng để gọi sự kiện", "windows": 'thời gian, là các khoảng "dd/mm-dd/mm", ví dụ ["15/12-15/01"]',
              "topics": "mã chủ đề theo kế hoạch, ví dụ [tuyen-sinh]", "why": "một câu: vì sao báo chí quan tâm"}


def parse_calendar(data: Any, source: str) -> tuple[CalendarEvent, ...]:
    """Validate parsed calendar YAML; raise ConfigError listing every problem of the file at once."""
    c = Checker()
    top = c.mapping(data, "", CALENDAR_KEYS, required=("events",))
    raw = top.get("events")
    events: list[CalendarEvent] = []
    if raw is not None and not isinstance(raw, list):
        c.add("events", "phải là một danh sách sự kiện, mỗi sự kiện có name, windows, topics và why")
        raw = []
    for i, item in enumerate(raw or ()):
        path = f"events[{i}]"
        m = c.mapping(item, path, EVENT_KEYS, required=tuple(EVENT_KEYS))
        if not m:
            continue
        windows = []
        for text in c.strings(m, "windows", path):
            w = _window(text)
            if w is None:
                c.add(f"{path}.windows", f'{text!r} không phải một khoảng ngày; viết "dd/mm-dd/mm", ví dụ "15/12-15/01"')
            else:
                windows.append(w)
        topics = c.strings(m, "topics", path)
        for t in topics:
            if t not in _TOPIC_NAMES:
                c.add(f"{path}.topics", f"chủ đề {t!r} không hợp lệ; dùng các mã của kế hoạch: {', '.join(_TOPIC_NAMES)}")
        events.append(CalendarEvent(c.string(m, "name", path), tuple(windows), topics, c.string(m, "why", path)))
    if c.problems:
        raise ConfigError(source, c.problems)
    return tuple(events)


def _window(text: str) -> Window | None:
    m = _WINDOW.match(text)
    if not m:
        return None
    sd, sm, ed, em = (int(x) for x in m.groups())
    for month, day in ((sm, sd), (em, ed)):
        try:
            date(2000, month, day)  # a leap year: 29/02 is a day
        except ValueError:
            return None
    return Window(sm, sd, em, ed)


def calendar_path(config_path: Path | None) -> Path:
    """The office's calendar.yaml beside feeds.yaml when there is one, else the shipped one."""
    if config_path is not None:
        own = Path(config_path).parent / CALENDAR_FILE
        if own.is_file():
            return own
    return SHIPPED_CALENDAR


def load_calendar(path: Path) -> tuple[CalendarEvent, ...]:
    data, duplicates = read_yaml_file(Path(path))
    if duplicates:
        raise ConfigError(str(path), duplicate_key_problems(duplicates))
    return parse_calendar(data, str(path))


# --------------------------------------------------------------------------- seasonality


@dataclass(frozen=True)
class MonthCounts:
    """A month's education articles and, of them, how many each plan topic had."""

    year: int
    month: int
    education: int
    topics: tuple[tuple[str, int], ...]

    def count(self, topic: str) -> int:
        return dict(self.topics).get(topic, 0)


@dataclass(frozen=True)
class Lift:
    topic: str
    share_before: float  # of the education articles of the month before, summed over the years seen
    share_after: float
    articles_after: int
    years: tuple[int, ...]  # the years of the months before

    @property
    def ratio(self) -> float:
        return self.share_after / self.share_before if self.share_before else float("inf")

    @property
    def name(self) -> str:
        return _TOPIC_NAMES.get(self.topic, self.topic)


def month_label(month: int, years: int | str) -> str:
    """'tháng 01/2026', 'tháng 11/2025' as the report writes a month (Decree 30/2020: a zero before months 1 and 2)."""
    return f"tháng {month:02d}/{years}" if month < 3 else f"tháng {month}/{years}"


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def month_days(year: int, month: int) -> tuple[date, date]:
    """The first and the last day of the month."""
    return date(year, month, 1), date(*next_month(year, month), 1) - timedelta(days=1)


def seasonal_lifts(history: Sequence[MonthCounts], month: int, *, before: tuple[int, int] | None = None,
                   min_lift: float = MIN_LIFT, min_articles: int = MIN_ARTICLES) -> tuple[Lift, ...]:
    """The topics whose share of education articles rose from calendar month `month` to the next one in `history`
    (each year's pair of months where both are there, counted together), most first. `before` (year, month): only
    pairs whose later month ended before it, so a backtest sees nothing of the month it forecasts."""
    by = {(h.year, h.month): h for h in history}
    pairs = []
    for (y, m), h in sorted(by.items()):
        if m != month:
            continue
        later = next_month(y, m)
        if later in by and (before is None or later < before):
            pairs.append((h, by[later]))
    if not pairs:
        return ()
    edu_before = sum(a.education for a, _ in pairs)
    edu_after = sum(b.education for _, b in pairs)
    if not edu_before or not edu_after:
        return ()
    out = []
    for topic, _ in PLAN_TOPICS:
        n_before = sum(a.count(topic) for a, _ in pairs)
        n_after = sum(b.count(topic) for _, b in pairs)
        share_before, share_after = n_before / edu_before, n_after / edu_after
        if n_after >= min_articles and share_after >= min_lift * share_before:
            out.append(Lift(topic, share_before, share_after, n_after, tuple(a.year for a, _ in pairs)))
    return tuple(sorted(out, key=lambda lift: (-lift.ratio, lift.topic)))


def profile_from_json(data: dict) -> tuple[MonthCounts, ...]:
    out = []
    for key, v in sorted(data["months"].items()):
        y, m = (int(x) for x in key.split("-"))
        out.append(MonthCounts(y, m, int(v["education"]), tuple(sorted((t, int(n)) for t, n in v["topics"].items()))))
    return tuple(out)


def national_profile(path: Path = NATIONAL_PROFILE) -> tuple[MonthCounts, ...]:
    """The shipped topic x month counts of the national press (scripts/seasonal_profile.py); () when missing."""
    try:
        return profile_from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError):
        return ()


def counts_by_month(rows: Iterable[tuple[date, Sequence[str]]]) -> tuple[MonthCounts, ...]:
    """(day, topics) of education articles -> MonthCounts per month."""
    edu: Counter = Counter()
    topics: dict[tuple[int, int], Counter] = {}
    for day, ts in rows:
        key = (day.year, day.month)
        edu[key] += 1
        topics.setdefault(key, Counter()).update(ts)
    return tuple(MonthCounts(y, m, edu[(y, m)], tuple(sorted(topics[(y, m)].items()))) for y, m in sorted(edu))


# --------------------------------------------------------------------------- momentum


@dataclass(frozen=True)
class StoryTrace:
    """A story as momentum sees it: when each member appeared, and where."""

    story_id: int
    title: str
    members: tuple[tuple[datetime, str], ...]  # (published, outlet)
    case_status: str | None = None


@dataclass(frozen=True)
class Momentum:
    story_id: int
    title: str
    recent_articles: int
    recent_outlets: int
    earlier_articles: int
    days: int = RECENT_DAYS


def growing(stories: Iterable[StoryTrace], as_of: datetime, *, days: int = RECENT_DAYS,
            min_recent: int = MIN_RECENT) -> tuple[Momentum, ...]:
    """The stories with at least `min_recent` articles in the `days` before `as_of` and more than in the `days`
    before those: still spreading when the period ends. Most recent articles first."""
    recent_from, earlier_from = as_of - timedelta(days=days), as_of - timedelta(days=2 * days)
    out = []
    for s in stories:
        recent = [(t, o) for t, o in s.members if recent_from < t <= as_of]
        earlier = [t for t, _ in s.members if earlier_from < t <= recent_from]
        if len(recent) >= min_recent and len(recent) > len(earlier):
            out.append(Momentum(s.story_id, s.title, len(recent), len({o for _, o in recent}), len(earlier), days))
    return tuple(sorted(out, key=lambda m: (-m.recent_articles, -m.recent_outlets, m.story_id)))


# --------------------------------------------------------------------------- the forecast


@dataclass(frozen=True)
class OpenCase:
    title: str
    status: str
    story_id: int | None = None  # None: an item entered by hand, with no press story


@dataclass(frozen=True)
class ForecastItem:
    """One line of the report's forecast: what, and why in plain words."""

    kind: str  # lịch năm học | cùng kỳ | đang lan rộng | đang xử lý
    text: str
    reason: str


@dataclass(frozen=True)
class Forecast:
    year: int  # the month forecast
    month: int
    calendar: tuple[CalendarEvent, ...] = ()
    seasonal: tuple[Lift, ...] = ()
    seasonal_source: str = ""
    momentum: tuple[Momentum, ...] = ()
    open_cases: tuple[OpenCase, ...] = ()
    momentum_is_forecast: bool = MOMENTUM_BEATS_BASELINE
    # the office's calendar.yaml could not be read, so the shipped one was used: the file, for the note
    calendar_fallback_from: str = ""

    @property
    def label(self) -> str:
        return month_label(self.month, self.year)

    @property
    def first(self) -> date:
        return month_days(self.year, self.month)[0]

    @property
    def last(self) -> date:
        return month_days(self.year, self.month)[1]

    @property
    def items(self) -> tuple[ForecastItem, ...]:
        out = []
        for e in self.calendar:
            topics = topic_list(_TOPIC_NAMES.get(t, t) for t in e.topics)
            out.append(ForecastItem("lịch năm học", f"{e.name} ({e.window_label(self.first, self.last)})",
                                    f"{e.why} Chủ đề liên quan: {topics}."))
        for lift in self.seasonal[:MAX_SEASONAL]:
            before, after = self.month - 1 or 12, self.month
            years = ", ".join(str(y) for y in lift.years)
            after_years = ", ".join(str(y + (after == 1)) for y in lift.years)
            out.append(ForecastItem(
                "cùng kỳ", f"Chủ đề {quoted(lift.name)}",
                f"Theo {self.seasonal_source}, tỷ lệ tin về chủ đề này trong tin giáo dục đã tăng từ "
                f"{_pct(lift.share_before)} ({month_label(before, years)}) lên {_pct(lift.share_after)} "
                f"({month_label(after, after_years)})."))
        # a story with an open case is listed once, under the cases, where its status says more
        with_case = {c.story_id for c in self.open_cases if c.story_id is not None}
        for m in [m for m in self.momentum if m.story_id not in with_case][:MAX_MOMENTUM]:
            spread = (f"{m.recent_articles} tin, bài của {m.recent_outlets} cơ quan báo chí trong {m.days} ngày cuối kỳ; "
                      f"{m.days} ngày trước đó: {m.earlier_articles}")
            reason = (f"Sự việc đang được đưa tin tăng lên ({spread}); sự việc như vậy thường tiếp tục được báo chí "
                      "đưa tin trong những ngày tới." if self.momentum_is_forecast else f"Sự việc còn được đưa tin: {spread}.")
            out.append(ForecastItem("đang lan rộng", m.title, reason))
        for c in self.open_cases[:MAX_OPEN_CASES]:
            out.append(ForecastItem("đang xử lý", c.title,
                                    f"Vụ việc chưa xử lý xong (tình trạng: {c.status}); báo chí có thể đưa tin tiếp về "
                                    "kết quả xử lý."))
        if len(self.open_cases) > MAX_OPEN_CASES:
            out.append(ForecastItem("đang xử lý", f"{len(self.open_cases) - MAX_OPEN_CASES} vụ việc khác",
                                    f"cũng chưa xử lý xong ({FULL_CASE_LIST})."))
        return tuple(out)

    @property
    def groups(self) -> tuple[tuple[str, tuple[ForecastItem, ...]], ...]:
        """(heading, items) of the kinds that have items, in the report's order."""
        headings = {"lịch năm học": "Sự kiện theo lịch năm học",
                    "cùng kỳ": "Chủ đề được đưa tin tăng vào cùng kỳ trước đây",
                    "đang lan rộng": "Sự việc đang lan rộng" if self.momentum_is_forecast else
                    "Sự việc còn được đưa tin cuối kỳ (để theo dõi)",
                    "đang xử lý": "Vụ việc trên địa bàn chưa xử lý xong"}
        items = self.items
        return tuple((h, tuple(i for i in items if i.kind == kind)) for kind, h in headings.items()
                     if any(i.kind == kind for i in items))

    @property
    def method_note(self) -> str:
        # the signer and those the report goes to read this: the calendar's file is the clerk's (README), not theirs
        note = ("Phần dự báo do hệ thống lập tự động từ lịch năm học (đơn vị có thể điều chỉnh), tỷ lệ "
                "chủ đề cùng kỳ trước đây và các sự việc còn được đưa tin; đây là gợi ý để chủ động chuẩn bị thông tin, "
                "không phải kết luận.")
        if self.seasonal and len({y for lift in self.seasonal for y in lift.years}) < 2:
            note += (" Tỷ lệ cùng kỳ mới dựa trên số liệu của một năm nên chưa kiểm chứng được khả năng lặp lại; "
                     "chỉ nêu để tham khảo.")
        if self.momentum and not self.momentum_is_forecast:
            note += (" Các sự việc còn được đưa tin cuối kỳ chỉ để theo dõi: kiểm chứng trên số liệu báo chí năm "
                     "2025–2026, sự việc có số tin, bài đang tăng không được đưa tin tiếp nhiều hơn các sự việc khác.")
        if self.calendar_fallback_from:
            note += (f" Tệp lịch năm học của đơn vị ({self.calendar_fallback_from}) có lỗi nên đã dùng lịch mặc định của "
                     "hệ thống; chạy lệnh monitor config check để xem lỗi và sửa tệp.")
        return note


def open_cases_of(hot_issues) -> tuple[OpenCase, ...]:
    """Of the report's hot issues and its pending cases of earlier months, those on the office's own area whose case
    is open (taken on or not, not yet handled)."""
    return tuple(OpenCase(h.title, h.status_label, h.story_id) for h in hot_issues if h.own and h.case_status in OPEN_STATUSES)


def load_forecast(app, year: int, month: int, *, stories: Iterable, as_of: datetime) -> Forecast:
    """The forecast for the month after (`year`, `month`) from the office's calendar, its store (or the national
    profile while the store holds less than a year) and `stories` (monitor.models.Story) of the month."""
    cfg, store = app.config, app.store
    path = calendar_path(cfg.path)
    fallback_from = ""
    try:
        events = load_calendar(path)
    except ConfigError as exc:
        if path == SHIPPED_CALENDAR:
            raise
        # a typo in the office's calendar must not cost leadership the month's report (serve writes it on the 1st);
        # `monitor config check` is where it stays an error
        log.warning("lịch %s không hợp lệ (%s); phần dự báo của báo cáo dùng lịch đi kèm", path, exc)
        events, fallback_from = load_calendar(SHIPPED_CALENDAR), path.name
    tz = cfg.office.tz
    history: tuple[MonthCounts, ...] = ()
    source = NATIONAL_SOURCE
    data_start = store.first_collection_time()
    year_before = datetime(year - 1, month, 1, tzinfo=tz)
    if data_start is not None and data_start <= year_before:
        # the pair of months a year before is all seasonal_lifts reads of it
        until = next_month(*next_month(year - 1, month))
        history = counts_by_month((t.astimezone(tz).date(), topics) for t, topics in
                                  store.education_topics_between(year_before, datetime(*until, 1, tzinfo=tz)))
    if history:
        source = OWN_SOURCE
    else:  # a store of a year whose months then hold no education article is no history: the report must not say so
        history = national_profile()
    traces = []
    names = OutletNames(cfg)  # an outlet once however its feeds spelt it
    for s in stories:
        if s.last_seen >= as_of - timedelta(days=2 * RECENT_DAYS):
            members = tuple((m["when"], names(m["outlet"])) for m in store.story_members(s.id))
            traces.append(StoryTrace(s.id, s.title, members, s.case_status))
    forecast = build_forecast(year=year, month=month, events=events, history=history, seasonal_source=source,
                              stories=traces, as_of=as_of)
    return replace(forecast, calendar_fallback_from=fallback_from) if fallback_from else forecast


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%".replace(".", ",")


def build_forecast(*, year: int, month: int, events: Sequence[CalendarEvent], history: Sequence[MonthCounts],
                   seasonal_source: str, stories: Iterable[StoryTrace], as_of: datetime,
                   open_cases: Sequence[OpenCase] = ()) -> Forecast:
    """The forecast for the month after (`year`, `month`), made at `as_of` (the report period's end)."""
    ny, nm = next_month(year, month)
    first, last = month_days(ny, nm)
    return Forecast(year=ny, month=nm, calendar=upcoming(events, first, last),
                    seasonal=seasonal_lifts(history, month, before=(year, month)), seasonal_source=seasonal_source,
                    momentum=growing(stories, as_of), open_cases=tuple(open_cases))
