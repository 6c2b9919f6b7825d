"""The day's press clipping (điểm báo) as data: which articles, in which section, in which order.

Pure: everything arrives as arguments (articles, classifications, stories, health, trend rows) and a
frozen `Digest` comes back; `digest_delivery` reads the store and `render` / `docx_render` turn the
result into HTML, text, Markdown and DOCX.

Selection rules
- Only articles classified as education appear; an unclassified article is counted, never shown.
- Reprints are grouped by the triage stage's stories: one item per story, showing its first outlet in
  the window and how many other outlets carried it. Without a story an article stands alone.
- Each story appears once, in its most important section: hot issues, then the office's own district,
  then positive coverage worth spreading, then its main plan topic, then "other education news".
  Sections are *printed* in the order the issue asks for (hot, district, topics, positive).
- An appendix lists, apart from the education sections, the articles the classifier judged *not*
  education with a relevance of at least `borderline_min_relevance` (most likely first, at most
  `borderline_max_items`), so a clerk glances at what the model was least sure of. One that tells an
  event the sections already show (story grouping's measure, monitor.stories) is not listed again: it
  counts as one more outlet carrying that story. On the 27 hand-labelled whole days, at 0.30 it listed
  2.4 articles a day and held 16 of the 36 education articles the model missed; 7 more unsure articles
  (3 of them education) joined a story of the sections (bench/borderline.py).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from statistics import median
from typing import Iterable, Mapping, NamedTuple, Sequence
from zoneinfo import ZoneInfo

from classifiers.plan_topics import PLAN_TOPICS, TOPIC_IDS, plan_heading, strongest_first, topic_name
from classifiers.types import SCOPES, Classification
from monitor.cases import DISMISSED, STATUS_WORDS, lists_as_hot, status_since, status_word
from monitor.config import Digest as DigestSettings
from monitor.config import Office, clock_time, score_text
from monitor.models import Article, IntakeItem, SourceHealth, Story
from monitor.stories import Idf, article_doc, article_text, headline_words, matches_among, same_headline
from monitor.summary import dated_summary
from monitor.wording import NO_LEVEL, RESPONSE_TAG, time_label, topic_list

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
SENTIMENT_LABELS = {"negative": "Tiêu cực", "neutral": "Trung tính", "positive": "Tích cực"}
SENTIMENT_ORDER = ("positive", "neutral", "negative")
SCOPE_LABELS = {"local": "Địa bàn", "city": "Thành phố", "national": "Trong nước", "foreign": "Quốc tế"}
NO_CASE_LABEL = "chưa có hồ sơ xử lý"
UNRATED_SEVERITY = NO_LEVEL  # the level word of a hot item with no alert level
NO_LOCAL_NEWS = "Không có tin giáo dục về địa bàn {area} trong 24 giờ qua."
TREND_DAYS = 7
# Health states the appendix lists: a feed that errs or has gone silent may hide news from the clipping.
UNHEALTHY = ("failing", "quiet", "backoff")
BORDERLINE_TITLE = "Tin có thể liên quan đến giáo dục"
# every article of one clipping may tell the same event as any other: its window is a day, plus late arrivals
ONE_CLIPPING = timedelta.max
BORDERLINE_HEADING = "PHỤ LỤC: TIN CÓ THỂ LIÊN QUAN ĐẾN GIÁO DỤC, CẦN XEM LẠI"
SOURCES_HEADING = "PHỤ LỤC: NGUỒN TIN LỖI HOẶC IM LẶNG"
BORDERLINE_NOTE = ("Hệ thống chưa xác định chắc chắn các tin dưới đây có thuộc lĩnh vực giáo dục hay không nên chưa đưa vào "
                   "các mục trên (xếp theo độ liên quan, cao trước; mã bài để đối chiếu khi rà soát).")
# what to run on a new install, said where its empty clipping would otherwise read as an outage
NOT_CRAWLED_HINT = ("chạy lệnh “monitor crawl” để lấy tin một lần, hoặc “monitor serve” để hệ thống tự lấy tin "
                    "theo lịch, rồi tạo lại điểm báo")

# a feed's first failures are "backoff" (monitor.store.crawl_state: retried after a wait), "failing" from the
# third in a row on, sooner when they say more (monitor.crawl._weight: a 4xx or a page that is no feed at the
# second, an address the policy refuses at once); the first were called "tạm ngừng do lỗi liên tiếp", graver
# words than the plain "lỗi" of the later ones
HEALTH_LABELS = {"failing": "lỗi liên tiếp", "quiet": "im lặng bất thường", "backoff": "lỗi, chờ thử lại",
                 "ok": "bình thường", "new": "mới", "disabled": "đã tắt"}
FAILED = ("failing", "backoff")  # health states of a feed that errs (quiet: it answers, with nothing new)
OTHER_TITLE = "Tin giáo dục khác (ngoài các chủ đề trên)"  # the topics above include one beyond the plan (BEYOND_PLAN)
TOPICS_NOTE = ("Mỗi sự việc chỉ nêu một lần, ở mục quan trọng nhất; số trong ngoặc là số sự việc của chủ đề "
               "chưa nêu ở các mục khác.")
# the words a clipping says for the severity levels (the configured names), in the subject and the summary
SEVERITY_SUBJECT_WORDS = {"khẩn cấp": "khẩn cấp", "cao": "mức cao", "theo dõi": "cần theo dõi"}


# --------------------------------------------------------------------------- numbers and times


def vn_number(value: float | int) -> str:
    """Vietnamese number style: 1.234 for thousands."""
    return f"{value:,.0f}".replace(",", ".")


def vn_decimal(value: float) -> str:
    """One decimal with a comma, thousands with a dot, no ",0" on a whole number: 1,6 · 20 · 1.500."""
    if round(value, 1) == round(value):
        return vn_number(round(value))
    whole, frac = f"{value:,.1f}".split(".")
    return f"{whole.replace(',', '.')},{frac}"


def megabytes(size_bytes: int) -> str:
    """'2,6 MB': a file's size as every command says it, in megabytes of 1,000,000 bytes (as `ls -h --si`, a disk's
    label and the SI prefix): `status` said 2,7 MB of a database `backup` said was 2,8 MB."""
    return f"{vn_decimal(size_bytes / 1_000_000)} MB"


# --------------------------------------------------------------------------- the feeds' problems, in words

_HTTP_STATUS = re.compile(r"\bHTTP (\d{3})\b|\banswered (\d{3})\b")
_QUIET_GAP = re.compile(r"no new item for ([\d.]+) h; usually one every ([\d.]+) h")


def _hours(hours: float) -> str:
    """A feed's silence or usual gap as the crawler writes it (hours, one decimal) in the words a reader uses: "0,1 giờ"
    of a news feed that brings an item every few minutes reads as an error, "6 phút" does not."""
    if hours >= 1:
        return f"{vn_decimal(hours)} giờ"
    minutes = round(hours * 60)
    return f"{minutes} phút" if minutes else "vài phút"


def source_problem(h: SourceHealth) -> str:
    """What is wrong with a feed, as leadership reads it: a category in Vietnamese, not the crawler's error
    (which `monitor status` keeps showing as it is)."""
    error = h.last_error or ""
    if h.health == "quiet":
        if m := _QUIET_GAP.search(error):
            return (f"không có tin mới trong {_hours(float(m.group(1)))}, trong khi thường "
                    f"{_hours(float(m.group(2)))} có một tin (bất thường)")
        if "no items" in error:
            return "báo trả về danh sách tin rỗng (bất thường)"
        return "không có tin mới (bất thường)"
    kind = error.split(":", 1)[0].strip() if ":" in error else ""
    status = next((int(g) for m in _HTTP_STATUS.finditer(error) for g in m.groups() if g), None)
    # before the proxy's: a certificate refused through the proxy's tunnel says "(through the proxy …)" too, and
    # what fixes it is crawler.ca_file, not the proxy
    if kind == "CertificateRefused" or "did not verify" in error or "CERTIFICATE_VERIFY_FAILED" in error:
        return ("chứng chỉ bảo mật của trang không được chấp nhận (thường do mạng của cơ quan kiểm tra kết nối bảo "
                "mật): cán bộ kỹ thuật khai báo hoặc kiểm tra chứng chỉ gốc của cơ quan ở crawler.ca_file")
    if "proxy" in error.lower():
        return "không kết nối được qua máy chủ trung gian (proxy) của cơ quan"
    if kind == "NotAFeed" or "HTML page" in error:
        return "báo trả về trang web thay cho nguồn tin (có thể bị chặn/chống truy cập tự động)"
    if status in (401, 403, 429, 451):
        return f"trang bị chặn/chống truy cập tự động (HTTP {status})"
    if status in (404, 410):
        return f"địa chỉ nguồn tin không còn (HTTP {status}), có thể báo đã đổi địa chỉ"
    if status is not None:
        return f"báo trả lỗi (HTTP {status})"
    if "(Retry-After)" in error:  # a host that asked, earlier in the crawl, to be left alone for a while
        return "báo đề nghị tạm ngừng thu thập một thời gian, hệ thống sẽ thử lại sau"
    if kind == "RobotsDisallowed":
        return "báo không cho phép thu thập tự động (robots.txt)"
    if kind in ("FetchTimeout", "RequestInDoubt") or "timed out" in error:
        return "máy chủ của báo không trả lời kịp (quá thời gian chờ)"
    if kind in ("FeedError", "BadContentEncoding"):
        return "nguồn tin bị lỗi định dạng, không đọc được"
    if kind == "ResponseTooLarge":
        return "báo trả về dữ liệu quá lớn, đã bỏ qua"
    if kind == "TooManyRedirects":
        return "địa chỉ nguồn tin chuyển hướng vòng quanh"
    if kind == "AddressRefused":
        return "địa chỉ nguồn tin không được phép truy cập (chính sách an toàn)"
    if kind == "FetchError" or "connect" in error.lower() or "resolve host" in error:
        return "không kết nối được máy chủ của báo"
    return "lỗi kỹ thuật khác (chi tiết: cán bộ kỹ thuật xem trạng thái hệ thống)" if error else "lỗi khi lấy tin"


def source_line(h: SourceHealth, tz: ZoneInfo) -> tuple[str, str, str, str]:
    """(outlet, state, last fetched, problem) of an appendix row, in every format."""
    state = HEALTH_LABELS.get(h.health, h.health)
    if h.consecutive_failures:
        state += f", {h.consecutive_failures} lần lỗi liên tiếp"
    last = time_label(h.last_success.astimezone(tz)) if h.last_success else "chưa từng"
    return f"{h.outlet} ({h.name})", state, last, source_problem(h)


# --------------------------------------------------------------------------- dates


def vietnamese_date(day: date) -> str:
    """'Thứ Năm, ngày 26/11/2026'."""
    return f"{WEEKDAYS[day.weekday()]}, ngày {day:%d/%m/%Y}"


def administrative_date(day: date) -> str:
    """'ngày 26 tháng 11 năm 2026' as a Vietnamese administrative document writes it.

    Decree 30/2020 asks for a leading zero on days below 10 and on months 1 and 2, so a date can
    not be altered by adding a digit.
    """
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def digest_window(day: date, cutoff: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The 24 hours that end at the cut-off on `day` (office time zone)."""
    end = datetime.combine(day, clock_time(cutoff), tzinfo=tz)
    return end - timedelta(days=1), end


