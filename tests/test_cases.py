"""Cases: a hot story opens one, people move it along, the history keeps who and when; the CLI."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from monitor.cases import STATUSES, parse_status, update_case
from monitor.cli import cli
from monitor.errors import InputError
from monitor.triage import run_triage
from test_triage_support import (fight_alert_waiting, FIGHT_SAPO, FIGHT_TITLE, Cls, add_article, make_app, reprint,
                                 todays_digest)


def _hot_story(tmp_path):
    app = make_app(tmp_path)
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    report = run_triage(app)
    assert len(report.cases_opened) == 1
    return app, report.cases_opened[0]


def test_status_typed_without_diacritics_is_understood():
    assert parse_status("dang xu ly") == "đang xử lý"
    assert parse_status("ĐÃ PHẢN HỒI") == "đã phản hồi"
    with pytest.raises(InputError, match="đã tiếp nhận"):
        parse_status("xong rồi")


def test_case_history_and_cases_between(tmp_path):
    app, case_id = _hot_story(tmp_path)
    assert run_triage(app).cases_opened == []  # one case per story
    opened = app.now()
    app.clock.advance(hours=1)
    update_case(app, case_id, by="Chị Lan", status="da tiep nhan", owner="Chị Lan")
    app.clock.advance(days=3)
    c, _ = update_case(app, case_id, by="Anh Minh", status="đã xử lý", note="Hiệu trưởng đã báo cáo, học sinh ổn định")
    assert c.status == "đã xử lý" and c.owner == "Chị Lan" and c.closed
    assert [(e.by, e.status) for e in c.events] == [("hệ thống", "mới"), ("Chị Lan", "đã tiếp nhận"), ("Anh Minh", "đã xử lý")]
    assert c.events[-1].note.startswith("Hiệu trưởng") and c.events[1].at == opened + timedelta(hours=1)
    assert app.store.story(c.story_id).case_status == "đã xử lý"
    assert [x.id for x in app.store.cases_between(opened, opened + timedelta(minutes=1))] == [case_id]
    assert [x.id for x in app.store.cases_between(app.now(), app.now() + timedelta(hours=1))] == [case_id]
    assert app.store.cases_between(opened + timedelta(hours=2), opened + timedelta(hours=3)) == []
    with pytest.raises(InputError):
        update_case(app, case_id, by="Chị Lan")
    with pytest.raises(InputError, match="không có hồ sơ số 999"):
        update_case(app, 999, by="Chị Lan", note="x")


def test_cases_cli_list_show_update(tmp_path):
    app, case_id = _hot_story(tmp_path)
    app.close()
    cfg = str(tmp_path / "feeds.yaml")
    run = CliRunner().invoke
    r = run(cli, ["--config", cfg, "cases", "update", str(case_id), "--status", "dang xu ly", "--owner", "Chị Lan",
                  "--note", "Đã gọi điện cho nhà trường", "--by", "Chị Lan"])
    assert r.exit_code == 0, r.output
    assert "đang xử lý" in r.output
    r = run(cli, ["--config", cfg, "cases", "list", "--json"])
    assert r.exit_code == 0, r.output
    (item,) = json.loads(r.output)
    assert item["status"] == "đang xử lý" and item["owner"] == "Chị Lan" and item["title"] == FIGHT_TITLE
    r = run(cli, ["--config", cfg, "cases", "show", str(case_id)])
    assert r.exit_code == 0 and "Đã gọi điện cho nhà trường" in r.output and "VnExpress" in r.output
    assert "Lan truyền:" in r.output
    shown = json.loads(run(cli, ["--config", cfg, "cases", "show", str(case_id), "--json"]).output)
    assert shown["growth"][0]["outlets"] == 1 and shown["explanation"]["signals"]
    r = run(cli, ["--config", cfg, "cases", "update", str(case_id), "--status", "xong"])
    assert r.exit_code == 2 and all(s in r.output for s in STATUSES[1:])
    r = run(cli, ["--config", cfg, "cases", "show", "77"])
    assert r.exit_code == 2


def test_alerts_cli_lists_and_dry_runs(tmp_path):
    fight_alert_waiting(tmp_path)
    cfg = str(tmp_path / "feeds.yaml")
    r = CliRunner().invoke(cli, ["--config", cfg, "alerts", "--dry-run", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["delivery"]["dry_run"] and len(data["delivery"]["sent"]) == 1
    assert data["alerts"][0]["deliveries"][0]["status"] == "pending"
    r = CliRunner().invoke(cli, ["--config", cfg, "alerts", "--send"])  # port 9: refused
    assert r.exit_code == 1 and "LỖI" in r.output
    r = CliRunner().invoke(cli, ["--config", cfg, "alerts"])
    assert r.exit_code == 0 and "LỖI sau 1 lần" in r.output
    # the clerk's next step for the alert's case is here, not in the alert leadership reads
    assert '→ ghi nhận tiếp nhận: monitor cases update 1 --status "đã tiếp nhận" --owner "Tên"' in r.output, r.output


def test_dismissing_a_false_alarm_labels_its_articles_and_stops_its_alerts(tmp_path):
    from monitor.cases import DISMISSED, dismiss_case
    from test_triage_support import FIGHT_REWRITE_SAPO, FIGHT_REWRITE_TITLE, reprint

    app, case_id = _hot_story(tmp_path)
    app.clock.advance(hours=2)  # past the cooldown: a spreading story would alert again
    rewrite = add_article(app, "Tuổi Trẻ", "fight-2", FIGHT_REWRITE_TITLE, FIGHT_REWRITE_SAPO,
                          app.now() - timedelta(minutes=5))
    app.store.add_label(rewrite, by="Anh Minh", at=app.now(), is_education=False)  # judged earlier: stays so
    run_triage(app)  # the rewrite joins the story
    first_alerts = len(app.store.alerts_for_story(app.store.case(case_id).story_id))
    assert first_alerts >= 1
    with pytest.raises(InputError, match="monitor cases dismiss"):
        update_case(app, case_id, by="Chị Lan", status="canh bao nham")  # labels come only with dismiss

    c, labelled = dismiss_case(app, case_id, by="Chị Lan", note="Clip cũ từ năm ngoái, nhà trường đã xử lý")
    assert c.status == DISMISSED and c.closed and c.dismissed
    assert c.events[-1].by == "Chị Lan" and c.events[-1].note.startswith("Clip cũ")
    labels = {r["article_id"]: r for r in app.store.labels()}
    assert set(labels) == set(labelled) and len(labelled) >= 2
    assert all(r["hot"] is False for r in labels.values())
    assert [r["is_education"] for a, r in labels.items() if a != rewrite] == [True] * (len(labelled) - 1)
    assert labels[rewrite]["is_education"] is False, "an earlier 'not education' is not overturned by 'not hot'"
    with pytest.raises(InputError, match="đã được đánh dấu 'cảnh báo nhầm'"):
        dismiss_case(app, case_id, by="Chị Lan")

    story_id = c.story_id
    for n in range(3):  # the story keeps spreading: more outlets, a higher score, no alert
        app.clock.advance(hours=2)
        title, sapo = reprint(FIGHT_TITLE, FIGHT_SAPO, n + 1)
        outlet = ("Thanh Niên", "Dân Trí", "VietnamNet")[n]
        add_article(app, outlet, f"fight-r{n}", title, sapo, app.now() - timedelta(minutes=5))
        assert run_triage(app).alerts_queued == []
    assert len(app.store.alerts_for_story(story_id)) == first_alerts

    d = todays_digest(app)  # the window ends at 23:59 of the story's day
    assert not d.hot.items and any(i.story_id == story_id for s in d.all_sections for i in s.items), \
        "a dismissed story is news of its topic, not a hot issue"

    reopened, _ = update_case(app, case_id, by="Anh Minh", status="đang xử lý", note="Có diễn biến mới")
    assert not reopened.dismissed and app.store.labels(), "reopening keeps the labels"


def test_dismiss_cli_can_say_not_education(tmp_path):
    app, case_id = _hot_story(tmp_path)
    app.close()
    cfg = str(tmp_path / "feeds.yaml")
    r = CliRunner().invoke(cli, ["--config", cfg, "cases", "dismiss", str(case_id), "--not-education", "--by", "Chị Lan",
                                 "--note", "Tin hình sự, không liên quan trường học"])
    assert r.exit_code == 0, r.output
    assert "cảnh báo nhầm" in r.output and "không phải tin giáo dục" in r.output
    listed = json.loads(CliRunner().invoke(cli, ["--config", cfg, "cases", "list", "--status", "canh bao nham", "--json"]).output)
    assert [c["id"] for c in listed] == [case_id]
    app = make_app(tmp_path)
    (label,) = app.store.labels()
    assert label["is_education"] is False and label["hot"] is False and "topics" in label and label["topics"] == []
    r = CliRunner().invoke(cli, ["--config", cfg, "cases", "update", str(case_id), "--status", "cảnh báo nhầm"])
    assert r.exit_code == 2 and "monitor cases dismiss" in r.output


def test_a_missed_hot_issue_gets_a_case_by_hand_and_counts_as_hot(tmp_path):
    from monitor.cases import DISMISSED, dismiss_case, open_case_by_hand
    from test_triage_support import FEE_SAPO, FEE_TITLE, Cls

    app = make_app(tmp_path)
    # the model judged it education but not hot: triage puts it in a story and opens no case
    fee = add_article(app, "Dân Trí", "fee", FEE_TITLE, FEE_SAPO, app.now() - timedelta(minutes=10),
                      Cls(hot_score=0.2, sentiment="negative", scope="city", topics=("hoc-phi-thu-chi",), reasons=()))
    assert run_triage(app).cases_opened == []
    with pytest.raises(InputError, match="không có bài số 999"):
        open_case_by_hand(app, 999, by="Chị Lan")

    c, opened, _ = open_case_by_hand(app, fee, by="Chị Lan", note="Phụ huynh nhiều trường cùng phản ánh")
    assert opened and c.status == "mới" and c.events[-1].by == "Chị Lan" and "Phụ huynh" in c.events[-1].note
    (label,) = app.store.labels()
    assert label["article_id"] == fee and label["is_education"] is True and label["hot"] is True
    again, opened_again, _ = open_case_by_hand(app, fee, by="Anh Minh", note="Thêm một báo đăng")
    assert again.id == c.id and not opened_again and again.status == "mới" and len(again.events) == len(c.events) + 1

    d = todays_digest(app)
    assert [i.article_id for i in d.hot.items] == [fee] and d.hot.items[0].case_label == "chưa tiếp nhận xử lý"

    dismiss_case(app, c.id, by="Chị Lan", note="Nhà trường đã trả lại tiền")
    reopened, opened, _ = open_case_by_hand(app, fee, by="Anh Minh", note="Lại có phản ánh mới")
    assert opened and reopened.id == c.id and reopened.status == "mới" and not reopened.dismissed
    assert [e.status for e in reopened.events][-2:] == [DISMISSED, "mới"]


def test_open_cli_for_an_article_the_model_judged_not_education(tmp_path):
    from test_triage_support import Cls

    app = make_app(tmp_path)
    aid = add_article(app, "Dân Trí", "xe-dua-don", "Xe đưa đón bỏ quên bé trai trên xe suốt buổi sáng",
                      "Cơ sở giáo dục mầm non tư thục ở quận Long Biên bị phụ huynh tố bỏ quên trẻ trên xe.",
                      app.now() - timedelta(minutes=10), Cls(is_education=False, hot_score=0.1, topics=(), reasons=()))
    assert run_triage(app).new_stories == 0
    app.close()
    cfg = str(tmp_path / "feeds.yaml")
    r = CliRunner().invoke(cli, ["--config", cfg, "cases", "open", str(aid), "--by", "Chị Lan", "--note", "Trẻ mầm non"])
    assert r.exit_code == 0, r.output
    assert "đã mở" in r.output and "Xe đưa đón" in r.output
    assert "không được học" not in r.output, "its label states education: `monitor train` learns it"
    (item,) = json.loads(CliRunner().invoke(cli, ["--config", cfg, "cases", "list", "--json"]).output)
    assert item["status"] == "mới" and item["events"][-1]["by"] == "Chị Lan"
    r = CliRunner().invoke(cli, ["--config", cfg, "cases", "open", "4242"])
    assert r.exit_code == 2 and "không có bài số 4242" in r.output


FOLLOW_UP_TITLE = "Long Biên kỷ luật bốn học sinh đánh bạn, hiệu trưởng trường Ngọc Lâm bị kiểm điểm"
FOLLOW_UP_SAPO = ("Sau cuộc họp với phụ huynh, nhà trường hạ hạnh kiểm bốn học sinh; phòng giáo dục yêu cầu "
                  "rà soát công tác trực cổng và tư vấn tâm lý cho nữ sinh lớp 8 bị đánh.")
# close to the incident, under grouping's threshold; "trường Ngọc Lâm" names the school by no level (THCS), so no
# specific name joins them either (monitor.stories.SAME_NAME): a case of its own, its alert naming the incident's


def test_a_follow_up_in_other_words_names_its_incident_and_merges_into_its_case(tmp_path):
    from monitor.cases import MERGED, merge_case
    from test_triage_support import Cls

    app, incident = _hot_story(tmp_path)
    app.clock.advance(hours=20)  # the next day: the school's sanction, told in other words
    follow_up = add_article(app, "Tuổi Trẻ", "follow-up", FOLLOW_UP_TITLE, FOLLOW_UP_SAPO, app.now() - timedelta(minutes=5),
                            Cls(hot_score=0.9, sentiment="negative", scope="local", topics=("an-toan-truong-hoc",),
                                reasons=("bạo lực học đường",)))
    report = run_triage(app)
    (second,) = report.cases_opened  # grouping is cautious: a case, and an alert, of its own
    (alert_id,) = report.alerts_queued
    alert = app.store.alert(alert_id)
    assert f"hồ sơ số {incident}: {FIGHT_TITLE}" in alert.body, alert.body
    # leadership reads the alert: no command lines in it; the clerk's are where the clerk looks (monitor alerts)
    assert "monitor " not in alert.body and "--" not in alert.body
    assert alert.body.rstrip().endswith(f"Hồ sơ xử lý số {second} – trạng thái: chưa tiếp nhận xử lý")
    assert [r["case_id"] for r in alert.payload["related_cases"]] == [incident]
    from monitor.cli.triage import _next_steps
    assert _next_steps(app, alert) == [
        f'ghi nhận tiếp nhận: monitor cases update {second} --status "đã tiếp nhận" --owner "Tên"',
        f"nếu cùng một vụ việc: monitor cases merge {second} --into {incident}"]

    with pytest.raises(InputError, match="vào chính nó"):
        merge_case(app, second, into=second, by="Chị Lan")
    update_case(app, second, by="Chị Lan", status="đang xử lý", owner="Chị Lan", note="Đã gọi hiệu trưởng")
    incident_story = app.store.case(incident).story_id
    alerts_before = len(app.store.alerts_for_story(incident_story))
    merged = merge_case(app, second, into=incident, by="Chị Lan", note="Cùng vụ nữ sinh bị đánh")
    assert merged.id == incident and follow_up in app.store.story(incident_story).article_ids
    assert set(merged.outlets) == {"VnExpress", "Tuổi Trẻ"}
    # the handling done on the follow-up's case carries on in the incident's
    assert (merged.status, merged.owner) == ("đang xử lý", "Chị Lan")
    assert f"[hồ sơ số {second}] Đã gọi hiệu trưởng" in [e.note for e in merged.events]
    gone = app.store.case(second)
    assert gone.status == MERGED and gone.closed and gone.merged_into == incident
    assert gone.title == FOLLOW_UP_TITLE  # its own title, though its articles are the incident's story's now
    # the case log reaches the monthly report: "số 7" and plain quotes, no "#7" or « »
    assert gone.events[-1].note == f"Gộp vào hồ sơ số {incident} “{FIGHT_TITLE}” — Cùng vụ nữ sinh bị đánh"
    assert merged.events[-1].note == (f"Gộp hồ sơ số {second} “{FOLLOW_UP_TITLE}” (1 bài) vào hồ sơ này"
                                      " — Cùng vụ nữ sinh bị đánh") and merged.events[-1].by == "Chị Lan"
    assert not any(ch in e.note for e in (*merged.events, *gone.events) for ch in "«»#")
    assert _next_steps(app, alert) == []  # closed: nothing left to do on it
    # its alert still waiting is not sent, and, never sent, it is no baseline for the merged story's escalation
    assert all(d.status == "cancelled" for d in app.store.deliveries(alert_id))
    assert len(app.store.alerts_for_story(incident_story)) == alerts_before
    assert app.store.last_alert(incident_story).id != alert_id
    with pytest.raises(InputError, match="đã được gộp vào hồ sơ khác"):
        update_case(app, second, by="Chị Lan", status="đang xử lý")
    with pytest.raises(InputError, match=f"hồ sơ {second} đã được gộp vào hồ sơ khác"):
        merge_case(app, second, into=incident, by="Chị Lan")

    app.clock.advance(hours=2)  # a third article close to the follow-up joins the merged story, not a new one
    title, sapo = reprint(FOLLOW_UP_TITLE, FOLLOW_UP_SAPO, 3)
    third = add_article(app, "Dân Trí", "follow-up-2", title, sapo, app.now() - timedelta(minutes=5),
                        Cls(hot_score=0.9, sentiment="negative", scope="local", topics=("an-toan-truong-hoc",)))
    assert run_triage(app).cases_opened == []
    assert app.store.story_of_article(third) == incident_story


def test_a_development_not_yet_handled_merged_into_a_handled_incident_reopens_it(tmp_path):
    """Sở review: a new development's case ("mới", alerted) merged into its incident's case closed "đã xử lý" left
    the incident handled: the development vanished from the open cases and the report counted it handled."""
    from monitor.cases import HANDLED, MERGED, OPEN_STATUSES, merge_case
    from test_triage_support import Cls

    app, incident = _hot_story(tmp_path)
    update_case(app, incident, by="Chị Lan", status=HANDLED, note="Đã làm việc với nhà trường")
    app.clock.advance(hours=20)
    add_article(app, "Tuổi Trẻ", "follow-up", FOLLOW_UP_TITLE, FOLLOW_UP_SAPO, app.now() - timedelta(minutes=5),
                Cls(hot_score=0.9, sentiment="negative", scope="local", topics=("an-toan-truong-hoc",)))
    (second,) = run_triage(app).cases_opened
    assert app.store.case(second).status == "mới"
    merged = merge_case(app, second, into=incident, by="Chị Lan")
    assert merged.status == "mới" and merged.status in OPEN_STATUSES and not merged.closed
    assert merged.events[-1].note.endswith(f"; mở lại: diễn biến của hồ sơ số {second} chưa xử lý xong (trạng thái “mới”)")
    assert app.store.case(second).status == MERGED
    assert incident in [c.id for c in app.store.cases(status="mới")]
    # a development handled too leaves the incident handled
    (tmp_path / "b").mkdir()
    app2, first = _hot_story(tmp_path / "b")
    update_case(app2, first, by="Chị Lan", status=HANDLED)
    app2.clock.advance(hours=20)
    add_article(app2, "Tuổi Trẻ", "follow-up", FOLLOW_UP_TITLE, FOLLOW_UP_SAPO, app2.now() - timedelta(minutes=5),
                Cls(hot_score=0.9, sentiment="negative", scope="local", topics=("an-toan-truong-hoc",)))
    (other,) = run_triage(app2).cases_opened
    update_case(app2, other, by="Chị Lan", status=HANDLED)
    assert merge_case(app2, other, into=first, by="Chị Lan").status == HANDLED


def test_cases_cli_merge_and_show_name_the_related_case(tmp_path):
    from test_triage_support import Cls

    app, incident = _hot_story(tmp_path)
    app.clock.advance(hours=20)
    add_article(app, "Tuổi Trẻ", "follow-up", FOLLOW_UP_TITLE, FOLLOW_UP_SAPO, app.now() - timedelta(minutes=5),
                Cls(hot_score=0.9, sentiment="negative", scope="local", topics=("an-toan-truong-hoc",)))
    (second,) = run_triage(app).cases_opened
    app.close()
    cfg = str(tmp_path / "feeds.yaml")
    run = CliRunner().invoke
    r = run(cli, ["--config", cfg, "cases", "show", str(second)])
    assert r.exit_code == 0 and f"hồ sơ #{incident}: {FIGHT_TITLE}" in r.output, r.output
    # the newer case (the follow-up) is the one to merge, into the older one (the incident)
    assert f"monitor cases merge {second} --into {incident}" in r.output and "SỐ_HỒ_SƠ" not in r.output
    r = run(cli, ["--config", cfg, "cases", "show", str(incident)])
    assert r.exit_code == 0 and f"hồ sơ #{second}: {FOLLOW_UP_TITLE}" in r.output, r.output
    # the merge command itself, the same as the follow-up's page gives, never the incident into the follow-up
    assert f"gộp hồ sơ đó vào hồ sơ này: monitor cases merge {second} --into {incident}" in r.output, r.output
    assert f"monitor cases merge {incident}" not in r.output and f"monitor cases show {second}" not in r.output
    assert f'monitor cases update {incident} --status "đã tiếp nhận"' in r.output
    r = run(cli, ["--config", cfg, "cases", "merge", str(second), "--into", "999", "--by", "Chị Lan"])
    assert r.exit_code == 2 and "không có hồ sơ số 999" in r.output
    r = run(cli, ["--config", cfg, "cases", "merge", str(second), "--into", str(incident), "--by", "Chị Lan"])
    assert r.exit_code == 0 and f"Hồ sơ #{second} đã gộp vào hồ sơ #{incident}" in r.output, r.output
    listed = json.loads(run(cli, ["--config", cfg, "cases", "list", "--status", "da gop", "--json"]).output)
    assert [c["id"] for c in listed] == [second]
    assert listed[0]["merged_into"] == incident and listed[0]["title"] == FOLLOW_UP_TITLE
    r = run(cli, ["--config", cfg, "cases", "show", str(second)])
    assert r.exit_code == 0 and f"Gộp vào hồ sơ số {incident}" in r.output, r.output
    assert f"Hồ sơ #{second}: {FOLLOW_UP_TITLE}" in r.output and "monitor cases update" not in r.output
    r = run(cli, ["--config", cfg, "cases", "list"])
    # the merged case under its own title, saying where it went (not "mức —, điểm 0")
    line = next(x for x in r.output.splitlines() if x.startswith(f"#{second} "))
    assert line.startswith(f"#{second} [đã gộp] {FOLLOW_UP_TITLE} — đã gộp vào hồ sơ số {incident}, cập nhật"), line


def _hot_story_with_waiting_alert(tmp_path, title=FIGHT_TITLE, sapo=FIGHT_SAPO, cls=None):
    """A hot story whose alert waits in the outbox (a webhook nobody reads: nothing is delivered here)."""
    app = make_app(tmp_path, channels=[{"kind": "webhook", "url": "http://127.0.0.1:9/hook"}])
    aid = add_article(app, "VnExpress", "story-1", title, sapo, app.now() - timedelta(minutes=10), cls)
    report = run_triage(app)
    (case_id,), (alert_id,) = report.cases_opened, report.alerts_queued
    assert [d.status for d in app.store.deliveries(alert_id)] == ["pending"]
    return app, aid, case_id, alert_id


def test_a_hot_issue_outside_the_area_is_closed_without_labels_and_is_no_false_alarm(tmp_path):
    from monitor.cases import NOT_OURS, close_not_ours, open_case_by_hand
    from monitor.report import load_report
    from test_triage_support import Cls

    title = "Nữ sinh lớp 8 ở Nghệ An bị nhóm bạn đánh hội đồng sau giờ tan học"
    sapo = "Chiều 25/11, một nữ sinh lớp 8 ở Nghệ An bị bốn bạn đánh hội đồng; clip lan truyền trên mạng xã hội."
    app, aid, case_id, alert_id = _hot_story_with_waiting_alert(tmp_path, title, sapo, Cls(hot_score=0.95, scope="national"))
    with pytest.raises(InputError, match="--not-ours"):
        update_case(app, case_id, by="Chị Lan", status="ngoai dia ban")  # the alerts are cancelled only by the command
    app.close()
    cfg = str(tmp_path / "feeds.yaml")
    run = CliRunner().invoke
    r = run(cli, ["--config", cfg, "cases", "dismiss", str(case_id), "--not-ours", "--not-education", "--by", "Chị Lan"])
    assert r.exit_code == 2 and "mâu thuẫn nhau" in r.output
    r = run(cli, ["--config", cfg, "cases", "dismiss", str(case_id), "--not-ours", "--by", "Chị Lan",
                  "--note", "Vụ việc ở Nghệ An, không thuộc địa bàn"])
    assert r.exit_code == 0, r.output
    assert NOT_OURS in r.output and "không ghi nhãn" in r.output
    # what reopens it is an article on the office's area joining the story, as `cases --help` says, not "a news item
    # joining this news item"
    assert "có bài về địa bàn của cơ quan nhập vào sự việc này" in r.output and "vào tin này" not in r.output, r.output
    listed = json.loads(run(cli, ["--config", cfg, "cases", "list", "--status", "ngoai dia ban", "--json"]).output)
    assert [c["id"] for c in listed] == [case_id]

    app = make_app(tmp_path, channels=[{"kind": "webhook", "url": "http://127.0.0.1:9/hook"}])
    c = app.store.case(case_id)
    assert c.status == NOT_OURS and c.closed and not c.dismissed and c.events[-1].by == "Chị Lan"
    assert app.store.labels() == [], "the model was right that it is hot: nothing for `monitor train` to unlearn"
    (cancelled,) = app.store.deliveries(alert_id)
    assert cancelled.status == "cancelled" and NOT_OURS in cancelled.last_error
    with pytest.raises(InputError, match=f"hồ sơ {case_id} đã được đánh dấu"):
        close_not_ours(app, case_id, by="Chị Lan")
    for n in range(2):  # it keeps spreading: no alert
        app.clock.advance(hours=2)
        add_article(app, ("Thanh Niên", "Dân Trí")[n], f"story-r{n}", title, sapo + " Nhà trường đã vào cuộc." * (n + 1),
                    app.now() - timedelta(minutes=5), Cls(hot_score=0.95, scope="national"))
        assert run_triage(app).alerts_queued == []
    r = load_report(app, 2026, 11)
    assert r.false_alarms == 0, "not ours is no false alarm"
    assert [(h.story_id, h.case_status) for h in r.hot_issues] == [(c.story_id, NOT_OURS)]
    # someone decides it is the office's after all: a case by hand reopens it
    reopened, opened, _ = open_case_by_hand(app, aid, by="Anh Minh", note="Em học sinh là người địa phương")
    assert opened and reopened.status == "mới"


def test_labelling_the_only_hot_article_not_hot_dismisses_its_case_and_cancels_its_alert(tmp_path):
    from monitor.cases import DISMISSED
    from monitor.digest_delivery import load_digest
    from monitor.report import load_report

    app, aid, case_id, alert_id = _hot_story_with_waiting_alert(tmp_path)
    day = app.now().astimezone(app.config.office.tz).date()
    assert [i.article_id for i in load_digest(app, day + timedelta(days=1)).hot.items] == [aid]
    app.close()
    r = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "label", str(aid), "--hot", "no",
                                 "--by", "Nguyễn Thị Lan"])
    assert r.exit_code == 0, r.output
    assert f"Hồ sơ #{case_id}" in r.output and DISMISSED in r.output and "không gửi cảnh báo nữa" in r.output

    app = make_app(tmp_path, channels=[{"kind": "webhook", "url": "http://127.0.0.1:9/hook"}])
    c = app.store.case(case_id)
    assert c.dismissed and c.events[-1].by == "Nguyễn Thị Lan" and f"bài {aid}" in c.events[-1].note
    assert [d.status for d in app.store.deliveries(alert_id)] == ["cancelled"]
    (label,) = app.store.labels()
    assert label["article_id"] == aid and label["hot"] is False and "is_education" not in label, \
        "only what the person said is recorded"
    d = load_digest(app, day + timedelta(days=1))
    assert d.hot.items == () or list(d.hot.items) == [], "the clipping follows the label"
    assert any(i.article_id == aid for s in d.all_sections for i in s.items)
    report = load_report(app, 2026, 11)
    assert report.hot_issues == () and report.false_alarms == 1, "so does the report"


def test_correcting_a_wrong_not_hot_label_reopens_the_case_it_dismissed_and_its_alerts_wait_again(tmp_path):
    """Lan labels the only hot article "not hot" by mistake, which dismisses its case and cancels its waiting alert;
    Hà corrects the label: the case opens again, the story is back in the clipping's hot section, and the alert the
    mistake cancelled waits to be sent again (leadership never had it)."""
    from monitor.digest_delivery import load_digest

    app, aid, case_id, alert_id = _hot_story_with_waiting_alert(tmp_path)
    day = app.now().astimezone(app.config.office.tz).date() + timedelta(days=1)
    app.close()
    cfg = str(tmp_path / "feeds.yaml")
    r = CliRunner().invoke(cli, ["--config", cfg, "label", str(aid), "--hot", "no", "--by", "Lan"])
    assert r.exit_code == 0 and "cảnh báo nhầm" in r.output, r.output
    r = CliRunner().invoke(cli, ["--config", cfg, "label", str(aid), "--hot", "yes", "--by", "Hà"])
    assert r.exit_code == 0, r.output
    assert f"Hồ sơ #{case_id}" in r.output and "mở lại" in r.output and "1 lượt gửi cảnh báo" in r.output

    app = make_app(tmp_path)
    c = app.store.case(case_id)
    assert c.status == STATUSES[0] and c.events[-1].by == "Hà" and f"bài {aid}" in c.events[-1].note
    assert [d.status for d in app.store.deliveries(alert_id)] == ["pending"]
    assert [i.article_id for i in load_digest(app, day).hot.items] == [aid]
    app.close()


def test_a_hot_label_leaves_a_case_a_person_dismissed_and_says_what_the_clipping_shows(tmp_path):
    """A case dismissed as a whole by `monitor cases dismiss` is a person's decision that one label does not overrule;
    a hot label on a story without a case does not put it in the clipping's hot section. Both say so."""
    from monitor.cases import DISMISSED, dismiss_case

    app, aid, case_id, alert_id = _hot_story_with_waiting_alert(tmp_path)
    dismiss_case(app, case_id, by="Trưởng phòng", note="Tin cũ đăng lại")
    cold = add_article(app, "Tuổi Trẻ", "cold", "Trường tiểu học tổ chức ngày hội đọc sách cho học sinh",
                       "Học sinh trao đổi sách cũ và giới thiệu cuốn sách yêu thích.", app.now() - timedelta(minutes=5),
                       Cls(hot_score=0.05, sentiment="positive", scope="city", topics=("dao-duc-ky-nang",), reasons=()))
    run_triage(app)
    assert app.store.story_of_article(cold) is not None and app.store.case_of_story(app.store.story_of_article(cold)) is None
    app.close()
    cfg = str(tmp_path / "feeds.yaml")
    r = CliRunner().invoke(cli, ["--config", cfg, "label", str(aid), "--hot", "yes", "--by", "Hà"])
    assert r.exit_code == 0 and f"monitor cases update {case_id} --status" in r.output, r.output
    r = CliRunner().invoke(cli, ["--config", cfg, "label", str(cold), "--hot", "yes", "--by", "Hà"])
    assert r.exit_code == 0 and f"monitor cases open {cold}" in r.output, r.output
    app = make_app(tmp_path)
    assert app.store.case(case_id).status == DISMISSED
    assert [d.status for d in app.store.deliveries(alert_id)] == ["cancelled"]
    app.close()


