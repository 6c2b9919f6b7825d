"""A local news site for tests, the demo and the bench: our own articles in the real shapes of the outlets.

`build_site(articles, sources_layout)` renders project-written articles into RSS feeds and article pages
laid out like each outlet's (the class names the selectors in feeds.yaml look for, the boilerplate those
selectors must remove: related-news boxes, captions, ads, comment sections), and `serve(site)` serves them
from a threaded HTTP server on 127.0.0.1 (port 0). Faults are injected per path with `site.fault(...)`:
status codes (once or always), Retry-After, stalls, redirect loops, oversized bodies, wrong declared
charsets, an HTML anti-bot page where a feed should be, gzip/brotli, servers that ignore validators.

Facts about the real outlets (feed shapes, URL patterns, class names) are in ../shared/corpus/OUTLETS.md;
no text from real articles is used anywhere here.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterable, Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")

# outlet name (as in feeds.yaml) -> (path key, page family, article path pattern)
OUTLETS: dict[str, tuple[str, str]] = {
    "VnExpress": ("vnexpress", "vnexpress"),
    "Tuổi Trẻ": ("tuoitre", "vccorp"),
    "Thanh Niên": ("thanhnien", "vccorp"),
    "Người Lao Động": ("nld", "vccorp"),
    "Dân Trí": ("dantri", "dantri"),
    "VietnamNet": ("vietnamnet", "vietnamnet"),
    "Giáo dục & Thời đại": ("gdtd", "article__"),
    "Tiền Phong": ("tienphong", "article__"),
    "VietnamPlus": ("vietnamplus", "article__"),
    "Nhân Dân": ("nhandan", "article__"),
    "Lao Động": ("laodong", "laodong"),
    "Báo Tin tức": ("baotintuc", "baotintuc"),
}


@dataclass(frozen=True)
class SampleArticle:
    outlet: str  # an outlet name from feeds.yaml, e.g. "Dân Trí"
    feed: str  # the source (feed) that lists it, e.g. "dantri-giao-duc"
    slug: str
    title: str
    sapo: str
    paragraphs: tuple[str, ...]
    published: datetime  # aware
    author: str = ""
    related_links: tuple[tuple[str, str], ...] = ()  # (title, path) shown in the outlet's related box
    image_caption: str = ""
    extra_feeds: tuple[str, ...] = ()  # other feeds listing the same article

    @classmethod
    def from_dict(cls, d: Mapping) -> "SampleArticle":
        published = d["published"]
        if isinstance(published, str):
            published = datetime.fromisoformat(published)
        if published.tzinfo is None:
            published = published.replace(tzinfo=VN)
        related = tuple((r["title"], r.get("path", "#")) if isinstance(r, Mapping) else (r[0], r[1]) if not isinstance(r, str)
                        else (r, "#") for r in d.get("related_links") or ())
        return cls(outlet=d["outlet"], feed=d["feed"], slug=d["slug"], title=d["title"], sapo=d.get("sapo", ""),
                   paragraphs=tuple(d.get("paragraphs") or ()), published=published, author=d.get("author", ""),
                   related_links=related, image_caption=d.get("image_caption", ""),
                   extra_feeds=tuple(d.get("extra_feeds") or ()))


@dataclass
class Fault:
    """What to do instead of (or to) the normal answer at one path. `times`: for the first N requests only."""

    status: int | None = None
    retry_after: str | None = None
    stall: float = 0.0  # seconds of silence before answering
    delay: float = 0.0  # added latency, answer still normal
    redirect: str | None = None  # Location (a path or URL)
    oversize: int = 0  # serve this many bytes of junk
    body: bytes | None = None  # serve these bytes instead of the page
    content_type: str | None = None
    declared_charset: str | None = None  # charset named in Content-Type (and the XML/meta declaration)
    encoding: str | None = None  # encode the text this way (default UTF-8)
    anti_bot: bool = False  # 200 with a JavaScript challenge page
    compress: str | None = None  # gzip | deflate | br
    ignore_validators: bool = False  # no ETag/Last-Modified, never 304
    times: int | None = None
    used: int = 0


@dataclass
class Route:
    content_type: str
    render: Callable[[str], str]  # base_url -> text
    last_modified: datetime | None = None


@dataclass
class Site:
    routes: dict[str, Route] = field(default_factory=dict)
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    feeds: dict[str, tuple[str, str]] = field(default_factory=dict)  # source -> (outlet, path)
    article_paths: dict[str, str] = field(default_factory=dict)  # slug -> path
    robots_txt: str = "User-agent: *\nDisallow: /private/\n"
    latency: float = 0.0  # added to every answer (the bench and the kill test use it)
    base_url: str = ""
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def fault(self, path: str, **kwargs) -> Fault:
        f = Fault(**kwargs)
        self.faults.setdefault(path, []).append(f)
        return f

    def clear_faults(self, path: str | None = None) -> None:
        if path is None:
            self.faults.clear()
        else:
            self.faults.pop(path, None)

    def url(self, path: str) -> str:
        return self.base_url + path

    def feed_url(self, source: str) -> str:
        return self.url(self.feeds[source][1])

    def article_url(self, slug: str) -> str:
        return self.url(self.article_paths[slug])

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for p, _ in self.requests if p == path)

    def source_configs(self, interval_minutes: int = 10) -> list[dict]:
        """feeds.yaml `sources` entries pointing at this site (after `serve`)."""
        return [{"name": name, "url": self.url(path), "outlet": outlet, "interval_minutes": interval_minutes}
                for name, (outlet, path) in self.feeds.items()]

    def _active_fault(self, path: str) -> Fault | None:
        with self._lock:
            for f in self.faults.get(path, []):
                if f.times is None or f.used < f.times:
                    f.used += 1
                    return f
        return None


# ------------------------------------------------------------------ rendering

def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _num(a: SampleArticle, digits: int) -> str:
    h = int(hashlib.sha1(f"{a.outlet}/{a.slug}".encode()).hexdigest(), 16)
    return str(h % (10 ** digits)).rjust(digits, "1")


def article_path(a: SampleArticle) -> str:
    key = OUTLETS.get(a.outlet, (a.outlet.lower().replace(" ", ""), "generic"))[0]
    t = a.published.astimezone(VN)
    stamp17 = t.strftime("%Y%m%d%H%M%S") + _num(a, 3)
    shapes = {
        "vnexpress": f"/{a.slug}-{_num(a, 7)}.html",
        "tuoitre": f"/{a.slug}-{stamp17}.htm",
        "thanhnien": f"/{a.slug}-185{t.strftime('%y%m%d%H%M%S')}{_num(a, 3)}.htm",
        "nld": f"/{a.slug}-196{t.strftime('%y%m%d%H%M%S')}{_num(a, 3)}.htm",
        "dantri": f"/giao-duc/{a.slug}-{stamp17}.htm",
        "vietnamnet": f"/{a.slug}-{_num(a, 7)}.html",
        "gdtd": f"/{a.slug}-post{_num(a, 6)}.html",
        "tienphong": f"/{a.slug}-post{_num(a, 7)}.tpo",
        "vietnamplus": f"/{a.slug}-post{_num(a, 6)}.vnp",
        "nhandan": f"/{a.slug}-post{_num(a, 6)}.html",
        "laodong": f"/giao-duc/{a.slug}-{_num(a, 7)}.ldo",
        "baotintuc": f"/giao-duc/{a.slug}-{stamp17}.htm",
    }
    return f"/{key}" + shapes.get(key, f"/{a.slug}.html")


def _paras(a: SampleArticle, cls: str = "") -> list[str]:
    c = f' class="{cls}"' if cls else ""
    return [f"<p{c}>{_e(p)}</p>" for p in a.paragraphs]


def _related(a: SampleArticle, base: str, wrapper: str, item: str = "li") -> str:
    if not a.related_links:
        return ""
    items = "".join(f'<{item}><a href="{_e(base + p if p.startswith("/") else p)}">{_e(t)}</a></{item}>' for t, p in a.related_links)
    return wrapper.format(items=items)


def _figure(a: SampleArticle, base: str, caption_html: str) -> str:
    if not a.image_caption:
        return ""
    return caption_html.format(src=f"{base}/static/{a.slug}.jpg", caption=_e(a.image_caption))


def _iso(a: SampleArticle) -> str:
    return a.published.astimezone(VN).isoformat(timespec="seconds")


def _head(a: SampleArticle, site_name: str, extra: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><title>{_e(a.title)} | {_e(site_name)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta property="og:title" content="{_e(a.title)}"><meta name="description" content="{_e(a.sapo)}">'
            f'<meta property="og:type" content="article">{extra}</head>\n<body>'
            f'<header class="site-header"><nav class="menu"><a href="/">Trang chủ</a> <a href="/thoi-su">Thời sự</a> '
            f'<a href="/giao-duc">Giáo dục</a> <a href="/suc-khoe">Sức khỏe</a></nav></header>\n')


_FOOT = ('<div class="box-comment" id="box_comment"><h3>Ý kiến bạn đọc</h3><p>Chia sẻ ý kiến của bạn về bài viết này.</p>'
         '</div><footer class="site-footer"><p>Giấy phép hoạt động báo điện tử. Liên hệ quảng cáo.</p></footer></body></html>')


def page_vnexpress(a: SampleArticle, base: str) -> str:
    t = a.published.astimezone(VN)
    weekday = ["Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật"][t.weekday()]
    body = _paras(a, "Normal")
    body.insert(1, _figure(a, base, '<figure class="tplCaption"><img src="{src}" alt=""><figcaption><p class="Image">{caption}</p></figcaption></figure>'))
    body.insert(2, '<div id="sis_outstream__c">Quảng cáo</div>')
    body.append(_related(a, base, '<div class="box-tinlienquanv2"><h3>Tin liên quan</h3><ul>{items}</ul></div>'))
    if a.author:
        body.append(f'<p class="author_mail"><strong>{_e(a.author)}</strong></p>')
    return (_head(a, "VnExpress", f'<meta name="pubdate" content="{_iso(a)}">')
            + '<section class="section page-detail top-detail"><div class="container"><div class="sidebar-1">'
            + f'<div class="header-content"><span class="date">{weekday}, {t:%d/%m/%Y, %H:%M} (GMT+7)</span></div>'
            + f'<h1 class="title-detail">{_e(a.title)}</h1><p class="description">{_e(a.sapo)}</p>'
            + f'<article class="fck_detail ">{"".join(body)}</article>'
            + '<p class="btn_send_comment">Gửi bài viết cho bạn bè</p></div></div></section>' + _FOOT)


def page_vccorp(a: SampleArticle, base: str) -> str:
    t = a.published.astimezone(VN)
    body = _paras(a)
    body.insert(1, _figure(a, base, '<figure class="VCSortableInPreviewMode" type="Photo"><img src="{src}" alt=""><figcaption><p>{caption}</p></figcaption></figure>'))
    body.append(_related(a, base, '<div class="VCSortableInPreviewMode" type="RelatedOneNews"><div class="VCObjectBoxRelatedNewsItemSapo"><ul>{items}</ul></div></div>'))
    return (_head(a, a.outlet, f'<meta property="article:published_time" content="{_iso(a)}">')
            + '<div class="detail-container"><div class="detail-top"><div class="detail-cate"><a href="/giao-duc.htm">Giáo dục</a></div>'
            + f'<div class="detail-time"><div data-role="publishdate">{t:%d/%m/%Y %H:%M} GMT+7</div></div></div>'
            + f'<h1 class="detail-title article-title" data-role="title">{_e(a.title)}</h1>'
            + (f'<div class="detail-author"><div class="author-info"><a class="name" data-role="author">{_e(a.author)}</a></div></div>' if a.author else "")
            + f'<h2 class="detail-sapo" data-role="sapo">{_e(a.sapo)}</h2>'
            + f'<div class="detail-cmain"><div class="detail-content afcbc-body" data-role="content">{"".join(body)}</div></div>'
            + '<div class="detail__related"><h3>Đọc thêm</h3><p>Tin khác cùng chuyên mục</p></div></div>' + _FOOT)


def page_dantri(a: SampleArticle, base: str) -> str:
    t = a.published.astimezone(VN)
    body = _paras(a)
    body.insert(1, _figure(a, base, '<figure class="image align-center"><img src="{src}" alt=""><figcaption><p>{caption}</p></figcaption></figure>'))
    body.append(_related(a, base, '<article class="article-related"><ul>{items}</ul></article>'))
    return (_head(a, "Báo Dân trí")
            + '<main><article class="singular-container"><ul class="breadcrumbs"><li><a href="/giao-duc.htm">Giáo dục</a></li></ul>'
            + f'<h1 class="title-page detail">{_e(a.title)}</h1>'
            + f'<div class="author-wrap"><div class="author-name"><a href="#"><b>{_e(a.author)}</b></a></div>'
            + f'<time class="author-time" datetime="{t:%Y-%m-%d %H:%M}">{t:%d/%m/%Y - %H:%M}</time></div>'
            + f'<h2 class="singular-sapo">(Dân trí) - {_e(a.sapo)}</h2>'
            + f'<div class="singular-content">{"".join(body)}</div></article></main>' + _FOOT)


def page_vietnamnet(a: SampleArticle, base: str) -> str:
    body = _paras(a)
    body.insert(1, _figure(a, base, '<figure class="vnn-figure"><img src="{src}" alt=""><figcaption>{caption}</figcaption></figure>'))
    body.append(_related(a, base, '<div class="article-relate"><ul>{items}</ul></div>'))
    if a.author:
        body.append(f'<p class="author-info"><strong>{_e(a.author)}</strong></p>')
    return (_head(a, "VietNamNet", f'<meta property="article:published_time" content="{_iso(a)}">')
            + f'<div class="content-detail"><h1 class="content-detail-title">{_e(a.title)}</h1>'
            + f'<h2 class="content-detail-sapo sm-sapo-mb-0">{_e(a.sapo)}</h2>'
            + f'<div class="maincontent main-content" id="maincontent">{"".join(body)}</div></div>' + _FOOT)


def page_article_cms(a: SampleArticle, base: str) -> str:
    """The CMS shared by GD&TĐ, Tiền Phong, VietnamPlus and Nhân Dân (article__* classes)."""
    t = a.published.astimezone(VN)
    body = _paras(a)
    body.insert(1, _figure(a, base, '<table class="picture"><tr><td><img src="{src}" alt=""></td></tr><tr><td class="caption">{caption}</td></tr></table>'))
    body.append(_related(a, base, '<div class="article__related"><h3>Tin liên quan</h3><ul>{items}</ul></div>'))
    sapo_tag = "h2" if a.outlet == "VietnamPlus" else "div"
    author = (f'<div class="article__author"><span class="name">{_e(a.author)}</span></div>' if a.author else "")
    return (_head(a, a.outlet, f'<meta property="article:published_time" content="{_iso(a)}">')
            + f'<div class="article"><h1 class="article__title cms-title">{_e(a.title)}</h1>'
            + f'<div class="article__meta"><time class="time">{t:%d/%m/%Y %H:%M}</time>{author}</div>'
            + f'<{sapo_tag} class="article__sapo cms-desc">{_e(a.sapo)}</{sapo_tag}>'
            + f'<div class="article__body cms-body">{"".join(body)}</div></div>' + _FOOT)


def page_laodong(a: SampleArticle, base: str) -> str:
    t = a.published.astimezone(VN)
    body = _paras(a)
    body.insert(1, _figure(a, base, '<figure><img src="{src}" alt=""><figcaption>{caption}</figcaption></figure>'))
    body.append(_related(a, base, '<div class="related-news"><ul>{items}</ul></div>'))
    return (_head(a, "Báo Lao Động", f'<meta property="article:published_time" content="{_iso(a)}">')
            + f'<div class="article-detail"><h1 class="title">{_e(a.title)}</h1>'
            + f'<div class="time"><time>{t:%H:%M %d/%m/%Y}</time></div><div class="author">{_e(a.author)}</div>'
            + f'<div class="chappeau"><p>{_e(a.sapo)}</p></div>'
            + f'<div class="article-content">{"".join(body)}</div></div>' + _FOOT)


def page_baotintuc(a: SampleArticle, base: str) -> str:
    """No body selector in feeds.yaml for this outlet: the page is read by the general extractor."""
    t = a.published.astimezone(VN)
    body = _paras(a)
    body.insert(1, _figure(a, base, '<figure><img src="{src}" alt=""><figcaption>{caption}</figcaption></figure>'))
    related = _related(a, base, '<div class="tin-lien-quan related"><h3>Tin liên quan</h3><ul>{items}</ul></div>')
    return (_head(a, "Báo Tin tức", f'<meta property="article:published_time" content="{_iso(a)}">')
            + '<div class="main"><div class="detail-left">'
            + f'<h1 class="detail-title">{_e(a.title)}</h1><div class="date">{t:%H:%M %d/%m/%Y}</div>'
            + f'<h2 class="sapo">{_e(a.sapo)}</h2><div class="contents">{"".join(body)}</div>'
            + f'<p class="author">{_e(a.author)}</p></div>{related}'
            + '<aside class="sidebar"><h3>Đọc nhiều</h3><ul><li><a href="/">Tin nổi bật trong ngày</a></li></ul></aside></div>' + _FOOT)


PAGE_FAMILIES: dict[str, Callable[[SampleArticle, str], str]] = {
    "vnexpress": page_vnexpress, "vccorp": page_vccorp, "dantri": page_dantri, "vietnamnet": page_vietnamnet,
    "article__": page_article_cms, "laodong": page_laodong, "baotintuc": page_baotintuc, "generic": page_article_cms,
}


def rfc822(dt: datetime) -> str:
    """A feed item's date as RSS writes it, in Vietnam's time."""
    return format_datetime(dt.astimezone(VN))  # "Thu, 26 Nov 2026 08:30:00 +0700"


def render_feed(outlet: str, title: str, link: str, items: list[tuple[SampleArticle, str]], base: str) -> str:
    """RSS 2.0 as the outlet writes it (VnExpress CDATA thumbnail + </br>, Tuổi Trẻ "GMT+7" dates, ...)."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">',
           f"<channel><title>{_e(title)}</title><link>{_e(link)}</link><description>{_e(title)}</description>"
           "<language>vi</language>"]
    for a, path in sorted(items, key=lambda x: x[0].published, reverse=True):
        url = base + path
        thumb = f"{base}/static/{a.slug}.jpg"
        t = a.published.astimezone(VN)
        if outlet == "VnExpress":
            desc = f'<![CDATA[<a href="{url}"><img src="{thumb}" ></a></br>{_e(a.sapo)}]]>'
            date = rfc822(a.published)
        elif outlet in ("Tuổi Trẻ", "Thanh Niên", "Người Lao Động"):
            desc = f'<![CDATA[<a href="{url}"><img src="{thumb}" /></a>{_e(a.sapo)}]]>'
            date = t.strftime("%a, %d %b %Y %H:%M:%S") + " GMT+7"
        elif outlet == "Dân Trí":
            desc = f'<![CDATA[<a href="{url}"><img src="{thumb}"/></a>(Dân trí) - {_e(a.sapo)}]]>'
            date = rfc822(a.published)
        else:
            desc = _e(a.sapo)
            date = rfc822(a.published)
        out.append(f"<item><title>\n{_e(a.title)}\n</title><description>{desc}</description><pubDate>{date}</pubDate>"
                   f"<link>{_e(url)}</link><guid isPermaLink=\"false\">{_e(outlet)}-{_num(a, 9)}</guid>"
                   f"<slash:comments>0</slash:comments></item>")
    out.append("</channel></rss>")
    return "\n".join(out)


