"""One reading of "on the office's area" for a hot issue entered by hand from outside the press: its own text (title,
summary, source) places it by the scope rules an article is read by, or the clerk says where it is (--scope); the
alert's area tag and body, the clipping's area figure and district note, the monthly report's split and
`cases show` all follow it (real SMTP sink on 127.0.0.1)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from click.testing import CliRunner

from monitor.cli import cli
from monitor.intake import correct_item, open_from_outside
from monitor.notify import deliver_outbox
from test_triage_support import SO_OFFICE, SmtpSink, make_app

# invented for these tests
WARD_TITLE = "Phụ huynh phản ánh Trường THCS Ngọc Lâm thu tiền lắp điều hòa cho lớp 7"
WARD_SUMMARY = "Một phụ huynh ở phường Ngọc Lâm cho biết mỗi em phải đóng 500 nghìn đồng, trường chưa họp phụ huynh."
PLAIN_TITLE = "Phụ huynh gọi đường dây nóng phản ánh giáo viên dạy thêm thu tiền"
PLAIN_SOURCE = "Đường dây nóng của Phòng"
AWAY_TITLE = "Clip học sinh một trường THPT ở Nghệ An bị bạn đánh lan truyền trên mạng"
LOCAL_MORNING = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)  # 09:00 in Hà Nội


def _enter(app, **kw):
    args = dict(title=WARD_TITLE, source_kind="mạng xã hội", source="Nhóm Facebook Cha mẹ học sinh",
                by="Nguyễn Thị Lan", at="20:15 25/11/2026", summary=WARD_SUMMARY, level="cao")
    return open_from_outside(app, **(args | kw))


def _next_clipping(app):
    from monitor.digest_delivery import load_digest

    return load_digest(app, app.now().astimezone(app.config.office.tz).date() + timedelta(days=1))


def test_an_item_naming_a_district_school_and_ward_is_on_the_area_in_the_alert_clipping_and_report(tmp_path):
    from monitor.report import load_report

    with SmtpSink() as smtp:
        app = make_app(tmp_path, LOCAL_MORNING, smtp_port=smtp.port, quiet="",
                       channels=[{"kind": "email", "recipients": ["truongphong@longbien.example.vn"]}])
        done = _enter(app)
        assert done.item.scope == "local" and not done.item.scope_given
        assert deliver_outbox(app).ok
    (_, msg), = smtp.messages
    # the alert reads it as the clipping and the report do: the area's tag, and a line saying whose reading it is
    assert msg["Subject"] == f"[Mức cao – Long Biên] {WARD_TITLE}"
    assert "Địa bàn: quận Long Biên (theo nội dung ghi nhận)" in msg.get_content()
    d = _next_clipping(app)
    (item,) = d.hot.items
    assert item.title == WARD_TITLE and app.config.office.is_own_area(item.scope)
    # an issue on the area, never an article of the press
    assert d.summary.local_stories == 1 and d.summary.hot_local == 1 and d.summary.local_articles == 0
    assert d.summary.local_text == "1 (0 tin, bài)"
    assert d.local.note == "1 sự việc trên địa bàn là vấn đề nóng, đã nêu ở mục Vấn đề nóng."
    (issue,) = load_report(app, 2026, 11).hot_issues
    assert issue.own


def test_an_item_naming_no_place_of_the_office_is_elsewhere_unless_the_clerk_says_it_is_local(tmp_path):
    from monitor.report import load_report

    with SmtpSink() as smtp:
        app = make_app(tmp_path, LOCAL_MORNING, smtp_port=smtp.port, quiet="",
                       channels=[{"kind": "email", "recipients": ["truongphong@longbien.example.vn"]}])
        away = _enter(app, title=AWAY_TITLE, summary="", source="Trang TikTok tin nóng")
        call = _enter(app, title=PLAIN_TITLE, summary="", source_kind="đường dây nóng", source=PLAIN_SOURCE,
                      level="theo dõi", scope="local")
        assert (away.item.scope, away.item.scope_given) == ("national", False)
        assert (call.item.scope, call.item.scope_given) == ("local", True)
        assert deliver_outbox(app).ok
    subjects = {m["Subject"]: m.get_content() for _, m in smtp.messages}
    assert f"[Cần theo dõi – Long Biên] {PLAIN_TITLE}" in subjects
    assert "Địa bàn: quận Long Biên (do người ghi nhận xác định)" in subjects[f"[Cần theo dõi – Long Biên] {PLAIN_TITLE}"]
    assert f"[Mức cao] {AWAY_TITLE}" in subjects
    assert "Địa bàn: ngoài địa bàn quận Long Biên" in subjects[f"[Mức cao] {AWAY_TITLE}"]
    d = _next_clipping(app)
    assert d.summary.hot_stories == 2 and d.summary.local_stories == 1 and d.summary.hot_local == 1
    report = load_report(app, 2026, 11)
    own = {h.title: h.own for h in report.hot_issues}
    # the report no longer takes every item entered by hand as the office's: it reads it as the clipping does
    assert own == {AWAY_TITLE: False, PLAIN_TITLE: True}


def test_a_correction_judges_the_place_again_unless_a_person_gave_it(tmp_path):
    app = make_app(tmp_path, LOCAL_MORNING)
    done = _enter(app, title=AWAY_TITLE, summary="", source="Trang TikTok tin nóng", alert=False)
    assert not app.config.office.is_own_area(done.item.scope)
    c = correct_item(app, done.case.id, by="Nguyễn Thị Lan",
                     title="Clip học sinh Trường THCS Ngọc Lâm bị bạn đánh lan truyền trên mạng")
    (item,) = app.store.intake_of_story(c.story_id)
    assert item.scope == "local" and not item.scope_given
    assert "địa bàn «ngoài địa bàn quận Long Biên" in c.events[-1].note
    assert "→ «quận Long Biên (theo nội dung ghi nhận)»" in c.events[-1].note
    # the person's word stands against a later correction of the text
    correct_item(app, done.case.id, by="Nguyễn Thị Lan", scope="national")
    c = correct_item(app, done.case.id, by="Nguyễn Thị Lan", summary="Clip quay ở phường Ngọc Lâm")
    (item,) = app.store.intake_of_story(c.story_id)
    assert (item.scope, item.scope_given) == ("national", True)
    assert _next_clipping(app).summary.hot_local == 0


def test_the_cli_takes_scope_on_open_and_update_and_cases_show_says_the_area(tmp_path):
    app = make_app(tmp_path, datetime.now(timezone.utc))
    app.close()
    config = ["--config", str(tmp_path / "feeds.yaml")]
    runner = CliRunner()
    r = runner.invoke(cli, [*config, "cases", "open", "--title", PLAIN_TITLE, "--source-kind", "mạng xã hội",
                            "--source", "Trang TikTok tin nóng", "--no-alert", "--by", "Nguyễn Thị Lan"])
    assert r.exit_code == 0, r.output
    assert "Địa bàn: ngoài địa bàn quận Long Biên, toàn quốc (theo nội dung ghi nhận)" in r.output
    assert "monitor cases update 1 --scope" in r.output
    r = runner.invoke(cli, [*config, "cases", "update", "1", "--scope", "địa bàn", "--by", "Nguyễn Thị Lan"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, [*config, "cases", "show", "1"])
    assert "Địa bàn: quận Long Biên (do người ghi nhận xác định)" in r.output, r.output
    r = runner.invoke(cli, [*config, "cases", "open", "--title", "Phụ huynh phản ánh giờ đón trả học sinh",
                            "--source-kind", "hotline", "--source", PLAIN_SOURCE, "--scope", "quanh đây", "--no-alert"])
    assert r.exit_code == 2 and "--scope 'quanh đây' không phải phạm vi" in r.output


def test_a_departments_city_is_its_area_for_an_item_too(tmp_path):
    app = make_app(tmp_path, LOCAL_MORNING, office=SO_OFFICE)
    done = _enter(app, title="Phụ huynh phản ánh một trường tiểu học ở quận Cầu Giấy thu quỹ lớp", summary="",
                  alert=False)
    assert done.item.scope == "city" and app.config.office.is_own_area(done.item.scope)
    assert _next_clipping(app).summary.hot_local == 1


def test_a_press_story_merged_into_an_item_on_the_area_alerts_with_the_areas_tag(tmp_path):
    from monitor.cases import merge_case
    from monitor.triage import run_triage
    from test_triage_support import FEE_SAPO, FEE_TITLE, Cls, add_article

    app = make_app(tmp_path, LOCAL_MORNING)
    done = _enter(app, alert=False)
    app.clock.advance(hours=1)
    # a press story that names no place of the district (Cầu Giấy is another district of the city)
    add_article(app, "VnExpress", "fee", FEE_TITLE, FEE_SAPO, app.now() - timedelta(minutes=5), Cls(scope="city"))
    (press_case,) = run_triage(app).cases_opened
    merged = merge_case(app, press_case, into=done.case.id, by="Nguyễn Thị Lan")
    assert app.store.story_explanation(merged.story_id)["local"] is True
    assert app.store.story(merged.story_id).scope == "local"


def test_what_reaches_the_office_by_its_own_hotline_or_from_its_schools_is_on_its_area_unless_placed_elsewhere(tmp_path):
    app = make_app(tmp_path, LOCAL_MORNING)
    call = _enter(app, title=PLAIN_TITLE, summary="", source_kind="đường dây nóng", source=PLAIN_SOURCE, alert=False)
    assert (call.item.scope, call.item.scope_given) == ("local", False)
    school = _enter(app, title="Nhà trường báo cáo học sinh lớp 4 bị ngã cầu thang phải nhập viện", summary="",
                    source_kind="cơ sở giáo dục", source="Hiệu trưởng báo cáo qua điện thoại", alert=False)
    assert school.item.scope == "local"
    # a place named in the text stands: a caller reporting a school of another province is not the office's area
    away = _enter(app, title="Phụ huynh gọi đường dây nóng phản ánh một trường ở tỉnh Tuyên Quang thu quỹ lớp",
                  summary="", source_kind="đường dây nóng", source=PLAIN_SOURCE, alert=False)
    assert not app.config.office.is_own_area(away.item.scope)
    # the same words from a social network name no place of the office: elsewhere until the clerk says otherwise
    post = _enter(app, title=PLAIN_TITLE, summary="", source_kind="mạng xã hội", source="Trang TikTok tin nóng",
                  alert=False)
    assert post.item.scope == "national"
