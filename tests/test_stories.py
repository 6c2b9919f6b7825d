"""Story grouping: reprints and rewrites of one event become one story; other events stay apart."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from monitor.stories import fold, growth, shingles
from monitor.triage import run_triage
from test_triage_support import (EXAM_SAPO, EXAM_TITLE, FEE_SAPO, FEE_TITLE, FIGHT_REWRITE_SAPO,
                                 FIGHT_REWRITE_TITLE, FIGHT_SAPO, FIGHT_TITLE, Cls, add_article, make_app, reprint)


def test_fold_ignores_diacritics_tone_placement_and_normalisation_form():
    assert fold("Hoà bình") == fold("Hòa bình") == fold(unicodedata.normalize("NFD", "hoà BÌNH")) == "hoa binh"
    assert fold("Đắk Lắk, 24/11") == "dak lak 24 11"
    assert shingles("Hoà") == shingles("hòa")


def test_five_outlets_reprinting_one_event_make_one_story(tmp_path):
    app = make_app(tmp_path)
    t0 = app.now() - timedelta(hours=3)
    outlets = ["Báo Long Biên", "VnExpress", "Tuổi Trẻ", "Thanh Niên", "Dân Trí"]
    ids = []
    for i, outlet in enumerate(outlets):
        title, sapo = reprint(FIGHT_TITLE, FIGHT_SAPO, i)
        ids.append(add_article(app, outlet, f"fight-{i}", title, sapo, t0 + timedelta(minutes=20 * i)))
    other = add_article(app, "VnExpress", "fee", FEE_TITLE, FEE_SAPO, t0 + timedelta(minutes=5), Cls(scope="city"))
    report = run_triage(app)
    assert report.assigned == 6 and report.new_stories == 2
    assert report.reprints == 4  # the four copies after the first publication
    story_id = app.store.story_of_article(ids[0])
    assert all(app.store.story_of_article(a) == story_id for a in ids)
    assert app.store.story_of_article(other) != story_id
    story = app.store.story(story_id)
    assert story.first_article_id == ids[0] and story.title == FIGHT_TITLE
    assert story.outlets == tuple(outlets)  # first publisher first, each outlet once
    assert story.article_ids == tuple(ids)
    assert story.severity is not None and story.case_status == "mới"
    between = app.store.stories_between(t0, t0 + timedelta(minutes=30))
    assert {s.id for s in between} == {story_id, app.store.story_of_article(other)}
    assert app.store.stories_between(t0 + timedelta(hours=10), t0 + timedelta(hours=11)) == []
    # a second run finds nothing new to place
    assert run_triage(app).assigned == 0


def test_rewrite_joins_story_but_same_topic_other_event_does_not(tmp_path):
    app = make_app(tmp_path)
    t0 = app.now() - timedelta(hours=5)
    first = add_article(app, "Báo Long Biên", "fight", FIGHT_TITLE, FIGHT_SAPO, t0)
    rewrite = add_article(app, "VnExpress", "fight-rewrite", FIGHT_REWRITE_TITLE, FIGHT_REWRITE_SAPO, t0 + timedelta(hours=2))
    exam = add_article(app, "Tuổi Trẻ", "exam", EXAM_TITLE, EXAM_SAPO, t0 + timedelta(hours=1), Cls(hot_score=0.1, sentiment="neutral", scope="city", topics=("thi-cu",), reasons=()))
    fee = add_article(app, "Thanh Niên", "fee", FEE_TITLE, FEE_SAPO, t0 + timedelta(hours=1), Cls(scope="city"))
    run_triage(app)
    s = app.store.story_of_article
    assert s(first) == s(rewrite)
    assert len({s(first), s(exam), s(fee)}) == 3
    members = app.store.story_members(s(first))
    assert [m["reprint"] for m in members] == [False, False]  # a rewrite is not a reprint
    assert growth((m["when"], m["outlet"]) for m in members)[-1][1] == 2


def test_same_text_outside_the_window_starts_a_new_story(tmp_path):
    app = make_app(tmp_path)
    t0 = app.now() - timedelta(days=10)
    a = add_article(app, "VnExpress", "fight-old", FIGHT_TITLE, FIGHT_SAPO, t0)
    b = add_article(app, "Tuổi Trẻ", "fight-new", FIGHT_TITLE, FIGHT_SAPO, t0 + timedelta(hours=80))
    run_triage(app)
    assert app.store.story_of_article(a) != app.store.story_of_article(b)


def test_articles_not_about_education_are_not_grouped(tmp_path):
    app = make_app(tmp_path)
    aid = add_article(app, "VnExpress", "x", FIGHT_TITLE, FIGHT_SAPO, app.now(), Cls(is_education=False))
    report = run_triage(app, [aid])
    assert report.assigned == 0 and app.store.story_of_article(aid) is None
