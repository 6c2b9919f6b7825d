"""https with the office's own root certificate (crawler.ca_file), directly and through the proxy's tunnel.

An office network that inspects TLS presents, for every site, a certificate signed by the office's root. Here
a test CA made by trustme stands for that root: the sample news site serves https on 127.0.0.1 with a
certificate it signed (for the invented name tin-giao-duc.example, 127.0.0.1 and localhost), so from the
crawler's side it looks exactly like a site seen through such a network. The proxy of test_fetch_proxy.py
opens CONNECT tunnels here (and is once an https proxy itself), relaying bytes: TLS stays end to end.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from datetime import datetime, timezone
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import trustme
from click.testing import CliRunner

import monitor.fetch
from monitor.app import App
from monitor.config import load_config
from monitor.crawl import run_crawl
from monitor.errors import AddressRefused, CertificateRefused, ConfigError, FetchError, FetchTimeout, RequestInDoubt
from monitor.fetch import Fetcher, post_json
from monitor.sample_site import build_site, load_articles, sample_config, serve, stop
import test_fetch_proxy
from test_fetch_proxy import FAST, FEED, PUBLIC, _Receiver, config_with, crawler

proxies = test_fetch_proxy.proxies  # the fixture: forwarding proxies on 127.0.0.1, stopped after the test

ROOT = Path(__file__).resolve().parents[1]
HOST = "tin-giao-duc.example"  # the site's name; only the test resolver or the proxy's routes know it
AFTER_EVERY_ARTICLE = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def office_ca() -> trustme.CA:
    """The office's root: what its TLS-inspecting proxy signs every site's certificate with."""
    return trustme.CA(organization_name="So GDDT Long Bien (test)")


@pytest.fixture
def ca_file(office_ca, tmp_path) -> Path:
    path = tmp_path / "office-root.pem"
    office_ca.cert_pem.write_to_path(str(path))
    return path


def server_tls(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*(names or (HOST, "127.0.0.1", "localhost"))).configure_cert(ctx)
    return ctx


@pytest.fixture
def tls_site(office_ca):
    """The recorded outlets' feeds and pages over https, with a certificate the office's root signed."""
    s = build_site(load_articles(ROOT / "tests" / "fixtures" / "crawl" / "articles.json"))
    server, _ = serve(s, tls=server_tls(office_ca))
    yield s
    stop(server)


@pytest.fixture
def tls_receiver(office_ca):
    """A webhook receiver over https (a Telegram relay, a chat server), its certificate from the office's root."""
    tls = server_tls(office_ca)

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def get_request(self):
            sock, address = super().get_request()
            return tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

        def handle_error(self, request, client_address) -> None:
            pass  # a client refusing our certificate: what some tests want

    server = Server(("127.0.0.1", 0), _Receiver)
    server.posts = []
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def fetch(url, c, resolver=None, **kw):
    async def go():
        async with Fetcher(c, FAST, resolver=resolver) as f:
            return await f.fetch(url, **kw)
    return asyncio.run(go())


def port_of(site) -> int:
    return int(site.base_url.rsplit(":", 1)[1])


def named(site) -> str:
    """Serve the site's feeds and links under HOST (reached through the proxy, which routes it to 127.0.0.1)."""
    site.base_url = f"https://{HOST}:{port_of(site)}"
    return site.base_url


def crawl_once(cfg, **kw):
    app = App(config=cfg, clock=lambda: AFTER_EVERY_ARTICLE)
    try:
        report = run_crawl(app, tuning=FAST, **kw)
        return report, {a.id: (a.title, a.body, a.page_status) for a in app.store.articles_between(None, None)}
    finally:
        app.close()


# ---------------------------------------------------------------------- through the proxy's tunnel


