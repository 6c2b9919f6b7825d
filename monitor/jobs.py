"""APScheduler 3 wiring for `monitor serve`: which Service job runs how often. No decisions here.

One worker thread, `coalesce` and `max_instances=1` on every job: the jobs share one SQLite
connection and must never overlap; a job that fell behind (a slow crawl, a sleeping laptop) runs once,
not once per missed interval. Intervals are divided by `time_scale` so that a test or a demo with a
fast clock (monitor.service.scaled_clock) sees the same schedule in seconds.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

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
