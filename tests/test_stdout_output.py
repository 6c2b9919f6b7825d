"""`--out -`: the clipping and the monthly report written to standard output, one document and nothing else there."""

from __future__ import annotations

import io
import re

from click.testing import CliRunner
from docx import Document

from monitor.cli import cli
from test_digest import DAY, make_app, seed_day
from test_report import make_app_for_month, seed_months


def _run(monkeypatch, app, args):
    monkeypatch.setattr("monitor.cli.digest.get_app", lambda ctx, **_: app)
    return CliRunner().invoke(cli, args)


def test_the_digest_in_each_format_goes_to_stdout_alone(tmp_path, monkeypatch):
    app = make_app(tmp_path)
    seed_day(app.store)
    for fmt in ("txt", "md", "html", "docx"):
        r = _run(monkeypatch, app, ["digest", "--date", DAY.isoformat(), "--format", fmt, "--out", "-"])
        assert r.exit_code == 0, r.output
        if fmt == "docx":
            text = "\n".join(p.text for p in Document(io.BytesIO(r.stdout_bytes)).paragraphs)
        else:
            text = r.stdout
        assert "Hơn 30 học sinh tiểu học ở Long Biên nhập viện" in text
        assert "đã ghi" not in r.stdout and "đầu ra chuẩn" in r.stderr and "chưa gửi đi" in r.stderr
        if fmt in ("html", "md"):
            # no file beside it to hold the chart: it is inside the document
            assert "data:image/png;base64," in text and "xu-huong.png" not in text
    assert not (tmp_path / "var" / "outbox").exists()  # nothing written anywhere else


def test_the_report_in_each_format_goes_to_stdout_alone(tmp_path, monkeypatch):
    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    html = _run(monkeypatch, app, ["report", "--month", "2026-11", "--format", "html", "--out", "-"])
    assert html.exit_code == 0, html.output
    assert html.stdout.lstrip().startswith("<!") and "ĐÁNH GIÁ CHUNG" in html.stdout
    assert re.search(r'src="data:image/png;base64,', html.stdout) and "theo-ngay.png" not in html.stdout
    assert "Báo cáo tháng 11/2026: " in html.stderr and "; đã ghi ra đầu ra chuẩn, dạng html" in html.stderr
    assert "đầu ra chuẩn" not in html.stdout
    docx = _run(monkeypatch, app, ["report", "--month", "2026-11", "--format", "docx", "--out", "-"])
    assert docx.exit_code == 0, docx.output
    assert any("ĐÁNH GIÁ CHUNG" in p.text for p in Document(io.BytesIO(docx.stdout_bytes)).paragraphs)
    assert not (tmp_path / "var" / "outbox").exists()


def test_stdout_takes_one_format_and_no_send(tmp_path, monkeypatch):
    app = make_app(tmp_path)  # digest.formats holds four
    seed_day(app.store)
    several = _run(monkeypatch, app, ["digest", "--date", DAY.isoformat(), "--out", "-"])
    assert several.exit_code == 2 and several.stdout == "" and "--format" in several.stderr
    sent = _run(monkeypatch, app, ["digest", "--format", "txt", "--out", "-", "--send"])
    assert sent.exit_code == 2 and sent.stdout == "" and "--send" in sent.stderr
    both = _run(monkeypatch, app, ["report", "--month", "2026-11", "--out", "-"])  # default: docx and html
    assert both.exit_code == 2 and both.stdout == "" and "--format html" in both.stderr
    mailed = _run(monkeypatch, app, ["report", "--month", "2026-11", "--format", "html", "--out", "-", "--send"])
    assert mailed.exit_code == 2 and mailed.stdout == "" and "--send" in mailed.stderr
    assert app.store.digest_record(DAY) is None
