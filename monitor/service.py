"""The always-on service: one instance per database, the jobs it runs, and what is due when.

`monitor serve` (monitor/cli/service.py) builds a `Service` and hands its jobs to APScheduler
(monitor/jobs.py). Everything that decides *whether* something is due reads the App's clock, never
the wall clock, so a test can run a whole morning in seconds with a scaled clock, and a laptop that
slept through the cut-off sends the missed digest when it wakes (within the configured grace).

Jobs never run concurrently: they share one SQLite connection, so the scheduler has a single worker
thread. Each job is recorded in `job_runs` (started, then finished with an outcome and a one-line
summary) and logged as one line. A stop request (SIGTERM/SIGINT) is honoured between jobs: the job in
progress finishes its current store writes (each one a transaction), queued jobs are skipped.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time as _time
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterable

from monitor.app import App
from monitor.config import Config, clock_time
from monitor.errors import AlreadyRunning, MonitorError, StoreError
from monitor.layout_drift import DriftWatch

log = logging.getLogger("monitor.service")

DELIVER_EVERY_MINUTES = 1  # queued alerts are retried this often (their own backoff decides if one is due)
PAGES_EVERY_MINUTES = 1  # pages due for a retry are looked for this often (their own back-off decides if one is due)
HOUSEKEEPING_AT = time(2, 30)  # local time; the office's quietest hour
# The fetch log and job runs gain rows at every poll; housekeeping deletes those older than this (keeping each
# source's latest fetch and each job's latest run). Nothing reads old rows: feed health and quiet detection read
# sources and articles, and the monthly report's "sent once" needs only its run of the last REPORT_GRACE_DAYS.
# A quarter still lets a person look back over a month and the one before when a feed misbehaves.
LOG_RETENTION = timedelta(days=90)
FAILED_DIGEST_RETRY = timedelta(minutes=10)  # after the first failed attempt; doubled after each further one
FAILED_DIGEST_RETRY_MAX = timedelta(hours=1)
# A digest is due from its cut-off for missed_grace_hours, and never for less than this: the service
# checks every --tick (30 s), so a window of 0 would never contain a check ("no late sending" is meant),
# and the jobs share one worker, so a crawl of slow feeds running at the cut-off holds the check back
# (25 minutes has been seen on a slow server); "no late sending" means a machine that was off.
DIGEST_DUE_TOLERANCE = timedelta(hours=1)
RETRY_AFTER_ERROR = timedelta(minutes=10)
REPORT_GRACE_DAYS = 7
REPORT_JOB = "report"
# what an interrupted report run says once the e-mail was being handed over: it may have arrived
REPORT_IN_DOUBT = ("dịch vụ dừng khi đang gửi báo cáo qua e-mail, nên báo cáo có thể đã đến: xem hộp thư, "
                   "nếu chưa có thì gửi tay:")
DIGEST_JOB = "digest"
HOUSEKEEPING_JOB = "housekeeping"
DELIVER_JOB = "deliver"
# a job's outcome as the log and `monitor status` say it (the store and --json keep the outcome itself)
JOB_OUTCOMES = {"ok": "xong", "error": "lỗi", "running": "đang chạy", "interrupted": "bị dừng"}
PAGES_JOB = "pages"


# --------------------------------------------------------------------------- clock


def scaled_clock(start: datetime | None = None, scale: float = 1.0) -> Callable[[], datetime]:
    """A clock that starts at `start` and runs `scale` times faster than real time.

    `scaled_clock()` is the system clock. Tests and demos use `scaled_clock(7:59, 60)` to live an hour a minute.
    """
    if start is None and scale == 1.0:
        return lambda: datetime.now(timezone.utc)
    if start is not None and start.tzinfo is None:
        raise ValueError("the start of a scaled clock must carry a time zone")
    origin = start or datetime.now(timezone.utc)
    t0 = _time.monotonic()
    return lambda: origin + timedelta(seconds=(_time.monotonic() - t0) * scale)


# --------------------------------------------------------------------------- instance lock


def lock_path(config: Config) -> Path:
    return config.storage.data_dir / (config.storage.database.name + ".lock")


class InstanceLock:
    """An exclusive fcntl lock on a file beside the database; the file names the holder's PID.

    The kernel drops the lock when the process dies, however it dies, so a crashed service never
    blocks the next start; the PID written in the file is only for the message.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> "InstanceLock":
        from monitor.store.base import store_error

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            # a read-only mount is not a permission to grant; anything else is the CLI's "cannot use <file>"
            error = store_error(self.path, exc)
            if error is None:
                raise
            raise error from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            who = f"tiến trình {holder}" if holder else "một tiến trình khác"
            # the one reading this most often started the service a second time to make sure it runs: it does,
            # so say that first, and how to restart it, rather than ask them to kill the running service
            stop = f"`kill {holder}`" if holder else "dừng `monitor serve` kia"
            raise AlreadyRunning(
                f"dịch vụ đang chạy: {who} đang phục vụ cơ sở dữ liệu này (tệp khóa {self.path})",
                hint=("không cần chạy thêm, dịch vụ đó vẫn thu thập và gửi như lịch; muốn khởi động lại (ví dụ "
                      "sau khi nâng cấp): `systemctl restart edu-monitor` nếu cài bằng systemd như README, "
                      f"hoặc {stop} rồi chạy lại `monitor serve`"),
            ) from None
        except OSError as exc:
            os.close(fd)
            raise StoreError(f"không khóa được {self.path}: {exc}", hint="kiểm tra thư mục storage.data_dir được phép ghi") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        os.fsync(fd)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
                self._fd = None

    def __enter__(self) -> "InstanceLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 64).decode().strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None


