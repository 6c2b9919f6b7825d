"""The clipping as a Word document laid out like the office's administrative documents (python-docx).

Layout after Decree 30/2020/NĐ-CP on administrative documents: A4, margins 20/20/30/15 mm, Times New
Roman 13-14 pt; a two-column header with the governing body and the office on the left and the
national motto on the right, then place and date, the title, and numbered parts I., II., ...
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timezone

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from monitor.config import Office, score_text
from monitor.digest import TOPICS_NOTE, Digest, DigestItem, DigestSection, administrative_date, vn_number
from monitor.wording import FULL_CASE_LIST, NO_LEVEL

FONT = "Times New Roman"
LANGUAGE = "vi-VN"  # spelling and hyphenation: Word checks the text as Vietnamese, not as the template's English
TEXT_WIDTH_CM = 16.5  # A4 less the 30 mm and 15 mm side margins
# the header's two columns, the whole text width, with 0.1 cm of cell padding: the right one holds "CỘNG HÒA XÃ HỘI
# CHỦ NGHĨA VIỆT NAM" in bold 12 pt on one line (8.8 cm in Times New Roman and in LibreOffice's metric-compatible
# Liberation Serif; at 12.5 pt it is 9.1 cm, too close to the edge), the left one "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"
# in bold 12 pt (6.6 cm); Decree 30/2020 allows 12-13 pt for both
HEADER_WIDTHS_CM = (7.0, 9.5)
HEADER_PADDING_CM = 0.1
HEADER_SIZES = {"superior": 12, "own": 12, "motto_title": 12, "motto": 13}
CLOSING_WIDTHS_CM = (8.5, 8.0)
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
LINK_BLUE = RGBColor(0x1F, 0x4E, 0x9A)


def clean(text: str) -> str:
    """Text Word can hold: control characters from a broken feed would make the file unreadable."""
    return _XML_INVALID.sub("", text or "")


def office_header(office: Office) -> tuple[str, str]:
    """('UBND QUẬN LONG BIÊN', 'PHÒNG GIÁO DỤC VÀ ĐÀO TẠO'): the governing body and the office itself."""
    m = office.area_suffix
    own = office.name[: m.start()] if m else office.name
    return office.governing_body.upper(), own.upper()


def place_and_date(office: Office, day: date) -> str:
    # a Sở writes its province as it is now, as its header does, not a former one still typed as office.district
    return f"{office.province[0] if office.is_department else office.district}, {administrative_date(day)}"


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


def _hyperlink(paragraph, url: str, text: str, *, bold: bool = True, size: float | None = None) -> None:
    """A clickable link run (python-docx has no API for external hyperlinks); `size` in points, else the style's."""
    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    if bold:
        rpr.append(OxmlElement("w:b"))
    # in the order the OOXML schema gives them (b, color, sz, u)
    for tag, val in (("w:color", "1F4E9A"), ("w:sz", str(round(size * 2)) if size else ""), ("w:u", "single")):
        if val:
            el = OxmlElement(tag)
            el.set(qn("w:val"), val)
            rpr.append(el)
    run.append(rpr)
    t = OxmlElement("w:t")
    t.text = clean(text)
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _bottom_rule(paragraph, width_pct: int = 40, *, column_cm: float):
    """The line under the office name (1/3 to 1/2 of the name) or the motto (as long as the motto), centred, as
    Decree 30/2020 draws them: the top border of an empty 1 pt paragraph just below `paragraph`, indented so it
    spans `width_pct` of the column (a border of the text's own paragraph would span the whole column)."""
    rule = paragraph._parent.add_paragraph()
    fmt = rule.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(1)
    fmt.left_indent = fmt.right_indent = Cm(column_cm * (100 - width_pct) / 200)
    rule.alignment = WD_ALIGN_PARAGRAPH.CENTER
    ppr = rule._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(k), v)
    borders.append(top)
    ppr.insert_element_before(borders, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                              "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
                              "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                              "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                              "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
                              "w:pPrChange")
    return rule


def _twips(cm: float) -> int:
    return round(cm / 2.54 * 1440)


