"""The story hot score: its signals, their explanation, severities, and the alert decisions."""

from __future__ import annotations

from datetime import timedelta

from classifiers.types import Classification
from monitor.notify import Alert
from monitor.triage import WEIGHTS, decide_alert, run_triage, score_story, severity_for, severity_rank
from test_triage_support import (EXAM_SAPO, EXAM_TITLE, FIGHT_SAPO, FIGHT_TITLE, MODEL, SO_OFFICE, Cls, add_article,
                                 make_app, reprint)


def _cls(aid: int, *, hot=0.8, sentiment="negative", scope="national", topics=("an-toan-truong-hoc",), reasons=("x",)):
    return Classification(id=str(aid), is_education=True, relevance=0.9, topics=topics, topic_scores={},
                          sentiment=sentiment, hot=hot >= 0.5, hot_score=hot, scope=scope, reasons=reasons,
                          model_version=MODEL)


def _member(aid, outlet, when, title="Một bài báo", reprint=False):
    return {"id": aid, "outlet": outlet, "title": title, "sapo": "", "when": when, "reprint": reprint,
            "url": f"https://example.vn/{aid}"}


def test_signals_add_up_to_the_score_and_local_weighs_most(tmp_path):
    app = make_app(tmp_path)
    now = app.now()
    members = [_member(1, "VnExpress", now - timedelta(hours=1))]
    national = score_story(app.config, members, {1: _cls(1, scope="national")}, now, 1.0)
    local = score_story(app.config, members, {1: _cls(1, scope="local")}, now, 1.0)
    foreign = score_story(app.config, members, {1: _cls(1, scope="foreign")}, now, 1.0)
    assert local.total > national.total > foreign.total
    for s in (national, local, foreign):
        assert abs(sum(sig.points for sig in s.signals) - s.total) < 0.11
        assert all(0 <= sig.points <= sig.max_points for sig in s.signals)
        assert {sig.name for sig in s.signals} == set(WEIGHTS)
    assert local.local and "Tin trên địa bàn" in local.reasons
    exp = local.explanation()
    assert exp["signals"][0]["name"] == "incident" and exp["signals"][0]["detail"]["hot_score"] == 0.8


def test_watchlist_name_in_the_text_makes_a_story_local(tmp_path):
    app = make_app(tmp_path)
    now = app.now()
    members = [_member(1, "VnExpress", now, title=FIGHT_TITLE)]
    s = score_story(app.config, members, {1: _cls(1, scope="city")}, now, 1.0)
    assert s.local and "THCS Ngọc Lâm" in s.explanation()["signals"][2]["detail"]["watchlist"]


def test_velocity_is_measured_against_the_topics_usual_spread(tmp_path):
    app = make_app(tmp_path)
    now = app.now()
    outlets = ["VnExpress", "Tuổi Trẻ", "Thanh Niên", "Dân Trí"]
    members = [_member(i, o, now - timedelta(hours=1)) for i, o in enumerate(outlets)]
    cls = {i: _cls(i) for i in range(4)}
    fast = score_story(app.config, members, cls, now, usual_outlets=1.0)
    usual = score_story(app.config, members, cls, now, usual_outlets=4.0)
    old = [_member(i, o, now - timedelta(hours=30)) for i, o in enumerate(outlets)]
    stale = score_story(app.config, old, cls, now, usual_outlets=1.0)
    v = [next(sig for sig in s.signals if sig.name == "velocity").points for s in (fast, usual, stale)]
    assert v == [WEIGHTS["velocity"], 0, 0]


def test_reprints_count_once_and_disagreeing_outlets_are_controversy(tmp_path):
    app = make_app(tmp_path)
    now = app.now()
    own = [_member(1, "VnExpress", now)]
    copies = own + [_member(i, o, now, reprint=True) for i, o in [(2, "Tuổi Trẻ"), (3, "Dân Trí")]]
    cls = {i: _cls(i) for i in (1, 2, 3)}
    assert score_story(app.config, copies, cls, now, 1.0).total == score_story(app.config, own, cls, now, 1.0).total
    mixed = [_member(1, "VnExpress", now), _member(2, "Tuổi Trẻ", now)]
    s = score_story(app.config, mixed, {1: _cls(1, sentiment="negative"), 2: _cls(2, sentiment="positive")}, now, 1.0)
    assert next(sig for sig in s.signals if sig.name == "controversy").points == WEIGHTS["controversy"]


def test_severity_follows_configured_thresholds(tmp_path):
    cfg = make_app(tmp_path).config
    assert [severity_for(cfg, x) for x in (95, 80, 79.9, 60, 45, 39)] == ["khẩn cấp", "khẩn cấp", "cao", "cao", "theo dõi", None]