def lock_holder(config: Config) -> int | None:
    """PID of the running service for this database, or None when none holds the lock."""
    path = lock_path(config)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_pid(fd) or -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- what is due (pure)


def cutoff_at(day: date, config: Config) -> datetime:
    return datetime.combine(day, clock_time(config.digest.cutoff), tzinfo=config.office.tz)


def digest_grace(config: Config) -> timedelta:
    """How long after its cut-off a day's digest not yet attempted is still sent."""
    return max(timedelta(hours=config.digest.missed_grace_hours), DIGEST_DUE_TOLERANCE)


def failed_digest_retry_at(day: date, config: Config, record) -> datetime | None:
    """When a day's failed digest (the server refused, nothing went out) is tried again, or None when it no
    longer will be: the back-off doubles from FAILED_DIGEST_RETRY up to FAILED_DIGEST_RETRY_MAX, until the
    next day's cut-off (or the grace, when longer), after which the next clipping has the news. One left
    'sending' by a run that stopped before handing it over (nothing went out either) is tried again as soon
    as that claim can no longer be a live run's (SENDING_NOW after it)."""
    status = getattr(record, "status", None)
    if status == "sending" and record.handed_over_at is None:
        from monitor.store.digests import SENDING_NOW

        at = record.started_at + SENDING_NOW
    elif status == "failed":
        failures = max(int(getattr(record, "failures", 1) or 1), 1)
        wait = min(FAILED_DIGEST_RETRY * 2 ** min(failures - 1, 8), FAILED_DIGEST_RETRY_MAX)
        at = record.started_at + wait
    else:
        return None
    deadline = max(cutoff_at(day + timedelta(days=1), config), cutoff_at(day, config) + digest_grace(config))
    return at if at < deadline else None


def last_cutoff_day(now: datetime, config: Config) -> date:
    """The latest day whose cut-off has passed (today after 07:00, else yesterday), in office time."""
    local = now.astimezone(config.office.tz)
    return local.date() if local.time() >= clock_time(config.digest.cutoff) else local.date() - timedelta(days=1)


def digest_days_due(now: datetime, config: Config, record_of: Callable[[date], object | None]) -> list[date]:
    """Days whose digest should go out now, oldest first.

    A day is due from its cut-off until `missed_grace_hours` after it (DIGEST_DUE_TOLERANCE at least),
    unless its digest was delivered or is in doubt (left 'sending' by a process that stopped
    mid-delivery after handing it over, or 'in-doubt' after a server that never confirmed: never guessed,
    never resent). A failed attempt, or one whose process stopped before the hand-over, is retried with a
    back-off until the next day's cut-off (failed_digest_retry_at), even when that is past the grace: the
    server refused it or never had it, so leadership has not had it.
    """
    day = last_cutoff_day(now, config)
    grace = digest_grace(config)
    due = []
    while now - cutoff_at(day, config) <= max(grace, timedelta(days=1)):
        rec = record_of(day)
        if rec is None:
            if now - cutoff_at(day, config) <= grace:
                due.append(day)
        else:
            retry_at = failed_digest_retry_at(day, config, rec)
            if retry_at is not None and retry_at <= now:
                due.append(day)
        day -= timedelta(days=1)
    return sorted(due)


