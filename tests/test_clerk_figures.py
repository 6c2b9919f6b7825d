"""What a new office's clerk and leadership read as figures and as "what was done" (clerk journey, findings 5, 10, 11
and 14): a clerk's scratch note and the system's own lines are not said as things done; a first week's clipping does
not compare with days before the monitoring began; `articles --hot` and `search --hot` list the clipping's hot issues; the clipping's
numbers add up, and a hot issue with no level has one name."""

from __future__ import annotations

from datetime import datetime, timedelta

from click.testing import CliRunner

from monitor.cases import open_case_by_hand, update_case
from monitor.cli import cli
from monitor.digest_delivery import load_digest
from monitor.triage import run_triage
from test_digest import DAY, NOW, TZ, add_article, classify, make_app
from test_triage_support import FIGHT_SAPO, FIGHT_TITLE, Cls
from test_triage_support import add_article as add_classified
from test_triage_support import make_app as make_triage_app

# invented for these tests
QUIET_TITLE = "Trường tiểu học Thạch Bàn tổ chức ngày hội đọc sách cho học sinh"
QUIET_SAPO = "Học sinh Trường Tiểu học Thạch Bàn (quận Long Biên) giới thiệu những cuốn sách yêu thích với các bạn."


def _fight_case(tmp_path):
    app = make_triage_app(tmp_path)
    add_classified(app, "VnExpress", "story-1", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    (case_id,) = run_triage(app).cases_opened
    return app, case_id


def _outcome(app, day):
    (item,) = [i for i in load_digest(app, day).hot.items if i.title == FIGHT_TITLE]
    return item.outcome


def test_a_note_alone_and_the_systems_opening_lines_are_not_said_as_done(tmp_path):
    """Finding 5: "Mở thủ công: thử" and a clerk's "đã có hồ sơ?" were printed as "Việc đã làm gần nhất"."""
    from monitor.report import load_report

    app, case_id = _fight_case(tmp_path)
    tz = app.config.office.tz
    day = app.now().astimezone(tz).date() + timedelta(days=1)
    fight_article = app.store.story_members(app.store.case(case_id).story_id)[0]["id"]
    # the clerk opens a case for an article already in one, with a question; then a scratch note on the case
    open_case_by_hand(app, fight_article, by="Chị Lan", note="đã có hồ sơ?")
    app.clock.advance(minutes=5)
    update_case(app, case_id, by="Chị Lan", note="hỏi lại anh Minh xem đã báo cáo chưa")
    assert _outcome(app, day) == ""
    (issue,) = [h for h in load_report(app, 2026, 11).hot_issues if h.title == FIGHT_TITLE]
    assert issue.outcome == "" and issue.notes == ()
    # a case a person opened by hand: the system's "Mở thủ công: …" line is no action either
    lone = add_classified(app, "Dân Trí", "story-2", QUIET_TITLE, QUIET_SAPO, app.now() - timedelta(minutes=3),
                          Cls(hot_score=0.2, sentiment="positive", reasons=()))
    hand, opened, _ = open_case_by_hand(app, lone, by="Chị Lan", note="thử")
    assert opened
    (item,) = [i for i in load_digest(app, day).hot.items if i.title == QUIET_TITLE]
    assert item.outcome == "" and "Mở thủ công" not in item.outcome
    # a note given with a status change, or with a handling record, is what was done
    app.clock.advance(minutes=5)
    update_case(app, case_id, by="Chị Lan", status="đang xử lý", note="Đã gọi điện cho hiệu trưởng Trường THCS Ngọc Lâm")
    assert _outcome(app, day) == "Việc đã làm gần nhất (ngày 26/11): Đã gọi điện cho hiệu trưởng Trường THCS Ngọc Lâm"
    app.clock.advance(minutes=5)
    update_case(app, case_id, by="Chị Lan", reported_to=["UBND quận Long Biên"], note="Gửi báo cáo nhanh bằng văn bản")
    assert _outcome(app, day) == ("Việc đã làm gần nhất (ngày 26/11): đã báo cáo UBND quận Long Biên; trước đó, cùng ngày: "
                                  "gửi báo cáo nhanh bằng văn bản")
    (issue,) = [h for h in load_report(app, 2026, 11).hot_issues if h.title == FIGHT_TITLE]
    assert [n.split(": ", 1)[1] for n in issue.notes] == ["Đã gọi điện cho hiệu trưởng Trường THCS Ngọc Lâm",
                                                          "Gửi báo cáo nhanh bằng văn bản"]
    # `cases show` keeps every line of the history, the scratch notes included
    out = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "cases", "show", str(case_id)]).output
    assert "đã có hồ sơ?" in out and "hỏi lại anh Minh" in out


