"""A hot article that joins a story of routine news (not rated hot) within the alert window: the story is rated hot
again with it, its case opens and one alert goes out telling the hot article (its title, its summary, its link among
the first sources), not the routine news the story began with; a reprint of it at the next poll sends nothing more,
and more outlets taking it up raise the level and send the follow-up the design allows. A case closed as handled
opens again ("mới") with such an alert, and stays closed when nothing alerts. All text invented."""

from __future__ import annotations

from datetime import timedelta

from monitor.cases import OPEN_STATUS, STATUSES, SYSTEM_ACTOR
from monitor.triage import run_triage, score_story
from test_triage_support import Cls, add_article, add_background, make_app

# routine news of an admissions test (not judged hot)
VENUES = ("Hà Nội công bố 12 điểm thi khảo sát năng lực vào lớp 10 chuyên năm học mới",
          "Sở GD&ĐT Hà Nội cho biết kỳ khảo sát năng lực vào lớp 10 chuyên diễn ra ngày 14/12 tại 12 điểm thi; thí "
          "sinh tra cứu phòng thi trên cổng tuyển sinh của thành phố.")
# the same news told again by another outlet two days on (not judged hot)
VENUES_AGAIN = ("Thí sinh tra cứu phòng thi khảo sát năng lực vào lớp 10 chuyên tại 12 điểm thi ở Hà Nội",
                "Cổng tuyển sinh của Sở GD&ĐT Hà Nội đã mở tra cứu phòng thi kỳ khảo sát năng lực vào lớp 10 chuyên "
                "ngày 14/12 tại 12 điểm thi.")
# a complaint about the test's venues (judged hot), close enough in words to join the routine story
COMPLAINT = ("Phụ huynh phản ánh điểm thi khảo sát năng lực vào lớp 10 chuyên ở Hà Nội thu phí giữ xe, thí sinh ngất",
             "Sáng 14/12, tại một điểm thi khảo sát năng lực vào lớp 10 chuyên ở Hà Nội, một thí sinh ngất xỉu vì "
             "phòng thi chật, thiếu quạt; phụ huynh phản ánh điểm thi thu 50.000 đồng phí giữ xe mỗi em.")
# other outlets' own accounts of the complaint, the same morning
COMPLAINT_OTHERS = [
    ("Thí sinh ngất xỉu ở điểm thi khảo sát năng lực vào lớp 10 chuyên, phụ huynh bức xúc vì phí giữ xe",
     "Một thí sinh ngất trong phòng thi khảo sát năng lực vào lớp 10 chuyên ở Hà Nội sáng 14/12; phụ huynh bức xúc vì "
     "điểm thi thu phí giữ xe 50.000 đồng."),
    ("Điểm thi khảo sát lớp 10 chuyên ở Hà Nội bị phản ánh thu phí giữ xe, phòng thi chật khiến thí sinh ngất",
     "Phụ huynh cho biết phòng thi khảo sát năng lực vào lớp 10 chuyên chật, thiếu quạt, một thí sinh ngất xỉu; "
     "điểm thi còn thu phí giữ xe mỗi em 50.000 đồng."),
    ("Vụ thí sinh ngất, thu phí giữ xe ở điểm thi khảo sát lớp 10 chuyên: phụ huynh đòi trả lại tiền",
     "Phụ huynh có con thi khảo sát năng lực vào lớp 10 chuyên đòi điểm thi trả lại 50.000 đồng phí giữ xe mỗi em "
     "sau khi một thí sinh ngất xỉu trong phòng thi sáng 14/12."),
]

ROUTINE = Cls(hot_score=0.1, sentiment="neutral", scope="city", topics=("thi-cu",), reasons=())
HOT = Cls(hot_score=0.85, sentiment="negative", scope="local", topics=("thi-cu",),
          reasons=("nóng 0.85: phản ánh thu phí (thu phí giữ xe)",))


def _routine_story(app, t0, *, background=True) -> int:
    """The admissions test's news, triaged at the poll that brought it: a story rated below every alert level."""
    if background:
        add_background(app, t0)
        run_triage(app)
    venues = add_article(app, "Thanh Niên", "venues", *VENUES, app.now() - timedelta(hours=3), ROUTINE)
    report = run_triage(app)
    assert report.cases_opened == [] and report.alerts_queued == []
    sid = app.store.story_of_article(venues)
    assert app.store.story(sid).severity is None
    return sid


