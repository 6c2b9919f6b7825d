"""`monitor reclassify`: an edited topics.yaml, a dry run that writes nothing, the real run's diff, every
version kept, --compare and --rollback; on a real SQLite file with the real rules classifier."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from monitor.app import App
from monitor.cli import cli
from test_service_support import ARTICLES, add_articles, write_config

RULES = Path(__file__).resolve().parents[1] / "classifiers" / "topics.yaml"


def run(cfg, *args):
    result = CliRunner().invoke(cli, ["--config", str(cfg), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def rules_copies(tmp_path: Path) -> tuple[Path, Path]:
    """A baseline copy (a comment added, so its own version) and an edited one.

    The edit adds a term to a topic (the admissions article gains thi-dua) and an education exclusion
    (the school-violence article stops being education, hence stops being hot, and so does its story).
    """
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    # Both copies add a hot category the office wants to watch. The shipped models were trained for the
    # shipped rule groups, so with a new group the rules alone score: the differences below are the
    # rules edit's own, whatever model is shipped at the time.
    data["hot"].append({"id": "thu-nghiem", "name": "nhóm theo dõi thử", "terms": ["cụm từ chỉ dùng để thử"]})
    base = tmp_path / "base-topics.yaml"
    base.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    thi_dua = next(t for t in data["topics"] if t["id"] == "thi-dua")
    thi_dua["terms"]["phương án tuyển sinh"] = 1.0
    data["education"]["exclusions"] = list(data["education"].get("exclusions") or []) + ["đánh hội đồng"]
    edited = tmp_path / "edited-topics.yaml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return base, edited


def snapshot(db: Path) -> tuple:
    con = sqlite3.connect(db)
    try:
        return (con.execute("SELECT * FROM model_versions ORDER BY version").fetchall(),
                con.execute("SELECT * FROM classifications ORDER BY article_id, model_version").fetchall(),
                con.execute("SELECT id, hot_score, severity FROM stories ORDER BY id").fetchall())
    finally:
        con.close()


@pytest.fixture()
def setup(tmp_path):
    cfg = write_config(tmp_path)
    app = App.from_path(cfg)
    # recent articles (triage only rescores stories of the alerts window), published relative to now
    now = datetime.now(timezone.utc)
    shifted = [a | {"published": now - timedelta(hours=20 - 2 * i)} for i, a in enumerate(ARTICLES)]
    ids = add_articles(app, shifted)
    db = app.config.storage.database
    app.close()
    return cfg, ids, db, *rules_copies(tmp_path)


def test_reclassify_dry_run_then_real_then_compare_and_rollback(setup):
    cfg, (violence, admissions, football), db, base, edited = setup
    out = json.loads(run(cfg, "reclassify", "--rules", str(base), "--json"))
    v1 = out["new_version"]
    assert v1.startswith("rules-only+"), v1
    assert out["old_version"] is None and out["only_new"] == [violence, admissions, football]

    before = snapshot(db)
    assert before[2], "triage made no story; the story part of the diff would not be tested"
    dry = json.loads(run(cfg, "reclassify", "--rules", str(edited), "--dry-run", "--json"))
    assert snapshot(db) == before, "--dry-run wrote to the database"
    v2 = dry["new_version"]
    assert dry["dry_run"] and dry["old_version"] == v1 and v2 != v1 and dry["compared"] == 3
    assert dry["topics_gained"] == {"thi-dua": [admissions]}
    assert dry["topics_lost"] == {"an-toan-truong-hoc": [violence]}
    assert dry["stopped_education"] == [violence] and dry["stopped_hot"] == [violence]
    assert dry["became_education"] == [] and dry["became_hot"] == []
    app = App.from_path(cfg)
    story = app.store.story_of_article(violence)
    app.close()
    assert dry["stories_became_hot"] == []
    # the story loses its hottest signal: its severity drops (or it stops being hot altogether)
    [change] = dry["stories_severity_changed"]
    assert change["id"] == story and change["old"] == "cao" and change["new"] in (None, "theo dõi")

    real = json.loads(run(cfg, "reclassify", "--rules", str(edited), "--json"))
    assert {k: v for k, v in real.items() if k != "dry_run"} == {k: v for k, v in dry.items() if k != "dry_run"}

    app = App.from_path(cfg)
    store = app.store
    assert store.active_model_version() == v2
    assert "an-toan-truong-hoc" in store.classification(violence, v1).topics  # the previous version is kept
    assert store.classification(violence, v2).is_education is False
    assert store.classification(admissions, v2).topics == ("tuyen-sinh", "thi-dua") or \
        set(store.classification(admissions, v2).topics) == {"tuyen-sinh", "thi-dua"}
    assert store.story(story).severity == change["new"]  # triage rescored the story with the new classifications
    app.close()

    explained = json.loads(run(cfg, "explain", str(violence), "--json"))
    assert explained["story"]["id"] == story and explained["story"]["outlets"] == ["Báo Ví Dụ"]
    assert explained["story"]["severity"] == change["new"]
    assert [o["version"] for o in explained["other_versions"]] == [v1]
    assert explained["other_versions"][0]["topics"] == ["an-toan-truong-hoc"]

    compared = json.loads(run(cfg, "reclassify", "--compare", v1, v2, "--json"))
    for key in ("topics_gained", "topics_lost", "stopped_education", "stopped_hot", "stories_severity_changed"):
        assert compared[key] == real[key], key

    text = run(cfg, "reclassify", "--compare", v1, v2)
    assert "thi-dua (Phong trào thi đua, cuộc vận động): +1 / -0" in text and "Không còn là bài giáo dục: 1" in text

    versions = json.loads(run(cfg, "reclassify", "--versions", "--json"))
    assert {v["version"]: v["articles"] for v in versions} == {v1: 3, v2: 3}

    run(cfg, "reclassify", "--rollback", v1)
    listed = json.loads(run(cfg, "articles", "--date", _day(setup), "--json", "--all"))
    assert listed["model_version"] == v1
    assert {a["id"]: a["is_education"] for a in listed["articles"]}[violence] is True
    # a new round of the pipeline does not undo the rollback; an explicit reclassify does
    app = App.from_path(cfg)
    app.store.register_model_version(v2, datetime.now(timezone.utc), activate=True)
    assert app.store.active_model_version() == v1 and app.store.pinned_model_version() == v1
    app.close()


def _day(setup) -> str:
    cfg = setup[0]
    app = App.from_path(cfg)
    try:
        a = app.store.get_article(setup[1][0])
        return a.published.astimezone(app.config.office.tz).date().isoformat()
    finally:
        app.close()


def test_reclassify_rejects_unknown_versions_and_reversed_dates(setup):
    cfg = setup[0]
    for args, message in [(["--compare", "nope", "nada"], "no model version 'nope'"),
                          (["--rollback", "nope"], "no model version 'nope'"),
                          (["--since", "2026-11-20", "--until", "2026-11-01"], "swap them")]:
        result = CliRunner().invoke(cli, ["--config", str(cfg), "reclassify", *args])
        assert result.exit_code == 2 and message in result.output, result.output
