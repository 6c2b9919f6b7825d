"""What the office reads when it edits its topic rules (topics.yaml, or its copy named by storage.rules_file) and
dry-runs the edit with `monitor rules test` is Vietnamese, as monitor/errors.py's policy says: key paths, topic ids,
file names, commands and values as written. Invented articles in a real SQLite store; nothing outside the machine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifiers.model import rules_mismatch
from classifiers.rules import DEFAULT_RULES_PATH, load_rules
from monitor.cli import cli
from monitor.errors import InputError
from test_nlp_cli import _store_articles as store_articles

# Invented articles, written for this test: one education, one hot, one neither.
ARTICLES = [
    ("https://bao-vi-du.vn/giao-duc/diem-chuan-lop-10-1.html", "Hà Nội công bố điểm chuẩn vào lớp 10 công lập",
     "Điểm chuẩn năm nay của nhiều trường tăng nhẹ so với năm trước."),
    ("https://bao-vi-du.vn/kinh-te/gia-vang-2.html", "Giá vàng trong nước tăng mạnh phiên đầu tuần",
     "Giá vàng miếng tăng thêm nửa triệu đồng mỗi lượng."),
    ("https://bao-vi-du.vn/giao-duc/hoc-sinh-bi-danh-3.html", "Học sinh lớp 6 bị đánh hội đồng trong giờ ra chơi",
     "Phụ huynh bức xúc vì con bị bạn cùng lớp đánh hội đồng, nhà trường đang xác minh."),
]

# English the dry run printed before (its summary, its notes, its progress), and what a rules file's problems said
ENGLISH = re.compile(r"\b(articles?|live|candidate|note|topic|education|hot|label|would|change|classified|rules?|"
                     r"problems?|needs?|duplicate|weight|must|file|models?|scored|alone|edited|trained|did you mean)\b")


def _no_english(text: str) -> None:
    # kept as typed: versions (rules-only+rules.…), paths, file names, commands in backticks
    words = re.sub(r"`[^`]*`|\S*[+/]\S*|\S+\.ya?ml\b|storage\.rules_file|--[\w-]+", "", text)
    assert not ENGLISH.search(words), (ENGLISH.search(words), text)


def _store_articles(config_file) -> None:
    store_articles(config_file, ARTICLES)


def rules_test(config_file, *args):
    return CliRunner().invoke(cli, ["--config", str(config_file), "rules", "test", *args])


def test_every_problem_of_a_rules_file_is_said_in_vietnamese_under_one_header(config_file, tmp_path):
    bad = tmp_path / "rules-cua-phong.yaml"
    bad.write_text("fields: [title, sapo]\n"
                   "topics:\n"
                   "  - id: tuyen-sinh\n"
                   "    terms: điểm chuẩn\n"
                   "  - id: tuyen-sinh\n"
                   "    terms: {điểm chuẩn: nhiều}\n"
                   "  - name: Chủ đề chưa có mã\n", encoding="utf-8")
    res = rules_test(config_file, "--rules", str(bad))
    assert res.exit_code == 2
    assert res.output == (
        f"Lỗi: tệp quy tắc {bad} có 5 lỗi:\n"
        "  - topics[0] (tuyen-sinh).terms: viết mỗi dòng 'từ khóa: trọng số' (trọng số từ 0 đến 3) hoặc một danh sách từ khóa\n"
        "  - topics[1].id: mã 'tuyen-sinh' trùng với một chủ đề ở trên; mỗi chủ đề một mã riêng\n"
        "  - topics[1] (tuyen-sinh).terms.điểm chuẩn: trọng số phải là một số từ 0 đến 3, ví dụ 0.8; đang là 'nhiều'\n"
        "  - topics[2]: thiếu id (mã một chủ đề của kế hoạch, như trong classifiers/topics.yaml đi kèm)\n"
        "  - fields: phải cho mỗi trường title/sapo/body một trọng số, ví dụ title: 1.0; đang là một danh sách\n"
        "  Cách sửa: sửa các lỗi đó rồi chạy lại `monitor rules test`\n"), res.output


@pytest.mark.parametrize("text, said", [
    ("- tuyen-sinh\n", "nội dung tệp phải là các khóa fields, education, topics, hot, sentiment, scope, mỗi khóa ở đầu "
                       "một dòng và theo sau là dấu ':'"),
    ("fields: {title: 1.0, sapo: 0.7, body: 0.35}\ntopics: []\n",
     "topics: phải là một danh sách chủ đề, mỗi chủ đề có id, name, terms"),
])
def test_a_rules_file_without_its_topics_is_told_what_to_hold(tmp_path, text, said):
    bad = tmp_path / "topics.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_rules(bad)
    assert str(err.value) == f"tệp quy tắc {bad} có 1 lỗi:\n  - {said}"
    assert err.value.hint == "sửa các lỗi đó rồi chạy lại `monitor rules test`"


def test_an_unreadable_rules_file_names_it_and_quotes_the_system(tmp_path):
    with pytest.raises(InputError) as err:
        load_rules(tmp_path / "khong-co.yaml")
    assert str(err.value) == f"không đọc được tệp quy tắc {tmp_path / 'khong-co.yaml'}: No such file or directory"
    assert err.value.hint == "chỉ --rules PATH tới một tệp topics.yaml có thật"


def test_rules_test_says_what_an_edit_changes_in_vietnamese(config_file, tmp_path):
    """Education and hot gained or lost, and a topic, in the words of `monitor explain` and `reclassify` (Giáo dục,
    Nóng, the topic id with its plan name); the articles as [id] title under + or -. An article an analyst labelled
    is marked ✎, with whether the change agrees with the label (the analyst's review: an article whose topic the
    analyst had already removed was shown as losing it, as news); "nhãn" is the analysts' word only."""
    from datetime import datetime, timezone

    from monitor.app import App

    _store_articles(config_file)
    app = App.from_path(config_file)
    at = datetime(2026, 11, 21, 2, 0, tzinfo=timezone.utc)
    app.store.add_label(1, by="Thu Hà", at=at, topics=[])  # `label 1 --topics -`: no topic of the plan
    app.store.add_label(3, by="Thu Hà", at=at, is_education=True, hot=True)  # `label 3 --hot có`
    app.close()
    shipped = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    edited = tmp_path / "rules-cua-phong.yaml"
    edited.write_text(shipped.replace("    giáo dục: 1.0\n", "    giáo dục: 1.0\n    giá vàng: 3.0\n    vàng miếng: 3.0\n", 1)
                      .replace("    exclusions: [tuyển dụng]", "    exclusions: [tuyển dụng, điểm chuẩn]", 1)
                      .replace("đánh hội đồng, bị đánh, ", "", 1), encoding="utf-8")
    res = rules_test(config_file, "--rules", str(edited), "--rules-only", "--jobs", "1")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert re.fullmatch(r"3 bài; quy tắc đang dùng rules-only\+rules\.\w{10} → quy tắc thử rules-only\+rules\.\w{10}",
                        lines[0]), lines[0]
    assert lines[1:] == ["Kết quả phân loại thay đổi (+ bài được xếp thêm vào / - bài bị bỏ ra; ✎ bài chuyên viên đã "
                         "gắn nhãn):",
                         "  Giáo dục: +1 / -0",
                         "     + [2] Giá vàng trong nước tăng mạnh phiên đầu tuần",
                         "  Nóng: +0 / -1 (bài đã gắn nhãn: 0 khớp, 1 trái nhãn)",
                         "     - [3] Học sinh lớp 6 bị đánh hội đồng trong giờ ra chơi  ✎ trái nhãn",
                         "  Chủ đề tuyen-sinh (Thi tuyển sinh lớp 10, tuyển sinh đầu cấp): +0 / -1 (bài đã gắn nhãn: 1 "
                         "khớp, 0 trái nhãn)",
                         "     - [1] Hà Nội công bố điểm chuẩn vào lớp 10 công lập  ✎ khớp nhãn",
                         "Ở các bài chuyên viên đã gắn nhãn (✎): 1 thay đổi khớp nhãn của chuyên viên, 1 thay đổi trái "
                         "nhãn; điểm báo, báo cáo và các danh sách vẫn đọc những bài này theo nhãn."], res.output
    _no_english(res.output)
    # the README quotes this run (but its versions: the shipped rules' hash changes with them)
    assert "\n".join(lines[1:]) in (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")

    # the file in use, tried: said so, rather than an edit that changes nothing
    res = rules_test(config_file, "--rules", str(DEFAULT_RULES_PATH), "--rules-only", "--jobs", "1")
    assert res.exit_code == 0 and res.output.splitlines()[1:] == [
        "Không kết quả phân loại nào thay đổi: tệp thử chính là tệp quy tắc đang dùng, topics.yaml; sửa một bản sao "
        "rồi chạy với --rules BẢN-SAO."], res.output
    copy = tmp_path / "ban-sao.yaml"
    copy.write_text(shipped, encoding="utf-8")
    res = rules_test(config_file, "--rules", str(copy), "--rules-only", "--jobs", "1")
    assert res.output.splitlines()[1:] == [
        "Không kết quả phân loại nào thay đổi: tệp thử ban-sao.yaml giống hệt tệp quy tắc đang dùng, topics.yaml."]
    # the same range of examples as `reclassify --show`
    res = rules_test(config_file, "--rules", str(edited), "--rules-only", "--show", "-3")
    assert res.exit_code == 2 and "--show" in res.output and "0<=x<=1000" in res.output, res.output


def test_a_topic_the_plan_does_not_name_is_shown_by_its_id_alone():
    from monitor.cli.nlp import _label_vi

    assert [_label_vi(x) for x in ("education", "hot", "topic hoc-phi-thu-chi", "topic ban-tru")] == \
        ["Giáo dục", "Nóng", "Chủ đề hoc-phi-thu-chi (Học phí, các khoản thu)", "Chủ đề ban-tru"]


def test_rules_test_notes_on_an_edited_file_are_vietnamese(config_file, tmp_path):
    """Within the trained ids (the models keep working, flagged); a new hot group (the models cannot read it, so the
    rules alone score it); a live rules file that is broken (the shipped one compared instead)."""
    _store_articles(config_file)
    shipped = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    within = tmp_path / "trong-ma.yaml"
    within.write_text(shipped.replace("    giáo dục: 1.0\n", "    giáo dục: 0.9\n", 1), encoding="utf-8")
    res = rules_test(config_file, "--rules", str(within), "--jobs", "1")
    assert res.exit_code == 0, res.output
    assert "chú ý: tệp quy tắc trong-ma.yaml đã được sửa sau khi huấn luyện mô hình (khi đó là quy tắc " in res.output
    # the note names `monitor rules test` where other commands say it (`reclassify --rules`), not in its own run
    assert "MODEL_CARD.md của mô hình được đo với quy tắc cũ\n" in res.output and "rules test" not in res.output, res.output
    _no_english(res.output)

    assert "  - id: tai-nan\n" in shipped
    new_group = tmp_path / "nhom-moi.yaml"
    new_group.write_text(shipped.replace("  - id: tai-nan\n", "  - id: tai-nan-moi\n", 1), encoding="utf-8")
    res = rules_test(config_file, "--rules", str(new_group), "--jobs", "1")
    assert res.exit_code == 0, res.output
    assert ("chú ý: nhom-moi.yaml không khớp với các mô hình đã huấn luyện (nhóm tin nóng không có trong mô hình: "
            "tai-nan-moi; nhóm tin nóng mô hình cần mà tệp quy tắc thiếu: tai-nan): phía quy tắc thử dưới đây chỉ được "
            "chấm bằng quy tắc, không dùng mô hình, nên phần lớn khác biệt là giữa quy tắc và mô hình chứ không phải do "
            "chỗ sửa; khi đưa vào dùng, hệ thống sẽ từ chối tệp này cho tới khi các mã khớp lại với mô hình hoặc "
            "`monitor train` dựng lại mô hình cho nó") in res.output, res.output
    _no_english(res.output)

    broken = tmp_path / "hong.yaml"
    broken.write_text("topics: [\n", encoding="utf-8")
    cfg = config_file.read_text(encoding="utf-8")
    config_file.write_text(cfg.replace("storage:\n", f"storage:\n  rules_file: {broken}\n", 1), encoding="utf-8")
    res = rules_test(config_file, "--rules", str(DEFAULT_RULES_PATH), "--jobs", "1")
    assert res.exit_code == 0, res.output
    assert (f"chú ý: không dùng được quy tắc đang dùng (hong.yaml, storage.rules_file): tệp quy tắc {broken} không "
            "phải YAML hợp lệ ở dòng 2, cột 1\n       nên so sánh với classifiers/topics.yaml đi kèm\n") in res.output
    _no_english(res.output)


def test_a_rules_mismatch_with_the_models_is_said_in_vietnamese():
    from classifiers.features import dense_names

    rules = load_rules()
    meta = {"topic_ids": list(rules.topic_ids), "dense_names": dense_names(rules)}
    assert rules_mismatch(meta, rules) is None
    assert rules_mismatch(meta | {"topic_ids": list(reversed(rules.topic_ids))}, rules) == \
        "chủ đề xếp theo thứ tự khác với mô hình"
    hot = [d for d in meta["dense_names"] if d.startswith("hot:")]
    others = [d for d in meta["dense_names"] if not d.startswith("hot:")]
    assert len(hot) > 1 and len(set(others)) > 1
    assert rules_mismatch(meta | {"dense_names": others + hot[::-1]}, rules) == \
        "nhóm tin nóng xếp theo thứ tự khác với mô hình"
    assert rules_mismatch(meta | {"dense_names": others[::-1] + hot}, rules) == \
        "các nhóm quy tắc xếp theo thứ tự khác với mô hình"


def test_models_and_rules_only_together_are_refused_in_vietnamese(config_file, tmp_path):
    res = rules_test(config_file, "--models", str(tmp_path), "--rules-only")
    assert res.exit_code == 2
    assert res.output == ("Lỗi: --models và --rules-only mâu thuẫn nhau: --rules-only bỏ các mô hình ra ở cả hai phía; "
                          "chỉ dùng một trong hai\n"), res.output


def test_rules_test_progress_is_vietnamese(config_file, tmp_path, monkeypatch):
    import monitor.cli.nlp as nlp

    _store_articles(config_file)
    monkeypatch.setattr(nlp, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(nlp, "RULES_TEST_BATCH", 1)
    res = rules_test(config_file, "--rules-only", "--jobs", "1")
    assert res.exit_code == 0, res.output
    assert res.stderr == ("đã phân loại 1/3 bài (bằng quy tắc đang dùng và quy tắc thử)...\n"
                          "đã phân loại 2/3 bài (bằng quy tắc đang dùng và quy tắc thử)...\n"), res.stderr


def test_a_dry_run_over_no_stored_article_says_so_rather_than_nothing_changes(config_file):
    """A new office tries its rules file before its first crawl, as README's order has it: "nothing changes"
    over 0 articles read as the edit doing nothing."""
    res = rules_test(config_file, "--rules", str(DEFAULT_RULES_PATH), "--since", "2026-11-01", "--rules-only")
    assert res.exit_code == 0, res.output
    assert "Không kết quả phân loại nào thay đổi" not in res.output, res.output
    assert ("Không có bài nào đã lưu từ ngày 01/11/2026 để thử: tệp quy tắc không có lỗi, nhưng chưa biết nó thay "
            "đổi gì. Thu thập tin trước (`monitor crawl --all`)") in res.output, res.output
    _no_english(res.output)
