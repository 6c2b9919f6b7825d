"""The monthly public-opinion report (báo cáo dư luận báo chí tháng): coverage by topic, tone and
outlet against the previous month, the month's hot issues with how they were handled, and the
positive coverage worth spreading. DOCX and HTML.

`build_report` is pure (rows, stories and cases in, a frozen `MonthlyReport` out);
`load_report` reads the store; `build_and_deliver_report` writes the files and, when asked and
SMTP is configured, e-mails them to the digest recipients.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from classifiers.plan_topics import PLAN_TOPICS, plan_heading
from monitor.cases import (CORRECTED, DISMISSED, FALSE_INFORMATION, MERGED, NOT_OURS, OPEN_STATUSES, PRESS, REPORTED,
                           STATUSES, Handling, case_then, false_information_sign, outcome_line, person_notes,
                           press_details, status_since)
from monitor.cases import STATUS_WORDS as DOCUMENT_STATUS_WORDS
from monitor.config import Office, OutletNames
from monitor.corrections import corrected_row, read_corrected
from monitor.developments import Development, developments, developments_label, told_by
from monitor.digest import SENTIMENT_LABELS, SENTIMENT_ORDER, TrendDay
from monitor.summary import dated_summary
from monitor.errors import InputError, MessageInDoubt, StoreError
from monitor.forecast import Forecast, load_forecast, month_label, open_cases_of
from monitor.models import IntakeItem, Story
from monitor.wording import FULL_CASE_LIST, quoted

NO_TOPIC = "Tin giáo dục không thuộc chủ đề nào nêu trên"  # the rows above include one beyond the plan (BEYOND_PLAN)
TOP_OUTLETS = 10
TOP_POSITIVE = 10
TOP_LOCAL = 30
# hot issues of other areas with nothing of the office's on record: the hottest and most covered listed, the rest
# counted by hot category (a year's national news gave 37 to 130 a month, up to 23 pages of other provinces before the
# signature). The office's own issues, and another area's it acted on (HotIssue.on_record), are always listed
TOP_ELSEWHERE = 10
# the hot category of an issue with no rule sign (the model alone judged it hot, an item entered from outside the press)
NO_HOT_CATEGORY = "loại khác"
# the office's cases from earlier months still open, oldest first: an office that never closes its cases would
# otherwise list every local hot story of the year in each month's report
TOP_PENDING = 20
NO_CASE = "chưa có hồ sơ xử lý"
# how the report names a case's status: the clipping's words (monitor.cases.STATUS_WORDS), and one only a report
# says: a hot issue's status then can be "cảnh báo nhầm" only when it was opened again since (news raised its story,
# monitor.triage.dismissed_rise): counted with the issues, not as "1 cảnh báo nhầm" among them
STATUS_WORDS = {**DOCUMENT_STATUS_WORDS, DISMISSED: "khi đó đánh dấu cảnh báo nhầm, sau mở lại"}
# a hot issue outside the office's area (Office.is_own_area, or a case closed as NOT_OURS): known of, not handled.
# Not "theo dõi", the name of an alert level: "10 ngoài địa bàn (theo dõi)" read as ten issues at that level
ELSEWHERE_WORDS = "ngoài địa bàn (để nắm tình hình)"
# the heading adds the count in brackets ("… (11)"): its own words take none, two brackets in a row read as a slip
ELSEWHERE_TITLE = "Ngoài địa bàn – để nắm tình hình, tham khảo"
# a case on the office's area opened in an earlier month and still open at the month's end, that nothing in the month
# brought back among its hot issues (no article rated hot, no case change): what leadership must still see
PENDING_TITLE = "Vụ việc trên địa bàn từ các tháng trước còn tồn đọng"
ACTED_ON = frozenset(STATUSES[1:])  # a person took the case on: tiếp nhận, xử lý, phản hồi
NOT_HOT_AFTER_ALL = (DISMISSED, MERGED, NOT_OURS)
# the signer completes this part: the draft says so, in the place where it goes (never an empty heading)
PROPOSALS_TO_COMPLETE = "(Bộ phận truyền thông bổ sung đề xuất, kiến nghị trước khi trình ký.)"
# a month with nothing collected: a notice to the office itself, not a report to sign
NO_DATA_TITLE = "THÔNG BÁO NỘI BỘ"
NO_DATA_REQUEST = "Đề nghị bộ phận truyền thông kiểm tra hệ thống theo dõi báo chí."
FORECAST_TITLE = "V. DỰ BÁO: VẤN ĐỀ DƯ LUẬN CÓ THỂ QUAN TÂM TRONG THÁNG TỚI"
FORECAST_NOTHING = "Không có sự kiện nào trong lịch năm học, chủ đề tăng cùng kỳ hay sự việc còn được đưa tin để nêu."
REPORT_CHART_CM = 16.0  # the monthly report's chart across the DOCX's text (16.5 cm)
# the clipping's chart counts each clipping's window (monitor.digest.Digest.trend_note): the same date may differ
DAILY_CHART_NOTE = ("Mỗi cột là số tin, bài đăng trong một ngày (theo ngày đăng), nên có thể khác số trong biểu đồ "
                    "của điểm báo cùng ngày (điểm báo tính từ giờ chốt hôm trước đến giờ chốt).")
TOPICS_OVERLAP_NOTE = "Một tin, bài có thể thuộc nhiều chủ đề, nên tổng các dòng có thể lớn hơn tổng số tin, bài."


def _n(value: int) -> str:
    """Vietnamese thousands: 1.234."""
    return f"{value:,}".replace(",", ".")


def _elsewhere_words(issues: Iterable[HotIssue]) -> str:
    """'ngoài địa bàn (để nắm tình hình)', and with the statuses a person gave some of them 'ngoài địa bàn (để nắm
    tình hình; 3 đã xử lý, 1 đã tiếp nhận)': never "chưa tiếp nhận", another area's issue is not the office's to handle."""
    acted = Counter(h.case_status for h in issues if h.case_status in ACTED_ON)
    if not acted:
        return ELSEWHERE_WORDS
    return ELSEWHERE_WORDS[:-1] + "; " + ", ".join(
        f"{_n(n)} {s}" for s, n in sorted(acted.items(), key=lambda kv: -kv[1])) + ")"


def outlets_text(names: Sequence[str]) -> str:
    """'Tiền Phong' or 'Tiền Phong (và 2 báo khác: VnExpress, Dân trí)': one form for every list of the report."""
    names = [n for n in dict.fromkeys(names) if n]
    if len(names) <= 1:
        return names[0] if names else ""
    return f"{names[0]} (và {len(names) - 1} báo khác: {', '.join(names[1:])})"


@dataclass(frozen=True)
class Row:
    """A label with this month's and last month's count."""

    label: str
    count: int
    previous: int

    @property
    def change(self) -> str:
        if self.previous == 0:  # no percentage against nothing ("mới" read as a case status: "13 new issues")
            return "—"
        pct = (self.count - self.previous) / self.previous * 100
        return f"{pct:+.0f}%".replace("-", "−") if abs(pct) >= 0.5 else "0%"


def change_words(count: int, previous: int) -> str:
    """"tăng 12% so với" / "giảm 3% so với", or "tương đương" when the change rounds to 0% (733 against 732 read
    "tăng 0%"), "tăng so với" against none (no percentage of nothing); the words before the period compared with."""
    if not previous:
        return "tăng so với"
    pct = abs(count - previous) / previous * 100
    if pct < 0.5:
        return "tương đương"
    return f"{'tăng' if count > previous else 'giảm'} {pct:.0f}% so với"