def test_labelling_one_of_several_hot_articles_not_hot_keeps_the_case_and_names_the_command(tmp_path):
    app, aid, case_id, _ = _hot_story_with_waiting_alert(tmp_path)
    title, sapo = reprint(FIGHT_TITLE, FIGHT_SAPO, 1)
    other = add_article(app, "Tuổi Trẻ", "story-2", title, sapo, app.now() - timedelta(minutes=5))
    run_triage(app)
    assert app.store.story_of_article(other) == app.store.case(case_id).story_id
    app.close()
    r = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "label", str(aid), "--hot", "no", "--by", "Lan"])
    assert r.exit_code == 0, r.output
    assert f"monitor cases dismiss {case_id}" in r.output and f"bài {other}" in r.output
    app = make_app(tmp_path)
    assert not app.store.case(case_id).closed


def test_the_next_clipping_says_what_was_last_done_about_a_hot_issue(tmp_path):
    from monitor.digest_delivery import load_digest, render_all

    app, aid, case_id, _ = _hot_story_with_waiting_alert(tmp_path)
    day = app.now().astimezone(app.config.office.tz).date() + timedelta(days=1)
    (item,) = load_digest(app, day).hot.items
    assert item.outcome == "", "nothing done yet: nothing said"
    app.clock.advance(minutes=30)
    update_case(app, case_id, by="Nguyễn Thị Lan", status="đã xử lý",
                note="Nhà trường đã họp phụ huynh, kỷ luật bốn học sinh (hồ sơ #3)")
    (item,) = load_digest(app, day).hot.items
    when = app.now().astimezone(app.config.office.tz)
    said = f"Việc đã làm gần nhất (ngày {when:%d/%m}): Nhà trường đã họp phụ huynh, kỷ luật bốn học sinh (hồ sơ số 3)"
    assert item.outcome == said
    rendered = render_all(load_digest(app, day), {"txt", "md", "html", "docx"})
    from io import BytesIO

    from docx import Document

    docx_text = "\n".join(p.text for p in Document(BytesIO(rendered.docx)).paragraphs)
    for text in (rendered.text, rendered.markdown, rendered.html_file, docx_text):
        assert said in text



