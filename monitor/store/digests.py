"""Digests delivered: one row per day so a day's clipping leaves once, and the history of attempts.

Also the light read queries the digest and the monthly report need over many days (counts by tone,
late arrivals) so they do not load every article body of a week or a month.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Iterable, Iterator

from monitor.models import Article
from monitor.store.articles import ARTICLE_COLUMNS, row_to_article
from monitor.store.base import from_iso, utc_iso
from monitor.store.classifications import LABEL_IN_FORCE, current_classification, version_or_current

DELIVERED = ("sent", "outbox")
# 'sending': the process stopped mid-delivery; 'in-doubt': the SMTP server took the message and never
# confirmed it. Either way it may have gone out, and only a person's --resend sends it again.
IN_DOUBT = ("sending", "in-doubt")
# A 'sending' claim younger than this is taken for another process delivering the day right now: the claim
# is written just before the hand-over, which takes seconds (a few SMTP timeouts at worst). An older one
# was left by a process that stopped mid-delivery: in doubt when it had handed the message over, and
# otherwise (it stopped while connecting, logging in, naming the recipients) nothing left, and it is retried.
SENDING_NOW = timedelta(minutes=5)
STOPPED_BEFORE_HAND_OVER = "the run delivering it stopped before handing it to the mail server: nothing went out"


@dataclass(frozen=True)
class DigestRecord:
    day: date
    window_start: datetime
    cutoff_at: datetime
    status: str  # sending | in-doubt | sent | outbox | failed
    channel: str  # smtp | outbox
    formats: tuple[str, ...]
    paths: dict
    recipients: tuple[str, ...]
    message_id: str | None
    items: int
    started_at: datetime
    sent_at: datetime | None
    error: str | None
    deliveries: int
    refused: dict = field(default_factory=dict)  # recipient -> the SMTP server's refusal, of the last delivery
    failures: int = 0  # failed attempts of the day (the service backs off by them)
    handed_over_at: datetime | None = None  # when the current attempt handed the message over (None: not yet)

    @property
    def delivered(self) -> bool:
        return self.status in DELIVERED

    @property
    def in_doubt(self) -> bool:
        return self.status in IN_DOUBT

    def sending_now(self, now: datetime) -> bool:
        """Claimed recently enough to be another live process delivering the day at this moment."""
        return self.status == "sending" and self.started_at is not None and abs(now - self.started_at) < SENDING_NOW

    def stopped_before_hand_over(self, now: datetime) -> bool:
        """Left 'sending' by a run that stopped before the message was handed over: nothing went out, so it is
        sent again like a failed attempt, not held in doubt for a person."""
        return self.status == "sending" and self.handed_over_at is None and not self.sending_now(now)


@dataclass(frozen=True)
class DigestClaim:
    """The outcome of asking to deliver a day: granted (with the attempt's id) or why not."""

    granted: bool
    reason: str  # new | retry | resend | delivered | in-doubt
    record: DigestRecord | None
    delivery_id: int | None = None


def _record(row) -> DigestRecord:
    return DigestRecord(
        day=date.fromisoformat(row["day"]), window_start=from_iso(row["window_start"]), cutoff_at=from_iso(row["cutoff_at"]),
        status=row["status"], channel=row["channel"], formats=tuple(json.loads(row["formats"])),
        paths=json.loads(row["paths"]), recipients=tuple(json.loads(row["recipients"])), message_id=row["message_id"],
        items=row["items"], started_at=from_iso(row["started_at"]), sent_at=from_iso(row["sent_at"]),
        error=row["error"], deliveries=row["deliveries"], refused=json.loads(row["refused"] or "{}"),
        failures=row["failures"] if "failures" in row.keys() else 0,
        handed_over_at=from_iso(row["handed_over_at"]) if "handed_over_at" in row.keys() else None,
    )


_SELECT = ("SELECT d.*, (SELECT COUNT(*) FROM digest_deliveries x WHERE x.day = d.day AND x.status = 'failed')"
           " AS failures, (SELECT x.handed_over_at FROM digest_deliveries x WHERE x.day = d.day ORDER BY x.id DESC LIMIT 1)"
           " AS handed_over_at FROM digests d")


# an article's current classification (monitor.store.classifications.current_classification)
_CURRENT = current_classification()


class DigestsMixin:
    def claim_digest(self, day: date, *, window_start: datetime, cutoff_at: datetime, channel: str,
                     recipients: tuple[str, ...], formats: tuple[str, ...], message_id: str | None, items: int,
                     now: datetime, resend: bool = False, article_ids: Iterable[int] = ()) -> DigestClaim:
        """Atomically mark `day` as being delivered, unless it already was (or may have been).

        A day already delivered, or in doubt (left 'sending' by a process that stopped mid-delivery, or
        'in-doubt' after a server that never confirmed), is granted only with `resend`; a failed attempt
        is retried, and so is one left 'sending' by a process that stopped before handing the message over
        (its attempt is closed as failed, saying so). Two processes racing for the same day
        cannot both be granted: the check and the write share one IMMEDIATE transaction. `article_ids`: the
        articles the clipping was built from (see articles_in_earlier_digests).
        """
        key = day.isoformat()
        with self.transaction() as db:
            row = db.execute(_SELECT + " WHERE d.day = ?", (key,)).fetchone()
            current = _record(row) if row else None
            if current is None:
                reason = "new"
            elif current.stopped_before_hand_over(now):
                reason = "retry"
                db.execute("UPDATE digest_deliveries SET status = 'failed', finished_at = ?, error = ?"
                           " WHERE day = ? AND status = 'sending'", (utc_iso(now), STOPPED_BEFORE_HAND_OVER, key))
            elif current.status in DELIVERED:
                reason = "resend" if resend else "delivered"
            elif current.status in IN_DOUBT:
                reason = "resend" if resend else "in-doubt"
            else:
                reason = "retry"
            if reason in ("delivered", "in-doubt"):
                return DigestClaim(False, reason, current)
            values = (utc_iso(window_start), utc_iso(cutoff_at), channel, json.dumps(list(formats)),
                      json.dumps(list(recipients), ensure_ascii=False), message_id, items, utc_iso(now))
            if current is None:
                db.execute("INSERT INTO digests(window_start, cutoff_at, status, channel, formats, recipients, message_id,"
                           " items, started_at, day) VALUES (?,?,'sending',?,?,?,?,?,?,?)", (*values, key))
            else:
                db.execute("UPDATE digests SET window_start = ?, cutoff_at = ?, status = 'sending', channel = ?, formats = ?,"
                           " recipients = ?, message_id = ?, items = ?, started_at = ?, error = NULL, refused = '{}'"
                           " WHERE day = ?",
                           (*values, key))
            db.execute("DELETE FROM digest_articles WHERE day = ?", (key,))
            db.executemany("INSERT OR IGNORE INTO digest_articles(day, article_id) VALUES (?, ?)",
                           ((key, int(i)) for i in article_ids))
            cur = db.execute("INSERT INTO digest_deliveries(day, started_at, status, channel, recipients, message_id, resend)"
                             " VALUES (?,?,'sending',?,?,?,?)",
                             (key, utc_iso(now), channel, json.dumps(list(recipients), ensure_ascii=False), message_id,
                              int(reason == "resend")))
            record = _record(db.execute(_SELECT + " WHERE d.day = ?", (key,)).fetchone())
        return DigestClaim(True, reason, record, cur.lastrowid)

    def digest_handing_over(self, delivery_id: int, now: datetime) -> bool:
        """The claimed attempt is handing the message over now (from here on it may arrive); False when the
        attempt is no longer the day's current one (another run took the day over, finding this one stalled
        for SENDING_NOW before the hand-over): then this one must not send."""
        return self.execute("UPDATE digest_deliveries SET handed_over_at = ? WHERE id = ? AND status = 'sending'",
                            (utc_iso(now), delivery_id)).rowcount == 1

    def finish_digest(self, day: date, delivery_id: int, *, status: str, now: datetime, paths: dict | None = None,
                      error: str | None = None, refused: dict[str, str] | None = None) -> DigestRecord:
        """Record how the claimed delivery ended: sent | outbox (both count as delivered) | failed | in-doubt
        (the server took it without confirming: it stays out of every automatic retry), with the recipients
        the server refused while it took the message for the others. The day's row follows only its current
        attempt: one another run has taken over since leaves it to that run."""
        if status not in ("sent", "outbox", "failed", "in-doubt"):
            raise ValueError(f"unknown digest status {status!r}")
        key = day.isoformat()
        delivered = int(status in DELIVERED)
        refused_json = json.dumps(refused or {}, ensure_ascii=False)
        with self.transaction() as db:
            db.execute("UPDATE digest_deliveries SET status = ?, finished_at = ?, error = ?, refused = ? WHERE id = ?",
                       (status, utc_iso(now), error, refused_json, delivery_id))
            db.execute("UPDATE digests SET status = ?, error = ?, paths = ?, refused = ?, deliveries = deliveries + ?,"
                       " sent_at = CASE WHEN ? THEN ? ELSE sent_at END WHERE day = ?"
                       " AND NOT EXISTS (SELECT 1 FROM digest_deliveries x WHERE x.day = ? AND x.id > ?)",
                       (status, error, json.dumps({k: str(v) for k, v in (paths or {}).items()}, ensure_ascii=False),
                        refused_json, delivered, delivered, utc_iso(now), key, key, delivery_id))
            return _record(db.execute(_SELECT + " WHERE d.day = ?", (key,)).fetchone())

    def digest_record(self, day: date) -> DigestRecord | None:
        row = self.execute(_SELECT + " WHERE d.day = ?", (day.isoformat(),)).fetchone()
        return _record(row) if row else None

    def digest_records(self, limit: int = 30) -> list[DigestRecord]:
        return [_record(r) for r in self.execute(_SELECT + " ORDER BY d.day DESC LIMIT ?", (limit,))]

    def digest_deliveries(self, day: date) -> list[dict]:
        return [dict(r) for r in self.execute("SELECT * FROM digest_deliveries WHERE day = ? ORDER BY id", (day.isoformat(),))]

    # ------------------------------------------------------------------ light reads for digests and reports

    def tone_rows(self, since: datetime, until: datetime, version: str | None = None) -> list[tuple[datetime, bool, str, int]]:
        """(publication time, is_education, sentiment, article id) of classified articles in [since, until); without
        `version`, each as its current classification (`_CURRENT`) judged it: the clipping's week of an old day
        reads the days before a retraining's --since as their articles are shown."""
        explicit = version is not None
        version = version or self.active_model_version()
        if not version:
            return []
        rows = self.execute(
            "SELECT COALESCE(a.published_at, a.first_seen_at) AS t, c.is_education, c.sentiment, a.id FROM articles a"
            f" JOIN classifications c ON c.article_id = a.id AND {version_or_current(explicit)}"
            " WHERE COALESCE(a.published_at, a.first_seen_at) >= ? AND COALESCE(a.published_at, a.first_seen_at) < ?",
            (version, utc_iso(since), utc_iso(until)))
        return [(from_iso(r["t"]), bool(r["is_education"]), r["sentiment"], r["id"]) for r in rows]

    def prune_digest_articles(self, before: date) -> int:
        """Forget which articles the clippings of days before `before` held: only the last few days' matter
        (a late arrival is at most LATE_ARRIVAL old), and the list grows by a day's articles every day."""
        with self.transaction() as db:
            return db.execute("DELETE FROM digest_articles WHERE day < ?", (before.isoformat(),)).rowcount

    def articles_in_earlier_digests(self, day: date, article_ids: Iterable[int]) -> set[int]:
        """Those of `article_ids` that a clipping of an earlier day was built from and delivered (or may have
        been: in doubt): the reader has had them."""
        ids = [int(i) for i in article_ids]
        if not ids:
            return set()
        statuses = DELIVERED + IN_DOUBT
        rows = self.execute(
            f"SELECT DISTINCT da.article_id FROM digest_articles da JOIN digests d ON d.day = da.day"
            f" WHERE da.day < ? AND d.status IN ({','.join('?' * len(statuses))})"
            f" AND da.article_id IN ({','.join('?' * len(ids))})", (day.isoformat(), *statuses, *ids))
        return {r[0] for r in rows}

    def articles_in_later_digests(self, day: date, article_ids: Iterable[int]) -> set[int]:
        """Those of `article_ids` that a clipping of a later day was built from and delivered (or may have been):
        a clipping sent after it (a day held after an outage and sent by hand, a resend) does not repeat them."""
        ids = [int(i) for i in article_ids]
        statuses = DELIVERED + IN_DOUBT
        out: set[int] = set()
        for k in range(0, len(ids), 500):  # a whole day's articles: kept under SQLite's limit of bound values
            chunk = ids[k:k + 500]
            out.update(r[0] for r in self.execute(
                f"SELECT DISTINCT da.article_id FROM digest_articles da JOIN digests d ON d.day = da.day"
                f" WHERE da.day > ? AND d.status IN ({','.join('?' * len(statuses))})"
                f" AND da.article_id IN ({','.join('?' * len(chunk))})", (day.isoformat(), *statuses, *chunk)))
        return out

    def late_articles(self, since: datetime, until: datetime, not_before: datetime) -> list[Article]:
        """Articles first collected in [since, until) but published before `since` (and not before `not_before`).

        These missed the clipping of the day they were published (the feed or the page came late), so
        the next clipping carries them; `not_before` keeps a new feed's back catalogue out.
        """
        rows = self.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE first_seen_at >= ? AND first_seen_at < ? AND published_at < ?"
            " AND published_at >= ?"
            " ORDER BY published_at, id", (utc_iso(since), utc_iso(until), utc_iso(since), utc_iso(not_before)))
        return [row_to_article(r) for r in rows.fetchall()]

    def education_topics_between(self, since: datetime, until: datetime) -> Iterator[tuple[datetime, tuple[str, ...]]]:
        """(published, plan topics) of the education articles in [since, until), each as its current classification
        (`_CURRENT`) judged it: a year of them for the forecast's seasonality (monitor.forecast), without their text."""
        version = self.active_model_version()
        if not version:
            return iter(())
        rows = self.execute(
            "SELECT COALESCE(a.published_at, a.first_seen_at) AS t, c.topics FROM articles a"
            f" JOIN classifications c ON c.article_id = a.id AND {_CURRENT}"
            " WHERE COALESCE(a.published_at, a.first_seen_at) >= ? AND COALESCE(a.published_at, a.first_seen_at) < ?"
            " AND c.is_education = 1", (version, utc_iso(since), utc_iso(until)))
        return ((from_iso(r["t"]), tuple(json.loads(r["topics"]))) for r in rows.fetchall())

    def education_rows(self, since: datetime, until: datetime, version: str | None = None, *,
                       labelled_too: bool = False) -> Iterator[dict]:
        """Education articles in [since, until) without their bodies, with their classification fields; with
        `labelled_too`, also the articles an analyst labelled education that the model did not judge so (their
        `is_education` says which; monitor.corrections puts the labels over them). Without `version`, each article
        as its current classification (`_CURRENT`) judged it."""
        explicit = version is not None
        version = version or self.active_model_version()
        if not version:
            return iter(())
        rows = self.execute(
            "SELECT a.id, a.url, a.outlet, a.title, a.sapo, COALESCE(a.published_at, a.first_seen_at) AS t,"
            " c.is_education, c.topics, c.topic_scores, c.sentiment, c.hot, c.hot_score, c.scope FROM articles a"
            f" JOIN classifications c ON c.article_id = a.id AND {version_or_current(explicit)}"
            " WHERE COALESCE(a.published_at, a.first_seen_at) >= ? AND COALESCE(a.published_at, a.first_seen_at) < ?"
            " AND (c.is_education = 1 OR (? AND EXISTS (SELECT 1 FROM labels l WHERE l.article_id = a.id"
            f" AND l.is_education = 1 AND {LABEL_IN_FORCE}))) ORDER BY t, a.id", (version, utc_iso(since), utc_iso(until), int(labelled_too)))
        return ({"id": r["id"], "url": r["url"], "outlet": r["outlet"], "title": r["title"], "sapo": r["sapo"],
                 "published": from_iso(r["t"]), "is_education": bool(r["is_education"]),
                 "topics": tuple(json.loads(r["topics"])), "topic_scores": json.loads(r["topic_scores"]),
                 "sentiment": r["sentiment"], "hot": bool(r["hot"]), "hot_score": r["hot_score"], "scope": r["scope"]}
                for r in rows.fetchall())
