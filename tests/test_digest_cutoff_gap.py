"""A day whose cut-off the crawler did not cover: judged from the fetch log, not from the sources' state now.

After an outage across a cut-off the crawler comes back and polls again, so the sources look fresh; the clipping
of that past day would then go out as if its window had been collected, while what was published during the
silence is missing or went to a later clipping as late arrivals. Real store, real crawler and feeds on 127.0.0.1,
real SMTP (aiosmtpd); the clock is injected.
"""

from __future__ import annotations

import io
import logging
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner
from docx import Document

from monitor.app import App
from monitor.cli import cli
from monitor.crawl import run_crawl
from monitor.digest import latest_complete_day
from monitor.service import Service
import test_digest_send
from test_digest import DAY, TZ, add_article, classify, make_app
from test_digest_crawl_gate import site_config
from test_digest_send import parts, smtp_app

smtp_server = test_digest_send.smtp_server  # the fixture: a real SMTP server on 127.0.0.1


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def poll(app, when: datetime, *, ok: bool = True, sources: int = 3) -> None:
    """One round of the crawler at `when`, written as monitor.crawl writes it: each feed's poll in the fetch log,
    then its state."""
    store = app.store
    store.sync_sources(app.config.sources, when)
    for s in app.config.sources[:sources]:
        if ok:
            store.log_fetch(source=s.name, kind="feed", url=s.url, started_at=when, status=200, size=2048,
                            duration_ms=80, outcome="ok", new_items=1)
            store.record_feed_success(s.name, when, status=200, etag=None, last_modified=None, body_hash=None,
                                      new_items=1, items=20, warning=None)
        else:
            error = "FetchError: cannot connect to the outlet's server"
            store.log_fetch(source=s.name, kind="feed", url=s.url, started_at=when, status=None, size=0, duration_ms=80,
                            outcome="error", error=error)
            store.record_feed_failure(s.name, when, status=None, error=error, weight=1.0)


def rounds(app, start: datetime, end: datetime, *, every: timedelta = timedelta(minutes=30), ok: bool = True) -> None:
    when = start
    while when <= end:
        poll(app, when, ok=ok)
        when += every


def test_a_past_day_whose_cutoff_the_crawler_missed_is_refused_though_fresh_now(tmp_path, site, smtp_server):
    """The crawler (the real one, on the sample feeds) was silent from 14:00 the day before a cut-off to 09:10 after
    it, and has polled since: `digest --date D --send` refuses, naming the gap, where the news went and --force;
    a preview and a forced send say in the clipping that the system collected nothing in that time."""
    inbox, port = smtp_server
    cfg = site_config(tmp_path, site, port)
    latest = latest_complete_day(datetime.now(TZ), "07:00", TZ)
    day = latest - timedelta(days=1)  # a past day: the latest cut-off has passed since
    clock = {"now": at(day - timedelta(days=1), 14, 0)}
    app = App.from_path(cfg, clock=lambda: clock["now"])
    just_now = datetime.now(TZ).replace(microsecond=0) - timedelta(minutes=5)
    for when in (at(day - timedelta(days=1), 14, 0), at(day, 9, 10), just_now):
        clock["now"] = when
        run_crawl(app, force=True)
        assert app.store.last_feed_success() == when
    app.close()

    runner = CliRunner()
    refused = runner.invoke(cli, ["--config", cfg, "digest", "--date", day.isoformat(), "--send"])
    assert refused.exit_code == 1, refused.output
    out = " ".join(refused.output.split())
    prev = day - timedelta(days=1)
    assert f"chưa gửi điểm báo ngày {day:%d/%m/%Y} và chưa ghi nhận gì" in out, out
    assert f"từ 14:00 {prev:%d/%m/%Y} đến 09:10 {day:%d/%m/%Y}" in out, out
    assert f"giờ chốt 07:00 {day:%d/%m/%Y}" in out and "nó không chạy" in out, out
    assert f"điểm báo ngày {latest:%d/%m/%Y}, ghi là 'nhận muộn'" in out, out
    assert f"monitor digest --date {day.isoformat()} --send --force" in out, out
    assert inbox.messages == []
    app = App.from_path(cfg)
    assert app.store.digest_record(day) is None
    app.close()

    notice = (f"Lưu ý: hệ thống không thu thập được tin từ 14:00 ngày {prev:%d/%m/%Y} đến 09:10 ngày {day:%d/%m/%Y} "
              f"(qua giờ chốt 07:00 ngày {day:%d/%m/%Y}); tin đăng trong thời gian này có thể thiếu trong điểm báo này "
              f"hoặc nằm ở điểm báo ngày {latest:%d/%m/%Y}.")
    preview = runner.invoke(cli, ["--config", cfg, "digest", "--date", day.isoformat(), "--format", "txt",
                                  "--out", str(tmp_path / "xem")])
    assert preview.exit_code == 0, preview.output
    assert notice in (tmp_path / "xem" / f"diem-bao-{day.isoformat()}.txt").read_text(encoding="utf-8")

    forced = runner.invoke(cli, ["--config", cfg, "digest", "--date", day.isoformat(), "--send", "--force"])
    assert forced.exit_code == 0, forced.output
    assert "đã gửi tới lanhdao@pgd-longbien.example.vn" in forced.output
    assert f"bản điểm báo ghi rõ hệ thống không thu thập được tin từ 14:00 {prev:%d/%m/%Y}" in forced.output
    (_, raw), = inbox.messages
    _, text, html, _ = parts(raw)
    assert notice in text.get_content()
    assert notice in " ".join(html.get_content().split())


