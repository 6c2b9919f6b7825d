"""Bad and edge input the command-line sweep found (bench of every command with wrong dates, empty values, files in
another encoding, folders that hold nothing): each is one clear line naming the thing and what to write, with
the usage exit code 2 (3 for a missing model), never an internal error, and never a default silently taken for
an empty value. A real SQLite file with the rules classifier; nothing outside the machine."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from monitor.app import App
from monitor.cli import cli
from test_service_support import add_articles, classified_store, write_config


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    cfg, ids, _ = classified_store(tmp_path_factory.mktemp("bad-input"))
    return cfg, ids


def run(cfg, *args):
    return CliRunner().invoke(cli, ["--config", str(cfg), *args])


def one_clear_error(result, *words, code=2):
    assert result.exit_code == code, result.output
    assert "Lỗi nội bộ" not in result.output and "Traceback" not in result.output, result.output
    for w in words:
        assert w in result.output, result.output


@pytest.mark.parametrize("args", [
    ["articles", "--date", ""],
    ["digest", "--date", ""],
    ["export", "--since", ""],
    ["review", "--since", ""],
    ["search", "hoc", "--since", ""],
    ["reclassify", "--since", "", "--dry-run"],
    ["rules", "test", "--until", ""],
])
def test_an_empty_date_is_refused_rather_than_read_as_today_or_every_day(stored, args):
    # `monitor digest --date "$DAY" --send` with DAY unset used to send the latest clipping
    one_clear_error(run(stored[0], *args), f"Lỗi: {next(a for a in args if a.startswith('--'))} đang để trống",
                    "YYYY-MM-DD", "hoặc bỏ hẳn --")


def test_a_day_missing_from_the_calendar_says_why_not_which_format(stored):
    r = run(stored[0], "articles", "--date", "2026-02-29")
    one_clear_error(r, "--date '2026-02-29' không có trên lịch", "tháng 2026-02 có 28 ngày")
    assert "YYYY-MM-DD" not in r.output  # it was written so
    one_clear_error(run(stored[0], "export", "--since", "2026-13-01"), "--since '2026-13-01'", "không có tháng 13")
    one_clear_error(run(stored[0], "articles", "--date", "2028-02-30"), "tháng 2028-02 có 29 ngày")
    assert run(stored[0], "articles", "--date", "2028-02-29").exit_code == 0


def test_digits_of_another_script_are_not_a_date(stored):
    one_clear_error(run(stored[0], "articles", "--date", "٢٠٢٦-١١-٢٥"), "--date '٢٠٢٦-١١-٢٥' không phải là ngày")


def test_a_pasted_page_is_not_echoed_whole_in_the_error(stored):
    r = run(stored[0], "articles", "--date", "2" * 5000)
    one_clear_error(r, "--date '2222", "không phải là ngày", "…")
    assert len(r.output) < 300, len(r.output)


def test_serve_refuses_a_start_time_its_clock_cannot_count_from(stored):
    # was an internal OverflowError
    one_clear_error(run(stored[0], "serve", "--start-at", "0001-01-01T00:00", "--run-for", "1"),
                    "--start-at '0001-01-01T00:00' nằm ngoài khoảng cho phép", "1970")
    one_clear_error(run(stored[0], "serve", "--start-at", "sáng mai", "--run-for", "1"),
                    "Lỗi: --start-at 'sáng mai' không phải một thời điểm", "2026-11-26T06:59:00")
    one_clear_error(run(stored[0], "serve", "--tick", "0", "--run-for", "1"), "--tick và --run-for phải là số dương")


def test_an_empty_rollback_does_not_reclassify_everything(stored):
    cfg, _ = stored
    before = json.loads(run(cfg, "reclassify", "--versions", "--json").output)
    one_clear_error(run(cfg, "reclassify", "--rollback", ""), "--rollback đang để trống", "--versions")
    assert json.loads(run(cfg, "reclassify", "--versions", "--json").output) == before  # nothing written
    one_clear_error(run(cfg, "reclassify", "--rollback", "", "--versions"), "một trong --compare, --rollback, --versions")


def test_an_empty_version_to_explain_is_refused(stored):
    cfg, (violence, _, _) = stored
    one_clear_error(run(cfg, "explain", str(violence), "--version", " "), "--version đang để trống")


@pytest.mark.parametrize("topics", ["", ",,", " , "])
def test_topics_naming_nothing_do_not_erase_the_articles_topics(stored, topics):
    cfg, (violence, _, _) = stored
    one_clear_error(run(cfg, "label", str(violence), "--topics", topics), "không nêu chủ đề nào", "'-' nếu bài không")
    labels = json.loads(run(cfg, "explain", str(violence), "--json").output)["labels"]
    assert not any(x.get("topics") == [] for x in labels), labels


def test_a_blank_labeller_is_refused(stored):
    cfg, (violence, _, _) = stored
    one_clear_error(run(cfg, "label", str(violence), "--hot", "no", "--by", "   "), "--by đang để trống")
    one_clear_error(run(cfg, "label", str(violence), "--hot", "no", "--by", ""), "--by đang để trống")


def test_a_labels_file_in_another_encoding_names_its_line(stored, tmp_path):
    labels = tmp_path / "labels.jsonl"
    labels.write_bytes('{"id": "a", "is_education": true, "title": "Học sinh"}\n'.encode()
                       + '{"id": "b", "is_education": true, "title": "Đà"}\n'.encode("cp1258"))  # a Windows editor's Vietnamese
    one_clear_error(run(stored[0], "evaluate", "--labels", str(labels)), "dòng 2", "không phải văn bản UTF-8",
                    "lưu tệp dưới dạng văn bản UTF-8")


@pytest.mark.parametrize("line", ["5", '"id"', "[1, 2]", "null"])
def test_a_labels_line_that_is_no_object_is_named(stored, tmp_path, line):
    labels = tmp_path / "labels.jsonl"
    labels.write_text(line + "\n", encoding="utf-8")
    one_clear_error(run(stored[0], "evaluate", "--labels", str(labels)), "dòng 1", "không phải một đối tượng")


def test_a_rules_file_in_another_encoding_is_not_called_bad_yaml(stored, tmp_path):
    rules = tmp_path / "topics.yaml"
    rules.write_bytes("topics:\n  - id: an-toan\n    name: Đà\n".encode("cp1258"))
    for args in (["rules", "test"], ["reclassify", "--dry-run"]):
        r = run(stored[0], *args, "--rules", str(rules))
        one_clear_error(r, f"Lỗi: tệp quy tắc {rules} không phải văn bản UTF-8 (byte 0xd0 ở dòng 3)\n",
                        "  Cách sửa: lưu lại tệp dạng UTF-8")
        assert "thụt lề" not in r.output


def test_a_models_folder_named_by_hand_that_holds_none_is_said_not_replaced(stored, tmp_path):
    # reclassify writes a version: a typo in --model must not reclassify with the shipped models instead, as
    # `monitor classify --models` and `evaluate --models` already refused; `rules test` too (its --rules-only is
    # the way to score by the rules alone)
    missing = tmp_path / "no-such-models"
    before = json.loads(run(stored[0], "reclassify", "--versions", "--json").output)
    for args in (["reclassify", "--dry-run", "--model", str(missing)], ["reclassify", "--model", str(missing)],
                 ["rules", "test", "--models", str(missing)]):
        one_clear_error(run(stored[0], *args), f"chưa có mô hình đã huấn luyện trong {missing}", code=3)
    assert json.loads(run(stored[0], "reclassify", "--versions", "--json").output) == before


@pytest.mark.parametrize("args", [
    ["label", "{a}", "--hot", "no", "--note", "Ghi ch\udcfa"],  # a cp1258 script's "ú" read as UTF-8
    ["label", "{a}", "--hot", "no", "--by", "\udcff"],
    ["explain", "{a}", "--version", "\udcff"],
    ["reclassify", "--rollback", "\udcff"],
    ["cases", "list", "--status", "m\udcf3i"],
    ["search", "h\udcf3c"],
])
def test_text_typed_in_another_encoding_is_refused_before_anything_is_written(stored, args):
    # these bytes reached SQLite and ended as an internal error ("surrogates not allowed")
    cfg, (violence, _, _) = stored
    r = run(cfg, *[a.replace("{a}", str(violence)) for a in args])
    one_clear_error(r, "không phải văn bản UTF-8", "byte 0x", "Cách sửa: gõ lại trong cửa sổ lệnh UTF-8")


def test_a_file_name_in_another_encoding_is_still_a_file_name(stored, tmp_path):
    out = str(tmp_path) + "/xu\udcfat.jsonl"  # a path keeps any bytes: it names a file, it is not stored text
    r = run(stored[0], "export", "-o", out)
    assert r.exit_code == 0, r.output
    assert (tmp_path / b"xu\xfat.jsonl".decode("utf-8", "surrogateescape")).exists()


def test_an_output_file_in_a_missing_folder_is_exit_3_naming_it_as_given(stored, tmp_path):
    good = tmp_path / "in.jsonl"
    good.write_text('{"id": "a", "title": "Học sinh lớp 5 được khen thưởng"}\n', encoding="utf-8")
    target = tmp_path / "missing" / "out.jsonl"
    for args in (["classify", "-i", str(good), "-o", str(target)], ["export", "-o", str(target)]):
        r = run(stored[0], *args)
        one_clear_error(r, f"Lỗi: không dùng được {target}", "thư mục có tồn tại", code=3)
        assert ".part" not in r.output


def test_listings_go_out_whole_where_the_locale_cannot_write_vietnamese(stored):
    # a cp1252 console redirected to a file, a latin-1 locale: the first diacritic stopped the command half-way
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONIOENCODING="cp1252", PYTHONPATH=str(root))
    r = subprocess.run([sys.executable, "-m", "monitor", "--config", str(stored[0]), "articles", "--date", "2026-11-25"],
                       capture_output=True, env=env, cwd=root, timeout=120)
    assert r.returncode == 0, r.stderr.decode("utf-8", "replace")
    assert "bài" in r.stdout.decode("utf-8")
    r = subprocess.run([sys.executable, "-m", "monitor", "--config", str(stored[0]), "articles", "--date", "2026-02-30"],
                       capture_output=True, env=env, cwd=root, timeout=120)
    assert r.returncode == 2 and "Lỗi: --date '2026-02-30' không có trên lịch" in r.stderr.decode("utf-8"), r.stderr


def test_typed_text_is_kept_as_collected_text_is_without_controls_or_bidi_overrides(tmp_path):
    # an override left open in a note or an entered title reversed what follows it in the clipping and listings;
    # an escape sequence drove the terminal of whoever listed it
    cfg = write_config(tmp_path)
    app = App.from_path(cfg)
    violence, _, _ = add_articles(app)
    app.close()
    r = run(cfg, "label", str(violence), "--hot", "no", "--note", "Tin c\u0169\u202e \u0111\u0103ng l\u1ea1i\x1b[2J\x07", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["note"] == "Tin cũ đăng lại"
    r = run(cfg, "cases", "open", "--title", "Ph\u1ee5 huynh ph\u1ea3n \u00e1nh\u202e thu qu\u1ef9\x01", "--source-kind", "khác",
            "--source", "\u0110\u01b0\u1eddng d\u00e2y n\u00f3ng\u2066", "--no-alert")
    assert r.exit_code == 0, r.output
    listed = run(cfg, "cases", "list", "--json").output
    assert "Phụ huynh phản ánh thu quỹ" in json.loads(listed)[0]["title"]
    assert "\u202e" not in listed and "\\u202e" not in listed and "\\u0001" not in listed and "\\u2066" not in listed
    # typed decomposed (a macOS terminal), stored composed, as collected text is: search and the listings match it
    # (--yes: the case just opened is number 1, as the article is)
    r = run(cfg, "label", str(violence), "--hot", "no", "--note", "Ti\u0301n", "--json", "--yes")
    assert json.loads(r.output)["note"] == "Tín"


@pytest.mark.parametrize("value", ['"maybe"', '"false"', "1"])
def test_a_label_that_is_no_truth_value_is_named_not_counted_as_true(stored, tmp_path, value):
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"id": "a", "is_education": true, "title": "Học sinh được khen", "hot": false}\n'
                      f'{{"id": "b", "is_education": {value}, "title": "Giá vàng hôm nay"}}\n', encoding="utf-8")
    one_clear_error(run(stored[0], "evaluate", "--labels", str(labels)), "dòng 2", "is_education là",
                    "true hoặc false")


@pytest.mark.parametrize("field, value, said", [("sentiment", '"tieu cuc"', "sentiment là 'tieu cuc'"),
                                                ("scope", '"quan"', "scope là 'quan'"),
                                                ("topics", '"tuyen-sinh"', "một danh sách mã chủ đề")])
def test_a_misspelt_tone_scope_or_topic_list_is_named_not_scored_as_the_models_mistake(stored, tmp_path, field, value,
                                                                                      said):
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"id": "a", "is_education": true, "title": "Học sinh được khen", "sentiment": "positive"}\n'
                      f'{{"id": "b", "is_education": true, "title": "Trường tổ chức hội thi", "{field}": {value}}}\n',
                      encoding="utf-8")
    one_clear_error(run(stored[0], "evaluate", "--labels", str(labels)), "dòng 2", said)


def test_an_empty_labels_file_is_said_not_scored_as_zeros(stored, tmp_path):
    labels = tmp_path / "labels.jsonl"
    labels.write_text("\n  \n", encoding="utf-8")
    one_clear_error(run(stored[0], "evaluate", "--labels", str(labels)), "không có nhãn nào (mọi dòng đều trống)")


def test_a_pasted_article_as_a_query_is_refused_at_once(stored):
    r = run(stored[0], "search", "lạm thu " * 5000)
    one_clear_error(r, "câu tìm dài 40000 ký tự", "tối đa 500")
    assert len(r.output) < 400


def test_report_send_without_smtp_says_it_cannot_mail_and_writes_nothing(stored, tmp_path):
    # it wrote the files and said "written", exit 0: a person who asked for the e-mail read it as sent
    r = run(stored[0], "report", "--month", "2026-11", "--out", str(tmp_path / "r"), "--send")
    one_clear_error(r, "--send: chưa đặt smtp.host và smtp.sender", "bỏ --send")
    assert not (tmp_path / "r").exists()


def test_the_report_line_says_the_month_in_the_language_of_the_line(stored, tmp_path):
    r = run(stored[0], "report", "--month", "2026-11", "--out", str(tmp_path / "r"))
    assert r.exit_code == 0, r.output
    first = r.output.splitlines()[0]
    assert first.startswith("Báo cáo tháng 11/2026: ") and "2026-11" not in first, first
    assert f"; đã ghi vào {tmp_path / 'r'}" in first and "written" not in first, first


def test_a_clipping_of_a_day_not_begun_is_refused_not_written_as_a_crawler_outage(stored, tmp_path):
    r = run(stored[0], "digest", "--date", "2999-12-31", "--out", str(tmp_path / "d"))
    one_clear_error(r, "--date 2999-12-31 là ngày trong tương lai", "ngày xa nhất là")
    # the day it names is written as every date a person reads (dd/mm/yyyy), not as the ISO the option accepts
    assert re.search(r"ngày xa nhất là \d{2}/\d{2}/\d{4},", r.output), r.output
    assert not (tmp_path / "d").exists()


def test_the_cases_commands_refuse_empty_names_and_statuses_and_a_pasted_page_as_a_note(tmp_path):
    # an unset shell variable (`--by "$WHO"`, `--owner "$OWNER"`, `--status "$S"`) must not record nobody, list every
    # case as if filtered, or quietly put the login name in the history; a note is a few sentences, not a page
    from test_triage_support import FIGHT_SAPO, FIGHT_TITLE, add_article, make_app
    from monitor.triage import run_triage

    app = make_app(tmp_path, datetime.now(timezone.utc) - timedelta(minutes=5))
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now())
    (case_id,) = run_triage(app).cases_opened
    app.close()
    cfg = str(tmp_path / "feeds.yaml")
    run = CliRunner().invoke
    for args, said in ((["cases", "update", str(case_id), "--note", "Đã gọi", "--by", "   "], "--by đang để trống"),
                       (["cases", "update", str(case_id), "--owner", "  "], "--owner đang để trống"),
                       (["cases", "list", "--status", ""], "--status đang để trống"),
                       (["cases", "update", str(case_id), "--note", "x" * 2001, "--by", "Chị Lan"], "ghi tối đa 2.000 ký tự")):
        r = run(cli, ["--config", cfg, *args])
        assert r.exit_code == 2 and said in r.output, (args[:3], r.output)
    r = run(cli, ["--config", cfg, "cases", "show", str(case_id)])
    assert "   :" not in r.output and "x" * 100 not in r.output
    r = run(cli, ["--config", cfg, "cases", "update", str(case_id), "--owner", " Chị Lan ", "--by", " Anh Minh "])
    assert r.exit_code == 0, r.output
    assert "Anh Minh: phụ trách → Chị Lan\n" in run(cli, ["--config", cfg, "cases", "show", str(case_id)]).output


def test_a_configuration_with_problems_is_said_in_vietnamese_naming_the_file_and_each_key(tmp_path):
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("office:\n  nme: x\nsources:\n  - name: a\n    url: ftp://x\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["--config", str(cfg), "status"])
    one_clear_error(r, f"Lỗi: {cfg}: cấu hình có 5 lỗi:\n", "  - office.nme: ", "  - sources[0].url: ")
    assert "problem(s)" not in r.output and "error:" not in r.output, r.output


def test_an_error_and_its_hint_have_one_vietnamese_prefix_each(stored):
    r = run(stored[0], "digest", "--resend")
    assert r.exit_code == 2 and r.output == ("Lỗi: --resend chỉ dùng cùng --send\n"
                                             "  Cách sửa: monitor digest --send --resend\n"), r.output
