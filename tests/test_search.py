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


def test_words_typed_with_diacritics_must_appear_with_them_and_the_exact_phrase_comes_first():
    from monitor.search import exact_rank, exact_terms, has_marks

    fee = "Phụ huynh phản ánh LẠM THU đầu năm ở một trường tiểu học"
    apart = "Trường bị nhắc nhở vì lạm dụng quỹ lớp. Các khoản thu khác vẫn đúng quy định."
    job = "Du học sinh được nới giờ làm thêm từ thứ hai tuần tới"
    assert [exact_rank("lạm thu", t) for t in (fee, apart, job)] == [0, 1, None]
    assert exact_rank("lạm thu", "Chống lạm dụng, nhà trường dừng các khoản thứ yếu") is None  # "thu" is not "thứ"
    assert exact_rank('"lạm thu"', apart) is None  # a quoted phrase with marks needs the exact phrase
    assert exact_rank("lạm thu OR giờ làm", job) == 0  # either group, each with its own marks
    assert exact_rank("lạm thu đầu năm tiểu*", fee) == 1  # a prefix keeps its marks; the words apart: tier 1
    assert exact_rank("lạm thu tieu*", fee) is None  # typed with marks, the query's unmarked words are exact too
    assert exact_rank("lạm thu -dung", fee) == 0  # exclusions are the FTS expression's
    assert exact_rank("hoà", "Hòa Bình") == 0  # one tone placement
    assert exact_terms('lạm thu "khoản thu" -đầu') == ["lạm", "thu", "khoản thu"]
    assert has_marks("lạm") and not has_marks("lam thu -đầu") and exact_terms("lam thu") == []
    # each OR group by its own marks: a group typed without them stays loose
    assert exact_rank("Long Bien OR Hà Đông", "Học sinh Long Biên được khen") == 0
    assert exact_terms("Long Bien OR Hà Đông") == ["hà", "đông"]


def _stored(tmp_path, *articles, classify=False):
    """(feeds.yaml, article ids) of a store holding `articles`, each (slug, title, sapo, body), published 25/11/2026
    09:00 (the clock at 26/11 08:00); classified when asked."""
    from datetime import datetime

    from monitor.app import App
    from monitor.pipeline import classify_articles
    from test_service_support import TZ_OFFSET, add_articles, fixed_clock, write_config

    cfg = write_config(tmp_path)
    app = App.from_path(cfg, clock=fixed_clock(datetime(2026, 11, 26, 8, 0, tzinfo=TZ_OFFSET)))
    ids = add_articles(app, [{"url": f"https://bao-vi-du.vn/giao-duc/{slug}.html", "title": title, "sapo": sapo,
                              "body": body, "published": datetime(2026, 11, 25, 9, 0, tzinfo=TZ_OFFSET)}
                             for slug, title, sapo, body in articles])
    if classify:
        classify_articles(app, list(ids))
    app.close()
    return cfg, ids


def test_cli_search_prefers_the_marks_typed_and_keeps_unmarked_queries_loose(tmp_path):
    import json

    from click.testing import CliRunner

    from monitor.cli import cli

    cfg, (job, apart, fee) = _stored(
        tmp_path,
        ("lam-them-2001", "Du học sinh được nới giờ làm thêm", "Quy định mới áp dụng từ thứ hai tuần tới.",
            "Sinh viên quốc tế được làm thêm nhiều giờ hơn mỗi tuần trong kỳ nghỉ."),
        ("quy-lop-2002", "Trường bị nhắc nhở vì lạm dụng quỹ lớp", "Các khoản thu khác vẫn đúng quy định.",
            "Phòng giáo dục yêu cầu nhà trường rà soát quỹ lớp và công khai các khoản đóng góp."),
        ("lam-thu-2003", "Phụ huynh phản ánh lạm thu đầu năm học", "Nhiều khoản thu ngoài quy định ở trường tiểu học.",
            "Hiệu trưởng cho biết sẽ trả lại các khoản lạm thu cho phụ huynh trong tuần này."),
        classify=True)

    def ids(query):
        r = CliRunner().invoke(cli, ["--config", str(cfg), "search", query, "--json", "--limit", "50"])
        assert r.exit_code == 0, r.output
        return [x["id"] for x in json.loads(r.output)["results"]]

    assert ids("lạm thu") == [fee, apart]  # the exact phrase first; "làm thêm … thứ hai" is not "lạm thu"
    assert ids("lam thu") == [fee]  # typed without marks: the words together, whatever their marks
    assert sorted(ids('"lam" "thu"')) == sorted([job, apart, fee])  # each word quoted: anywhere, any marks
    assert ids('"lạm thu"') == [fee]
    # nothing as typed, but something without the marks ("thêm" mistyped as "thềm"): those, said to be loose
    assert ids("làm thềm") == [job]
    found = json.loads(CliRunner().invoke(cli, ["--config", str(cfg), "search", "làm thềm", "--json"]).output)
    assert found["matched_without_diacritics"] is True and found["exact"] == []
    found = json.loads(CliRunner().invoke(cli, ["--config", str(cfg), "search", "lạm thu", "--json"]).output)
    assert found["matched_without_diacritics"] is False
    r = CliRunner().invoke(cli, ["--config", str(cfg), "search", "làm thềm"])
    assert "Không có bài nào có đúng các từ «làm thềm» như đã gõ" in r.output and "nới giờ làm thêm" in r.output
    r = CliRunner().invoke(cli, ["--config", str(cfg), "search", "--help"])
    # the help is rewrapped to the terminal's width: the phrase is checked across line breaks
    assert "phải xuất hiện đúng như đã gõ" in " ".join(r.output.split())