def test_the_latest_day_caught_up_after_the_cutoff_is_sent_and_says_the_system_was_silent(tmp_path):
    """The latest day keeps its gate (a crawl right after the cut-off fills it), and every format says when nothing
    was collected."""
    app = make_app(tmp_path)  # 07:30 on the 26th: the 26th's is the latest clipping
    prev = DAY - timedelta(days=1)
    poll(app, at(prev, 13, 50))
    poll(app, at(DAY, 7, 20))  # the catch-up crawl
    before = add_article(app.store, url="https://news.example.vn/truoc.html", outlet="Dân trí",
                         title="Trường THCS tổ chức ngày hội đọc sách cho học sinh", published=at(prev, 12, 0),
                         seen=at(prev, 12, 5))
    caught = add_article(app.store, url="https://news.example.vn/sau.html", outlet="VnExpress",
                         title="Quận tăng cường kiểm tra bếp ăn bán trú", published=at(DAY, 3, 0), seen=at(DAY, 7, 20))
    classify(app.store, [(before, dict(topics=["guong-dien-hinh"])), (caught, dict(topics=["y-te-the-chat"]))])
    from monitor.digest import build_and_deliver_digest

    result = build_and_deliver_digest(app, DAY)
    assert result.status == "outbox", result.message
    assert "hệ thống không thu thập được tin từ 13:50 25/11/2026 đến 07:20 26/11/2026, qua giờ chốt" in result.message
    notice = ("Lưu ý: hệ thống không thu thập được tin từ 13:50 ngày 25/11/2026 đến 07:20 ngày 26/11/2026 (qua giờ "
              "chốt 07:00 ngày 26/11/2026); tin đăng trong thời gian này có thể thiếu trong điểm báo này hoặc nằm ở "
              "điểm báo ngày 27/11/2026.")
    folder = tmp_path / "var" / "outbox" / DAY.isoformat()
    assert notice in (folder / "diem-bao-2026-11-26.txt").read_text(encoding="utf-8")
    assert notice in " ".join((folder / "diem-bao-2026-11-26.html").read_text(encoding="utf-8").split())
    assert "hệ thống không thu thập được tin từ 13:50 ngày 25/11/2026 đến 07:20 ngày 26/11/2026" in (
        folder / "diem-bao-2026-11-26.md").read_text(encoding="utf-8")
    docx = Document(io.BytesIO((folder / "diem-bao-2026-11-26.docx").read_bytes()))
    assert notice in "\n".join(p.text for p in docx.paragraphs)
    # what the catch-up crawl found, published inside the window, is in this clipping
    text = (folder / "diem-bao-2026-11-26.txt").read_text(encoding="utf-8")
    assert "ngày hội đọc sách" in text and "kiểm tra bếp ăn bán trú" in text


def test_a_past_day_polled_through_its_cutoff_is_sent_but_one_whose_polls_all_failed_is_not(tmp_path):
    app = make_app(tmp_path, now=at(DAY + timedelta(days=2), 7, 30))  # the 28th's is the latest clipping
    prev = DAY - timedelta(days=1)
    rounds(app, at(prev, 5, 20), at(prev, 13, 50))
    rounds(app, at(prev, 14, 20), at(DAY, 9, 0), ok=False)  # the office's line was down: every poll failed
    rounds(app, at(DAY, 9, 10), at(DAY + timedelta(days=2), 7, 20))
    from monitor.digest import build_and_deliver_digest
    from monitor.digest_delivery import CrawlNotFresh

    with pytest.raises(CrawlNotFresh) as refused:
        build_and_deliver_digest(app, DAY)
    message = str(refused.value)
    assert "từ 13:50 25/11/2026 đến 09:10 26/11/2026 (cả 114 lần lấy tin trong thời gian đó đều lỗi)" in message, message
    assert "sẽ vào điểm báo ngày 27/11/2026, ghi là 'nhận muộn'" in message, message
    assert app.store.digest_record(DAY) is None
    # the day after, also past, was polled up to its cut-off: sent, with no warning
    nxt = build_and_deliver_digest(app, DAY + timedelta(days=1))
    assert nxt.status == "outbox" and "không thu thập được tin" not in nxt.message, nxt.message
    text = (tmp_path / "var" / "outbox" / "2026-11-27" / "diem-bao-2026-11-27.txt").read_text(encoding="utf-8")
    assert "Lưu ý: hệ thống" not in text


