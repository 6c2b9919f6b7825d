"""One crawl: due sources -> fetch feed -> parse -> store entries -> fetch pages -> extract -> store.

Every step commits as it goes: an entry is an article the moment it is read from its feed, before
any page is fetched, so a crawl killed at any point loses nothing it had already fetched; the next
crawl re-reads feeds whose state was not yet recorded (storing is idempotent) and retries pending
pages. A feed's validators are saved only after its entries are stored, for the same reason.
Nothing here raises for one bad feed or page: each failure is recorded in `fetches` and in the
source's health, and the crawl goes on. A failure of the database itself (StoreError: a full disk, a
read-only folder) is no feed's or page's, and stops the crawl instead.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitor.config import Source
from monitor.errors import (AddressRefused, ExtractError, FeedError, FetchError, HTTPStatusError, InputError, MonitorError, NotAFeed,
                            PageTooComplex, ResponseTooLarge, RobotsDisallowed, StoreError, TooManyRedirects)
from monitor.extract import extract_page, release_caches, selectors_for
from monitor.feeds import parse_feed
from monitor.fetch import Fetcher, Tuning

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceResult:
    name: str
    outcome: str  # ok | not-modified | unchanged | error | not-due | disabled
    status: int | None = None
    items: int = 0
    new_items: int = 0
    error: str | None = None  # as stored: the class name first, for the log search and monitor.digest.source_problem
    problems: tuple[str, ...] = ()
    message: str | None = None  # the error as the operator reads it (`monitor crawl`)
    health: str = "ok"
    next_due: datetime | None = None

    @property
    def failed(self) -> bool:
        return self.outcome == "error"


@dataclass(frozen=True)
class CrawlReport:
    started_at: datetime
    finished_at: datetime
    sources: tuple[SourceResult, ...]
    new_article_ids: tuple[int, ...] = ()
    updated_article_ids: tuple[int, ...] = ()  # pages extracted in this crawl (their text changed)
    pages_ok: int = 0
    pages_failed: int = 0  # will be retried
    pages_given_up: int = 0
    page_errors: tuple[str, ...] = field(default_factory=tuple)

    @property
    def failed_sources(self) -> tuple[SourceResult, ...]:
        return tuple(s for s in self.sources if s.failed)

    @property
    def ok(self) -> bool:
        return not self.failed_sources

    def summary(self) -> str:
        """One line for `monitor crawl`, the demo and `monitor serve`'s job log (the job_runs summary): what a
        clerk reads, counts in words; a count of none is left out rather than said ("0 trang lỗi")."""
        polled = [s for s in self.sources if s.outcome not in ("not-due", "disabled")]
        failed = self.failed_sources
        head = (f"thu thập {len(polled)} nguồn" + (f" ({len(failed)} nguồn lỗi)" if failed else "")
                + f": {len(self.new_article_ids)} bài mới" if polled else "chưa nguồn nào đến hạn thu thập")
        pages = [f"lấy được {self.pages_ok} trang bài" if self.pages_ok else "",
                 f"{self.pages_failed} trang lỗi (sẽ thử lại)" if self.pages_failed else "",
                 f"thôi thử {self.pages_given_up} trang không lấy được" if self.pages_given_up else ""]
        return ", ".join([head, *(p for p in pages if p)])


def _weight(exc: Exception) -> float:
    """How much one failure says about a feed: a wrong address or a non-feed is worse than a timeout."""
    if isinstance(exc, AddressRefused):
        return 3.0
    if isinstance(exc, (NotAFeed, FeedError, TooManyRedirects, ResponseTooLarge)):
        return 2.0
    if isinstance(exc, HTTPStatusError) and exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
        return 2.0
    return 1.0


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


def _say(exc: Exception) -> str:
    """A failure as the operator reads it: our own errors say in Vietnamese what happened and what to do
    (monitor.errors.FETCH_REASONS), their class name is for the log search; anything else is a bug, named."""
    return str(exc) if isinstance(exc, MonitorError) else _describe(exc)


class _Crawl:
    def __init__(self, app, fetcher: Fetcher, tuning: Tuning) -> None:
        self.app = app
        self.store = app.store
        self.config = app.config
        self.tz = app.config.office.tz
        self.fetcher = fetcher
        self.tuning = tuning
        self.new_ids: list[int] = []
        self.updated_ids: list[int] = []
        self.pages_ok = self.pages_failed = self.pages_given_up = 0
        self.page_errors: list[str] = []

    # ------------------------------------------------------------ feeds

    async def feed(self, src: Source) -> SourceResult:
        try:
            return await self._feed(src)
        except StoreError:
            # the database failed (a full disk, a read-only folder), not the feed: the crawl stops saying so, and the
            # feed is not backed off for it (nor a page counted a failed attempt, in page())
            raise
        except Exception as exc:  # noqa: BLE001 - a bug met on one feed must not stop the others
            log.exception("thu thập nguồn %s gặp lỗi không lường trước", src.name)
            return self._failed(src, exc, started=self.app.now(), status=None, duration_ms=0)

    def _failed(self, src: Source, exc: Exception, *, started: datetime, status: int | None, duration_ms: int) -> SourceResult:
        error = _describe(exc)
        self.store.log_fetch(source=src.name, kind="feed", url=src.url, started_at=started, status=status, size=0,
                             duration_ms=duration_ms, outcome="error", error=error)
        health, due = self.store.record_feed_failure(src.name, self.app.now(), status=status, error=error,
                                                     weight=_weight(exc), retry_after=getattr(exc, "retry_after", None))
        # the office's time, as every other line of the console: a UTC instant beside the log's own local time
        # read as a retry hours away
        # a warning: the crawl job itself ends "xong" with its count of failed feeds, so an operator watching
        # warnings and errors alone saw no feed trouble at all
        log.warning("nguồn %s lỗi: %s; thử lại lúc %s", src.name, _say(exc), due.astimezone(self.tz).strftime("%d/%m %H:%M:%S"))
        return SourceResult(src.name, "error", status=status, error=error, health=health, next_due=due,
                            message=_say(exc))

    async def _feed(self, src: Source) -> SourceResult:
        state = self.store.source_state(src.name) or {}
        started = self.app.now()
        try:
            res = await self.fetcher.fetch(src.url, etag=state.get("etag"), last_modified=state.get("last_modified"), kind="feed")
        except FetchError as exc:
            return self._failed(src, exc, started=started, status=exc.status, duration_ms=int((self.app.now() - started).total_seconds() * 1000))
        if res.not_modified:
            self.store.log_fetch(source=src.name, kind="feed", url=src.url, started_at=started, status=304, size=0,
                                 duration_ms=res.duration_ms, outcome="not-modified")
            self.store.record_feed_success(src.name, self.app.now(), status=304, etag=res.etag, last_modified=res.last_modified,
                                           body_hash=None, new_items=0, items=None, warning=None, not_modified=True)
            return SourceResult(src.name, "not-modified", status=304)
        body_hash = hashlib.sha256(res.body).hexdigest()
        if body_hash == state.get("body_hash"):
            # the server ignores conditional GET but sent the same bytes: nothing to parse
            self.store.log_fetch(source=src.name, kind="feed", url=src.url, started_at=started, status=res.status,
                                 size=len(res.body), duration_ms=res.duration_ms, outcome="unchanged")
            self.store.record_feed_success(src.name, self.app.now(), status=res.status, etag=res.etag,
                                           last_modified=res.last_modified, body_hash=body_hash, new_items=0, items=None,
                                           warning=None)
            return SourceResult(src.name, "unchanged", status=res.status)
        seen_at = self.app.now()
        try:
            parsed = parse_feed(res.body, source=src.name, feed_url=res.final_url, now=seen_at,
                                content_type=res.content_type, tz=self.tz)
        except FeedError as exc:
            return self._failed(src, exc, started=started, status=res.status, duration_ms=res.duration_ms)
        # one commit per feed, right after parsing: a crash before it loses nothing, as the feed's
        # validators are not yet saved and the next crawl reads the same entries again
        new = 0
        for article_id, is_new in self.store.add_feed_entries(parsed.entries, src.outlet, seen_at, fetch_page=src.fetch_pages):
            if is_new:
                new += 1
                self.new_ids.append(article_id)
        warning = "; ".join(parsed.problems) or None
        self.store.log_fetch(source=src.name, kind="feed", url=src.url, started_at=started, status=res.status,
                             size=len(res.body), duration_ms=res.duration_ms, outcome="ok", new_items=new, error=warning)
        self.store.record_feed_success(src.name, self.app.now(), status=res.status, etag=res.etag,
                                       last_modified=res.last_modified, body_hash=body_hash, new_items=new,
                                       items=len(parsed.entries), warning=warning)
        return SourceResult(src.name, "ok", status=res.status, items=len(parsed.entries), new_items=new,
                            problems=parsed.problems)

    # ------------------------------------------------------------ pages

    async def page(self, row, sem: asyncio.Semaphore) -> None:
        async with sem:
            try:
                await self._page(row)
            except StoreError:
                raise  # the database's failure (see feed()): after page_max_attempts the page would be given up
            except Exception as exc:  # noqa: BLE001 - one odd page must not stop the crawl
                log.exception("trang %s gặp lỗi không lường trước", row["url"])
                self._page_failed(row, exc, retry=True)

    def _page_failed(self, row, exc: Exception, *, retry: bool, raw_html: bytes | None = None) -> None:
        attempts = (row["page_attempts"] or 0) + 1
        retry_at = None
        if retry and attempts < self.tuning.page_max_attempts:
            retry_after = getattr(exc, "retry_after", None)
            if retry_after is not None:
                # the host said when (429/503 Retry-After): then, not our own back-off's guess
                retry_at = self.app.now() + timedelta(seconds=retry_after)
            else:
                retry_at = self.app.now() + timedelta(minutes=self.tuning.page_retry_minutes * (2 ** (attempts - 1)))
        error = _describe(exc)
        self.store.page_failed(row["id"], error, retry_at, raw_html=raw_html)
        if retry_at is None:
            self.pages_given_up += 1
        else:
            self.pages_failed += 1
        self.page_errors.append(f"{row['url']}: {_say(exc)}")

    async def _page(self, row) -> None:
        url = row["url"]
        started = self.app.now()
        try:
            res = await self.fetcher.fetch(url, kind="page", robots=True)
        except FetchError as exc:
            self.store.log_fetch(source=None, kind="page", url=url, started_at=started, status=exc.status, size=0,
                                 duration_ms=int((self.app.now() - started).total_seconds() * 1000), outcome="error",
                                 error=_describe(exc))
            permanent = isinstance(exc, (RobotsDisallowed, AddressRefused, ResponseTooLarge, TooManyRedirects))
            self._page_failed(row, exc, retry=not permanent)
            return
        source = self.config.source(row["source"]) if row["source"] else None
        _, selectors = selectors_for(self.config, source.outlet if source else row["outlet"], res.final_url)
        try:
            page, encoding = extract_page(res.body, url=res.final_url, selectors=selectors, content_type=res.content_type,
                                          tz=self.tz, now=self.app.now())
        except ExtractError as exc:
            # a 200 with no article in it is mostly an anti-bot challenge or a page still being published:
            # retried like a failed fetch (a bounded number of times), the article keeping its feed text
            # and the latest bytes kept for a later re-extraction
            self.store.log_fetch(source=None, kind="page", url=url, started_at=started, status=res.status,
                                 size=len(res.body), duration_ms=res.duration_ms, outcome="error", error=_describe(exc))
            # a page too big to parse will be as big next time: given up at once, its bytes not kept
            too_complex = isinstance(exc, PageTooComplex)
            self._page_failed(row, exc, retry=not too_complex, raw_html=None if too_complex else res.body)
            return
        self.store.save_page(row["id"], page, res.body, encoding, self.app.now())
        self.store.log_fetch(source=None, kind="page", url=url, started_at=started, status=res.status, size=len(res.body),
                             duration_ms=res.duration_ms, outcome="ok")
        self.pages_ok += 1
        self.updated_ids.append(row["id"])


def _select(app, names: list[str] | None, force: bool, now: datetime) -> tuple[list[Source], list[SourceResult]]:
    config = app.config
    if names:
        unknown = [n for n in names if config.source(n) is None]
        if unknown:
            raise InputError(f"không có nguồn tin tên {', '.join(unknown)} trong {config.path}; "
                             f"các nguồn có: {', '.join(s.name for s in config.sources)}",
                             hint="`monitor status` liệt kê các nguồn tin; tên nguồn là khóa name trong sources")
        candidates = [config.source(n) for n in dict.fromkeys(names)]
    else:
        candidates = list(config.sources)
    due = None if force else set(app.store.due_sources(now))
    chosen, skipped = [], []
    for s in candidates:
        if not s.enabled:
            skipped.append(SourceResult(s.name, "disabled"))
        elif due is not None and s.name not in due:
            state = app.store.source_state(s.name) or {}
            from monitor.store import from_iso

            skipped.append(SourceResult(s.name, "not-due", health=state.get("health", "ok"),
                                        next_due=from_iso(state.get("next_due_at"))))
        else:
            chosen.append(s)
    return chosen, skipped


async def crawl(app, *, sources: list[str] | tuple[str, ...] | None = None, force: bool = False,
                tuning: Tuning | None = None, poll: list[str] | tuple[str, ...] | None = None) -> CrawlReport:
    """Poll the due sources (all of `sources`, or every enabled one; `force` ignores due times), then pending pages.

    `poll` narrows the feeds polled to those named (none when empty) while the due pages of all of `sources`
    are still fetched: the service polls only the feeds whose time has come, but a page waiting for a retry
    (or left pending by a crash) is fetched when its own time comes, not at its feed's next poll.
    """
    tuning = tuning or Tuning()
    started = app.now()
    store = app.store
    store.sync_sources(app.config.sources, started)
    if poll is not None and not poll:
        chosen, skipped = [], []
    else:
        chosen, skipped = _select(app, list(poll if poll is not None else sources or ()) or None, force, started)
    async with Fetcher(app.config.crawler, tuning) as fetcher:
        run = _Crawl(app, fetcher, tuning)
        fetcher.on_robots = lambda url, status, size, ms, outcome, error: store.log_fetch(
            source=None, kind="robots", url=url, started_at=app.now(), status=status, size=size, duration_ms=ms,
            outcome=outcome, error=error)
        results = await asyncio.gather(*(run.feed(s) for s in chosen))
        # pages of the named sources are retried even when their feeds are not due
        rows = store.pages_due(app.now(), limit=2000, sources=list(sources) if sources else None)
        sem = asyncio.Semaphore(tuning.page_concurrency)
        await asyncio.gather(*(run.page(r, sem) for r in rows))
    if rows:
        release_caches()  # the classifier that follows a crawl needs the memory more than the next crawl's pages
    return CrawlReport(
        started_at=started, finished_at=app.now(), sources=tuple(results) + tuple(skipped),
        new_article_ids=tuple(run.new_ids), updated_article_ids=tuple(dict.fromkeys(run.updated_ids)),
        pages_ok=run.pages_ok, pages_failed=run.pages_failed, pages_given_up=run.pages_given_up,
        page_errors=tuple(run.page_errors),
    )


def run_crawl(app, *, sources=None, force: bool = False, tuning: Tuning | None = None, poll=None) -> CrawlReport:
    """Synchronous wrapper for the CLI, the scheduler and the demo."""
    return asyncio.run(crawl(app, sources=sources, force=force, tuning=tuning, poll=poll))
