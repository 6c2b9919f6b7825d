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
    # monitored since the end of September: October and November are whole months (monitor.report partial)
    store.log_fetch(source="vne", kind="feed", url="https://vnexpress.net/rss/giao-duc.rss",
                    started_at=datetime(2026, 9, 30, 8, 0, tzinfo=TZ), status=200, size=1000, duration_ms=50, outcome="ok")
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
    assert topics["Tin giáo dục không thuộc chủ đề nào nêu trên"] == (1, 0)
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
    # what leadership reads first (the assessment, the district's stories, the hot issues and their handling),
    # then the tables, then the part the signer completes
    heads = ("I. ĐÁNH GIÁ CHUNG", "II. TIN, BÀI VỀ ĐƠN VỊ, ĐỊA BÀN QUẬN LONG BIÊN", "III. VẤN ĐỀ NÓNG VÀ KẾT QUẢ XỬ LÝ",
             "IV. TIN TÍCH CỰC CẦN LAN TỎA", "V. DỰ BÁO: VẤN ĐỀ DƯ LUẬN CÓ THỂ QUAN TÂM TRONG THÁNG TỚI",
             "VI. SỐ LIỆU THEO CHỦ ĐỀ CỦA KẾ HOẠCH TRUYỀN THÔNG", "VII. SỐ LIỆU THEO SẮC THÁI",
             "VIII. SỐ LIỆU THEO CƠ QUAN BÁO CHÍ", "IX. ĐỀ XUẤT, KIẾN NGHỊ")
    assert [p for p in paragraphs if p in heads] == list(heads)
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