def latest_complete_day(now: datetime, cutoff: str, tz: ZoneInfo) -> date:
    """The day whose window has ended most recently: today once the cut-off has passed, else yesterday."""
    local = now.astimezone(tz)
    return local.date() if local.time() >= clock_time(cutoff) else local.date() - timedelta(days=1)


# --------------------------------------------------------------------------- reasons for people

_EVIDENCE = re.compile(r"\((title|sapo|body)\)")
_SCORED = re.compile(r"^(?P<name>[^:]{1,40}?)\s+\d(?:\.\d+)?\s*:\s*(?P<rest>.*)$")
_TRAILING_SCORE = re.compile(r"\s\d\.\d+$")


SIGNS_SEPARATOR = " / "  # between the hot categories of "Dấu hiệu: ...": each category may hold a comma
MODEL_ONLY_PREFIX = "Hệ thống đánh giá"
_TOPIC_LINE = re.compile(r"^chủ đề (?P<tid>\S+) (?P<score>\d(?:\.\d+)?)\s*:")
_TONE_LINE = re.compile(r"^sắc thái (?P<tone>\w+) \d(?:\.\d+)?$")


def model_only_reason(hot_score: float, topic: str = "", tone: str = "") -> str:
    """The reason of a story the classifier judged hot with no rule sign behind it (the learnt model alone),
    said honestly, with what kind of issue it is: its strongest plan topic, else its tone.

    Shared by the clipping (display_reasons) and the alerts (monitor.triage adds it to a story's reasons).
    """
    what = f" — chủ đề: {topic}" if topic else (f" — sắc thái: {tone.lower()}" if tone else "")
    if hot_score < 0.5:
        # "(20%)" reads as "80% not hot, so why was I told?": below even odds no percentage (`monitor explain` has it)
        return f"{MODEL_ONLY_PREFIX} cần theo dõi thêm, chưa thấy dấu hiệu cụ thể của vấn đề nóng{what}"
    return f"{MODEL_ONLY_PREFIX} có khả năng là vấn đề nóng ({hot_score * 100:.0f}%), chưa thấy dấu hiệu cụ thể{what}"


def display_reasons(reasons: Iterable[str], limit: int = 4, *, topic: str = "", tone: str = "",
                    hot_categories: Iterable = (), model_only: float | None = None) -> tuple[str, ...]:
    """The reasons a reader needs, without the classifier's word-level evidence.

    The classifier explains itself as "nóng 0.58: bạo lực, xâm hại (bị đánh (title)); ..." - right
    for `monitor explain`, noise in a clipping. Its scored and evidence lines are dropped; the hot categories
    (`hot_categories`, classifiers.types.HotCategory, as stored with the classification or the story) make one
    line where the classifier's lines stood ("Dấu hiệu: bạo lực, xâm hại / tai nạn, đuối nước"), each once; the
    triage stage's plain reasons stay. A hot judgement of the model alone (`model_only`: its hot score, when no
    category is behind it) says so in plain words with the story's strongest topic (`topic`, else a topic line
    among the reasons) or its tone, unless triage's reasons say so already.
    """
    out: list[str] = []
    signs_at: int | None = None
    topics: list[tuple[float, str]] = []
    for reason in reasons:
        reason = " ".join(str(reason).split())
        if (t := _TOPIC_LINE.match(reason)) is not None:
            topics.append((float(t.group("score")), t.group("tid")))
        if (t := _TONE_LINE.match(reason)) is not None and not tone:
            tone = SENTIMENT_LABELS.get(t.group("tone"), "")
        if _SCORED.match(reason) or _EVIDENCE.search(reason) or _TRAILING_SCORE.search(reason):
            signs_at = len(out) if signs_at is None else signs_at
            continue
        out.append(reason if len(reason) <= 160 else reason[:157].rsplit(" ", 1)[0] + "…")
    signs = list(dict.fromkeys(c.name for c in hot_categories))
    line = ""
    if signs:
        line = "Dấu hiệu: " + SIGNS_SEPARATOR.join(signs)
    elif model_only is not None and not any(r.startswith(MODEL_ONLY_PREFIX) for r in out):
        if not topic and topics:
            topic = topic_name(max(topics)[1])
        line = model_only_reason(model_only, topic, tone)
    if line:
        out.insert(signs_at or 0, line)
    seen: set[str] = set()
    unique = [r for r in out if r and not (r in seen or seen.add(r))]
    return tuple(unique[:limit])


def shown_hot_score(hot_score: float) -> float:
    """A classifier's hot score as its reasons write it (two decimals), for model_only_reason's percentage."""
    return float(f"{hot_score:.2f}")


