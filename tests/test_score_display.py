"""A story's 0-100 score as shown beside its level: never the next level's threshold (59.9 is «theo dõi», not "60").

A level is reached at score >= its threshold; a score shown rounded to the nearest whole point put "điểm 60" beside
«theo dõi» in the cases, the alerts, the clipping and the report. Every output shows it through config.score_text.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from docx import Document

from monitor.cli import cli
from monitor.config import load_config, score_text
from monitor.digest import build_digest, digest_window
from monitor.docx_render import render_docx
from monitor.models import Story
from monitor.render import render_html, render_markdown, render_text
from monitor.triage import severity_for

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_FEEDS = ROOT / "monitor" / "templates" / "feeds.example.yaml"
BELOW = 59.9  # just below «cao» (60 in the shipped starting config): the story is «theo dõi»


def test_a_score_just_below_a_level_never_shows_that_levels_threshold():
    config = load_config(SHIPPED_FEEDS)
    for name, minimum in config.alerts.thresholds:
        assert severity_for(config, minimum) == name and score_text(minimum) == str(minimum)
        for score in (minimum - 0.5, minimum - 0.1, minimum - 0.04, minimum - 1e-9):
            assert severity_for(config, score) != name
            assert int(score_text(score)) < minimum, (score, score_text(score))
    assert score_text(100.0) == "100" and score_text(0.0) == "0" and score_text(72.6) == "72"


def test_the_clipping_shows_the_score_below_the_level_in_every_format():
    from test_digest import DAY, NOW, TZ, article, cls, office

    t0 = datetime(2026, 11, 25, 20, 0, tzinfo=TZ)
    arts = [article(1, "Phụ huynh phản ánh bữa ăn bán trú kém chất lượng", "VnExpress", t0)]
    story = Story(id=1, title=arts[0].title, first_article_id=1, article_ids=(1,), outlets=("VnExpress",),
                  first_seen=t0, last_seen=t0, hot_score=BELOW, severity="theo dõi")
    d = build_digest(office=office(), day=DAY, window=digest_window(DAY, "07:00", TZ), articles=arts,
                     classifications={1: cls(1, sentiment="negative")}, stories={1: story}, generated_at=NOW)
    assert [i.severity for i in d.hot.items] == ["theo dõi"]
    docx = "\n".join(p.text for p in Document(io.BytesIO(render_docx(d))).paragraphs)
    for name, text in (("html", render_html(d)), ("text", render_text(d)), ("markdown", render_markdown(d)),
                       ("docx", docx)):
        assert "mức độ nóng 59/100" in text, name
        assert "60/100" not in text, name


def test_the_monthly_report_shows_the_score_below_the_level(tmp_path):
    from monitor.report import build_and_deliver_report
    from test_report import NOW, make_app_for_month, seed_months

    app = make_app_for_month(tmp_path)
    _, story = seed_months(app.store)
    app.store.save_story_score(story, NOW, main_topic="an-toan-truong-hoc", n_outlets=2, hot_score=BELOW,
                               severity="theo dõi", reasons=["bạo lực học đường"], explanation={})
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False, formats=["docx", "html"])
    html = result.paths["html"].read_text(encoding="utf-8")
    docx = "\n".join(p.text for p in Document(io.BytesIO(result.paths["docx"].read_bytes())).paragraphs)
    for name, text in (("html", html), ("docx", docx)):
        assert "(59/100)" in text, name
        assert "60/100" not in text, name


def test_cases_and_the_alert_show_the_score_below_the_level(tmp_path):
    from monitor.notify import compose_alert
    from monitor.triage import AlertDecision, run_triage
    from test_triage_support import FIGHT_SAPO, FIGHT_TITLE, add_article, make_app

    app = make_app(tmp_path)
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    (case_id,) = run_triage(app).cases_opened
    case = app.store.case(case_id)
    app.store.save_story_score(case.story_id, app.now(), main_topic="an-toan-truong-hoc", n_outlets=1, hot_score=BELOW,
                               severity="theo dõi", reasons=["bạo lực học đường"], explanation={})
    members = app.store.story_members(case.story_id)
    from monitor.triage import story_score

    score = story_score(app, case.story_id, members, app.store.classifications_for([m["id"] for m in members]), app.now())
    score = replace(score, total=BELOW, severity="theo dõi")
    _, body, _ = compose_alert(app.config, case.story_id, score, members, AlertDecision("new", ""), case)
    assert "Mức độ nóng: theo dõi (59/100)" in body
    app.close()
    cfg = str(tmp_path / "feeds.yaml")
    for args in (["cases", "list"], ["cases", "show", str(case_id)]):
        r = CliRunner().invoke(cli, ["--config", cfg, *args])
        assert r.exit_code == 0, r.output
        assert "điểm 59" in r.output and "điểm 60" not in r.output, r.output
