"""The period report (báo cáo tổng hợp theo kỳ): the monthly report's figures over several months, for a term's
summary ("sơ kết học kỳ I", "tổng kết năm học") or the year's evaluation. DOCX and HTML.

Each month is built as the monthly report builds it (monitor.report.month_inputs and build_report, without the
forecast), so the period's figures are the months' figures added up; the previous period of equal length is built
the same way for the comparison. `build_period` is pure (the months' reports and cases in, a `PeriodReport` out);
`load_period` reads the store; `build_and_deliver_period` writes the files and e-mails them as the monthly report does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Callable, Iterable, Mapping, Sequence

from monitor.cases import (CLOSED_STATUSES, HANDLED, NOT_OURS, OPEN_STATUSES, SYSTEM_ACTOR, case_then, outcome_line,
                           status_since)
from monitor.config import Office, OutletNames
from monitor.digest import SENTIMENT_LABELS, vn_number
from monitor.errors import InputError
from monitor.forecast import month_label, next_month
from monitor.wording import quoted
from monitor.report import (ELSEWHERE_TITLE, ELSEWHERE_WORDS, NO_CASE, NO_DATA_REQUEST, NO_DATA_TITLE, NO_HOT_CATEGORY,
                            NO_TOPIC, NOT_HOT_AFTER_ALL, PROPOSALS_TO_COMPLETE, STATUS_WORDS, TOPICS_OVERLAP_NOTE, HotIssue,
                            MonthlyReport, PositiveItem, ReportResult, Row, build_report, check_formats, deliver_document,
                            draft_mail_text, draft_subject, handling_by, month_bounds, month_inputs, month_rows,
                            change_words, previous_month, report_folder)

# two school years: a longer period's months and its comparison take minutes to read on a year's store, and no
# summary the plan asks for is longer than a year
MAX_MONTHS = 24
TOP_OWN = 40  # the office's own hot issues of the period listed (the rest counted): a year had 5 to 30
TOP_ELSEWHERE = 10
TOP_POSITIVE = 10
TOP_TOPIC_CHANGES = 3
MONTHS_NOTE = ("Một vấn đề nóng kéo dài qua nhiều tháng được tính ở mỗi tháng có tin, bài hoặc có thay đổi hồ sơ, "
               "nhưng chỉ tính một lần ở dòng tổng.")


_n = vn_number  # Vietnamese thousands: 1.234, as the monthly report writes them


def months_of(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    out, ym = [], first
    while ym <= last:
        out.append(ym)
        ym = next_month(*ym)
    return out


def back(ym: tuple[int, int], n: int) -> tuple[int, int]:
    """The month `n` months before `ym`."""
    for _ in range(n):
        ym = previous_month(*ym)
    return ym


def check_period(first: tuple[int, int], last: tuple[int, int]) -> int:
    """The number of months from `first` to `last` inclusive; an InputError naming the options when the range is not
    one a period report covers."""
    if last < first:
        raise InputError(f"--to {last[0]}-{last[1]:02d} ở trước --from {first[0]}-{first[1]:02d}",
                         hint="cho tháng đầu kỳ bằng --from và tháng cuối kỳ bằng --to, ví dụ --from 2026-09 --to 2027-01")
    n = len(months_of(first, last))
    if n > MAX_MONTHS:
        raise InputError(f"--from {first[0]}-{first[1]:02d} --to {last[0]}-{last[1]:02d} gồm {n} tháng; báo cáo theo kỳ "
                         f"gồm tối đa {MAX_MONTHS} tháng",
                         hint="lập báo cáo cho từng năm học hoặc từng năm, ví dụ --from 2025-09 --to 2026-08")
    return n


@dataclass(frozen=True)
class MonthFigures:
    """One line of the month-by-month table."""

    label: str
    collected: int  # articles of any subject
    education: int
    local: int
    positive: int
    negative: int
    hot: int
    hot_own: int
    has_data: bool = True


@dataclass(frozen=True)
class PeriodIssue:
    """One of the office's own hot issues of the period, as it stood at the period's end."""

    issue: HotIssue  # with the period's handling (handling within, earlier before), its status at the period's end
    opened: date | None  # its case's opening day; None: no case
    closed: date | None  # the day it was closed, when closed by the period's end
    last_action: date | None  # the last thing a person recorded by the period's end
    # the day it was last opened again after a closing (news of a handled issue, a reopened false alarm), by the
    # period's end; None when never: the days it took are counted from then, not from its first opening
    reopened: date | None = None

    @property
    def days(self) -> int | None:
        until = self.closed or self.last_action
        since = self.reopened or self.opened
        return (until - since).days if since and until else None

    @property
    def timeline(self) -> str:
        """'Mở hồ sơ ngày 03/10/2026; đóng ngày 12/10/2026 (xử lý trong 9 ngày)', or with the last action of one still
        open: 'Mở hồ sơ ngày 03/10/2026; việc gần nhất ngày 05/10/2026; đến hết kỳ chưa đóng hồ sơ'."""
        if self.opened is None:
            return ""
        line = f"Mở hồ sơ ngày {self.opened:%d/%m/%Y}"
        if self.reopened is not None:
            line += f"; mở lại ngày {self.reopened:%d/%m/%Y}"
        if self.closed is not None:
            return line + (f"; đóng hồ sơ ngày {self.closed:%d/%m/%Y} (xử lý trong {_n(self.days)} ngày"
                           + (" kể từ khi mở lại)" if self.reopened is not None else ")"))
        if self.last_action is not None and self.last_action > (self.reopened or self.opened):
            line += f"; việc gần nhất ngày {self.last_action:%d/%m/%Y}"
        return line + "; đến hết kỳ chưa đóng hồ sơ"


@dataclass(frozen=True)
class PeriodReport:
    office: Office
    first: tuple[int, int]  # (year, month)
    last: tuple[int, int]
    start: datetime
    end: datetime
    generated_at: datetime
    months: tuple[MonthFigures, ...]  # the months begun by generated_at
    previous_months: tuple[MonthFigures, ...]
    topics: tuple[Row, ...]  # the period's and the previous period's
    own: tuple[PeriodIssue, ...]  # the office's own hot issues, hottest first (at most TOP_OWN)
    own_total: int
    elsewhere: tuple[HotIssue, ...]  # the TOP_ELSEWHERE hottest of other areas
    elsewhere_total: int
    elsewhere_categories: tuple[tuple[str, int], ...]
    cases_opened: int
    cases_closed: int
    cases_open_at_end: int
    close_days: tuple[int, ...]  # days from opening to closing of the cases closed in the period
    positive: tuple[PositiveItem, ...]  # on the office's area, carried by most outlets first
    positive_total: int  # the area's positive stories the months list (each month lists at most its first ten)
    hot_total: int  # distinct hot issues of the period
    hot_own_total: int
    previous_hot: tuple[int, int] = (0, 0)  # distinct hot issues of the previous period, and on the area
    not_begun: tuple[str, ...] = ()  # the period's months not begun when it was written ("Tháng 12/2026")
    data_start: datetime | None = None
    false_alarms: int = 0

    # ------------------------------------------------------------------ what it covers

    @property
    def label(self) -> str:
        """'năm 2026' for a calendar year, else 'từ tháng 9/2025 đến tháng 01/2026'."""
        (y1, m1), (y2, m2) = self.first, self.last
        if y1 == y2 and (m1, m2) == (1, 12):
            return f"năm {y1}"
        return f"từ {month_label(m1, y1)} đến {month_label(m2, y2)}"

    @property
    def previous_label(self) -> str:
        first = back(self.first, len(months_of(self.first, self.last)))
        last = previous_month(*self.first)
        if first[0] == last[0] and (first[1], last[1]) == (1, 12):
            return f"năm {first[0]}"
        return f"từ {month_label(first[1], first[0])} đến {month_label(last[1], last[0])}"

    @property
    def subject_line(self) -> str:
        return f"Tổng hợp tình hình dư luận báo chí về giáo dục {self.label}"

    @property
    def stem(self) -> str:
        (y1, m1), (y2, m2) = self.first, self.last
        return f"bao-cao-ky-{y1}-{m1:02d}-den-{y2}-{m2:02d}"

    @property
    def unfinished(self) -> bool:
        return self.generated_at < self.end

    @property
    def has_data(self) -> bool:
        return any(m.has_data for m in self.months)

    @property
    def monitored_from(self) -> datetime | None:
        """When the monitoring began, if after the period's first day (its figures start then)."""
        if self.data_start is None:
            return None
        first = self.data_start.astimezone(self.office.tz)
        return first if self.start.date() < first.date() < self.end.date() else None

    @property
    def last_day(self) -> date:
        return self.end.date() - timedelta(days=1)

    @property
    def period_label(self) -> str:
        begun = self.monitored_from
        start = (f"{begun:%d/%m/%Y}, ngày hệ thống bắt đầu theo dõi," if begun else f"{self.start:%d/%m/%Y}")
        if self.unfinished:
            return f"từ ngày {start} đến ngày {self.generated_at:%d/%m/%Y}, kỳ báo cáo chưa kết thúc"
        return f"từ ngày {start} đến hết ngày {self.last_day:%d/%m/%Y}"

    @property
    def subtitle(self) -> str:
        return f"({'Bản tham khảo' if self.unfinished else 'Dự thảo trình ký'}; số liệu {self.period_label})"

    @property
    def no_data_subtitle(self) -> str:
        return f"Không lập báo cáo tổng hợp dư luận báo chí {self.label}: không có dữ liệu theo dõi"

    @property
    def no_data_text(self) -> str:
        return (f"Không có dữ liệu theo dõi {self.label}: hệ thống không thu thập được tin, bài nào trong thời gian này "
                "(máy chủ hoặc các nguồn tin có thể đã gặp sự cố), nên không lập được báo cáo.")

    @property
    def closing_sentence(self) -> str:
        return (f"Trên đây là báo cáo tổng hợp tình hình dư luận báo chí về giáo dục {self.label} của "
                f"{self.office.short_name}./.")

    # ------------------------------------------------------------------ the comparison

    @property
    def previous_covered(self) -> bool:
        """The previous period was monitored from its first day, every month of it with data."""
        if not self.previous_months or not all(m.has_data for m in self.previous_months):
            return False
        if self.data_start is None:
            return True
        p_start, _ = month_bounds(*back(self.first, len(months_of(self.first, self.last))), self.office)
        return self.data_start.astimezone(self.office.tz).date() <= p_start.date()

    @property
    def comparable(self) -> bool:
        return self.previous_covered and not self.unfinished and self.monitored_from is None

    @property
    def no_comparison_text(self) -> str:
        if self.unfinished:
            return f"Kỳ báo cáo chưa kết thúc nên chưa so sánh với cùng kỳ liền trước ({self.previous_label})."
        if self.monitored_from is not None:
            return (f"Hệ thống bắt đầu theo dõi từ ngày {self.monitored_from:%d/%m/%Y}, trong kỳ báo cáo, nên không có "
                    f"số liệu kỳ liền trước ({self.previous_label}) để so sánh.")
        if self.data_start is not None:
            return (f"Kỳ liền trước ({self.previous_label}) chưa được theo dõi đủ (hệ thống bắt đầu theo dõi từ ngày "
                    f"{self.data_start.astimezone(self.office.tz):%d/%m/%Y}), nên không dùng để so sánh.")
        return f"Kỳ liền trước ({self.previous_label}) chưa có dữ liệu để so sánh."

    # ------------------------------------------------------------------ the figures

    def _sum(self, months: Sequence[MonthFigures], label: str, hot: int, hot_own: int) -> MonthFigures:
        return MonthFigures(label, sum(m.collected for m in months), sum(m.education for m in months),
                            sum(m.local for m in months), sum(m.positive for m in months),
                            sum(m.negative for m in months), hot, hot_own)

    @property
    def total(self) -> MonthFigures:
        return self._sum(self.months, "Cả kỳ", self.hot_total, self.hot_own_total)

    @property
    def previous_total(self) -> MonthFigures:
        return self._sum(self.previous_months, "Kỳ liền trước", *self.previous_hot)

    @property
    def change(self) -> tuple[str, ...]:
        t, p = self.total, self.previous_total
        return tuple(Row("", a, b).change for a, b in ((t.collected, p.collected), (t.education, p.education),
                                                        (t.local, p.local), (t.positive, p.positive),
                                                        (t.negative, p.negative), (t.hot, p.hot)))

    @property
    def not_begun_text(self) -> str:
        """'Tháng 12/2026 và tháng 01/2027 chưa bắt đầu, chưa có số liệu.', "" when every month has begun."""
        if not self.not_begun:
            return ""
        names = [self.not_begun[0]] + [m[0].lower() + m[1:] for m in self.not_begun[1:]]
        listed = ", ".join(names[:-1]) + " và " + names[-1] if len(names) > 1 else names[0]
        return f"{listed} chưa bắt đầu, chưa có số liệu."

    @property
    def topic_changes(self) -> tuple[tuple[Row, ...], tuple[Row, ...]]:
        """(the plan topics that rose most against the previous period, those that fell most), by articles."""
        rows = [t for t in self.topics if t.label != NO_TOPIC and t.count != t.previous]
        rose = sorted((t for t in rows if t.count > t.previous), key=lambda t: -(t.count - t.previous))
        fell = sorted((t for t in rows if t.count < t.previous), key=lambda t: t.count - t.previous)
        return tuple(rose[:TOP_TOPIC_CHANGES]), tuple(fell[:TOP_TOPIC_CHANGES])

    @property
    def topic_change_lines(self) -> tuple[str, ...]:
        if not self.comparable:
            return ()
        rose, fell = self.topic_changes

        def said(rows):
            return "; ".join(f"{quoted(t.label)} ({_n(t.previous)} → {_n(t.count)}, {t.change})" for t in rows)

        return (f"Tăng nhiều nhất: {said(rose)}." if rose else "Không có chủ đề nào tăng so với kỳ liền trước.",
                f"Giảm nhiều nhất: {said(fell)}." if fell else "Không có chủ đề nào giảm so với kỳ liền trước.")

    @property
    def median_close_days(self) -> float | None:
        return median(self.close_days) if self.close_days else None

    @property
    def case_lines(self) -> tuple[str, ...]:
        days = self.median_close_days
        closed = f"Hồ sơ đã xử lý xong trong kỳ: {_n(self.cases_closed)}"
        if days is not None:
            shown = f"{days:.0f}" if float(days).is_integer() else f"{days:.1f}".replace(".", ",")
            closed += f" (thời gian xử lý trung vị: {shown} ngày kể từ khi mở hồ sơ hoặc mở lại)"
        return (f"Hồ sơ vụ việc trên địa bàn mở trong kỳ: {_n(self.cases_opened)}",
                closed,
                f"Hồ sơ còn mở đến hết kỳ ({self.end_label}): {_n(self.cases_open_at_end)}")

    @property
    def end_label(self) -> str:
        day = self.generated_at if self.unfinished else self.end - timedelta(days=1)
        return f"ngày {day:%d/%m/%Y}"

    @property
    def elsewhere_line(self) -> str:
        if not self.elsewhere_total:
            return ""
        return ("Theo nhóm vấn đề: "
                + "; ".join(f"{name} {_n(n)}" for name, n in self.elsewhere_categories) + ".")

    @property
    def assessment(self) -> tuple[str, ...]:
        t = self.total
        since = f" (số liệu từ ngày {self.monitored_from:%d/%m/%Y}, ngày hệ thống bắt đầu theo dõi)" if self.monitored_from else ""
        first = (f"Trong kỳ báo cáo {self.label}{since}, hệ thống ghi nhận {_n(t.education)} tin, bài về giáo dục, "
                 f"trong đó {_n(t.local)} tin, bài trên địa bàn {self.office.area}")
        if self.comparable:
            p = self.previous_total
            if p.education == t.education:
                first += f"; bằng kỳ liền trước ({self.previous_label}: {_n(p.education)} tin, bài)."
            else:
                first += (f"; {change_words(t.education, p.education)} kỳ liền trước "
                          f"({self.previous_label}: {_n(p.education)} tin, bài).")
        else:
            first += ". " + self.no_comparison_text
        sentences = [first]
        top = sorted((x for x in self.topics if x.count and x.label != NO_TOPIC), key=lambda x: -x.count)[:3]
        if top:
            names = [f"{quoted(x.label)} ({_n(x.count)})" for x in top]
            listed = ", ".join(names[:-1]) + " và " + names[-1] if len(names) > 1 else names[0]
            sentences.append(f"Các chủ đề được đưa tin nhiều nhất: {listed}.")
        if t.education:
            tone = (f"Tin, bài có sắc thái tích cực chiếm {t.positive / t.education * 100:.0f}%, tiêu cực chiếm "
                    f"{t.negative / t.education * 100:.0f}%")
            sentences.append(f"{tone}; {self.hot_text}.")
        sentences.append(self.handling_sentence)
        return tuple(sentences)

    @property
    def hot_text(self) -> str:
        if not self.hot_total:
            return "không có vấn đề nóng"
        return (f"có {_n(self.hot_total)} vấn đề nóng, trong đó {_n(self.hot_own_total)} trên địa bàn và "
                f"{_n(self.elsewhere_total)} {ELSEWHERE_WORDS}")

    @property
    def handling_sentence(self) -> str:
        if not (self.cases_opened or self.cases_closed or self.cases_open_at_end):
            return "Trong kỳ không có hồ sơ vụ việc trên địa bàn."
        still = (f"đến hết kỳ còn {_n(self.cases_open_at_end)} hồ sơ chưa xử lý xong" if self.cases_open_at_end
                 else "đến hết kỳ không còn hồ sơ nào chưa xử lý xong")
        return (f"Về xử lý vụ việc trên địa bàn: mở {_n(self.cases_opened)} hồ sơ, xử lý xong "
                f"{_n(self.cases_closed)}, {still}.")

    @property
    def own_statuses(self) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(Counter(p.issue.status_label for p in self.own).items(), key=lambda kv: -kv[1]))


