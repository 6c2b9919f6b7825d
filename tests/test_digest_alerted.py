"""A hot story's score is scored again as articles join it, and its velocity fades with the hours: leadership alerted
"khẩn cấp" at 20:00 reads the story next morning in the clipping at a lower level. The clipping says what the alert
told and when, beside today's reading and why it is lower, so the two do not read as a contradiction. All text
invented."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from io import BytesIO

from docx import Document

from monitor.digest_delivery import load_digest
from monitor.docx_render import render_docx
from monitor.notify import deliver_outbox
from monitor.render import render_html, render_markdown, render_text
from monitor.triage import run_triage
from test_triage_support import (FIGHT_REWRITE_SAPO, FIGHT_REWRITE_TITLE, FIGHT_SAPO, FIGHT_TITLE, Cls, HttpReceiver,
                                 add_article, free_port, make_app, reprint)

EVENING = datetime(2026, 11, 27, 13, 0, tzinfo=timezone.utc)  # 20:00 on 27/11 in Hà Nội
DAY = date(2026, 11, 28)
# five outlets' own accounts of one fight within three hours: it spreads fast
ACCOUNTS = [
    ("VnExpress", FIGHT_TITLE, FIGHT_SAPO),
    ("Tuổi Trẻ", FIGHT_REWRITE_TITLE, FIGHT_REWRITE_SAPO),
    ("Thanh Niên", "Công an vào cuộc vụ nữ sinh THCS Ngọc Lâm bị đánh hội đồng",
     "Công an phường Ngọc Lâm đã mời bốn nữ sinh lớp 8 cùng phụ huynh lên làm việc về clip đánh bạn lan truyền "
     "trên mạng xã hội."),
    ("Dân Trí", "Phụ huynh bức xúc vì nữ sinh lớp 8 ở Long Biên bị bạn đánh, quay clip",
     "Gia đình nữ sinh lớp 8 Trường THCS Ngọc Lâm cho biết con bị hoảng loạn, phải nghỉ học sau khi bị bốn bạn "
     "đánh hội đồng chiều 24/11."),
    ("VietnamNet", "Nữ sinh bị đánh hội đồng ở Ngọc Lâm: nhà trường nói gì?",
     "Hiệu trưởng Trường THCS Ngọc Lâm thừa nhận có vụ nữ sinh lớp 8 bị bạn đánh sau giờ tan học, đoạn clip được "
     "quay rồi đăng lên mạng xã hội."),
]


def _alerted_then_quiet(tmp_path, channels):
    """The fight alerted at 20:00 (delivered on `channels`), then a reprint at 05:00 scores it again, slower."""
    app = make_app(tmp_path, EVENING, channels=channels)
    for k, (outlet, title, sapo) in enumerate(ACCOUNTS):
        add_article(app, outlet, f"danh-{k}", title, sapo, EVENING - timedelta(hours=3) + timedelta(minutes=30 * k),
                    Cls(hot_score=0.6))
    report = run_triage(app)
    (story,) = report.rescored
    (alert,) = app.store.alerts_for_story(story)
    deliver_outbox(app)
    app.clock.advance(hours=9)  # 05:00 on 28/11
    title, sapo = reprint(FIGHT_TITLE, FIGHT_SAPO, 3)
    add_article(app, "Báo Long Biên", "danh-dang-lai", title, sapo, app.now() - timedelta(minutes=30), Cls(hot_score=0.6))
    run_triage(app)
    assert app.store.alerts_for_story(story) == [alert]  # lower: no new alert
    app.clock.advance(hours=2, minutes=30)  # 07:30, the clipping's time
    return app, story, alert


def test_the_clipping_says_the_level_leadership_was_alerted_at_beside_a_lower_reading_now(tmp_path):
    hook = HttpReceiver(free_port()).start()
    try:
        app, story, alert = _alerted_then_quiet(tmp_path, [{"kind": "webhook", "url": hook.url}])
    finally:
        hook.stop()
    assert len(hook.requests) == 1
    now = app.store.story(story)
    assert alert.severity == "khẩn cấp" and now.severity == "cao" and now.hot_score < alert.hot_score
    digest = load_digest(app, DAY)
    said = (f"Đã cảnh báo lúc 20:00 ngày 27/11/2026: mức khẩn cấp ({int(alert.hot_score)}/100); nay: mức cao "
            f"({int(now.hot_score)}/100), tin không còn lan nhanh")
    text = render_text(digest)
    assert said in text
    assert said in render_markdown(digest) and said in render_html(digest)
    assert said in "\n".join(p.text for p in Document(BytesIO(render_docx(digest))).paragraphs)
    # the badge and the score stay today's reading, as the summary's count by level
    assert f"[CAO] Tình trạng xử lý: chưa tiếp nhận xử lý · mức độ nóng {int(now.hot_score)}/100" in text
    assert "Vấn đề nóng: 1 (cao 1)" in text


def test_an_alert_that_reached_no_one_is_not_said_to_have_been_sent(tmp_path):
    app, story, _ = _alerted_then_quiet(tmp_path, [])
    text = render_text(load_digest(app, DAY))
    assert "[CAO] Tình trạng xử lý" in text and "Đã cảnh báo" not in text


def test_no_line_when_the_story_reads_as_it_was_told():
    from zoneinfo import ZoneInfo

    from monitor.digest import AlertTold, alerted_line

    tz, order = ZoneInfo("Asia/Ho_Chi_Minh"), ["khẩn cấp", "cao", "theo dõi"]
    told = [AlertTold("cao", 66.4, EVENING, {"velocity": 5.0}), AlertTold("khẩn cấp", 82.7, EVENING + timedelta(hours=2),
                                                                           {"velocity": 10.0, "negativity": 15.0})]
    assert alerted_line(told, "khẩn cấp", 82.9, {"velocity": 10.0}, order, tz) == ""  # same reading
    assert alerted_line(told, "khẩn cấp", 90.0, {"velocity": 10.0}, order, tz) == ""  # risen: its own alert tells it
    assert alerted_line([], "theo dõi", 41.0, {}, order, tz) == ""
    # the highest level told, at its time; every signal that fell, the larger first
    assert alerted_line(told, None, 38.0, {"velocity": 0.0, "negativity": 7.5}, order, tz) == (
        "Đã cảnh báo lúc 22:00 ngày 27/11/2026: mức khẩn cấp (82/100); nay: dưới các mức cảnh báo (38/100), "
        "tin không còn lan nhanh, ít báo đưa tin tiêu cực hơn")
