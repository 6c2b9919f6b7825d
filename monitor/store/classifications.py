"""Classifications, kept per model version, and the analysts' labels."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Iterable

from classifiers.hot import categories_from_reasons
from classifiers.types import Classification, HotCategory
from monitor.store.articles import published_window
from monitor.store.base import exact_utc, utc_iso


def hot_categories_of(stored: str | None, reasons: tuple[str, ...], hot: bool = True) -> tuple[HotCategory, ...] | None:
    """A row's hot categories as stored (0072); None when its classification did not judge it hot. A row without
    them (stored before, or given without them) is read from its reasons as before."""
    if stored is None:
        return categories_from_reasons(reasons)
    return tuple(HotCategory(*c) for c in json.loads(stored)) if hot else None


def dump_hot_categories(categories, hot: bool = True) -> str | None:
    """The stored form: NULL only for a hot judgement given without its categories, which its reasons then tell."""
    if categories is None:
        return None if hot else "[]"
    return json.dumps([list(c) for c in categories], ensure_ascii=False)


def row_to_classification(row) -> Classification:
    reasons = tuple(json.loads(row["reasons"]))
    return Classification(
        id=str(row["article_id"]), is_education=bool(row["is_education"]), relevance=row["relevance"],
        topics=tuple(json.loads(row["topics"])), topic_scores=json.loads(row["topic_scores"]),
        sentiment=row["sentiment"], hot=bool(row["hot"]), hot_score=row["hot_score"], scope=row["scope"],
        reasons=reasons, model_version=row["model_version"],
        hot_categories=hot_categories_of(row["hot_categories"], reasons, bool(row["hot"])),
        evidence=json.loads(row["evidence"] or "{}"),
    )


_WITHOUT_EVIDENCE = ("article_id, model_version, is_education, relevance, topics, topic_scores, sentiment, hot, hot_score,"
                     " scope, reasons, hot_categories, NULL AS evidence")


def current_classification(article_id: str = "a.id", row: str = "c") -> str:
    """A join condition: `row` (a classifications row) is the current classification of the article `article_id`
    names, the active version's (its name bound as the one parameter), else the newest of any version, as
    classifications_for's fallback reads it.

    A retraining reclassifies only the last months (README, "monitor reclassify --since"), and articles arriving
    during a rollback are classified by the version on disk, not the one pinned: read from the active version
    alone, such articles would be missing where a person reads them (a month's report, a clipping's week, a
    feed's share) or from stories, while the clipping lists them. One probe of the primary key per article."""
    return (f"{row}.rowid = (SELECT x.rowid FROM classifications x WHERE x.article_id = {article_id}"
            " ORDER BY x.model_version = ? DESC, x.classified_at DESC, x.rowid DESC LIMIT 1)")


def version_or_current(named: bool, article_id: str = "a.id", row: str = "c") -> str:
    """A join condition beside `row.article_id = article_id`, one version name bound as its parameter: with a version
    `named` by the caller, `row` is that version's classification; without, the article's current one
    (current_classification, the active version's name bound)."""
    return f"{row}.model_version = ?" if named else current_classification(article_id, row)


class ClassificationsMixin:
    def register_model_version(self, version: str, now: datetime, description: str = "", *, activate: bool = True) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO model_versions(version, created_at, description) VALUES (?,?,?)",
                       (version, utc_iso(now), description))
            # a version pinned by a rollback stays current until the analyst reclassifies or unpins
            if activate and not db.execute("SELECT 1 FROM model_versions WHERE pinned = 1").fetchone():
                db.execute("UPDATE model_versions SET active = (version = ?)", (version,))

    def active_model_version(self) -> str | None:
        row = self.execute("SELECT version FROM model_versions WHERE active = 1").fetchone()
        return row[0] if row else None

    def model_versions(self) -> list[dict]:
        return [dict(r) | {"articles": self.execute(
            "SELECT COUNT(*) FROM classifications WHERE model_version = ?", (r["version"],)).fetchone()[0]}
            for r in self.execute("SELECT * FROM model_versions ORDER BY created_at, version")]

    def save_classifications(self, items: Iterable[tuple[int, Classification]], now: datetime) -> int:
        n = 0
        with self.transaction() as db:
            for article_id, c in items:
                db.execute(
                    "INSERT OR REPLACE INTO classifications(article_id, model_version, classified_at, is_education, relevance,"
                    " topics, topic_scores, sentiment, hot, hot_score, scope, reasons, hot_categories, evidence)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (article_id, c.model_version, exact_utc(now), int(c.is_education), c.relevance,
                     json.dumps(list(c.topics)), json.dumps(c.topic_scores, ensure_ascii=False), c.sentiment, int(c.hot),
                     c.hot_score, c.scope, json.dumps(list(c.reasons), ensure_ascii=False),
                     dump_hot_categories(c.hot_categories, c.hot),
                     json.dumps(c.evidence, ensure_ascii=False, default=str)),
                )
                n += 1
        return n

    def classification(self, article_id: int, version: str | None = None) -> Classification | None:
        version = version or self.active_model_version()
        if version is None:
            return None
        row = self.execute("SELECT * FROM classifications WHERE article_id = ? AND model_version = ?",
                           (article_id, version)).fetchone()
        return row_to_classification(row) if row else None

    def classifications_for(self, article_ids: list[int], version: str | None = None, *,
                            fallback: bool = True, evidence: bool = True) -> dict[int, Classification]:
        """Each article's classification under `version` (default: the current one).

        With `fallback`, an article the current version has not seen (one collected while an earlier
        version is pinned, say) gets its newest classification of any version rather than none, so a
        digest never silently drops it. Without `evidence`, that part (for `monitor explain` only, and most
        of the row to decode) is left empty.
        """
        columns = "*" if evidence else _WITHOUT_EVIDENCE
        explicit = version is not None
        version = version or self.active_model_version()
        out: dict[int, Classification] = {}
        if not version or not article_ids:
            return out
        for i in range(0, len(article_ids), 500):
            chunk = article_ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.execute(f"SELECT {columns} FROM classifications WHERE model_version = ? AND article_id IN ({marks})",
                                    [version, *chunk]):
                out[row["article_id"]] = row_to_classification(row)
        missing = [a for a in article_ids if a not in out]
        if fallback and not explicit and missing:
            for i in range(0, len(missing), 500):
                chunk = missing[i:i + 500]
                marks = ",".join("?" * len(chunk))
                for row in self.execute(
                        f"SELECT {columns} FROM classifications WHERE article_id IN ({marks}) ORDER BY classified_at, rowid", chunk):
                    out[row["article_id"]] = row_to_classification(row)  # the newest wins
        return out

    def scores_between(self, since: datetime | None,
                       until: datetime | None) -> list[tuple[int, bool, float, bool, float, str]]:
        """(article id, is_education, relevance, hot, hot_score, model version) of each of articles_between's articles
        that has a classification, under its current one: the row classifications_for would read
        (current_classification), and none at all without an active version, as classifications_for. Plain columns
        only, for a window of a year's articles: decoding the JSON of each row is most of classifications_for's time."""
        version = self.active_model_version()
        if version is None:
            return []
        where, params = published_window(since, until, "a.")
        # articles first, by the index on when published (CROSS JOIN keeps that order), then one probe each
        return [(r[0], bool(r[1]), r[2], bool(r[3]), r[4], r[5]) for r in self.execute(
            "SELECT a.id, c.is_education, c.relevance, c.hot, c.hot_score, c.model_version FROM articles a"
            f" CROSS JOIN classifications c ON {current_classification()} WHERE {where}", [version, *params])]

    def decision_thresholds(self, versions: Iterable[str]) -> dict[str, tuple[float, float]]:
        """Version -> (education threshold, hot threshold) that version decided at, read from the evidence of one of
        its classifications (the classifier records them there); a version whose first classification has none (one
        stored without its evidence) is left out."""
        out = {}
        for version in versions:
            row = self.execute(
                "SELECT json_extract(evidence, '$.thresholds.education'), json_extract(evidence, '$.thresholds.hot')"
                " FROM classifications WHERE model_version = ? LIMIT 1", (version,)).fetchone()
            if row is not None and row[0] is not None and row[1] is not None:
                out[version] = (float(row[0]), float(row[1]))
        return out

    def education_by_source(self, since: datetime, version: str | None = None) -> dict[str, tuple[int, int]]:
        """Feed name -> (its articles first listed since `since` that `version` classified, how many of them
        education); without `version`, each article as its current classification (current_classification) judged
        it, as the clipping shows it."""
        explicit = version is not None
        version = version or self.active_model_version()
        if version is None:
            return {}
        # the feeds' listings of the last days (index on seen_at), then their classifications, counted here: CROSS
        # JOIN keeps SQLite to that order, and grouping in SQL would have it walk every listing of the year in
        # feed order (article_feeds_source_seen) to save a sort; the other join order reads a year's classifications
        out: dict[str, tuple[int, int]] = {}
        for source, education in self.execute(
                "SELECT f.source, c.is_education FROM article_feeds f CROSS JOIN classifications c ON "
                + ("c.article_id = f.article_id AND c.model_version = ?" if explicit
                   else current_classification("f.article_id")) + " WHERE f.seen_at >= ?", (version, utc_iso(since))):
            n, edu = out.get(source, (0, 0))
            out[source] = (n + 1, edu + education)
        return out

    # ---------------------------------------------------------------- analysts' labels

    def add_label(self, article_id: int, *, by: str, at: datetime, is_education: bool | None = None,
                  topics: list[str] | None = None, sentiment: str | None = None, hot: bool | None = None,
                  scope: str | None = None, note: str = "") -> int:
        return insert_label(self, article_id, by=by, at=at, is_education=is_education, topics=topics,
                             sentiment=sentiment, hot=hot, scope=scope, note=note)

    def labels(self, article_ids: Iterable[int] | None = None) -> list[dict]:
        """The latest label of each article (of `article_ids` only, when given), merged field by field (a later
        label overrides what it states), of the labels in force: a withdrawn label (0080) and the row withdrawing it
        are left out, and an article whose labels are all withdrawn has none. `shown_education` is the latest
        label's (None for one written before it was recorded)."""
        merged: dict[int, dict] = {}
        rows = self.execute("SELECT * FROM labels ORDER BY labelled_at, id").fetchall()
        withdrawn = {row["withdraws"] for row in rows if row["withdraws"] is not None}
        wanted = None if article_ids is None else set(article_ids)
        for row in rows:
            if wanted is not None and row["article_id"] not in wanted:
                continue
            if row["withdraws"] is not None or row["id"] in withdrawn:
                continue
            d = merged.setdefault(row["article_id"], {"article_id": row["article_id"]})
            for key in ("is_education", "sentiment", "hot", "scope"):
                if row[key] is not None:
                    d[key] = bool(row[key]) if key in ("is_education", "hot") else row[key]
            if row["topics"] is not None:
                d["topics"] = json.loads(row["topics"])
            d["labelled_by"], d["labelled_at"] = row["labelled_by"], row["labelled_at"]
            d["shown_education"] = None if row["shown_education"] is None else bool(row["shown_education"])
        return list(merged.values())

    def labelled_ids(self) -> set[int]:
        """The articles that have a label in force (those labels() merges), without reading the labels."""
        return {r[0] for r in self.execute(f"SELECT DISTINCT article_id FROM labels l WHERE {LABEL_IN_FORCE}")}

    def labels_noted(self, prefix: str) -> list[dict]:
        """Label rows in force (id, article_id, note) whose note begins with `prefix`: those one action wrote, e.g. a
        case's dismissal (monitor.cases.dismissal_label_note)."""
        return [dict(r) for r in self.execute(
            f"SELECT id, article_id, note FROM labels l WHERE substr(note, 1, ?) = ? AND {LABEL_IN_FORCE}"
            " ORDER BY labelled_at, id", (len(prefix), prefix))]

    def label_rows(self, *, since: datetime | None = None, until: datetime | None = None, by: str | None = None,
                   article_id: int | None = None, label_id: int | None = None) -> list[dict]:
        """Every label row written in [since, until) (by `by`, of `article_id`, the one `label_id`, when given),
        oldest first, with its article's title and outlet and, for a withdrawn one, `withdrawn_by`: the id of the
        row withdrawing it (that row's `withdraws` names it back). The history behind `labels()`, withdrawn rows
        included."""
        where, params = ["1"], []
        if since is not None:
            where.append("l.labelled_at >= ?")
            params.append(utc_iso(since))
        if until is not None:
            where.append("l.labelled_at < ?")
            params.append(utc_iso(until))
        if by is not None:
            where.append("l.labelled_by = ?")
            params.append(by)
        if article_id is not None:
            where.append("l.article_id = ?")
            params.append(article_id)
        if label_id is not None:
            where.append("l.id = ?")
            params.append(label_id)
        out = []
        for row in self.execute(
                "SELECT l.*, a.title AS title, a.outlet AS outlet,"
                " (SELECT MIN(w.id) FROM labels w WHERE w.withdraws = l.id) AS withdrawn_by"
                f" FROM labels l JOIN articles a ON a.id = l.article_id WHERE {' AND '.join(where)}"
                " ORDER BY l.labelled_at, l.id", params):
            out.append(label_row(row))
        return out

    def withdraw_label(self, label_id: int, *, by: str, at: datetime, note: str = "") -> int:
        """The row withdrawing label `label_id` (its article's, every field unstated); the caller has checked the
        label is in force."""
        return insert_withdrawal(self, label_id, by=by, at=at, note=note)


