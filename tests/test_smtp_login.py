"""A mail server that refuses the login (535): the message names the environment variables the login comes
from, and once they are fixed `monitor alerts --send --now` delivers at once, still never twice. A real
aiosmtpd server with AUTH on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner

from monitor.cli import cli
from monitor.config import parse_config
from monitor.errors import NotifyError
from monitor.notify import deliver_outbox
from monitor.triage import run_triage
from test_triage_support import FIGHT_SAPO, FIGHT_TITLE, add_article, config_data, free_port, make_app

USER, PASSWORD = "diembao", "matkhau-dung"
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


class AuthSink:
    """aiosmtpd that takes mail only after AUTH with USER / PASSWORD (plain connection: a test on loopback)."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                sink.messages.append(envelope.content)
                return "250 OK"

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
            return AuthResult(success=ok, handled=False)

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, authenticator=authenticator,
                                     auth_required=True, auth_require_tls=False)

    def __enter__(self) -> "AuthSink":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def login_app(tmp_path, port):
    data = config_data(tmp_path, smtp_port=port, channels=[{"kind": "email", "recipients": ["truongphong@longbien.example.vn"]}])
    data["smtp"].update({"username_env": "TEST_SMTP_USER", "password_env": "TEST_SMTP_PASSWORD"})
    path = tmp_path / "feeds.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    app = make_app(tmp_path, smtp_port=port)
    app.config = parse_config(data, path)
    return app


def test_a_refused_login_names_the_variables_and_alerts_send_now_delivers_once_fixed(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_SMTP_USER", USER)
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "matkhau-sai")
    with AuthSink() as smtp:
        app = login_app(tmp_path, smtp.port)
        monkeypatch.setattr("monitor.cli.triage.get_app", lambda ctx, **_: app)
        add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=5))
        run_triage(app)
        first = deliver_outbox(app)
        (_, _, error), = first.failed
        assert "từ chối tên đăng nhập/mật khẩu trong TEST_SMTP_USER / TEST_SMTP_PASSWORD" in error, error
        assert "535" in error and "kết nối tới được" not in error
        app.clock.advance(minutes=1)
        assert len(deliver_outbox(app).failed) == 1  # still wrong: now backing off 2 minutes

        monkeypatch.setenv("TEST_SMTP_PASSWORD", PASSWORD)  # fixed
        plain = CliRunner().invoke(cli, ["alerts", "--send"])
        assert plain.exit_code == 0 and "đã gửi 0" in plain.output, plain.output
        assert "monitor alerts --send --now" in plain.output  # says how not to wait
        assert smtp.messages == []
        now = CliRunner().invoke(cli, ["alerts", "--send", "--now"])
        assert now.exit_code == 0 and "đã gửi 1" in now.output, now.output
        again = CliRunner().invoke(cli, ["alerts", "--send", "--now"])
        assert "đã gửi 0" in again.output
        assert len(smtp.messages) == 1
        lone = CliRunner().invoke(cli, ["alerts", "--now"])
        assert lone.exit_code == 2


def test_send_now_leaves_a_delivery_another_run_is_sending_to_it(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_SMTP_USER", USER)
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "matkhau-sai")
    with AuthSink() as smtp:
        app = login_app(tmp_path, smtp.port)
        add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=5))
        run_triage(app)
        assert len(deliver_outbox(app).failed) == 1
        monkeypatch.setenv("TEST_SMTP_PASSWORD", PASSWORD)
        app.clock.advance(minutes=1)  # the retry is due, and another run (the service) claims it
        (alert, delivery), = app.store.due_deliveries(app.now())
        assert app.store.claim_delivery(alert.id, delivery.channel, app.now(), app.now() + timedelta(minutes=5))
        report = deliver_outbox(app, retry_now=True)
        assert report.sent == [] and report.failed == []
        assert smtp.messages == []


def test_the_digest_names_the_login_variables_too(tmp_path, monkeypatch):
    from test_digest import make_app as digest_app
    from test_digest import seed_day

    monkeypatch.setenv("TEST_SMTP_USER", USER)
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "matkhau-sai")
    with AuthSink() as smtp:
        app = digest_app(tmp_path, smtp={"host": "127.0.0.1", "port": smtp.port, "security": "none",
                                         "sender": "diem-bao@pgd-longbien.example.vn", "username_env": "TEST_SMTP_USER",
                                         "password_env": "TEST_SMTP_PASSWORD"})
        seed_day(app.store)
        from monitor.digest import build_and_deliver_digest

        with pytest.raises(NotifyError) as exc:
            build_and_deliver_digest(app)
        assert "TEST_SMTP_USER / TEST_SMTP_PASSWORD" in str(exc.value) and "export" in exc.value.hint
        monkeypatch.setenv("TEST_SMTP_PASSWORD", PASSWORD)
        assert build_and_deliver_digest(app).status == "sent"  # a refused login sent nothing: retried at once
        assert len(smtp.messages) == 1
