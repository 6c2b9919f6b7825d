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
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from classifiers.plan_topics import PLAN_TOPICS, TOPIC_IDS, topic_name
from classifiers.text import ascii_fold as fold
from classifiers.types import BY_THE_MODEL, Classification
from monitor.cases import DISMISSED
from monitor.config import Digest as DigestSettings
from monitor.config import Office, clock_time
from monitor.models import Article, SourceHealth, Story
from monitor.stories import Idf, article_doc, article_text, matches_among

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
SENTIMENT_LABELS = {"negative": "Tiêu cực", "neutral": "Trung tính", "positive": "Tích cực"}
SENTIMENT_ORDER = ("positive", "neutral", "negative")
SCOPE_LABELS = {"local": "Địa bàn", "city": "Thành phố", "national": "Trong nước", "foreign": "Quốc tế"}
NO_CASE_LABEL = "chưa có hồ sơ xử lý"
UNRATED_SEVERITY = "nóng"
TREND_DAYS = 7
# Health states the appendix lists: a feed that errs or has gone silent may hide news from the clipping.
UNHEALTHY = ("failing", "quiet", "backoff")
BORDERLINE_TITLE = "Tin có thể liên quan đến giáo dục"
# every article of one clipping may tell the same event as any other: its window is a day, plus late arrivals
ONE_CLIPPING = timedelta.max
BORDERLINE_HEADING = "PHỤ LỤC: TIN CÓ THỂ LIÊN QUAN ĐẾN GIÁO DỤC, CẦN XEM LẠI"
SOURCES_HEADING = "PHỤ LỤC: NGUỒN TIN LỖI HOẶC IM LẶNG"
BORDERLINE_NOTE = ("Hệ thống chưa đủ chắc các tin dưới đây là tin giáo dục nên không đưa vào các mục trên (xếp theo độ liên quan, "
                   "cao trước). Tin nào đúng là tin giáo dục, cán bộ theo dõi ghi nhận theo mã bài để hệ thống học lại.")
HEALTH_LABELS = {"failing": "lỗi", "quiet": "im lặng bất thường", "backoff": "tạm ngừng do lỗi liên tiếp",
                 "ok": "bình thường", "new": "mới", "disabled": "đã tắt"}


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


# --------------------------------------------------------------------------- extractive summary

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“‘(]?[A-ZÀ-Ỹ0-9Đ])")
_WORD = re.compile(r"\w+", re.UNICODE)
# Datelines, bylines and photo credits open many bodies; they say nothing about the event.
_BOILERPLATE = re.compile(r"^(\(?[A-ZĐ][\w\s]{0,30}\)?\s*[-–—]\s*$|ảnh\s*:|nguồn\s*:|video\s*:|theo\s+\w+\s*$)", re.I)


