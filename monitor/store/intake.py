"""Hot issues entered by hand from outside the crawled press (monitor.intake): each in a story of its own with a case."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Callable

from monitor.cases import DISMISSED, MERGED, OPEN_STATUS, Case
from monitor.models import IntakeItem
from monitor.store.base import from_iso, utc_iso
from monitor.store.stories import case_event


def _row_to_item(row) -> IntakeItem:
    return IntakeItem(id=row["id"], story_id=row["story_id"], title=row["title"], source_kind=row["source_kind"],
                      source=row["source"], url=row["url"], happened_at=from_iso(row["happened_at"]),
                      summary=row["summary"], entered_at=from_iso(row["entered_at"]), entered_by=row["entered_by"],
                      topic=row["topic"], day_only=bool(row["day_only"]), level=row["level"] or "",
                      scope=row["scope"] or "local", scope_given=bool(row["scope_given"]))


class IntakeMixin:
    def add_intake(self, item: dict, now: datetime, *, by: str, severity: str, topic: str, note: str,
                   compose: Callable | None, remark: str = "", force: bool = False) -> tuple[int | None, int | None, int | None,
                                                                            IntakeItem | None]:
        """Store the item in a story of its own (rated `severity`), open its case (by `by`, the history's first
        line `note`, then the person's `remark` when there is one) and, with `compose` (case, item) -> (subject, body, payload, channels), queue its alert: all
        or nothing, so an item is never stored without its case nor alerted twice. An item with the same
        `same_key` stored before is returned instead, nothing written, unless `force`.
        -> (item id, case id, alert id, the earlier item when refused)."""
        with self.transaction() as db:
            if not force:
                row = db.execute("SELECT * FROM intake_items WHERE same_key = ? ORDER BY id LIMIT 1",
                                 (item["same_key"],)).fetchone()
                if row is not None:
                    return None, None, None, _row_to_item(row)
            # no article, so no outlet: n_outlets 0; the level is the person's, the score the model's (none)
            story_id = db.execute("INSERT INTO stories(created_at, n_outlets, severity, hot_score) VALUES (?,?,?,0)",
                                  (utc_iso(now), 0, severity)).lastrowid
            item_id = db.execute(
                "INSERT INTO intake_items(story_id, title, source_kind, source, url, happened_at, day_only, summary,"
                " topic, entered_at, entered_by, same_key, level, scope, scope_given)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (story_id, item["title"], item["source_kind"], item["source"], item["url"], utc_iso(item["happened_at"]),
                 int(item.get("day_only", False)), item["summary"], topic, utc_iso(now), by,
                 item["same_key"], severity, item["scope"], int(item.get("scope_given", False)))).lastrowid
            case_id = db.execute("INSERT INTO cases(story_id, status, opened_at, updated_at) VALUES (?,?,?,?)",
                                 (story_id, OPEN_STATUS, utc_iso(now), utc_iso(now))).lastrowid
            case_event(db, case_id, now, by, status=OPEN_STATUS, note=note)
            if remark:
                case_event(db, case_id, now, by, note=remark)
            alert_id = None
            if compose is not None:
                stored = _row_to_item(db.execute("SELECT * FROM intake_items WHERE id = ?", (item_id,)).fetchone())
                case = Case(id=case_id, story_id=story_id, title=stored.title, status=OPEN_STATUS, owner="",
                            opened_at=now, updated_at=now, severity=severity)
                subject, body, payload, channels = compose(case, stored)
                alert_id = self.queue_alert(story_id=story_id, kind="new", severity=severity, hot_score=0.0, n_national=0,
                                            created_at=now, subject=subject, body=body, payload=payload,
                                            channels=channels, after=None)
        return item_id, case_id, alert_id, None

    def correct_intake(self, item_id: int, fields: dict, now: datetime, *, by: str, case_id: int, note: str,
                       recompose: Callable | None = None) -> int:
        """A person's correction of an entered item (monitor.intake.correct_item): its `fields` (title, source_kind,
        source, url, happened_at, day_only, summary, same_key, scope, scope_given) changed, a line of its case's history saying what
        they were (`note`), together or not at all. An alert about the item that has gone nowhere yet (every
        delivery waiting, none tried or being handed over) is written again with `recompose` (item) -> (subject,
        body, payload), so leadership reads the corrected item; one sent, or on its way, stays as it was and is
        never sent again for the correction. -> how many alerts were written again."""
        columns = ("title", "source_kind", "source", "url", "happened_at", "day_only", "summary", "same_key", "scope",
                   "scope_given")
        values = {k: (utc_iso(v) if k == "happened_at" else int(v) if k in ("day_only", "scope_given") else v)
                  for k, v in fields.items() if k in columns}
        rewritten = 0
        with self.transaction() as db:
            if values:
                old = db.execute("SELECT story_id, title FROM intake_items WHERE id = ?", (item_id,)).fetchone()
                db.execute(f"UPDATE intake_items SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                           (*values.values(), item_id))
                if "title" in values:  # a case kept named after the item by a merge (0075) follows its correction
                    db.execute("UPDATE stories SET kept_title = ? WHERE id = ? AND kept_title = ?",
                               (values["title"], old["story_id"], old["title"]))
            db.execute("UPDATE cases SET updated_at = ? WHERE id = ?", (utc_iso(now), case_id))
            case_event(db, case_id, now, by, note=note)
            if recompose is None:
                return 0
            stored = _row_to_item(db.execute("SELECT * FROM intake_items WHERE id = ?", (item_id,)).fetchone())
            for row in db.execute(
                    "SELECT * FROM alerts a WHERE story_id = ? AND EXISTS (SELECT 1 FROM alert_deliveries d WHERE"
                    " d.alert_id = a.id) AND NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = a.id AND"
                    " (d.status != 'pending' OR d.attempts > 0 OR d.handing_over_at IS NOT NULL))",
                    (stored.story_id,)).fetchall():
                payload = json.loads(row["payload"] or "{}")
                if (payload.get("intake") or {}).get("id") != item_id:
                    continue  # a press story's alert (merged into the item's case) says its own articles
                subject, body, payload = recompose(stored, row["severity"])
                db.execute("UPDATE alerts SET subject = ?, body = ?, payload = ? WHERE id = ?",
                           (subject, body, json.dumps(payload, ensure_ascii=False, default=str), row["id"]))
                rewritten += 1
        return rewritten

    def intake_item(self, item_id: int) -> IntakeItem | None:
        row = self.execute("SELECT * FROM intake_items WHERE id = ?", (item_id,)).fetchone()
        return _row_to_item(row) if row else None

    def intake_of_story(self, story_id: int) -> tuple[IntakeItem, ...]:
        return tuple(_row_to_item(r) for r in self.execute(
            "SELECT * FROM intake_items WHERE story_id = ? ORDER BY happened_at, id", (story_id,)))

    def intake_entered_between(self, since: datetime, until: datetime) -> list[IntakeItem]:
        """Items entered in [since, until), oldest first: what a clipping of that window reports."""
        return [_row_to_item(r) for r in self.execute(
            "SELECT * FROM intake_items WHERE entered_at >= ? AND entered_at < ? ORDER BY entered_at, id",
            (utc_iso(since), utc_iso(until)))]

    def open_case_intake_docs_between(self, since: datetime, until: datetime) -> list[dict]:
        """Items that happened in [since, until) whose case is neither dismissed nor merged, as grouping reads an
        article (id: the item's id negated, never an article's; outlet: its source; sapo: its summary; when;
        case_id): what a press story may be a development of."""
        return [{"id": -r["id"], "outlet": f"{r['source_kind']} – {r['source']}", "title": r["title"],
                 "sapo": r["summary"], "when": from_iso(r["happened_at"]), "case_id": r["case_id"]}
                for r in self.execute(
                    "SELECT i.id, i.source_kind, i.source, i.title, i.summary, i.happened_at, c.id AS case_id"
                    " FROM intake_items i JOIN cases c ON c.story_id = i.story_id WHERE c.status NOT IN (?, ?)"
                    " AND i.happened_at >= ? AND i.happened_at < ? ORDER BY i.happened_at, i.id",
                    (DISMISSED, MERGED, utc_iso(since), utc_iso(until)))]
