"""The monthly report: counts against the previous month, hot issues with their handling, DOCX and HTML."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

from click.testing import CliRunner
from docx import Document

from monitor.report import build_and_deliver_report, load_report, month_bounds
from test_digest import TZ, add_article, classify, make_app

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)  # 08:00 on 1 December in Hà Nội


def seed_months(store):
    """November: 6 education articles (one a reprint) + 1 non-education; October: 3 education articles."""
    nov = datetime(2026, 11, 10, 9, 0, tzinfo=TZ)
    oct_ = datetime(2026, 10, 12, 9, 0, tzinfo=TZ)
    ids = {}
    spec = [
        ("bao-luc", nov, "VnExpress", "Học sinh lớp 8 bị bạn đánh hội đồng <b>ngoài cổng trường</b>",
         dict(topics=["an-toan-truong-hoc"], sentiment="negative", hot=True, hot_score=0.9, scope="local")),
        ("bao-luc-2", nov + timedelta(hours=2), "Dân trí", "Học sinh lớp 8 bị bạn đánh hội đồng ngoài cổng trường",
         dict(topics=["an-toan-truong-hoc"], sentiment="negative", hot=True, hot_score=0.9, scope="local")),
        ("khen", nov + timedelta(days=3), "Tuổi Trẻ", "Thầy giáo Long Biên được tuyên dương vì sáng kiến dạy học số",
         dict(topics=["guong-dien-hinh", "chuyen-doi-so"], sentiment="positive", scope="local")),
        ("huy-chuong", nov + timedelta(days=5), "Thanh Niên", "Đội tuyển học sinh giỏi giành 3 huy chương quốc tế",
         dict(topics=["doi-moi-chat-luong"], sentiment="positive")),
        ("lich-thi", nov + timedelta(days=7), "VnExpress", "Công bố lịch thi học kỳ I",
         dict(topics=["tuyen-sinh"], sentiment="neutral")),
        ("khac", nov + timedelta(days=8), "VnExpress", "Trường đại học mở ngành mới",
         dict(topics=[], sentiment="neutral")),
        ("gia-vang", nov + timedelta(days=8), "VnExpress", "Giá vàng tăng mạnh", dict(edu=False)),
        ("o1", oct_, "VnExpress", "Tin tháng trước 1", dict(topics=["tuyen-sinh"], sentiment="neutral")),
        ("o2", oct_ + timedelta(days=1), "Dân trí", "Tin tháng trước 2", dict(topics=["tuyen-sinh"], sentiment="negative")),
        ("o3", oct_ + timedelta(days=2), "VnExpress", "Tin tháng trước 3", dict(topics=["chinh-sach"], sentiment="positive")),
    ]
    items = []
    for key, when, outlet, title, kw in spec:
        ids[key] = add_article(store, url=f"https://news.example.vn/{key}.html", outlet=outlet, title=title, published=when)
        items.append((ids[key], kw))
    classify(store, items, NOW)
    story = store.create_story(ids["bao-luc"], NOW)
    store.add_story_member(story, ids["bao-luc-2"], NOW, similarity=0.95, matched_id=ids["bao-luc"], reprint=True)
    store.save_story_score(story, NOW, main_topic="an-toan-truong-hoc", n_outlets=2, hot_score=82.0, severity="khẩn cấp",
                           reasons=["bạo lực học đường"], explanation={})
    case_id, _ = store.open_case(story, nov + timedelta(hours=3))
    store.update_case(case_id, nov + timedelta(days=1), by="chuyên viên", status="đã xử lý", owner="Chuyên viên Hà",
                      note="Nhà trường đã họp phụ huynh, kỷ luật học sinh")
    return ids, story


def test_month_bounds_are_office_calendar_months():
    app = make_app_for_month(None)
    start, end = month_bounds(2026, 12, app.config.office)
    assert start == datetime(2026, 12, 1, tzinfo=TZ) and end == datetime(2027, 1, 1, tzinfo=TZ)


def make_app_for_month(tmp_path):
    from pathlib import Path

    return make_app(tmp_path or Path("/nonexistent"), now=NOW)


def test_report_counts_against_previous_month(tmp_path):
    app = make_app_for_month(tmp_path)
    ids, story = seed_months(app.store)
    r = load_report(app, 2026, 11)
    assert (r.total.count, r.total.previous, r.total.change) == (6, 3, "+100%")
    tone = {t.label: (t.count, t.previous) for t in r.tone}
    assert tone == {"Tích cực": (2, 1), "Trung tính": (2, 1), "Tiêu cực": (2, 1)}
    topics = {t.label: (t.count, t.previous) for t in r.topics}
    assert topics["An ninh, an toàn trường học"] == (2, 0)
    assert topics["Thi tuyển sinh lớp 10, tuyển sinh đầu cấp"] == (1, 2)
    assert topics["Tin giáo dục không thuộc chủ đề của kế hoạch"] == (1, 0)
    assert [t.label for t in r.topics][0] == "Chủ trương, chính sách, pháp luật về giáo dục"  # plan order
    assert r.outlets[0].label == "VnExpress" and r.outlets[0].count == 3
    assert r.local.count == 3
    assert len(r.hot_issues) == 1
    hot = r.hot_issues[0]
    assert (hot.story_id, hot.case_status, hot.owner, hot.outlets, hot.severity) == (story, "đã xử lý", "Chuyên viên Hà", 2, "khẩn cấp")
    assert hot.notes == ("11/11: Nhà trường đã họp phụ huynh, kỷ luật học sinh",)
    assert [p.title for p in r.positive][0].startswith("Thầy giáo Long Biên")  # local first
    assert r.positive_total == 2
    assert len(r.daily) == 30 and sum(d.total for d in r.daily) == 6


def test_report_files_docx_and_html(tmp_path):
    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    assert result.status == "written"
    assert sorted(result.paths) == ["chart", "docx", "html"]
    doc = Document(io.BytesIO(result.paths["docx"].read_bytes()))
    paragraphs = [p.text for p in doc.paragraphs]
    for head in ("I. TỔNG QUAN", "II. THEO CHỦ ĐỀ CỦA KẾ HOẠCH TRUYỀN THÔNG", "III. THEO SẮC THÁI",
                 "IV. THEO CƠ QUAN BÁO CHÍ", "V. VẤN ĐỀ NÓNG VÀ KẾT QUẢ XỬ LÝ", "VI. TIN TÍCH CỰC CẦN LAN TỎA"):
        assert head in paragraphs
    assert "Tình trạng xử lý: đã xử lý; người phụ trách: Chuyên viên Hà" in paragraphs
    header = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert "Long Biên, ngày 01 tháng 12 năm 2026" in header
    topic_table = doc.tables[1]
    assert topic_table.rows[0].cells[0].text == "Chủ đề" and len(topic_table.rows) == 1 + 17 + 1
    # the administrative layout's end and page numbers: "Nơi nhận" beside the signer, pages numbered at the
    # top from the second on
    closing = doc.tables[-1].rows[0].cells
    assert closing[0].text.startswith("Nơi nhận:") and closing[1].text.startswith("TRƯỞNG PHÒNG")
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml and "fldChar" in section.header._element.xml
    html = result.paths["html"].read_text(encoding="utf-8")
    assert "&lt;b&gt;ngoài cổng trường&lt;/b&gt;" in html and "<b>ngoài cổng trường</b>" not in html
    assert f'src="{result.paths["chart"].name}"' in html and result.paths["chart"].is_file()


def test_empty_month_still_reports(tmp_path):
    app = make_app_for_month(tmp_path)
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False, formats=["docx"])
    doc = Document(io.BytesIO(result.paths["docx"].read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Không có vấn đề nóng trong tháng." in text and "Không có tin tích cực trong tháng." in text


def test_cli_report(tmp_path, monkeypatch):
    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    from monitor.cli import cli

    monkeypatch.setattr("monitor.cli.digest.get_app", lambda ctx: app)
    runner = CliRunner()
    ok = runner.invoke(cli, ["report", "--month", "2026-11", "--format", "html", "--out", str(tmp_path / "r")])
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "r" / "bao-cao-thang-2026-11.html").is_file()
    assert not (tmp_path / "r" / "bao-cao-thang-2026-11.docx").exists()
    bad = runner.invoke(cli, ["report", "--month", "11/2026"])
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output


def _hot_story_with_case(app, url: str, title: str, published: datetime) -> tuple[int, int, int]:
    """One article, classified hot, as a story of its own scored «cao», with its case: (article, story, case)."""
    aid = add_article(app.store, url=url, outlet="Tuổi Trẻ", title=title, published=published)
    classify(app.store, [(aid, dict(topics=["an-toan-truong-hoc"], sentiment="negative", hot=True, hot_score=0.7))], NOW)
    story = app.store.create_story(aid, NOW)
    app.store.save_story_score(story, NOW, main_topic="an-toan-truong-hoc", n_outlets=1, hot_score=61.0, severity="cao",
                               reasons=["bạo lực học đường"], explanation={})
    case_id, _ = app.store.open_case(story, published + timedelta(hours=1))
    return aid, story, case_id


def test_a_dismissed_false_alarm_is_counted_apart_from_hot_issues(tmp_path):
    from monitor.cases import DISMISSED

    app = make_app_for_month(tmp_path)
    ids, story = seed_months(app.store)
    nov = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
    aid, other, case_id = _hot_story_with_case(app, "https://news.example.vn/clip-cu.html",
                                               "Clip học sinh xô xát lan truyền trở lại trên mạng xã hội", nov)
    app.store.dismiss_case(case_id, nov + timedelta(hours=5), by="Chị Lan", status=DISMISSED, note="clip cũ",
                           education={aid: True}, label_note="clip cũ")
    r = load_report(app, 2026, 11)
    assert [h.story_id for h in r.hot_issues] == [story] and r.false_alarms == 1
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    paragraphs = [p.text for p in Document(io.BytesIO(result.paths["docx"].read_bytes())).paragraphs]
    assert "- Vấn đề nóng: 1 (đã xử lý: 1); cảnh báo nhầm đã loại: 1." in paragraphs
    assert "cảnh báo nhầm đã loại: 1" in result.paths["html"].read_text(encoding="utf-8")


def test_a_hot_story_relabelled_not_education_leaves_the_hot_issues_as_in_the_digest(tmp_path):
    from monitor.digest_delivery import load_digest

    app = make_app_for_month(tmp_path)
    ids, story = seed_months(app.store)
    when = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
    aid, other, _ = _hot_story_with_case(app, "https://news.example.vn/tai-nan.html",
                                         "Nam sinh bị đánh ngoài quán net, công an vào cuộc", when)
    day = when.date() + timedelta(days=1)  # the clipping whose window holds the article
    assert {h.story_id for h in load_report(app, 2026, 11).hot_issues} == {story, other}
    assert load_digest(app, day).summary.hot_stories == 1
    app.store.add_label(aid, by="Chị Lan", at=NOW, is_education=False)  # monitor label ID --not-education
    app.store.add_label(ids["bao-luc-2"], by="Chị Lan", at=NOW, is_education=False)  # one reprint of many: the story stays
    assert load_digest(app, day).summary.hot_stories == 0
    r = load_report(app, 2026, 11)
    assert [h.story_id for h in r.hot_issues] == [story] and r.false_alarms == 0


def test_a_report_written_before_the_month_is_over_says_so(tmp_path):
    from dataclasses import replace

    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    r = load_report(app, 2026, 11)
    assert r.period_label == "từ ngày 01/11/2026 đến hết ngày 30/11/2026"
    early = replace(r, generated_at=datetime(2026, 11, 27, 14, 0, tzinfo=TZ))
    assert early.period_label == "từ ngày 01/11/2026 đến ngày 27/11/2026, tháng chưa kết thúc"
    result = build_and_deliver_report(make_app(tmp_path, now=datetime(2026, 11, 27, 7, 0, tzinfo=timezone.utc)), 2026, 11,
                                       out_dir=tmp_path / "early", send=False)
    assert "tháng chưa kết thúc" in result.paths["html"].read_text(encoding="utf-8")
    paragraphs = [p.text for p in Document(io.BytesIO(result.paths["docx"].read_bytes())).paragraphs]
    assert any("tháng chưa kết thúc" in p for p in paragraphs)