def test_a_quiet_month_still_reports(tmp_path):
    """Articles were collected, none of them education news: a report of empty parts, each said in words."""
    app = make_app_for_month(tmp_path)
    aid = add_article(app.store, url="https://news.example.vn/vang.html", outlet="VnExpress", title="Giá vàng tăng",
                      published=datetime(2026, 11, 10, 9, 0, tzinfo=TZ))
    classify(app.store, [(aid, dict(edu=False))], NOW)
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False, formats=["docx"])
    doc = Document(io.BytesIO(result.paths["docx"].read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Không có vấn đề nóng trong tháng." in text and "Không có tin tích cực trong tháng." in text
    assert "Không có dữ liệu theo dõi" not in text


def test_a_month_with_nothing_collected_says_so_instead_of_a_report_of_zeros(tmp_path):
    """Nothing collected at all means the system did not run: not a quiet month, and nothing to sign."""
    app = make_app_for_month(tmp_path)
    r = load_report(app, 2026, 11)
    assert not r.has_data
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    assert "không thu thập được tin, bài nào trong tháng" in result.message
    doc = Document(io.BytesIO(result.paths["docx"].read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert ("Không có dữ liệu theo dõi từ ngày 01/11/2026 đến hết ngày 30/11/2026: hệ thống không thu thập được "
            "tin, bài nào") in text
    for absent in ("ĐÁNH GIÁ CHUNG", "Tổng số tin, bài", "Không có vấn đề nóng", "Tháng này", "ĐỀ XUẤT"):
        assert absent not in text
    assert len(doc.tables) == 2  # the header and the Nơi nhận: no tables of zeros
    closing = doc.tables[-1].rows[0].cells
    assert closing[0].text.startswith("Nơi nhận:") and len(closing) == 1  # nothing to sign: Nơi nhận takes the width
    html = result.paths["html"].read_text(encoding="utf-8")
    assert "Không có dữ liệu theo dõi từ ngày 01/11/2026" in html and "ĐÁNH GIÁ CHUNG" not in html


def test_cli_report(tmp_path, monkeypatch):
    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    from monitor.cli import cli

    monkeypatch.setattr("monitor.cli.digest.get_app", lambda ctx, **_: app)
    runner = CliRunner()
    ok = runner.invoke(cli, ["report", "--month", "2026-11", "--format", "html", "--out", str(tmp_path / "r")])
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "r" / "bao-cao-thang-2026-11.html").is_file()
    assert not (tmp_path / "r" / "bao-cao-thang-2026-11.docx").exists()
    bad = runner.invoke(cli, ["report", "--month", "11.2026"])
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
    assert "- 1 vấn đề nóng trên địa bàn, trong đó 1 đã xử lý; cảnh báo nhầm đã loại: 1." in paragraphs
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



def test_a_month_not_over_is_not_compared_in_percent_with_a_whole_month(tmp_path):
    """27 days of November against the 31 of October read as a fall of about a tenth that is only the days not yet
    come: a report written before the month's end gives its figures without the previous month's or a change."""
    from dataclasses import replace

    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    r = load_report(app, 2026, 11)
    assert r.comparable  # the finished month: October had data, all of it
    early = replace(r, generated_at=datetime(2026, 11, 27, 14, 0, tzinfo=TZ))
    assert not early.comparable
    assert early.no_comparison_text == ("Tháng 11/2026 chưa kết thúc nên chưa so sánh với tháng 10/2026 "
                                        "(so sánh khi đủ tháng).")
    assert "so với tháng 10/2026" not in early.assessment[0]
    result = build_and_deliver_report(make_app(tmp_path, now=datetime(2026, 11, 27, 7, 0, tzinfo=timezone.utc)), 2026, 11,
                                       out_dir=tmp_path / "early", send=False)
    doc = Document(io.BytesIO(result.paths["docx"].read_bytes()))
    headers = [[c.text for c in t.rows[0].cells] for t in doc.tables[1:-1]]
    assert headers and all("Tháng trước" not in h and "Thay đổi" not in h for h in headers), headers
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "tháng trước:" not in text and "chưa kết thúc nên chưa so sánh" in text
    html = result.paths["html"].read_text(encoding="utf-8")
    assert "Tháng trước" not in html and "chưa kết thúc nên chưa so sánh" in html


def test_the_e_mail_of_a_month_not_over_does_not_ask_to_sign_it(tmp_path):
    """The subject and the letter of a report written before the month's end say until when its figures run: a
    draft 'để trình ký' of 27 days would be signed and sent up as the month's."""
    from dataclasses import replace

    from monitor.report import report_mail_text, report_subject

    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    early = replace(load_report(app, 2026, 11), generated_at=datetime(2026, 11, 27, 14, 0, tzinfo=TZ))
    assert report_subject(early) == ("Báo cáo dư luận báo chí về giáo dục tháng 11/2026 (số liệu đến ngày 27/11/2026, "
                                     "tháng chưa kết thúc) — Phòng GD&ĐT quận Long Biên")
    mail = report_mail_text(early)
    assert "để trình ký" not in mail
    assert ("gửi kèm dự thảo Báo cáo tình hình dư luận báo chí về giáo dục tháng 11/2026 (tệp bao-cao-thang-2026-11.docx) "
            "với số liệu đến ngày 27/11/2026 để tham khảo: tháng chưa kết thúc, báo cáo trình ký lập sau ngày 30/11/2026.") in mail

# --------------------------------------------------------------------------- what the report says (review H4, M8, L8, L11)


def _docx(result) -> Document:
    return Document(io.BytesIO(result.paths["docx"].read_bytes()))


def test_the_general_assessment_is_written_from_the_figures(tmp_path):
    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    r = load_report(app, 2026, 11)
    assert r.assessment == (
        "Trong tháng 11/2026, hệ thống ghi nhận 6 tin, bài về giáo dục trên 4 cơ quan báo chí, tăng 100% so với "
        "tháng 10/2026 (3 tin, bài).",
        "Các chủ đề được đưa tin nhiều nhất: “An ninh, an toàn trường học” (2), “Đổi mới căn bản, toàn diện; chất "
        "lượng giáo dục” (1) và “Thi tuyển sinh lớp 10, tuyển sinh đầu cấp” (1); một tin, bài có thể thuộc nhiều chủ đề.",
        "Tin, bài có sắc thái tiêu cực chiếm 33% (2/6), chủ yếu về “An ninh, an toàn trường học” (2); 1 vấn đề nóng "
        "trên địa bàn, trong đó 1 đã xử lý.",
    )
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    paragraphs = [p.text for p in _docx(result).paragraphs]
    start = paragraphs.index("I. ĐÁNH GIÁ CHUNG")
    assert paragraphs[start + 1:start + 4] == list(r.assessment)
    html = result.paths["html"].read_text(encoding="utf-8")
    assert "Trong tháng 11/2026, hệ thống ghi nhận 6 tin, bài về giáo dục" in html
    # the topic table adds up to more than the articles: said under it
    note = "Một tin, bài có thể thuộc nhiều chủ đề, nên tổng các dòng có thể lớn hơn tổng số tin, bài."
    assert note in paragraphs and note in html


def test_the_districts_own_stories_are_listed_not_only_counted(tmp_path):
    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    r = load_report(app, 2026, 11)
    assert [(i.title[:30], i.outlets_label, i.tone) for i in r.local_items] == [
        ("Học sinh lớp 8 bị bạn đánh hội", "VnExpress (và 1 báo khác: Dân Trí)", "Tiêu cực"),
        ("Thầy giáo Long Biên được tuyên", "Tuổi Trẻ", "Tích cực"),
    ]
    paragraphs = [p.text for p in _docx(build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "o", send=False)).paragraphs]
    part = paragraphs[paragraphs.index("II. TIN, BÀI VỀ ĐƠN VỊ, ĐỊA BÀN QUẬN LONG BIÊN"):paragraphs.index("III. VẤN ĐỀ NÓNG VÀ KẾT QUẢ XỬ LÝ")]
    assert "2. Thầy giáo Long Biên được tuyên dương vì sáng kiến dạy học số" in part
    assert "VnExpress (và 1 báo khác: Dân Trí) · 10/11/2026 · sắc thái: tiêu cực" in part
    assert "- Tin, bài trên địa bàn quận Long Biên: 3 (2 sự việc; tháng trước: 0 tin, bài)." in paragraphs


def test_a_hot_issue_says_what_happened_and_what_a_person_did_last(tmp_path):
    """Not the machine's "Mở tự động" line nor its account of a merge; plain quotes and "số 13", not «» and "#13"."""
    app = make_app_for_month(tmp_path)
    ids, story = seed_months(app.store)
    aid = add_article(app.store, url="https://news.example.vn/bao-luc-3.html", outlet="Tiền Phong",
                      title="Học sinh lớp 8 bị đánh: nhà trường báo cáo", published=datetime(2026, 11, 11, 9, 0, tzinfo=TZ),
                      sapo="Chiều 11/11, nhà trường đã báo cáo vụ học sinh lớp 8 bị bạn đánh hội đồng ngoài cổng trường "
                           "lên Phòng GD&ĐT. Hai học sinh đã bị kỷ luật.")
    other = app.store.create_story(aid, NOW)
    case = app.store.case_of_story(story)
    second, _ = app.store.open_case(other, NOW, note="Mở tự động: mức «cao», điểm 61,0")
    app.store.update_case(case.id, datetime(2026, 11, 12, 9, 0, tzinfo=TZ), by="Chị Lan",
                          note="Gộp hồ sơ #13 «Học sinh lớp 8 bị đánh» (1 bài) vào hồ sơ này")
    # a note given with a status (a note alone is no "việc đã làm": test_clerk_figures)
    app.store.update_case(case.id, datetime(2026, 11, 14, 9, 0, tzinfo=TZ), by="Chị Lan", status="đã xử lý",
                          note="Đã đề nghị trường «THCS Ngọc Thụy» báo cáo bổ sung, xem hồ sơ #13")
    r = load_report(app, 2026, 11)
    hot = next(h for h in r.hot_issues if h.story_id == story)
    assert hot.notes == ("11/11: Nhà trường đã họp phụ huynh, kỷ luật học sinh",
                         '14/11: Đã đề nghị trường "THCS Ngọc Thụy" báo cáo bổ sung, xem hồ sơ số 13')
    assert hot.latest_note.startswith("14/11: ")
    fresh = next(h for h in r.hot_issues if h.story_id == other) if any(h.story_id == other for h in r.hot_issues) else None
    if fresh is not None:  # a case the system opened and nobody touched: no person's note, status in words
        assert fresh.notes == () and fresh.status_label == "chưa tiếp nhận xử lý"
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    paragraphs = [p.text for p in _docx(result).paragraphs]
    assert 'Việc đã làm gần nhất (ngày 14/11): Đã đề nghị trường "THCS Ngọc Thụy" báo cáo bổ sung, xem hồ sơ số 13' in paragraphs
    text = "\n".join(paragraphs)
    html = result.paths["html"].read_text(encoding="utf-8")
    for out in (text, html):
        assert "Mở tự động" not in out and "«" not in out and "#13" not in out and "Gộp hồ sơ" not in out


def test_a_hot_issue_summary_is_the_first_articles_sapo(tmp_path):
    app = make_app_for_month(tmp_path)
    when = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
    aid = add_article(app.store, url="https://news.example.vn/ngo-doc.html", outlet="Tuổi Trẻ",
                      title="Hơn 30 học sinh nhập viện sau bữa trưa bán trú", published=when,
                      sapo="Sau bữa trưa tại trường, hơn 30 học sinh tiểu học bị nôn, đau bụng, phải đưa đi cấp cứu.")
    classify(app.store, [(aid, dict(topics=["y-te-truong-hoc"], sentiment="negative", hot=True, hot_score=0.8,
                                    scope="local"))], NOW)
    story = app.store.create_story(aid, NOW)
    app.store.save_story_score(story, NOW, main_topic="y-te-truong-hoc", n_outlets=1, hot_score=66.0, severity="cao",
                               reasons=[], explanation={})
    app.store.open_case(story, when, note="Mở tự động: mức «cao», điểm 66,0")
    r = load_report(app, 2026, 11)
    (hot,) = r.hot_issues
    assert hot.summary == "Sau bữa trưa tại trường, hơn 30 học sinh tiểu học bị nôn, đau bụng, phải đưa đi cấp cứu."
    assert hot.notes == () and hot.status_label == "chưa tiếp nhận xử lý"
    paragraphs = [p.text for p in _docx(build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "o", send=False)).paragraphs]
    assert f"Nội dung: {hot.summary}" in paragraphs and "Tình trạng xử lý: chưa tiếp nhận xử lý" in paragraphs
    assert "- 1 vấn đề nóng trên địa bàn, trong đó 1 chưa tiếp nhận xử lý." in paragraphs


def test_the_report_is_a_draft_with_a_marked_part_for_the_signer(tmp_path):
    from monitor.report import PROPOSALS_TO_COMPLETE, report_mail_text, report_subject

    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    doc = _docx(result)
    paragraphs = [p.text for p in doc.paragraphs]
    # Decree 30/2020: the kind of document, then what it is about; this one a draft for signature
    assert paragraphs[:3] == ["BÁO CÁO", "Tình hình dư luận báo chí về giáo dục tháng 11 năm 2026",
                              "(Dự thảo trình ký; số liệu từ ngày 01/11/2026 đến hết ngày 30/11/2026)"]
    header = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert "Số: …/BC-PGDĐT" in header
    proposals = doc.paragraphs[paragraphs.index("IX. ĐỀ XUẤT, KIẾN NGHỊ") + 1]
    assert proposals.text == PROPOSALS_TO_COMPLETE == "(Bộ phận truyền thông bổ sung đề xuất, kiến nghị trước khi trình ký.)"
    assert 'w:highlight w:val="yellow"' in proposals._p.xml  # visibly marked for the person who signs
    html = result.paths["html"].read_text(encoding="utf-8")
    assert PROPOSALS_TO_COMPLETE in html and "Dự thảo trình ký" in html
    r = load_report(app, 2026, 11)
    assert report_subject(r) == "Báo cáo dư luận báo chí về giáo dục tháng 11/2026 (dự thảo trình ký) — Phòng GD&ĐT quận Long Biên"
    mail = report_mail_text(r)
    assert mail.startswith("Kính gửi: Lãnh đạo Phòng.\n\nBộ phận truyền thông gửi kèm dự thảo Báo cáo tình hình dư luận "
                           "báo chí về giáo dục tháng 11/2026 (tệp bao-cao-thang-2026-11.docx) để trình ký.")
    assert f"Đánh giá chung: {' '.join(r.assessment)}" in mail and "Kính gửi lãnh đạo," not in mail


def test_change_against_nothing_is_a_dash_not_mới():
    from monitor.report import Row

    assert Row("Tích cực", 12, 0).change == "—" and Row("Tích cực", 0, 0).change == "—"
    assert Row("Tích cực", 12, 6).change == "+100%"


def test_a_previous_month_without_data_is_said_once(tmp_path):
    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    r = load_report(app, 2026, 12)
    assert not r.has_data
    r = load_report(app, 2026, 11)
    assert r.previous_has_data
    # October alone (September has nothing): the comparison is one sentence, not columns of zeros
    r = load_report(app, 2026, 10)
    assert r.has_data and not r.previous_has_data
    assert r.assessment[0] == ("Trong tháng 10/2026, hệ thống ghi nhận 3 tin, bài về giáo dục trên 2 cơ quan báo chí; "
                               "tháng 9/2026 chưa có dữ liệu để so sánh.")
    result = build_and_deliver_report(app, 2026, 10, out_dir=tmp_path / "out", send=False)
    doc = _docx(result)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert text.count("chưa có dữ liệu để so sánh") == 2  # the assessment and the figures' list, nowhere else
    assert "tháng trước:" not in text and "(tháng trước" not in text  # (the seeded titles say "Tin tháng trước")
    topic_table = doc.tables[1]
    assert [c.text for c in topic_table.rows[0].cells] == ["Chủ đề", "Số tin, bài"]
    html = result.paths["html"].read_text(encoding="utf-8")
    assert "Tháng trước" not in html and "Tháng 9/2026 chưa có dữ liệu để so sánh." in html


# --------------------------------------------------------------------------- signer and recipients (review H6)


def test_the_signer_and_recipients_come_from_the_office(tmp_path):
    from dataclasses import replace

    from monitor.docx_render import render_report_docx

    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    r = load_report(app, 2026, 11)

    def closing(report):
        cells = Document(io.BytesIO(render_report_docx(report))).tables[-1].rows[0].cells
        return [p.text for p in cells[0].paragraphs], [p.text for p in cells[1].paragraphs if p.text]

    # a Phòng by default: the head signs, so the report goes up and to the rest of the leadership, not to himself
    assert closing(r) == (["Nơi nhận:", "- Sở GD&ĐT Hà Nội;", "- UBND quận Long Biên (để báo cáo);", "- Lãnh đạo Phòng;",
                           "- Lưu: VT."],
                          ["TRƯỞNG PHÒNG"])
    deputy = replace(r.office, signer=("KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG"), signer_name="Nguyễn Thị Hằng",
                     recipients=("Sở GD&ĐT Hà Nội", "Ban Tuyên giáo Quận ủy", "Lãnh đạo Phòng GD&ĐT", "Lưu: VT (02)"))
    assert closing(replace(r, office=deputy)) == (
        ["Nơi nhận:", "- Sở GD&ĐT Hà Nội;", "- Ban Tuyên giáo Quận ủy;", "- Lãnh đạo Phòng GD&ĐT;", "- Lưu: VT (02)."],
        ["KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG", "Nguyễn Thị Hằng"])
    so = replace(r.office, name="Sở Giáo dục và Đào tạo thành phố Hà Nội", short_name="Sở GD&ĐT Hà Nội", district="Hoàn Kiếm")
    assert closing(replace(r, office=so)) == (
        ["Nơi nhận:", "- UBND thành phố Hà Nội (để báo cáo);", "- Ban Giám đốc Sở;", "- Lưu: VT."], ["GIÁM ĐỐC"])
    doc = Document(io.BytesIO(render_report_docx(replace(r, office=so))))
    assert "Số: …/BC-SGDĐT" in [c.text for row in doc.tables[0].rows for c in row.cells]


# --------------------------------------------------------------------------- review 2: N2, N4, N5


def _paragraphs(result) -> list[str]:
    return [p.text for p in _docx(result).paragraphs]


def test_hot_issues_elsewhere_are_followed_not_counted_as_unhandled(tmp_path):
    """N4: "13 vấn đề nóng, trong đó 13 chưa tiếp nhận xử lý" to the UBND, most of them in other provinces."""
    from monitor.cases import close_not_ours

    app = make_app_for_month(tmp_path)
    ids, story = seed_months(app.store)  # the district's beating, handled
    when = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
    _, far, _ = _hot_story_with_case(app, "https://news.example.vn/nghe-an.html",
                                     "Thanh tra phát hiện trường tiểu học ở tỉnh khác thu sai hàng trăm triệu", when)
    _, closed, far_case = _hot_story_with_case(app, "https://news.example.vn/can-tho.html",
                                               "Cô giáo ở thành phố khác bị tố tát học sinh", when + timedelta(days=1))
    close_not_ours(app, far_case, by="Chị Lan")
    aid, near, _ = _hot_story_with_case(app, "https://news.example.vn/ngoc-thuy.html",
                                        "Phụ huynh phản ánh bếp ăn bán trú ở phường Ngọc Thụy", when + timedelta(days=2))
    app.store.save_story_score(near, NOW, main_topic="an-toan-truong-hoc", n_outlets=1, hot_score=61.0, severity="cao",
                               reasons=[], explanation={"local": True})  # triage judged it local (a watchlist ward)
    r = load_report(app, 2026, 11)
    assert {h.story_id for h in r.own_issues} == {story, near}
    assert {h.story_id for h in r.elsewhere_issues} == {far, closed}, "a case closed as not ours is elsewhere"
    assert r.hot_text == ("4 vấn đề nóng: 2 trên địa bàn (1 đã xử lý và 1 chưa tiếp nhận xử lý), "
                          "2 ngoài địa bàn (để nắm tình hình)")
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    paragraphs = _paragraphs(result)
    part = paragraphs[paragraphs.index("III. VẤN ĐỀ NÓNG VÀ KẾT QUẢ XỬ LÝ"):paragraphs.index("IV. TIN TÍCH CỰC CẦN LAN TỎA")]
    own_head, far_head = "1. Trên địa bàn quận Long Biên (2)", "2. Ngoài địa bàn – để nắm tình hình, tham khảo (2)"
    assert own_head in part and far_head in part
    elsewhere = part[part.index(far_head):]
    assert not any(p.startswith("Tình trạng xử lý") for p in elsewhere), "no handling status for another area's issue"
    assert sum(p.startswith("Tình trạng xử lý") for p in part) == 2
    html = result.paths["html"].read_text(encoding="utf-8")
    assert "Ngoài địa bàn – để nắm tình hình, tham khảo (2)" in html and html.count("Tình trạng xử lý") == 2
    # only elsewhere: said so, with nothing to handle
    only = replace_hot(r, [h for h in r.hot_issues if not h.own])
    assert only.hot_text == "2 vấn đề nóng, đều ngoài địa bàn (để nắm tình hình)"


def replace_hot(report, issues):
    from dataclasses import replace

    return replace(report, hot_issues=tuple(issues))


def test_for_a_so_the_citys_stories_are_its_area_in_the_report(tmp_path):
    """N2 in the report: a Sở's "city" stories are its own (listed in II, counted, their hot issues handled)."""
    from dataclasses import replace

    from monitor.report import build_report

    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    aid = add_article(app.store, url="https://news.example.vn/ha-noi.html", outlet="Tuổi Trẻ",
                      title="Hà Nội mở thêm lớp học bơi miễn phí cho học sinh tiểu học",
                      published=datetime(2026, 11, 18, 9, 0, tzinfo=TZ))
    classify(app.store, [(aid, dict(topics=["y-te-the-chat"], sentiment="positive", scope="city"))], NOW)
    phong = load_report(app, 2026, 11)
    assert "Hà Nội mở thêm lớp học bơi" not in [i.title[:31] for i in phong.local_items]
    so_office = replace(app.config.office, name="Sở Giáo dục và Đào tạo thành phố Hà Nội", short_name="Sở GD&ĐT Hà Nội",
                        district="Hà Nội")
    so_app = make_app_for_month(tmp_path)
    so_app.config = replace(so_app.config, office=so_office)
    so = load_report(so_app, 2026, 11)
    assert so.local.count == phong.local.count + 1
    assert any(i.title.startswith("Hà Nội mở thêm lớp học bơi") for i in so.local_items)
    assert next(p for p in so.positive if p.title.startswith("Hà Nội mở thêm")).local
    # a hot story of the city: the Sở's own issue, elsewhere for the Phòng
    story = so.hot_issues[0]
    city_rows = [dict(r, scope="city") for r in so_app.store.education_rows(*_nov(so_app), labelled_too=True)]
    kw = dict(year=2026, month=11, rows=city_rows, previous_rows=[], stories={},
              hot_stories=[so_app.store.story(story.story_id)], cases={}, generated_at=NOW)
    assert build_report(office=so_office, **kw).hot_issues[0].own
    assert not build_report(office=app.config.office, **kw).hot_issues[0].own


def _nov(app):
    return month_bounds(2026, 11, app.config.office)


def test_a_month_monitored_in_part_says_when_the_data_begin_and_is_not_compared_against(tmp_path):
    """N5: data from 21/11 only; the report said "số liệu từ ngày 01/11/2026"; December compared with it."""
    app = make_app(tmp_path, now=datetime(2026, 11, 27, 11, 0, tzinfo=timezone.utc))
    for day in (21, 23, 26):
        aid = add_article(app.store, url=f"https://news.example.vn/{day}.html", outlet="VnExpress",
                          title=f"Tin giáo dục ngày {day}", published=datetime(2026, 11, day, 9, 0, tzinfo=TZ))
        classify(app.store, [(aid, dict(topics=["tuyen-sinh"]))], NOW)
    r = load_report(app, 2026, 11)
    assert r.partial and r.monitored_from.date() == datetime(2026, 11, 21).date()
    assert r.period_label == ("từ ngày 21/11/2026, ngày hệ thống bắt đầu theo dõi, đến ngày 27/11/2026, "
                              "tháng chưa kết thúc")
    assert r.assessment[0].startswith("Trong tháng 11/2026 (số liệu từ ngày 21/11/2026, ngày hệ thống bắt đầu theo "
                                      "dõi), hệ thống ghi nhận 3 tin, bài")
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "nov", send=False)
    # written before the month's end: for reference, as its e-mail says, not a draft to sign
    assert _paragraphs(result)[2] == ("(Bản tham khảo; số liệu từ ngày 21/11/2026, ngày hệ thống bắt đầu theo dõi, "
                                      "đến ngày 27/11/2026, tháng chưa kết thúc)")
    # December against a November monitored from the 21st: no percentage, said once
    dec = make_app(tmp_path, now=datetime(2027, 1, 2, 1, 0, tzinfo=timezone.utc))
    for day in range(1, 8):
        aid = add_article(dec.store, url=f"https://news.example.vn/dec-{day}.html", outlet="VnExpress",
                          title=f"Tin tháng 12 số {day}", published=datetime(2026, 12, day, 9, 0, tzinfo=TZ))
        classify(dec.store, [(aid, dict(topics=["tuyen-sinh"]))], NOW)
    r = load_report(dec, 2026, 12)
    assert not r.partial and r.previous_has_data and r.previous_partial and not r.comparable
    assert "%" not in r.assessment[0] and "tăng" not in r.assessment[0]
    assert r.assessment[0].endswith("tháng 11/2026 chỉ có số liệu từ ngày 21/11/2026 (ngày hệ thống bắt đầu theo dõi), "
                                    "không đủ tháng nên không dùng để so sánh.")
    result = build_and_deliver_report(dec, 2026, 12, out_dir=tmp_path / "dec", send=False)
    doc = _docx(result)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "tháng trước:" not in text and "+" not in text.split("II.")[0]
    assert [c.text for c in doc.tables[1].rows[0].cells] == ["Chủ đề", "Số tin, bài"]
    assert "Tháng trước" not in result.paths["html"].read_text(encoding="utf-8")


