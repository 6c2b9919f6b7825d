"""Canonical article URLs: one article, one URL, however the feeds, apps and share buttons decorate it.

Outlets link the same article with tracking parameters (utm_*, fbclid, zarsrc from Zalo shares), with
a fragment, from a mobile host (m.), as an AMP page (amp. host or /amp/ path) — all of them must land on
the one stored article. Pure functions, no network.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

# Parameters that identify a click, not a document. Matched case-insensitively; a trailing "*" is a prefix.
TRACKING_PARAMS = (
    "utm_*", "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid",
    "zarsrc", "zaloid", "_ga", "_gl", "ref_src", "itm_source", "itm_medium",
    "itm_campaign", "itm_content", "vn_source", "vn_medium", "vn_campaign", "vn_content", "vn_term",
    "s_cid", "cmpid", "ncid", "spm", "gidzl", "amp",
)

_MOBILE_PREFIXES = ("m.", "mobile.", "amp.")
_AMP_PATH = re.compile(r"/amp(?=/|$)")
_AMP_SUFFIX = re.compile(r"\.amp(?=\.html?$|$)")


def _is_tracking(name: str) -> bool:
    name = name.lower()
    for p in TRACKING_PARAMS:
        if p.endswith("*") and name.startswith(p[:-1]) or name == p:
            return True
    return False


# already canonical: lowercase scheme and host, plain path, no query, fragment, dot segment or AMP/mobile marker
_PLAIN = re.compile(r"^https?://(?!(?:m|mobile|amp)\.)[a-z0-9.-]+(?::\d+)?(?:/[A-Za-z0-9_~,;=!$&'()*+@:-]+(?:\.[A-Za-z0-9_~-]+)*)*/?$")


def canonical_url(url: str, base: str | None = None) -> str:
    """The identity of an article URL (relative URLs resolved against `base`)."""
    url = (url or "").strip()
    if _PLAIN.match(url) and "/amp" not in url and ".amp" not in url and not re.search(r":(80|443)(/|$)", url):
        return url if url.count("/") > 2 else url + "/"
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    for prefix in _MOBILE_PREFIXES:
        # "m.vnexpress.net" -> "vnexpress.net", but never strip a host down to a bare TLD
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
            break
    port = parts.port
    netloc = host
    if port and not (scheme == "http" and port == 80 or scheme == "https" and port == 443):
        netloc = f"{host}:{port}"
    path = parts.path or "/"
    path = _AMP_PATH.sub("", path) or "/"
    path = _AMP_SUFFIX.sub("", path)
    # normalise percent-encoding (decode what needs no encoding, encode what does) and dot segments
    path = quote(unquote(path), safe="/:@!$&'()*+,;=-._~")
    if "/./" in path or "/../" in path:
        path = posixpath.normpath(path) + ("/" if path.endswith("/") else "")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def is_web_url(url: str) -> bool:
    """Whether `url` can be an article's address: http(s), with a host made of letters, digits, "-", "." and
    "_" (or an IP address). A feed link to file:, javascript: or data:, or whose host carries a control, bidi
    or space character, is no page we could fetch, and its text would reach a terminal or a document as is."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(host) and all(c.isalnum() or c in "-._:" for c in host)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def origin_of(url: str) -> str:
    p = urlsplit(url)
    return f"{p.scheme}://{p.netloc}"


def same_article_urls(url: str) -> list[str]:
    """`url` under the other scheme and with/without "www.": the same article to every outlet we read.

    These are not folded into `canonical_url`, because the canonical URL is also the one we fetch, and a
    site may answer on one scheme or host name only; the store looks these up before creating an article.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return []
    host = parts.hostname
    hosts = [host]
    if not re.fullmatch(r"[\d.]+|\[.*\]", host) and "." in host:
        hosts.append(host[4:] if host.startswith("www.") and host.count(".") >= 2 else "www." + host)
    port = f":{parts.port}" if parts.port else ""
    out = []
    for scheme in ("https", "http"):
        for h in hosts:
            candidate = urlunsplit((scheme, h + port, parts.path, parts.query, ""))
            if candidate != url:
                out.append(candidate)
    return out