def _complaint_alerted_at_watch(app) -> tuple[int, int]:
    """(story, case): levels set so that the complaint alone alerts "theo dõi" and one more outlet's own account of
    it "cao"; the admissions test's story, then the complaint joining it an hour later, alerted at "theo dõi"."""
    from dataclasses import replace

    app.config = replace(app.config, alerts=replace(app.config.alerts,
                                                    thresholds=(("khẩn cấp", 95), ("cao", 80), ("theo dõi", 40))))
    sid = _routine_story(app, app.now())
    app.clock.advance(hours=1)
    add_article(app, "VnExpress", "complaint", *COMPLAINT, app.now() - timedelta(minutes=20), HOT)
    (first,) = run_triage(app).alerts_queued
    assert app.store.alert(first).severity == "theo dõi"
    return sid, app.store.case_of_story(sid).id


def _alert_tells_the_complaint(app, alert_id):
    alert = app.store.alert(alert_id)
    url = "https://vnexpress.net/complaint.html"
    assert alert.subject.endswith(COMPLAINT[0]), alert.subject
    assert alert.payload["title"] == COMPLAINT[0]
    assert alert.payload["sources"][0]["url"] == url  # its link comes first
    assert "ngất xỉu" in alert.payload["summary"], alert.payload["summary"]
    assert url in alert.body and alert.body.index(url) < alert.body.index("https://thanhnien.vn/venues.html")
    return alert


def _a_reprint_joins_and_alerts_nothing(app, sid):
    """Another outlet reprints the complaint: it joins the story, and the story's one alert stays its only one."""
    again = add_article(app, "Dân Trí", "complaint-copy", COMPLAINT[0], COMPLAINT[1], app.now() - timedelta(minutes=10),
                        HOT)
    report = run_triage(app)
    assert app.store.story_of_article(again) == sid
    assert report.alerts_queued == [] and len(app.store.alerts_for_story(sid)) == 1


def test_a_hot_complaint_joining_a_routine_story_alerts_once_telling_the_complaint_and_opens_its_case(tmp_path):
    app = make_app(tmp_path)
    sid = _routine_story(app, app.now())
    app.clock.advance(hours=1)  # the next poll
    complaint = add_article(app, "VnExpress", "complaint", *COMPLAINT, app.now() - timedelta(minutes=20), HOT)
    report = run_triage(app)
    assert app.store.story_of_article(complaint) == sid, "it joins the routine story by its words"
    story = app.store.story(sid)
    assert story.severity is not None, "the story is rated hot with the complaint in it"
    assert len(report.cases_opened) == 1 and app.store.case_of_story(sid).status == OPEN_STATUS
    (alert_id,) = report.alerts_queued
    alert = _alert_tells_the_complaint(app, alert_id)
    assert alert.kind == "new"

    # the next poll past the cooldown: a reprint of the complaint joins; nothing new to tell
    app.clock.advance(hours=2)
    _a_reprint_joins_and_alerts_nothing(app, sid)
    assert run_triage(app).alerts_queued == []


def test_more_outlets_taking_up_the_complaint_raise_its_level_and_send_the_follow_up_telling_it(tmp_path):
    app = make_app(tmp_path)
    sid = _routine_story(app, app.now())
    app.clock.advance(hours=1)
    complaint = add_article(app, "VnExpress", "complaint", *COMPLAINT, app.now() - timedelta(minutes=20), HOT)
    (first,) = run_triage(app).alerts_queued
    assert app.store.story_of_article(complaint) == sid
    before = app.store.story(sid).severity
    # past the cooldown, three other outlets tell it in their own words within the hour: it spreads fast
    app.clock.advance(hours=1, minutes=30)
    others = [add_article(app, outlet, f"other-{k}", title, sapo, app.now() - timedelta(minutes=40 - 10 * k), HOT)
              for k, (outlet, (title, sapo)) in enumerate(zip(("Tuổi Trẻ", "Dân Trí", "VietnamNet"), COMPLAINT_OTHERS))]
    report = run_triage(app)
    assert {app.store.story_of_article(a) for a in others} == {sid}
    after = app.store.story(sid).severity
    assert after != before and after == "khẩn cấp", (before, after)
    (second,) = report.alerts_queued
    alert = _alert_tells_the_complaint(app, second)
    assert alert.kind == "escalation" and alert.payload["change"].startswith("Mức độ tăng")
    assert run_triage(app).alerts_queued == [], "once per level"


