"""Alerts end to end on real servers on 127.0.0.1: an aiosmtpd SMTP server, an HTTP webhook receiver and a
Telegram Bot API stand-in. One alert per story, follow-ups on escalation, quiet hours, a channel that is
down gets each alert exactly once after it recovers, UTF-8 intact."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import datetime, timedelta, timezone

from monitor.notify import SUBJECT_TAGS, alert_subject, deliver_outbox, quiet_until
from monitor.triage import run_triage
from test_triage_support import (fight_alert_waiting, FEE_SAPO, FEE_TITLE, FIGHT_REWRITE_SAPO, FIGHT_REWRITE_TITLE, FIGHT_SAPO,
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
        payload = hook.requests[0].json()
        assert payload["severity"] == "cao"
        # a story in the office's own area says so up front, with the area's short name
        assert msg["Subject"] == f"[Mức cao – Long Biên] {FIGHT_TITLE}"
        body = msg.get_content()
        assert "Nguồn:" in body and "Lý do:" in body and "Trường THCS Ngọc Lâm" in body
        assert "VnExpress" in body and "Tuổi Trẻ" in body and "[đăng lại]" in body
        assert "https://tuoitre.vn/fight-1.html" in body
        assert payload["title"] == FIGHT_TITLE
        assert [s["outlet"] for s in payload["sources"]] == outlets[:2]
        # the sources' times in the office's offset, as every time the office reads (05:30 is not 22:30 UTC)
        published = [datetime.fromisoformat(s["published"]) for s in payload["sources"]]
        assert all(s["published"].endswith("+07:00") for s in payload["sources"])
        assert published[0] == app.store.story_members(payload["story_id"])[0]["when"]
        assert [s["reprint"] for s in payload["sources"]] == [False, True]
        story = app.store.story(payload["story_id"])
        assert story.outlets == tuple(outlets) and len(app.store.alerts_for_story(story.id)) == 1
        assert payload["explanation"]["signals"] and payload["reasons"]
        assert hook.requests[0].headers["X-Monitor-Alert-Id"] == payload["alert_id"] == app.store.alert(payload["alert_number"]).uid
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
        # both subjects name the office's area; the follow-up's says it is one
        first_subject = app.store.alert(hook.requests[0].json()["alert_number"]).subject
        follow_subject = app.store.alert(follow["alert_number"]).subject
        assert first_subject.startswith(f"[{SUBJECT_TAGS[hook.requests[0].json()['severity']]} – Long Biên] ")
        assert follow_subject.startswith(f"[Cập nhật – {SUBJECT_TAGS[follow['severity']]} – Long Biên] ")
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
        stamp = req.headers["X-Monitor-Timestamp"]
        assert abs(int(stamp) - time.time()) < 60  # the wall clock: the receiver judges replays by its own
        # what the README tells a receiver to check: HMAC-SHA256 over "<timestamp>.<raw body>"
        expected = hmac.new("bí mật".encode(), stamp.encode() + b"." + req.body, hashlib.sha256).hexdigest()
        assert req.headers["X-Monitor-Signature"] == f"sha256={expected}"
        replayed = hmac.new("bí mật".encode(), req.body, hashlib.sha256).hexdigest()
        assert req.headers["X-Monitor-Signature"] != f"sha256={replayed}"  # the body alone does not verify
        assert len(tg.requests) == 1 and tg.requests[0].path == "/bot123:ABC/sendMessage"
        msg = tg.requests[0].json()
        assert msg["chat_id"] == "-1001" and FIGHT_TITLE in msg["text"] and "Mức độ nóng:" in msg["text"]
        assert msg["text"].count(FIGHT_TITLE) == 2  # once at the top and once among the sources, no "Tin: ..." line
    finally:
        hook.stop()
        tg.stop()


def test_the_telegram_token_never_reaches_the_outbox_even_behind_a_relay_whose_path_says_bot(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_BOT_TOKEN", "123456:TG-SECRET-TOKEN")
    relay = HttpReceiver(free_port(), status=500).start()
    try:
        app = _one_alert_queued(tmp_path, channels=[
            {"kind": "telegram", "bot_token_env": "TEST_BOT_TOKEN", "chat_id": "42",
             "base_url": f"http://127.0.0.1:{relay.port}/bot-relay"}])
        report = deliver_outbox(app)
        assert len(relay.requests) == 1 and "TG-SECRET-TOKEN" in relay.requests[0].path  # it was used
        assert len(report.failed) == 1 and "TG-SECRET-TOKEN" not in report.failed[0][2]
        (_, (d,)), = app.store.outbox()
        assert "TG-SECRET-TOKEN" not in d.last_error and "***" in d.last_error, d.last_error
    finally:
        relay.stop()


def test_a_webhook_url_that_is_a_credential_comes_from_its_variable_and_never_reaches_the_store(tmp_path, monkeypatch):
    # Slack- or Google Chat-style: whoever has the URL can post to the office's channel
    receiver = HttpReceiver(free_port(), status=500).start()
    secret_url = f"http://127.0.0.1:{receiver.port}/services/T0/B0/SECRET-PATH-TOKEN"
    monkeypatch.setenv("TEST_HOOK_URL", secret_url)
    try:
        app = _one_alert_queued(tmp_path, channels=[{"kind": "webhook", "url_env": "TEST_HOOK_URL"}])
        report = deliver_outbox(app)
        assert len(receiver.requests) == 1 and receiver.requests[0].path.endswith("SECRET-PATH-TOKEN")  # it was used
        assert len(report.failed) == 1 and "SECRET-PATH-TOKEN" not in report.failed[0][2]
        (_, (d,)), = app.store.outbox()
        assert d.channel == "webhook:$TEST_HOOK_URL"
        assert "SECRET-PATH-TOKEN" not in d.last_error and "$TEST_HOOK_URL" in d.last_error, d.last_error
        listing = _alerts_cli(tmp_path)
        assert "SECRET-PATH-TOKEN" not in listing.output and "TEST_HOOK_URL" in listing.output, listing.output
        monkeypatch.delenv("TEST_HOOK_URL")
        app.clock.advance(hours=2)  # past the retry's back-off
        report = deliver_outbox(app)
        assert len(report.failed) == 1 and "TEST_HOOK_URL (URL của webhook) chưa được đặt" in report.failed[0][2]
        assert len(receiver.requests) == 1
    finally:
        receiver.stop()


def test_a_webhook_channel_takes_url_or_url_env(tmp_path):
    import pytest

    from monitor.errors import ConfigError

    for channel, says in (({"kind": "webhook"}, "url_env: NAME"),
                          ({"kind": "webhook", "url": "https://x.example.vn/h", "url_env": "HOOK_URL"}, "không dùng cả hai"),
                          ({"kind": "webhook", "url_env": "https://hooks.example.com/T0/B0/X"}, "tên một biến môi trường")):
        with pytest.raises(ConfigError) as err:
            make_app(tmp_path, LOCAL_MORNING, channels=[channel])
        assert says in str(err.value), str(err.value)


def test_the_service_log_never_holds_request_urls_even_verbose(tmp_path):
    import logging

    from monitor.cli.service import _setup_logging

    _setup_logging(str(tmp_path / "service.log"), verbose=True)
    try:
        assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING  # its INFO lines carry the URL
        assert logging.getLogger("httpcore").getEffectiveLevel() >= logging.WARNING
    finally:
        logging.basicConfig(force=True, handlers=[logging.NullHandler()])


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


def _alerts_cli(tmp_path, *args):
    from click.testing import CliRunner

    from monitor.cli import cli

    return CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "alerts", *args])


def test_dismissing_a_case_cancels_its_alerts_still_waiting(tmp_path):
    from monitor.cases import dismiss_case

    hook = HttpReceiver(free_port()).start()
    try:
        app = make_app(tmp_path, LOCAL_NIGHT, channels=[{"kind": "webhook", "url": hook.url}])
        add_article(app, "Thanh Niên", "fee", FEE_TITLE, FEE_SAPO, app.now() - timedelta(minutes=5), Cls(scope="city"))
        run_triage(app)
        (_, (waiting,)), = app.store.outbox()
        assert waiting.status == "pending" and waiting.next_attempt_at > app.now()  # quiet hours hold it
        dismiss_case(app, app.store.cases()[0].id, by="Chị Lan", note="Tin cũ đăng lại")
        app.clock.advance(hours=8)  # 07:00: the quiet hours are over
        assert deliver_outbox(app).sent == [] and hook.requests == []
        assert app.store.outbox() == []  # nothing pending any more
        (_, (cancelled,)), = app.store.outbox(include_sent=True)
        assert cancelled.status == "cancelled" and "cảnh báo nhầm" in cancelled.last_error
        r = _alerts_cli(tmp_path, "--all")
        assert r.exit_code == 0 and "đã hủy, không gửi" in r.output and "chờ" not in r.output, r.output
    finally:
        hook.stop()


def test_the_claim_lease_runs_from_the_claim_not_from_the_start_of_the_run(tmp_path, monkeypatch):
    import monitor.notify as notify

    urls = [f"http://127.0.0.1:9/hook{i}" for i in range(4)]
    app = make_app(tmp_path, LOCAL_MORNING, channels=[{"kind": "webhook", "url": u} for u in urls])
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now())
    run_triage(app)
    posts, second_run = [], []

    def slow_webhook(config, ch, alert, **_):
        posts.append((alert.id, ch.url))
        app.clock.advance(minutes=2)  # a slow receiver: the 4th delivery is claimed 6 minutes into the run
        if len(posts) == 4 and not second_run:
            second_run.append(deliver_outbox(app))  # another run starts meanwhile

    monkeypatch.setitem(notify.SENDERS, "webhook", slow_webhook)
    first = deliver_outbox(app)
    assert len(first.sent) == 4 and second_run[0].sent == []
    assert sorted(posts) == sorted(set(posts)) and len(posts) == 4
    alert_id, _ = posts[0]
    # marking sent a delivery already marked sent says so (the caller logs it rather than counting it twice)
    assert not app.store.delivery_sent(alert_id, "webhook:" + urls[0], app.now())


def test_an_alert_the_mail_server_took_without_confirming_is_sent_again_as_the_same_message(tmp_path):
    with SmtpSink() as smtp:
        smtp.slow = 3  # the server keeps the message but answers after the client's 1-second timeout
        app = make_app(tmp_path, LOCAL_MORNING, smtp_port=smtp.port, smtp_timeout=1,
                       channels=[{"kind": "email", "recipients": ["truongphong@longbien.example.vn"]}])
        add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=5))
        run_triage(app)
        first = deliver_outbox(app)
        assert first.sent == [] and first.failed[0][2].startswith("có thể đã gửi")
        (_, (d,)), = app.store.outbox()
        assert d.status == "pending" and d.in_doubt == 1
        smtp.slow = 0
        app.clock.advance(minutes=2)
        assert len(deliver_outbox(app).sent) == 1
        ids = [m["Message-ID"] for _, m in smtp.messages]
    assert len(ids) == 2 and ids[0] == ids[1]  # the copy is recognisably the same message
    listed = app.store.outbox(attention_since=app.now() - timedelta(days=7))
    assert [d.in_doubt for _, ds in listed for d in ds] == [1]
    r = _alerts_cli(tmp_path, "--all")
    assert r.exit_code == 0 and "người nhận có thể thấy thư hai lần" in r.output, r.output


def test_a_recipient_the_mail_server_refuses_is_recorded_and_the_others_get_it_once(tmp_path):
    boss, head = "truongphong@longbien.example.vn", "hieutruong@longbien.example.vn"
    with SmtpSink(refuse={head: "550 5.1.1 No such user"}) as smtp:
        app = make_app(tmp_path, LOCAL_MORNING, smtp_port=smtp.port, channels=[{"kind": "email", "recipients": [boss, head]}])
        add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=5))
        run_triage(app)
        report = deliver_outbox(app)
        assert len(report.sent) == 1 and report.refused[0][2] == {head: "550 5.1.1 No such user"}
        assert "1 người nhận bị máy chủ từ chối" in report.summary()
        app.clock.advance(hours=1)
        assert deliver_outbox(app).sent == []  # nobody who got it gets it again
    assert [rcpt for rcpt, _ in smtp.messages] == [[boss]]
    (_, (d,)), = app.store.outbox(attention_since=app.now() - timedelta(days=7))  # a person should know
    assert d.status == "sent" and d.refused == {head: "550 5.1.1 No such user"}
    r = _alerts_cli(tmp_path, "--all")
    assert r.exit_code == 0 and f"BỊ TỪ CHỐI, không nhận được: {head} (550 5.1.1 No such user)" in r.output, r.output


def test_a_retry_of_a_non_urgent_alert_waits_for_the_end_of_quiet_hours(tmp_path):
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    hook = HttpReceiver(free_port())  # not started yet: the channel is down
    app = make_app(tmp_path, datetime(2026, 11, 26, 21, 55, tzinfo=tz), channels=[{"kind": "webhook", "url": hook.url}])
    add_article(app, "Thanh Niên", "fee", FEE_TITLE, FEE_SAPO, app.now() - timedelta(minutes=5), Cls(scope="city"))
    run_triage(app)
    (alert, _), = app.store.outbox()
    assert alert.severity != app.config.alerts.thresholds[0][0]  # not urgent
    assert len(deliver_outbox(app).failed) == 1  # 21:55, before quiet hours: tried, the channel is down
    hook.start()
    try:
        app.clock.now = datetime(2026, 11, 26, 23, 30, tzinfo=tz)
        report = deliver_outbox(app)
        assert report.sent == [] and report.waiting == 1 and hook.requests == []
        (_, (d,)), = app.store.outbox()
        assert d.next_attempt_at == datetime(2026, 11, 27, 6, 0, tzinfo=tz)
        app.clock.now = datetime(2026, 11, 27, 6, 1, tzinfo=tz)
        assert len(deliver_outbox(app).sent) == 1 and len(hook.requests) == 1
    finally:
        hook.stop()


def test_a_held_alert_is_superseded_by_a_newer_alert_of_its_story(tmp_path):
    hook = HttpReceiver(free_port()).start()
    try:
        app = make_app(tmp_path, LOCAL_NIGHT, channels=[{"kind": "webhook", "url": hook.url}])
        add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10), Cls(hot_score=0.7))
        run_triage(app)
        deliver_outbox(app)
        assert [a.severity for a, _ in app.store.outbox()] == ["cao"] and hook.requests == []  # held till 06:00
        app.clock.advance(minutes=90)  # 00:30, past the cooldown: the story spreads and becomes urgent
        for i, outlet in enumerate(["Tuổi Trẻ", "Thanh Niên", "Dân Trí"]):
            title, sapo = (FIGHT_REWRITE_TITLE, FIGHT_REWRITE_SAPO) if i == 0 else reprint(FIGHT_TITLE, FIGHT_SAPO, i)
            add_article(app, outlet, f"f{i}", title, sapo, app.now() - timedelta(minutes=5), Cls(hot_score=0.95))
        run_triage(app)
        deliver_outbox(app)
        assert [(r.json()["type"], r.json()["severity"]) for r in hook.requests] == [("alert.escalation", "khẩn cấp")]
        app.clock.now = datetime(2026, 11, 26, 23, 1, tzinfo=timezone.utc)  # 06:01 local
        deliver_outbox(app)
        assert len(hook.requests) == 1  # the stale "cao" alert does not arrive after its own update
        old = next(ds[0] for a, ds in app.store.outbox(include_sent=True) if a.kind == "new")
        assert old.status == "superseded" and "thay bằng cảnh báo #" in old.last_error
        r = _alerts_cli(tmp_path, "--all")
        assert "không gửi nữa: thay bằng cảnh báo #" in r.output, r.output
    finally:
        hook.stop()


def test_alert_text_gives_reasons_in_plain_vietnamese(tmp_path):
    raw = "nóng 1.00: bạo lực, xâm hại (đánh hội đồng (title)); tin sai sự thật (tung lên mạng (sapo))"
    hook = HttpReceiver(free_port()).start()
    try:
        with SmtpSink() as smtp:
            app = make_app(tmp_path, LOCAL_MORNING, smtp_port=smtp.port, channels=[
                {"kind": "email", "recipients": ["truongphong@longbien.example.vn"]}, {"kind": "webhook", "url": hook.url}])
            add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=5),
                        Cls(reasons=(raw,)))
            run_triage(app)
            assert len(deliver_outbox(app).sent) == 2
        body = smtp.messages[0][1].get_content()
        assert "  - Dấu hiệu: bạo lực, xâm hại / tin sai sự thật" in body
        assert "(title)" not in body and "nóng 1.00" not in body
        payload = hook.requests[0].json()
        assert payload["reasons"][0] == "Dấu hiệu: bạo lực, xâm hại / tin sai sự thật"
        assert raw in payload["classifier_reasons"]  # the machine field keeps the classifier's own words
    finally:
        hook.stop()


class _Killed(BaseException):
    """Stands for kill -9: nothing after it runs in the process, not even the outbox's own bookkeeping."""


