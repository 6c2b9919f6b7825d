"""`monitor cases merge N --into M`: the case that carries on keeps its title, even when the follow-up brings an
article older than the incident's first report (a case is named by its story's first item or lead article), unless the
person gives another with --title; the clipping and the report name it the same way."""

from __future__ import annotations

from datetime import datetime, timezone

from click.testing import CliRunner

from monitor.cases import merge_case
from monitor.cli import cli
from monitor.intake import correct_item, open_from_outside
from monitor.report import load_report
from monitor.triage import run_triage
from test_triage_support import FIGHT_SAPO, FIGHT_TITLE, add_article, make_app

LOCAL_MORNING = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)  # 09:00 in Hà Nội
# invented for this test
CALL_TITLE = "Phụ huynh gọi đường dây nóng báo con bị bạn đánh ở trường THCS Ngọc Lâm"


def _two_cases(app):
    """An item entered at 08:30 and a press article published at 07:00 the same morning, crawled after it."""
    item = open_from_outside(app, title=CALL_TITLE, source_kind="đường dây nóng", source="Đường dây nóng của Phòng",
                             by="Nguyễn Thị Lan", at="08:30 26/11/2026", alert=False)
    app.clock.advance(hours=1)
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, datetime(2026, 11, 26, 0, 0, tzinfo=timezone.utc))
    (press_case,) = run_triage(app).cases_opened
    return item.case.id, press_case


def test_the_case_that_carries_on_keeps_its_title_after_a_merge_brings_an_older_article(tmp_path):
    app = make_app(tmp_path, LOCAL_MORNING)
    incident, follow_up = _two_cases(app)
    merged = merge_case(app, follow_up, into=incident, by="Nguyễn Thị Lan")
    assert merged.title == CALL_TITLE
    story = app.store.story(merged.story_id)
    assert story.title == CALL_TITLE and len(story.article_ids) == 1
    (issue,) = load_report(app, 2026, 11).hot_issues
    assert issue.title == CALL_TITLE
    # a correction of the item's title still names the case
    c = correct_item(app, incident, by="Nguyễn Thị Lan", title=CALL_TITLE + " sau giờ tan học")
    assert c.title == CALL_TITLE + " sau giờ tan học"


def test_merge_takes_another_title_when_the_person_gives_one(tmp_path):
    app = make_app(tmp_path, LOCAL_MORNING)
    incident, follow_up = _two_cases(app)
    app.close()
    r = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "cases", "merge", str(follow_up),
                                 "--into", str(incident), "--title", FIGHT_TITLE, "--by", "Nguyễn Thị Lan"])
    assert r.exit_code == 0, r.output
    assert f"đã gộp vào hồ sơ #{incident}: {FIGHT_TITLE}" in r.output
    r = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "cases", "show", str(incident)])
    assert f"tiêu đề hồ sơ: “{CALL_TITLE}” → “{FIGHT_TITLE}”" in r.output, r.output