def test_the_reason_a_case_was_closed_not_ours_is_not_called_something_done_about_it(tmp_path):
    """The clipping keeps a case closed --not-ours among the hot issues; its note says why it is another's, which
    "Việc đã làm gần nhất: Vụ việc ở Cần Thơ" would present to leadership as the office's action."""
    from monitor.cases import close_not_ours
    from monitor.digest_delivery import load_digest

    app, aid, case_id, _ = _hot_story_with_waiting_alert(tmp_path)
    day = app.now().astimezone(app.config.office.tz).date() + timedelta(days=1)
    app.clock.advance(minutes=30)
    close_not_ours(app, case_id, by="Nguyễn Thị Lan", note="Vụ việc ở Cần Thơ")
    (item,) = load_digest(app, day).hot.items
    when = app.now().astimezone(app.config.office.tz)
    assert item.outcome == f"Ghi chú gần nhất (ngày {when:%d/%m}): Vụ việc ở Cần Thơ"

NGHE_AN_TITLE = "Nữ sinh lớp 7 bị nhóm bạn đánh hội đồng, clip lan truyền trên mạng"
NGHE_AN_SAPO = "Chiều 25/11, một nữ sinh lớp 7 ở huyện Quỳnh Lưu, Nghệ An bị năm bạn đánh hội đồng trước cổng trường."


