"""After a partial reclassification (`monitor reclassify --since`, as the README tells an office to run after
`monitor train`) the store holds older articles classified only by earlier versions, and during a rollback the
articles arriving are classified only by the version on disk. Every reader a person looks at, and story grouping,
reads each article as its current classification: the active version's, else the newest of any version
(monitor.store.classifications.current_classification). The monthly report's own case is in test_forecast."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from click.testing import CliRunner

from monitor.app import App
from monitor.cli import cli
from monitor.store import Store
from test_digest import DAY, NEWS, NOW, add_article, classify, cls, make_app, seed_day
import test_reclassify_batches
from test_analyst_reclassify import run
from test_service_support import write_config

history = test_reclassify_batches.history  # the fixture, shared

RETRAINED = "test-digest-2"


def _retrained(store: Store, rows: list[tuple[int, dict]], when: datetime) -> None:
    """A retraining whose reclassification reached only `rows` (article id, classification fields): the new
    version is current, the other articles keep the first version's classifications."""
    store.register_model_version(RETRAINED, when)
    store.save_classifications([(aid, replace(cls(aid, **kw), model_version=RETRAINED)) for aid, kw in rows], when)


def test_an_old_days_clipping_counts_its_week_before_the_retraining_as_its_articles_are_shown(tmp_path):
    from monitor.digest_delivery import load_digest

    app = make_app(tmp_path)
    ids = seed_day(app.store)
    before = load_digest(app, DAY)
    assert before.trend[0].total > 0
    # reclassified since the clipping's day: the six days before it keep the first version's classifications
    _retrained(app.store, [(ids[key], kw) for key, *_, kw in NEWS], NOW)
    after = load_digest(app, DAY)
    assert after.trend == before.trend, "the week's chart lost the days the new version did not classify"
    assert after.summary.previous_average == before.summary.previous_average
    assert after.summary.education == before.summary.education


def test_status_counts_a_feeds_share_over_the_days_a_retraining_left_to_the_earlier_version(tmp_path):
    cfg = write_config(tmp_path)
    app = App.from_path(cfg)  # the real clock: `monitor status` looks at the days before now
    store = app.store
    now = app.now()
    titles = [("Trường tiểu học tổ chức ngày hội đọc sách", 4), ("Giá rau xanh tăng sau mưa lớn", 4),
              ("Sở GD&ĐT công bố lịch thi học kỳ", 1), ("Không khí lạnh tràn về, trời chuyển rét", 1)]
    ids = [add_article(store, url=f"https://bao-vi-du.vn/giao-duc/{n}.html", outlet="Báo Ví Dụ", title=t,
                       published=now - timedelta(days=days), source="vi-du-giao-duc")
           for n, (t, days) in enumerate(titles)]
    first = [(ids[0], dict(relevance=0.97)), (ids[1], dict(edu=False, relevance=0.02)),
             (ids[2], dict(relevance=0.95)), (ids[3], dict(edu=False, relevance=0.03))]
    classify(store, first, now=now - timedelta(days=1))
    _retrained(store, first[2:], now - timedelta(hours=1))  # reclassify --since yesterday
    app.close()
    result = CliRunner().invoke(cli, ["--config", str(cfg), "status", "--json"])
    assert result.exit_code == 0, result.output
    (feed,) = [s for s in json.loads(result.output)["sources"] if s["name"] == "vi-du-giao-duc"]
    assert feed["classified_recently"] == {"days": 7, "articles": 4, "education": 2}


