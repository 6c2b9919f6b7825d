"""The crawler and the alert webhooks behind an office's HTTP proxy (crawler.proxy).

Real servers on 127.0.0.1: the sample news site as the "origin", and a tiny forwarding proxy written here
that fetches an absolute-URI request from its target and relays the answer, recording what it proxied (and
the Proxy-Authorization it was given). It maps invented host names to local servers, as a proxy resolves
names itself; DNS on our side is a resolver given to the Fetcher. By default the proxy answers CONNECT
(https URLs) with a refusal, tested here (407, 403); with `tunnels=True` it opens the tunnel and relays
bytes both ways, and with `tls` it is itself an https proxy: the https success paths, with the office's
root certificate (crawler.ca_file), are in test_fetch_tls.py.
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import select
import socket
import ssl
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from monitor.config import Crawler, parse_config
from monitor.crawl import run_crawl
from monitor.errors import AddressRefused, ConfigError, FetchError, FetchTimeout, HTTPStatusError, RequestInDoubt
from monitor.fetch import Fetcher, Tuning, post_json
from monitor.sample_site import sample_config

FIX = Path(__file__).parent / "fixtures" / "crawl"
FAST = Tuning(retry_base_delay=0.001, retry_max_delay=0.01, max_retry_after=1.0, page_max_attempts=2,
              page_retry_minutes=1, total_timeout_factor=2)
FEED = "/vnexpress/rss/vnexpress-giao-duc.rss"
PUBLIC = "93.184.215.14"  # what the test resolver answers for a public site; never connected to (the proxy connects)
_HOP = {"proxy-authorization", "proxy-connection", "connection", "keep-alive", "transfer-encoding", "content-length"}


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        self._forward()

    def do_POST(self) -> None:  # noqa: N802
        self._forward()

    def do_CONNECT(self) -> None:  # noqa: N802 - refused unless the proxy opens tunnels (the module's docstring)
        if not self._authorised():
            return
        if not self.server.tunnels:
            return self._reply(self.server.connect_status, {}, b"")
        host, _, port = self.path.rpartition(":")
        upstream = socket.create_connection(("127.0.0.1", self.server.routes.get(host, int(port))), timeout=5)
        self.send_response(200, "Connection established")
        self.end_headers()
        self.close_connection = True  # what follows is the client's TLS, not requests to us
        _relay(self.connection, upstream)

    def _authorised(self) -> bool:
        got = self.headers.get("Proxy-Authorization")
        self.server.seen.append((self.command, self.path, got))
        if self.server.credentials is None:
            return True
        user, password = self.server.credentials
        if got == "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode():
            return True
        self._reply(407, {"Proxy-Authenticate": 'Basic realm="so-gddt"'}, b"proxy authentication required")
        return False

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self._authorised():
            return
        target = urlsplit(self.path)
        if not target.scheme:  # an origin-form request: we are a proxy, not a site
            return self._reply(400, {}, b"not a proxy request")
        port = self.server.routes.get(target.hostname, target.port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
            headers["Via"] = "1.1 proxy.so-gddt.example.vn"
            conn.request(self.command, target.path + (f"?{target.query}" if target.query else ""),
                         body=body or None, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            self._reply(resp.status, {k: v for k, v in resp.getheaders() if k.lower() not in _HOP}, data)
        finally:
            conn.close()

    def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _relay(client: socket.socket, upstream: socket.socket) -> None:
    """Bytes both ways until either side closes (or 10 s of silence). A TLS socket (an https proxy's) may hold
    decrypted bytes that select() does not see: those are read first."""
    try:
        while True:
            pending = getattr(client, "pending", None)
            ready = [client] if pending and pending() else select.select([client, upstream], [], [], 10)[0]
            if not ready:
                return
            for sock in ready:
                data = sock.recv(65536)
                if not data:
                    return
                (upstream if sock is client else client).sendall(data)
    except OSError:
        return
    finally:
        upstream.close()


class _TLSProxyServer(ThreadingHTTPServer):
    """An https proxy: TLS from the client to the proxy itself (handshake in the request's thread)."""

    def get_request(self):
        sock, address = super().get_request()
        return self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request, client_address) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ssl.SSLError):  # a client refusing our certificate
            super().handle_error(request, client_address)