# --------------------------------------------------------------------------- building


def _figures(r: MonthlyReport) -> MonthFigures:
    tone = {t.label: t.count for t in r.tone}
    return MonthFigures(label=r.label.capitalize(), collected=r.collected or 0, education=r.total.count,
                        local=r.local.count, positive=tone.get(SENTIMENT_LABELS["positive"], 0),
                        negative=tone.get(SENTIMENT_LABELS["negative"], 0), hot=len(r.hot_issues),
                        hot_own=len(r.own_issues), has_data=r.has_data)


def _closed_on(case, as_of: datetime, tz) -> date | None:
    """The day the case was last closed by `as_of` when it was closed then."""
    then = case_then(case, as_of)
    if then is None or then.status not in CLOSED_STATUSES:
        return None
    day = None
    for e in then.events:
        if e.status is not None:
            day = e.at.astimezone(tz).date() if e.status in CLOSED_STATUSES else None
    return day


def _reopened_on(case, as_of: datetime, tz) -> date | None:
    """The day the case was last opened again after a closing, by `as_of`; None when it never was."""
    then = case_then(case, as_of)
    day, closed = None, False
    for e in (then.events if then else ()):
        if e.status is not None:
            if closed and e.status not in CLOSED_STATUSES:
                day = e.at.astimezone(tz).date()
            closed = e.status in CLOSED_STATUSES
    return day


