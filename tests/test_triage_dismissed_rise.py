"""A case a person dismissed as a false alarm ("cảnh báo nhầm", `monitor cases dismiss`) is about its articles as they
stood: the dismissal labelled them not hot. Should the story, scored with those labels, rise above the level it was
dismissed at through articles that joined since (a real incident grouped into it, the press taking it up widely),
triage opens the case again ("mới", a system line saying why) and the escalation alert says the story had been
dismissed and why it is back; the clipping shows it hot again. A rewrite at the same level, or the same articles
scored again, send nothing; a case a label's carry-over dismissed comes back the same way. All text invented."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from monitor.cases import DISMISSED, OPEN_STATUS, SYSTEM_ACTOR, dismiss_case, follow_hot_label, status_word
from monitor.triage import run_triage
from test_triage_hot_join import COMPLAINT, COMPLAINT_OTHERS, HOT, _complaint_alerted_at_watch
from test_triage_support import add_article, make_app, todays_digest

BACK = "Mở lại: sự việc đã được đánh dấu «cảnh báo nhầm» ngày"


def _dismissed_at_watch(tmp_path, *, by_label=False):
    """(app, story, case): levels set so that the complaint alone alerts "theo dõi" and one more outlet's own account
    of it "cao"; the complaint alerted "theo dõi" and a clerk dismissed its case (or an analyst's "not hot" label
    did) an hour later."""
    app = make_app(tmp_path)
    sid, case_id = _complaint_alerted_at_watch(app)
    app.clock.advance(hours=1)
    if by_label:
        # the analyst reads both articles as not hot: the second label leaves the story no reason to be hot
        for aid in sorted(m["id"] for m in app.store.story_members(sid)):
            label = app.store.add_label(aid, by="Anh Minh", at=app.now(), hot=False)
            followed = follow_hot_label(app, aid, by="Anh Minh", label_id=label)
        assert followed.dismissed
    else:
        dismiss_case(app, case_id, by="Chị Lan", note="Phụ huynh đăng nhầm trường")
    case = app.store.case(case_id)
    assert case.dismissed and case.dismissed_level == "theo dõi"
    return app, sid, case_id


def _another_outlet_tells_it(app, k=0):
    title, sapo = COMPLAINT_OTHERS[k]
    return add_article(app, ("Tuổi Trẻ", "Dân Trí", "VietnamNet")[k], f"other-{k}", title, sapo,
                       app.now() - timedelta(minutes=5), HOT)


def test_news_raising_a_dismissed_story_above_its_level_reopens_the_case_and_alerts_once_saying_so(tmp_path):
    app, sid, case_id = _dismissed_at_watch(tmp_path)
    app.clock.advance(hours=1)
    other = _another_outlet_tells_it(app)
    report = run_triage(app)
    assert app.store.story_of_article(other) == sid
    (alert_id,) = report.alerts_queued
    case = app.store.case(case_id)
    assert case.status == OPEN_STATUS and not case.dismissed
    assert case_id in [c.id for c in app.store.cases(status=OPEN_STATUS)]
    line = case.events[-1]
    assert line.by == SYSTEM_ACTOR and line.status == OPEN_STATUS
    day = line.at.astimezone(app.config.office.tz)
    assert line.note == (f"{BACK} {day:%d/%m/%Y} ở mức «theo dõi», nay lên mức «cao» (điểm "
                         f"{line.note.split('(điểm ')[1].split(')')[0]}) qua 1 bài mới từ đó: bài {other} (Tuổi Trẻ)")
    alert = app.store.alert(alert_id)
    assert alert.kind == "escalation" and alert.severity == "cao"
    assert alert.payload["change"].startswith(f"Sự việc đã được đánh dấu «{DISMISSED}» ngày {day:%d/%m/%Y}")
    assert f"Thay đổi: {alert.payload['change']}" in alert.body
    assert alert.body.rstrip().endswith(f"Hồ sơ xử lý số {case_id} – trạng thái: chưa tiếp nhận xử lý"), alert.body
    # once: the next poll, past the cooldown, brings nothing new
    app.clock.advance(hours=2)
    assert run_triage(app).alerts_queued == [] and app.store.case(case_id).events == case.events


def test_the_press_taking_a_dismissed_story_up_widely_reopens_it(tmp_path):
    """Three more outlets' own accounts within the hour: the level the labels give the story rises."""
    app, sid, case_id = _dismissed_at_watch(tmp_path)
    app.clock.advance(hours=1, minutes=30)
    for k in range(3):
        _another_outlet_tells_it(app, k)
    (alert_id,) = run_triage(app).alerts_queued
    case = app.store.case(case_id)
    assert case.status == OPEN_STATUS and "qua 3 bài mới từ đó" in case.events[-1].note
    assert app.store.alert(alert_id).kind == "escalation"


def test_a_rewrite_of_the_false_alarm_at_the_same_level_sends_nothing(tmp_path):
    app, sid, case_id = _dismissed_at_watch(tmp_path)
    before = app.store.case(case_id)
    app.clock.advance(hours=1)
    again = add_article(app, "Dân Trí", "complaint-copy", *COMPLAINT, app.now() - timedelta(minutes=5), HOT)
    assert run_triage(app).alerts_queued == []
    assert app.store.story_of_article(again) == sid
    after = app.store.case(case_id)
    assert after.status == DISMISSED and after.events == before.events


def test_the_same_articles_scored_higher_again_send_nothing(tmp_path):
    """A reclassification (a new model judging the complaint hotter, as a far-spread story) is no news: the
    dismissal judged those very articles."""
    app, sid, case_id = _dismissed_at_watch(tmp_path)
    before = app.store.case(case_id)
    app.clock.advance(hours=1)
    members = [m["id"] for m in app.store.story_members(sid)]
    classes = app.store.classifications_for(members)
    app.store.save_classifications([(a, replace(c, hot=True, hot_score=0.99, sentiment="negative", scope="local"))
                                    for a, c in classes.items()], app.now())
    assert run_triage(app, members).alerts_queued == []
    after = app.store.case(case_id)
    assert after.status == DISMISSED and after.events == before.events


def test_a_case_a_label_dismissed_comes_back_with_news_too(tmp_path):
    """A "not hot" label's carry-over closed the case (monitor.cases.follow_hot_label): news since raising the story
    above its level brings it back as for a person's dismissal; the labels on the articles it judged stay."""
    app, sid, case_id = _dismissed_at_watch(tmp_path, by_label=True)
    app.clock.advance(hours=1)
    other = _another_outlet_tells_it(app)
    (alert_id,) = run_triage(app).alerts_queued
    case = app.store.case(case_id)
    assert case.status == OPEN_STATUS and case.events[-1].note.startswith(BACK)
    assert f"bài {other} (Tuổi Trẻ)" in case.events[-1].note
    assert app.store.alert(alert_id).kind == "escalation"
    judged = [m["id"] for m in app.store.story_members(sid) if m["id"] != other]
    assert all(r["hot"] is False for r in app.store.labels(judged))


def test_the_clipping_shows_the_reopened_story_hot_again(tmp_path):
    app, sid, case_id = _dismissed_at_watch(tmp_path)

    def hot_stories():
        d = todays_digest(app)
        return {i.story_id for i in d.hot.items}, d

    shown, _ = hot_stories()
    assert sid not in shown, "dismissed: news of its topic"
    app.clock.advance(hours=1)
    _another_outlet_tells_it(app)
    assert run_triage(app).alerts_queued
    shown, d = hot_stories()
    assert sid in shown
    assert {i.case_label for i in d.hot.items if i.story_id == sid} == {status_word(OPEN_STATUS)}
