"""Canonical URLs: one identity per article however the link is decorated."""

from __future__ import annotations

import pytest

from monitor.urls import canonical_url

SAME = [
    ("https://vnexpress.net/ha-noi-tang-chi-tieu-lop-10-4812345.html?utm_source=facebook&utm_medium=social&fbclid=IwAR0x",
     "https://vnexpress.net/ha-noi-tang-chi-tieu-lop-10-4812345.html"),
    ("HTTPS://VnExpress.NET/ha-noi-tang-chi-tieu-lop-10-4812345.html#box_comment",
     "https://vnexpress.net/ha-noi-tang-chi-tieu-lop-10-4812345.html"),
    ("https://m.dantri.com.vn/giao-duc/bua-an-ban-tru-20261125140512345.htm?zarsrc=30&gidzl=abc",
     "https://dantri.com.vn/giao-duc/bua-an-ban-tru-20261125140512345.htm"),
    ("https://amp.tuoitre.vn/hoc-sinh-thi-khkt-20261125090012345.htm",
     "https://tuoitre.vn/hoc-sinh-thi-khkt-20261125090012345.htm"),
    ("https://vietnamnet.vn/amp/chuyen-doi-so-2345678.html", "https://vietnamnet.vn/chuyen-doi-so-2345678.html"),
    ("https://thanhnien.vn/truong-hoc-185261125112000123.htm?gclid=xyz&utm_campaign=a",
     "https://thanhnien.vn/truong-hoc-185261125112000123.htm"),
    ("http://example.vn:80/a/./b/../c.html", "http://example.vn/a/c.html"),
    ("https://example.vn/tin%2Dmoi.html", "https://example.vn/tin-moi.html"),
]


@pytest.mark.parametrize("raw,expected", SAME)
def test_canonical(raw, expected):
    assert canonical_url(raw) == expected


def test_meaningful_query_kept_and_relative_links_resolved():
    assert canonical_url("https://baotintuc.vn/tin.aspx?id=123&utm_source=x") == "https://baotintuc.vn/tin.aspx?id=123"
    assert canonical_url("/giao-duc/a-1.htm", base="https://dantri.com.vn/rss/giao-duc.rss") == "https://dantri.com.vn/giao-duc/a-1.htm"
    assert canonical_url("https://example.vn:8080/x") == "https://example.vn:8080/x"


def test_short_hosts_are_not_stripped():
    assert canonical_url("https://m.vn/x") == "https://m.vn/x"


@pytest.mark.parametrize("url", [
    "https://vnexpress.net/a-b-1234567.html", "https://vnexpress.net", "http://127.0.0.1:8000/x/y-1.htm",
    "https://tuoitre.vn/amp/a.htm", "https://a.vn/x.amp.html", "https://a.vn:443/x", "https://a.vn/a/b/",
    "https://vietnamplus.vn/x-post123.vnp", "https://a.vn/a..b/../c.html", "https://a.vn/./x",
])
def test_fast_path_agrees_with_the_full_normalisation(url, monkeypatch):
    import re

    import monitor.urls as urls

    fast = canonical_url(url)
    monkeypatch.setattr(urls, "_PLAIN", re.compile(r"(?!)"))  # never matches: the full path runs
    assert canonical_url(url) == fast