@dataclass(frozen=True)
class HotIssue:
    story_id: int | None
    title: str
    url: str
    outlet: str
    outlets: int
    first_seen: datetime
    severity: str | None
    hot_score: float
    case_status: str
    owner: str = ""
    notes: tuple[str, ...] = ()  # "dd/mm: what was done", people's notes only (`monitor.cases.person_notes`)
    outlet_names: tuple[str, ...] = ()
    summary: str = ""  # what happened: one or two sentences of the first article's sapo
    own: bool = True  # on the office's own area (Office.is_own_area) and not closed as another's (NOT_OURS)
    # where it reached the office from outside the crawled press (monitor.intake): "mạng xã hội – Nhóm Facebook …"
    outside: tuple[str, ...] = ()
    # what the office did in the report's month (monitor.cases.Handling), oldest first: the month's "kết quả xử lý"
    handling: tuple[Handling, ...] = ()
    false_information_sign: bool = False  # the classifier's hot signs include false information (FALSE_INFORMATION)
    # what it did about the issue before the month (an issue reported again in a later month): said as earlier,
    # never counted again in the later month's figures
    earlier: tuple[Handling, ...] = ()
    month_start: date | None = None  # the first day of the report's month
    # what was last done by the month's end (monitor.cases.outcome_line): "Việc đã làm gần nhất (ngày 14/11): …"
    outcome: str = ""
    # its education articles among the month's figures; None: not counted (a pending case of an earlier month). A hot
    # issue with none is one entered from outside the press, or one the press carried before the month that is back
    # among the month's hot issues by a change of its case
    articles_in_month: int | None = None
    # case_status and owner are the case's at the month's end; a report written again later says beside them what the
    # status is now when it changed since (monitor.cases.status_since): "cập nhật đến ngày 05/12/2026: đã xử lý"
    status_since: str = ""
    # the names of its hot categories (Story.hot_categories), the main one first: what the report counts it under
    # when it is one of another area's issues not listed (MonthlyReport.elsewhere_more_line)
    hot_categories: tuple[str, ...] = ()
    # what its story told after what the issue is told by, to the month's end (monitor.developments): the latest
    # few, oldest first, and how many there are in all
    developments: tuple[Development, ...] = ()
    developments_total: int = 0

    @property
    def developments_label(self) -> str:
        """"Diễn biến:" above its developments, "Diễn biến (5 mốc gần nhất trong 8):" when some are left out."""
        return developments_label(len(self.developments), self.developments_total)

    @property
    def hot_category(self) -> str:
        return self.hot_categories[0] if self.hot_categories else NO_HOT_CATEGORY

    @property
    def on_record(self) -> bool:
        """Another area's issue the report lists whatever its rank (MonthlyReport.elsewhere_listed): the office
        recorded doing something about it (reported it, answered the press, corrected it), in the month or before, or
        took on false information it has not yet corrected, which part I counts as awaiting correction
        (false_information_text) and leadership must be able to find."""
        return bool(self.handling or self.earlier) or (self.false_information and self.shows_handling)

    @property
    def status_label(self) -> str:
        return STATUS_WORDS.get(self.case_status, self.case_status)

    @property
    def shows_handling(self) -> bool:
        """The report says how it was handled: the office's own issues, and one elsewhere that a person took on or
        did something about (a city-wide rumour the office answered to its schools is a result the plan's III.2 asks
        for); an issue elsewhere nobody acted on, or closed as another's, is only followed."""
        return self.own or self.case_status in ACTED_ON or bool(self.handling) or bool(self.earlier)

    def _acts(self, kind: str) -> tuple[Handling, ...]:
        return tuple(a for a in self.handling if a.kind == kind)

    @property
    def reported(self) -> bool:
        return bool(self._acts(REPORTED))

    @property
    def press_answers(self) -> int:
        return len(self._acts(PRESS))

    @property
    def corrected_on(self) -> date | None:
        """The day false information about it was first corrected or refuted in public, None when not recorded."""
        return min((a.on for a in (*self.earlier, *self.handling) if a.kind == CORRECTED), default=None)

    @property
    def false_information(self) -> bool:
        """Marked as false information: by the classifier's sign, or by a person who recorded correcting it."""
        return self.false_information_sign or self.corrected_on is not None

    @property
    def reported_line(self) -> str:
        """"Đã báo cáo: UBND quận Long Biên, ngày 12/11/2026; …", "" when not recorded."""
        acts = self._acts(REPORTED)
        return "Đã báo cáo: " + "; ".join(f"{a.party}, ngày {a.on:%d/%m/%Y}" for a in acts) if acts else ""

    @property
    def press_line(self) -> str:
        """"Đã trả lời báo chí: Tuổi Trẻ, ngày 13/11/2026 (người phát ngôn: …; theo chỉ đạo của …)", "" when none."""
        acts = self._acts(PRESS)
        return ("Đã trả lời báo chí: " + "; ".join(f"{a.party}, ngày {a.on:%d/%m/%Y}{press_details(a)}" for a in acts)
                if acts else "")

    @property
    def false_information_line(self) -> str:
        """The mark of an issue of false information and, where the report accounts for its handling, whether it
        was corrected or refuted; "" for other issues."""
        if not self.false_information:
            return ""
        line = f"Có dấu hiệu {FALSE_INFORMATION}" if self.false_information_sign else FALSE_INFORMATION.capitalize()
        if self.corrected_on is not None:
            return f"{line}; đã cải chính, bác bỏ ngày {self.corrected_on:%d/%m/%Y}"
        return f"{line}; chưa ghi nhận việc cải chính, bác bỏ" if self.shows_handling else line

    @property
    def earlier_line(self) -> str:
        """What was done before the report's month, briefly: "Trước tháng 12/2026: đã báo cáo UBND quận Long Biên
        (12/11/2026); đã trả lời báo chí: Tuổi Trẻ (13/11/2026)"; "" when nothing was."""
        if not self.earlier:
            return ""
        parts = []
        for kind, words in ((REPORTED, "đã báo cáo "), (PRESS, "đã trả lời báo chí: "), (CORRECTED, "")):
            acts = [a for a in self.earlier if a.kind == kind]
            if not acts:
                continue
            if kind == CORRECTED:
                parts.append("đã cải chính, bác bỏ (" + ", ".join(f"{a.on:%d/%m/%Y}" for a in acts) + ")")
            else:
                parts.append(words + ", ".join(f"{a.party} ({a.on:%d/%m/%Y})" for a in acts))
        month = f"tháng {self.month_start:%m/%Y}" if self.month_start else "tháng này"
        return f"Trước {month}: " + "; ".join(parts)

    @property
    def since_label(self) -> str:
        """"từ 12/10/2026", and for a press issue with no article in the month "từ 12/10/2026 (trong tháng không có tin,
        bài mới)": beside the month's figures, a date before the month would otherwise read as this month's news."""
        quiet = self.articles_in_month == 0 and bool(self.outlet_names)
        return f"từ {self.first_seen:%d/%m/%Y}" + (" (trong tháng không có tin, bài mới)" if quiet else "")

    @property
    def latest_note(self) -> str:
        """The latest thing a person recorded about it, "" when nobody has yet."""
        return self.notes[-1] if self.notes else ""

    @property
    def outlets_label(self) -> str:
        """The outlets that carried it, and after them where it came from outside the press: "Nguồn: mạng xã hội – …"."""
        press = outlets_text(self.outlet_names or (self.outlet,))
        return "; ".join([press] * bool(press) + [f"Nguồn: {o}" for o in self.outside])


@dataclass(frozen=True)
class PositiveItem:
    title: str
    url: str
    outlet: str
    outlets: int
    published: datetime
    topics: tuple[str, ...]
    local: bool
    outlet_names: tuple[str, ...] = ()

    @property
    def outlets_label(self) -> str:
        return outlets_text(self.outlet_names or (self.outlet,))


@dataclass(frozen=True)
class LocalItem:
    """A story (or a lone article) about the office's own district: what the press said about its schools."""

    title: str
    url: str
    outlet_names: tuple[str, ...]
    published: datetime
    tone: str  # Tích cực | Trung tính | Tiêu cực, most of its articles
    articles: int = 1

    @property
    def outlets_label(self) -> str:
        return outlets_text(self.outlet_names)


