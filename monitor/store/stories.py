"""Stories and their members, hot-issue alerts with their per-channel outbox, and cases."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import date, datetime
from typing import Iterable

from monitor.cases import (DISMISSED, HANDLED, MERGED, NOT_OURS, OPEN_STATUS, SYSTEM_ACTOR, Case, CaseEvent, Handling,
                           numbered)
from monitor.models import Story
from monitor.notify import Alert, Delivery
from monitor.store.articles import published_window
from monitor.store.base import from_iso, utc_iso
from monitor.store.classifications import (dump_hot_categories, hot_categories_of, insert_label, insert_withdrawal,
                                           version_or_current)
from monitor.triage import explained_scope, nearest_scope

_WHEN = "COALESCE(a.published_at, a.first_seen_at)"


def _latest(sql: str, params: list, group: str, per_group: int | None, per_feed: int | None, execute) -> list[dict]:
    """The rows of `sql` (id, outlet, title, sapo, when_at, `group`) oldest first, as dicts with `when`; with
    `per_group`, only each group's latest so many, and with `per_feed` those among the latest so many of a feed
    that listed them.

    Per feed, not per outlet: the outlet is only what a feed's entry in feeds.yaml calls it, and a misconfigured or
    hostile feed named like a real outlet would push that outlet's articles out of the cap with its flood. An
    article any of its feeds still holds among its latest stays, whatever another feed lists."""
    if per_group is not None:
        sql = (f"SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY {group} ORDER BY when_at DESC, id DESC)"
               f" AS nth_{group} FROM ({sql})) WHERE nth_{group} <= ?")
        params = [*params, per_group]
    if per_feed is not None:
        sql = (f"SELECT DISTINCT id, outlet, title, sapo, when_at, {group} FROM (SELECT *, ROW_NUMBER() OVER"
               f" (PARTITION BY feed ORDER BY when_at DESC, id DESC) AS nth_feed FROM (SELECT q.*,"
               f" COALESCE(f.source, '') AS feed FROM ({sql}) q LEFT JOIN article_feeds f ON f.article_id = q.id))"
               f" WHERE nth_feed <= ?")
        params = [*params, per_feed]
    keys = ("id", "outlet", "title", "sapo", group)
    return [{k: r[k] for k in keys} | {"when": from_iso(r["when_at"])}
            for r in execute(f"SELECT * FROM ({sql}) ORDER BY when_at, id", params)]


def _row_to_alert(row) -> Alert:
    return Alert(id=row["id"], story_id=row["story_id"], kind=row["kind"], severity=row["severity"],
                 hot_score=row["hot_score"], n_national=row["n_national"], created_at=from_iso(row["created_at"]),
                 subject=row["subject"], body=row["body"], payload=json.loads(row["payload"]), uid=row["uid"] or "")


def _row_to_delivery(row) -> Delivery:
    return Delivery(alert_id=row["alert_id"], channel=row["channel"], status=row["status"],
                    not_before=from_iso(row["not_before"]), next_attempt_at=from_iso(row["next_attempt_at"]),
                    attempts=row["attempts"], last_attempt_at=from_iso(row["last_attempt_at"]),
                    last_error=row["last_error"], sent_at=from_iso(row["sent_at"]),
                    refused=json.loads(row["refused"] or "{}"), in_doubt=row["in_doubt"],
                    handing_over_at=from_iso(row["handing_over_at"]))


UNCHECKED = object()  # queue_alert without `after`: whatever the story's alerts, this one is queued


class StoriesMixin:
    # ------------------------------------------------------------------ grouping input

    def unassigned_education_articles(self, version: str | None = None, ids: Iterable[int] | None = None,
                                      seen_since: datetime | None = None) -> list[int]:
        """Education articles that belong to no story yet, oldest first; only those first collected since
        `seen_since`, when given. Each as its current classification (current_classification) judges it, without
        `version`: an article collected during a rollback, which the version on disk classified and the pinned one
        never saw, is news the clipping shows, and is grouped (and alerted on) too."""
        explicit = version is not None
        version = version or self.active_model_version()
        if not version:
            return []
        sql = (f"SELECT a.id, {_WHEN} AS when_at FROM articles a JOIN classifications c ON c.article_id = a.id AND "
               + version_or_current(explicit) + " WHERE c.is_education = 1"
               " AND NOT EXISTS (SELECT 1 FROM story_articles s WHERE s.article_id = a.id)")
        params: list = [version]
        if seen_since is not None:
            sql += " AND a.first_seen_at >= ?"
            params.append(utc_iso(seen_since))
        if ids is not None:
            ids = list(ids)
            if not ids:
                return []
            sql += f" AND a.id IN ({','.join('?' * len(ids))})"
            params += ids
        # ordered here: asked for that order, SQLite walks the whole year by the index on it (articles_when) rather
        # than the few days since `seen_since`
        return [r[0] for r in sorted(self.execute(sql, params), key=lambda r: (r[1], r[0]))]

    def article_docs(self, ids: list[int]) -> list[dict]:
        """id, outlet, url, title, sapo, when for the given articles, oldest first."""
        out: list[dict] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            out += [dict(r) | {"when": from_iso(r["when_at"])} for r in self.execute(
                f"SELECT a.id, a.outlet, a.url, a.title, a.sapo, {_WHEN} AS when_at FROM articles a"
                f" WHERE a.id IN ({','.join('?' * len(chunk))})", chunk)]
        return sorted(out, key=lambda d: (d["when"], d["id"]))

    def member_docs_between(self, since: datetime, until: datetime, *, per_story: int | None = None,
                            per_feed: int | None = None) -> list[dict]:
        """Story members (id, outlet, title, sapo, when, story_id) published in [since, until), oldest first; with
        `per_story` / `per_feed`, only each story's latest so many, then of those each feed's latest so many (an
        article listed by several feeds stays while one of them holds it among its latest)."""
        return _latest(
            f"SELECT a.id, a.outlet, a.title, a.sapo, {_WHEN} AS when_at, s.story_id FROM story_articles s"
            f" JOIN articles a ON a.id = s.article_id WHERE {_WHEN} >= ? AND {_WHEN} < ?",
            [utc_iso(since), utc_iso(until)], "story_id", per_story, per_feed, self.execute)

    def open_case_member_docs_between(self, since: datetime, until: datetime, *, per_case: int | None = None,
                                      per_feed: int | None = None) -> list[dict]:
        """Articles (id, outlet, title, sapo, when, case_id) published in [since, until) of stories whose case is
        neither dismissed nor merged: what a new story may be a development of. Oldest first; `per_case` and
        `per_feed` as member_docs_between's."""
        return _latest(
            f"SELECT a.id, a.outlet, a.title, a.sapo, {_WHEN} AS when_at, c.id AS case_id FROM cases c"
            f" JOIN story_articles s ON s.story_id = c.story_id JOIN articles a ON a.id = s.article_id"
            f" WHERE c.status NOT IN (?, ?) AND {_WHEN} >= ? AND {_WHEN} < ?",
            [DISMISSED, MERGED, utc_iso(since), utc_iso(until)], "case_id", per_case, per_feed, self.execute)

    def open_case_texts_between(self, since: datetime, until: datetime, *, per_case: int) -> list[tuple]:
        """(article id, title + sapo, when, case id) of the articles published in [since, until) of stories whose
        case is neither dismissed nor merged, each case's latest `per_case`: what triage's look-back for earlier cases
        reads the names of (monitor.triage.RelatedCases), over two months. Plain rows, no feed cap: a case is a hot
        story's, the cap bounds a flood of copies in one, and open_case_member_docs_between's dicts and feed cap
        took a second over 20,000 articles."""
        rows, held = [], Counter()
        # the latest first, each case's cut in Python: a window function over two months' rows took as long again
        for r in self.execute(
                f"SELECT a.id, a.title, a.sapo, {_WHEN} AS when_at, c.id FROM cases c JOIN story_articles s"
                " ON s.story_id = c.story_id JOIN articles a ON a.id = s.article_id"
                f" WHERE c.status NOT IN (?, ?) AND {_WHEN} >= ? AND {_WHEN} < ? ORDER BY when_at DESC, a.id DESC",
                (DISMISSED, MERGED, utc_iso(since), utc_iso(until))):
            held[r[4]] += 1
            if held[r[4]] <= per_case:
                rows.append((r[0], f"{r[1]} {r[2]}", from_iso(r[3]), r[4]))
        return rows[::-1]

    def background_texts(self, since: datetime, until: datetime, limit: int = 30000) -> list[str]:
        """Title + sapo of every stored article in [since, until): the IDF background of grouping."""
        return [f"{r[0]} {r[1]}" for r in self.execute(
            f"SELECT a.title, a.sapo FROM articles a WHERE {_WHEN} >= ? AND {_WHEN} < ? ORDER BY {_WHEN} DESC LIMIT ?",
            (utc_iso(since), utc_iso(until), limit))]

    def count_articles_between(self, since: datetime, until: datetime) -> int:
        return self.execute(f"SELECT COUNT(*) FROM articles a WHERE {_WHEN} >= ? AND {_WHEN} < ?",
                            (utc_iso(since), utc_iso(until))).fetchone()[0]

    # ------------------------------------------------------------------ stories

    def create_story(self, article_id: int, now: datetime) -> int:
        """A new story whose first member is the article; or the story the article already joined, when another
        process (a second `monitor crawl`, the service) placed it between our look and now."""
        with self.transaction() as db:
            row = db.execute("SELECT story_id FROM story_articles WHERE article_id = ?", (article_id,)).fetchone()
            if row:
                return row[0]
            story_id = db.execute("INSERT INTO stories(created_at) VALUES (?)", (utc_iso(now),)).lastrowid
            db.execute("INSERT INTO story_articles(article_id, story_id, joined_at) VALUES (?,?,?)",
                       (article_id, story_id, utc_iso(now)))
        return story_id

    def add_story_member(self, story_id: int, article_id: int, now: datetime, *, similarity: float,
                         matched_id: int | None, reprint: bool) -> None:
        self.execute("INSERT OR IGNORE INTO story_articles(article_id, story_id, joined_at, similarity, matched_id, reprint)"
                     " VALUES (?,?,?,?,?,?)", (article_id, story_id, utc_iso(now), similarity, matched_id, int(reprint)))

    def unscored_story_ids(self) -> list[int]:
        """Stories with members that were never scored: a run stopped between grouping and scoring."""
        return [r[0] for r in self.execute(
            "SELECT s.id FROM stories s WHERE s.scored_at IS NULL"
            " AND EXISTS (SELECT 1 FROM story_articles m WHERE m.story_id = s.id) ORDER BY s.id")]

    def story_members(self, story_id: int) -> list[dict]:
        """Members oldest first: id, url, outlet, title, sapo, when, reprint, similarity, matched_id."""
        return [dict(r) | {"when": from_iso(r["when_at"]), "reprint": bool(r["reprint"])} for r in self.execute(
            f"SELECT a.id, a.url, a.outlet, a.title, a.sapo, {_WHEN} AS when_at, s.reprint, s.similarity, s.matched_id"
            f" FROM story_articles s JOIN articles a ON a.id = s.article_id WHERE s.story_id = ? ORDER BY {_WHEN}, a.id",
            (story_id,))]

    def story_members_joined_after(self, story_id: int, after: datetime) -> list[dict]:
        """Members (id, outlet, title, sapo, when) that joined the story after `after`, oldest first."""
        return [dict(r) | {"when": from_iso(r["when_at"])} for r in self.execute(
            f"SELECT a.id, a.outlet, a.title, a.sapo, {_WHEN} AS when_at FROM story_articles s"
            f" JOIN articles a ON a.id = s.article_id WHERE s.story_id = ? AND s.joined_at > ? ORDER BY {_WHEN}, a.id",
            (story_id, utc_iso(after)))]

    def story_news_since(self, story_id: int, since: datetime) -> bool:
        """Whether an article joined the story after `since`, or a member's text changed after it (its page came)."""
        return self.execute(
            "SELECT 1 FROM story_articles s JOIN articles a ON a.id = s.article_id WHERE s.story_id = ?"
            # text_changed_at is kept to the microsecond; a page stored in the alert's own second came before it
            " AND (s.joined_at > ? OR substr(a.text_changed_at, 1, 19) > substr(?, 1, 19)) LIMIT 1",
            (story_id, utc_iso(since), utc_iso(since))).fetchone() is not None

    def story_scored_at(self, story_id: int) -> datetime | None:
        """When triage last scored the story (None: never)."""
        row = self.execute("SELECT scored_at FROM stories WHERE id = ?", (story_id,)).fetchone()
        return from_iso(row[0]) if row and row[0] else None

    def scored_story_ids_between(self, since: datetime | None, until: datetime | None) -> list[int]:
        """Stories already scored with a member published in [since, until) (first seen when unknown, as
        articles_between), every scored story when neither is given."""
        where, params = published_window(since, until, "a.")
        return [r[0] for r in self.execute(
            "SELECT DISTINCT s.story_id FROM story_articles s JOIN articles a ON a.id = s.article_id"
            f" JOIN stories t ON t.id = s.story_id WHERE t.scored_at IS NOT NULL AND {where} ORDER BY s.story_id",
            params)]

    def story_of_article(self, article_id: int) -> int | None:
        row = self.execute("SELECT story_id FROM story_articles WHERE article_id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def stories_of_articles(self, article_ids: list[int]) -> dict[int, int]:
        """Article id -> its story, for those of `article_ids` in one."""
        out: dict[int, int] = {}
        for k in range(0, len(article_ids), 500):
            chunk = article_ids[k:k + 500]
            out.update(self.execute(f"SELECT article_id, story_id FROM story_articles WHERE article_id IN"
                                    f" ({','.join('?' * len(chunk))})", chunk).fetchall())
        return out

    def story_levels(self, story_ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
        """Story id -> (its severity, its case's status), for those of `story_ids` stored: what tells a hot issue
        (monitor.cli.analyst.hot_issues) without building each Story, which a page of search candidates would."""
        out: dict[int, tuple[str | None, str | None]] = {}
        for k in range(0, len(story_ids), 500):
            chunk = story_ids[k:k + 500]
            out.update((r[0], (r[1], r[2])) for r in self.execute(
                "SELECT s.id, s.severity, c.status FROM stories s LEFT JOIN cases c ON c.story_id = s.id"
                f" WHERE s.id IN ({','.join('?' * len(chunk))})", chunk))
        return out

    def story_members_in_window(self, story_ids: list[int], since: datetime | None, until: datetime | None,
                                *, last: bool = True, classified_by: tuple[str, ...] = ()) -> dict[int, int]:
        """Story id -> the highest (`last`) or lowest id among its members published in [since, until) (first
        seen when unknown, as articles_between) and, when given, classified by one of the `classified_by`
        versions, for those of `story_ids` with such a member."""
        where, params = published_window(since, until, "a.")
        if classified_by:
            where += (" AND EXISTS (SELECT 1 FROM classifications c WHERE c.article_id = s.article_id AND c.model_version"
                      f" IN ({','.join('?' * len(classified_by))}))")
            params = [*params, *classified_by]
        out: dict[int, int] = {}
        for k in range(0, len(story_ids), 500):
            chunk = story_ids[k:k + 500]
            out.update(self.execute(
                f"SELECT s.story_id, {'MAX' if last else 'MIN'}(s.article_id) FROM story_articles s"
                f" JOIN articles a ON a.id = s.article_id WHERE s.story_id IN ({','.join('?' * len(chunk))})"
                f" AND {where}"
                " GROUP BY s.story_id", [*chunk, *params]).fetchall())
        return out

    def story(self, story_id: int) -> Story | None:
        row = self.execute("SELECT s.*, c.status AS case_status FROM stories s LEFT JOIN cases c ON c.story_id = s.id"
                           " WHERE s.id = ?", (story_id,)).fetchone()
        if row is None:
            return None
        members = self.story_members(story_id)
        intake = self.intake_of_story(story_id)
        if not members and not intake:
            return None
        outlets: list[str] = []
        for m in members:
            if m["outlet"] not in outlets:
                outlets.append(m["outlet"])
        times = [m["when"] for m in members] + [i.happened_at for i in intake]
        # named by what came first: the item a person entered, or the article when the press told it earlier; of
        # the press, by its lead (its first article judged hot, as its alert told it) rather than the routine news
        # it may have begun with. A lead no longer among its members (merged away) leaves it its first article
        first_item = bool(intake) and (not members or intake[0].happened_at <= members[0]["when"])
        headline = next((m for m in members if m["id"] == row["lead_id"]), members[0] if members else None)
        reasons = tuple(json.loads(row["reasons"]))
        explanation = json.loads(row["explanation"] or "{}")
        return Story(
            id=row["id"], title=row["kept_title"] or (intake[0].title if first_item else headline["title"]),
            first_article_id=members[0]["id"] if members else 0,
            article_ids=tuple(m["id"] for m in members), outlets=tuple(outlets),
            first_seen=min(times), last_seen=max(times), hot_score=row["hot_score"],
            severity=row["severity"], reasons=reasons, case_status=row["case_status"],
            hot_categories=hot_categories_of(row["hot_categories"], reasons) or (),
            intake=intake, scope=nearest_scope(explained_scope(explanation), *(i.scope for i in intake)),
            lead_id=headline["id"] if headline is not None and headline["id"] == row["lead_id"] else None,
            responses=tuple(explanation.get("responses", ())),
        )

    def stories_between(self, since: datetime | None, until: datetime | None) -> list[Story]:
        """Stories with a member published (first seen when unknown) in [since, until), oldest first."""
        where, params = published_window(since, until, "a.")
        sql = f"SELECT DISTINCT s.story_id FROM story_articles s JOIN articles a ON a.id = s.article_id WHERE {where}"
        stories = [self.story(r[0]) for r in self.execute(sql, params).fetchall()]
        return sorted((s for s in stories if s is not None), key=lambda s: (s.first_seen, s.id))

    def save_story_score(self, story_id: int, now: datetime, *, main_topic: str, n_outlets: int, hot_score: float,
                         severity: str | None, reasons: list[str], explanation: dict, case_note: str = "",
                         hot_categories=None, lead_id: int | None = None) -> None:
        """The score, and with `case_note` a line of the story's case history (by the system) saying why, together.
        `hot_categories` None (not known) leaves them to be read from the reasons, as for a story scored before 0072.
        `lead_id`: the member it is told by (StoryScore.lead_id), None when none is judged hot (its first then)."""
        with self.transaction() as db:
            db.execute("UPDATE stories SET main_topic = ?, n_outlets = ?, hot_score = ?, severity = ?, reasons = ?,"
                       " hot_categories = ?, explanation = ?, scored_at = ?, lead_id = ? WHERE id = ?",
                       (main_topic, n_outlets, hot_score, severity, json.dumps(reasons, ensure_ascii=False),
                        dump_hot_categories(hot_categories),
                        json.dumps(explanation, ensure_ascii=False, default=str), utc_iso(now), lead_id, story_id))
            case = db.execute("SELECT id FROM cases WHERE story_id = ?", (story_id,)).fetchone() if case_note else None
            if case is not None:
                db.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (utc_iso(now), case[0]))
                case_event(db, case[0], now, SYSTEM_ACTOR, note=case_note)

    def story_scopes_of_articles(self, article_ids: list[int]) -> dict[int, str | None]:
        """Article id -> the scope triage last judged its story (Story.scope), for those of `article_ids` in one."""
        out: dict[int, str | None] = {}
        scopes: dict[int, str | None] = {}  # a story's explanation read once for all its articles
        for k in range(0, len(article_ids), 500):
            chunk = article_ids[k:k + 500]
            for aid, sid, exp in self.execute(
                    "SELECT sa.article_id, s.id, s.explanation FROM story_articles sa JOIN stories s ON s.id = sa.story_id"
                    f" WHERE sa.article_id IN ({','.join('?' * len(chunk))})", chunk).fetchall():
                if sid not in scopes:
                    scopes[sid] = explained_scope(json.loads(exp or "{}"))
                out[aid] = scopes[sid]
        return out

    def story_explanation(self, story_id: int) -> dict:
        row = self.execute("SELECT explanation FROM stories WHERE id = ?", (story_id,)).fetchone()
        return json.loads(row[0]) if row else {}

    def usual_outlets_per_story(self, topic: str, since: datetime, until: datetime, exclude: int | None = None) -> tuple[float, int]:
        """(mean distinct outlets per story, number of stories) of a topic's stories created in [since, until)."""
        row = self.execute("SELECT AVG(n_outlets), COUNT(*) FROM stories WHERE main_topic = ? AND created_at >= ?"
                           # an item entered by hand has no outlet: it says nothing of how far the press spreads a topic
                           " AND created_at < ? AND id != ? AND id NOT IN (SELECT story_id FROM intake_items)",
                           (topic, utc_iso(since), utc_iso(until), exclude or -1)).fetchone()
        return (row[0] or 0.0, row[1])

    def hot_story_ids_since(self, since: datetime) -> list[int]:
        """Stories with a severity and a member published since `since` (candidates for follow-ups)."""
        # CROSS JOIN keeps the articles of the window first, read from their time index: left to choose, SQLite
        # walks every story's members (a year's store: 60 ms at each poll, and growing)
        return [r[0] for r in self.execute(
            f"SELECT DISTINCT s.story_id FROM articles a CROSS JOIN story_articles s ON s.article_id = a.id"
            f" JOIN stories t ON t.id = s.story_id WHERE t.severity IS NOT NULL AND {_WHEN} >= ?", (utc_iso(since),))]

    # ------------------------------------------------------------------ alerts and their outbox

    def queue_alert(self, *, story_id: int, kind: str, severity: str, hot_score: float, n_national: int,
                    created_at: datetime, subject: str, body: str, payload: dict,
                    channels: list[tuple[str, datetime]], after: int | None | object = UNCHECKED) -> int | None:
        """Store an alert and one pending delivery per channel (key, not_before), all or nothing.

        `after`: the story's latest alert's id when the caller decided on this one (None: it had none). When
        another run queued one since (two processes triaging at once: the service and a `monitor crawl`
        or `monitor triage`), nothing is stored and None is returned: that run's alert is the story's,
        and a second would reach leadership twice.

        The story's older alerts still waiting for a channel (quiet hours, a channel down) are superseded
        there: the new alert carries the story as it is now, and an older one arriving after it would
        tell a stale severity last."""
        with self.transaction() as db:
            latest = db.execute("SELECT id FROM alerts WHERE story_id = ? ORDER BY created_at DESC, id DESC LIMIT 1",
                                (story_id,)).fetchone()
            if after is not UNCHECKED and (latest[0] if latest else None) != after:
                return None
            alert_id = db.execute(
                "INSERT INTO alerts(story_id, kind, severity, hot_score, n_national, created_at, subject, body, payload,"
                " uid) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (story_id, kind, severity, hot_score, n_national, utc_iso(created_at), subject, body,
                 json.dumps(payload, ensure_ascii=False, default=str), uuid.uuid4().hex)).lastrowid
            for key, not_before in channels:
                db.execute("UPDATE alert_deliveries SET status = 'superseded', last_error = ? WHERE channel = ?"
                           " AND status = 'pending' AND alert_id IN (SELECT id FROM alerts WHERE story_id = ? AND id != ?)",
                           (f"thay bằng cảnh báo #{alert_id}", key, story_id, alert_id))
                db.execute("INSERT INTO alert_deliveries(alert_id, channel, not_before, next_attempt_at) VALUES (?,?,?,?)",
                           (alert_id, key, utc_iso(not_before), utc_iso(not_before)))
        return alert_id

    def last_alert(self, story_id: int) -> Alert | None:
        row = self.execute("SELECT * FROM alerts WHERE story_id = ? ORDER BY created_at DESC, id DESC LIMIT 1",
                           (story_id,)).fetchone()
        return _row_to_alert(row) if row else None

    def alert(self, alert_id: int) -> Alert | None:
        row = self.execute("SELECT * FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        return _row_to_alert(row) if row else None

    def alerts_for_story(self, story_id: int) -> list[Alert]:
        return [_row_to_alert(r) for r in self.execute("SELECT * FROM alerts WHERE story_id = ? ORDER BY id", (story_id,))]

    def alerts_told(self, story_ids: Iterable[int], until: datetime) -> dict[int, list[tuple[Alert, datetime]]]:
        """story id -> each of its alerts that reached some channel before `until`, with when it first did, oldest
        first: what leadership was told, as the clipping recalls it. One queued for no channel, or still waiting
        (quiet hours, a channel down), told no one yet."""
        ids = sorted(set(story_ids))
        if not ids:
            return {}
        out: dict[int, list[tuple[Alert, datetime]]] = {}
        rows = self.execute(
            "SELECT a.*, MIN(d.sent_at) AS first_sent FROM alerts a JOIN alert_deliveries d ON d.alert_id = a.id"
            f" WHERE d.status = 'sent' AND d.sent_at < ? AND a.story_id IN ({','.join('?' * len(ids))})"
            " GROUP BY a.id ORDER BY first_sent, a.id", (utc_iso(until), *ids)).fetchall()
        for r in rows:
            out.setdefault(r["story_id"], []).append((_row_to_alert(r), from_iso(r["first_sent"])))
        return out

    def deliveries(self, alert_id: int) -> list[Delivery]:
        return [_row_to_delivery(r) for r in self.execute(
            "SELECT * FROM alert_deliveries WHERE alert_id = ? ORDER BY channel", (alert_id,))]

    def next_delivery_attempt(self, held_from: datetime | None = None) -> datetime | None:
        """When the earliest waiting delivery of an alert is next tried (None: none waits); those held at or after
        `held_from` (waiting for a person) are not tried by themselves."""
        row = self.execute("SELECT MIN(next_attempt_at) FROM alert_deliveries WHERE status = 'pending'"
                           " AND (? IS NULL OR next_attempt_at < ?)", (utc_iso(held_from), utc_iso(held_from))).fetchone()
        return from_iso(row[0]) if row and row[0] else None

    def due_delivery_channels(self, now: datetime) -> dict[int, tuple[set[str], set[str]]]:
        """alert id -> (channels of its due pending deliveries, channels of all its deliveries), for alerts with one."""
        out: dict[int, tuple[set[str], set[str]]] = {}
        for r in self.execute(
                "SELECT alert_id, channel, status, next_attempt_at <= ? AND handing_over_at IS NULL AS due"
                " FROM alert_deliveries WHERE alert_id IN (SELECT alert_id FROM alert_deliveries WHERE status = 'pending'"
                " AND next_attempt_at <= ? AND handing_over_at IS NULL)", (utc_iso(now), utc_iso(now))):
            due, every = out.setdefault(r["alert_id"], (set(), set()))
            every.add(r["channel"])
            if r["status"] == "pending" and r["due"]:
                due.add(r["channel"])
        return out

    def move_delivery(self, alert_id: int, channel: str, to: str, now: datetime) -> bool:
        """Give a due pending delivery another channel (the one it was queued for was edited in feeds.yaml). False
        when it is not due (a run has claimed it: its lease), was sent, cancelled or superseded meanwhile, or the
        alert already has a delivery on `to`: the same condition as a claim's, so a delivery is moved or claimed,
        never both."""
        return self.execute(
            "UPDATE alert_deliveries SET channel = ? WHERE alert_id = ? AND channel = ? AND status = 'pending'"
            " AND next_attempt_at <= ? AND handing_over_at IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM alert_deliveries x WHERE x.alert_id = ? AND x.channel = ?)",
            (to, alert_id, channel, utc_iso(now), alert_id, to)).rowcount == 1

    def due_deliveries(self, now: datetime) -> list[tuple[Alert, Delivery]]:
        """Pending deliveries whose quiet-hours hold and retry back-off have passed, oldest alert first."""
        rows = self.execute("SELECT * FROM alert_deliveries WHERE status = 'pending' AND next_attempt_at <= ?"
                            " ORDER BY alert_id, channel", (utc_iso(now),)).fetchall()
        return self._with_alerts(rows)

    def waiting_after_failure(self, now: datetime) -> list[tuple[Alert, Delivery]]:
        """Pending deliveries not yet due that have been attempted before: backing off after a failure, held by
        quiet hours, or claimed by a run sending them now (the caller tells a back-off apart, monitor.notify)."""
        rows = self.execute("SELECT * FROM alert_deliveries WHERE status = 'pending' AND next_attempt_at > ?"
                            " AND last_attempt_at IS NOT NULL AND handing_over_at IS NULL ORDER BY alert_id, channel",
                            (utc_iso(now),)).fetchall()
        return self._with_alerts(rows)

    def _with_alerts(self, rows) -> list[tuple[Alert, Delivery]]:
        """Delivery rows with their alerts (a row whose alert is gone is left out)."""
        out = []
        for r in rows:
            a = self.alert(r["alert_id"])
            if a is not None:
                out.append((a, _row_to_delivery(r)))
        return out

    def expedite_delivery(self, alert_id: int, channel: str, waiting_until: datetime, now: datetime) -> bool:
        """Make a delivery backing off until `waiting_until` due at `now`; False when its next attempt is no longer
        that (another run claimed it meanwhile: its lease moved the time) or it was sent, cancelled or superseded."""
        cur = self.execute("UPDATE alert_deliveries SET next_attempt_at = ? WHERE alert_id = ? AND channel = ?"
                           " AND status = 'pending' AND next_attempt_at = ? AND handing_over_at IS NULL",
                           (utc_iso(now), alert_id, channel, utc_iso(waiting_until)))
        return cur.rowcount == 1

    def claim_delivery(self, alert_id: int, channel: str, now: datetime, lease_until: datetime, *,
                       interrupted: str = "") -> bool:
        """Take a due delivery for sending (pushes its next attempt to `lease_until`); False if another run has it.

        A delivery still marked as being handed over (delivery_handing_over) once its lease is over was
        left by a process that died before recording the outcome: that attempt is counted now, in doubt
        (the alert may have arrived), with `interrupted` as its error, in the same statement as the claim
        so that two runs cannot both count it."""
        cur = self.execute("UPDATE alert_deliveries SET next_attempt_at = ?,"
                           " attempts = attempts + (handing_over_at IS NOT NULL),"
                           " in_doubt = in_doubt + (handing_over_at IS NOT NULL),"
                           " last_attempt_at = COALESCE(handing_over_at, last_attempt_at),"
                           " last_error = CASE WHEN handing_over_at IS NULL THEN last_error ELSE ? END,"
                           " handing_over_at = NULL"
                           " WHERE alert_id = ? AND channel = ? AND status = 'pending' AND next_attempt_at <= ?",
                           (utc_iso(lease_until), interrupted[:1000], alert_id, channel, utc_iso(now)))
        return cur.rowcount == 1

    def hold_delivery(self, alert_id: int, channel: str, now: datetime, until: datetime, *, interrupted: str = "") -> bool:
        """Push a due delivery to `until` (the end of quiet hours); False if another run has it."""
        return self.claim_delivery(alert_id, channel, now, until, interrupted=interrupted)

    def delivery_handing_over(self, alert_id: int, channel: str, now: datetime) -> None:
        """The claimed delivery's alert is about to leave (the e-mail after DATA, the HTTP request): from
        here until its outcome is recorded, a process that dies leaves an attempt that may have arrived."""
        self.execute("UPDATE alert_deliveries SET handing_over_at = ? WHERE alert_id = ? AND channel = ?"
                     " AND status = 'pending'", (utc_iso(now), alert_id, channel))

    def hold_delivery_in_doubt(self, alert_id: int, channel: str, until: datetime) -> None:
        """Leave a claimed delivery for a person (monitor.notify.HELD_IN_DOUBT): it may have arrived more than once."""
        self.execute("UPDATE alert_deliveries SET next_attempt_at = ? WHERE alert_id = ? AND channel = ?"
                     " AND status = 'pending'", (utc_iso(until), alert_id, channel))

    def count_waiting_deliveries(self, now: datetime, *, held_from: datetime | None = None) -> int:
        """Pending deliveries not yet due; those held at or after `held_from` (waiting for a person) left out."""
        return self.execute("SELECT COUNT(*) FROM alert_deliveries WHERE status = 'pending' AND next_attempt_at > ?"
                            " AND (? IS NULL OR next_attempt_at < ?)",
                            (utc_iso(now), utc_iso(held_from), utc_iso(held_from))).fetchone()[0]

    def count_held_deliveries(self, held_from: datetime) -> int:
        return self.execute("SELECT COUNT(*) FROM alert_deliveries WHERE status = 'pending' AND next_attempt_at >= ?",
                            (utc_iso(held_from),)).fetchone()[0]

    def delivery_sent(self, alert_id: int, channel: str, now: datetime, refused: dict[str, str] | None = None) -> bool:
        """Mark sent, with the recipients the server refused; False when it was already marked sent (another
        run sent it too). A delivery cancelled or superseded while it was being sent did go: it says so."""
        cur = self.execute("UPDATE alert_deliveries SET status = 'sent', sent_at = ?, last_attempt_at = ?,"
                           " attempts = attempts + 1, last_error = NULL, refused = ?, handing_over_at = NULL"
                           " WHERE alert_id = ? AND channel = ? AND status != 'sent'",
                           (utc_iso(now), utc_iso(now), json.dumps(refused or {}, ensure_ascii=False), alert_id, channel))
        return cur.rowcount == 1

    def delivery_failed(self, alert_id: int, channel: str, now: datetime, error: str, retry_at: datetime, *,
                        in_doubt: bool = False) -> None:
        """A failed attempt: its error and the next try; `in_doubt` when the server may have taken it anyway."""
        self.execute("UPDATE alert_deliveries SET attempts = attempts + 1, last_attempt_at = ?, last_error = ?,"
                     " next_attempt_at = ?, in_doubt = in_doubt + ?, handing_over_at = NULL"
                     " WHERE alert_id = ? AND channel = ? AND status = 'pending'",
                     (utc_iso(now), error[:1000], utc_iso(retry_at), int(in_doubt), alert_id, channel))

    def outbox(self, *, include_sent: bool = False, attention_since: datetime | None = None,
               limit: int = 500) -> list[tuple[Alert, list[Delivery]]]:
        """Alerts with their deliveries, newest first: those with something pending, and those sent since
        `attention_since` with something a person should know (refused recipients, a copy that may have
        arrived twice); every alert with include_sent."""
        where, params = _outbox_where(include_sent, attention_since)
        return [(a, self.deliveries(a.id)) for a in (_row_to_alert(r) for r in self.execute(
            f"SELECT * FROM alerts WHERE {where} ORDER BY id DESC LIMIT ?", (*params, limit)))]

    def count_outbox(self, *, include_sent: bool = False, attention_since: datetime | None = None) -> int:
        """How many alerts `outbox` would list without its limit."""
        where, params = _outbox_where(include_sent, attention_since)
        return self.execute(f"SELECT COUNT(*) FROM alerts WHERE {where}", params).fetchone()[0]

    # ------------------------------------------------------------------ cases

    def open_case(self, story_id: int, now: datetime, note: str = "") -> tuple[int, bool]:
        """The story's case, opened now when it has none; returns (case id, whether it is new)."""
        with self.transaction() as db:
            row = db.execute("SELECT id FROM cases WHERE story_id = ?", (story_id,)).fetchone()
            if row:
                return row[0], False
            case_id = db.execute("INSERT INTO cases(story_id, status, opened_at, updated_at) VALUES (?,?,?,?)",
                                 (story_id, OPEN_STATUS, utc_iso(now), utc_iso(now))).lastrowid
            case_event(db, case_id, now, SYSTEM_ACTOR, status=OPEN_STATUS, note=note)
        return case_id, True

    def update_case(self, case_id: int, now: datetime, *, by: str, status: str | None = None,
                    owner: str | None = None, note: str = "", handling: Iterable[Handling] = (),
                    withdraw: int | None = None) -> None:
        """The change, one history line per handling record, and the line withdrawing record `withdraw` (with the
        note, its reason), together or not at all."""
        handling = list(handling)
        with self.transaction() as db:
            if status is not None:
                db.execute("UPDATE cases SET status = ? WHERE id = ?", (status, case_id))
            if owner is not None:
                db.execute("UPDATE cases SET owner = ? WHERE id = ?", (owner, case_id))
            db.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (utc_iso(now), case_id))
            if withdraw is not None:
                db.execute("INSERT INTO case_events(case_id, at, by, note, withdraws) VALUES (?,?,?,?,?)",
                           (case_id, utc_iso(now), by, note, withdraw))
                note = ""
            if status is not None or owner is not None or note or (not handling and withdraw is None):
                case_event(db, case_id, now, by, status=status, owner=owner, note=note)
            for act in handling:
                db.execute("INSERT INTO case_events(case_id, at, by, action, party, done_on, spokesperson, directed_by)"
                           " VALUES (?,?,?,?,?,?,?,?)", (case_id, utc_iso(now), by, act.kind, act.party,
                                                         act.on.isoformat(), act.spokesperson, act.directed_by))

    def reopen_handled_case(self, case_id: int, now: datetime, *, note: str, closed_as: str = HANDLED) -> bool:
        """A case closed as handled (or, `closed_as`, dismissed as a false alarm) opened again ("mới", by the system,
        `note` the line saying why), only if it is still so closed: another run triaging at the same time may have
        reopened it, and a person taken it on, since the caller read it. -> whether it was reopened. The alerts a
        dismissal cancelled stay cancelled: what reopens it is news since, which the caller's alert tells."""
        with self.transaction() as db:
            if not db.execute("UPDATE cases SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
                              (OPEN_STATUS, utc_iso(now), case_id, closed_as)).rowcount:
                return False
            case_event(db, case_id, now, SYSTEM_ACTOR, status=OPEN_STATUS, note=note)
        return True

    def open_case_by_hand(self, article_id: int, now: datetime, *, by: str, note: str,
                          label_note: str, note_if_open: str | None = None) -> tuple[int, bool, int]:
        """A person's case for the story of `article_id` (a story of its own when it has none), the article
        labelled education and hot, together or not at all; -> (case id, whether a case was opened or reopened,
        how many alert deliveries wait to be sent again). A case already open is kept as it is, its history given
        `note_if_open` (nothing when None: `note` says it was opened); a dismissed one (or one closed as not the
        office's) is reopened, and the alerts its closing cancelled wait to be sent again."""
        with self.transaction() as db:
            row = db.execute("SELECT story_id FROM story_articles WHERE article_id = ?", (article_id,)).fetchone()
            if row:
                story_id = row[0]
            else:
                story_id = db.execute("INSERT INTO stories(created_at) VALUES (?)", (utc_iso(now),)).lastrowid
                db.execute("INSERT INTO story_articles(article_id, story_id, joined_at) VALUES (?,?,?)",
                           (article_id, story_id, utc_iso(now)))
            insert_label(db, article_id, by=by, at=now, is_education=True, hot=True, note=label_note)
            case = db.execute("SELECT id, status FROM cases WHERE story_id = ?", (story_id,)).fetchone()
            if case is not None and case["status"] not in (DISMISSED, NOT_OURS):
                if note_if_open:
                    case_event(db, case["id"], now, by, note=note_if_open)
                return case["id"], False, 0
            again = 0
            if case is not None:
                case_id = case["id"]
                db.execute("UPDATE cases SET status = ?, updated_at = ? WHERE id = ?", (OPEN_STATUS, utc_iso(now), case_id))
                # reopened as reopen_dismissed_case reopens one: leadership never had what its closing cancelled
                again = _requeue_cancelled(db, case_id)
            else:
                case_id = db.execute("INSERT INTO cases(story_id, status, opened_at, updated_at) VALUES (?,?,?,?)",
                                     (story_id, OPEN_STATUS, utc_iso(now), utc_iso(now))).lastrowid
            case_event(db, case_id, now, by, status=OPEN_STATUS, note=note)
        return case_id, True, again

    def dismiss_case(self, case_id: int, now: datetime, *, by: str, status: str, note: str,
                     education: dict[int, bool | None], label_note: str, withdraw_labels: Iterable[int] = (),
                     withdrawal_note: str = "") -> None:
        """A false alarm: the case's new status and its articles' labels (not hot; education as `education`
        says per article, None = not stated), together or not at all; the label rows `withdraw_labels` (an
        earlier dismissal's, when the case is closed as another area's instead) are withdrawn with them, each by a
        row of its own noting `withdrawal_note`, as `monitor label ID --withdraw N` withdraws one (0080)."""
        with self.transaction() as db:
            for label_id in withdraw_labels:
                insert_withdrawal(db, label_id, by=by, at=now, note=withdrawal_note)
            db.execute("UPDATE cases SET status = ?, updated_at = ? WHERE id = ?", (status, utc_iso(now), case_id))
            if status == DISMISSED:
                # the level it was dismissed at, as the person saw it: triage reopens it only above (0079)
                db.execute("UPDATE cases SET dismissed_level = (SELECT severity FROM stories WHERE id = cases.story_id)"
                           " WHERE id = ?", (case_id,))
            case_event(db, case_id, now, by, status=status, note=note)
            # what still waits in the outbox (quiet hours, a channel down) is not sent either
            db.execute("UPDATE alert_deliveries SET status = 'cancelled', last_error = ? WHERE status = 'pending'"
                       " AND alert_id IN (SELECT a.id FROM alerts a JOIN cases c ON c.story_id = a.story_id WHERE c.id = ?)",
                       (f"hồ sơ #{case_id}: {status}", case_id))
            for article_id, is_education in education.items():
                insert_label(db, article_id, by=by, at=now, is_education=is_education,
                             topics=[] if is_education is False else None, hot=False, note=label_note)

    def reopen_dismissed_case(self, case_id: int, now: datetime, *, by: str, note: str, status: str = OPEN_STATUS,
                              owner: str | None = None) -> int:
        """Undo a dismissal (or a closing as another area's): the case opens again (as `status`, with `owner` when
        given) and the deliveries that closing cancelled wait to be sent again (they were never sent: leadership would
        otherwise never hear of the story; one that went is 'sent' and stays so), together or not at all; returns how
        many wait again."""
        with self.transaction() as db:
            db.execute("UPDATE cases SET status = ?, owner = COALESCE(?, owner), updated_at = ? WHERE id = ?",
                       (status, owner, utc_iso(now), case_id))
            case_event(db, case_id, now, by, status=status, owner=owner, note=note)
            return _requeue_cancelled(db, case_id)

    def merge_case(self, case_id: int, into: int, now: datetime, *, by: str, status: str, source_note: str,
                   target_note: str, carried_status: str | None = None, carried_owner: str = "",
                   source_title: str = "", kept_title: str = "") -> None:
        """Case `case_id`'s story joins case `into`'s: articles and alerts move, alerts still waiting are
        cancelled (they announced, as new, what the other case already is), together or not at all. The merged
        case keeps its title (its story has no articles left to name it) and which case carries it on; the one that
        carries on is named `kept_title` from now on (its own, unless the person gave another), not after an older
        article the merge brought in."""
        with self.transaction() as db:
            src = db.execute("SELECT story_id FROM cases WHERE id = ?", (case_id,)).fetchone()[0]
            dst = db.execute("SELECT story_id FROM cases WHERE id = ?", (into,)).fetchone()[0]
            db.execute("UPDATE alert_deliveries SET status = 'cancelled', last_error = ? WHERE status = 'pending'"
                       " AND alert_id IN (SELECT id FROM alerts WHERE story_id = ?)", (f"hồ sơ #{case_id}: {status}", src))
            # what leadership was sent stays the baseline the merged story escalates from; an alert cancelled
            # unsent must not, or the level it announced would never reach anyone
            db.execute("UPDATE alerts SET story_id = ? WHERE story_id = ? AND EXISTS (SELECT 1 FROM alert_deliveries d"
                       " WHERE d.alert_id = alerts.id AND d.status = 'sent')", (dst, src))
            db.execute("UPDATE story_articles SET story_id = ? WHERE story_id = ?", (dst, src))
            db.execute("UPDATE intake_items SET story_id = ? WHERE story_id = ?", (dst, src))  # entered by hand (0068)
            db.execute("UPDATE stories SET severity = NULL, hot_score = 0 WHERE id = ?", (src,))
            if kept_title:
                db.execute("UPDATE stories SET kept_title = ? WHERE id = ?", (kept_title, dst))
            # the handling done on the merged case carries on: its notes join the history, and the case takes
            # its status when further along and its owner when it has none
            # what it records the office did counts for the incident, in its report and its clipping line
            db.execute("INSERT INTO case_events(case_id, at, by, status, owner, note, action, party, done_on, spokesperson,"
                       " directed_by) SELECT ?, at, by, NULL, NULL, CASE WHEN note != '' THEN ? || note ELSE '' END,"
                       " action, party, done_on, spokesperson, directed_by FROM case_events e WHERE case_id = ?"
                       " AND (note != '' OR action IS NOT NULL) AND by != ? AND withdraws IS NULL"
                       " AND NOT EXISTS (SELECT 1 FROM case_events w WHERE w.withdraws = e.id) ORDER BY at, id",
                       (into, f"[hồ sơ số {case_id}] ", case_id, SYSTEM_ACTOR))
            db.execute("UPDATE cases SET status = ?, updated_at = ?, merged_into = ?, merged_title = ? WHERE id = ?",
                       (status, utc_iso(now), into, source_title, case_id))
            case_event(db, case_id, now, by, status=status, note=source_note)
            db.execute("UPDATE cases SET status = COALESCE(?, status), owner = CASE WHEN owner = '' THEN ? ELSE owner END,"
                       " updated_at = ? WHERE id = ?", (carried_status, carried_owner, utc_iso(now), into))
            case_event(db, into, now, by, status=carried_status, owner=carried_owner or None, note=target_note)

    def _case_from_row(self, row) -> Case:
        story = self.story(row["story_id"])
        events = numbered(
            CaseEvent(at=from_iso(e["at"]), by=e["by"], status=e["status"], owner=e["owner"], note=e["note"],
                      handling=Handling(e["action"], date.fromisoformat(e["done_on"]), e["party"], e["spokesperson"],
                                        e["directed_by"]) if e["action"] else None, id=e["id"], withdraws=e["withdraws"])
            for e in self.execute("SELECT * FROM case_events WHERE case_id = ? ORDER BY at, id", (row["id"],)))
        return Case(id=row["id"], story_id=row["story_id"], title=story.title if story else row["merged_title"] or "",
                    status=row["status"], merged_into=row["merged_into"], dismissed_level=row["dismissed_level"],
                    owner=row["owner"], opened_at=from_iso(row["opened_at"]), updated_at=from_iso(row["updated_at"]),
                    severity=story.severity if story else None, hot_score=story.hot_score if story else 0.0,
                    outlets=story.outlets if story else (), events=events)

    def case(self, case_id: int) -> Case | None:
        row = self.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone()
        return self._case_from_row(row) if row else None

    def case_of_story(self, story_id: int) -> Case | None:
        row = self.execute("SELECT * FROM cases WHERE story_id = ?", (story_id,)).fetchone()
        return self._case_from_row(row) if row else None

    def cases(self, *, status: str | None = None, limit: int = 200) -> list[Case]:
        sql, params = "SELECT * FROM cases", []
        if status:
            sql += " WHERE status = ?"
            params.append(status)
        sql += " ORDER BY updated_at DESC, id DESC LIMIT ?"
        return [self._case_from_row(r) for r in self.execute(sql, (*params, limit)).fetchall()]

    def count_cases(self, *, status: str | None = None) -> int:
        """How many cases `cases` would list without its limit."""
        if status:
            return self.execute("SELECT COUNT(*) FROM cases WHERE status = ?", (status,)).fetchone()[0]
        return self.execute("SELECT COUNT(*) FROM cases").fetchone()[0]

    def cases_between(self, since: datetime | None, until: datetime | None) -> list[Case]:
        """Cases opened, or changed, in [since, until): what the monthly report's "kết quả xử lý" lists."""
        lo, hi = utc_iso(since) or "", utc_iso(until) or "9999"
        rows = self.execute(
            "SELECT * FROM cases c WHERE (opened_at >= ? AND opened_at < ?) OR EXISTS"
            " (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.at >= ? AND e.at < ?) ORDER BY opened_at, id",
            (lo, hi, lo, hi)).fetchall()
        return [self._case_from_row(r) for r in rows]

    def cases_open_at(self, when: datetime, statuses: Iterable[str]) -> list[Case]:
        """Cases opened before `when` whose status then (their history's last status before it) was one of
        `statuses`: what was still open at a month's end, whatever was done about it since."""
        wanted = tuple(statuses)
        if not wanted:
            return []
        at = utc_iso(when)
        rows = self.execute(
            "SELECT * FROM cases c WHERE c.opened_at < ? AND COALESCE((SELECT e.status FROM case_events e"
            " WHERE e.case_id = c.id AND e.status IS NOT NULL AND e.at < ? ORDER BY e.at DESC, e.id DESC LIMIT 1),"
            f" c.status) IN ({','.join('?' * len(wanted))}) ORDER BY c.opened_at, c.id", (at, at, *wanted)).fetchall()
        return [self._case_from_row(r) for r in rows]


