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
    app = App.from_path(cfg)
    assert app.store.story(story).severity == "cao", "the story is scored again with the version rolled back to"
    app.close()
    listed = json.loads(run(cfg, "articles", "--date", _day(setup), "--json", "--all"))
    assert listed["model_version"] == v1
    assert {a["id"]: a["is_education"] for a in listed["articles"]}[violence] is True
    # a new round of the pipeline does not undo the rollback; an explicit reclassify does
    app = App.from_path(cfg)
    app.store.register_model_version(v2, datetime.now(timezone.utc), activate=True)
    assert app.store.active_model_version() == v1 and app.store.pinned_model_version() == v1
    app.close()


def test_reclassify_marks_the_articles_analysts_labelled_and_counts_the_changes_against_their_labels(setup):
    """The analyst's review: an article whose topic the analyst had already removed was listed as losing it, as if
    it were news. A labelled article is marked ✎ with whether the change agrees with its label, and the changes on
    labelled articles are counted, per kind and in all (`--json`: against_labels)."""
    cfg, (violence, admissions, football), db, base, edited = setup
    run(cfg, "reclassify", "--rules", str(base))
    app = App.from_path(cfg)
    at = datetime.now(timezone.utc)
    app.store.add_label(violence, by="Thu Hà", at=at, is_education=False)  # what the edit now says, and more
    app.store.add_label(admissions, by="Thu Hà", at=at, topics=["tuyen-sinh"])  # the edit adds thi-dua: against
    app.close()

    text = run(cfg, "reclassify", "--rules", str(edited), "--dry-run")
    assert ("  Ở các bài chuyên viên đã gắn nhãn (✎): 3 thay đổi khớp nhãn của chuyên viên, 1 thay đổi trái nhãn; "
            "điểm báo, báo cáo và các danh sách vẫn đọc những bài này theo nhãn\n") in text, text
    assert "  Không còn là bài giáo dục: 1 (bài đã gắn nhãn: 1 khớp, 0 trái nhãn)\n" in text
    assert "    thi-dua (Phong trào thi đua, cuộc vận động): +1 / -0 (bài đã gắn nhãn: 0 khớp, 1 trái nhãn)\n" in text
    lines = text.splitlines()
    assert lines[lines.index("  Không còn là bài giáo dục: 1 (bài đã gắn nhãn: 1 khớp, 0 trái nhãn)") + 1].endswith(
        "  ✎ khớp nhãn")
    thi_dua = next(n for n, line in enumerate(lines) if line.startswith("    thi-dua ("))
    assert lines[thi_dua + 1].startswith(f"      {admissions:>6}  ") and lines[thi_dua + 1].endswith("  ✎ trái nhãn")
    dry = json.loads(run(cfg, "reclassify", "--rules", str(edited), "--dry-run", "--json"))
    assert dry["against_labels"] == {"stopped_education": {"agree": 1, "disagree": 0},
                                     "stopped_hot": {"agree": 1, "disagree": 0},
                                     "topics_gained/thi-dua": {"agree": 0, "disagree": 1},
                                     "topics_lost/an-toan-truong-hoc": {"agree": 1, "disagree": 0}}


def _day(setup) -> str:
    cfg = setup[0]
    app = App.from_path(cfg)
    try:
        a = app.store.get_article(setup[1][0])
        return a.published.astimezone(app.config.office.tz).date().isoformat()
    finally:
        app.close()


