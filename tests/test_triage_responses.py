"""The office's own answer to an incident (an education authority "chỉ đạo làm rõ", "lên tiếng", takes a discipline
decision) joins the incident's story and is listed with it, but does not raise its level: leadership is not alerted
"Mức độ tăng" about their own answer. A new development (a police charge, another victim) still raises it, whatever
authority the article also quotes. All text invented."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import timedelta

from monitor.triage import run_triage
from test_triage_support import Cls, add_article, add_background, make_app

INCIDENT = ("Cô giáo Trường Tiểu học Phúc Đồng bị tố dùng thước đánh bầm tay học sinh lớp 3",
            "Phụ huynh một học sinh lớp 3 Trường Tiểu học Phúc Đồng (quận Long Biên) cho biết con bị cô giáo chủ nhiệm "
            "dùng thước gỗ đánh vào tay đến bầm tím vì chưa làm xong bài tập về nhà.")
RESPONSE = ("Phòng GD&ĐT quận Long Biên chỉ đạo làm rõ vụ cô giáo dùng thước đánh học sinh lớp 3 Trường Tiểu học Phúc Đồng",
            "Phòng GD&ĐT quận Long Biên đã yêu cầu Trường Tiểu học Phúc Đồng báo cáo vụ cô giáo chủ nhiệm dùng thước gỗ "
            "đánh bầm tay học sinh lớp 3, tạm thời không để cô giáo đứng lớp.")
RESPONSE_SPOKEN = ("Vụ học sinh lớp 3 Trường Tiểu học Phúc Đồng bị cô giáo đánh bầm tay: Phòng Giáo dục lên tiếng",
                   "Trao đổi với phóng viên, lãnh đạo Phòng Giáo dục và Đào tạo quận Long Biên cho biết đã nắm được vụ "
                   "cô giáo chủ nhiệm dùng thước gỗ đánh học sinh lớp 3 và đang xác minh.")
CHARGE = ("Công an quận Long Biên khởi tố vụ cô giáo dùng thước đánh bầm tay học sinh lớp 3 Trường Tiểu học Phúc Đồng",
          "Cơ quan cảnh sát điều tra Công an quận Long Biên đã khởi tố vụ án cố ý gây thương tích đối với cô giáo chủ "
          "nhiệm dùng thước gỗ đánh học sinh lớp 3 Trường Tiểu học Phúc Đồng.")
SECOND_VICTIM = ("Thêm một học sinh lớp 3 Trường Tiểu học Phúc Đồng bị cô giáo dùng thước đánh bầm tay",
                 "Sau vụ học sinh lớp 3 bị cô giáo chủ nhiệm dùng thước gỗ đánh bầm tay, thêm một phụ huynh cho biết con "
                 "cũng bị đánh; Phòng GD&ĐT quận Long Biên đã yêu cầu nhà trường báo cáo.")

HOT = Cls(hot_score=0.85, sentiment="negative", scope="local", reasons=("nóng 0.85: bạo lực, xâm hại (đánh (title))",))


def _alerted_at_watch(tmp_path):
    """(app, story): levels set so that the incident told by the district's own paper alone alerts "theo dõi" and one
    more national outlet's account of it "cao"; the incident alerted, and the cooldown past."""
    app = make_app(tmp_path)
    app.config = replace(app.config, alerts=replace(app.config.alerts,
                                                    thresholds=(("khẩn cấp", 95), ("cao", 80), ("theo dõi", 40))))
    add_background(app, app.now())
    run_triage(app)
    first = add_article(app, "Báo Long Biên", "incident", *INCIDENT, app.now() - timedelta(minutes=30), HOT)
    (alert,) = run_triage(app).alerts_queued
    assert app.store.alert(alert).severity == "theo dõi"
    app.clock.advance(minutes=90)  # past the cooldown: a rise would be sent now
    return app, app.store.story_of_article(first)


