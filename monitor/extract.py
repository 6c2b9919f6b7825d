"""Article page -> ExtractedPage. Pure: bytes and selectors in, text out.

Per-outlet CSS selectors (feeds.yaml) come first, each field a list tried in order; boilerplate inside
the body (related links, captions, ads, comment boxes) is removed before any text is read. When the
selectors find no body — the outlet redesigned its pages — trafilatura takes over, so a redesign makes
extraction rougher instead of empty.
"""

from __future__ import annotations

import logging
import re
import sys
from datetime import datetime, tzinfo

from bs4 import BeautifulSoup, Tag

from monitor.charsets import decode, printable
from monitor.config import Config, Outlet, Selectors
from monitor.errors import ExtractError, PageTooComplex
from monitor.feeds import OFFICE_TZ, clean_text, parse_date, strip_sapo_tag
from monitor.models import ExtractedPage
from monitor.urls import host_of

# boilerplate no outlet's body should contribute, whatever its selectors say
GENERIC_REMOVE = (
    "script", "style", "noscript", "iframe", "form", "button", "svg", "video", "audio", "figure", "figcaption",
    "aside", "nav", "footer", "ins", "object", "embed",
    "[class*=related]", "[class*=relate]", "[class*=comment]", "[id*=comment]", "[class*=advert]",
    "[class*=banner]", "[id*=ads]", "[class*=ads-]", "[class*=social]", "[class*=share]", "[class*=tags]",
    ".caption", ".Caption", ".Image", "[type=RelatedOneNews]",
)
# on a whole page (not a body) "footer"/"nav" are safe to drop but meta tags must stay
GENERIC_REMOVE_PAGE = tuple(s for s in GENERIC_REMOVE if s not in ("form",))
BLOCKS = ("p", "h2", "h3", "h4", "h5", "li", "blockquote", "pre")
MIN_BODY_CHARS = 80
# Elements (start tags) a page may have to be parsed. An article page has a few thousand; parsing and the
# boilerplate selectors cost ~0.1 ms an element, on the crawl's one thread, so a page of a million empty
# tags (5 MB) would hold the whole crawl for minutes. Counted on the bytes, before anything is parsed.
MAX_PAGE_ELEMENTS = 50_000
_START_TAG = re.compile(rb"<\x00?[A-Za-z]")  # the NUL: a page in UTF-16


def selectors_for(config: Config, outlet_name: str | None, url: str) -> tuple[Outlet | None, Selectors | None]:
    """The outlet of the source that listed the page, else the outlet owning the page's host."""
    outlet = config.outlet(outlet_name) if outlet_name else None
    if outlet is None:
        outlet = config.outlet_for_host(host_of(url))
    return outlet, (outlet.selectors if outlet else None)


def _value(el: Tag) -> str:
    if el.name == "meta":
        return el.get("content", "") or ""
    if el.get("datetime"):
        return el["datetime"]
    return el.get_text(" ")


def _first(soup: BeautifulSoup, selectors: tuple[str, ...]) -> tuple[Tag | None, str]:
    for sel in selectors:
        try:
            el = soup.select_one(sel)
        except Exception:  # noqa: BLE001 - a bad selector in feeds.yaml must not stop the crawl
            continue
        if el is not None:
            text = clean_text(_value(el))
            if text:
                return el, text
    return None, ""


def _body_text(body: Tag) -> str:
    paragraphs: list[str] = []
    blocks = body.find_all(BLOCKS)
    if blocks:
        for b in blocks:
            if b.find(BLOCKS):
                continue  # a container of blocks: its children speak for it
            text = clean_text(b.get_text(" "))
            if text:
                paragraphs.append(text)
    else:
        paragraphs = [clean_text(t) for t in body.get_text("\n").split("\n") if clean_text(t)]
    return "\n\n".join(paragraphs)


def _remove(node: Tag, selectors: tuple[str, ...]) -> None:
    for sel in selectors:
        try:
            found = node.select(sel)
        except Exception:  # noqa: BLE001
            continue
        for el in found:
            el.decompose()


def _published(raw: str, tz: tzinfo, now: datetime | None) -> datetime | None:
    dt, _zoned = parse_date(raw, tz)
    if dt is not None and now is not None and dt > now:
        return None  # a page date in the future is worse than the feed's
    return dt


def extract_with_selectors(soup: BeautifulSoup, sel: Selectors, tz: tzinfo, now: datetime | None) -> ExtractedPage | None:
    _, title = _first(soup, sel.title)
    _, sapo = _first(soup, sel.sapo)
    _, author = _first(soup, sel.author)
    _, date_text = _first(soup, sel.published)
    body_el = None
    for s in sel.body:
        try:
            body_el = soup.select_one(s)
        except Exception:  # noqa: BLE001
            body_el = None
        if body_el is not None:
            break
    if body_el is None:
        return None
    _remove(body_el, sel.remove)
    _remove(body_el, GENERIC_REMOVE)
    body = _body_text(body_el)
    if len(body) < MIN_BODY_CHARS:
        return None
    if sapo and body.startswith(sapo):
        body = body[len(sapo):].lstrip()
    return ExtractedPage(title=title, sapo=strip_sapo_tag(sapo), body=body, author=author,
                         published=_published(date_text, tz, now) if date_text else None, method="selectors")


