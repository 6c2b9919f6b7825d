"""The only module that talks HTTP (httpx): politeness, conditional GET, retries, limits, address policy.

What a news site sees from us: an identifying User-Agent with a contact address, at most N parallel
connections and a minimum pause per host, conditional GETs with the validators the server itself gave,
robots.txt obeyed for article pages, and back-off (honouring Retry-After) when it is struggling.
What we refuse: anything but http(s), and hosts that resolve to any address that is not a public internet one
(private, loopback, link-local, the carrier-grade NAT range 100.64.0.0/10 where some clouds keep their metadata
service, ...): a feed is third-party input, a link in it must not make us probe the office network. The check is
made on the very address we connect to (the connection is pinned to the address checked: no second DNS lookup
for a rebinding name to answer differently), on every redirect hop.
Behind the office's HTTP proxy (crawler.proxy) requests go through it, https ones in a CONNECT tunnel (TLS
and the certificate check stay end to end with the site). The target's address is still resolved and checked
before each request and each redirect hop, so a feed link to a private address is refused as without a
proxy; but the proxy makes the connection, after its own DNS lookup, so protection against a name that
answers differently the second time (DNS rebinding) is then the proxy's. The proxy's own address may be a
private one: it is the office's. Hosts under crawler.no_proxy are reached directly, pinned as above.
Certificates: every TLS connection (sites direct or in the tunnel, an https proxy, alert POSTs) trusts the
default authorities (certifi's bundle) and, in addition, those of crawler.ca_file: an office network that
inspects TLS presents certificates signed by its own root, which only that file makes us trust. A
certificate that does not verify is CertificateRefused, naming the host and that setting, and not retried.
Compression: we ask only for gzip and deflate, refuse any other or stacked Content-Encoding, and decompress
ourselves, a chunk at a time with a cap, so that a small compressed "bomb" never takes more memory than the
body limit.

httpx exceptions stop here; callers see only `monitor.errors.FetchError` and its subclasses.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import random
import socket
import ssl
import time
import urllib.robotparser
import zlib
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from typing import Awaitable, Callable
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from monitor.charsets import printable
from monitor.config import Crawler
from monitor.deadline import SocketDeadline
from monitor.errors import (AddressRefused, BadContentEncoding, CertificateRefused, FetchError, FetchTimeout,
                            HTTPStatusError, RequestInDoubt, ResponseTooLarge, RobotsDisallowed, TooManyRedirects,
                            fetch_reason, http_status_kind)

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
REDIRECT_CODES = (301, 302, 303, 307, 308)
RETRY_CODES = (429, 500, 502, 503, 504, 520, 521, 522, 523, 524)
# only codings we decompress ourselves, with a cap (no br/zstd: their decoders expand a chunk at once)
ACCEPT_ENCODING = "gzip, deflate"
# not globally reachable (IANA special-purpose registries) yet `is_global` on Python 3.11: IETF protocol
# assignments (only 192.0.0.0/29 and .170/31 of it are known there), IPv6 documentation, SRv6 SIDs
_ALSO_NOT_PUBLIC = tuple(ipaddress.ip_network(n) for n in ("192.0.0.0/24", "3fff::/20", "5f00::/16"))
_ZLIB_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
# the longest wait a Retry-After is obeyed for: a source or page is tried again a day later at the latest, whatever
# a site (or one broken or hijacked) asks; "Retry-After: 99999999999999" had the crawl fail to compute the date
MAX_RETRY_AFTER = 24 * 3600.0
# the longest a POST (an alert to a webhook or Telegram) may take in all, whatever its per-read timeout
POST_DEADLINE = 30.0


@dataclass(frozen=True)
class Tuning:
    """Timing knobs that are not site policy (tests shrink them; feeds.yaml does not expose them)."""

    retry_base_delay: float = 1.0  # first back-off; doubled per retry, with jitter
    retry_max_delay: float = 60.0
    max_retry_after: float = 120.0  # a longer Retry-After ends this attempt; the source is rescheduled instead
    total_timeout_factor: float = 3.0  # whole exchange (slow trickle included) <= factor * timeout_seconds
    page_max_attempts: int = 5  # then the page is given up (the article keeps its feed text)
    page_retry_minutes: float = 15.0  # first page retry; doubled per failure
    page_concurrency: int = 16


@dataclass(frozen=True)
class FetchResult:
    url: str  # as requested
    final_url: str  # after redirects
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    duration_ms: int = 0
    attempts: int = 1

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


_PROXY_AUTH_HINT = ("name the environment variables holding the proxy's user name and password in "
                    "crawler.proxy_username_env and crawler.proxy_password_env, and check their values")


def _status_error(message: str, url: str, status: int | None, retry_after: float | None = None, *,
                  hint: str = "") -> HTTPStatusError:
    exc = HTTPStatusError(message, url=url, status=status, hint=hint)
    exc.retry_after = retry_after  # read by the crawl to reschedule the source no earlier than asked
    return exc


def _http_error(status: int, current: str, url: str, retry_after: float | None = None) -> HTTPStatusError:
    """A 4xx/5xx answer in the operator's words, "HTTP 503 from <url>" after them (the log search, the clipping's
    category, monitor.digest.source_problem, read it)."""
    return _status_error(fetch_reason(http_status_kind(status), f"HTTP {status} from {current}", status=status),
                         url, status, retry_after)


def _seconds(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _transport_failure(exc: BaseException, url: str, via: str = "") -> FetchError:
    """A connection that failed (refused, no such name, unreachable, dropped) as the operator reads it. The cause is
    the OS error httpx and httpcore chain under their own (anyio groups a host's addresses' failures)."""
    root: BaseException | None = None
    pending, seen = [exc], 0
    while pending and seen < 16:
        e, seen = pending.pop(0), seen + 1
        if isinstance(e, BaseExceptionGroup):
            pending.extend(e.exceptions)
        elif isinstance(e, OSError) and (e.errno is not None or isinstance(e, socket.gaierror)):
            root = e
            break
        nxt = e.__cause__ or e.__context__
        if nxt is not None:
            pending.append(nxt)
    host = urlsplit(url).hostname or ""
    if isinstance(root, socket.gaierror) or "cannot resolve host" in str(exc) or "has no address" in str(exc):
        kind = "dns"
    elif isinstance(root, ConnectionRefusedError):
        kind = "refused"
    elif isinstance(root, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)) \
            or isinstance(exc, httpx.RemoteProtocolError):
        kind = "dropped"
    elif root is not None and root.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN):
        kind = "unreachable"
    else:
        kind = "connect"
    words = f"{type(root).__name__}: {root}" if root is not None else f"{type(exc).__name__}: {exc}"
    return FetchError(fetch_reason(kind, f"{url}{via}: {words}", host=host), url=url)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), at most MAX_RETRY_AFTER; None
    when absent/garbled."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # str.isdigit() takes "²" too, which float() refuses
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return min(max(0.0, (when - datetime.now(timezone.utc)).total_seconds()), MAX_RETRY_AFTER)


def address_refused(ip: ipaddress._BaseAddress) -> bool:
    """True for every address that is not a public internet one.

    `is_global` is the base (it alone covers 100.64.0.0/10, which `is_private` does not on Python 3.11);
    the older flags stay because `is_global` is True for some of them (multicast, fec0::/10), and so does
    a short list of ranges that Python 3.11's tables miss. An IPv6 address that carries an IPv4 one
    (IPv4-mapped, 6to4, Teredo) is refused when that IPv4 one is.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return address_refused(ip.ipv4_mapped)
        embedded = [ip.sixtofour] if ip.sixtofour else []
        embedded += list(ip.teredo or ())
        if any(address_refused(v4) for v4 in embedded):
            return True
    if any(ip in net for net in _ALSO_NOT_PUBLIC):
        return True
    return (not ip.is_global or ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
            or ip.is_reserved or ip.is_unspecified or getattr(ip, "is_site_local", False))