@dataclass(frozen=True)
class MonthlyReport:
    office: Office
    year: int
    month: int
    start: datetime
    end: datetime
    generated_at: datetime
    total: Row
    tone: tuple[Row, ...]
    topics: tuple[Row, ...]
    outlets: tuple[Row, ...]
    local: Row
    hot_issues: tuple[HotIssue, ...]
    positive: tuple[PositiveItem, ...]
    positive_total: int
    daily: tuple[TrendDay, ...] = field(default=())
    false_alarms: int = 0  # stories flagged hot that a person dismissed (monitor.cases.DISMISSED): not hot issues
    local_items: tuple[LocalItem, ...] = ()  # the district's stories, oldest first (at most TOP_LOCAL)
    local_total: int = 0  # how many stories local_items was cut from
    negative_topics: tuple[tuple[str, int], ...] = ()  # plan topics of the negative articles, most first
    # articles collected in the month and the previous one, any subject (None: not known, the education rows decide):
    # nothing collected means the system was not running, which is not the same as a quiet month
    collected: int | None = None
    previous_collected: int | None = None
    outlet_count: int = 0  # outlets with an education article (`outlets` keeps the first TOP_OUTLETS)
    # when the monitoring's data begin (store.first_collection_time): a month begun before it is monitored in part
    data_start: datetime | None = None
    # what the press may take up next month (monitor.forecast); None: not made (a month with nothing collected)
    forecast: Forecast | None = None
    # the office's cases from earlier months still open at the month's end and not among hot_issues (PENDING_TITLE),
    # each with its status at the month's end; not counted among the month's hot issues
    pending: tuple[HotIssue, ...] = ()  # the oldest TOP_PENDING of them
    pending_total: int = 0
    pending_statuses: tuple[str, ...] = ()  # the status of each of them, listed or not

    @property
    def own_issues(self) -> tuple[HotIssue, ...]:
        """The hot issues on the office's own area: the ones whose handling the report accounts for."""
        return tuple(h for h in self.hot_issues if h.own)

    @property
    def elsewhere_issues(self) -> tuple[HotIssue, ...]:
        """Hot issues of other areas (or closed as another office's): followed, not the office's to handle."""
        return tuple(h for h in self.hot_issues if not h.own)

    @property
    def elsewhere_listed(self) -> tuple[HotIssue, ...]:
        """The hot issues of other areas part III lists, in the order of elsewhere_issues: every one the office did
        something about on record (HotIssue.on_record: reported, answered the press, corrected; false information it
        took on and has not corrected yet), and of the others the TOP_ELSEWHERE with the highest score, then carried
        by most outlets, then with most articles in the month. A status alone does not keep one listed: a clerk who
        moves the country's cases along as read would otherwise list them all again."""
        rest = [h for h in self.elsewhere_issues if not h.on_record]
        top = {id(h) for h in sorted(rest, key=lambda h: (-h.hot_score, -h.outlets, -(h.articles_in_month or 0),
                                                          h.first_seen))[:TOP_ELSEWHERE]}
        return tuple(h for h in self.elsewhere_issues if h.on_record or id(h) in top)

    @property
    def elsewhere_more(self) -> tuple[HotIssue, ...]:
        """The hot issues of other areas part III counts without listing them (elsewhere_listed)."""
        listed = {id(h) for h in self.elsewhere_listed}
        return tuple(h for h in self.elsewhere_issues if id(h) not in listed)

    @property
    def elsewhere_more_line(self) -> str:
        """'… và 56 vấn đề khác ngoài địa bàn (theo dõi; 20 đã xử lý), theo nhóm: bạo lực, xâm hại 20; tai nạn, thương
        vong 14; loại khác 3.': each counted once under its main hot category (the groups add up to the number), and
        the statuses a person gave them as part I says them (hot_text); "" when every one is listed."""
        more = self.elsewhere_more
        if not more:
            return ""
        groups = Counter(h.hot_category for h in more)
        if set(groups) == {NO_HOT_CATEGORY}:  # "theo nhóm: loại khác 1" names no group: the count says it all
            return f"… và {_n(len(more))} vấn đề khác {_elsewhere_words(more)}."
        order = list(groups)  # ties: the category of the hotter issue first (elsewhere_issues is by score)
        ranked = sorted(groups.items(), key=lambda kv: (kv[0] == NO_HOT_CATEGORY, -kv[1], order.index(kv[0])))
        return (f"… và {_n(len(more))} vấn đề khác {_elsewhere_words(more)}, theo nhóm: "
                + "; ".join(f"{name} {_n(n)}" for name, n in ranked) + ".")

    @property
    def own_without_articles(self) -> tuple[HotIssue, ...]:
        """The office's own hot issues with no education article in the month: none of them is in the area's count of
        articles (local), which would otherwise read "0" beside a hot issue on the area with nothing to say why."""
        return tuple(h for h in self.own_issues if h.articles_in_month == 0)

    @property
    def local_text(self) -> str:
        """'Tin, bài trên địa bàn quận Long Biên: 3 (2 sự việc; tháng trước: 1 tin, bài)', and, when some of the area's hot
        issues had no article in the month, what they are: '; ngoài ra, 1 vấn đề nóng trên địa bàn (mục III) được tiếp
        nhận từ nguồn ngoài báo chí, không tính vào số tin, bài này'."""
        text = (f"{self.local.label}: {_n(self.local.count)} ({_n(self.local_total)} sự việc"
                + (f"; tháng trước: {_n(self.local.previous)} tin, bài" if self.comparable else "") + ")")
        quiet = self.own_without_articles
        if not quiet:
            return text
        outside = sum(1 for h in quiet if h.outside)
        earlier = len(quiet) - outside
        head = f"; ngoài ra, {_n(len(quiet))} vấn đề nóng trên địa bàn (mục III)"
        if not earlier:
            return text + f"{head} được tiếp nhận từ nguồn ngoài báo chí, không tính vào số tin, bài này"
        if not outside:
            return text + f"{head} đã được báo chí đưa tin trước {self.label}, trong tháng không có tin, bài mới"
        return (text + f"{head} không có tin, bài trong tháng: {_n(outside)} tiếp nhận từ nguồn ngoài báo chí, "
                f"{_n(earlier)} đã được báo chí đưa tin trước {self.label}")

    @property
    def own_title(self) -> str:
        return f"Trên địa bàn {self.office.area}"

    @property
    def hot_parts(self) -> tuple[tuple[str, tuple[HotIssue, ...], str, int, str], ...]:
        """Part III's sub-parts in order, as (title, issues, what it says when it has none, how many more there are
        than it lists, the line saying so): the office's own issues always, the pending ones and those elsewhere
        when there are any (elsewhere_listed, the rest counted by hot category). The title's number is the listed and
        the counted together, part I's count (hot_text)."""
        parts = [(self.own_title, self.own_issues, "Không có vấn đề nóng trên địa bàn trong tháng.", 0, "")]
        if self.pending:
            more = max(self.pending_total - len(self.pending), 0)
            parts.append((PENDING_TITLE, self.pending, "", more,
                          f"… và {_n(more)} vụ việc khác còn tồn đọng ({FULL_CASE_LIST})." if more else ""))
        if self.elsewhere_issues:
            more = self.elsewhere_more
            parts.append((ELSEWHERE_TITLE, self.elsewhere_listed, "", len(more), self.elsewhere_more_line))
        return tuple(parts)

    @property
    def pending_text(self) -> str:
        """'2 vụ việc trên địa bàn từ các tháng trước còn tồn đọng (1 chưa tiếp nhận xử lý, 1 đã tiếp nhận)', ""
        when there is none."""
        if not self.pending:
            return ""
        counts = sorted(Counter(self.pending_statuses).items(), key=lambda kv: -kv[1])
        return (f"{_n(self.pending_total)} {PENDING_TITLE[0].lower()}{PENDING_TITLE[1:]} ("
                + ", ".join(f"{_n(n)} {s}" for s, n in counts) + ")")

    def _begins_in(self, start: datetime, end: datetime) -> bool:
        """Whether the monitoring began after the first day of [start, end): that period is monitored in part."""
        if self.data_start is None:
            return False
        first = self.data_start.astimezone(self.office.tz).date()
        return start.date() < first < end.date()

    @property
    def partial(self) -> bool:
        """The month began before the monitoring did: its figures start on `monitored_from`, not on the 1st."""
        return self._begins_in(self.start, self.end)

    @property
    def previous_partial(self) -> bool:
        """The previous month was monitored in part, or not at all (its articles are the first poll's backlog of
        older items): no percentage against it."""
        if self.data_start is None:
            return False
        p_start, _ = month_bounds(*previous_month(self.year, self.month), self.office)
        return p_start.date() < self.data_start.astimezone(self.office.tz).date()

    @property
    def comparable(self) -> bool:
        """Whether the figures are compared with the previous month's: it had data, over the whole month, and this
        month is over (part of a month against a whole one reads as a fall that is only the days not yet come)."""
        return self.previous_has_data and not self.previous_partial and not self.unfinished

    @property
    def unfinished(self) -> bool:
        """Written before the month's end: its figures stop at the time it was written."""
        return self.generated_at < self.end

    @property
    def monitored_from(self) -> datetime:
        return self.data_start.astimezone(self.office.tz) if self.partial else self.start

    @property
    def backlog_from(self) -> date | None:
        """The first day of the month's articles published before the monitoring began (the first poll's backlog of
        what the feeds still held), None when there are none: the figures then start before `monitored_from`."""
        if not self.partial:
            return None
        began = self.monitored_from.date()
        return next((d.day for d in self.daily if d.total and d.day < began), None)

    @property
    def backlog_caveat(self) -> str:
        return (f"hệ thống bắt đầu theo dõi từ ngày {self.monitored_from:%d/%m/%Y}; tin, bài đăng trước ngày này chỉ gồm "
                "những tin, bài các trang tin còn đăng tải lúc đó")

    @property
    def started_label(self) -> str:
        """'ngày 21/11/2026, ngày hệ thống bắt đầu theo dõi' of a month monitored in part."""
        return f"ngày {self.monitored_from:%d/%m/%Y}, ngày hệ thống bắt đầu theo dõi"

    @property
    def false_alarm_note(self) -> str:
        """What follows the hot-issue count wherever it is printed: how many flags were dismissed."""
        return f"; cảnh báo nhầm đã loại: {self.false_alarms}" if self.false_alarms else ""

    @property
    def label(self) -> str:
        return month_label(self.month, self.year)

    @property
    def previous_label(self) -> str:
        year, month = previous_month(self.year, self.month)
        return month_label(month, year)

    @property
    def subject_line(self) -> str:
        """The trích yếu under "BÁO CÁO" (Decree 30/2020): 'Tình hình dư luận báo chí về giáo dục tháng 11 năm 2026'."""
        month = f"{self.month:02d}" if self.month < 3 else str(self.month)
        return f"Tình hình dư luận báo chí về giáo dục tháng {month} năm {self.year}"

    @property
    def has_data(self) -> bool:
        """Whether anything was collected in the month at all (else the report says so instead of zeros)."""
        return (self.collected if self.collected is not None else self.total.count) > 0

    @property
    def previous_has_data(self) -> bool:
        return (self.previous_collected if self.previous_collected is not None else self.total.previous) > 0

    @property
    def no_data_subtitle(self) -> str:
        return f"Không lập báo cáo dư luận báo chí {self.label}: không có dữ liệu theo dõi"

    @property
    def closing_sentence(self) -> str:
        """The report's last sentence before Nơi nhận, as an office document ends (Decree 30/2020)."""
        return (f"Trên đây là báo cáo tình hình dư luận báo chí về giáo dục {self.label} của "
                f"{self.office.short_name}./.")

    @property
    def no_data_text(self) -> str:
        return (f"Không có dữ liệu theo dõi {self.period_label}: hệ thống không thu thập được tin, bài nào trong "
                "thời gian này (máy chủ hoặc các nguồn tin có thể đã gặp sự cố), nên không lập được báo cáo.")

    @property
    def no_comparison_text(self) -> str:
        """Said once, where the comparison would be, when the previous month has nothing (or only part of a month)
        to compare with."""
        if self.previous_has_data and self.previous_partial:
            first = self.data_start.astimezone(self.office.tz)
            if first >= self.start:
                return (f"{self.previous_label.capitalize()} chưa được theo dõi (hệ thống bắt đầu theo dõi từ ngày "
                        f"{first:%d/%m/%Y}; các tin, bài của tháng đó chỉ là tin cũ thu thập ở lần đầu), nên không dùng "
                        "để so sánh.")
            return (f"{self.previous_label.capitalize()} chỉ có số liệu từ ngày {first:%d/%m/%Y} (ngày hệ thống bắt đầu "
                    "theo dõi), không đủ tháng nên không dùng để so sánh.")
        if self.previous_has_data and self.unfinished:
            return f"{self.label.capitalize()} chưa kết thúc nên chưa so sánh với {self.previous_label} (so sánh khi đủ tháng)."
        return f"{self.previous_label.capitalize()} chưa có dữ liệu để so sánh."

    @property
    def hot_text(self) -> str:
        """'13 vấn đề nóng: 2 trên địa bàn (1 đã xử lý và 1 chưa tiếp nhận xử lý), 11 ngoài địa bàn (theo dõi)'
        (and the false alarms set aside): the handling is said of the office's own issues, and of those elsewhere
        only what a person took on ("11 ngoài địa bàn (theo dõi; 1 đã xử lý)"), never "chưa tiếp nhận"."""
        own, elsewhere = self.own_issues, self.elsewhere_issues
        parts = [f"{_n(n)} {STATUS_WORDS.get(s, s)}" for s, n in self.case_counts]
        elsewhere_words = _elsewhere_words(elsewhere)
        handling = ", ".join(parts[:-1]) + " và " + parts[-1] if len(parts) > 1 else parts[0] if parts else ""
        if not self.hot_issues:
            text = "không có vấn đề nóng"
        elif not elsewhere:
            text = f"{_n(len(own))} vấn đề nóng trên địa bàn, trong đó {handling}"
        elif not own:
            text = f"{_n(len(elsewhere))} vấn đề nóng" + (", đều " if len(elsewhere) > 1 else " ") + elsewhere_words
        else:
            text = (f"{_n(len(self.hot_issues))} vấn đề nóng: {_n(len(own))} trên địa bàn ({handling}), "
                    f"{_n(len(elsewhere))} {elsewhere_words}")
        return text + self.false_alarm_note + (f"; {self.pending_text}" if self.pending else "")

    @property
    def handling_text(self) -> str:
        """'Kết quả xử lý: 2 vấn đề đã báo cáo cơ quan có thẩm quyền; 3 lượt trả lời báo chí (về 2 vấn đề)', of the
        issues whose handling the report accounts for; "" when there are none."""
        handled = [h for h in self.hot_issues if h.shows_handling]
        if not handled:
            return ""
        reported = sum(1 for h in handled if h.reported)
        answers, answered = sum(h.press_answers for h in handled), sum(1 for h in handled if h.press_answers)
        up = (f"{_n(reported)} vấn đề đã báo cáo cơ quan có thẩm quyền" if reported else
              "chưa ghi nhận vấn đề nào đã báo cáo cơ quan có thẩm quyền")
        press = (f"{_n(answers)} lượt trả lời báo chí (về {_n(answered)} vấn đề)" if answers else
                 "chưa ghi nhận lượt trả lời báo chí nào")
        return f"Kết quả xử lý: {up}; {press}"

    @property
    def false_information_text(self) -> str:
        """'2 vấn đề nóng có dấu hiệu tin sai sự thật: 1 đã cải chính, bác bỏ; 1 chưa ghi nhận cải chính, bác bỏ';
        "" when there is none. Another area's issue nobody here acted on is only followed, not owed a correction."""
        marked = [h for h in self.hot_issues if h.false_information]
        if not marked:
            return ""
        corrected = sum(1 for h in marked if h.corrected_on is not None)
        followed = sum(1 for h in marked if not h.shows_handling)
        pending = len(marked) - corrected - followed
        parts = [f"{_n(corrected)} đã cải chính, bác bỏ" if corrected else "",
                 f"{_n(pending)} chưa ghi nhận cải chính, bác bỏ" if pending else "",
                 f"{_n(followed)} {ELSEWHERE_WORDS}" if followed else ""]
        return f"{_n(len(marked))} vấn đề nóng có dấu hiệu {FALSE_INFORMATION}: " + "; ".join(p for p in parts if p)

    @property
    def assessment(self) -> tuple[str, ...]:
        """Đánh giá chung: the month in three sentences, every word from the figures above it (no judgement)."""
        total = self.total
        since = (f" ({self.backlog_caveat})" if self.backlog_from else
                 f" (số liệu từ {self.started_label})" if self.partial else "")
        first = f"Trong {self.label}{since}, hệ thống ghi nhận {_n(total.count)} tin, bài về giáo dục"
        if self.outlets:
            first += f" trên {_n(max(self.outlet_count, len(self.outlets)))} cơ quan báo chí"
        if not self.comparable:
            first += f"; {self.no_comparison_text[0].lower()}{self.no_comparison_text[1:]}"
        elif total.previous == total.count:
            first += f", bằng {self.previous_label} ({_n(total.previous)} tin, bài)."
        else:
            first += f", {change_words(total.count, total.previous)} {self.previous_label} ({_n(total.previous)} tin, bài)."
        sentences = [first]
        top = sorted((t for t in self.topics if t.count and t.label != NO_TOPIC), key=lambda t: -t.count)[:3]
        if top:
            names = [f"{quoted(t.label)} ({_n(t.count)})" for t in top]
            listed = ", ".join(names[:-1]) + " và " + names[-1] if len(names) > 1 else names[0]
            sentences.append(f"Các chủ đề được đưa tin nhiều nhất: {listed}; một tin, bài có thể thuộc nhiều chủ đề.")
        negative = next((t.count for t in self.tone if t.label == SENTIMENT_LABELS["negative"]), 0)
        if total.count:
            if negative:
                third = (f"Tin, bài có sắc thái tiêu cực chiếm {negative / total.count * 100:.0f}% "
                         f"({_n(negative)}/{_n(total.count)})")
                about = [f"{quoted(name)} ({_n(n)})" for name, n in self.negative_topics[:2]]
                if about:
                    third += ", chủ yếu về " + " và ".join(about)
            else:
                third = "Không có tin, bài có sắc thái tiêu cực"
            sentences.append(f"{third}; {self.hot_text}.")
        return tuple(sentences)

    @property
    def last_day(self) -> date:
        return self.end.date() - timedelta(days=1)

    @property
    def subtitle(self) -> str:
        """The line under "BÁO CÁO": a draft to sign once the month is over; before, a copy for reference, as its
        e-mail says (report_mail_text), since its figures stop before the month's end."""
        return f"({'Bản tham khảo' if self.unfinished else 'Dự thảo trình ký'}; số liệu {self.period_label})"

    @property
    def period_label(self) -> str:
        """The period the figures cover, as every format writes it: a report written before the month is over
        says so, rather than claiming the whole month."""
        if self.backlog_from:  # its articles start before the monitoring did: both days, neither hidden
            until = (f"đến ngày {self.generated_at:%d/%m/%Y}, tháng chưa kết thúc" if self.unfinished
                     else f"đến hết ngày {self.last_day:%d/%m/%Y}")
            return f"từ ngày {self.backlog_from:%d/%m/%Y} {until}; {self.backlog_caveat}"
        start = f"{self.monitored_from:%d/%m/%Y}" + (", ngày hệ thống bắt đầu theo dõi," if self.partial else "")
        if self.unfinished:
            return f"từ ngày {start} đến ngày {self.generated_at:%d/%m/%Y}, tháng chưa kết thúc"
        return f"từ ngày {start} đến hết ngày {self.last_day:%d/%m/%Y}"

    @property
    def stem(self) -> str:
        return f"bao-cao-thang-{self.year}-{self.month:02d}"

    @property
    def case_counts(self) -> tuple[tuple[str, int], ...]:
        """(status, issues) of the office's own hot issues, most first: another area's are not its to handle."""
        return tuple(sorted(Counter(h.case_status for h in self.own_issues).items(), key=lambda kv: -kv[1]))