# --------------------------------------------------------------------------- the digest as data


class RelatedArticle(NamedTuple):
    """One of a hot item's related articles (DigestItem.related)."""

    outlet: str
    title: str
    url: str
    # it tells the office's own answer or a lower authority's (Story.responses, as triage stored it): marked as the
    # alert marks it, so leadership does not read its own answer as the issue growing
    response: bool = False

    @property
    def mark(self) -> str:
        """' [phản hồi của cơ quan]' after its outlet, as in the alert; '' for any other article."""
        return f" [{RESPONSE_TAG}]" if self.response else ""


@dataclass(frozen=True)
class DigestItem:
    """One story (or a lone article) as the clipping shows it."""

    article_id: int
    title: str
    url: str
    outlet: str
    published: datetime  # office time zone
    summary: str
    sentiment: str
    topics: tuple[str, ...]
    scope: str
    story_id: int | None = None
    other_outlets: tuple[str, ...] = ()  # other outlets that carried the story
    hot: bool = False
    severity: str | None = None
    case_status: str | None = None
    hot_score: float = 0.0  # 0-100
    reasons: tuple[str, ...] = ()
    late: bool = False  # published before the window, collected only after the previous clipping
    relevance: float = 1.0  # the classifier's education score
    unsure: bool = False  # listed in the appendix: judged not education, but close to it
    # the story's other articles in the window whose headline says something else (a follow-up, another
    # angle), at most MAX_RELATED; reprints under the same headline are only counted
    related: tuple[RelatedArticle, ...] = ()
    # an earlier hot issue (an open case) this story may continue, said under the item: "vấn đề số 1 (hồ sơ số 7)"
    follows: str = ""
    # the latest thing a person recorded doing about its case (monitor.cases.outcome_line): "Việc đã làm gần nhất
    # (ngày 26/11): …"
    outcome: str = ""
    # what its case records the office did, in a few words (monitor.cases.handling_brief): "đã báo cáo UBND quận"
    handling: str = ""
    articles: int = 1  # the story's education articles in the window (reprints included)
    # a hot issue from outside the crawled press (monitor.intake): "mạng xã hội – Nhóm Facebook …", named where the
    # outlet would be; such an item has no article (article_id 0) and no tone
    outside_source: str = ""
    day_only: bool = False  # such an item dated by its day alone: `published` has no hour to show
    # an earlier day's clipping built again shows its case as it stood then (case_status, handling, outcome); what the
    # status is now, when it changed since: "cập nhật đến ngày 28/11/2026: đã xử lý"
    status_since: str = ""
    # its number in part II when it differs from its place: "1a" of a likely follow-up listed under its issue
    # (note_follow_ups), so the numbers are the issues the summary counts
    number: str = ""
    # what leadership's alerts told of it, when its level or score reads lower now (note_alerted): "Đã cảnh báo lúc
    # 20:00 ngày 27/11/2026: mức khẩn cấp (91/100); nay: mức cao (81/100), tin không còn lan nhanh"
    alerted: str = ""

    @property
    def sentiment_label(self) -> str:
        return SENTIMENT_LABELS.get(self.sentiment, self.sentiment)

    @property
    def topic_names(self) -> tuple[str, ...]:
        return tuple(topic_name(t) for t in self.topics)

    @property
    def topics_label(self) -> str:
        """The topics on one line, named as the report names them (monitor.models.topic_list)."""
        return topic_list(self.topic_names)

    @property
    def scope_label(self) -> str:
        return SCOPE_LABELS.get(self.scope, self.scope)

    @property
    def reprints(self) -> int:
        return len(self.other_outlets)

    @property
    def outlets_label(self) -> str:
        """The outlet and the others that carried the story (reprinted or followed it up), as every format says it:
        "Tiền Phong (và 1 báo khác: VnExpress)"."""
        press = self.outlet if not self.reprints else \
            f"{self.outlet} (và {self.reprints} báo khác: {', '.join(self.other_outlets)})"
        if self.outside_source:  # entered from outside the press, alone or with the press articles merged into its case
            return "; ".join([press] * bool(press) + [f"Nguồn: {self.outside_source}"])
        return press

    @property
    def time_label(self) -> str:
        return f"ngày {self.published:%d/%m/%Y}" if self.day_only else time_label(self.published)

    @property
    def severity_label(self) -> str:
        return self.severity or UNRATED_SEVERITY

    @property
    def case_label(self) -> str:
        """The case line's status, as the reports name it (monitor.cases.STATUS_WORDS), with what was done when its
        case records it: "đang xử lý (đã báo cáo UBND quận)"."""
        return ((status_word(self.case_status) if self.case_status else NO_CASE_LABEL) + (f" ({self.handling})" if self.handling else "")
                + (f" — {self.status_since}" if self.status_since else ""))

    @property
    def relevance_label(self) -> str:
        return f"độ liên quan {self.relevance * 100:.0f}%"

    @property
    def unsure_details(self) -> str:
        """What an appendix article's line says after its outlet, in every format: when, how likely, its id."""
        late = " (nhận muộn)" if self.late else ""
        return f"{self.time_label}{late} · {self.relevance_label} · mã bài {self.article_id}"

    @property
    def unsure_line(self) -> str:
        return f"{self.outlet} · {self.unsure_details}"


@dataclass(frozen=True)
class DigestSection:
    key: str  # hot | local | positive | other | topic:<id>
    title: str
    items: tuple[DigestItem, ...] = ()
    omitted: int = 0  # items beyond the per-section limit
    empty_text: str = ""
    note: str = ""  # a line under the heading saying what the section holds


NO_BORDERLINE = DigestSection("borderline", BORDERLINE_TITLE, note=BORDERLINE_NOTE)


@dataclass(frozen=True)
class TrendDay:
    day: date
    positive: int = 0
    neutral: int = 0
    negative: int = 0

    @property
    def total(self) -> int:
        return self.positive + self.neutral + self.negative