def test_decide_alert_escalation_and_cooldown(tmp_path):
    app = make_app(tmp_path)
    now = app.now()
    members = [_member(1, "Báo Long Biên", now)]
    cls = {1: _cls(1, hot=0.7, scope="local")}
    s = score_story(app.config, members, cls, now, 1.0)
    assert decide_alert(app.config, s, None, now, now).kind == "new"
    last = Alert(1, 1, "new", s.severity, s.total, 0, now - timedelta(minutes=90), "", "", {})
    assert decide_alert(app.config, s, last, now, now) is None  # nothing changed
    higher = Alert(1, 1, "new", "theo dõi", 45, 0, now - timedelta(minutes=90), "", "", {})
    assert s.severity == "cao" and "tăng" in decide_alert(app.config, s, higher, now, now).why
    recent = Alert(1, 1, "new", "theo dõi", 45, 0, now - timedelta(minutes=10), "", "", {})
    assert decide_alert(app.config, s, recent, now, now) is None  # cooldown
    assert decide_alert(app.config, s, None, now + timedelta(days=4), now) is None  # stale story


def test_cold_story_gets_no_case_and_no_alert(tmp_path):
    app = make_app(tmp_path)
    add_article(app, "Tuổi Trẻ", "exam", EXAM_TITLE, EXAM_SAPO, app.now(),
                Cls(hot_score=0.05, sentiment="neutral", scope="city", topics=("thi-cu",), reasons=()))
    report = run_triage(app)
    assert report.new_stories == 1 and report.cases_opened == [] and report.alerts_queued == []
    story = app.store.stories_between(None, None)[0]
    assert story.severity is None and story.case_status is None and story.hot_score < 40


def test_reclassification_rescores_the_story(tmp_path):
    app = make_app(tmp_path)
    aid = add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now(),
                      Cls(hot_score=0.05, sentiment="neutral", scope="national"))
    run_triage(app)
    sid = app.store.story_of_article(aid)
    assert app.store.story(sid).severity is None
    app.store.save_classifications([(aid, _cls(aid, hot=0.9, scope="local"))], app.now())
    report = run_triage(app, [aid])
    assert report.rescored == [sid] and report.alerts_queued
    assert app.store.story(sid).severity is not None


def test_a_story_scored_higher_by_a_reclassification_alone_is_not_alerted_again(tmp_path):
    """`monitor reclassify` (or edited rules, or a retrained model the service picks up) scores the same articles
    again: an alerted story that rises a level on that alone sends leadership nothing new, even once the cooldown has
    passed. The next article that joins it brings the higher level out."""
    title = "Nữ sinh lớp 8 ở Nghệ An bị nhóm bạn đánh hội đồng sau giờ tan học"
    sapo = "Chiều 25/11, một nữ sinh lớp 8 bị bốn bạn đánh hội đồng; clip lan truyền trên mạng xã hội."
    app = make_app(tmp_path)
    aid = add_article(app, "VnExpress", "fight", title, sapo, app.now() - timedelta(minutes=30),
                      Cls(hot_score=0.6, scope="national"))
    (alert_id,) = run_triage(app).alerts_queued
    sid = app.store.story_of_article(aid)
    before = app.store.story(sid).severity
    app.clock.advance(hours=2)  # past the cooldown
    app.store.save_classifications([(aid, _cls(aid, hot=0.95, scope="local"))], app.now())  # a new model's call
    report = run_triage(app, [aid])
    after = app.store.story(sid).severity
    assert severity_rank(app.config, after) < severity_rank(app.config, before), (before, after)
    assert report.rescored == [sid] and report.alerts_queued == [], "no news: no second alert"
    assert run_triage(app).alerts_queued == [], "nor at a later run"
    title, sapo = reprint(title, sapo, 1)
    other = add_article(app, "Tuổi Trẻ", "fight-2", title, sapo, app.now(), Cls(hot_score=0.95, scope="local"))
    report = run_triage(app, [other])
    assert len(report.alerts_queued) == 1 and app.store.alert(report.alerts_queued[0]).kind == "escalation"


def test_escalation_to_the_top_severity_skips_the_cooldown(tmp_path):
    app = make_app(tmp_path)
    now = app.now()
    members = [_member(1, "VnExpress", now - timedelta(hours=1)), _member(2, "Tuổi Trẻ", now)]
    cls = {1: _cls(1, hot=0.95, scope="local"), 2: _cls(2, hot=0.95, scope="local")}
    s = score_story(app.config, members, cls, now, 1.0)
    assert s.severity == "khẩn cấp"
    just_sent = Alert(1, 1, "new", "cao", 70, 2, now - timedelta(minutes=5), "", "", {})
    decision = decide_alert(app.config, s, just_sent, now, now)
    assert decision is not None and decision.kind == "escalation" and "khẩn cấp" in decision.why


