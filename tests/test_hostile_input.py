"""What a hostile or broken news site must not be able to do with its feed, its pages and its redirects: cost a
feed its other items, slip a link that is no web address (or a control or bidi character in a host) into the
store, the clipping's DOCX or a terminal, open Markdown blocks in the clipping, or hold the crawl with one huge
answer. Real servers on 127.0.0.1 (test_fetch_safety's Hostile site, which answers whatever it is told to)."""

from __future__ import annotations

import asyncio
import io
import re
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from docx import Document

from monitor.app import App
from monitor.config import parse_config
from monitor.crawl import run_crawl
from monitor.docx_render import render_docx
from monitor.errors import HTTPStatusError
from monitor.extract import MAX_PAGE_ELEMENTS
from monitor.feeds import MAX_ITEMS, parse_feed
from monitor.fetch import Fetcher, post_json
from monitor.render import md_text, render_html, render_markdown, safe_url
from test_digest import TZ, article, cls
import test_fetch_safety
from test_fetch_safety import FAST, crawler
from test_render import digest_with
from test_triage_support import Clock, config_data

hostile = test_fetch_safety.hostile  # the fixture: a server on 127.0.0.1 answering what a test tells it

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
WHEN = "Wed, 25 Nov 2026 08:00:00 +0700"
GOOD_TITLE = "Trường Tiểu học Bồ Đề tổ chức ngày hội đọc sách cho học sinh"
GOOD_SAPO = ("Sáng 24/11, Trường Tiểu học Bồ Đề (quận Long Biên) tổ chức ngày hội đọc sách, thu hút hàng trăm học sinh "
             "và phụ huynh tham gia.")


def item(link: str, title: str = "Phụ huynh phản ánh khoản thu đầu năm ở một trường tiểu học", sapo: str = "") -> str:
    return (f"<item><title>{title}</title><link>{link}</link><description>{sapo or title}</description>"
            f"<pubDate>{WHEN}</pubDate></item>")


def rss(*items: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Báo thử</title>'
            f'{"".join(items)}</channel></rss>').encode("utf-8")


def crawl_app(tmp_path, feed_url: str, *, fetch_pages: bool = False) -> App:
    data = config_data(tmp_path)
    data["sources"] = [{"name": "bao-thu", "url": feed_url, "outlet": "VnExpress", "fetch_pages": fetch_pages}]
    data["crawler"] = {"user_agent": "edu-media-monitor/0.1", "contact": "mailto:pgd@example.vn",
                       "allow_private_addresses": True, "min_delay_seconds": 0, "timeout_seconds": 2, "max_retries": 0}
    return App(config=parse_config(data, tmp_path / "feeds.yaml"), clock=Clock(NOW))


def stored(app: App) -> list[tuple[str, str]]:
    return [(r["url"], r["title"]) for r in app.store.execute("SELECT url, title FROM articles ORDER BY id")]


# ------------------------------------------------------------------ feed links


def test_one_item_with_an_unreadable_link_does_not_cost_the_feed_its_other_items(hostile, tmp_path):
    good = hostile.url("/giao-duc/ngay-hoi-doc-sach.html")
    url = hostile.answer("/rss/giao-duc.rss", rss(
        item("http://longbien.example.vn:abc/tin-1.html"),  # a port that is no number
        item("http://[longbien.example.vn/tin-2.html"),  # an IPv6 bracket never closed
        item(good, GOOD_TITLE, GOOD_SAPO)))
    # before the fix, urllib's ValueError on either link failed the whole feed, every poll
    assert_only_good_stored(tmp_path, url, good, skipped=2)


def assert_only_good_stored(tmp_path, url, good, *, skipped):
    app = crawl_app(tmp_path, url)
    try:
        report = run_crawl(app, tuning=FAST)
        assert report.ok, report.failed_sources
        assert stored(app) == [(good, GOOD_TITLE)]
        assert f"{skipped} item(s) whose link is not an http(s) address of a site were skipped" in "; ".join(
            report.sources[0].problems)
    finally:
        app.close()


def test_feed_links_that_are_no_web_address_never_become_articles(hostile, tmp_path):
    good = hostile.url("/giao-duc/ngay-hoi-doc-sach.html")
    # the raw ESC is not well-formed XML: the feed goes to feedparser's lenient parser, which keeps it
    url = hostile.answer("/rss/giao-duc.rss", rss(
        item("javascript:alert(document.cookie)"), item("data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"),
        item("file:///etc/passwd"), item("http://longbien\x1b.example.vn/tin-1.html"),
        item("http://longbien\u009b31m.example.vn/tin-2.html"), item("http://longbien\u202env.elpmaxe/tin-3.html"),
        item(good, GOOD_TITLE, GOOD_SAPO)))
    # before the fix all seven were stored, the ESC in a host then making the day's DOCX unwritable
    assert_only_good_stored(tmp_path, url, good, skipped=6)


