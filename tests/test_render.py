"""Rendering the clipping: escaping in every format, mail-client-safe HTML, the chart, the DOCX layout."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

from docx import Document

from monitor.charts import trend_png
from monitor.digest import TrendDay, build_digest, digest_window
from monitor.docx_render import office_header, place_and_date, render_docx
from monitor.models import SourceHealth
from monitor.render import md_text, render_html, render_markdown, render_text, safe_url, subject
from test_digest import DAY, NOW, TZ, article, cls, office

EVIL = "Phụ huynh bức xúc <script>alert('xss')</script> & <img src=x onerror=alert(1)> [bấm](javascript:x) *đậm*"


def digest_with(arts, classifications, **kw):
    return build_digest(office=office(), day=DAY, window=digest_window(DAY, "07:00", TZ), articles=arts,
                        classifications=classifications, generated_at=NOW, **kw)


def evil_digest():
    t0 = datetime(2026, 11, 25, 20, 0, tzinfo=TZ)
    arts = [article(1, EVIL, "Báo <i>Lạ</i>", t0, sapo="Câu tóm tắt có thẻ <b>in đậm</b> và <script>x()</script> ở giữa câu."),
            article(2, "Tin có liên kết nguy hiểm", "VnExpress", t0, url="javascript:alert(document.cookie)",
                    sapo="Liên kết của tin này không phải http, không được phép bấm vào.")]
    return digest_with(arts, {1: cls(1, topics=["hoc-phi-thu-chi"], sentiment="negative"), 2: cls(2, topics=["chinh-sach"])})


def test_html_escapes_titles_summaries_and_outlets():
    html = render_html(evil_digest(), chart_src="cid:chart@x")
    assert "<script" not in html.lower()
    assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")  # only as escaped text
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Báo &lt;i&gt;Lạ&lt;/i&gt;" in html
    assert "&lt;b&gt;in đậm&lt;/b&gt;" in html
    assert 'href="javascript' not in html  # an unsafe link is shown as plain text, never as href
    assert "document.cookie" not in html
    assert "Tin có liên kết nguy hiểm" in html


def test_html_is_mail_client_safe():
    html = render_html(evil_digest(), chart_src="cid:chart@x")
    assert "<style" not in html and "<link" not in html and "<script" not in html
    assert 'src="cid:chart@x"' in html
    # layout by tables and inline styles only
    assert html.count("<table") >= 3 and 'class="' not in html
    assert '<html lang="vi">' in html and '<meta charset="utf-8">' in html


def test_markdown_escapes_markup():
    md = render_markdown(evil_digest())
    assert "<script" not in md and "<img" not in md
    assert r"\[bấm\]" in md and r"\*đậm\*" in md
    assert not re.search(r"(?<!\\)\]\(javascript", md) and "document.cookie" not in md
    assert md_text("a_b [c](d) <e>") == r"a\_b \[c\](d) &lt;e&gt;"


def test_plain_text_keeps_titles_verbatim():
    txt = render_text(evil_digest())
    assert EVIL in txt  # plain text needs no escaping: it is never interpreted
    assert "ĐIỂM BÁO GIÁO DỤC — Thứ Năm, ngày 26/11/2026" in txt


def test_safe_url():
    assert safe_url("https://vnexpress.net/a.html") == "https://vnexpress.net/a.html"
    for bad in ("javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "//evil", ""):
        assert safe_url(bad) == ""


def test_empty_day_says_so_plainly():
    t0 = datetime(2026, 11, 25, 20, 0, tzinfo=TZ)
    d = digest_with([article(1, "Giá xăng giảm nhẹ", "VnExpress", t0)], {1: cls(1, edu=False)})
    for text in (render_text(d), render_markdown(d), render_html(d)):
        assert "Không có tin giáo dục trong 24 giờ qua (đã thu thập 1 tin, bài)." in text
        assert "VẤN ĐỀ NÓNG" not in text and "không thu thập được" not in text
    doc = Document(io.BytesIO(render_docx(d)))
    assert any("Không có tin giáo dục trong 24 giờ qua (đã thu thập 1 tin, bài)." in p.text for p in doc.paragraphs)


def test_subject_counts_hot_issues():
    t0 = datetime(2026, 11, 25, 20, 0, tzinfo=TZ)
    d = digest_with([article(1, "Sự cố", "VnExpress", t0)], {1: cls(1, hot=True, hot_score=0.8, sentiment="negative")})
    # a lone article the classifier judged hot, with no story rated by triage yet: it has no level
    assert subject(d, "Điểm báo") == "Điểm báo 26/11/2026: 1 vấn đề nóng chưa xếp mức"


def test_docx_header_for_district_and_city_offices():
    o = office()
    assert office_header(o) == ("UBND QUẬN LONG BIÊN", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO")
    assert place_and_date(o, DAY) == "Long Biên, ngày 26 tháng 11 năm 2026"
    from dataclasses import replace

    huyen = replace(o, name="Phòng Giáo dục và Đào tạo huyện Gia Lâm", district="Gia Lâm")
    assert office_header(huyen) == ("UBND HUYỆN GIA LÂM", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO")
    so = replace(o, name="Sở Giáo dục và Đào tạo Hà Nội", district="Hoàn Kiếm")
    assert office_header(so) == ("UBND THÀNH PHỐ HÀ NỘI", "SỞ GIÁO DỤC VÀ ĐÀO TẠO HÀ NỘI")


def test_docx_escapes_and_survives_control_characters():
    t0 = datetime(2026, 11, 25, 20, 0, tzinfo=TZ)
    arts = [article(1, "Tiêu đề có ký tự điều khiển\x0b\x01 và <script>", "VnExpress", t0)]
    data = render_docx(digest_with(arts, {1: cls(1, topics=["chinh-sach"])}))
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Tiêu đề có ký tự điều khiển và <script>" in text


def test_chart_is_a_png_of_the_days():
    days = [TrendDay(DAY - timedelta(days=n), positive=n, neutral=2, negative=1) for n in range(6, -1, -1)]
    png = trend_png(days)
    assert png.startswith(b"\x89PNG") and len(png) > 2000
    assert trend_png([TrendDay(DAY)]).startswith(b"\x89PNG")  # an empty week still draws


def test_numbered_parts_in_every_format():
    d = evil_digest()
    heads = [f"{r}. {h}" for r, h in d.outline()]
    txt, md, html = render_text(d), render_markdown(d), render_html(d)
    for h in heads:
        assert h in txt and h in md and h in html
    assert re.search(r"IV\. TIN THEO CHỦ ĐỀ", txt)


def test_borderline_appendix_in_every_format():
    t0 = datetime(2026, 11, 25, 20, 0, tzinfo=TZ)
    arts = [article(1, "Sở GD&ĐT công bố lịch thi học kỳ I", "VnExpress", t0),
            article(7, "Câu lạc bộ cờ vua thiếu nhi khai giảng khóa hè", "Thanh Niên", t0,
                    sapo="Hơn 40 em tham gia khóa học đầu tiên của câu lạc bộ phường.")]
    health = [SourceHealth("a-feed", "VnExpress", "https://a.example/rss", "failing", consecutive_failures=3)]
    d = digest_with(arts, {1: cls(1, topics=["chinh-sach"]), 7: cls(7, edu=False, relevance=0.42)}, source_health=health)
    (n1, unsure_head), (n2, sources_head) = d.outline()[-2:]
    assert unsure_head.endswith("CẦN XEM LẠI") and sources_head.endswith("IM LẶNG")
    txt, md, html = render_text(d), render_markdown(d), render_html(d)
    body = "\n".join(p.text for p in Document(io.BytesIO(render_docx(d))).paragraphs)
    for out in (txt, md, html, body):
        assert out.index(f"{n1}. {unsure_head}") < out.index("mã bài 7") < out.index(f"{n2}. {sources_head}")
        assert "độ liên quan 42%" in out and "mã bài 7" in out
        assert "mã bài để đối chiếu khi rà soát" in out and "monitor label" not in out, "leadership reads it: no shell command"
        assert "cán bộ theo dõi ghi nhận" not in out, "no instruction to the clerk in leadership's copy"