def test_an_https_crawl_goes_through_the_tunnel_trusting_the_office_root(tls_site, proxies, ca_file, tmp_path):
    named(tls_site)
    proxy = proxies(tunnels=True)
    cfg = sample_config(tls_site, tmp_path / "var", crawler={"proxy": proxy.url, "ca_file": str(ca_file),
                                                            "timeout_seconds": 2})
    assert cfg.sources and all(s.url.startswith(f"https://{HOST}:") for s in cfg.sources)
    report, articles = crawl_once(cfg)
    assert report.ok, report.failed_sources
    assert report.new_article_ids and report.pages_ok == len(report.new_article_ids) == len(articles)
    # every connection was a tunnel to the site (no request in clear to the proxy), and the site had every
    # request itself, without the proxy's Via: TLS and HTTP went end to end through the tunnel
    assert {(method, target) for method, target, _ in proxy.seen} == {("CONNECT", f"{HOST}:{port_of(tls_site)}")}
    paths = [path for path, _ in tls_site.requests]
    assert "/robots.txt" in paths and all(urlsplit(s.url).path in paths for s in cfg.sources)
    assert len(paths) == len(cfg.sources) + 1 + report.pages_ok
    assert not any("via" in headers for _, headers in tls_site.requests)


def test_without_the_office_root_the_crawl_fails_clearly_and_keeps_what_it_had(tls_site, proxies, ca_file, tmp_path):
    named(tls_site)
    proxy = proxies(tunnels=True)
    trusted = sample_config(tls_site, tmp_path / "var", crawler={"proxy": proxy.url, "ca_file": str(ca_file)})
    first, stored = crawl_once(trusted)
    assert first.ok and stored
    requests, connects = len(tls_site.requests), len(proxy.seen)

    untrusted = sample_config(tls_site, tmp_path / "var", crawler={"proxy": proxy.url})
    report, after = crawl_once(untrusted, force=True)
    assert len(report.failed_sources) == len(untrusted.sources)
    for source in report.failed_sources:
        assert source.error.startswith("CertificateRefused: chứng chỉ bảo mật của tin-giao-duc.example không hợp lệ: ")
        assert "khai báo chứng chỉ gốc của cơ quan (tệp PEM) ở crawler.ca_file" in source.error  # what to do
        assert ("(the TLS certificate of tin-giao-duc.example did not verify (unable to get local issuer certificate) "
                "(through the proxy") in source.error  # and, for IT, the handshake's own words
    assert after == stored  # every article, its title and its text, as before
    # the tunnels were opened, the handshakes refused, no request reached the site; and none was retried
    # (crawler.max_retries is 2): the same certificate would be refused again
    assert len(tls_site.requests) == requests
    assert len(proxy.seen) - connects == len(untrusted.sources)

    again, _ = crawl_once(trusted, force=True)  # the office's root back: the feeds are read again
    assert again.ok and {s.outcome for s in again.sources} <= {"not-modified", "unchanged"}


def test_with_another_root_the_error_says_the_file_is_trusted_already(tls_site, proxies, tmp_path):
    named(tls_site)
    other = tmp_path / "other-root.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    proxy = proxies(tunnels=True)
    with pytest.raises(CertificateRefused) as err:
        fetch(tls_site.url(FEED), crawler(proxy=proxy.url, ca_file=other))
    assert f"đã tin thêm chứng chỉ gốc ở crawler.ca_file ({other}); " in str(err.value)
    assert err.value.url == tls_site.url(FEED) and len(proxy.seen) == 1


def test_the_clippings_note_files_a_refused_certificate_under_its_own_category(tls_site, proxies, tmp_path):
    """The clipping's failing-source note (monitor.digest.source_problem) said "lỗi kỹ thuật khác" of a certificate
    that did not verify, and, through the proxy's tunnel, blamed the proxy: it names the certificate and the setting."""
    from monitor.crawl import _describe
    from monitor.digest import source_problem
    from monitor.models import SourceHealth

    def note(c) -> str:
        with pytest.raises(CertificateRefused) as err:
            fetch(tls_site.url(FEED), c)
        return source_problem(SourceHealth("bao-thu", "Báo Thử", tls_site.url(FEED), "backoff",
                                           consecutive_failures=1, last_error=_describe(err.value)))

    other = tmp_path / "other-root.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    direct, wrong_root = note(crawler()), note(crawler(ca_file=other))
    named(tls_site)
    tunnelled = note(crawler(proxy=proxies(tunnels=True).url))
    for text in (direct, wrong_root, tunnelled):
        assert text == ("chứng chỉ bảo mật của trang không được chấp nhận (thường do mạng của cơ quan kiểm tra kết nối "
                        "bảo mật): cán bộ kỹ thuật khai báo hoặc kiểm tra chứng chỉ gốc của cơ quan ở crawler.ca_file"), text