@dataclass(frozen=True)
class DigestSummary:
    articles: int  # everything collected in the window
    education: int
    unclassified: int  # collected but not yet classified (not shown)
    stories: int  # education stories (reprints counted once)
    hot_stories: int
    local_stories: int
    tone: tuple[tuple[str, int], ...]  # (sentiment, education articles), SENTIMENT_ORDER
    top_outlets: tuple[tuple[str, int], ...]  # most active outlets on education
    previous_average: float | None  # education articles per day over the previous 7 days
    change_percent: float | None
    hot_by_severity: tuple[tuple[str, int], ...] = ()  # (severity level, hot stories), highest first
    local_articles: int = 0  # education articles of the district's stories
    hot_local: int = 0  # hot issues on the district (a follow-up counted with its issue)
    # hot stories the clipping names as a likely follow-up of another hot story of the same clipping
    # (note_follow_ups): listed apart in part II, counted once in the figures (hot_issues, hot_by_severity)
    follow_ups: int = 0
    follow_up_numbers: tuple[str, ...] = ()  # their numbers in part II: "1a"
    previous_days: int = TREND_DAYS  # the days previous_average is over: those of the 7 before that were monitored
    # the day the monitoring began (the first collection), when it left days of the 7 before out of the comparison
    monitored_from: date | None = None

    @property
    def hot_issues(self) -> int:
        """The hot issues, a likely follow-up counted with the issue it continues."""
        return self.hot_stories - self.follow_ups

    @property
    def follow_up_text(self) -> str:
        """'1 tin diễn biến tiếp' of the follow-ups counted with their issue, '' when none."""
        return f"{vn_number(self.follow_ups)} tin diễn biến tiếp" if self.follow_ups else ""

    @property
    def follow_up_line(self) -> str:
        """follow_up_text with where part II lists them: '1 tin diễn biến tiếp (mục 1a)'."""
        where = f" (mục {', '.join(self.follow_up_numbers)})" if self.follow_up_numbers else ""
        return self.follow_up_text + where if self.follow_ups else ""

    @property
    def tone_labels(self) -> tuple[tuple[str, int], ...]:
        return tuple((SENTIMENT_LABELS[s], n) for s, n in self.tone)

    @property
    def hot_breakdown(self) -> str:
        """'khẩn cấp 1, cao 6, theo dõi 3': the hot stories by level, the levels with none left out."""
        return ", ".join(f"{level} {vn_number(n)}"
                         for level, n in self.hot_by_severity if n)

    @property
    def hot_text(self) -> str:
        """'10 (khẩn cấp 1, cao 6, theo dõi 3)'; with a follow-up, '9 (khẩn cấp 1, cao 5, theo dõi 3), 1 tin diễn biến
        tiếp'."""
        breakdown = self.hot_breakdown
        follow = f", {self.follow_up_line}" if self.follow_ups else ""
        return vn_number(self.hot_issues) + (f" ({breakdown})" if breakdown else "") + follow

    @property
    def education_text(self) -> str:
        """'33 trên tổng số 42 tin, bài thu thập (30 sự việc …)', as every format says it: "33 / 42" read as a
        fraction, or a date, to a leader reading the DOCX beside the e-mail."""
        return (f"{vn_number(self.education)} trên tổng số {vn_number(self.articles)} tin, bài thu thập "
                f"({vn_number(self.stories)} sự việc sau khi gộp các tin, bài cùng sự việc)")

    @property
    def local_text(self) -> str:
        """'7 (8 tin, bài)': the district's stories, then their articles."""
        return f"{vn_number(self.local_stories)} ({vn_number(self.local_articles)} tin, bài)"

    @property
    def change_text(self) -> str:
        # days before the first collection hold only what the first poll found of the feeds' backlog: compared with
        # them, a first week's clipping read as a surge of coverage that was only the monitoring starting
        began = f"hệ thống bắt đầu theo dõi từ ngày {self.monitored_from:%d/%m/%Y}" if self.monitored_from else ""
        if self.previous_average is None:
            if began:
                return f"chưa đủ 7 ngày theo dõi để so sánh ({began})"
            return "chưa đủ dữ liệu 7 ngày trước để so sánh"
        days = f"{self.previous_days} ngày trước" if self.previous_days < TREND_DAYS else "7 ngày trước"
        per_day = f"{vn_decimal(self.previous_average)} tin, bài mỗi ngày" + (f"; {began}" if began else "")
        if self.change_percent is None:
            return f"{days} không có tin, bài giáo dục" + (f" ({began})" if began else "")
        if self.previous_average < 5:  # a percentage of a handful of articles says nothing
            return f"{vn_number(self.education)} tin, bài (trung bình {days}: {per_day})"
        if abs(self.change_percent) < 0.5:
            return f"tương đương trung bình {days} ({per_day})"
        word = "tăng" if self.change_percent > 0 else "giảm"
        return f"{word} {abs(self.change_percent):.0f}% so với trung bình {days} ({per_day})"


@dataclass(frozen=True)
class CollectionGap:
    """The system collected nothing across the cut-off that ends a clipping's window: no feed answered from
    `since` to `until` (monitor.digest_delivery.crawl_silence). What was published then is missing, or reached
    the store only after the cut-off and so belongs to a later clipping (`carried_by`, as a late arrival)."""

    cutoff: datetime
    since: datetime | None  # the last poll a feed answered before the cut-off; None: none recorded
    until: datetime | None  # the first one after it; None: none yet
    carried_by: date | None = None  # the clipping whose window holds `until`
    failed_polls: int = 0  # polls in between, all failed (0: the crawler was not running, or all were backing off)


@dataclass(frozen=True)
class Digest:
    office: Office
    day: date
    window_start: datetime
    window_end: datetime
    generated_at: datetime
    summary: DigestSummary
    hot: DigestSection
    local: DigestSection
    topics: tuple[DigestSection, ...]  # non-empty plan topics, in the plan's order
    other: DigestSection  # education news with no plan topic
    positive: DigestSection
    sources: tuple[SourceHealth, ...] = ()  # feeds that failed or went quiet
    trend: tuple[TrendDay, ...] = ()
    # judged not education, yet close to the bar: listed apart, never counted as education
    borderline: DigestSection = NO_BORDERLINE
    # every article the clipping was built from: a later clipping's late arrivals leave out those delivered
    article_ids: tuple[int, ...] = ()
    sources_total: int = 0  # feeds in use (not disabled): what the failed ones are counted against
    collection_gap: CollectionGap | None = None  # the system collected nothing across the cut-off
    # the store holds no poll and no article at all: a new install before its first crawl, not a failure
    never_crawled: bool = False

    @property
    def empty(self) -> bool:
        return self.summary.education == 0

    @property
    def nothing_collected(self) -> bool:
        """No article at all in 24 hours: the system did not collect, which is not a quiet day."""
        return self.summary.articles == 0

    @property
    def hand_entered_note(self) -> str:
        """A day without education news (or without any news: an outage, when a hotline call matters most) still lists
        the hot issues a person entered from outside the press (monitor.intake), the only hot items it can have."""
        if not (self.empty and self.hot.items):
            return ""
        return "Các vấn đề nóng dưới đây do cán bộ ghi nhận từ nguồn ngoài báo chí."

    @property
    def empty_text(self) -> str:
        """I. TÓM TẮT of a day without education news, in every format."""
        s = self.summary
        if self.nothing_collected and self.never_crawled:
            return (f"Hệ thống chưa thu thập tin nào: chưa chạy lần lấy tin đầu tiên ({NOT_CRAWLED_HINT}). "
                    "Điểm báo này chưa phản ánh báo chí trong ngày.")
        if self.nothing_collected:
            return ("Hệ thống không thu thập được tin nào trong khoảng thời gian này (máy chủ/nguồn tin có thể gặp sự cố); "
                    "đề nghị kiểm tra trước khi sử dụng điểm báo.")
        unclassified = f"; {vn_number(s.unclassified)} tin, bài chưa được phân loại" if s.unclassified else ""
        return f"Không có tin giáo dục trong 24 giờ qua (đã thu thập {vn_number(s.articles)} tin, bài{unclassified})."

    @property
    def sources_warning(self) -> str:
        """'Lưu ý: 3/10 nguồn tin bị lỗi, ...' at the top of the summary when feeds failed or went quiet; else ''."""
        failed = sum(1 for h in self.sources if h.health in FAILED)
        quiet = sum(1 for h in self.sources if h.health not in FAILED)
        if not failed and not quiet:
            return ""
        total = max(self.sources_total, failed + quiet)
        parts = ([f"{failed}/{total} nguồn tin bị lỗi"] if failed else []) + (
            [f"{quiet}/{total} nguồn tin im lặng bất thường"] if quiet else [])
        return (f"Lưu ý: {', '.join(parts)}, điểm báo có thể thiếu tin (chi tiết ở phụ lục "
                f"{self.outline()[-1][0]}).")

    @property
    def collection_warning(self) -> str:
        """'Lưu ý: hệ thống không thu thập được tin từ ... đến ...' at the top of the summary when no feed answered
        across the window's end (its news is missing or in a later clipping); else ''."""
        gap = self.collection_gap
        if gap is None:
            return ""
        tz = self.office.tz
        at = lambda t: time_label(t.astimezone(tz))  # noqa: E731
        cutoff = f"giờ chốt {at(gap.cutoff)}"
        later = f"điểm báo ngày {gap.carried_by:%d/%m/%Y}" if gap.carried_by else "điểm báo của ngày sau"
        if gap.since is not None and gap.until is not None:
            return (f"Lưu ý: hệ thống không thu thập được tin từ {at(gap.since)} đến {at(gap.until)} (qua {cutoff}); "
                    f"tin đăng trong thời gian này có thể thiếu trong điểm báo này hoặc nằm ở {later}.")
        if gap.until is not None:
            return (f"Lưu ý: hệ thống chỉ thu thập được tin từ {at(gap.until)} (sau {cutoff}); "
                    f"tin đăng trong khoảng thời gian của điểm báo này có thể thiếu hoặc nằm ở {later}.")
        later = "sẽ nằm ở điểm báo đầu tiên sau khi hệ thống thu thập lại được"
        if gap.since is not None:
            return (f"Lưu ý: hệ thống không thu thập được tin từ {at(gap.since)} đến lúc lập điểm báo này "
                    f"({self.generated_label}); tin đăng sau {at(gap.since)} chưa có trong điểm báo này, {later}.")
        return (f"Lưu ý: hệ thống chưa thu thập được tin nào đến lúc lập điểm báo này ({self.generated_label}); "
                f"tin đăng trong khoảng thời gian của điểm báo này {later}.")

    def source_rows(self) -> list[tuple[str, str, str, str]]:
        """(outlet, state, last fetched, problem) of each feed in the appendix."""
        return [source_line(h, self.office.tz) for h in self.sources]

    @property
    def generated_label(self) -> str:
        return time_label(self.generated_at)

    @property
    def footer(self) -> str:
        return (f"Điểm báo do hệ thống theo dõi báo chí của {self.office.short_name} tổng hợp tự động lúc "
                f"{self.generated_label}.")

    @property
    def date_label(self) -> str:
        return vietnamese_date(self.day)

    @property
    def window_label(self) -> str:
        s, e = self.window_start, self.window_end
        return f"từ {time_label(s)} đến {time_label(e)}"

    # The chart counts each clipping's window, so its last column is this clipping's count; the monthly report's
    # chart counts calendar days (monitor.report.DAILY_CHART_NOTE). Both say which, so a reader holding the two does
    # not take a column of one for the same date's column of the other.
    @property
    def trend_title(self) -> str:
        cut = f"{self.window_end:%H:%M}"
        return f"Tin giáo dục theo kỳ điểm báo ({cut} hôm trước – {cut}), theo sắc thái"

    @property
    def trend_note(self) -> str:
        cut = f"{self.window_end:%H:%M}"
        began = self.summary.monitored_from
        return (f"Mỗi cột là một kỳ điểm báo: tin, bài đăng từ {cut} hôm trước đến {cut} ngày ghi dưới cột; "
                "cột cuối là điểm báo này."
                + (f" Hệ thống bắt đầu theo dõi từ ngày {began:%d/%m/%Y}: các kỳ trước đó không có cột." if began else ""))

    @property
    def item_count(self) -> int:
        return sum(len(s.items) for s in self.all_sections)

    @property
    def all_sections(self) -> tuple[DigestSection, ...]:
        return (self.hot, self.local, *self.topics, self.other, self.positive)

    def outline(self) -> list[tuple[str, str]]:
        """(roman numeral, heading) of the numbered parts, in print order; every renderer uses it."""
        heads = ["TÓM TẮT", self.hot.title.upper(), self.local.title.upper(),
                 "TIN THEO CHỦ ĐỀ CỦA KẾ HOẠCH TRUYỀN THÔNG", self.positive.title.upper()]
        if self.borderline.items:
            heads.append(BORDERLINE_HEADING)
        if self.sources:
            heads.append(SOURCES_HEADING)
        return [(roman(i + 1), h) for i, h in enumerate(heads)]

    @property
    def borderline_part(self) -> int:
        """Index in `outline()` of the appendix of unsure articles (only when it has items)."""
        return [h for _, h in self.outline()].index(BORDERLINE_HEADING)

    @property
    def topic_sections(self) -> tuple[DigestSection, ...]:
        """Plan topics, then other education news, as printed under the topics heading."""
        return (*self.topics, self.other) if self.other.items else self.topics


