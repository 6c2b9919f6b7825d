"""`monitor rules test` (dry run of an edited rules file over stored articles) and `monitor evaluate`."""

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from click.testing import CliRunner

from classifiers.rules import DEFAULT_RULES_PATH
from monitor.app import App
from monitor.cli import cli
from monitor.models import ExtractedPage, FeedEntry

# Invented articles, written for this test.
ARTICLES = [
    ("https://bao-vi-du.vn/giao-duc/diem-chuan-lop-10-1.html", "Hà Nội công bố điểm chuẩn vào lớp 10 công lập",
     "Điểm chuẩn năm nay của nhiều trường tăng nhẹ so với năm trước."),
    ("https://bao-vi-du.vn/kinh-te/gia-vang-2.html", "Giá vàng trong nước tăng mạnh phiên đầu tuần",
     "Giá vàng miếng tăng thêm nửa triệu đồng mỗi lượng."),
]


def _store_articles(config_file, articles=ARTICLES):
    """The invented articles as if crawled on 20/11/2026, feed entry and page."""
    app = App.from_path(config_file)
    now = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)
    for url, title, sapo in articles:
        entry = FeedEntry(source="test", url=url, guid=url, title=title, sapo=sapo, published=now)
        aid, _ = app.store.add_feed_entry(entry, "Báo Ví Dụ", now + timedelta(minutes=5))
        app.store.save_page(aid, ExtractedPage(title=title, sapo=sapo, body=sapo, published=now, method="selectors"),
                            b"<html></html>", "utf-8", now + timedelta(minutes=6))
    app.close()


def _count_classifications(config_file) -> int:
    app = App.from_path(config_file)
    try:
        return app.store.execute("SELECT COUNT(*) FROM classifications").fetchone()[0]
    finally:
        app.close()


def test_rules_test_shows_what_an_edit_changes_and_writes_nothing(config_file, tmp_path):
    # --rules-only: the trained models left out on both sides, so the edit's effect is exact
    _store_articles(config_file)
    before = _count_classifications(config_file)
    edited = tmp_path / "topics.yaml"
    rules = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    marker = "    exclusions: [tuyển dụng]"
    assert marker in rules
    edited.write_text(rules.replace(marker, "    exclusions: [tuyển dụng, điểm chuẩn]"), encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(config_file), "rules", "test", "--rules", str(edited),
                                   "--rules-only", "--since", "2026-11-01", "--until", "2026-11-30"])
    assert res.exit_code == 0, res.output
    assert "2 bài; quy tắc đang dùng rules-only+rules." in res.output and "→ quy tắc thử rules-only+rules." in res.output
    assert "Kết quả phân loại thay đổi (+ bài được xếp thêm vào / - bài bị bỏ ra; ✎ bài chuyên viên đã gắn nhãn):\n" \
        in res.output
    assert "\n  Chủ đề tuyen-sinh (Thi tuyển sinh lớp 10, tuyển sinh đầu cấp): +0 / -1\n" in res.output
    assert "\n     - [1] Hà Nội công bố điểm chuẩn vào lớp 10 công lập\n" in res.output
    assert "điểm chuẩn vào lớp 10" in res.output
    assert "Giá vàng" not in res.output
    assert _count_classifications(config_file) == before


def test_rules_test_refuses_a_models_folder_that_does_not_exist(config_file, tmp_path):
    # a mistyped --models must not dry-run with the shipped models as if they were the folder meant
    _store_articles(config_file)
    missing = tmp_path / "modles"
    res = CliRunner().invoke(cli, ["--config", str(config_file), "rules", "test", "--models", str(missing)])
    assert res.exit_code == 3, res.output
    assert f"chưa có mô hình đã huấn luyện trong {missing}" in res.output and "quy tắc thử" not in res.output