def test_the_follow_up_of_a_rise_names_the_article_that_raised_it_on_every_channel(tmp_path, monkeypatch):
    """"Thay đổi: Mức độ tăng từ … lên …" alone read to leadership as the system changing its mind: the follow-up
    names what joined since the last alert, the first of the hottest (the story's own lead joined before), by the
    outlet's name as the alert gives it, and how many more did, in the e-mail, the webhook and Telegram alike."""
    from test_triage_support import HttpReceiver, SmtpSink, free_port
    from monitor.notify import deliver_outbox

    monkeypatch.setenv("TEST_BOT_TOKEN", "123:ABC")
    hook, tg = HttpReceiver(free_port()).start(), HttpReceiver(free_port()).start()
    try:
        with SmtpSink() as smtp:
            app = make_app(tmp_path, smtp_port=smtp.port, channels=[
                {"kind": "email", "recipients": ["truongphong@longbien.example.vn"]},
                {"kind": "webhook", "url": hook.url},
                {"kind": "telegram", "bot_token_env": "TEST_BOT_TOKEN", "chat_id": "-1001",
                 "base_url": f"http://127.0.0.1:{tg.port}"}])
            _routine_story(app, app.now())
            app.clock.advance(hours=1)
            add_article(app, "VnExpress", "complaint", *COMPLAINT, app.now() - timedelta(minutes=20), HOT)
            (first,) = run_triage(app).alerts_queued
            assert len(deliver_outbox(app).sent) == 3
            app.clock.advance(hours=1, minutes=30)
            for k, (outlet, (title, sapo)) in enumerate(zip(("Tuổi Trẻ", "Dân Trí", "VietnamNet"), COMPLAINT_OTHERS)):
                add_article(app, outlet, f"other-{k}", title, sapo, app.now() - timedelta(minutes=40 - 10 * k), HOT)
            (second,) = run_triage(app).alerts_queued
            assert len(deliver_outbox(app).sent) == 3
    finally:
        hook.stop()
        tg.stop()
    was, now = app.store.alert(first).severity, app.store.alert(second).severity
    assert app.store.alert(second).kind == "escalation" and was != now
    change = (f"Mức độ tăng từ {was} lên {now}: bài mới của Tuổi Trẻ “{COMPLAINT_OTHERS[0][0]}” (và 2 bài khác)")
    assert app.store.alert(second).payload["change"] == change
    (_, mail) = smtp.messages[1]
    for text in (mail.get_content(), hook.requests[1].json()["text"], tg.requests[1].json()["text"]):
        assert f"Thay đổi: {change}\n" in text, text
    assert hook.requests[1].json()["change"] == change


def _routine_news_four_days_old(tmp_path):
    """(app, its time, the admissions test's routine news published four days before it: past the window)."""
    app = make_app(tmp_path)
    t0 = app.now()
    add_background(app, t0)
    run_triage(app)
    return app, t0, add_article(app, "Thanh Niên", "venues", *VENUES, t0 - timedelta(days=4), ROUTINE)


def test_a_routine_story_begun_before_the_window_alerts_for_the_complaint_that_joins_its_recent_news(tmp_path):
    app, t0, venues = _routine_news_four_days_old(tmp_path)
    again = add_article(app, "Tuổi Trẻ", "venues-again", *VENUES_AGAIN, t0 - timedelta(days=2), ROUTINE)
    assert run_triage(app).alerts_queued == []
    sid = app.store.story_of_article(venues)
    assert app.store.story_of_article(again) == sid
    complaint = add_article(app, "VnExpress", "complaint", *COMPLAINT, t0 - timedelta(minutes=20), HOT)
    report = run_triage(app)
    assert app.store.story_of_article(complaint) == sid
    (alert_id,) = report.alerts_queued
    _alert_tells_the_complaint(app, alert_id)


