"""What a failed fetch says to the office (`monitor crawl`, the service log, `monitor status`): in Vietnamese, what
happened and what to do, the library's own words kept after it in parentheses. Real servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import re
import socket
from datetime import datetime, timezone
from pathlib import Path

import pytest

from monitor.config import Crawler
from monitor.errors import FeedError, FetchError, FetchTimeout, HTTPStatusError
from monitor.feeds import parse_feed
from monitor.fetch import Fetcher, Tuning

FAST = Tuning(retry_base_delay=0.001, retry_max_delay=0.01, max_retry_after=1.0)
FEED = "/vnexpress/rss/vnexpress-giao-duc.rss"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


def crawler(**kw) -> Crawler:
    base = dict(user_agent="edu-media-monitor/0.1", contact="mailto:pgd@example.vn", allow_private_addresses=True,
                min_delay_seconds=0, timeout_seconds=2, max_retries=0)
    return Crawler(**{**base, **kw})


def fetch(url, c=None):
    async def go():
        async with Fetcher(c or crawler(), FAST) as f:
            return await f.fetch(url)
    return asyncio.run(go())


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there any more: the connection is refused
    return port


def test_refused_connection_says_so_in_vietnamese_with_the_os_words_after():
    url = f"http://127.0.0.1:{closed_port()}/rss/giao-duc.rss"
    with pytest.raises(FetchError) as err:
        fetch(url)
    text = str(err.value)
    assert text.startswith("không kết nối được tới máy chủ (máy chủ từ chối kết nối): kiểm tra địa chỉ nguồn "
                           "hoặc thử lại sau ("), text
    assert url in text and "Errno 111" in text  # for whoever looks after the machine


def test_unknown_host_is_named(site):
    async def no_such_name(host, port):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    async def go():
        async with Fetcher(crawler(allow_private_addresses=False), FAST, resolver=no_such_name) as f:
            return await f.fetch("http://bao-khong-co.example.vn/rss")
    with pytest.raises(FetchError) as err:
        asyncio.run(go())
    assert str(err.value).startswith("không tìm thấy tên miền bao-khong-co.example.vn: kiểm tra địa chỉ nguồn"), err.value
    assert "Name or service not known" in str(err.value)


def test_503_says_the_server_is_overloaded(site):
    site.fault(FEED, status=503)
    with pytest.raises(HTTPStatusError) as err:
        fetch(site.url(FEED))
    assert str(err.value).startswith("trang trả về lỗi 503 (máy chủ tạm quá tải hoặc bảo trì): "), err.value
    assert f"(HTTP 503 from {site.url(FEED)})" in str(err.value)


def test_404_says_to_check_the_address(site):
    with pytest.raises(HTTPStatusError) as err:
        fetch(site.url("/khong-co.rss"))
    assert str(err.value).startswith("trang trả về lỗi 404 (không có trang ở địa chỉ này): kiểm tra địa chỉ nguồn")


def test_stalling_server_says_how_long_it_waited(site):
    site.fault(FEED, stall=2)
    with pytest.raises(FetchTimeout) as err:
        fetch(site.url(FEED), crawler(timeout_seconds=0.5))
    assert str(err.value).startswith("hết thời gian chờ phản hồi sau 0,5 giây"), err.value
    assert "ReadTimeout" in str(err.value)


def test_malformed_xml_is_not_a_valid_feed():
    body = b"<?xml version='1.0'?>\n<rss version='2.0'><channel><title>Tin</titl></chanel>"
    with pytest.raises(FeedError) as err:
        parse_feed(body, source="bao-thu", feed_url="http://127.0.0.1/rss", now=NOW, engine="feedparser")
    text = str(err.value)
    assert text.startswith("nội dung không phải RSS/Atom hợp lệ"), text
    assert "http://127.0.0.1/rss: broken XML" in text


def test_crawl_result_and_log_read_vietnamese_and_the_store_keeps_the_detail(tmp_path, caplog):
    """A feed answering 503: `monitor crawl` prints SourceResult.message and the service log the same words; the
    stored error keeps the class name and the technical words (the log search, the clipping's category)."""
    from monitor.app import App
    from monitor.crawl import run_crawl
    from monitor.sample_site import build_site, load_articles, sample_config, serve, stop

    site = build_site(load_articles(Path(__file__).parent / "fixtures" / "crawl" / "articles.json"))
    server, _ = serve(site)
    try:
        cfg = sample_config(site, tmp_path / "var", crawler={"timeout_seconds": 1, "max_retries": 0},
                            config_path=tmp_path / "feeds.yaml")
        name = cfg.sources[0].name
        site.fault(site.feeds[name][1], status=503)
        app = App(config=cfg, clock=lambda: NOW)
        with caplog.at_level("WARNING"):
            report = run_crawl(app, sources=[name], force=True, tuning=FAST)
        stored = {h.name: h.last_error for h in app.store.source_health(NOW)}[name]
        app.close()
    finally:
        stop(server)
    r = report.sources[0]
    assert r.message.startswith("trang trả về lỗi 503 (máy chủ tạm quá tải hoặc bảo trì)"), r.message
    assert stored == r.error and r.error.startswith("HTTPStatusError: trang trả về lỗi 503") and "HTTP 503 from" in r.error
    assert any("trang trả về lỗi 503" in m and "HTTPStatusError" not in m for m in caplog.messages), caplog.messages


def _stored(exc: Exception) -> str:
    from monitor.crawl import _describe
    return _describe(exc)  # as the crawl stores a source's failure


def test_the_clippings_failing_source_note_still_names_the_new_stored_errors(site):
    """The clipping's appendix (monitor.digest.source_problem) reads its category out of the stored error: the
    Vietnamese words before the technical part must not hide the status, the class name or the cause."""
    from monitor.digest import source_problem
    from monitor.models import SourceHealth

    site.fault(FEED, status=503)
    with pytest.raises(HTTPStatusError) as http:
        fetch(site.url(FEED))
    site.fault("/vnexpress/rss/vnexpress-tin-moi.rss", stall=2)
    with pytest.raises(FetchTimeout) as slow:
        fetch(site.url("/vnexpress/rss/vnexpress-tin-moi.rss"), crawler(timeout_seconds=0.5))
    with pytest.raises(FetchError) as refused:
        fetch(f"http://127.0.0.1:{closed_port()}/rss/giao-duc.rss")
    with pytest.raises(FeedError) as broken:
        parse_feed(b"<?xml version='1.0'?>\n<rss version='2.0'><channel><title>Tin</titl></chanel>", source="bao-thu",
                   feed_url="http://127.0.0.1/rss", now=NOW, engine="feedparser")
    with pytest.raises(HTTPStatusError) as gone:
        fetch(site.url("/khong-co.rss"))

    def category(exc) -> str:
        return source_problem(SourceHealth("bao-thu", "Báo Thử", "http://127.0.0.1/rss", "backoff",
                                           consecutive_failures=1, last_error=_stored(exc.value)))
    assert category(http) == "báo trả lỗi (HTTP 503)"
    assert category(slow) == "máy chủ của báo không trả lời kịp (quá thời gian chờ)"
    assert category(refused) == "không kết nối được máy chủ của báo"
    assert category(broken) == "nguồn tin bị lỗi định dạng, không đọc được"
    assert category(gone) == "địa chỉ nguồn tin không còn (HTTP 404), có thể báo đã đổi địa chỉ"


def test_status_says_a_vietnamese_error_once_and_keeps_its_technical_part_whole(tmp_path, site):
    """`monitor status` showed the clipping's category, then the stored error (the Vietnamese words again, their
    technical part after them) cut at 240 characters: the words twice, the URL and the cause chopped off."""
    from click.testing import CliRunner

    from monitor.cli import cli
    from test_onboarding_cli import site_config

    cfg = site_config(tmp_path, site)
    site.fault(site.feeds["nld-giao-duc"][1], status=503)
    site.fault(site.feeds["dantri-giao-duc"][1], anti_bot=True)
    assert CliRunner().invoke(cli, ["--config", str(cfg), "crawl", "--all"]).exit_code in (0, 1)
    out = CliRunner().invoke(cli, ["--config", str(cfg), "status"]).output
    line = next(x for x in out.splitlines() if "nld-giao-duc" in x)
    assert line.count("trang trả về lỗi 503") == 1 and line.count("HTTPStatusError") == 1, line
    assert re.search(r" — trang trả về lỗi 503 \(máy chủ tạm quá tải hoặc bảo trì\): hệ thống sẽ thử lại sau "
                     r"\(chi tiết kỹ thuật: HTTPStatusError: HTTP 503 from http://\S+/rss/\S+\.rss\); "
                     r"thử lại lúc \d\d/\d\d \d\d:\d\d:\d\d$", line), line
    line = next(x for x in out.splitlines() if "dantri-giao-duc" in x)
    assert "…" not in line and line.count("trang chống truy cập tự động") == 1, line
    assert re.search(r" — báo trả về trang web thay cho RSS/Atom \(có thể là trang chống truy cập tự động hoặc trang "
                     r"báo lỗi\): mở địa chỉ nguồn bằng trình duyệt để xem \(chi tiết kỹ thuật: NotAFeed: http://\S+ "
                     r"answered with an HTML page, not a feed\); thử lại lúc", line), line


def test_a_stored_error_splits_back_into_its_vietnamese_reason_and_its_technical_part():
    from monitor.errors import fetch_reason, split_fetch_reason

    detail = "the TLS certificate of bao.example did not verify (unable to get local issuer certificate)"
    stored = "CertificateRefused: " + fetch_reason("certificate-ca-file", detail, host="bao.example",
                                                   ca_file="/etc/co quan (moi)/goc.pem")
    reason, technical = split_fetch_reason(stored)
    assert reason.startswith("chứng chỉ bảo mật của bao.example không hợp lệ: đã tin thêm chứng chỉ gốc ở "
                             "crawler.ca_file (/etc/co quan (moi)/goc.pem); ") and reason.endswith("cấp không"), reason
    assert technical == "CertificateRefused: " + detail
    assert split_fetch_reason("FetchError: connection problem with http://x/rss: ConnectError: boom") is None
    assert split_fetch_reason("no new item for 9.5 h; usually one every 1.0 h") is None


def test_a_host_that_asked_for_quiet_postpones_in_vietnamese_and_the_clipping_says_so(site):
    """A feed not asked for because its host answered 429 + Retry-After earlier in the crawl: the crawl printed
    "<host> asked us (Retry-After) to send no request for N s more; postponed", and the clipping "lỗi kỹ thuật khác"."""
    from monitor.digest import source_problem
    from monitor.models import SourceHealth

    other = "/vnexpress/rss/vnexpress-tin-moi.rss"
    site.fault(FEED, status=429, retry_after="3600")

    async def go():
        async with Fetcher(crawler(), FAST) as f:
            with pytest.raises(HTTPStatusError):
                await f.fetch(site.url(FEED))
            with pytest.raises(HTTPStatusError) as err:
                await f.fetch(site.url(other))
            return err.value
    err = asyncio.run(go())
    assert site.hits(other) == 0 and err.retry_after > 3500
    text = str(err)
    assert re.match(r"báo đề nghị tạm ngừng gửi yêu cầu tới 127\.0\.0\.1 thêm 3\d\d\d giây \(Retry-After\): hoãn lại, "
                    r"hệ thống sẽ thử lại sau \(http://\S+: 127\.0\.0\.1 asked us \(Retry-After\) to send no request "
                    r"for 3\d\d\d s more; postponed\)$", text), text
    stored = _stored(err)
    assert source_problem(SourceHealth("bao-thu", "Báo Thử", site.url(other), "backoff", consecutive_failures=1,
                                       last_error=stored)) == \
        "báo đề nghị tạm ngừng thu thập một thời gian, hệ thống sẽ thử lại sau"
    from monitor.errors import split_fetch_reason
    assert split_fetch_reason(stored)[0].startswith("báo đề nghị tạm ngừng gửi yêu cầu tới 127.0.0.1 thêm ")


def test_redirects_size_encoding_and_the_proxy_are_said_in_vietnamese_too(site, tmp_path, monkeypatch):
    """The rarer refusals a crawl meets were English only ("redirect loop at …", "… over the 1000000-byte limit",
    "undecodable compressed body …", "the proxy asked for credentials …"): the table's words first now, the same
    English after them in parentheses, and the clipping's category still read out of the stored error."""
    from monitor.digest import source_problem
    from monitor.errors import BadContentEncoding, ResponseTooLarge, TooManyRedirects, split_fetch_reason
    from monitor.models import SourceHealth
    from test_fetch_proxy import Proxy
    from test_fetch_safety import Hostile

    def category(exc) -> str:
        return source_problem(SourceHealth("bao-thu", "Báo Thử", "http://127.0.0.1/rss", "backoff",
                                           consecutive_failures=1, last_error=_stored(exc)))

    site.fault(FEED, redirect=FEED)
    with pytest.raises(TooManyRedirects) as loop:
        fetch(site.url(FEED))
    assert str(loop.value).startswith("địa chỉ nguồn chuyển hướng vòng quanh hoặc qua quá nhiều bước: ") \
        and f"(redirect loop at {site.url(FEED)}" in str(loop.value), loop.value
    assert category(loop.value) == "địa chỉ nguồn tin chuyển hướng vòng quanh"

    other = "/vnexpress/rss/vnexpress-tin-moi.rss"
    site.fault(other, oversize=3_000_000)
    with pytest.raises(ResponseTooLarge) as big:
        fetch(site.url(other), crawler(max_body_bytes=1_000_000))
    assert str(big.value).startswith("báo trả về dữ liệu lớn hơn giới hạn 1000000 byte (crawler.max_body_bytes), "
                                     "đã bỏ qua: "), big.value
    assert "1000000-byte limit" in str(big.value) and category(big.value) == "báo trả về dữ liệu quá lớn, đã bỏ qua"

    hostile = Hostile()
    try:
        with pytest.raises(BadContentEncoding) as packed:
            fetch(hostile.answer("/broken.rss", b"khong phai gzip", "gzip"))
    finally:
        hostile.server.shutdown()
        hostile.server.server_close()
    assert str(packed.value).startswith("báo trả về dữ liệu nén theo cách không đọc được: ") \
        and "undecodable compressed body (gzip)" in str(packed.value), packed.value
    assert category(packed.value) == "nguồn tin bị lỗi định dạng, không đọc được"

    proxy = Proxy(credentials=("pgd-longbien", "dung"))
    try:
        monkeypatch.setenv("TEST_PROXY_USER", "pgd-longbien")
        monkeypatch.setenv("TEST_PROXY_PASSWORD", "sai")
        c = crawler(proxy=proxy.url, proxy_username_env="TEST_PROXY_USER", proxy_password_env="TEST_PROXY_PASSWORD")
        with pytest.raises(HTTPStatusError) as auth:
            fetch(site.url(FEED), c)
        tunnel = _tunnel_refused(proxy)  # the test proxy refuses every tunnel (https) with 403
    finally:
        proxy.stop()
    assert str(auth.value).startswith("máy chủ trung gian (proxy) của cơ quan đòi tên đăng nhập và mật khẩu: khai báo "
                                      "ở crawler.proxy_username_env"), auth.value
    assert "(the proxy asked for credentials fetching" in str(auth.value)
    assert category(auth.value) == "không kết nối được qua máy chủ trung gian (proxy) của cơ quan"
    assert str(tunnel).startswith("máy chủ trung gian (proxy) của cơ quan đòi tên đăng nhập"), tunnel
    monkeypatch.setenv("TEST_PROXY_PASSWORD", "dung")
    proxy = Proxy(credentials=("pgd-longbien", "dung"))
    try:
        blocked = _tunnel_refused(proxy)
    finally:
        proxy.stop()
    assert str(blocked).startswith("máy chủ trung gian (proxy) của cơ quan từ chối kết nối tới trang này (lỗi "
                                         "403): "), blocked
    for exc in (loop.value, big.value, packed.value, auth.value, blocked):
        assert split_fetch_reason(_stored(exc)) is not None, exc  # `monitor status` shows the reason, then the detail


def _tunnel_refused(proxy) -> FetchError:
    """The error of an https feed fetched through `proxy` (the test proxy refuses every tunnel), credentials from
    TEST_PROXY_USER / TEST_PROXY_PASSWORD."""
    with pytest.raises(FetchError) as refused:
        fetch("https://bao-thu.example.vn/rss/giao-duc.rss",
              crawler(proxy=proxy.url, proxy_username_env="TEST_PROXY_USER", proxy_password_env="TEST_PROXY_PASSWORD"))
    return refused.value
