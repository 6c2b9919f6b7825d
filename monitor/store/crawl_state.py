"""Sources' crawl state, the fetch log and feed health."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Iterable

from monitor.models import SourceHealth
from monitor.store.base import from_iso, utc_iso

FAILING_AFTER = 3  # consecutive failures before a feed is "failing" rather than merely backing off
FAILING_SCORE = 3.0
MAX_BACKOFF = timedelta(hours=24)
QUIET_MIN_ITEMS = 4  # a rhythm needs a few items before silence can break it
ANSWERED = ("ok", "not-modified", "unchanged")  # fetch-log outcomes of a feed that answered


class CrawlStateMixin:
    def sync_sources(self, sources: Iterable, now: datetime | None = None) -> None:
        """Make the sources table match feeds.yaml; a source gone from the file is kept and shown as removed. Each
        time a source is turned off (`enabled: false`, or removed) or back on is recorded (source_changes), for
        crawl_history to read an old day with the feeds polled then."""
        now = utc_iso(now or datetime.now().astimezone())
        names = []
        with self.transaction() as db:
            def changed(name: str, enabled: bool) -> None:
                db.execute("INSERT INTO source_changes(source, at, enabled) VALUES (?, ?, ?)", (name, now, int(enabled)))

            for s in sources:
                names.append(s.name)
                row = db.execute("SELECT url, enabled, removed_at FROM sources WHERE name = ?", (s.name,)).fetchone()
                if row is None:
                    db.execute("INSERT INTO sources(name, url, outlet, enabled, interval_minutes) VALUES (?,?,?,?,?)",
                               (s.name, s.url, s.outlet, int(s.enabled), s.interval_minutes))
                    if not s.enabled:
                        changed(s.name, False)
                    continue
                if (bool(row["enabled"]) and row["removed_at"] is None) != bool(s.enabled):
                    changed(s.name, s.enabled)
                if row["url"] != s.url:
                    # validators and the body hash belong to the old URL
                    db.execute("UPDATE sources SET etag = NULL, last_modified = NULL, body_hash = NULL, next_due_at = NULL"
                               " WHERE name = ?", (s.name,))
                db.execute("UPDATE sources SET url = ?, outlet = ?, enabled = ?, interval_minutes = ?, removed_at = NULL"
                           " WHERE name = ?", (s.url, s.outlet, int(s.enabled), s.interval_minutes, s.name))
            marks = ",".join("?" * len(names))
            db.execute("INSERT INTO source_changes(source, at, enabled) SELECT name, ?, 0 FROM sources"
                       f" WHERE enabled = 1 AND removed_at IS NULL AND name NOT IN ({marks})", (now, *names))
            db.execute(f"UPDATE sources SET enabled = 0, removed_at = COALESCE(removed_at, ?) WHERE name NOT IN ({marks})",
                       (now, *names))

    def due_sources(self, now: datetime) -> list[str]:
        return [r[0] for r in self.execute(
            "SELECT name FROM sources WHERE enabled = 1 AND removed_at IS NULL AND (next_due_at IS NULL OR next_due_at <= ?)"
            " ORDER BY COALESCE(next_due_at, ''), name", (utc_iso(now),))]

    def last_feed_success(self) -> datetime | None:
        """When a feed of a configured source last answered (the newest across them), or None: never."""
        row = self.execute("SELECT MAX(last_success_at) FROM sources WHERE enabled = 1 AND removed_at IS NULL").fetchone()
        return from_iso(row[0]) if row and row[0] else None

    def poll_times(self) -> list[dict]:
        """Each configured source's polling times: name, interval_minutes, last_fetch_at (its last poll, whatever
        the outcome), last_success_at and next_due_at (as datetimes or None)."""
        rows = self.execute("SELECT name, interval_minutes, last_fetch_at, last_success_at, next_due_at FROM sources"
                            " WHERE enabled = 1 AND removed_at IS NULL ORDER BY name").fetchall()
        return [{"name": r["name"], "interval_minutes": r["interval_minutes"],
                 **{k: from_iso(r[k]) if r[k] else None for k in ("last_fetch_at", "last_success_at", "next_due_at")}}
                for r in rows]

    def crawl_history(self, at: datetime, lookback: timedelta, *, crawl_jobs: str = "crawl:") -> dict | None:
        """What the fetch log and the service's crawl-job runs (named `crawl_jobs`*) recorded around `at`, or None
        when the log holds no feed poll at all (nothing was ever crawled):
        answered: source -> its last poll in the `lookback` before `at` that the feed answered; last_answer: the last
        such poll of any source at or before `at`, however long before; last_poll: the last feed poll at or before `at`
        whatever its outcome, or crawl-job run (the crawler was running, though every source may have been backing
        off); last_feed_poll: the last feed poll alone; next_answer: the first poll after `at` that a feed answered
        (None: none yet).

        Of the polls up to `at`, only those of feeds enabled at `at` count: a feed disabled in feeds.yaml or removed
        from it before then, and not enabled again by then (source_changes), is left out. The log is pruned
        (prune_fetches) but keeps each source's latest poll, so a feed turned off long ago leaves one poll behind for
        good, and a day older than the log's first kept poll would otherwise read as a silence from that lone poll
        onwards. A poll after `at` is one of a feed enabled when it was made, turned on again since if need be: the
        collection it shows resumed."""
        if self.execute("SELECT 1 FROM fetches WHERE kind = 'feed' LIMIT 1").fetchone() is None:
            return None
        t = utc_iso(at)
        ok = ",".join("?" * len(ANSWERED))
        # a source never turned off has no change: it counts
        configured = (" AND COALESCE((SELECT c.enabled FROM source_changes c WHERE c.source = fetches.source"
                      " AND c.at <= ? ORDER BY c.at DESC, c.id DESC LIMIT 1), 1) = 1")
        answered = {r[0]: from_iso(r[1]) for r in self.execute(
            f"SELECT source, MAX(started_at) FROM fetches WHERE kind = 'feed' AND outcome IN ({ok})"
            f" AND started_at >= ? AND started_at <= ? AND source IS NOT NULL{configured} GROUP BY source",
            (*ANSWERED, utc_iso(at - lookback), t, t))}

        def one(sql: str, *params) -> datetime | None:
            # ORDER BY ... LIMIT 1 walks the time index from `at` and stops at the first row: the log holds months
            row = self.execute(sql, params).fetchone()
            return from_iso(row[0]) if row else None

        last_answer = one(f"SELECT started_at FROM fetches WHERE kind = 'feed' AND outcome IN ({ok})"
                          f" AND started_at <= ?{configured} ORDER BY started_at DESC LIMIT 1", *ANSWERED, t, t)
        polled = one(f"SELECT started_at FROM fetches WHERE kind = 'feed' AND started_at <= ?{configured}"
                     " ORDER BY started_at DESC LIMIT 1", t, t)
        ran = one("SELECT started_at FROM job_runs WHERE job LIKE ? AND started_at <= ? ORDER BY started_at DESC"
                  " LIMIT 1", crawl_jobs + "%", t)
        after = one(f"SELECT started_at FROM fetches WHERE kind = 'feed' AND outcome IN ({ok}) AND started_at > ?"
                    " ORDER BY started_at LIMIT 1", *ANSWERED, t)
        return {"answered": answered, "last_answer": last_answer, "last_feed_poll": polled,
                "last_poll": max(filter(None, (polled, ran)), default=None), "next_answer": after}

    def ever_crawled(self) -> bool:
        """Whether the crawler ever polled a feed (whatever the answer) or collected an article: False on a new install
        before its first crawl. A source's last poll outlives the pruned fetch log, and is kept for a removed source."""
        return self.execute(
            "SELECT EXISTS (SELECT 1 FROM sources WHERE last_fetch_at IS NOT NULL)"
            " OR EXISTS (SELECT 1 FROM fetches WHERE kind = 'feed')"
            " OR EXISTS (SELECT 1 FROM articles)").fetchone()[0] == 1

    def collected_by(self, at: datetime) -> bool:
        """Whether any article was first collected at or before `at` (the crawler ran by then)."""
        return self.execute("SELECT 1 FROM articles WHERE first_seen_at <= ? LIMIT 1", (utc_iso(at),)).fetchone() is not None

    def failed_feed_polls(self, since: datetime | None, until: datetime | None) -> int:
        """Feed polls in the fetch log strictly between `since` and `until` (open ends when None) that failed."""
        return self.execute("SELECT COUNT(*) FROM fetches WHERE kind = 'feed' AND outcome = 'error'"
                            " AND (? IS NULL OR started_at > ?) AND (? IS NULL OR started_at < ?)",
                            (utc_iso(since), utc_iso(since), utc_iso(until), utc_iso(until))).fetchone()[0]

    def source_state(self, name: str) -> dict | None:
        row = self.execute("SELECT * FROM sources WHERE name = ?", (name,)).fetchone()
        return dict(row) if row else None

    def log_fetch(self, *, source: str | None, kind: str, url: str, started_at: datetime, status: int | None,
                  size: int, duration_ms: int, outcome: str, new_items: int = 0, error: str | None = None) -> None:
        self.execute(
            "INSERT INTO fetches(source, kind, url, started_at, status, bytes, duration_ms, new_items, outcome, error)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            (source, kind, url, utc_iso(started_at), status, size, duration_ms, new_items, outcome, error))

    def prune_fetches(self, before: datetime) -> int:
        """Delete fetch-log rows started before `before`, except each source's latest (its last answer)."""
        with self.transaction() as db:
            return db.execute(
                "DELETE FROM fetches WHERE started_at < ?"
                " AND id NOT IN (SELECT MAX(id) FROM fetches WHERE source IS NOT NULL GROUP BY source)",
                (utc_iso(before),)).rowcount

    def recent_fetches(self, source: str | None = None, limit: int = 100, kind: str | None = None) -> list[dict]:
        sql, params = "SELECT * FROM fetches WHERE 1=1", []
        if source is not None:
            sql += " AND source = ?"
            params.append(source)
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        return [dict(r) for r in self.execute(sql, params)]

    def record_feed_success(self, name: str, now: datetime, *, status: int, etag: str | None, last_modified: str | None,
                            body_hash: str | None, new_items: int, items: int | None, warning: str | None,
                            not_modified: bool = False) -> None:
        """A feed answered. Validators are the server's: replaced by what it sent, kept on a bare 304."""
        row = self.source_state(name)
        interval = timedelta(minutes=row["interval_minutes"] if row else 30)
        if not_modified:
            etag = etag or (row or {}).get("etag")
            last_modified = last_modified or (row or {}).get("last_modified")
            body_hash = (row or {}).get("body_hash")
        self.execute(
            "UPDATE sources SET etag = ?, last_modified = ?, body_hash = ?, last_fetch_at = ?, last_success_at = ?,"
            " last_new_item_at = CASE WHEN ? > 0 THEN ? ELSE last_new_item_at END, next_due_at = ?,"
            " consecutive_failures = 0, failure_score = failure_score * 0.5, last_status = ?, last_error = NULL,"
            " last_warning = CASE WHEN ? THEN last_warning ELSE ? END, last_items = COALESCE(?, last_items), health = 'ok'"
            " WHERE name = ?",
            (etag, last_modified, body_hash, utc_iso(now), utc_iso(now), new_items, utc_iso(now), utc_iso(now + interval),
             status, int(not_modified), warning, items, name))

    def record_feed_failure(self, name: str, now: datetime, *, status: int | None, error: str, weight: float,
                            retry_after: float | None = None) -> tuple[str, datetime]:
        """A feed failed: score and back-off grow; returns (health, next due)."""
        row = self.source_state(name) or {}
        interval = timedelta(minutes=row.get("interval_minutes") or 30)
        failures = (row.get("consecutive_failures") or 0) + 1
        score = (row.get("failure_score") or 0.0) * 0.7 + weight
        delay = min(MAX_BACKOFF, interval * (2 ** min(failures - 1, 6)))
        if retry_after:
            delay = max(delay, timedelta(seconds=retry_after))
        health = "failing" if failures >= FAILING_AFTER or score >= FAILING_SCORE else "backoff"
        due = now + delay
        self.execute(
            "UPDATE sources SET last_fetch_at = ?, next_due_at = ?, consecutive_failures = ?, failure_score = ?,"
            " last_status = ?, last_error = ?, health = ? WHERE name = ?",
            (utc_iso(now), utc_iso(due), failures, score, status, error, health, name))
        return health, due

    def _quiet(self, row, now: datetime, quiet_factor: float) -> str | None:
        """Why a working feed looks silent, or None: no items at all, or a gap far beyond its usual rhythm."""
        if row["last_success_at"] and row["last_items"] == 0:
            return "the feed answered with no items"
        times = sorted(from_iso(r[0]) for r in self.execute(
            "SELECT a.published_at FROM articles a JOIN article_feeds f ON f.article_id = a.id"
            " WHERE f.source = ? AND a.published_at IS NOT NULL ORDER BY a.published_at DESC LIMIT 40", (row["name"],)))
        if len(times) < QUIET_MIN_ITEMS:
            return None
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
        usual = max(statistics.median(gaps), 60.0)
        latest = max(times[-1], from_iso(row["last_new_item_at"]) or times[-1])
        silent = (now - latest).total_seconds()
        limit = max(quiet_factor * usual, 2 * 60 * (row["interval_minutes"] or 30))
        if silent > limit:
            return f"no new item for {silent / 3600:.1f} h; usually one every {usual / 3600:.1f} h"
        return None

    def source_health(self, now: datetime, quiet_factor: float = 6.0) -> list[SourceHealth]:
        """Every source ever configured, with what `monitor status` and the digest appendix show."""
        out = []
        since = utc_iso(now - timedelta(hours=24))
        for row in self.execute("SELECT * FROM sources ORDER BY removed_at IS NOT NULL, name").fetchall():
            health, error = row["health"], row["last_error"]
            if row["removed_at"]:
                health, error = "disabled", error or "removed from feeds.yaml"
            elif not row["enabled"]:
                health = "disabled"
            elif health == "ok":
                why = self._quiet(row, now, quiet_factor)
                if why:
                    health, error = "quiet", why
                elif row["last_warning"]:
                    error = row["last_warning"]
            items = self.execute("SELECT COUNT(*) FROM article_feeds WHERE source = ? AND seen_at >= ?",
                                 (row["name"], since)).fetchone()[0]
            out.append(SourceHealth(
                name=row["name"], outlet=row["outlet"], url=row["url"], health=health,
                last_success=from_iso(row["last_success_at"]), last_error=error,
                consecutive_failures=row["consecutive_failures"], failure_score=round(row["failure_score"], 2),
                next_due=from_iso(row["next_due_at"]), items_24h=items))
        return out
