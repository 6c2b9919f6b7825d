-- The always-on service and the analyst's tools: job runs, a pinned (rolled-back) model version, and a
-- full-text index over folded text (no diacritics, đ -> d, lower case) so that "bao luc hoc duong" finds
-- "bạo lực học đường" whatever tone-mark placement the outlet used.

ALTER TABLE model_versions ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;

CREATE TABLE job_runs (
    id          INTEGER PRIMARY KEY,
    job         TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    outcome     TEXT NOT NULL DEFAULT 'running',   -- running | ok | error | interrupted
    summary     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_runs_job ON job_runs(job, started_at);

CREATE VIRTUAL TABLE articles_fts USING fts5(title, sapo, body, tokenize = 'unicode61 remove_diacritics 2');