# a label row `l` that is no withdrawal and that no later row withdraws (0080)
LABEL_IN_FORCE = "l.withdraws IS NULL AND NOT EXISTS (SELECT 1 FROM labels w WHERE w.withdraws = l.id)"


def label_row(row) -> dict:
    """A stored label row as a dict: topics a list (None = not stated), the yes/no fields booleans."""
    d = dict(row)
    d["topics"] = json.loads(d["topics"]) if d["topics"] is not None else None
    for key in ("is_education", "hot", "shown_education"):
        d[key] = None if d[key] is None else bool(d[key])
    return d


def insert_withdrawal(db, label_id: int, *, by: str, at: datetime, note: str = "") -> int:
    """The row withdrawing label `label_id` (0080: its article's, every field unstated, `withdraws` naming it); `db`
    is the store or a connection inside one of its transactions. The one way a label stops applying: the history
    (`monitor labels`, `monitor explain`) keeps both rows."""
    cur = db.execute(
        "INSERT INTO labels(article_id, labelled_by, labelled_at, note, withdraws)"
        " SELECT article_id, ?, ?, ?, id FROM labels WHERE id = ?", (by, utc_iso(at), note, label_id))
    return cur.lastrowid


def insert_label(db, article_id: int, *, by: str, at: datetime, is_education: bool | None = None,
                  topics: list[str] | None = None, sentiment: str | None = None, hot: bool | None = None,
                  scope: str | None = None, note: str = "") -> int:
    """One label row (None = not stated); `db` is the store or a connection inside one of its transactions. The row
    records whether the article was shown as education then (shown_education: its current classification's call,
    as classifications_for reads it; 0 when it has none), which is what a label stating no education corrects."""
    active = db.execute("SELECT version FROM model_versions WHERE active = 1").fetchone()
    # without an active version nothing is shown classified (classifications_for reads none)
    shown, shown_params = ("0", ()) if active is None else (
        "COALESCE((SELECT c.is_education FROM classifications c WHERE c.article_id = ? AND "
        f"{current_classification('c.article_id', 'c')}), 0)", (article_id, active[0]))
    cur = db.execute(
        "INSERT INTO labels(article_id, is_education, topics, sentiment, hot, scope, labelled_by, labelled_at, note,"
        f" shown_education) VALUES (?,?,?,?,?,?,?,?,?,{shown})",
        (article_id, None if is_education is None else int(is_education),
         None if topics is None else json.dumps(topics), sentiment, None if hot is None else int(hot), scope,
         by, utc_iso(at), note, *shown_params))
    return cur.lastrowid