def test_a_link_stored_before_links_were_checked_does_not_break_the_clipping():
    # a database filled by an earlier version may hold such a URL: the clipping shows the title, unlinked
    t0 = datetime(2026, 11, 25, 20, 0, tzinfo=TZ)
    bad = "http://longbien\x1b.example.vn/tin-1.html"
    d = digest_with([article(1, GOOD_TITLE, "VnExpress", t0, sapo=GOOD_SAPO, url=bad)], {1: cls(1, topics=["chinh-sach"])})
    text = "\n".join(p.text for p in Document(io.BytesIO(render_docx(d))).paragraphs)  # ValueError before the fix
    assert GOOD_TITLE in text
    assert safe_url(bad) == "" and safe_url("http://longbien\u202e.example.vn/") == ""
    assert "longbien" not in render_html(d) and "longbien" not in render_markdown(d)


# ------------------------------------------------------------------ redirects


def _as_sent(value: str) -> str:
    """A header value whose bytes are `value` in UTF-8 (http.server writes header values in latin-1)."""
    return value.encode("utf-8").decode("latin-1")


def _fetch(url: str):
    async def go():
        async with Fetcher(crawler(), FAST) as f:
            return await f.fetch(url)
    return asyncio.run(go())


def test_a_redirect_is_followed_percent_encoded_whatever_its_location_carries(hostile):
    # HTTP lets any UTF-8 through in a header: a C1 CSI (U+009B) and a right-to-left override here
    hostile.answer("/go", b"", status=302, Location=_as_sent("/tin/x\u009b31m\u202egnp.exe"))
    hostile.answer("/gone", b"", status=302, Location=_as_sent("/mat/x\u009b31m\u202egnp.exe"))
    hostile.answer("/tin/x%C2%9B31m%E2%80%AEgnp.exe", rss(item(hostile.url("/a.html"))))
    res = _fetch(hostile.url("/go"))
    assert res.final_url == hostile.url("/tin/x%C2%9B31m%E2%80%AEgnp.exe")
    with pytest.raises(HTTPStatusError) as err:
        _fetch(hostile.url("/gone"))  # answered 404: the error names the address as it was requested
    # the message is what the crawl records and `monitor status` prints: before the fix it held both characters
    assert "/mat/x%C2%9B31m%E2%80%AEgnp.exe" in str(err.value)
    assert str(err.value).isprintable()


def test_a_redirect_to_an_unreadable_address_is_a_fetch_error(hostile):
    hostile.answer("/go", b"", status=301, Location="http://[longbien.example.vn/tin-1.html")
    # before the fix urllib's ValueError escaped the fetcher, and the crawl logged it as a bug
    with pytest.raises(HTTPStatusError, match=r"HTTP 301 from .*/go redirects to an unusable address "
                                              r"'http://\[longbien.example.vn/tin-1.html'") as err:
        _fetch(hostile.url("/go"))
    assert err.value.status == 301


@pytest.mark.parametrize("retry_after", ["315360000", "99999999999999", "Fri, 31 Dec 9999 23:59:59 GMT", _as_sent("²")])
def test_a_retry_after_of_years_or_garbled_postpones_a_feed_a_day_at_most(hostile, tmp_path, retry_after):
    app = crawl_app(tmp_path, hostile.answer("/rss/giao-duc.rss", b"", status=503, **{"Retry-After": retry_after}))
    try:
        result = run_crawl(app, tuning=FAST).sources[0]
        # before the fix: ten years without a poll, an OverflowError computing the date, or a ValueError ("²" is a
        # digit to str.isdigit(), not to float()) recorded as the feed's error and logged as a bug
        assert result.error == ("HTTPStatusError: trang trả về lỗi 503 (máy chủ tạm quá tải hoặc bảo trì): hệ thống sẽ "
                                f"thử lại sau (HTTP 503 from {hostile.url('/rss/giao-duc.rss')})")
        assert result.next_due <= NOW + timedelta(days=1)
    finally:
        app.close()


# ------------------------------------------------------------------ text that reads other than it is


def test_bidirectional_controls_in_a_title_are_not_collected():
    title = "Giáo viên bị tố \u202eđánh học sinh\u202c lớp 7\u2067 ở quận Long Biên\u200f"
    feed = parse_feed(rss(item("https://longbien.example.vn/tin-1.html", title)), source="s",
                      feed_url="https://longbien.example.vn/rss", now=NOW)
    assert feed.entries[0].title == "Giáo viên bị tố đánh học sinh lớp 7 ở quận Long Biên"