def _not_ours_case(tmp_path, hook_url="http://127.0.0.1:9/hook"):
    """Another province's incident, alerted, then closed as not the office's (`cases dismiss --not-ours`)."""
    from monitor.cases import close_not_ours
    from test_triage_support import Cls

    app = make_app(tmp_path, channels=[{"kind": "webhook", "url": hook_url}])
    add_article(app, "VnExpress", "na-1", NGHE_AN_TITLE, NGHE_AN_SAPO, app.now() - timedelta(minutes=10),
                Cls(hot_score=0.95, scope="national"))
    (case_id,) = run_triage(app).cases_opened
    close_not_ours(app, case_id, by="Chị Lan", note="Vụ việc ở Nghệ An")
    return app, case_id


def test_a_case_closed_not_ours_reopens_and_alerts_when_the_story_comes_to_the_office_area(tmp_path):
    from monitor.cases import NOT_OURS, SYSTEM_ACTOR
    from monitor.notify import deliver_outbox
    from monitor.report import load_report
    from test_triage_support import Cls, HttpReceiver, free_port

    hook = HttpReceiver(free_port()).start()
    try:
        app, case_id = _not_ours_case(tmp_path, hook.url)
        assert deliver_outbox(app).sent == [], "the alert waiting when it was closed is cancelled"
        story_id = app.store.case(case_id).story_id
        app.clock.advance(hours=1)
        # more of the same, elsewhere: it stays closed and silent
        add_article(app, "Thanh Niên", "na-2", NGHE_AN_TITLE, NGHE_AN_SAPO + " Công an huyện vào cuộc.",
                    app.now() - timedelta(minutes=5), Cls(hot_score=0.95, scope="national"))
        assert run_triage(app).alerts_queued == [] and app.store.case(case_id).status == NOT_OURS
        app.clock.advance(hours=1)
        # then: two of the attackers are pupils of a school in the district
        local = add_article(app, "Dân Trí", "na-3", NGHE_AN_TITLE,
                            NGHE_AN_SAPO + " Hai học sinh đánh bạn là học sinh Trường THCS Ngọc Lâm, quận Long Biên.",
                            app.now() - timedelta(minutes=5), Cls(hot_score=0.95, scope="local"))
        report = run_triage(app)
        assert app.store.story_of_article(local) == story_id, "the development joins the closed story"
        c = app.store.case(case_id)
        assert c.status == "mới" and not c.closed
        last = c.events[-1]
        assert last.by == SYSTEM_ACTOR and last.status == "mới"
        assert last.note.startswith("Mở lại: có tin trên địa bàn") and "THCS Ngọc Lâm" in last.note and f"bài {local}" in last.note
        (alert_id,) = report.alerts_queued
        assert app.store.alert(alert_id).kind == "new", "alerted as a new story"
        assert len(deliver_outbox(app).sent) == 1
        (received,) = hook.requests
        payload = received.json()
        assert payload["case_id"] == case_id and payload["type"] == "alert.new"
        assert payload["change"].startswith("Mở lại: có tin trên địa bàn")
        assert "trạng thái: chưa tiếp nhận xử lý" in payload["text"]
        # the monthly report files it on the office's own area, to be handled
        r = load_report(app, 2026, 11)
        assert [h.story_id for h in r.hot_issues if h.own] == [story_id]
        assert story_id not in {h.story_id for h in r.elsewhere_issues}
        # a person may close it again: only an own-area article joining after that reopens it
        from monitor.cases import close_not_ours
        close_not_ours(app, case_id, by="Chị Lan", note="Hai em đã chuyển về quê, vụ việc do Nghệ An xử lý")
        app.clock.advance(hours=1)
        run_triage(app)
        assert app.store.case(case_id).status == NOT_OURS, "what was there when a person closed it was judged"
    finally:
        hook.stop()


