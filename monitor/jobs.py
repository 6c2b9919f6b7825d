"""APScheduler 3 wiring for `monitor serve`: which Service job runs how often. No decisions here.

One worker thread, `coalesce` and `max_instances=1` on every job: the jobs share one SQLite
connection and must never overlap; a job that fell behind (a slow crawl, a sleeping laptop) runs once,
not once per missed interval. Intervals are divided by `time_scale` so that a test or a demo with a
fast clock (monitor.service.scaled_clock) sees the same schedule in seconds.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Callable

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor.service import DELIVER_EVERY_MINUTES, DELIVER_JOB, PAGES_EVERY_MINUTES, PAGES_JOB, Service, crawl_groups


def build_scheduler(service: Service, *, time_scale: float = 1.0, tick_seconds: float = 30.0) -> BackgroundScheduler:
    """A scheduler (not started) with the crawl groups, due page retries, outbox delivery and the due-work tick."""
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=service.app.config.office.tz,
    )
    now = datetime.now(timezone.utc)
    # Crawls first (fresh articles before the digest that may be due right at start), then the tick.
    for i, group in enumerate(crawl_groups(service.app.config)):
        scheduler.add_job(
            service.run_job, IntervalTrigger(seconds=group.interval_minutes * 60 / time_scale),
            args=(group.job, lambda g=group: service.crawl(g.sources)), id=group.job, name=group.job,
            next_run_time=now + timedelta(milliseconds=10 * i),
        )
    scheduler.add_job(service.due_work, IntervalTrigger(seconds=tick_seconds), id="due", name="due",
                      next_run_time=now + timedelta(milliseconds=500))
    scheduler.add_job(
        service.pages_due, IntervalTrigger(seconds=PAGES_EVERY_MINUTES * 60 / time_scale), id=PAGES_JOB, name=PAGES_JOB,
        next_run_time=now + timedelta(seconds=PAGES_EVERY_MINUTES * 60 / time_scale),
    )
    if service.app.config.alerts.enabled:
        scheduler.add_job(
            service.deliver_due, IntervalTrigger(seconds=DELIVER_EVERY_MINUTES * 60 / time_scale),
            id=DELIVER_JOB, name=DELIVER_JOB,
            next_run_time=now + timedelta(seconds=DELIVER_EVERY_MINUTES * 60 / time_scale),
        )
    return scheduler


# The wall clock stepping by more than this (an NTP correction after a wrong start, a person setting the time, a
# virtual machine restored) is followed; a smaller step only moves the next runs by as much.
CLOCK_STEP_SECONDS = 30.0


class ClockWatch:
    """Tells when the wall clock stepped, by comparing it with the monotonic clock, which never does."""

    def __init__(self, wall: Callable[[], float] = time.time, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._wall, self._monotonic = wall, monotonic
        self._offset = wall() - monotonic()

    def step(self) -> float:
        """Seconds the wall clock stepped since the last step seen (negative: back); 0.0 when it did not."""
        offset = self._wall() - self._monotonic()
        jump = offset - self._offset
        if abs(jump) < CLOCK_STEP_SECONDS:
            return 0.0
        self._offset = offset
        return jump


def follow_clock_step(scheduler: BackgroundScheduler, jump_seconds: float) -> int:
    """Move every job's next run by a step of the wall clock; returns how many moved.

    APScheduler times its jobs by the wall clock: after a step back of an hour it would wait that hour before
    running anything (no crawl, no alert, no digest check), as if each job had just run. A step forward needs
    nothing: the jobs it made overdue run at once, once each (coalesce)."""
    if jump_seconds >= 0:
        return 0
    moved = 0
    for job in scheduler.get_jobs():
        if job.next_run_time is not None:
            job.modify(next_run_time=job.next_run_time + timedelta(seconds=jump_seconds))
            moved += 1
    return moved
