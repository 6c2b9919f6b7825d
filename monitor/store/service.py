"""Job runs of the service, the full-text index, and model-version pinning."""

from __future__ import annotations

from datetime import datetime

from monitor.cases import CLOSED_STATUSES
from monitor.store.articles import published_window
from monitor.store.base import from_iso, utc_iso


class ServiceMixin:
    # ---------------------------------------------------------------- job runs

    def job_started(self, job: str, at: datetime) -> int:
        return self.execute("INSERT INTO job_runs(job, started_at) VALUES (?, ?)", (job, utc_iso(at))).lastrowid

    def job_finished(self, run_id: int, at: datetime, outcome: str, summary: str) -> None:
        self.execute("UPDATE job_runs SET finished_at = ?, outcome = ?, summary = ? WHERE id = ?",
                     (utc_iso(at), outcome, summary, run_id))

    def job_noted(self, run_id: int, summary: str) -> None:
        """What a running job has done so far, written at once: a kill after it leaves this on the row."""
        self.execute("UPDATE job_runs SET summary = ? WHERE id = ? AND outcome = 'running'", (summary, run_id))

    def job_summary(self, run_id: int) -> str:
        row = self.execute("SELECT summary FROM job_runs WHERE id = ?", (run_id,)).fetchone()
        return (row["summary"] or "") if row else ""

    def interrupted_jobs_closed(self, at: datetime) -> int:
        """Mark runs left 'running' by a killed process, so status never shows a ghost."""
        return self.execute("UPDATE job_runs SET outcome = 'interrupted', finished_at = ? WHERE outcome = 'running'",
                            (utc_iso(at),)).rowcount

    def last_job_runs(self) -> dict[str, dict]:
        rows = self.execute(
            "SELECT j.* FROM job_runs j JOIN (SELECT job, MAX(id) AS id FROM job_runs GROUP BY job) m ON j.id = m.id")
        return {r["job"]: dict(r) for r in rows}

    # ---------------------------------------------------------------- full-text search

    def index_articles(self, docs: list[tuple[int, str, str, str]]) -> None:
        """(article id, folded title, folded sapo, folded body): replaces what was indexed for those ids."""
        with self.transaction() as db:
            for article_id, title, sapo, body in docs:
                db.execute("DELETE FROM articles_fts WHERE rowid = ?", (article_id,))
                db.execute("INSERT INTO articles_fts(rowid, title, sapo, body) VALUES (?,?,?,?)",
                           (article_id, title, sapo, body))

    def search_ids(self, fts_query: str, limit: int = 200, *, since: datetime | None = None,
                   offset: int = 0) -> list[tuple[int, float]]:
        """Article ids matching an FTS5 query over folded text, best first (bm25, title weighted), published (first
        seen when unknown) at or after `since`; `offset` skips that many of them (the next page).

        The day is a condition of the query, not a filter of its best-ranked rows: a common word matches tens of
        thousands of a year's articles, and today's would rank anywhere among them."""
        if since is None:
            return [(r[0], r[1]) for r in self.execute(
                "SELECT rowid, bm25(articles_fts, 5.0, 2.0, 1.0) AS rank FROM articles_fts WHERE articles_fts MATCH ?"
                " ORDER BY rank LIMIT ? OFFSET ?", (fts_query, limit, offset))]
        where, params = published_window(since, None, alias="a.")
        return [(r[0], r[1]) for r in self.execute(
            "SELECT articles_fts.rowid, bm25(articles_fts, 5.0, 2.0, 1.0) AS rank FROM articles_fts"
            f" JOIN articles a ON a.id = articles_fts.rowid WHERE articles_fts MATCH ? AND {where}"
            " ORDER BY rank LIMIT ? OFFSET ?", (fts_query, *params, limit, offset))]

    def unindexed_article_ids(self) -> list[int]:
        # FTS5's own table of one row per indexed article (articles_fts_docsize), not the index itself: every
        # search asks this, and listing the index's rowids reads every indexed text, a year's news
        return [r[0] for r in self.execute(
            "SELECT id FROM articles WHERE id NOT IN (SELECT id FROM articles_fts_docsize) ORDER BY id")]

    # ---------------------------------------------------------------- model versions

    def pin_model_version(self, version: str) -> None:
        """Make an earlier version current and keep it so until a reclassify or unpin (a rollback)."""
        with self.transaction() as db:
            if not db.execute("SELECT 1 FROM model_versions WHERE version = ?", (version,)).fetchone():
                from monitor.errors import InputError

                raise InputError(f"cơ sở dữ liệu không có phiên bản mô hình {version!r}; "
                                 "`monitor reclassify --versions` liệt kê các phiên bản")
            db.execute("UPDATE model_versions SET active = (version = ?), pinned = (version = ?)", (version, version))

    def pinned_model_version(self) -> str | None:
        row = self.execute("SELECT version FROM model_versions WHERE pinned = 1").fetchone()
        return row[0] if row else None

    def activate_model_version(self, version: str) -> None:
        """Make `version` current and unpin any other, at once (the end of an explicit reclassify)."""
        self.execute("UPDATE model_versions SET active = (version = ?), pinned = 0", (version,))

    def indexed_among(self, article_ids: list[int]) -> set[int]:
        """Those of `article_ids` the search index holds (FTS5's docsize table: one small row per indexed text)."""
        out: set[int] = set()
        for k in range(0, len(article_ids), 500):
            chunk = article_ids[k:k + 500]
            out |= {r[0] for r in self.execute(f"SELECT id FROM articles_fts_docsize WHERE id IN"
                                               f" ({','.join('?' * len(chunk))})", chunk)}
        return out

    def unpin_model_versions(self) -> None:
        self.execute("UPDATE model_versions SET pinned = 0")

    # ---------------------------------------------------------------- service: history and housekeeping

    def job_history(self, job: str | None = None, limit: int = 20) -> list[dict]:
        return [dict(r) for r in self.execute(
            "SELECT * FROM job_runs WHERE (? IS NULL OR job = ?) ORDER BY id DESC LIMIT ?", (job, job, limit))]

    def running_jobs(self) -> list[dict]:
        return [dict(r) for r in self.execute("SELECT * FROM job_runs WHERE outcome = 'running' ORDER BY id")]

    def last_successful_run(self, job: str) -> datetime | None:
        row = self.execute("SELECT MAX(started_at) FROM job_runs WHERE job = ? AND outcome = 'ok'", (job,)).fetchone()
        return from_iso(row[0]) if row and row[0] else None

    def purge_raw_html(self, before: datetime) -> int:
        """Drop archived page HTML of articles first seen before `before`; the extracted text stays.

        Articles of a story whose case is still open keep theirs: a case can run for weeks, and its page as
        published (and a re-extraction of it) is what the office may be asked to show."""
        marks = ",".join("?" * len(CLOSED_STATUSES))
        with self.transaction() as db:
            return db.execute(
                "UPDATE articles SET raw_html = NULL, raw_html_encoding = NULL"
                " WHERE raw_html IS NOT NULL AND first_seen_at < ? AND id NOT IN"
                " (SELECT sa.article_id FROM story_articles sa JOIN cases c ON c.story_id = sa.story_id"
                f" WHERE c.status NOT IN ({marks}))", (utc_iso(before), *CLOSED_STATUSES)).rowcount

    def prune_job_runs(self, before: datetime) -> int:
        """Delete job runs started before `before`, except each job's latest run and latest successful run
        (what `monitor status` shows and what decides whether housekeeping is due) and any still running."""
        with self.transaction() as db:
            return db.execute(
                "DELETE FROM job_runs WHERE started_at < ? AND outcome != 'running'"
                " AND id NOT IN (SELECT MAX(id) FROM job_runs GROUP BY job)"
                " AND id NOT IN (SELECT MAX(id) FROM job_runs WHERE outcome = 'ok' GROUP BY job)",
                (utc_iso(before),)).rowcount

    def maintain(self) -> dict:
        """Planner statistics, a merged full-text index and a truncated WAL: the nightly tidy-up."""
        self.execute("PRAGMA optimize")
        self.execute("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')")
        busy, log_frames, checkpointed = self.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return {"wal_busy": bool(busy), "wal_frames": log_frames, "checkpointed": checkpointed}

    def integrity_check(self) -> str:
        return "; ".join(r[0] for r in self.execute("PRAGMA integrity_check"))

    def articles_seen_since(self, since: datetime) -> int:
        return self.execute("SELECT COUNT(*) FROM articles WHERE first_seen_at >= ?", (utc_iso(since),)).fetchone()[0]

    def article_ids_between(self, since: datetime | None, until: datetime | None) -> list[int]:
        """Ids by publication time (first-seen when unknown); since inclusive, until exclusive."""
        where, params = published_window(since, until)
        return sorted(r[0] for r in self.execute(f"SELECT id FROM articles WHERE {where}", params))

    def article_labels(self, article_id: int) -> list[dict]:
        """Every label an analyst gave one article, oldest first (the history behind `labels()`): the withdrawn ones
        and the rows withdrawing them too (label_rows' fields)."""
        return self.label_rows(article_id=article_id)
