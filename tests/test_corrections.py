"""Analysts' labels over the model's calls in what people read (monitor.corrections): the clipping, the report."""

from __future__ import annotations

from datetime import datetime, timedelta

from monitor.corrections import CORRECTED_REASON, corrected
from test_digest import DAY, NOW, TZ, add_article, classify, cls, make_app


def test_a_label_replaces_only_what_it_states_and_not_education_clears_topics_and_hot():
    c = cls(1, topics=["an-toan-truong-hoc"], sentiment="negative", hot=True, hot_score=0.7, scope="city")
    assert corrected(c, {"labelled_by": "Thu Hà"}) is c, "a label stating nothing changes nothing"
    tone = corrected(c, {"sentiment": "neutral", "labelled_by": "Thu Hà"})
    assert (tone.sentiment, tone.topics, tone.hot, tone.scope) == ("neutral", ("an-toan-truong-hoc",), True, "city")
    assert tone.reasons[0] == CORRECTED_REASON.format(who="Thu Hà") and tone.hot_score == 0.7, "the model's scores stay"
    out = corrected(c, {"is_education": False, "labelled_by": "Thu Hà"})
    assert (out.is_education, out.topics, out.hot) == (False, (), False)
    missed = cls(2, edu=False, relevance=0.35)
    fixed = corrected(missed, {"is_education": True, "topics": ["hoc-phi-thu-chi"], "hot": True, "labelled_by": "Anh Minh"})
    assert (fixed.is_education, fixed.topics, fixed.hot, fixed.relevance) == (True, ("hoc-phi-thu-chi",), True, 0.35)


def _seed(app):
    end = datetime.combine(DAY, datetime.min.time(), tzinfo=TZ).replace(hour=7)
    store = app.store
    ids = {key: add_article(store, url=f"https://news.example.vn/c/{key}.html", outlet=outlet, title=title,
                            published=end - timedelta(hours=hours))
           for key, outlet, title, hours in [
               ("quy-lop", "Dân trí", "Phụ huynh phản ánh tiền quỹ lớp đầu năm ở một trường tiểu học", 3),
               ("robot", "VnExpress", "Câu lạc bộ robot thiếu nhi ra mắt ở Long Biên", 4),
               ("bong-da", "Tuổi Trẻ", "Đội bóng sinh viên vô địch giải phong trào", 5)]}
    classify(store, [(ids["quy-lop"], dict(topics=["chinh-sach"], sentiment="neutral")),
                     (ids["robot"], dict(edu=False, relevance=0.42)),
                     (ids["bong-da"], dict(topics=["y-te-the-chat"], sentiment="positive"))])
    later = NOW + timedelta(hours=1)
    store.add_label(ids["quy-lop"], by="Thu Hà", at=later, topics=["hoc-phi-thu-chi"], hot=True, sentiment="negative")
    store.add_label(ids["robot"], by="Thu Hà", at=later, is_education=True, topics=["dao-duc-ky-nang"])
    store.add_label(ids["bong-da"], by="Thu Hà", at=later, is_education=False)
    return ids


def test_the_clipping_shows_what_the_analyst_corrected(tmp_path):
    from monitor.digest_delivery import load_digest

    app = make_app(tmp_path)
    ids = _seed(app)
    d = load_digest(app, DAY)
    shown = {i.article_id: (s.key, i) for s in d.all_sections for i in s.items}
    assert shown[ids["quy-lop"]][0] == "hot" and shown[ids["quy-lop"]][1].topics == ("hoc-phi-thu-chi",)
    assert shown[ids["robot"]][0] == "topic:dao-duc-ky-nang", "labelled education: in the sections"
    assert ids["robot"] not in [i.article_id for i in d.borderline.items], "no longer unsure"
    assert ids["bong-da"] not in shown, "labelled not education: gone"
    assert d.summary.education == 2
    assert "Cán bộ hiệu chỉnh: Thu Hà" in shown[ids["quy-lop"]][1].reasons


