"""What a clerk types as the outputs print it: days as DD/MM/YYYY and months as MM/YYYY, case numbers as "#7",
topics by the plan's name; a case number typed where an article number goes; a command pointed at a folder with no
database; a report asked for a month not yet begun. Real SQLite files; nothing outside the machine."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from monitor.triage import run_triage
from test_cli_bad_input import one_clear_error as clear_error, run
from test_service_support import TZ_OFFSET, classified_store
from test_triage_support import FIGHT_SAPO, FIGHT_TITLE, Cls, add_article, make_app


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    cfg, ids, _ = classified_store(tmp_path_factory.mktemp("cli-input"))
    return cfg, ids


# ------------------------------------------------------------------------------------------- dates as printed

def test_a_day_is_taken_as_every_output_prints_it(stored):
    cfg, _ = stored
    iso = json.loads(run(cfg, "articles", "--date", "2026-11-25", "--all", "--json").output)
    printed = run(cfg, "articles", "--date", "25/11/2026", "--all", "--json")
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.output) == iso and iso["articles"]
    for args in (["review", "--since", "20/11/2026"], ["export", "--since", "1/11/2026", "--until", "30/11/2026"],
                 ["search", "học sinh", "--since", "24/11/2026"]):
        r = run(cfg, *args)
        assert r.exit_code == 0, (args, r.output)


def test_a_day_in_either_form_keeps_its_clear_errors(stored):
    cfg, _ = stored
    clear_error(run(cfg, "articles", "--date", "30/02/2026"), "--date '30/02/2026' không có trên lịch",
                "tháng 2/2026 có 28 ngày")
    clear_error(run(cfg, "articles", "--date", "12/13/2026"), "không có tháng 13")
    clear_error(run(cfg, "articles", "--date", "2026/11/25"), "không phải là ngày", "DD/MM/YYYY hoặc YYYY-MM-DD")
    clear_error(run(cfg, "articles", "--date", "25/11/26"), "không phải là ngày", "ví dụ 26/11/2026")
    clear_error(run(cfg, "review", "--since", "01/01/0001"), "nằm ngoài khoảng cho phép")


def test_a_case_update_takes_the_day_as_its_time_option_does(tmp_path):
    app = make_app(tmp_path)
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    (case_id,) = run_triage(app).cases_opened
    app.close()
    cfg = tmp_path / "feeds.yaml"
    r = run(cfg, "cases", "update", str(case_id), "--reported-to", "UBND quận Long Biên", "--on", "25/11/2026",
            "--by", "Chị Lan")
    assert r.exit_code == 0, r.output
    shown = json.loads(run(cfg, "cases", "show", str(case_id), "--json").output)
    assert shown["handling"][0]["on"] == "2026-11-25"


def test_a_month_is_taken_as_the_report_prints_it(tmp_path):
    cfg = classified_store(tmp_path)[0]
    r = run(cfg, "report", "--month", "11/2026", "--format", "html", "--out", str(tmp_path / "r"))
    assert r.exit_code == 0, r.output
    assert (tmp_path / "r" / "bao-cao-thang-2026-11.html").is_file()
    r = run(cfg, "report", "--from", "9/2026", "--to", "11/2026", "--format", "html", "--out", str(tmp_path / "k"))
    assert r.exit_code == 0, r.output
    assert (tmp_path / "k" / "bao-cao-ky-2026-09-den-2026-11.html").is_file()
    clear_error(run(cfg, "report", "--month", "13/2026"), "--month '13/2026' không phải là tháng",
                "MM/YYYY hoặc YYYY-MM")
    clear_error(run(cfg, "report", "--month", "11/26"), "không phải là tháng", "ví dụ 11/2026")


def test_a_report_for_a_month_not_yet_begun_is_refused_as_a_future_clipping_is(tmp_path):
    cfg = classified_store(tmp_path)[0]
    nxt = datetime.now(TZ_OFFSET).date().replace(day=28) + timedelta(days=7)  # a day of next month
    out = tmp_path / "r"
    for args in (["--month", f"{nxt.month:02d}/{nxt.year}"], ["--month", f"{nxt.year}-{nxt.month:02d}"],
                 ["--from", f"{nxt.month}/{nxt.year}", "--to", f"{nxt.month}/{nxt.year}"]):
        clear_error(run(cfg, "report", *args, "--out", str(out)), f"{nxt.month:02d}/{nxt.year} là tháng chưa bắt đầu",
                    "monitor report --month")
    assert not out.exists()


# ----------------------------------------------------------------------------------------- case numbers

def _case_one_and_articles_before_it(tmp_path):
    """Two quiet articles (numbers 1 and 2), then a fight that triage opens case #1 for."""
    app = make_app(tmp_path)
    quiet = Cls(hot_score=0.1, sentiment="neutral", scope="national", reasons=())
    first = add_article(app, "VnExpress", "thi-thu", "Hà Nội công bố lịch thi thử lớp 10 toàn thành phố",
                        "Kỳ khảo sát lớp 9 diễn ra trong hai ngày cuối tháng 12.", app.now() - timedelta(hours=3), quiet)
    second = add_article(app, "VnExpress", "sach-giao-khoa", "Bộ lấy ý kiến về bộ sách giáo khoa mới",
                         "Dự thảo được đăng tải để giáo viên góp ý trong ba tuần.", app.now() - timedelta(hours=2), quiet)
    fight = add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    (case_id,) = run_triage(app).cases_opened
    app.close()
    assert (first, second, case_id) == (1, 2, 1) and fight == 3
    return tmp_path / "feeds.yaml"


