"""The analyst's commands on a real SQLite file with the real (rules) classifier: articles, search, label, explain."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from click.testing import CliRunner

from monitor.app import App
from monitor.cli import cli
from monitor.pipeline import classify_articles
from test_service_support import TZ_OFFSET, add_articles, classified_store, use_rules_with_own_topic, write_config


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    return classified_store(tmp_path_factory.mktemp("analyst"))


def run(cfg, *args, ok=True):
    result = CliRunner().invoke(cli, ["--config", str(cfg), *args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


def test_articles_lists_education_only_unless_all(stored):
    cfg, (violence, admissions, football), _ = stored
    data = json.loads(run(cfg, "articles", "--date", "2026-11-25", "--json").output)
    assert [a["id"] for a in data["articles"]] == [violence, admissions]
    data = json.loads(run(cfg, "articles", "--date", "2026-11-25", "--all", "--json").output)
    assert [a["id"] for a in data["articles"]] == [violence, admissions, football]
    assert json.loads(run(cfg, "articles", "--date", "2026-11-24", "--json").output)["articles"] == []


def test_articles_filters_and_table(stored):
    cfg, (violence, admissions, _), _ = stored
    hot = json.loads(run(cfg, "articles", "--date", "2026-11-25", "--hot", "--json").output)["articles"]
    assert [a["id"] for a in hot] == [violence]
    assert "an-toan-truong-hoc" in hot[0]["topics"] and hot[0]["sentiment"] == "negative"
    by_topic = json.loads(run(cfg, "articles", "--date", "2026-11-25", "--topic", "tuyen-sinh", "--json").output)
    assert [a["id"] for a in by_topic["articles"]] == [admissions]
    local = json.loads(run(cfg, "articles", "--date", "2026-11-25", "--scope", "local", "--json").output)
    assert [a["id"] for a in local["articles"]] == [violence]
    table = run(cfg, "articles", "--date", "2026-11-25").output
    assert "Hòa Bình công bố" in table and "Đội tuyển bóng đá" not in table and "2 bài" in table


@pytest.mark.parametrize("args,message", [
    (["articles", "--topic", "bong-da"], "không có chủ đề 'bong-da'"),
    (["articles", "--scope", "galaxy"], "--scope 'galaxy'"),
    (["articles", "--date", "25/11/26"], "YYYY-MM-DD"),
    (["articles", "--date", "20261127"], "YYYY-MM-DD"),
    (["digest", "--date", "0001-01-01"], "--date '0001-01-01' nằm ngoài khoảng cho phép"),
    (["export", "--until", "9999-12-31"], "--until '9999-12-31' nằm ngoài khoảng cho phép"),
    (["review", "--since", "0001-01-01"], "--since '0001-01-01' nằm ngoài khoảng cho phép"),
    (["report", "--month", "9999-12"], "--month '9999-12' nằm ngoài khoảng cho phép"),
    (["explain", "99999999999999999999999"], "99999999999999999999999"),
    (["cases", "show", "99999999999999999999999"], "99999999999999999999999"),
])
def test_articles_bad_input_is_one_clear_line(stored, args, message):
    result = run(stored[0], *args, ok=False)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_a_path_the_command_cannot_write_is_a_clear_error_not_an_internal_one(stored, tmp_path):
    result = run(stored[0], "export", "-o", str(tmp_path / "missing" / "x.jsonl"), ok=False)
    assert result.exit_code == 3, result.output
    assert "Lỗi: không dùng được " in result.output and "missing" in result.output and "Lỗi nội bộ" not in result.output


def test_search_ignores_diacritics_and_tone_placement(stored):
    cfg, (violence, admissions, football), _ = stored
    ids = lambda *q: [r["id"] for r in json.loads(run(cfg, "search", *q, "--json").output)["results"]]  # noqa: E731
    assert ids("bao luc hoc duong") == [violence]
    assert ids("bạo lực học đường") == [violence]
    assert ids("hoà bình") == [admissions]  # old-style placement finds "Hòa"
    assert ids('"tuyen sinh lop 10"') == [admissions]
    assert ids("giao huu") == [football]
    assert ids("tuyen sinh", "--hot") == []
    assert ids("phu huynh", "--topic", "an-toan-truong-hoc") == [violence]
    assert ids("phu huynh", "--since", "2026-11-26") == []
    assert ids("không có từ này") == []
    [hit] = json.loads(run(cfg, "search", "bao luc hoc duong", "--json").output)["results"]
    assert "bạo lực học đường" in hit["snippet"]


@pytest.mark.parametrize("query", ['"', "NEAR(", "a:b OR", "-", "AND"])
def test_search_never_shows_fts_errors(stored, query):
    result = run(stored[0], "search", query, "--json", ok=False)
    assert result.exit_code in (0, 2), result.output
    assert "fts5" not in result.output.lower() and "syntax" not in result.output.lower()


def test_label_is_stored_with_who_and_when_and_validated(tmp_path):
    cfg = write_config(tmp_path)
    app = App.from_path(cfg)
    violence, _, football = add_articles(app)
    app.close()
    out = run(cfg, "label", str(violence), "--topics", "an-toan-truong-hoc,dao-duc-ky-nang", "--hot", "yes",
              "--sentiment", "negative", "--by", "Nguyễn Thu Hà", "--json").output
    stored = json.loads(out)
    assert stored["labelled_by"] == "Nguyễn Thu Hà" and stored["topics"] == ["an-toan-truong-hoc", "dao-duc-ky-nang"]
    assert stored["is_education"] is True and stored["hot"] is True and stored["labelled_at"]
    run(cfg, "label", str(football), "--not-education", "--note", "thể thao")
    for args, message in [
        ([str(violence), "--topics", "bao-luc"], "không có chủ đề 'bao-luc'"),
        ([str(violence), "--sentiment", "angry"], "--sentiment 'angry'"),
        ([str(football), "--not-education", "--topics", "tuyen-sinh"], "mâu thuẫn nhau"),
        (["9999", "--hot", "no"], "không có bài số 9999"),
        ([str(violence)], "không có gì để ghi"),
    ]:
        result = run(cfg, "label", *args, ok=False)
        assert result.exit_code == 2 and message in result.output, result.output
    app = App.from_path(cfg)
    merged = {d["article_id"]: d for d in app.store.labels()}
    assert merged[football]["is_education"] is False and merged[football]["labelled_by"]
    assert len(app.store.article_labels(violence)) == 1
    app.close()


def test_label_hot_alone_makes_the_article_education_so_the_correction_shows(tmp_path):
    cfg = write_config(tmp_path)
    app = App.from_path(cfg)
    _, _, football = add_articles(app)
    classify_articles(app, [football])
    app.close()
    stored = json.loads(run(cfg, "label", str(football), "--hot", "yes", "--json").output)
    assert stored["is_education"] is True and stored["hot"] is True


def test_label_hot_takes_the_listings_vietnamese_words_as_tone_and_scope_do(tmp_path):
    cfg = write_config(tmp_path)
    app = App.from_path(cfg)
    violence, admissions, _ = add_articles(app)
    app.close()
    assert json.loads(run(cfg, "label", str(violence), "--hot", "có", "--json").output)["hot"] is True
    assert json.loads(run(cfg, "label", str(admissions), "--hot", "Khong", "--json").output)["hot"] is False
    result = run(cfg, "label", str(admissions), "--hot", "maybe", ok=False)
    assert result.exit_code == 2 and "--hot 'maybe' không phải một trong: yes (có), no (không)" in result.output


def test_explain_shows_what_the_listings_show_for_an_article_the_current_version_has_not_seen(tmp_path):
    cfg = write_config(tmp_path)
    app = App.from_path(cfg)
    violence, _, _ = add_articles(app)
    classify_articles(app, [violence])
    version = app.store.active_model_version()
    app.store.register_model_version("edu-nlp.newer-for-this-test", app.now())  # now the current one
    app.close()
    data = json.loads(run(cfg, "explain", str(violence), "--json").output)
    assert data["model_version"] == version and data["classification"]["hot"]
    listed = json.loads(run(cfg, "articles", "--date", "2026-11-25", "--json").output)["articles"]
    assert [a["model_version"] for a in listed if a["id"] == violence] == [version]


def test_export_writes_each_article_once_with_its_classification_under_the_same_id(stored, tmp_path):
    cfg, (violence, admissions, football), version = stored
    out = tmp_path / "export.jsonl"
    run(cfg, "export", "--since", "2026-11-25", "--until", "2026-11-25", "-o", str(out))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["id"] for r in rows) == sorted([violence, admissions, football])
    for r in rows:
        assert r["classification"]["id"] == r["id"]  # one id, one type: the article's
        assert r["classification"]["model_version"] == version
        # the office's time, as `search --json` and `explain --json` write it, not the stored UTC
        assert r["published"].endswith("+07:00") and r["first_seen"].endswith("+07:00")
    by_id = {r["id"]: r for r in rows}
    assert by_id[violence]["classification"]["hot"] and not by_id[football]["classification"]["is_education"]
    run(cfg, "export", "--since", "2026-11-26", "-o", str(out))
    assert out.read_text(encoding="utf-8") == ""


def test_explain_shows_rules_story_and_labels(stored):
    cfg, (violence, _, _), version = stored
    data = json.loads(run(cfg, "explain", str(violence), "--json").output)
    c = data["classification"]
    assert data["model_version"] == version and c["is_education"] and c["hot"]
    assert any("bạo lực" in t for t in c["evidence"]["rules"]["topics"]["an-toan-truong-hoc"])
    if not version.startswith("rules-only"):  # trained models shipped: their strongest features are shown
        assert data["model_evidence"]["relevance"] and all(len(x) == 2 for x in data["model_evidence"]["relevance"])
    text = run(cfg, "explain", str(violence)).output
    assert "an-toan-truong-hoc (An ninh, an toàn trường học)" in text and "Nóng: có" in text
    result = run(cfg, "explain", "424242", ok=False)
    assert result.exit_code == 2 and "không có bài số 424242" in result.output


def test_explain_writes_times_as_the_clerk_reads_them_elsewhere_and_keeps_iso_in_json(tmp_path):
    # explain printed "2026-11-25T09:30+07:00" where the clipping, alerts and cases say "09:30 ngày 25/11/2026"
    import re

    cfg, (violence, _, _), _ = classified_store(tmp_path)
    run(cfg, "label", str(violence), "--hot", "yes", "--by", "Nguyễn Thu Hà")
    data = json.loads(run(cfg, "explain", str(violence), "--json").output)
    assert data["article"]["published"] == "2026-11-25T09:30+07:00"  # the machine-readable form is unchanged
    text = run(cfg, "explain", str(violence)).output
    assert "Báo Ví Dụ — 09:30 ngày 25/11/2026 — https://" in text, text
    assert "2026-11-25T" not in text, text
    (label,) = [line for line in text.splitlines() if "Nguyễn Thu Hà" in line]
    assert re.match(r"  \d\d:\d\d ngày \d\d/\d\d/\d{4} Nguyễn Thu Hà: ", label), label
    labelled = datetime.fromisoformat(data["labels"][0]["labelled_at"]).astimezone(TZ_OFFSET)
    assert label.startswith(f"  {labelled:%H:%M} ngày {labelled:%d/%m/%Y} "), label  # the office's zone, not UTC


def test_explain_names_the_exclusions_that_weighed_against_education(tmp_path):
    """A university match report reads "sinh viên", "đại học"; the education exclusions ("bán kết", "đội bóng") are
    what the models weigh against it. `monitor explain` names them beside the terms, also for a classification
    stored before they were recorded."""
    cfg = write_config(tmp_path)
    app = App.from_path(cfg)
    [match] = add_articles(app, [{
        "url": "https://bao-vi-du.vn/the-thao/bong-chuyen-sinh-vien-1004.html",
        "title": "Giải bóng chuyền sinh viên: hai đội đại học vào bán kết",
        "sapo": "Đội bóng của hai trường đại học thắng tỷ số 3-0 ở tứ kết.",
        "body": "Các cầu thủ sinh viên thi đấu áp đảo trước hàng nghìn khán giả.",
        "published": datetime(2026, 11, 25, 19, 0, tzinfo=TZ_OFFSET)}])
    classify_articles(app, [match])
    app.store.execute("UPDATE classifications SET evidence = json_remove(evidence, '$.rules.exclusions')")
    app.close()
    line = next(x for x in run(cfg, "explain", str(match)).output.splitlines() if x.strip().startswith("Giáo dục"))
    assert "từ loại trừ" in line and "bán kết (tiêu đề)" in line and "đội bóng (đoạn mở đầu)" in line, line


def test_explain_says_when_an_incident_lowered_the_education_bar(capsys):
    from monitor.cli.analyst import _print_explanation

    evidence = {"thresholds": {"education": 0.48, "hot": 0.14, "education_by_incident": {"relevance": 0.25, "hot": 0.5}}}
    article = {"id": 1, "title": "Nam sinh lớp 9 đuối nước khi tắm sông", "outlet": "example.vn", "published": "2026-11-25",
               "url": "https://example.vn/a"}
    for relevance, admitted in ((0.31, True), (0.81, False)):
        classification = {"model_version": "m", "evidence": evidence, "is_education": True, "relevance": relevance,
                          "topic_scores": {}, "topics": [], "sentiment": "negative", "scope": "national", "hot": True,
                          "hot_score": 0.9, "reasons": []}
        _print_explanation({"article": article, "classification": classification, "model_evidence": None, "story": None,
                            "labels": [], "other_versions": []})
        line = next(x for x in capsys.readouterr().out.splitlines() if x.strip().startswith("Giáo dục"))
        assert ("nhận vì là sự cố nóng (từ điểm 0.25 khi điểm nóng ≥ 0.50)" in line) is admitted, line
    # under the incident floor, from the lower one a title naming a pupil opens
    evidence["thresholds"]["education_by_victim"] = {"relevance": 0.15, "hot": 0.6}
    classification.update(relevance=0.2, hot_score=0.7)
    _print_explanation({"article": article, "classification": classification, "model_evidence": None, "story": None,
                        "labels": [], "other_versions": []})
    line = next(x for x in capsys.readouterr().out.splitlines() if x.strip().startswith("Giáo dục"))
    assert "nhận vì là sự cố nóng (từ điểm 0.15 khi điểm nóng ≥ 0.60, tiêu đề nêu người của trường học)" in line, line
    # one the incident floor let through is told by it, whether or not its title named a pupil
    classification.update(relevance=0.31, hot_score=0.9)
    _print_explanation({"article": article, "classification": classification, "model_evidence": None, "story": None,
                        "labels": [], "other_versions": []})
    line = next(x for x in capsys.readouterr().out.splitlines() if x.strip().startswith("Giáo dục"))
    assert "nhận vì là sự cố nóng (từ điểm 0.25 khi điểm nóng ≥ 0.50)" in line, line


def test_label_takes_the_topics_of_the_rules_the_office_runs_and_suggests_the_nearest(tmp_path):
    """An office that added a topic of its own to its copy of the rules (storage.rules_file) labels articles with it;
    an id that is in neither its rules nor the plan is refused, naming the nearest id."""
    cfg = write_config(tmp_path)
    app = App.from_path(cfg)
    violence, _, _ = add_articles(app)
    app.close()
    text = cfg.read_text(encoding="utf-8")
    use_rules_with_own_topic(cfg, "quy-tac-cua-so.yaml")

    stored = json.loads(run(cfg, "label", str(violence), "--topics", "ban-tru-nha-o,an-toan-truong-hoc", "--json").output)
    assert stored["topics"] == ["ban-tru-nha-o", "an-toan-truong-hoc"]
    assert [a for a in json.loads(run(cfg, "articles", "--date", "2026-11-25", "--topic", "ban-tru-nha-o",
                                      "--json").output)["articles"]] == []
    refused = run(cfg, "label", str(violence), "--topics", "ban-tru-nha", ok=False)
    assert refused.exit_code == 2 and "không có chủ đề 'ban-tru-nha'" in refused.output, refused.output
    assert "(có phải 'ban-tru-nha-o'?)" in refused.output, refused.output
    cfg.write_text(text, encoding="utf-8")  # the shipped rules: the office's topic is unknown there
    refused = run(cfg, "label", str(violence), "--topics", "ban-tru-nha-o", ok=False)
    assert refused.exit_code == 2 and "không có chủ đề 'ban-tru-nha-o'" in refused.output, refused.output


GIA_LAI_SO = {"name": "Sở Giáo dục và Đào tạo tỉnh Gia Lai", "short_name": "Sở GD&ĐT Gia Lai", "district": "Gia Lai",
              "city": "Gia Lai"}
QUY_NHON_ARTICLE = {
    "url": "https://bao-vi-du.vn/giao-duc/quy-nhon-hoc-sinh-nghi-hoc-tranh-lu-1101.html",
    "title": "Quy Nhơn cho học sinh nghỉ học tránh lũ, các trường dọn dẹp sau mưa lớn",
    "sapo": "Hơn 30 trường tiểu học và trung học cơ sở ở Quy Nhơn cho học sinh nghỉ học hai ngày vì nước ngập sân trường.",
    "body": "Nhiều trường đã kê bàn ghế, thiết bị lên cao và cử giáo viên trực trường. Học sinh học trực tuyến theo thời "
            "khóa biểu, nhà trường liên lạc với phụ huynh qua nhóm lớp để nắm tình hình từng em.",
    "published": datetime(2026, 11, 25, 10, 0, tzinfo=TZ_OFFSET),
}


def test_a_so_of_a_province_reads_its_own_province_as_tinh_not_thanh_pho(tmp_path):
    # Gia Lai is a tỉnh: the scope "city" of its Sở's listings is "tỉnh" (a "thành phố" only for the six
    # centrally-run cities, as the shipped office's Hà Nội still reads); the JSON keeps the scope's id
    cfg = write_config(tmp_path, extra={"office": GIA_LAI_SO})
    app = App.from_path(cfg)
    (article,) = add_articles(app, [QUY_NHON_ARTICLE])
    classify_articles(app, [article])
    app.close()
    listed = json.loads(run(cfg, "articles", "--date", "2026-11-25", "--json").output)["articles"]
    assert [a["scope"] for a in listed] == ["city"]
    table = run(cfg, "articles", "--date", "2026-11-25", "--scope", "tỉnh").output
    assert " tỉnh " in table and "thành phố" not in table and "trên địa bàn tỉnh Gia Lai" in table
    explained = run(cfg, "explain", str(article)).output
    (scope_line,) = [line for line in explained.splitlines() if line.startswith("  Phạm vi:")]
    assert scope_line.startswith("  Phạm vi: tỉnh; tỉnh: ") and "thành phố" not in scope_line
    # the stored reasons too: the classifier names the scope by the office's city's kind (it wrote "thành phố: …"
    # for any province before; explain still reads such older reasons as "tỉnh")
    (reasons,) = [line for line in explained.splitlines() if line.startswith("  Lý do:")]
    assert "| tỉnh: " in reasons and "thành phố" not in reasons, reasons
    labelled = run(cfg, "label", str(article), "--scope", "city").output
    assert "phạm vi tỉnh" in labelled


DA_NANG_ARTICLE = {
    "url": "https://bao-vi-du.vn/giao-duc/da-nang-tuyen-giao-vien-mam-non-1102.html",
    "title": "Đà Nẵng tuyển thêm 200 giáo viên mầm non cho các phường mới",
    "sapo": "Sở Giáo dục và Đào tạo thành phố Đà Nẵng thông báo tuyển dụng giáo viên mầm non cho năm học tới.",
    "body": "Hồ sơ nộp trực tiếp tại các trường mầm non công lập đến hết tháng 12. Thí sinh cần có bằng cao đẳng sư "
            "phạm mầm non trở lên.",
    "published": datetime(2026, 11, 25, 11, 0, tzinfo=TZ_OFFSET),
}


def test_a_sos_clerk_typing_local_lists_the_offices_own_province_as_tinh_does(tmp_path):
    # a Sở's province stories are "city" and only its watchlist makes one "local": --scope local listed nothing
    # for a Sở of Gia Lai; its own area is the whole province, whichever of its words the clerk types, as
    # alerts.min_scope reads them
    cfg = write_config(tmp_path, extra={"office": GIA_LAI_SO})
    app = App.from_path(cfg)
    quy_nhon, da_nang = add_articles(app, [QUY_NHON_ARTICLE, DA_NANG_ARTICLE])
    classify_articles(app, [quy_nhon, da_nang])
    app.close()

    def listed(word):
        out = run(cfg, "articles", "--date", "2026-11-25", "--all", "--scope", word, "--json").output
        return [a["id"] for a in json.loads(out)["articles"]]
    assert listed("tỉnh") == [quy_nhon]
    for word in ("local", "địa phương", "dia ban", "city"):
        assert listed(word) == [quy_nhon], word
    assert listed("national") == [da_nang], "the rest of the country is still the rest"
    table = run(cfg, "articles", "--date", "2026-11-25", "--all", "--scope", "local").output
    assert "1 bài, trên địa bàn tỉnh Gia Lai trong tổng số 2 bài" in table, table
