"""Cases: a hot story opens one, people move it along, the history keeps who and when; the CLI."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from monitor.cases import STATUSES, parse_status, update_case
from monitor.cli import cli
from monitor.errors import InputError
from monitor.triage import run_triage
from test_triage_support import FIGHT_SAPO, FIGHT_TITLE, add_article, make_app


def _hot_story(tmp_path):
    app = make_app(tmp_path)
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    report = run_triage(app)
    assert len(report.cases_opened) == 1
    return app, report.cases_opened[0]


def test_status_typed_without_diacritics_is_understood():
    assert parse_status("dang xu ly") == "đang xử lý"
    assert parse_status("ĐÃ PHẢN HỒI") == "đã phản hồi"
    with pytest.raises(InputError, match="đã tiếp nhận"):
        parse_status("xong rồi")


def test_case_history_and_cases_between(tmp_path):
    app, case_id = _hot_story(tmp_path)
    assert run_triage(app).cases_opened == []  # one case per story
    opened = app.now()
    app.clock.advance(hours=1)
    update_case(app, case_id, by="Chị Lan", status="da tiep nhan", owner="Chị Lan")
    app.clock.advance(days=3)
    c = update_case(app, case_id, by="Anh Minh", status="đã xử lý", note="Hiệu trưởng đã báo cáo, học sinh ổn định")
    assert c.status == "đã xử lý" and c.owner == "Chị Lan" and c.closed
    assert [(e.by, e.status) for e in c.events] == [("hệ thống", "mới"), ("Chị Lan", "đã tiếp nhận"), ("Anh Minh", "đã xử lý")]
    assert c.events[-1].note.startswith("Hiệu trưởng") and c.events[1].at == opened + timedelta(hours=1)
    assert app.store.story(c.story_id).case_status == "đã xử lý"
    assert [x.id for x in app.store.cases_between(opened, opened + timedelta(minutes=1))] == [case_id]
    assert [x.id for x in app.store.cases_between(app.now(), app.now() + timedelta(hours=1))] == [case_id]
    assert app.store.cases_between(opened + timedelta(hours=2), opened + timedelta(hours=3)) == []
    with pytest.raises(InputError):
        update_case(app, case_id, by="Chị Lan")
    with pytest.raises(InputError, match="no case"):
        update_case(app, 999, by="Chị Lan", note="x")


def test_cases_cli_list_show_update(tmp_path):
    app, case_id = _hot_story(tmp_path)
    app.close()
    cfg = str(tmp_path / "feeds.yaml")
    run = CliRunner().invoke
    r = run(cli, ["--config", cfg, "cases", "update", str(case_id), "--status", "dang xu ly", "--owner", "Chị Lan",
                  "--note", "Đã gọi điện cho nhà trường", "--by", "Chị Lan"])
    assert r.exit_code == 0, r.output
    assert "đang xử lý" in r.output
    r = run(cli, ["--config", cfg, "cases", "list", "--json"])
    assert r.exit_code == 0, r.output
    (item,) = json.loads(r.output)
    assert item["status"] == "đang xử lý" and item["owner"] == "Chị Lan" and item["title"] == FIGHT_TITLE
    r = run(cli, ["--config", cfg, "cases", "show", str(case_id)])
    assert r.exit_code == 0 and "Đã gọi điện cho nhà trường" in r.output and "VnExpress" in r.output
    assert "Lan truyền:" in r.output
    shown = json.loads(run(cli, ["--config", cfg, "cases", "show", str(case_id), "--json"]).output)
    assert shown["growth"][0]["outlets"] == 1 and shown["explanation"]["signals"]
    r = run(cli, ["--config", cfg, "cases", "update", str(case_id), "--status", "xong"])
    assert r.exit_code == 2 and all(s in r.output for s in STATUSES[1:])
    r = run(cli, ["--config", cfg, "cases", "show", "77"])
    assert r.exit_code == 2


def test_alerts_cli_lists_and_dry_runs(tmp_path):
    # the CLI runs on the system clock: make the alert a few minutes old in real time, no quiet hours
    app = make_app(tmp_path, datetime.now(timezone.utc) - timedelta(minutes=5), quiet="",
                   channels=[{"kind": "webhook", "url": "http://127.0.0.1:9/hook"}])
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now())
    run_triage(app)
    app.close()
    cfg = str(tmp_path / "feeds.yaml")
    r = CliRunner().invoke(cli, ["--config", cfg, "alerts", "--dry-run", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["delivery"]["dry_run"] and len(data["delivery"]["sent"]) == 1
    assert data["alerts"][0]["deliveries"][0]["status"] == "pending"
    r = CliRunner().invoke(cli, ["--config", cfg, "alerts", "--send"])  # port 9: refused
    assert r.exit_code == 1 and "LỖI" in r.output
    r = CliRunner().invoke(cli, ["--config", cfg, "alerts"])
    assert r.exit_code == 0 and "LỖI sau 1 lần" in r.output