def test_rules_test_rejects_a_broken_rules_file(config_file, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("topics: [\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(config_file), "rules", "test", "--rules", str(bad)])
    assert res.exit_code == 2
    assert f"Lỗi: tệp quy tắc {bad} không phải YAML hợp lệ ở dòng 2, cột 1\n" in res.output, res.output
    assert "  Cách sửa: kiểm tra thụt lề và dấu ngoặc kép ở chỗ đó" in res.output
    bad.write_text("topics:\n  - id: an-toan\n\t  name: An toàn\n", encoding="utf-8")  # indented with the Tab key
    res = CliRunner().invoke(cli, ["--config", str(config_file), "rules", "test", "--rules", str(bad)])
    assert res.exit_code == 2 and f"Lỗi: tệp quy tắc {bad} không phải YAML hợp lệ ở dòng 3, cột 1\n" in res.output
    assert "  Cách sửa: dòng đó thụt lề bằng phím Tab: dùng dấu cách, không dùng phím Tab" in res.output, res.output


def test_evaluate_reports_per_label_metrics(config_file, tmp_path):
    labels = tmp_path / "labels.jsonl"
    rows = [
        {"id": "t1", "title": "Học sinh lớp 6 bị đánh hội đồng trong giờ ra chơi", "sapo": "Phụ huynh bức xúc.",
         "is_education": True, "topics": ["an-toan-truong-hoc"], "sentiment": "negative", "hot": True, "scope": "national"},
        {"id": "t2", "title": "Giá xăng giảm nhẹ từ chiều nay", "is_education": False, "topics": [],
         "sentiment": "neutral", "hot": False, "scope": "national"},
    ]
    labels.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(config_file), "evaluate", "--labels", str(labels), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["n"] == 2 and set(out) >= {"education", "topics", "topic_micro", "sentiment", "tone_macro_f1", "hot", "scope"}
    assert 0 <= out["education"]["f1"] <= 1


def test_evaluate_errors_lists_each_disagreement_and_how(config_file, tmp_path):
    labels = tmp_path / "labels.jsonl"
    # labelled against what any sensible model says, so every line must be listed
    rows = [
        {"id": "wrong-edu", "title": "Giá xăng giảm nhẹ từ chiều nay", "is_education": True, "topics": ["tuyen-sinh"],
         "sentiment": "positive", "hot": True, "scope": "national"},
        {"id": "agreed", "title": "Trường mầm non tổ chức ngày hội đọc sách cho trẻ", "is_education": True,
         "topics": [], "sentiment": "positive", "hot": False, "scope": "national"},
    ]
    labels.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(config_file), "evaluate", "--labels", str(labels), "--json", "--errors"])
    assert res.exit_code == 0, res.output
    errors = {e["id"]: e for e in json.loads(res.output)["errors"]}
    wrong = errors["wrong-edu"]
    assert wrong["education"] == {"label": True, "model": False, "score": wrong["education"]["score"]}
    assert wrong["topics"]["missed"] == ["tuyen-sinh"] and wrong["hot"]["label"] is True
    res = CliRunner().invoke(cli, ["--config", str(config_file), "evaluate", "--labels", str(labels), "--errors"])
    assert "wrong-edu  Giá xăng giảm nhẹ" in res.output and "giáo dục: bỏ sót" in res.output and "nóng: bỏ sót" in res.output
    assert "chủ đề: thiếu tuyen-sinh" in res.output and "sắc thái: nhãn positive, mô hình " in res.output, res.output


