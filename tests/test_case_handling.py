"""What the office did about a hot issue (the plan's "kết quả xử lý"): reported to an authority, answered the press,
corrected false information. Recorded on the case with who and when, shown by `cases show`, said in the monthly
report and the clipping."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from docx import Document

from monitor.cases import CORRECTED, FALSE_INFORMATION, PRESS, REPORTED, false_information_sign, update_case
from monitor.cli import cli
from monitor.errors import InputError
from monitor.triage import run_triage
from test_triage_support import FIGHT_SAPO, FIGHT_TITLE, Cls, add_article, make_app

# invented for these tests
RUMOUR_TITLE = "Tin đồn Trường Tiểu học Bồ Đề cho học sinh nghỉ học cả tuần vì dịch cúm là sai sự thật"
RUMOUR_SAPO = ("Một bài đăng trên mạng xã hội cho rằng Trường Tiểu học Bồ Đề (quận Long Biên) cho học sinh nghỉ cả tuần "
               "vì dịch cúm; nhà trường khẳng định vẫn dạy học bình thường.")
RUMOUR_CLS = Cls(hot_score=0.8, reasons=("nóng 0.80: tin sai sự thật (tin đồn (title)); dịch bệnh (dịch cúm (sapo))",))


def _case(tmp_path, title=FIGHT_TITLE, sapo=FIGHT_SAPO, cls=None):
    app = make_app(tmp_path)
    add_article(app, "VnExpress", "story-1", title, sapo, app.now() - timedelta(minutes=10), cls)
    (case_id,) = run_triage(app).cases_opened
    return app, case_id


def test_what_was_done_is_kept_in_the_history_with_who_and_when(tmp_path):
    app, case_id = _case(tmp_path)
    app.clock.advance(hours=2)
    c, _ = update_case(app, case_id, by="Chị Lan", reported_to=["UBND quận Long Biên", "UBND  quận Long Biên "],
                       on=date(2026, 11, 25))
    assert c.status == "đã tiếp nhận", "a case someone reported up is taken on"
    (e,) = c.handling
    assert (e.by, e.at, e.handling.kind, e.handling.party, e.handling.on) == (
        "Chị Lan", app.now(), REPORTED, "UBND quận Long Biên", date(2026, 11, 25))
    app.clock.advance(hours=1)
    c, _ = update_case(app, case_id, by="Anh Minh", status="đã phản hồi", note="Đã gửi thông cáo",
                       answered_press=["Tuổi Trẻ", "Dân Trí"], spokesperson="Phó Trưởng phòng Nguyễn Văn An",
                       directed_by="Chủ tịch UBND quận", corrected=True)
    assert c.status == "đã phản hồi"
    assert [(x.handling.kind, x.handling.party) for x in c.handling] == [
        (REPORTED, "UBND quận Long Biên"), (PRESS, "Tuổi Trẻ"), (PRESS, "Dân Trí"), (CORRECTED, "")]
    press = c.handling[1].handling
    assert press.spokesperson == "Phó Trưởng phòng Nguyễn Văn An" and press.directed_by == "Chủ tịch UBND quận"
    assert press.on == app.now().astimezone(app.config.office.tz).date(), "today by default"
    assert [e.note for e in c.events if e.by == "Anh Minh" and e.handling is None] == ["Đã gửi thông cáo"]
    # the same report again is one report, not two
    with pytest.raises(InputError, match="đã ghi việc này"):
        update_case(app, case_id, by="Chị Lan", reported_to=["ubnd quan long bien"], on=date(2026, 11, 25))
    assert len(app.store.case(case_id).handling) == 4


def test_bad_handling_input_is_refused_with_what_to_do(tmp_path):
    from monitor.cases import dismiss_case

    app, case_id = _case(tmp_path)
    today = app.now().astimezone(app.config.office.tz).date()
    with pytest.raises(InputError, match=f"là ngày trong tương lai.*hôm nay là {today:%d/%m/%Y}"):
        update_case(app, case_id, by="Chị Lan", reported_to=["UBND quận"], on=today + timedelta(days=1))
    with pytest.raises(InputError, match="--answered-press"):
        update_case(app, case_id, by="Chị Lan", spokesperson="Anh An")
    with pytest.raises(InputError, match="--on ghi ngày của việc đã làm"):
        update_case(app, case_id, by="Chị Lan", note="x", on=today)
    with pytest.raises(InputError, match="--reported-to đang để trống"):
        update_case(app, case_id, by="Chị Lan", reported_to=["  "])
    assert app.store.case(case_id).handling == () and app.store.case(case_id).status == "mới"
    dismiss_case(app, case_id, by="Chị Lan")
    with pytest.raises(InputError, match="cảnh báo nhầm đã bỏ qua"):
        update_case(app, case_id, by="Chị Lan", answered_press=["Tuổi Trẻ"])
    with pytest.raises(InputError, match="mở lại trước"):
        update_case(app, case_id, by="Chị Lan", status="đang xử lý", answered_press=["Tuổi Trẻ"])
    c, _ = update_case(app, case_id, by="Chị Lan", status="đang xử lý")
    c, _ = update_case(app, case_id, by="Chị Lan", answered_press=["Tuổi Trẻ"])
    assert c.status == "đang xử lý" and [e.handling.party for e in c.handling] == ["Tuổi Trẻ"]


def test_merging_a_case_carries_what_was_done_into_the_incidents_case(tmp_path):
    from monitor.cases import merge_case
    from test_triage_support import FEE_SAPO, FEE_TITLE

    app, first = _case(tmp_path)
    app.clock.advance(hours=3)
    add_article(app, "Tuổi Trẻ", "story-2", FEE_TITLE, FEE_SAPO, app.now() - timedelta(minutes=5))
    (second,) = run_triage(app).cases_opened
    update_case(app, second, by="Chị Lan", reported_to=["UBND quận Long Biên"])
    mistaken = update_case(app, second, by="Chị Lan", answered_press=["Thanh Niên"])[0].handling[-1]
    assert mistaken.record == 2, "the case's own numbering"
    c, _ = update_case(app, second, by="Chị Lan", withdraw=mistaken.record, note="Nhầm hồ sơ")
    assert [e.handling.party for e in c.handling] == ["UBND quận Long Biên"], "withdrawn: no longer counts"
    assert any(e.withdraws == mistaken.id and e.note == "Nhầm hồ sơ" for e in c.events), "the history keeps both"
    c = merge_case(app, second, into=first, by="Chị Lan")
    assert [(e.by, e.handling.kind, e.handling.party) for e in c.handling] == [("Chị Lan", REPORTED, "UBND quận Long Biên")]
    assert "Thanh Niên" not in str(c.events) and "Nhầm hồ sơ" not in str(c.events), "what was withdrawn stays behind"
    from monitor.cases import person_notes

    assert person_notes(app.store.case(second).events, app.config.office.tz) == (), "a withdrawal is no action"


def test_the_false_information_sign_is_the_classifiers_own_category():
    from classifiers.hot import categories_from_reasons
    from classifiers.types import HotCategory
    from monitor.cases import FALSE_INFORMATION_CATEGORY

    rules = yaml.safe_load((Path(__file__).parents[1] / "classifiers" / "topics.yaml").read_text(encoding="utf-8"))
    assert next(h["name"] for h in rules["hot"] if h["id"] == FALSE_INFORMATION_CATEGORY) == FALSE_INFORMATION
    violence, rumour = HotCategory("bao-luc", "bạo lực, xâm hại"), HotCategory(FALSE_INFORMATION_CATEGORY, "tin đồn thất thiệt")
    assert false_information_sign((violence, rumour)), "by id, whatever the rules call it"
    assert not false_information_sign((violence, HotCategory("khac", FALSE_INFORMATION)))
    # a row stored before the categories were (0072) has them read from its reasons, as then
    assert false_information_sign(categories_from_reasons(
        ["nóng 1.00: bạo lực, xâm hại (đánh (title)); tin sai sự thật (bịa đặt (body))"]))
    assert not false_information_sign(categories_from_reasons(["nóng 0.90: bạo lực, xâm hại (đánh (title))", "tin sai sự thật"]))
    assert categories_from_reasons(["nóng 0.78: theo mô hình"]) == ()
    assert categories_from_reasons(["giáo dục 0.90: học sinh", "tin sai sự thật"]) is None



def test_a_story_reads_its_hot_categories_not_the_wording_of_its_reasons(tmp_path):
    """The classifier's hot categories travel as data with its classification and with the story's score: reasons
    worded otherwise change nothing of what the case, the alert, the clipping and the report say of the story."""
    from classifiers.types import HotCategory
    from monitor.cli.triage import _false_information
    from monitor.digest_delivery import load_digest
    from monitor.report import load_report

    cats = (HotCategory("tin-sai", FALSE_INFORMATION), HotCategory("ngo-doc-dich", "ngộ độc, dịch bệnh"))
    reworded = Cls(hot_score=0.8, hot_categories=cats,
                   reasons=("điểm nóng 80%. Dấu hiệu tin đồn thất thiệt: tin đồn [tiêu đề]; dịch cúm [sa pô]",))
    app = make_app(tmp_path)
    aid = add_article(app, "VnExpress", "rumour", RUMOUR_TITLE, RUMOUR_SAPO, app.now() - timedelta(minutes=10), reworded)
    assert app.store.classifications_for([aid])[aid].hot_categories == cats
    (case_id,) = run_triage(app).cases_opened
    case = app.store.case(case_id)
    assert app.store.story(case.story_id).hot_categories == cats
    assert _false_information(app, case) == {"sign": True, "corrected": False}
    signs = f"Dấu hiệu: {FALSE_INFORMATION} / ngộ độc, dịch bệnh"
    (alert,) = app.store.alerts_for_story(case.story_id)
    assert signs in alert.body
    day = app.local_now().date() + timedelta(days=1)  # the clipping whose window holds this morning
    (item,) = load_digest(app, day).hot.items
    assert item.reasons[0] == signs
    (issue,) = load_report(app, 2026, 11).hot_issues
    assert issue.false_information_line == f"Có dấu hiệu {FALSE_INFORMATION}; chưa ghi nhận việc cải chính, bác bỏ"

def test_cases_cli_records_and_shows_what_was_done(tmp_path):
    # the CLI runs on the system clock
    app = make_app(tmp_path, datetime.now(timezone.utc) - timedelta(minutes=5))
    add_article(app, "VnExpress", "rumour", RUMOUR_TITLE, RUMOUR_SAPO, app.now(), RUMOUR_CLS)
    (case_id,) = run_triage(app).cases_opened
    # the CLI's today (its --on default), from the real clock: the app's, 5 minutes back, is yesterday just after midnight
    today = datetime.now(app.config.office.tz).date()
    app.close()
    cfg = str(tmp_path / "feeds.yaml")
    run = CliRunner().invoke
    r = run(cli, ["--config", cfg, "cases", "show", str(case_id)])
    assert r.exit_code == 0, r.output
    assert (f"Có dấu hiệu {FALSE_INFORMATION}: chưa ghi nhận cải chính, bác bỏ (khi đã làm: monitor cases update "
            f"{case_id} --corrected)") in r.output
    yesterday = today - timedelta(days=1)
    r = run(cli, ["--config", cfg, "cases", "update", str(case_id), "--reported-to", "UBND quận Long Biên",
                  "--on", yesterday.isoformat(), "--by", "Chị Lan"])
    assert r.exit_code == 0, r.output
    assert "Hồ sơ #1: đã tiếp nhận" in r.output
    assert f"Ghi nhận số 1: đã báo cáo UBND quận Long Biên, ngày {yesterday:%d/%m/%Y} (bởi Chị Lan)" in r.output
    r = run(cli, ["--config", cfg, "cases", "update", str(case_id), "--answered-press", "Tuổi Trẻ", "--spokesperson",
                  "Phó Trưởng phòng Nguyễn Văn An", "--directed-by", "Chủ tịch UBND quận", "--corrected", "--by", "Anh Minh"])
    assert r.exit_code == 0, r.output
    assert (f"Ghi nhận số 2: đã trả lời báo chí: Tuổi Trẻ, ngày {today:%d/%m/%Y} (người phát ngôn: Phó Trưởng phòng "
            "Nguyễn Văn An; theo chỉ đạo của Chủ tịch UBND quận) (bởi Anh Minh)") in r.output
    r = run(cli, ["--config", cfg, "cases", "show", str(case_id)])
    assert r.exit_code == 0, r.output
    assert "  Kết quả xử lý:\n" in r.output
    assert f"    - số 1: Đã báo cáo UBND quận Long Biên, ngày {yesterday:%d/%m/%Y} (ghi nhận bởi Chị Lan lúc " in r.output
    assert f"Có dấu hiệu {FALSE_INFORMATION}: đã cải chính, bác bỏ" in r.output
    assert "Chị Lan: trạng thái → đã tiếp nhận\n" in r.output, "the status change is its own history line"
    assert f"Anh Minh: ghi nhận số 3: đã cải chính, bác bỏ thông tin sai sự thật, ngày {today:%d/%m/%Y}" in r.output
    shown = json.loads(run(cli, ["--config", cfg, "cases", "show", str(case_id), "--json"]).output)
    assert [h["kind"] for h in shown["handling"]] == ["reported", "press", "corrected"]
    assert shown["handling"][0] | {"recorded_at": None} == {
        "kind": "reported", "on": yesterday.isoformat(), "party": "UBND quận Long Biên", "spokesperson": "",
        "directed_by": "", "record": 1, "recorded_at": None, "recorded_by": "Chị Lan"}
    assert shown["false_information"] == {"sign": True, "corrected": True}
    assert sum(1 for e in shown["events"] if e["handling"]) == 3
    # bad input: exit 2 with what to do, nothing recorded
    for args, said in ((["--on", (today + timedelta(days=2)).isoformat(), "--reported-to", "Sở GD&ĐT"], "là ngày trong tương lai"),
                       (["--on", "12.11.2026", "--reported-to", "Sở GD&ĐT"], "YYYY-MM-DD"),
                       (["--directed-by", "Chủ tịch UBND quận"], "--answered-press"),
                       (["--reported-to", "ubnd quận long biên", "--on", yesterday.isoformat()], "đã ghi việc này")):
        r = run(cli, ["--config", cfg, "cases", "update", str(case_id), *args])
        assert r.exit_code == 2 and said in r.output, (args, r.output)
    shown = json.loads(run(cli, ["--config", cfg, "cases", "show", str(case_id), "--json"]).output)
    assert len(shown["handling"]) == 3
    # a record made by mistake is withdrawn, and may be written again as it should have been
    r = run(cli, ["--config", cfg, "cases", "update", str(case_id), "--withdraw", "1", "--reported-to",
                  "UBND quận Long Biên", "--note", "Nhầm ngày", "--by", "Chị Lan"])
    assert r.exit_code == 0, r.output
    assert f"Đã rút lại ghi nhận số 1: đã báo cáo UBND quận Long Biên, ngày {yesterday:%d/%m/%Y} (bởi Chị Lan)" in r.output
    assert f"Ghi nhận số 4: đã báo cáo UBND quận Long Biên, ngày {today:%d/%m/%Y}" in r.output
    r = run(cli, ["--config", cfg, "cases", "show", str(case_id)])
    assert (f"Chị Lan: rút lại ghi nhận số 1 (đã báo cáo UBND quận Long Biên, ngày {yesterday:%d/%m/%Y}); "
            "ghi chú: Nhầm ngày") in r.output
    assert "    - số 1:" not in r.output and "    - số 4: Đã báo cáo" in r.output
    r = run(cli, ["--config", cfg, "cases", "update", str(case_id), "--withdraw", "1"])
    assert r.exit_code == 2 and "không có ghi nhận số 1 còn hiệu lực" in r.output
    # the numbers that may be withdrawn, written out rather than "(số …)" (clerk journey)
    assert "…" not in r.output and "Cách sửa: chọn một trong các ghi nhận còn hiệu lực (số 2: " in r.output, r.output
    assert f"; số 4: đã báo cáo UBND quận Long Biên, ngày {today:%d/%m/%Y})" in r.output, r.output


def test_each_cases_records_are_numbered_from_one_without_gaps_and_withdrawn_by_that_number(tmp_path):
    """The numbers `cases show` gives a case's records (what `cases update --withdraw` takes) are the case's own: 1,
    2, 3 in the order recorded, whatever else its history holds (status changes, notes, a withdrawal) and whatever
    other cases recorded in between. A withdrawn record keeps its number, so none read earlier names another later."""
    from test_triage_support import FEE_SAPO, FEE_TITLE

    app = make_app(tmp_path, datetime.now(timezone.utc) - timedelta(minutes=5))  # the CLI runs on the system clock
    add_article(app, "VnExpress", "rumour", RUMOUR_TITLE, RUMOUR_SAPO, app.now(), RUMOUR_CLS)
    add_article(app, "Tuổi Trẻ", "fee", FEE_TITLE, FEE_SAPO, app.now())
    first, second = sorted(run_triage(app).cases_opened)
    app.close()
    cfg = str(tmp_path / "feeds.yaml")

    def run(*args):
        r = CliRunner().invoke(cli, ["--config", cfg, "cases", *args, "--by", "Chị Lan"] if args[0] == "update"
                               else ["--config", cfg, "cases", *args])
        assert r.exit_code == 0, r.output
        return r.output

    run("update", str(first), "--status", "đang xử lý", "--note", "Đã gọi nhà trường")
    assert "Ghi nhận số 1: đã báo cáo UBND quận Long Biên" in run("update", str(first), "--reported-to", "UBND quận Long Biên")
    assert "Ghi nhận số 1: đã trả lời báo chí: Tuổi Trẻ" in run("update", str(second), "--answered-press", "Tuổi Trẻ")
    run("update", str(first), "--note", "Chờ văn bản của trường")
    out = run("update", str(first), "--answered-press", "Dân Trí", "--corrected")
    assert "Ghi nhận số 2: đã trả lời báo chí: Dân Trí" in out and "Ghi nhận số 3: đã cải chính" in out, out
    # the second case's record 1 is its own: withdrawing it leaves the first case's record 1 as it was
    out = run("update", str(second), "--withdraw", "1", "--note", "Nhầm hồ sơ")
    assert "Đã rút lại ghi nhận số 1: đã trả lời báo chí: Tuổi Trẻ" in out, out
    assert len(json.loads(run("show", str(first), "--json"))["handling"]) == 3
    out = run("update", str(first), "--withdraw", "2", "--answered-press", "Dân Trí", "--note", "Nhầm ngày")
    assert "Ghi nhận số 4: đã trả lời báo chí: Dân Trí" in out, "a withdrawn record keeps its number"
    shown = run("show", str(first))
    numbers = [int(line.split("ghi nhận số ")[1].split(":")[0].split(" ")[0])
               for line in shown.split("  Lịch sử:")[1].splitlines() if "ghi nhận số " in line]
    assert numbers == [1, 2, 3, 2, 4], shown  # record 2 twice: recorded, then withdrawn
    assert "rút lại ghi nhận số 2 (đã trả lời báo chí: Dân Trí" in shown, shown
    assert [line.split(":")[0].strip() for line in shown.split("  Kết quả xử lý:")[1].split("  Lịch sử:")[0].splitlines()
            if line.startswith("    - ")] == ["- số 1", "- số 3", "- số 4"], shown
    data = json.loads(run("show", str(first), "--json"))
    assert [h["record"] for h in data["handling"]] == [1, 3, 4]
    assert [(e["record"], e["withdraws"]) for e in data["events"] if e["record"] or e["withdraws"]] == [
        (1, None), (2, None), (3, None), (None, 2), (4, None)]


# --------------------------------------------------------------------------- the monthly report (part I and III)


def _rumour(app, url: str, title: str, published: datetime, scope: str,
            reasons=("nóng 0.80: tin sai sự thật (tin đồn (title))",)) -> tuple[int, int]:
    """A hot story whose classifier signs include false information, with its case: (story, case). Its categories are
    in its reasons alone, as the classifier and triage stored them before 0072."""
    from test_digest import add_article as add_row, classify
    from test_report import NOW

    aid = add_row(app.store, url=url, outlet="Dân trí", title=title, published=published)
    reasons = list(reasons)
    classify(app.store, [(aid, dict(topics=["an-toan-truong-hoc"], sentiment="negative", hot=True, hot_score=0.8,
                                    scope=scope, reasons=reasons))], NOW)
    story = app.store.create_story(aid, NOW)
    app.store.save_story_score(story, NOW, main_topic="an-toan-truong-hoc", n_outlets=1, hot_score=58.0,
                               severity="cao", reasons=reasons, explanation={})
    case_id, _ = app.store.open_case(story, published + timedelta(hours=1))
    return story, case_id


def test_the_monthly_report_says_what_was_done_and_counts_it(tmp_path):
    from monitor.cases import Handling
    from monitor.report import build_and_deliver_report, load_report
    from test_digest import TZ
    from test_report import make_app_for_month, seed_months

    app = make_app_for_month(tmp_path)
    ids, fight = seed_months(app.store)  # the district's beating, handled
    nov = datetime(2026, 11, 14, 9, 0, tzinfo=TZ)
    fight_case = app.store.case_of_story(fight).id
    app.store.update_case(fight_case, nov, by="Chị Lan", handling=[
        Handling(REPORTED, date(2026, 11, 12), "UBND quận Long Biên"),
        Handling(PRESS, date(2026, 11, 13), "Tuổi Trẻ", "Phó Trưởng phòng Nguyễn Văn An", "Chủ tịch UBND quận"),
        Handling(PRESS, date(2026, 11, 13), "Dân trí")])
    # recorded by mistake and withdrawn: not a result
    mistaken, _ = update_case(app, fight_case, by="Chị Lan", answered_press=["Thanh Niên"], on=date(2026, 11, 20))
    update_case(app, fight_case, by="Chị Lan", withdraw=mistaken.handling[-1].record, note="Nhầm hồ sơ")
    # done in December: not November's result
    app.store.update_case(fight_case, nov + timedelta(days=18), by="Chị Lan",
                          handling=[Handling(REPORTED, date(2026, 12, 1), "Sở GD&ĐT Hà Nội")])
    local, local_case = _rumour(app, "https://news.example.vn/tin-don-nghi-hoc.html",
                                "Tin đồn trường tiểu học ở Long Biên cho học sinh nghỉ cả tuần", nov, "local")
    app.store.update_case(local_case, nov + timedelta(days=1), by="Anh Minh", status="đã xử lý",
                          handling=[Handling(CORRECTED, date(2026, 11, 15))])
    far, _ = _rumour(app, "https://news.example.vn/tin-don-tinh-khac.html",
                     "Tin đồn đổi lịch thi học kỳ ở một tỉnh khác", nov + timedelta(days=2), "national")
    r = load_report(app, 2026, 11)
    by_story = {h.story_id: h for h in r.hot_issues}
    assert by_story[fight].reported_line == "Đã báo cáo: UBND quận Long Biên, ngày 12/11/2026"
    assert by_story[fight].press_line == ("Đã trả lời báo chí: Tuổi Trẻ, ngày 13/11/2026 (người phát ngôn: Phó Trưởng "
                                          "phòng Nguyễn Văn An; theo chỉ đạo của Chủ tịch UBND quận); Dân trí, ngày 13/11/2026")
    assert by_story[fight].false_information_line == ""
    assert by_story[local].false_information_line == "Có dấu hiệu tin sai sự thật; đã cải chính, bác bỏ ngày 15/11/2026"
    assert by_story[far].false_information_line == "Có dấu hiệu tin sai sự thật", "followed elsewhere: no correction owed"
    assert r.handling_text == ("Kết quả xử lý: 1 vấn đề đã báo cáo cơ quan có thẩm quyền; 2 lượt trả lời báo chí "
                               "(về 1 vấn đề)")
    assert r.false_information_text == ("2 vấn đề nóng có dấu hiệu tin sai sự thật: 1 đã cải chính, bác bỏ; "
                                        "1 ngoài địa bàn (để nắm tình hình)")
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    paragraphs = [p.text for p in Document(io.BytesIO(result.paths["docx"].read_bytes())).paragraphs]
    part1 = paragraphs[:paragraphs.index("III. VẤN ĐỀ NÓNG VÀ KẾT QUẢ XỬ LÝ")]
    assert f"- {r.handling_text}." in part1
    assert f"- {r.false_information_text[0].upper()}{r.false_information_text[1:]}." in part1
    part3 = paragraphs[paragraphs.index("III. VẤN ĐỀ NÓNG VÀ KẾT QUẢ XỬ LÝ"):paragraphs.index("IV. TIN TÍCH CỰC CẦN LAN TỎA")]
    for line in (by_story[fight].reported_line, by_story[fight].press_line, by_story[local].false_information_line,
                 "Có dấu hiệu tin sai sự thật"):
        assert line in part3, line
    assert "Sở GD&ĐT Hà Nội" not in "\n".join(paragraphs) and "Thanh Niên, ngày 20/11" not in "\n".join(paragraphs)
    html = result.paths["html"].read_text(encoding="utf-8")
    for line in (r.handling_text, by_story[fight].reported_line, "Đã trả lời báo chí: Tuổi Trẻ, ngày 13/11/2026",
                 by_story[local].false_information_line, "2 vấn đề nóng có dấu hiệu tin sai sự thật"):
        assert line in html, line



def test_a_store_from_before_the_hot_categories_reports_false_information_as_before(tmp_path):
    """Classifications and stories stored before 0072 have their hot categories only in their reasons' wording: the
    upgraded store reads them from there, so a month reported before still marks its false information."""
    from monitor.report import load_report
    from test_digest import TZ
    from test_report import make_app_for_month

    app = make_app_for_month(tmp_path)
    nov = datetime(2026, 11, 14, 9, 0, tzinfo=TZ)
    rumour, _ = _rumour(app, "https://news.example.vn/tin-don-nghi-hoc.html",
                        "Tin đồn trường tiểu học ở Long Biên cho học sinh nghỉ cả tuần", nov, "local",
                        reasons=("nóng 0.80: bạo lực, xâm hại (đánh (title)); tin sai sự thật (tin đồn (sapo))",
                                 "Sắc thái tiêu cực (1/1 báo)"))
    fight, _ = _rumour(app, "https://news.example.vn/danh-nhau.html", "Học sinh đánh nhau trước cổng trường ở Long Biên",
                       nov + timedelta(days=1), "local", reasons=("nóng 0.90: bạo lực, xâm hại (đánh (title))",))
    # back to the schema before 0072, as the previous version left it
    for table in ("classifications", "stories"):
        app.store.execute(f"ALTER TABLE {table} DROP COLUMN hot_categories")
    app.store.execute("DELETE FROM schema_migrations WHERE name = '0072_hot_categories.sql'")
    app.close()
    app = make_app_for_month(tmp_path)
    assert any(n == "0072_hot_categories.sql" for n in app.store.applied_migrations())
    assert [c.id for c in app.store.story(rumour).hot_categories] == ["bao-luc", "tin-sai"]
    (aid,) = app.store.story(rumour).article_ids
    old_row = app.store.classifications_for([aid])[aid]
    assert [c.name for c in old_row.hot_categories] == ["bạo lực, xâm hại", FALSE_INFORMATION]
    by_story = {h.story_id: h for h in load_report(app, 2026, 11).hot_issues}
    assert by_story[rumour].false_information_line == f"Có dấu hiệu {FALSE_INFORMATION}; chưa ghi nhận việc cải chính, bác bỏ"
    assert by_story[fight].false_information_line == ""

def test_a_month_with_hot_issues_and_nothing_recorded_says_so(tmp_path):
    from monitor.report import load_report
    from test_report import make_app_for_month, seed_months

    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    r = load_report(app, 2026, 11)
    assert r.handling_text == ("Kết quả xử lý: chưa ghi nhận vấn đề nào đã báo cáo cơ quan có thẩm quyền; "
                               "chưa ghi nhận lượt trả lời báo chí nào")
    assert r.false_information_text == ""


# --------------------------------------------------------------------------- the daily clipping


def test_the_clipping_says_on_the_case_line_what_was_done(tmp_path):
    from monitor.digest_delivery import load_digest, render_all

    app, case_id = _case(tmp_path)
    day = app.now().astimezone(app.config.office.tz).date() + timedelta(days=1)
    (item,) = load_digest(app, day).hot.items
    assert item.case_label == "chưa tiếp nhận xử lý", "nothing done yet: the status alone"
    app.clock.advance(minutes=30)
    update_case(app, case_id, by="Chị Lan", status="đang xử lý", reported_to=["UBND quận Long Biên"],
                answered_press=["Tuổi Trẻ", "Dân Trí"], spokesperson="Phó Trưởng phòng Nguyễn Văn An", corrected=True)
    said = ("Tình trạng xử lý: đang xử lý (đã báo cáo UBND quận Long Biên; đã trả lời báo chí: Tuổi Trẻ, Dân Trí; "
            "đã cải chính, bác bỏ)")
    rendered = render_all(load_digest(app, day), {"txt", "md", "html", "docx"})
    docx_text = "\n".join(p.text for p in Document(io.BytesIO(rendered.docx)).paragraphs)
    assert said in rendered.text and said in docx_text
    assert said.replace("Tình trạng xử lý: ", "Tình trạng xử lý: <b>") + "</b>" in rendered.html_file
    assert said.lower().replace(": đang", ": *đang") + "*" in rendered.markdown.lower()


def test_an_issue_closed_as_anothers_that_the_office_answered_reports_the_answer(tmp_path):
    """A rumour elsewhere closed --not-ours, yet the press asked the office and it answered: the answer is its
    handling to account for, while the count of issues elsewhere stays as it was ("theo dõi")."""
    from monitor.cases import Handling, close_not_ours
    from monitor.report import load_report
    from test_digest import TZ
    from test_report import make_app_for_month, seed_months

    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    nov = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
    far, far_case = _rumour(app, "https://news.example.vn/tin-don-tinh-khac.html",
                            "Tin đồn đổi lịch thi học kỳ ở một tỉnh khác", nov, "national")
    close_not_ours(app, far_case, by="Chị Lan")
    app.store.update_case(far_case, nov + timedelta(days=1), by="Chị Lan",
                          handling=[Handling(PRESS, date(2026, 11, 21), "VietnamNet")])
    r = load_report(app, 2026, 11)
    (issue,) = r.elsewhere_issues
    assert issue.shows_handling and issue.press_line == "Đã trả lời báo chí: VietnamNet, ngày 21/11/2026"
    assert issue.false_information_line == "Có dấu hiệu tin sai sự thật; chưa ghi nhận việc cải chính, bác bỏ"
    assert r.hot_text == "2 vấn đề nóng: 1 trên địa bàn (1 đã xử lý), 1 ngoài địa bàn (để nắm tình hình)"
    assert r.handling_text.endswith("1 lượt trả lời báo chí (về 1 vấn đề)")


def test_an_issue_from_outside_the_press_reports_what_was_done_too(tmp_path):
    """A parent's post entered by hand (monitor.intake) is a hot issue like a crawled one: its handling is said."""
    from monitor.digest_delivery import load_digest
    from monitor.intake import open_from_outside
    from monitor.report import load_report

    app = make_app(tmp_path)
    done = open_from_outside(app, title="Phụ huynh phản ánh trong nhóm Zalo lớp về khoản thu máy chiếu",
                             source_kind="mạng xã hội", source="Nhóm Zalo phụ huynh lớp 4A", by="Chị Lan",
                             at="08:00 26/11/2026", level="cao")
    app.clock.advance(minutes=30)
    update_case(app, done.case.id, by="Chị Lan", reported_to=["UBND quận Long Biên"])
    day = app.now().astimezone(app.config.office.tz).date() + timedelta(days=1)
    (item,) = load_digest(app, day).hot.items
    assert item.case_label == "đã tiếp nhận (đã báo cáo UBND quận Long Biên)"
    (issue,) = load_report(app, 2026, 11).hot_issues
    assert issue.reported_line == "Đã báo cáo: UBND quận Long Biên, ngày 26/11/2026"


