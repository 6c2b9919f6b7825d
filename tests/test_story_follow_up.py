"""Story grouping past the alert window: a development told days after the incident, in words close to its
(monitor.stories.FOLLOW_UP_COSINE), joins the incident's story, so leadership is not alerted of one incident twice;
a looser likeness still keeps to the window, as routine news does (triage follows the stories rated hot), and the
place veto holds past it. All text invented."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from monitor.stories import FOLLOW_UP, FOLLOW_UP_COSINE, SAME_EVENT_COSINE, Doc, Idf, StoryIndex
from monitor.triage import run_triage
from test_triage_support import (EXAM_SAPO, EXAM_TITLE, FEE_SAPO, FEE_TITLE, FIGHT_SAPO, FIGHT_TITLE, Cls, add_article,
                                 add_background, make_app)

WINDOW = timedelta(hours=72)
HOT = frozenset({"bạo lực, xâm hại"})  # the incident judged hot: only such a member takes in a follow-up past the window

STAB_TITLE = "Nam sinh lớp 7 Trường THCS Phúc Đồng bị bạn đâm trọng thương bằng dao rọc giấy"
STAB_SAPO = ("Trưa 20/11, một nam sinh lớp 7 Trường THCS Phúc Đồng (quận Long Biên) bị bạn cùng lớp dùng dao rọc "
             "giấy đâm vào lưng sau giờ ra chơi, phải đưa vào bệnh viện cấp cứu.")
# five days on: the school's sanction, told in the incident's own words
SANCTION_TITLE = "Vụ nam sinh lớp 7 THCS Phúc Đồng bị bạn đâm bằng dao rọc giấy: đình chỉ học 10 ngày"
SANCTION_SAPO = ("Trường THCS Phúc Đồng (quận Long Biên) quyết định đình chỉ học 10 ngày đối với nam sinh lớp 7 dùng "
                 "dao rọc giấy đâm bạn cùng lớp trưa 20/11.")
# five days on too, another school's incident of the same kind: alike enough within the window, not past it
OTHER_TITLE = "Nam sinh lớp 9 Trường THCS Sài Đồng bị nhóm bạn đánh trọng thương ngoài cổng trường"
OTHER_SAPO = "Chiều 25/11, một nam sinh lớp 9 bị ba bạn đánh vào đầu, phải đưa vào bệnh viện cấp cứu."
# the same words about a school of another province
ELSEWHERE_TITLE = "Vụ nam sinh lớp 7 ở Nghệ An bị bạn đâm bằng dao rọc giấy: đình chỉ học 10 ngày"
ELSEWHERE_SAPO = ("Một trường THCS ở Nghệ An quyết định đình chỉ học 10 ngày đối với nam sinh lớp 7 dùng dao rọc "
                  "giấy đâm bạn cùng lớp trưa 20/11.")
NEAR_HANOI_STAB = STAB_SAPO.replace("(quận Long Biên)", "(quận Long Biên, Hà Nội)")


def _idf() -> Idf:
    background = [f"{t} {s} {k}" for k in range(20) for t, s in
                  ((FIGHT_TITLE, FIGHT_SAPO), (FEE_TITLE, FEE_SAPO), (EXAM_TITLE, EXAM_SAPO))]
    return Idf(background + [f"{STAB_TITLE} {STAB_SAPO}"])


def _index(follow_up=FOLLOW_UP) -> tuple[StoryIndex, datetime]:
    t0 = datetime(2026, 11, 20, 5, 0, tzinfo=timezone.utc)
    index = StoryIndex(_idf(), WINDOW, follow_up=follow_up)
    index.add(Doc(1, "VnExpress", t0, f"{STAB_TITLE} {STAB_SAPO}", HOT), story_id=1)
    return index, t0


def test_a_close_development_past_the_window_joins_the_incidents_story():
    index, t0 = _index()
    later = Doc(2, "Thanh Niên", t0 + timedelta(days=5), f"{SANCTION_TITLE} {SANCTION_SAPO}")
    assert index.similarity(index.docs[1], later)[0] >= FOLLOW_UP_COSINE
    m = index.match(later)
    assert m is not None and m.story_id == 1
    assert index.same_event(index.docs[1], later)
    # without the follow-up reach (the window alone, as other users of grouping keep it), it stays apart
    alone, _ = _index(follow_up=None)
    assert alone.match(later) is None
    # and past the window only a followed story (triage's: one rated hot) takes it in
    routine, _ = _index()
    routine.followed = {7}
    assert routine.match(later) is None
    assert routine.match(Doc(3, "Thanh Niên", t0 + timedelta(days=2), later.text)) is not None


def test_a_looser_likeness_past_the_window_is_another_story():
    index, t0 = _index()
    other = Doc(2, "Tuổi Trẻ", t0 + timedelta(days=5), f"{OTHER_TITLE} {OTHER_SAPO}")
    c = index.similarity(index.docs[1], other)[0]
    assert SAME_EVENT_COSINE <= c < FOLLOW_UP_COSINE  # within the window it would have joined
    assert index.match(other) is None
    assert index.match(Doc(3, "Tuổi Trẻ", t0 + timedelta(days=2), other.text)) is not None


def test_past_the_follow_up_reach_or_in_another_province_it_is_another_story():
    index, t0 = _index()
    assert index.match(Doc(2, "Thanh Niên", t0 + FOLLOW_UP + timedelta(hours=1),
                           f"{SANCTION_TITLE} {SANCTION_SAPO}")) is None
    placed = StoryIndex(_idf(), WINDOW, follow_up=FOLLOW_UP)
    placed.add(Doc(1, "VnExpress", t0, f"{STAB_TITLE} {NEAR_HANOI_STAB}", HOT), story_id=1)
    elsewhere = Doc(2, "Thanh Niên", t0 + timedelta(days=5), f"{ELSEWHERE_TITLE} {ELSEWHERE_SAPO}")
    assert placed.similarity(placed.docs[1], elsewhere)[0] >= FOLLOW_UP_COSINE
    assert placed.match(elsewhere) is None and placed.vetoed == 1


def test_triage_alerts_once_for_an_incident_and_its_development_days_later(tmp_path):
    app = make_app(tmp_path)
    t0 = app.now()
    add_background(app, t0)
    run_triage(app)
    stab = add_article(app, "VnExpress", "stab", STAB_TITLE, STAB_SAPO, t0 - timedelta(hours=1))
    first = run_triage(app)
    assert len(first.alerts_queued) == 1
    # five days on, at a later run, with the incident's story stored: the school's sanction
    app.clock.advance(days=5)
    sanction = add_article(app, "Thanh Niên", "stab-sanction", SANCTION_TITLE, SANCTION_SAPO,
                           app.now() - timedelta(hours=1))
    second = run_triage(app)
    s = app.store.story_of_article
    assert s(sanction) == s(stab)
    assert second.new_stories == 0 and second.cases_opened == []
    assert not [a for a in second.alerts_queued if app.store.alert(a).kind == "new"]


def test_triage_keeps_routine_news_told_again_past_the_window_apart(tmp_path):
    # admissions, schedules, tournaments are told on for weeks in alike words: past the window, another story
    app = make_app(tmp_path)
    t0 = app.now()
    routine = Cls(hot_score=0.1, sentiment="neutral", scope="city", topics=("thi-cu",), reasons=())
    first = add_article(app, "VnExpress", "exam", EXAM_TITLE, EXAM_SAPO, t0 - timedelta(hours=1), routine)
    assert run_triage(app).alerts_queued == []
    app.clock.advance(days=5)
    again = add_article(app, "Thanh Niên", "exam-again", f"{EXAM_TITLE} (cập nhật)", EXAM_SAPO,
                        app.now() - timedelta(hours=1), routine)
    run_triage(app)
    assert app.store.story_of_article(again) != app.store.story_of_article(first)