def test_train_without_the_shared_corpus_says_so(config_file, tmp_path):
    _store_articles(config_file)
    res = CliRunner().invoke(cli, ["--config", str(config_file), "label", "1", "--hot", "no"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(cli, ["--config", str(config_file), "train", "--corpus", str(tmp_path / "absent"),
                                   "--models", str(tmp_path / "models")])
    assert res.exit_code == 2
    assert "không có kho ngữ liệu dùng chung ở" in res.output and not (tmp_path / "models").exists()
    assert "--corpus DIR" in res.output and "1 bài đã gắn nhãn trong cơ sở dữ liệu sẽ được học ở lần huấn luyện sau" \
        in res.output, res.output


def test_the_offices_own_rules_file_goes_live_with_the_shipped_models(config_file, tmp_path):
    """storage.rules_file: an office's edited copy of the rules is what the monitor classifies with, the
    trained models kept (they were not trained on it, and every command that reports figures says so)."""
    own = tmp_path / "rules-cua-phong.yaml"
    shipped = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    own.write_text(shipped.replace("  terms:\n", "  terms:\n    ngày hội đọc sách: 0.4\n", 1), encoding="utf-8")
    text = config_file.read_text(encoding="utf-8").replace("storage:\n", f"storage:\n  rules_file: {own}\n", 1)
    config_file.write_text(text, encoding="utf-8")
    app = App.from_path(config_file)
    try:
        clf = app.classifier
        assert clf.rules.path == own and clf.models is not None
        assert clf.version.endswith(f"+rules.{clf.rules.sha256[:10]}") and clf.rules_note
    finally:
        app.close()
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "1", "title": "Trường tiểu học tổ chức ngày hội đọc sách"}, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(config_file), "classify", "-i", str(src), "-o", str(tmp_path / "o.jsonl")])
    assert res.exit_code == 0, res.output
    assert f"chú ý: tệp quy tắc {own.name} đã được sửa sau khi huấn luyện mô hình (khi đó là quy tắc " in res.output
    assert json.loads((tmp_path / "o.jsonl").read_text(encoding="utf-8"))["model_version"] == clf.version
    config_file.write_text(text.replace(str(own), str(tmp_path / "missing.yaml")), encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(config_file), "config", "check"])
    assert res.exit_code == 2 and "storage.rules_file" in res.output and "missing.yaml không tồn tại" in res.output


def _office_rules(config_file, tmp_path, text: str):
    """The office's copy of the rules, named by storage.rules_file."""
    own = tmp_path / "rules-cua-phong.yaml"
    own.write_text(text, encoding="utf-8")
    cfg = config_file.read_text(encoding="utf-8")
    if "\n  rules_file:" not in cfg:  # set by an earlier call; the shipped config has it only as a comment
        config_file.write_text(cfg.replace("storage:\n", f"storage:\n  rules_file: {own}\n", 1), encoding="utf-8")
    return own


def test_rules_test_of_a_mistyped_topic_id_says_the_models_cannot_read_it_and_names_the_id(config_file, tmp_path):
    """A topic id mistyped in the office's copy: the trained models cannot use the file, so the dry run scores it by
    the rules alone. It says so (the differences are then mostly the rules against the models, not the edit), names
    the ids that differ and the plan's id meant, and the live monitor's refusal names them too. `config check`
    refuses the file before any crawl does; a fix is still dry-run while the live file is broken."""
    _store_articles(config_file)
    shipped = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    typo = shipped.replace("  - id: an-toan-truong-hoc\n", "  - id: an-toan-truong\n", 1)
    assert typo != shipped
    edited = tmp_path / "edited.yaml"
    edited.write_text(typo, encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(config_file), "rules", "test", "--rules", str(edited)])
    assert res.exit_code == 0, res.output
    assert "chú ý: mã chủ đề 'an-toan-truong' không phải một chủ đề của kế hoạch (có phải định viết " \
           "'an-toan-truong-hoc'?)" in res.output, res.output
    assert "chú ý: edited.yaml không khớp với các mô hình đã huấn luyện (chủ đề không có trong mô hình: an-toan-truong; " \
           "chủ đề mô hình cần mà tệp quy tắc thiếu: an-toan-truong-hoc): phía quy tắc thử dưới đây chỉ được chấm bằng " \
           "quy tắc" in res.output, res.output

    _office_rules(config_file, tmp_path, typo)
    res = CliRunner().invoke(cli, ["--config", str(config_file), "config", "check"])
    assert res.exit_code == 2 and "storage.rules_file" in res.output and "an-toan-truong-hoc" in res.output, res.output
    assert "không khớp với các mô hình đã huấn luyện" in res.output and "`monitor train`" in res.output, res.output
    res = CliRunner().invoke(cli, ["--config", str(config_file), "rules", "test", "--rules", str(DEFAULT_RULES_PATH)])
    assert res.exit_code == 0 and ("chú ý: không dùng được quy tắc đang dùng (rules-cua-phong.yaml, storage.rules_file): "
                                   "không dùng được các mô hình trong") in res.output, res.output
    assert "       nên so sánh với classifiers/topics.yaml đi kèm\n" in res.output

    _office_rules(config_file, tmp_path, shipped.replace("    nghị định: 0.8\n", "    nghị định 0.8\n", 1))
    res = CliRunner().invoke(cli, ["--config", str(config_file), "config", "check"])
    assert res.exit_code == 2 and "không phải YAML hợp lệ ở dòng" in res.output, res.output
    _office_rules(config_file, tmp_path, shipped.replace("    nghị định: 0.8\n", "    nghị định: 0.6\n", 1))
    res = CliRunner().invoke(cli, ["--config", str(config_file), "config", "check"])
    assert res.exit_code == 0 and "đã sửa sau khi huấn luyện mô hình" in res.output, res.output