def roman(n: int) -> str:
    out = ""
    for value, letters in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += letters
            n -= value
    return out


def local_district_title(office: Office) -> str:
    """'Tin trên địa bàn quận Long Biên', 'Tin trên địa bàn tỉnh Nghệ An': the area's own kind word."""
    return f"Tin trên địa bàn {office.area}"


@dataclass
class _Group:
    """Articles of one story inside the window, while the digest is being assembled."""

    key: tuple
    story: Story | None
    articles: list[tuple[Article, Classification]] = field(default_factory=list)


def build_digest(
    *,
    office: Office,
    day: date,
    window: tuple[datetime, datetime],
    articles: Sequence[Article],
    classifications: Mapping[int, Classification],
    stories: Mapping[int, Story] | None = None,
    late_ids: Iterable[int] = (),
    trend: Sequence[TrendDay] = (),
    source_health: Sequence[SourceHealth] = (),
    severity_order: Sequence[str] = ("khẩn cấp", "cao", "theo dõi"),
    max_items: int = 15,
    borderline_min_relevance: float = DigestSettings.borderline_min_relevance,
    borderline_max_items: int = DigestSettings.borderline_max_items,
    generated_at: datetime,
    collection_gap: CollectionGap | None = None,
    never_crawled: bool = False,
    monitored_from: datetime | None = None,
) -> Digest:
    """Assemble the clipping for `day` from what the store holds for its window.

    `stories` maps an article id to its story; `late_ids` are articles published before the window
    but collected after the previous clipping was made; `trend` holds the days before `day` (oldest
    first; today's bar is computed here from the same articles the clipping shows); of those, a day whose window
    ended before `monitored_from` (the first collection, Store.first_collection_time) is left out of the comparison
    and the chart: it holds only what the first poll found of the feeds' backlog.
    """
    tz = office.tz
    stories = stories or {}
    late = set(late_ids)
    start, end = window[0].astimezone(tz), window[1].astimezone(tz)

    edu = [(a, classifications[a.id]) for a in articles if a.id in classifications and classifications[a.id].is_education]
    unclassified = sum(1 for a in articles if a.id not in classifications)
    judged = [(a, classifications[a.id]) for a in articles if a.id in classifications] if borderline_max_items > 0 else []
    unsure = [(a, c) for a, c in judged if not c.is_education and c.relevance >= borderline_min_relevance]
    # an unsure article telling an event the sections show is one more outlet carrying it, not a line of its own
    told = told_elsewhere(unsure, edu, articles)
    carried_by: dict[int, set[str]] = {}
    for a, _ in unsure:
        if a.id in told and a.outlet:
            carried_by.setdefault(told[a.id], set()).add(a.outlet)
    unsure = [(a, c) for a, c in unsure if a.id not in told]

    severity_rank = {s: i for i, s in enumerate(severity_order)}
    texts = {a.id: a for a, _ in edu + unsure}
    items = [_also_carried_by(_item(g, tz, late, office.own_scopes), {o for a, _ in g.articles for o in carried_by.get(a.id, ())})
             for g in _grouped(edu, stories)]
    # the most likely first: the clerk reads down the list until the titles stop mattering
    unsure_items = sorted((replace(_item(g, tz, late, office.own_scopes), hot=False, severity=None, reasons=(), unsure=True)
                           for g in _grouped(unsure, stories)),
                          key=lambda i: (-i.relevance, -i.published.timestamp(), i.article_id))

    hot, local, positive, other = [], [], [], []
    by_topic: dict[str, list[DigestItem]] = {t: [] for t in TOPIC_IDS}
    for item in items:
        if item.hot:
            hot.append(item)
        elif office.is_own_area(item.scope):
            local.append(item)
        elif item.sentiment == "positive":
            positive.append(item)
        elif item.topics and item.topics[0] in by_topic:
            by_topic[item.topics[0]].append(item)
        else:
            other.append(item)

    hot.sort(key=lambda i: (severity_rank.get(i.severity, len(severity_rank)), -i.hot_score, -i.reprints,
                            -i.published.timestamp()))

    def ordered(seq: list[DigestItem]) -> list[DigestItem]:
        # widely reprinted stories first: coverage by many outlets is what leadership hears about
        return sorted(seq, key=lambda i: (-i.reprints, -i.published.timestamp(), i.article_id))

    def section(key: str, title: str, seq: list[DigestItem], empty: str = "", limit: int | None = max_items) -> DigestSection:
        seq = ordered(seq) if key != "hot" else seq
        shown = seq if limit is None else seq[:limit]
        # summaries are the costly part of an item: made only for the items printed
        shown = [replace(i, summary=_summary(texts[i.article_id], day, tz)) for i in shown]
        return DigestSection(key, title, tuple(shown), len(seq) - len(shown), empty)

    district_title = local_district_title(office)
    topic_sections = tuple(
        section(f"topic:{tid}", plan_heading(tid), by_topic[tid]) for tid, _ in PLAN_TOPICS if by_topic[tid]
    )

    tone = Counter(cls.sentiment for _, cls in edu)
    outlets = Counter(a.outlet for a, _ in edu if a.outlet)
    today = TrendDay(day, tone.get("positive", 0), tone.get("neutral", 0), tone.get("negative", 0))
    previous = [t for t in trend if t.day < day][-TREND_DAYS:]
    if monitored_from is not None:
        monitored = [t for t in previous if datetime.combine(t.day, end.time(), tzinfo=tz) > monitored_from]
        began = monitored_from.astimezone(tz).date() if len(monitored) < len(previous) else None
        previous = monitored
    else:
        began = None
    prev_avg = sum(t.total for t in previous) / len(previous) if previous else None
    change = None if not prev_avg else (len(edu) - prev_avg) / prev_avg * 100
    levels = list(severity_order) + sorted({i.severity or UNRATED_SEVERITY for i in hot} - set(severity_order))
    summary = DigestSummary(
        articles=len(articles), education=len(edu), unclassified=unclassified, stories=len(items),
        hot_stories=len(hot), local_stories=sum(1 for i in items if office.is_own_area(i.scope)),
        hot_by_severity=tuple((lv, sum(1 for i in hot if (i.severity or UNRATED_SEVERITY) == lv)) for lv in levels),
        local_articles=sum(i.articles for i in items if office.is_own_area(i.scope)),
        hot_local=sum(1 for i in hot if office.is_own_area(i.scope)),
        tone=tuple((s, tone.get(s, 0)) for s in SENTIMENT_ORDER),
        top_outlets=tuple(sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0]))[:5]),
        previous_average=prev_avg, change_percent=change, previous_days=len(previous) if began else TREND_DAYS,
        monitored_from=began,
    )
    chart_days = (*previous[-(TREND_DAYS - 1):], today)
    return Digest(
        office=office, day=day, window_start=start, window_end=end, generated_at=generated_at.astimezone(tz),
        summary=summary,
        hot=section("hot", "Vấn đề nóng", hot, "Không có vấn đề nóng trong 24 giờ qua.", limit=None),
        local=_local_section(section("local", district_title, local,
                                     NO_LOCAL_NEWS.format(area=office.area)),
                             sum(1 for i in hot if office.is_own_area(i.scope)), office),
        topics=topic_sections,
        other=section("other", OTHER_TITLE, other),
        positive=_positive_section(section("positive", "Tin tích cực cần lan tỏa", positive,
                                           "Không có tin tích cực nổi bật trong 24 giờ qua."),
                                   sum(1 for i in local if i.sentiment == "positive"), district_title),
        sources=tuple(sorted((h for h in source_health if h.health in UNHEALTHY),
                             key=lambda h: (UNHEALTHY.index(h.health), h.name))),
        trend=chart_days,
        borderline=replace(
            NO_BORDERLINE,
            items=tuple(replace(i, summary=_summary(texts[i.article_id], day, tz)) for i in unsure_items[:borderline_max_items]),
            omitted=max(0, len(unsure_items) - borderline_max_items)),
        article_ids=tuple(a.id for a in articles),
        sources_total=sum(1 for h in source_health if h.health != "disabled"),
        collection_gap=collection_gap,
        never_crawled=never_crawled,
    )