class Proxy:
    """A forwarding proxy on 127.0.0.1. `routes`: host name -> local port it stands for; `tunnels`: open
    CONNECT tunnels instead of refusing them; `tls`: a server-side SSLContext, to be an https proxy."""

    def __init__(self, credentials: tuple[str, str] | None = None, routes: dict[str, int] | None = None, *,
                 tunnels: bool = False, tls: ssl.SSLContext | None = None) -> None:
        if tls is None:
            self.server = ThreadingHTTPServer(("127.0.0.1", 0), _ProxyHandler)
        else:
            self.server = _TLSProxyServer(("127.0.0.1", 0), _ProxyHandler)
            self.server.tls = tls
        self.server.daemon_threads = True
        self.server.seen = []  # (method, target, Proxy-Authorization)
        self.server.credentials = credentials
        self.server.routes = dict(routes or {})
        self.server.connect_status = 403
        self.server.tunnels = tunnels
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def seen(self) -> list[tuple[str, str, str | None]]:
        return self.server.seen

    def targets(self) -> list[str]:
        return [target for _, target, _ in self.seen]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.posts.append((self.path, body, {k.lower(): v for k, v in self.headers.items()}))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")




@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.daemon_threads, server.posts = True, []
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxies():
    made = []

    def make(**kw) -> Proxy:
        made.append(Proxy(**kw))
        return made[-1]

    yield make
    for p in made:
        p.stop()


def crawler(**kw) -> Crawler:
    base = dict(user_agent="edu-media-monitor/0.1", contact="mailto:pgd@example.vn", allow_private_addresses=True,
                min_delay_seconds=0, timeout_seconds=2, max_retries=2)
    return Crawler(**{**base, **kw})


def fetch(url, c, resolver=None, **kw):
    async def go():
        async with Fetcher(c, FAST, resolver=resolver) as f:
            return await f.fetch(url, **kw)
    return asyncio.run(go())


def port_of(site) -> int:
    return urlsplit(site.base_url).port


# ---------------------------------------------------------------------- crawling


def test_a_whole_crawl_goes_through_the_proxy(site, proxies, tmp_path):
    from monitor.app import App

    proxy = proxies()
    cfg = sample_config(site, tmp_path / "var", crawler={"proxy": proxy.url, "timeout_seconds": 2})
    app = App(config=cfg, clock=lambda: datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc))  # after every article
    try:
        report = run_crawl(app, tuning=FAST)
        assert report.ok, report.failed_sources
        assert report.new_article_ids and report.pages_ok == len(report.new_article_ids)
    finally:
        app.close()
    proxied = proxy.targets()
    for source in cfg.sources:  # every feed, the robots.txt and every article page went through the proxy
        assert source.url in proxied
    assert site.base_url + "/robots.txt" in proxied
    # and nothing reached the site without it: every request the site had came from the proxy
    assert len(site.requests) == len(proxy.seen) >= len(cfg.sources) + 1 + report.pages_ok
    assert all(headers.get("via") == "1.1 proxy.so-gddt.example.vn" for _, headers in site.requests)
    assert sorted(path for path, _ in site.requests) == sorted(urlsplit(t).path for t in proxied)


def test_proxy_credentials_come_from_the_environment(site, proxies, monkeypatch):
    proxy = proxies(credentials=("pgd-longbien", "Mk:9#s3cret"))
    monkeypatch.setenv("TEST_PROXY_USER", "pgd-longbien")
    monkeypatch.setenv("TEST_PROXY_PASSWORD", "Mk:9#s3cret")
    c = crawler(proxy=proxy.url, proxy_username_env="TEST_PROXY_USER", proxy_password_env="TEST_PROXY_PASSWORD")
    res = fetch(site.url(FEED), c)
    assert res.status == 200 and b"<rss" in res.body
    expected = "Basic " + base64.b64encode(b"pgd-longbien:Mk:9#s3cret").decode()
    assert proxy.seen == [("GET", site.url(FEED), expected)]
    # the proxy's credentials are for the proxy: the site never sees them
    assert "proxy-authorization" not in site.requests[-1][1] and "authorization" not in site.requests[-1][1]


def test_wrong_proxy_credentials_are_a_clear_error_not_retried(site, proxies, monkeypatch):
    proxy = proxies(credentials=("pgd-longbien", "right"))
    monkeypatch.setenv("TEST_PROXY_USER", "pgd-longbien")
    monkeypatch.setenv("TEST_PROXY_PASSWORD", "wrong")
    c = crawler(proxy=proxy.url, proxy_username_env="TEST_PROXY_USER", proxy_password_env="TEST_PROXY_PASSWORD")
    with pytest.raises(HTTPStatusError) as err:
        fetch(site.url(FEED), c)
    assert err.value.status == 407 and "proxy" in str(err.value) and "proxy_username_env" in err.value.hint
    assert len(proxy.seen) == 1 and site.requests == []  # asked once; a retry would be refused the same way
    assert "wrong" not in str(err.value) + err.value.hint


