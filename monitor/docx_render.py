"""The clipping as a Word document laid out like the office's administrative documents (python-docx).

Layout after Decree 30/2020/NĐ-CP on administrative documents: A4, margins 20/20/30/15 mm, Times New
Roman 13-14 pt; a two-column header with the governing body and the office on the left and the
national motto on the right, then place and date, the title, and numbered parts I., II., ...
"""

from __future__ import annotations

import io
import re
from datetime import date

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from monitor.config import Office
from monitor.digest import TOPICS_NOTE, Digest, DigestItem, DigestSection, administrative_date, vn_number

FONT = "Times New Roman"
CENTRAL_CITIES = ("Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế")
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
LINK_BLUE = RGBColor(0x1F, 0x4E, 0x9A)


def clean(text: str) -> str:
    """Text Word can hold: control characters from a broken feed would make the file unreadable."""
    return _XML_INVALID.sub("", text or "")


def office_header(office: Office) -> tuple[str, str]:
    """('UBND QUẬN LONG BIÊN', 'PHÒNG GIÁO DỤC VÀ ĐÀO TẠO'): the governing body and the office itself."""
    m = re.search(r"\s+(quận|huyện|thị xã|thành phố)\s+" + re.escape(office.district) + r"\s*$", office.name, re.I)
    if office.name.lower().startswith("sở"):
        city = re.sub(r"^(thành phố|tỉnh)\s+", "", office.city, flags=re.I)
        kind = "THÀNH PHỐ" if city in CENTRAL_CITIES else "TỈNH"
        own = re.sub(r"\s+(thành phố|tỉnh)\s+" + re.escape(city) + r"\s*$", "", office.name, flags=re.I)
        return f"UBND {kind} {city}".upper(), own.upper()
    kind = m.group(1) if m else "quận"
    own = office.name[: m.start()] if m else office.name
    return f"UBND {kind} {office.district}".upper(), own.upper()


def place_and_date(office: Office, day: date) -> str:
    return f"{office.district}, {administrative_date(day)}"


# --------------------------------------------------------------------------- low-level helpers


def _set_font(element_rpr_owner, name: str = FONT) -> None:
    """Set every script's font: theme fonts in the default template would otherwise win."""
    rpr = element_rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _run(paragraph, text: str, *, bold=False, italic=False, size: float | None = None, color: RGBColor | None = None,
         underline=False):
    run = paragraph.add_run(clean(text))
    run.bold, run.italic, run.underline = bold, italic, underline
    if size:
        run.font.size = Pt(size)
    if color is not None:
        run.font.color.rgb = color
    return run


def _para(container, text: str = "", *, align=None, bold=False, italic=False, size: float | None = None,
          space_after: float = 3, space_before: float = 0, indent_cm: float | None = None):
    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_after, fmt.space_before = Pt(space_after), Pt(space_before)
    if align is not None:
        p.alignment = align
    if indent_cm is not None:
        fmt.left_indent = Cm(indent_cm)
    if text:
        _run(p, text, bold=bold, italic=italic, size=size)
    return p


