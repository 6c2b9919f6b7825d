"""The administrative layout every DOCX shares (Decree 30/2020/NĐ-CP), read from the documents' XML: column widths
that Word (w:tcW) and LibreOffice (w:gridCol) lay out alike, the Quốc hiệu on one line, the short rules under the
office's name and the motto, the language and the file's properties."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm

from monitor.docx_render import HEADER_PADDING_CM, HEADER_SIZES, HEADER_WIDTHS_CM, TEXT_WIDTH_CM, render_docx
from monitor.models import SourceHealth
from monitor.report import build_and_deliver_report
from test_digest import TZ, article, cls
from test_render import digest_with
from test_report import make_app_for_month, seed_months

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TWIPS_PER_CM = 1440 / 2.54


def clipping() -> bytes:
    t0 = datetime(2026, 11, 25, 20, 0, tzinfo=TZ)
    health = [SourceHealth("a-feed", "VnExpress", "https://a.example/rss", "failing", consecutive_failures=3)]
    return render_docx(digest_with([article(1, "Sở GD&ĐT công bố lịch thi học kỳ I", "VnExpress", t0)],
                                   {1: cls(1, topics=["chinh-sach"])}, source_health=health))


@pytest.fixture(scope="module")
def report_docx(tmp_path_factory) -> bytes:
    tmp = tmp_path_factory.mktemp("report")
    app = make_app_for_month(tmp)
    seed_months(app.store)
    return build_and_deliver_report(app, 2026, 11, out_dir=tmp / "out", send=False).paths["docx"].read_bytes()


def _grid_and_cells(table) -> tuple[list[int], list[list[int]]]:
    tbl = table._tbl
    grid = [int(c.get(qn("w:w"))) for c in tbl.tblGrid.findall(qn("w:gridCol"))]
    rows = [[int(tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) for tc in tr.tc_lst] for tr in tbl.tr_lst]
    return grid, rows


@pytest.mark.parametrize("which", ["clipping", "report"])
def test_every_tables_grid_agrees_with_its_cells(which, report_docx):
    """LibreOffice lays a table out by w:gridCol, Word by w:tcW: python-docx's equal grid made them differ."""
    doc = Document(io.BytesIO(clipping() if which == "clipping" else report_docx))
    assert len(doc.tables) >= 3  # header, at least one table of figures or sources, the closing
    for n, table in enumerate(doc.tables):
        grid, rows = _grid_and_cells(table)
        for cells in rows:
            assert cells == grid, f"table {n}: cells {cells} against grid {grid}"
        assert sum(grid) <= round(TEXT_WIDTH_CM * TWIPS_PER_CM) + 4, f"table {n} is wider than the text"  # python-docx rounds
    header, closing = doc.tables[0], doc.tables[-1]
    assert _grid_and_cells(header)[0] == [round(w * TWIPS_PER_CM) for w in HEADER_WIDTHS_CM]
    assert header._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    assert closing.rows[0].cells[0].text.startswith("Nơi nhận:")


def test_the_quoc_hieu_fits_its_column_on_one_line():
    """Bold 12-13 pt (Decree 30/2020), measured in the font LibreOffice puts for Times New Roman (same widths)."""
    doc = Document(io.BytesIO(clipping()))
    right = doc.tables[0].cell(0, 1)
    run = right.paragraphs[0].runs[0]
    assert run.text == QUOC_HIEU and run.bold and 12 <= run.font.size.pt == HEADER_SIZES["motto_title"] <= 13
    room_cm = HEADER_WIDTHS_CM[1] - 2 * HEADER_PADDING_CM
    font_file = next((p for p in (Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"),
                                  Path("/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf")) if p.is_file()), None)
    if font_file is None:
        pytest.skip("no Liberation Serif (Times New Roman's metric-compatible font) to measure with")
    from PIL import ImageFont

    width_cm = ImageFont.truetype(str(font_file), 1000).getlength(QUOC_HIEU) / 1000 * run.font.size.pt / 72 * 2.54
    assert 8 < width_cm < room_cm - 0.2, (width_cm, room_cm)
    left = doc.tables[0].cell(0, 0)
    assert [p.text for p in left.paragraphs[:2]] == ["UBND QUẬN LONG BIÊN", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"]


def test_the_rules_under_the_office_name_and_the_motto_have_their_own_lengths():
    """_bottom_rule's width_pct: about 40% of the left column under the office's name (1/3-1/2 of the name), the
    motto's length under the motto, both centred; a border of the text's paragraph spanned the whole column."""
    doc = Document(io.BytesIO(clipping()))
    for col, (width, pct) in enumerate(zip(HEADER_WIDTHS_CM, (40, 60))):
        cell = doc.tables[0].cell(0, col)
        text_p, rule = cell.paragraphs[1], cell.paragraphs[2]
        assert text_p.text and text_p._p.pPr.find(qn("w:pBdr")) is None
        assert rule.text == "" and rule._p.pPr.find(qn("w:pBdr")).find(qn("w:top")).get(qn("w:val")) == "single"
        left, right = rule.paragraph_format.left_indent, rule.paragraph_format.right_indent
        assert left == right
        assert abs((Cm(width) - 2 * left) / Cm(width) * 100 - pct) < 0.5


def test_the_document_is_vietnamese_and_says_who_made_it_and_when(report_docx):
    for data, title, built in (
            (clipping(), "Điểm báo giáo dục ngày 26/11/2026", None),
            (report_docx, "Tình hình dư luận báo chí về giáo dục tháng 11 năm 2026", datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc))):
        doc = Document(io.BytesIO(data))
        lang = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
        assert lang.get(qn("w:val")) == "vi-VN"
        props = doc.core_properties
        assert props.author == props.last_modified_by == "Phòng GD&ĐT quận Long Biên"
        assert props.title == title and props.comments == "" and props.language == "vi-VN"
        assert props.created == props.modified
        if built is not None:  # the app's injected clock (1 December 08:00 in Hà Nội), in UTC
            assert props.created == built
        assert props.created.year == 2026  # not the template's 2013


