"""The monthly report's part I reads consistently to leadership: a hot issue on the office's area with no article in
the month (entered from outside the press, or carried by the press in an earlier month and back by a change of its
case) is said beside the area's count of articles, never a bare "0" beside it."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

from docx import Document

from monitor.cases import update_case
from monitor.intake import open_from_outside
from monitor.report import build_and_deliver_report, load_report
from monitor.triage import run_triage
from test_triage_support import EXAM_SAPO, EXAM_TITLE, FIGHT_SAPO, FIGHT_TITLE, Cls, add_article, make_app

OCTOBER = datetime(2026, 10, 20, 2, 0, tzinfo=timezone.utc)  # 09:00 in Hà Nội
# invented for this test
CALL_TITLE = "Phụ huynh gọi đường dây nóng phản ánh trường mầm non thu tiền điều hòa ngoài quy định"


def _month(tmp_path, *, from_press_earlier: bool, from_outside: bool):
    app = make_app(tmp_path, OCTOBER)
    if from_press_earlier:
        add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(hours=2))
        run_triage(app)
    app.clock.now = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)
    # the month's only education article is the city's, not the district's
    add_article(app, "Dân Trí", "lich-thi", EXAM_TITLE, EXAM_SAPO, app.now() - timedelta(hours=3),
                Cls(hot_score=0.1, sentiment="neutral", scope="city", topics=("tuyen-sinh",), reasons=()))
    if from_press_earlier:
        (case,) = app.store.cases_open_at(app.now(), ("mới",))
        update_case(app, case.id, by="Nguyễn Thị Lan", status="đang xử lý", note="Đã làm việc với nhà trường")
    if from_outside:
        # the call names no place: the clerk who took it says it is about a school of the district
        open_from_outside(app, title=CALL_TITLE, source_kind="đường dây nóng", source="Đường dây nóng của Phòng",
                          by="Nguyễn Thị Lan", at="08:30 26/11/2026", level="cao", scope="local")
    run_triage(app)
    return app


def _part_one(result) -> tuple[str, str]:
    html = result.paths["html"].read_text(encoding="utf-8")
    docx = "\n".join(p.text for p in Document(io.BytesIO(result.paths["docx"].read_bytes())).paragraphs)
    return html, docx


def test_an_issue_entered_by_hand_is_said_beside_the_areas_zero_articles(tmp_path):
    app = _month(tmp_path, from_press_earlier=False, from_outside=True)
    r = load_report(app, 2026, 11)
    assert r.local.count == 0 and [h.title for h in r.own_issues] == [CALL_TITLE]
    line = ("Tin, bài trên địa bàn quận Long Biên: 0 (0 sự việc); ngoài ra, 1 vấn đề nóng trên địa bàn (mục III) được "
            "tiếp nhận từ nguồn ngoài báo chí, không tính vào số tin, bài này")
    assert r.local_text == line
    for text in _part_one(build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)):
        assert line in text


def test_an_issue_the_press_carried_last_month_says_it_had_no_new_article(tmp_path):
    app = _month(tmp_path, from_press_earlier=True, from_outside=False)
    r = load_report(app, 2026, 11)
    (issue,) = r.own_issues
    assert r.local.count == 0 and issue.title == FIGHT_TITLE and issue.articles_in_month == 0
    assert r.local_text.endswith("; ngoài ra, 1 vấn đề nóng trên địa bàn (mục III) đã được báo chí đưa tin trước "
                                 "tháng 11/2026, trong tháng không có tin, bài mới")
    assert issue.since_label == "từ 20/10/2026 (trong tháng không có tin, bài mới)"
    for text in _part_one(build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)):
        assert "trong tháng không có tin, bài mới" in text and "từ 20/10/2026 (trong tháng không có tin, bài mới)" in text


def test_both_kinds_are_counted_apart_and_an_issue_with_articles_adds_nothing(tmp_path):
    app = _month(tmp_path, from_press_earlier=True, from_outside=True)
    r = load_report(app, 2026, 11)
    assert r.local_text.endswith("; ngoài ra, 2 vấn đề nóng trên địa bàn (mục III) không có tin, bài trong tháng: "
                                 "1 tiếp nhận từ nguồn ngoài báo chí, 1 đã được báo chí đưa tin trước tháng 11/2026")
    # October's report: the story's article is in that month's figures, so nothing is added
    october = load_report(app, 2026, 10)
    assert october.local.count == 1 and october.local_text == "Tin, bài trên địa bàn quận Long Biên: 1 (1 sự việc)"
    assert october.own_issues[0].since_label == "từ 20/10/2026"