async def _system_resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to the addresses `addresses(host, port)` gives: the
    fetcher's own resolution, checked against the address policy. httpcore hands us the URL's host and
    keeps it for TLS (server name and certificate), so https is unchanged; only the DNS lookup is ours."""

    def __init__(self, addresses: Callable[[str, int], Awaitable[list[str]]]) -> None:
        self._addresses = addresses
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options=None) -> httpcore.AsyncNetworkStream:
        error: Exception | None = None
        for address in await self._addresses(host, port):
            try:
                return await self._inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                     socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc  # the host's next address, as a resolver-following connect would
        raise error if error is not None else httpcore.ConnectError(f"host {host} has no address")

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options=None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _tls_context(crawler: Crawler, *, trust_env: bool = False) -> ssl.SSLContext:
    """What TLS connections verify certificates with: httpx's default authorities (certifi's bundle; with
    `trust_env`, SSL_CERT_FILE's instead, as httpx does) and crawler.ca_file's besides, never instead (an
    office's root is trusted on top of the public ones, which sites outside its inspection still need)."""
    ctx = httpx.create_ssl_context(verify=True, trust_env=trust_env)
    if crawler.ca_file is not None:
        try:
            ctx.load_verify_locations(cafile=crawler.ca_file)
        except (OSError, ssl.SSLError) as exc:  # it loaded when the configuration was checked: changed since
            raise FetchError(f"cannot load crawler.ca_file {crawler.ca_file} ({exc}); nothing is fetched without it",
                             hint="restore the file or fix the setting, then run `monitor config check`") from None
    return ctx


def _certificate_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate check that failed behind an httpx/httpcore error (they chain the ssl error), or None."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, ssl.SSLCertVerificationError):
            return exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def _certificate_refused(url: str, host: str, failure: ssl.SSLCertVerificationError, crawler: Crawler | None,
                         via: str = "") -> CertificateRefused:
    """The error for a certificate that did not verify, with what the office can do about it (in the message,
    which is what the crawl records for a feed or page)."""
    reason = failure.verify_message or failure.reason or str(failure)
    ca_file = crawler.ca_file if crawler is not None else None
    detail = f"the TLS certificate of {host} did not verify ({reason}){via}"
    if ca_file is not None:
        return CertificateRefused(fetch_reason("certificate-ca-file", detail, host=host, ca_file=ca_file), url=url)
    return CertificateRefused(fetch_reason("certificate", detail, host=host), url=url)


class _TLSPeer:
    """httpcore's trace callback for one request (async): remembers the host of the latest TLS handshake, so
    that a certificate failure names whose certificate it was (the site's, or an https proxy's)."""

    __slots__ = ("host",)

    def __init__(self) -> None:
        self.host = ""

    async def __call__(self, event: str, info: dict) -> None:
        if event.endswith(".start_tls.started"):
            self.host = info.get("server_hostname") or ""


def _proxy(crawler: Crawler, ssl_context: ssl.SSLContext | None = None) -> httpx.Proxy:
    """The office's proxy for httpx, with its credentials read from the environment now (never from the file);
    `ssl_context` verifies an https proxy's own certificate (httpx's default authorities when None; httpcore
    refuses one for an http proxy, which has no certificate)."""
    https = urlsplit(crawler.proxy).scheme == "https"
    return httpx.Proxy(crawler.proxy, auth=crawler.proxy_auth(), ssl_context=ssl_context if https else None)


def _proxied_transport(crawler: Crawler, limits: httpx.Limits, ssl_context: ssl.SSLContext) -> httpx.AsyncHTTPTransport:
    """httpx's transport through crawler.proxy: it connects only to the proxy (whatever its address); the
    target's address was checked before the request (Fetcher.check_address) and the proxy connects to it.
    `ssl_context` serves both the site's TLS in the tunnel and an https proxy's own."""
    return httpx.AsyncHTTPTransport(verify=ssl_context, limits=limits, trust_env=False,
                                    proxy=_proxy(crawler, ssl_context))


def _pinned_transport(backend: httpcore.AsyncNetworkBackend, limits: httpx.Limits,
                      ssl_context: ssl.SSLContext) -> httpx.AsyncHTTPTransport:
    """httpx's transport over a connection pool that connects through `backend` (httpx has no public
    argument for it: its pool is replaced, and a version of httpx without that pool is refused rather
    than silently connecting wherever its own DNS lookup says)."""
    transport = httpx.AsyncHTTPTransport(verify=ssl_context, limits=limits, trust_env=False)
    if not isinstance(getattr(transport, "_pool", None), httpcore.AsyncConnectionPool):
        raise RuntimeError("this httpx version keeps its connection pool elsewhere: cannot pin connections "
                           "to checked addresses (monitor.fetch._pinned_transport needs updating)")
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl_context,
        max_connections=limits.max_connections, max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry, network_backend=backend)
    return transport


