"""Keeping what was collected across an upgrade (older schema, migrated on open) and a backup restored."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from monitor.store import Store
from test_digest import TZ, add_article, classify
from test_digest_send import DAY, make_app, seed_day


def _as_before_0062(path: Path) -> None:
    """The store as a version before 0062 left it: no record of which articles each delivered clipping held."""
    con = sqlite3.connect(path)
    con.execute("DROP TABLE digest_articles")
    con.execute("DELETE FROM schema_migrations WHERE name LIKE '0062%' OR name LIKE '0076%'")
    con.commit()
    con.close()


def test_the_clipping_after_an_upgrade_does_not_repeat_what_the_last_one_before_it_held(tmp_path):
    """The 26th's clipping, built at 07:30 by a version that recorded no articles, held news published at 06:55
    and collected at 07:05; once upgraded, the 27th's must not list it again as a late arrival, and must still
    carry the one published the day before and collected after the 26th's cut-off, that no clipping held."""
    from monitor.digest import build_and_deliver_digest
    from monitor.digest_delivery import load_digest

    app = make_app(tmp_path)  # the clock: 07:30 on the 26th
    seed_day(app.store)
    cutoff = datetime(2026, 11, 26, 7, 0, tzinfo=TZ)
    just_before = add_article(app.store, url="https://news.example.vn/sat-gio.html", outlet="Dân trí",
                              title="Trường tiểu học thông báo lịch nghỉ học do mưa lớn",
                              published=cutoff - timedelta(minutes=5), seen=cutoff + timedelta(minutes=5))
    old_news = add_article(app.store, url="https://news.example.vn/tre-hai-ngay.html", outlet="Dân trí",
                           title="Học sinh vùng cao nhận học bổng đầu năm", published=cutoff - timedelta(days=1, hours=8),
                           seen=cutoff + timedelta(minutes=10))
    classify(app.store, [(just_before, dict(topics=["chinh-sach"])), (old_news, dict(topics=["guong-dien-hinh"]))])
    assert build_and_deliver_digest(app, DAY).status == "outbox"
    held = set(load_digest(app, DAY).article_ids)
    path = app.store.path
    app.close()
    _as_before_0062(path)

    next_day = make_app(tmp_path, now=datetime(2026, 11, 27, 7, 30, tzinfo=TZ))  # opening it upgrades it
    digest = load_digest(next_day, DAY + timedelta(days=1))
    assert just_before not in digest.article_ids  # the 26th's clipping held it
    assert old_news in digest.article_ids  # late, and in no clipping yet
    assert not held & set(digest.article_ids)
    # the day itself is still delivered, once
    assert build_and_deliver_digest(next_day, DAY).status == "already-delivered"
    assert "0062_digest_articles.sql" in next_day.store.applied_migrations()


# --------------------------------------------------------------------------- monitor backup

WRITER = r"""
import sys
from datetime import datetime, timedelta, timezone
from monitor.models import FeedEntry
from monitor.store import Store

store = Store(sys.argv[1])
t0 = datetime(2026, 11, 26, 1, 0, tzinfo=timezone.utc)
n = 0

def write():
    global n
    n += 1
    url = f"https://news.example.vn/ghi-song-song-{n}.html"
    entry = FeedEntry(source="writer-feed", url=url, guid=url, title=f"Tin thu thập trong lúc sao lưu số {n}",
                      sapo="Nhà trường thông báo kế hoạch kiểm tra cuối học kỳ cho học sinh khối 9.", published=t0)
    store.add_feed_entry(entry, "VnExpress", t0 + timedelta(seconds=n), fetch_page=False)

for _ in range(50):
    write()
print("started", flush=True)
# writes, one commit each, until told to stop: the backup runs meanwhile
import select
while not select.select([sys.stdin], [], [], 0)[0]:
    write()
print(n, flush=True)
"""


def test_a_backup_taken_while_another_process_writes_is_one_consistent_checked_copy(tmp_path, config_file):
    import os
    import subprocess
    import sys

    from monitor.cli import cli

    db = tmp_path / "var" / "monitor.sqlite3"
    Store(db).close()
    root = Path(__file__).resolve().parents[1]
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
    try:
        assert writer.stdout.readline().strip() == "started"
        out = tmp_path / "sao-luu" / "monitor-backup.sqlite3"
        result = CliRunner().invoke(cli, ["--config", str(config_file), "backup", "--out", str(out)])
        writer.stdin.write("stop\n")
        writer.stdin.flush()
        total = int(writer.stdout.readline())
    finally:
        writer.stdin.close()
        writer.wait()
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(out)
    held = copy.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert f"{held} bài" in result.output and "bản sao đã qua bước kiểm tra" in result.output
    assert " ok" not in result.output, "the check said in Vietnamese, as every other line"
    assert 50 <= held <= total
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # every article written before the moment of the copy, none after, none half: numbered 1..held
    titles = {r[0] for r in copy.execute("SELECT title FROM articles")}
    assert titles == {f"Tin thu thập trong lúc sao lưu số {k}" for k in range(1, held + 1)}
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, nothing beside it
    copy.close()
    assert not Path(f"{out}-wal").exists()
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no partial file left
    assert out.stat().st_mode & 0o077 == 0o040  # as the database: its group reads it, other users do not