def _one_alert_queued(tmp_path, **channels):
    """A morning's hot story, triaged: its alert waits in the outbox."""
    app = make_app(tmp_path, LOCAL_MORNING, **channels)
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=5))
    run_triage(app)
    return app


def _kill_after_hand_over(monkeypatch, kind: str):
    """The real sender of `kind` runs (the alert reaches the server), then the process dies before the
    outbox records it; returns a function that restarts with the real sender."""
    import monitor.notify as notify

    real = notify.SENDERS[kind]

    def send_then_die(*args, **kw):
        real(*args, **kw)
        raise _Killed

    monkeypatch.setitem(notify.SENDERS, kind, send_then_die)
    return lambda: monkeypatch.setitem(notify.SENDERS, kind, real)


def test_an_alert_e_mailed_by_a_run_killed_before_recording_it_is_sent_again_marked_in_doubt(tmp_path, monkeypatch):
    import pytest

    from monitor.notify import CLAIM_MINUTES

    with SmtpSink() as smtp:
        app = _one_alert_queued(tmp_path, smtp_port=smtp.port,
                       channels=[{"kind": "email", "recipients": ["truongphong@longbien.example.vn"]}])
        restart = _kill_after_hand_over(monkeypatch, "email")
        with pytest.raises(_Killed):
            deliver_outbox(app)
        restart()
        assert len(smtp.messages) == 1
        (_, (d,)), = app.store.outbox()
        assert d.status == "pending" and d.handing_over_at is not None
        assert "trao đi lúc 09:00" in _alerts_cli(tmp_path).output  # `monitor alerts` shows it meanwhile
        assert deliver_outbox(app).sent == []
        app.clock.advance(minutes=CLAIM_MINUTES + 1)  # the claim's lease is over
        assert len(deliver_outbox(app).sent) == 1
        ids = [m["Message-ID"] for _, m in smtp.messages]
    assert len(ids) == 2 and ids[0] == ids[1]  # the copy is recognisably the same message
    (_, (d,)), = app.store.outbox(attention_since=app.now() - timedelta(days=7))  # listed: it may be there twice
    assert d.status == "sent" and d.in_doubt == 1 and d.attempts == 2 and d.handing_over_at is None
    r = _alerts_cli(tmp_path, "--all")
    assert r.exit_code == 0 and "người nhận có thể thấy thư hai lần" in r.output, r.output
    assert "tiến trình bị dừng" in r.output