def test_an_https_url_asks_the_proxy_for_a_tunnel_and_its_refusal_is_not_retried(proxies, monkeypatch):
    proxy = proxies(credentials=("pgd-longbien", "right"))
    monkeypatch.setenv("TEST_PROXY_USER", "pgd-longbien")
    monkeypatch.setenv("TEST_PROXY_PASSWORD", "right")
    c = crawler(proxy=proxy.url, proxy_username_env="TEST_PROXY_USER", proxy_password_env="TEST_PROXY_PASSWORD")
    with pytest.raises(FetchError) as err:  # the test proxy refuses every tunnel with 403
        fetch("https://vnexpress.net/rss/giao-duc.rss", c)
    assert err.value.status == 403 and "the proxy" in str(err.value)
    (method, target, auth), = proxy.seen  # once: a proxy that blocks a site will block it again
    assert (method, target) == ("CONNECT", "vnexpress.net:443") and auth.startswith("Basic ")
    monkeypatch.setenv("TEST_PROXY_PASSWORD", "wrong")
    with pytest.raises(FetchError) as err:
        fetch("https://vnexpress.net/rss/giao-duc.rss", c)
    assert err.value.status == 407 and "proxy_password_env" in err.value.hint and len(proxy.seen) == 2


def test_without_a_proxy_nothing_changes_even_with_proxy_variables_in_the_environment(site, proxies, monkeypatch):
    proxy = proxies()
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy.url)  # the crawler follows feeds.yaml, never the environment
    res = fetch(site.url(FEED), crawler())
    assert res.status == 200 and proxy.seen == [] and "via" not in site.requests[-1][1]


def test_no_proxy_hosts_are_fetched_directly(site, proxies):
    proxy = proxies()
    res = fetch(site.url(FEED), crawler(proxy=proxy.url, no_proxy=("127.0.0.1",)))
    assert res.status == 200 and proxy.seen == [] and "via" not in site.requests[-1][1]
    # a suffix covers the hosts below it, not a longer name that merely ends the same way
    c = crawler(proxy=proxy.url, no_proxy=("so-gddt.local",))
    assert c.proxy_for("tin.so-gddt.local") == "" and c.proxy_for("SO-GDDT.local") == ""
    assert c.proxy_for("xso-gddt.local") == proxy.url and c.proxy_for("vnexpress.net") == proxy.url
    assert crawler(proxy=proxy.url, no_proxy=("0.0.1",)).proxy_for("10.0.0.1") == proxy.url  # an address: only itself


def test_a_private_target_is_refused_with_a_proxy_too(site, proxies):
    """With a proxy the target's address is still resolved and checked before each request (the proxy's own
    address, 127.0.0.1 here, is the office's and may be private)."""
    proxy = proxies(routes={"tin-giao-duc.example": port_of(site), "intranet.example": port_of(site)})
    answers = {"tin-giao-duc.example": [PUBLIC], "intranet.example": ["10.20.0.7"], "metadata.example": ["100.100.100.200"]}
    asked = []

    async def resolver(host, port):
        asked.append(host)
        return answers[host]

    c = crawler(proxy=proxy.url, allow_private_addresses=False)
    public = f"http://tin-giao-duc.example:{port_of(site)}{FEED}"
    res = fetch(public, c, resolver=resolver)
    assert res.status == 200 and proxy.targets() == [public] and asked == ["tin-giao-duc.example"]
    for host in ("intranet.example", "metadata.example"):
        with pytest.raises(AddressRefused, match="refused"):
            fetch(f"http://{host}:{port_of(site)}{FEED}", c, resolver=resolver)
    with pytest.raises(AddressRefused):  # an address literal needs no lookup to be refused
        fetch(site.url(FEED), c, resolver=resolver)
    assert proxy.targets() == [public]  # none of them reached the proxy
    # a redirect hop to a private address is refused too, before it is asked of the proxy
    site.fault(FEED, redirect=f"http://intranet.example:{port_of(site)}/admin")
    with pytest.raises(AddressRefused):
        fetch(public, c, resolver=resolver)
    assert proxy.targets() == [public, public]


# ---------------------------------------------------------------------- alerts