def test_versions_are_listed_in_office_time_and_a_compare_offers_no_rollback(setup):
    """`--versions` printed the stored UTC instant ("2026-11-28T10:54:32+00:00") where every other listing writes the
    office's time; `--compare` (which writes nothing) ended with the hint to roll back as a real run does."""
    from zoneinfo import ZoneInfo

    cfg, _, _, base, edited = setup
    v1 = json.loads(run(cfg, "reclassify", "--rules", str(base), "--json"))["new_version"]
    ran = run(cfg, "reclassify", "--rules", str(edited))
    v2 = json.loads(run(cfg, "reclassify", "--versions", "--json"))[-1]["version"]
    assert f"`monitor reclassify --rollback {v1}` để quay lại" in ran, "a real run still says how to undo it"
    compared = run(cfg, "reclassify", "--compare", v1, v2)
    assert "Không còn là bài giáo dục: 1" in compared and "--rollback" not in compared and "vẫn được lưu" not in compared

    app = App.from_path(cfg)
    stored = {v["version"]: v["created_at"] for v in app.store.model_versions()}
    app.close()
    hanoi = {v: datetime.fromisoformat(at).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")) for v, at in stored.items()}
    listed = run(cfg, "reclassify", "--versions")
    for v, at in hanoi.items():
        assert f"{at:%H:%M %d/%m/%Y}" in next(line for line in listed.splitlines() if line.startswith(v))
    assert "+00:00" not in listed
    as_json = {v["version"]: v["created_at"] for v in json.loads(run(cfg, "reclassify", "--versions", "--json"))}
    assert as_json == {v: at.isoformat(timespec="seconds") for v, at in hanoi.items()}
    assert all(at.endswith("+07:00") for at in as_json.values())


def test_reclassify_rejects_unknown_versions_and_reversed_dates(setup):
    cfg = setup[0]
    for args, message in [(["--compare", "nope", "nada"], "không có phiên bản mô hình 'nope'"),
                          (["--rollback", "nope"], "không có phiên bản mô hình 'nope'"),
                          (["--since", "2026-11-20", "--until", "2026-11-01"], "--until đứng trước --since; đổi chỗ hai ngày")]:
        result = CliRunner().invoke(cli, ["--config", str(cfg), "reclassify", *args])
        assert result.exit_code == 2 and message in result.output, result.output


def test_the_diff_names_the_open_cases_of_stories_no_longer_rated_hot(tmp_path, capsys):
    """A reclassification that rates a story no longer hot leaves its case open (a person closes cases), so the story
    stays in the clipping's hot section: the diff says so and names the command, rather than let the analyst think
    the story left it."""
    from datetime import timedelta

    from monitor.cli.analyst import _print_diff
    from monitor.reclassify import VersionDiff
    from monitor.triage import run_triage
    from test_triage_support import FIGHT_SAPO, FIGHT_TITLE, add_article, make_app

    app = make_app(tmp_path)
    aid = add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    (case_id,) = run_triage(app).cases_opened
    story = app.store.story_of_article(aid)
    _print_diff(app, VersionDiff(old_version="a", new_version="b", compared=1, stopped_hot=(aid,),
                                 stories_stopped_hot=(story,), stories_severity_changed=((story, "cao", None),)),
                show=5, as_json=False, dry_run=True)
    out = capsys.readouterr().out
    assert f"Sự việc không còn nóng: #{story}" in out
    assert "hồ sơ vẫn mở" in out and f"#{case_id}" in out and f"monitor cases dismiss {case_id}" in out
    app.close()


def test_models_or_rules_put_back_rescore_the_stories_they_had_scored(tmp_path):
    """The office tries its edited rules (or a retrained model) live, then puts the shipped ones back: nothing needs
    classifying again (that version's classifications are stored), but the version current again must also be the
    one the recent stories are scored with, or the clipping shows the levels of the version given up."""
    from types import SimpleNamespace

    from monitor.pipeline import classify_and_triage
    from test_service_support import fixed_clock

    cfg = write_config(tmp_path)
    now = datetime.now(timezone.utc)
    app = App.from_path(cfg, clock=fixed_clock(now))
    ids = add_articles(app, [a | {"published": now - timedelta(hours=3 - i)} for i, a in enumerate(ARTICLES)])
    crawled = SimpleNamespace(new_article_ids=ids, updated_article_ids=())
    classify_and_triage(app, crawled)
    story = app.store.story_of_article(ids[0])
    shipped = app.store.story(story).hot_score
    app.close()

    edited = tmp_path / "rules-cua-phong.yaml"
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    data["education"]["exclusions"] = list(data["education"].get("exclusions") or []) + ["đánh hội đồng", "bạo lực"]
    edited.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace("storage:\n", f"storage:\n  rules_file: {edited}\n", 1), encoding="utf-8")
    app = App.from_path(cfg, clock=fixed_clock(now))
    classify_and_triage(app, SimpleNamespace(new_article_ids=(), updated_article_ids=()))
    tried = app.store.story(story).hot_score
    app.close()
    assert tried != shipped, "the edit must change the story's score for this test to say anything"

    cfg.write_text(text, encoding="utf-8")  # the shipped rules again
    app = App.from_path(cfg, clock=fixed_clock(now))
    report, _ = classify_and_triage(app, SimpleNamespace(new_article_ids=(), updated_article_ids=()))
    assert report.classified == 0, "that version's classifications were kept"
    assert app.store.story(story).hot_score == shipped
    app.close()