def test_a_webhook_alert_posted_by_a_run_killed_before_recording_it_is_sent_again_marked_in_doubt(tmp_path, monkeypatch):
    import pytest

    from monitor.notify import CLAIM_MINUTES

    hook = HttpReceiver(free_port()).start()
    try:
        app = _one_alert_queued(tmp_path, channels=[{"kind": "webhook", "url": hook.url}])
        restart = _kill_after_hand_over(monkeypatch, "webhook")
        with pytest.raises(_Killed):
            deliver_outbox(app)
        restart()
        app.clock.advance(minutes=CLAIM_MINUTES + 1)
        # the interrupted attempt is counted in doubt when it is found, before the copy goes
        (_, (found,)), = app.store.outbox()
        assert found.in_doubt == 0 and found.handing_over_at is not None
        assert len(deliver_outbox(app).sent) == 1
        assert deliver_outbox(app).sent == []
        assert [r.headers["X-Monitor-Alert-Id"] for r in hook.requests] == [hook.requests[0].json()["alert_id"]] * 2
        (_, (d,)), = app.store.outbox(attention_since=app.now() - timedelta(days=7))
        assert d.status == "sent" and d.in_doubt == 1 and d.attempts == 2
        r = _alerts_cli(tmp_path, "--all")
        assert "gửi lại cùng X-Monitor-Alert-Id: hệ thống nhận có thể nhận hai lần" in r.output, r.output
    finally:
        hook.stop()


