"""A month's report written again later tells its hot issues' cases as they stood at the month's end (its notes and
actions already stopped there), with the status since said beside: else a report re-generated in December showed
"đã xử lý" under an issue still open when November ended, and part I counted it handled. Invented news, a real store.

The store keeps no record of a report being sent (a person may run `monitor report` any number of times; only the
service's job history names the month it sent, and housekeeping prunes it), so the month's end is the moment read."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

from docx import Document

from monitor.cases import DISMISSED
from monitor.report import build_and_deliver_report, load_report
from test_area_consistency import WARD_EXPLANATION, _case_from_october, _log_since_september
from test_digest import TZ, add_article, classify, make_app
from test_report import NOW, make_app_for_month

LATER = datetime(2026, 12, 10, 2, 0, tzinfo=timezone.utc)  # 09:00 on 10 December in Hà Nội
NOV = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)


def _hot_issue(app, opened: datetime | None = NOV + timedelta(hours=1)) -> tuple[int, int | None]:
    """A hot article of 20 November on the area as a story of its own, with its case opened at `opened`: (story,
    case)."""
    store = app.store
    aid = add_article(store, url="https://news.example.vn/tuong-rao.html", outlet="Tuổi Trẻ",
                      title="Tường rào trường tiểu học phường Ngọc Thụy đổ sau mưa lớn", published=NOV)
    classify(store, [(aid, dict(topics=["an-toan-truong-hoc"], sentiment="negative", hot=True, hot_score=0.7,
                                scope="local"))], NOW)
    story = store.create_story(aid, NOW)
    store.save_story_score(story, NOW, main_topic="an-toan-truong-hoc", n_outlets=1, hot_score=61.0, severity="cao",
                           reasons=[], explanation={})
    return story, store.open_case(story, opened)[0] if opened else None


def _month_then_december(tmp_path):
    """November: a hot issue on the area taken on (being handled at the month's end, handled on 5 December) and an
    October case still open at the month's end (handled on 4 December); the report read again on 10 December."""
    app = make_app_for_month(tmp_path)
    store = app.store
    _log_since_september(store)
    story, case = _hot_issue(app)
    store.update_case(case, NOV + timedelta(hours=3), by="Chị Lan", status="đang xử lý", owner="Chuyên viên Hà",
                      note="Đã yêu cầu nhà trường rào tạm, dừng dạy học ở dãy phòng gần tường")
    pending, pending_case = _case_from_october(store, "https://news.example.vn/thu-chi.html",
                                               "Phụ huynh phường Ngọc Thụy phản ánh khoản thu quỹ lớp vượt quy định",
                                               explanation=WARD_EXPLANATION)
    store.update_case(pending_case, datetime(2026, 10, 21, 9, 0, tzinfo=TZ), by="Chị Lan", status="đã tiếp nhận")
    store.update_case(pending_case, datetime(2026, 12, 4, 9, 0, tzinfo=TZ), by="Chị Lan", status="đã xử lý",
                      note="Nhà trường đã trả lại khoản thu")
    store.update_case(case, datetime(2026, 12, 5, 9, 0, tzinfo=TZ), by="Chị Lan", status="đã xử lý",
                      owner="Chuyên viên Minh", note="Đã xây lại tường rào")
    return make_app(tmp_path, now=LATER), story, pending


def _paragraphs(result) -> list[str]:
    return [p.text for p in Document(io.BytesIO(result.paths["docx"].read_bytes())).paragraphs]


def test_a_report_written_again_later_shows_each_case_as_it_stood_at_the_months_end(tmp_path):
    later, story, pending = _month_then_december(tmp_path)
    r = load_report(later, 2026, 11)
    (hot,) = r.hot_issues
    assert (hot.story_id, hot.case_status, hot.owner) == (story, "đang xử lý", "Chuyên viên Hà")
    assert hot.status_since == "cập nhật đến ngày 10/12/2026: đã xử lý"
    assert "xây lại" not in " ".join(hot.notes) + hot.outcome
    (held,) = r.pending
    assert (held.story_id, held.case_status, held.status_since) == (pending, "đã tiếp nhận",
                                                                    "cập nhật đến ngày 10/12/2026: đã xử lý")
    # part I counts what part III shows: the status at the month's end
    assert r.case_counts == (("đang xử lý", 1),)
    assert r.hot_text == ("1 vấn đề nóng trên địa bàn, trong đó 1 đang xử lý; 1 vụ việc trên địa bàn từ các tháng "
                          "trước còn tồn đọng (1 đã tiếp nhận)")
    result = build_and_deliver_report(later, 2026, 11, out_dir=tmp_path / "out", send=False)
    paragraphs = _paragraphs(result)
    assert ("Tình trạng xử lý: đang xử lý — cập nhật đến ngày 10/12/2026: đã xử lý; người phụ trách: Chuyên viên Hà"
            in paragraphs)
    assert "Tình trạng xử lý: đã tiếp nhận — cập nhật đến ngày 10/12/2026: đã xử lý" in paragraphs
    assert "- 1 vấn đề nóng trên địa bàn, trong đó 1 đang xử lý; 1 vụ việc trên địa bàn từ các tháng trước còn tồn " \
           "đọng (1 đã tiếp nhận)." in paragraphs
    html = result.paths["html"].read_text(encoding="utf-8")
    assert "<b>đang xử lý</b> — cập nhật đến ngày 10/12/2026: đã xử lý; người phụ trách: Chuyên viên Hà" in html
    assert html.count("cập nhật đến ngày 10/12/2026: đã xử lý") == 2


def test_the_report_of_the_month_just_ended_says_no_update(tmp_path):
    app = make_app_for_month(tmp_path)  # 1 December: nothing changed since the month's end
    _log_since_september(app.store)
    story, case = _hot_issue(app)
    app.store.update_case(case, NOV + timedelta(hours=3), by="Chị Lan", status="đang xử lý")
    (hot,) = load_report(app, 2026, 11).hot_issues
    assert (hot.case_status, hot.status_since) == ("đang xử lý", "")


def test_a_case_opened_after_the_month_is_no_case_of_the_month(tmp_path):
    app = make_app_for_month(tmp_path)
    _log_since_september(app.store)
    story, _ = _hot_issue(app, None)
    app.store.open_case(story, datetime(2026, 12, 3, 9, 0, tzinfo=TZ))  # hot in November, its case opened in December
    (hot,) = load_report(make_app(tmp_path, now=LATER), 2026, 11).hot_issues
    assert hot.case_status == "chưa có hồ sơ xử lý"
    assert hot.status_since == "cập nhật đến ngày 10/12/2026: chưa tiếp nhận xử lý"


def test_a_finding_since_that_it_was_no_hot_issue_holds_for_the_month(tmp_path):
    """Unlike a status, a person's finding made later (a false alarm, another area's, carried on by another case) is
    about the issue itself: the report written again counts it as the pending list always did."""
    later, story, _ = _month_then_december(tmp_path)
    (case,) = [c for c in later.store.cases_between(NOV - timedelta(days=1), NOV + timedelta(days=1))
               if c.story_id == story]
    aid = later.store.story(story).first_article_id
    later.store.dismiss_case(case.id, LATER, by="Chị Lan", status=DISMISSED, note="tin cũ",
                             education={aid: True}, label_note="tin cũ")
    r = load_report(later, 2026, 11)
    assert (r.hot_issues, r.false_alarms) == ((), 1)


def test_an_owner_named_after_the_months_end_is_not_the_months(tmp_path):
    """A case nobody had taken on by the month's end, given an owner in December: the report read again names no
    owner beside its status then, as it names none of the notes written since."""
    app = make_app_for_month(tmp_path)
    _log_since_september(app.store)
    story, case = _hot_issue(app)
    app.store.update_case(case, datetime(2026, 12, 5, 9, 0, tzinfo=TZ), by="Chị Lan", status="đang xử lý",
                          owner="Chuyên viên Minh")
    (hot,) = load_report(make_app(tmp_path, now=LATER), 2026, 11).hot_issues
    assert (hot.case_status, hot.owner) == ("mới", "")
    assert hot.status_since == "cập nhật đến ngày 10/12/2026: đang xử lý"


def test_an_issue_handled_then_and_opened_again_since_says_it_was_reopened():
    """An archive that showed a case handled, read after news reopened it: "mở lại (…)", not a bare status that
    reads as the handling undone; a closing since, or a step forward, is said as before."""
    from monitor.cases import status_since
    from monitor.report import STATUS_WORDS

    assert status_since("đã xử lý", "mới", LATER, STATUS_WORDS) == "cập nhật đến ngày 10/12/2026: mở lại (chưa tiếp nhận xử lý)"
    assert status_since("đã xử lý", "mới", LATER) == "cập nhật đến ngày 10/12/2026: mở lại (mới)"
    assert status_since(DISMISSED, "đang xử lý", LATER) == "cập nhật đến ngày 10/12/2026: mở lại (đang xử lý)"
    assert status_since("đang xử lý", "đã xử lý", LATER) == "cập nhật đến ngày 10/12/2026: đã xử lý"
    assert status_since("mới", "đã tiếp nhận", LATER) == "cập nhật đến ngày 10/12/2026: đã tiếp nhận"


def test_a_false_alarm_news_opened_again_since_is_a_reopened_hot_issue_not_a_false_alarm(tmp_path):
    """Dismissed in November; in December news raised its story above the level it was dismissed at and triage opened
    it again (monitor.triage.dismissed_rise): November's report read again lists it among the hot issues, its status
    then with "mở lại" beside it, and no longer counts it among the false alarms; the period report follows."""
    from monitor.period_report import load_period

    app = make_app_for_month(tmp_path)
    _log_since_september(app.store)
    story, case = _hot_issue(app)
    aid = app.store.story(story).first_article_id
    app.store.dismiss_case(case, NOV + timedelta(days=5), by="Chị Lan", status=DISMISSED, note="tin cũ",
                           education={aid: True}, label_note="tin cũ")
    assert load_report(app, 2026, 11).false_alarms == 1
    app.store.reopen_handled_case(case, datetime(2026, 12, 5, 9, 0, tzinfo=TZ), closed_as=DISMISSED,
                                  note="Mở lại: sự việc đã được đánh dấu «cảnh báo nhầm» ngày 25/11/2026 ở mức «cao», "
                                       "nay lên mức «khẩn cấp» (điểm 96) qua 3 bài mới từ đó: bài 9 (Dân Trí)")
    later = make_app(tmp_path, now=LATER)
    r = load_report(later, 2026, 11)
    assert r.false_alarms == 0
    (hot,) = r.hot_issues
    assert (hot.story_id, hot.case_status) == (story, DISMISSED)
    assert hot.status_since == "cập nhật đến ngày 10/12/2026: mở lại (chưa tiếp nhận xử lý)"
    # one issue counted once: not also "1 cảnh báo nhầm" among the issues while no false alarm is counted
    assert "cảnh báo nhầm, sau mở lại" in r.hot_text and "trong đó 1 cảnh báo nhầm" not in r.hot_text, r.hot_text
    assert sum(n for _, n in r.case_counts) == len(r.own_issues)
    assert load_period(later, (2026, 10), (2026, 11)).false_alarms == 0