def test_the_address_policy_still_refuses_private_targets_of_a_tunnel(tls_site, proxies, ca_file):
    named(tls_site)
    proxy = proxies(tunnels=True, routes={"intranet.example": port_of(tls_site)})
    answers = {HOST: [PUBLIC], "intranet.example": ["10.20.0.7"]}

    async def resolver(host, port):
        return answers[host]

    c = crawler(proxy=proxy.url, ca_file=ca_file, allow_private_addresses=False)
    res = fetch(tls_site.url(FEED), c, resolver=resolver)
    assert res.status == 200 and b"<rss" in res.body
    with pytest.raises(AddressRefused, match="10.20.0.7"):
        fetch(f"https://intranet.example:{port_of(tls_site)}{FEED}", c, resolver=resolver)
    tls_site.fault(FEED, redirect=f"https://intranet.example:{port_of(tls_site)}/admin")
    with pytest.raises(AddressRefused, match="10.20.0.7"):  # a redirect hop inside the tunnel too
        fetch(tls_site.url(FEED), c, resolver=resolver)
    assert [target for _, target, _ in proxy.seen] == [f"{HOST}:{port_of(tls_site)}"] * 2  # never the intranet


def test_an_https_proxy_with_the_office_certificate(tls_site, proxies, office_ca, ca_file):
    """The proxy itself speaks https with a certificate from the office's root: crawler.ca_file serves that
    handshake too, and a failure names the proxy, not the site."""
    named(tls_site)
    proxy = proxies(tunnels=True, tls=server_tls(office_ca, "127.0.0.1"))
    res = fetch(tls_site.url(FEED), crawler(proxy=proxy.url, ca_file=ca_file))  # TLS in TLS
    assert res.status == 200 and b"<rss" in res.body
    with pytest.raises(CertificateRefused) as err:
        fetch(tls_site.url(FEED), crawler(proxy=proxy.url))
    assert str(err.value).startswith("chứng chỉ bảo mật của 127.0.0.1 không hợp lệ: ") and HOST not in str(err.value)


# ---------------------------------------------------------------------- direct


def test_direct_https_trusts_the_office_root_in_addition_to_the_default_ones(tls_site, ca_file, tmp_path, monkeypatch):
    res = fetch(tls_site.url(FEED), crawler(ca_file=ca_file))
    assert res.status == 200 and b"<rss" in res.body
    with pytest.raises(CertificateRefused, match=r"^chứng chỉ bảo mật của 127.0.0.1 không hợp lệ: .*ở crawler.ca_file "
                                                 r"\(the TLS certificate of 127.0.0.1 did not verify"):
        fetch(tls_site.url(FEED), crawler())
    assert len(tls_site.requests) == 1  # the refused handshake sent no request
    # an article page waits for its robots.txt: the page's error says why that could not be read
    with pytest.raises(FetchError, match=r"^chưa lấy trang này vì không đọc được robots.txt .* của 127.0.0.1: hoãn lại, "
                                         r"hệ thống sẽ thử lại sau \(.*robots.txt of 127.0.0.1 is unreachable "
                                         r"\(CertificateRefused: chứng chỉ bảo mật của 127.0.0.1 không hợp lệ: .*"
                                         r"crawler.ca_file .*\); page postponed\)$"):
        fetch(tls_site.url("/giao-duc/bai-viet.html"), crawler(), kind="page", robots=True)
    assert len(tls_site.requests) == 1

    # in addition, not instead: a site signed by one of the default authorities (a test CA put in their
    # bundle here) is still trusted when crawler.ca_file names the office's root
    import certifi

    public_ca = trustme.CA(organization_name="Public CA (test)")
    bundle = tmp_path / "default-bundle.pem"
    bundle.write_bytes(Path(certifi.where()).read_bytes() + public_ca.cert_pem.bytes())
    monkeypatch.setattr(certifi, "where", lambda: str(bundle))
    public = build_site(load_articles(ROOT / "tests" / "fixtures" / "crawl" / "articles.json"))
    server, _ = serve(public, tls=server_tls(public_ca))
    try:
        for site in (public, tls_site):
            assert fetch(site.url(FEED), crawler(ca_file=ca_file)).status == 200
    finally:
        stop(server)


