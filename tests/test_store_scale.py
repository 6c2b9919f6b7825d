"""A year's store stays quick: what people and the service ask for is read from indexes, not from every article.

A year of one office's news is ~150,000 articles, each row carrying its page's text and archived HTML, so a
query that reads every row to test it reads gigabytes and takes seconds (bench/year_store.py measures the
commands on such a store). These tests need no large store: they record the statements a store method runs
and ask SQLite how it would answer each (EXPLAIN QUERY PLAN), on a store without statistics, where SQLite
assumes a large table. No timing.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from datetime import datetime, timedelta, timezone

from classifiers.types import Classification
from monitor.models import ExtractedPage, FeedEntry
from monitor.store import Store

T0 = datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc)
VERSION = "v1"


def classification(article_id: int, education: bool = True) -> Classification:
    return Classification(id=str(article_id), is_education=education, relevance=0.9 if education else 0.1,
                          topics=("hoc-phi-thu-chi",) if education else (), topic_scores={}, sentiment="neutral",
                          hot=False, hot_score=0.1, scope="national", reasons=(), model_version=VERSION)


def filled(tmp_path) -> Store:
    """A week of articles, one an hour, with pages, classifications and a few stories."""
    s = Store(tmp_path / "s.sqlite3")
    for n in range(24 * 7):
        when = T0 + timedelta(hours=n)
        aid, _ = s.add_feed_entry(FeedEntry(source="vnexpress-tin-moi", url=f"https://vnexpress.net/bai-{n}.html",
                                            guid=str(n), title=f"Học sinh số {n}", sapo="Sa pô", published=when),
                                  "VnExpress", when + timedelta(minutes=5))
        s.save_page(aid, ExtractedPage(title=f"Học sinh số {n}", sapo="Sa pô", body="Nội dung bài báo. " * 50),
                    b"<html>" + b"x" * 5000 + b"</html>", "utf-8", when + timedelta(minutes=6))
        s.save_classifications([(aid, classification(aid, education=n % 3 == 0))], when + timedelta(minutes=7))
        if n % 3 == 0 and n < 150:
            if n % 2 == 0:
                story = s.create_story(aid, when)
            else:
                s.add_story_member(story, aid, when, similarity=0.5, matched_id=None, reprint=False)
    s.register_model_version(VERSION, T0)
    return s


def plans(store: Store, call) -> list[tuple[str, list[str]]]:
    """(statement, SQLite's plan for it) for each SELECT that `call` runs on the store."""
    seen: list[str] = []
    store.db.set_trace_callback(seen.append)
    try:
        call()
    finally:
        store.db.set_trace_callback(None)
    return [(sql, [r[3] for r in store.db.execute("EXPLAIN QUERY PLAN " + sql)])
            for sql in seen if sql.lstrip().upper().startswith("SELECT")]


def reads_every_article(found: list[tuple[str, list[str]]]) -> list[str]:
    """The steps that walk the whole articles table or a whole index of it (the table is `a` in the store's
    queries)."""
    return [f"{sql}\n  -> {step}" for sql, plan in found for step in plan if re.match(r"SCAN (TABLE )?(articles|a)\b", step)]


def reads_every_classification(found: list[tuple[str, list[str]]]) -> list[str]:
    """The steps that walk the classifications table (`c`, or `x` in current_classification's subquery, run per
    article): an article's current classification must be one probe of the primary key."""
    return [f"{sql}\n  -> {step}" for sql, plan in found for step in plan
            if re.match(r"SCAN (TABLE )?(classifications|c|x)\b", step)]


def reads_every_member(found: list[tuple[str, list[str]]]) -> list[str]:
    """The steps that walk every story's members (`s`): a year holds tens of thousands of them, and the
    service asks which stories had news lately at every poll."""
    return [f"{sql}\n  -> {step}" for sql, plan in found for step in plan
            if re.match(r"SCAN (TABLE )?(story_articles|s)\b", step)]


def test_windows_of_publication_time_are_read_from_an_index_not_from_every_article(tmp_path):
    with filled(tmp_path) as s:
        since, until = T0 + timedelta(days=2), T0 + timedelta(days=3)
        calls = {
            "articles_between": lambda: list(s.articles_between(since, until)),
            "article_ids_between": lambda: s.article_ids_between(since, until),
            "article_ids_between (since only)": lambda: s.article_ids_between(since, None),
            "count_articles_between": lambda: s.count_articles_between(since, until),
            "background_texts": lambda: s.background_texts(since, until),
            "texts_between": lambda: s.texts_between(since, until),
            "scores_between": lambda: s.scores_between(since, until),
            "member_docs_between": lambda: s.member_docs_between(since, until),
            "member_docs_between (capped)": lambda: s.member_docs_between(since, until, per_story=5, per_feed=50),
            "open_case_member_docs_between (capped)": lambda: s.open_case_member_docs_between(since, until, per_case=5,
                                                                                              per_feed=50),
            "stories_between": lambda: s.stories_between(since, until),
            "tone_rows": lambda: s.tone_rows(since, until),
            "education_rows": lambda: list(s.education_rows(since, until, labelled_too=True)),
            "education_topics_between": lambda: list(s.education_topics_between(since, until)),
        }
        for name, call in calls.items():
            found = plans(s, call)
            assert reads_every_article(found) == [], name
            assert reads_every_classification(found) == [], name
            assert reads_every_member(found) == [], name
        # and they still answer the window, oldest first
        got = list(s.articles_between(since, until))
        assert len(got) == 24 and [a.when for a in got] == sorted(a.when for a in got)
        assert got[0].when == since and got[-1].when == until - timedelta(hours=1)
        assert s.article_ids_between(since, until) == sorted(a.id for a in got)
        assert s.count_articles_between(since, until) == 24
        # grouping's index: each story's latest members, then each feed's latest of those, oldest first
        every = s.member_docs_between(since, until)
        capped = s.member_docs_between(since, until, per_story=1, per_feed=3)
        latest = {}
        for m in every:
            latest[m["story_id"]] = m
        assert capped == sorted(latest.values(), key=lambda m: (m["when"], m["id"]))[-3:] and len(latest) > 3


def test_each_poll_reads_only_the_last_days_articles(tmp_path):
    """What classify_pending and run_triage ask at every poll of the service."""
    with filled(tmp_path) as s:
        recent = T0 + timedelta(days=6)
        calls = {
            "article_ids_needing_classification": lambda: s.article_ids_needing_classification(VERSION, since=recent),
            "unassigned_education_articles (seen since)": lambda: s.unassigned_education_articles(seen_since=recent),
            "hot_story_ids_since": lambda: s.hot_story_ids_since(recent),
        }
        for name, call in calls.items():
            found = plans(s, call)
            assert reads_every_article(found) == [], name
            assert reads_every_classification(found) == [], name
            assert reads_every_member(found) == [], name
        # a page stored after its article was classified: classified again; the list in id order
        late = s.article_ids_between(recent, None)[-2:]
        for aid in late:
            s.save_page(aid, ExtractedPage(title="Tiêu đề mới", sapo="", body="Trang mới"), b"<html/>", "utf-8",
                        T0 + timedelta(days=30))
        assert s.article_ids_needing_classification(VERSION, since=recent) == sorted(late)
        assert s.article_ids_needing_classification(VERSION, since=T0 + timedelta(days=60)) == []
        assert s.article_ids_needing_classification(VERSION) == sorted(late)
        # education articles outside any story, oldest publication first
        unplaced = s.unassigned_education_articles(seen_since=T0 + timedelta(days=5))
        whens = [s.get_article(i).when for i in unplaced]
        assert unplaced and whens == sorted(whens) and all(w >= T0 + timedelta(days=5) - timedelta(minutes=5) for w in whens)


def test_status_counts_each_feed_from_an_index_on_when_it_listed_them(tmp_path):
    with filled(tmp_path) as s:
        now = T0 + timedelta(days=7)
        s.sync_sources([SimpleNamespace(name="vnexpress-tin-moi", url="https://vnexpress.net/rss/tin-moi-nhat.rss",
                                        outlet="VnExpress", enabled=True, interval_minutes=10)], now)
        found = plans(s, lambda: (s.source_health(now), s.education_by_source(now - timedelta(days=7))))
        by_time = [(sql, plan) for sql, plan in found if "seen_at >=" in sql]
        assert len(by_time) >= 2
        for sql, plan in by_time:
            assert any("seen_at>" in step for step in plan), f"{sql}\n  -> {plan}"
        assert reads_every_classification(found) == []
        assert s.education_by_source(now - timedelta(days=1)) == {"vnexpress-tin-moi": (24, 8)}


def test_an_article_is_read_without_its_archived_page(tmp_path):
    """The archived HTML (tens of KB a page) is read only when asked for: by raw_html()."""
    with filled(tmp_path) as s:
        since, until = T0, T0 + timedelta(days=1)
        statements = [sql for sql, _ in plans(s, lambda: (s.get_article(1), s.find_article_by_url("https://vnexpress.net/bai-1.html"),
                                                          list(s.articles_between(since, until)),
                                                          s.late_articles(until, until + timedelta(days=1), since)))]
        assert statements and not [sql for sql in statements if "*" in sql or "raw_html" in sql]
        a = s.get_article(1)
        assert a.body.startswith("Nội dung bài báo") and a.sources == ("vnexpress-tin-moi",)
        assert s.raw_html(1)[0].startswith(b"<html>x")


def test_search_finds_what_is_not_indexed_without_reading_the_index(tmp_path):
    with filled(tmp_path) as s:
        assert s.unindexed_article_ids() == [a for a in range(1, 24 * 7 + 1)]
        s.index_articles([(1, "hoc sinh", "", ""), (2, "giao vien", "", "")])
        s.index_articles([(1, "hoc sinh so mot", "", "")])  # indexed again: replaced, still one row
        assert s.unindexed_article_ids() == list(range(3, 24 * 7 + 1))
        assert [i for i, _ in s.search_ids('"giao vien"')] == [2]
        # every article's id is listed (from an index), but not every indexed text
        steps = [step for _, plan in plans(s, s.unindexed_article_ids) for step in plan]
        assert steps and not [step for step in steps if "VIRTUAL TABLE" in step]