def digest_days_missed(now: datetime, config: Config, recorded: Iterable[date], days: int = 7) -> list[date]:
    """Days of the last `days` whose digest never went out and no longer will by itself: past their grace with
    no record at all (the machine was off too long, or a job held the check past it). Counted only from the
    first digest the monitor recorded, so a new installation has missed nothing."""
    recorded = set(recorded)
    if not recorded:
        return []
    first = min(recorded)
    day = last_cutoff_day(now, config)
    grace = digest_grace(config)
    out = []
    for n in range(days):
        d = day - timedelta(days=n)
        if d > first and d not in recorded and now - cutoff_at(d, config) > grace:
            out.append(d)
    return sorted(out)


def next_digest_at(now: datetime, config: Config) -> datetime:
    local = now.astimezone(config.office.tz)
    at = cutoff_at(local.date(), config)
    return at if at > now else cutoff_at(local.date() + timedelta(days=1), config)


def next_digest_run_at(now: datetime, config: Config, record_of: Callable[[date], object | None]) -> datetime:
    """When the digest job next sends something: the next cut-off, or sooner the retry of a day whose clipping
    failed (the mail server refused it, failed_digest_retry_at). `monitor status` showed only the next cut-off, so
    after a refusal at 07:00 it said "tomorrow 07:00" while the service was to try again in ten minutes; and now,
    when a day's clipping is due and not yet attempted (the service was not running at its cut-off, still within
    the grace): the service's next tick sends it."""
    if digest_days_due(now, config, record_of):
        return now
    at = next_digest_at(now, config)
    day = last_cutoff_day(now, config)
    while now - cutoff_at(day, config) <= max(digest_grace(config), timedelta(days=1)):
        rec = record_of(day)
        retry_at = failed_digest_retry_at(day, config, rec) if rec is not None else None
        if retry_at is not None:
            at = min(at, max(retry_at, now))
        day -= timedelta(days=1)
    return at


def report_month_due(now: datetime, config: Config, last_done: str | None) -> str | None:
    """The month (YYYY-MM) whose report is due: the previous month, from the first day's cut-off on.

    `last_done` is the last month reported. A service that was off on the 1st still sends it within
    the first REPORT_GRACE_DAYS (after that, a person runs `monitor report`); never a month twice.
    """
    local = now.astimezone(config.office.tz)
    first = local.date().replace(day=1)
    if local < cutoff_at(first, config) or local >= cutoff_at(first, config) + timedelta(days=REPORT_GRACE_DAYS):
        return None
    prev = (first - timedelta(days=1)).strftime("%Y-%m")
    return prev if (last_done or "") < prev else None


def next_report_at(now: datetime, config: Config) -> datetime:
    local = now.astimezone(config.office.tz)
    first = local.date().replace(day=1)
    at = cutoff_at(first, config)
    if at > now:
        return at
    nxt = (first + timedelta(days=32)).replace(day=1)
    return cutoff_at(nxt, config)


def last_housekeeping_slot(now: datetime, config: Config) -> datetime:
    """The latest HOUSEKEEPING_AT (office time) at or before `now`."""
    local = now.astimezone(config.office.tz)
    at = datetime.combine(local.date(), HOUSEKEEPING_AT, tzinfo=config.office.tz)
    return at if at <= local else datetime.combine(local.date() - timedelta(days=1), HOUSEKEEPING_AT, tzinfo=config.office.tz)


def housekeeping_due(now: datetime, config: Config, last_ok: datetime | None) -> bool:
    """Once a day at HOUSEKEEPING_AT: due when no successful run started since the latest slot (and at the
    first start). A fixed slot, not "a day after the last run", which drifted into office hours when a run
    was late (a machine that was off) and then stayed there."""
    return last_ok is None or last_ok < last_housekeeping_slot(now, config)


