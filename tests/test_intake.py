"""Hot issues that reach the office from outside the crawled press (`monitor cases open --title ...`): stored once with
who entered them, a case and one alert through the outbox (real servers on 127.0.0.1), the clipping's hot section and
the monthly report's part III with their source, never in the press figures; bad input said plainly."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from docx import Document

from monitor.cli import cli
from monitor.errors import InputError
from monitor.intake import open_from_outside, parse_source_kind, parse_when
from monitor.notify import deliver_outbox
from monitor.triage import run_triage
from test_service_support import use_rules_with_own_topic
from test_triage_support import (FEE_SAPO, FEE_TITLE, FIGHT_SAPO, FIGHT_TITLE, HttpReceiver, SmtpSink, add_article,
                                 free_port, make_app)

# invented for these tests
POST_TITLE = "Clip học sinh lớp 6 bị nhóm bạn chặn đánh trước cổng trường lan truyền trong nhóm phụ huynh"
POST_SOURCE = "Nhóm Facebook Phụ huynh Long Biên"
POST_SUMMARY = "Đoạn clip ngắn quay cảnh một học sinh lớp 6 bị ba bạn chặn đánh sau giờ tan học, nhiều phụ huynh bình luận."
POST_URL = "https://facebook.com/groups/phuhuynhlongbien/posts/1001"
CALL_TITLE = "Phụ huynh gọi đường dây nóng phản ánh trường thu tiền lắp điều hòa"
LOCAL_MORNING = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)  # 09:00 in Hà Nội


def _post(app, **kw):
    args = dict(title=POST_TITLE, source_kind="mạng xã hội", source=POST_SOURCE, by="Nguyễn Thị Lan", url=POST_URL,
                at="20:15 25/11/2026", summary=POST_SUMMARY, level="cao")
    return open_from_outside(app, **(args | kw))


def test_an_item_from_outside_the_press_opens_a_case_and_alerts_leadership_once(tmp_path):
    hook = HttpReceiver(free_port()).start()
    try:
        with SmtpSink() as smtp:
            app = make_app(tmp_path, LOCAL_MORNING, smtp_port=smtp.port, quiet="", channels=[
                {"kind": "email", "recipients": ["truongphong@longbien.example.vn"]},
                {"kind": "webhook", "url": hook.url}])
            done = _post(app)
            case, item = done.case, done.item
            assert case.status == "mới" and case.title == POST_TITLE and case.severity == "cao"
            assert [(e.by, e.status) for e in case.events] == [("Nguyễn Thị Lan", "mới")]
            assert "mạng xã hội – Nhóm Facebook Phụ huynh Long Biên" in case.events[0].note
            assert item.entered_by == "Nguyễn Thị Lan" and item.entered_at == app.now() and item.url == POST_URL
            assert item.happened_at == datetime(2026, 11, 25, 13, 15, tzinfo=timezone.utc)
            # no article pretends to be a crawled page
            assert app.store.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 0
            assert app.store.story_members(case.story_id) == []
            assert deliver_outbox(app).ok
            assert deliver_outbox(app).sent == []  # nothing goes twice
            run_triage(app)  # triage has nothing of its own to say about it
            assert deliver_outbox(app).sent == []
        assert len(smtp.messages) == 1 and len(hook.requests) == 1
        _, msg = smtp.messages[0]
        # its source names the district ("Nhóm Facebook Phụ huynh Long Biên"): on the area, as the clipping reads it
        assert msg["Subject"] == f"[Mức cao – Long Biên] {POST_TITLE}"
        body = msg.get_content()
        assert "Nguồn: mạng xã hội – Nhóm Facebook Phụ huynh Long Biên" in body and POST_SUMMARY in body
        assert "Ghi nhận: Nguyễn Thị Lan" in body and POST_URL in body and "Hồ sơ xử lý số 1" in body
        payload = hook.requests[0].json()
        assert payload["case_id"] == case.id and payload["intake"]["source_kind"] == "mạng xã hội"
        assert payload["sources"] == []
        # the item as `cases show --json` says it; the keys receivers had from the first version stay as they were
        from monitor.intake import as_dict

        assert payload["intake"] == as_dict(item, app.config.office.tz)
        assert {k: payload["intake"][k] for k in ("id", "source_kind", "source", "url", "happened_at", "day_only",
                                                  "entered_by", "entered_at")} == {
            "id": item.id, "source_kind": "mạng xã hội", "source": POST_SOURCE, "url": POST_URL,
            "happened_at": "2026-11-25T20:15:00+07:00", "day_only": False, "entered_by": "Nguyễn Thị Lan",
            "entered_at": "2026-11-26T09:00:00+07:00"}
        assert payload["intake"]["title"] == POST_TITLE and payload["intake"]["level"] == "cao"
    finally:
        hook.stop()


def test_the_same_item_entered_twice_is_noticed_and_forced_only_on_purpose(tmp_path):
    app = make_app(tmp_path, LOCAL_MORNING)
    first = _post(app)
    app.clock.advance(minutes=20)
    # a colleague types it again, with other spacing, case and no diacritics in the kind, later the same evening
    again = _post(app, title=POST_TITLE.upper().replace(" ", "  "), source_kind="mang xa hoi",
                  source=POST_SOURCE.lower(), at="22:40 25/11/2026", by="Trần Văn Minh")
    assert again.item is None and again.duplicate_of.id == first.item.id and again.case.id == first.case.id
    assert len(app.store.cases()) == 1 and len(app.store.alerts_for_story(first.case.story_id)) == 1
    # the next day's post of the same group with the same words is another item
    other_day = _post(app, at="08:00 26/11/2026")
    assert other_day.item is not None and other_day.case.id != first.case.id
    forced = _post(app, force=True)
    assert forced.item is not None and len(app.store.cases()) == 3


def test_the_cli_records_an_item_and_refuses_bad_input_naming_what_to_do(tmp_path):
    now = datetime.now(timezone.utc)
    app = make_app(tmp_path, now)
    app.close()
    cfg = str(tmp_path / "feeds.yaml")
    run = CliRunner().invoke
    base = ["--config", cfg, "cases", "open", "--by", "Nguyễn Thị Lan"]
    r = run(cli, base + ["--title", CALL_TITLE, "--source-kind", "duong day nong", "--source", "Đường dây nóng của Phòng",
                         "--summary", "Mỗi học sinh đóng 300 nghìn đồng", "--topic", "hoc-phi-thu-chi", "--no-alert",
                         "--note", "Đã hẹn gọi lại cho phụ huynh"])
    assert r.exit_code == 0, r.output
    assert "Hồ sơ #1 (đã mở)" in r.output and "đường dây nóng – Đường dây nóng của Phòng" in r.output
    assert "Không gửi cảnh báo" in r.output
    r = run(cli, base + ["--title", CALL_TITLE, "--source-kind", "đường dây nóng", "--source", "Đường dây nóng của Phòng"])
    assert r.exit_code == 2 and "tin này có vẻ đã được ghi nhận: hồ sơ 1 có" in r.output and "--force" in r.output
    shown = json.loads(run(cli, ["--config", cfg, "cases", "show", "1", "--json"]).output)
    (item,) = shown["outside_press"]
    assert item["source_kind"] == "đường dây nóng" and item["entered_by"] == "Nguyễn Thị Lan" and item["url"] is None
    assert "không gửi cảnh báo" in shown["events"][0]["note"]
    assert [(e["by"], e["note"]) for e in shown["events"][1:]] == [("Nguyễn Thị Lan", "Đã hẹn gọi lại cho phụ huynh")]
    r = run(cli, ["--config", cfg, "cases", "show", "1"])
    assert "đường dây nóng – Đường dây nóng của Phòng: " + CALL_TITLE in r.output
    assert run(cli, ["--config", cfg, "alerts", "--all", "--json"]).output.count("alert_id") == 0

    future = (now + timedelta(days=2)).astimezone(app.config.office.tz).strftime("%H:%M %d/%m/%Y")
    bad = [
        (["--title", "  ", "--source-kind", "khác", "--source", "x"], "vấn đề nóng cần có tiêu đề"),
        (["--title", "Tin", "--source-kind", "zalo", "--source", "x"], "không có loại nguồn 'zalo'; dùng một trong: mạng xã hội"),
        (["--title", "Tin", "--source-kind", "khác", "--source", "x", "--at", future], "là thời điểm trong tương lai"),
        (["--title", "Tin", "--source-kind", "khác", "--source", "x", "--at", "hôm qua"], "HH:MM DD/MM/YYYY"),
        (["--title", "Tin", "--source-kind", "khác", "--source", "x", "--at", "31/02/2026"], "--at '31/02/2026' không phải thời điểm"),
        (["--title", "Tin", "--source-kind", "khác"], "cần --source khi dùng --title"),
        (["--title", "Tin", "--source-kind", "khác", "--source", "x", "--url", "facebook nhóm"], "--url 'facebook nhóm' không phải địa chỉ web"),
        (["--title", "Tin", "--source-kind", "khác", "--source", "x", "--level", "rất cao"], "không có mức độ 'rất cao'"),
        (["--title", "Tin", "--source-kind", "khác", "--source", "x", "--topic", "thu-chi"], "không có chủ đề 'thu-chi'"),
        (["12", "--title", "Tin"], "không cho cả hai"),
        (["12", "--source", "x"], "--source đi cùng --title"),
        ([], "--title cùng --source-kind"),
    ]
    for args, said in bad:
        r = run(cli, base + args)
        assert r.exit_code == 2 and said in r.output, (args, r.output)
    assert len(json.loads(run(cli, ["--config", cfg, "cases", "list", "--json"]).output)) == 1


def test_parsing_kinds_and_times():
    assert parse_source_kind("Truyen hinh") == "truyền hình" and parse_source_kind("hotline") == "đường dây nóng"
    with pytest.raises(InputError, match="báo chí khác"):
        parse_source_kind("")
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    now = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)
    assert parse_when(None, now, tz) == now
    assert parse_when("26/11/2026", now, tz) == now  # today without an hour: now
    assert parse_when("2026-11-24", now, tz) == datetime(2026, 11, 24, tzinfo=tz)
    assert parse_when("25/11/2026 20:15", now, tz) == datetime(2026, 11, 25, 20, 15, tzinfo=tz)
    with pytest.raises(InputError, match="là thời điểm trong tương lai"):
        parse_when("27/11/2026", now, tz)


def _docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_the_clipping_lists_it_as_a_hot_issue_with_its_source_and_not_as_press(tmp_path):
    from monitor.digest_delivery import load_digest, render_all

    app = make_app(tmp_path, LOCAL_MORNING)
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    assert run_triage(app).cases_opened  # a crawled hot story
    _post(app)
    tz = app.config.office.tz
    day = app.now().astimezone(tz).date() + timedelta(days=1)
    d = load_digest(app, day)
    assert {i.title for i in d.hot.items} == {FIGHT_TITLE, POST_TITLE}
    item = next(i for i in d.hot.items if i.title == POST_TITLE)
    assert item.outlets_label == "Nguồn: mạng xã hội – Nhóm Facebook Phụ huynh Long Biên" and item.case_label == "chưa tiếp nhận xử lý"
    assert item.outcome == ""  # the line that opened the case only says where it came from: nothing done yet
    # counted where hot issues are counted, not among the press's articles, outlets or tone
    s = d.summary
    assert s.hot_stories == 2 and dict(s.hot_by_severity)["cao"] >= 1
    assert s.articles == 1 and s.education == 1 and [o for o, _ in s.top_outlets] == ["VnExpress"]
    assert sum(n for _, n in s.tone) == 1
    rendered = render_all(d, {"txt", "md", "html", "docx"})
    for text in (rendered.text, rendered.markdown, rendered.html_file, _docx_text(rendered.docx)):
        assert "Nguồn: mạng xã hội – Nhóm Facebook Phụ huynh Long Biên" in text and POST_SUMMARY in text
        assert "Long Biên ·  ·" not in text and "Long Biên · 20:15 25/11 · " not in text  # no empty tone
    assert POST_URL in rendered.text and POST_URL in rendered.html_file
    # in the one clipping whose window holds its entry
    assert POST_TITLE not in [i.title for i in load_digest(app, day + timedelta(days=1)).hot.items]


def test_a_dismissed_item_leaves_the_clipping_and_its_waiting_alert_is_cancelled(tmp_path):
    from monitor.cases import dismiss_case
    from monitor.digest_delivery import load_digest

    app = make_app(tmp_path, LOCAL_MORNING, channels=[{"kind": "webhook", "url": "http://127.0.0.1:9/hook"}])
    done = _post(app, level="theo dõi")
    dismiss_case(app, done.case.id, by="Nguyễn Thị Lan", note="Clip cũ từ năm ngoái")
    (alert,) = app.store.alerts_for_story(done.case.story_id)
    assert [d.status for d in app.store.deliveries(alert.id)] == ["cancelled"]
    day = app.now().astimezone(app.config.office.tz).date() + timedelta(days=1)
    assert load_digest(app, day).hot.items == ()


@pytest.mark.parametrize("flags", [[], ["--not-education"]], ids=["not-hot", "not-education"])
def test_dismissing_an_item_from_outside_the_press_says_it_labelled_nothing(tmp_path, flags):
    # an item is no article: the model has nothing to learn from its dismissal, so the command must not promise it
    app = make_app(tmp_path, datetime.now(timezone.utc))
    case_id = _post(app).case.id
    app.close()
    r = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "cases", "dismiss", str(case_id), *flags,
                                 "--note", "Clip cũ đăng lại", "--by", "Nguyễn Thị Lan"])
    assert r.exit_code == 0, r.output
    assert f"Hồ sơ #{case_id}: cảnh báo nhầm" in r.output
    assert "không ghi nhãn bài nào" in r.output and "monitor train" not in r.output and "0 bài" not in r.output


def test_the_monthly_report_shows_it_in_part_three_with_its_source_in_every_format(tmp_path):
    from monitor.cases import update_case
    from monitor.report import build_and_deliver_report, load_report

    app = make_app(tmp_path, LOCAL_MORNING)
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(hours=2))
    run_triage(app)
    done = _post(app)
    app.clock.advance(hours=2)
    update_case(app, done.case.id, by="Nguyễn Thị Lan", status="đã xử lý",
                note="Nhà trường đã làm việc với gia đình các em")
    r = load_report(app, 2026, 11)
    issue = next(h for h in r.hot_issues if h.title == POST_TITLE)
    assert issue.own and issue.outlets_label == "Nguồn: mạng xã hội – Nhóm Facebook Phụ huynh Long Biên"
    assert issue.summary == POST_SUMMARY and issue.url == POST_URL and issue.case_status == "đã xử lý"
    assert len(r.hot_issues) == 2 and "2 vấn đề nóng" in r.hot_text
    # the press figures are the press's
    assert r.total.count == 1 and [o.label for o in r.outlets] == ["VnExpress"] and sum(t.count for t in r.tone) == 1
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    html = result.paths["html"].read_text(encoding="utf-8")
    docx = _docx_text(result.paths["docx"].read_bytes())
    for text in (html, docx):
        assert POST_TITLE in text and "Nguồn: mạng xã hội – Nhóm Facebook Phụ huynh Long Biên" in text
        assert "Nhà trường đã làm việc với gia đình các em" in text


def test_press_articles_on_the_same_event_join_it_by_a_merge(tmp_path):
    from monitor.cases import merge_case
    from monitor.digest_delivery import load_digest
    from monitor.report import load_report

    app = make_app(tmp_path, LOCAL_MORNING)
    done = _post(app)
    app.clock.advance(hours=3)
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=5))
    (press_case,) = run_triage(app).cases_opened
    merged = merge_case(app, press_case, into=done.case.id, by="Nguyễn Thị Lan", note="Cùng vụ clip trong nhóm phụ huynh")
    assert merged.id == done.case.id and merged.title == POST_TITLE and merged.outlets == ("VnExpress",)
    story = app.store.story(merged.story_id)
    assert [i.id for i in story.intake] == [done.item.id] and len(story.article_ids) == 1
    (issue,) = load_report(app, 2026, 11).hot_issues
    assert issue.outlets_label == "VnExpress; Nguồn: mạng xã hội – Nhóm Facebook Phụ huynh Long Biên"
    day = app.now().astimezone(app.config.office.tz).date() + timedelta(days=1)
    (item,) = load_digest(app, day).hot.items  # listed once, by its press article, with where it came first from
    assert item.outlets_label == "VnExpress; Nguồn: mạng xã hội – Nhóm Facebook Phụ huynh Long Biên"
    assert load_digest(app, day).summary.hot_stories == 1


def test_a_press_story_on_an_item_already_entered_names_its_case_to_merge_into(tmp_path):
    hook = HttpReceiver(free_port()).start()
    try:
        app = make_app(tmp_path, LOCAL_MORNING, quiet="", channels=[{"kind": "webhook", "url": hook.url}])
        done = _post(app, title="Clip nữ sinh lớp 8 Trường THCS Ngọc Lâm bị bạn đánh hội đồng lan truyền trong nhóm phụ huynh",
                     summary="Chiều 24/11, một nữ sinh lớp 8 Trường THCS Ngọc Lâm bị bốn bạn cùng trường đánh hội đồng sau "
                             "giờ tan học, clip lan truyền trong nhóm.", at="19:00 24/11/2026")
        app.clock.advance(hours=2)
        add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=5))
        (press_case,) = run_triage(app).cases_opened
        deliver_outbox(app)
        payload = hook.requests[-1].json()
        assert payload["case_id"] == press_case
        assert [r["case_id"] for r in payload["related_cases"]] == [done.case.id]  # said, not merged by itself
        assert app.store.case(press_case).story_id != done.case.story_id
    finally:
        hook.stop()
    app.close()
    r = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "cases", "show", str(press_case)])
    assert f"monitor cases merge {press_case} --into {done.case.id}" in r.output


def test_the_topic_may_be_one_the_office_added_to_its_own_rules(tmp_path):
    """`--topic` takes the ids of the rules the office runs (storage.rules_file), as `monitor label --topics` does."""
    make_app(tmp_path, datetime.now(timezone.utc)).close()
    cfg = tmp_path / "feeds.yaml"
    use_rules_with_own_topic(cfg, "quy-tac-cua-phong.yaml")
    run = CliRunner().invoke
    base = ["--config", str(cfg), "cases", "open", "--by", "Nguyễn Thị Lan", "--source-kind", "cơ sở giáo dục",
            "--source", "Trường THCS Thạch Bàn", "--no-alert"]
    r = run(cli, base + ["--title", "Trường báo cáo phòng bán trú xuống cấp sau mưa lớn", "--topic", "ban-tru-nha-o"])
    assert r.exit_code == 0, r.output
    shown = json.loads(run(cli, ["--config", str(cfg), "cases", "show", "1", "--json"]).output)
    assert shown["outside_press"][0]["topic"] == "ban-tru-nha-o"
    r = run(cli, base + ["--title", "Trường báo cáo mái tôn nhà xe bị tốc", "--topic", "ban-tru"])
    assert r.exit_code == 2 and "không có chủ đề 'ban-tru'" in r.output and "ban-tru-nha-o" in r.output, r.output


def test_a_day_given_without_an_hour_is_said_as_a_day_everywhere(tmp_path):
    """`--at 25/11/2026`: the person did not say the hour, so no output invents "00:00"."""
    from monitor.digest_delivery import load_digest, render_all
    from monitor.report import build_and_deliver_report

    app = make_app(tmp_path, LOCAL_MORNING, channels=[{"kind": "webhook", "url": "http://127.0.0.1:9/hook"}])
    add_article(app, "VnExpress", "other", "Trường THCS Gia Thụy tổ chức ngày hội đọc sách",
                "Học sinh Trường THCS Gia Thụy giới thiệu sách hay trong ngày hội đọc.", app.now() - timedelta(hours=1))
    done = _post(app, at="25/11/2026")
    assert done.item.day_only and done.item.happened_at.astimezone(app.config.office.tz).date().day == 25
    (alert,) = app.store.alerts_for_story(done.case.story_id)
    assert "Thời điểm: ngày 25/11/2026\n" in alert.body and "00:00" not in alert.body
    day = app.now().astimezone(app.config.office.tz).date() + timedelta(days=1)
    d = load_digest(app, day)
    item = next(i for i in d.hot.items if i.title == POST_TITLE)
    assert item.time_label == "ngày 25/11/2026"
    rendered = render_all(d, {"txt", "md", "html", "docx"})
    for text in (rendered.text, rendered.markdown, _docx_text(rendered.docx)):
        assert "Nhóm Facebook Phụ huynh Long Biên · ngày 25/11/2026" in text and "00:00" not in text
    assert "Nhóm Facebook Phụ huynh Long Biên</span>\n · ngày 25/11/2026" in rendered.html_file
    assert "00:00" not in rendered.html_file
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    html = result.paths["html"].read_text(encoding="utf-8")
    assert "từ 25/11/2026" in html and "00:00" not in html
    # given with its hour, it keeps it
    other = _post(app, title=CALL_TITLE, at="20:15 25/11/2026")
    assert not other.item.day_only
    app.close()
    cfg = str(tmp_path / "feeds.yaml")
    shown = CliRunner().invoke(cli, ["--config", cfg, "cases", "show", str(done.case.id)]).output
    assert "(ngày 25/11/2026;" in shown and "00:00" not in shown, shown
    as_json = json.loads(CliRunner().invoke(cli, ["--config", cfg, "cases", "show", str(done.case.id), "--json"]).output)
    assert as_json["outside_press"][0]["day_only"] is True
    assert "lúc 20:15 ngày 25/11/2026" in CliRunner().invoke(cli, ["--config", cfg, "cases", "show", str(other.case.id)]).output


def test_a_typo_in_an_entered_item_is_corrected_on_its_case_and_a_sent_alert_is_not_sent_again(tmp_path):
    from monitor.intake import correct_item

    with SmtpSink() as smtp:
        app = make_app(tmp_path, LOCAL_MORNING, smtp_port=smtp.port, quiet="",
                       channels=[{"kind": "email", "recipients": ["truongphong@longbien.example.vn"]}])
        done = _post(app, title="Clip hoc sinh lop 6 bi chan danh", source="Nhom Facebook Phu huynh LB")
        assert deliver_outbox(app).ok and len(smtp.messages) == 1
        app.clock.advance(minutes=15)
        case = correct_item(app, done.case.id, by="Trần Văn Minh", title=POST_TITLE, source=POST_SOURCE)
        assert case.title == POST_TITLE
        (item,) = app.store.intake_of_story(case.story_id)
        assert item.title == POST_TITLE and item.source == POST_SOURCE and item.entered_by == "Nguyễn Thị Lan"
        last = case.events[-1]
        assert last.by == "Trần Văn Minh" and last.status is None
        assert "«Clip hoc sinh lop 6 bi chan danh»" in last.note and "«Nhom Facebook Phu huynh LB»" in last.note
        assert deliver_outbox(app).sent == [], "the alert already sent is not sent again"
        run_triage(app)
        assert deliver_outbox(app).sent == []
        assert len(smtp.messages) == 1
        # the corrected title is what a second entry is compared with
        assert _post(app, by="Lê Thu Hà").item is None
        with pytest.raises(InputError, match="không có gì để sửa"):
            correct_item(app, done.case.id, by="Trần Văn Minh", title=POST_TITLE)


def test_a_correction_before_the_alert_went_out_is_what_leadership_reads(tmp_path):
    """Held by quiet hours, the alert goes out once, with the corrected title."""
    from monitor.intake import correct_item

    night = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)  # 23:00 in Hà Nội
    with SmtpSink() as smtp:
        app = make_app(tmp_path, night, smtp_port=smtp.port,
                       channels=[{"kind": "email", "recipients": ["truongphong@longbien.example.vn"]}])
        done = _post(app, title="Clip hoc sinh lop 6 bi chan danh", at="22:30 25/11/2026")
        assert deliver_outbox(app).sent == []  # quiet hours
        correct_item(app, done.case.id, by="Trần Văn Minh", title=POST_TITLE, at="20:15 25/11/2026")
        app.clock.advance(hours=8)
        assert len(deliver_outbox(app).sent) == 1
        assert deliver_outbox(app).sent == []
    (_, msg), = smtp.messages
    assert msg["Subject"] == f"[Mức cao – Long Biên] {POST_TITLE}" and "Thời điểm: 20:15 ngày 25/11/2026" in msg.get_content()


def test_the_cli_corrects_an_item_and_refuses_to_retitle_a_press_case(tmp_path):
    app = make_app(tmp_path, datetime.now(timezone.utc))
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    (press_case,) = run_triage(app).cases_opened
    app.close()
    cfg = str(tmp_path / "feeds.yaml")
    run = CliRunner().invoke
    r = run(cli, ["--config", cfg, "cases", "open", "--by", "Nguyễn Thị Lan", "--title", "Phu huynh goi phan anh",
                  "--source-kind", "hotline", "--source", "Đường dây nóng", "--no-alert"])
    assert r.exit_code == 0, r.output
    item_case = press_case + 1
    r = run(cli, ["--config", cfg, "cases", "update", str(item_case), "--by", "Trần Văn Minh", "--title", CALL_TITLE,
                  "--summary", "Mỗi học sinh đóng 300 nghìn đồng", "--status", "đã tiếp nhận"])
    assert r.exit_code == 0, r.output
    said = "Sửa thông tin đã ghi nhận: tiêu đề «Phu huynh goi phan anh» → «" + CALL_TITLE + "»; tóm tắt (trống) → «"
    assert said in r.output and "Hồ sơ #%d: đã tiếp nhận" % item_case in r.output, r.output
    shown = run(cli, ["--config", cfg, "cases", "show", str(item_case)]).output
    assert "đường dây nóng – Đường dây nóng: " + CALL_TITLE in shown and said in shown, shown
    r = run(cli, ["--config", cfg, "cases", "update", str(press_case), "--by", "Trần Văn Minh", "--title", "Khác"])
    assert r.exit_code == 2 and "--title" in r.output and "hồ sơ 1 không có tin nào ghi nhận từ ngoài báo chí" in r.output, r.output


def test_cases_list_says_where_an_item_came_from_and_what_was_done_in_short(tmp_path):
    from monitor.cases import update_case

    app = make_app(tmp_path, datetime.now(timezone.utc) - timedelta(minutes=5))
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    (press_case,) = run_triage(app).cases_opened
    done = _post(app, at=None)
    update_case(app, done.case.id, by="Chị Lan", reported_to=["UBND quận Long Biên"], answered_press=["Tuổi Trẻ"])
    app.close()
    cfg = str(tmp_path / "feeds.yaml")
    run = CliRunner().invoke
    out = run(cli, ["--config", cfg, "cases", "list"]).output
    line = next(x for x in out.splitlines() if x.startswith(f"#{done.case.id} "))
    assert "điểm" not in line and "nguồn: mạng xã hội – Nhóm Facebook Phụ huynh Long Biên" in line, line
    assert "đã báo cáo UBND quận Long Biên; đã trả lời báo chí: Tuổi Trẻ" in line, line
    press = next(x for x in out.splitlines() if x.startswith(f"#{press_case} "))
    assert "điểm" in press and "nguồn:" not in press and "đã báo cáo" not in press, press
    listed = {c["id"]: c for c in json.loads(run(cli, ["--config", cfg, "cases", "list", "--json"]).output)}
    (item,) = listed[done.case.id]["outside_press"]
    assert item["source"] == POST_SOURCE and item["title"] == POST_TITLE and item["entered_by"] == "Nguyễn Thị Lan"
    assert listed[press_case]["outside_press"] == []


def test_a_day_the_crawler_collected_nothing_still_shows_the_items_entered_by_hand(tmp_path):
    # the day the press cannot be read (an outage) is when a hotline call matters most: the clipping says nothing
    # was collected, and still lists the hot issues a person entered, in every format
    from monitor.digest_delivery import load_digest, render_all

    from test_digest import mark_polled

    app = make_app(tmp_path, LOCAL_MORNING)
    mark_polled(app.store, LOCAL_MORNING - timedelta(days=2))  # the crawler ran before the outage: not a new install
    _post(app)
    day = app.now().astimezone(app.config.office.tz).date() + timedelta(days=1)
    d = load_digest(app, day)
    assert d.nothing_collected and [i.title for i in d.hot.items] == [POST_TITLE]
    rendered = render_all(d, {"txt", "md", "html", "docx"})
    for fmt, text in {"txt": rendered.text, "md": rendered.markdown, "html": rendered.html_file,
                      "docx": _docx_text(rendered.docx)}.items():
        assert "không thu thập được tin nào" in text, fmt
        assert POST_TITLE in text and "Nguồn: mạng xã hội – Nhóm Facebook Phụ huynh Long Biên" in text, fmt
        assert "do cán bộ ghi nhận từ nguồn ngoài báo chí" in text, fmt


def test_a_merged_press_story_keeps_the_level_the_clerk_gave_as_a_floor(tmp_path):
    """The press score of the articles merged into an item's case may raise its level, never lower it below the
    person's (rescoring after the merge used to put the press's "cao" over the clerk's "khẩn cấp")."""
    from monitor.cases import SYSTEM_ACTOR, merge_case
    from test_triage_support import FIGHT_REWRITE_SAPO, FIGHT_REWRITE_TITLE

    hook = HttpReceiver(free_port()).start()
    try:
        app = make_app(tmp_path, LOCAL_MORNING, quiet="", channels=[{"kind": "webhook", "url": hook.url}])
        done = _post(app, level="khẩn cấp")
        low = _post(app, title=CALL_TITLE, source_kind="hotline", source="Đường dây nóng của Phòng", level="theo dõi")
        app.clock.advance(hours=3)
        add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=5))
        add_article(app, "Dân Trí", "fee", FEE_TITLE, FEE_SAPO, app.now() - timedelta(minutes=5))
        fight_case, fee_case = run_triage(app).cases_opened
        assert app.store.case(fight_case).severity == "cao"  # what the press alone scores
        assert len(deliver_outbox(app).sent) == 4  # the two items' alerts and the two press stories'
        merged = merge_case(app, fight_case, into=done.case.id, by="Nguyễn Thị Lan")
        assert merged.severity == "khẩn cấp" and merged.hot_score < 80
        why = [e for e in merged.events if e.by == SYSTEM_ACTOR]
        assert len(why) == 1 and "Giữ mức «khẩn cấp» do Nguyễn Thị Lan đánh giá khi ghi nhận" in why[0].note
        assert "mức «cao»" in why[0].note
        exp = app.store.story_explanation(merged.story_id)
        assert exp["severity"] == "khẩn cấp" and exp["entered_level"] == {
            "level": "khẩn cấp", "by": "Nguyễn Thị Lan", "press_severity": "cao"}
        # a later article joins the story and triage scores it again: the level stands, said once, and is no rise over
        # the press story's "cao" alert (leadership had "khẩn cấp" from the item's own)
        app.clock.advance(hours=1)
        add_article(app, "Tuổi Trẻ", "fight-2", FIGHT_REWRITE_TITLE, FIGHT_REWRITE_SAPO, app.now() - timedelta(minutes=5))
        assert run_triage(app).alerts_queued == []
        again = app.store.case(done.case.id)
        assert len(app.store.story_members(again.story_id)) == 2
        assert again.severity == "khẩn cấp" and [e for e in again.events if e.by == SYSTEM_ACTOR] == why
        assert deliver_outbox(app).sent == [] and len(hook.requests) == 4
        # a press score above the person's level raises it, with nothing to explain
        raised = merge_case(app, fee_case, into=low.case.id, by="Nguyễn Thị Lan")
        assert raised.severity == "cao" and not [e for e in raised.events if e.by == SYSTEM_ACTOR]
        # an item merged into a case holding press articles takes its level along
        other = _post(app, title="Trường báo cáo học sinh bị đánh hội đồng", source_kind="cơ sở giáo dục",
                      source="Trường THCS Ngọc Lâm", level="khẩn cấp", at=None, alert=False)
        assert merge_case(app, other.case.id, into=low.case.id, by="Nguyễn Thị Lan").severity == "khẩn cấp"
    finally:
        hook.stop()