def test_the_clipping_says_the_latest_of_what_was_noted_and_what_was_recorded(tmp_path):
    """A note written before a handling record is not "the latest thing done": both are said, latest first, the
    note mid-sentence without its capital."""
    from monitor.digest_delivery import load_digest

    app, case_id = _case(tmp_path)
    tz = app.config.office.tz
    day = app.now().astimezone(tz).date() + timedelta(days=1)
    update_case(app, case_id, by="Chị Lan", status="đang xử lý", note="Đã gọi điện cho hiệu trưởng Trường THCS Ngọc Lâm")
    (item,) = load_digest(app, day).hot.items
    assert item.outcome == "Việc đã làm gần nhất (ngày 26/11): Đã gọi điện cho hiệu trưởng Trường THCS Ngọc Lâm"
    app.clock.advance(hours=1)
    update_case(app, case_id, by="Chị Lan", reported_to=["UBND quận Long Biên"])
    (item,) = load_digest(app, day).hot.items
    assert item.outcome == ("Việc đã làm gần nhất (ngày 26/11): đã báo cáo UBND quận Long Biên; trước đó, cùng ngày: "
                            "đã gọi điện cho hiệu trưởng Trường THCS Ngọc Lâm")
    app.clock.advance(days=1)
    update_case(app, case_id, by="Chị Lan", answered_press=["Tuổi Trẻ"])
    (item,) = load_digest(app, day).hot.items
    assert item.outcome == ("Việc đã làm gần nhất (ngày 27/11): đã trả lời báo chí: Tuổi Trẻ; trước đó (ngày 26/11): "
                            "đã gọi điện cho hiệu trưởng Trường THCS Ngọc Lâm")
    app.clock.advance(hours=2)
    update_case(app, case_id, by="Chị Lan", status="đang xử lý", note="Nhà trường đã họp phụ huynh học sinh lớp 8A")
    (item,) = load_digest(app, day).hot.items
    assert item.outcome == "Việc đã làm gần nhất (ngày 27/11): Nhà trường đã họp phụ huynh học sinh lớp 8A"