def _hyperlink(paragraph, url: str, text: str, *, bold: bool = True) -> None:
    """A clickable link run (python-docx has no API for external hyperlinks)."""
    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    for tag, val in (("w:color", "1F4E9A"), ("w:u", "single")):
        el = OxmlElement(tag)
        el.set(qn("w:val"), val)
        rpr.append(el)
    if bold:
        rpr.append(OxmlElement("w:b"))
    run.append(rpr)
    t = OxmlElement("w:t")
    t.text = clean(text)
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _bottom_rule(paragraph, width_pct: int = 40) -> None:
    """The short line under the office name and the motto, drawn as a paragraph border."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    ppr.append(borders)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


# Paragraph styles carry the formatting, so the many items of a busy day are plain styled paragraphs
# (per-run formatting in python-docx costs a tree search per property: 2,000 articles got slow).
STYLES = {
    "DB Heading 1": dict(size=13, bold=True, space_before=10, space_after=4, keep_next=True),
    "DB Heading 2": dict(size=13, bold=True, space_before=6, space_after=4, keep_next=True, first_indent=0.5),
    "DB Item": dict(size=13, indent=0.5, space_after=1, keep_next=True),
    "DB Hot": dict(size=12, indent=1.0, space_after=1, keep_next=True),
    "DB Meta": dict(size=11.5, italic=True, indent=1.0, space_after=1),
    "DB Summary": dict(size=12.5, indent=1.0, space_after=6, justify=True),
    "DB Bullet": dict(size=13, indent=0.5, space_after=2),
    "DB Note": dict(size=13, italic=True, indent=0.5, space_after=3),
    "DB Subnote": dict(size=12, indent=1.5, space_after=1),
}


def _add_style(doc, name: str, *, size: float, bold=False, italic=False, indent: float = 0, first_indent: float = 0,
               space_before: float = 0, space_after: float = 3, keep_next=False, justify=False) -> None:
    st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    st.base_style = doc.styles["Normal"]
    st.font.size, st.font.bold, st.font.italic = Pt(size), bold, italic
    fmt = st.paragraph_format
    fmt.space_before, fmt.space_after = Pt(space_before), Pt(space_after)
    fmt.left_indent = Cm(indent) if indent else None
    fmt.first_line_indent = Cm(first_indent) if first_indent else None
    fmt.keep_with_next = keep_next or None
    if justify:
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def _styled(doc, text: str, style: str):
    return doc.add_paragraph(clean(text), style=style)


# --------------------------------------------------------------------------- the document


def new_document(office: Office, day: date, title: str, subtitle: str):
    """A4 document with the administrative header block, the title and the subtitle."""
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(13)
    _set_font(normal.element)
    for name, spec in STYLES.items():
        _add_style(doc, name, **spec)

    superior, own = office_header(office)
    table = doc.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _no_borders(table)
    widths = (Cm(6.5), Cm(9.5))
    for row in table.rows:
        for cell, w in zip(row.cells, widths):
            cell.width = w
    left, right = table.cell(0, 0), table.cell(0, 1)
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(left.paragraphs[0], superior, size=12.5)
    p = _para(left, own, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=12.5, space_after=0)
    _bottom_rule(p)
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(right.paragraphs[0], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12.5)
    p = _para(right, "Độc lập - Tự do - Hạnh phúc", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=13, space_after=0)
    _bottom_rule(p)
    date_cell = table.cell(1, 1)
    date_cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    date_cell.paragraphs[0].paragraph_format.space_before = Pt(6)
    _run(date_cell.paragraphs[0], place_and_date(office, day), italic=True, size=13)

    _para(doc, title, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=14, space_before=18, space_after=2)
    _para(doc, subtitle, align=WD_ALIGN_PARAGRAPH.CENTER, italic=True, size=13, space_after=12)
    _page_numbers(section)
    return doc


def _page_numbers(section) -> None:
    """Page numbers as administrative documents carry them (Nghị định 30/2020/NĐ-CP): centred at the top,
    in Arabic numerals, none on the first page."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        run = p.add_run()
        run.font.size = Pt(13)
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)


def heading(doc, text: str, level: int = 1):
    """A numbered part ('I. TÓM TẮT') or sub-part ('1. Tuyển sinh (3)'), kept with what follows."""
    return _styled(doc, text, f"DB Heading {level}")