def split_sentences(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()
    if not text:
        return []
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def extract_summary(title: str, sapo: str, body: str, *, max_sentences: int = 2, max_chars: int = 320) -> str:
    """One or two sentences from the sapo (or the body's opening) that best cover the title's words.

    Sentences are scored by how many of the title's words they contain, with a preference for
    earlier ones (news puts the essentials first); the chosen sentences keep their original order.
    """
    candidates = split_sentences(sapo)
    if len(candidates) < max_sentences:
        candidates += split_sentences(body)[:8]
    candidates = [s for s in candidates if len(s) >= 25 and not _BOILERPLATE.search(s)]
    seen: set[str] = set()
    unique = []
    for s in candidates:
        key = fold(s)
        if key not in seen and key != fold(title):
            seen.add(key)
            unique.append(s)
    if not unique:
        return ""
    title_words = {w for w in _WORD.findall(fold(title)) if len(w) > 1}

    def score(item: tuple[int, str]) -> float:
        pos, sentence = item
        words = set(_WORD.findall(fold(sentence)))
        overlap = len(words & title_words) / (len(title_words) or 1)
        return overlap + 1.0 / (1 + pos)

    ranked = sorted(enumerate(unique), key=score, reverse=True)
    chosen: list[tuple[int, str]] = []
    total = 0
    for pos, sentence in ranked:
        if len(chosen) == max_sentences:
            break
        if chosen and total + len(sentence) > max_chars:
            continue
        chosen.append((pos, sentence))
        total += len(sentence) + 1
    text = " ".join(s for _, s in sorted(chosen))
    if len(text) > max_chars:
        cut = text[:max_chars].rsplit(" ", 1)[0].rstrip(",;:")
        text = cut + "…"
    return text


# --------------------------------------------------------------------------- reasons for people

_EVIDENCE = re.compile(r"\((title|sapo|body)\)")
_SCORED = re.compile(r"^(?P<name>[^:]{1,40}?)\s+\d(?:\.\d+)?\s*:\s*(?P<rest>.*)$")
_PARENS = re.compile(r"\([^()]*\)")
_TRAILING_SCORE = re.compile(r"\s\d\.\d+$")


def display_reasons(reasons: Iterable[str], limit: int = 4) -> tuple[str, ...]:
    """The reasons a reader needs, without the classifier's word-level evidence.

    The classifier explains itself as "nóng 0.58: bạo lực, xâm hại (bị đánh (title)); ..." - right
    for `monitor explain`, noise in a clipping. Its hot categories are kept ("Dấu hiệu: bạo lực,
    xâm hại"), other scored evidence is dropped, and the triage stage's plain reasons stay.
    """
    out: list[str] = []
    # a story of several articles has one "nóng" line per article: their categories make one line,
    # each category once, where the first of them stood
    signs: list[str] = []
    signs_at: int | None = None
    for reason in reasons:
        reason = " ".join(str(reason).split())
        m = _SCORED.match(reason)
        if m and m.group("name").strip().lower() == "nóng":
            rest = m.group("rest")
            while _PARENS.search(rest):
                rest = _PARENS.sub("", rest)
            # "theo mô hình" (the model alone, no rule sign) tells a reader nothing
            cats = [c.strip(" ,") for c in rest.split(";") if c.strip(" ,") and c.strip(" ,") != BY_THE_MODEL]
            if cats and signs_at is None:
                signs_at = len(out)
                out.append("")
            signs += [c for c in cats if c not in signs]
            continue
        if m or _EVIDENCE.search(reason) or _TRAILING_SCORE.search(reason):
            continue
        out.append(reason if len(reason) <= 160 else reason[:157].rsplit(" ", 1)[0] + "…")
    if signs_at is not None:
        out[signs_at] = "Dấu hiệu: " + "; ".join(signs)
    seen: set[str] = set()
    unique = [r for r in out if not (r in seen or seen.add(r))]
    return tuple(unique[:limit])


# --------------------------------------------------------------------------- the digest as data


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
    # angle): (outlet, title, url), at most MAX_RELATED; reprints under the same headline are only counted
    related: tuple[tuple[str, str, str], ...] = ()

    @property
    def sentiment_label(self) -> str:
        return SENTIMENT_LABELS.get(self.sentiment, self.sentiment)

    @property
    def topic_names(self) -> tuple[str, ...]:
        return tuple(topic_name(t) for t in self.topics)

    @property
    def scope_label(self) -> str:
        return SCOPE_LABELS.get(self.scope, self.scope)

    @property
    def reprints(self) -> int:
        return len(self.other_outlets)

    @property
    def outlets_label(self) -> str:
        """The other outlets as every format says it: they may have reprinted the story or followed it up."""
        return f"+{self.reprints} báo khác cùng đưa tin"

    @property
    def time_label(self) -> str:
        return f"{self.published:%H:%M %d/%m/%Y}"

    @property
    def severity_label(self) -> str:
        return self.severity or UNRATED_SEVERITY

    @property
    def case_label(self) -> str:
        return self.case_status or NO_CASE_LABEL

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

    @property
    def tone_labels(self) -> tuple[tuple[str, int], ...]:
        return tuple((SENTIMENT_LABELS[s], n) for s, n in self.tone)

    @property
    def change_text(self) -> str:
        if self.previous_average is None:
            return "chưa đủ dữ liệu 7 ngày trước để so sánh"
        avg = f"{self.previous_average:.1f}".replace(".", ",")
        if self.change_percent is None:
            return f"7 ngày trước không có tin giáo dục (trung bình {avg} tin/ngày)"
        if self.previous_average < 5:  # a percentage of a handful of articles says nothing
            return f"{self.education} tin, so với trung bình {avg} tin/ngày trong 7 ngày trước"
        if abs(self.change_percent) < 0.5:
            return f"tương đương trung bình 7 ngày trước ({avg} tin/ngày)"
        word = "tăng" if self.change_percent > 0 else "giảm"
        return f"{word} {abs(self.change_percent):.0f}% so với trung bình 7 ngày trước ({avg} tin/ngày)"


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

    @property
    def empty(self) -> bool:
        return self.summary.education == 0

    @property
    def date_label(self) -> str:
        return vietnamese_date(self.day)

    @property
    def window_label(self) -> str:
        s, e = self.window_start, self.window_end
        return f"từ {s:%H:%M} ngày {s:%d/%m/%Y} đến {e:%H:%M} ngày {e:%d/%m/%Y}"

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
    """'Tin trên địa bàn quận Long Biên' with the district's own kind word taken from the office name."""
    m = re.search(r"\b(quận|huyện|thị xã|thành phố)\s+" + re.escape(office.district), office.name, re.I)
    kind = m.group(1).lower() if m else "quận"
    return f"Tin trên địa bàn {kind} {office.district}"


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
) -> Digest:
    """Assemble the clipping for `day` from what the store holds for its window.

    `stories` maps an article id to its story; `late_ids` are articles published before the window
    but collected after the previous clipping was made; `trend` holds the days before `day` (oldest
    first; today's bar is computed here from the same articles the clipping shows).
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
    items = [_also_carried_by(_item(g, tz, late), {o for a, _ in g.articles for o in carried_by.get(a.id, ())})
             for g in _grouped(edu, stories)]
    # the most likely first: the clerk reads down the list until the titles stop mattering
    unsure_items = sorted((replace(_item(g, tz, late), hot=False, severity=None, reasons=(), unsure=True)
                           for g in _grouped(unsure, stories)),
                          key=lambda i: (-i.relevance, -i.published.timestamp(), i.article_id))

    hot, local, positive, other = [], [], [], []
    by_topic: dict[str, list[DigestItem]] = {t: [] for t in TOPIC_IDS}
    for item in items:
        if item.hot:
            hot.append(item)
        elif item.scope == "local":
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
        shown = [replace(i, summary=_summary(texts[i.article_id])) for i in shown]
        return DigestSection(key, title, tuple(shown), len(seq) - len(shown), empty)

    district_title = local_district_title(office)
    topic_sections = tuple(
        section(f"topic:{tid}", name, by_topic[tid]) for tid, name in PLAN_TOPICS if by_topic[tid]
    )

    tone = Counter(cls.sentiment for _, cls in edu)
    outlets = Counter(a.outlet for a, _ in edu if a.outlet)
    today = TrendDay(day, tone.get("positive", 0), tone.get("neutral", 0), tone.get("negative", 0))
    previous = [t for t in trend if t.day < day][-TREND_DAYS:]
    prev_avg = sum(t.total for t in previous) / len(previous) if previous else None
    change = None if not prev_avg else (len(edu) - prev_avg) / prev_avg * 100
    summary = DigestSummary(
        articles=len(articles), education=len(edu), unclassified=unclassified, stories=len(items),
        hot_stories=len(hot), local_stories=sum(1 for i in items if i.scope == "local"),
        tone=tuple((s, tone.get(s, 0)) for s in SENTIMENT_ORDER),
        top_outlets=tuple(sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0]))[:5]),
        previous_average=prev_avg, change_percent=change,
    )
    chart_days = (*previous[-(TREND_DAYS - 1):], today)
    return Digest(
        office=office, day=day, window_start=start, window_end=end, generated_at=generated_at.astimezone(tz),
        summary=summary,
        hot=section("hot", "Vấn đề nóng", hot, "Không có vấn đề nóng trong 24 giờ qua.", limit=None),
        local=_local_section(section("local", district_title, local,
                                     f"Không có tin giáo dục về địa bàn {office.district} trong 24 giờ qua."),
                             sum(1 for i in hot if i.scope == "local"), office),
        topics=topic_sections,
        other=section("other", "Tin giáo dục khác", other),
        positive=section("positive", "Tin tích cực cần lan tỏa", positive, "Không có tin tích cực nổi bật trong 24 giờ qua."),
        sources=tuple(sorted((h for h in source_health if h.health in UNHEALTHY),
                             key=lambda h: (UNHEALTHY.index(h.health), h.name))),
        trend=chart_days,
        borderline=replace(
            NO_BORDERLINE,
            items=tuple(replace(i, summary=_summary(texts[i.article_id])) for i in unsure_items[:borderline_max_items]),
            omitted=max(0, len(unsure_items) - borderline_max_items)),
        article_ids=tuple(a.id for a in articles),
    )


def _local_section(local: DigestSection, in_hot: int, office: Office) -> DigestSection:
    """The district's section says where its hot stories went: the summary counts them as local news."""
    if not in_hot:
        return local
    where = f"{in_hot} tin trên địa bàn là vấn đề nóng, đã nêu ở mục Vấn đề nóng."
    return replace(local, note=where,
                   empty_text=f"Ngoài các vấn đề nóng, không có tin giáo dục khác về địa bàn {office.district} trong 24 giờ qua.")


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


