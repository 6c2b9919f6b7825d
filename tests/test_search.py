"""monitor.search: user text -> a safe FTS5 query over folded text, checked against a real FTS5 table."""

from __future__ import annotations

import sqlite3

import pytest

from monitor.search import fold_text, fts_query, parse_query


@pytest.fixture()
def fts():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2')")
    docs = {
        1: ("Phụ huynh bức xúc vì bạo lực học đường", "Nữ sinh bị đánh hội đồng sau giờ tan học."),
        2: ("Hòa Bình công bố phương án tuyển sinh lớp 10", "Ba môn thi: Toán, Ngữ văn, Ngoại ngữ."),
        3: ("Trường học ở Đà Nẵng thu thêm khoản quỹ", "Phụ huynh phản ánh khoản thu ngoài quy định."),
        4: ("Khánh Hoà tăng học phí", "Mức học phí mới áp dụng từ học kỳ II."),  # old-style tone placement
    }
    for i, (title, body) in docs.items():
        db.execute("INSERT INTO t(rowid, title, body) VALUES (?,?,?)", (i, fold_text(title), fold_text(body)))

    def run(q: str) -> set[int]:
        expr = fts_query(q)
        return set() if expr is None else {r[0] for r in db.execute("SELECT rowid FROM t WHERE t MATCH ?", (expr,))}

    return run


def test_without_diacritics_finds_text_with_them(fts):
    assert fts("bao luc hoc duong") == {1}
    assert fts("bạo lực học đường") == {1}
    assert fts("BẠO LỰC") == {1}


def test_tone_mark_placement_does_not_matter(fts):
    assert fts("hoà") == {2, 4}
    assert fts("hòa") == {2, 4}
    assert fts("Khánh Hòa") == {4}


def test_d_with_stroke_folds_to_d(fts):
    assert fts("da nang") == {3}
    assert fts("Đà Nẵng") == {3}


def test_phrase_in_quotes_needs_adjacent_words(fts):
    assert fts('"khoan thu"') == {3}
    assert fts('"thu khoan"') == set()
    assert fts("thu khoan") == {3}  # without quotes: both words, any order


def test_or_prefix_and_exclusion(fts):
    assert fts('"hoc phi" OR "khoan thu"') == {3, 4}
    assert fts("tuyen*") == {2}
    assert fts("phu huynh -luc") == {3}


@pytest.mark.parametrize("text", ['"', 'a"b', "AND", "OR", "NOT x", "NEAR(a b)", "title:abc", "(", "*", "a - b",
                                  "^x", "c++", "{a b}", "'", '""""', "học-phí", "1/2/2026"])
def test_no_syntax_reaches_fts(fts, text):
    fts(text)  # must not raise sqlite3.OperationalError


def test_empty_queries_have_no_expression():
    assert fts_query("") is None
    assert fts_query('  "" ... ') is None
    assert parse_query("-x").empty


def test_snippet_finds_the_passage_whatever_the_diacritics():
    from monitor.search import snippet

    body = ("Sáng 24/11, đại diện nhà trường cho biết đã họp với phụ huynh. Theo phản ánh, nhiều em bị bắt nạt "
            "trong giờ ra chơi và có dấu hiệu bạo lực học đường kéo dài nhiều tháng mà không được phát hiện.")
    s = snippet(body, "bao luc", width=60)
    assert "bạo lực học đường" in s and s.startswith("…") and len(s) <= 62
    assert snippet(body, "xyzzy quux") == ""
    assert snippet("Khánh Hoà tăng học phí", "hòa") == "Khánh Hoà tăng học phí"