def test_evaluate_counts_each_figure_over_the_labels_that_state_it(config_file, tmp_path):
    """An office's labels (or a second reading) state only what was corrected: a row without tone or scope is left out
    of those figures, not a crash, nor counted wrong, and the report says how many rows each figure rests on."""
    labels = tmp_path / "office.jsonl"
    rows = [
        {"id": "o1", "title": "Học sinh lớp 6 bị đánh hội đồng trong giờ ra chơi", "sapo": "Phụ huynh bức xúc.",
         "is_education": True, "hot": True},
        {"id": "o2", "title": "Giá xăng giảm nhẹ từ chiều nay", "is_education": False},
        {"id": "o3", "title": "Trường mầm non tổ chức ngày hội đọc sách cho trẻ", "is_education": True,
         "sentiment": "positive", "scope": "national"},
    ]
    labels.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(config_file), "evaluate", "--labels", str(labels), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["stated"] == {"topics": 0, "sentiment": 1, "hot": 2, "scope": 1}
    assert out["hot"]["support"] == 1 and out["scope_accuracy"] in (0.0, 1.0)
    res = CliRunner().invoke(cli, ["--config", str(config_file), "evaluate", "--labels", str(labels), "--errors"])
    assert res.exit_code == 0 and "mỗi chỉ số chỉ tính các bài có ghi trường đó: chủ đề 0, sắc thái 1 (bài giáo dục), " \
        "nóng 2, phạm vi 1" in res.output, res.output