# --------------------------------------------------------------------------- review 2: N8, N9, N10


def test_the_report_ends_with_its_closing_sentence_and_room_for_the_signature(tmp_path):
    from monitor.docx_render import SIGNATURE_LINES

    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    doc = _docx(result)
    paragraphs = [p.text for p in doc.paragraphs]
    closing_sentence = ("Trên đây là báo cáo tình hình dư luận báo chí về giáo dục tháng 11/2026 của "
                        "Phòng GD&ĐT quận Long Biên./.")
    proposals = paragraphs.index("IX. ĐỀ XUẤT, KIẾN NGHỊ")
    assert paragraphs[proposals + 2] == closing_sentence, "after the proposals, before Nơi nhận"
    # the machine note no longer sits between the closing sentence and Nơi nhận: it comes after the signature
    assert paragraphs[-1].startswith("Số liệu do hệ thống") and not paragraphs[proposals + 3:-1]
    order = [el.tag.rsplit("}", 1)[1] for el in doc.element.body.iterchildren()]
    assert order[-3:-1] == ["tbl", "p"], "the Nơi nhận/signature table, then the note"
    signer = [p.text for p in doc.tables[-1].rows[0].cells[1].paragraphs]
    assert signer[0] == "TRƯỞNG PHÒNG" and signer[1:1 + SIGNATURE_LINES] == [""] * SIGNATURE_LINES == [""] * 4
    import html

    assert closing_sentence in html.unescape(result.paths["html"].read_text(encoding="utf-8"))