def test_only_the_classifiers_hot_reasons_reach_the_story(tmp_path):
    app = make_app(tmp_path)
    now = app.now()
    c = _cls(1, reasons=("giáo dục 0.93: học sinh", "chủ đề an-toan 0.80: đánh nhau", "nóng 0.85: bạo lực học đường (đánh hội đồng)",
                         "sắc thái negative 0.90", "địa bàn: nêu tên phường Ngọc Lâm"))
    s = score_story(app.config, [_member(1, "VnExpress", now)], {1: c}, now, 1.0)
    assert s.reasons[:2] == ("nóng 0.85: bạo lực học đường (đánh hội đồng)", "địa bàn: nêu tên phường Ngọc Lâm")
    assert not any(r.startswith(("giáo dục", "chủ đề", "sắc thái")) for r in s.reasons)


# ---------------------------------------------------------------------- a run stopped half-way (kill -9)

def test_articles_classified_by_a_run_killed_before_triage_are_grouped_and_alerted_by_the_next(tmp_path):
    app = make_app(tmp_path)
    fight = add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    # the killed run saved the classification and died; the next crawl has nothing new to classify
    report = run_triage(app, [])
    assert report.assigned == 1 and len(report.cases_opened) == 1 and len(report.alerts_queued) == 1
    assert app.store.story_of_article(fight) is not None


def test_a_story_grouped_but_never_scored_is_scored_and_alerted_by_the_next_run(tmp_path):
    app = make_app(tmp_path)
    fight = add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    story = app.store.create_story(fight, app.now())  # the killed run got this far
    report = run_triage(app, [])
    assert report.rescored == [story] and len(report.alerts_queued) == 1
    assert app.store.case_of_story(story) is not None


def test_a_case_opened_by_a_run_killed_before_its_alert_still_gets_the_alert(tmp_path):
    from monitor.triage import rescore

    app = make_app(tmp_path)
    fight = add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    story = app.store.create_story(fight, app.now())
    score, _ = rescore(app, story)
    assert score.severity is not None
    app.store.open_case(story, app.now())  # ... and died before queueing the alert
    app.clock.advance(minutes=10)
    (alert_id,) = run_triage(app, []).alerts_queued
    assert app.store.alert(alert_id).kind == "new"
    assert run_triage(app, []).alerts_queued == []  # once


def test_a_dismissed_case_without_an_alert_stays_without_one(tmp_path):
    from monitor.cases import dismiss_case
    from monitor.triage import rescore

    app = make_app(tmp_path)
    fight = add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    story = app.store.create_story(fight, app.now())
    rescore(app, story)
    case_id, _ = app.store.open_case(story, app.now())
    dismiss_case(app, case_id, by="Chị Lan")
    assert run_triage(app, []).alerts_queued == []


def test_an_article_placed_by_another_process_meanwhile_keeps_its_story(tmp_path):
    app = make_app(tmp_path)
    fight = add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    first = app.store.create_story(fight, app.now())
    assert app.store.create_story(fight, app.now()) == first  # a second crawl's triage: no IntegrityError


def test_the_recovery_leaves_old_unplaced_articles_to_monitor_triage(tmp_path):
    """An article reclassified as education long after it was published (a reclassification of history) is
    not placed, nor given a case, by the next crawl's triage; `monitor triage` (no ids) places it when asked."""
    app = make_app(tmp_path)
    old = add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(days=75))
    new = add_article(app, "Tuổi Trẻ", "exam", EXAM_TITLE, EXAM_SAPO, app.now() - timedelta(minutes=5),
                      Cls(hot_score=0.1, sentiment="neutral", topics=("tuyen-sinh",)))
    report = run_triage(app, [new])
    assert report.assigned == 1 and report.cases_opened == [] and app.store.story_of_article(old) is None
    assert run_triage(app).assigned == 1 and app.store.story_of_article(old) is not None


def test_the_recovery_places_an_old_article_collected_lately(tmp_path):
    """Collected by the killed run, though published days before (a page fetched late): it is recent work."""
    from monitor.models import FeedEntry

    app = make_app(tmp_path)
    published = app.now() - timedelta(days=5)
    entry = FeedEntry(source="vne", url="https://vnexpress.net/late.html", guid="late", title=FIGHT_TITLE,
                      sapo=FIGHT_SAPO, published=published)
    late, _ = app.store.add_feed_entry(entry, "VnExpress", app.now() - timedelta(minutes=30))
    app.store.save_classifications([(late, _cls(late))], app.now())
    assert run_triage(app, []).assigned == 1 and app.store.story_of_article(late) is not None