def test_a_hot_near_copy_of_routine_news_older_than_the_window_is_a_story_of_its_own_and_alerts(tmp_path):
    app, t0, venues = _routine_news_four_days_old(tmp_path)
    run_triage(app)
    copy = add_article(app, "VnExpress", "complaint", VENUES[0], VENUES[1] + " Phụ huynh phản ánh bị thu phí giữ xe.",
                       t0 - timedelta(minutes=20), HOT)
    report = run_triage(app)
    sid = app.store.story_of_article(copy)
    assert sid != app.store.story_of_article(venues), "a routine story is not followed past the window"
    (alert_id,) = report.alerts_queued
    assert app.store.alert(alert_id).payload["story_id"] == sid


def test_the_lead_is_the_first_member_judged_hot_that_is_no_round_up_nor_unclassified(tmp_path):
    """What compose_alert tells first (StoryScore.lead_id): not a round-up judged hot for one of its other items, nor
    a member with no classification; none at all when only a round-up is judged hot (its first member then)."""
    from classifiers.types import Classification
    from monitor.stories import is_round_up
    from test_triage_support import MODEL

    app = make_app(tmp_path)
    now = app.now()
    round_up = ("Điểm tin 6h: thí sinh ngất ở điểm thi lớp 10, giá vàng tăng, mưa lớn ở miền Trung", "")
    assert is_round_up(" ".join(round_up))
    texts = {1: VENUES, 2: round_up, 3: COMPLAINT_OTHERS[0], 4: COMPLAINT}

    def member(aid, hours_ago):
        return {"id": aid, "outlet": "VnExpress", "title": texts[aid][0], "sapo": texts[aid][1],
                "when": now - timedelta(hours=hours_ago), "reprint": False, "url": f"https://vnexpress.net/{aid}.html"}

    def judged(aid, c):
        return Classification(id=str(aid), is_education=True, relevance=0.9, topics=c.topics, topic_scores={},
                              sentiment=c.sentiment, hot=c.hot_score >= 0.5, hot_score=c.hot_score, scope=c.scope,
                              reasons=c.reasons, model_version=MODEL)

    members = [member(1, 5), member(2, 4), member(3, 3), member(4, 2)]
    cls = {1: judged(1, ROUTINE), 2: judged(2, HOT), 4: judged(4, HOT)}  # 3 not classified yet
    assert score_story(app.config, members, cls, now, 1.0).lead_id == 4
    assert score_story(app.config, members[:3], cls, now, 1.0).lead_id is None
    assert score_story(app.config, members, cls | {1: judged(1, HOT)}, now, 1.0).lead_id == 1


# ---------------------------------------------------------------------- a case closed as handled, then news

HANDLED_NOTE = "Mở lại: có diễn biến mới sau khi đã xử lý"


def _handled(app, case_id, by="Chị Lan"):
    """The clerk takes the case on and closes it as handled."""
    app.store.update_case(case_id, app.now(), by=by, status=STATUSES[1], owner=by, note="Đã liên hệ nhà trường")
    app.store.update_case(case_id, app.now(), by=by, status=STATUSES[-1], note="Nhà trường đã hoàn trả phí giữ xe")


def _complaint_alerted(tmp_path):
    """(app, the story, its case): the complaint joined the admissions test's news and alerted; the case was taken on
    and closed as handled an hour later."""
    app = make_app(tmp_path)
    sid = _routine_story(app, app.now())
    app.clock.advance(hours=1)
    add_article(app, "VnExpress", "complaint", *COMPLAINT, app.now() - timedelta(minutes=20), HOT)
    (first,) = run_triage(app).alerts_queued
    case_id = app.store.case_of_story(sid).id
    app.clock.advance(hours=1)
    _handled(app, case_id)
    assert app.store.case(case_id).status == STATUSES[-1]
    return app, sid, case_id