def test_a_case_number_typed_for_an_article_number_is_refused_and_both_are_named(tmp_path):
    cfg = _case_one_and_articles_before_it(tmp_path)
    r = run(cfg, "cases", "open", "1", "--note", "thử")
    clear_error(r, "bài số 1 «Hà Nội công bố lịch thi thử lớp 10", "không thuộc hồ sơ #1",
                "monitor cases update 1 --note", "thêm --yes")
    cases = json.loads(run(cfg, "cases", "list", "--json").output)
    assert [c["id"] for c in cases] == [1] and all(e["note"] != "thử" for e in cases[0]["events"])
    # the article is not labelled hot either
    assert json.loads(run(cfg, "explain", "1", "--json").output)["labels"] == []
    # an article with no case of that number, or already in the case, opens as before
    assert run(cfg, "cases", "open", "2", "--note", "thật").exit_code == 0
    r = run(cfg, "cases", "open", "1", "--note", "bài này đúng là nóng", "--yes")
    assert r.exit_code == 0 and "Hồ sơ #3 (đã mở): Hà Nội công bố lịch thi thử" in r.output, r.output


def test_a_not_hot_label_on_an_article_numbered_as_an_open_case_is_refused(tmp_path):
    cfg = _case_one_and_articles_before_it(tmp_path)
    for args in (["--hot", "no"], ["--not-education"]):
        clear_error(run(cfg, "label", "1", *args), "bài số 1 «Hà Nội công bố lịch thi thử lớp 10", "không thuộc hồ sơ #1",
                    "monitor cases dismiss 1", "thêm --yes")
    assert json.loads(run(cfg, "explain", "1", "--json").output)["labels"] == []
    # other labels, an article in the case itself, or --yes go through
    assert run(cfg, "label", "1", "--sentiment", "neutral").exit_code == 0
    r = run(cfg, "label", "1", "--hot", "no", "--yes")
    assert r.exit_code == 0 and "nhãn #2 cho bài 1" in r.output, r.output
    r = run(cfg, "label", "3", "--hot", "no")
    assert r.exit_code == 0 and "nhãn #3 cho bài 3" in r.output, r.output
    # a dismissed case's number no longer stands in the way
    r = run(cfg, "label", "2", "--hot", "no")
    assert r.exit_code == 0, r.output
    r = run(cfg, "label", "1", "--hot", "no")
    assert r.exit_code == 0, r.output


def test_case_ids_are_taken_with_the_hash_every_listing_prints(tmp_path):
    cfg = _case_one_and_articles_before_it(tmp_path)
    r = run(cfg, "cases", "show", "#1")
    assert r.exit_code == 0 and FIGHT_TITLE[:30] in r.output, r.output
    r = run(cfg, "cases", "update", " #1", "--note", "Đã gọi nhà trường", "--by", "Chị Lan")
    assert r.exit_code == 0, r.output
    clear_error(run(cfg, "cases", "show", "#x"), "'#x'")


# ------------------------------------------------------------------------------------------ missing database

def test_a_command_pointed_at_a_folder_without_a_database_says_so_and_creates_nothing(tmp_path):
    from test_service_support import write_config

    cfg = write_config(tmp_path)
    db = tmp_path / "var" / "monitor.sqlite3"
    for args in (["label", "52", "--education"], ["articles"], ["cases", "list"], ["cases", "show", "7"],
                 ["explain", "52"], ["review"], ["status"], ["digest", "--send"], ["report", "--month", "11/2026"]):
        r = run(cfg, *args)
        clear_error(r, f"chưa có cơ sở dữ liệu ở {db} (cấu hình {cfg})", "--config", "monitor init", code=3)
        assert "không có bài số" not in r.output
        assert not db.exists(), args
    # a rules file is still checked before the first crawl, without making a database for it
    r = run(cfg, "rules", "test", "--rules-only")
    assert r.exit_code == 0 and "Không có bài nào đã lưu" in r.output and not db.exists(), r.output
    # the commands that start a database still do
    assert run(cfg, "init").exit_code == 0 and db.exists()
    assert run(cfg, "articles").exit_code == 0


# -------------------------------------------------------------------------------------------------- topics

def test_a_topic_is_taken_by_the_plans_name_and_a_near_miss_is_answered(stored):
    cfg, ids = stored
    by_id = json.loads(run(cfg, "articles", "--date", "2026-11-25", "--topic", "an-toan-truong-hoc", "--json").output)
    assert by_id["articles"]
    for name in ("An ninh, an toàn trường học", "an ninh an toan truong hoc", "AN NINH, AN TOÀN TRƯỜNG HỌC"):
        r = run(cfg, "articles", "--date", "2026-11-25", "--topic", name, "--json")
        assert r.exit_code == 0 and json.loads(r.output) == by_id, (name, r.output)
    r = run(cfg, "search", "học sinh", "--topic", "an toan truong hoc", "--json")
    assert r.exit_code == 0, r.output
    clear_error(run(cfg, "articles", "--topic", "an-toan"),
                "không có chủ đề 'an-toan' (có phải 'an-toan-truong-hoc' – An ninh, an toàn trường học?)",
                "tuyen-sinh (Thi tuyển sinh lớp 10, tuyển sinh đầu cấp)")
    clear_error(run(cfg, "articles", "--topic", "tuyen-sinh,hoi-nhap"), "nêu 2 chủ đề")
    r = run(cfg, "label", str(ids[1]), "--topics", "Thi tuyển sinh lớp 10, tuyển sinh đầu cấp", "--by", "Thu Hà")
    assert r.exit_code == 0 and "chủ đề: tuyen-sinh" in r.output, r.output