def _requeue_cancelled(db, case_id: int) -> int:
    """The deliveries of the case's alerts that closing it as a false alarm or as another area's cancelled wait to
    be sent again (inside the caller's transaction); -> how many."""
    return db.execute(
        "UPDATE alert_deliveries SET status = 'pending', last_error = NULL WHERE status = 'cancelled'"
        " AND last_error IN (?, ?) AND alert_id IN (SELECT a.id FROM alerts a JOIN cases c"
        " ON c.story_id = a.story_id WHERE c.id = ?)",
        (f"hồ sơ #{case_id}: {DISMISSED}", f"hồ sơ #{case_id}: {NOT_OURS}", case_id)).rowcount


def case_event(db, case_id: int, now: datetime, by: str, *, status: str | None = None, owner: str | None = None,
                note: str = "") -> None:
    """One line of a case's history (None = unchanged), inside the caller's transaction."""
    db.execute("INSERT INTO case_events(case_id, at, by, status, owner, note) VALUES (?,?,?,?,?,?)",
               (case_id, utc_iso(now), by, status, owner, note))


def _outbox_where(include_sent: bool, attention_since: datetime | None) -> tuple[str, list]:
    """The alerts `outbox` lists: every one with include_sent, else those with something pending and those sent since
    `attention_since` with something a person should know."""
    if include_sent:
        return "1=1", []
    return ("id IN (SELECT alert_id FROM alert_deliveries WHERE status = 'pending'"
            " OR (status = 'sent' AND sent_at >= ? AND (refused != '{}' OR in_doubt > 0)))",
            [utc_iso(attention_since) or "9999"])