def _last_action(case, as_of: datetime, tz) -> date | None:
    """The last line a person recorded by `as_of` (the system's own lines are no action)."""
    then = case_then(case, as_of)
    days = [e.at.astimezone(tz).date() for e in (then.events if then else ()) if e.by != SYSTEM_ACTOR]
    days += [e.handling.on for e in (then.events if then else ()) if e.handling is not None]
    return max(days, default=None)


def build_period(*, office: Office, first: tuple[int, int], last: tuple[int, int], months: Sequence[MonthlyReport],
                 previous: Sequence[MonthlyReport], cases: Mapping[int, object], generated_at: datetime,
                 data_start: datetime | None = None, not_begun: Sequence[tuple[int, int]] = ()) -> PeriodReport:
    """`months`: the period's monthly reports (month_inputs and build_report) of the months begun, in order;
    `previous`: the previous period's; `cases`: story id -> its case (monitor.cases.Case) as it is now."""
    tz = office.tz
    start, _ = month_bounds(*first, office)
    _, end = month_bounds(*last, office)
    as_of = min(generated_at, end - timedelta(microseconds=1))

    # each hot issue once: its latest month's entry (its status then), with the period's articles added up
    latest: dict[int, HotIssue] = {}
    articles: Counter = Counter()
    own_ids: set[int] = set()
    false_alarms = 0
    for r in months:
        false_alarms += r.false_alarms
        for h in r.hot_issues:
            latest[h.story_id] = h
            articles[h.story_id] += h.articles_in_month or 0
            if h.own:
                own_ids.add(h.story_id)
    # an issue on the area in one month and closed as another area's later: as it stood at the period's end
    own_ids = {sid for sid in own_ids if latest[sid].case_status != NOT_OURS}

    def at_end(h: HotIssue) -> HotIssue:
        case = cases.get(h.story_id)
        if case is None:
            return replace(h, articles_in_month=None, month_start=start.date())
        # as the monthly report's `standing`: a finding that it was no hot issue, another's or carried on by another
        # case holds for the past; any other status as it stood at the period's end, the status since beside it
        then = case if case.status in NOT_HOT_AFTER_ALL else case_then(case, as_of)
        status = then.status if then is not None else None
        since = ("" if case.status in NOT_HOT_AFTER_ALL else
                 status_since(status, case.status, generated_at.astimezone(tz), STATUS_WORDS))
        return replace(h, case_status=status or NO_CASE, status_since=since,
                       owner=getattr(then, "owner", "") or h.owner,
                       handling=handling_by(getattr(case, "handling", ()), start.date(), end.date()),
                       earlier=handling_by(getattr(case, "handling", ()), None, start.date()),
                       month_start=start.date(), articles_in_month=None,
                       outcome=outcome_line(getattr(case, "events", ()), tz, until=end.date(),
                                            not_ours=status == NOT_OURS, acts_listed=True))

    own = []
    for sid in own_ids:
        h = at_end(latest[sid])
        case = cases.get(sid)
        own.append(PeriodIssue(h, opened=case.opened_at.astimezone(tz).date() if case is not None else None,
                               closed=_closed_on(case, as_of, tz) if case is not None else None,
                               last_action=_last_action(case, as_of, tz) if case is not None else None,
                               reopened=_reopened_on(case, as_of, tz) if case is not None else None))
    own.sort(key=lambda p: (-p.issue.hot_score, p.issue.first_seen))
    elsewhere = sorted((latest[sid] for sid in latest.keys() - own_ids),
                       key=lambda h: (-h.hot_score, -h.outlets, -articles[h.story_id], h.first_seen))
    groups = Counter(h.hot_category for h in elsewhere)
    order = list(groups)
    categories = tuple(sorted(groups.items(), key=lambda kv: (kv[0] == NO_HOT_CATEGORY, -kv[1], order.index(kv[0]))))

    # the office's cases: those of its own hot issues and its cases still open at a month's end (pending)
    own_cases = {sid: cases[sid] for sid in own_ids if sid in cases}
    for r in months:
        for h in r.pending:
            if h.story_id in cases:
                own_cases[h.story_id] = cases[h.story_id]
    opened = [c for c in own_cases.values() if start <= c.opened_at < end]
    closed_days = []
    for c in own_cases.values():
        closed = _closed_on(c, as_of, tz)
        if closed is not None and start.date() <= closed < end.date() and case_then(c, as_of).status == HANDLED:
            # from its last opening: an issue handled in two days and reopened by news a month later took two days, then
            # as many as its reopening took, not the month between
            since = _reopened_on(c, as_of, tz) or c.opened_at.astimezone(tz).date()
            closed_days.append((closed - since).days)
    still_open = sum(1 for c in own_cases.values()
                     if (then := case_then(c, as_of)) is not None and then.status in OPEN_STATUSES)

    # the area's positive coverage, reprints once: the stories carried by most outlets first
    positive: dict[tuple, PositiveItem] = {}
    for r in months:
        for p in r.positive:
            if p.local:
                positive.setdefault((p.title, p.url), p)
    best = sorted(positive.values(), key=lambda p: (-p.outlets, -p.published.timestamp()))

    topics = []
    for i, row in enumerate(months[0].topics if months else ()):
        topics.append(Row(row.label, sum(r.topics[i].count for r in months), sum(r.topics[i].count for r in previous)))

    return PeriodReport(
        office=office, first=first, last=last, start=start, end=end, generated_at=generated_at.astimezone(tz),
        months=tuple(_figures(r) for r in months), previous_months=tuple(_figures(r) for r in previous),
        topics=tuple(topics), own=tuple(own[:TOP_OWN]), own_total=len(own),
        elsewhere=tuple(elsewhere[:TOP_ELSEWHERE]), elsewhere_total=len(elsewhere), elsewhere_categories=categories,
        cases_opened=len(opened), cases_closed=len(closed_days), cases_open_at_end=still_open,
        close_days=tuple(sorted(closed_days)), positive=tuple(best[:TOP_POSITIVE]), positive_total=len(best),
        hot_total=len(latest), hot_own_total=len(own_ids), data_start=data_start, false_alarms=false_alarms,
        previous_hot=(len({h.story_id for r in previous for h in r.hot_issues}),
                      len({h.story_id for r in previous for h in r.own_issues})),
        not_begun=tuple(month_label(m, y).capitalize() for y, m in not_begun))