def test_a_separate_local_incident_grouped_into_a_not_ours_story_reopens_its_case(tmp_path):
    from test_triage_support import Cls

    app, case_id = _not_ours_case(tmp_path)
    app.clock.advance(hours=3)
    # the tests' Long Biên fight (another incident, worded alike) joins the closed Nghệ An story
    fight = add_article(app, "Tuổi Trẻ", "lb-1", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=5),
                        Cls(hot_score=0.95, scope="local"))
    report = run_triage(app)
    story_id = app.store.case(case_id).story_id
    assert app.store.story_of_article(fight) == story_id
    assert app.store.case(case_id).status == "mới" and len(report.alerts_queued) == 1


def test_a_case_cannot_be_merged_into_one_closed_not_ours(tmp_path):
    from monitor.cases import merge_case
    from test_triage_support import Cls

    app, not_ours = _not_ours_case(tmp_path)
    app.clock.advance(hours=1)
    add_article(app, "Tuổi Trẻ", "lb-fee", "Phụ huynh Trường Tiểu học Bồ Đề phản ánh khoản thu đầu năm tăng gấp đôi",
                "Nhiều phụ huynh ở phường Bồ Đề cho biết mỗi em phải nộp 3 triệu đồng các khoản thu ngay tuần đầu.",
                app.now() - timedelta(minutes=4), Cls(hot_score=0.95, topics=("hoc-phi-thu-chi",)))
    report = run_triage(app)
    (local,), (alert_id,) = report.cases_opened, report.alerts_queued
    with pytest.raises(InputError, match="ngoài địa bàn") as e:
        merge_case(app, local, into=not_ours, by="Anh Minh")
    assert f'monitor cases update {not_ours} --status "mới"' in e.value.hint
    assert app.store.case(local).status == "mới" and [d.status for d in app.store.deliveries(alert_id)] == ["pending"]
    # reopened first, as the hint says, the merge goes through
    update_case(app, not_ours, by="Anh Minh", status="mới", note="Cùng vụ việc, có học sinh của quận")
    assert merge_case(app, local, into=not_ours, by="Anh Minh").id == not_ours