def test_the_offices_response_joins_the_alerted_story_without_raising_it(tmp_path):
    app, sid = _alerted_at_watch(tmp_path)
    answers = [add_article(app, outlet, slug, title, sapo, app.now() - timedelta(minutes=10), HOT)
               for outlet, slug, (title, sapo) in (("VnExpress", "response", RESPONSE),
                                                   ("Tuổi Trẻ", "response-spoken", RESPONSE_SPOKEN))]
    report = run_triage(app)
    assert {app.store.story_of_article(a) for a in answers} == {sid}, "the response joins the incident's story"
    assert report.alerts_queued == [], [app.store.alert(a).payload["change"] for a in report.alerts_queued]
    assert app.store.story(sid).severity == "theo dõi"
    assert sorted(app.store.story_explanation(sid)["responses"]) == sorted(answers)
    assert set(answers) <= {m["id"] for m in app.store.story_members(sid)}, "listed with the story and its case"
    app.clock.advance(hours=2)
    assert run_triage(app).alerts_queued == [], "nor later, once the cooldown is over"


def test_a_police_charge_after_the_response_still_raises_the_level_and_the_alert_marks_the_response(tmp_path):
    app, sid = _alerted_at_watch(tmp_path)
    answer = add_article(app, "VnExpress", "response", *RESPONSE, app.now() - timedelta(minutes=10), HOT)
    assert run_triage(app).alerts_queued == []
    app.clock.advance(minutes=20)
    charge = add_article(app, "Thanh Niên", "charge", *CHARGE, app.now() - timedelta(minutes=5), HOT)
    (alert_id,) = run_triage(app).alerts_queued
    assert app.store.story_of_article(charge) == sid
    alert = app.store.alert(alert_id)
    assert alert.kind == "escalation"
    assert alert.payload["change"] == f"Mức độ tăng từ theo dõi lên cao: bài mới của Thanh Niên “{CHARGE[0]}”"
    # the response is among the sources, marked, and not among the outlets counted
    (told,) = [s for s in alert.payload["sources"] if s["url"].endswith("/response.html")]
    assert told["response"] and not any(s["response"] for s in alert.payload["sources"] if s is not told)
    assert f"{RESPONSE[0]} [phản hồi của cơ quan]" not in alert.body  # the tag goes after the outlet and time
    line = next(x for x in alert.body.splitlines() if RESPONSE[0] in x)
    assert "[phản hồi của cơ quan]" in line, line
    assert "không kể 1 bài phản hồi của cơ quan" in alert.body
    assert answer in app.store.story_explanation(sid)["responses"]


def test_a_second_victim_raises_the_level_though_it_quotes_the_offices_answer(tmp_path):
    app, sid = _alerted_at_watch(tmp_path)
    victim = add_article(app, "Thanh Niên", "second", *SECOND_VICTIM, app.now() - timedelta(minutes=5), HOT)
    (alert_id,) = run_triage(app).alerts_queued
    assert app.store.story_of_article(victim) == sid
    assert app.store.alert(alert_id).payload["change"].startswith("Mức độ tăng từ theo dõi lên cao: bài mới của")


