"""A hot issue's developments (diễn biến) for the monthly report: what its story told after what the issue is told by
(the article or the item entered from outside the press whose title and content the report gives it), dated, one line
a day, the latest few.

A day's press is one development: outlets tell the day's news of an incident each in their own words, which the
headline rule (monitor.stories.same_headline) does not join, and leadership reads the story's course, not every
outlet's telling of each step. A reprint (the store's near-copy mark, monitor.stories.NearCopies, or the same headline
lightly edited) is the development it copies whatever its day, and the day of the article the issue is told by is
that article's (its summary tells it). An item entered from outside the press and merged into the case (a hotline
call after the press told the story) is a development of its own. Pure: the store's members and items in, lines out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Mapping, Sequence
from zoneinfo import ZoneInfo

from monitor.models import IntakeItem, Story
from monitor.stories import headline_words, same_headline

MAX_DEVELOPMENTS = 5  # the latest, each a line under its issue: leadership reads where the story stands
_LEAD = -1


@dataclass(frozen=True)
class Development:
    day: date
    source: str  # the outlet, or where an entered item came from (IntakeItem.source_label)
    title: str
    url: str = ""
    others: int = 0  # the other outlets that told it (its reprints, the day's other articles)

    @property
    def head(self) -> str:
        """What every rendering writes before the headline: "09/10/2026, Dân Trí (và 1 báo khác): "."""
        return f"{self.day:%d/%m/%Y}, {self.source}" + (f" (và {self.others} báo khác)" if self.others else "") + ": "

    @property
    def line(self) -> str:
        return self.head + self.title


def developments_label(shown: int, total: int) -> str:
    """The heading of an issue's developments: "Diễn biến:", "Diễn biến (5 mốc gần nhất trong 8):" when cut."""
    return "Diễn biến:" if total <= shown else f"Diễn biến ({shown} mốc gần nhất trong {total}):"


def told_by(story: Story, members: Sequence[Mapping]) -> IntakeItem | Mapping | None:
    """What the issue's title and content are: the item entered from outside the press it is named after, else the
    member article named so (a title kept when cases were merged, which may not be its lead's), else None (its
    headline article, Story.headline_article_id). Its content must not come from another: an item named after a
    rumour told by the office's rebuttal merged into its case read as two different things."""
    item = story.named_item
    if item is not None:
        return item
    named = [m for m in members if m["title"] == story.title]
    if any(m["id"] == story.headline_article_id for m in named):
        return None  # its headline article names it (a reprint may carry the same title)
    return named[0] if named else None


@dataclass
class _Step:
    when: datetime
    day: date
    first: Mapping | None  # the article it is listed by; None for an entered item
    item: IntakeItem | None = None
    words: frozenset[str] = frozenset()  # its headline's (monitor.stories.headline_words)
    outlets: list[str] = field(default_factory=list)

    def development(self) -> Development:
        if self.item is not None:
            return Development(self.day, self.item.source_label, self.item.title, self.item.url or "")
        first = self.first
        others = len([o for o in dict.fromkeys(self.outlets) if o and o != first["outlet"]])
        return Development(self.day, first["outlet"], first["title"], first.get("url") or "", others)


def developments(members: Sequence[Mapping], items: Sequence[IntakeItem], *, told: IntakeItem | int,
                 until: datetime, tz: ZoneInfo, limit: int = MAX_DEVELOPMENTS) -> tuple[tuple[Development, ...], int]:
    """(the latest `limit` developments, oldest first; how many there are in all) up to `until` (a report tells its
    month as it stood at its end). `members`: the story's articles oldest first, as the store gives them (id, url,
    outlet, title, when, reprint, matched_id); `items`: its entered items; `told`: the item, or the article id, the
    issue is told by (told_by, else the headline article)."""
    told_article = next((m for m in members if not isinstance(told, IntakeItem) and m["id"] == told), None)
    # headlines compare with the headlines listed, as the clipping's "Tin liên quan" do (monitor.digest._related): a
    # day's other article shares enough of a later day's words ("Trường THCS … trả lại tiền thu sai") to take it in
    lead_words = headline_words(told.title if isinstance(told, IntakeItem) else told_article["title"]
                                if told_article else "")
    lead_day = told_article["when"].astimezone(tz).date() if told_article else None
    steps: list[_Step] = []
    step_of: dict[int, int] = {}  # article id -> its step, _LEAD: told with the article the issue is told by
    for m in members:
        if m["when"] >= until:
            continue
        if told_article is not None and m["id"] == told_article["id"]:
            step_of[m["id"]] = _LEAD
            continue
        words = headline_words(m["title"])
        day = m["when"].astimezone(tz).date()
        k = step_of.get(m.get("matched_id")) if m.get("reprint") else None
        if k is None and same_headline(words, lead_words):
            k = _LEAD
        if k is None:
            k = next((n for n, step in enumerate(steps) if same_headline(words, step.words)), None)
        if k is None and day == lead_day:
            k = _LEAD
        if k is None:
            k = next((n for n, step in enumerate(steps) if step.day == day), None)
        if k is None:
            steps.append(_Step(m["when"], day, m, words=words))
            k = len(steps) - 1
        step_of[m["id"]] = k
        if k != _LEAD:
            steps[k].outlets.append(m["outlet"])
    for item in items:
        if not (isinstance(told, IntakeItem) and item.id == told.id) and item.happened_at < until:
            steps.append(_Step(item.happened_at, item.happened_at.astimezone(tz).date(), None, item))
    steps.sort(key=lambda step: (step.day, step.when))
    found = [s.development() for s in steps]
    return tuple(found[-limit:]) if limit else (), len(found)