SAME_HEADLINE = 0.6  # word overlap (Jaccard) from which two headlines are one reprinted, lightly edited


def _headline_words(title: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", fold(title).lower()))


def _related(lead: Article, members: Sequence[tuple[Article, Classification]]) -> tuple[tuple[str, str, str], ...]:
    """The members whose headline differs from the lead's and from each other's: what the story adds."""
    shown = [_headline_words(lead.title)]
    out = []
    for a, _ in members:
        words = _headline_words(a.title)
        if a.id == lead.id or not words:
            continue
        if all(len(words & s) / len(words | s) < SAME_HEADLINE for s in shown):
            shown.append(words)
            out.append((a.outlet, a.title, a.url))
    return tuple(out[:MAX_RELATED])


def _item(group: _Group, tz: ZoneInfo, late: set[int]) -> DigestItem:
    story = group.story
    members = sorted(group.articles, key=lambda ac: (ac[0].when, ac[0].id))
    first = next((ac for ac in members if story is not None and ac[0].id == story.first_article_id), members[0])
    article, cls = first
    # a district mention in any reprint makes the story the district's business
    scope = "local" if any(c.scope == "local" for _, c in members) else cls.scope
    topics = _ordered_topics(cls)
    if story is not None:
        outlets = tuple(o for o in story.outlets if o != article.outlet)
        # the story may be older than the window: count the outlets in the window too
        extra = tuple(sorted({a.outlet for a, _ in members if a.outlet and a.outlet != article.outlet} - set(outlets)))
        other_outlets = outlets + extra
        # a case makes a story hot even when the model missed it (a person opened it); a story a person
        # dismissed as a false alarm is news of its topic
        hot = (story.severity is not None or story.case_status is not None) and story.case_status != DISMISSED
        return DigestItem(
            article_id=article.id, title=article.title, url=article.url, outlet=article.outlet,
            published=article.when.astimezone(tz), summary="",
            sentiment=cls.sentiment, topics=topics, scope=scope, story_id=story.id, other_outlets=other_outlets,
            hot=hot, severity=story.severity, case_status=story.case_status, hot_score=story.hot_score,
            reasons=display_reasons(story.reasons or cls.reasons), late=article.id in late,
            relevance=max(c.relevance for _, c in members), related=_related(article, members),
        )
    return DigestItem(
        article_id=article.id, title=article.title, url=article.url, outlet=article.outlet,
        published=article.when.astimezone(tz), summary="",
        sentiment=cls.sentiment, topics=topics, scope=scope, hot=cls.hot, severity=None,
        hot_score=round(cls.hot_score * 100, 1), reasons=display_reasons(cls.reasons), late=article.id in late,
        relevance=cls.relevance,
    )


def _summary(article: Article) -> str:
    return extract_summary(article.title, article.sapo, article.body)


def _ordered_topics(cls: Classification) -> tuple[str, ...]:
    """The article's topics, strongest first (plan order breaks ties): the first decides its section."""
    order = {t: i for i, t in enumerate(TOPIC_IDS)}
    return tuple(sorted(cls.topics, key=lambda t: (-cls.topic_scores.get(t, 0.0), order.get(t, len(order)))))


def trend_from_rows(rows: Iterable[tuple[datetime, bool, str]], days: Sequence[date], cutoff: str, tz: ZoneInfo) -> tuple[TrendDay, ...]:
    """Count education articles by tone in each day's digest window (rows: when, is_education, sentiment)."""
    windows = [(d, *digest_window(d, cutoff, tz)) for d in days]
    counts = {d: Counter() for d in days}
    for when, is_edu, sentiment in rows:
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