def test_labelling_one_reprint_not_hot_keeps_a_story_hot_by_its_spread(tmp_path):
    from test_triage_support import Cls

    app = make_app(tmp_path, channels=[{"kind": "webhook", "url": "http://127.0.0.1:9/hook"}])
    ids = []
    for n, outlet in enumerate(["VnExpress", "Tuổi Trẻ", "Thanh Niên", "Dân Trí", "VietnamNet"]):
        title, sapo = reprint(FIGHT_TITLE, FIGHT_SAPO, n)
        # no article over the model's threshold: the story is hot by its place, tone and spread
        ids.append(add_article(app, outlet, f"s{n}", title, sapo, app.now() - timedelta(minutes=50 - 10 * n),
                               Cls(hot_score=0.45)))
    (alert_id,) = run_triage(app).alerts_queued
    story = app.store.story(app.store.story_of_article(ids[0]))
    assert story.article_ids == tuple(ids) and story.severity == "theo dõi"
    case_id = app.store.case_of_story(story.id).id
    app.close()
    app.clock.advance(hours=12)  # later that day: its spread has slowed, the label judges the story as scored
    r = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "label", str(ids[4]), "--hot", "no", "--by", "Lan"])
    assert r.exit_code == 0, r.output
    assert f"Hồ sơ #{case_id} vẫn mở" in r.output and "«theo dõi»" in r.output and "địa bàn" in r.output
    assert f"monitor cases dismiss {case_id}" in r.output
    app = make_app(tmp_path, channels=[{"kind": "webhook", "url": "http://127.0.0.1:9/hook"}])
    assert app.store.case(case_id).status == "mới"
    assert [d.status for d in app.store.deliveries(alert_id)] == ["pending"]
    assert [(x["article_id"], x["hot"]) for x in app.store.labels()] == [(ids[4], False)]


def test_closing_a_dismissed_case_not_ours_withdraws_the_labels_its_dismissal_wrote(tmp_path):
    from monitor.cases import NOT_OURS, dismiss_case
    from monitor.report import load_report
    from test_triage_support import Cls

    app = make_app(tmp_path)
    aid = add_article(app, "VnExpress", "na", NGHE_AN_TITLE, NGHE_AN_SAPO, app.now() - timedelta(minutes=10),
                      Cls(hot_score=0.95, scope="national"))
    other = add_article(app, "Thanh Niên", "na-r", NGHE_AN_TITLE, NGHE_AN_SAPO + " Nhà trường đã vào cuộc.",
                        app.now() - timedelta(minutes=5), Cls(hot_score=0.95, scope="national"))
    (case_id,) = run_triage(app).cases_opened
    app.store.add_label(other, by="Chị Hà", at=app.now(), sentiment="negative", note="tone")  # a person's own label
    app.clock.advance(minutes=5)
    dismiss_case(app, case_id, by="Chị Lan", note="không phải của mình")  # the wrong button first
    assert {x["article_id"] for x in app.store.labels() if x.get("hot") is False} == {aid, other}
    app.clock.advance(minutes=5)
    app.close()
    r = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "cases", "dismiss", str(case_id),
                                 "--not-ours", "--by", "Chị Lan", "--note", "Vụ việc ở Nghệ An"])
    assert r.exit_code == 0, r.output
    assert "rút lại nhãn «không nóng»" in r.output and f"{aid}, {other}" in r.output
    assert "không được học" not in r.output, "the person's own tone label is learnt: the article was shown as education"
    app = make_app(tmp_path)
    c = app.store.case(case_id)
    assert c.status == NOT_OURS and "rút lại 2 nhãn" in c.events[-1].note
    labels = app.store.labels()
    assert [(x["article_id"], x.get("hot"), x.get("sentiment")) for x in labels] == [(other, None, "negative")], \
        "only the dismissal's labels go; the person's own stays"
    # withdrawn as `monitor label ID --withdraw N` withdraws (0080), not deleted: the history keeps who wrote them,
    # who withdrew them and why
    rows = app.store.label_rows()
    dismissal = [x for x in rows if x["labelled_by"] == "Chị Lan" and x["withdraws"] is None]
    withdrawals = [x for x in rows if x["withdraws"] is not None]
    assert sorted(x["article_id"] for x in dismissal) == sorted([aid, other])
    assert all(x["withdrawn_by"] is not None and x["hot"] is False for x in dismissal)
    assert sorted(x["withdraws"] for x in withdrawals) == sorted(x["id"] for x in dismissal)
    assert all(x["labelled_by"] == "Chị Lan" and NOT_OURS in x["note"] and "Vụ việc ở Nghệ An" in x["note"]
               for x in withdrawals)
    from classifiers.train import database_labels

    assert [(a.id, r.get("hot"), r["sentiment"]) for a, r in database_labels(app.store)] == [(other, None, "negative")], \
        "training no longer learns the false alarm"
    app.close()
    out = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "labels"]).output
    lines = out.splitlines()
    for x in dismissal:
        assert any(line.startswith(f"#{x['id']} ") and "[đã rút lại: #" in line for line in lines), out
    for x in withdrawals:
        assert any(line.startswith(f"#{x['id']} ") and f"rút lại nhãn #{x['withdraws']}" in line for line in lines), out
    app = make_app(tmp_path)
    r = load_report(app, 2026, 11)
    assert r.false_alarms == 0 and [h.case_status for h in r.hot_issues] == [NOT_OURS]


