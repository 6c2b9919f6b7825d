"""The only SMTP user: deliver an already-built EmailMessage (digests and e-mail alerts share it).

What a failure means depends on when it happens. Before the end of the message has been handed to the
server (connection, TLS, login, MAIL FROM, RCPT TO, the DATA command), the server holds nothing: a
retry is safe, and that is a plain NotifyError. Once the whole message has been written after DATA,
a timeout or a dropped connection leaves us not knowing whether the server queued it (a busy server
scanning the content answers late, but has it): that is MessageInDoubt, and the caller must not
resend as if nothing had gone. A server that answers the end of DATA with a refusal (4xx/5xx) has
said it did not take it: a plain NotifyError again.

smtplib's timeout bounds each wait, and starts again with every byte that arrives, so a server (or a middlebox)
trickling its answers would hold the clipping or the alert run for ever; the whole exchange has a deadline
(SEND_DEADLINE, or the configured timeout if longer), past which the connection is cut and the failure is
read as above: plain before the hand-over, in doubt after it.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from typing import Callable

from monitor.config import Smtp
from monitor.deadline import SocketDeadline
from monitor.errors import MessageInDoubt, MonitorError, NotifyError


class _SubjectPolicy(EmailPolicy):
    """The default policy, except that a non-ASCII Subject is folded by `email.header.Header`.

    Python 3.11's folder drops the space between an ASCII word and the encoded word that starts the
    next line ("26/11/2026 —" arrived as "26/11/2026—"); Header keeps spaces inside encoded words.
    """

    def _fold(self, name, value, refold_binary=False):
        if name.lower() == "subject" and not str(value).isascii():
            return f"{name}: " + Header(str(value), "utf-8", header_name=name).encode(linesep=self.linesep) + self.linesep
        return super()._fold(name, value, refold_binary)


MAIL_POLICY = _SubjectPolicy()
# the longest one message's exchange may take in all (connecting, TLS, login, a DOCX clipping written out)
SEND_DEADLINE = 120.0



class _HandOverMixin:
    """Remembers whether the message itself (the bytes after DATA, final dot included) was written, and
    calls `on_hand_over` just before writing it (the caller records that it may be about to arrive)."""

    in_data = False
    handed_over = False
    on_hand_over: Callable[[], None] | None = None

    def __init__(self, *args, deadline: SocketDeadline, **kwargs) -> None:
        self.deadline = deadline  # before super().__init__, which connects
        super().__init__(*args, **kwargs)

    def _get_socket(self, host, port, timeout):
        sock = super()._get_socket(host, port, timeout)
        self.deadline.watch(sock)
        return sock

    def data(self, msg):
        self.in_data = True
        try:
            return super().data(msg)
        finally:
            self.in_data = False

    def send(self, s):
        # smtplib writes commands as str and the message after DATA as bytes, in one sendall
        message = self.in_data and isinstance(s, (bytes, bytearray))
        if message and self.on_hand_over is not None:
            self.on_hand_over()
        super().send(s)
        if message:
            self.handed_over = True


class _SMTP(_HandOverMixin, smtplib.SMTP):
    pass


class _SMTP_SSL(_HandOverMixin, smtplib.SMTP_SSL):
    pass


def send_message(smtp: Smtp, message: EmailMessage, *, on_hand_over: Callable[[], None] | None = None,
                 deadline: float = SEND_DEADLINE) -> dict[str, str]:
    """Send over SMTP with STARTTLS, implicit TLS or plain (tests).

    Returns the recipients the server refused while taking the message for the others (address ->
    its answer, e.g. "550 5.1.1 No such user"); empty when every recipient was accepted. Raises
    MessageInDoubt when the message was handed over but the server's answer never came, NotifyError on
    any other failure (nothing was delivered, including when every recipient was refused).
    `on_hand_over` is called just before the message itself is written (after the server's 354). The whole
    exchange gets `deadline` seconds, or the configured timeout if longer (see the module's docstring).
    """
    if not smtp.configured:
        raise NotifyError("chưa cấu hình SMTP", hint="đặt smtp.host và smtp.sender trong feeds.yaml")
    # a name in the file with nothing behind it in this environment would send without logging in, which
    # a relay may accept from a trusted network today and refuse tomorrow: say so before trying
    missing = [name for name in (smtp.username_env, smtp.password_env) if name and not os.environ.get(name)]
    if missing:
        raise NotifyError(f"biến môi trường {' và '.join(missing)} chưa được đặt ở môi trường này",
                          hint=f"export {missing[0]}=... ở nơi monitor chạy (feeds.yaml nêu tên biến này trong mục smtp); nếu "
                               "máy chủ thư nhận thư không cần đăng nhập, xóa smtp.username_env và smtp.password_env")
    if "From" not in message:
        message["From"] = smtp.sender
    with SocketDeadline(max(deadline, smtp.timeout_seconds)) as guard:
        return _send(smtp, message, on_hand_over, guard)


def _send(smtp: Smtp, message: EmailMessage, on_hand_over: Callable[[], None] | None, guard: SocketDeadline) -> dict[str, str]:
    client = None
    try:
        if smtp.security == "ssl":
            client = _SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=ssl.create_default_context(),
                               deadline=guard)
        else:
            client = _SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds, deadline=guard)
        client.on_hand_over = on_hand_over
        if smtp.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        user, password = smtp.username(), smtp.password()
        if user:
            client.login(user, password)
        refused = client.send_message(message)
    except MonitorError:
        # the caller's on_hand_over refused (the delivery is no longer this run's): nothing was written after DATA
        _close(client)
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        _close(client)
        answers = "; ".join(f"{a}: {_answer(r)}" for a, r in exc.recipients.items())
        raise NotifyError(f"máy chủ SMTP {smtp.host}:{smtp.port} từ chối mọi người nhận ({answers})",
                          hint="kiểm tra các địa chỉ trong feeds.yaml") from None
    except smtplib.SMTPAuthenticationError as exc:
        # the server answered and refused the login: the values behind the variables, not feeds.yaml or the network
        _close(client)
        raise NotifyError(f"máy chủ thư {smtp.host}:{smtp.port} từ chối tên đăng nhập/mật khẩu trong "
                          f"{_login_names(smtp)} ({_answer((exc.smtp_code, exc.smtp_error))})",
                          hint=f"export đúng giá trị của {_login_names(smtp)} ở nơi monitor chạy (với `monitor serve`: "
                               "trong môi trường của dịch vụ), rồi gửi lại: `monitor alerts --send --now` cho các cảnh "
                               "báo đang chờ, `monitor digest --send` cho bản điểm báo") from None
    except (smtplib.SMTPException, OSError) as exc:
        _close(client)
        if (isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code == 530 and not smtp.username()
                and not (client is not None and client.handed_over)):
            raise NotifyError(f"máy chủ thư {smtp.host}:{smtp.port} đòi đăng nhập trước khi nhận thư "
                              f"({_answer((exc.smtp_code, exc.smtp_error))})",
                              hint="đặt smtp.username_env và smtp.password_env trong feeds.yaml là tên của hai biến "
                                   "môi trường (ví dụ MONITOR_SMTP_USER, MONITOR_SMTP_PASSWORD) và export chúng ở nơi "
                                   "monitor chạy") from None
        why = f"không có trả lời đầy đủ trong {guard.seconds:g} giây, đã cắt kết nối" if guard.expired else str(exc)
        # an answer cut short by the deadline is no answer ("25" is neither a refusal nor a 250)
        if client is not None and client.handed_over and (guard.expired
                                                          or not isinstance(exc, smtplib.SMTPResponseException)):
            raise MessageInDoubt(f"máy chủ SMTP {smtp.host}:{smtp.port} đã nhận thư nhưng không xác nhận ({why}); "
                                 "thư có thể đã được chuyển đi",
                                 hint="xem hộp thư của người nhận trước khi gửi lại") from None
        raise NotifyError(f"gửi thư qua máy chủ SMTP {smtp.host}:{smtp.port} không thành công: {why}",
                          hint="kiểm tra mục smtp trong feeds.yaml và máy chủ có kết nối tới được không") from None
    # the server has the message: a failure to say goodbye changes nothing
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        _close(client)
    return {addr: _answer(r) for addr, r in (refused or {}).items()}


def _login_names(smtp: Smtp) -> str:
    """The environment variables the login comes from, as feeds.yaml names them: "MONITOR_SMTP_USER / MONITOR_SMTP_PASSWORD"."""
    names = [n for n in (smtp.username_env, smtp.password_env) if n]
    return " / ".join(names) + " (smtp.username_env / smtp.password_env trong feeds.yaml)"


def refusals(refused: dict[str, str]) -> str:
    """The recipients a server refused, as every record and listing writes them: "a@x.vn (550 …); b@y.vn (…)"."""
    return "; ".join(f"{address} ({why})" for address, why in refused.items())


def _answer(reply) -> str:
    """smtplib's (code, b"text") as one line, "550 5.1.1 No such user"."""
    code, text = reply if isinstance(reply, tuple) else (reply, b"")
    text = text.decode("utf-8", "replace") if isinstance(text, (bytes, bytearray)) else str(text)
    return f"{code} {' '.join(text.split())}".strip()


def _close(client) -> None:
    if client is not None:
        try:
            client.close()
        except OSError:
            pass