def test_a_month_with_nothing_collected_is_a_notice_to_the_office_not_a_report_to_sign(tmp_path):
    app = make_app_for_month(tmp_path)
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    doc = _docx(result)
    paragraphs = [p.text for p in doc.paragraphs]
    header = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert "BÁO CÁO" not in paragraphs and not any(t.startswith("Số:") for t in header)
    assert paragraphs[:2] == ["THÔNG BÁO NỘI BỘ",
                              "Không lập báo cáo dư luận báo chí tháng 11/2026: không có dữ liệu theo dõi"]
    assert "Đề nghị bộ phận truyền thông kiểm tra hệ thống theo dõi báo chí." in paragraphs
    assert not any(p.startswith("Số liệu do hệ thống") for p in paragraphs), "no machine footer under a notice"
    recipients = [p.text for p in doc.tables[-1].rows[0].cells[0].paragraphs]
    assert not any("UBND" in r for r in recipients), "not sent up to the people's committee"
    html = result.paths["html"].read_text(encoding="utf-8")
    assert "THÔNG BÁO NỘI BỘ" in html and "BÁO CÁO<" not in html and "Số: …/BC" not in html


def test_the_report_names_the_score_as_the_clipping_and_the_alerts_do(tmp_path):
    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    text = "\n".join(p.text for p in _docx(result).paragraphs)
    html = result.paths["html"].read_text(encoding="utf-8")
    for out in (text, html):
        assert "mức độ nóng: khẩn cấp (82/100)" in out and "điểm đánh giá" not in out