def test_the_monthly_report_counts_what_the_analyst_corrected(tmp_path):
    from monitor.report import load_report

    app = make_app(tmp_path)
    _seed(app)
    end = datetime.combine(DAY, datetime.min.time(), tzinfo=TZ)
    r = load_report(app, end.year, end.month)
    topics = {t.label: t.count for t in r.topics}
    assert r.total.count == 2
    assert topics["Học phí, các khoản thu (theo dõi thêm, ngoài kế hoạch)"] == 1 and topics["Chủ trương, chính sách, pháp luật về giáo dục"] == 0
    assert sum(t.count for t in r.tone) == 2 and {t.label: t.count for t in r.tone}["Tiêu cực"] == 1


def test_monitor_articles_lists_what_the_clipping_reads_marking_corrections(tmp_path):
    import json

    from click.testing import CliRunner

    from monitor.app import App
    from monitor.cli import cli
    from test_service_support import write_config

    cfg = write_config(tmp_path)
    app = App.from_path(cfg)
    ids = _seed(app)
    app.close()
    day = DAY  # published in the small hours before the cut-off
    out = CliRunner().invoke(cli, ["--config", str(cfg), "articles", "--date", day.isoformat(), "--json"])
    assert out.exit_code == 0, out.output
    rows = {r["id"]: r for r in json.loads(out.output)["articles"]}
    assert set(rows) == {ids["quy-lop"], ids["robot"]}, "labelled education in, labelled not education out"
    assert rows[ids["quy-lop"]]["topics"] == ["hoc-phi-thu-chi"] and rows[ids["quy-lop"]]["corrected_by"] == "Thu Hà"
    table = CliRunner().invoke(cli, ["--config", str(cfg), "articles", "--date", day.isoformat()]).output
    assert "✎ Câu lạc bộ robot" in table


def test_monitor_export_writes_what_the_listings_show_with_who_corrected_and_the_models_own_call(tmp_path):
    """`export` read the model's calls while `articles`, `search` and the clipping showed the analyst's: an article
    labelled education came out as not education. It now writes the corrected reading, who corrected it, and the
    model's own call beside it; times in office time (+07:00), as `search --json` and `explain --json` write them."""
    import json

    from click.testing import CliRunner

    from monitor.app import App
    from monitor.cli import cli
    from test_service_support import write_config

    cfg = write_config(tmp_path)
    app = App.from_path(cfg)
    ids = _seed(app)
    end = datetime.combine(DAY, datetime.min.time(), tzinfo=TZ).replace(hour=7)
    plain = add_article(app.store, url="https://news.example.vn/c/thu-vien.html", outlet="VnExpress",
                        title="Thư viện trường học mở cửa cho phụ huynh cuối tuần", published=end - timedelta(hours=2))
    classify(app.store, [(plain, dict(topics=["dao-duc-ky-nang"], sentiment="positive"))])
    app.close()
    out = tmp_path / "export.jsonl"
    res = CliRunner().invoke(cli, ["--config", str(cfg), "export", "--since", DAY.isoformat(), "--until", DAY.isoformat(),
                                   "-o", str(out)])
    assert res.exit_code == 0, res.output
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(rows) == {*ids.values(), plain}
    fees = rows[ids["quy-lop"]]
    assert (fees["classification"]["topics"], fees["classification"]["hot"], fees["classification"]["sentiment"]) == \
        (["hoc-phi-thu-chi"], True, "negative")
    assert fees["classification"]["reasons"][0] == "Cán bộ hiệu chỉnh: Thu Hà" and fees["corrected_by"] == "Thu Hà"
    assert fees["model_classification"]["topics"] == ["chinh-sach"] and fees["model_classification"]["hot"] is False
    robot = rows[ids["robot"]]
    assert robot["classification"]["is_education"] is True and robot["classification"]["topics"] == ["dao-duc-ky-nang"]
    assert robot["model_classification"]["is_education"] is False
    football = rows[ids["bong-da"]]
    assert football["classification"]["is_education"] is False and football["classification"]["topics"] == []
    assert football["model_classification"]["topics"] == ["y-te-the-chat"]
    untouched = rows[plain]
    assert untouched["corrected_by"] is None and untouched["classification"] == untouched["model_classification"]
    for r in rows.values():
        assert list(r["classification"]) == list(r["model_classification"]) == [
            "id", "is_education", "relevance", "topics", "topic_scores", "sentiment", "hot", "hot_score", "scope",
            "reasons", "model_version"]
        assert r["published"].endswith("+07:00") and r["first_seen"].endswith("+07:00")
    assert untouched["published"] == "2026-11-26T05:00:00+07:00"