def save(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _item(doc, item: DigestItem, n: int) -> None:
    from monitor.render import safe_url

    p = _styled(doc, f"{n}. ", "DB Item")
    p.runs[0].bold = True
    url = safe_url(item.url)
    if url:
        _hyperlink(p, url, item.title)
    else:
        p.add_run(clean(item.title)).bold = True
    if item.hot:  # few per day: per-run formatting is affordable here
        p = _styled(doc, "", "DB Hot")
        _run(p, f"Mức độ: {item.severity_label}", bold=True, color=RGBColor(0xB4, 0x23, 0x18))
        _run(p, f" — Tình trạng xử lý: {item.case_label}")
        if item.hot_score:
            _run(p, f" — mức độ nóng {item.hot_score:.0f}/100")
        if item.reasons:  # one reason a line: a reason may hold commas and semicolons of its own
            _run(_styled(doc, "", "DB Hot"), "Lý do:", italic=True)
            for reason in item.reasons:
                _run(_styled(doc, "", "DB Subnote"), f"– {reason}", italic=True)
        if item.follows:
            _run(_styled(doc, "", "DB Hot"), item.follows, bold=True)
    if item.unsure:
        _styled(doc, item.unsure_line, "DB Meta")
        if item.summary:
            _styled(doc, item.summary, "DB Summary")
        return
    meta = f"{item.outlets_label} · {item.time_label}{' (nhận muộn)' if item.late else ''} · {item.sentiment_label}"
    _styled(doc, meta, "DB Meta")
    if item.topic_names:
        _styled(doc, f"Chủ đề: {item.topics_label}", "DB Meta")
    if item.summary:
        _styled(doc, item.summary, "DB Summary")
    for outlet, title, link in item.related:
        p = _styled(doc, f"Tin liên quan ({outlet}): ", "DB Meta")
        url = safe_url(link)
        if url:
            _hyperlink(p, url, title, bold=False)
        else:
            p.add_run(clean(title))


def _section(doc, section: DigestSection) -> None:
    if not section.items:
        _styled(doc, section.empty_text, "DB Note")
    for n, item in enumerate(section.items, 1):
        _item(doc, item, n)
    if section.omitted:
        _styled(doc, f"… và {vn_number(section.omitted)} sự việc khác.", "DB Note")
    if section.note and section.key != "borderline":
        _styled(doc, section.note, "DB Note")


def render_docx(digest: Digest, *, chart_png: bytes | None = None) -> bytes:
    """The clipping as DOCX bytes."""
    d = digest
    s = d.summary
    doc = new_document(d.office, d.day, "ĐIỂM BÁO GIÁO DỤC", f"({d.date_label}; tin đăng {d.window_label})")
    outline = d.outline()

    n = vn_number
    heading(doc, f"{outline[0][0]}. {outline[0][1]}")
    if d.sources_warning:
        p = _para(doc, indent_cm=0.5)
        _run(p, d.sources_warning, bold=True, color=RGBColor(0xB4, 0x23, 0x18))
    if d.empty:
        _para(doc, d.empty_text, indent_cm=0.5)
    else:
        lines = [
            f"Tin, bài về giáo dục: {n(s.education)} trên tổng số {n(s.articles)} tin, bài thu thập ({n(s.stories)} sự việc "
            "sau khi gộp các tin, bài cùng sự việc).",
            f"Vấn đề nóng: {s.hot_text}.",
            f"Sự việc trên địa bàn {d.office.district}: {s.local_text}.",
            "Sắc thái: " + "; ".join(f"{label} {n(k)}" for label, k in s.tone_labels) + ".",
            f"So sánh: {s.change_text}.",
        ]
        if s.top_outlets:
            lines.append("Báo đăng nhiều nhất: " + ", ".join(f"{o} ({n(k)})" for o, k in s.top_outlets) + ".")
        if s.unclassified:
            lines.append(f"{n(s.unclassified)} tin, bài chưa được phân loại nên chưa có trong điểm báo.")
        for line in lines:
            _styled(doc, f"- {line}", "DB Bullet")
    if chart_png:
        p = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, space_before=4)
        p.add_run().add_picture(io.BytesIO(chart_png), width=Cm(15))

    if not d.empty:
        heading(doc, f"{outline[1][0]}. {outline[1][1]}")
        _section(doc, d.hot)
        heading(doc, f"{outline[2][0]}. {outline[2][1]}")
        _section(doc, d.local)
        heading(doc, f"{outline[3][0]}. {outline[3][1]}")
        if not d.topic_sections:
            _styled(doc, "Không có tin theo các chủ đề của kế hoạch.", "DB Note")
        else:
            _styled(doc, TOPICS_NOTE, "DB Note")
        for k, sec in enumerate(d.topic_sections, 1):
            heading(doc, f"{k}. {sec.title} ({n(len(sec.items) + sec.omitted)})", level=2)
            _section(doc, sec)
        heading(doc, f"{outline[4][0]}. {outline[4][1]}")
        _section(doc, d.positive)

    if d.borderline.items:
        part = d.borderline_part
        heading(doc, f"{outline[part][0]}. {outline[part][1]}")
        _styled(doc, d.borderline.note, "DB Note")
        _section(doc, d.borderline)

    if d.sources:
        heading(doc, f"{outline[-1][0]}. {outline[-1][1]}")
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("Nguồn", "Tình trạng", "Lấy được gần nhất", "Nguyên nhân")):
            _run(cell.paragraphs[0], text, bold=True, size=11)
        for row in d.source_rows():
            for cell, text in zip(table.add_row().cells, row):
                _run(cell.paragraphs[0], text, size=11)

    closing(doc, d.office, f"{d.footer} Tóm tắt trích từ bài gốc; sắc thái và chủ đề do hệ thống tự động xác định, "
                           "cần đối chiếu bài gốc.")
    return save(doc)