def test_the_first_polls_backlog_does_not_make_a_month_look_monitored_from_its_first_day(tmp_path):
    """A new install's first poll brings items published weeks before: monitoring began when they were
    collected, not when they were published."""
    app = make_app(tmp_path, now=datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc))
    first_poll = datetime(2026, 11, 5, 8, 0, tzinfo=TZ)
    n = 0
    for published in [datetime(2026, 9, 14, 9, 0, tzinfo=TZ)] + [datetime(2026, 10, d, 9, 0, tzinfo=TZ) for d in (28, 30)]:
        n += 1
        aid = add_article(app.store, url=f"https://news.example.vn/cu-{n}.html", outlet="VnExpress",
                          title=f"Tin giáo dục đăng trước khi theo dõi {n}", published=published, seen=first_poll)
        classify(app.store, [(aid, dict(topics=["tuyen-sinh"]))], app.now())
    for d in range(5, 30):
        n += 1
        when = datetime(2026, 11, d, 9, 0, tzinfo=TZ)
        aid = add_article(app.store, url=f"https://news.example.vn/moi-{n}.html", outlet="VnExpress",
                          title=f"Tin giáo dục tháng 11 số {n}", published=when, seen=when)
        classify(app.store, [(aid, dict(topics=["tuyen-sinh"]))], app.now())
    assert app.store.first_collection_time() == first_poll
    november = load_report(app, 2026, 11)
    assert november.partial and not november.comparable
    assert "05/11/2026" in november.period_label and "%" not in november.assessment[0]
    assert "Tháng 10/2026 chưa được theo dõi" in november.no_comparison_text