def test_what_reads_as_an_authoritys_response():
    from monitor.responses import is_response

    office = ("Phòng Giáo dục và Đào tạo quận Long Biên", "Phòng GD&ĐT quận Long Biên")
    assert is_response(*RESPONSE, office)
    assert is_response(*RESPONSE_SPOKEN, office)
    # the title alone; without diacritics; decomposed (NFD) and in capitals
    assert is_response("So GD&DT Ha Noi chi dao lam ro vu hoc sinh bi danh")
    assert is_response(unicodedata.normalize("NFD", "SỞ GD&ĐT HÀ NỘI LÊN TIẾNG VỤ HỌC SINH BỊ ĐÁNH"))
    assert is_response("UBND quận yêu cầu xử lý nghiêm vụ thu tiền sai quy định ở trường mầm non")
    # a discipline decision the office takes is its answer; a teacher disciplined, with no authority its subject, is
    # news (the school's decision, perhaps) the leader must be told
    assert is_response("Phòng GD&ĐT quận Long Biên kỷ luật cô giáo dùng thước đánh học sinh lớp 3", "", office)
    assert not is_response("Cô giáo dùng thước đánh học sinh lớp 3 bị kỷ luật cảnh cáo")
    # a new development, whoever is quoted with it
    assert not is_response(*CHARGE, office)
    assert not is_response(*SECOND_VICTIM, office)
    assert not is_response("Sở GD&ĐT chỉ đạo làm rõ vụ học sinh tử vong sau giờ ngoại khóa")
    # the authority suffering the verb, or only asked to act, is no subject; the Prime Minister taking it up is news
    assert not is_response("Giám đốc Sở GD&ĐT bị tạm đình chỉ công tác sau vụ lộ đề thi học kỳ")
    assert not is_response("Trường nói không sai phạm, mong Sở GD&ĐT sớm thanh tra làm rõ")
    assert is_response("Trường bị Sở GD&ĐT đề nghị giải thể vì không bảo đảm điều kiện dạy học")
    # an authority above the office stepping in is news, whatever the office also said: the ministry or the
    # province's committee for a Sở, and the Sở too for a Phòng
    assert not is_response("Vụ học sinh bị đánh hội đồng: Bộ GD&ĐT lên tiếng")
    assert not is_response("UBND tỉnh chỉ đạo làm rõ vụ thu tiền sai quy định, Sở GD&ĐT đã báo cáo")
    assert not is_response("Chủ tịch UBND thành phố yêu cầu xử lý nghiêm vụ học sinh bị bỏ đói ở trường mầm non")
    assert not is_response("Sở GD&ĐT Hà Nội chỉ đạo làm rõ vụ cô giáo đánh học sinh lớp 3", "", office, department=False)
    assert is_response("Sở GD&ĐT Hà Nội chỉ đạo làm rõ vụ cô giáo đánh học sinh lớp 3", "", (), department=True)
    assert is_response(*RESPONSE, office, department=False)
    assert not is_response("Thủ tướng yêu cầu Bộ GD&ĐT xử lý nghiêm sai phạm ở kỳ thi tuyển sinh")
    # the incident itself, and an authority only named in it
    assert not is_response(*INCIDENT, office)
    assert not is_response("Phụ huynh tố Phòng GD&ĐT làm ngơ việc trường thu quỹ lớp 2 triệu đồng")
    assert not is_response("Học sinh trường thuộc Phòng GD&ĐT quận bị ngộ độc sau bữa trưa")


def test_the_sos_directive_on_a_phongs_incident_still_raises_its_level(tmp_path):
    """For a Phòng the Sở is above: its stepping in tells leadership the issue has grown, not their own answer."""
    app, sid = _alerted_at_watch(tmp_path)
    assert not app.config.office.is_department
    directive = add_article(app, "VnExpress", "so-directive",
                            "Sở GD&ĐT Hà Nội chỉ đạo làm rõ vụ cô giáo dùng thước đánh học sinh lớp 3 Trường Tiểu học "
                            "Phúc Đồng",
                            "Sở GD&ĐT Hà Nội yêu cầu Phòng GD&ĐT quận Long Biên báo cáo vụ cô giáo chủ nhiệm dùng thước "
                            "gỗ đánh bầm tay học sinh lớp 3 trước ngày thứ Sáu.", app.now() - timedelta(minutes=10), HOT)
    (alert_id,) = run_triage(app).alerts_queued
    assert app.store.story_of_article(directive) == sid
    assert app.store.alert(alert_id).payload["change"].startswith("Mức độ tăng từ theo dõi lên cao: bài mới của VnExpress")
    assert directive not in app.store.story_explanation(sid).get("responses", [])