REPORT_SIGNER = "TRƯỞNG PHÒNG"  # the monthly report goes out under the head of the office's signature


def closing(doc, office: Office, note: str, *, signer: str | None = None) -> None:
    """'Nơi nhận' block and the machine note, as the end of an office document; with `signer` (a report that
    leadership signs), the signature block beside it, its name left for the person who signs."""
    _para(doc, note, italic=True, size=11, space_before=12)
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    _no_borders(table)
    left, right = table.cell(0, 0), table.cell(0, 1)
    left.width, right.width = Cm(8.5), Cm(7.5)
    p = left.paragraphs[0]
    _run(p, "Nơi nhận:", bold=True, italic=True, size=12)
    p.paragraph_format.keep_with_next = True
    _para(left, "- Lãnh đạo Phòng (để báo cáo);", size=11, space_after=0)
    _para(left, f"- Bộ phận truyền thông {office.short_name};", size=11, space_after=0)
    _para(left, "- Lưu: VT.", size=11, space_after=0)
    if signer:
        right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(right.paragraphs[0], signer, bold=True, size=13)
        _para(right, space_after=60)  # room for the signature and the seal


# --------------------------------------------------------------------------- the monthly report


def _table(doc, header: tuple[str, ...], rows: list[tuple[str, ...]], widths_cm: tuple[float, ...]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text, w in zip(table.rows[0].cells, header, widths_cm):
        cell.width = Cm(w)
        _run(cell.paragraphs[0], text, bold=True, size=11.5)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for row in rows:
        cells = table.add_row().cells
        for i, (cell, text, w) in enumerate(zip(cells, row, widths_cm)):
            cell.width = Cm(w)
            _run(cell.paragraphs[0], text, size=11.5)
            if i > 0 and len(text) < 12:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, space_after=4)


