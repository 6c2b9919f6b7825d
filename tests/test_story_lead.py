"""A story of routine news made hot by a complaint that joined it is named after the complaint everywhere, as its
alert told it: the case list and the case, the day's clipping (its hot item's title, link and summary; the routine news
below it as related), the monthly report's hot issue. Its first publication stays the first article's. A story whose
first article is the hot one, one scored before its lead was stored, and a case a person titled when merging keep the
names they had. All text invented (test_triage_hot_join's scenario)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from click.testing import CliRunner

from monitor.cases import merge_case
from monitor.cli import cli
from monitor.digest_delivery import load_digest
from monitor.render import render_html, render_text
from monitor.report import load_report
from monitor.triage import run_triage
from test_triage_hot_join import COMPLAINT, HOT, ROUTINE, VENUES
from test_triage_support import FIGHT_SAPO, FIGHT_TITLE, add_article, add_background, make_app

NOON = datetime(2026, 11, 26, 5, 0, tzinfo=timezone.utc)  # 12:00 in Hà Nội: the morning's news in one clipping
COMPLAINT_URL = "https://vnexpress.net/complaint.html"
VENUES_URL = "https://thanhnien.vn/venues.html"


def _joined(tmp_path):
    """The test's venues published at 09:00 (routine, no case), the complaint joining it at 10:40: (app, story id)."""
    app = make_app(tmp_path, NOON - timedelta(hours=2))
    add_background(app, app.now())
    run_triage(app)
    venues = add_article(app, "Thanh Niên", "venues", *VENUES, NOON - timedelta(hours=3), ROUTINE)
    assert run_triage(app).cases_opened == []
    sid = app.store.story_of_article(venues)
    app.clock.advance(hours=2)
    complaint = add_article(app, "VnExpress", "complaint", *COMPLAINT, NOON - timedelta(hours=1, minutes=20), HOT)
    assert len(run_triage(app).cases_opened) == 1
    assert app.store.story_of_article(complaint) == sid
    return app, sid, venues, complaint


def _cli(tmp_path, *args):
    r = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), *args])
    assert r.exit_code == 0, r.output
    return r.output


def test_a_story_made_hot_by_a_complaint_that_joined_it_is_named_after_the_complaint(tmp_path):
    app, sid, venues, complaint = _joined(tmp_path)
    story = app.store.story(sid)
    assert story.title == COMPLAINT[0] and story.headline_article_id == complaint
    # first published: still the test's venues, at 09:00
    assert story.first_article_id == venues and story.first_seen == NOON - timedelta(hours=3)
    assert story.outlets[0] == "Thanh Niên"
    case = app.store.case_of_story(sid)
    assert case.title == COMPLAINT[0]
    (alert,) = app.store.alerts_for_story(sid)
    assert alert.payload["title"] == COMPLAINT[0]
    # the alert's "first published" is the story's first article's, not the complaint's
    assert "Đăng đầu tiên" not in alert.body
    assert "Đăng lúc: 10:40 ngày 26/11/2026 trên VnExpress (bài đầu tiên của tin này: 09:00 ngày 26/11/2026 trên Thanh Niên)" \
        in alert.body, alert.body

    day = app.local_now().date() + timedelta(days=1)  # the clipping whose window holds this morning
    digest = load_digest(app, day)
    (item,) = digest.hot.items
    assert (item.title, item.url, item.outlet) == (COMPLAINT[0], COMPLAINT_URL, "VnExpress")
    assert "ngất xỉu" in item.summary, item.summary
    assert [r.title for r in item.related] == [VENUES[0]], "the routine news it began with is told below it"
    text = render_text(digest)
    assert f"1. {COMPLAINT[0]}" in text and f"1. {VENUES[0]}" not in text, text
    html = render_html(digest)
    assert html.index(COMPLAINT[0]) < html.index(VENUES[0])

    (issue,) = [h for h in load_report(app, 2026, 11).hot_issues if h.story_id == sid]
    assert (issue.title, issue.url) == (COMPLAINT[0], COMPLAINT_URL)
    assert "ngất xỉu" in issue.summary and issue.first_seen == (NOON - timedelta(hours=3)).astimezone(issue.first_seen.tzinfo)

    app.close()
    listed = _cli(tmp_path, "cases", "list")
    assert f"#{case.id} [mới] {COMPLAINT[0]} — " in listed and VENUES[0] not in listed, listed
    shown = _cli(tmp_path, "cases", "show", str(case.id))
    assert shown.startswith(f"Hồ sơ #{case.id}: {COMPLAINT[0]}\n"), shown


def test_a_story_scored_before_its_lead_was_stored_keeps_its_first_article_until_scored_again(tmp_path):
    app, sid, venues, complaint = _joined(tmp_path)
    with app.store.transaction() as db:  # as a story scored before 0078
        db.execute("UPDATE stories SET lead_id = NULL WHERE id = ?", (sid,))
    story = app.store.story(sid)
    assert story.title == VENUES[0] and story.headline_article_id == venues and story.lead_id is None
    app.clock.advance(hours=1)
    add_article(app, "Dân Trí", "complaint-copy", *COMPLAINT, app.now() - timedelta(minutes=10), HOT)
    run_triage(app)
    assert app.store.story(sid).title == COMPLAINT[0]


def test_a_story_whose_first_article_is_the_hot_one_keeps_its_name(tmp_path):
    app = make_app(tmp_path, NOON)
    add_background(app, app.now())
    run_triage(app)
    complaint = add_article(app, "VnExpress", "complaint", *COMPLAINT, NOON - timedelta(hours=2), HOT)
    run_triage(app)
    sid = app.store.story_of_article(complaint)
    app.clock.advance(hours=1)
    venues = add_article(app, "Thanh Niên", "venues", *VENUES, app.now() - timedelta(minutes=10), ROUTINE)
    run_triage(app)
    assert app.store.story_of_article(venues) == sid
    story = app.store.story(sid)
    assert story.title == COMPLAINT[0] and story.first_article_id == story.headline_article_id == complaint
    (alert,) = app.store.alerts_for_story(sid)
    assert "Đăng đầu tiên: 10:00 ngày 26/11/2026 trên VnExpress" in alert.body, alert.body


def test_a_title_kept_when_merging_cases_still_names_the_story(tmp_path):
    app, sid, _, _ = _joined(tmp_path)
    target = app.store.case_of_story(sid)
    fight = add_article(app, "Tuổi Trẻ", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=5))
    run_triage(app)
    other = app.store.case_of_story(app.store.story_of_article(fight))
    assert other is not None and other.id != target.id
    kept = "Điểm thi khảo sát lớp 10 chuyên ở Hà Nội: phản ánh thu phí giữ xe, thí sinh ngất"
    merged = merge_case(app, other.id, into=target.id, by="Nguyễn Thị Lan", title=kept)
    assert merged.title == kept and app.store.story(sid).title == kept
    app.close()
    assert f"#{target.id} [mới] {kept} — " in _cli(tmp_path, "cases", "list")