def test_plain_words_read_without_marks_must_stand_together():
    from monitor.search import together_query, together_ranker

    assert together_query("lam thu") == together_query("Lạm  thu") == together_query("lạm-thu") == '"lam thu"'
    # one word, or an operator written: the query means what it says
    for q in ("lam", '"lam" "thu"', '"lam thu"', "lam OR thu", "lam thu -them", "lam thu*", ""):
        assert together_query(q) is None, q
    rank = together_ranker("lam thu")
    assert [rank(t) for t in ("Phản ánh LẠM THU đầu năm", "các khoản lạm-thu", "lạm_thu", "làm thủ tục")] == [0] * 4
    # a comma, a full stop or a line (title, sapo and body are apart) is not "together"; nor is a longer word
    assert [rank(t) for t in ("vừa học vừa làm, thu nhập cao", "làm thêm.\nThu nhập", "lạm thụt", "xlạm thu")] == \
           [None] * 4


def test_cli_search_fallback_and_unmarked_words_keep_only_the_words_together(tmp_path):
    """"lạm thu" with no article holding it: not every article with "làm" and "thư/thứ" somewhere (clerk journey 9)."""
    import json

    from click.testing import CliRunner

    from monitor.cli import cli

    cfg, (union, ads, papers) = _stored(
        tmp_path,
        ("thi-dua-3001", "Công đoàn ngành phát động thi đua dạy tốt", "Giáo viên chia sẻ cách làm hay.",
            "Phong trào kéo dài đến hết học kỳ thứ hai, tôn vinh những thầy cô có sáng kiến."),
        ("quang-cao-3002", "Cảnh giác quảng cáo du học", "Nhiều trung tâm hứa hẹn chương trình vừa học vừa làm, "
            "thu nhập cao.", "Phụ huynh nên kiểm tra giấy phép của trung tâm trước khi đóng tiền."),
        ("ho-so-3003", "Hướng dẫn làm thủ tục nhập học lớp 6", "Phụ huynh nộp hồ sơ trực tuyến.",
            "Nhà trường tiếp nhận hồ sơ trong tuần đầu tháng tám."))

    def run(*args):
        r = CliRunner().invoke(cli, ["--config", str(cfg), "search", *args])
        assert r.exit_code == 0, r.output
        return r.output

    def found(query):
        return json.loads(run(query, "--json", "--limit", "50"))

    # nothing as typed: the fallback without marks keeps the words standing together ("làm thủ tục" folds to it, and
    # is said to be matched without the marks); not "làm … thứ", nor "vừa làm, thu nhập"
    out = found("lạm thu")
    assert [x["id"] for x in out["results"]] == [papers]
    assert out["matched_without_diacritics"] is True and out["words_together"] is True and out["fts"] == '"lam thu"'
    listed = run("lạm thu")
    assert "các bài khớp khi bỏ qua dấu, các từ đứng liền nhau theo thứ tự đã gõ" in listed
    assert "Hướng dẫn làm thủ tục" in listed and "thi đua" not in listed and "quảng cáo" not in listed
    # typed without marks: the same rule
    assert [x["id"] for x in found("lam thu")["results"]] == [papers]
    # operators written: the words anywhere, as before
    assert sorted(x["id"] for x in found('"lam" "thu"')["results"]) == sorted([union, ads, papers])
    assert sorted(x["id"] for x in found("lam thu OR khoan dong")["results"]) == sorted([union, ads, papers])
    assert found("lam thu OR khoan dong")["words_together"] is False
    # typed with marks and none together: said so, with what to try, rather than articles with the words apart
    assert found("thu lạm")["results"] == []
    listed = run("thu lạm")
    assert "Không có bài nào có «thu lạm»" in listed and "đứng liền nhau theo thứ tự đã gõ" in listed, listed
    assert "Cách sửa:" in listed and "monitor search '\"thu\" \"lam\"'" in listed, listed
    assert "bỏ bộ lọc (--since, --topic, --hot)" in run("thu lạm", "--since", "2026-11-01")
    # typed without marks and none together: the words may be two things asked for ("hoc phi long bien"), so the
    # articles holding them apart are listed, said to be so
    assert sorted(x["id"] for x in found("thu lam")["results"]) == sorted([union, ads, papers])
    listed = run("thu lam")
    assert "Không có bài nào có các từ «thu lam» đứng liền nhau" in listed and "ở rải rác" in listed, listed