def test_a_title_or_summary_cannot_open_a_markdown_block():
    t0 = datetime(2026, 11, 25, 20, 0, tzinfo=TZ)
    arts = [article(1, "# Trường học tạm dừng dạy", "VnExpress", t0, url="javascript:x",
                    sapo="# KHẨN CẤP: phụ huynh đăng nhập lại tại trang của trường để nhận học bổng. Thông báo lan "
                         "truyền trên mạng xã hội chiều qua."),
            article(2, "Học sinh lớp 2 bị ngộ độc sau bữa trưa bán trú", "VnExpress", t0,
                    sapo="- Học sinh lớp 2 một trường tiểu học bị ngộ độc thực phẩm sau bữa trưa bán trú."),
            article(3, "Giáo viên bị phản ánh phạt học sinh đứng ngoài lớp", "VnExpress", t0,
                    sapo="+ Nhiều phụ huynh phản ánh giáo viên phạt học sinh đứng ngoài lớp học trong giờ học.")]
    md = render_markdown(digest_with(arts, {i: cls(i, topics=["chinh-sach"]) for i in (1, 2, 3)}))
    # a list item's lines: "1. " then its paragraphs indented under the marker; none may start a heading or list
    lines = [line for line in md.splitlines() if line.startswith(("1. ", "2. ", "3. ", "   "))]
    assert lines and not [line for line in lines if re.match(r"(?:\d+\. |\s+)(#{1,6}|[-+]|\d+[.)])(\s|$)", line)]
    assert "1. \\# Trường học tạm dừng dạy" in md and "   \\# KHẨN CẤP: phụ huynh" in md
    assert "   \\- Học sinh lớp 2" in md and "   \\+ Nhiều phụ huynh" in md
    # what only looks like a block is left as it is; what would be one has its mark escaped (shown the same)
    assert [md_text(t) for t in ("#1 trường", "-5 độ", "1.234 bài", "2026. Năm học", "3) Lớp", "---")] == [
        "#1 trường", "-5 độ", "1.234 bài", "2026\\. Năm học", "3\\) Lớp", "\\---"]


# ------------------------------------------------------------------ one answer too big to handle


def test_a_feed_listing_thousands_of_items_is_read_up_to_the_limit():
    items = [item(f"https://longbien.example.vn/tin-{i}.html", f"Học sinh trường số {i} dự hội thi khoa học")
             for i in range(MAX_ITEMS + 250)]
    feed = parse_feed(rss(*items), source="s", feed_url="https://longbien.example.vn/rss", now=NOW)
    assert len(feed.entries) == MAX_ITEMS
    assert feed.entries[-1].url == f"https://longbien.example.vn/tin-{MAX_ITEMS - 1}.html"  # the first ones, in order
    assert f"the feed lists {MAX_ITEMS + 250} items; only the first {MAX_ITEMS} were read" in feed.problems


def test_a_page_of_too_many_elements_is_given_up_unread(hostile, tmp_path):
    page = hostile.url("/giao-duc/ngay-hoi-doc-sach.html")
    url = hostile.answer("/rss/giao-duc.rss", rss(item(page, GOOD_TITLE, GOOD_SAPO)))
    # an article, then more empty elements than MAX_PAGE_ELEMENTS: parsed, it cost seconds of the crawl's one
    # thread (a 5 MB page of them, minutes and a gigabyte), and was fetched and parsed again on each retry
    body = ("<html><body><article>" + f"<p>{GOOD_SAPO}</p>" * 3 + "<i>" * (MAX_PAGE_ELEMENTS + 1)
            + "</article></body></html>").encode("utf-8")
    hostile.answer("/giao-duc/ngay-hoi-doc-sach.html", body, **{"Content-Type": "text/html; charset=utf-8"})
    app = crawl_app(tmp_path, url, fetch_pages=True)
    try:
        report = run_crawl(app, tuning=FAST)
        assert report.ok and report.pages_ok == 0 and report.pages_given_up == 1
        row = app.store.execute("SELECT title, sapo, page_status, page_error, next_page_at, raw_html FROM articles").fetchone()
        assert (row["title"], row["sapo"]) == (GOOD_TITLE, GOOD_SAPO)  # the feed's text is kept
        assert row["page_status"] == "failed" and row["next_page_at"] is None and row["raw_html"] is None
        assert f"has {MAX_PAGE_ELEMENTS + 7} HTML elements, over the {MAX_PAGE_ELEMENTS}" in row["page_error"]
        app.clock.now += timedelta(days=1)
        assert app.store.pages_due(app.now()) == []  # nor fetched again
    finally:
        app.close()


class _EndlessAnswer(BaseHTTPRequestHandler):
    """A webhook receiver whose answer never ends (it stops at 64 MB, when the client has not hung up before)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        chunk = b"\x1b[2J" + "Lỗi máy chủ, thử lại sau. ".encode("utf-8") * 2000
        try:
            self.send_response(self.server.status)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            while self.server.sent < 64_000_000:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.server.sent += len(chunk)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client hung up, as it should
        finally:
            self.server.done.set()


@pytest.mark.parametrize("status", [200, 500])
def test_a_webhook_answer_without_end_is_not_read_whole(status):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EndlessAnswer)
    server.status, server.sent, server.done = status, 0, threading.Event()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        if status == 200:
            assert post_json(url, b"{}", {}, 5) == 200
        else:
            with pytest.raises(HTTPStatusError) as err:
                post_json(url, b"{}", {}, 5)
            # the start of the answer, one printable line (what `monitor alerts` prints), the ESC [2J gone
            assert str(err.value).startswith("answered 500 Lỗi máy chủ, thử lại sau.") and str(err.value).isprintable()
            assert len(str(err.value)) < 400
        assert server.done.wait(30)
        # before the fix the whole 64 MB was read (and kept) before the delivery could go on; without the cap, forever
        assert server.sent < 16_000_000, server.sent
    finally:
        server.shutdown()
        server.server_close()
