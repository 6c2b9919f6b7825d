"""An outlet whose article pages change layout: its selectors in feeds.yaml stop finding the body, every page goes
through the general extractor, and `monitor status` and the service say so (once), while a single odd page (a live
blog) among pages that match says nothing. Pages served by the sample site on 127.0.0.1; the articles are invented."""

from __future__ import annotations

import html
import json
import logging
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from monitor.app import App
from monitor.cli import cli
from monitor.models import ExtractedPage, FeedEntry
from monitor.sample_site import SampleArticle, build_site, sample_config, serve, stop
from monitor.service import Service, crawl_groups

FEED = "vnexpress-giao-duc"
SCHOOLS = ("Ngọc Thụy", "Bồ Đề", "Gia Thụy", "Thạch Bàn", "Long Biên", "Phúc Lợi", "Việt Hưng", "Sài Đồng", "Cự Khối",
           "Đức Giang", "Thượng Thanh", "Giang Biên", "Phúc Đồng", "Ái Mộ", "Lý Thường Kiệt", "Chu Văn An", "Nguyễn Trãi",
           "Lê Quý Đôn", "Hoa Sữa", "Họa Mi")


def invented(k: int, at: datetime) -> SampleArticle:
    school = SCHOOLS[k % len(SCHOOLS)]
    return SampleArticle(
        outlet="VnExpress", feed=FEED, slug=f"truong-thcs-so-{k}-to-chuc-ngay-hoi-doc-sach",
        title=f"Trường THCS {school} số {k} tổ chức ngày hội đọc sách cho học sinh khối 6",
        sapo=f"Hơn bốn trăm học sinh Trường THCS {school} số {k} tham gia ngày hội đọc sách do nhà trường phối hợp"
             " với thư viện quận tổ chức vào sáng thứ bảy.",
        paragraphs=(
            f"Ngày hội năm nay có mười gian trưng bày sách do chính các lớp tự trang trí, mỗi lớp chọn một chủ đề"
            f" riêng như lịch sử địa phương, khoa học vui hay truyện cổ tích; học sinh lớp {6 + k % 3}A giới thiệu"
            " cuốn sách mình yêu thích trước toàn trường.",
            "Cô hiệu phó phụ trách chuyên môn cho biết nhà trường muốn hình thành thói quen đọc mỗi ngày ít nhất hai"
            " mươi phút, thay cho thời gian các em dùng điện thoại sau giờ học, và sẽ duy trì tủ sách lớp học suốt năm.",
            "Phụ huynh được mời tham gia góp sách cũ; số sách quyên góp được sẽ chuyển về thư viện của một trường tiểu"
            " học ở vùng khó khăn mà nhà trường kết nghĩa từ năm trước, kèm theo thư của học sinh gửi các bạn nhỏ.",
        ),
        published=at, author="Minh Khuê")


def redesigned(a: SampleArticle, base: str) -> str:
    """The outlet's new article layout: none of the class names its selectors in feeds.yaml look for."""
    e = html.escape
    body = "".join(f"<p>{e(p)}</p>" for p in a.paragraphs)
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{e(a.title)}</title>'
            f'<meta name="description" content="{e(a.sapo)}"><meta name="pubdate" content="{a.published.isoformat()}">'
            '</head><body><header class="topbar"><nav><a href="/">Trang chủ</a> <a href="/giao-duc">Giáo dục</a></nav></header>'
            f'<main class="bai-viet"><h1 class="bai-viet__tieu-de">{e(a.title)}</h1>'
            f'<p class="bai-viet__mo-dau">{e(a.sapo)}</p><div class="bai-viet__noi-dung">{body}</div>'
            f'<p class="bai-viet__tac-gia">{e(a.author)}</p></main>'
            '<footer><p>Giấy phép hoạt động báo điện tử. Liên hệ quảng cáo.</p></footer></body></html>')


def live_blog(a: SampleArticle, base: str) -> str:
    """An odd page of an outlet whose layout did not change: a live blog, laid out by another template."""
    e = html.escape
    items = "".join(f'<div class="live-item"><span class="live-time">{8 + i}:00</span><p>{e(p)}</p></div>'
                    for i, p in enumerate(a.paragraphs))
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{e(a.title)}</title>'
            f'<meta name="description" content="{e(a.sapo)}"></head><body>'
            f'<div class="live-wrap"><h1 class="live-title">{e(a.title)}</h1><div class="live-list">{items}</div></div>'
            '</body></html>')


class Site:
    """The sample site, its feed growing round by round; each round's pages in the layout given."""

    def __init__(self, start: datetime) -> None:
        self.articles: list[SampleArticle] = []
        self.layouts: dict[str, object] = {}
        self.site = build_site([invented(0, start)])
        self.server, _ = serve(self.site)

    def publish(self, at: datetime, count: int, layout=None) -> None:
        for _ in range(count):
            a = invented(len(self.articles) + 1, at)
            self.articles.append(a)
            if layout is not None:
                self.layouts[a.slug] = layout
        grown = build_site(self.articles)
        for slug, layout in self.layouts.items():
            route = grown.routes[grown.article_paths[slug]]
            route.render = lambda base, a=next(x for x in self.articles if x.slug == slug), f=layout: f(a, base)
        self.site.routes.update(grown.routes)
        self.site.article_paths.update(grown.article_paths)