def test_the_service_holds_a_missed_past_day_once_and_sends_the_latest(tmp_path, smtp_server, caplog):
    """Back at 09:10 on the 27th after being off since 13:50 on the 25th, with a grace of 36 hours: the 26th is due
    too, but no crawl now can cover its cut-off; it is held (not sent, not recorded, the job says why, once), and the
    27th's goes out saying when nothing was collected."""
    inbox, port = smtp_server
    app = smtp_app(tmp_path, port)
    app.config = replace(app.config, digest=replace(app.config.digest, missed_grace_hours=36))
    clock = {"now": at(DAY + timedelta(days=1), 9, 10)}
    app.clock = lambda: clock["now"]
    poll(app, at(DAY - timedelta(days=1), 13, 50))
    poll(app, at(DAY + timedelta(days=1), 9, 5))  # the crawl jobs ran first at the start
    svc = Service(app)
    with caplog.at_level(logging.WARNING, logger="monitor.service"):
        svc.due_work()
    # the console line names the day as every line a person reads does
    assert any(r.getMessage().startswith("điểm báo ngày 26/11/2026 tạm giữ: ") for r in caplog.records), caplog.records
    run = app.store.last_job_runs()["digest"]
    assert run["outcome"] == "error", run
    assert "2026-11-27: Điểm báo ngày 27/11/2026 đã gửi" in run["summary"], run["summary"]
    assert "chưa gửi điểm báo ngày 26/11/2026" in run["summary"] and "(dịch vụ giữ lại, không tự gửi)" in run["summary"]
    assert len(inbox.messages) == 1 and app.store.digest_record(DAY) is None
    _, text, _, _ = parts(inbox.messages[0][1])
    notice = "Lưu ý: hệ thống không thu thập được tin từ 13:50 ngày 25/11/2026 đến 09:05 ngày 27/11/2026"
    assert notice in text.get_content()
    for minutes in (11, 22, 60):  # the next checks leave it alone: not sent, not reported again every ten minutes
        clock["now"] = at(DAY + timedelta(days=1), 9, 10) + timedelta(minutes=minutes)
        poll(app, clock["now"] - timedelta(minutes=1))
        svc.due_work()
    assert len(app.store.job_history("digest")) == 1
    assert len(inbox.messages) == 1 and app.store.digest_record(DAY) is None


def test_a_held_day_sent_by_hand_after_a_later_clipping_does_not_repeat_its_news(tmp_path):
    """The 26th was held; the 28th's clipping carried, as a late arrival, what the crawler found of the 26th's window
    when it came back. Sent later with --force, the 26th's holds what was collected before the silence, not that."""
    app = make_app(tmp_path, now=at(DAY + timedelta(days=2), 7, 30))  # the 28th's is the latest clipping
    prev = DAY - timedelta(days=1)
    rounds(app, at(prev, 7, 50), at(prev, 13, 50))
    rounds(app, at(DAY + timedelta(days=1), 9, 5), at(DAY + timedelta(days=2), 7, 20))
    before = add_article(app.store, url="https://news.example.vn/kip-thoi.html", outlet="Dân trí",
                         title="Phòng GD&ĐT tập huấn công tác phòng cháy cho nhà trường", published=at(prev, 12, 0),
                         seen=at(prev, 12, 5))
    found_late = add_article(app.store, url="https://news.example.vn/tim-lai.html", outlet="VnExpress",
                             title="Trường tiểu học điều chỉnh giờ học buổi chiều do rét đậm", published=at(DAY, 3, 0),
                             seen=at(DAY + timedelta(days=1), 9, 5))
    classify(app.store, [(before, dict(topics=["an-toan-truong-hoc"])), (found_late, dict(topics=["chinh-sach"]))])
    from monitor.digest import build_and_deliver_digest

    assert build_and_deliver_digest(app, DAY + timedelta(days=2)).status == "outbox"
    later = (tmp_path / "var" / "outbox" / "2026-11-28" / "diem-bao-2026-11-28.txt").read_text(encoding="utf-8")
    assert "điều chỉnh giờ học buổi chiều" in later and "(nhận muộn)" in later

    forced = build_and_deliver_digest(app, DAY, force=True)
    assert forced.status == "outbox", forced.message
    text = (tmp_path / "var" / "outbox" / "2026-11-26" / "diem-bao-2026-11-26.txt").read_text(encoding="utf-8")
    assert "tập huấn công tác phòng cháy" in text and "điều chỉnh giờ học buổi chiều" not in text
    assert "hệ thống không thu thập được tin từ 13:50 ngày 25/11/2026 đến 09:05 ngày 27/11/2026" in text
    assert "nằm ở điểm báo ngày 28/11/2026" in text