def test_a_later_months_report_says_what_was_done_in_that_month_and_earlier_acts_as_earlier(tmp_path):
    """The plan (III.2) asks each month for the month's opinion "và kết quả xử lý": an issue reported again in a later
    month is accounted for with what was done in that month; what was done before is mentioned as earlier, once, and
    not counted again."""
    from monitor.cases import Handling
    from monitor.report import build_and_deliver_report, load_report
    from test_digest import TZ
    from test_report import make_app_for_month, seed_months

    app = make_app_for_month(tmp_path)
    _, fight = seed_months(app.store)  # a note on 11/11
    case_id = app.store.case_of_story(fight).id
    app.store.update_case(case_id, datetime(2026, 11, 14, 9, 0, tzinfo=TZ), by="Chị Lan", handling=[
        Handling(REPORTED, date(2026, 11, 12), "UBND quận Long Biên"), Handling(PRESS, date(2026, 11, 13), "Tuổi Trẻ")])
    app.store.update_case(case_id, datetime(2026, 12, 3, 9, 0, tzinfo=TZ), by="Chị Lan",
                          handling=[Handling(PRESS, date(2026, 12, 2), "Dân trí")])
    app.store.update_case(case_id, datetime(2026, 12, 4, 9, 0, tzinfo=TZ), by="Chị Lan", status="đã xử lý",
                          note="Gửi thông cáo báo chí về kết quả xử lý kỷ luật")
    nov = next(h for h in load_report(app, 2026, 11).hot_issues if h.story_id == fight)
    assert nov.reported_line == "Đã báo cáo: UBND quận Long Biên, ngày 12/11/2026"
    assert nov.press_line == "Đã trả lời báo chí: Tuổi Trẻ, ngày 13/11/2026" and nov.earlier_line == ""
    # the records are listed above it with their days: a note older than them is not "the latest", only dated
    assert nov.outcome == "Việc đã làm khác (ngày 11/11): Nhà trường đã họp phụ huynh, kỷ luật học sinh", \
        "December's note is December's"
    dec_report = load_report(app, 2026, 12)
    dec = next(h for h in dec_report.hot_issues if h.story_id == fight)
    assert dec.reported_line == "" and dec.press_line == "Đã trả lời báo chí: Dân trí, ngày 02/12/2026"
    assert dec.earlier_line == ("Trước tháng 12/2026: đã báo cáo UBND quận Long Biên (12/11/2026); đã trả lời báo chí: "
                                "Tuổi Trẻ (13/11/2026)")
    assert dec.outcome == "Việc đã làm gần nhất (ngày 04/12): Gửi thông cáo báo chí về kết quả xử lý kỷ luật"
    assert dec_report.handling_text == ("Kết quả xử lý: chưa ghi nhận vấn đề nào đã báo cáo cơ quan có thẩm quyền; "
                                        "1 lượt trả lời báo chí (về 1 vấn đề)")
    from test_digest import add_article as add_row, classify

    december = add_row(app.store, url="https://news.example.vn/hoi-giang.html", outlet="VnExpress",
                       title="Quận tổ chức hội giảng giáo viên dạy giỏi cấp THCS", published=datetime(2026, 12, 8, 9, 0, tzinfo=TZ))
    classify(app.store, [(december, dict(topics=["doi-ngu"], sentiment="positive"))], datetime(2026, 12, 8, 9, 0, tzinfo=TZ))
    app.store.log_fetch(source="vne", kind="feed", url="https://vnexpress.net/rss/giao-duc.rss",
                        started_at=datetime(2026, 12, 31, 8, 0, tzinfo=TZ), status=200, size=1000, duration_ms=50, outcome="ok")
    app.clock.now = datetime(2027, 1, 2, 1, 0, tzinfo=timezone.utc)
    result = build_and_deliver_report(app, 2026, 12, out_dir=tmp_path / "out", send=False)
    html = result.paths["html"].read_text(encoding="utf-8")
    docx = "\n".join(p.text for p in Document(io.BytesIO(result.paths["docx"].read_bytes())).paragraphs)
    for text in (html, docx):
        assert dec.earlier_line in text and dec.press_line in text and dec.outcome in text
        assert "Tuổi Trẻ, ngày 13/11/2026" not in text and "Đã báo cáo: UBND" not in text