def test_evaluate_on_the_offices_own_labels_in_the_database(config_file):
    """`monitor evaluate --db-labels`: the analysts' labels, with the stored text, each figure over the labels that
    state its field; models trained with those labels say their figures on them are not held out."""
    _store_articles(config_file)
    for args in (["1", "--topics", "tuyen-sinh", "--sentiment", "neutral"], ["2", "--not-education"]):
        res = CliRunner().invoke(cli, ["--config", str(config_file), "label", *args])
        assert res.exit_code == 0, res.output
    res = CliRunner().invoke(cli, ["--config", str(config_file), "evaluate", "--db-labels", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["n"] == 2 and out["education"]["support"] == 1 and out["stated"]["scope"] == 0
    assert not any("dữ liệu mô hình chưa học" in n for n in out.get("notes", [])), "the shipped models never saw these labels"
    res = CliRunner().invoke(cli, ["--config", str(config_file), "evaluate"])
    assert res.exit_code == 2 and "--db-labels" in res.output


def _bench_articles(n: int):
    """n invented articles (this file's, numbered), with bodies: rule matches in every field."""
    from classifiers.types import ArticleText

    out = []
    for k in range(n):
        url, title, sapo = ARTICLES[k % len(ARTICLES)]
        out.append(ArticleText(id=str(k), title=f"{title} ({k})", sapo=sapo, body=f"{sapo} {title}. {sapo}",
                               url=url.replace(".html", f"-{k}.html"), outlet="Báo Ví Dụ"))
    return out


def _edited_rules(tmp_path):
    edited = tmp_path / "topics.yaml"
    rules = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    edited.write_text(rules.replace("    exclusions: [tuyển dụng]", "    exclusions: [tuyển dụng, điểm chuẩn]"), encoding="utf-8")
    return edited


def test_rules_tests_shared_text_work_classifies_exactly_as_a_plain_classify(tmp_path):
    """`rules test` prepares each article's text once for both rule sets (SharedText) and may classify in workers:
    each side's result is the plain classify's of the same rules, models or not, and so is the diff."""
    from classifiers.classify import SharedText, load_classifier
    from monitor.cli.nlp import compare
    from monitor.config import load_config

    office = load_config(Path(__file__).resolve().parents[1] / "monitor" / "templates" / "feeds.example.yaml").office
    arts = _bench_articles(12)
    for use_models in (True, False):
        live = load_classifier(None, office, use_models=use_models)
        candidate = load_classifier(None, office, rules_path=_edited_rules(tmp_path), trial=True, use_models=use_models)
        shared = SharedText(arts)
        for clf in (live, candidate):
            assert clf.classify_many(arts, evidence=False, shared=shared) == clf.classify_many(arts, evidence=False)
            assert clf.classify_many(arts, shared=shared) == clf.classify_many(arts)
        old, new = live.classify_many(arts), candidate.classify_many(arts)
        plain = {"education": [a.id for a, o, n in zip(arts, old, new) if n.is_education and not o.is_education],
                 "hot": [a.id for a, o, n in zip(arts, old, new) if n.hot and not o.hot],
                 "lost": [a.id for a, o, n in zip(arts, old, new) if set(o.topics) - set(n.topics)]}
        one = compare(live, candidate, arts, batch=5)
        assert compare(live, candidate, arts, batch=5, jobs=2) == one == compare(live, candidate, arts, batch=512)
        assert (one["education"][0], one["hot"][0]) == (plain["education"], plain["hot"])
        assert sorted({i for k, (_, lost) in one.items() if k.startswith("topic ") for i in lost}, key=int) == plain["lost"]
        if not use_models:
            assert one["topic tuyen-sinh"] == ([], ["0", "2", "4", "6", "8", "10"])  # the edit's exclusion
    import pytest

    with pytest.raises(ValueError, match="another batch"):
        live.classify_many(arts[:3], shared=SharedText(arts[3:6]))


def test_rules_test_says_how_far_it_is_on_stderr_and_keeps_stdout_for_the_result(config_file, tmp_path, monkeypatch):
    """A month of a year's store took 42 s with nothing said: a long run reports its progress on standard error."""
    import monitor.cli.nlp as nlp

    _store_articles(config_file)
    monkeypatch.setattr(nlp, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(nlp, "RULES_TEST_BATCH", 1)
    res = CliRunner().invoke(cli, ["--config", str(config_file), "rules", "test", "--rules", str(_edited_rules(tmp_path)),
                                   "--rules-only", "--jobs", "1"])
    assert res.exit_code == 0, res.output
    assert "đã phân loại 1/2 bài (bằng quy tắc đang dùng và quy tắc thử)..." in res.stderr
    assert "đã phân loại" not in res.stdout and "2 bài; quy tắc đang dùng" in res.stdout


def test_evaluate_reports_to_the_analyst_in_vietnamese_in_aligned_columns(config_file, tmp_path):
    """`monitor evaluate` is read by the office's analyst: its words are Vietnamese (the metric names P, R, F1, the
    label values and topic ids stay as the labels file writes them), and each block's figures start in one column."""
    import re

    labels = tmp_path / "labels.jsonl"
    rows = [
        {"id": "wrong-edu", "title": "Giá xăng giảm nhẹ từ chiều nay", "is_education": True, "topics": ["tuyen-sinh"],
         "sentiment": "positive", "hot": True, "scope": "national"},
        {"id": "o3", "title": "Trường mầm non tổ chức ngày hội đọc sách cho trẻ", "is_education": True,
         "sentiment": "positive"},
    ]
    labels.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(config_file), "evaluate", "--labels", str(labels), "--errors"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].startswith("số bài: 2   mô hình: ") and lines[0].endswith("   [khoảng tin cậy 95%, bootstrap]")
    blocks = ("giáo dục", "chủ đề", "sắc thái", "nóng", "phạm vi")
    heads = {line[:12].rstrip(): line[12:] for line in lines if line[:12].rstrip() in blocks}
    assert set(heads) == set(blocks) and all(not rest.startswith(" ") for rest in heads.values()), res.output
    # per-label rows and each listed article's id and title are data; the rest is the analyst's reading
    reading = "\n".join(line for line in lines if not re.match(r"  \S", line))
    english = re.findall(r"\b(items|model|education|topics|tone|hot|scope|accuracy|missed|false alarm|extra|labels|"
                         r"counted|interval|note|differ)\b", reading)
    assert not english, reading


def test_evaluate_names_every_bad_labels_line_at_once_in_vietnamese(config_file, tmp_path):
    """A labels file is mended in one pass: each bad line is named with what is wrong, and the hint says what a line
    holds rather than pointing at a dev.jsonl the office may not have."""
    labels = tmp_path / "office.jsonl"
    lines = [json.dumps({"id": "l1", "title": "Trường mầm non tổ chức ngày hội đọc sách", "is_education": True}, ensure_ascii=False),
             json.dumps({"id": "l2", "title": "Giá xăng giảm nhẹ", "topics": ["tuyen-sinh"]}, ensure_ascii=False),
             '{"id": "l3", "is_education": true, "title": "Học sinh',
             json.dumps({"id": "l4", "title": "Giáo viên", "is_education": "yes", "sentiment": "tot"}, ensure_ascii=False)]
    labels.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(config_file), "evaluate", "--labels", str(labels)])
    assert res.exit_code == 2, res.output
    assert f"Lỗi: tệp nhãn {labels} có 3 dòng sai:\n" in res.output
    assert "  - dòng 2: thiếu is_education (true hoặc false)\n" in res.output
    assert "  - dòng 3: không phải JSON hợp lệ: dòng dừng giữa chừng" in res.output
    assert "  - dòng 4: is_education là 'yes'; ghi true hoặc false" in res.output and "sentiment là 'tot'" in res.output
    assert "Cách sửa: mỗi dòng một đối tượng JSON, bắt buộc có id và is_education" in res.output
    assert "dev.jsonl" not in res.output and "Unterminated" not in res.output