def test_case_log_and_change_lines_read_plainly_without_french_quotes(tmp_path):
    """What reaches the monthly report and the alerts: "mức cao", not "mức «cao»"."""
    app = make_app(tmp_path)
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now())
    (case_id,) = run_triage(app).cases_opened
    case = app.store.case(case_id)
    story = app.store.story(case.story_id)
    # the score as every output shows it beside a level (config.score_text): never the next level's threshold
    assert case.events[0].note == f"Mở tự động: mức {story.severity}, điểm {int(story.hot_score)}"
    now = app.now()
    s = score_story(app.config, [_member(1, "Báo Long Biên", now)], {1: _cls(1, hot=0.7, scope="local")}, now, 1.0)
    higher = Alert(1, 1, "new", "theo dõi", 45, 0, now - timedelta(minutes=90), "", "", {})
    decision = decide_alert(app.config, s, higher, now, now)
    assert decision.why == "Mức độ tăng từ theo dõi lên cao" and decision.raised


def test_the_explanations_main_topic_is_the_topic_the_clipping_shows_first_and_scores_do_not_change(tmp_path):
    from classifiers.plan_topics import strongest_first

    app = make_app(tmp_path)
    now = app.now()
    members = [_member(1, "VnExpress", now - timedelta(hours=1)), _member(2, "Tuổi Trẻ", now)]
    # the classifier lists "tuyen-sinh" first; by score the article is first about school safety
    first = Classification(id="1", is_education=True, relevance=0.9, topics=("tuyen-sinh", "an-toan-truong-hoc"),
                           topic_scores={"tuyen-sinh": 0.4, "an-toan-truong-hoc": 0.9}, sentiment="negative", hot=True,
                           hot_score=0.8, scope="national", reasons=("x",), model_version=MODEL)
    s = score_story(app.config, members, {1: first, 2: _cls(2, topics=("tuyen-sinh",))}, now, 1.0)
    assert strongest_first(first.topics, first.topic_scores)[0] == "an-toan-truong-hoc"
    assert s.explanation()["main_topic"] == "an-toan-truong-hoc"  # the label people see: the clipping's
    assert s.main_topic == "tuyen-sinh"  # the key of the topic's usual spread (velocity), as before
    # the label is not part of the score: the same story with the classifier's order gives the same points
    plain = Classification(**{**first.__dict__, "topic_scores": {}})
    same = score_story(app.config, members, {1: plain, 2: _cls(2, topics=("tuyen-sinh",))}, now, 1.0)
    assert same.total == s.total and same.main_topic == s.main_topic and same.signals == s.signals


def test_a_watchlist_ward_is_named_as_a_ward_in_the_reasons(tmp_path):
    from dataclasses import replace

    from monitor.triage import watchlist_label

    app = make_app(tmp_path)  # watchlist: wards Ngọc Lâm, Bồ Đề; schools THCS Ngọc Lâm, Tiểu học Bồ Đề
    now = app.now()
    ward = score_story(app.config, [_member(1, "VnExpress", now, title="Cháy bếp ăn bán trú một trường mầm non ở Bồ Đề")],
                       {1: _cls(1, scope="city")}, now, 1.0)
    assert "Tin trên địa bàn: phường Bồ Đề" in ward.reasons
    assert ward.explanation()["signals"][2]["detail"]["watchlist"] == ["Bồ Đề"]  # the machine field keeps the entry
    school = score_story(app.config, [_member(1, "VnExpress", now, title=FIGHT_TITLE)], {1: _cls(1, scope="city")}, now, 1.0)
    assert "Tin trên địa bàn: THCS Ngọc Lâm" in school.reasons  # a school says what it is already
    office = app.config.office
    cfg = replace(app.config, office=replace(office, watchlist=replace(
        office.watchlist, wards=("phường Gia Thụy", "P. Sài Đồng", "Long Biên", "Ngọc Lâm"))))
    assert [watchlist_label(cfg, n) for n in ("phường Gia Thụy", "P. Sài Đồng", "Long Biên", "Ngọc Lâm", "THCS Ngọc Lâm")] == \
        ["phường Gia Thụy", "P. Sài Đồng", "Long Biên", "phường Ngọc Lâm", "THCS Ngọc Lâm"]


NGHE_AN_TITLE = "Nữ sinh lớp 7 ở Nghệ An bị nhóm bạn đánh hội đồng, clip lan truyền trên mạng"
NGHE_AN_SAPO = ("Chiều 25/11, một nữ sinh lớp 7 ở huyện Quỳnh Lưu, Nghệ An bị năm bạn đánh hội đồng trước cổng "
                "trường; đoạn clip được chia sẻ rộng rãi trên mạng xã hội.")


