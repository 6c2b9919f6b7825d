"""Job runs of the service, the full-text index, and model-version pinning."""

from __future__ import annotations

from datetime import datetime

from monitor.store.base import utc_iso


class ServiceMixin:
    # ---------------------------------------------------------------- job runs

    def job_started(self, job: str, at: datetime) -> int:
        return self.execute("INSERT INTO job_runs(job, started_at) VALUES (?, ?)", (job, utc_iso(at))).lastrowid

    def job_finished(self, run_id: int, at: datetime, outcome: str, summary: str) -> None:
        self.execute("UPDATE job_runs SET finished_at = ?, outcome = ?, summary = ? WHERE id = ?",
                     (utc_iso(at), outcome, summary, run_id))

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

    def search_ids(self, fts_query: str, limit: int = 200) -> list[tuple[int, float]]:
        """Article ids matching an FTS5 query over folded text, best first (bm25, title weighted)."""
        return [(r[0], r[1]) for r in self.execute(
            "SELECT rowid, bm25(articles_fts, 5.0, 2.0, 1.0) AS rank FROM articles_fts WHERE articles_fts MATCH ?"
            " ORDER BY rank LIMIT ?", (fts_query, limit))]

    def unindexed_article_ids(self) -> list[int]:
        return [r[0] for r in self.execute(
            "SELECT id FROM articles WHERE id NOT IN (SELECT rowid FROM articles_fts) ORDER BY id")]

    # ---------------------------------------------------------------- model versions

    def pin_model_version(self, version: str) -> None:
        """Make an earlier version current and keep it so until a reclassify or unpin (a rollback)."""
        with self.transaction() as db:
            if not db.execute("SELECT 1 FROM model_versions WHERE version = ?", (version,)).fetchone():
                from monitor.errors import InputError

                raise InputError(f"no model version {version!r} in the database; `monitor reclassify --versions` lists them")
            db.execute("UPDATE model_versions SET active = (version = ?), pinned = (version = ?)", (version, version))

    def pinned_model_version(self) -> str | None:
        row = self.execute("SELECT version FROM model_versions WHERE pinned = 1").fetchone()
        return row[0] if row else None

    def unpin_model_versions(self) -> None:
        self.execute("UPDATE model_versions SET pinned = 0")