def test_evaluate_without_the_corpus_names_the_lines_without_text_in_vietnamese(config_file, tmp_path):
    """A label line with an id only needs the shared corpus to find its text: without it, the refusal is Vietnamese,
    names the line's id and --corpus (evaluate takes it, as train does); lines carrying text need no corpus."""
    labels = tmp_path / "office.jsonl"
    rows = [{"id": "l1", "title": "Trường mầm non tổ chức ngày hội đọc sách cho trẻ", "is_education": True},
            {"id": "l7", "is_education": True}, {"id": "l8", "is_education": False}]
    labels.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    missing = tmp_path / "khong-co-corpus"
    res = CliRunner().invoke(cli, ["--config", str(config_file), "evaluate", "--labels", str(labels), "--corpus", str(missing)])
    assert res.exit_code == 2, res.output
    assert "Lỗi: 2 dòng nhãn không kèm văn bản (title, sapo hoặc body): id l7, l8; và không có kho ngữ liệu dùng " \
           f"chung ở {missing}" in res.output
    assert "--corpus DIR" in res.output and "shared corpus" not in res.output and "training" not in res.output
    labels.write_text(json.dumps(rows[0], ensure_ascii=False) + "\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(config_file), "evaluate", "--labels", str(labels), "--corpus", str(missing),
                                   "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["n"] == 1, res.output


def test_the_shared_corpus_missing_is_said_in_vietnamese(tmp_path):
    import pytest

    from classifiers.corpus import lookup
    from monitor.errors import InputError

    with pytest.raises(InputError) as err:
        lookup({"x"}, tmp_path / "none")
    assert str(err.value) == f"không có kho ngữ liệu dùng chung ở {tmp_path / 'none'}" and "--corpus" in err.value.hint