# --------------------------------------------------------------------------- the edges


def load_period(app, first: tuple[int, int], last: tuple[int, int]) -> PeriodReport:
    """The period's report from the store: each month begun by now built as the monthly report builds it, and the
    previous period of equal length for the comparison. Each month's rows are read once (a month's rows are the
    next month's previous ones)."""
    n = check_period(first, last)
    office = app.config.office
    now = app.now()
    p_first = back(first, n)
    names = OutletNames(app.config)  # one per document, as the monthly report has
    cases: dict[int, object] = {}

    def build(months: Sequence[tuple[int, int]]) -> list[MonthlyReport]:
        out = []
        y, m = previous_month(*months[0])
        p_start, p_end = month_bounds(y, m, office)
        previous = (month_rows(app, p_start, p_end, names), app.store.count_articles_between(p_start, p_end))
        for ym in months:
            if month_bounds(*ym, office)[0] > now:
                break  # not begun: nothing to say of it yet (said in part II)
            inputs = month_inputs(app, *ym, previous=previous, forecast=False, names=names)
            cases.update(inputs["cases"])
            out.append(build_report(**inputs))
            previous = (inputs["rows"], inputs["collected"])
        return out

    earlier = build(months_of(p_first, previous_month(*first)))
    months = build(months_of(first, last))
    return build_period(office=office, first=first, last=last, months=months, previous=earlier, cases=cases,
                        generated_at=now, data_start=app.store.first_collection_time(),
                        not_begun=months_of(first, last)[len(months):])