def next_housekeeping_at(now: datetime, config: Config, last_ok: datetime | None) -> datetime:
    if housekeeping_due(now, config, last_ok):
        return now
    nxt = last_housekeeping_slot(now, config).astimezone(config.office.tz).date() + timedelta(days=1)
    return datetime.combine(nxt, HOUSEKEEPING_AT, tzinfo=config.office.tz)


@dataclass(frozen=True)
class CrawlGroup:
    """Enabled sources polled at one interval: one scheduler job each."""

    interval_minutes: int
    sources: tuple[str, ...]

    @property
    def job(self) -> str:
        return f"crawl:{self.interval_minutes}m"


def crawl_groups(config: Config) -> list[CrawlGroup]:
    by: dict[int, list[str]] = {}
    for s in config.sources:
        if s.enabled:
            by.setdefault(s.interval_minutes, []).append(s.name)
    return [CrawlGroup(m, tuple(names)) for m, names in sorted(by.items())]


DUE_SLACK = 0.1  # share of a source's interval: a timer firing a little early still polls it
CLOCK_SLACK = timedelta(minutes=1)  # a time recorded this far after now was written by a clock since set back


def sources_due(app: App, names: tuple[str, ...]) -> list[str]:
    """The named sources whose next poll time has come (never polled: due; backing off: not yet). One last polled
    after `now` was polled by a clock that has since been set back (it was ahead): its next time, counted from
    that clock, would hold it back by as much as the clock was wrong, so it is due."""
    now = app.now()
    out = []
    for name in names:
        src = app.config.source(name)
        if src is None or not src.enabled:
            continue
        state = app.store.source_state(name) or {}
        nxt, last = state.get("next_due_at"), state.get("last_fetch_at")
        if (not nxt or datetime.fromisoformat(nxt) <= now + timedelta(minutes=src.interval_minutes * DUE_SLACK)
                or (last and datetime.fromisoformat(last) > now + CLOCK_SLACK)):
            out.append(name)
    return out


def schedule_overview(app: App, service_running: bool | None = None) -> list[dict]:
    """Each job with its last run (from job_runs) and next run (from the configuration), for `monitor status`.

    Job runs are recorded only by `monitor serve`, under the instance lock. A run still recorded 'running'
    while no process holds that lock was cut short (a SIGKILL, a power cut): it is shown as 'interrupted',
    which the next `serve` start writes; the row itself is left alone (status only reads), and
    `last_outcome_recorded` says what the database holds. `service_running`: whether a service holds the
    lock (asked here when not given).
    """
    now = app.now()
    store = app.store
    last = store.last_job_runs()
    if service_running is None:
        service_running = lock_holder(app.config) is not None
    rows = []

    def row(job: str, every: str, nxt: datetime | None) -> None:
        r = last.get(job) or {}
        recorded = r.get("outcome")
        outcome = "interrupted" if recorded == "running" and not service_running else recorded
        rows.append({"job": job, "every": every, "last_started": r.get("started_at"), "last_finished": r.get("finished_at"),
                     "last_outcome": outcome, "last_outcome_recorded": recorded, "last_summary": r.get("summary"),
                     "next": nxt.isoformat() if nxt else None})

    for g in crawl_groups(app.config):
        # the crawler's own next poll times (back-off included); a source never polled is due now
        dues = []
        for name in g.sources:
            nxt = (store.source_state(name) or {}).get("next_due_at")
            dues.append(datetime.fromisoformat(nxt) if nxt else now)
        row(g.job, f"{g.interval_minutes} phút ({len(g.sources)} nguồn)", max(min(dues), now) if dues else None)
    if app.config.alerts.enabled:
        # a new alert goes out within its crawl job; this job runs (and is recorded) only for a delivery waiting to
        # be tried again, so "every minute" and a next run of now, beside a last run of "—", told of a job that
        # never ran
        from monitor.notify import HELD_IN_DOUBT

        waiting = store.next_delivery_attempt(HELD_IN_DOUBT)
        row(DELIVER_JOB, "khi cảnh báo chờ gửi lại", max(waiting, now) if waiting else None)
    if last.get(PAGES_JOB):  # recorded only when a page was due: shown once it has run
        row(PAGES_JOB, "khi trang đến hạn thử lại", None)
    row(DIGEST_JOB, f"hằng ngày {app.config.digest.cutoff}", next_digest_run_at(now, app.config, store.digest_record))
    row(REPORT_JOB, f"ngày 1 hằng tháng {app.config.digest.cutoff}", next_report_at(now, app.config))
    row(HOUSEKEEPING_JOB, f"hằng ngày {HOUSEKEEPING_AT:%H:%M}",
        next_housekeeping_at(now, app.config, store.last_successful_run(HOUSEKEEPING_JOB)))
    return rows


