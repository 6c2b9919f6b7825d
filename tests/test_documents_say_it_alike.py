"""What leadership receives says the same thing the same way in the clipping, the report and the alerts: a time as
"15:30 ngày 27/11/2026", a topic quoted as “…”, "tin, bài" for what is counted, each chart saying what one of its
columns counts; and the DOCX's closing and chart laid out at the width they are read."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from docx import Document
from PIL import Image

from monitor.docx_render import CLOSING_WIDTHS_CM, TEXT_WIDTH_CM, render_docx
from monitor.report import build_and_deliver_report, load_report
from test_digest import TZ, article, cls
from test_render import digest_with
from test_report import make_app_for_month, seed_months

SHORT_TIME = re.compile(r"\b\d{2}:\d{2} \d{2}/\d{2}/\d{4}\b")  # "15:30 27/11/2026", the CLI's short form


def test_an_alert_writes_its_times_as_the_clipping_does(tmp_path):
    from monitor.notify import compose_alert
    from monitor.triage import AlertDecision, run_triage, story_score
    from test_triage_support import FIGHT_SAPO, FIGHT_TITLE, add_article, make_app

    app = make_app(tmp_path)
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    (case_id,) = run_triage(app).cases_opened
    case = app.store.case(case_id)
    members = app.store.story_members(case.story_id)
    score = story_score(app, case.story_id, members, app.store.classifications_for([m["id"] for m in members]), app.now())
    _, body, payload = compose_alert(app.config, case.story_id, score, members, AlertDecision("new", ""), case)
    first = members[0]["when"].astimezone(app.config.office.tz)
    assert f"Đăng đầu tiên: {first:%H:%M} ngày {first:%d/%m/%Y} trên VnExpress" in body, body
    assert f"VnExpress ({first:%H:%M} ngày {first:%d/%m/%Y})" in body, body
    assert not SHORT_TIME.search(body), body
    assert payload["sources"][0]["published"] == first.isoformat()  # the machine's copy stays ISO
    app.close()


def _clipping():
    t0 = datetime(2026, 11, 25, 20, 0, tzinfo=TZ)
    return digest_with([article(1, "Sở GD&ĐT công bố lịch thi học kỳ I", "VnExpress", t0)],
                       {1: cls(1, topics=["chinh-sach"])})


def test_each_chart_says_what_a_column_counts():
    """The clipping's chart counts each clipping's window (its last column is the clipping's count), the report's
    counts calendar days: under the same date the two may differ, and each says which it is."""
    from monitor.render import render_html, render_markdown

    d = _clipping()
    assert d.trend_title == "Tin giáo dục theo kỳ điểm báo (07:00 hôm trước – 07:00), theo sắc thái"
    note = "Mỗi cột là một kỳ điểm báo: tin, bài đăng từ 07:00 hôm trước đến 07:00 ngày ghi dưới cột"
    assert note in d.trend_note
    assert note in render_html(d, chart_src="chart.png")
    assert note in render_markdown(d, chart_src="chart.png")
    paragraphs = [p.text for p in Document(io.BytesIO(render_docx(d, chart_png=_png()))).paragraphs]
    assert any(note in p for p in paragraphs), paragraphs


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (600, 220), "white").save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    app = make_app_for_month(tmp)
    seed_months(app.store)
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp / "out", send=False)
    report = load_report(app, 2026, 11)
    return app, result, report


def test_the_reports_chart_says_it_counts_days_of_publication(month):
    from monitor.report import DAILY_CHART_NOTE

    _, result, _ = month
    assert "theo ngày đăng" in DAILY_CHART_NOTE or "đăng trong ngày" in DAILY_CHART_NOTE
    html = result.paths["html"].read_text(encoding="utf-8")
    assert DAILY_CHART_NOTE in html
    doc = Document(io.BytesIO(result.paths["docx"].read_bytes()))
    assert DAILY_CHART_NOTE in [p.text for p in doc.paragraphs]


def test_the_reports_chart_is_printed_at_the_size_it_was_drawn(month):
    """Across the text's width, and drawn at that size (100 dpi): a chart drawn wider and shrunk to the page prints
    its labels at 5 pt, its bars in a strip."""
    _, result, _ = month
    doc = Document(io.BytesIO(result.paths["docx"].read_bytes()))
    (shape,) = doc.inline_shapes
    printed_cm = shape.width.cm
    assert TEXT_WIDTH_CM - 1 <= printed_cm <= TEXT_WIDTH_CM
    png = _picture_bytes(doc)
    width_px, height_px = Image.open(io.BytesIO(png)).size
    drawn_cm = width_px / 100 * 2.54
    assert abs(drawn_cm - printed_cm) / printed_cm < 0.05, (drawn_cm, printed_cm)
    assert shape.height.cm >= 6, shape.height.cm


def _picture_bytes(doc) -> bytes:
    (part,) = [p for p in doc.part.related_parts.values() if p.content_type == "image/png"]
    return part.blob


def test_the_reports_prose_quotes_topics_as_an_official_text_does(month):
    _, result, report = month
    prose = " ".join(report.assessment)
    assert "“An ninh, an toàn trường học” (2)" in prose, prose
    assert '"' not in prose, prose
    html = result.paths["html"].read_text(encoding="utf-8")
    assert "“An ninh, an toàn trường học” (2)" in html
    assert "&#34;An ninh" not in html and "&quot;An ninh" not in html


def test_the_commands_line_counts_tin_bai_as_the_documents(month):
    _, result, _ = month
    assert re.search(r"Báo cáo tháng 11/2026: \d+ tin, bài về giáo dục, \d+ vấn đề nóng", result.message), result.message
    assert " bài giáo dục" not in result.message


def test_a_note_after_a_colon_mid_sentence_drops_its_capital_but_not_a_names():
    from monitor.cases import mid_sentence

    assert mid_sentence("Đã chỉ đạo nhà trường mời phụ huynh") == "đã chỉ đạo nhà trường mời phụ huynh"
    assert mid_sentence("Hiệu trưởng Nguyễn Văn An đã báo cáo") == "hiệu trưởng Nguyễn Văn An đã báo cáo"
    for name in ("UBND quận đã họp", "Nguyễn Văn An gọi điện", "Sở GD&ĐT yêu cầu báo cáo", "“Trường” đã họp", "A"):
        assert mid_sentence(name) == name
    # a body named as official writing names it, without a proper name after it, keeps its capital too
    for name in ("Sở đăng thông cáo bác bỏ tin đồn", "Công an tỉnh đang xác minh", "Trường đã hoàn trả tiền",
                 "Phòng đã cử đoàn kiểm tra", "Ủy ban nhân dân xã đã làm việc"):
        assert mid_sentence(name) == name
    assert mid_sentence("Phòng học được sửa xong") == "phòng học được sửa xong"
    assert mid_sentence("Đoàn công tác đã về trường") == "đoàn công tác đã về trường"


def _text_width_cm(text: str, size_pt: float, *, italic=False) -> float | None:
    name = "LiberationSerif-Italic.ttf" if italic else "LiberationSerif-Regular.ttf"
    font_file = next((p for p in (Path("/usr/share/fonts/truetype/liberation2") / name,
                                  Path("/usr/share/fonts/truetype/liberation") / name) if p.is_file()), None)
    if font_file is None:
        return None
    from PIL import ImageFont

    return ImageFont.truetype(str(font_file), 1000).getlength(text) / 1000 * size_pt / 72 * 2.54


def test_the_clippings_noi_nhan_lines_do_not_wrap():
    """With no one signing, the clipping's Nơi nhận takes the text's width: in half of it (8.5 cm) "Bộ phận truyền
    thông Phòng GD&ĐT quận Long Biên;" wrapped."""
    doc = Document(io.BytesIO(render_docx(_clipping())))
    closing = doc.tables[-1]
    assert len(closing.columns) == 1
    cell = closing.cell(0, 0)
    assert cell.width.cm == pytest.approx(TEXT_WIDTH_CM, abs=0.01)
    lines = [p for p in cell.paragraphs if p.text.startswith("- ")]
    assert any("Bộ phận truyền thông" in p.text for p in lines)
    for p in lines:
        width = _text_width_cm(p.text, p.runs[0].font.size.pt if p.runs[0].font.size else 11)
        if width is None:
            pytest.skip("no Liberation Serif to measure with")
        assert width < TEXT_WIDTH_CM - 0.4, (p.text, width)


def test_a_signed_reports_closing_keeps_its_two_columns(month):
    _, result, _ = month
    closing = Document(io.BytesIO(result.paths["docx"].read_bytes())).tables[-1]
    assert len(closing.columns) == 2
    assert [round(c.width.cm, 2) for c in closing.rows[0].cells] == list(CLOSING_WIDTHS_CM)


def test_an_intake_items_time_reads_as_the_clippings():
    from monitor.models import IntakeItem

    when = datetime(2026, 11, 25, 13, 15, tzinfo=timezone.utc)
    item = IntakeItem(id=1, story_id=1, title="t", source_kind="mạng xã hội", source="s", url=None, happened_at=when,
                      summary="", entered_at=when, entered_by="x")
    assert item.when_label(TZ) == "20:15 ngày 25/11/2026"
    assert replace(item, day_only=True).when_label(TZ) == "ngày 25/11/2026"