def _reopened_by_the_alert(app, case_id, alert_id):
    case = app.store.case(case_id)
    assert case.status == OPEN_STATUS and not case.closed
    assert case.id in [c.id for c in app.store.cases(status=OPEN_STATUS)], "among the open cases to take on"
    line = case.events[-1]
    assert line.by == SYSTEM_ACTOR and line.status == OPEN_STATUS and line.note.startswith(HANDLED_NOTE), line
    assert sum(e.note.startswith(HANDLED_NOTE) for e in case.events) == 1
    alert = app.store.alert(alert_id)
    assert alert.payload["case_id"] == case_id
    assert alert.body.rstrip().endswith(f"Hồ sơ xử lý số {case_id} – trạng thái: chưa tiếp nhận xử lý"
                                        + (f"; phụ trách: {case.owner}" if case.owner else "")), alert.body
    assert STATUSES[-1] not in alert.body.rstrip().splitlines()[-1]
    return case, line, alert


def test_a_complaint_joining_a_story_whose_case_was_handled_reopens_the_case_and_its_alert_says_so(tmp_path):
    """The routine news had a case a person opened and closed as handled (no alert went out for it): the complaint
    that joins later is news of its own, which nobody has taken on, so leadership is told, in the same case, opened
    again ("mới") before the alert that tells it."""
    app = make_app(tmp_path)
    sid = _routine_story(app, app.now())
    case_id, _ = app.store.open_case(sid, app.now(), note="Mở để theo dõi lịch thi")
    app.store.update_case(case_id, app.now(), by="Chị Lan", status=STATUSES[-1], note="Đã nắm thông tin")
    app.clock.advance(hours=1)
    complaint = add_article(app, "VnExpress", "complaint", *COMPLAINT, app.now() - timedelta(minutes=20), HOT)
    report = run_triage(app)
    assert app.store.story_of_article(complaint) == sid
    (alert_id,) = report.alerts_queued
    _alert_tells_the_complaint(app, alert_id)
    case, line, alert = _reopened_by_the_alert(app, case_id, alert_id)
    assert alert.kind == "new" and report.cases_opened == []
    assert f"bài {complaint}" in line.note and "VnExpress" in line.note, line.note
    assert run_triage(app).alerts_queued == [] and app.store.case(case_id).events == case.events


def test_more_outlets_raising_the_level_of_a_handled_case_reopen_it_before_the_follow_up(tmp_path):
    app, sid, case_id = _complaint_alerted(tmp_path)
    app.clock.advance(minutes=30)  # past the cooldown
    others = [add_article(app, outlet, f"other-{k}", title, sapo, app.now() - timedelta(minutes=40 - 10 * k), HOT)
              for k, (outlet, (title, sapo)) in enumerate(zip(("Tuổi Trẻ", "Dân Trí", "VietnamNet"), COMPLAINT_OTHERS))]
    report = run_triage(app)
    assert {app.store.story_of_article(a) for a in others} == {sid}
    (second,) = report.alerts_queued
    case, line, alert = _reopened_by_the_alert(app, case_id, second)
    assert alert.kind == "escalation" and alert.payload["change"].startswith("Mức độ tăng")
    assert line.note == f"{HANDLED_NOTE}: {alert.payload['change']}"
    assert case.owner == "Chị Lan", "who handled it keeps it"
    assert run_triage(app).alerts_queued == [] and app.store.case(case_id).events == case.events


def test_a_reprint_joining_a_handled_case_raises_nothing_and_leaves_it_closed(tmp_path):
    app, sid, case_id = _complaint_alerted(tmp_path)
    before = app.store.case(case_id)
    app.clock.advance(hours=1)
    _a_reprint_joins_and_alerts_nothing(app, sid)
    after = app.store.case(case_id)
    assert after.status == STATUSES[-1] and after.events == before.events