@pytest.fixture
def served(tmp_path):
    # status reads the system clock: the rounds are the last few hours before it
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=4)
    s = Site(start)
    config_path = tmp_path / "feeds.yaml"
    sample_config(s.site, tmp_path / "var", config_path=config_path, sources=s.site.source_configs(interval_minutes=10))
    clock = {"now": start}
    app = App.from_path(config_path, clock=lambda: clock["now"])
    yield s, app, clock, config_path
    app.close()
    stop(s.server)


def status(config_path) -> tuple[str, dict]:
    text = CliRunner().invoke(cli, ["--config", str(config_path), "status"])
    data = CliRunner().invoke(cli, ["--config", str(config_path), "status", "--json"])
    assert text.exit_code == 0 and data.exit_code == 0, text.output + data.output
    return text.output, json.loads(data.output)


def extractions(app) -> list[str]:
    return [r[0] for r in app.store.execute("SELECT extraction FROM articles ORDER BY text_changed_at")]


def test_status_and_the_service_say_when_an_outlets_pages_changed_layout(served, caplog):
    s, app, clock, config_path = served
    service = Service(app)
    [group] = crawl_groups(app.config)

    def crawl_round(count: int, layout=None) -> None:
        clock["now"] += timedelta(minutes=11)
        s.publish(clock["now"] - timedelta(minutes=5), count, layout)
        service.run_job(group.job, lambda: service.crawl(group.sources))

    caplog.set_level(logging.INFO)
    crawl_round(5)
    crawl_round(1, live_blog)  # one odd page among pages that match: nothing to say
    crawl_round(2)
    assert extractions(app) == ["selectors"] * 5 + ["trafilatura"] + ["selectors"] * 2
    text, data = status(config_path)
    assert not data.get("page_layouts") and "giao diện" not in text
    assert not [r for r in caplog.records if "giao diện" in r.getMessage()]

    # the outlet redesigns its article pages: the first pages of the new layout are not yet enough ...
    crawl_round(3, redesigned)
    assert not status(config_path)[1].get("page_layouts")
    # ... a few more are: read by trafilatura (their text kept), and status says what happened and what to do
    crawl_round(6, redesigned)
    crawl_round(2, redesigned)
    assert extractions(app)[-11:] == ["trafilatura"] * 11
    assert all(a.body.startswith("Ngày hội năm nay") for a in app.store.articles_between(None, None) if a.body)
    text, data = status(config_path)
    [drift] = data["page_layouts"]
    assert drift["outlet"] == "VnExpress" and (drift["unmatched"], drift["pages"]) == (11, 12), drift
    assert drift["last_match"] is not None and drift["example_url"].startswith(s.site.base_url)
    line = next(x for x in text.splitlines() if "đổi giao diện" in x)
    assert line.startswith("Trang bài của báo VnExpress có vẻ đã đổi giao diện: 11/12 bài gần nhất không khớp bộ chọn"
                           " trong feeds.yaml"), line
    assert "trích xuất tự động" in line and "outlets[].selectors" in line and drift["example_url"] in line

    # the service warned once, when the outlet turned so, not at every crawl after
    warned = [r for r in caplog.records if "đổi giao diện" in r.getMessage()]
    assert len(warned) == 1 and warned[0].levelno == logging.WARNING, [r.getMessage() for r in warned]
    assert "VnExpress" in warned[0].getMessage()

    # its selectors updated (here: the old layout back), the next pages match, and the warning is withdrawn
    crawl_round(4)
    assert not status(config_path)[1]["page_layouts"]
    assert [r.getMessage() for r in caplog.records if "dấu hiệu đổi giao diện" in r.getMessage()] == [
        "trang bài của báo VnExpress không còn dấu hiệu đổi giao diện"]


def test_an_outlet_without_selectors_is_not_flagged_and_one_never_matched_is(tmp_path):
    """Stored pages only (no site): an outlet whose feeds.yaml entry has no body selector is read by trafilatura by
    design; one whose selectors never matched any page is named with other words than a redesign."""
    from monitor.layout_drift import layout_drifts
    from monitor.sample_site import Site as SampleSite

    config = sample_config(SampleSite(), tmp_path / "var",
                           sources=[{"name": "x", "url": "http://127.0.0.1:9/rss", "outlet": "Tuổi Trẻ"}])
    bare = next(o for o in config.outlets if o.name == "Dân Trí")
    from dataclasses import replace

    from monitor.config import Selectors

    config = replace(config, outlets=tuple(replace(o, selectors=Selectors()) if o is bare else o for o in config.outlets))
    now = datetime.now(timezone.utc)
    app = App(config=config, clock=lambda: now)
    try:
        for outlet in ("Dân Trí", "Tuổi Trẻ"):
            for k in range(6):
                url = f"http://127.0.0.1:9/{outlet[0]}/bai-{k}.html"
                entry = FeedEntry(url=url, title=f"Bài thử {k}", sapo="", published=now, source="x", guid=url)
                article_id, _ = app.store.add_feed_entry(entry, outlet, now - timedelta(hours=2))
                page = ExtractedPage(title=f"Bài thử {k}", sapo="", body="Nội dung bài thử đủ dài. " * 5, author="",
                                     published=None, method="trafilatura")
                app.store.save_page(article_id, page, b"<html></html>", "utf-8", now - timedelta(hours=1, minutes=k))
        [drift] = layout_drifts(app.store, app.config, now)
        assert drift.outlet == "Tuổi Trẻ" and drift.last_match is None
        assert drift.message(app.config.office.tz).startswith("trang bài của báo Tuổi Trẻ chưa lần nào khớp bộ chọn: 6/6")
    finally:
        app.close()