def month_bounds(year: int, month: int, office: Office) -> tuple[datetime, datetime]:
    if not 1 <= month <= 12:
        raise InputError(f"month {month} is not 1-12")
    start = datetime(year, month, 1, tzinfo=office.tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=office.tz)
    return start, end


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def build_report(*, office: Office, year: int, month: int, rows: Sequence[dict], previous_rows: Sequence[dict],
                 stories: Mapping[int, Story], hot_stories: Sequence[Story], cases: Mapping[int, object],
                 generated_at: datetime, collected: int | None = None,
                 previous_collected: int | None = None, data_start: datetime | None = None, forecast: Forecast | None = None,
                 carried_over: Sequence[Story] = (), earlier_articles: Mapping[int, Mapping] | None = None,
                 story_members: Mapping[int, Sequence[Mapping]] | None = None) -> MonthlyReport:
    """`rows`: education articles of the month (store.education_rows), each with its story's scope as triage judged
    it where known ("story_scope"); `stories`: article id -> story;
    `hot_stories`: stories rated hot with a member in the month or a case changed in it;
    `cases`: story id -> its case (monitor.cases.Case); `collected`, `previous_collected`: articles of any
    subject collected in the month and the one before (0: the system collected nothing then); each story's scope is
    the one triage judged it (Story.scope: its locality signal, watchlist names included); `data_start`: when the monitoring's data begin (store.first_collection_time); `forecast`: the next month's
    (monitor.forecast), its open cases taken from the month's hot issues and the pending ones here; `carried_over`:
    stories whose case (in `cases`) was opened before the month's end and still open then, not in `hot_stories`
    (store.cases_open_at): those on the office's area are the month's pending cases; `earlier_articles`: article id
    -> url, sapo and published of the first article of a hot or carried-over story published before the month (its
    link and what happened); `story_members`: story id -> its education articles as the store gives them
    (store.story_members, oldest first), for a hot or carried-over story: what it told after what its issue is told
    by (its developments) and the article a title kept at a merge names."""
    earlier_articles = earlier_articles or {}
    story_members = story_members or {}
    tz = office.tz
    start, end = month_bounds(year, month, office)

    def on_area(r: Mapping) -> bool:
        """One reading of "on the office's area" for every figure and list of the report, the hot issues' too: the
        article's own scope, or its story's as triage's locality judged it (another article of it there, a
        watchlist name in its text): an article of a story the clipping and the alerts place in the district is
        the district's news."""
        s = stories.get(r["id"])
        return (office.is_own_area(r["scope"]) or office.is_own_area(r.get("story_scope"))
                or (s is not None and office.is_own_area(s.scope)))

    def counts(rs: Sequence[dict]):
        tone = Counter(r["sentiment"] for r in rs)
        topics = Counter(t for r in rs for t in r["topics"])
        no_topic = sum(1 for r in rs if not r["topics"])
        outlets = Counter(r["outlet"] for r in rs if r["outlet"])
        local = sum(1 for r in rs if on_area(r))
        return tone, topics, no_topic, outlets, local

    tone, topics, no_topic, outlets, local = counts(rows)
    p_tone, p_topics, p_no_topic, p_outlets, p_local = counts(previous_rows)
    topic_rows = tuple(Row(plan_heading(tid), topics.get(tid, 0), p_topics.get(tid, 0)) for tid, _ in PLAN_TOPICS)
    topic_rows += (Row(NO_TOPIC, no_topic, p_no_topic),)
    outlet_rows = tuple(Row(o, n, p_outlets.get(o, 0))
                        for o, n in sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_OUTLETS])

    by_id = {r["id"]: r for r in rows}

    # each case as it stood at the month's end (a report of the month in progress: now), as its notes and actions
    # already are, the status since said beside: a report written again later must not show an issue handled that was
    # still open when the month ended, nor count it so in part I. A person's finding made since that it was no hot
    # issue, another area's or carried on by another case is about the issue, not its progress: it holds for the past
    as_of = min(generated_at, end - timedelta(microseconds=1))  # `end` is the next month's first moment

    def standing(s: Story, case) -> tuple[object, str | None, str]:
        """(the case as it stood, its status then, the status since beside it)."""
        if case is None:
            return None, s.case_status, ""
        if case.status in NOT_HOT_AFTER_ALL:
            return case, case.status, ""
        then = case_then(case, as_of)
        status = then.status if then is not None else None
        return then, status, status_since(status, case.status, generated_at.astimezone(tz), STATUS_WORDS)

    def issue(s: Story, case, then, status: str | None, since: str, own: bool, counted: bool = False) -> HotIssue:
        """`case` as it is now: what was done in the month, by the day it was done, however late a person recorded
        it; `then`, as it stood (standing)."""
        # its link and summary are those of what it is named after (monitor.developments.told_by): an item entered
        # from outside the press, else its headline article (Story.headline_article_id) or the article a title kept
        # at a merge names; `first_seen` stays its first article's or item's
        members = story_members.get(s.id, ())
        told = told_by(s, members)
        if isinstance(told, IntakeItem):
            # its own words, or none (the title says it): never the summary of a press article merged into its case
            url, summary = told.url or "", told.summary
        else:
            first = ({"url": told["url"], "sapo": told["sapo"], "published": told["when"]} if told is not None else
                     by_id.get(s.headline_article_id) or earlier_articles.get(s.headline_article_id, {}))
            url = first.get("url", "") or next((i.url for i in s.intake if i.url), "")
            # read weeks later: "trưa nay" says its day
            summary = (dated_summary(s.title, first.get("sapo") or "", "",
                                     (first.get("published") or s.first_seen).astimezone(tz))
                       if first.get("sapo") else next((i.summary for i in s.intake if i.summary), ""))
        steps, n_steps = developments(members, s.intake, until=min(end, generated_at), tz=tz,
                                      told=told if isinstance(told, IntakeItem) else
                                      told["id"] if told is not None else s.headline_article_id)
        return HotIssue(
            story_id=s.id, title=s.title, url=url,
            outlet=s.outlets[0] if s.outlets else "",
            outlets=len(s.outlets), first_seen=s.first_seen.astimezone(tz), severity=s.severity, hot_score=s.hot_score,
            case_status=status or NO_CASE, status_since=since,
            owner=getattr(then, "owner", "") or "",
            notes=person_notes([e for e in getattr(then, "events", ()) if e.at < end], tz),
            outlet_names=tuple(s.outlets), summary=summary, own=own,
            outside=tuple(dict.fromkeys(i.source_label for i in s.intake)),
            handling=handling_by(getattr(case, "handling", ()), start.date(), end.date()),
            earlier=handling_by(getattr(case, "handling", ()), None, start.date()), month_start=start.date(),
            outcome=outcome_line(getattr(case, "events", ()), tz, until=end.date(), not_ours=status == NOT_OURS,
                                 acts_listed=True),
            false_information_sign=false_information_sign(s.hot_categories),
            hot_categories=tuple(dict.fromkeys(c.name for c in s.hot_categories if c.name)),
            articles_in_month=sum(1 for a in s.article_ids if a in by_id) if counted else None,
            developments=steps, developments_total=n_steps)

    hot = []
    false_alarms = 0
    for s in sorted(hot_stories, key=lambda s: (-s.hot_score, s.first_seen)):
        case = cases.get(s.id)
        then, status, since = standing(s, case)
        if status == DISMISSED and (case is None or case.dismissed):
            # a false alarm it still is; one opened again since (news raised its story above the level it was
            # dismissed at, monitor.triage.dismissed_rise, or a person undid the dismissal) is a hot issue whose
            # status then says "cập nhật đến ngày …: mở lại (…)"
            false_alarms += 1
            continue
        # a hot issue entered from outside the press is on the area as its own text or the person placed it
        # (IntakeItem.scope, in Story.scope), as the clipping and its alert read it: not because it reached the office
        own = status != NOT_OURS and (office.is_own_area(s.scope) or any(
            on_area(by_id[a]) for a in s.article_ids if a in by_id))
        hot.append(issue(s, case, then, status, since, own, counted=True))

    # the office's cases still open at the month's end that nothing in the month brought among its hot issues, as
    # they stood then (standing): a report written again later must not leave out one handled since
    pending = []
    shown = {h.story_id for h in hot}
    for s in sorted(carried_over, key=lambda s: (s.first_seen, s.id)):
        case = cases.get(s.id)
        then, status, since = standing(s, case) if case is not None else (None, None, "")
        if s.id in shown or status not in OPEN_STATUSES or not office.is_own_area(s.scope):
            continue
        pending.append(issue(s, case, then, status, since, True))

    # positive coverage, reprints counted once: one entry per story (or per article without one)
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        if r["sentiment"] != "positive":
            continue
        s = stories.get(r["id"])
        groups.setdefault(("s", s.id) if s else ("a", r["id"]), []).append(r)
    positive = []
    for key, members in groups.items():
        first = members[0]
        s = stories.get(first["id"])
        n_outlets = len(s.outlets) if s else len({m["outlet"] for m in members})
        positive.append(PositiveItem(title=first["title"], url=first["url"], outlet=first["outlet"], outlets=n_outlets,
                                     published=first["published"].astimezone(tz), topics=first["topics"],
                                     local=any(on_area(m) for m in members),
                                     outlet_names=tuple(s.outlets) if s else tuple(dict.fromkeys(m["outlet"] for m in members))))
    positive.sort(key=lambda p: (not p.local, -p.outlets, -p.published.timestamp()))

    # the district's own stories, reprints once, oldest first: what the press said about the office's schools
    local_groups: dict[tuple, list[dict]] = {}
    for r in rows:
        if on_area(r):
            s = stories.get(r["id"])
            local_groups.setdefault(("s", s.id) if s else ("a", r["id"]), []).append(r)
    local_items = []
    for members in local_groups.values():
        first = members[0]
        tones = Counter(m["sentiment"] for m in members)
        main_tone = max(SENTIMENT_ORDER, key=lambda t: (tones.get(t, 0), t == first["sentiment"]))
        local_items.append(LocalItem(title=first["title"], url=first["url"],
                                     outlet_names=tuple(dict.fromkeys(m["outlet"] for m in members if m["outlet"])),
                                     published=first["published"].astimezone(tz), tone=SENTIMENT_LABELS[main_tone],
                                     articles=len(members)))
    local_items.sort(key=lambda i: i.published)
    negative_topics = Counter(t for r in rows if r["sentiment"] == "negative" for t in r["topics"])
    topic_names = dict(PLAN_TOPICS)

    daily: dict[date, Counter] = {}
    d = start.date()
    while d < end.date():
        daily[d] = Counter()
        d += timedelta(days=1)
    for r in rows:
        day = r["published"].astimezone(tz).date()
        if day in daily:
            daily[day][r["sentiment"]] += 1

    return MonthlyReport(
        office=office, year=year, month=month, start=start, end=end, generated_at=generated_at.astimezone(tz),
        total=Row("Tin giáo dục", len(rows), len(previous_rows)),
        tone=tuple(Row(SENTIMENT_LABELS[s], tone.get(s, 0), p_tone.get(s, 0)) for s in SENTIMENT_ORDER),
        topics=topic_rows, outlets=outlet_rows, local=Row(f"Tin, bài trên địa bàn {office.area}", local, p_local),
        hot_issues=tuple(hot), positive=tuple(positive[:TOP_POSITIVE]), positive_total=len(positive),
        daily=tuple(TrendDay(k, v["positive"], v["neutral"], v["negative"]) for k, v in daily.items()),
        false_alarms=false_alarms, local_items=tuple(local_items[:TOP_LOCAL]), local_total=len(local_items),
        negative_topics=tuple((topic_names.get(t, t), n) for t, n in
                              sorted(negative_topics.items(), key=lambda kv: (-kv[1], list(topic_names).index(kv[0])
                                                                              if kv[0] in topic_names else 99))),
        collected=collected, previous_collected=previous_collected, outlet_count=len(outlets), data_start=data_start,
        forecast=replace(forecast, open_cases=open_cases_of((*hot, *pending))) if forecast is not None else None,
        pending=tuple(pending[:TOP_PENDING]), pending_total=len(pending),
        pending_statuses=tuple(h.status_label for h in pending),
    )


