"""A very old day is not read as "nothing collected" because of a poll the pruned log keeps for good.

Housekeeping prunes the fetch log and the job history after their retention but keeps each source's latest poll and
each job's latest run. A feed removed from feeds.yaml long ago, or a crawl job of a polling interval no feed has any
more, so leaves one row behind for good; a day between that row and the log's first kept poll would then read as a
silence of the crawler from that lone row onwards. Only the feeds configured on the day count (the store knows when a
feed was removed), and a crawl job's run alone does not say the log still holds that time.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from monitor.digest import build_and_deliver_digest
from monitor.digest_delivery import crawl_silence, load_digest
from test_digest import DAY, add_article, classify, make_app
from test_digest_cutoff_gap import at, rounds

LATER = DAY + timedelta(days=120)
GONE = SimpleNamespace(name="bao-cu", url="https://bao-cu.example.vn/rss/giao-duc.rss", outlet="Báo Cũ", enabled=True,
                       interval_minutes=120)


def _kept_log(tmp_path):
    """The log as housekeeping leaves it at LATER: the configured feeds' last two days, and the last poll of a feed
    removed from feeds.yaml in the summer; articles collected all along."""
    app = make_app(tmp_path, now=at(LATER, 7, 30))
    summer = at(DAY - timedelta(days=100), 9)
    app.store.sync_sources([*app.config.sources, GONE], summer)
    app.store.log_fetch(source=GONE.name, kind="feed", url=GONE.url, started_at=summer, status=200, size=900,
                        duration_ms=60, outcome="ok", new_items=1)
    app.store.sync_sources(app.config.sources, summer + timedelta(hours=1))  # removed from feeds.yaml
    rounds(app, at(LATER - timedelta(days=2), 7, 0), at(LATER, 7, 20), every=timedelta(hours=1))
    prev = DAY - timedelta(days=1)
    early = add_article(app.store, url="https://news.example.vn/hoi-khoe.html", outlet="Dân trí",
                        title="Trường tiểu học tổ chức hội khỏe Phù Đổng cấp trường", published=at(prev, 9, 0),
                        seen=at(prev, 9, 10))
    classify(app.store, [(early, dict(topics=["y-te-the-chat"]))])
    return app


def test_a_feed_removed_long_ago_does_not_make_an_old_day_a_gap(tmp_path):
    app = _kept_log(tmp_path)
    assert app.store.source_state(GONE.name)["removed_at"] is not None
    assert load_digest(app, DAY).collection_gap is None
    result = build_and_deliver_digest(app, DAY, send=False, out_dir=tmp_path / "xem")
    assert "không thu thập được tin" not in result.message, result.message
    assert "Lưu ý: hệ thống" not in (tmp_path / "xem" / "diem-bao-2026-11-26.txt").read_text(encoding="utf-8")
    assert build_and_deliver_digest(app, DAY).status == "outbox"  # not refused as a cut-off the crawler missed


def test_a_crawl_job_of_an_interval_no_longer_used_does_not_either(tmp_path):
    app = _kept_log(tmp_path)
    run = app.store.job_started("crawl:120m", at(DAY - timedelta(days=100), 9))  # its feed's interval, long changed
    app.store.job_finished(run, at(DAY - timedelta(days=100), 9, 1), "ok", "1 source polled")
    assert load_digest(app, DAY).collection_gap is None


def test_a_feed_removed_after_the_day_still_counts_for_it(tmp_path):
    """The removed feed was configured on that day: its polls then are the crawler's, and a silence of every feed
    configured then is still a gap."""
    app = make_app(tmp_path, now=at(DAY + timedelta(days=3), 7, 30))
    store = app.store
    store.sync_sources([GONE], at(DAY - timedelta(days=3), 6, 0))
    for hours in range(0, 60, 2):  # the only feed then, answering across the cut-off of DAY
        store.log_fetch(source=GONE.name, kind="feed", url=GONE.url, started_at=at(DAY - timedelta(days=2), 6) +
                        timedelta(hours=hours), status=200, size=900, duration_ms=60, outcome="ok")
    rounds(app, at(DAY + timedelta(days=1), 9, 0), at(DAY + timedelta(days=3), 7, 0), every=timedelta(hours=1))
    assert store.source_state(GONE.name)["removed_at"] is not None  # removed when the configured feeds were synced
    assert crawl_silence(app, DAY, at(DAY, 7)) is None
    # the day after, neither it (removed) nor any configured feed answered across the cut-off: a gap
    gap = crawl_silence(app, DAY + timedelta(days=1), at(DAY + timedelta(days=1), 7))
    assert gap is not None and gap.until == at(DAY + timedelta(days=1), 9, 0)


OFF = SimpleNamespace(**{**vars(GONE), "enabled": False})  # the same feed kept in feeds.yaml with `enabled: false`


def test_a_feed_disabled_long_ago_does_not_make_an_old_day_a_gap(tmp_path):
    """Kept in feeds.yaml with `enabled: false` rather than removed: the store said only that it is disabled now, so
    its lone poll of the summer still counted for every day after it."""
    app = make_app(tmp_path, now=at(LATER, 7, 30))
    summer = at(DAY - timedelta(days=100), 9)
    app.store.sync_sources([*app.config.sources, GONE], summer)
    app.store.log_fetch(source=GONE.name, kind="feed", url=GONE.url, started_at=summer, status=200, size=900,
                        duration_ms=60, outcome="ok", new_items=1)
    app.store.sync_sources([*app.config.sources, OFF], summer + timedelta(hours=1))
    when = at(LATER - timedelta(days=2), 7, 0)
    while when <= at(LATER, 7, 20):  # the crawler's rounds, with the disabled feed still in feeds.yaml
        app.store.sync_sources([*app.config.sources, OFF], when)
        for s in app.config.sources[:3]:
            app.store.log_fetch(source=s.name, kind="feed", url=s.url, started_at=when, status=200, size=2048,
                                duration_ms=80, outcome="ok", new_items=1)
            app.store.record_feed_success(s.name, when, status=200, etag=None, last_modified=None, body_hash=None,
                                          new_items=1, items=20, warning=None)
        when += timedelta(hours=1)
    early = add_article(app.store, url="https://news.example.vn/hoi-khoe.html", outlet="Dân trí",
                        title="Trường tiểu học tổ chức hội khỏe Phù Đổng cấp trường",
                        published=at(DAY - timedelta(days=1), 9, 0), seen=at(DAY - timedelta(days=1), 9, 10))
    classify(app.store, [(early, dict(topics=["y-te-the-chat"]))])
    state = app.store.source_state(OFF.name)
    assert (state["enabled"], state["removed_at"]) == (0, None)
    assert load_digest(app, DAY).collection_gap is None
    assert build_and_deliver_digest(app, DAY).status == "outbox"


def test_a_feed_counts_for_the_days_it_was_enabled_and_not_between(tmp_path):
    """The only feed, disabled after DAY's cut-off and enabled again two days later: its polls are the crawler's for
    DAY and for the days after it came back, not for a day it was off (a silence of every feed enabled then is a gap
    all the same, read from the other feeds)."""
    app = make_app(tmp_path, now=at(DAY + timedelta(days=6), 7, 30))
    store = app.store
    store.sync_sources([GONE], at(DAY - timedelta(days=3), 6, 0))

    def answers(start, hours):
        for h in range(0, hours, 2):
            store.log_fetch(source=GONE.name, kind="feed", url=GONE.url, started_at=start + timedelta(hours=h),
                            status=200, size=900, duration_ms=60, outcome="ok")

    answers(at(DAY - timedelta(days=2), 6), 50)  # across DAY's cut-off, until 08:00 on DAY
    store.sync_sources([OFF], at(DAY, 9, 0))
    store.sync_sources([GONE], at(DAY + timedelta(days=2), 9, 0))
    answers(at(DAY + timedelta(days=2), 9), 90)
    assert crawl_silence(app, DAY, at(DAY, 7)) is None
    # DAY + 1: nothing enabled answered across its cut-off; a gap since 08:00 on DAY, the feed's last answer before
    # it was turned off (it answered again only after it came back)
    gap = crawl_silence(app, DAY + timedelta(days=1), at(DAY + timedelta(days=1), 7))
    assert gap is not None
    assert crawl_silence(app, DAY + timedelta(days=4), at(DAY + timedelta(days=4), 7)) is None
    history = store.crawl_history(at(DAY + timedelta(days=1), 7), timedelta(hours=6))
    assert history["last_answer"] is None and history["next_answer"] == at(DAY + timedelta(days=2), 9)
