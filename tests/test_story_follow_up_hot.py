"""A follow-up past the alert window joins a hot story only through a member judged hot (monitor.stories.
FOLLOW_UP_FROM_HOT): an incident's developments are told in its own words, while routine news that joined its story
within the window (the exam's schedule beside a cheating case) must not carry the story on for weeks and take in, past
the window, later news of the routine and with it a new incident that would raise no alert. All text invented."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from monitor.stories import FOLLOW_UP_COSINE, SAME_EVENT_COSINE, Doc, Idf, StoryIndex
from monitor.triage import run_triage
from test_triage_support import (EXAM_SAPO, EXAM_TITLE, FEE_SAPO, FEE_TITLE, FIGHT_SAPO, FIGHT_TITLE, Cls, add_article,
                                 add_background, make_app)

WINDOW = timedelta(hours=72)
CHEATING = frozenset({"gian lận thi cử"})

# the incident (judged hot)
CHEAT = ("Hai thí sinh bị đình chỉ vì mang điện thoại vào phòng thi đánh giá tư duy",
         "Sáng 6/4, giám thị phát hiện hai thí sinh chụp đề gửi ra ngoài qua ứng dụng nhắn tin, hội đồng thi lập biên "
         "bản và đình chỉ cả hai.")
# routine news of the same test, the next day, alike enough to join within the window (not judged hot)
SCHEDULE = ("Sau vụ hai thí sinh bị đình chỉ, thi đánh giá tư duy đợt 2 cho tra cứu phòng thi từ ngày 10/4",
            "Sau vụ hai thí sinh mang điện thoại vào phòng thi, Đại học Bách khoa cho biết thí sinh dự thi đánh giá "
            "tư duy đợt 2 tra cứu số báo danh, phòng thi trên hệ thống từ ngày 10/4.")
# six days on: the routine told again, close to the schedule and not to the incident
RESULTS = ("Thi đánh giá tư duy đợt 2: thí sinh tra cứu điểm thi trên hệ thống từ ngày 12/4",
           "Đại học Bách khoa cho biết thí sinh dự thi đánh giá tư duy đợt 2 tra cứu điểm thi trên hệ thống "
           "từ ngày 12/4.")
# six days on too: the incident's sanction, in its own words
SANCTION = ("Hủy kết quả hai thí sinh mang điện thoại vào phòng thi đánh giá tư duy",
            "Hội đồng thi quyết định hủy kết quả và cấm dự thi hai năm đối với hai thí sinh chụp đề gửi ra ngoài qua "
            "ứng dụng nhắn tin sáng 6/4.")

T0 = datetime(2026, 4, 6, 3, tzinfo=timezone.utc)


def _idf() -> Idf:
    background = [f"{t} {s} {k}" for k in range(20) for t, s in
                  ((FIGHT_TITLE, FIGHT_SAPO), (FEE_TITLE, FEE_SAPO), (EXAM_TITLE, EXAM_SAPO))]
    return Idf(background + [" ".join(t) for t in (CHEAT, SCHEDULE, RESULTS, SANCTION)])


def _doc(k: int, text: tuple[str, str], days: float, hot: frozenset[str] | None = None) -> Doc:
    return Doc(k, "Báo Tin tức", T0 + timedelta(days=days), " ".join(text), hot)


def _index(**kw) -> StoryIndex:
    """The incident's story as triage follows it (rated hot), with the routine news that joined it the next day."""
    index = StoryIndex(_idf(), WINDOW, follow_up=timedelta(days=7), followed={1}, **kw)
    index.add(_doc(1, CHEAT, 0, CHEATING), story_id=1)
    schedule = _doc(2, SCHEDULE, 1)
    m = index.match(schedule)
    assert m is not None and m.story_id == 1  # within the window, by its words
    index.add(schedule, story_id=1)
    return index


def test_routine_news_past_the_window_does_not_follow_a_routine_member_of_a_hot_story():
    index = _index()
    results = _doc(3, RESULTS, 7)
    assert index.similarity(index.docs[2], results)[0] >= FOLLOW_UP_COSINE
    assert index.similarity(index.docs[1], results)[0] < SAME_EVENT_COSINE
    assert index.match(results) is None
    # matching any member of the followed story, it joined, six days after that member and a week after the incident
    loose = _index(follow_up_from_hot=False)
    m = loose.match(results)
    assert m is not None and m.story_id == 1 and m.article_id == 2
    # within the window the routine member still takes it in, as any member does
    assert index.match(_doc(4, RESULTS, 2)) is not None


def test_the_incidents_development_past_the_window_still_joins_through_its_hot_member():
    index = _index()
    sanction = _doc(3, SANCTION, 6, CHEATING)
    assert index.similarity(index.docs[1], sanction)[0] >= FOLLOW_UP_COSINE
    m = index.match(sanction)
    assert m is not None and m.story_id == 1 and m.article_id == 1


def test_triage_alerts_for_a_hot_article_past_the_window_that_only_routine_news_of_a_hot_story_resembles(tmp_path):
    app = make_app(tmp_path)
    t0 = app.now()
    add_background(app, t0)
    run_triage(app)
    cheat = add_article(app, "VnExpress", "cheat", *CHEAT, t0 - timedelta(hours=2))
    routine = Cls(hot_score=0.1, sentiment="neutral", scope="city", topics=("thi-cu",), reasons=())
    schedule = add_article(app, "Thanh Niên", "schedule", *SCHEDULE, t0 - timedelta(hours=1), routine)
    first = run_triage(app)
    assert len(first.alerts_queued) == 1
    assert app.store.story_of_article(schedule) == app.store.story_of_article(cheat)
    # six days on: a complaint about the results (judged hot) told in the routine news' words
    app.clock.advance(days=6)
    complaint = add_article(app, "Tuổi Trẻ", "results", *RESULTS, app.now() - timedelta(hours=1))
    # and the incident's sanction, in its own words: the incident, naming no school nor person, is judged hot too
    sanction = add_article(app, "Dân Trí", "sanction", *SANCTION, app.now() - timedelta(hours=1))
    second = run_triage(app)
    assert app.store.story_of_article(complaint) != app.store.story_of_article(cheat)
    assert app.store.story_of_article(sanction) == app.store.story_of_article(cheat)
    new = [app.store.alert(a).payload for a in second.alerts_queued if app.store.alert(a).kind == "new"]
    assert [(p["story_id"], p["title"]) for p in new] == [(app.store.story_of_article(complaint), RESULTS[0])]