def test_a_run_killed_before_handing_an_alert_over_sends_it_once_unflagged(tmp_path, monkeypatch):
    import pytest

    import monitor.notify as notify
    from monitor.notify import CLAIM_MINUTES

    with SmtpSink() as smtp:
        app = _one_alert_queued(tmp_path, smtp_port=smtp.port,
                       channels=[{"kind": "email", "recipients": ["truongphong@longbien.example.vn"]}])
        real = notify.SENDERS["email"]

        def die_connecting(config, ch, alert, **kw):
            raise _Killed  # claimed, not yet handed over (connecting, logging in, MAIL FROM, RCPT TO)

        monkeypatch.setitem(notify.SENDERS, "email", die_connecting)
        with pytest.raises(_Killed):
            deliver_outbox(app)
        monkeypatch.setitem(notify.SENDERS, "email", real)
        app.clock.advance(minutes=CLAIM_MINUTES + 1)
        assert len(deliver_outbox(app).sent) == 1
    assert len(smtp.messages) == 1
    (_, (d,)), = app.store.outbox(include_sent=True)
    assert d.status == "sent" and d.in_doubt == 0 and d.attempts == 1
    assert app.store.outbox(attention_since=app.now() - timedelta(days=7)) == []  # nothing for a person to check


def test_a_webhook_answering_after_the_timeout_is_sent_again_marked_in_doubt(tmp_path):
    hook = HttpReceiver(free_port(), delay=2.5).start()  # it has the POST, and answers after the 1-second timeout
    try:
        app = _one_alert_queued(tmp_path, channels=[{"kind": "webhook", "url": hook.url, "timeout_seconds": 1}])
        first = deliver_outbox(app)
        assert first.sent == [] and first.failed[0][2].startswith("có thể đã gửi"), first.failed
        assert "cùng X-Monitor-Alert-Id" in first.failed[0][2] and "1 s" in first.failed[0][2]
        (_, (d,)), = app.store.outbox()
        assert d.status == "pending" and d.in_doubt == 1 and d.attempts == 1 and d.handing_over_at is None
        hook.delay = 0
        app.clock.advance(minutes=2)
        assert len(deliver_outbox(app).sent) == 1
        assert len(hook.requests) == 2 and hook.requests[0].body == hook.requests[1].body
        listed = app.store.outbox(attention_since=app.now() - timedelta(days=7))
        assert [d.in_doubt for _, ds in listed for d in ds] == [1]
        r = _alerts_cli(tmp_path, "--all")
        assert "hệ thống nhận có thể nhận hai lần" in r.output, r.output
    finally:
        hook.stop()