def test_closing_not_ours_says_when_the_labels_left_will_not_be_learnt(tmp_path):
    """The dismissal's "education, not hot" labels withdrawn, an article may be left with a person's one-call label
    (a tone) written while it was shown as not education: `monitor train` will not learn it, and `cases dismiss
    --not-ours` says so as `monitor label` does, naming the article and what to add."""
    from classifiers.types import Classification
    from monitor.cases import dismiss_case
    from test_triage_support import MODEL, Cls

    app = make_app(tmp_path)
    aid = add_article(app, "VnExpress", "na", NGHE_AN_TITLE, NGHE_AN_SAPO, app.now() - timedelta(minutes=10),
                      Cls(hot_score=0.95, scope="national"))
    other = add_article(app, "Thanh Niên", "na-r", NGHE_AN_TITLE, NGHE_AN_SAPO + " Nhà trường đã vào cuộc.",
                        app.now() - timedelta(minutes=5),
                        Cls(is_education=False, hot_score=0.0, topics=(), reasons=(), scope="national"))
    # a tone given while the model read it as not education (unlearnt on its own), then the model read again
    app.store.add_label(other, by="Chị Hà", at=app.now(), sentiment="negative", note="tone")
    app.store.save_classifications([(other, Classification(
        id=str(other), is_education=True, relevance=0.9, topics=("an-toan-truong-hoc",),
        topic_scores={"an-toan-truong-hoc": 0.9}, sentiment="negative", hot=True, hot_score=0.95, scope="national",
        reasons=("bạo lực học đường",), model_version=MODEL))], app.now())
    (case_id,) = run_triage(app).cases_opened
    assert {m["id"] for m in app.store.story_members(app.store.case(case_id).story_id)} == {aid, other}
    app.clock.advance(minutes=5)
    dismiss_case(app, case_id, by="Chị Lan", note="không phải của mình")
    app.close()
    r = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "cases", "dismiss", str(case_id),
                                 "--not-ours", "--by", "Chị Lan", "--note", "Vụ việc ở Nghệ An"])
    assert r.exit_code == 0, r.output
    assert f"nhãn của bài {other} sẽ không được học khi huấn luyện" in r.output, r.output
    assert f"monitor label {other} --education" in r.output and f"bài {aid} " not in r.output, r.output


def test_reopening_a_case_a_person_dismissed_sends_what_its_dismissal_cancelled_and_nothing_sent_again(tmp_path):
    """Both ways out of a false alarm (a corrected label, a person's `cases update --status mới`) share one reopening:
    the alert the dismissal cancelled on a channel that was down waits again and arrives once; the channel that had it
    before the dismissal never gets it a second time."""
    from monitor.cases import dismiss_case
    from monitor.notify import deliver_outbox
    from test_triage_support import HttpReceiver, free_port

    up, down = HttpReceiver(free_port()).start(), HttpReceiver(free_port())  # `down` refuses connections for now
    channels = [{"kind": "webhook", "url": up.url, "timeout_seconds": 1},
                {"kind": "webhook", "url": down.url, "timeout_seconds": 1}]
    try:
        app = make_app(tmp_path, channels=channels)
        add_article(app, "VnExpress", "story-1", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
        report = run_triage(app)
        (case_id,), (alert_id,) = report.cases_opened, report.alerts_queued
        first = deliver_outbox(app)
        assert len(first.sent) == 1 and len(first.failed) == 1 and len(up.requests) == 1
        dismiss_case(app, case_id, by="Trưởng phòng", note="Tưởng là tin cũ đăng lại")
        assert sorted(d.status for d in app.store.deliveries(alert_id)) == ["cancelled", "sent"]
        app.close()
        r = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "cases", "update", str(case_id),
                                     "--status", "moi", "--by", "Trưởng phòng", "--note", "Vụ việc có thật"])
        assert r.exit_code == 0, r.output
        assert f"Hồ sơ #{case_id}: {STATUSES[0]}" in r.output and "1 lượt gửi cảnh báo" in r.output, r.output

        app = make_app(tmp_path, channels=channels)
        assert sorted(d.status for d in app.store.deliveries(alert_id)) == ["pending", "sent"]
        down.start()
        app.clock.advance(minutes=5)
        assert len(deliver_outbox(app).sent) == 1 and deliver_outbox(app).sent == []
        assert len(up.requests) == 1 and len(down.requests) == 1
        assert [d.status for d in app.store.deliveries(alert_id)] == ["sent", "sent"]
        # a case already open, or moved along, has nothing to send again
        update_case(app, case_id, by="Trưởng phòng", status="đang xử lý")
        assert [d.status for d in app.store.deliveries(alert_id)] == ["sent", "sent"]
        app.close()
    finally:
        up.stop()
        down.stop()


def test_reopening_a_case_closed_not_ours_sends_the_alerts_its_closing_cancelled(tmp_path):
    """Leadership never had the alerts that closing a case as another area's cancelled: a person who reopens it (the
    incident is the office's after all) gets them sent, as reopening a dismissed false alarm does."""
    app, case_id = _not_ours_case(tmp_path)
    (alert,) = app.store.alerts_for_story(app.store.case(case_id).story_id)
    assert [d.status for d in app.store.deliveries(alert.id)] == ["cancelled"]
    reopened, again = update_case(app, case_id, by="Anh Minh", status="mới", note="Hai em là học sinh của quận")
    assert reopened.status == "mới" and again == 1
    assert [d.status for d in app.store.deliveries(alert.id)] == ["pending"]
    assert reopened.events[-1].note == "Hai em là học sinh của quận" and reopened.events[-1].by == "Anh Minh"
    app.close()
    # closed again and reopened from the command line: the command says the alert waits again
    app = make_app(tmp_path, channels=[{"kind": "webhook", "url": "http://127.0.0.1:9/hook"}])
    from monitor.cases import close_not_ours

    close_not_ours(app, case_id, by="Chị Lan")
    app.close()
    r = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "cases", "update", str(case_id),
                                 "--status", "dang xu ly", "--by", "Anh Minh"])
    assert r.exit_code == 0, r.output
    assert "1 lượt gửi cảnh báo bị hủy khi đóng hồ sơ «ngoài địa bàn» lại chờ gửi" in r.output, r.output