class _Inflater:
    """gzip/deflate decompression, a chunk at a time, never producing more than `limit` + 1 bytes in all:
    zlib's max_length stops a bomb at the cap instead of expanding a whole network chunk first, and the
    output comes in pieces of at most _PIECE bytes (no transient copy of a big one)."""

    _PIECE = 64 * 1024

    def __init__(self, coding: str, limit: int) -> None:
        self.coding = coding
        self.limit = limit
        self.size = 0  # decoded bytes so far; over `limit` (by 1) means the body is too large
        self._first = True
        self._d = zlib.decompressobj(_ZLIB_WBITS[coding])

    def feed(self, data: bytes) -> list[bytes]:
        """Decoded pieces of `data`; the caller stops when self.size > self.limit. Raises zlib.error."""
        pieces = []
        while data and not self._d.eof and self.size <= self.limit:
            room = min(self._PIECE, self.limit + 1 - self.size)  # > 0 here (0 would mean "no limit")
            try:
                piece = self._d.decompress(data, room)
            except zlib.error:
                if not (self._first and self.coding == "deflate"):
                    raise
                # "deflate" sent as a raw deflate stream, without the zlib wrapper (as httpx, urllib3 accept)
                self._d = zlib.decompressobj(-zlib.MAX_WBITS)
                piece = self._d.decompress(data, room)
            self._first = False
            self.size += len(piece)
            pieces.append(piece)
            # input left over only when the piece filled `room`: go on with it (data after the end of the
            # compressed stream is ignored, as httpx did)
            data = self._d.unconsumed_tail
        return pieces

    def finish(self) -> bytes:
        if self.size > self.limit or self._d.eof:
            return b""
        out = self._d.flush()  # no input is left unconsumed here: only what zlib still holds, if anything
        self.size += len(out)
        return out


class _HostGate:
    """At most N requests in flight to one host, and starts spaced by at least `delay` seconds."""

    def __init__(self, connections: int, delay: float) -> None:
        self.sem = asyncio.Semaphore(connections)
        self.delay = delay
        self.next_at = 0.0

    async def __aenter__(self) -> None:
        await self.sem.acquire()
        loop = asyncio.get_running_loop()
        now = loop.time()
        start = max(now, self.next_at)
        self.next_at = start + self.delay
        if start > now:
            await asyncio.sleep(start - now)

    async def __aexit__(self, *exc) -> None:
        self.sem.release()