# --------------------------------------------------------------------------- the service


class Service:
    """The jobs of `monitor serve`, each recorded in job_runs and logged as one line."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.stopping = threading.Event()
        self._busy = threading.Lock()
        self._current_run: int | None = None  # the job_runs row of the job running now
        self._model_stamp = model_files_stamp(app)
        self._held_days: set[date] = set()  # digests held for good: the crawler did not cover their cut-off
        self._layouts = DriftWatch()  # outlets whose pages stopped matching their selectors, warned about once
        # the jobs (or due checks) that failed, while a caller wants them (`serve --once`: None otherwise, so a service
        # running for months keeps no list)
        self.failed: list[str] | None = None

    def refresh_classifier(self) -> None:
        """Load the classifier again when its rules or models changed on disk (an edit, a `monitor train`).

        Otherwise a long-running service would keep classifying with what it loaded at start and, each
        round, make that version current again over the analyst's `monitor reclassify`.
        """
        stamp = model_files_stamp(self.app)
        if stamp == self._model_stamp:
            return
        self._model_stamp = stamp
        old = self.app.loaded_classifier
        self.app.classifier = None
        try:
            new = self.app.classifier
        except Exception as exc:  # noqa: BLE001 - a half-saved file fails in many ways; none may stop the alerts
            # a rules file saved with a mistake, a `monitor train` stopped while writing the weights: the classifier
            # that worked goes on (new articles are still classified and alerted on) until a save that loads
            self.app.classifier = old
            log.error("quy tắc hoặc mô hình trên đĩa đã đổi nhưng không nạp được: %s%s", exc,
                      f"; vẫn phân loại bằng {old.version}" if old is not None else "")
            return
        log.info("quy tắc hoặc mô hình trên đĩa đã đổi: bộ phân loại %s -> %s", getattr(old, "version", None), new.version)

    # ---- recording

    def run_job(self, name: str, fn: Callable[[], str]) -> str | None:
        """Run one job unless a stop was requested; record it; never let an error kill the scheduler."""
        if self.stopping.is_set():
            return None
        with self._busy:  # belt and braces: the scheduler has one worker already
            store = self.app.store
            run_id = self._current_run = store.job_started(name, self.app.now())
            t0 = _time.monotonic()
            outcome, summary, hint = "ok", "", ""
            try:
                summary = fn() or ""
            except MonitorError as exc:
                outcome, summary, hint = "error", f"{type(exc).__name__}: {exc}", exc.hint
            except Exception as exc:  # noqa: BLE001 - one bad run must not stop the service
                log.exception("tác vụ %s gặp lỗi không lường trước", name)
                outcome, summary = "error", f"{type(exc).__name__}: {exc}"
            except BaseException:  # Ctrl-C or SystemExit mid-run: not a success, and what it noted stays
                outcome, summary = "interrupted", store.job_summary(run_id)
                raise
            finally:
                self._current_run = None
                if outcome == "error" and self.failed is not None:
                    self.failed.append(name)
                elapsed = _time.monotonic() - t0
                store.job_finished(run_id, self.app.now(), outcome, summary[:2000])
                (log.info if outcome == "ok" else log.error)("tác vụ %s: %s sau %.1f giây: %s%s", name,
                                                             JOB_OUTCOMES.get(outcome, outcome), elapsed, summary,
                                                             f" (cách sửa: {hint})" if hint else "")
            return summary

    # ---- jobs

    def crawl(self, sources: tuple[str, ...]) -> str:
        """Crawl the group's sources that are due (give or take DUE_SLACK), then classify, triage, alert."""
        from monitor.pipeline import run_once

        due = sources_due(self.app, sources)
        if not due and not self.app.store.pages_due(self.app.now(), limit=1, sources=sources):
            return "chưa nguồn nào đến hạn thu thập (nguồn lỗi đang chờ thử lại, hoặc vừa thu thập xong)"
        self.refresh_classifier()
        # the due check is ours (with slack for timer jitter); the crawler must not re-check and skip.
        # Pages are the whole group's: a page's retry time is its own, not its feed's
        report = run_once(self.app, sources=list(sources), poll=due, force=True)
        self._check_layouts(report)
        return summarize_pipeline(report)

    def pages_due(self) -> None:
        """Fetch pages whose retry time has come (or left pending by a crash) without polling their feeds;
        recorded only when there is one, like deliver_due. Otherwise a page would wait for its feed's next poll,
        up to a whole interval after its retry time (and a restart would leave a killed crawl's pages waiting)."""
        names = tuple(n for g in crawl_groups(self.app.config) for n in g.sources)
        if names and self.app.store.pages_due(self.app.now(), limit=1, sources=names):
            self.run_job(PAGES_JOB, lambda: self.crawl_pages(names))

    def crawl_pages(self, sources: tuple[str, ...]) -> str:
        from monitor.pipeline import run_once

        self.refresh_classifier()
        report = run_once(self.app, sources=list(sources), poll=[], force=True)
        self._check_layouts(report)
        return summarize_pipeline(report)

    def _check_layouts(self, report) -> None:
        """After a crawl that read pages: warn once about an outlet whose pages stopped matching its selectors."""
        if not getattr(report.crawl, "pages_ok", 0):
            return
        try:
            self._layouts.check(self.app.store, self.app.config, self.app.now())
        except MonitorError as exc:
            # the crawl has stored, classified and alerted by now: its job's outcome is that work's, and a check
            # that could not read the store (locked, failing) is tried again after the next crawl
            log.warning("chưa kiểm tra được giao diện trang bài của các báo (%s); sẽ thử lại sau lượt thu thập tới", exc)

    def deliver(self) -> str:
        from monitor.notify import deliver_outbox

        return _short(deliver_outbox(self.app))

    def deliver_due(self) -> None:
        """Retry queued alerts whose time has come; recorded only when there is something to send."""
        if not self.app.config.alerts.enabled:
            return
        if self.app.store.due_deliveries(self.app.now()):
            self.run_job(DELIVER_JOB, self.deliver)

    def digests(self) -> str:
        """Send every digest due now (the one at today's cut-off, or one missed while the service was off).

        Never a clipping the crawl has not filled: when no source has answered up to a day's cut-off
        (monitor.digest_delivery.crawl_gap: the service was just started after days off, every feed is
        failing), the sources that are due are crawled first, as at every start; if still none answers, the
        day is held, not sent: nothing is recorded, the job fails with the reason (the log, `monitor status`),
        and the next check (RETRY_AFTER_ERROR later) sends it once a crawl succeeds within the grace. A
        clipping saying "no news" on a day with news, recorded as delivered, would be worse than a late one.

        A day before the latest cut-off (due when digest.missed_grace_hours is a day or more) whose cut-off the
        crawler did not cover (monitor.digest_delivery.crawl_silence: the fetch log shows no feed answering
        across it) is held for good, as `monitor digest --send` holds it: no crawl now can mend that time, its
        news is missing or reached a later clipping as late arrivals. The job fails once with the reason, and
        the day is left out of the due days from then on; a person may send it with --force.
        """
        days = self.digest_days()
        if not days:
            return ""
        from monitor.digest import build_and_deliver_digest
        from monitor.digest_delivery import CrawlNotFresh, CutoffNotCovered, crawl_gap

        done, held, kept, crawled = [], [], [], False
        for day in days:
            if self.stopping.is_set():
                break
            gap = crawl_gap(self.app, day, cutoff_at(day, self.app.config))
            if gap is not None and not crawled:
                crawled = True
                log.warning("điểm báo ngày %s: chưa nguồn nào được thu thập thành công đến giờ chốt; thu thập các nguồn đến "
                            "hạn trước", f"{day:%d/%m/%Y}")
                self.catch_up_crawl()
                gap = crawl_gap(self.app, day, cutoff_at(day, self.app.config))
            if gap is not None:
                held.append(gap)
                continue
            try:
                result = build_and_deliver_digest(self.app, day, send=True, resend=False)
            except CutoffNotCovered as exc:
                self._held_days.add(day)
                log.warning("điểm báo ngày %s tạm giữ: %s", f"{day:%d/%m/%Y}", exc)
                kept.append(exc)
                continue
            if not result.ok:  # in doubt: a person must look before it is sent again
                log.warning("điểm báo ngày %s: %s", f"{day:%d/%m/%Y}", result.message)
            done.append(f"{day.isoformat()}: {_short(result)}")
        if held or kept:
            raise CrawlNotFresh("; ".join(done + [f"{g} (dịch vụ giữ lại: thử lại ở lần kiểm tra sau)" for g in held]
                                          + [f"{g} (dịch vụ giữ lại, không tự gửi)" for g in kept]),
                                hint=(held or kept)[0].hint)
        return "; ".join(done)

    def digest_days(self) -> list[date]:
        """The days whose digest is due now (digest_days_due), less those held for good since the service started."""
        due = digest_days_due(self.app.now(), self.app.config, self.app.store.digest_record)
        return [d for d in due if d not in self._held_days]

    def catch_up_crawl(self) -> None:
        """Crawl every group's due sources now (before a digest whose window the crawl has not covered)."""
        for group in crawl_groups(self.app.config):
            if self.stopping.is_set():
                return
            try:
                log.info("%s: %s", group.job, self.crawl(group.sources))
            except MonitorError as exc:
                log.error("%s trước điểm báo thất bại: %s", group.job, exc)

    def report(self) -> str:
        month = report_month_due(self.app.now(), self.app.config, self._last_report_month())
        if month is None:
            return ""
        from monitor import report as report_mod

        year, mon = (int(x) for x in month.split("-"))
        run_id = self._current_run

        def note_sending() -> None:
            # a kill between the hand-over and the job's end leaves this note on an interrupted run, which
            # counts as sent (in doubt), never as a reason to mail leadership the report a second time
            if run_id is not None:
                self.app.store.job_noted(run_id, f"{month}: {REPORT_IN_DOUBT} `monitor report --month {month} --send`")

        result = report_mod.build_and_deliver_report(self.app, year, mon, before_send=note_sending)
        return f"{month}: {_short(result)}"

    def _last_report_month(self) -> str | None:
        """The last month the service reported: its report job's summary starts with "YYYY-MM:".

        The report module keeps no record of its own (a person may run `monitor report` any number of
        times); what matters here is only what the service itself sent. A run interrupted while handing the
        e-mail over counts too: it may have arrived, and a second copy to leadership is worse than a person
        checking the mailbox (its summary says so).
        """
        for run in self.app.store.job_history(REPORT_JOB, limit=50):
            head = run["summary"][:8]
            if run["outcome"] in ("ok", "interrupted") and len(head) == 8 and head[4] == "-" and head[7] == ":" and head[:4].isdigit():
                return head[:7]
        return None

    def housekeeping(self) -> str:
        store = self.app.store
        if not housekeeping_due(self.app.now(), self.app.config, store.last_successful_run(HOUSEKEEPING_JOB)):
            return ""
        keep = self.app.config.storage.raw_html_retention_days
        purged = store.purge_raw_html(self.app.now() - timedelta(days=keep))
        before = self.app.now() - LOG_RETENTION
        fetches, runs = store.prune_fetches(before), store.prune_job_runs(before)
        held = store.prune_digest_articles(before.astimezone(self.app.config.office.tz).date())
        m = store.maintain()
        return (f"đã xóa HTML gốc của {purged} bài cũ hơn {keep} ngày (giữ bài của hồ sơ đang mở); "
                f"đã dọn {fetches} lượt tải, {runs} lượt chạy tác vụ và {held} nội dung điểm báo cũ hơn {LOG_RETENTION.days} "
                f"ngày; đã tối ưu cơ sở dữ liệu; đã chép {m['checkpointed']}/{m['wal_frames']} trang của nhật ký WAL vào tệp "
                f"dữ liệu{' (chưa chép hết: có tiến trình khác đang đọc, lần dọn sau chép tiếp)' if m['wal_busy'] else ''}")

    def due_work(self) -> None:
        """The periodic check for clock-based work: digests, the monthly report, housekeeping.

        Each is recorded only when it actually did something, so job_runs is not a list of empty ticks.
        """
        for name, fn, check in (
            (DIGEST_JOB, self.digests, self.digest_days),
            (REPORT_JOB, self.report, self._report_due),
            (HOUSEKEEPING_JOB, self.housekeeping,
             lambda: housekeeping_due(self.app.now(), self.app.config, self.app.store.last_successful_run(HOUSEKEEPING_JOB))),
        ):
            if self.stopping.is_set():
                return
            if self._failed_recently(name):
                continue
            try:
                due = check()
            except MonitorError as exc:
                # the environment (a damaged or locked database): one line saying so, as a job's failure is
                log.error("không kiểm tra được %s đã đến hạn chưa: %s: %s%s", name, type(exc).__name__, exc,
                          f" (cách sửa: {exc.hint})" if exc.hint else "")
                if self.failed is not None:
                    self.failed.append(name)
                continue
            except Exception:  # noqa: BLE001 - a failed check is logged and retried at the next tick
                log.exception("không kiểm tra được %s đã đến hạn chưa", name)
                if self.failed is not None:
                    self.failed.append(name)
                continue
            if due:
                self.run_job(name, fn)

    def _failed_recently(self, job: str) -> bool:
        """A job whose last run failed waits RETRY_AFTER_ERROR before the tick tries it again (no log storm)."""
        last = self.app.store.last_job_runs().get(job)
        if not last or last["outcome"] != "error" or not last["finished_at"]:
            return False
        # a failure "in the future" was timed by a clock since set back: not a reason to wait the step out too
        return -CLOCK_SLACK < self.app.now() - datetime.fromisoformat(last["finished_at"]) < RETRY_AFTER_ERROR

    def _report_due(self) -> bool:
        try:
            from monitor import report as report_mod
        except ImportError:
            return False
        if not hasattr(report_mod, "build_and_deliver_report"):
            return False
        return report_month_due(self.app.now(), self.app.config, self._last_report_month()) is not None