def test_a_webhook_trickling_its_answer_fails_at_the_deadline_and_is_sent_again_marked_in_doubt(tmp_path, monkeypatch):
    import monitor.fetch

    # each byte of the answer comes well within the 1-second timeout: only a deadline for the whole POST ends it
    monkeypatch.setattr(monitor.fetch, "POST_DEADLINE", 1.0)
    hook = HttpReceiver(free_port(), trickle=0.1).start()
    try:
        app = _one_alert_queued(tmp_path, channels=[{"kind": "webhook", "url": hook.url, "timeout_seconds": 1}])
        first = deliver_outbox(app)
        assert first.sent == [] and first.failed[0][2].startswith("có thể đã gửi"), first.failed
        assert "no complete answer within 1 s" in first.failed[0][2]
        (_, (d,)), = app.store.outbox()
        assert d.status == "pending" and d.in_doubt == 1 and d.attempts == 1 and d.handing_over_at is None
        assert deliver_outbox(app).sent == []  # backing off, as after any failure
        hook.trickle = 0
        app.clock.advance(minutes=2)
        assert len(deliver_outbox(app).sent) == 1
        assert deliver_outbox(app).sent == []
        assert len(hook.requests) == 2 and hook.requests[0].body == hook.requests[1].body
        assert hook.requests[0].headers["X-Monitor-Alert-Id"] == hook.requests[1].headers["X-Monitor-Alert-Id"]
    finally:
        hook.stop()