def test_the_clipping_is_stamped_with_its_own_generation_time():
    from test_render import NOW

    doc = Document(io.BytesIO(clipping()))
    assert doc.core_properties.created == NOW.astimezone(timezone.utc)


def _space_after_pt(paragraph, doc) -> float:
    """The paragraph's space after as Word lays it out: its own, else its style's, else the document's default
    (python-docx's template gives 10 pt after every paragraph that sets none)."""
    own = paragraph.paragraph_format.space_after
    if own is not None:
        return own.pt
    style = paragraph.style
    while style is not None:
        if style.paragraph_format.space_after is not None:
            return style.paragraph_format.space_after.pt
        style = style.base_style
    spacing = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    return int(spacing.get(qn("w:after"), "0")) / 20 if spacing is not None else 0.0


@pytest.mark.parametrize("which", ["clipping", "report"])
def test_the_header_and_nơi_nhận_lines_follow_each_other_without_a_gap(which, report_docx):
    """Decree 30/2020's header: the governing body right above the office's name, the Quốc hiệu right above the
    motto; and the list of Nơi nhận right under its label. The first paragraph of a table cell took the template's
    10 pt after, a blank half-line between them."""
    doc = Document(io.BytesIO(clipping() if which == "clipping" else report_docx))
    header, closing = doc.tables[0], doc.tables[-1]
    for cell in (header.cell(0, 0), header.cell(0, 1), closing.cell(0, 0)):
        assert _space_after_pt(cell.paragraphs[0], doc) == 0, cell.paragraphs[0].text


def _row_cant_split(row) -> bool:
    tr_pr = row._tr.trPr
    return tr_pr is not None and tr_pr.find(qn("w:cantSplit")) is not None


def test_a_table_of_figures_is_not_broken_across_pages(report_docx):
    """A short table of figures (tone, outlets, topics) stays on one page with its heading: LibreOffice put the
    outlets' header row and one outlet at the foot of one page and the rest on the next. Its header row repeats
    should a long one (a Sở's many outlets) still need two pages."""
    doc = Document(io.BytesIO(report_docx))
    grids = [t for t in doc.tables if t.style is not None and t.style.name == "Table Grid"]
    assert len(grids) >= 3
    for table in grids:
        rows = table.rows
        assert rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        for row in rows:
            assert _row_cant_split(row)
        for row in rows[:-1]:  # every row held to the next: the table moves to the next page whole
            for cell in row.cells:
                assert all(p.paragraph_format.keep_with_next for p in cell.paragraphs), cell.text


def test_the_signature_block_is_not_split_from_its_closing_sentence(report_docx):
    """'Trên đây là báo cáo…./.' stays on the page of Nơi nhận and the signer's title, and that block is one
    unsplittable row: a title at the foot of a page with the room to sign on the next would not be signed."""
    doc = Document(io.BytesIO(report_docx))
    closing_sentence = next(p for p in doc.paragraphs if p.text.startswith("Trên đây là báo cáo"))
    assert closing_sentence.paragraph_format.keep_with_next
    assert _row_cant_split(doc.tables[-1].rows[0])


def test_the_clippings_closing_note_stays_with_its_noi_nhan():
    """The clipping ends with the machine's note, then Nơi nhận: the note keeps with the block, or a page break
    between them leaves the last page holding the Nơi nhận alone, with nothing of the clipping above it."""
    doc = Document(io.BytesIO(clipping()))
    body = doc.element.body
    closing = doc.tables[-1]._tbl
    note = closing.getprevious()
    assert note.tag == qn("w:p") and "tổng hợp tự động" in "".join(t.text for t in note.iter(qn("w:t")))
    assert next(p for p in doc.paragraphs if p._p is note).paragraph_format.keep_with_next
    assert body.index(closing) == body.index(note) + 1