def _drop_leading(body: str, repeats: tuple[str, ...]) -> str:
    """General extractors often start the body with the headline and the sapo again."""
    paragraphs = body.split("\n\n")
    wanted = {strip_sapo_tag(r).casefold() for r in repeats if r}
    while paragraphs and strip_sapo_tag(paragraphs[0]).casefold() in wanted:
        paragraphs.pop(0)
    return "\n\n".join(paragraphs)


def extract_with_trafilatura(html_text: str, url: str, tz: tzinfo, now: datetime | None) -> ExtractedPage | None:
    import trafilatura  # heavy; only pages whose selectors failed pay for it

    doc = trafilatura.bare_extraction(html_text, url=url, include_comments=False, include_tables=False,
                                      with_metadata=True, favor_precision=True)
    if doc is None:
        return None
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = data.get("text") or ""
    paragraphs = [printable(re.sub(r"\s+", " ", line).strip()) for line in text.split("\n")]
    body = "\n\n".join(p for p in paragraphs if p)
    if len(body) < MIN_BODY_CHARS:
        return None
    sapo = strip_sapo_tag(clean_text(data.get("description") or ""))
    title = clean_text(data.get("title") or "")
    body = _drop_leading(body, (title, sapo))
    published = None
    if data.get("date"):
        published = _published(str(data["date"]), tz, now)
    return ExtractedPage(title=title, sapo=sapo, body=body,
                         author=clean_text(data.get("author") or ""), published=published, method="trafilatura")


def release_caches() -> None:
    """Let go of what trafilatura built for the pages it read: the stoplists of all of justext's languages
    (27 MB: its tuple of 154,000 words and the lower-cased set made from it) and its LRU caches. It builds them
    again when a page next needs them (0.2 s); a crawl calls this when its pages are done, before the
    classifier loads beside what the crawl left in memory."""
    if "trafilatura" not in sys.modules:  # no page of this process needed it
        return
    from trafilatura.meta import reset_caches

    # htmldate's part also clears charset_normalizer functions that have no cache in the version installed, and
    # logs that as an ERROR: in the service's log after every crawl, an alarm about nothing
    quiet = logging.getLogger("htmldate.meta")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        reset_caches()  # justext's lower-cased stoplist, htmldate's, courlan's and its own caches; then gc.collect()
    finally:
        quiet.setLevel(level)
    external = sys.modules.get("trafilatura.external")
    if getattr(external, "JT_STOPLIST", None) is not None:
        external.JT_STOPLIST = None  # its lazily built global, which try_justext rebuilds when it is None


def extract_page(raw: bytes, *, url: str, selectors: Selectors | None, content_type: str | None = None,
                 tz: tzinfo = OFFICE_TZ, now: datetime | None = None) -> tuple[ExtractedPage, str]:
    """(page, encoding used). Raises ExtractError when neither the selectors nor trafilatura find text,
    PageTooComplex (unread) for a page of more than MAX_PAGE_ELEMENTS elements."""
    # every "<" first (at once), the start tags only when that is over the limit
    if raw.count(b"<") > MAX_PAGE_ELEMENTS and (elements := len(_START_TAG.findall(raw))) > MAX_PAGE_ELEMENTS:
        raise PageTooComplex(f"{url} has {elements} HTML elements, over the {MAX_PAGE_ELEMENTS} an article page is "
                             "read with; not read (the article keeps the text of its feed)")
    decoded = decode(raw, content_type)
    soup = BeautifulSoup(decoded.text, "lxml")
    page = None
    if selectors is not None and selectors.body:
        page = extract_with_selectors(soup, selectors, tz, now)
    if page is None:
        # boilerplate goes before the general extractor sees the page, as it does for the selectors
        _remove(soup, (selectors.remove if selectors else ()) + GENERIC_REMOVE_PAGE)
        page = extract_with_trafilatura(str(soup), url, tz, now)
        if page is not None and selectors is not None:
            # fields the selectors still find (meta tags survive most redesigns) beat trafilatura's guesses
            _, title = _first(soup, selectors.title)
            _, sapo = _first(soup, selectors.sapo)
            _, date_text = _first(soup, selectors.published)
            page = ExtractedPage(
                title=title or page.title, sapo=strip_sapo_tag(sapo) or page.sapo,
                body=_drop_leading(page.body, (title, sapo)),
                author=page.author, method="trafilatura",
                published=(_published(date_text, tz, now) if date_text else None) or page.published)
    if page is None:
        raise ExtractError(f"no article text found on {url} (neither the outlet's selectors nor the general extractor matched)")
    return page, decoded.encoding