def note_follow_ups(digest: Digest, earlier: Mapping[int, Sequence[tuple[int, int, str]]]) -> Digest:
    """Say under a hot item that it may continue an earlier hot issue: `earlier` maps a story id to the earlier open
    cases its articles come close to, closest first, as (case id, that case's story id, title) - the same hint the
    alerts give (monitor.triage.RelatedCases). An issue of this clipping is named by its number in part II."""
    if not earlier:
        return digest
    hot = digest.hot.items
    place = {i.story_id: k for k, i in enumerate(hot, 1) if i.story_id is not None}
    found_at: dict[int, tuple[int, int, str]] = {}
    continues: dict[int, int] = {}  # a follow-up's place in part II -> the place of the issue it continues
    for k, item in enumerate(hot, 1):
        found = earlier.get(item.story_id) if item.story_id is not None else None
        if found:
            found_at[k] = found[0]
            n = place.get(found[0][1])
            if n and n != k:
                continues[k] = n

    # the figures count one issue once: a follow-up of an issue of this clipping goes with that issue (its level
    # and its area), and is said apart ("1 tin diễn biến tiếp")
    def root(k: int) -> int:
        seen = {k}
        while k in continues and continues[k] not in seen:
            k = continues[k]
            seen.add(k)
        return k

    # part II numbers the issues the summary counts (1, 2, …) and a follow-up under its issue (1a, 1b): "10 vấn đề
    # nóng, 1 tin diễn biến tiếp" beside eleven numbered items read as a miscount
    order = [k for k in range(1, len(hot) + 1) if root(k) == k]
    label = {k: str(n) for n, k in enumerate(order, 1)}
    placed = []
    for k in order:
        placed.append(k)
        subs = [f for f in range(1, len(hot) + 1) if f != k and root(f) == k]
        for j, f in enumerate(subs):
            label[f] = f"{label[k]}{chr(ord('a') + j) if j < 26 else j + 1}"
        placed += subs
    items = []
    for k in placed:
        item = replace(hot[k - 1], number=label[k] if continues else "")
        if k in found_at:
            case_id, story_id, title = found_at[k]
            n = place.get(story_id)
            item = replace(item, follows=(f"Có thể là diễn biến tiếp của vấn đề số {label[n]} (hồ sơ số {case_id})" if n
                                          else f"Có thể là diễn biến tiếp của vụ việc đã có hồ sơ số {case_id}: {title}"))
        items.append(item)
    digest = replace(digest, hot=replace(digest.hot, items=tuple(items)))
    if not continues:
        return digest
    office = digest.office
    s = digest.summary
    levels = [lv for lv, _ in s.hot_by_severity]
    issues = [i for k, i in enumerate(hot, 1) if k not in continues]
    local_roots = {root(k) for k, i in enumerate(hot, 1) if office.is_own_area(i.scope)}
    summary = replace(
        s, follow_ups=len(continues),
        follow_up_numbers=tuple(label[k] for k in placed if k in continues),
        hot_by_severity=tuple((lv, sum(1 for i in issues if (i.severity or UNRATED_SEVERITY) == lv)) for lv in levels),
        hot_local=len(local_roots))
    return replace(digest, summary=summary)