def test_a_day_before_the_install_is_refused_while_the_first_clipping_goes_out_plainly(tmp_path):
    """Installed and first crawled at 07:10, after the cut-off: that first clipping is filled by that crawl, as the
    gate allows, and carries no warning; a day of the week before, when nothing was collected, is refused."""
    app = make_app(tmp_path)  # 07:30 on the 26th
    poll(app, at(DAY, 7, 10))
    from monitor.digest import build_and_deliver_digest
    from monitor.digest_delivery import CrawlNotFresh

    with pytest.raises(CrawlNotFresh) as refused:
        build_and_deliver_digest(app, DAY - timedelta(days=7))
    message = str(refused.value)
    assert "chưa nguồn nào trả lời lần lấy tin nào trước 07:10 26/11/2026 (nhật ký lấy tin không có lần lấy tin nào trước đó" in message
    assert "--date 2026-11-19 --send --force" in refused.value.hint
    assert app.store.digest_record(DAY - timedelta(days=7)) is None
    first = build_and_deliver_digest(app, DAY)
    assert first.status == "outbox" and "không thu thập được tin" not in first.message, first.message
    text = (tmp_path / "var" / "outbox" / "2026-11-26" / "diem-bao-2026-11-26.txt").read_text(encoding="utf-8")
    assert "Lưu ý: hệ thống" not in text


def test_a_day_older_than_the_kept_fetch_log_is_not_said_to_be_uncollected(tmp_path):
    """Housekeeping keeps the fetch log for LOG_RETENTION, the articles for good: a clipping of a day before the log's
    oldest poll, whose articles were collected, is written without "collected nothing until <the log's first poll>"
    and may be sent; a day before the monitor collected anything still says that nothing was collected."""
    from monitor.digest import build_and_deliver_digest
    from monitor.digest_delivery import load_digest

    later = DAY + timedelta(days=120)
    app = make_app(tmp_path, now=at(later, 7, 30))
    rounds(app, at(later - timedelta(days=2), 7, 0), at(later, 7, 20), every=timedelta(hours=1))  # what the log kept
    prev = DAY - timedelta(days=1)
    early = add_article(app.store, url="https://news.example.vn/som.html", outlet="Dân trí",
                        title="Trường tiểu học tổ chức hội khỏe Phù Đổng cấp trường", published=at(prev, 9, 0),
                        seen=at(prev, 9, 10))
    classify(app.store, [(early, dict(topics=["y-te-the-chat"]))])
    assert load_digest(app, DAY).collection_gap is None
    result = build_and_deliver_digest(app, DAY, send=False, out_dir=tmp_path / "xem")
    assert "không thu thập được tin" not in result.message, result.message
    assert "Lưu ý: hệ thống" not in (tmp_path / "xem" / "diem-bao-2026-11-26.txt").read_text(encoding="utf-8")
    assert build_and_deliver_digest(app, DAY).status == "outbox"
    # before the first article the monitor collected, the log's silence is the monitor's: still a gap
    assert load_digest(app, prev - timedelta(days=1)).collection_gap is not None


def test_the_feeds_state_now_is_told_in_the_latest_clipping_only(tmp_path):
    """A feed failing now says nothing of an earlier day built again (a preview, a resend): its clipping does not
    warn of it at the top nor list it in the appendix; the latest clipping does."""
    from monitor.digest_delivery import load_digest

    app = make_app(tmp_path, now=at(DAY + timedelta(days=3), 7, 30))
    rounds(app, at(DAY - timedelta(days=1), 6, 0), at(DAY + timedelta(days=3), 4, 0), every=timedelta(hours=1))
    for n in range(4):  # every feed has failed since
        poll(app, at(DAY + timedelta(days=3), 4, 30 + n * 5), ok=False)
    seen = add_article(app.store, url="https://news.example.vn/cu.html", outlet="Dân trí",
                       title="Trường tiểu học tổ chức hội khỏe Phù Đổng cấp trường", published=at(DAY, 6, 0))
    classify(app.store, [(seen, dict(topics=["y-te-the-chat"]))])
    latest = load_digest(app, DAY + timedelta(days=3))
    assert latest.sources and latest.sources_warning.startswith("Lưu ý: 3/")
    old = load_digest(app, DAY)
    assert old.summary.education == 1
    assert old.sources == () and old.sources_warning == ""