def _set_widths(table, widths_cm: tuple[float, ...], *, padding_cm: float | None = None) -> None:
    """Fixed column widths, written alike in the table grid (w:gridCol, which LibreOffice lays out by) and in
    every cell (w:tcW, which Word uses): python-docx leaves the grid at equal columns. `padding_cm`: the cells'
    left and right padding, when not the default 0.19 cm."""
    table.autofit = False
    tbl = table._tbl
    if padding_cm is not None:
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            el = OxmlElement(f"w:{side}")
            el.set(qn("w:w"), str(_twips(padding_cm)))
            el.set(qn("w:type"), "dxa")
            margins.append(el)
        _put_table_property(tbl.tblPr, margins)
    grid = tbl.tblGrid
    cols = grid.findall(qn("w:gridCol"))
    assert len(cols) == len(widths_cm), (len(cols), widths_cm)
    for col, w in zip(cols, widths_cm):
        col.set(qn("w:w"), str(_twips(w)))
    tbl_w = OxmlElement("w:tblW")
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(_twips(sum(widths_cm))))
    _put_table_property(tbl.tblPr, tbl_w)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    _put_table_property(tbl.tblPr, layout)
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm):
            cell.width = Cm(w)


_TBLPR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW",
                "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption",
                "tblDescription")


def _put_table_property(tbl_pr, element) -> None:
    """Set a table property in the schema's order (Word refuses a file whose w:tblPr children are out of order)."""
    name = element.tag.rsplit("}", 1)[-1]
    old = tbl_pr.find(qn(f"w:{name}"))
    if old is not None:
        tbl_pr.remove(old)
    later = _TBLPR_ORDER[_TBLPR_ORDER.index(name) + 1:]
    for child in tbl_pr:
        if child.tag.rsplit("}", 1)[-1] in later:
            child.addprevious(element)
            return
    tbl_pr.append(element)


def _row_flags(row, *names: str) -> None:
    """Set row properties (w:cantSplit, w:tblHeader): w:trPr's children may come in any order."""
    tr_pr = row._tr.get_or_add_trPr()
    for name in names:
        if tr_pr.find(qn(f"w:{name}")) is None:
            tr_pr.append(OxmlElement(f"w:{name}"))


def _keep_table_together(table, *, whole: bool = True) -> None:
    """No row split across pages and the header row repeated on the next page; `whole`: every row but the last held
    to the next, so a table shorter than a page moves to the next page in one piece (LibreOffice left a header row
    and one row at the foot of a page, the rest on the next)."""
    rows = table.rows
    for i, row in enumerate(rows):
        _row_flags(row, "cantSplit", *(("tblHeader",) if i == 0 else ()))
        if whole and i < len(rows) - 1:
            for cell in row.cells:
                for p in cell.paragraphs:
                    p.paragraph_format.keep_with_next = True


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    _put_table_property(table._tbl.tblPr, borders)


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


def new_document(office: Office, day: date, title: str, subtitle: str, *, summary: str = "", number: str = "",
                 doc_title: str = "", built_at: datetime | None = None):
    """A4 document with the administrative header block, the title (with its trích yếu `summary` under it, as a
    report's "BÁO CÁO" / "Tình hình …") and the subtitle; `number` ("Số: …/BC-PGDĐT") goes under the office's
    name. The file's properties: author the office, title `doc_title`, created and modified `built_at`."""
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(13)
    _set_font(normal.element)
    _set_language(doc)
    _set_properties(doc, office, doc_title or f"{title.capitalize()} ngày {day:%d/%m/%Y}", built_at)
    for name, spec in STYLES.items():
        _add_style(doc, name, **spec)

    superior, own = office_header(office)
    table = doc.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _set_widths(table, HEADER_WIDTHS_CM, padding_cm=HEADER_PADDING_CM)
    left_w, right_w = HEADER_WIDTHS_CM
    left, right = table.cell(0, 0), table.cell(0, 1)
    for first in (left.paragraphs[0], right.paragraphs[0]):  # the next line right below, as Decree 30 draws them
        first.paragraph_format.space_after = Pt(0)  # (the template's default is 10 pt after)
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(left.paragraphs[0], superior, size=HEADER_SIZES["superior"])
    p = _para(left, own, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=HEADER_SIZES["own"], space_after=0)
    _bottom_rule(p, 40, column_cm=left_w)  # about 2.8 cm: 1/3 to 1/2 of the office's name
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(right.paragraphs[0], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=HEADER_SIZES["motto_title"])
    p = _para(right, "Độc lập - Tự do - Hạnh phúc", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True,
              size=HEADER_SIZES["motto"], space_after=0)
    _bottom_rule(p, 60, column_cm=right_w)  # about 5.7 cm: the motto's own length
    if number:
        number_cell = table.cell(1, 0)
        number_cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        number_cell.paragraphs[0].paragraph_format.space_before = Pt(6)
        _run(number_cell.paragraphs[0], number, size=13)
    date_cell = table.cell(1, 1)
    date_cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    date_cell.paragraphs[0].paragraph_format.space_before = Pt(6)
    _run(date_cell.paragraphs[0], place_and_date(office, day), italic=True, size=13)

    _para(doc, title, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=14, space_before=18,
          space_after=0 if summary else 2)
    if summary:
        _para(doc, summary, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=14, space_after=2)
    _para(doc, subtitle, align=WD_ALIGN_PARAGRAPH.CENTER, italic=True, size=13, space_after=12)
    _page_numbers(section)
    return doc