def add_outside_press(digest: Digest, entries: Sequence[tuple[IntakeItem, Story]],
                      severity_order: Sequence[str] = ("khẩn cấp", "cao", "theo dõi")) -> Digest:
    """Put the hot issues entered from outside the crawled press (monitor.intake) in the hot section: `entries` are
    (item, its story) of the items entered in the clipping's window. They count where hot issues are counted (the
    summary, the subject), never among the articles, outlets or tone, which are the press's. One on the office's area
    (its story's place, Story.scope: the item's own text or the person's --scope, read as an article's place) is an
    issue on the area as well ("Sự việc trên địa bàn", the district section's note), as its alert and the monthly
    report say; its articles there stay the press's (none). An item whose story the section already shows (press
    articles merged into its case) or a person dismissed is not listed again."""
    shown = {i.story_id for i in digest.hot.items if i.story_id is not None}
    tz = digest.office.tz
    added = []
    for item, story in entries:
        if story.id in shown or story.case_status == DISMISSED:
            continue
        shown.add(story.id)
        added.append(DigestItem(
            article_id=0, title=item.title, url=item.url or "", outlet="", published=item.happened_at.astimezone(tz),
            summary=item.summary, sentiment="", topics=(item.topic,) if item.topic else (),
            scope=story.scope or item.scope,
            story_id=story.id, hot=True, severity=story.severity, case_status=story.case_status,
            hot_score=story.hot_score, outside_source=item.source_label, day_only=item.day_only))
    if not added:
        return digest
    rank = {s: i for i, s in enumerate(severity_order)}
    # Such an item has no press heat (hot_score 0), only the level a person judged: sorting it by 0 put it below every
    # press item of its level, as if the least pressing, which is not what the person said. It stands where a typical
    # item of its level does (the median of the press items' scores there, after a press item of the same score), so
    # the level still reads from most to least pressing; ordering the level by time instead would undo the press
    # items' ranking, which is what leadership reads the section by.
    by_level: dict[str | None, list[float]] = {}
    for i in digest.hot.items:
        if not i.outside_source:
            by_level.setdefault(i.severity, []).append(i.hot_score)
    level_median = {lv: median(scores) for lv, scores in by_level.items()}

    def score(i: DigestItem) -> float:
        return level_median.get(i.severity, 0.0) if i.outside_source else i.hot_score

    items = sorted((*digest.hot.items, *added), key=lambda i: (rank.get(i.severity, len(rank)), -score(i),
                                                              bool(i.outside_source), -i.reprints,
                                                              -i.published.timestamp()))
    s = digest.summary
    levels = [lv for lv, _ in s.hot_by_severity]
    levels += sorted({i.severity or UNRATED_SEVERITY for i in added} - set(levels))
    extra = Counter(i.severity or UNRATED_SEVERITY for i in added)
    office = digest.office
    on_area = sum(1 for i in added if office.is_own_area(i.scope))
    summary = replace(s, hot_stories=s.hot_stories + len(added),
                      hot_by_severity=tuple((lv, dict(s.hot_by_severity).get(lv, 0) + extra.get(lv, 0)) for lv in levels),
                      local_stories=s.local_stories + on_area, hot_local=s.hot_local + on_area)
    local = digest.local
    if on_area:
        local = _local_section(replace(local, note="", empty_text=NO_LOCAL_NEWS.format(area=office.area)),
                               summary.hot_local, office)
    return replace(digest, summary=summary, hot=replace(digest.hot, items=tuple(items)), local=local)


def note_outcomes(digest: Digest, outcomes: Mapping[int, str]) -> Digest:
    """Say under a hot item what was last done about it: `outcomes` maps a story id to its case's line
    (monitor.cases.outcome_line: the latest of the notes and the handling records). Leadership reads the handling,
    not only its status."""
    if not outcomes:
        return digest
    items = tuple(replace(i, outcome=outcomes[i.story_id]) if outcomes.get(i.story_id) else i for i in digest.hot.items)
    return replace(digest, hot=replace(digest.hot, items=items))


def note_status_since(digest: Digest, now_status: Mapping[int, str], now: datetime) -> Digest:
    """Beside each hot item of an earlier day's clipping whose case's status (`now_status`: story id -> its status
    now) differs from the one it shows (as it stood then), the status now: the archive says what it said then, and
    does not leave the reader believing an issue handled since is still waiting."""
    def since(i: DigestItem) -> DigestItem:
        text = status_since(i.case_status, now_status.get(i.story_id) if i.story_id is not None else None, now,
                            STATUS_WORDS)
        return replace(i, status_since=text) if text else i

    if not any(i.story_id in now_status for i in digest.hot.items):
        return digest
    return replace(digest, hot=replace(digest.hot, items=tuple(since(i) for i in digest.hot.items)))


class AlertTold(NamedTuple):
    """An alert of a story that reached leadership (note_alerted)."""

    level: str
    score: float
    at: datetime  # when it first reached a channel
    points: Mapping[str, float]  # its score's signals (monitor.triage.Signal): name -> points


# why a story scored again reads lower than its alert, by the signal that fell (monitor.triage.score_story): the velocity
# of the last hours fades by itself overnight, the others fall with the articles that joined it or a reclassification
FALLEN_SIGNAL_WORDS = {
    "velocity": "tin không còn lan nhanh",
    "incident": "các bài được đánh giá lại ít nghiêm trọng hơn",
    "negativity": "ít báo đưa tin tiêu cực hơn",
    "locality": "không còn xác định là tin trên địa bàn",
    "reach": "độ phủ của các báo thấp hơn",
    "controversy": "báo chí bớt đưa tin trái chiều",
}


def alerted_line(told: Sequence[AlertTold], level: str | None, score: float, points: Mapping[str, float],
                 severity_order: Sequence[str], tz: ZoneInfo) -> str:
    """What the clipping says under a hot item that leadership was alerted of (`told`, oldest first) when it reads
    lower now (`level`, `score`, `points`: as triage last scored it): the highest level told, its score and when,
    beside today's reading and the signals that fell. "" when nothing reached leadership or it reads no lower.

    A story is scored again when an article joins it: a reprint at dawn scores it with the morning's quiet hours, so
    the "khẩn cấp, 91" of the 20:00 alert reads "cao, 81" in the clipping. Both are true; leadership is told why."""
    if not told:
        return ""
    rank = {lv: n for n, lv in enumerate(severity_order)}
    top = min(told, key=lambda t: (rank.get(t.level, len(rank)), -t.score))
    lower = rank.get(level, len(rank)) > rank.get(top.level, len(rank)) or (
        level == top.level and int(score_text(score)) < int(score_text(top.score)))
    if not lower:
        return ""
    now = f"mức {level}" if level else "dưới các mức cảnh báo"
    fallen = sorted((top.points.get(k, 0.0) - points[k], k) for k in FALLEN_SIGNAL_WORDS
                    if k in points and top.points.get(k, 0.0) - points[k] >= 0.5)
    why = ", ".join(FALLEN_SIGNAL_WORDS[k] for _, k in reversed(fallen[-2:]))
    return (f"Đã cảnh báo lúc {time_label(top.at.astimezone(tz))}: mức {top.level} ({score_text(top.score)}/100); "
            f"nay: {now} ({score_text(score)}/100)" + (f", {why}" if why else ""))


def note_alerted(digest: Digest, lines: Mapping[int, str]) -> Digest:
    """Say under a hot item what leadership's alerts told of it: `lines` maps a story id to its alerted_line."""
    if not any(lines.values()):
        return digest
    items = tuple(replace(i, alerted=lines[i.story_id]) if lines.get(i.story_id) else i for i in digest.hot.items)
    return replace(digest, hot=replace(digest.hot, items=items))


def note_handling(digest: Digest, handled: Mapping[int, str]) -> Digest:
    """Say on a hot item's case line what its case records the office did: `handled` maps a story id to
    monitor.cases.handling_brief of its case."""
    if not handled:
        return digest
    items = tuple(replace(i, handling=handled.get(i.story_id, "")) if i.story_id is not None else i
                  for i in digest.hot.items)
    return replace(digest, hot=replace(digest.hot, items=items))


def _local_section(local: DigestSection, in_hot: int, office: Office) -> DigestSection:
    """The district's section says where its hot stories went: the summary counts them as local news."""
    if not in_hot:
        return local
    where = f"{in_hot} sự việc trên địa bàn là vấn đề nóng, đã nêu ở mục Vấn đề nóng."
    return replace(local, note=where,
                   empty_text=f"Ngoài các vấn đề nóng, không có tin giáo dục khác về địa bàn {office.area} trong 24 giờ qua.")


def _positive_section(positive: DigestSection, in_local: int, district_title: str) -> DigestSection:
    """The positive section says where the district's positive stories went: the summary counts them with the
    day's positive news, and "none" under this heading would contradict it."""
    if not in_local:
        return positive
    where = f"{in_local} sự việc tích cực trên địa bàn đã nêu ở mục {district_title}."
    return replace(positive, note=where,
                   empty_text="Ngoài tin trên địa bàn, không có tin tích cực nổi bật khác trong 24 giờ qua.")