def test_webhooks_use_the_crawler_proxy_and_loopback_stays_direct(receiver, proxies, monkeypatch):
    proxy = proxies(credentials=("pgd-longbien", "right"), routes={"hooks.so-gddt.example.vn": receiver.server_address[1]})
    monkeypatch.setenv("TEST_PROXY_USER", "pgd-longbien")
    monkeypatch.setenv("TEST_PROXY_PASSWORD", "right")
    c = crawler(proxy=proxy.url, proxy_username_env="TEST_PROXY_USER", proxy_password_env="TEST_PROXY_PASSWORD")
    url = f"http://hooks.so-gddt.example.vn:{receiver.server_address[1]}/canh-bao"
    assert post_json(url, b'{"alert_id": 7}', {"X-Monitor-Alert-Id": "7"}, 2, crawler=c) == 200
    assert proxy.seen == [("POST", url, "Basic " + base64.b64encode(b"pgd-longbien:right").decode())]
    path, body, headers = receiver.posts[-1]
    assert (path, body) == ("/canh-bao", b'{"alert_id": 7}') and headers["via"] == "1.1 proxy.so-gddt.example.vn"
    # a receiver on this machine is reached directly, and so is one under no_proxy
    local = f"http://127.0.0.1:{receiver.server_address[1]}/canh-bao"
    assert post_json(local, b"{}", {}, 2, crawler=c) == 200
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # crawler.proxy replaces the environment's proxy
    direct = crawler(proxy=proxy.url, no_proxy=("localhost",))
    assert post_json(f"http://localhost:{receiver.server_address[1]}/x", b"{}", {}, 2, crawler=direct) == 200
    assert len(proxy.seen) == 1 and len(receiver.posts) == 3


def test_a_refused_tunnel_is_not_a_request_in_doubt(proxies, monkeypatch):
    """An https receiver (Telegram) through the proxy: the CONNECT is traced like a request by httpcore, but
    hands nothing over; its refusal is a plain failure, safe to retry, and nothing was marked as handed over."""
    proxy = proxies(credentials=("pgd-longbien", "right"))
    monkeypatch.setenv("TEST_PROXY_USER", "pgd-longbien")
    c = crawler(proxy=proxy.url, proxy_username_env="TEST_PROXY_USER")
    marks = []
    with pytest.raises(FetchError) as err:
        post_json("https://api.telegram.org/botTOKEN/sendMessage", b"{}", {}, 2, crawler=c,
                  on_hand_over=lambda: marks.append(1))
    assert not isinstance(err.value, (RequestInDoubt, FetchTimeout)) and marks == []
    assert "407" in str(err.value) and "proxy_username_env" in err.value.hint
    assert proxy.seen == [("CONNECT", "api.telegram.org:443", "Basic " + base64.b64encode(b"pgd-longbien:").decode())]


def test_send_webhook_goes_through_the_configured_proxy(receiver, proxies, tmp_path):
    from monitor.notify import Alert, send_webhook

    proxy = proxies(routes={"hooks.so-gddt.example.vn": receiver.server_address[1]})
    url = f"http://hooks.so-gddt.example.vn:{receiver.server_address[1]}/canh-bao"
    cfg = parse_config({"office": {"name": "x", "district": "y", "city": "z"},
                        "sources": [{"name": "a", "url": "https://a.vn/rss"}],
                        "crawler": {"proxy": proxy.url},
                        "alerts": {"channels": [{"kind": "webhook", "url": url}]}}, tmp_path / "feeds.yaml")
    alert = Alert(id=3, story_id=1, kind="new", severity="cao", hot_score=70, n_national=1,
                  created_at=datetime(2026, 11, 25, tzinfo=timezone.utc), subject="s", body="b", payload={"a": 1})
    send_webhook(cfg, cfg.alerts.channels[0], alert)
    assert proxy.targets() == [url] and receiver.posts[-1][0] == "/canh-bao"


# ---------------------------------------------------------------------- configuration


def config_with(tmp_path, crawler_yaml: str) -> Path:
    p = tmp_path / "feeds.yaml"
    p.write_text("office: {name: x, district: y, city: z}\nsources: [{name: a, url: 'https://a.vn/rss'}]\n"
                 "crawler:\n" + crawler_yaml, encoding="utf-8")
    return p


