"""Feed bytes -> FeedEntry list (RSS 0.9x/1.0/2.0, Atom). Pure: no network, no clock (`now` is passed in).

Dates are read from the raw string, not from feedparser's *_parsed struct: that struct is UTC and
cannot tell "+0700" from "no zone given", and one aggregator stored it as local time and got every
article 7 hours early. A date without a zone is office time (Asia/Ho_Chi_Minh), a future date is clamped
to now, a missing one becomes the first-seen time — each flagged so the digest can say so.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import feedparser

from monitor.charsets import decode, nfc, printable
from monitor.errors import FeedError, NotAFeed, fetch_reason
from monitor.models import FeedEntry
from monitor.urls import canonical_url, is_web_url

OFFICE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FUTURE_TOLERANCE = timedelta(minutes=5)  # clock skew between us and the newsroom is not "the future"

# Items read from one answer. A news feed lists a few dozen; a hostile or broken one listing tens of thousands
# (a 5 MB body holds ~100,000 short items) would have them all stored, classified and grouped into stories in
# one crawl, whose grouping of near-copies grows with the square of their number (20,000 took over 25 minutes).
MAX_ITEMS = 500

_WS = re.compile(r"\s+")
# A tag is "<" + an element name + attributes in HTML's own syntax. Anything else is text: "&lt; 20 điểm,
# &gt; 15" decodes to "< 20 điểm, > 15", and a loose "<[^>]+>" ate everything between the two signs.
_ATTRS = r"""(?:\s+[A-Za-z_:@][-A-Za-z0-9_:.]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>`=]+))?)*\s*/?>"""
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9]*(?![A-Za-z0-9])" + _ATTRS, re.S)
_INLINE_TAG = re.compile(r"</?(?:a|b|i|em|strong|span|u|font|sup|sub|small|mark)(?![A-Za-z0-9])" + _ATTRS, re.I)
_DROP_BLOCKS = re.compile(r"<(script|style|iframe|video|audio|figure|picture|ul|ol|table)\b.*?</\1\s*>", re.I | re.S)
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF|RDF)[\s>]", re.I)
_HTML_ROOT = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html|<head|<body|<script)", re.I | re.S)
_XML_DECL_ENC = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._:-]+)(["'])""", re.I)
# a leading newsroom tag on a sapo: "(Dân trí) - ", "(NLĐO) - ", "(Chinhphu.vn) - ", "TPO - ", "GD&TĐ - "
_SAPO_TAG = re.compile(r"^\s*(\([^()]{2,30}\)|TPO|GD&TĐ|NDO|VOV\.VN|ANTĐ|PLO|VTC News)\s*[-–—:]\s*", re.I)


@dataclass(frozen=True)
class ParsedFeed:
    entries: tuple[FeedEntry, ...]
    title: str = ""
    version: str = ""  # feedparser's name for the format, e.g. rss20, atom10
    encoding: str = "utf-8"
    problems: tuple[str, ...] = field(default_factory=tuple)  # malformed XML, charset mismatch, skipped items


def clean_text(value: str | None) -> str:
    """Entities decoded (twice-escaped ones too), tags dropped, whitespace collapsed, NFC."""
    text = value or ""
    for _ in range(3):
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    if "<" in text:
        text = _TAG.sub(" ", _INLINE_TAG.sub("", text))
    return printable(_WS.sub(" ", text).strip())


def strip_sapo_tag(sapo: str) -> str:
    return _SAPO_TAG.sub("", sapo, count=1)


def sapo_from_description(description: str | None) -> str:
    """The description's text without its thumbnail, image links, scripts or embedded link lists.

    Regular expressions rather than an HTML parser: descriptions are short fragments, and a crawl
    reads tens of thousands of them (a parser per fragment was a third of a first poll's time).
    """
    if not description:
        return ""
    text = _DROP_BLOCKS.sub(" ", description) if "<" in description else description
    return strip_sapo_tag(clean_text(text))


# ------------------------------------------------------------------ dates

_GMT_OFFSET = re.compile(r"\s*(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\s*$", re.I)
# "(GMT+7)" as VnExpress prints it: the zone, not an RFC 822 comment
_PAREN_GMT = re.compile(r"\(\s*((?:GMT|UTC)\s*[+-]\s*\d{1,2}(?::?\d{2})?)\s*\)", re.I)
# "+07:00" after the time: email.utils reads only "+0700" and takes the colon form for no zone at all
_COLON_OFFSET = re.compile(r"\s+([+-])(\d{2}):(\d{2})$")
_TRAILING_OFFSET = re.compile(r"\s[+-]\d{4}$")
# "Thứ tư, ", "Chủ nhật, ", "Ngày " before a Vietnamese page date
_VI_PREFIX = re.compile(r"^(?:(?:thứ\s+\w+|chủ\s+nhật)\s*,?\s*)?(?:ngày\s+)?", re.I)
_LOCAL_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y, %H:%M", "%d/%m/%Y - %H:%M", "%H:%M - %d/%m/%Y",
                  "%H:%M %d/%m/%Y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                  "%d/%m/%Y", "%Y-%m-%d")


def parse_date(raw: str | None, tz: tzinfo = OFFICE_TZ) -> tuple[datetime | None, bool]:
    """(aware datetime, zone_was_given) from an RFC 822, ISO 8601 or Vietnamese-style date; (None, False) if unreadable."""
    if not raw:
        return None, False
    text = _VI_PREFIX.sub("", _PAREN_GMT.sub(r"\1", nfc(raw).strip()), count=1).strip()
    # "Wed, 26 Nov 2025 10:30:00 GMT+7" (Tuổi Trẻ) is not RFC 822; rewrite the zone as +0700
    m = _GMT_OFFSET.search(text) or _COLON_OFFSET.search(text)
    if m:
        sign, hh, mm = m.group(1), int(m.group(2)), int(m.group(3) or 0)
        text = text[: m.start()] + f" {sign}{hh:02d}{mm:02d}"
    if re.search(r"[A-Za-z]{3}", text):
        try:
            rfc = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            rfc = None
        if rfc is not None and rfc.year > 1900:
            # naive means no zone, or "-0000" (RFC 5322: zone unknown): office time, flagged
            return (rfc.replace(tzinfo=tz), False) if rfc.tzinfo is None else (rfc, True)
    iso = text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text
    try:
        dt = datetime.fromisoformat(iso.replace(" +", "+").replace(" -", "-"))
    except ValueError:
        dt = None
    if dt is None:
        # "26/11/2025, 10:30 +0700": a page date whose zone was written as GMT+7
        zone = " %z" if _TRAILING_OFFSET.search(text) else ""
        for fmt in _LOCAL_FORMATS:
            try:
                dt = datetime.strptime(text, fmt + zone)
                break
            except ValueError:
                continue
    if dt is None:
        return None, False
    if dt.tzinfo is None:
        return dt.replace(tzinfo=tz), False
    return dt, True


def resolve_published(raw: str | None, now: datetime, tz: tzinfo = OFFICE_TZ) -> tuple[datetime, str]:
    """A publication time that is always aware and never in the future, with its flag."""
    dt, zoned = parse_date(raw, tz)
    if dt is None:
        return now, "missing"
    if dt > now + FUTURE_TOLERANCE:
        return now, "future"
    if dt > now:
        dt = now
    return dt, ("ok" if zoned else "no-zone")


# ------------------------------------------------------------------ feeds


def looks_like_html(body: bytes) -> bool:
    head = body[:4096]
    if _FEED_ROOT.search(head):
        return False
    return bool(_HTML_ROOT.match(head)) or b"<html" in head.lower()


def _raw_date(entry) -> str | None:
    for key in ("published", "pubdate", "updated", "created", "issued", "date", "dc_date"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


_DC = "{http://purl.org/dc/elements/1.1/}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_RSS_VERSIONS = {"2.0": "rss20", "0.91": "rss091", "0.92": "rss092", "0.93": "rss093", "0.94": "rss094"}


def _fast_rss(data: bytes) -> tuple[str, str, list[dict]] | None:
    """(version, channel title, items) for well-formed RSS 0.9x/2.0, read with lxml; None for anything else.

    Every outlet we poll serves plain RSS 2.0, and feedparser spends ~10 ms on a 20-item feed where
    lxml needs well under 1 ms — the difference between a CPU-bound and an I/O-bound crawl of many
    feeds. Anything unusual (Atom, RSS 1.0, broken XML) goes to feedparser, which is also the
    reference the fast path is tested against.
    """
    from lxml import etree

    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, recover=False))
    except (etree.XMLSyntaxError, ValueError):
        return None
    version = _RSS_VERSIONS.get(root.get("version", ""))
    if root.tag != "rss" or version is None:
        return None
    channel = root.find("channel")
    if channel is None:
        return None
    items = []
    for node in channel.findall("item"):
        item: dict[str, str] = {}
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else ""
            text = (child.text or "") if len(child) == 0 else etree.tostring(child, method="text", encoding="unicode")
            if tag == "title":
                item["title"] = text
            elif tag == "link":
                item["link"] = text.strip()
            elif tag == "guid":
                item["id"] = text.strip()
            elif tag == "description":
                item["summary"] = text
            elif tag == _CONTENT:
                item.setdefault("content_encoded", text)
            elif tag == "pubDate":
                item["published"] = text
            elif tag == _DC + "date":
                item["updated"] = text
            elif tag in ("author", _DC + "creator"):
                item.setdefault("author", text.strip())
        if not item.get("summary") and item.get("content_encoded"):
            item["summary"] = item["content_encoded"]
        items.append(item)
    return version, channel.findtext("title") or "", items


def _feedparser(data: bytes, problems: list[str], feed_url: str = "") -> tuple[str, str, list]:
    parsed = feedparser.parse(data, response_headers={"content-type": "application/xml; charset=utf-8"},
                              sanitize_html=False, resolve_relative_uris=False)
    if parsed.bozo:
        problems.append(f"malformed feed ({type(parsed.bozo_exception).__name__}: {parsed.bozo_exception}); "
                        f"kept the {len(parsed.entries)} item(s) that could be read")
    if parsed.bozo and not parsed.entries:
        raise FeedError(fetch_reason("malformed", f"{feed_url}: broken XML with no readable item: {problems[-1]}"))
    if not parsed.version and not parsed.entries:
        raise FeedError(fetch_reason("not-a-feed", f"{feed_url}: not an RSS or Atom feed: "
                                                   f"{problems[-1] if problems else 'no feed element'}"))
    items = []
    for e in parsed.entries:
        item = dict(e)
        if not item.get("summary") and e.get("content"):
            item["summary"] = e["content"][0].get("value", "")
        items.append(item)
    return parsed.version or "", parsed.feed.get("title", ""), items


def parse_feed(body: bytes, *, source: str, feed_url: str, now: datetime, content_type: str | None = None,
               tz: tzinfo = OFFICE_TZ, engine: str = "auto") -> ParsedFeed:
    """Read a feed. Raises NotAFeed for an HTML page, FeedError for bytes with no feed in them.

    `engine`: "auto" (lxml for plain RSS, feedparser otherwise) or "feedparser" (always).
    """
    if not body.strip():
        raise FeedError(fetch_reason("empty", f"{feed_url}: the server sent an empty body instead of a feed"))
    if looks_like_html(body):
        raise NotAFeed(fetch_reason("html", f"{feed_url} answered with an HTML page, not a feed"))
    decoded = decode(body, content_type)
    problems: list[str] = []
    if decoded.problem:
        problems.append(decoded.problem)
    # hand the parser clean UTF-8 so it does not re-guess the charset we have just checked
    data = _XML_DECL_ENC.sub(lambda m: m.group(1) + "utf-8" + m.group(3), decoded.text, count=1).encode("utf-8")
    fast = _fast_rss(data) if engine == "auto" else None
    version, feed_title, items = fast if fast is not None else _feedparser(data, problems, feed_url)
    if len(items) > MAX_ITEMS:
        problems.append(f"the feed lists {len(items)} items; only the first {MAX_ITEMS} were read")
        items = items[:MAX_ITEMS]
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    skipped = unusable = 0
    for item in items:
        link = (item.get("link") or "").strip()
        guid = (item.get("id") or "").strip()
        if not link:
            link = guid if guid.startswith(("http://", "https://")) else ""
        if not link:
            skipped += 1
            continue
        try:
            url = canonical_url(link, base=feed_url)
        except ValueError:  # "http://host:abc/", "http://[host/": one such item must not cost the feed its others
            url = ""
        if not is_web_url(url):
            unusable += 1
            continue
        if url in seen:
            continue  # the same article twice in one feed
        seen.add(url)
        published, flag = resolve_published(_raw_date(item), now, tz)
        entries.append(FeedEntry(
            source=source, url=url, guid=nfc(guid or link), title=clean_text(item.get("title")),
            sapo=sapo_from_description(item.get("summary") or item.get("description") or ""),
            published=published, published_flag=flag, author=clean_text(item.get("author")),
        ))
    if skipped:
        problems.append(f"{skipped} item(s) without a link were skipped")
    if unusable:
        problems.append(f"{unusable} item(s) whose link is not an http(s) address of a site were skipped")
    return ParsedFeed(entries=tuple(entries), title=clean_text(feed_title), version=version,
                      encoding=decoded.encoding, problems=tuple(problems))
