"""Plain frozen dataclasses that flow between the pipeline stages.

Stage-specific records (stories, alerts, digests) live beside the stage that makes them; what crosses
several stages lives here. Times are always time-zone aware datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from monitor.wording import time_label


@dataclass(frozen=True)
class FeedEntry:
    """One item of one feed, as the feed describes it (before its page is fetched)."""

    source: str  # name of the source in feeds.yaml
    url: str  # canonical article URL
    guid: str
    title: str
    sapo: str = ""
    published: datetime | None = None
    # "ok", "missing" (no date: first-seen time used), "no-zone" (zone assumed), "future" (clamped)
    published_flag: str = "ok"
    author: str = ""


@dataclass(frozen=True)
class ExtractedPage:
    """What the extractor found on an article page."""

    title: str = ""
    sapo: str = ""
    body: str = ""
    published: datetime | None = None
    author: str = ""
    method: str = ""  # "selectors" | "trafilatura" | "none"


@dataclass(frozen=True)
class Article:
    """A stored article (one per canonical URL, however many feeds listed it)."""

    id: int
    url: str
    outlet: str
    title: str
    sapo: str
    body: str
    published: datetime | None
    first_seen: datetime
    author: str = ""
    page_status: str = "pending"  # pending | ok | failed
    sources: tuple[str, ...] = field(default_factory=tuple)

    @property
    def when(self) -> datetime:
        """When it was published, or first seen when its feed and page gave no date."""
        return self.published or self.first_seen


@dataclass(frozen=True)
class IntakeItem:
    """A hot issue that reached the office from outside the crawled press, entered by a person (monitor.intake)."""

    id: int
    story_id: int
    title: str
    source_kind: str  # one of monitor.intake.SOURCE_KINDS: "mạng xã hội", "đường dây nóng", ...
    source: str  # which group, caller, school, channel or outlet
    url: str | None  # where it can be seen, as given; not a crawled page
    happened_at: datetime  # when it appeared or reached the office
    summary: str
    entered_at: datetime
    entered_by: str
    topic: str = ""  # the topic id (of the rules the office runs), when the person gave one
    day_only: bool = False  # dated by its day alone (`--at 25/11/2026`): happened_at's hour is not known
    level: str = ""  # the alert level the person gave (`--level`): the floor of its story's (monitor.triage)
    # where it happens (classifiers.types.SCOPES), read as an article's place is: judged from its title, summary and
    # source by the scope rules, or given by the person (`--scope`, scope_given); Office.is_own_area says whether it
    # is on the office's area, for the clipping, the alert and the report alike
    scope: str = "local"
    scope_given: bool = False

    def when_label(self, tz) -> str:
        """When it appeared or reached the office, as every output says it: "20:15 ngày 25/11/2026", or
        "ngày 25/11/2026" when only the day was given (no made-up "00:00")."""
        local = self.happened_at.astimezone(tz)
        return f"ngày {local:%d/%m/%Y}" if self.day_only else time_label(local)

    @property
    def source_label(self) -> str:
        """"mạng xã hội – Nhóm Facebook Phụ huynh Long Biên": how every output names where it came from."""
        return f"{self.source_kind} – {self.source}"


@dataclass(frozen=True)
class Story:
    """Articles about one event across outlets (reprints counted once). Made by `monitor.stories`."""

    id: int
    # what it is named: a title a person kept when merging cases; else an item entered from outside the press that
    # came first; else its headline article's title
    title: str
    first_article_id: int  # its first article (first published), 0 when it has none
    article_ids: tuple[int, ...]
    outlets: tuple[str, ...]  # distinct outlets, first publisher first
    first_seen: datetime
    last_seen: datetime
    hot_score: float = 0.0  # 0-100, from `monitor.triage`
    severity: str | None = None  # e.g. "khẩn cấp" | "cao" | "theo dõi"; None when not hot
    reasons: tuple[str, ...] = ()
    # the hot rule groups of its articles' classifications (classifiers.types.HotCategory), as triage last scored it
    hot_categories: tuple = ()
    case_status: str | None = None  # mới | đã tiếp nhận | đang xử lý | đã phản hồi | đã xử lý
    # hot issues from outside the press that it holds (monitor.intake): a story of such an item alone has no
    # article (first_article_id 0) and takes its title from the item
    intake: tuple[IntakeItem, ...] = ()
    # where triage last placed it (its locality signal: its articles' scopes and the watchlist names in their text),
    # None before it is scored: what makes all its articles the office's area news (Office.is_own_area)
    scope: str | None = None
    # its first article judged hot as triage last scored it (StoryScore.lead_id), which its alert told; None when none
    # is, when scored before that was stored (0078), or when that article has left it (a merge)
    lead_id: int | None = None
    # its articles that tell the office's own answer or a lower authority's (monitor.responses), as triage last
    # scored it (StoryScore.responses, kept in its explanation): marked where they are listed, not counted in its level
    responses: tuple[int, ...] = ()

    @property
    def named_item(self) -> IntakeItem | None:
        """The item entered from outside the press it is named after (its title), None when an article names it: the
        issue is told by that item's own content then, not by the press articles merged into its case since."""
        return next((i for i in self.intake if i.title == self.title), None)

    @property
    def headline_article_id(self) -> int:
        """The article it is told by, whose title, link and summary head the clipping's item and the report's hot
        issue: its lead, else its first (0 when it has no article)."""
        return self.lead_id or self.first_article_id


@dataclass(frozen=True)
class SourceHealth:
    """A feed's health as `monitor status` and the digest appendix show it."""

    name: str
    outlet: str
    url: str
    health: str  # new | ok | failing | quiet | backoff | disabled
    last_success: datetime | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    failure_score: float = 0.0
    next_due: datetime | None = None
    items_24h: int = 0