def test_alerts_min_scope_keeps_alerts_to_the_offices_stories_while_the_case_and_clipping_keep_them(tmp_path):
    from monitor.triage import alerts_cover

    app = make_app(tmp_path, min_scope="city")
    far = add_article(app, "VnExpress", "nghe-an", NGHE_AN_TITLE, NGHE_AN_SAPO, app.now() - timedelta(minutes=10),
                      Cls(hot_score=0.95, scope="national"))
    report = run_triage(app)
    (case_id,) = report.cases_opened
    assert report.alerts_queued == [], "a story of another province sends no alert under min_scope: city"
    case = app.store.case(case_id)
    assert not case.closed and app.store.story(case.story_id).severity is not None, "still a hot story with its case"
    assert "alerts.min_scope: city" in case.events[-1].note
    app.clock.advance(hours=2)
    assert run_triage(app).alerts_queued == [], "nor on a later run"
    # the office's own story still alerts
    add_article(app, "Tuổi Trẻ", "fee", "Phụ huynh Trường Tiểu học Bồ Đề phản ánh khoản thu đầu năm tăng gấp đôi",
                "Nhiều phụ huynh ở phường Bồ Đề cho biết mỗi em phải nộp 3 triệu đồng các khoản thu ngay tuần đầu.",
                app.now() - timedelta(minutes=5), Cls(hot_score=0.9, topics=("hoc-phi-thu-chi",)))
    assert len(run_triage(app).alerts_queued) == 1
    # the far story comes near: an article the classifier judges local joins it, and its first alert goes out
    near = add_article(app, "Dân Trí", "nghe-an-2", NGHE_AN_TITLE, NGHE_AN_SAPO + " Em từng học ở địa bàn.",
                       app.now() - timedelta(minutes=5), Cls(hot_score=0.95, scope="local"))
    (alert_id,) = run_triage(app).alerts_queued
    assert app.store.story_of_article(near) == app.store.story_of_article(far)
    assert app.store.alert(alert_id).kind == "new" and app.store.alert(alert_id).story_id == case.story_id

    (tmp_path / "default").mkdir()
    default = make_app(tmp_path / "default")
    assert default.config.alerts.min_scope == "foreign"
    assert all(alerts_cover(default.config, s) for s in ("local", "city", "national", "foreign"))
    assert [alerts_cover(app.config, s) for s in ("local", "city", "national", "foreign")] == [True, True, False, False]


# --------------------------------------------------------------------------- a Sở: its city is its own area (review 2, N2)

LONG_BIEN_TITLE = "Nam sinh lớp 8 bị nhóm bạn đánh hội đồng gần cổng trường ở Long Biên"


def test_for_a_so_a_story_in_its_own_city_is_its_area_and_a_phongs_scores_do_not_change(tmp_path):
    from monitor.notify import alert_subject

    (tmp_path / "so").mkdir()
    (tmp_path / "phong").mkdir()
    so = make_app(tmp_path / "so", office=SO_OFFICE)
    phong = make_app(tmp_path / "phong")
    assert so.config.office.own_scopes == ("local", "city") and phong.config.office.own_scopes == ("local",)
    assert so.config.office.is_own_area("city") and not phong.config.office.is_own_area("city")
    assert not so.config.office.is_own_area("national")
    now = so.now()
    members = [_member(1, "VnExpress", now - timedelta(hours=1), title=LONG_BIEN_TITLE)]
    at_so = score_story(so.config, members, {1: _cls(1, scope="city", hot=0.9)}, now, 1.0)
    at_phong = score_story(phong.config, members, {1: _cls(1, scope="city", hot=0.9)}, now, 1.0)
    locality = {s.name: s for s in at_so.signals}["locality"]
    assert locality.points == WEIGHTS["locality"] and at_so.local and at_so.scope == "local"
    assert locality.detail["classified_scope"] == "city"
    assert round(at_so.total - at_phong.total, 1) == round(WEIGHTS["locality"] * (1 - 0.35), 1)
    assert "Tin trên địa bàn thành phố Hà Nội" in at_so.reasons and not any("Tin trong thành phố" in r for r in at_so.reasons)
    # the Phòng: as before, the city is near but not its area
    assert not at_phong.local and "Tin trong thành phố Hà Nội" in at_phong.reasons
    # nor does another province become the Sở's
    far = score_story(so.config, members, {1: _cls(1, scope="national", hot=0.9)}, now, 1.0)
    assert not far.local and far.scope == "national"
    # the alert says the Sở's area in its subject, as a Phòng's does for its district
    assert alert_subject(so.config, "cao", LONG_BIEN_TITLE, local=at_so.local) == f"[Mức cao – Hà Nội] {LONG_BIEN_TITLE}"


