"""A clipping is not sent before the crawl has filled it: real SMTP (aiosmtpd) and feeds on 127.0.0.1.

Sent before any crawl (a new install) or while every feed had been failing, the clipping told leadership
there was no education news and, recorded as delivered, kept the real one from going out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

import yaml
from click.testing import CliRunner

from monitor.app import App
from monitor.cli import cli
from monitor.digest import latest_complete_day
from monitor.sample_site import sample_config
from monitor.service import Service
from test_digest import DAY, NOW, TZ, make_app, mark_polled
import test_digest_send
from test_digest_send import smtp_app

smtp_server = test_digest_send.smtp_server  # the fixture: a real SMTP server on 127.0.0.1


def site_config(tmp_path, site, port: int, **digest) -> str:
    """The sample site's feeds, SMTP on 127.0.0.1:port, one recipient."""
    path = tmp_path / "feeds.yaml"
    sample_config(site, tmp_path / "var", config_path=path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["digest"].update({"recipients": ["lanhdao@pgd-longbien.example.vn"], "formats": ["txt"], **digest})
    data["smtp"] = {"host": "127.0.0.1", "port": port, "security": "none", "sender": "diem-bao@pgd-longbien.example.vn",
                    "timeout_seconds": 10}
    data["alerts"]["channels"] = []
    data["storage"]["models_dir"] = str(tmp_path / "models")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # installed as README says (`monitor init` makes the database), but not yet crawled: a digest makes no database
    assert CliRunner().invoke(cli, ["--config", str(path), "init"]).exit_code == 0
    return str(path)


def test_digest_send_before_any_crawl_is_refused_and_records_nothing(tmp_path, site, smtp_server):
    inbox, port = smtp_server
    cfg = site_config(tmp_path, site, port)
    runner = CliRunner()
    refused = runner.invoke(cli, ["--config", cfg, "digest", "--send"])
    assert refused.exit_code == 1, refused.output
    assert "chưa thu thập thành công từ nguồn nào" in refused.output
    assert "monitor crawl --all" in refused.output and "--force" in refused.output
    assert inbox.messages == []
    app = App.from_path(cfg)
    day = latest_complete_day(app.now(), app.config.digest.cutoff, app.config.office.tz)
    assert app.store.digest_record(day) is None  # not recorded: the real clipping is not refused later
    app.close()

    crawled = runner.invoke(cli, ["--config", cfg, "crawl", "--all"])
    assert crawled.exit_code == 0, crawled.output
    sent = runner.invoke(cli, ["--config", cfg, "digest", "--send"])
    assert sent.exit_code == 0, sent.output
    assert "đã gửi tới lanhdao@pgd-longbien.example.vn" in sent.output
    assert len(inbox.messages) == 1


def test_force_sends_without_a_crawl(tmp_path, site, smtp_server):
    inbox, port = smtp_server
    cfg = site_config(tmp_path, site, port)
    r = CliRunner().invoke(cli, ["--config", cfg, "digest", "--send", "--force"])
    assert r.exit_code == 0, r.output
    assert len(inbox.messages) == 1
    lone = CliRunner().invoke(cli, ["--config", cfg, "digest", "--force"])
    assert lone.exit_code == 2


def test_a_crawler_down_for_hours_before_the_cutoff_holds_the_clipping(tmp_path, smtp_server):
    from monitor.digest_delivery import CrawlNotFresh, build_and_deliver_digest

    inbox, port = smtp_server
    app = smtp_app(tmp_path, port)
    cutoff = datetime(2026, 11, 26, 7, 0, tzinfo=TZ)
    mark_polled(app.store, cutoff - timedelta(hours=9))  # the last feed that answered, at 22:00 the evening before
    try:
        build_and_deliver_digest(app, DAY)
    except CrawlNotFresh as exc:
        assert "kể từ 22:00 25/11/2026" in str(exc), exc
    else:
        raise AssertionError("sent although the crawler had been down since 22:00")
    assert inbox.messages == [] and app.store.digest_record(DAY) is None
    mark_polled(app.store, cutoff - timedelta(minutes=20))  # a poll shortly before the cut-off is enough
    assert build_and_deliver_digest(app, DAY).status == "sent"
    assert len(inbox.messages) == 1


def test_one_daily_source_does_not_let_a_stopped_crawler_through(tmp_path):
    from dataclasses import replace

    from monitor.digest_delivery import crawl_gap

    app = make_app(tmp_path)
    sources = app.config.sources
    daily = replace(sources[0], interval_minutes=1440)  # a magazine's feed, polled once a day
    app.config = replace(app.config, sources=(daily, *sources[1:]))
    cutoff = datetime(2026, 11, 26, 7, 0, tzinfo=TZ)
    mark_polled(app.store, cutoff - timedelta(hours=40))  # the crawler stopped 40 hours before the cut-off
    assert crawl_gap(app, DAY, cutoff) is not None, "the frequent sources would have answered: it stopped"


def test_the_service_crawls_before_a_digest_the_crawl_has_not_covered(tmp_path, site, smtp_server):
    inbox, port = smtp_server
    cfg = site_config(tmp_path, site, port)
    day = latest_complete_day(datetime.now(TZ), "07:00", TZ)
    app = App.from_path(cfg, clock=lambda: datetime.combine(day, time(7, 5), tzinfo=TZ))
    svc = Service(app)
    svc.due_work()  # five minutes after the cut-off: the digest is due, and nothing was crawled yet
    runs = app.store.last_job_runs()
    assert runs["digest"]["outcome"] == "ok", runs["digest"]
    assert app.store.last_feed_success() is not None
    assert len(inbox.messages) == 1
    app.close()


def test_the_service_holds_the_digest_while_no_feed_answers_then_sends_it(tmp_path, smtp_server):
    import socket

    inbox, port = smtp_server
    with socket.socket() as probe:  # a port nobody listens on: the feed is down
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    clock = {"now": NOW}
    app = make_app(tmp_path, smtp={"host": "127.0.0.1", "port": port, "security": "none",
                                   "sender": "diem-bao@pgd-longbien.example.vn", "timeout_seconds": 10}, now=NOW)
    app.clock = lambda: clock["now"]
    cfg = app.config
    src = replace(cfg.sources[0], url=f"http://127.0.0.1:{dead}/rss.xml")
    app.config = replace(cfg, sources=(src,), crawler=replace(cfg.crawler, allow_private_addresses=True, max_retries=0,
                                                              min_delay_seconds=0))
    svc = Service(app)
    svc.due_work()
    last = app.store.last_job_runs()["digest"]
    assert last["outcome"] == "error" and "thu thập thành công từ nguồn nào" in last["summary"], last
    assert inbox.messages == [] and app.store.digest_record(DAY) is None
    # the feed answers again (here: marked as polled) and the next check sends the real clipping
    mark_polled(app.store, clock["now"], source=src.name)
    clock["now"] += timedelta(minutes=11)
    svc.due_work()
    assert app.store.last_job_runs()["digest"]["outcome"] == "ok"
    assert len(inbox.messages) == 1 and app.store.digest_record(DAY).delivered
    app.close()


def test_a_failing_frequent_source_does_not_hold_the_clipping_while_the_others_answer(tmp_path):
    from monitor.digest_delivery import crawl_gap

    app = make_app(tmp_path)
    srcs = list(app.config.sources)
    # one feed polled every 15 minutes, answering 403 since yesterday (so backing off); the others every 6 hours
    srcs = [replace(srcs[0], interval_minutes=15)] + [replace(s, interval_minutes=360) for s in srcs[1:]]
    app.config = replace(app.config, sources=tuple(srcs))
    cutoff = datetime(2026, 11, 26, 7, 0, tzinfo=TZ)
    app.store.sync_sources(app.config.sources, cutoff - timedelta(days=5))
    for s in srcs[1:]:  # answered at 03:30, next due at 09:30
        app.store.record_feed_success(s.name, cutoff - timedelta(hours=3, minutes=30), status=200, etag=None,
                                      last_modified=None, body_hash=None, new_items=3, items=20, warning=None)
    for k in range(8):
        app.store.record_feed_failure(srcs[0].name, cutoff - timedelta(hours=20 - 2 * k), status=403,
                                      error="403 Forbidden", weight=1.0)
    assert crawl_gap(app, DAY, cutoff) is None
    # but had the crawler stopped at 03:30 (the slow feeds are overdue by the next morning's cut-off), it is held
    later = cutoff + timedelta(days=1)
    gap = crawl_gap(app, DAY, later)
    assert gap is not None and "không thu thập thành công từ nguồn nào kể từ 03:30 26/11/2026" in str(gap), gap


def test_a_stopped_crawler_is_named_even_when_a_daily_source_is_fresh(tmp_path):
    from monitor.digest_delivery import crawl_gap

    app = make_app(tmp_path)
    srcs = list(app.config.sources)
    srcs = [replace(srcs[0], interval_minutes=1440)] + list(srcs[1:3])  # a daily feed and two every 30 minutes
    app.config = replace(app.config, sources=tuple(srcs))
    cutoff = datetime(2026, 11, 26, 7, 0, tzinfo=TZ)
    app.store.sync_sources(app.config.sources, cutoff - timedelta(days=5))
    for s in srcs:  # the last run, 20 hours before the cut-off: the daily feed's success is within 2 x 24 h
        app.store.record_feed_success(s.name, cutoff - timedelta(hours=20), status=200, etag=None, last_modified=None,
                                      body_hash=None, new_items=1, items=5, warning=None)
    gap = crawl_gap(app, DAY, cutoff)
    assert gap is not None and "bộ thu thập không lấy tin từ nguồn nào kể từ 11:00 25/11/2026" in str(gap), gap
    # it runs again (after the cut-off, as the service's catch-up crawl does): the 30-minute feeds are polled
    for s in srcs[1:]:
        app.store.record_feed_success(s.name, cutoff + timedelta(minutes=5), status=200, etag=None, last_modified=None,
                                      body_hash=None, new_items=1, items=5, warning=None)
    assert crawl_gap(app, DAY, cutoff) is None


def test_a_new_install_before_its_first_crawl_says_what_to_run_not_that_something_failed(config_file, tmp_path):
    # the first `monitor digest` of a new office, before any crawl: its empty clipping blamed the servers or feeds
    from monitor.render import subject

    runner = CliRunner()
    out = tmp_path / "out"
    assert runner.invoke(cli, ["--config", str(config_file), "init"]).exit_code == 0  # the database, not yet a crawl
    first = runner.invoke(cli, ["--config", str(config_file), "digest", "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert "chưa thu thập tin nào" in first.output and "monitor crawl" in first.output, first.output
    (txt,) = out.glob("*.txt")
    text = txt.read_text(encoding="utf-8")
    assert "Hệ thống chưa thu thập tin nào: chưa chạy lần lấy tin đầu tiên" in text, text
    assert "“monitor crawl”" in text and "“monitor serve”" in text, text
    assert "sự cố" not in text and "lỗi" not in text and "không thu thập được" not in text, text

    # once a poll was made and every feed failed, the same empty clipping is an outage again
    app = App.from_path(str(config_file))
    try:
        day = latest_complete_day(app.now(), app.config.digest.cutoff, app.config.office.tz)
        from monitor.digest_delivery import load_digest

        assert subject(load_digest(app, day), "Điểm báo GD").endswith("chưa thu thập tin (chưa chạy lấy tin lần nào)")
        source = app.config.sources[0].name
        app.store.sync_sources(app.config.sources, app.now())
        app.store.record_feed_failure(source, app.now(), status=None, error="timeout", weight=1.0)
        failed = load_digest(app, day)
        assert "máy chủ/nguồn tin có thể gặp sự cố" in failed.empty_text, failed.empty_text
        assert subject(failed, "Điểm báo GD").endswith("không thu thập được tin, cần kiểm tra")
    finally:
        app.close()
