"""Delivering the clipping: a real SMTP server on 127.0.0.1 (aiosmtpd), the outbox, exactly once a day."""

from __future__ import annotations

import email
import io
import json
import socket
from datetime import datetime, timedelta
from email import policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from docx import Document

from monitor.errors import NotifyError
from test_digest import DAY, NOW, TZ, make_app, seed_day


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts (or refuses them all when `refuse`); it
    refuses the recipients in `refuse_rcpt` (address -> answer) and answers the end of DATA `slow` seconds late."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.refuse = False
        self.refuse_rcpt: dict[str, str] = {}
        self.slow = 0.0
        self.gate = None  # a threading.Event: the end of DATA is answered only once it is set

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "554 5.0.0 refused by the test"
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        if self.slow:
            import asyncio

            await asyncio.sleep(self.slow)
        if self.gate is not None:
            import asyncio

            await asyncio.get_running_loop().run_in_executor(None, self.gate.wait, 30)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def smtp_app(tmp_path, port, **kw):
    return make_app(tmp_path, smtp={"host": "127.0.0.1", "port": port, "security": "none",
                                    "sender": "diem-bao@pgd-longbien.example.vn", "timeout_seconds": 10}, **kw)


def parts(raw: bytes):
    msg = email.message_from_bytes(raw, policy=policy.default)
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    attachments = list(msg.iter_attachments())
    return msg, text, html, attachments