def test_alerts_min_scope_local_covers_a_sos_whole_city(tmp_path):
    from monitor.triage import alerts_cover

    (tmp_path / "so").mkdir()
    so = make_app(tmp_path / "so", office=SO_OFFICE, min_scope="local")
    assert [alerts_cover(so.config, s) for s in ("local", "city", "national")] == [True, True, False]
    phong = make_app(tmp_path, min_scope="local")
    assert [alerts_cover(phong.config, s) for s in ("local", "city", "national")] == [True, False, False]
    add_article(so, "VnExpress", "long-bien", LONG_BIEN_TITLE, "Một nam sinh lớp 8 bị bốn bạn đánh gần cổng trường.",
                so.now() - timedelta(minutes=10), Cls(hot_score=0.95, scope="city"))
    report = run_triage(so)
    assert len(report.cases_opened) == 1 and len(report.alerts_queued) == 1, "the Sở's own city alerts"


def test_a_namesake_commune_elsewhere_is_no_watchlist_hit_and_a_wards_kind_follows_the_area(tmp_path):
    """Long Biên (a quận) has phường Ngọc Lâm and Bồ Đề; "xã Bồ Đề" is another district's commune, as the
    classifier's scope reads it. A huyện's bare ward may be a xã or a thị trấn: its reason names it bare."""
    from monitor.triage import watchlist_hits, watchlist_label

    app = make_app(tmp_path)
    assert watchlist_hits(app.config, "Học sinh xã Bồ Đề, huyện Bình Lục bị đánh") == []
    assert watchlist_hits(app.config, "Học sinh phường Bồ Đề bị đánh") == ["Bồ Đề"]
    assert watchlist_hits(app.config, "P. Bồ Đề có trường mới") == ["Bồ Đề"]
    assert watchlist_hits(app.config, "Trường ở Bồ Đề xây thêm lớp") == ["Bồ Đề"]  # bare, as before
    assert watchlist_label(app.config, "Ngọc Lâm") == "phường Ngọc Lâm"
    (tmp_path / "gia-lam").mkdir()
    gia_lam = make_app(tmp_path / "gia-lam", office={
        "name": "Phòng Giáo dục và Đào tạo huyện Gia Lâm", "short_name": "Phòng GD&ĐT Gia Lâm", "district": "Gia Lâm",
        "city": "Hà Nội", "watchlist": {"wards": ["Kiêu Kỵ", "thị trấn Trâu Quỳ"]}})
    assert watchlist_hits(gia_lam.config, "Trường Mầm non xã Kiêu Kỵ khai giảng") == ["Kiêu Kỵ"]
    assert watchlist_hits(gia_lam.config, "Học sinh phường Kiêu Kỵ") == []
    assert watchlist_hits(gia_lam.config, "xã Trâu Quỳ") == [] and watchlist_hits(gia_lam.config, "TT. Trâu Quỳ")
    assert watchlist_label(gia_lam.config, "Kiêu Kỵ") == "Kiêu Kỵ"


def test_a_ward_named_like_a_common_word_counts_only_as_a_name_is_written(tmp_path):
    """"bộ đề" (a set of exam papers) is not the ward Bồ Đề, "phúc lợi" (welfare) not Phúc Lợi: a bare name counts
    capitalised and with its marks; after its kind word any way it is typed."""
    from monitor.triage import watchlist_hits

    app = make_app(tmp_path)
    assert watchlist_hits(app.config, "Nghệ An: lộ bộ đề kiểm tra học kỳ, học sinh phải thi lại") == []
    assert watchlist_hits(app.config, "Đề nghị làm rõ việc in sao bo de truoc gio thi") == []
    assert watchlist_hits(app.config, "Trường ở Bồ Đề xây thêm lớp học") == ["Bồ Đề"]
    assert watchlist_hits(app.config, "Truong o Bo De xay them lop hoc") == ["Bồ Đề"]  # unmarked text: capitals
    assert watchlist_hits(app.config, "phuong bo de co truong moi") == ["Bồ Đề"]  # after its kind: any way
    assert watchlist_hits(app.config, "PHƯỜNG BỒ ĐỀ: học sinh được khen") == ["Bồ Đề"]