def render_period_html(report: PeriodReport) -> str:
    from monitor.render import render_template

    return render_template("period_report.html", r=report, topics_note=TOPICS_OVERLAP_NOTE,
                           proposals_note=PROPOSALS_TO_COMPLETE, months_note=MONTHS_NOTE,
                           no_data_title=NO_DATA_TITLE, no_data_request=NO_DATA_REQUEST,
                           elsewhere_title=ELSEWHERE_TITLE)


def period_subject(report: PeriodReport) -> str:
    return draft_subject(report, f"Báo cáo tổng hợp dư luận báo chí về giáo dục {report.label}", "kỳ chưa kết thúc")


def period_mail_text(report: PeriodReport) -> str:
    return draft_mail_text(report, f"Báo cáo tổng hợp tình hình dư luận báo chí về giáo dục {report.label}",
                           "kỳ báo cáo chưa kết thúc")


def _line(report: PeriodReport) -> str:
    # as the monthly report's line, the period said as the documents say it
    if not report.has_data:
        return f"Báo cáo {report.label}: không thu thập được tin, bài nào trong kỳ (báo cáo ghi rõ điều này)"
    return (f"Báo cáo {report.label}: {_n(report.total.education)} tin, bài về giáo dục, "
            f"{_n(report.hot_total)} vấn đề nóng")