def test_a_restored_backup_keeps_what_was_collected_and_sends_nothing_again(tmp_path, config_file):
    from monitor.cli import cli
    from monitor.digest import build_and_deliver_digest

    app = make_app(tmp_path)
    ids = seed_day(app.store)
    now = datetime(2026, 11, 26, 7, 40, tzinfo=TZ)
    story = app.store.create_story(ids["ngo-doc"], now)
    case_id, _ = app.store.open_case(story, now)
    app.store.update_case(case_id, now, by="Chị Lan", status="đang xử lý", note="Đã gọi hiệu trưởng")
    app.store.add_label(ids["lam-thu"], by="Chị Lan", at=now, is_education=True)
    assert build_and_deliver_digest(app, DAY).status == "outbox"
    articles = app.store.count_articles()
    app.close()

    out = tmp_path / "monitor-2026-11-26.sqlite3"
    runner = CliRunner()
    first = runner.invoke(cli, ["--config", str(config_file), "backup", "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert "1 hồ sơ" in first.output and "Không có trong bản sao lưu: thư mục outbox" in first.output
    # sizes as Vietnamese prose writes a number (0,2 MB), never 0.2 MB
    assert re.search(r"\d,\d MB|\d MB", first.output) and not re.search(r"\d\.\d MB", first.output), first.output
    # an existing file is never overwritten by accident
    again = runner.invoke(cli, ["--config", str(config_file), "backup", "--out", str(out)])
    assert again.exit_code == 2 and "đã có; chưa ghi gì" in again.output and "--force" in again.output
    assert runner.invoke(cli, ["--config", str(config_file), "backup", "--out", str(out), "--force"]).exit_code == 0

    # the disk is lost: the backup goes back at storage.data_dir/storage.database
    db = tmp_path / "var" / "monitor.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(out.read_bytes())
    restored = make_app(tmp_path, now=datetime(2026, 11, 26, 8, 0, tzinfo=TZ))
    assert restored.store.count_articles() == articles
    events = restored.store.execute("SELECT note FROM case_events WHERE case_id = ?", (case_id,)).fetchall()
    assert "Đã gọi hiệu trưởng" in [e[0] for e in events]
    assert restored.store.execute("SELECT COUNT(*) FROM labels").fetchone()[0] == 1
    # what was delivered before the backup stays delivered: not sent again
    assert build_and_deliver_digest(restored, DAY).status == "already-delivered"


def test_an_alert_sent_before_the_backup_is_not_sent_again_after_a_restore_and_one_waiting_goes_once(tmp_path):
    from monitor.notify import deliver_outbox
    from monitor.triage import run_triage
    from test_triage_support import FIGHT_SAPO, FIGHT_TITLE, HttpReceiver, add_article as add_story_article
    from test_triage_support import free_port, make_app as make_alert_app

    up, down = HttpReceiver(free_port()).start(), HttpReceiver(free_port())  # nothing listens on the second yet
    channels = [{"kind": "webhook", "url": up.url}, {"kind": "webhook", "url": down.url}]
    try:
        app = make_alert_app(tmp_path, channels=channels)
        add_story_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=5))
        run_triage(app)
        first = deliver_outbox(app)
        assert len(first.sent) == 1 and len(first.failed) == 1 and len(up.requests) == 1
        out = tmp_path / "sao-luu.sqlite3"
        app.store.backup(out)
        db = app.store.path
        app.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        db.write_bytes(out.read_bytes())

        down.start()
        restored = make_alert_app(tmp_path, channels=channels)
        restored.clock.advance(minutes=10)
        assert len(deliver_outbox(restored).sent) == 1
        assert deliver_outbox(restored).sent == []
        assert len(up.requests) == 1 and len(down.requests) == 1
        # the alert that waited goes under the id it was queued with: a receiver's dedup takes it for what it is
        assert down.requests[0].json()["alert_id"] == up.requests[0].json()["alert_id"]
        restored.close()
    finally:
        up.stop()
        down.stop()


def test_a_new_alert_after_a_restore_is_not_sent_under_an_older_alert_s_id(tmp_path):
    """The README tells receivers to deduplicate by alert_id (X-Monitor-Alert-Id). The row number comes again after a
    restore from a backup taken before an alert was queued: the new alert, another story, went out as the old one's
    id, and a receiver following the README dropped it."""
    from monitor.notify import deliver_outbox
    from monitor.triage import run_triage
    from test_triage_support import FIGHT_SAPO, FIGHT_TITLE, HttpReceiver, add_article as add_story_article
    from test_triage_support import free_port, make_app as make_alert_app

    hook = HttpReceiver(free_port()).start()
    channels = [{"kind": "webhook", "url": hook.url}]
    try:
        app = make_alert_app(tmp_path, channels=channels)
        out = tmp_path / "sao-luu.sqlite3"
        app.store.backup(out)  # before any alert
        add_story_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=5))
        run_triage(app)
        assert len(deliver_outbox(app).sent) == 1
        db = app.store.path
        app.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        db.write_bytes(out.read_bytes())

        restored = make_alert_app(tmp_path, channels=channels)
        restored.clock.advance(minutes=30)
        add_story_article(restored, "Tuổi Trẻ", "fight-2", FIGHT_TITLE, FIGHT_SAPO, restored.now() - timedelta(minutes=5))
        run_triage(restored)
        assert len(deliver_outbox(restored).sent) == 1
        first, second = (r.json() for r in hook.requests)
        assert first["alert_id"] != second["alert_id"]
        assert first["alert_number"] == second["alert_number"]  # the row number, reused: for people only
        assert [r.headers["X-Monitor-Alert-Id"] for r in hook.requests] == [first["alert_id"], second["alert_id"]]
        restored.close()
    finally:
        hook.stop()
