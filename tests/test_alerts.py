"""Alerts end to end on real servers on 127.0.0.1: an aiosmtpd SMTP server, an HTTP webhook receiver and a
Telegram Bot API stand-in. One alert per story, follow-ups on escalation, quiet hours, a channel that is
down gets each alert exactly once after it recovers, UTF-8 intact."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta, timezone

from monitor.notify import deliver_outbox, quiet_until
from monitor.triage import run_triage
from test_triage_support import (FEE_SAPO, FEE_TITLE, FIGHT_REWRITE_SAPO, FIGHT_REWRITE_TITLE, FIGHT_SAPO,
                                 FIGHT_TITLE, Cls, HttpReceiver, SmtpSink, add_article, free_port, make_app, reprint)

LOCAL_MORNING = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)  # 09:00 in Hà Nội
LOCAL_NIGHT = datetime(2026, 11, 26, 16, 0, tzinfo=timezone.utc)  # 23:00 in Hà Nội


def test_one_alert_for_a_story_reprinted_by_five_outlets_by_mail_and_webhook(tmp_path):
    hook = HttpReceiver(free_port()).start()
    try:
        with SmtpSink() as smtp:
            app = make_app(tmp_path, LOCAL_MORNING, smtp_port=smtp.port, channels=[
                {"kind": "email", "recipients": ["truongphong@longbien.example.vn"]},
                {"kind": "webhook", "url": hook.url}])
            outlets = ["VnExpress", "Tuổi Trẻ", "Thanh Niên", "Dân Trí", "VietnamNet"]
            for i, outlet in enumerate(outlets):
                title, sapo = reprint(FIGHT_TITLE, FIGHT_SAPO, i)
                add_article(app, outlet, f"fight-{i}", title, sapo, app.now() - timedelta(minutes=50 - 10 * i))
                if i >= 1:  # the first crawl run brought two copies; later runs one each
                    run_triage(app)  # the pipeline runs triage after each classification
                app.clock.advance(minutes=2)
            report = deliver_outbox(app)
            assert report.ok and len(report.sent) == 2
            assert deliver_outbox(app).sent == []  # nothing goes twice
            run_triage(app)
            assert deliver_outbox(app).sent == []
        assert len(smtp.messages) == 1 and len(hook.requests) == 1
        rcpt, msg = smtp.messages[0]
        assert rcpt == ["truongphong@longbien.example.vn"]
        assert FIGHT_TITLE in msg["Subject"] and msg["Subject"].startswith("[Cảnh báo")
        body = msg.get_content()
        assert "Nguồn:" in body and "Lý do:" in body and "Trường THCS Ngọc Lâm" in body
        assert "VnExpress" in body and "Tuổi Trẻ" in body and "[đăng lại]" in body
        assert "https://tuoitre.vn/fight-1.html" in body
        payload = hook.requests[0].json()
        assert payload["title"] == FIGHT_TITLE
        assert payload["severity"] in ("khẩn cấp", "cao", "theo dõi")
        assert [s["outlet"] for s in payload["sources"]] == outlets[:2]
        assert [s["reprint"] for s in payload["sources"]] == [False, True]
        story = app.store.story(payload["story_id"])
        assert story.outlets == tuple(outlets) and len(app.store.alerts_for_story(story.id)) == 1
        assert payload["explanation"]["signals"] and payload["reasons"]
        assert hook.requests[0].headers["X-Monitor-Alert-Id"] == str(payload["alert_id"])
    finally:
        hook.stop()


def test_local_story_reaching_national_outlets_sends_one_follow_up(tmp_path):
    hook = HttpReceiver(free_port()).start()
    try:
        app = make_app(tmp_path, LOCAL_MORNING, cooldown=60, channels=[{"kind": "webhook", "url": hook.url}])
        add_article(app, "Báo Long Biên", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=30),
                    Cls(hot_score=0.6))
        run_triage(app)
        deliver_outbox(app)
        assert [r.json()["type"] for r in hook.requests] == ["alert.new"]
        # VnExpress picks it up 20 minutes later, inside the cooldown: the follow-up waits
        app.clock.advance(minutes=20)
        add_article(app, "VnExpress", "fight-vne", FIGHT_REWRITE_TITLE, FIGHT_REWRITE_SAPO, app.now(), Cls(hot_score=0.6))
        run_triage(app)
        deliver_outbox(app)
        assert len(hook.requests) == 1
        # after the cooldown the next triage run sends it, once
        app.clock.advance(minutes=45)
        run_triage(app)
        deliver_outbox(app)
        app.clock.advance(minutes=90)
        run_triage(app)
        deliver_outbox(app)
        kinds = [r.json()["type"] for r in hook.requests]
        assert kinds == ["alert.new", "alert.escalation"]
        follow = hook.requests[1].json()
        assert "toàn quốc" in follow["change"] and "VnExpress" in follow["change"]
        assert follow["story_id"] == hook.requests[0].json()["story_id"]
    finally:
        hook.stop()


def test_quiet_hours_hold_all_but_urgent_alerts(tmp_path):
    hook = HttpReceiver(free_port()).start()
    try:
        app = make_app(tmp_path, LOCAL_NIGHT, channels=[{"kind": "webhook", "url": hook.url}])
        # a watch-level story (national fee complaint) and an urgent one (local violence told by two national outlets)
        add_article(app, "VnExpress", "fee", FEE_TITLE, FEE_SAPO, app.now() - timedelta(minutes=10),
                    Cls(hot_score=0.6, scope="city", topics=("tai-chinh",), reasons=("lạm thu",)))
        add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=30), Cls(hot_score=0.95))
        add_article(app, "Tuổi Trẻ", "fight-tt", FIGHT_REWRITE_TITLE, FIGHT_REWRITE_SAPO, app.now() - timedelta(minutes=20),
                    Cls(hot_score=0.95))
        run_triage(app)
        severities = sorted(a.severity for a, _ in app.store.outbox())
        assert severities == ["khẩn cấp", "theo dõi"]
        deliver_outbox(app)
        assert [r.json()["severity"] for r in hook.requests] == ["khẩn cấp"]
        app.clock.advance(hours=3)  # 02:00 local: still quiet
        deliver_outbox(app)
        assert len(hook.requests) == 1
        app.clock.now = datetime(2026, 11, 26, 23, 1, tzinfo=timezone.utc)  # 06:01 local
        deliver_outbox(app)
        assert [r.json()["severity"] for r in hook.requests] == ["khẩn cấp", "theo dõi"]
    finally:
        hook.stop()


def test_quiet_until_spans_midnight_in_the_office_time_zone():
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    assert quiet_until(LOCAL_MORNING, "22:00-06:00", tz) is None
    end = quiet_until(LOCAL_NIGHT, "22:00-06:00", tz)
    assert end == datetime(2026, 11, 27, 6, 0, tzinfo=tz)
    assert quiet_until(datetime(2026, 11, 25, 20, 0, tzinfo=timezone.utc), "22:00-06:00", tz) == datetime(2026, 11, 26, 6, 0, tzinfo=tz)
    assert quiet_until(LOCAL_NIGHT, "", tz) is None


def test_channel_refusing_connections_gets_each_alert_once_after_recovery(tmp_path):
    port = free_port()  # nothing listens yet: connections are refused
    hook = HttpReceiver(port)
    app = make_app(tmp_path, LOCAL_MORNING, channels=[{"kind": "webhook", "url": hook.url}])
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=5))
    add_article(app, "Thanh Niên", "fee", FEE_TITLE, FEE_SAPO, app.now() - timedelta(minutes=5), Cls(scope="city"))
    run_triage(app)
    first = deliver_outbox(app)
    assert len(first.failed) == 2 and not first.sent
    listed = app.store.outbox()
    assert len(listed) == 2 and all(d.last_error and d.attempts == 1 for _, ds in listed for d in ds)
    assert deliver_outbox(app).failed == []  # backing off: not retried at once
    app.clock.advance(minutes=1)
    assert len(deliver_outbox(app).failed) == 2  # still down
    hook.start()
    try:
        assert deliver_outbox(app).sent == []  # back-off still running
        app.clock.advance(minutes=3)
        assert len(deliver_outbox(app).sent) == 2
        app.clock.advance(hours=2)
        assert deliver_outbox(app).sent == []
        run_triage(app)
        assert deliver_outbox(app).sent == []
        ids = sorted(r.json()["alert_id"] for r in hook.requests)
        assert len(ids) == 2 and len(set(ids)) == 2
        assert app.store.outbox() == []
    finally:
        hook.stop()


def test_webhook_signature_and_telegram_bot_api(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_HOOK_SECRET", "bí mật")
    monkeypatch.setenv("TEST_BOT_TOKEN", "123:ABC")
    hook = HttpReceiver(free_port()).start()
    tg = HttpReceiver(free_port()).start()
    try:
        app = make_app(tmp_path, LOCAL_MORNING, channels=[
            {"kind": "webhook", "url": hook.url, "secret_env": "TEST_HOOK_SECRET"},
            {"kind": "telegram", "bot_token_env": "TEST_BOT_TOKEN", "chat_id": "-1001", "base_url": f"http://127.0.0.1:{tg.port}"}])
        add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now())
        run_triage(app)
        assert deliver_outbox(app).ok
        req = hook.requests[0]
        expected = hmac.new("bí mật".encode(), req.body, hashlib.sha256).hexdigest()
        assert req.headers["X-Monitor-Signature"] == f"sha256={expected}"
        assert len(tg.requests) == 1 and tg.requests[0].path == "/bot123:ABC/sendMessage"
        msg = tg.requests[0].json()
        assert msg["chat_id"] == "-1001" and FIGHT_TITLE in msg["text"] and "Mức độ:" in msg["text"]
    finally:
        hook.stop()
        tg.stop()


def test_missing_telegram_token_is_reported_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("NO_SUCH_TOKEN_VAR", raising=False)
    app = make_app(tmp_path, LOCAL_MORNING, channels=[
        {"kind": "telegram", "bot_token_env": "NO_SUCH_TOKEN_VAR", "chat_id": "42", "base_url": "http://127.0.0.1:9"}])
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now())
    run_triage(app)
    report = deliver_outbox(app)
    assert len(report.failed) == 1 and "NO_SUCH_TOKEN_VAR" in report.failed[0][2]
    (_, deliveries), = app.store.outbox()
    assert deliveries[0].status == "pending" and "NO_SUCH_TOKEN_VAR" in deliveries[0].last_error


def test_a_claimed_delivery_is_not_sent_by_a_second_run(tmp_path):
    app = make_app(tmp_path, LOCAL_MORNING, channels=[{"kind": "webhook", "url": "http://127.0.0.1:9/hook"}])
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now())
    run_triage(app)
    (alert, delivery), = app.store.due_deliveries(app.now())
    lease = app.now() + timedelta(minutes=5)
    assert app.store.claim_delivery(alert.id, delivery.channel, app.now(), lease)
    assert not app.store.claim_delivery(alert.id, delivery.channel, app.now(), lease)  # another run
    assert deliver_outbox(app).sent == [] and app.store.due_deliveries(app.now()) == []