def handling_by(events, start: date | None, end: date) -> tuple[Handling, ...]:
    """What a case's handling lines (Case.handling: those withdrawn left out) record the office did from `start`
    (None: ever) to before `end` (a month's report tells that month's acts as its result, not the next month's,
    and not again an earlier month's), each act once (a merge may bring the same record from both cases)."""
    out: list[Handling] = []
    for e in events:
        act = getattr(e, "handling", None)
        if act is not None and (start is None or act.on >= start) and act.on < end and act not in out:
            out.append(act)
    return tuple(out)


# --------------------------------------------------------------------------- the edges


def _as_corrected(store, rows) -> list[dict]:
    """The month's education rows as the analysts corrected them (monitor.corrections)."""
    rows = list(rows)
    labels = {r["article_id"]: r for r in store.labels([row["id"] for row in rows])}
    fixed = (corrected_row(row, labels[row["id"]]) if row["id"] in labels else row for row in rows)
    return [row for row in fixed if row["is_education"]]


def _education_ids(store, stories: Iterable[Story]) -> set[int]:
    """The stories' articles that are education news as people read them (monitor.corrections)."""
    ids = sorted({aid for s in stories for aid in s.article_ids})
    if not ids:
        return set()
    classes, _ = read_corrected(store, ids)
    education = {aid for aid, c in classes.items() if c.is_education}
    # an article the model never classified counts as a person labelled it (a case opened by hand)
    return education | {r["article_id"] for r in store.labels([a for a in ids if a not in classes])
                        if r.get("is_education")}


