"""The fetcher against a real HTTP server on 127.0.0.1: politeness, validators, retries, limits, address policy."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from monitor.config import Crawler
from monitor.errors import (AddressRefused, FetchError, FetchTimeout, HTTPStatusError, ResponseTooLarge, RobotsDisallowed,
                            TooManyRedirects)
from monitor.fetch import Fetcher, Tuning, parse_retry_after

FIX = Path(__file__).parent / "fixtures" / "crawl"
FAST = Tuning(retry_base_delay=0.001, retry_max_delay=0.01, max_retry_after=1.0)
FEED = "/vnexpress/rss/vnexpress-giao-duc.rss"




def crawler(**kw) -> Crawler:
    base = dict(user_agent="edu-media-monitor/0.1", contact="mailto:pgd@example.vn", allow_private_addresses=True,
                min_delay_seconds=0, timeout_seconds=2, max_retries=2)
    return Crawler(**{**base, **kw})


def fetch(url, c=None, tuning=FAST, **kw):
    async def go():
        async with Fetcher(c or crawler(), tuning) as f:
            return await f.fetch(url, **kw)
    return asyncio.run(go())


def test_identifying_user_agent_and_conditional_get(site):
    first = fetch(site.url(FEED))
    assert first.status == 200 and first.etag and first.last_modified and b"<rss" in first.body
    path, headers = site.requests[-1]
    assert headers["user-agent"] == "edu-media-monitor/0.1 (+mailto:pgd@example.vn)"
    again = fetch(site.url(FEED), etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.body == b""
    assert site.requests[-1][1]["if-none-match"] == first.etag
    # If-Modified-Since alone also works when the server has no ETag match to offer
    lm_only = fetch(site.url(FEED), last_modified=first.last_modified)
    assert lm_only.status == 304


def test_500_then_success_is_retried(site):
    site.fault(FEED, status=500, times=2)
    res = fetch(site.url(FEED))
    assert res.status == 200 and res.attempts == 3 and site.hits(FEED) == 3


def test_500_forever_gives_up_with_status(site):
    site.fault(FEED, status=503)
    with pytest.raises(HTTPStatusError) as err:
        fetch(site.url(FEED))
    assert err.value.status == 503 and site.hits(FEED) == 3  # 1 + max_retries


def test_404_is_not_retried(site):
    with pytest.raises(HTTPStatusError) as err:
        fetch(site.url("/khong-co.rss"))
    assert err.value.status == 404 and site.hits("/khong-co.rss") == 1


def test_429_with_short_retry_after_is_honoured_then_succeeds(site):
    site.fault(FEED, status=429, retry_after="0", times=1)
    res = fetch(site.url(FEED))
    assert res.status == 200 and res.attempts == 2


def test_429_with_long_retry_after_stops_and_reports_it(site):
    site.fault(FEED, status=429, retry_after="3600")
    with pytest.raises(HTTPStatusError) as err:
        fetch(site.url(FEED))
    assert err.value.status == 429 and err.value.retry_after == 3600
    assert site.hits(FEED) == 1  # no hammering a server that asked us to wait


def test_retry_after_http_date():
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert parse_retry_after("soon") is None


def test_stalling_server_times_out(site):
    site.fault(FEED, stall=3)
    with pytest.raises(FetchTimeout):
        fetch(site.url(FEED), crawler(timeout_seconds=0.3, max_retries=0))


def test_redirects_followed_and_loops_stopped(site):
    site.fault("/old.rss", redirect=FEED)
    res = fetch(site.url("/old.rss"))
    assert res.status == 200 and res.final_url == site.url(FEED)
    site.fault("/loop-a", redirect="/loop-b")
    site.fault("/loop-b", redirect="/loop-a")
    with pytest.raises(TooManyRedirects, match="loop"):
        fetch(site.url("/loop-a"))
    for i in range(8):
        site.fault(f"/chain-{i}", redirect=f"/chain-{i + 1}")
    with pytest.raises(TooManyRedirects, match="more than 3"):
        fetch(site.url("/chain-0"), crawler(max_redirects=3))


def test_oversized_body_aborted(site):
    site.fault(FEED, oversize=200_000)
    with pytest.raises(ResponseTooLarge):
        fetch(site.url(FEED), crawler(max_body_bytes=50_000))


@pytest.mark.parametrize("method", ["gzip", "br", "deflate"])
def test_compressed_answers(site, method):
    plain = fetch(site.url(FEED)).body
    site.fault(FEED, compress=method)
    res = fetch(site.url(FEED))
    assert site.requests[-1][1]["accept-encoding"] == "gzip, deflate"
    # br is not asked for (its decoder cannot be capped): a server that honours Accept-Encoding sends it plain
    assert res.headers.get("content-encoding") == (None if method == "br" else method) and res.body == plain


def test_compressed_bomb_counts_decoded_bytes(site):
    site.fault(FEED, oversize=400_000, compress="gzip")
    with pytest.raises(ResponseTooLarge):
        fetch(site.url(FEED), crawler(max_body_bytes=100_000))


def test_private_and_loopback_addresses_refused_unless_allowed(site):
    with pytest.raises(AddressRefused, match="private, loopback or link-local"):
        fetch(site.url(FEED), crawler(allow_private_addresses=False))
    port = site.base_url.rsplit(":", 1)[1]
    with pytest.raises(AddressRefused):  # a name that resolves to loopback is refused too
        fetch(f"http://localhost:{port}{FEED}", crawler(allow_private_addresses=False))
    assert site.hits(FEED) == 0
    with pytest.raises(AddressRefused, match="only http and https"):
        fetch("file:///etc/passwd")
    with pytest.raises(AddressRefused):
        fetch("ftp://127.0.0.1/x")


def test_every_resolved_address_is_checked():
    async def resolver(host, port):
        return ["93.184.216.34", "10.0.0.7"]  # one public, one private: refused

    async def go():
        async with Fetcher(crawler(allow_private_addresses=False), FAST, resolver=resolver) as f:
            await f.check_address("http://tin-tuc.example/rss")
    with pytest.raises(AddressRefused, match="10.0.0.7"):
        asyncio.run(go())

    for bad in ("169.254.169.254", "::1", "fe80::1", "192.168.1.5", "::ffff:127.0.0.1"):
        async def go2(ip=bad):
            async with Fetcher(crawler(allow_private_addresses=False), FAST) as f:
                await f.check_address(f"http://[{ip}]/x" if ":" in ip else f"http://{ip}/x")
        with pytest.raises(AddressRefused):
            asyncio.run(go2())


def test_redirect_to_a_private_address_is_refused(site, monkeypatch):
    import monitor.fetch

    refused = monitor.fetch.address_refused
    # the test site stands for a public host: its 127.0.0.1 passes the check, nothing else private does
    monkeypatch.setattr(monitor.fetch, "address_refused", lambda ip: str(ip) != "127.0.0.1" and refused(ip))

    async def go():
        async with Fetcher(crawler(allow_private_addresses=False), FAST) as f:
            # a public-looking first hop is allowed; its redirect to the metadata address is not
            return await f.fetch(site.url("/go"))
    site.fault("/go", redirect="http://169.254.169.254/latest/meta-data")
    with pytest.raises(AddressRefused, match="169.254.169.254"):
        asyncio.run(go())


def test_robots_txt_honoured_for_pages_and_cached_per_host(site):
    site.robots_txt = "User-agent: edu-media-monitor\nDisallow: /dantri/\n\nUser-agent: *\nDisallow:\n"
    path = site.article_paths["phu-huynh-phan-anh-bep-an-ban-tru"]
    other = site.article_paths["chuyen-doi-so-trong-quan-ly-hoc-sinh"]

    async def go():
        async with Fetcher(crawler(), FAST) as f:
            with pytest.raises(RobotsDisallowed):
                await f.fetch(site.url(path), kind="page", robots=True)
            ok = await f.fetch(site.url(other), kind="page", robots=True)
            assert ok.status == 200
            # feeds are not subject to robots.txt (the publisher offers them for polling)
            assert (await f.fetch(site.url(path), kind="feed")).status == 200
    asyncio.run(go())
    assert site.hits("/robots.txt") == 1
    assert site.hits(path) == 1


def test_redirects_obey_the_robots_txt_of_every_hop(site):
    # the site's robots.txt disallows /private/ for every agent
    site.fault("/go/1", redirect="/private/1")
    port = site.base_url.rsplit(":", 1)[1]
    site.fault("/go/2", redirect=f"http://localhost:{port}/private/2")

    async def go():
        async with Fetcher(crawler(), FAST) as f:
            with pytest.raises(RobotsDisallowed, match="redirected from"):
                await f.fetch(site.url("/go/1"), kind="page", robots=True)
            with pytest.raises(RobotsDisallowed, match="robots.txt of localhost"):
                await f.fetch(site.url("/go/2"), kind="page", robots=True)
    asyncio.run(go())
    assert site.hits("/private/1") == 0 and site.hits("/private/2") == 0
    assert site.hits("/robots.txt") == 2  # 127.0.0.1's and localhost's, each read for its own hop


def test_robots_txt_answering_429_postpones_pages_like_5xx(site):
    site.fault("/robots.txt", status=429, retry_after="3600")
    path = site.article_paths["chuyen-doi-so-trong-quan-ly-hoc-sinh"]

    async def go():
        async with Fetcher(crawler(), FAST) as f:
            with pytest.raises(FetchError, match="postponed") as err:
                await f.fetch(site.url(path), kind="page", robots=True)
            return err.value
    err = asyncio.run(go())
    assert not isinstance(err, RobotsDisallowed) and 3500 < err.retry_after <= 3600
    assert site.hits(path) == 0  # a host that is rate-limiting us is not "no rules, fetch everything"


def test_retry_after_is_reported_even_with_no_retry_left(site):
    site.fault(FEED, status=429, retry_after="7200")
    with pytest.raises(HTTPStatusError) as err:
        fetch(site.url(FEED), crawler(max_retries=0))
    assert err.value.retry_after == 7200


def test_retry_after_quiets_the_whole_host(site):
    a, b = [site.article_paths[x] for x in list(site.article_paths)[:2]]

    async def go(retry_after):
        site.fault(a, status=429, retry_after=retry_after, times=1)
        async with Fetcher(crawler(max_retries=0), FAST) as f:
            with pytest.raises(HTTPStatusError):
                await f.fetch(site.url(a), kind="page")
            started = time.monotonic()
            try:
                await f.fetch(site.url(b), kind="page")
            except HTTPStatusError as exc:
                return exc, time.monotonic() - started
            return None, time.monotonic() - started
    # longer than we wait within one crawl: no request at all, and the wait is reported for rescheduling
    err, _ = asyncio.run(go("3600"))
    assert err is not None and err.retry_after > 3500 and site.hits(b) == 0
    # a short one: the next request to that host waits for it, then goes
    err, waited = asyncio.run(go("1"))
    assert err is None and waited >= 0.9 and site.hits(b) == 1


def test_at_most_n_connections_and_a_minimum_delay_per_host(site):
    paths = [site.article_paths[a] for a in list(site.article_paths)[:6]]
    for p in paths:
        site.fault(p, delay=0.4)
    active, peak, starts = [0], [0], []
    lock = threading.Lock()
    original = type(site)._active_fault

    def counting(self, path):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
            starts.append(time.monotonic())
        try:
            return original(self, path)
        finally:
            pass

    # count concurrency at the server: requests in flight are those started and not yet answered
    import monitor.sample_site as ss
    done = ss._Handler._send

    def send(self, *a, **kw):
        try:
            return done(self, *a, **kw)
        finally:
            with lock:
                active[0] -= 1

    ss.Site._active_fault = counting
    ss._Handler._send = send
    try:
        async def go():
            async with Fetcher(crawler(max_connections_per_host=2, min_delay_seconds=0.15), FAST) as f:
                await asyncio.gather(*(f.fetch(site.url(p), kind="page") for p in paths))
        asyncio.run(go())
    finally:
        ss.Site._active_fault = original
        ss._Handler._send = done
    # at most the configured connections at once (with each answer taking 0.4 s, two are normally seen; a
    # loaded machine may serve them one after the other)
    assert 1 <= peak[0] <= 2
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    # never two starts closer than the configured 0.15 s pause, less the server threads' jitter on a busy
    # machine (without the pause they come within milliseconds)
    assert min(gaps) >= 0.05