def test_two_processes_triaging_one_story_at_once_queue_one_alert(tmp_path, monkeypatch):
    """The service's triage and an analyst's (`monitor crawl`, `monitor triage`) on one database at the same moment:
    each decides the story has no alert yet; only the first to queue one may, or leadership gets it twice."""
    import monitor.notify as notify

    app = make_app(tmp_path)
    other = make_app(tmp_path)  # the second process: its own connection to the same file
    fight = add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    compose = notify.compose_alert

    def the_other_process_queues_first(*args, **kw):
        # this run has decided on the story's first alert and is writing it; the other run does the same meanwhile
        monkeypatch.setattr(notify, "compose_alert", compose)
        assert len(run_triage(other, []).alerts_queued) == 1
        return compose(*args, **kw)

    monkeypatch.setattr(notify, "compose_alert", the_other_process_queues_first)
    assert run_triage(app, [fight]).alerts_queued == []  # the other run's alert is the story's one
    story = app.store.story_of_article(fight)
    assert len(app.store.alerts_for_story(story)) == 1
    assert len(app.store.deliveries(app.store.alerts_for_story(story)[0].id)) == len(app.config.alerts.channels)
    other.close()


def test_a_story_of_many_members_reads_the_watchlists_names_once_not_once_per_member(tmp_path, monkeypatch):
    # a feed of near-copies under new links at every poll grew one story by hundreds of members a poll, and each
    # rescoring worked out every ward's kinds again for each member (seconds per poll, more at every poll)
    import classifiers.scope as scope

    app = make_app(tmp_path)
    now = app.now()
    members = [_member(i, "VnExpress", now - timedelta(minutes=i), title=f"Học sinh phường Bồ Đề nghỉ học (bản {i})")
               for i in range(300)]
    calls = []
    ward_entry = scope.ward_entry
    monkeypatch.setattr(scope, "ward_entry", lambda *a: calls.append(a) or ward_entry(*a))
    scope.watchlist_reader.cache_clear()
    score = score_story(app.config, members, {i: _cls(i, scope="national") for i in range(300)}, now, 1.0)
    assert score.local and len(calls) <= len(app.config.office.watchlist.wards)  # 300 x 2 before


DA_NANG = {"name": "Sở Giáo dục và Đào tạo thành phố Đà Nẵng", "short_name": "Sở GD&ĐT Đà Nẵng", "district": "Đà Nẵng",
           "city": "Đà Nẵng", "watchlist": {"wards": ["phường Hải Châu", "xã Hòa Vang", "Hội An Tây"],
                                            "schools": ["THPT Phan Châu Trinh"]}}


def test_a_ward_written_with_its_kind_is_a_watchlist_hit_after_that_kind_only(tmp_path):
    """A Sở of Đà Nẵng lists "phường Hải Châu": the former quận Hải Châu is not that ward (README: an entry written
    with its kind is read after that kind only). Triage's locality and reason read the watchlist as the article's
    scope does, so the digest's "Tin trên địa bàn: …", `articles` and the report cannot disagree."""
    from classifiers.classify import Classifier
    from classifiers.rules import load_rules
    from monitor.triage import watchlist_hits

    app = make_app(tmp_path, office=DA_NANG)
    clf = Classifier(load_rules(), app.config.office, None)
    texts = {
        "Giáo viên quận Hải Châu (cũ) tập huấn dạy học STEM": [],
        "Trường ở Hải Châu khai giảng năm học mới": [],
        "Học sinh phường Hải Châu đạt giải nhất cuộc thi robot": ["phường Hải Châu"],
        "P. Hải Châu mở thêm hai lớp học bơi miễn phí cho học sinh": ["phường Hải Châu"],
        "phuong hai chau mo lop hoc boi cho hoc sinh": ["phường Hải Châu"],
        "Học sinh phường Hòa Vang được tặng xe đạp": [],  # the entry says xã
        "Trường mầm non xã Hòa Vang khánh thành": ["xã Hòa Vang"],
        "Xây dựng môi trường xã hội an toàn tây nguyên cho trẻ": [],  # no "xã Hội An Tây" in "xã hội an toàn tây"
        "Học sinh THPT Phan Châu Trinh (Gia Lai) bị kỷ luật": [],  # a namesake placed in another province
        "Học sinh THPT Phan Châu Trinh giành huy chương vàng": ["THPT Phan Châu Trinh"],
    }
    for title, hits in texts.items():
        assert watchlist_hits(app.config, title) == hits, title
        # the same reading as the classifier's: a watchlist hit exactly where the scope says local
        assert (clf.place(title)[0] == "local") == bool(hits), title
    now = app.now()
    members = [_member(1, "VnExpress", now, title="Giáo viên quận Hải Châu (cũ) tập huấn dạy học STEM")]
    s = score_story(app.config, members, {1: _cls(1, scope="national")}, now, 1.0)
    assert not s.local and not any(r.startswith("Tin trên địa bàn") for r in s.reasons)
    members = [_member(1, "VnExpress", now, title="Học sinh phường Hải Châu đạt giải nhất cuộc thi robot")]
    s = score_story(app.config, members, {1: _cls(1, scope="national")}, now, 1.0)
    assert s.local and "Tin trên địa bàn: phường Hải Châu" in s.reasons