def test_the_notes_help_says_which_notes_reach_the_clipping_and_the_report():
    out = CliRunner().invoke(cli, ["cases", "update", "--help"], terminal_width=200).output
    assert "chỉ in, như việc đã làm, ghi chú đi kèm --status hoặc kèm việc đã làm" in " ".join(out.split())


def _week(app, *, seen_as_published: bool):
    """Two education articles on each of the 7 days before DAY and three in DAY's window; all collected by a first
    crawl just before the cut-off, or each as it was published (a week already monitored)."""
    ids = []
    for n in range(7, -1, -1):
        for k in range(3 if n == 0 else 2):
            published = datetime(2026, 11, 25, 20, 0, tzinfo=TZ) - timedelta(days=n, minutes=k)
            ids.append(add_article(app.store, url=f"https://vnexpress.net/bai-{n}-{k}.html", outlet="VnExpress",
                                   title=f"Trường học số {n}-{k} tổ chức hội thi", published=published,
                                   seen=published + timedelta(minutes=20) if seen_as_published else NOW - timedelta(hours=1)))
    classify(app.store, [(i, {}) for i in ids])


def test_a_first_weeks_clipping_does_not_compare_with_days_before_the_monitoring_began(tmp_path):
    """Finding 10: "trung bình 7 ngày trước: 1,6" of a demo whose every article came in one first crawl."""
    app = make_app(tmp_path / "first")
    _week(app, seen_as_published=False)
    d = load_digest(app, DAY)
    assert d.summary.change_text == "chưa đủ 7 ngày theo dõi để so sánh (hệ thống bắt đầu theo dõi từ ngày 26/11/2026)"
    assert [t.day for t in d.trend] == [DAY], "no bar for a day before the first crawl"
    assert "Hệ thống bắt đầu theo dõi từ ngày 26/11/2026: các kỳ trước đó không có cột." in d.trend_note
    # a week really monitored compares as before
    app = make_app(tmp_path / "monitored")
    _week(app, seen_as_published=True)
    d = load_digest(app, DAY)
    assert d.summary.change_text == "3 tin, bài (trung bình 7 ngày trước: 2 tin, bài mỗi ngày)"
    assert len(d.trend) == 7 and "bắt đầu theo dõi" not in d.trend_note


def test_days_monitored_in_part_of_the_week_are_the_average(tmp_path):
    from monitor.digest import TrendDay, build_digest, digest_window
    from test_digest import office

    trend = [TrendDay(DAY - timedelta(days=n), neutral=10) for n in range(7, 0, -1)]
    d = build_digest(office=office(), day=DAY, window=digest_window(DAY, "07:00", TZ), articles=[], classifications={},
                     trend=trend, generated_at=NOW, monitored_from=datetime(2026, 11, 23, 9, 0, tzinfo=TZ))
    assert [t.day.day for t in d.trend] == [24, 25, 26]
    assert (d.summary.previous_days, d.summary.previous_average) == (2, 10)
    assert d.summary.change_text == ("giảm 100% so với trung bình 2 ngày trước (10 tin, bài mỗi ngày; hệ thống bắt đầu "
                                     "theo dõi từ ngày 23/11/2026)")


def test_articles_hot_lists_the_clippings_hot_issues_and_counts_its_footer_within_the_filter(tmp_path):
    """Finding 11: 🔥 followed an article's own hot flag (a story at no level among them), and under --hot the footer
    offered "--all" for articles that are not hot."""
    app = make_triage_app(tmp_path)
    now = app.now()
    fight = add_classified(app, "VnExpress", "story-1", FIGHT_TITLE, FIGHT_SAPO, now - timedelta(minutes=10))
    # judged hot by the model alone, but its story reaches no level and has no case: not among the clipping's issues
    lone = add_classified(app, "Dân Trí", "story-2", QUIET_TITLE, QUIET_SAPO, now - timedelta(minutes=8),
                          Cls(hot_score=0.55, sentiment="neutral", scope="national", reasons=(), hot_categories=()))
    add_classified(app, "Tuổi Trẻ", "story-3", "Giá vàng hôm nay tăng mạnh", "Giá vàng trong nước tăng.",
                   now - timedelta(minutes=5), Cls(hot_score=0.0, is_education=False, topics=(), reasons=()))
    run_triage(app)
    story = app.store.story(app.store.story_of_article(lone))
    assert story.severity is None and story.case_status is None, "the premise: a hot article of a story at no level"
    cfg = str(tmp_path / "feeds.yaml")
    out = CliRunner().invoke(cli, ["--config", cfg, "articles", "--date", "2026-11-26", "--hot"]).output
    assert QUIET_TITLE[:30] not in out and FIGHT_TITLE[:30] in out
    assert "1 bài thuộc vấn đề nóng về giáo dục (1 sự việc) trong tổng số 3 bài" in out
    assert "--all" not in out, "the article not on education is not hot either"
    listing = CliRunner().invoke(cli, ["--config", cfg, "articles", "--date", "2026-11-26"]).output
    marks = {line.split()[0]: "🔥" in line for line in listing.splitlines() if line.strip()[:1].isdigit()}
    assert marks == {str(fight): True, str(lone): False}
    assert "thêm --all để xem cả 1 bài không về giáo dục" in listing


