"""Article extraction: every outlet's layout with its feeds.yaml selectors, boilerplate kept out, fallbacks."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitor.errors import ExtractError
from monitor.extract import extract_page, release_caches, selectors_for
from monitor.sample_site import OUTLETS, build_site, load_articles, sample_config

FIX = Path(__file__).parent / "fixtures" / "crawl"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
ARTICLES = load_articles(FIX / "articles.json")
BOILERPLATE = ("Quảng cáo", "Ý kiến bạn đọc", "Tin liên quan", "Giấy phép hoạt động", "Trang chủ", "Đọc nhiều",
               "Gửi bài viết", "Đọc thêm")


@pytest.fixture(scope="module")
def site_and_config(tmp_path_factory):
    site = build_site(ARTICLES)
    site.base_url = "http://127.0.0.1:8000"
    return site, sample_config(site, tmp_path_factory.mktemp("x"))


def test_fixtures_cover_every_outlet_in_feeds_yaml(site_and_config):
    _, config = site_and_config
    assert {o.name for o in config.outlets} <= {a.outlet for a in ARTICLES} | set()
    assert {o.name for o in config.outlets} <= set(OUTLETS)


@pytest.mark.parametrize("article", ARTICLES, ids=[a.outlet for a in ARTICLES])
def test_each_outlet_page(article, site_and_config):
    site, config = site_and_config
    url = site.article_url(article.slug)
    raw = site.routes[site.article_paths[article.slug]].render(site.base_url).encode()
    source = config.source(article.feed)
    outlet, selectors = selectors_for(config, source.outlet, url)  # chosen by the source's outlet: the host is 127.0.0.1
    assert outlet.name == article.outlet
    page, encoding = extract_page(raw, url=url, selectors=selectors, content_type="text/html; charset=utf-8", tz=VN)
    assert encoding == "utf-8"
    expected_method = "trafilatura" if not outlet.selectors.body else "selectors"
    assert page.method == expected_method
    assert page.title == article.title.replace("&amp;", "&")
    assert page.sapo == article.sapo  # "(Dân trí) - " stripped
    for p in article.paragraphs:
        assert p in page.body, (article.outlet, p)
    assert page.body.split("\n\n")[0] == article.paragraphs[0]
    for junk in BOILERPLATE:
        assert junk not in page.body, (article.outlet, junk)
    if article.image_caption:
        assert article.image_caption not in page.body
    for title, _ in article.related_links:
        assert title not in page.body, (article.outlet, title)
    if article.author and outlet.selectors.author:
        assert page.author == article.author
    assert page.author not in page.body or not page.author
    assert page.published is not None and page.published.tzinfo is not None
    assert page.published.astimezone(VN).replace(second=0) == article.published.astimezone(VN).replace(second=0)


def test_redesigned_page_falls_back_to_trafilatura(site_and_config):
    _, config = site_and_config
    html = ("<html><head><meta charset='utf-8'><title>Bài mới</title></head><body><div class='new-layout'>"
            "<h1 class='headline-2027'>Trường học mở thêm lớp kỹ năng sống</h1><div class='story'>"
            + "".join(f"<p>Đoạn {i}: nhà trường phối hợp với phụ huynh tổ chức các buổi học kỹ năng sống cho học sinh khối {i}.</p>" for i in range(1, 5))
            + "</div><div class='related-box'><a href='/a'>Bài liên quan không được vào thân bài</a></div></div></body></html>")
    _, selectors = selectors_for(config, "VnExpress", "https://vnexpress.net/x-1.html")
    page, _ = extract_page(html.encode(), url="https://vnexpress.net/x-1.html", selectors=selectors)
    assert page.method == "trafilatura"
    assert "Đoạn 1: nhà trường" in page.body and "Đoạn 4" in page.body
    assert "Bài liên quan" not in page.body


def test_trafilaturas_stoplists_are_let_go_after_a_crawl_and_rebuilt_when_needed(site_and_config):
    """release_caches (the end of every crawl with pages) drops the 27 MB of justext stoplists trafilatura keeps,
    before the classifier loads; a later page that needs them has them built again."""
    import justext.core
    import trafilatura.external

    trafilatura.external.jt_stoplist_init()
    justext.core.define_stoplist(trafilatura.external.JT_STOPLIST)
    release_caches()
    assert trafilatura.external.JT_STOPLIST is None and justext.core.define_stoplist.cache_info().currsize == 0
    from lxml.html import fromstring

    paragraph = "<p>Nhà trường phối hợp với phụ huynh tổ chức buổi học kỹ năng sống.</p>"
    page = fromstring("<html><body><div>" + paragraph * 5 + "</div></body></html>")
    trafilatura.external.try_justext(page, "https://vnexpress.net/x-1.html", None)  # trafilatura's own fallback
    assert trafilatura.external.JT_STOPLIST
    test_redesigned_page_falls_back_to_trafilatura(site_and_config)


def test_page_without_text_raises_extract_error(site_and_config):
    _, config = site_and_config
    _, selectors = selectors_for(config, "Dân Trí", "https://dantri.com.vn/x.htm")
    with pytest.raises(ExtractError, match="no article text"):
        extract_page(b"<html><body><div>OK</div></body></html>", url="https://dantri.com.vn/x.htm", selectors=selectors)


def test_outlet_from_host_when_source_unknown(site_and_config):
    _, config = site_and_config
    outlet, _ = selectors_for(config, None, "https://m.dantri.com.vn/giao-duc/a-1.htm")
    assert outlet.name == "Dân Trí"
    assert selectors_for(config, None, "https://unknown.example/x")[0] is None


def test_wrongly_declared_page_charset(site_and_config):
    site, config = site_and_config
    a = ARTICLES[4]
    text = site.routes[site.article_paths[a.slug]].render(site.base_url).replace('<meta charset="utf-8">', '<meta charset="windows-1252">')
    _, selectors = selectors_for(config, a.outlet, "http://127.0.0.1/x")
    page, encoding = extract_page(text.encode("utf-8"), url="http://127.0.0.1/x", selectors=selectors,
                                  content_type="text/html; charset=windows-1252")
    assert encoding == "utf-8" and page.title == a.title


def test_page_date_in_the_future_is_ignored(site_and_config):
    _, config = site_and_config
    html = ("<html><head><meta property='article:published_time' content='2099-01-01T00:00:00+07:00'></head><body>"
            "<h1 class='detail-title'>Tiêu đề</h1><div class='detail-cmain'>"
            + "<p>Nội dung đủ dài để được coi là một thân bài có nghĩa, viết cho bài kiểm tra ngày giờ.</p>" * 2
            + "</div></body></html>")
    _, selectors = selectors_for(config, "Tuổi Trẻ", "https://tuoitre.vn/x.htm")
    page, _ = extract_page(html.encode(), url="https://tuoitre.vn/x.htm", selectors=selectors,
                           now=datetime(2026, 11, 26, tzinfo=VN))
    assert page.published is None


def test_letting_go_of_trafilaturas_caches_logs_no_error(caplog):
    """htmldate logs an ERROR when a charset_normalizer function it clears has no cache (the versions installed):
    the service's log said so after every crawl, an alarm about nothing."""
    import logging

    import trafilatura  # noqa: F401  (a crawl that read a page with it)

    with caplog.at_level(logging.DEBUG):
        release_caches()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.records
    assert logging.getLogger("htmldate.meta").level == logging.NOTSET  # as it was