def test_the_shipped_offices_watchlist_hits_are_its_scope(tmp_path):
    """Long Biên: the bridge named after the district, a firm named like a ward and a namesake school of another
    province are no watchlist hit, as they are not local to the classifier; the district, its wards and schools
    still are."""
    from classifiers.classify import Classifier
    from classifiers.rules import load_rules
    from monitor.triage import watchlist_hits

    app = make_app(tmp_path, office={
        "name": "Phòng Giáo dục và Đào tạo quận Long Biên", "short_name": "Phòng GD&ĐT quận Long Biên",
        "district": "Long Biên", "city": "Hà Nội", "watchlist": {
            "wards": ["Long Biên", "Sài Đồng", "Bồ Đề", "Ngọc Lâm"], "schools": ["THCS Ngọc Lâm", "THPT Cao Bá Quát"]}})
    clf = Classifier(load_rules(), app.config.office, None)
    texts = {
        "Cấm xe máy qua cầu Long Biên để sửa chữa mặt cầu": [],
        "Công ty Cơ khí Sài Đồng công bố lợi nhuận quý ba": [],
        "Hiệu trưởng THPT Cao Bá Quát (Đắk Lắk) bị kỷ luật": [],
        "Trường ở Long Biên tuyển thêm giáo viên tiếng Anh": ["Long Biên"],
        "Học sinh phường Sài Đồng được tặng mũ bảo hiểm": ["Sài Đồng"],
        "Trường ở Bồ Đề xây thêm lớp học": ["Bồ Đề"],
        "Học sinh THCS Ngọc Lâm đoạt giải toán quốc tế": ["THCS Ngọc Lâm"],  # the ward alone is not named
    }
    for title, hits in texts.items():
        assert watchlist_hits(app.config, title) == hits, title
        assert (clf.place(title)[0] == "local") == bool(hits), title


def test_a_phongs_city_reason_names_its_province_by_its_kind(tmp_path):
    # a commune's Phòng of Gia Lai (a tỉnh since the merger): a story elsewhere in the province is "trong tỉnh
    # Gia Lai", never "trong thành phố Gia Lai"; Hà Nội's Phòng still reads "thành phố Hà Nội" (test above)
    office = {"name": "Phòng Văn hóa - Xã hội phường Quy Nhơn", "short_name": "Phòng VH-XH phường Quy Nhơn",
              "district": "Quy Nhơn", "city": "Gia Lai"}
    app = make_app(tmp_path, office=office)
    now = app.now()
    members = [_member(1, "VnExpress", now - timedelta(hours=1),
                       title="Học sinh một trường THCS ở Pleiku bị bạn đánh sau giờ tan học")]
    score = score_story(app.config, members, {1: _cls(1, scope="city", hot=0.9)}, now, 1.0)
    assert not score.local and "Tin trong tỉnh Gia Lai" in score.reasons
    assert not any("thành phố Gia Lai" in r for r in score.reasons)
    # a hot issue entered from outside the press elsewhere in the province: its alert's area line says so too
    from monitor.intake import area_line
    from monitor.models import IntakeItem

    item = IntakeItem(id=1, story_id=1, title="Phụ huynh phản ánh trường ở Pleiku thu tiền quỹ lớp", source_kind="mạng xã hội",
                      source="Nhóm phụ huynh", url=None, happened_at=now, summary="", entered_at=now, entered_by="Chị Hoa",
                      scope="city", scope_given=True)
    assert area_line(app.config.office, item) == \
        "Địa bàn: ngoài địa bàn phường Quy Nhơn, tỉnh (do người ghi nhận xác định)"


def test_the_summary_says_alerts_are_off_rather_than_that_no_channel_is_set(tmp_path):
    """alerts.enabled: false with a channel set (config check's own advice for an office without alerts): the
    run's line names the switch, not an empty alerts.channels."""
    from dataclasses import replace

    app = make_app(tmp_path, channels=[{"kind": "webhook", "url": "http://127.0.0.1:9/hook"}])
    app.config = replace(app.config, alerts=replace(app.config.alerts, enabled=False))
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    said = str(run_triage(app))
    assert "cảnh báo đã lưu, không gửi vì cảnh báo đang tắt (alerts.enabled: false)" in said, said
    assert "alerts.channels" not in said