def render_report_docx(report, *, chart_png: bytes | None = None) -> bytes:
    """The monthly public-opinion report (monitor.report.MonthlyReport) as DOCX bytes."""
    from monitor.render import safe_url
    from monitor.report import NO_TOPIC

    r = report
    doc = new_document(r.office, r.generated_at.date(), "BÁO CÁO DƯ LUẬN BÁO CHÍ VỀ GIÁO DỤC",
                       f"{r.label.capitalize()} ({r.period_label})")

    heading(doc, "I. TỔNG QUAN")
    lines = [
        f"Tổng số tin, bài về giáo dục: {r.total.count} (tháng trước: {r.total.previous}; thay đổi: {r.total.change}).",
        "Sắc thái: " + "; ".join(f"{t.label} {t.count} ({t.change})" for t in r.tone) + ".",
        f"{r.local.label}: {r.local.count} (tháng trước: {r.local.previous}).",
        f"Vấn đề nóng: {len(r.hot_issues)}" + (
            " (" + "; ".join(f"{status}: {n}" for status, n in r.case_counts) + ")" if r.hot_issues else "")
        + f"{r.false_alarm_note}.",
        f"Tin tích cực (đã gộp các tin cùng sự việc): {r.positive_total}.",
    ]
    for line in lines:
        _para(doc, f"- {line}", indent_cm=0.5, space_after=2)
    if chart_png:
        p = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, space_before=4)
        p.add_run().add_picture(io.BytesIO(chart_png), width=Cm(16))

    heading(doc, "II. THEO CHỦ ĐỀ CỦA KẾ HOẠCH TRUYỀN THÔNG")
    topic_rows = [(f"{i}. {t.label}" if t.label != NO_TOPIC else t.label, str(t.count), str(t.previous), t.change)
                  for i, t in enumerate(r.topics, 1)]
    _table(doc, ("Chủ đề", "Tháng này", "Tháng trước", "Thay đổi"), topic_rows, (9.5, 2.2, 2.3, 2.0))

    heading(doc, "III. THEO SẮC THÁI")
    _table(doc, ("Sắc thái", "Tháng này", "Tháng trước", "Thay đổi"),
           [(t.label, str(t.count), str(t.previous), t.change) for t in r.tone], (9.5, 2.2, 2.3, 2.0))

    heading(doc, "IV. THEO CƠ QUAN BÁO CHÍ")
    if r.outlets:
        _table(doc, ("Cơ quan báo chí", "Tháng này", "Tháng trước", "Thay đổi"),
               [(o.label, str(o.count), str(o.previous), o.change) for o in r.outlets], (9.5, 2.2, 2.3, 2.0))
    else:
        _para(doc, "Không có tin giáo dục trong tháng.", italic=True, indent_cm=0.5)

    heading(doc, "V. VẤN ĐỀ NÓNG VÀ KẾT QUẢ XỬ LÝ")
    if not r.hot_issues:
        _para(doc, "Không có vấn đề nóng trong tháng.", italic=True, indent_cm=0.5)
    for n, h in enumerate(r.hot_issues, 1):
        p = _para(doc, space_after=1, indent_cm=0.5)
        p.paragraph_format.keep_with_next = True
        _run(p, f"{n}. ", bold=True)
        url = safe_url(h.url)
        if url:
            _hyperlink(p, url, h.title)
        else:
            _run(p, h.title, bold=True)
        meta = (f"{h.outlet} và {h.outlets - 1} báo khác" if h.outlets > 1 else h.outlet)
        meta += f" · từ {h.first_seen:%d/%m/%Y} · mức độ: {h.severity or 'nóng'}"
        if h.hot_score:
            meta += f" (điểm {h.hot_score:.0f}/100)"
        _para(doc, meta, italic=True, size=11.5, space_after=1, indent_cm=1.0)
        status = f"Tình trạng xử lý: {h.case_status}" + (f"; người phụ trách: {h.owner}" if h.owner else "")
        _para(doc, status, bold=True, size=12, space_after=1, indent_cm=1.0)
        for note in h.notes:
            _para(doc, f"- {note}", size=12, space_after=1, indent_cm=1.5)

    heading(doc, "VI. TIN TÍCH CỰC CẦN LAN TỎA")
    if not r.positive:
        _para(doc, "Không có tin tích cực trong tháng.", italic=True, indent_cm=0.5)
    for n, item in enumerate(r.positive, 1):
        p = _para(doc, space_after=1, indent_cm=0.5)
        _run(p, f"{n}. ", bold=True)
        url = safe_url(item.url)
        if url:
            _hyperlink(p, url, item.title)
        else:
            _run(p, item.title, bold=True)
        meta = f"{item.outlet}" + (f" (+{item.outlets - 1} báo khác cùng đưa tin)" if item.outlets > 1 else "")
        meta += f" · {item.published:%d/%m/%Y}" + (f" · trên địa bàn {r.office.district}" if item.local else "")
        _para(doc, meta, italic=True, size=11.5, space_after=4, indent_cm=1.0)
    if r.positive_total > len(r.positive):
        _para(doc, f"… và {r.positive_total - len(r.positive)} tin tích cực khác.", italic=True, indent_cm=0.5)

    closing(doc, r.office, f"Số liệu do hệ thống theo dõi báo chí tổng hợp tự động lúc {r.generated_at:%H:%M %d/%m/%Y}; "
                           "sắc thái và chủ đề do máy xác định.", signer=REPORT_SIGNER)
    return save(doc)