def told_elsewhere(queries: Sequence[tuple[Article, Classification]], shown: Sequence[tuple[Article, Classification]],
                   background: Sequence[Article]) -> dict[int, int]:
    """Query article id -> the id of the shown article telling the same event, by story grouping's own
    measure with the window's articles as its background; queries that tell no shown event are left out."""
    if not queries or not shown:
        return {}
    idf = Idf(article_text(a) for a in background)
    found = matches_among([article_doc(a) for a, _ in shown], [article_doc(a) for a, _ in queries], idf, ONE_CLIPPING)
    return {q: m.story_id for q, m in found.items()}


def _also_carried_by(item: DigestItem, outlets: set[str]) -> DigestItem:
    extra = tuple(sorted(outlets - {item.outlet} - set(item.other_outlets)))
    return replace(item, other_outlets=item.other_outlets + extra) if extra else item


def _grouped(pairs: Sequence[tuple[Article, Classification]], stories: Mapping[int, Story]) -> list[_Group]:
    """One group per story (reprints together), an article without a story alone."""
    groups: dict[tuple, _Group] = {}
    for article, cls in pairs:
        story = stories.get(article.id)
        key = ("story", story.id) if story is not None else ("article", article.id)
        groups.setdefault(key, _Group(key, story)).articles.append((article, cls))
    return list(groups.values())


MAX_RELATED = 3
# triage's reason naming the story's outlets ("3 báo đưa tin: Thanh Niên, Tuổi Trẻ, VnExpress"): the item's outlet line
# names them right below, each once however its feeds spelt it, and the reason took one of the four places
_OUTLETS_REASON = re.compile(r"^\d+ báo đưa tin: ")


def _related(lead: Article, members: Sequence[tuple[Article, Classification]],
             responses: Iterable[int] = ()) -> tuple[RelatedArticle, ...]:
    """The members whose headline differs from the lead's and from each other's (monitor.stories.same_headline): what
    the story adds; those of `responses` (Story.responses) marked."""
    responses = set(responses)
    shown = [headline_words(lead.title)]
    out = []
    for a, _ in members:
        words = headline_words(a.title)
        if a.id == lead.id or not words:
            continue
        if not any(same_headline(words, s) for s in shown):
            shown.append(words)
            out.append(RelatedArticle(a.outlet, a.title, a.url, a.id in responses))
    # the office's answer, usually the latest, keeps a place: the reasons say it was left out of the level, and the
    # reader looks for it among these; the earliest others fill the rest
    answer = next((r for r in reversed(out) if r.response), None)
    if answer is None or answer in out[:MAX_RELATED]:
        return tuple(out[:MAX_RELATED])
    kept = [r for r in out if r is not answer][:MAX_RELATED - 1] + [answer]
    return tuple(r for r in out if any(r is k for k in kept))


def _item(group: _Group, tz: ZoneInfo, late: set[int], own_scopes: tuple[str, ...] = ("local",)) -> DigestItem:
    story = group.story
    members = sorted(group.articles, key=lambda ac: (ac[0].when, ac[0].id))
    # headed by the article the story is told by (its lead, as its alert told it) when the window holds it
    first = next((ac for ac in members if story is not None and ac[0].id == story.headline_article_id), members[0])
    article, cls = first
    # a mention of the office's area in any reprint makes the story the office's business (Office.own_scopes: a
    # Phòng's district, a Sở's whole city), as triage's locality reads the nearest scope of the story's articles;
    # and so does triage's own placing of the story (a watchlist name in its text, an article outside the window):
    # the hot item's reason "Tin trên địa bàn" and the summary's count of the district's news then agree
    own = [c.scope for _, c in members if c.scope in own_scopes]
    if story is not None and story.scope in own_scopes:
        own.append(story.scope)
    scope = min(own, key=SCOPES.index) if own else cls.scope
    topics = strongest_first(cls.topics, cls.topic_scores)
    if story is not None:
        outlets = tuple(o for o in story.outlets if o != article.outlet)
        # the story may be older than the window: count the outlets in the window too
        extra = tuple(sorted({a.outlet for a, _ in members if a.outlet and a.outlet != article.outlet} - set(outlets)))
        other_outlets = outlets + extra
        hot = lists_as_hot(story.severity, story.case_status)
        return DigestItem(
            article_id=article.id, title=article.title, url=article.url, outlet=article.outlet,
            published=article.when.astimezone(tz), summary="",
            sentiment=cls.sentiment, topics=topics, scope=scope, story_id=story.id, other_outlets=other_outlets,
            hot=hot, severity=story.severity, case_status=story.case_status, hot_score=story.hot_score,
            reasons=display_reasons([r for r in story.reasons or cls.reasons if not _OUTLETS_REASON.match(str(r))],
                                    topic=topic_name(topics[0]) if topics else "",
                                    tone=SENTIMENT_LABELS.get(cls.sentiment, ""),
                                    **(_story_signs(story, members) if story.reasons else _signs(cls))),
            late=article.id in late, relevance=max(c.relevance for _, c in members), related=_related(article, members, story.responses),
            articles=len(members), outside_source="; ".join(dict.fromkeys(i.source_label for i in story.intake)),
        )
    return DigestItem(
        article_id=article.id, title=article.title, url=article.url, outlet=article.outlet,
        published=article.when.astimezone(tz), summary="",
        sentiment=cls.sentiment, topics=topics, scope=scope, hot=cls.hot, severity=None,
        hot_score=round(cls.hot_score * 100, 1), late=article.id in late, relevance=cls.relevance,
        reasons=display_reasons(cls.reasons, topic=topic_name(topics[0]) if topics else "",
                                tone=SENTIMENT_LABELS.get(cls.sentiment, ""), **_signs(cls)),
    )


def _signs(cls: Classification) -> dict:
    """display_reasons' hot categories of one article, or the hot score of a judgement the model made alone."""
    by_model = cls.hot_categories == ()
    return {"hot_categories": cls.hot_categories or (), "model_only": shown_hot_score(cls.hot_score) if by_model else None}


def _story_signs(story: Story, members: Sequence[tuple[Article, Classification]]) -> dict:
    """display_reasons' hot categories of a story, or, when none is behind its articles' hot judgements, the highest
    of those made by the model alone (triage says so in the reasons of a story scored since it does)."""
    by_model = [shown_hot_score(c.hot_score) for _, c in members if c.hot_categories == ()]
    return {"hot_categories": story.hot_categories,
            "model_only": max(by_model) if by_model and not story.hot_categories else None}


def _summary(article: Article, day: date, tz: ZoneInfo) -> str:
    """The item's summary; "trưa nay" of an article of another day than the clipping's says that day."""
    return dated_summary(article.title, article.sapo, article.body, article.when.astimezone(tz), day)


def trend_from_rows(rows: Iterable[tuple], days: Sequence[date], cutoff: str, tz: ZoneInfo) -> tuple[TrendDay, ...]:
    """Count education articles by tone in each day's digest window (rows: when, is_education, sentiment, and
    anything after)."""
    windows = [(d, *digest_window(d, cutoff, tz)) for d in days]
    counts = {d: Counter() for d in days}
    for when, is_edu, sentiment, *_ in rows:
        if not is_edu:
            continue
        for d, s, e in windows:
            if s <= when < e:
                counts[d][sentiment] += 1
                break
    return tuple(TrendDay(d, counts[d]["positive"], counts[d]["neutral"], counts[d]["negative"]) for d in days)


def build_and_deliver_digest(app, day: date | None = None, **options):
    """Build and deliver a day's clipping; see `monitor.digest_delivery.build_and_deliver_digest`.

    Re-exported here so callers (the scheduler, the demo) need only this module; the import is
    deferred to keep this module free of the store, mail and rendering edges.
    """
    from monitor.digest_delivery import build_and_deliver_digest as deliver

    return deliver(app, day, **options)