# --------------------------------------------------------------------------- the plan's "kết quả xử lý" (III.2)


def test_an_issue_elsewhere_the_office_acted_on_reports_what_it_did(tmp_path):
    """A city-wide rumour the office answered (told its own schools) is another area's story, but the plan asks the
    monthly report for "kết quả xử lý": what the office recorded doing is reported; an untouched one stays bare."""
    app = make_app_for_month(tmp_path)
    ids, story = seed_months(app.store)
    when = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)
    _, rumour, rumour_case = _hot_story_with_case(app, "https://news.example.vn/tin-don-lo-de.html",
                                                  "Sở bác tin đồn lộ đề kiểm tra lớp 9 trên mạng xã hội", when)
    _, far, _ = _hot_story_with_case(app, "https://news.example.vn/tinh-khac.html",
                                     "Học sinh ở tỉnh khác bị thương khi lao động ở trường", when + timedelta(days=1))
    app.store.update_case(rumour_case, when + timedelta(days=1), by="Anh Hùng", status="đã xử lý", owner="Anh Hùng",
                          note="Đã thông báo các trường THCS trong quận: không có kiểm tra chung")
    r = load_report(app, 2026, 11)
    assert {h.story_id for h in r.elsewhere_issues} == {rumour, far}
    assert r.hot_text == "3 vấn đề nóng: 1 trên địa bàn (1 đã xử lý), 2 ngoài địa bàn (để nắm tình hình; 1 đã xử lý)"
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    paragraphs = _paragraphs(result)
    part = paragraphs[paragraphs.index("III. VẤN ĐỀ NÓNG VÀ KẾT QUẢ XỬ LÝ"):paragraphs.index("IV. TIN TÍCH CỰC CẦN LAN TỎA")]
    elsewhere = part[part.index("2. Ngoài địa bàn – để nắm tình hình, tham khảo (2)"):]
    assert "Tình trạng xử lý: đã xử lý; người phụ trách: Anh Hùng" in elsewhere
    assert "Việc đã làm gần nhất (ngày 21/11): Đã thông báo các trường THCS trong quận: không có kiểm tra chung" in elsewhere
    assert sum(p.startswith("Tình trạng xử lý") for p in elsewhere) == 1, "the one nobody acted on shows no status"
    html = result.paths["html"].read_text(encoding="utf-8")
    assert html.count("Tình trạng xử lý") == 2 and "Đã thông báo các trường THCS trong quận" in html