def build_site(articles: Iterable[SampleArticle | Mapping], sources_layout: Mapping[str, str] | None = None) -> Site:
    """Routes for every feed and article page. `sources_layout` maps a source name to its feed path
    (default /<outlet key>/rss/<source>.rss); article links in feeds are absolute under the served base URL."""
    arts = [a if isinstance(a, SampleArticle) else SampleArticle.from_dict(a) for a in articles]
    site = Site()
    by_feed: dict[str, list[tuple[SampleArticle, str]]] = {}
    for a in arts:
        family = OUTLETS.get(a.outlet, ("", "generic"))[1]
        path = article_path(a)
        site.article_paths[a.slug] = path
        site.routes[path] = Route("text/html; charset=utf-8", lambda base, a=a, f=PAGE_FAMILIES[family]: f(a, base), a.published)
        for feed in (a.feed, *a.extra_feeds):
            by_feed.setdefault(feed, []).append((a, path))
    layout = dict(sources_layout or {})
    outlet_of = {a.feed: a.outlet for a in arts}
    for feed, items in by_feed.items():
        outlet = outlet_of.get(feed) or items[0][0].outlet
        key = OUTLETS.get(outlet, (outlet.lower().replace(" ", ""), ""))[0]
        path = layout.get(feed) or f"/{key}/rss/{feed}.rss"
        site.feeds[feed] = (outlet, path)
        newest = max(a.published for a, _ in items)
        site.routes[path] = Route("application/rss+xml; charset=utf-8",
                                  lambda base, o=outlet, f=feed, it=items, k=key: render_feed(o, f"{o} - {f}", f"{base}/{k}", it, base),
                                  newest)
    for feed, path in layout.items():
        if feed not in site.feeds:  # a feed with no articles yet: an empty but valid channel
            site.feeds[feed] = ("", path)
            site.routes[path] = Route("application/rss+xml; charset=utf-8",
                                      lambda base, f=feed: render_feed("", f, base, [], base), None)
    return site


