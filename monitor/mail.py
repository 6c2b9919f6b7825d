"""The only SMTP user: deliver an already-built EmailMessage (digests and e-mail alerts share it)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from monitor.config import Smtp
from monitor.errors import NotifyError


def send_message(smtp: Smtp, message: EmailMessage) -> None:
    """Send over SMTP with STARTTLS, implicit TLS or plain (tests); raise NotifyError on any failure."""
    if not smtp.configured:
        raise NotifyError("SMTP is not configured", hint="set smtp.host and smtp.sender in feeds.yaml")
    if "From" not in message:
        message["From"] = smtp.sender
    try:
        if smtp.security == "ssl":
            client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
        with client:
            if smtp.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            user, password = smtp.username(), smtp.password()
            if user:
                client.login(user, password)
            client.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise NotifyError(f"SMTP delivery to {smtp.host}:{smtp.port} failed: {exc}",
                          hint="check the smtp section of feeds.yaml and that the server is reachable") from None
