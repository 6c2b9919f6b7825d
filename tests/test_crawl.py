"""Whole crawls against the sample news site on 127.0.0.1, with injected faults.

None of the faults may crash the crawl or lose an article, and each must leave a clear record
(the fetch log, the source's health).
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from monitor.app import App
from monitor.crawl import run_crawl
from monitor.feeds import parse_feed
from monitor.fetch import Tuning
from monitor.sample_site import SampleArticle, build_site, load_articles, sample_config, serve, stop

FIX = Path(__file__).parent / "fixtures" / "crawl"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)  # after every fixture article
FAST = Tuning(retry_base_delay=0.001, retry_max_delay=0.01, max_retry_after=1.0, page_max_attempts=2,
              page_retry_minutes=1, total_timeout_factor=2)
ARTICLES = load_articles(FIX / "articles.json")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def env(tmp_path):
    site = build_site(ARTICLES, {"rong-giao-duc": "/rong/rss/rong.rss"})
    server, _ = serve(site)
    clock = Clock(NOW)
    apps = []

    def make(articles=None, **crawler) -> App:
        cfg = sample_config(site, tmp_path / "var", crawler={"timeout_seconds": 1, **crawler}, config_path=tmp_path / "feeds.yaml")
        app = App(config=cfg, clock=clock)
        apps.append(app)
        return app

    yield site, make, clock
    for a in apps:
        a.close()
    stop(server)


def feed_path(site, source):
    return site.feeds[source][1]


def rows(app, sql, params=()):
    return [dict(r) for r in app.store.execute(sql, params).fetchall()]


def test_first_crawl_then_conditional_repoll(env):
    site, make, clock = env
    app = make()
    report = run_crawl(app, tuning=FAST)
    assert report.ok, report.failed_sources
    assert len(report.new_article_ids) == len(ARTICLES) == app.store.count_articles()
    assert report.pages_ok == len(ARTICLES) and report.pages_failed == 0
    # one article however many feeds list it, every feed recorded
    shared = app.store.find_article_by_url(site.article_url("giao-vien-mam-non-duoc-ho-tro-them-phu-cap"))
    assert set(shared.sources) == {"vnexpress-giao-duc", "vnexpress-tin-moi"}
    assert all(a.page_status == "ok" and a.body for a in app.store.articles_between(None, None))
    dantri = app.store.find_article_by_url(site.article_url("phu-huynh-phan-anh-bep-an-ban-tru"))
    assert dantri.outlet == "Dân Trí" and not dantri.sapo.startswith("(Dân trí)")
    assert dantri.published == datetime(2026, 11, 25, 14, 5, tzinfo=VN)
    raw, enc = app.store.raw_html(dantri.id)
    assert b"singular-content" in raw and enc == "utf-8"
    log = rows(app, "SELECT * FROM fetches WHERE kind = 'feed'")
    assert len(log) == len(app.config.sources) and all(r["outcome"] == "ok" and r["bytes"] > 0 for r in log)
    state = app.store.source_state("dantri-giao-duc")
    assert state["etag"] and state["last_modified"] and state["health"] == "ok"

    clock.now = NOW + timedelta(minutes=11)
    again = run_crawl(app, tuning=FAST)
    assert again.ok and again.new_article_ids == () and again.pages_ok == 0
    assert {s.outcome for s in again.sources} == {"not-modified"}
    assert site.requests[-1][1].get("if-none-match")
    assert app.store.count_articles() == len(ARTICLES)
    # not due yet: nothing polled
    quiet = run_crawl(app, tuning=FAST)
    assert {s.outcome for s in quiet.sources} == {"not-due"}


def test_body_hash_fallback_and_validators_refreshed_when_body_unchanged(env):
    site, make, clock = env
    app = make()
    path = feed_path(site, "tuoitre-giao-duc")
    site.fault(path, ignore_validators=True)
    run_crawl(app, sources=["tuoitre-giao-duc"], tuning=FAST)
    assert app.store.source_state("tuoitre-giao-duc")["etag"] is None  # never invented
    r = run_crawl(app, sources=["tuoitre-giao-duc"], force=True, tuning=FAST)
    assert r.sources[0].outcome == "unchanged"
    # the server starts sending validators again: stored although the body is the same
    site.clear_faults(path)
    r = run_crawl(app, sources=["tuoitre-giao-duc"], force=True, tuning=FAST)
    assert r.sources[0].outcome == "unchanged"
    assert app.store.source_state("tuoitre-giao-duc")["etag"]
    assert run_crawl(app, sources=["tuoitre-giao-duc"], force=True, tuning=FAST).sources[0].outcome == "not-modified"


def test_faults_never_crash_the_crawl_nor_lose_articles(env):
    site, make, clock = env
    app = make(max_body_bytes=1_000_000, timeout_seconds=0.3, max_retries=1)
    # the feed that answers 429 + Retry-After is read through another host name: a Retry-After quiets its
    # whole host for the crawl, and every other outlet of the sample site is on 127.0.0.1
    app.config = replace(app.config, sources=tuple(
        replace(s, url=s.url.replace("//127.0.0.1:", "//localhost:")) if s.name == "thanhnien-giao-duc" else s
        for s in app.config.sources))
    p = lambda s: feed_path(site, s)  # noqa: E731
    site.fault(p("tuoitre-giao-duc"), status=500, times=1)                       # 500 then success
    site.fault(p("thanhnien-giao-duc"), status=429, retry_after="7200")           # 429, come back in 2 h
    site.fault(p("dantri-giao-duc"), stall=3)                                     # stalls past the timeout
    bozo = site.routes[p("vietnamnet-giao-duc")].render(site.base_url)
    site.fault(p("vietnamnet-giao-duc"), body=bozo.replace("</item>", "</itm>", 1).encode())  # malformed XML
    site.fault(p("laodong-giao-duc"), anti_bot=True)                              # HTML where XML was expected
    site.fault(p("nhandan-giao-duc"), redirect=p("nhandan-giao-duc"))             # redirect loop
    site.fault(p("gdtd-giao-duc"), oversize=3_000_000)                            # oversized body
    site.fault(p("tienphong-giao-duc"), declared_charset="ISO-8859-1")            # wrong declared charset
    report = run_crawl(app, tuning=FAST)

    by = {s.name: s for s in report.sources}
    assert by["tuoitre-giao-duc"].outcome == "ok" and by["tuoitre-giao-duc"].new_items == 1
    assert by["thanhnien-giao-duc"].failed and "429" in by["thanhnien-giao-duc"].error
    assert by["thanhnien-giao-duc"].next_due >= NOW + timedelta(hours=2)
    assert by["dantri-giao-duc"].failed and "FetchTimeout" in by["dantri-giao-duc"].error
    assert by["vietnamnet-giao-duc"].outcome == "ok" and any("malformed" in x for x in by["vietnamnet-giao-duc"].problems)
    assert by["laodong-giao-duc"].failed and "NotAFeed" in by["laodong-giao-duc"].error
    assert by["nhandan-giao-duc"].failed and "TooManyRedirects" in by["nhandan-giao-duc"].error
    assert by["gdtd-giao-duc"].failed and "ResponseTooLarge" in by["gdtd-giao-duc"].error
    assert by["tienphong-giao-duc"].outcome == "ok" and any("charset" in x for x in by["tienphong-giao-duc"].problems)
    tp = app.store.find_article_by_url(site.article_url("sinh-vien-tinh-nguyen-day-hoc-mien-phi"))
    assert tp.title == "Sinh viên tình nguyện dạy học miễn phí cho trẻ khó khăn"
    assert by["rong-giao-duc"].outcome == "ok" and by["rong-giao-duc"].items == 0
    assert not report.ok

    # every fetch recorded with its error; every failed source has health and a later due time
    log = {r["source"]: r for r in rows(app, "SELECT * FROM fetches WHERE kind = 'feed' ORDER BY id")}
    for name in ("thanhnien-giao-duc", "dantri-giao-duc", "laodong-giao-duc", "nhandan-giao-duc", "gdtd-giao-duc"):
        assert log[name]["outcome"] == "error" and log[name]["error"], name
        state = app.store.source_state(name)
        assert state["health"] in ("backoff", "failing") and state["next_due_at"] > NOW.isoformat()
    assert log["thanhnien-giao-duc"]["status"] == 429
    health = {h.name: h for h in app.store.source_health(NOW)}
    assert health["laodong-giao-duc"].health in ("backoff", "failing") and "HTML page" in health["laodong-giao-duc"].last_error
    assert health["rong-giao-duc"].health == "quiet" and "no items" in health["rong-giao-duc"].last_error

    # faults cured: a forced crawl stores the rest, each article exactly once
    site.clear_faults()
    clock.now = NOW + timedelta(hours=3)
    report2 = run_crawl(app, force=True, tuning=FAST)
    assert report2.ok
    urls = [r["url"] for r in rows(app, "SELECT url FROM articles")]
    assert len(urls) == len(set(urls)) == len(ARTICLES)
    assert {a.page_status for a in app.store.articles_between(None, None)} == {"ok"}
    assert all(h.health in ("ok", "quiet") for h in app.store.source_health(clock.now))


def test_repeated_failures_back_off_then_fail_and_recover(env):
    site, make, clock = env
    app = make()
    path = feed_path(site, "nld-giao-duc")
    site.fault(path, status=502)
    dues = []
    for i in range(4):
        r = run_crawl(app, sources=["nld-giao-duc"], force=True, tuning=FAST)
        dues.append(r.sources[0].next_due - clock.now)
        assert r.sources[0].failed and r.sources[0].status == 502
    assert dues == sorted(dues) and dues[-1] > dues[0]  # exponential back-off
    h = {x.name: x for x in app.store.source_health(clock.now)}["nld-giao-duc"]
    assert h.health == "failing" and h.consecutive_failures == 4 and "502" in h.last_error and h.failure_score > 2
    # not polled while backing off, unless forced
    assert run_crawl(app, sources=["nld-giao-duc"], tuning=FAST).sources[0].outcome == "not-due"
    site.clear_faults()
    r = run_crawl(app, sources=["nld-giao-duc"], force=True, tuning=FAST)
    assert r.ok and r.sources[0].new_items == 1
    h = {x.name: x for x in app.store.source_health(clock.now)}["nld-giao-duc"]
    assert h.health == "ok" and h.consecutive_failures == 0


def _feed(items: list[tuple[str, str, str | None]]) -> bytes:
    """(guid, link, pubDate) items as a minimal RSS 2.0 feed."""
    body = "".join(f"<item><title>Bài {g}</title><link>{link}</link><guid>{g}</guid>"
                   + (f"<pubDate>{d}</pubDate>" if d else "") + "<description>Tóm tắt bài viết.</description></item>"
                   for g, link, d in items)
    return f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>{body}</channel></rss>".encode()


def test_duplicate_and_changing_guids_and_links(env):
    site, make, clock = env
    app = make()
    path = feed_path(site, "vietnamplus-giao-duc")
    base = site.base_url
    d = "Wed, 25 Nov 2026 08:00:00 +0700"
    site.fault(path, body=_feed([("g-1", f"{base}/a-1.html?utm_source=rss", d), ("g-1", f"{base}/a-1.html", d),
                                 ("g-2", f"{base}/a-2.html#top", d)]), times=1)
    r = run_crawl(app, sources=["vietnamplus-giao-duc"], tuning=FAST)
    assert r.sources[0].new_items == 2
    # the outlet changes the link of g-1 (same GUID) and lists a-2 from the mobile host: still two articles
    site.fault(path, body=_feed([("g-1", f"{base}/a-1-cap-nhat.html", d), ("g-2b", f"{base}/amp/a-2.html", d)]), times=1)
    clock.now += timedelta(hours=1)
    r = run_crawl(app, sources=["vietnamplus-giao-duc"], force=True, tuning=FAST)
    assert r.sources[0].new_items == 0
    assert sorted(x["url"] for x in rows(app, "SELECT url FROM articles")) == [f"{base}/a-1.html", f"{base}/a-2.html"]


def test_missing_and_zoneless_dates_through_the_crawl(env):
    site, make, clock = env
    app = make()
    path = feed_path(site, "nhandan-giao-duc")
    base = site.base_url
    site.fault(path, body=_feed([("z", f"{base}/z.html", "Wed, 25 Nov 2026 08:00:00"), ("m", f"{base}/m.html", None),
                                 ("f", f"{base}/f.html", "Fri, 01 Jan 2100 00:00:00 +0700")]))
    run_crawl(app, sources=["nhandan-giao-duc"], tuning=FAST)
    got = {r["url"].rsplit("/", 1)[1]: r for r in rows(app, "SELECT url, published_at, published_flag FROM articles")}
    assert got["z.html"]["published_flag"] == "no-zone"
    assert got["z.html"]["published_at"] == "2026-11-25T01:00:00+00:00"  # 08:00 in Hà Nội, not in UTC
    assert got["m.html"]["published_flag"] == "missing" and got["m.html"]["published_at"] == NOW.isoformat()
    assert got["f.html"]["published_flag"] == "future" and got["f.html"]["published_at"] == NOW.isoformat()


def test_failing_page_keeps_the_feed_article_retries_then_gives_up(env):
    site, make, clock = env
    app = make()
    slug = "hoc-phi-dai-hoc-tang-sinh-vien-lo-lang"
    site.fault(site.article_paths[slug], status=503)
    r = run_crawl(app, sources=["nld-giao-duc"], tuning=FAST)
    assert r.pages_failed == 1 and r.pages_given_up == 0 and r.ok  # a page problem is not a source failure
    art = app.store.find_article_by_url(site.article_url(slug))
    assert art.page_status == "pending" and art.title == "Học phí đại học tăng, sinh viên lo lắng" and art.sapo
    # not retried before its time
    assert run_crawl(app, sources=["nld-giao-duc"], force=True, tuning=FAST).pages_failed == 0
    clock.now += timedelta(minutes=2)
    r = run_crawl(app, sources=["nld-giao-duc"], force=True, tuning=FAST)
    assert r.pages_given_up == 1
    art = app.store.find_article_by_url(site.article_url(slug))
    assert art.page_status == "failed" and art.title  # still there, from its feed entry
    errors = rows(app, "SELECT error FROM fetches WHERE kind = 'page' AND outcome = 'error'")
    assert len(errors) == 2 and "503" in errors[0]["error"]


def test_a_full_disk_is_no_fault_of_the_feeds_or_pages_and_costs_them_nothing(env):
    """The database's disk fills up (a log, a backup beside it): the crawl stops saying so, and neither counts a failed
    attempt against a page (after page_max_attempts it would be given up, its text never fetched once space is freed)
    nor backs a feed off (for up to a day) for it."""
    from monitor.errors import StoreError

    site, make, clock = env
    app = make()
    slug = "hoc-phi-dai-hoc-tang-sinh-vien-lo-lang"
    path = site.article_paths[slug]
    site.fault(path, status=503, times=3)  # the request and its retries
    # then the page as published, with more than the database has room for once the disk is full
    noise = "<!-- " + os.urandom(60_000).hex() + " -->"
    site.fault(path, body=(site.routes[path].render(site.base_url) + noise).encode(), content_type="text/html; charset=utf-8")
    assert run_crawl(app, sources=["nld-giao-duc"], tuning=FAST).pages_failed == 1  # one attempt of FAST's two used
    clock.now += timedelta(minutes=2)
    db = app.store.db
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")  # no page more
    with pytest.raises(StoreError, match="full"):
        run_crawl(app, sources=["nld-giao-duc"], force=True, tuning=FAST)
    db.execute("PRAGMA max_page_count = 1073741823")  # space freed
    assert rows(app, "SELECT page_status, page_attempts FROM articles WHERE url = ?", (site.article_url(slug),)) == [
        {"page_status": "pending", "page_attempts": 1}]
    state = app.store.source_state("nld-giao-duc")
    assert state["consecutive_failures"] == 0 and state["health"] == "ok"
    r = run_crawl(app, sources=["nld-giao-duc"], tuning=FAST)
    assert r.ok and r.pages_ok == 1 and app.store.find_article_by_url(site.article_url(slug)).page_status == "ok"


def test_page_recovers_on_a_later_crawl(env):
    site, make, clock = env
    app = make(timeout_seconds=0.3, max_retries=1)
    slug = "day-tieng-anh-tang-cuong-o-tieu-hoc"
    site.fault(site.article_paths[slug], stall=2, times=2)  # every attempt of the first crawl stalls
    r = run_crawl(app, sources=["vietnamplus-giao-duc"], tuning=FAST)
    assert r.pages_failed == 1
    clock.now += timedelta(minutes=5)
    r = run_crawl(app, sources=["vietnamplus-giao-duc"], tuning=FAST)
    art = app.store.find_article_by_url(site.article_url(slug))
    assert r.pages_ok == 1 and art.page_status == "ok" and "giáo viên bản ngữ" not in art.body and art.body


def test_robots_disallowed_page_is_not_fetched_and_the_article_stays(env):
    site, make, clock = env
    site.robots_txt = "User-agent: *\nDisallow: /laodong/\n"
    app = make()
    r = run_crawl(app, sources=["laodong-giao-duc"], tuning=FAST)
    slug = "ap-luc-hoc-them-cua-hoc-sinh-lop-9"
    art = app.store.find_article_by_url(site.article_url(slug))
    assert r.pages_given_up == 1 and art.page_status == "failed" and art.title
    assert site.hits(site.article_paths[slug]) == 0
    robots = rows(app, "SELECT * FROM fetches WHERE kind = 'robots'")
    assert len(robots) == 1 and robots[0]["status"] == 200 and robots[0]["url"].endswith("/robots.txt")
    assert "RobotsDisallowed" in rows(app, "SELECT page_error FROM articles WHERE id = ?", (art.id,))[0]["page_error"]


def test_private_addresses_refused_when_not_allowed(env):
    site, make, clock = env
    app = make(allow_private_addresses=False)
    # an entry whose link points into the office network, as a feed could carry it
    xml = _feed([("p", "http://10.0.0.5/noi-bo.html", "Wed, 25 Nov 2026 08:00:00 +0700")])
    for entry in parse_feed(xml, source="dantri-giao-duc", feed_url="http://10.0.0.5/rss", now=NOW).entries:
        app.store.add_feed_entry(entry, "Dân Trí", NOW)
    r = run_crawl(app, tuning=FAST)
    assert len(r.failed_sources) == len(app.config.sources)
    assert all("AddressRefused" in s.error for s in r.failed_sources)
    assert site.requests == []  # nothing reached the server
    art = app.store.find_article_by_url("http://10.0.0.5/noi-bo.html")
    assert art.page_status == "failed" and art.title == "Bài p"


def test_quiet_feed_is_flagged_after_a_long_silence(env, tmp_path):
    _, make, clock = env
    arts = [SampleArticle(outlet="VnExpress", feed="nhip-deu", slug=f"bai-{i}", title=f"Bài số {i}",
                          sapo="Tóm tắt.", paragraphs=("Nội dung bài viết đủ dài để có nghĩa trong bài kiểm tra.",) * 3,
                          published=NOW - timedelta(hours=i)) for i in range(6)]
    site = build_site(arts)
    server, _ = serve(site)
    try:
        cfg = sample_config(site, tmp_path / "q")
        app = App(config=cfg, clock=clock)
        run_crawl(app, tuning=FAST)
        assert app.store.source_health(NOW)[0].health == "ok"
        h = app.store.source_health(NOW + timedelta(hours=7), quiet_factor=cfg.crawler.quiet_factor)[0]
        assert h.health == "quiet" and "usually one every 1.0 h" in h.last_error
        app.close()
    finally:
        stop(server)


def test_removed_source_is_shown_not_dropped(env, tmp_path):
    site, make, clock = env
    app = make()
    run_crawl(app, sources=["dantri-giao-duc"], tuning=FAST)
    app.close()
    cfg = app.config
    app2 = App(config=replace(cfg, sources=tuple(s for s in cfg.sources if s.name != "dantri-giao-duc")), clock=clock)
    run_crawl(app2, sources=["tuoitre-giao-duc"], tuning=FAST)
    h = {x.name: x for x in app2.store.source_health(NOW)}
    assert h["dantri-giao-duc"].health == "disabled" and "removed" in h["dantri-giao-duc"].last_error
    assert "dantri-giao-duc" not in app2.store.due_sources(NOW + timedelta(days=1))
    app2.close()


def test_page_429_is_retried_when_the_host_said_and_quiets_the_host(env):
    site, make, clock = env
    app = make()
    paths = [site.article_paths[s] for s in site.article_paths]
    for p in paths:
        site.fault(p, status=429, retry_after="3600")
    r = run_crawl(app, sources=["vnexpress-giao-duc"], tuning=FAST)
    assert r.pages_ok == 0 and r.pages_failed >= 2
    asked = sum(site.hits(p) for p in paths)
    assert asked <= 2  # only the requests already in flight (2 connections per host) when the first 429 came
    due = {x["next_page_at"] for x in rows(app, "SELECT next_page_at FROM articles WHERE page_status = 'pending'")}
    assert due and all("2026-11-25T09:59" <= d <= "2026-11-25T10:00:00+00:00" for d in due), due  # NOW + 1 h


def test_page_without_article_text_is_retried_then_given_up_keeping_the_feed_text(env):
    site, make, clock = env
    app = make()
    slug = "hoc-phi-dai-hoc-tang-sinh-vien-lo-lang"
    path = site.article_paths[slug]
    site.fault(path, anti_bot=True, times=1)  # a JavaScript challenge with status 200, once
    r = run_crawl(app, sources=["nld-giao-duc"], tuning=FAST)
    assert r.pages_ok == 0 and r.pages_failed == 1
    art = app.store.find_article_by_url(site.article_url(slug))
    assert art.page_status == "pending" and art.body == "" and art.title and art.sapo  # the feed's text stays
    clock.now += timedelta(hours=1)
    r = run_crawl(app, sources=["nld-giao-duc"], tuning=FAST)
    assert r.pages_ok == 1 and site.hits(path) == 2
    assert app.store.find_article_by_url(site.article_url(slug)).body
    # a page that never has text is given up after the allowed attempts (2 here), not retried for ever
    other = "giao-vien-mam-non-duoc-ho-tro-them-phu-cap"
    site.fault(site.article_paths[other], anti_bot=True)
    for _ in range(3):
        run_crawl(app, tuning=FAST)
        clock.now += timedelta(hours=1)
    art = app.store.find_article_by_url(site.article_url(other))
    assert art.page_status == "failed" and art.title and site.hits(site.article_paths[other]) == 2


def test_unknown_source_name_is_an_input_error(env):
    from monitor.errors import InputError

    site, make, clock = env
    app = make()
    with pytest.raises(InputError, match="không có nguồn tin tên nope"):
        run_crawl(app, sources=["nope"], tuning=FAST)


def test_cli_crawl_exit_codes(env, tmp_path):
    from monitor.cli import cli

    site, make, clock = env
    make()  # writes tmp_path/feeds.yaml pointing at the site
    site.fault(feed_path(site, "laodong-giao-duc"), anti_bot=True)
    runner = CliRunner()
    res = runner.invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "crawl", "--all"])
    assert res.exit_code == 1, res.output
    assert "laodong-giao-duc" in res.output and "báo trả về trang web thay cho RSS/Atom" in res.output and "bài mới" in res.output
    failed = next(x for x in res.output.splitlines() if x.startswith("  ✗ laodong-giao-duc"))
    assert " — tình trạng: " in failed and ", thử lại lúc " in failed and "health" not in failed, failed
    site.clear_faults()
    res = runner.invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "crawl", "--source", "laodong-giao-duc", "--all"])
    assert res.exit_code == 0, res.output
    assert "1 bài mới" in res.output


def test_cli_crawl_classifies_and_triages_what_it_stored(env, tmp_path):
    # README: `monitor crawl` — new articles are classified and triaged (alerts are queued, not sent)
    from monitor.cli import cli

    site, make, clock = env
    app = make()
    res = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "crawl", "--all"])
    assert res.exit_code == 0, res.output
    assert "phân loại" in res.output and "vào sự việc" in res.output
    # the clerk reads these lines: Vietnamese only, no English half after a slash
    for english in ("/ classified", "/ crawled", "/ queued alerts", "mục/items", "mới/new", " articles", " sources"):
        assert english not in res.output, (english, res.output)
    n = app.store.count_articles()
    assert n and rows(app, "SELECT COUNT(DISTINCT article_id) AS n FROM classifications")[0]["n"] == n
    assert rows(app, "SELECT COUNT(*) AS n FROM stories")[0]["n"] > 0