# ------------------------------------------------------------------ serving

ANTI_BOT_PAGE = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Just a moment...</title>"
                 "<script>document.cookie=\"D1N=5f3c2a;path=/\";window.location.reload();</script></head>"
                 "<body><noscript>Vui lòng bật JavaScript để tiếp tục.</noscript></body></html>")


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


class _Handler(BaseHTTPRequestHandler):
    site: Site
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet: tests read site.requests instead
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        site = self.site
        path = urlsplit(self.path).path
        with site._lock:
            site.requests.append((path, {k.lower(): v for k, v in self.headers.items()}))
        if site.latency:
            time.sleep(site.latency)
        fault = site._active_fault(path)
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.stall:
            time.sleep(fault.stall)
        if fault and fault.redirect:
            return self._send(302, b"", "text/plain", {"Location": fault.redirect})
        if fault and fault.status:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            return self._send(fault.status, f"status {fault.status}".encode(), "text/plain", headers)
        if fault and fault.oversize:
            return self._send(200, b"<rss>" + b"x" * fault.oversize, "application/rss+xml", {})
        if fault and fault.anti_bot:
            return self._send(200, ANTI_BOT_PAGE.encode(), "text/html; charset=utf-8", {}, fault)
        if path == "/robots.txt":
            return self._send(200, site.robots_txt.encode(), "text/plain", {})
        route = site.routes.get(path)
        if route is None and not (fault and fault.body is not None):
            return self._send(404, b"not found", "text/plain", {})
        if fault and fault.body is not None:
            body, ctype = fault.body, fault.content_type or (route.content_type if route else "application/xml")
        else:
            text = route.render(site.base_url)
            ctype = fault.content_type if fault and fault.content_type else route.content_type
            if fault and (fault.encoding or fault.declared_charset):
                if fault.declared_charset:
                    ctype = ctype.split(";")[0] + f"; charset={fault.declared_charset}"
                    text = text.replace('encoding="UTF-8"', f'encoding="{fault.declared_charset}"', 1)
                    text = text.replace('<meta charset="utf-8">', f'<meta charset="{fault.declared_charset}">', 1)
                body = text.encode(fault.encoding or "utf-8", "xmlcharrefreplace")
            else:
                body = text.encode("utf-8")
        headers: dict[str, str] = {}
        if not (fault and fault.ignore_validators):
            etag = _etag(body)
            headers["ETag"] = etag
            if route is not None and route.last_modified is not None:
                headers["Last-Modified"] = format_datetime(route.last_modified.astimezone(timezone.utc), usegmt=True)
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            if inm is not None and etag in [t.strip() for t in inm.split(",")]:
                return self._send(304, b"", None, headers)
            if inm is None and ims and "Last-Modified" in headers:
                try:
                    if parsedate_to_datetime(ims) >= route.last_modified.replace(microsecond=0):
                        return self._send(304, b"", None, headers)
                except (TypeError, ValueError):
                    pass
        return self._send(200, body, ctype, headers, fault)

    def _send(self, status: int, body: bytes, ctype: str | None, headers: dict[str, str], fault: Fault | None = None) -> None:
        if fault and fault.compress and status == 200:
            accepted = self.headers.get("Accept-Encoding", "")
            if fault.compress == "gzip" and "gzip" in accepted:
                body, headers = gzip.compress(body), {**headers, "Content-Encoding": "gzip"}
            elif fault.compress == "deflate" and "deflate" in accepted:
                body, headers = zlib.compress(body), {**headers, "Content-Encoding": "deflate"}
            elif fault.compress == "br" and "br" in accepted:
                import brotli

                body, headers = brotli.compress(body), {**headers, "Content-Encoding": "br"}
        try:
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body and status != 304:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a stall test, a size limit): nothing to answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def handle_error(self, request, client_address) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _TLSServer(_Server):
    """_Server speaking https with a server-side SSLContext (tests of crawler.ca_file). The handshake is made
    in the request's own thread, not in the one accepting connections, so a client that refuses our
    certificate (or never speaks) holds up no other."""

    tls: ssl.SSLContext

    def get_request(self):
        sock, address = super().get_request()
        return self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request, client_address) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ssl.SSLError):  # a client refusing our certificate: its choice
            super().handle_error(request, client_address)