def test_a_dismissed_case_opens_again_when_more_outlets_take_its_story_up_to_a_higher_level(tmp_path):
    """The press taking up widely what a clerk dismissed raises it above the level dismissed: leadership is told once
    (tests/test_triage_dismissed_rise.py has the rest)."""
    from monitor.cases import DISMISSED, dismiss_case

    app = make_app(tmp_path)
    sid = _routine_story(app, app.now())
    app.clock.advance(hours=1)
    add_article(app, "VnExpress", "complaint", *COMPLAINT, app.now() - timedelta(minutes=20), HOT)
    run_triage(app)
    case_id = app.store.case_of_story(sid).id
    dismiss_case(app, case_id, by="Chị Lan", note="Phụ huynh đăng nhầm trường")
    before = app.store.case(case_id)
    app.clock.advance(hours=1, minutes=30)
    for k, (outlet, (title, sapo)) in enumerate(zip(("Tuổi Trẻ", "Dân Trí", "VietnamNet"), COMPLAINT_OTHERS)):
        add_article(app, outlet, f"other-{k}", title, sapo, app.now() - timedelta(minutes=40 - 10 * k), HOT)
    (alert_id,) = run_triage(app).alerts_queued
    after = app.store.case(case_id)
    assert before.status == DISMISSED and after.status == OPEN_STATUS and after.events[:-1] == before.events
    assert after.events[-1].by == SYSTEM_ACTOR and f"«{DISMISSED}»" in after.events[-1].note
    assert app.store.alert(alert_id).kind == "escalation"
    assert run_triage(app).alerts_queued == []


def test_a_rise_the_cooldown_holds_leaves_a_handled_case_closed_until_its_follow_up_goes_out(tmp_path):
    """A rise to a level short of the highest waits for the cooldown (decide_alert): the case stays as the clerk closed
    it meanwhile, and opens with the follow-up that the first run past the cooldown sends."""
    app = make_app(tmp_path)
    sid, case_id = _complaint_alerted_at_watch(app)
    app.clock.advance(minutes=10)
    _handled(app, case_id)
    before = app.store.case(case_id)
    app.clock.advance(minutes=10)  # within the 60 minutes' cooldown
    title, sapo = COMPLAINT_OTHERS[0]
    other = add_article(app, "Tuổi Trẻ", "other", title, sapo, app.now() - timedelta(minutes=5), HOT)
    assert run_triage(app).alerts_queued == []
    assert app.store.story_of_article(other) == sid and app.store.story(sid).severity == "cao"
    assert app.store.case(case_id).events == before.events, "held: nothing to take on yet"
    app.clock.advance(minutes=45)  # past the cooldown: the next poll brings nothing new
    (second,) = run_triage(app).alerts_queued
    _, line, alert = _reopened_by_the_alert(app, case_id, second)
    assert alert.kind == "escalation" and line.note == (f"{HANDLED_NOTE}: Mức độ tăng từ theo dõi lên cao: bài mới của Tuổi Trẻ “{title}”")


def test_a_run_that_read_the_handled_case_before_another_run_reopened_it_writes_nothing_over_it(tmp_path):
    """Two runs triaging at once (the service's and a `monitor triage`): both read the case closed as handled, the
    other run reopens it, queues the follow-up and the clerk takes it on at once. The slower run, whose alert
    queue_alert then refuses, neither says again that it reopened nor puts the case back to "mới" over the clerk."""
    app, sid, case_id = _complaint_alerted(tmp_path)
    app.clock.advance(minutes=30)  # past the cooldown
    for k, (outlet, (title, sapo)) in enumerate(zip(("Tuổi Trẻ", "Dân Trí", "VietnamNet"), COMPLAINT_OTHERS)):
        add_article(app, outlet, f"other-{k}", title, sapo, app.now() - timedelta(minutes=40 - 10 * k), HOT)
    store, read_last, raced = app.store, app.store.last_alert, []

    def last_alert_then_the_other_run(story_id):
        # the slower run has read the case (still handled) and reads the story's last alert: the other run goes now
        last = read_last(story_id)
        if story_id == sid and not raced:
            raced.append(None)
            raced.extend(run_triage(app).alerts_queued)
            store.update_case(case_id, app.now(), by="Chị Lan", status=STATUSES[1], note="Nhận xử lý tiếp")
        return last

    store.last_alert = last_alert_then_the_other_run
    assert run_triage(app).alerts_queued == [], "the other run's follow-up stands"
    assert len(raced) == 2 and raced[1] is not None
    case = store.case(case_id)
    assert case.status == STATUSES[1] and case.owner == "Chị Lan", "the clerk's taking it on stands"
    assert sum(e.note.startswith(HANDLED_NOTE) for e in case.events) == 1, [e.note for e in case.events]