def _set_language(doc) -> None:
    """Vietnamese as the document's language: the default run properties (styles.xml) and the theme's."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    theme_lang = doc.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), LANGUAGE)


def _set_properties(doc, office: Office, title: str, built_at: datetime | None) -> None:
    """File > Properties: the office as author, the document's title, the time it was built (the template's
    'python-docx' and 2013 otherwise); `built_at` from the caller's clock, the wall clock only when none is given."""
    props = doc.core_properties
    when = (built_at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    props.author = props.last_modified_by = clean(office.short_name)
    props.title = clean(title)
    props.comments = props.keywords = props.subject = props.category = ""
    props.language = LANGUAGE
    props.revision = 1
    props.created = props.modified = when


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


def _item(doc, item: DigestItem, n: int | str) -> None:
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
        # as the text clipping says it: the level, then the handling, then the score under its one name
        _run(p, f"[{item.severity_label.upper()}]", bold=True, color=RGBColor(0xB4, 0x23, 0x18))
        _run(p, f" Tình trạng xử lý: {item.case_label}")
        if item.hot_score:
            _run(p, f" · mức độ nóng {score_text(item.hot_score)}/100")
        if item.alerted:  # what the alerts told, beside a lower reading now
            _run(_styled(doc, "", "DB Hot"), item.alerted)
        if item.reasons:  # one reason a line: a reason may hold commas and semicolons of its own
            _run(_styled(doc, "", "DB Hot"), "Lý do:", italic=True)
            for reason in item.reasons:
                _run(_styled(doc, "", "DB Subnote"), f"– {reason}", italic=True)
        if item.follows:
            _run(_styled(doc, "", "DB Hot"), item.follows, bold=True)
        if item.outcome:
            _run(_styled(doc, "", "DB Hot"), item.outcome)
    if item.unsure:
        _styled(doc, item.unsure_line, "DB Meta")
        if item.summary:
            _styled(doc, item.summary, "DB Summary")
        return
    meta = f"{item.outlets_label} · {item.time_label}{' (nhận muộn)' if item.late else ''}"
    if item.sentiment_label:  # a hot issue from outside the press has no tone of coverage
        meta += f" · {item.sentiment_label}"
    _styled(doc, meta, "DB Meta")
    if item.topic_names:
        _styled(doc, f"Chủ đề: {item.topics_label}", "DB Meta")
    if item.summary:
        _styled(doc, item.summary, "DB Summary")
    for r in item.related:
        p = _styled(doc, f"Tin liên quan ({r.outlet}){r.mark}: ", "DB Meta")
        url = safe_url(r.url)
        if url:
            _hyperlink(p, url, r.title, bold=False)
        else:
            p.add_run(clean(r.title))


def _section(doc, section: DigestSection) -> None:
    if not section.items:
        _styled(doc, section.empty_text, "DB Note")
    for n, item in enumerate(section.items, 1):
        _item(doc, item, item.number or n)
    if section.omitted:
        _styled(doc, f"… và {vn_number(section.omitted)} sự việc khác.", "DB Note")
    if section.note and section.key != "borderline":
        _styled(doc, section.note, "DB Note")


def render_docx(digest: Digest, *, chart_png: bytes | None = None) -> bytes:
    """The clipping as DOCX bytes."""
    d = digest
    s = d.summary
    doc = new_document(d.office, d.day, "ĐIỂM BÁO GIÁO DỤC", f"({d.date_label}; tin đăng {d.window_label})",
                       built_at=d.generated_at)
    outline = d.outline()

    n = vn_number
    heading(doc, f"{outline[0][0]}. {outline[0][1]}")
    for warning in (d.collection_warning, d.sources_warning):
        if warning:
            p = _para(doc, indent_cm=0.5)
            _run(p, warning, bold=True, color=RGBColor(0xB4, 0x23, 0x18))
    if d.empty:
        _para(doc, d.empty_text, indent_cm=0.5)
        if d.hand_entered_note:
            _para(doc, d.hand_entered_note, indent_cm=0.5)
    else:
        lines = [
            f"Tin, bài về giáo dục: {s.education_text}.",
            f"Vấn đề nóng: {s.hot_text}.",
            f"Sự việc trên địa bàn {d.office.area}: {s.local_text}.",
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
        _para(doc, d.trend_note, align=WD_ALIGN_PARAGRAPH.CENTER, italic=True, size=11, space_after=6)

    if not d.empty or d.hot.items:
        heading(doc, f"{outline[1][0]}. {outline[1][1]}")
        _section(doc, d.hot)
    if not d.empty:
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
        _keep_table_together(table, whole=len(table.rows) <= 12)  # a long list of sources may take two pages

    closing(doc, d.office, f"{d.footer} Tóm tắt trích từ bài gốc; sắc thái và chủ đề do hệ thống tự động xác định, "
                           "cần đối chiếu bài gốc.")
    return save(doc)


def _recipient_lines(entries) -> list[str]:
    """'- entry;' each, the last '- entry.' (Decree 30/2020's Nơi nhận)."""
    entries = list(entries)
    return [f"- {e}{'.' if i == len(entries) - 1 else ';'}" for i, e in enumerate(entries)]


SIGNATURE_LINES = 4  # empty lines between the signer's title and name, for the signature and the seal (Decree 30)


def closing(doc, office: Office, note: str, *, signer: tuple[str, ...] | str | None = None, signer_name: str = "",
            recipients: tuple[str, ...] | None = None, note_last: bool = False) -> None:
    """'Nơi nhận' block and the machine note, as the end of an office document; with `signer` (the title lines of
    a report that leadership signs: office.report_signer), the signature block beside it, room for the signature
    and the seal, then `signer_name` when known. `recipients` default to the clipping's: the office's leadership,
    the communication staff and the archive. `note_last`: the machine note after the block (a report ends with its
    closing sentence, then Nơi nhận and the signature); an empty note: none."""
    if note and not note_last:
        # with the block: a clipping's last page is never its "Nơi nhận" alone (LibreOffice put it there)
        _para(doc, note, italic=True, size=11, space_before=12).paragraph_format.keep_with_next = True
    # with no one signing (the clipping), Nơi nhận takes the whole width: in half of it its lines wrapped
    table = doc.add_table(rows=1, cols=2 if signer else 1)
    _no_borders(table)
    _set_widths(table, CLOSING_WIDTHS_CM if signer else (TEXT_WIDTH_CM,))
    _row_flags(table.rows[0], "cantSplit")  # the signer's title and the room to sign on one page
    left = table.cell(0, 0)
    p = left.paragraphs[0]
    _run(p, "Nơi nhận:", bold=True, italic=True, size=12)
    p.paragraph_format.keep_with_next = True
    p.paragraph_format.space_after = Pt(0)
    if recipients is None:
        recipients = (f"{office.leadership} (để báo cáo)", f"Bộ phận truyền thông {office.short_name}", "Lưu: VT")
    for line in _recipient_lines(recipients):
        _para(left, line, size=11, space_after=0)
    if signer:
        right = table.cell(0, 1)
        lines = (signer,) if isinstance(signer, str) else tuple(signer)
        right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        right.paragraphs[0].paragraph_format.space_after = Pt(0)  # the title lines stay together
        _run(right.paragraphs[0], lines[0], bold=True, size=13)
        for line in lines[1:]:
            _para(right, line, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=13, space_after=0)
        for _ in range(SIGNATURE_LINES):  # room for the signature and the seal
            _para(right, size=13, space_after=0)
        if signer_name:
            _para(right, signer_name, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, size=13, space_after=0)
    if note and note_last:
        _para(doc, note, italic=True, size=10, space_before=12)


# --------------------------------------------------------------------------- the monthly report


def _table(doc, header: tuple[str, ...], rows: list[tuple[str, ...]], widths_cm: tuple[float, ...]) -> None:
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _set_widths(table, widths_cm)
    for cell, text in zip(table.rows[0].cells, header):
        _run(cell.paragraphs[0], text, bold=True, size=11.5)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for table_row, row in zip(table.rows[1:], rows):
        for i, (cell, text) in enumerate(zip(table_row.cells, row)):
            _run(cell.paragraphs[0], text, size=11.5)
            if i > 0 and len(text) < 12:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _keep_table_together(table)
    _para(doc, space_after=4)


def _mark_for_signer(paragraph) -> None:
    """Highlight a part the person who signs completes, so the draft cannot go out with it unnoticed."""
    for run in paragraph.runs:
        rpr = run._r.get_or_add_rPr()
        mark = OxmlElement("w:highlight")
        mark.set(qn("w:val"), "yellow")
        rpr.append(mark)


def _link_line(doc, n: int, url: str, title: str, *, indent_cm: float = 0.5, keep_next=True):
    from monitor.render import safe_url

    p = _para(doc, space_after=1, indent_cm=indent_cm)
    p.paragraph_format.keep_with_next = keep_next
    _run(p, f"{n}. ", bold=True)
    href = safe_url(url)
    if href:
        _hyperlink(p, href, title)
    else:
        _run(p, title, bold=True)
    return p


def _hot_issue(doc, n: int, h) -> None:
    """One hot issue of the report's part III: what happened and, for the office's own or one it acted on, how it
was handled."""
    _link_line(doc, n, h.url, h.title)
    meta = f"{h.outlets_label} · {h.since_label} · mức độ nóng: {h.severity or NO_LEVEL}"
    if h.hot_score:
        meta += f" ({score_text(h.hot_score)}/100)"
    more = h.summary or h.shows_handling or h.false_information_line or h.developments
    _para(doc, meta, italic=True, size=11.5, space_after=1 if more else 4, indent_cm=1.0)
    if h.summary:
        _para(doc, f"Nội dung: {h.summary}", size=12,
              space_after=1 if h.shows_handling or h.false_information_line or h.developments else 4, indent_cm=1.0)
    if h.false_information_line:
        _para(doc, h.false_information_line, italic=True, size=12, space_after=1 if h.shows_handling or h.developments
              else 4, indent_cm=1.0)
    if h.developments:
        _developments(doc, h)
    if not h.shows_handling:
        return
    status = (f"Tình trạng xử lý: {h.status_label}" + (f" — {h.status_since}" if h.status_since else "")
              + (f"; người phụ trách: {h.owner}" if h.owner else ""))
    lines = [line for line in (h.reported_line, h.press_line, h.earlier_line, h.outcome) if line]
    _para(doc, status, bold=True, size=12, space_after=1 if lines else 4, indent_cm=1.0)
    for n_line, line in enumerate(lines, 1):
        _para(doc, line, size=12, space_after=4 if n_line == len(lines) else 1, indent_cm=1.0)


def _developments(doc, h) -> None:
    """A hot issue's developments (HotIssue.developments), one line each under its heading, as the HTML lists them."""
    from monitor.render import safe_url

    _para(doc, h.developments_label, size=12, space_after=0, indent_cm=1.0)
    for k, d in enumerate(h.developments, 1):
        p = _para(doc, space_after=1 if k < len(h.developments) or h.shows_handling else 4, indent_cm=1.5)
        _run(p, f"– {d.head}", size=12)
        href = safe_url(d.url)
        if href:
            _hyperlink(p, href, d.title, bold=False, size=12)
        else:
            _run(p, d.title, size=12)


def _report_opening(r):
    """A report's document (monthly or period) up to its first part: the numbered report to sign, or, with nothing
    collected, a short notice to the office itself, not a report to sign and send up, complete as it is."""
    from monitor.report import NO_DATA_REQUEST, NO_DATA_TITLE

    o = r.office
    if not r.has_data:
        doc = new_document(o, r.generated_at.date(), NO_DATA_TITLE, r.no_data_subtitle, doc_title=r.no_data_subtitle,
                           built_at=r.generated_at)
        _para(doc, r.no_data_text, indent_cm=0.5, space_after=6)
        _para(doc, NO_DATA_REQUEST, indent_cm=0.5, space_after=6)
        closing(doc, o, "")
        return doc
    return new_document(o, r.generated_at.date(), "BÁO CÁO", r.subtitle, summary=r.subject_line,
                        number=f"Số: …/BC-{o.document_code}", doc_title=r.subject_line, built_at=r.generated_at)


def render_report_docx(report, *, chart_png: bytes | None = None) -> bytes:
    """The monthly public-opinion report (monitor.report.MonthlyReport) as DOCX bytes: a draft for the head of the
    office to sign, its parts after the plan's III.2 (public opinion on the office's work and how it was handled)."""
    from monitor.report import (DAILY_CHART_NOTE, FORECAST_NOTHING, FORECAST_TITLE, NO_TOPIC, PROPOSALS_TO_COMPLETE,
                                REPORT_CHART_CM, TOPICS_OVERLAP_NOTE)

    r = report
    o = r.office
    doc = _report_opening(r)
    if not r.has_data:
        return save(doc)
    machine_note = (f"Số liệu do hệ thống theo dõi báo chí tổng hợp tự động lúc {r.generated_at:%H:%M} ngày "
                    f"{r.generated_at:%d/%m/%Y}; sắc thái và chủ đề do hệ thống tự động xác định.")

    num = vn_number

    compare = r.comparable
    heading(doc, "I. ĐÁNH GIÁ CHUNG")
    for sentence in r.assessment:
        p = _para(doc, sentence, space_after=3)
        p.paragraph_format.first_line_indent = Cm(1.0)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    total = f"Tổng số tin, bài về giáo dục: {num(r.total.count)}"
    if compare:
        total += f" (tháng trước: {num(r.total.previous)}; thay đổi: {r.total.change})"
    lines = [
        total + ".",
        "Sắc thái: " + "; ".join(f"{t.label} {num(t.count)}" + (f" ({t.change})" if compare else "") for t in r.tone) + ".",
        r.local_text + ".",
        f"{r.hot_text[0].upper()}{r.hot_text[1:]}.",
        *(f"{text[0].upper()}{text[1:]}." for text in (r.handling_text, r.false_information_text) if text),
        f"Tin tích cực (đã gộp các tin cùng sự việc): {num(r.positive_total)}.",
    ]
    if not compare:
        lines.append(r.no_comparison_text)
    for line in lines:
        _para(doc, f"- {line}", indent_cm=0.5, space_after=2)
    if chart_png:
        p = _para(doc, align=WD_ALIGN_PARAGRAPH.CENTER, space_before=4)
        p.add_run().add_picture(io.BytesIO(chart_png), width=Cm(REPORT_CHART_CM))
        _para(doc, DAILY_CHART_NOTE, align=WD_ALIGN_PARAGRAPH.CENTER, italic=True, size=11, space_after=6)

    # the area with its kind, as part III and the clipping name it ("quận Long Biên")
    heading(doc, f"II. TIN, BÀI VỀ ĐƠN VỊ, ĐỊA BÀN {o.area.upper()}")
    if not r.local_items:
        _para(doc, f"Trong tháng không có tin, bài về địa bàn {o.area}.", italic=True, indent_cm=0.5)
    for n, item in enumerate(r.local_items, 1):
        _link_line(doc, n, item.url, item.title)
        _para(doc, f"{item.outlets_label} · {item.published:%d/%m/%Y} · sắc thái: {item.tone.lower()}",
              italic=True, size=11.5, space_after=3, indent_cm=1.0)
    if r.local_total > len(r.local_items):
        _para(doc, f"… và {r.local_total - len(r.local_items)} sự việc khác.", italic=True, indent_cm=0.5)

    heading(doc, "III. VẤN ĐỀ NÓNG VÀ KẾT QUẢ XỬ LÝ")
    if not r.hot_issues and not r.pending:
        _para(doc, "Không có vấn đề nóng trong tháng.", italic=True, indent_cm=0.5)
    else:
        # the office's own issues with their handling, its cases of earlier months still open; another area's only
        # followed (no handling to account for)
        for k, (title, issues, none, more, more_line) in enumerate(r.hot_parts, 1):
            heading(doc, f"{k}. {title} ({num(len(issues) + more)})", level=2)
            if not issues:
                _para(doc, none, italic=True, indent_cm=0.5)
            for n, h in enumerate(issues, 1):
                _hot_issue(doc, n, h)
            if more:
                _para(doc, more_line, italic=True, indent_cm=0.5)

    heading(doc, "IV. TIN TÍCH CỰC CẦN LAN TỎA")
    if not r.positive:
        _para(doc, "Không có tin tích cực trong tháng.", italic=True, indent_cm=0.5)
    for n, item in enumerate(r.positive, 1):
        _link_line(doc, n, item.url, item.title, keep_next=False)
        meta = f"{item.outlets_label} · {item.published:%d/%m/%Y}" + (f" · trên địa bàn {o.area}" if item.local else "")
        _para(doc, meta, italic=True, size=11.5, space_after=4, indent_cm=1.0)
    if r.positive_total > len(r.positive):
        _para(doc, f"… và {r.positive_total - len(r.positive)} tin tích cực khác.", italic=True, indent_cm=0.5)

    if r.forecast is not None:
        f = r.forecast
        heading(doc, FORECAST_TITLE)
        _para(doc, f"({f.label.capitalize()})", italic=True, indent_cm=0.5, space_after=3)
        if not f.items:
            _para(doc, FORECAST_NOTHING, italic=True, indent_cm=0.5)
        for n, (title, items) in enumerate(f.groups, 1):
            heading(doc, f"{n}. {title}", level=2)
            for i in items:
                # the item in bold, as the HTML has it: a title with a colon of its own ("Hà Nội: …") would otherwise
                # run into its reason
                p = _para(doc, "- ", indent_cm=0.5, space_after=2)
                _run(p, i.text, bold=True)
                _run(p, f": {i.reason}")
        _para(doc, f.method_note, italic=True, size=11.5, indent_cm=0.5, space_after=4)

    head = ("Tháng này", "Tháng trước", "Thay đổi") if compare else ("Số tin, bài",)
    widths = (9.5, 2.2, 2.3, 2.0) if compare else (12.5, 3.5)

    def cells(row) -> tuple[str, ...]:
        return (num(row.count), num(row.previous), row.change) if compare else (num(row.count),)

    heading(doc, "VI. SỐ LIỆU THEO CHỦ ĐỀ CỦA KẾ HOẠCH TRUYỀN THÔNG")
    topic_rows = [(f"{i}. {t.label}" if t.label != NO_TOPIC else t.label, *cells(t)) for i, t in enumerate(r.topics, 1)]
    _table(doc, ("Chủ đề", *head), topic_rows, widths)
    _para(doc, TOPICS_OVERLAP_NOTE, italic=True, size=11.5, indent_cm=0.5, space_after=4)

    heading(doc, "VII. SỐ LIỆU THEO SẮC THÁI")
    _table(doc, ("Sắc thái", *head), [(t.label, *cells(t)) for t in r.tone], widths)

    heading(doc, "VIII. SỐ LIỆU THEO CƠ QUAN BÁO CHÍ")
    if r.outlets:
        _table(doc, ("Cơ quan báo chí", *head), [(x.label, *cells(x)) for x in r.outlets], widths)
    else:
        _para(doc, "Không có tin giáo dục trong tháng.", italic=True, indent_cm=0.5)

    heading(doc, "IX. ĐỀ XUẤT, KIẾN NGHỊ")
    _mark_for_signer(_para(doc, PROPOSALS_TO_COMPLETE, italic=True, indent_cm=0.5, space_after=6))

    p = _para(doc, r.closing_sentence, space_before=6, space_after=6)
    p.paragraph_format.first_line_indent = Cm(1.0)
    p.paragraph_format.keep_with_next = True  # on the page of Nơi nhận and the signature
    closing(doc, o, machine_note, signer=o.report_signer, signer_name=o.signer_name, recipients=o.report_recipients,
            note_last=True)
    return save(doc)


# --------------------------------------------------------------------------- the period report


def render_period_docx(report) -> bytes:
    """The period report (monitor.period_report.PeriodReport) as DOCX bytes: the monthly report's layout, the months
    side by side, the office's own hot issues with how each stood at the period's end."""
    from monitor.period_report import MONTHS_NOTE
    from monitor.report import ELSEWHERE_TITLE, NO_TOPIC, PROPOSALS_TO_COMPLETE, TOPICS_OVERLAP_NOTE

    r = report
    o = r.office
    doc = _report_opening(r)
    if not r.has_data:
        return save(doc)
    machine_note = (f"Số liệu do hệ thống theo dõi báo chí tổng hợp tự động lúc {r.generated_at:%H:%M} ngày "
                    f"{r.generated_at:%d/%m/%Y} từ số liệu từng tháng; sắc thái và chủ đề do hệ thống tự động xác định.")

    num = vn_number

    heading(doc, "I. ĐÁNH GIÁ CHUNG")
    for sentence in r.assessment:
        p = _para(doc, sentence, space_after=3)
        p.paragraph_format.first_line_indent = Cm(1.0)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    heading(doc, "II. SỐ LIỆU THEO THÁNG")
    head = ("Tháng", "Tin, bài thu thập", "Tin giáo dục", "Trên địa bàn", "Tích cực", "Tiêu cực", "Vấn đề nóng")

    def cells(m) -> tuple[str, ...]:
        hot = f"{num(m.hot)} ({num(m.hot_own)})"
        if not m.has_data:
            return (m.label, "không có dữ liệu", "", "", "", "", "")
        return (m.label, num(m.collected), num(m.education), num(m.local), num(m.positive), num(m.negative), hot)

    rows = [cells(m) for m in r.months] + [cells(r.total)]
    if r.comparable:
        rows += [cells(r.previous_total), ("Thay đổi", *r.change)]
    _table(doc, head, rows, (3.4, 2.2, 2.0, 2.0, 2.0, 2.0, 2.4))
    notes = ["Cột “Vấn đề nóng”: tổng số (trong ngoặc: trên địa bàn). " + MONTHS_NOTE]
    if r.not_begun_text:
        notes.append(r.not_begun_text)
    if not r.comparable:
        notes.append(r.no_comparison_text)
    for note in notes:
        _para(doc, note, italic=True, size=11.5, indent_cm=0.5, space_after=4)

    heading(doc, "III. SỐ LIỆU THEO CHỦ ĐỀ CỦA KẾ HOẠCH TRUYỀN THÔNG")
    compare = r.comparable
    t_head = ("Chủ đề", "Cả kỳ", "Kỳ liền trước", "Thay đổi") if compare else ("Chủ đề", "Số tin, bài")
    widths = (9.5, 2.2, 2.3, 2.0) if compare else (12.5, 3.5)
    _table(doc, t_head, [(f"{i}. {t.label}" if t.label != NO_TOPIC else t.label,
                          *((num(t.count), num(t.previous), t.change) if compare else (num(t.count),)))
                         for i, t in enumerate(r.topics, 1)], widths)
    _para(doc, TOPICS_OVERLAP_NOTE, italic=True, size=11.5, indent_cm=0.5, space_after=4)
    for line in r.topic_change_lines:
        _para(doc, f"- {line}", indent_cm=0.5, space_after=2)

    heading(doc, "IV. VẤN ĐỀ NÓNG VÀ KẾT QUẢ XỬ LÝ")
    heading(doc, "1. Tổng hợp xử lý hồ sơ vụ việc trên địa bàn", level=2)
    for line in r.case_lines:
        _para(doc, f"- {line}.", indent_cm=0.5, space_after=2)
    heading(doc, f"2. Vấn đề nóng trên địa bàn {o.area} ({num(r.own_total)})", level=2)
    if not r.own:
        _para(doc, "Trong kỳ không có vấn đề nóng trên địa bàn.", italic=True, indent_cm=0.5)
    for n, p in enumerate(r.own, 1):
        _hot_issue(doc, n, p.issue)
        if p.timeline:
            _para(doc, p.timeline, italic=True, size=12, space_after=4, indent_cm=1.0)
    if r.own_total > len(r.own):
        _para(doc, f"… và {num(r.own_total - len(r.own))} vấn đề khác ({FULL_CASE_LIST}).",
              italic=True, indent_cm=0.5)
    heading(doc, f"3. {ELSEWHERE_TITLE} ({num(r.elsewhere_total)})", level=2)
    if not r.elsewhere:
        _para(doc, "Không có vấn đề nóng ngoài địa bàn trong kỳ.", italic=True, indent_cm=0.5)
    else:
        _para(doc, r.elsewhere_line, indent_cm=0.5, space_after=4)
        _para(doc, f"Các vấn đề được quan tâm nhất ({num(len(r.elsewhere))}):", bold=True, indent_cm=0.5, space_after=2)
    for n, h in enumerate(r.elsewhere, 1):
        _link_line(doc, n, h.url, h.title)
        meta = f"{h.outlets_label} · từ {h.first_seen:%d/%m/%Y} · mức độ nóng: {h.severity or NO_LEVEL}"
        if h.hot_score:
            meta += f" ({score_text(h.hot_score)}/100)"
        _para(doc, meta, italic=True, size=11.5, space_after=4, indent_cm=1.0)

    heading(doc, f"V. TIN TÍCH CỰC VỀ ĐỊA BÀN {o.area.upper()} CẦN LAN TỎA")
    if not r.positive:
        _para(doc, f"Trong kỳ không có tin tích cực về địa bàn {o.area}.", italic=True, indent_cm=0.5)
    for n, item in enumerate(r.positive, 1):
        _link_line(doc, n, item.url, item.title, keep_next=False)
        _para(doc, f"{item.outlets_label} · {item.published:%d/%m/%Y}", italic=True, size=11.5, space_after=4,
              indent_cm=1.0)
    if r.positive_total > len(r.positive):
        _para(doc, f"… và {num(r.positive_total - len(r.positive))} tin tích cực khác về địa bàn.", italic=True,
              indent_cm=0.5)

    heading(doc, "VI. ĐỀ XUẤT, KIẾN NGHỊ")
    _mark_for_signer(_para(doc, PROPOSALS_TO_COMPLETE, italic=True, indent_cm=0.5, space_after=6))
    p = _para(doc, r.closing_sentence, space_before=6, space_after=6)
    p.paragraph_format.first_line_indent = Cm(1.0)
    p.paragraph_format.keep_with_next = True
    closing(doc, o, machine_note, signer=o.report_signer, signer_name=o.signer_name, recipients=o.report_recipients,
            note_last=True)
    return save(doc)