def test_post_json_cuts_a_trickling_answer_at_its_deadline():
    import pytest

    from monitor.errors import RequestInDoubt
    from monitor.fetch import post_json

    hook = HttpReceiver(free_port(), trickle=0.1).start()
    try:
        with pytest.raises(RequestInDoubt, match="no complete answer within 1 s"):
            post_json(hook.url, b'{"a": 1}', {}, 5, deadline=1)
        assert len(hook.requests) == 1
    finally:
        hook.stop()


def test_a_webhook_refusing_connections_or_answering_5xx_is_a_plain_failure(tmp_path):
    port = free_port()
    hook = HttpReceiver(port, status=503)  # not started: connections are refused
    app = _one_alert_queued(tmp_path, channels=[{"kind": "webhook", "url": hook.url, "timeout_seconds": 1}])
    refused = deliver_outbox(app)
    assert not refused.failed[0][2].startswith("có thể đã gửi"), refused.failed
    hook.start()
    try:
        app.clock.advance(minutes=2)
        answered = deliver_outbox(app)
        assert "503" in answered.failed[0][2] and not answered.failed[0][2].startswith("có thể đã gửi")
        (_, (d,)), = app.store.outbox()
        assert d.attempts == 2 and d.in_doubt == 0 and len(hook.requests) == 1
    finally:
        hook.stop()


def test_post_json_tells_an_answer_that_never_came_from_a_request_that_never_went():
    import pytest

    from monitor.errors import FetchTimeout, HTTPStatusError, RequestInDoubt
    from monitor.fetch import post_json

    hook = HttpReceiver(free_port(), delay=2.5).start()
    marks = []
    try:
        with pytest.raises(RequestInDoubt, match="within 1 s"):
            post_json(hook.url, b'{"a": 1}', {}, 1, on_hand_over=lambda: marks.append(len(hook.requests)))
        assert marks == [0] and len(hook.requests) == 1  # marked before the request went, which then arrived
        hook.delay, hook.status = 0, 503
        with pytest.raises(HTTPStatusError) as answered:
            post_json(hook.url, b"{}", {}, 1)
        assert not isinstance(answered.value, RequestInDoubt) and answered.value.status == 503
    finally:
        hook.stop()
    with pytest.raises(Exception) as refused:
        post_json(hook.url, b"{}", {}, 1, on_hand_over=lambda: marks.append("never"))
    assert not isinstance(refused.value, (RequestInDoubt, FetchTimeout)) and marks == [0]  # nothing was marked


def test_the_alert_says_what_happened_once_and_leaves_the_clerks_commands_out(tmp_path, monkeypatch):
    """Leadership's mailbox and Telegram group: a summary, no command lines, no title or outlet list twice,
    and the case's state as the last line; the e-mail is dated in office time."""
    from email.utils import parsedate_to_datetime

    monkeypatch.setenv("TEST_BOT_TOKEN", "123:ABC")
    tg = HttpReceiver(free_port()).start()
    try:
        with SmtpSink() as smtp:
            app = make_app(tmp_path, LOCAL_MORNING, smtp_port=smtp.port, channels=[
                {"kind": "email", "recipients": ["truongphong@longbien.example.vn"]},
                {"kind": "telegram", "bot_token_env": "TEST_BOT_TOKEN", "chat_id": "-1001",
                 "base_url": f"http://127.0.0.1:{tg.port}"}])
            for i, outlet in enumerate(["VnExpress", "Tuổi Trẻ"]):
                title, sapo = reprint(FIGHT_TITLE, FIGHT_SAPO, i)
                add_article(app, outlet, f"fight-{i}", title, sapo, app.now() - timedelta(minutes=30 - 10 * i))
            (case_id,) = run_triage(app).cases_opened
            app.clock.advance(minutes=3)
            assert len(deliver_outbox(app).sent) == 2
        (_, msg), = smtp.messages
        body = msg.get_content()
        telegram = tg.requests[0].json()["text"]
    finally:
        tg.stop()
    sent_at = parsedate_to_datetime(msg["Date"])
    assert sent_at == app.now() and sent_at.utcoffset() == timedelta(hours=7)  # 09:03 +0700, not UTC
    summary = "một nữ sinh lớp 8 Trường THCS Ngọc Lâm (quận Long Biên) bị bốn bạn cùng trường đánh hội đồng"
    for text in (body, telegram):
        assert summary in text  # what happened, in the clipping's words (its sapo's sentences)
        assert "monitor " not in text and "--status" not in text and "«" not in text
        assert "Tin: " not in text
        assert text.count("VnExpress, Tuổi Trẻ") == 1 and "  - 2 báo đưa tin" not in text  # the outlets once
        assert text.rstrip().splitlines()[-1] == f"Hồ sơ xử lý số {case_id} – trạng thái: chưa tiếp nhận xử lý"
    assert telegram.count(FIGHT_TITLE) == 2  # the subject line, and the first source (the second is reworded)
    assert body.count(FIGHT_TITLE) == 1  # the e-mail's subject carries it; the body lists it among the sources