def test_direct_https_is_pinned_to_the_checked_address_and_checked_for_the_name(tls_site, ca_file, monkeypatch):
    refused = monitor.fetch.address_refused
    # the test site stands for a public host: its 127.0.0.1 passes the check, nothing else private does
    monkeypatch.setattr(monitor.fetch, "address_refused", lambda ip: str(ip) != "127.0.0.1" and refused(ip))
    named(tls_site)

    async def resolver(host, port):
        return {HOST: ["127.0.0.1"], "intranet.example": ["10.20.0.7"]}[host]

    c = crawler(ca_file=ca_file, allow_private_addresses=False)
    res = fetch(tls_site.url(FEED), c, resolver=resolver)  # the certificate is checked for HOST, not the address
    assert res.status == 200 and tls_site.requests[-1][1]["host"] == f"{HOST}:{port_of(tls_site)}"
    tls_site.fault(FEED, redirect=f"https://intranet.example:{port_of(tls_site)}/admin")
    with pytest.raises(AddressRefused, match="10.20.0.7"):
        fetch(tls_site.url(FEED), c, resolver=resolver)
    monkeypatch.setattr(monitor.fetch, "address_refused", refused)  # no allowance: loopback refused, https or not
    with pytest.raises(AddressRefused):
        fetch(f"https://127.0.0.1:{port_of(tls_site)}{FEED}", c)


def test_a_ca_file_gone_since_the_check_stops_the_fetcher_clearly(ca_file):
    c = crawler(ca_file=ca_file)
    ca_file.unlink()
    with pytest.raises(FetchError, match=r"cannot load crawler.ca_file .*office-root.pem"):
        fetch("https://vnexpress.net/rss/giao-duc.rss", c)


# ---------------------------------------------------------------------- alerts


def test_https_webhooks_trust_the_office_root_directly_and_through_the_tunnel(tls_receiver, proxies, ca_file):
    port = tls_receiver.server_address[1]
    proxy = proxies(tunnels=True, routes={"hooks.so-gddt.example.vn": port})
    url = f"https://{HOST}:{port}/canh-bao"
    marks = []
    with pytest.raises(CertificateRefused) as err:  # during the handshake: nothing was handed over
        post_json(url, b"{}", {}, 2, crawler=crawler(proxy=proxy.url), on_hand_over=lambda: marks.append(1))
    assert not isinstance(err.value, (RequestInDoubt, FetchTimeout)) and marks == []
    assert f"chứng chỉ bảo mật của {HOST} không hợp lệ" in str(err.value) and "crawler.ca_file" in str(err.value)

    c = crawler(proxy=proxy.url, ca_file=ca_file)
    assert post_json(url, b'{"alert_id": 7}', {}, 2, crawler=c, on_hand_over=lambda: marks.append(1)) == 200
    assert tls_receiver.posts[-1][:2] == ("/canh-bao", b'{"alert_id": 7}') and marks == [1]
    assert [target for _, target, _ in proxy.seen] == [f"{HOST}:{port}"] * 2
    # trusted by the office's root, the certificate is still checked for the name: this one does not have it
    with pytest.raises(CertificateRefused, match="hooks.so-gddt.example.vn không hợp lệ: .*Hostname mismatch"):
        post_json(f"https://hooks.so-gddt.example.vn:{port}/canh-bao", b"{}", {}, 2, crawler=c)
    # a receiver on this machine is reached directly, with the same trust
    assert post_json(f"https://127.0.0.1:{port}/canh-bao", b"{}", {}, 2, crawler=crawler(ca_file=ca_file)) == 200
    assert len(tls_receiver.posts) == 2


def test_a_webhook_refused_for_its_certificate_is_a_delivery_failure_naming_the_setting(tls_receiver, tmp_path):
    from monitor.config import parse_config
    from monitor.errors import NotifyError
    from monitor.notify import Alert, send_webhook

    url = f"https://127.0.0.1:{tls_receiver.server_address[1]}/canh-bao"
    cfg = parse_config({"office": {"name": "x", "district": "y", "city": "z"},
                        "sources": [{"name": "a", "url": "https://a.vn/rss"}],
                        "alerts": {"channels": [{"kind": "webhook", "url": url}]}}, tmp_path / "feeds.yaml")
    alert = Alert(id=3, story_id=1, kind="new", severity="cao", hot_score=70, n_national=1,
                  created_at=datetime(2026, 11, 25, tzinfo=timezone.utc), subject="s", body="b", payload={"a": 1})
    with pytest.raises(NotifyError, match="crawler.ca_file"):
        send_webhook(cfg, cfg.alerts.channels[0], alert)
    assert tls_receiver.posts == []