def period_document(app, first: tuple[int, int], last: tuple[int, int], fmt: str) -> tuple[bytes, str]:
    """The period's report in one format as bytes, for standard output, and the line a person reads about it."""
    from monitor.docx_render import render_period_docx

    check_formats((fmt,))
    report = load_period(app, first, last)
    data = render_period_docx(report) if fmt == "docx" else render_period_html(report).encode("utf-8")
    return data, f"{_line(report)}; đã ghi ra đầu ra chuẩn, dạng {fmt}"


def build_and_deliver_period(app, first: tuple[int, int], last: tuple[int, int], *,
                             formats: Iterable[str] | None = None, out_dir: str | Path | None = None,
                             send: bool = True, before_send: Callable[[], None] | None = None) -> ReportResult:
    """Write the period's report (DOCX and HTML by default) and, with `send`, e-mail it as the monthly report is."""
    from monitor.docx_render import render_period_docx

    formats = check_formats(formats)
    check_period(first, last)
    if not out_dir:
        from monitor.digest_delivery import default_folder_writable

        default_folder_writable(report_folder(app.config), "báo cáo", "~/bao-cao")
    report = load_period(app, first, last)
    (y1, m1), (y2, m2) = first, last
    status, message, paths = deliver_document(
        app, stem=report.stem, docx_bytes=render_period_docx(report), html=lambda _src: render_period_html(report),
        chart=None, formats=formats, out_dir=out_dir, line=_line(report), subject=period_subject(report),
        mail_text=period_mail_text(report), again=f"monitor report --from {y1}-{m1:02d} --to {y2}-{m2:02d} --send",
        send=send, before_send=before_send)
    return ReportResult(y1, m1, status, message, paths)