def test_the_topic_table_of_the_plan_marks_the_topic_the_plan_does_not_list(tmp_path):
    """Part V is "số liệu theo chủ đề của kế hoạch truyền thông", numbered 1-17 in the DOCX; the plan lists 16 of
    them (topics.md adds "Học phí, các khoản thu"), and the last row counts what fits none of the rows above."""
    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    r = load_report(app, 2026, 11)
    labels = [t.label for t in r.topics]
    assert labels[-2:] == ["Học phí, các khoản thu (theo dõi thêm, ngoài kế hoạch)",
                           "Tin giáo dục không thuộc chủ đề nào nêu trên"]
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    rows = [[c.text for c in row.cells] for row in _docx(result).tables[1].rows]
    assert rows[-2][0] == "17. Học phí, các khoản thu (theo dõi thêm, ngoài kế hoạch)"
    assert rows[-1][0] == "Tin giáo dục không thuộc chủ đề nào nêu trên"
    assert "Học phí, các khoản thu (theo dõi thêm, ngoài kế hoạch)" in result.paths["html"].read_text(encoding="utf-8")


def test_a_month_begun_with_a_backlog_does_not_say_its_data_start_after_articles_it_lists(tmp_path):
    """Installed on the 27th, the first poll brings the feeds' items of the 21st-26th: the report counted and listed
    them yet said "số liệu từ ngày 27/11/2026", which the signer cannot send up with an item dated 22/11 below it."""
    app = make_app(tmp_path, now=datetime(2026, 11, 27, 16, 0, tzinfo=timezone.utc))
    first_poll = datetime(2026, 11, 27, 23, 0, tzinfo=TZ)
    for n, day in enumerate((22, 24, 27), 1):
        aid = add_article(app.store, url=f"https://news.example.vn/ton-{n}.html", outlet="VnExpress",
                          title=f"Tin giáo dục Long Biên số {n}", published=datetime(2026, 11, day, 9, 0, tzinfo=TZ),
                          seen=first_poll)
        classify(app.store, [(aid, dict(topics=["tuyen-sinh"], scope="local"))], app.now())
    r = load_report(app, 2026, 11)
    assert r.partial and r.monitored_from.date() == first_poll.date() and r.backlog_from == datetime(2026, 11, 22).date()
    caveat = ("hệ thống bắt đầu theo dõi từ ngày 27/11/2026; tin, bài đăng trước ngày này chỉ gồm những tin, bài "
              "các trang tin còn đăng tải lúc đó")
    assert r.period_label == f"từ ngày 22/11/2026 đến ngày 27/11/2026, tháng chưa kết thúc; {caveat}"
    assert r.assessment[0].startswith(f"Trong tháng 11/2026 ({caveat}), hệ thống ghi nhận 3 tin, bài")
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    paragraphs = _paragraphs(result)
    assert paragraphs[2] == f"(Bản tham khảo; số liệu từ ngày 22/11/2026 đến ngày 27/11/2026, tháng chưa kết thúc; {caveat})"
    assert "(Bản tham khảo; số liệu từ ngày 22/11/2026" in result.paths["html"].read_text(encoding="utf-8")
    assert not any("số liệu từ ngày 27/11/2026" in p for p in paragraphs)
    assert "số liệu từ ngày 27/11/2026" not in result.paths["html"].read_text(encoding="utf-8")


def test_a_month_within_half_a_percent_of_the_last_reads_as_the_same_not_a_rise_of_0_percent(tmp_path):
    """733 articles against 732 read "tăng 0% so với tháng 01/2026": a rise that the figure says is none."""
    from dataclasses import replace

    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    r = load_report(app, 2026, 11)
    assert r.comparable
    near = replace(r, total=replace(r.total, count=733, previous=732))
    assert "tương đương tháng 10/2026 (732 tin, bài)." in near.assessment[0], near.assessment[0]
    assert "0%" not in near.assessment[0]
    risen = replace(r, total=replace(r.total, count=740, previous=732))
    assert "tăng 1% so với tháng 10/2026 (732 tin, bài)." in risen.assessment[0], risen.assessment[0]
    fallen = replace(r, total=replace(r.total, count=600, previous=732))
    assert "giảm 18% so với tháng 10/2026 (732 tin, bài)." in fallen.assessment[0], fallen.assessment[0]