def test_a_case_opened_again_by_hand_sends_the_alerts_its_closing_cancelled(tmp_path):
    """`monitor cases open ARTICLE_ID` on the article of a false alarm (or a case closed as another area's) reopens it
    as `cases update --status` does: the alerts the closing cancelled wait to be sent again."""
    from monitor.cases import close_not_ours, dismiss_case, open_case_by_hand

    app, aid, case_id, alert_id = _hot_story_with_waiting_alert(tmp_path)
    dismiss_case(app, case_id, by="Chị Lan", note="Tưởng là clip cũ")
    assert [d.status for d in app.store.deliveries(alert_id)] == ["cancelled"]
    reopened, opened, again = open_case_by_hand(app, aid, by="Anh Minh", note="Clip mới, đúng là vụ việc hôm nay")
    assert opened and reopened.status == "mới" and again == 1
    assert [d.status for d in app.store.deliveries(alert_id)] == ["pending"]
    close_not_ours(app, case_id, by="Chị Lan")
    open_case_by_hand(app, aid, by="Anh Minh", note="Em học sinh là người của quận")
    assert [d.status for d in app.store.deliveries(alert_id)] == ["pending"]
    # from the command line, the command says how many wait again, in the words `cases update --status` uses
    dismiss_case(app, case_id, by="Chị Lan", note="Tưởng là clip cũ")
    app.close()
    run = CliRunner().invoke
    cfg = str(tmp_path / "feeds.yaml")
    r = run(cli, ["--config", cfg, "cases", "open", str(aid), "--by", "Anh Minh"])
    assert r.exit_code == 0, r.output
    assert "1 lượt gửi cảnh báo bị hủy khi đánh dấu cảnh báo nhầm lại chờ gửi (monitor alerts)." in r.output, r.output
    r = run(cli, ["--config", cfg, "cases", "open", str(aid), "--by", "Anh Minh"])  # already open: nothing to send again
    assert r.exit_code == 0 and "lại chờ gửi" not in r.output, r.output
    app = make_app(tmp_path, channels=[{"kind": "webhook", "url": "http://127.0.0.1:9/hook"}])
    close_not_ours(app, case_id, by="Chị Lan")
    app.close()
    r = run(cli, ["--config", cfg, "cases", "open", str(aid), "--by", "Anh Minh"])
    assert "1 lượt gửi cảnh báo bị hủy khi đóng hồ sơ «ngoài địa bàn» lại chờ gửi (monitor alerts)." in r.output, r.output


def test_showing_an_article_id_as_a_case_names_the_case_it_belongs_to(tmp_path):
    # an article id (from `monitor articles` or an alert's link) is easily typed where a case number is asked
    app = make_app(tmp_path)
    for k in range(3):
        add_article(app, "VnExpress", f"other-{k}", f"Giá rau xanh tăng nhẹ ngày thứ {k + 2}", "Chợ đầu mối đông khách.",
                    app.now() - timedelta(hours=3), Cls(is_education=False, hot_score=0.0))
    aid = add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    (case_id,) = run_triage(app).cases_opened
    assert aid != case_id and app.store.case(aid) is None
    app.close()
    cfg = str(tmp_path / "feeds.yaml")
    r = CliRunner().invoke(cli, ["--config", cfg, "cases", "show", str(aid)])
    assert r.exit_code == 2 and f"không có hồ sơ số {aid}" in r.output, r.output
    assert f"bài số {aid} thuộc hồ sơ {case_id}" in r.output and f"monitor cases show {case_id}" in r.output
    r = CliRunner().invoke(cli, ["--config", cfg, "cases", "show", "999"])
    assert r.exit_code == 2 and "không có hồ sơ số 999" in r.output and "thuộc hồ sơ" not in r.output


# Developments told weeks after the fight (monitor.triage.RELATED_LOOK_BACK), in words of their own, each too far
# from the fight for grouping (past FOLLOW_UP) and close to it by the cosine (RELATED_COSINE or more).
SANCTION = ("Khiển trách hiệu trưởng Trường THCS Ngọc Lâm sau vụ nữ sinh lớp 8 bị đánh hội đồng",
            "Sau gần ba tuần xác minh, quận Long Biên khiển trách hiệu trưởng Trường THCS Ngọc Lâm vì chậm báo cáo vụ "
            "nữ sinh lớp 8 bị bạn đánh hội đồng, quay clip đăng lên mạng.")
# another school's fight, told in the fight's own words: the vocabulary in common, no name
OTHER_FIGHT = ("Nữ sinh lớp 7 Trường THCS Gia Thụy bị bạn đánh hội đồng trong giờ ra chơi, clip lan trên mạng",
               "Sáng 12/12, một nữ sinh lớp 7 Trường THCS Gia Thụy bị ba bạn cùng lớp đánh hội đồng trong giờ ra chơi; "
               "đoạn clip lan truyền trên mạng xã hội.")


def _weeks_later(tmp_path, days: int, text: tuple[str, str], *, handled: bool = False):
    """(app, the fight's case, the later story's case, its alert, the clipping's hot item of it): the fight alerted and
    (with `handled`) closed as handled, then `text` told `days` later as a hot story of its own."""
    from monitor.cases import HANDLED
    from monitor.digest_delivery import load_digest
    from monitor.stories import Idf, cosine
    from monitor.triage import RELATED_COSINE

    app, incident = _hot_story(tmp_path)
    if handled:
        update_case(app, incident, by="Chị Lan", status=HANDLED, note="Đã làm việc với nhà trường")
    app.clock.advance(days=days)
    later = add_article(app, "Tuổi Trẻ", "later", *text, app.now() - timedelta(minutes=5),
                        Cls(hot_score=0.9, sentiment="negative", scope="local", topics=("an-toan-truong-hoc",),
                            reasons=("bạo lực học đường",)))
    idf = Idf(app.store.background_texts(app.now() - timedelta(days=90), app.now() + timedelta(days=1)))
    assert cosine(idf.vector(" ".join(text)), idf.vector(f"{FIGHT_TITLE} {FIGHT_SAPO}")) >= RELATED_COSINE
    report = run_triage(app)
    (case_id,) = report.cases_opened  # past the follow-up reach: a story of its own
    (alert_id,) = report.alerts_queued
    day = (app.now() + timedelta(days=1)).astimezone(app.config.office.tz).date()
    (item,) = [i for i in load_digest(app, day).hot.items if i.article_id == later]
    return app, incident, case_id, app.store.alert(alert_id), item


def test_a_development_weeks_later_naming_the_school_names_the_incidents_case(tmp_path):
    """Twenty days on, past the window, the sanction names the school of the fight (handled meanwhile: a development
    of a handled case is what the office most wants named): the alert and the clipping name the fight's case."""
    app, incident, case_id, alert, item = _weeks_later(tmp_path, 20, SANCTION, handled=True)
    assert [r["case_id"] for r in alert.payload["related_cases"]] == [incident]
    assert f"hồ sơ số {incident}: {FIGHT_TITLE}" in alert.body, alert.body
    assert item.follows == f"Có thể là diễn biến tiếp của vụ việc đã có hồ sơ số {incident}: {FIGHT_TITLE}"


def test_a_story_weeks_later_sharing_only_words_or_two_months_old_names_no_case(tmp_path):
    """The same words with another school's name name nothing past the window; nor does the sanction told 61 days on."""
    (tmp_path / "words").mkdir()
    (tmp_path / "old").mkdir()
    for sub, days, text in (("words", 20, OTHER_FIGHT), ("old", 61, SANCTION)):
        app, incident, case_id, alert, item = _weeks_later(tmp_path / sub, days, text)
        assert alert.payload["related_cases"] == [] and "Có thể là diễn biến tiếp" not in alert.body, sub
        assert item.follows == "", sub


def test_past_the_window_at_most_the_two_closest_earlier_cases_are_named(tmp_path):
    """Three fights at the school, ten days apart (each a case of its own, past the follow-up reach), then the
    sanction: two of them named, the closest, and the alert lists those two."""
    app = make_app(tmp_path)
    fights = []
    for k in range(3):
        title, sapo = reprint(FIGHT_TITLE, FIGHT_SAPO, k)
        add_article(app, "VnExpress", f"fight-{k}", title, sapo, app.now() - timedelta(minutes=10))
        fights += run_triage(app).cases_opened
        app.clock.advance(days=10)
    assert len(fights) == 3
    add_article(app, "Tuổi Trẻ", "later", *SANCTION, app.now() - timedelta(minutes=5),
                Cls(hot_score=0.9, sentiment="negative", scope="local", topics=("an-toan-truong-hoc",)))
    (alert_id,) = run_triage(app).alerts_queued
    named = app.store.alert(alert_id).payload["related_cases"]
    assert len(named) == 2 and {r["case_id"] for r in named} < set(fights), named
    assert named[0]["similarity"] >= named[1]["similarity"]