def test_alert_subjects_say_the_level_the_area_and_an_update_shortly(tmp_path):
    cfg = make_app(tmp_path).config  # office.district: Long Biên
    assert alert_subject(cfg, "khẩn cấp", "T", local=True) == "[KHẨN CẤP – Long Biên] T"
    assert alert_subject(cfg, "khẩn cấp", "T", local=False) == "[KHẨN CẤP] T"
    assert alert_subject(cfg, "cao", "T", local=False) == "[Mức cao] T"
    assert alert_subject(cfg, "theo dõi", "T", local=False) == "[Cần theo dõi] T"
    assert alert_subject(cfg, "khẩn cấp", "T", local=True, kind="escalation", raised=True) == "[Tăng lên KHẨN CẤP – Long Biên] T"
    assert alert_subject(cfg, "cao", "T", local=True, kind="escalation") == "[Cập nhật – Mức cao – Long Biên] T"
    assert alert_subject(cfg, "đặc biệt", "T", local=False) == "[Mức đặc biệt] T"  # a level the office named itself


def test_a_long_vietnamese_subject_arrives_with_every_space(tmp_path):
    """Python's default folding dropped the space before an encoded word that starts a folded line, so a mail
    client showed "yêucầu" and "bạnđánh"; alerts fold their subject as the clipping does."""
    from types import SimpleNamespace

    from monitor.notify import send_email

    subject = ("[Mức cao] Long Biên yêu cầu xử lý nghiêm vụ nam sinh bị bạn đánh trước cổng trường, phụ huynh "
               "đề nghị công khai kết quả xác minh và hình thức kỷ luật đối với 700 triệu đồng đầu năm học")
    with SmtpSink() as smtp:
        app = make_app(tmp_path, LOCAL_MORNING, smtp_port=smtp.port, channels=[
            {"kind": "email", "recipients": ["lanhdao@pgd-longbien.example.vn"]}])
        (channel,) = app.config.alerts.channels
        alert = SimpleNamespace(id=7, subject=subject, body="Nội dung cảnh báo.", created_at=LOCAL_MORNING,
                                uid="0f1e2d3c4b5a69788796a5b4c3d2e1f0")
        send_email(app.config, channel, alert, now=LOCAL_MORNING)
        (_, msg), = smtp.messages
    assert str(msg["Subject"]) == subject


def test_alerts_waiting_when_a_channel_is_edited_go_to_the_channel_as_edited(tmp_path):
    """Alerts held overnight (or while a channel failed) were queued for the channels as feeds.yaml then had them. The
    clerk adds a recipient to the e-mail channel and fixes the webhook's URL: the waiting alerts go to the channels as
    they are now, once each, not stay queued for ever for a channel "no longer in feeds.yaml"."""
    from monitor.app import App

    old_hook, new_hook = HttpReceiver(free_port()).start(), HttpReceiver(free_port()).start()
    try:
        with SmtpSink() as smtp:
            app = make_app(tmp_path, LOCAL_NIGHT, smtp_port=smtp.port, channels=[
                {"kind": "email", "recipients": ["truongphong@longbien.example.vn"]},
                {"kind": "webhook", "url": old_hook.url + "/sai-duong-dan"}])
            add_article(app, "VnExpress", "fee", FEE_TITLE, FEE_SAPO, app.now() - timedelta(minutes=10),
                        Cls(hot_score=0.6, scope="city", topics=("tai-chinh",), reasons=("lạm thu",)))
            run_triage(app)
            assert deliver_outbox(app).sent == []  # quiet hours hold it
            app.close()
            edited = make_app(tmp_path, datetime(2026, 11, 26, 23, 1, tzinfo=timezone.utc), smtp_port=smtp.port, channels=[
                {"kind": "email", "recipients": ["truongphong@longbien.example.vn", "phophong@longbien.example.vn"]},
                {"kind": "webhook", "url": new_hook.url}])  # 06:01: the quiet hours are over
            report = deliver_outbox(edited)
            assert report.ok and len(report.sent) == 2, report
            assert deliver_outbox(edited).sent == []
            assert [rcpt for rcpt, _ in smtp.messages] == [["truongphong@longbien.example.vn", "phophong@longbien.example.vn"]]
            assert len(new_hook.requests) == 1 and old_hook.requests == []
            assert isinstance(edited, App) and edited.store.outbox() == []  # nothing left waiting
            edited.close()
    finally:
        old_hook.stop()
        new_hook.stop()


