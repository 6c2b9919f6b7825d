"""Feed parsing: formats, dates that keep their zone, sapo cleaning, charsets, broken and non-feeds."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitor.charsets import decode
from monitor.errors import FeedError, NotAFeed
from monitor.feeds import clean_text, parse_date, parse_feed, sapo_from_description
from monitor.sample_site import build_site, load_articles, render_feed

FIX = Path(__file__).parent / "fixtures" / "crawl"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 26, 1, 0, tzinfo=timezone.utc)


def parse(name: str, **kw):
    return parse_feed((FIX / name).read_bytes(), source="s", feed_url="https://bao-mau.example/rss", now=NOW, **kw)


def test_vnexpress_shape_cdata_thumbnail_and_plus0700():
    arts = [a for a in load_articles(FIX / "articles.json") if a.outlet == "VnExpress"]
    xml = render_feed("VnExpress", "VnExpress", "https://vnexpress.net", [(a, f"/{a.slug}-1234567.html") for a in arts],
                      "https://vnexpress.net")
    feed = parse_feed(xml.encode(), source="vnexpress-giao-duc", feed_url="https://vnexpress.net/rss/giao-duc.rss", now=NOW)
    assert len(feed.entries) == 2
    by_title = {e.title: e for e in feed.entries}
    # twice-escaped entity in the title decoded, leading/trailing newlines gone
    e = by_title["Giáo viên mầm non được hỗ trợ thêm phụ cấp & tiền ăn trưa"]
    assert e.sapo.startswith("Giáo viên mầm non công lập") and "<" not in e.sapo and "img" not in e.sapo
    assert e.published == datetime(2026, 11, 25, 10, 15, tzinfo=VN) and e.published_flag == "ok"
    assert e.published.utcoffset() == timedelta(hours=7)
    assert e.url == "https://vnexpress.net/giao-vien-mam-non-duoc-ho-tro-them-phu-cap-1234567.html"


def test_every_outlet_feed_of_the_sample_site_parses():
    site = build_site(load_articles(FIX / "articles.json"))
    site.base_url = "https://bao-mau.example"
    for source, (outlet, path) in site.feeds.items():
        feed = parse_feed(site.routes[path].render(site.base_url).encode(), source=source, feed_url=site.url(path), now=NOW)
        assert feed.entries, source
        for e in feed.entries:
            assert e.published.tzinfo is not None and e.published_flag == "ok", (source, e)
            assert e.title and e.sapo and not e.sapo.startswith("(Dân trí)"), (source, e.sapo)
            assert e.published.astimezone(VN).hour == e.published.astimezone(VN).hour  # aware, comparable


def test_atom_relative_links_tracking_params_and_fragments():
    feed = parse("atom.xml")
    assert feed.version.startswith("atom")
    first, second = feed.entries
    assert first.url == "https://bao-mau.example/giao-duc/clb-robot-101.html"
    assert first.title == "Trường THCS mở câu lạc bộ robot cho học sinh"
    assert first.sapo == "Câu lạc bộ robot thu hút học sinh khối 7 và khối 8."
    assert first.author == "Lan Chi"
    assert first.published == datetime(2026, 11, 25, 8, 0, tzinfo=VN)
    assert second.url == "https://bao-mau.example/giao-duc/hsg-tin-hoc-102.html"
    assert second.published == datetime(2026, 11, 25, 1, 0, tzinfo=timezone.utc)


def test_rss10_and_rss091():
    rdf = parse("rss10.rdf")
    assert rdf.version == "rss10"
    (e,) = rdf.entries
    assert e.url == "https://bao-mau.example/tin-201.html" and e.published == datetime(2026, 11, 24, 15, tzinfo=VN)
    assert e.author == "Quang Huy"
    old = parse("rss091.xml")
    assert old.version.startswith("rss09")
    (e,) = old.entries
    assert e.published_flag == "missing" and e.published == NOW  # no date at all: first-seen time, flagged


def test_dates_zone_given_zone_missing_missing_future_unreadable():
    entries = {e.title: e for e in parse("dates.xml").entries}
    assert entries["Có múi giờ +0700"].published == datetime(2026, 11, 25, 1, tzinfo=timezone.utc)
    assert entries["Có múi giờ +0700"].published_flag == "ok"
    # no zone: office time (+07:00), never UTC, and flagged
    for title in ("Không có múi giờ", "ISO không múi giờ"):
        e = entries[title]
        assert e.published == datetime(2026, 11, 25, 8, tzinfo=VN) and e.published_flag == "no-zone", title
    assert entries["Kiểu GMT+7"].published == datetime(2026, 11, 25, 8, tzinfo=VN)
    assert entries["Kiểu GMT+7"].published_flag == "ok"
    assert (entries["Không có ngày"].published, entries["Không có ngày"].published_flag) == (NOW, "missing")
    assert (entries["Ngày tương lai"].published, entries["Ngày tương lai"].published_flag) == (NOW, "future")
    assert (entries["Ngày hỏng"].published, entries["Ngày hỏng"].published_flag) == (NOW, "missing")
    assert entries["Giờ UTC"].published == datetime(2026, 11, 25, 8, tzinfo=VN)


def test_parse_date_formats():
    assert parse_date("25/11/2026 08:30") == (datetime(2026, 11, 25, 8, 30, tzinfo=VN), False)
    assert parse_date("08:30 - 25/11/2026") == (datetime(2026, 11, 25, 8, 30, tzinfo=VN), False)
    assert parse_date("2026-11-25T08:30:00Z") == (datetime(2026, 11, 25, 8, 30, tzinfo=timezone.utc), True)
    assert parse_date("Wed, 25 Nov 2026 08:30:00 -0000")[1] is False  # RFC 5322: zone unknown
    assert parse_date("") == (None, False)


def test_rfc822_dates_with_a_colon_in_the_zone_keep_their_zone():
    # email.utils reads "+0700" only; "+07:00" came back as no zone and was taken for office time
    assert parse_date("Wed, 25 Nov 2026 08:30:00 +07:00") == (datetime(2026, 11, 25, 8, 30, tzinfo=VN), True)
    assert parse_date("Wed, 25 Nov 2026 01:30:00 +00:00") == (datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc), True)
    utc_minus_5 = parse_date("Tue, 24 Nov 2026 20:30:00 -05:00")
    assert utc_minus_5[1] is True and utc_minus_5[0] == datetime(2026, 11, 25, 1, 30, tzinfo=timezone.utc)


def test_vietnamese_page_dates_with_weekday_and_gmt():
    want = datetime(2026, 11, 25, 8, 30, tzinfo=VN)
    for text in ("Thứ tư, 25/11/2026, 08:30 (GMT+7)", "Thứ Tư, 25/11/2026 08:30 (GMT+7)", "25/11/2026 08:30 GMT+7"):
        dt, zoned = parse_date(text)
        assert dt == want and zoned, text
    # no zone written: office time, flagged as such
    assert parse_date("Thứ tư, 25/11/2026 - 08:30") == (want, False)
    assert parse_date("Chủ nhật, 29/11/2026 - 07:00") == (datetime(2026, 11, 29, 7, 0, tzinfo=VN), False)


def test_escaped_angle_brackets_in_titles_are_text_not_tags():
    body = ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>"
            "<item><title>Điểm chuẩn lớp 10 &lt; 20 điểm, &gt; 15 điểm ở trường Hoa Sen</title>"
            "<link>https://a.example/1.html</link></item>"
            "<item><title><![CDATA[Điểm <20 ở trường Sao Mai và >15 ở trường Ban Mai]]></title>"
            "<link>https://a.example/2.html</link></item>"
            "<item><title>&lt;b&gt;Nóng:&lt;/b&gt; học sinh &lt;span class=\"x\"&gt;nghỉ học&lt;/span&gt;</title>"
            "<link>https://a.example/3.html</link></item></channel></rss>").encode()
    titles = [e.title for e in parse_feed(body, source="s", feed_url="https://a.example/rss", now=NOW).entries]
    assert titles == ["Điểm chuẩn lớp 10 < 20 điểm, > 15 điểm ở trường Hoa Sen",
                      "Điểm <20 ở trường Sao Mai và >15 ở trường Ban Mai",
                      "Nóng: học sinh nghỉ học"]  # real markup, escaped once, is still dropped


def test_malformed_xml_keeps_what_could_be_read_and_says_so():
    feed = parse("malformed.xml")
    urls = [e.url for e in feed.entries]
    assert "https://bao-mau.example/ok-1.html" in urls and "https://bao-mau.example/ok-2.html" in urls
    assert any("malformed feed" in p for p in feed.problems)


def test_html_anti_bot_page_is_not_an_empty_feed():
    with pytest.raises(NotAFeed, match="HTML page"):
        parse("antibot.html", content_type="text/html; charset=utf-8")
    # also when the server labels it as XML
    with pytest.raises(NotAFeed):
        parse("antibot.html", content_type="application/rss+xml")


def test_empty_body_and_garbage_are_errors_but_an_empty_channel_is_not():
    with pytest.raises(FeedError, match="empty body"):
        parse_feed(b"  \n", source="s", feed_url="https://x.example/rss", now=NOW)
    with pytest.raises(FeedError):
        parse_feed(b"this is plain text, not xml", source="s", feed_url="https://x.example/rss", now=NOW)
    feed = parse("empty.xml")
    assert feed.entries == () and feed.title == "Trang chủ"


def test_duplicate_items_and_items_without_link():
    xml = ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>"
           "<item><title>Một</title><link>https://a.example/x-1.html?utm_source=zalo&amp;zarsrc=30</link><guid>g1</guid></item>"
           "<item><title>Một (lặp)</title><link>https://a.example/x-1.html</link><guid>g1</guid></item>"
           "<item><title>Không có link</title></item></channel></rss>")
    feed = parse_feed(xml.encode(), source="s", feed_url="https://a.example/rss", now=NOW)
    assert [e.url for e in feed.entries] == ["https://a.example/x-1.html"]
    assert any("without a link" in p for p in feed.problems)


def test_wrong_declared_charset_is_checked_against_the_bytes():
    xml = ("<?xml version='1.0' encoding='ISO-8859-1'?><rss version='2.0'><channel><title>Giáo dục</title>"
           "<item><title>Học sinh Đồng Tháp đạt giải</title><link>https://a.example/1.html</link></item></channel></rss>")
    feed = parse_feed(xml.encode("utf-8"), source="s", feed_url="https://a.example/rss", now=NOW,
                      content_type="application/rss+xml; charset=iso-8859-1")
    assert feed.entries[0].title == "Học sinh Đồng Tháp đạt giải"
    assert any("does not match" in p for p in feed.problems)


def _cp1258_char(c: str) -> bytes:
    tones = "\u0300\u0301\u0303\u0309\u0323"
    parts = unicodedata.normalize("NFD", c)
    base = unicodedata.normalize("NFC", "".join(x for x in parts if x not in tones))
    return (base + "".join(x for x in parts if x in tones)).encode("cp1258")


def _fits(c: str) -> bool:
    try:
        c.encode("cp1258")
        return True
    except UnicodeEncodeError:
        return False


def test_undeclared_windows_1258_is_detected_and_everything_is_nfc():
    text = "Trường tiểu học tổ chức ngày hội đọc sách cho học sinh và phụ huynh trong toàn quận"
    # windows-1258 has ư, ơ, â... precomposed but the tone marks only as combining characters
    raw = b"".join(c.encode("cp1258") if _fits(c) else _cp1258_char(c) for c in text)
    decoded = decode(raw, "text/html")
    assert decoded.text == unicodedata.normalize("NFC", text)
    assert decoded.problem


def test_nfd_input_is_stored_nfc():
    nfd = unicodedata.normalize("NFD", "Hoà bình  \n  Thuỷ")
    assert clean_text(nfd) == unicodedata.normalize("NFC", "Hoà bình Thuỷ")


def test_sapo_strips_images_links_and_newsroom_tags():
    assert sapo_from_description('<a href="https://x/1.html"><img src="a.jpg"></a></br>(Dân trí) - Học sinh đi học lại.') == "Học sinh đi học lại."
    assert sapo_from_description("(NLĐO) - Tin &amp; ảnh") == "Tin & ảnh"
    assert sapo_from_description("") == ""


def _all_rss_fixtures() -> list[tuple[str, bytes]]:
    site = build_site(load_articles(FIX / "articles.json"))
    site.base_url = "https://bao-mau.example"
    feeds = [(src, site.routes[path].render(site.base_url).encode()) for src, (_, path) in site.feeds.items()]
    return feeds + [(n, (FIX / n).read_bytes()) for n in ("dates.xml", "rss091.xml", "empty.xml")]


@pytest.mark.parametrize("name,body", _all_rss_fixtures(), ids=[n for n, _ in _all_rss_fixtures()])
def test_fast_rss_path_reads_exactly_what_feedparser_reads(name, body):
    fast = parse_feed(body, source="s", feed_url="https://bao-mau.example/rss", now=NOW)
    reference = parse_feed(body, source="s", feed_url="https://bao-mau.example/rss", now=NOW, engine="feedparser")
    assert fast.entries == reference.entries
    assert fast.title == reference.title and fast.problems == reference.problems


def test_extra_rss_fields_match_feedparser():
    xml = ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/' "
           "xmlns:content='http://purl.org/rss/1.0/modules/content/'><channel><title>Kênh &amp; tin</title>"
           "<item><title><![CDATA[Tiêu đề <b>đậm</b>]]></title><link> https://a.example/1.html </link>"
           "<dc:creator>Hà Anh</dc:creator><dc:date>2026-11-25T08:00:00+07:00</dc:date>"
           "<content:encoded><![CDATA[<p>Nội dung <a href='/x'>đầy đủ</a></p>]]></content:encoded></item>"
           "<item><guid isPermaLink='true'>https://a.example/2.html</guid><title>Chỉ có guid</title>"
           "<pubDate>Tue, 24 Nov 2026 20:00:00 +0700</pubDate><description>Mô tả</description></item>"
           "</channel></rss>").encode()
    fast = parse_feed(xml, source="s", feed_url="https://a.example/rss", now=NOW)
    reference = parse_feed(xml, source="s", feed_url="https://a.example/rss", now=NOW, engine="feedparser")
    assert fast.entries == reference.entries and fast.title == reference.title == "Kênh & tin"
    assert fast.entries[0].title == "Tiêu đề đậm" and fast.entries[0].sapo == "Nội dung đầy đủ"
    assert fast.entries[0].author == "Hà Anh" and fast.entries[1].url == "https://a.example/2.html"