def _still_education(hot: dict[int, Story], cases: Mapping[int, object], education: set[int]) -> dict[int, Story]:
    """The hot stories with an article that is education news as people read it (`education`, _education_ids).

    The clipping lists only education articles, so a story whose every article an analyst relabelled
    "not education" (`monitor label ID --not-education`) leaves its hot section; the report follows it
    the same way. A dismissed case stays: the report counts it among the false alarms.
    """
    # a hot issue entered from outside the press (monitor.intake) has no article: a person said it is a hot issue
    return {sid: s for sid, s in hot.items()
            if getattr(cases.get(sid), "status", None) == DISMISSED or s.intake
            or any(a in education for a in s.article_ids)}


def load_report(app, year: int, month: int) -> MonthlyReport:
    return build_report(**month_inputs(app, year, month))


def month_rows(app, start: datetime, end: datetime, names: OutletNames) -> list[dict]:
    """The education rows of [start, end) as build_report takes them (month_inputs)."""
    store = app.store
    rows = _as_corrected(store, store.education_rows(start, end, labelled_too=True))
    return _named_rows(rows, store.story_scopes_of_articles([r["id"] for r in rows]), names)


def _named_rows(rows: Sequence[dict], story_scopes: Mapping[int, object], names: OutletNames) -> list[dict]:
    return [r | {"outlet": names(r["outlet"]), "story_scope": story_scopes.get(r["id"])} for r in rows]