# ---------------------------------------------------------------------- configuration


def test_ca_file_is_read_relative_to_feeds_yaml_and_shown_by_config_check(tmp_path, ca_file):
    from monitor.cli import cli

    path = config_with(tmp_path, "  ca_file: office-root.pem\n")  # beside feeds.yaml
    assert load_config(path).crawler.ca_file == ca_file.resolve()
    res = CliRunner().invoke(cli, ["--config", str(path), "config", "check"])
    assert res.exit_code == 0, res.output
    assert (f"https: chứng chỉ được kiểm tra theo các tổ chức cấp chứng chỉ mặc định (bộ của certifi) và các tổ chức trong "
            f"{ca_file.resolve()} (crawler.ca_file: organizationName=So GDDT Long Bien (test)") in res.output
    res = CliRunner().invoke(cli, ["--config", str(config_with(tmp_path, "  timeout_seconds: 5\n")), "config", "check"])
    assert "https: chứng chỉ được kiểm tra theo các tổ chức cấp chứng chỉ mặc định (bộ của certifi)\n" in res.output
    with pytest.MonkeyPatch.context() as mp:  # "~/…" as a shell would read it, not a folder named "~"
        mp.setenv("HOME", str(tmp_path))
        assert load_config(config_with(tmp_path, "  ca_file: ~/office-root.pem\n")).crawler.ca_file == ca_file.resolve()


def test_a_bad_ca_file_is_refused_clearly_with_the_other_problems(tmp_path, office_ca, monkeypatch):
    read_bytes = Path.read_bytes

    def locked(self):  # chmod cannot stop root, who runs these tests on some machines
        if self.name == "locked.pem":
            raise PermissionError(13, "Permission denied")
        return read_bytes(self)
    monkeypatch.setattr(Path, "read_bytes", locked)
    office_ca.cert_pem.write_to_path(str(tmp_path / "locked.pem"))
    (tmp_path / "notes.pem").write_text("the office's root is on the intranet\n", encoding="utf-8")
    (tmp_path / "root.cer").write_bytes(
        ssl.PEM_cert_to_DER_cert(office_ca.cert_pem.bytes().decode()))  # exported as binary (DER)
    office_ca.issue_cert("proxy.so-gddt.example.vn").cert_chain_pems[0].write_to_path(str(tmp_path / "leaf.pem"))
    (tmp_path / "cut.pem").write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", encoding="utf-8")
    (tmp_path / "certs").mkdir()
    cases = {"missing.pem": "không tồn tại; lưu chứng chỉ gốc của đơn vị vào đó ở dạng PEM",
             "certs": "không phải là tệp",
             "locked.pem": "(Permission denied); cho người dùng chạy monitor quyền đọc tệp này",
             "notes.pem": "không chứa chứng chỉ PEM nào; lưu chứng chỉ gốc của đơn vị vào đó ở dạng PEM",
             "root.cer": "có vẻ là tệp nhị phân (DER): chuyển đổi bằng `openssl x509 -inform der",
             "leaf.pem": "không chứa chứng chỉ CA nào",
             "cut.pem": "chứa một chứng chỉ mà OpenSSL không đọc được"}
    for name, says in cases.items():
        with pytest.raises(ConfigError) as info:
            load_config(config_with(tmp_path, f"  ca_file: {name}\n  timeout_seconds: 0\n"))
        problems = {p.path: p.message for p in info.value.problems}
        assert says in problems["crawler.ca_file"], (name, problems)
        assert str(tmp_path / name) in problems["crawler.ca_file"]
        assert "crawler.timeout_seconds" in problems  # reported together with the file's other problems
    with pytest.raises(ConfigError, match="có phải ý bạn là 'ca_file'"):
        load_config(config_with(tmp_path, "  cafile: office-root.pem\n"))