class Fetcher:
    """One per crawl: `async with Fetcher(config.crawler) as f: result = await f.fetch(url)`."""

    def __init__(self, crawler: Crawler, tuning: Tuning | None = None, *, rng: random.Random | None = None,
                 resolver: Callable[[str, int], Awaitable[list[str]]] | None = None) -> None:
        self.crawler = crawler
        self.resolver = resolver or _system_resolve
        self.tuning = tuning or Tuning()
        self.rng = rng or random.Random()
        self._gates: dict[str, _HostGate] = {}
        # host -> loop time before which it asked (Retry-After on a 429/503) to get no request from us
        self._quiet_until: dict[str, float] = {}
        # (host, port) that passed the early check in check_address; a direct connection is checked again
        self._resolved: set[tuple[str, int]] = set()
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        # origin -> why its robots.txt could not be read: told with each page it postpones (a certificate
        # refused there says what to do, crawler.ca_file, where "unreachable" alone would not)
        self._robots_failures: dict[str, str] = {}
        self._client: httpx.AsyncClient | None = None  # direct connections, pinned to checked addresses
        self._proxy_client: httpx.AsyncClient | None = None  # through crawler.proxy, when one is set
        self.product_token = crawler.user_agent.split("/")[0].strip() or "*"
        # called as on_robots(url, status, bytes, duration_ms, outcome, error) so robots.txt fetches are logged too
        self.on_robots: Callable[..., None] | None = None

    async def __aenter__(self) -> "Fetcher":
        # per-host limits are ours (_HostGate); a large idle pool only makes httpcore's bookkeeping slower
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=32)
        ssl_context = _tls_context(self.crawler)  # one for every connection: crawler.ca_file is read once
        self._client = self._new_client(_pinned_transport(_PinnedBackend(self._connect_addresses), limits, ssl_context))
        if self.crawler.proxy:
            self._proxy_client = self._new_client(_proxied_transport(self.crawler, limits, ssl_context))
        return self

    def _new_client(self, transport: httpx.AsyncHTTPTransport) -> httpx.AsyncClient:
        t = self.crawler.timeout_seconds
        return httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(t, connect=t, read=t, write=t, pool=None),
            transport=transport,
            headers={"User-Agent": self.crawler.user_agent_header, "Accept-Language": "vi,en;q=0.5",
                     "Accept-Encoding": ACCEPT_ENCODING},
            trust_env=False,  # no proxy, certificate or .netrc from the environment: feeds.yaml says how we connect
        )

    async def __aexit__(self, *exc) -> None:
        for client in (self._client, self._proxy_client):
            if client is not None:
                await client.aclose()
        self._client = self._proxy_client = None

    def _client_for(self, url: str) -> tuple[httpx.AsyncClient, str]:
        """(the client for `url`, the proxy it goes through or "" when direct)."""
        if self._proxy_client is not None:
            proxy = self.crawler.proxy_for(urlsplit(url).hostname or "")
            if proxy:
                return self._proxy_client, proxy
        return self._client, ""

    # ------------------------------------------------------------------ policy

    async def check_address(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise AddressRefused(f"only http and https URLs are fetched; refused {url!r}", url=url,
                                 hint="fix the link or the feed URL in feeds.yaml")
        host = parts.hostname
        if not host:
            raise AddressRefused(f"no host in URL {url!r}", url=url)
        if self.crawler.allow_private_addresses:
            return
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if (host, port) in self._resolved:
            return
        # early, so that a refused host gets no request at all (not even for its robots.txt); what is
        # binding is the same check on the addresses connected to (_connect_addresses)
        try:
            addresses = await self._resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise FetchError(fetch_reason("dns", f"{url}: cannot resolve host {host}: {exc}", host=host),
                             url=url) from None
        if not addresses:
            raise FetchError(fetch_reason("dns", f"{url}: host {host} has no address", host=host), url=url)
        self._refuse_non_public(host, addresses, url)
        self._resolved.add((host, port))

    async def _resolve(self, host: str, port: int) -> list[ipaddress._BaseAddress]:
        try:
            return [ipaddress.ip_address(host.strip("[]"))]
        except ValueError:
            pass
        addresses: list[ipaddress._BaseAddress] = []
        for a in await self.resolver(host, port):
            ip = ipaddress.ip_address(a.split("%")[0])  # a link-local's zone (%eth0): refused anyway
            if ip not in addresses:
                addresses.append(ip)
        return addresses

    def _refuse_non_public(self, host: str, addresses: list[ipaddress._BaseAddress], url: str = "") -> None:
        bad = [str(a) for a in addresses if address_refused(a)]
        if bad:
            raise AddressRefused(
                fetch_reason("private-address", f"{host} resolves to a private, loopback or link-local address, or "
                             f"another that is not a public internet one ({', '.join(bad)}); refused because "
                             "crawler.allow_private_addresses is false", host=host, addresses=", ".join(bad)),
                url=url, hint="for a feed on the office's intranet or on this machine, set crawler.allow_private_addresses: "
                              "true (the crawler may then reach any address on the local network)")

    async def _connect_addresses(self, host: str, port: int) -> list[str]:
        """The addresses a new connection to host:port may go to (called by _PinnedBackend at connect time).

        Resolved now, for this connection, and checked: the address connected to is the one checked, so a
        name whose DNS answer changes between our check and the connection (DNS rebinding) cannot lead us
        to a private address. Raises AddressRefused (through httpx unchanged) when any address is refused.
        """
        try:
            addresses = await self._resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve host {host}: {exc}") from None
        if not self.crawler.allow_private_addresses:
            self._refuse_non_public(host, addresses)
        return [str(a) for a in addresses]

    def _gate(self, url: str) -> _HostGate:
        host = (urlsplit(url).hostname or "").lower()
        gate = self._gates.get(host)
        if gate is None:
            gate = self._gates[host] = _HostGate(self.crawler.max_connections_per_host, self.crawler.min_delay_seconds)
        return gate

    def quiet_for(self, url: str) -> float | None:
        """Seconds left before the URL's host may be asked again (its Retry-After), or None."""
        until = self._quiet_until.get((urlsplit(url).hostname or "").lower())
        if until is None:
            return None
        left = until - asyncio.get_running_loop().time()
        return left if left > 0 else None

    def _keep_quiet(self, url: str, seconds: float) -> None:
        host = (urlsplit(url).hostname or "").lower()
        until = asyncio.get_running_loop().time() + seconds
        self._quiet_until[host] = max(until, self._quiet_until.get(host, 0.0))

    def backoff(self, attempt: int) -> float:
        base = min(self.tuning.retry_max_delay, self.tuning.retry_base_delay * (2 ** attempt))
        return base * (0.5 + self.rng.random() / 2)

    # ------------------------------------------------------------------ fetching

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                    kind: str = "feed", robots: bool = False) -> FetchResult:
        """GET with retries; returns 2xx or 304 results, raises FetchError for everything else."""
        if self._client is None:
            raise RuntimeError("use `async with Fetcher(...)`")
        await self.check_address(url)  # before robots.txt: a refused host gets no request at all
        if robots and self.crawler.respect_robots and not await self.robots_allow(url):
            raise RobotsDisallowed(f"robots.txt of {urlsplit(url).hostname} disallows {url}", url=url)
        headers = {"Accept": FEED_ACCEPT if kind == "feed" else PAGE_ACCEPT}
        # only the server's own validators are sent back; we never make one up
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        started = time.monotonic()
        attempt = 0
        while True:
            try:
                result = await self._follow(url, headers, robots=robots and self.crawler.respect_robots)
                return FetchResult(url=url, final_url=result[0], status=result[1], body=result[3], headers=result[2],
                                   duration_ms=int((time.monotonic() - started) * 1000), attempts=attempt + 1)
            except _Retryable as r:
                if r.retry_after is not None:
                    # kept on the error whether or not we retry here: the caller reschedules the source
                    # or page no earlier than the server asked, also after the last attempt
                    r.error.retry_after = r.retry_after
                if attempt >= self.crawler.max_retries:
                    raise r.error from None
                delay = self.backoff(attempt)
                if r.retry_after is not None:
                    if r.retry_after > self.tuning.max_retry_after:
                        raise r.error from None
                    delay = r.retry_after
                attempt += 1
                await asyncio.sleep(delay)

    async def _follow(self, url: str, headers: dict[str, str], *, robots: bool = False) -> tuple[str, int, dict[str, str], bytes]:
        seen = {url}
        current = url
        for _ in range(self.crawler.max_redirects + 1):
            await self.check_address(current)
            # every hop obeys the robots.txt of its own host: a short link must not open a disallowed page
            if robots and current != url and not await self.robots_allow(current):
                raise RobotsDisallowed(f"robots.txt of {urlsplit(current).hostname} disallows {current} "
                                       f"(redirected from {url})", url=url)
            status, resp_headers, body = await self._one(current, headers)
            if status == 407:  # from the office's proxy, about us, not from the site
                raise _status_error(fetch_reason("proxy-auth", f"the proxy asked for credentials fetching {current} "
                                                               "(HTTP 407)"), url, status, hint=_PROXY_AUTH_HINT)
            if status in REDIRECT_CODES:
                location = resp_headers.get("location")
                if not location:
                    raise _status_error(f"redirect without a Location header from {current}", url, status)
                try:
                    # as it will be requested: percent-encoded, so that what a Location header carries (a C1
                    # control or a bidi override, which HTTP lets through as UTF-8) never reaches an error
                    # message, the fetch log or a terminal as it is
                    target = str(httpx.URL(urljoin(current, location)))
                except (httpx.InvalidURL, ValueError):
                    raise _status_error(f"HTTP {status} from {current} redirects to an unusable address {location!r}",
                                        url, status) from None
                if target in seen:
                    raise TooManyRedirects(fetch_reason("redirects", f"redirect loop at {target} (started at {url})"),
                                           url=url, status=status)
                seen.add(target)
                current = target
                continue
            if status in RETRY_CODES:
                retry_after = parse_retry_after(resp_headers.get("retry-after")) if status in (429, 503) else None
                if retry_after:
                    self._keep_quiet(current, retry_after)  # the whole host asked, not this one URL
                raise _Retryable(_http_error(status, current, url), retry_after)
            if status >= 400:
                raise _http_error(status, current, url)
            return current, status, resp_headers, body
        raise TooManyRedirects(fetch_reason("redirects", f"more than {self.crawler.max_redirects} redirects starting "
                                                         f"at {url}"), url=url)

    async def _one(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        limit = self.crawler.max_body_bytes
        total_timeout = self.crawler.timeout_seconds * self.tuning.total_timeout_factor
        async with self._gate(url):
            quiet = self.quiet_for(url)
            if quiet is not None:
                if quiet > self.tuning.max_retry_after:
                    # no request at all: the error carries the wait so the caller reschedules after it
                    host = urlsplit(url).hostname or ""
                    raise _Retryable(_status_error(fetch_reason(
                        "retry-after", f"{url}: {host} asked us (Retry-After) to send no request for {quiet:.0f} s "
                                       "more; postponed", host=host, seconds=f"{quiet:.0f}"), url, None), quiet)
                await asyncio.sleep(quiet)  # holding the host's gate: its other requests wait too
            client, proxy = self._client_for(url)
            via = f" (through the proxy {proxy})" if proxy else ""
            peer = _TLSPeer()
            try:
                async with asyncio.timeout(total_timeout):
                    async with client.stream("GET", url, headers=headers, extensions={"trace": peer}) as resp:
                        resp_headers = {k.lower(): v for k, v in resp.headers.items()}
                        status = resp.status_code
                        # a redirect, an error or a 304 is answered by its status: its body is never read
                        if status in REDIRECT_CODES or status in RETRY_CODES or status == 304 or status >= 400:
                            return status, resp_headers, b""
                        return status, resp_headers, await self._read_body(url, resp, resp_headers, limit)
            except TimeoutError:
                raise _Retryable(FetchTimeout(fetch_reason(
                    "timeout", f"{url}{via}: no complete answer within {total_timeout:g} s",
                    seconds=_seconds(total_timeout)), url=url)) from None
            except httpx.TimeoutException as exc:
                raise _Retryable(FetchTimeout(fetch_reason(
                    "timeout", f"{url}{via}: {type(exc).__name__}", seconds=_seconds(self.crawler.timeout_seconds)),
                    url=url)) from None
            except httpx.ProxyError as exc:
                # the proxy refused the CONNECT tunnel of an https URL: "407 ...", "403 ..." (a site it blocks)
                # will not change on a retry; a 5xx or a dropped tunnel may
                code = str(exc).split(" ", 1)[0]
                final = code.isdigit() and 400 <= int(code) < 500
                kind = "proxy-auth" if code == "407" else "proxy-refused" if final else "proxy"
                error = FetchError(fetch_reason(kind, f"the proxy {proxy} refused to connect to {url}: {exc}",
                                                status=code), url=url,
                                   status=int(code) if code.isdigit() else None,
                                   hint=_PROXY_AUTH_HINT if code == "407" else "")
                if final:
                    raise error from None
                raise _Retryable(error) from None
            except AddressRefused as exc:  # from the connection itself (_connect_addresses), which has no URL
                exc.url = exc.url or url
                raise
            except (httpx.TransportError, httpx.InvalidURL) as exc:
                if isinstance(exc, httpx.UnsupportedProtocol) or isinstance(exc, httpx.InvalidURL):
                    raise FetchError(f"cannot fetch {url}: {exc}", url=url) from None
                failure = _certificate_failure(exc)
                if failure is not None:  # the same certificate would be refused on a retry: not retried
                    raise _certificate_refused(url, peer.host or urlsplit(url).hostname or "", failure, self.crawler,
                                               via) from None
                raise _Retryable(_transport_failure(exc, url, via)) from None

    @staticmethod
    async def _read_body(url: str, resp: httpx.Response, resp_headers: dict[str, str], limit: int) -> bytes:
        """The body, decompressed by us (never by httpx): at most `limit` bytes on the wire and once decoded."""
        codings = [c.strip().lower() for c in resp_headers.get("content-encoding", "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in _ZLIB_WBITS):
            raise BadContentEncoding(fetch_reason(
                "encoding", f"{url} answered with Content-Encoding {resp_headers['content-encoding']!r}; we ask only "
                            f"for {ACCEPT_ENCODING}, one at a time; refused unread"), url=url, status=resp.status_code)
        declared = resp_headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise ResponseTooLarge(fetch_reason("too-large", f"{url} announces {declared} bytes, over the "
                                                             f"{limit}-byte limit", limit=limit),
                                   url=url, status=resp.status_code)
        inflater = _Inflater(codings[0], limit) if codings else None
        chunks, size = [], 0
        try:
            async for raw in resp.aiter_raw():
                size += len(raw)
                if size > limit:
                    raise ResponseTooLarge(fetch_reason("too-large", f"{url} sent more than the {limit}-byte limit; "
                                                                     "aborted", limit=limit),
                                           url=url, status=resp.status_code)
                if inflater is None:
                    chunks.append(raw)
                    continue
                chunks += inflater.feed(raw)
                if inflater.size > limit:
                    raise ResponseTooLarge(fetch_reason("too-large", f"{url} sent more than the {limit}-byte limit "
                                                                     f"once decompressed ({codings[0]}, {size} bytes "
                                                                     "compressed); aborted", limit=limit),
                                           url=url, status=resp.status_code)
            if inflater:
                chunks.append(inflater.finish())
                if inflater.size > limit:
                    raise ResponseTooLarge(fetch_reason("too-large", f"{url} sent more than the {limit}-byte limit "
                                                                     "once decompressed; aborted", limit=limit),
                                           url=url, status=resp.status_code)
        except zlib.error as exc:
            raise BadContentEncoding(fetch_reason("encoding", f"undecodable compressed body ({codings[0]}) from {url}: "
                                                              f"{exc}"), url=url, status=resp.status_code) from None
        return b"".join(chunks)

    # ------------------------------------------------------------------ robots.txt

    async def robots_allow(self, url: str) -> bool:
        """Per RFC 9309: 4xx = no rules; 5xx, 429 or unreachable = disallow for now (retried on a later run)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            if origin not in self._robots:
                self._robots[origin] = await self._load_robots(origin)
        parser = self._robots[origin]
        if parser is None:
            why = self._robots_failures.get(origin)
            exc = FetchError(fetch_reason("robots-unreachable", f"{url}: robots.txt of {parts.hostname} is unreachable"
                                                                f"{f' ({why})' if why else ''}; page postponed",
                                          host=parts.hostname), url=url)
            exc.retry_after = self.quiet_for(url)  # a robots.txt answered 429 + Retry-After: wait that long
            raise exc
        return parser.can_fetch(self.product_token, url)

    async def _load_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | None:
        parser = urllib.robotparser.RobotFileParser()
        url = origin + "/robots.txt"
        started = time.monotonic()
        try:
            result = await self.fetch(url, kind="robots")
        except HTTPStatusError as exc:
            self._report_robots(url, exc.status, 0, started, "error", str(exc))
            # 429 is the host asking us to slow down, not "there is no robots.txt": like 5xx, postpone
            if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                parser.parse([])
                return parser
            self._robots_failures[origin] = str(exc)
            return None
        except FetchError as exc:
            self._report_robots(url, exc.status, 0, started, "error", f"{type(exc).__name__}: {exc}")
            self._robots_failures[origin] = f"{type(exc).__name__}: {exc}"
            return None
        self._report_robots(url, result.status, len(result.body), started, "ok", None)
        parser.parse(result.body.decode("utf-8", "replace").splitlines())
        return parser

    def _report_robots(self, url: str, status: int | None, size: int, started: float, outcome: str, error: str | None) -> None:
        if self.on_robots is not None:
            self.on_robots(url, status, size, int((time.monotonic() - started) * 1000), outcome, error)


class _Retryable(Exception):
    def __init__(self, error: FetchError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float, *,
              on_hand_over: Callable[[], None] | None = None, crawler: Crawler | None = None,
              deadline: float = POST_DEADLINE) -> int:
    """One POST of a JSON body (alert webhooks, Telegram); returns the status, raises FetchError on failure.

    Kept here so that httpx and its exceptions stay in this one module. Loopback receivers are reached
    directly, never through a proxy. Others go through the office's proxy when `crawler` (the
    configuration's crawler section) sets one, directly when their host is under its no_proxy, and
    otherwise through the environment's proxy (HTTPS_PROXY, ...) if any. Certificates are checked against
    the default authorities and crawler.ca_file's; one that does not verify is CertificateRefused.

    As for an e-mail (monitor.mail), what a failure means depends on when it happens. Until the whole
    request has been written the receiver has nothing to act on: a connect error or timeout, or a
    failed write, is a plain FetchError (FetchTimeout) and a retry is safe. Once the body is written, a
    timeout waiting for the answer or a dropped connection leaves us not knowing whether the receiver
    took it (a slow receiver that answers after our timeout usually has): RequestInDoubt. An answer,
    even a 5xx, says what happened: HTTPStatusError. `on_hand_over` is called just before the request
    is written, so that a caller can record that it may be about to arrive.
    `timeout` bounds each wait (connecting, each write, each read); `deadline` (seconds) bounds the whole
    exchange, which per-read timeouts alone do not: a receiver trickling its answer a byte at a time resets
    them with each byte and would hold the caller (an alert delivery run) for ever. Past it the connection
    is cut and the POST fails as a timeout would (in doubt if the body was written).
    """
    host = urlsplit(url).hostname or ""
    if urlsplit(url).scheme not in ("http", "https"):
        raise AddressRefused(f"only http(s) URLs can be posted to; got {url.split('?')[0]!r}", url=url)
    loopback = host in ("127.0.0.1", "localhost", "::1")
    # crawler.ca_file's authorities are trusted here too, besides the default ones (an https receiver or
    # Telegram seen through an office network that inspects TLS)
    tls = _tls_context(crawler, trust_env=crawler.proxy == "" and not loopback) \
        if crawler is not None and crawler.ca_file is not None else None
    if crawler is not None and crawler.proxy:
        # the office's proxy replaces the environment's, and no_proxy is the file's, not NO_PROXY
        proxy = "" if loopback else crawler.proxy_for(host)
        options = {"trust_env": False, "proxy": _proxy(crawler, tls) if proxy else None}
    else:
        proxy, options = "", {"trust_env": not loopback}
    if tls is not None:
        options["verify"] = tls
    progress = _PostProgress(on_hand_over, deadline)
    answer = ""
    try:
        with progress, httpx.Client(timeout=timeout, **options) as client:
            # the answer's status is all we act on: its body is read only for an error's text, and only its start
            # (uncompressed, so that a few bytes cannot expand to megabytes)
            with client.stream("POST", url, content=body, extensions={"trace": progress},
                               headers={"Content-Type": "application/json; charset=utf-8", "Accept-Encoding": "identity",
                                        **headers}) as response:
                status = response.status_code
                if status >= 400:
                    answer = _answer_text(response)
    except httpx.HTTPError as exc:
        failure = _certificate_failure(exc)
        if failure is not None:  # during the handshake, before anything was written: a plain failure
            raise _certificate_refused(url, progress.tls_host or host, failure, crawler,
                                       f" (through the proxy {proxy})" if proxy else "") from None
        raise _post_error(exc, url, timeout, progress.body_sent, proxy,
                          deadline=deadline if progress.expired else None) from None
    if status >= 400:
        raise HTTPStatusError(f"answered {status} {answer}".strip(), url=url, status=status)
    return status


def _answer_text(response: httpx.Response, limit: int = 300) -> str:
    """The start of an error answer, as one printable line for the outbox and `monitor alerts`: never more of it
    is read (the status says what happened; a receiver that streams without end must not hold the delivery run)."""
    data = b""
    try:
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) >= 4 * limit:
                break
    except httpx.HTTPError:
        pass  # the status is the answer; its text is only a help
    return " ".join(printable(data.decode("utf-8", "replace")).split())[:limit]


class _PostProgress:
    """httpcore's trace callback for one POST: calls `on_hand_over` before the request is written and
    remembers whether its body was written whole (httpcore carries on after a failed write to read an
    early answer, so a later read timeout alone does not prove the body arrived).

    Also the POST's deadline, as a context manager (monitor.deadline: the sockets the exchange connected, the
    receiver's or the proxy's, are cut when it is over). httpx has no deadline of its own for a whole exchange;
    a timer reaches every transport httpx may pick (direct, the office's proxy, the environment's) where a
    network backend of our own would have to be put into each."""

    def __init__(self, on_hand_over: Callable[[], None] | None, deadline: float = POST_DEADLINE) -> None:
        self.on_hand_over = on_hand_over
        self.body_sent = False
        self.tls_host = ""  # whose certificate the latest TLS handshake checked (as _TLSPeer)
        self._tunnel = False  # the exchange being written is the CONNECT to a proxy, not our request
        self.deadline = SocketDeadline(deadline)

    def __enter__(self) -> "_PostProgress":
        self.deadline.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.deadline.__exit__(*exc)

    @property
    def expired(self) -> bool:
        return self.deadline.expired

    def __call__(self, event: str, info: dict) -> None:
        if event.endswith(".connect_tcp.complete"):
            sock = info["return_value"].get_extra_info("socket")
            if sock is not None:
                self.deadline.watch(sock)
        elif event.endswith(".start_tls.started"):
            self.tls_host = info.get("server_hostname") or ""
        elif event.endswith(".send_request_headers.started"):
            # a CONNECT (an https URL through a proxy) is traced like a request: it hands nothing over
            self._tunnel = getattr(info.get("request"), "method", b"") == b"CONNECT"
            if not self._tunnel and self.on_hand_over is not None:
                self.on_hand_over()
        elif event.endswith(".send_request_body.complete") and not self._tunnel:
            self.body_sent = True


def _post_error(exc: httpx.HTTPError, url: str, timeout: float, body_sent: bool, proxy: str = "", *,
                deadline: float | None = None) -> FetchError:
    """The httpx failure of a POST as a FetchError: in doubt when the receiver had the whole request.
    `deadline`: the POST's deadline, when it is what ended the exchange (its connection cut)."""
    via = f" (through the proxy {proxy})" if proxy else ""
    if deadline is not None:
        if body_sent:
            return RequestInDoubt(f"sent{via}, but no complete answer within {deadline:g} s; "
                                  "the receiver may have taken it", url=url)
        return FetchTimeout(f"not sent within {deadline:g} s{via}", url=url)
    if body_sent and isinstance(exc, httpx.TransportError):
        what = f"no answer within {timeout:g} s" if isinstance(exc, httpx.TimeoutException) \
            else f"connection lost before the answer ({type(exc).__name__}: {exc})"
        return RequestInDoubt(f"sent{via}, but {what}; the receiver may have taken it", url=url)
    if isinstance(exc, httpx.TimeoutException):
        return FetchTimeout(f"no answer in time ({type(exc).__name__}, {timeout:g} s){via}", url=url)
    if isinstance(exc, httpx.ProxyError):
        return FetchError(f"the proxy {proxy} refused to connect: {exc}", url=url,
                          hint=_PROXY_AUTH_HINT if str(exc).startswith("407") else "")
    return FetchError(f"connection failed{via}: {exc}", url=url)