def test_reclassifying_history_rescores_its_stories_as_of_their_own_time_and_acts_on_nothing(tmp_path):
    """An office set up on a store already filled (a Sở whose province the stories are, after a Phòng's office), or
    edited rules, must see the days already past with the new classifications: the clipping and the report read each
    story's stored locality, level and reasons, and a story outside the alert window was scored once, long ago. It is
    scored again as of that time, and nothing is sent and no case is touched: what leadership was told then stands."""
    from types import SimpleNamespace

    from monitor.pipeline import classify_and_triage
    from test_service_support import fixed_clock

    cfg = write_config(tmp_path)
    then = datetime.now(timezone.utc) - timedelta(days=10)
    app = App.from_path(cfg, clock=fixed_clock(then))
    ids = add_articles(app, [a | {"published": then - timedelta(hours=3 - i)} for i, a in enumerate(ARTICLES[:2])])
    classify_and_triage(app, SimpleNamespace(new_article_ids=ids, updated_article_ids=()))
    admissions = app.store.story_of_article(ids[1])  # Hòa Bình's grade-10 plan: Phú Thọ's since the merger
    fight = app.store.story_of_article(ids[0])
    before = app.store.story(admissions)
    assert not app.store.story_explanation(admissions).get("local")
    db = app.config.storage.database
    app.close()
    con = sqlite3.connect(db)
    sent_before = con.execute("SELECT COUNT(*) FROM alerts").fetchone()[0]
    events_before = con.execute("SELECT COUNT(*) FROM case_events").fetchone()[0]
    scored_before = dict(con.execute("SELECT id, scored_at FROM stories").fetchall())
    con.close()

    text = cfg.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["office"] = {"name": "Sở Giáo dục và Đào tạo tỉnh Phú Thọ", "short_name": "Sở GD&ĐT Phú Thọ",
                      "district": "Phú Thọ", "city": "Phú Thọ"}
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    run(cfg, "reclassify")

    app = App.from_path(cfg)
    exp = app.store.story_explanation(admissions)
    assert exp.get("local") and exp["signals"], exp
    story = app.store.story(admissions)
    assert any(r.startswith("Tin trên địa bàn tỉnh Phú Thọ") for r in story.reasons), story.reasons
    assert story.hot_score > before.hot_score
    # the fight in Long Biên is another province's for Phú Thọ's Sở: no longer on the area
    assert not app.store.story_explanation(fight).get("local")
    app.close()
    con = sqlite3.connect(db)
    assert dict(con.execute("SELECT id, scored_at FROM stories").fetchall()) == scored_before
    assert con.execute("SELECT COUNT(*) FROM alerts").fetchone()[0] == sent_before
    assert con.execute("SELECT COUNT(*) FROM case_events").fetchone()[0] == events_before
    con.close()