def test_the_outbox_lists_a_failed_delivery_where_it_goes_after_its_webhook_url_is_corrected(tmp_path):
    """A webhook failed at a wrong URL; the clerk corrects feeds.yaml. `monitor alerts` listed the delivery under
    the old URL, though `--send --now` then delivered it to the new one: the listing says where it goes now, and
    that the failure was at the old address."""
    import json

    from click.testing import CliRunner

    from monitor.cli import cli

    old_url = f"http://127.0.0.1:{free_port()}/sai-duong-dan"  # nothing listens there: refused
    fight_alert_waiting(tmp_path, old_url)
    cfg = str(tmp_path / "feeds.yaml")
    r = CliRunner().invoke(cli, ["--config", cfg, "alerts", "--send"])
    assert r.exit_code == 1 and "LỖI" in r.output, r.output
    hook = HttpReceiver(free_port()).start()
    try:
        make_app(tmp_path, quiet="", channels=[{"kind": "webhook", "url": hook.url}]).close()  # feeds.yaml corrected
        r = CliRunner().invoke(cli, ["--config", cfg, "alerts"])
        assert r.exit_code == 0, r.output
        (line,) = [x for x in r.output.splitlines() if x.startswith("    webhook:")]
        assert line.startswith(f"    webhook:{hook.url}: LỖI sau 1 lần"), line
        assert f"lỗi này là ở địa chỉ cũ webhook:{old_url}" in line and f"lần gửi sau đi tới webhook:{hook.url}" in line, line
        data = json.loads(CliRunner().invoke(cli, ["--config", cfg, "alerts", "--json"]).output)
        (d,) = data["alerts"][0]["deliveries"]
        assert d["channel"] == f"webhook:{old_url}" and d["goes_to"] == f"webhook:{hook.url}"
        r = CliRunner().invoke(cli, ["--config", cfg, "alerts", "--send", "--now"])
        assert r.exit_code == 0 and f"→ webhook:{hook.url}" in r.output, r.output
        assert len(hook.requests) == 1
    finally:
        hook.stop()


def test_the_outbox_says_when_a_waiting_deliverys_channel_is_gone_from_feeds_yaml(tmp_path):
    from click.testing import CliRunner

    from monitor.cli import cli

    fight_alert_waiting(tmp_path)
    make_app(tmp_path, quiet="", channels=[{"kind": "email", "recipients": ["truongphong@longbien.example.vn"]}]).close()
    r = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "alerts"])
    assert r.exit_code == 0, r.output
    (line,) = [x for x in r.output.splitlines() if x.startswith("    webhook:")]
    assert "không còn trong alerts.channels của feeds.yaml" in line, line


def test_an_alert_in_doubt_twice_is_left_for_a_person_and_the_copies_are_counted(tmp_path):
    """A receiver that keeps taking the alert and answering too late: the first attempt in doubt is sent again by
    itself, once; after a second in doubt the alert waits for a person, as `monitor alerts` and `status` say, rather
    than reach leadership a third and fourth time. `monitor alerts` counted one copy short ("hai lần" for three)."""
    from click.testing import CliRunner

    from monitor.cli import cli

    hook = HttpReceiver(free_port(), delay=2.5).start()  # it has each POST, and answers after the 1-second timeout
    try:
        app = _one_alert_queued(tmp_path, channels=[{"kind": "webhook", "url": hook.url, "timeout_seconds": 1}])
        assert deliver_outbox(app).failed  # in doubt: sent again by itself
        app.clock.advance(minutes=2)
        second = deliver_outbox(app)
        (_, (d,)), = app.store.outbox()
        assert d.status == "pending" and d.in_doubt == 2 and d.attempts == 2
        app.clock.advance(hours=3)
        assert deliver_outbox(app).sent == [] and len(hook.requests) == 2  # nothing more by itself
        assert second.failed and len(second.held) == 1 and "không tự gửi lại nữa" in second.failed[0][2]
        listing = _alerts_cli(tmp_path)
        assert "CHỜ NGƯỜI KIỂM TRA" in listing.output and "monitor alerts --send --now" in listing.output, listing.output
        assert "hệ thống nhận có thể nhận hai lần" in listing.output, listing.output
        status = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "status"])
        assert "Cảnh báo chờ người kiểm tra: 1 lượt" in status.output, status.output
        # the person asked the receiver, who has nothing: sent again on their word. The command runs on the wall
        # clock, and quiet hours still hold what it sends: none here, or the test fails from 22:00 Hà Nội time
        make_app(tmp_path, quiet="", channels=[{"kind": "webhook", "url": hook.url, "timeout_seconds": 1}]).close()
        hook.delay = 0
        sent = _alerts_cli(tmp_path, "--send", "--now")
        assert sent.exit_code == 0 and "đã gửi 1" in sent.output, sent.output
        assert len(hook.requests) == 3
        assert len({r.headers["X-Monitor-Alert-Id"] for r in hook.requests}) == 1
        after = _alerts_cli(tmp_path, "--all")
        assert "2 lần gửi trước không được xác nhận" in after.output and "có thể nhận ba lần" in after.output, after.output
    finally:
        hook.stop()