def serve(site: Site, host: str = "127.0.0.1", port: int = 0, *,
          tls: ssl.SSLContext | None = None) -> tuple[ThreadingHTTPServer, str]:
    """Serve `site` in a background thread; returns (server, base_url). Stop with `stop(server)`.
    With `tls` (a server-side SSLContext holding a certificate) it serves https instead of http."""
    handler = type("SiteHandler", (_Handler,), {"site": site})
    if tls is None:
        server = _Server((host, port), handler)
    else:
        server = type("SiteTLSServer", (_TLSServer,), {"tls": tls})((host, port), handler)
    site.base_url = f"{'https' if tls else 'http'}://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="sample-site", daemon=True)
    thread.start()
    return server, site.base_url


def stop(server: ThreadingHTTPServer) -> None:
    server.shutdown()
    server.server_close()


def sample_config(site: Site, data_dir, *, crawler: Mapping | None = None, sources: list[dict] | None = None,
                  config_path=None, office: Mapping | None = None, digest: Mapping | None = None,
                  alerts: Mapping | None = None):
    """A validated Config whose sources are this site's feeds and whose outlets are the shipped ones.

    The crawler allows loopback addresses (the site is on 127.0.0.1) and does not pause between requests
    unless `crawler` says otherwise. `office` replaces the shipped office (the demo runs as the office of the
    configuration it was given); `digest` and `alerts` keys replace the shipped ones (its cut-off, its levels).
    """
    from importlib import resources
    from pathlib import Path

    import yaml

    from monitor.config import parse_config

    template = resources.files("monitor") / "templates" / "feeds.example.yaml"
    data = yaml.safe_load(template.read_text(encoding="utf-8"))
    data["crawler"] = {"allow_private_addresses": True, "min_delay_seconds": 0, "timeout_seconds": 5,
                       "max_retries": 2, **dict(crawler or {})}
    data["sources"] = sources if sources is not None else site.source_configs()
    data["storage"] = {"data_dir": str(data_dir)}
    if office is not None:
        data["office"] = dict(office)
    data["digest"] = {**data.get("digest", {}), **dict(digest or {})}
    data["alerts"] = {**data.get("alerts", {}), **dict(alerts or {})}
    path = Path(config_path) if config_path else Path(data_dir) / "feeds.yaml"
    if config_path:
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return parse_config(data, path.resolve())


def load_articles(path) -> list[SampleArticle]:
    """Sample articles from a JSON list of dicts (the shape of SampleArticle)."""
    import json
    from pathlib import Path

    return [SampleArticle.from_dict(d) for d in json.loads(Path(path).read_text(encoding="utf-8"))]
