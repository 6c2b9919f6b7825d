"""A mail server that trickles its answers a byte at a time resets smtplib's per-read timeout with every byte and
held the clipping (or the alert run) for ever; the whole exchange now has a deadline. A real SMTP peer on
127.0.0.1 that speaks the protocol correctly, only slowly."""

from __future__ import annotations

import socketserver
import threading
import time
from email.message import EmailMessage

import pytest

from monitor.config import Smtp
from monitor.errors import MessageInDoubt, NotifyError
from monitor.mail import send_message

DRIP = 0.75  # seconds between two bytes of a slow answer: less than the per-read timeout (1 s), so it never fires


class SlowSmtp(socketserver.ThreadingTCPServer):
    """Answers every command; `slow` names the answer it drips ("greeting", or "data" for the answer to the
    message's final dot), the others come at once. Records whether the whole message arrived."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, slow: str) -> None:
        self.slow = slow
        self.got_message = threading.Event()
        super().__init__(("127.0.0.1", 0), _Session)

    @property
    def port(self) -> int:
        return self.server_address[1]


class _Session(socketserver.StreamRequestHandler):
    def answer(self, line: str, slow: bool = False) -> None:
        data = (line + "\r\n").encode()
        if not slow:
            self.wfile.write(data)
            return
        for i in range(len(data)):  # "2", "5", ...: by the deadline the reply code itself is incomplete
            self.wfile.write(data[i:i + 1])
            time.sleep(DRIP)

    def handle(self) -> None:
        try:
            self.answer("220 slow.example ESMTP", slow=self.server.slow == "greeting")
            in_data = False
            for raw in self.rfile:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if in_data:
                    if line == ".":
                        self.server.got_message.set()
                        self.answer("250 queued", slow=self.server.slow == "data")
                        in_data = False
                    continue
                verb = line[:4].upper()
                if verb in ("EHLO", "HELO"):
                    self.answer("250 slow.example")
                elif verb == "DATA":
                    self.answer("354 go ahead")
                    in_data = True
                elif verb == "QUIT":
                    self.answer("221 bye")
                    return
                else:
                    self.answer("250 OK")
        except OSError:
            return  # the client cut the connection


@pytest.fixture
def slow_server(request):
    server = SlowSmtp(request.param)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def message() -> EmailMessage:
    msg = EmailMessage()
    msg["To"] = "truongphong@longbien.example.vn"
    msg["Subject"] = "Điểm báo ngày 27/11/2026"
    msg.set_content("Nội dung điểm báo.")
    return msg


def send_within(server: SlowSmtp, deadline: float) -> tuple[BaseException | None, float]:
    """send_message in a thread, waited for far longer than the deadline but not for ever (the old code hung)."""
    smtp = Smtp(host="127.0.0.1", port=server.port, security="none", sender="diembao@longbien.example.vn",
                timeout_seconds=1.0)
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            send_message(smtp, message(), deadline=deadline)
            outcome.append(None)
        except Exception as exc:  # noqa: BLE001 - the test reads which failure it was
            outcome.append(exc)

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=deadline + 20)
    assert outcome, "send_message was still waiting on a trickling server long after its deadline"
    return outcome[0], time.monotonic() - started


@pytest.mark.parametrize("slow_server", ["greeting"], indirect=True)
def test_a_greeting_not_over_by_the_deadline_fails_plainly_at_the_deadline(slow_server):
    # the per-read timeout (1 s) never fires: a byte comes every 0.75 s, the reply code is not whole by the 1 s deadline
    error, _ = send_within(slow_server, deadline=1.0)
    assert isinstance(error, NotifyError) and not isinstance(error, MessageInDoubt)
    assert "không có trả lời đầy đủ trong 1 giây" in str(error)
    assert not slow_server.got_message.is_set()


@pytest.mark.parametrize("slow_server", ["data"], indirect=True)
def test_a_message_whose_answer_is_not_over_by_the_deadline_is_in_doubt_at_the_deadline(slow_server):
    # the server has the whole message: sending it again as if nothing had gone would send it twice
    error, _ = send_within(slow_server, deadline=1.0)
    assert isinstance(error, MessageInDoubt), repr(error)
    assert slow_server.got_message.is_set()
    assert "thư có thể đã được chuyển đi" in str(error)


def test_the_deadline_is_never_shorter_than_the_configured_timeout(monkeypatch):
    # an office that set smtp.timeout_seconds above the deadline (a slow relay) keeps its longer wait
    import monitor.mail as mail

    seen = []
    monkeypatch.setattr(mail, "_send", lambda smtp, msg, hand, guard: seen.append(guard.seconds) or {})
    smtp = Smtp(host="127.0.0.1", port=1, security="none", sender="a@b.vn", timeout_seconds=200.0)
    mail.send_message(smtp, message(), deadline=120.0)
    assert seen == [200.0]