def month_inputs(app, year: int, month: int, *, previous: tuple[list[dict], int] | None = None,
                 forecast: bool = True, names: OutletNames | None = None) -> dict:
    """build_report's arguments for the month, read from the store. `previous`: the previous month's rows (as
    month_rows gives them) and articles collected, when the caller has them already (a period's months one after
    another); `forecast`: whether to make the next month's forecast (a period report has none); `names`: the
    OutletNames of the whole document (one per document: an outlet feeds.yaml does not list keeps its first spelling)."""
    office = app.config.office
    store = app.store
    start, end = month_bounds(year, month, office)
    p_start, p_end = month_bounds(*previous_month(year, month), office)
    rows = _as_corrected(store, store.education_rows(start, end, labelled_too=True))
    previous_rows = (_as_corrected(store, store.education_rows(p_start, p_end, labelled_too=True))
                     if previous is None else None)
    stories: dict[int, Story] = {}
    hot: dict[int, Story] = {}
    cases: dict[int, object] = {}
    for s in store.stories_between(start, end):
        for aid in s.article_ids:
            stories[aid] = s
        if s.severity is not None:
            hot[s.id] = s
    for c in store.cases_between(start, end):
        cases[c.story_id] = c
        if c.story_id not in hot:
            s = store.story(c.story_id)
            if s is not None:
                hot[s.id] = s
    for sid in hot.keys() - cases.keys():
        c = store.case_of_story(sid)
        if c is not None:
            cases[sid] = c
    carried: dict[int, Story] = {}
    for c in store.cases_open_at(end, OPEN_STATUSES):
        s = store.story(c.story_id) if c.story_id not in hot else None
        if s is not None:
            carried[s.id] = s
            cases[s.id] = c
    education = _education_ids(store, [*hot.values(), *carried.values()])
    hot = _still_education(hot, cases, education)
    carried = _still_education(carried, cases, education)
    in_month = {r["id"] for r in rows}
    firsts = sorted({s.headline_article_id for s in [*hot.values(), *carried.values()]} - in_month - {0})
    earlier = ({a.id: {"url": a.url, "sapo": a.sapo, "published": a.when} for a in store.get_articles(firsts)}
               if firsts else {})
    data_start = store.first_collection_time()
    collected = store.count_articles_between(start, end)
    # each outlet once however its feeds spelt it, in rows stored before feeds.yaml named it that way too
    names = names or OutletNames(app.config)
    # and on the office's area as its story's triage placed it (build_report's on_area), last month's articles too
    story_scopes = store.story_scopes_of_articles([r["id"] for r in [*rows, *(previous_rows or ())]])
    rows = _named_rows(rows, story_scopes, names)
    if previous is None:
        previous_rows = _named_rows(previous_rows, story_scopes, names)
        previous_collected = store.count_articles_between(p_start, p_end)
    else:
        previous_rows, previous_collected = previous
    stories, hot, carried = names.stories(stories, hot, carried)
    # the articles of each issue's story the report tells its developments by, as the figures read them (education,
    # each outlet under its one name)
    members = {sid: [m | {"outlet": names(m["outlet"])} for m in store.story_members(sid) if m["id"] in education]
               for sid in hot.keys() | carried.keys()}
    now = app.now()
    month_stories = {s.id: s for s in stories.values()}
    made = load_forecast(app, year, month, stories=month_stories.values(), as_of=min(now, end)) if forecast else None
    return dict(office=office, year=year, month=month, rows=rows, previous_rows=previous_rows, stories=stories,
                hot_stories=list(hot.values()), cases=cases, generated_at=now, collected=collected,
                previous_collected=previous_collected, data_start=data_start, forecast=made,
                carried_over=list(carried.values()), earlier_articles=earlier, story_members=members)


@dataclass(frozen=True)
class ReportResult:
    year: int
    month: int
    status: str  # written | sent | in-doubt (the server took it without confirming: not sent again by itself)
    message: str
    paths: dict[str, Path] = field(default_factory=dict)

    def summary(self) -> str:
        return self.message


def draft_subject(report, what: str, unfinished: str) -> str:
    """A report's e-mail subject: `what` it is, then whether it is the draft to sign, for reference only (`unfinished`
    says what is not over: "tháng chưa kết thúc"), or a notice that nothing was collected."""
    if not report.has_data:
        return f"{what}: không có dữ liệu theo dõi — {report.office.short_name}"
    if report.unfinished:  # not a draft to sign yet: its figures stop before the month's end
        return f"{what} (số liệu đến ngày {report.generated_at:%d/%m/%Y}, {unfinished}) — {report.office.short_name}"
    return f"{what} (dự thảo trình ký) — {report.office.short_name}"


def draft_mail_text(report, title: str, unfinished: str) -> str:
    """A report's e-mail text part: to the office's leadership, the draft for signature (`title`, as its heading
    reads) and its general assessment; for reference only while `unfinished` ("tháng chưa kết thúc")."""
    head = f"Kính gửi: {report.office.leadership}.\n\n"
    if not report.has_data:
        return head + f"{report.no_data_text}\nĐề nghị kiểm tra hệ thống theo dõi báo chí (tệp {report.stem}.docx).\n"
    purpose = (f" với số liệu đến ngày {report.generated_at:%d/%m/%Y} để tham khảo: {unfinished}, báo cáo trình ký "
               f"lập sau ngày {report.last_day:%d/%m/%Y}." if report.unfinished else " để trình ký.")
    return (head + f"Bộ phận truyền thông gửi kèm dự thảo {title} (tệp {report.stem}.docx){purpose}\n\n"
            f"Đánh giá chung: {' '.join(report.assessment)}\n\n"
            f"Mục {quoted('Đề xuất, kiến nghị')} của dự thảo do bộ phận truyền thông bổ sung trước khi trình ký.\n")