def test_an_article_arriving_during_a_rollback_is_grouped_and_alerted_though_the_pinned_version_never_saw_it(tmp_path):
    from test_triage_support import FIGHT_SAPO, FIGHT_TITLE, MODEL
    from test_triage_support import add_article as add_classified
    from test_triage_support import make_app as make_triage_app
    from monitor.triage import run_triage

    app = make_triage_app(tmp_path)
    store = app.store
    store.register_model_version("test-model-2", app.now())  # a retraining, then rolled back
    store.pin_model_version(MODEL)
    # the models on disk are still the retrained ones (the CLI warns so): a new article is classified by them only
    fight = add_classified(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    with store.transaction() as db:
        db.execute("UPDATE classifications SET model_version = 'test-model-2' WHERE article_id = ?", (fight,))
    assert store.classification(fight) is None and store.classifications_for([fight])[fight].is_education
    report = run_triage(app, [fight])
    assert report.assigned == 1 and store.story_of_article(fight) is not None
    assert len(report.cases_opened) == 1 and len(report.alerts_queued) == 1


def test_monitor_triage_places_an_old_education_article_the_new_version_never_saw(tmp_path):
    app = make_app(tmp_path)
    store = app.store
    old = add_article(store, url="https://news.example.vn/cu.html", outlet="Dân trí",
                      title="Trường THCS tổ chức hội thi giáo viên dạy giỏi cấp trường", published=NOW - timedelta(days=90))
    recent = add_article(store, url="https://news.example.vn/moi.html", outlet="Dân trí",
                         title="Học sinh tiểu học tham gia ngày hội đọc sách", published=NOW - timedelta(days=1))
    classify(store, [(old, dict(topics=["doi-ngu"])), (recent, dict(topics=["van-hoa-doc"]))], NOW - timedelta(days=1))
    _retrained(store, [(recent, dict(topics=["van-hoa-doc"]))], NOW)
    assert store.unassigned_education_articles() == [old, recent]
    assert store.unassigned_education_articles(ids=[old]) == [old]
    # what the version named reads, when one is named
    assert store.unassigned_education_articles(RETRAINED) == [recent]


def _partly_retrained(cfg, article_id: int) -> str:
    """A version made current that classified only `article_id`, exactly as the current one had."""
    app = App.from_path(cfg)
    store = app.store
    first = store.active_model_version()
    c = store.classification(article_id)
    now = datetime.now(timezone.utc)
    store.register_model_version("partial", now)
    store.save_classifications([(article_id, replace(c, model_version="partial"))], now)
    app.close()
    return first


def test_a_reclassification_compares_articles_an_earlier_version_classified_with_that_version(history):
    cfg, ids, _, edited = history
    expected = json.loads(run(cfg, "reclassify", "--rules", str(edited), "--dry-run", "--json"))
    assert expected["stopped_education"] == [ids[0], ids[-1]] and expected["stories_severity_changed"]
    # the last article alone was reclassified since: the others are still read as the first version judged them
    _partly_retrained(cfg, ids[-1])
    dry = json.loads(run(cfg, "reclassify", "--rules", str(edited), "--dry-run", "--json"))
    assert dry["old_version"] == "partial"
    # and it says how many it compared with an earlier version than the one it names
    assert expected["compared_with_earlier_versions"] == 0
    assert dry["compared_with_earlier_versions"] == dry["compared"] - 1
    differ = {"old_version", "compared_with_earlier_versions"}
    assert {k: v for k, v in dry.items() if k not in differ} == {k: v for k, v in expected.items() if k not in differ}
    text = run(cfg, "reclassify", "--rules", str(edited), "--dry-run")
    assert f"(với {dry['compared'] - 1} bài trong đó, phân loại của phiên bản cũ hơn: partial chưa phân loại lại" in text


def test_comparing_with_a_partial_version_rates_a_story_by_what_that_version_did_not_see_as_it_is_read(history):
    cfg, ids, _, _ = history
    first = _partly_retrained(cfg, ids[-1])
    app = App.from_path(cfg)
    with app.store.transaction() as db:  # the follow-up report is judged not hot by both: the first report makes it hot
        db.execute("UPDATE classifications SET hot = 0, hot_score = 0.1, hot_categories = '[]' WHERE article_id = ?",
                   (ids[-1],))
    story = app.store.story_of_article(ids[0])
    assert app.store.story(story).severity is not None
    app.close()
    # the story's first report is older than the partial version's --since: it is the same story on both sides
    compared = json.loads(run(cfg, "reclassify", "--compare", first, "partial", "--json"))
    assert compared["compared"] == 1 and compared["changed_articles"] == 0
    assert compared["stories_severity_changed"] == []
