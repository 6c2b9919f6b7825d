"""An outlet whose article pages no longer match its selectors in feeds.yaml: it changed its layout.

monitor.extract falls back to trafilatura when an outlet's body selector finds nothing, so a redesign makes
extraction rougher (the sapo, author and date guessed, boilerplate left in) instead of failing, and nothing
told the operator. `monitor status` and the service's log say it, from how each outlet's latest pages
were read (articles.extraction).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

log = logging.getLogger(__name__)

# The thresholds. Some pages of a well-configured outlet never match its selectors: a live blog, a video or podcast
# page, an e-magazine long read, an infographic (../shared/corpus/OUTLETS.md: "e-magazine pages differ",
# /video/, /podcast/ listed in feeds). They are rare (the year's store of three outlets, 151,610 pages, has none) and
# an event rarely brings more than one or two at once. A redesign sends every page after it through the general
# extractor.
# - Only pages read in the last RECENT_HOURS: older ones tell of the layout the outlet had then. Two days, not one,
#   so that a small outlet's few pages a day are enough to judge.
# - Of those, the latest RECENT_PAGES: a busy outlet is judged on its last dozen pages (an hour or two after a
#   redesign), not on two days of pages most of which came before it.
# - At least MIN_UNMATCHED of them unmatched, and at least UNMATCHED_SHARE of them: a single odd page, or two
#   or three in a row (a live blog and its video), stay below both; four pages out of four or five, or nine of
#   twelve, are a layout, not an odd page. Once the selectors are fixed, the next few pages match and bring the
#   share under three quarters again.
RECENT_HOURS = 48
RECENT_PAGES = 12
MIN_UNMATCHED = 4
UNMATCHED_SHARE = 0.75


@dataclass(frozen=True)
class LayoutDrift:
    outlet: str
    unmatched: int  # of `pages`, read by the general extractor
    pages: int  # the latest pages judged
    last_match: datetime | None  # when its selectors last found a page's body; None: never
    example_url: str | None  # the latest page they missed, to open beside feeds.yaml

    def message(self, tz: tzinfo) -> str:
        """The operator's line: what happened and what to do, in Vietnamese."""
        share = f"{self.unmatched}/{self.pages} bài gần nhất không khớp bộ chọn trong feeds.yaml"
        example = f" (ví dụ: {self.example_url})" if self.example_url else ""
        if self.last_match is None:
            return (f"trang bài của báo {self.outlet} chưa lần nào khớp bộ chọn: {share}, đang dùng trích xuất tự động"
                    f" (sapo, tác giả, ngày đăng có thể sai, lẫn chữ thừa); kiểm tra outlets[].selectors của {self.outlet}"
                    f" trong feeds.yaml theo trang bài của báo{example},"
                    " rồi cho dịch vụ đọc lại tệp (systemctl reload edu-monitor)")
        last = self.last_match.astimezone(tz).strftime("%d/%m %H:%M")
        return (f"trang bài của báo {self.outlet} có vẻ đã đổi giao diện: {share} (lần cuối khớp lúc {last}),"
                f" đang dùng trích xuất tự động (sapo, tác giả, ngày đăng có thể sai, lẫn chữ thừa);"
                f" cập nhật outlets[].selectors của {self.outlet} trong feeds.yaml theo giao diện mới{example},"
                " rồi cho dịch vụ đọc lại tệp (systemctl reload edu-monitor)")

    def as_dict(self, tz: tzinfo) -> dict:
        return {"outlet": self.outlet, "unmatched": self.unmatched, "pages": self.pages,
                "last_match": self.last_match.isoformat() if self.last_match else None,
                "example_url": self.example_url, "message": self.message(tz)}


def judge(extractions: list[str]) -> bool:
    """Whether an outlet's latest pages (how each was read, newest first) say its layout changed."""
    pages = extractions[:RECENT_PAGES]
    unmatched = sum(e == "trafilatura" for e in pages)
    return unmatched >= MIN_UNMATCHED and unmatched >= UNMATCHED_SHARE * len(pages)


def layout_drifts(store, config, now: datetime) -> list[LayoutDrift]:
    """The configured outlets whose latest pages say their layout changed. An outlet without a body selector is
    read by the general extractor by design (monitor.extract tries no selectors for it), and never listed."""
    out = []
    since = now - timedelta(hours=RECENT_HOURS)
    for outlet in config.outlets:
        if not outlet.selectors.body:
            continue
        latest = store.latest_page_extractions(outlet.name, since, RECENT_PAGES)
        if not judge([how for _, how, _ in latest]):
            continue
        example = next(article_id for article_id, how, _ in latest if how == "trafilatura")
        out.append(LayoutDrift(outlet=outlet.name, unmatched=sum(how == "trafilatura" for _, how, _ in latest),
                               pages=len(latest), last_match=store.last_selector_match(outlet.name),
                               example_url=store.article_url(example)))
    return out


class DriftWatch:
    """The service's memory of which outlets it has warned about: one warning when an outlet's pages stop matching
    (not one per page or per crawl), and a line when they match again. In memory: a restart (or a SIGHUP's reload)
    warns once more about an outlet still unmatched, which an operator who just restarted it wants to read."""

    def __init__(self) -> None:
        self.flagged: set[str] = set()

    def check(self, store, config, now: datetime) -> list[LayoutDrift]:
        drifts = layout_drifts(store, config, now)
        tz = config.office.tz
        names = {d.outlet for d in drifts}
        for d in drifts:
            if d.outlet not in self.flagged:
                log.warning("%s", d.message(tz))
        for name in sorted(self.flagged - names):
            log.info("trang bài của báo %s không còn dấu hiệu đổi giao diện", name)
        self.flagged = names
        return drifts