def test_digest_arrives_over_smtp_with_text_html_chart_and_docx(tmp_path, smtp_server):
    inbox, port = smtp_server
    app = smtp_app(tmp_path, port)
    ids = seed_day(app.store)
    from monitor.digest import build_and_deliver_digest

    result = build_and_deliver_digest(app, DAY)
    assert result.status == "sent", result.message
    assert len(inbox.messages) == 1
    rcpt, raw = inbox.messages[0]
    assert rcpt == ["lanhdao@pgd-longbien.example.vn"]
    msg, text, html, attachments = parts(raw)
    # no triage in this seed: the two hot articles have no level yet; one is on the district
    assert msg["Subject"] == "Điểm báo giáo dục 26/11/2026: 2 vấn đề nóng chưa xếp mức (1 tại Long Biên)"
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n", 1)[0].lower() or b"=?UTF-8?" in raw  # encoded, not raw 8-bit
    assert msg["Message-ID"] == result.message_id
    assert msg.get_content_type() == "multipart/mixed"

    body = text.get_content()
    assert "ĐIỂM BÁO GIÁO DỤC — Thứ Năm, ngày 26/11/2026" in body
    assert "Hơn 30 học sinh tiểu học ở Long Biên nhập viện sau bữa trưa bán trú" in body
    assert "Đội tuyển bóng đá" not in body

    html_text = html.get_content()
    assert "<script" not in html_text.lower()
    assert "&lt;script&gt;" in html_text
    related = [p for p in msg.walk() if p.get_content_type() == "multipart/related"]
    assert related, "the HTML and its chart travel together"
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1
    cid = images[0]["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html_text
    assert images[0].get_content()[:8] == b"\x89PNG\r\n\x1a\n"

    docx_parts = [a for a in attachments if a.get_filename() == "diem-bao-2026-11-26.docx"]
    assert len(docx_parts) == 1
    doc = Document(io.BytesIO(docx_parts[0].get_content()))
    paragraphs = [p.text for p in doc.paragraphs]
    header = [c.text.strip() for row in doc.tables[0].rows for c in row.cells]  # (the rules are empty paragraphs)
    assert "UBND QUẬN LONG BIÊN\nPHÒNG GIÁO DỤC VÀ ĐÀO TẠO" in header
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc" in header
    assert "Long Biên, ngày 26 tháng 11 năm 2026" in header
    assert "ĐIỂM BÁO GIÁO DỤC" in paragraphs
    for head in ("I. TÓM TẮT", "II. VẤN ĐỀ NÓNG", "III. TIN TRÊN ĐỊA BÀN QUẬN LONG BIÊN",
                 "IV. TIN THEO CHỦ ĐỀ CỦA KẾ HOẠCH TRUYỀN THÔNG", "V. TIN TÍCH CỰC CẦN LAN TỎA"):
        assert head in paragraphs
    assert paragraphs.index("II. VẤN ĐỀ NÓNG") < paragraphs.index("III. TIN TRÊN ĐỊA BÀN QUẬN LONG BIÊN")
    assert any(p.startswith("1. Thi tuyển sinh lớp 10") or p.startswith("2. Thi tuyển sinh lớp 10") for p in paragraphs)
    assert len(doc.inline_shapes) == 1  # the chart
    rels = [r.target_ref for r in doc.part.rels.values() if r.is_external]
    assert "https://news.example.vn/2026-11-26/ngo-doc.html" in rels

    record = app.store.digest_record(DAY)
    assert record.status == "sent" and record.recipients == ("lanhdao@pgd-longbien.example.vn",)
    assert record.sent_at is not None and ids


def test_a_second_send_the_same_day_sends_nothing_unless_resend(tmp_path, smtp_server):
    inbox, port = smtp_server
    app = smtp_app(tmp_path, port)
    seed_day(app.store)
    from monitor.digest import build_and_deliver_digest

    assert build_and_deliver_digest(app, DAY).status == "sent"
    again = build_and_deliver_digest(app, DAY)
    assert again.status == "already-delivered" and "lần này không gửi gì" in again.message
    assert "Điểm báo ngày 26/11/2026 đã gửi tới " in again.message and "--resend" in again.message
    assert len(inbox.messages) == 1
    assert build_and_deliver_digest(app, DAY, resend=True).status == "sent"
    assert len(inbox.messages) == 2
    record = app.store.digest_record(DAY)
    assert record.deliveries == 2
    assert [d["resend"] for d in app.store.digest_deliveries(DAY)] == [0, 1]


def test_a_delivery_interrupted_mid_send_is_not_silently_repeated(tmp_path, smtp_server):
    inbox, port = smtp_server
    app = smtp_app(tmp_path, port)
    seed_day(app.store)
    from monitor.digest import build_and_deliver_digest
    from monitor.digest_delivery import digest_window

    start, end = digest_window(DAY, "07:00", app.config.office.tz)
    # what a process that died after claiming the day (and perhaps after handing the mail over) leaves behind,
    # found a while later (a claim of a minute ago is another run sending it now: the next test)
    claim = app.store.claim_digest(DAY, window_start=start, cutoff_at=end, channel="smtp", recipients=("a@b.vn",),
                                   formats=("html",), message_id="<x@y>", items=3, now=app.now() - timedelta(minutes=20))
    assert claim.granted
    assert app.store.digest_handing_over(claim.delivery_id, app.now() - timedelta(minutes=20))  # the mail was leaving
    result = build_and_deliver_digest(app, DAY)
    assert result.status == "in-doubt" and not result.ok
    assert "thì tiến trình dừng" in result.message and result.message.startswith("Chưa rõ đã gửi hay chưa: ")
    assert "--resend" in result.message and "<x@y>" in result.message
    assert inbox.messages == []
    # `monitor status` calls it what it is: not "being sent" (ops review: "đang gửi (có thể đã tới hộp thư…)")
    from monitor.cli.service import _digest_line, _digests

    assert _digests(app)[0]["status"] == "sending"  # as the killed run left it
    line = _digest_line(_digests(app)[0], TZ)
    assert line.startswith(f"Điểm báo {DAY:%d/%m/%Y}: chưa rõ đã tới hộp thư chưa (có thể đã tới hộp thư: ") and "đang gửi" not in line, line
    assert build_and_deliver_digest(app, DAY, resend=True).status == "sent"
    assert len(inbox.messages) == 1


def test_a_delivery_stopped_before_the_hand_over_is_sent_again_once(tmp_path, smtp_server):
    """A run killed (kill -9, a power cut, systemd's SIGKILL) while it connected to the mail server, logged in or named
    the recipients sent nothing: the day must not wait 'in doubt' for a person to check mailboxes that cannot hold
    it (that morning's clipping would never go out by itself); the next run sends it, once."""
    from monitor.cli.service import _digest_state, _digests
    from monitor.digest import build_and_deliver_digest
    from monitor.digest_delivery import digest_window

    inbox, port = smtp_server
    app = smtp_app(tmp_path, port)
    seed_day(app.store)
    start, end = digest_window(DAY, "07:00", app.config.office.tz)
    app.store.claim_digest(DAY, window_start=start, cutoff_at=end, channel="smtp", recipients=("a@b.vn",),
                           formats=("html",), message_id="<x@y>", items=3, now=app.now() - timedelta(minutes=20))
    state = _digest_state(_digests(app)[0], TZ)  # `monitor status` before the next run
    assert "chưa có gì được gửi đi" in state and "có thể đã tới" not in state
    result = build_and_deliver_digest(app, DAY)
    assert result.status == "sent" and len(inbox.messages) == 1
    first, second = app.store.digest_deliveries(DAY)
    assert first["status"] == "failed" and "before handing it to the mail server" in first["error"]
    assert second["status"] == "sent" and second["handed_over_at"]
    assert build_and_deliver_digest(app, DAY).status == "already-delivered" and len(inbox.messages) == 1
    app.close()


def test_a_run_that_stalled_before_the_hand_over_and_was_taken_over_sends_nothing(tmp_path, smtp_server):
    from monitor.digest import build_and_deliver_digest
    from monitor.digest_delivery import digest_window

    inbox, port = smtp_server
    app = smtp_app(tmp_path, port)
    seed_day(app.store)
    start, end = digest_window(DAY, "07:00", app.config.office.tz)
    stalled = app.store.claim_digest(DAY, window_start=start, cutoff_at=end, channel="smtp", recipients=("a@b.vn",),
                                     formats=("html",), message_id="<x@y>", items=3, now=app.now() - timedelta(minutes=20))
    assert build_and_deliver_digest(app, DAY).status == "sent"  # another run took the day over and sent it
    # the stalled run wakes up: it may not hand its copy over, and what it records leaves the day as the other made it
    assert not app.store.digest_handing_over(stalled.delivery_id, app.now())
    app.store.finish_digest(DAY, stalled.delivery_id, status="failed", now=app.now(), error="taken over")
    assert app.store.digest_record(DAY).status == "sent" and len(inbox.messages) == 1
    app.close()


def test_a_digest_another_run_is_sending_now_is_not_called_in_doubt(tmp_path, smtp_server):
    """Two `monitor digest --send` at once: the loser said the digest "was being delivered ... when the process
    stopped, so it may have gone out", though nothing had stopped. It says another run is sending it now."""
    import threading

    from monitor.digest import build_and_deliver_digest

    inbox, port = smtp_server
    inbox.gate = threading.Event()  # the server holds the first run's message until the second has asked
    first_app, second_app = smtp_app(tmp_path, port), smtp_app(tmp_path, port)  # two processes, one database
    seed_day(first_app.store)
    results = {}
    first = threading.Thread(target=lambda: results.setdefault("first", build_and_deliver_digest(first_app, DAY)))
    first.start()
    try:
        for _ in range(600):  # the first run has claimed the day and is handing the message over
            if inbox.messages:
                break
            first.join(0.05)
        assert inbox.messages and second_app.store.digest_record(DAY).status == "sending"

        second = build_and_deliver_digest(second_app, DAY)
        assert second.status == "sending" and not second.ok  # not a success: the CLI exits 1
        assert "một lần chạy khác đang gửi điểm báo ngày 26/11/2026" in second.message
        assert "monitor status" in second.message and "process stopped" not in second.message
        # what to look for in `monitor status` is a state it shows, in its words (never the stored 'sending')
        assert "vẫn chưa hiện là đã gửi" in second.message and "sending" not in second.message, second.message

        # the same when the check found nothing and the claim was lost to the other run
        real = second_app.store.digest_record
        second_app.store.digest_record = lambda day: None
        try:
            raced = build_and_deliver_digest(second_app, DAY)
        finally:
            second_app.store.digest_record = real
        assert raced.status == "sending" and "một lần chạy khác đang gửi" in raced.message
    finally:
        inbox.gate.set()
        first.join(30)
    assert results["first"].status == "sent" and len(inbox.messages) == 1
    assert build_and_deliver_digest(second_app, DAY).status == "already-delivered"

    # `monitor status` in the meantime: being sent, not "may have arrived"
    from monitor.cli.service import _digest_state, _digests

    second_app.store.execute("UPDATE digests SET status = 'sending', sent_at = NULL")  # as it was a moment ago
    state = _digest_state(_digests(second_app)[0], TZ)
    assert "đang được gửi" in state and "có thể đã tới" not in state
    # ... and the claim of a run that died 20 minutes ago is in doubt, in the CLI and in status
    later = smtp_app(tmp_path, port, now=second_app.now() + timedelta(minutes=20))
    old = build_and_deliver_digest(later, DAY)
    assert old.status == "in-doubt" and "thì tiến trình dừng, nên có thể thư đã đi" in old.message
    assert "có thể đã tới hộp thư" in _digest_state(_digests(later)[0], TZ)
    for app in (first_app, second_app, later):
        app.close()


def test_a_refused_delivery_is_recorded_and_retried(tmp_path, smtp_server):
    inbox, port = smtp_server
    inbox.refuse = True
    app = smtp_app(tmp_path, port)
    seed_day(app.store)
    from monitor.digest import build_and_deliver_digest

    with pytest.raises(NotifyError):
        build_and_deliver_digest(app, DAY)
    record = app.store.digest_record(DAY)
    assert record.status == "failed" and "refused" in record.error
    inbox.refuse = False
    assert build_and_deliver_digest(app, DAY).status == "sent"
    assert len(inbox.messages) == 1


def test_a_login_named_in_the_file_but_missing_from_the_environment_is_not_skipped(tmp_path, smtp_server, monkeypatch):
    """Without its variables the monitor used to send without logging in; it now fails before connecting,
    naming the variables, and the day stays to be retried."""
    inbox, port = smtp_server
    monkeypatch.delenv("TEST_DIGEST_SMTP_USER", raising=False)
    monkeypatch.delenv("TEST_DIGEST_SMTP_PW", raising=False)
    app = make_app(tmp_path, smtp={"host": "127.0.0.1", "port": port, "security": "none", "timeout_seconds": 10,
                                   "sender": "diem-bao@pgd-longbien.example.vn",
                                   "username_env": "TEST_DIGEST_SMTP_USER", "password_env": "TEST_DIGEST_SMTP_PW"})
    seed_day(app.store)
    from monitor.digest import build_and_deliver_digest

    with pytest.raises(NotifyError, match="TEST_DIGEST_SMTP_USER và TEST_DIGEST_SMTP_PW chưa được đặt"):
        build_and_deliver_digest(app, DAY)
    assert inbox.messages == [] and app.store.digest_record(DAY).status == "failed"


def test_a_digest_the_server_took_without_confirming_stays_in_doubt(tmp_path, smtp_server):
    from monitor.digest import build_and_deliver_digest
    from monitor.service import digest_days_due

    inbox, port = smtp_server
    inbox.slow = 3  # the server keeps the message but answers after the client's 1-second timeout
    app = make_app(tmp_path, smtp={"host": "127.0.0.1", "port": port, "security": "none",
                                   "sender": "diem-bao@pgd-longbien.example.vn", "timeout_seconds": 1})
    seed_day(app.store)
    result = build_and_deliver_digest(app, DAY)
    assert result.status == "in-doubt" and not result.ok and "nhưng không xác nhận" in result.message
    record = app.store.digest_record(DAY)
    assert record.status == "in-doubt" and record.in_doubt and "127.0.0.1:" in record.error and "không xác nhận" in record.error
    inbox.slow = 0
    assert digest_days_due(app.now() + timedelta(minutes=30), app.config, app.store.digest_record) == []
    assert build_and_deliver_digest(app, DAY).status == "in-doubt"  # a rerun does not send it again
    assert len(inbox.messages) == 1
    # a person's --resend sends it again as the same message
    assert build_and_deliver_digest(app, DAY, resend=True).status == "sent"
    ids = [email.message_from_bytes(raw, policy=policy.default)["Message-ID"] for _, raw in inbox.messages]
    assert len(ids) == 2 and ids[0] == ids[1] == record.message_id


def test_a_refused_recipient_of_the_digest_is_recorded(tmp_path, smtp_server):
    from monitor.digest import build_and_deliver_digest

    inbox, port = smtp_server
    inbox.refuse_rcpt = {"pho@pgd-longbien.example.vn": "550 5.1.1 No such user"}
    app = smtp_app(tmp_path, port, recipients=("lanhdao@pgd-longbien.example.vn", "pho@pgd-longbien.example.vn"))
    seed_day(app.store)
    result = build_and_deliver_digest(app, DAY)
    assert result.status == "sent" and result.recipients == ("lanhdao@pgd-longbien.example.vn",)
    assert "pho@pgd-longbien.example.vn (550 5.1.1 No such user)" in result.message
    record = app.store.digest_record(DAY)
    assert record.refused == {"pho@pgd-longbien.example.vn": "550 5.1.1 No such user"} and "từ chối" in record.error
    assert json.loads(app.store.digest_deliveries(DAY)[-1]["refused"]) == record.refused
    assert build_and_deliver_digest(app, DAY).status == "already-delivered"  # not sent again to the others
    assert [rcpt for rcpt, _ in inbox.messages] == [["lanhdao@pgd-longbien.example.vn"]]


def test_two_claims_for_one_day_cannot_both_win(tmp_path):
    app = make_app(tmp_path)
    from monitor.digest_delivery import digest_window
    from monitor.store import Store

    start, end = digest_window(DAY, "07:00", app.config.office.tz)
    other = Store(app.config.storage.database)  # a second process on the same file
    kw = dict(window_start=start, cutoff_at=end, channel="smtp", recipients=(), formats=(), message_id=None, items=0,
              now=app.now())
    first, second = app.store.claim_digest(DAY, **kw), other.claim_digest(DAY, **kw)
    assert first.granted and not second.granted and second.reason == "in-doubt"
    other.close()


def test_without_smtp_the_digest_goes_to_the_outbox_once(tmp_path):
    app = make_app(tmp_path)
    seed_day(app.store)
    from monitor.digest import build_and_deliver_digest

    result = build_and_deliver_digest(app, DAY)
    assert result.status == "outbox" and "chưa cấu hình máy chủ thư (smtp)" in result.message
    folder = tmp_path / "var" / "outbox" / "2026-11-26"
    assert str(folder) in result.message
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["diem-bao-2026-11-26-xu-huong.png", "diem-bao-2026-11-26.docx", "diem-bao-2026-11-26.eml",
                     "diem-bao-2026-11-26.html", "diem-bao-2026-11-26.md", "diem-bao-2026-11-26.txt"]
    msg, text, html, attachments = parts((folder / "diem-bao-2026-11-26.eml").read_bytes())
    assert text is not None and html is not None and attachments
    # the saved HTML shows the chart from the file beside it (screenshots, opening it in a browser)
    saved = (folder / "diem-bao-2026-11-26.html").read_text(encoding="utf-8")
    assert 'src="diem-bao-2026-11-26-xu-huong.png"' in saved and "cid:" not in saved
    assert build_and_deliver_digest(app, DAY).status == "already-delivered"


def test_an_article_collected_after_the_cutoff_but_before_the_clipping_is_not_repeated_next_day(tmp_path):
    """The clipping built at 07:30 holds an article published at 06:55 and collected at 07:05; the next
    day's must not list it again as a late arrival, but must still carry an older one collected at 07:10
    that no clipping held. A clipping only previewed holds nothing back: nobody received it."""
    from datetime import datetime

    from monitor.digest import build_and_deliver_digest
    from monitor.digest_delivery import load_digest
    from test_digest import TZ, add_article, classify

    app = make_app(tmp_path)  # the clock: 07:30 on the 26th
    seed_day(app.store)
    cutoff = datetime(2026, 11, 26, 7, 0, tzinfo=TZ)
    just_before = add_article(app.store, url="https://news.example.vn/sat-gio.html", outlet="Dân trí",
                              title="Trường tiểu học thông báo lịch nghỉ học do mưa lớn", published=cutoff - timedelta(minutes=5),
                              seen=cutoff + timedelta(minutes=5))
    old_news = add_article(app.store, url="https://news.example.vn/tre-hai-ngay.html", outlet="Dân trí",
                           title="Học sinh vùng cao nhận học bổng đầu năm", published=cutoff - timedelta(days=1, hours=8),
                           seen=cutoff + timedelta(minutes=10))
    classify(app.store, [(just_before, dict(topics=["chinh-sach"])), (old_news, dict(topics=["guong-dien-hinh"]))])
    next_day = make_app(tmp_path, now=datetime(2026, 11, 27, 7, 30, tzinfo=TZ))
    # before the 26th's clipping is delivered, the 27th's would carry it: nobody has had it yet
    assert just_before in load_digest(next_day, DAY + timedelta(days=1)).article_ids
    assert build_and_deliver_digest(app, DAY).status == "outbox"
    assert just_before in load_digest(app, DAY).article_ids

    digest = load_digest(next_day, DAY + timedelta(days=1))
    assert just_before not in digest.article_ids  # the 26th's clipping held it
    assert old_news in digest.article_ids  # late, and in no clipping yet


def test_preview_without_send_records_nothing(tmp_path):
    app = make_app(tmp_path)
    seed_day(app.store)
    from monitor.digest import build_and_deliver_digest

    result = build_and_deliver_digest(app, DAY, send=False, formats=["html", "txt"], out_dir=tmp_path / "demo")
    assert result.status == "written"
    assert sorted(result.paths) == ["chart", "html", "txt"]
    assert app.store.digest_record(DAY) is None


def test_a_day_not_yet_over_cannot_be_sent(tmp_path):
    app = make_app(tmp_path)
    from monitor.digest import build_and_deliver_digest
    from monitor.errors import InputError

    with pytest.raises(InputError, match="thời điểm này chưa qua"):
        build_and_deliver_digest(app, DAY.replace(day=27))


def test_cli_digest_send_then_rerun(tmp_path, smtp_server, monkeypatch):
    inbox, port = smtp_server
    app = smtp_app(tmp_path, port)
    seed_day(app.store)
    from monitor.cli import cli

    monkeypatch.setattr("monitor.cli.digest.get_app", lambda ctx, **_: app)
    runner = CliRunner()
    first = runner.invoke(cli, ["digest", "--date", "2026-11-26", "--send"])
    assert first.exit_code == 0, first.output
    assert "đã gửi tới lanhdao@pgd-longbien.example.vn" in first.output
    second = runner.invoke(cli, ["digest", "--date", "2026-11-26", "--send"])
    assert second.exit_code == 0 and "Điểm báo ngày 26/11/2026 đã gửi tới lanhdao@" in second.output
    assert "lần này không gửi gì (gửi lại: thêm --resend)" in second.output
    assert len(inbox.messages) == 1
    bad = runner.invoke(cli, ["digest", "--date", "26.11.2026"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    lone = runner.invoke(cli, ["digest", "--resend"])
    assert lone.exit_code == 2
    preview = runner.invoke(cli, ["digest", "--date", "2026-11-26", "--format", "md", "--out", str(tmp_path / "p")])
    assert preview.exit_code == 0 and (tmp_path / "p" / "diem-bao-2026-11-26.md").is_file()


def test_a_monthly_report_the_server_took_without_confirming_is_not_sent_again_by_itself(tmp_path, smtp_server):
    """The service's report job records what it sent by the month at the head of its summary; an error would
    make it try again every few minutes for a week, each time a new copy in the mailboxes."""
    from monitor.report import build_and_deliver_report

    inbox, port = smtp_server
    inbox.slow = 3
    app = make_app(tmp_path, smtp={"host": "127.0.0.1", "port": port, "security": "none",
                                   "sender": "diem-bao@pgd-longbien.example.vn", "timeout_seconds": 1})
    seed_day(app.store)
    result = build_and_deliver_report(app, 2026, 11, send=True)
    assert result.status == "in-doubt" and "kiểm tra hộp thư" in result.message and "--month 2026-11 --send" in result.message
    assert len(inbox.messages) == 1


def _reports(inbox) -> int:
    return sum(parts(raw)[0]["Subject"].startswith("Báo cáo dư luận") for _, raw in inbox.messages)


def _on_the_first_of_december(tmp_path, port):
    """An app on 1 December after the cut-off, November's news stored: the month's report is due."""
    from datetime import datetime

    when = datetime(2026, 12, 1, 7, 30, tzinfo=TZ)
    app = smtp_app(tmp_path, port, now=when)
    seed_day(app.store)
    return app, when


class _Killed(BaseException):
    """Stands for kill -9: nothing after it runs in the process, not even the job's own bookkeeping."""


def test_a_service_killed_while_mailing_the_monthly_report_does_not_mail_it_again(tmp_path, smtp_server, monkeypatch):
    import monitor.mail
    from monitor.service import REPORT_JOB, Service

    inbox, port = smtp_server
    app, when = _on_the_first_of_december(tmp_path, port)
    handed_over = monitor.mail.send_message

    def send_then_die(*args, **kw):
        handed_over(*args, **kw)
        raise _Killed

    monkeypatch.setattr(monitor.mail, "send_message", send_then_die)
    svc = Service(app)
    svc._current_run = app.store.job_started(REPORT_JOB, when)  # what run_job does before the job's function
    with pytest.raises(_Killed):
        svc.report()
    assert _reports(inbox) == 1
    monkeypatch.setattr(monitor.mail, "send_message", handed_over)
    app.store.interrupted_jobs_closed(when)  # what the restarted service does first
    restarted = Service(app)
    assert restarted._last_report_month() == "2026-11"
    restarted.due_work()
    assert _reports(inbox) == 1  # not a second copy to leadership
    run = app.store.job_history(REPORT_JOB)[0]
    assert run["outcome"] == "interrupted" and "báo cáo có thể đã đến: xem hộp thư" in run["summary"]
    assert "monitor report --month 2026-11 --send" in run["summary"]


def test_a_service_killed_before_mailing_the_monthly_report_mails_it_after_the_restart(tmp_path, smtp_server, monkeypatch):
    from monitor.service import REPORT_JOB, Service

    inbox, port = smtp_server
    app, when = _on_the_first_of_december(tmp_path, port)

    def die(*args, **kw):
        raise _Killed

    monkeypatch.setattr("monitor.docx_render.render_report_docx", die)
    svc = Service(app)
    svc._current_run = app.store.job_started(REPORT_JOB, when)
    with pytest.raises(_Killed):
        svc.report()
    monkeypatch.undo()
    app.store.interrupted_jobs_closed(when)
    Service(app).due_work()
    assert _reports(inbox) == 1
    assert app.store.job_history(REPORT_JOB)[0]["summary"].startswith("2026-11: ")


def test_status_names_the_retry_of_a_clipping_the_mail_server_refused_not_tomorrow_s_cutoff(tmp_path):
    """Ops review: with the mail server down at the cut-off the digest job failed and `monitor status` gave its next
    run as the next day's cut-off, while the service was to try again ten minutes later (and did)."""
    from monitor.digest import build_and_deliver_digest
    from monitor.service import DIGEST_JOB, schedule_overview

    app = smtp_app(tmp_path, _free_port())  # nothing listens there: the server is down
    seed_day(app.store)
    with pytest.raises(NotifyError):
        build_and_deliver_digest(app, DAY)
    failed_at = app.store.digest_record(DAY).started_at
    (row,) = [r for r in schedule_overview(app, service_running=True) if r["job"] == DIGEST_JOB]
    assert datetime.fromisoformat(row["next"]) == failed_at + timedelta(minutes=10), (row, failed_at)


def test_status_gives_a_clipping_due_and_not_yet_sent_as_due_now_not_tomorrows_cutoff(tmp_path):
    """Sở review: the service was not running at 07:00; at 09:03 `monitor status` gave the digest job's next run as
    the next day's 07:00, while the service's next tick sends today's clipping (within the grace)."""
    from monitor.service import DIGEST_JOB, cutoff_at, schedule_overview

    late = datetime(2026, 11, 26, 9, 3, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    app = smtp_app(tmp_path, _free_port(), now=late)
    seed_day(app.store)
    assert app.store.digest_record(DAY) is None and late - cutoff_at(DAY, app.config) == timedelta(hours=2, minutes=3)
    (row,) = [r for r in schedule_overview(app, service_running=True) if r["job"] == DIGEST_JOB]
    assert datetime.fromisoformat(row["next"]) == app.now(), row


def test_with_smtp_but_no_recipients_send_fails_keeps_the_files_and_is_sent_once_recipients_are_added(
        tmp_path, smtp_server, monkeypatch):
    """An office with its mail server set up and digest.recipients left empty: `digest --send` said "chưa có người
    nhận", exited 0 and recorded the day as delivered to the outbox folder, so neither the service nor a rerun ever
    mailed it once the recipients were added."""
    from monitor.cli import cli
    from monitor.cli.service import _digest_line, _digests
    from monitor.service import Service

    inbox, port = smtp_server
    app = smtp_app(tmp_path, port, recipients=())
    seed_day(app.store)
    monkeypatch.setattr("monitor.cli.digest.get_app", lambda ctx, **_: app)
    run = CliRunner().invoke(cli, ["digest", "--date", "2026-11-26", "--send"])
    assert run.exit_code == 1, run.output
    assert ("Lỗi: chưa gửi điểm báo ngày 26/11/2026: smtp.host đã đặt (127.0.0.1) nhưng digest.recipients trống"
            in run.output)
    assert "Cách sửa: thêm địa chỉ vào digest.recipients" in run.output
    folder = tmp_path / "var" / "outbox" / "2026-11-26"
    assert str(folder) in run.output and (folder / "diem-bao-2026-11-26.docx").is_file()  # nothing collected is lost
    assert inbox.messages == []
    record = app.store.digest_record(DAY)
    assert record.status == "failed" and not record.delivered and "digest.recipients trống" in record.error
    (line,) = [_digest_line(d, TZ) for d in _digests(app)]
    assert line.startswith("Điểm báo 26/11/2026: gửi lỗi (lỗi 1 lần, thử lại lúc 26/11 07:40:00)"), line

    # the recipients added (and the service's feeds.yaml read again): its next check mails the day, once
    fixed = smtp_app(tmp_path, port, now=NOW + timedelta(minutes=11))
    Service(fixed).due_work()
    assert [rcpt for rcpt, _ in inbox.messages] == [["lanhdao@pgd-longbien.example.vn"]]
    assert fixed.store.digest_record(DAY).status == "sent"


def test_without_smtp_an_empty_recipients_list_still_means_the_outbox(tmp_path):
    app = make_app(tmp_path, recipients=())
    seed_day(app.store)
    from monitor.digest import build_and_deliver_digest

    result = build_and_deliver_digest(app, DAY)
    assert result.status == "outbox" and result.ok and "chưa cấu hình máy chủ thư (smtp)" in result.message
    assert app.store.digest_record(DAY).delivered