def test_search_hot_and_its_mark_mean_what_articles_hot_means(tmp_path):
    """`search --hot` and its 🔥 followed the article's own hot flag, so search listed as hot an article that
    `articles --hot` and the clipping do not (its story at no level, no case); --json keeps the own flag as "hot"."""
    import json

    app = make_triage_app(tmp_path)
    now = app.now()
    fight = add_classified(app, "VnExpress", "story-1", FIGHT_TITLE, FIGHT_SAPO, now - timedelta(minutes=10))
    lone = add_classified(app, "Dân Trí", "story-2", QUIET_TITLE, QUIET_SAPO, now - timedelta(minutes=8),
                          Cls(hot_score=0.55, sentiment="neutral", scope="national", reasons=(), hot_categories=()))
    run_triage(app)
    story = app.store.story(app.store.story_of_article(lone))
    assert story.severity is None and story.case_status is None, "the premise: a hot article of a story at no level"
    cfg = str(tmp_path / "feeds.yaml")
    runner = CliRunner()
    for query in ("Trường", "truong"):  # as typed and without the marks (the words read together)
        hot = json.loads(runner.invoke(cli, ["--config", cfg, "search", query, "--hot", "--json"]).output)
        assert [r["id"] for r in hot["results"]] == [fight], query
        listed = json.loads(runner.invoke(cli, ["--config", cfg, "search", query, "--json"]).output)
        flags = {r["id"]: (r["hot"], r["hot_issue"]) for r in listed["results"]}
        assert flags == {fight: (True, True), lone: (True, False)}, query
    out = runner.invoke(cli, ["--config", cfg, "search", "trường"]).output
    marks = {line.split()[0]: "🔥" in line for line in out.splitlines() if line.strip()[:1].isdigit()}
    assert marks == {str(fight): True, str(lone): False}
    out = runner.invoke(cli, ["--config", cfg, "search", "trường", "--hot"]).output
    assert FIGHT_TITLE[:30] in out and QUIET_TITLE[:30] not in out
    # a false alarm is no hot issue, whatever its level
    (case,) = app.store.cases()
    r = runner.invoke(cli, ["--config", cfg, "cases", "dismiss", str(case.id), "--note", "Tin cũ", "--by", "Chị Lan"])
    assert r.exit_code == 0, r.output
    assert app.store.story(case.story_id).severity is not None
    assert json.loads(runner.invoke(cli, ["--config", cfg, "search", "trường", "--hot", "--json"]).output)["results"] == []


def test_a_hand_opened_case_with_no_level_has_one_name_everywhere(tmp_path):
    """Finding 14: "[NÓNG]" in the clipping, "mức độ nóng: nóng" in the report, "mức —" in `cases show`."""
    from monitor.report import load_report
    from test_digest_wording import every_format

    app = make_triage_app(tmp_path)
    lone = add_classified(app, "Dân Trí", "story-2", QUIET_TITLE, QUIET_SAPO, app.now() - timedelta(minutes=8),
                          Cls(hot_score=0.2, sentiment="positive", reasons=()))
    case, _, _ = open_case_by_hand(app, lone, by="Chị Lan", note="Phụ huynh phản ánh")
    day = app.now().astimezone(app.config.office.tz).date() + timedelta(days=1)
    d = load_digest(app, day)
    (item,) = d.hot.items
    assert item.severity_label == "chưa xếp mức"
    for fmt, text in every_format(d).items():
        assert "NÓNG]" not in text and "CHƯA XẾP MỨC" in text.upper(), fmt
    import html

    from monitor.report import render_report_html

    text = html.unescape(render_report_html(load_report(app, 2026, 11)))
    assert "mức độ nóng: chưa xếp mức" in text and "mức độ nóng: nóng" not in text
    out = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "cases", "show", str(case.id)]).output
    assert "chưa xếp mức" in out and "mức —" not in out
    out = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "cases", "list"]).output
    assert "chưa xếp mức" in out and "mức —" not in out


def test_the_delivery_line_gives_the_clippings_own_figures(tmp_path):
    """Finding 14: "31 mục tin" beside "33 tin, bài" and "30 sự việc"."""
    from monitor.digest_delivery import build_and_deliver_digest

    app = make_app(tmp_path)
    _week(app, seen_as_published=True)
    message = build_and_deliver_digest(app, DAY, send=False, formats=["txt"], out_dir=tmp_path / "out").message
    assert "(3 tin, bài về giáo dục, 0 vấn đề nóng; chưa gửi đi" in message and "mục tin" not in message