def test_proxy_settings_are_validated_together(tmp_path):
    from monitor.config import load_config

    path = config_with(tmp_path, "  proxy: socks5://proxy.so-gddt.example.vn:1080\n"
                                 "  proxy_username_env: pgd-longbien\n"
                                 "  proxy_password_env: 'Xk9#p@ss w0rd!'\n"
                                 "  no_proxy: ['http://noi-bo.so-gddt.vn/', so-gddt.local]\n"
                                 "  timeout_seconds: 0\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    problems = {p.path: p.message for p in info.value.problems}
    assert "http:// hoặc https://" in problems["crawler.proxy"] and "SOCKS" in problems["crawler.proxy"]
    for key in ("crawler.proxy_username_env", "crawler.proxy_password_env"):
        assert "tên một biến môi trường" in problems[key]
    assert "'noi-bo.so-gddt.vn'" in problems["crawler.no_proxy"]
    assert "crawler.timeout_seconds" in problems  # the other problems of the file, in the same report
    assert "Xk9#p@ss w0rd!" not in str(info.value)


@pytest.mark.parametrize("value, says", [
    ("proxy.so-gddt.example.vn:3128", "viết http://proxy.so-gddt.example.vn:3128"),
    ("ftp://proxy.so-gddt.example.vn", "http:// hoặc https://"),
    ("http://:3128", "thiếu tên máy chủ"),
    ("http://proxy.so-gddt.example.vn:99999", "không phải URL hợp lệ"),
    ("http://proxy.so-gddt.example.vn:3128/pac", "chỉ được gồm giao thức, máy chủ và cổng của proxy"),
])
def test_a_bad_proxy_url_is_refused_clearly(tmp_path, value, says):
    from monitor.config import load_config

    with pytest.raises(ConfigError) as info:
        load_config(config_with(tmp_path, f"  proxy: '{value}'\n"))
    problems = {p.path: p.message for p in info.value.problems}
    assert says in problems["crawler.proxy"], problems


def test_credentials_in_the_proxy_url_are_refused_and_not_repeated(tmp_path):
    from monitor.config import load_config

    with pytest.raises(ConfigError) as info:
        load_config(config_with(tmp_path, "  proxy: 'http://pgd:hunter2@proxy.so-gddt.example.vn:3128'\n"))
    assert "proxy_username_env" in str(info.value) and "hunter2" not in str(info.value)


def test_a_proxy_password_needs_a_user_name(tmp_path):
    from monitor.config import load_config

    with pytest.raises(ConfigError, match="đặt cả proxy_username_env"):
        load_config(config_with(tmp_path, "  proxy: http://proxy.so-gddt.example.vn:3128\n"
                                          "  proxy_password_env: MONITOR_PROXY_PASSWORD\n"))


def test_config_check_shows_the_proxy_without_its_credentials(tmp_path, monkeypatch):
    from monitor.cli import cli

    monkeypatch.setenv("TEST_PROXY_USER", "pgd-longbien")
    monkeypatch.setenv("TEST_PROXY_PASSWORD", "hunter2")
    monkeypatch.delenv("TEST_UNSET_PROXY_PASSWORD", raising=False)
    path = config_with(tmp_path, "  proxy: http://proxy.so-gddt.example.vn:3128/\n"
                                 "  proxy_username_env: TEST_PROXY_USER\n  proxy_password_env: TEST_PROXY_PASSWORD\n"
                                 "  no_proxy: [so-gddt.local]\n")
    res = CliRunner().invoke(cli, ["--config", str(path), "config", "check"])
    assert res.exit_code == 0, res.output
    assert ("kết nối của trình thu thập và webhook cảnh báo: qua proxy http://proxy.so-gddt.example.vn:3128 (thông tin "
            "đăng nhập từ TEST_PROXY_USER và TEST_PROXY_PASSWORD), kết nối trực tiếp tới so-gddt.local") in res.output
    assert "hunter2" not in res.output and "pgd-longbien" not in res.output
    path = config_with(tmp_path, "  proxy: http://proxy.so-gddt.example.vn:3128\n"
                                 "  proxy_username_env: TEST_PROXY_USER\n  proxy_password_env: TEST_UNSET_PROXY_PASSWORD\n")
    res = CliRunner().invoke(cli, ["--config", str(path), "config", "check"])
    assert "Cảnh báo: biến môi trường TEST_UNSET_PROXY_PASSWORD chưa được đặt ở môi trường này (mật khẩu proxy)" in res.output
    path = config_with(tmp_path, "  timeout_seconds: 5\n")
    res = CliRunner().invoke(cli, ["--config", str(path), "config", "check"])
    assert "kết nối trực tiếp (không qua proxy)" in res.output