def model_files_stamp(app: App) -> tuple:
    """Modification times of the files the classifier is loaded from (rules, models metadata)."""
    try:
        from classifiers.classify import BUNDLE_NAME, SHIPPED_MODELS_DIR
        from classifiers.rules import load_rules
    except ImportError:
        return ()
    paths = [Path(d) / BUNDLE_NAME / "metadata.json"
             for d in (app.models_dir or app.config.storage.models_dir, SHIPPED_MODELS_DIR) if d]
    # the office's own rules file when it has one (what the classifier loads), whether or not it is loaded yet
    rules = getattr(getattr(app.loaded_classifier, "rules", None), "path", None) or app.config.storage.rules_file
    if rules is None:
        try:
            rules = load_rules(None).path
        except MonitorError:
            rules = None
    if rules is not None:
        paths.append(Path(rules))
    return tuple((str(p), p.stat().st_mtime_ns if p.exists() else None) for p in paths)


def summarize_pipeline(report) -> str:
    """A crawl job's one-line summary (serve's log, job_runs, `monitor status --json`): each stage's own words."""
    crawl = getattr(report, "crawl", None)
    # a stage that did nothing is left out ("không có bài nào cần phân loại" after every quiet poll is noise), unless
    # none did anything: then the first that says so
    stages = [s for s in (report.classify, report.triage, report.delivery) if s is not None]
    busy = [s for s in stages if not getattr(s, "idle", False)]
    parts = [_short(crawl)] + [_short(s) for s in (busy if busy or crawl is not None else stages[:1])]
    return "; ".join(p for p in parts if p)


def _short(obj) -> str:
    """A one-line summary of a stage's report: its own `summary()` / `summary`, which every report the jobs hold
    has (Vietnamese, for the clerk who reads the log or `monitor status`); str() of anything else."""
    if obj is None:
        return ""
    s = getattr(obj, "summary", None)
    if callable(s):
        s = s()
    if isinstance(s, str) and s:
        return s.replace("\n", " ")
    # no field names of a dataclass ("assigned=3 new_stories=2"): a report without words of its own is a bug of
    # that report, mended there
    return str(obj).replace("\n", " ")[:300]
