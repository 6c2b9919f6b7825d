"""The office's area is named with its kind wherever a document says "trên địa bàn …", as its heading and its part
headed by the area do ("ĐỊA BÀN PHƯỜNG VIỆT HƯNG"): a ward's office read "Tin, bài trên địa bàn Việt Hưng", the
shipped one "địa bàn Long Biên" under "QUẬN LONG BIÊN". And a Sở whose office.city is still its former province
(merged on 1 July 2025) addresses and heads its documents as the province it is now part of. Invented news."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from docx import Document

from monitor.config import Office
from monitor.digest import build_digest, digest_window
from monitor.docx_render import office_header, place_and_date, render_docx
from monitor.period_report import load_period
from monitor.report import build_and_deliver_report, load_report
from monitor.triage import run_triage
from test_digest import DAY, NOW, TZ, article, cls
from test_digest import office as shipped_office
from test_triage_support import Cls, add_article, make_app

ROOT = Path(__file__).resolve().parents[1]

WARD = {"name": "Phòng Văn hóa - Xã hội phường Việt Hưng", "short_name": "Phòng VH-XH phường Việt Hưng",
        "district": "Việt Hưng", "city": "Hà Nội", "watchlist": {"schools": ["THCS Việt Hưng"]}}
# written for the test
GOOD_TITLE = "Học sinh THCS Việt Hưng làm vườn rau sạch trên sân thượng nhà trường"
GOOD_SAPO = "Mô hình giúp học sinh phường Việt Hưng hiểu thêm về nông nghiệp đô thị và bữa ăn lành mạnh."


def _ward_month(tmp_path):
    app = make_app(tmp_path, datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc), office=WARD)
    add_article(app, "VnExpress", "vuon-rau", GOOD_TITLE, GOOD_SAPO, app.now() - timedelta(hours=3),
                Cls(hot_score=0.05, sentiment="positive", scope="local", topics=("guong-dien-hinh",), reasons=()))
    run_triage(app)
    return app


def test_the_monthly_and_period_reports_name_a_wards_area_with_its_kind(tmp_path):
    app = _ward_month(tmp_path)
    r = load_report(app, 2026, 11)
    assert r.local.count == 1 and r.local.label.startswith("Tin, bài trên địa bàn phường Việt Hưng"), r.local.label
    assert r.local_text.startswith("Tin, bài trên địa bàn phường Việt Hưng: 1"), r.local_text
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    html = result.paths["html"].read_text(encoding="utf-8")
    docx = "\n".join(p.text for p in Document(io.BytesIO(result.paths["docx"].read_bytes())).paragraphs)
    for text in (html, docx):
        assert "Tin, bài trên địa bàn phường Việt Hưng: 1" in text
        assert "trên địa bàn Việt Hưng" not in text and "về địa bàn Việt Hưng" not in text
    # the positive story of the ward, listed with where it happened
    assert "· trên địa bàn phường Việt Hưng" in html and "· trên địa bàn phường Việt Hưng" in docx
    period = load_period(app, (2026, 11), (2026, 11))
    assert "tin, bài trên địa bàn phường Việt Hưng" in period.assessment[0], period.assessment[0]


def test_the_clippings_docx_names_the_shipped_offices_area_with_its_kind():
    office = shipped_office()
    a = article(1, "Trường tiểu học ở Long Biên tổ chức ngày hội đọc sách", "VnExpress", NOW - timedelta(hours=5))
    d = build_digest(office=office, day=DAY, window=digest_window(DAY, "07:00", TZ), articles=[a],
                     classifications={1: cls(1, scope="local")}, generated_at=NOW)
    text = "\n".join(p.text for p in Document(io.BytesIO(render_docx(d))).paragraphs)
    assert "Sự việc trên địa bàn quận Long Biên: 1" in text, text
    empty = build_digest(office=office, day=DAY, window=digest_window(DAY, "07:00", TZ), articles=[],
                         classifications={}, generated_at=NOW)
    assert "về địa bàn quận Long Biên" in empty.local.empty_text, empty.local.empty_text


def test_a_so_whose_city_is_its_former_province_addresses_the_province_it_is_part_of():
    """Hà Giang was merged into Tuyên Quang: the report went "UBND tỉnh Hà Giang (để báo cáo)", a body that no
    longer exists. config check still warns that office.city should be written as the new province."""
    so = Office(name="Sở Giáo dục và Đào tạo tỉnh Hà Giang", short_name="Sở GD&ĐT Hà Giang", district="Hà Giang",
                city="Hà Giang")
    assert so.report_recipients == ("UBND tỉnh Tuyên Quang (để báo cáo)", "Ban Giám đốc Sở", "Lưu: VT")
    assert office_header(so) == ("UBND TỈNH TUYÊN QUANG", "SỞ GIÁO DỤC VÀ ĐÀO TẠO")
    assert place_and_date(so, DAY) == "Tuyên Quang, ngày 26 tháng 11 năm 2026"
    assert so.area == "tỉnh Tuyên Quang"
    # a Phòng of a former province's district: the Sở it reports to is the new province's
    phong = Office(name="Phòng Văn hóa - Xã hội xã Đồng Văn", short_name="x", district="Đồng Văn", city="Hà Giang")
    assert phong.report_recipients[0] == "Sở GD&ĐT Tuyên Quang"
    # Quảng Nam went into the city of Đà Nẵng: the kind follows
    assert Office(name="Sở Giáo dục và Đào tạo tỉnh Quảng Nam", short_name="x", district="Quảng Nam",
                  city="Quảng Nam").governing_body == "UBND thành phố Đà Nẵng"


def _office_examples(text: str) -> list[dict[str, str]]:
    """The offices shown commented out under `office:`, each as its four keys (name, short_name, district, city)."""
    examples, current = [], {}
    for line in text.splitlines():
        m = re.match(r"^  #\s+(name|short_name|district|city): (.+)$", line)
        if m:
            current[m.group(1)] = m.group(2).strip()
            if len(current) == 4:
                examples.append(current)
                current = {}
    return examples


def test_the_shipped_configs_show_the_offices_of_2026_and_each_reads_as_the_readme_says(tmp_path):
    """The shipped feeds.yaml described a district's Phòng only, and there have been no districts since 1 July
    2025: its comments show a Sở of a merged province and a ward's Phòng Văn hóa - Xã hội, each of which, put in
    place of the shipped office, loads and is the office the README's "An office since the 2025 reorganisation"
    describes."""
    from monitor.config import load_config

    for shipped in (ROOT / "feeds.yaml", ROOT / "monitor" / "templates" / "feeds.example.yaml"):
        text = shipped.read_text(encoding="utf-8").replace("data_dir: var", f"data_dir: {tmp_path / 'var'}")
        examples = _office_examples(text)
        assert [e["name"] for e in examples] == ["Sở Giáo dục và Đào tạo tỉnh Tuyên Quang",
                                                 "Phòng Văn hóa - Xã hội phường Việt Hưng"], shipped
        for example in examples:
            mine = text
            for key, value in example.items():
                mine = re.sub(rf"(?m)^  {key}: .*$", f"  {key}: {value}", mine, count=1)
            (tmp_path / "feeds.yaml").write_text(mine, encoding="utf-8")
            office = load_config(tmp_path / "feeds.yaml").office
            if office.is_department:
                assert office.area == "tỉnh Tuyên Quang" and office_header(office)[0] == "UBND TỈNH TUYÊN QUANG"
            else:
                assert office.area == "phường Việt Hưng" and office.document_code == "VHXH"
                assert office_header(office) == ("UBND PHƯỜNG VIỆT HƯNG", "PHÒNG VĂN HÓA - XÃ HỘI")
            proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(tmp_path / "feeds.yaml"), "config",
                                   "check"], capture_output=True, text=True, cwd=ROOT)
            assert proc.returncode == 0 and "là tỉnh cũ" not in proc.stdout, proc.stdout
