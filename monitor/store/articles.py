"""Articles and the feeds that listed them."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Iterable, Iterator

from monitor.models import Article, ExtractedPage, FeedEntry
from monitor.store.base import compress, decompress, exact_utc, from_iso, utc_iso
from monitor.urls import same_article_urls


# What an Article is read from: never raw_html (the archived page, tens of KB a row), which only raw_html() reads
ARTICLE_COLUMNS = "id, url, outlet, title, sapo, body, author, published_at, first_seen_at, page_status"


def published_window(since: datetime | None, until: datetime | None, alias: str = "") -> tuple[str, list[str]]:
    """The condition (after WHERE) and its parameters for articles by publication time (first-seen when unknown),
    since inclusive, until exclusive. Only the bounds given are written: "? IS NULL OR ..." would keep SQLite from
    the index on that expression (articles_when) and have it read every article of the year."""
    sql, params = "1=1", []
    if since is not None:
        sql += f" AND COALESCE({alias}published_at, {alias}first_seen_at) >= ?"
        params.append(utc_iso(since))
    if until is not None:
        sql += f" AND COALESCE({alias}published_at, {alias}first_seen_at) < ?"
        params.append(utc_iso(until))
    return sql, params


def row_to_article(row: sqlite3.Row, sources: tuple[str, ...] = ()) -> Article:
    return Article(
        id=row["id"], url=row["url"], outlet=row["outlet"], title=row["title"], sapo=row["sapo"],
        body=row["body"], published=from_iso(row["published_at"]), first_seen=from_iso(row["first_seen_at"]),
        author=row["author"], page_status=row["page_status"], sources=sources,
    )


class ArticlesMixin:
    def add_feed_entry(self, entry: FeedEntry, outlet: str, seen_at: datetime, *, fetch_page: bool = True,
                       match_guid: bool = True) -> tuple[int, bool]:
        """Store an entry; return (article id, whether the article is new).

        One article per canonical URL: a second feed listing it only adds a row to article_feeds. A GUID
        already seen in this source under another URL (an unstable link) maps to the article it named, but
        only while that GUID names exactly one article: some CMSs give every item the same GUID, and
        merging on it would drop real articles without a word. `match_guid=False` skips the GUID (the
        caller knows it is shared by different links).
        """
        with self.transaction() as db:
            row = db.execute("SELECT id FROM articles WHERE url = ?", (entry.url,)).fetchone()
            if row is None:
                # http://www.x.vn/a.html and https://x.vn/a.html: one article, stored under the first URL seen
                variants = same_article_urls(entry.url)
                if variants:
                    row = db.execute(f"SELECT id FROM articles WHERE url IN ({','.join('?' * len(variants))}) ORDER BY id LIMIT 1",
                                     variants).fetchone()
            if row is None and match_guid and entry.guid and entry.guid != entry.url:
                named = db.execute("SELECT DISTINCT article_id AS id FROM article_feeds WHERE source = ? AND guid = ? LIMIT 2",
                                   (entry.source, entry.guid)).fetchall()
                row = named[0] if len(named) == 1 else None
            is_new = row is None
            if is_new:
                published = entry.published or seen_at
                cur = db.execute(
                    "INSERT INTO articles(url, outlet, title, sapo, author, published_at, published_flag, first_seen_at,"
                    " page_status, next_page_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (entry.url, outlet, entry.title, entry.sapo, entry.author, utc_iso(published), entry.published_flag,
                     utc_iso(seen_at), "pending" if fetch_page else "skipped", utc_iso(seen_at)),
                )
                article_id = cur.lastrowid
            else:
                article_id = row["id"]
            db.execute("INSERT OR IGNORE INTO article_feeds(article_id, source, guid, seen_at) VALUES (?,?,?,?)",
                       (article_id, entry.source, entry.guid, utc_iso(seen_at)))
        return article_id, is_new

    def add_feed_entries(self, entries, outlet: str, seen_at: datetime, *, fetch_page: bool = True) -> list[tuple[int, bool]]:
        """`add_feed_entry` for one feed's entries in a single transaction (committed together, at once).

        A GUID that this very feed gives to two different links identifies neither: those entries are
        stored by URL alone."""
        entries = list(entries)
        links: dict[str, set[str]] = {}
        for e in entries:
            links.setdefault(e.guid, set()).add(e.url)
        with self.transaction():
            return [self.add_feed_entry(e, outlet, seen_at, fetch_page=fetch_page, match_guid=len(links[e.guid]) == 1)
                    for e in entries]

    def save_page(self, article_id: int, page: ExtractedPage, raw_html: bytes, encoding: str, fetched_at: datetime) -> None:
        """Store an extracted page; feed text is kept where the page gave nothing better."""
        with self.transaction() as db:
            old = db.execute("SELECT title, sapo, published_at, published_flag FROM articles WHERE id = ?", (article_id,)).fetchone()
            published_at, flag = old["published_at"], old["published_flag"]
            if page.published is not None and flag != "ok":
                published_at, flag = utc_iso(page.published), "page"
            db.execute(
                "UPDATE articles SET title = ?, sapo = ?, body = ?, author = CASE WHEN ? != '' THEN ? ELSE author END,"
                " published_at = ?, published_flag = ?, page_status = 'ok', page_attempts = page_attempts + 1,"
                " next_page_at = NULL, page_error = NULL, extraction = ?, raw_html = ?, raw_html_encoding = ?,"
                " text_changed_at = ? WHERE id = ?",
                (page.title or old["title"], page.sapo or old["sapo"], page.body, page.author, page.author,
                 published_at, flag, page.method or "selectors", compress(raw_html), encoding, exact_utc(fetched_at),
                 article_id),
            )

    def page_failed(self, article_id: int, error: str, retry_at: datetime | None, *, raw_html: bytes | None = None) -> None:
        """Keep the article from its feed entry; retry the page later (or never, when retry_at is None).
        `raw_html`: what the server did send (e.g. a page with no article text), kept for re-extraction."""
        self.execute(
            "UPDATE articles SET page_attempts = page_attempts + 1, page_error = ?, next_page_at = ?,"
            " page_status = CASE WHEN ? IS NULL THEN 'failed' ELSE 'pending' END,"
            " raw_html = COALESCE(?, raw_html) WHERE id = ?",
            (error, utc_iso(retry_at), utc_iso(retry_at), compress(raw_html) if raw_html is not None else None, article_id),
        )

    def pages_due(self, now: datetime, limit: int = 500, sources: Iterable[str] | None = None) -> list[sqlite3.Row]:
        """Pending pages whose (re)try time has come, oldest first; with `sources`, only articles listed by one of
        those feeds (filtered here, before the limit, so other feeds' backlog cannot crowd them out)."""
        names = None if sources is None else list(dict.fromkeys(sources))
        if names == []:
            return []
        only = "" if names is None else (" AND EXISTS (SELECT 1 FROM article_feeds g WHERE g.article_id = a.id"
                                         f" AND g.source IN ({','.join('?' * len(names))}))")
        return list(self.execute(
            "SELECT a.id, a.url, a.outlet, a.page_attempts, (SELECT source FROM article_feeds f WHERE f.article_id = a.id LIMIT 1) AS source"
            " FROM articles a WHERE page_status = 'pending' AND (next_page_at IS NULL OR next_page_at <= ?)" + only +
            " ORDER BY first_seen_at LIMIT ?", (utc_iso(now), *(names or ()), limit)))

    def raw_html(self, article_id: int) -> tuple[bytes, str]:
        row = self.execute("SELECT raw_html, raw_html_encoding FROM articles WHERE id = ?", (article_id,)).fetchone()
        return (decompress(row["raw_html"]), row["raw_html_encoding"] or "utf-8") if row else (b"", "utf-8")

    def article_sources(self, article_id: int) -> tuple[str, ...]:
        return tuple(r[0] for r in self.execute(
            "SELECT source FROM article_feeds WHERE article_id = ? ORDER BY seen_at", (article_id,)))

    def get_article(self, article_id: int) -> Article | None:
        row = self.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row_to_article(row, self.article_sources(article_id)) if row else None

    def find_article_by_url(self, url: str) -> Article | None:
        row = self.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE url = ?", (url,)).fetchone()
        return row_to_article(row, self.article_sources(row["id"])) if row else None

    def articles_between(self, since: datetime | None, until: datetime | None) -> Iterator[Article]:
        """Articles by publication time (first-seen time when unknown), oldest first; since inclusive, until exclusive."""
        where, params = published_window(since, until)
        sql = f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE {where} ORDER BY COALESCE(published_at, first_seen_at), id"
        for row in self.execute(sql, params).fetchall():
            yield row_to_article(row)

    def texts_between(self, since: datetime | None, until: datetime | None) -> list[str]:
        """Title + sapo (monitor.stories.article_text) of each of articles_between's articles, in its order, read
        without their bodies: an IDF background as a year's articles read whole would give it (background_texts
        gives the latest first, up to a limit)."""
        where, params = published_window(since, until)
        return [f"{r[0]} {r[1]}" for r in self.execute(
            f"SELECT title, sapo FROM articles WHERE {where} ORDER BY COALESCE(published_at, first_seen_at), id", params)]

    def get_articles(self, article_ids: list[int]) -> list[Article]:
        """The stored ones of `article_ids`, in that order, read with two queries (get_article reads two per article)."""
        rows: dict[int, sqlite3.Row] = {}
        sources: dict[int, list[str]] = {}
        for k in range(0, len(article_ids), 500):
            chunk = article_ids[k:k + 500]
            marks = ",".join("?" * len(chunk))
            rows.update((r["id"], r) for r in self.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id IN ({marks})", chunk))
            for aid, source in self.execute(f"SELECT article_id, source FROM article_feeds WHERE article_id IN ({marks})"
                                            " ORDER BY seen_at", chunk):
                sources.setdefault(aid, []).append(source)
        return [row_to_article(rows[i], tuple(sources.get(i, ()))) for i in article_ids if i in rows]

    def article_texts(self, article_ids: list[int]) -> dict[int, str]:
        """Each stored article's title, sapo and body as one text (a line between them), by id: what a search typed
        with diacritics checks on thousands of candidates, without building an Article for each of them."""
        texts: dict[int, str] = {}
        for k in range(0, len(article_ids), 500):
            chunk = article_ids[k:k + 500]
            texts.update((r[0], f"{r[1]}\n{r[2]}\n{r[3]}") for r in self.execute(
                f"SELECT id, title, sapo, body FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk))
        return texts

    def article_id_pages(self, since: datetime | None, until: datetime | None, size: int) -> Iterator[list[int]]:
        """The ids of articles_between's window, ascending, `size` at a time: a year's ids are never held at once.

        Each page is read by id from where the last one ended (the primary key), within the window's lowest and
        highest id (from the index on when published): ids follow collection, so few rows in between are outside it.
        """
        where, params = published_window(since, until)
        # two subqueries: SQLite answers a lone MIN or MAX from an index's end, both at once by reading all of it
        low, high = self.execute(f"SELECT (SELECT MIN(id) FROM articles WHERE {where}),"
                                 f" (SELECT MAX(id) FROM articles WHERE {where})", params * 2).fetchone()
        if low is None:
            return
        last = low - 1
        while True:
            page = [r[0] for r in self.execute(f"SELECT id FROM articles WHERE id > ? AND id <= ? AND {where}"
                                               " ORDER BY id LIMIT ?", [last, high, *params, size])]
            if not page:
                return
            yield page
            last = page[-1]

    def count_articles_between(self, since: datetime | None, until: datetime | None) -> int:
        where, params = published_window(since, until)
        return self.execute(f"SELECT COUNT(*) FROM articles WHERE {where}", params).fetchone()[0]

    def article_ids_first_seen_since(self, seen_since: datetime, since: datetime | None = None,
                                     until: datetime | None = None) -> list[int]:
        """Ids of articles first collected at or after `seen_since` (the index on first_seen_at), within
        articles_between's window when given."""
        where, params = published_window(since, until)
        return sorted(r[0] for r in self.execute(f"SELECT id FROM articles WHERE first_seen_at >= ? AND {where}",
                                                 [utc_iso(seen_since), *params]))

    def article_ids_needing_classification(self, version: str, since: datetime | None = None) -> list[int]:
        """Articles without a classification under `version` made after their text last changed (first seen
        at or after `since`, when given): a page stored after its article was classified on the feed's text
        is classified again by whichever run comes next."""
        # the window is written into the query only when given ("? IS NULL OR ..." cannot use an index), and the
        # order is made here: asked to return ids in order, SQLite walks every article of the year instead of the
        # last days' from the index on (first_seen_at, text_changed_at), which answers this without the rows
        sql, params = "SELECT a.id FROM articles a WHERE", [version]
        if since is not None:
            sql += " a.first_seen_at >= ? AND"
            params.insert(0, utc_iso(since))
        return sorted(r[0] for r in self.execute(
            sql + " NOT EXISTS (SELECT 1 FROM classifications c WHERE c.article_id = a.id AND c.model_version = ?"
            " AND (a.text_changed_at IS NULL OR c.classified_at >= a.text_changed_at))", params))

    def classified_by_another_version(self, article_ids: list[int], version: str) -> set[int]:
        """Those of `article_ids` that some other version than `version` has classified."""
        out: set[int] = set()
        for k in range(0, len(article_ids), 500):
            chunk = article_ids[k:k + 500]
            out |= {r[0] for r in self.execute(
                f"SELECT DISTINCT article_id FROM classifications WHERE model_version != ?"
                f" AND article_id IN ({','.join('?' * len(chunk))})", (version, *chunk))}
        return out

    def first_collection_time(self) -> datetime | None:
        """When the monitoring's data begin: the earliest feed poll or article collection (when it was first seen,
        not published: a first poll brings a backlog of older items, which would make a month look monitored from
        its first day), None when there is neither. A month that began before it was monitored in part."""
        times = [self.execute("SELECT MIN(started_at) FROM fetches WHERE kind = 'feed'").fetchone()[0],
                 self.execute("SELECT MIN(first_seen_at) FROM articles").fetchone()[0]]
        found = [from_iso(t) for t in times if t]
        return min(found) if found else None

    def count_articles(self) -> int:
        return self.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def latest_page_extractions(self, outlet: str, since: datetime, limit: int) -> list[tuple[int, str, datetime]]:
        """(article id, how its page was read: 'selectors' | 'trafilatura', when) of the latest `limit` pages of
        `outlet` read from its site at or after `since`, newest first (monitor.layout_drift).

        When is the page's extraction (text_changed_at, which only save_page writes), not the article's first
        sighting: a page retried for hours was read with the layout the outlet had then. Answered from the index
        on (outlet, text_changed_at, extraction) alone; text_changed_at is stored after raw_html, so reading it
        from the rows would walk each archived page."""
        return [(r[0], r[1], from_iso(r[2])) for r in self.execute(
            "SELECT id, extraction, text_changed_at FROM articles WHERE outlet = ? AND text_changed_at >= ?"
            " AND extraction IN ('selectors', 'trafilatura') ORDER BY text_changed_at DESC LIMIT ?",
            (outlet, exact_utc(since), limit))]

    def last_selector_match(self, outlet: str) -> datetime | None:
        """When a page of `outlet` was last read with its selectors (None: never). From the same index, newest
        first: it stops at the first match, a few entries back unless the outlet's layout changed long ago."""
        row = self.execute("SELECT text_changed_at FROM articles WHERE outlet = ? AND text_changed_at IS NOT NULL"
                           " AND extraction = 'selectors' ORDER BY text_changed_at DESC LIMIT 1", (outlet,)).fetchone()
        return from_iso(row[0]) if row else None

    def article_url(self, article_id: int) -> str | None:
        row = self.execute("SELECT url FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None
