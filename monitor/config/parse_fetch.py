"""feeds.yaml's crawler, outlets and sources sections: what is fetched, from which sites, and how."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from monitor.config.checks import Checker, env_name, http_url
from monitor.config.model import SELECTOR_FIELDS, Crawler, Outlet, Selectors, Source, ca_certificates
from monitor.config.outlets import outlet_key, outlet_matching


def _proxy_url(c: Checker, value: str, path: str) -> str:
    """The proxy URL as written ("" when none), or "" with a problem recorded: http(s), a host, an optional
    port, nothing else; credentials are refused (they belong in the environment, not in the file)."""
    if not value:
        return ""
    example = "viết dạng http://proxy.so-gddt.example.vn:3128"
    if "@" in value:  # checked first, and the value never repeated: it may hold a password
        c.add(path, "không được chứa thông tin đăng nhập (user:password@): xóa chúng khỏi tệp, export chúng vào các biến "
                    "môi trường và ghi tên các biến đó ở crawler.proxy_username_env và crawler.proxy_password_env")
        return ""
    if "://" not in value:
        c.add(path, f"phải bắt đầu bằng http:// hoặc https://; viết http://{value} nếu đó là máy chủ và cổng của proxy")
        return ""
    try:
        parts = urlsplit(value)
        parts.port  # raises on a port out of range or not a number
    except ValueError as exc:
        c.add(path, f"không phải URL hợp lệ ({exc}); {example}")
        return ""
    if parts.scheme not in ("http", "https"):
        c.add(path, f"phải là URL proxy http:// hoặc https:// ({example}); hiện là {parts.scheme}://"
              + (" (không hỗ trợ proxy SOCKS)" if parts.scheme.startswith("socks") else ""))
        return ""
    if not parts.hostname:
        c.add(path, f"thiếu tên máy chủ; {example}")
        return ""
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        c.add(path, f"chỉ được gồm giao thức, máy chủ và cổng của proxy ({example}); hiện là {value!r}")
        return ""
    return value.rstrip("/")


def _host_name(value: str) -> str | None:
    """The host a domains entry names, or None when it is not a bare host (a URL, a path, a port)."""
    if not value or any(ch in value for ch in "/:@?#[] \t"):
        return None
    try:
        host = urlsplit("//" + value).hostname
    except ValueError:
        return None
    return host if host == value.lower() else None


def _host_in(value: str) -> str:
    try:
        return urlsplit(value if "//" in value else "//" + value).hostname or ""
    except ValueError:
        return ""


def _ca_file(c: Checker, value: str, base: Path) -> Path | None:
    """crawler.ca_file resolved against feeds.yaml's folder, or None with a problem recorded: it must hold at
    least one CA certificate in PEM that OpenSSL reads (checked now, not at the first https fetch)."""
    if not value:
        return None
    path = (base / Path(value).expanduser()).resolve()
    how = ("lưu chứng chỉ gốc của đơn vị vào đó ở dạng PEM (\"Base-64\" khi xuất từ Windows: đoạn văn bản "
           "giữa -----BEGIN CERTIFICATE----- và -----END CERTIFICATE-----), hoặc bỏ khóa này")
    if not path.exists():
        c.add("crawler.ca_file", f"{path} không tồn tại; {how}")
        return None
    if not path.is_file():
        c.add("crawler.ca_file", f"{path} không phải là tệp; hãy ghi tên chính tệp PEM; {how}")
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        c.add("crawler.ca_file", f"không đọc được {path} ({exc.strerror or exc}); cho người dùng chạy monitor quyền "
                                 f"đọc tệp này")
        return None
    if b"-----BEGIN CERTIFICATE-----" not in data:
        der = data[:1] == b"\x30"  # an ASN.1 SEQUENCE: a binary (DER) certificate
        c.add("crawler.ca_file", f"{path} không chứa chứng chỉ PEM nào"
              + (f"; có vẻ là tệp nhị phân (DER): chuyển đổi bằng `openssl x509 -inform der -in {path} -out office-root.pem` "
                 f"rồi ghi tên office-root.pem" if der else f"; {how}"))
        return None
    try:
        if not ca_certificates(path):
            c.add("crawler.ca_file", f"{path} không chứa chứng chỉ CA nào, chỉ có chứng chỉ không ký được chứng chỉ "
                                     f"khác (của một trang web?); hãy xuất chứng chỉ gốc đã ký chúng để thay vào")
            return None
    except (OSError, ValueError) as exc:
        c.add("crawler.ca_file", f"{path} chứa một chứng chỉ mà OpenSSL không đọc được ({exc}); "
                                 f"hãy xuất lại ở dạng PEM; {how}")
        return None
    return path


def parse_crawler(c: Checker, raw: Any, base: Path) -> Crawler:
    d = Crawler()
    m = c.mapping(
        raw,
        "crawler",
        {
            "user_agent": "the User-Agent product token",
            "contact": "a contact URL or e-mail added to the User-Agent so site operators can reach you",
            "max_connections_per_host": "parallel connections to one host",
            "min_delay_seconds": "minimum pause between two requests to one host",
            "timeout_seconds": "per-request timeout",
            "max_retries": "retries on timeouts, connection errors and 5xx",
            "max_redirects": "redirects followed before giving up",
            "max_body_bytes": "largest body accepted",
            "respect_robots": "obey robots.txt for article pages",
            "allow_private_addresses": "allow loopback/private addresses (tests, the demo, or a feed on the office's own network)",
            "quiet_factor": "a feed is quiet after this many times its usual gap between new items",
            "proxy": "the office's HTTP proxy, e.g. http://proxy.so-gddt.example.vn:3128 (empty: direct connections)",
            "proxy_username_env": "env variable holding the proxy user name",
            "proxy_password_env": "env variable holding the proxy password",
            "no_proxy": "host suffixes reached directly, not through the proxy, e.g. [so-gddt.local]",
            "ca_file": "PEM file of CA certificates trusted besides the default ones (an office network that inspects TLS)",
        },
    )
    proxy = _proxy_url(c, c.string(m, "proxy", "crawler"), "crawler.proxy")
    username_env = env_name(c, m, "proxy_username_env", "crawler")
    password_env = env_name(c, m, "proxy_password_env", "crawler")
    no_proxy = c.strings(m, "no_proxy", "crawler")
    for suffix in no_proxy:
        if _host_name(suffix.strip(".")) is None:
            host = _host_in(suffix)
            c.add("crawler.no_proxy", f"{suffix!r} không phải tên máy chủ" + (f"; viết {host!r}" if host and host != suffix else "")
                  + " (một máy chủ, hoặc tên miền chung của nhiều máy chủ, được truy cập không qua proxy)")
    if password_env and not m.get("proxy_username_env"):
        c.add("crawler.proxy_password_env", "mật khẩu proxy cần có tên đăng nhập đi kèm: đặt cả proxy_username_env")
    return Crawler(
        user_agent=c.string(m, "user_agent", "crawler", d.user_agent) or d.user_agent,
        contact=c.string(m, "contact", "crawler", d.contact),
        max_connections_per_host=c.number(m, "max_connections_per_host", "crawler", d.max_connections_per_host, minimum=1, maximum=16, integer=True),
        min_delay_seconds=float(c.number(m, "min_delay_seconds", "crawler", d.min_delay_seconds, minimum=0, maximum=60)),
        timeout_seconds=float(c.number(m, "timeout_seconds", "crawler", d.timeout_seconds, minimum=0.1, maximum=300)),
        max_retries=c.number(m, "max_retries", "crawler", d.max_retries, minimum=0, maximum=10, integer=True),
        max_redirects=c.number(m, "max_redirects", "crawler", d.max_redirects, minimum=0, maximum=20, integer=True),
        max_body_bytes=c.number(m, "max_body_bytes", "crawler", d.max_body_bytes, minimum=1024, integer=True),
        respect_robots=c.boolean(m, "respect_robots", "crawler", d.respect_robots),
        allow_private_addresses=c.boolean(m, "allow_private_addresses", "crawler", d.allow_private_addresses),
        quiet_factor=float(c.number(m, "quiet_factor", "crawler", d.quiet_factor, minimum=1)),
        proxy=proxy, proxy_username_env=username_env if proxy else "", proxy_password_env=password_env if proxy else "",
        no_proxy=no_proxy if proxy else (),
        ca_file=_ca_file(c, c.string(m, "ca_file", "crawler"), base),
    )


def parse_outlets(c: Checker, raw: Any) -> tuple[Outlet, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        c.add("outlets", "phải là một danh sách các báo, mỗi báo có name, domains và selectors")
        return ()
    out: list[Outlet] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        p = f"outlets[{i}]"
        m = c.mapping(
            item,
            p,
            {"name": "tên hiển thị, ví dụ VnExpress", "domains": "các máy chủ của trang bài viết, ví dụ [vnexpress.net]",
             "selectors": "CSS selectors for title, sapo, body, published, author, remove", "reach": "audience weight 0-1"},
            required=("name", "domains"),
        )
        name = c.string(m, "name", p)
        if name in seen:
            c.add(f"{p}.name", f"tên báo {name!r} bị trùng; mỗi báo chỉ ghi một lần")
        seen.add(name)
        sm = c.mapping(m.get("selectors"), f"{p}.selectors", {k: f"CSS selector(s) for the {k}" for k in SELECTOR_FIELDS})
        sel = Selectors(**{k: c.strings(sm, k, f"{p}.selectors") for k in SELECTOR_FIELDS})
        domains = c.strings(m, "domains", p)
        if "domains" in m and not domains:
            c.add(f"{p}.domains", "bắt buộc phải có: các máy chủ của trang bài viết, ví dụ [vnexpress.net]")
        for d in domains:
            if _host_name(d) is None:
                host = _host_in(d)
                c.add(f"{p}.domains", f"{d!r} không phải tên máy chủ" + (f"; viết {host!r}" if host and host != d else "")
                      + " (máy chủ của các trang bài viết, không có http:// hay đường dẫn)")
        out.append(Outlet(name=name, domains=domains, selectors=sel,
                          reach=float(c.number(m, "reach", p, 1.0, minimum=0, maximum=1))))
    return tuple(out)


def parse_sources(c: Checker, raw: Any, outlets: tuple[Outlet, ...]) -> tuple[Source, ...]:
    if raw is None or raw == []:
        c.add("sources", "bắt buộc phải có: liệt kê ít nhất một nguồn tin (name, url, outlet, interval_minutes)")
        return ()
    if not isinstance(raw, list):
        c.add("sources", "phải là một danh sách nguồn tin, mỗi nguồn có name, url, outlet và interval_minutes")
        return ()
    outlet_names = {o.name for o in outlets}
    out: list[Source] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        p = f"sources[{i}]"
        m = c.mapping(
            item,
            p,
            {"name": "một mã không trùng, như vnexpress-giao-duc", "url": "URL của nguồn tin (http hoặc https)",
             "outlet": "the name of an entry in outlets", "interval_minutes": "polling interval in minutes (1-1440)",
             "enabled": "false to keep the feed but not poll it", "fetch_pages": "false to keep only the feed's text"},
            required=("name", "url"),
        )
        name = c.string(m, "name", p)
        if name and name in seen:
            c.add(f"{p}.name", f"tên nguồn {name!r} bị trùng; mỗi tên chỉ được dùng một lần")
        seen.add(name)
        url = c.string(m, "url", p)
        if url:
            http_url(c, url, f"{p}.url")
        outlet = c.string(m, "outlet", p)
        if outlet and outlets and outlet not in outlet_names:
            # "VNExpress", "Báo Tuổi Trẻ", "tuoitre.vn": the configured outlet under another spelling is that outlet
            same = [o.name for o in outlets if outlet_key(outlet) in {outlet_key(o.name), *map(outlet_key, o.domains)}]
            if same:
                outlet = same[0]
            else:
                c.add(f"{p}.outlet", f"không có báo nào tên {outlet!r}; dùng một trong các tên: {', '.join(sorted(outlet_names))}")
        if not outlet and url:
            host = _host_in(url)
            match = outlet_matching(outlets, host)
            outlet = match.name if match else host
        out.append(Source(
            name=name, url=url, outlet=outlet,
            interval_minutes=c.number(m, "interval_minutes", p, 30, minimum=1, maximum=1440, integer=True),
            enabled=c.boolean(m, "enabled", p, True),
            fetch_pages=c.boolean(m, "fetch_pages", p, True),
        ))
    return tuple(out)