def report_subject(report: MonthlyReport) -> str:
    return draft_subject(report, f"Báo cáo dư luận báo chí về giáo dục {report.label}", "tháng chưa kết thúc")


def report_mail_text(report: MonthlyReport) -> str:
    return draft_mail_text(report, f"Báo cáo tình hình dư luận báo chí về giáo dục {report.label}", "tháng chưa kết thúc")


def render_report_html(report: MonthlyReport, *, chart_src: str | None = None) -> str:
    from monitor.render import render_template

    return render_template("report.html", r=report, chart_src=chart_src, topics_note=TOPICS_OVERLAP_NOTE,
                           chart_note=DAILY_CHART_NOTE,
                           proposals_note=PROPOSALS_TO_COMPLETE,
                           no_data_title=NO_DATA_TITLE, no_data_request=NO_DATA_REQUEST, forecast_title=FORECAST_TITLE,
                           forecast_nothing=FORECAST_NOTHING)


def report_folder(cfg) -> Path:
    """Where the monthly report's files go unless --out says otherwise."""
    return cfg.storage.data_dir / cfg.digest.outbox_dir / "reports"


def report_document(app, year: int, month: int, fmt: str) -> tuple[bytes, str]:
    """The month's report in one format as bytes that stand alone (the chart inside the HTML), for standard output;
    and the line a person reads about it. It only reads the store."""
    from monitor.digest_delivery import data_uri
    from monitor.docx_render import render_report_docx

    if fmt not in ("docx", "html"):
        raise InputError(f"không có dạng báo cáo {fmt!r}; dùng docx hoặc html")
    report = load_report(app, year, month)
    chart = _report_chart(report)
    data = (render_report_docx(report, chart_png=chart) if fmt == "docx"
            else render_report_html(report, chart_src=data_uri(chart)).encode("utf-8"))
    return data, f"{_report_line(report, year, month)}; đã ghi ra đầu ra chuẩn, dạng {fmt}"


def _report_chart(report: MonthlyReport) -> bytes:
    from monitor.charts import trend_png

    # drawn at the size it is printed (REPORT_CHART_CM; 100 dpi), as the clipping's: drawn at 760 px and shrunk to the
    # text's width, its labels printed at 5 pt and its bars in a strip a quarter of the page high
    width_px = round(REPORT_CHART_CM / 2.54 * 100)
    return trend_png(report.daily, title=f"Tin giáo dục theo ngày đăng, {report.label}", width_px=width_px,
                     height_px=260, label_every=3)


def _report_line(report: MonthlyReport, year: int, month: int) -> str:
    # the line says the month and the count as the documents do (report.label: "tháng 11/2026"; "tin, bài")
    return (f"Báo cáo {report.label}: {_n(report.total.count)} tin, bài về giáo dục, "
            f"{_n(len(report.hot_issues))} vấn đề nóng" if report.has_data else
            f"Báo cáo {report.label}: không thu thập được tin, bài nào trong tháng (báo cáo ghi rõ điều này)")


def build_and_deliver_report(app, year: int, month: int, *, formats: Iterable[str] | None = None,
                             out_dir: str | Path | None = None, send: bool = True,
                             before_send: Callable[[], None] | None = None) -> ReportResult:
    """Write the month's report (DOCX and HTML by default); with `send`, also e-mail it when SMTP and
    digest.recipients are configured (otherwise the files in the folder are the delivery). `before_send`
    runs just before the e-mail is handed over, for a caller that must remember it may have gone."""
    from monitor.docx_render import render_report_docx

    formats = check_formats(formats)
    cfg = app.config
    if not out_dir:
        from monitor.digest_delivery import default_folder_writable

        default_folder_writable(report_folder(cfg), "báo cáo", "~/bao-cao")
    report = load_report(app, year, month)
    chart = _report_chart(report)
    status, message, paths = deliver_document(
        app, stem=report.stem, docx_bytes=render_report_docx(report, chart_png=chart),
        html=lambda src: render_report_html(report, chart_src=src), chart=chart, formats=formats, out_dir=out_dir,
        line=_report_line(report, year, month), subject=report_subject(report), mail_text=report_mail_text(report),
        again=f"monitor report --month {year}-{month:02d} --send", send=send, before_send=before_send)
    return ReportResult(year, month, status, message, paths)


def check_formats(formats: Iterable[str] | None) -> tuple[str, ...]:
    formats = tuple(formats or ("docx", "html"))
    bad = [f for f in formats if f not in ("docx", "html")]
    if bad:
        raise InputError(f"không có dạng báo cáo {bad[0]!r}; dùng docx hoặc html")
    return formats


def deliver_document(app, *, stem: str, docx_bytes: bytes, html: Callable[[str | None], str], chart: bytes | None,
                     formats: tuple[str, ...], out_dir: str | Path | None, line: str, subject: str, mail_text: str,
                     again: str, send: bool, before_send: Callable[[], None] | None = None
                     ) -> tuple[str, str, dict[str, Path]]:
    """Write a report's files (`html` renders the page given where its chart is: a file name, a cid: or None when
    there is no `chart`) and, with `send` and SMTP and digest.recipients configured, e-mail it: (status, the line a
    person reads, the paths written). `again`: the command that sends it again, said when the server did not confirm."""
    from monitor.digest_delivery import atomic_write
    from monitor.mail import MAIL_POLICY

    cfg = app.config
    folder = Path(out_dir) if out_dir else report_folder(cfg)
    chart_name = f"{stem}-theo-ngay.png"
    paths: dict[str, Path] = {}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if "docx" in formats:
            paths["docx"] = folder / f"{stem}.docx"
            atomic_write(paths["docx"], docx_bytes)
        if "html" in formats:
            paths["html"] = folder / f"{stem}.html"
            atomic_write(paths["html"], html(chart_name if chart else None).encode("utf-8"))
            if chart:
                paths["chart"] = folder / chart_name
                atomic_write(paths["chart"], chart)
    except OSError as exc:
        raise StoreError(f"không ghi được báo cáo vào {folder}: {exc}",
                         hint="dùng --out DIR để ghi vào một thư mục được phép ghi") from None
    what = f"{line}; đã ghi vào {folder}"
    if send and cfg.smtp.configured and cfg.digest.recipients:
        from monitor.mail import refusals, send_message

        msg = EmailMessage(policy=MAIL_POLICY)
        msg["Subject"] = subject
        msg["From"] = cfg.smtp.sender
        msg["To"] = ", ".join(cfg.digest.recipients)
        msg["Date"] = format_datetime(app.now().astimezone(cfg.office.tz))
        msg["Message-ID"] = make_msgid(idstring=stem, domain=cfg.smtp.sender.rsplit("@", 1)[-1].rstrip(">"))
        msg.set_content(mail_text)
        cid = f"{stem}@report"
        msg.add_alternative(html(f"cid:{cid}" if chart else None), subtype="html")
        if chart:
            msg.get_payload()[1].add_related(chart, "image", "png", cid=f"<{cid}>", filename=chart_name,
                                             disposition="inline")
        msg.add_attachment(docx_bytes, maintype="application",
                           subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                           filename=f"{stem}.docx")
        if before_send is not None:
            before_send()
        try:
            refused = send_message(cfg.smtp, msg)
        except MessageInDoubt as exc:
            # the service must not send it again on its next tick, nor a person without looking: the digest's rule
            return ("in-doubt", f"{what}; máy chủ thư đã nhận thư nhưng không xác nhận ({exc}), nên có thể thư đã "
                                f"tới: kiểm tra hộp thư, nếu chưa nhận được thì `{again}` gửi lại", paths)
        got = [r for r in cfg.digest.recipients if r not in refused]
        refused_note = f"; máy chủ từ chối người nhận: {refusals(refused)}" if refused else ""
        return "sent", f"{what}; đã gửi tới {', '.join(got)}{refused_note}", paths
    return "written", what, paths
