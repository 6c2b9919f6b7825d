"""An analyst's and a clerk's week on a store of a year's size: what the listings leave out must be said, and what
one command counts another must list (faults found on a year of national news, reproduced on invented items)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner

from monitor.app import App
from monitor.cli import cli
from monitor.feeds import FeedEntry
from test_service_support import TZ_OFFSET, fixed_clock, write_config

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=TZ_OFFSET)


def run(cfg, *args, ok=True):
    result = CliRunner().invoke(cli, ["--config", str(cfg), *args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


def entries(n: int, *, start: datetime, title: str, sapo: str, step=timedelta(minutes=7), slug="tin"):
    return [FeedEntry(source="vi-du-giao-duc", url=f"https://bao-vi-du.vn/{slug}-{k}.html", guid=f"{slug}-{k}",
                      title=f"{title} (số {k})", sapo=sapo, published=start + k * step) for k in range(n)]


@pytest.fixture(scope="module")
def year_of_hits(tmp_path_factory):
    """More than 5,000 older articles naming "giáo viên" in their titles, and one of today naming it only in its
    sapo: the best-ranked matches are all older than today's."""
    folder = tmp_path_factory.mktemp("year-of-hits")
    cfg = write_config(folder)
    app = App.from_path(cfg, clock=fixed_clock(NOW))
    try:
        old = entries(5003, start=datetime(2026, 1, 5, 8, 0, tzinfo=TZ_OFFSET),
                      title="Giáo viên vùng cao giáo viên trẻ", sapo="Chuyện nghề của những giáo viên cắm bản.")
        app.store.add_feed_entries(old, "Báo Ví Dụ", datetime(2026, 3, 1, tzinfo=TZ_OFFSET), fetch_page=False)
        today = FeedEntry(source="vi-du-giao-duc", url="https://bao-vi-du.vn/hom-nay.html", guid="hom-nay",
                          title="Phường Ngọc Lâm tổ chức ngày hội đọc sách cho thiếu nhi",
                          sapo="Nhiều phụ huynh, học sinh và giáo viên tham gia ngày hội kéo dài suốt buổi sáng.",
                          published=NOW - timedelta(hours=2))
        (today_id, _), = app.store.add_feed_entries([today], "Báo Ví Dụ", NOW - timedelta(hours=1), fetch_page=False)
    finally:
        app.close()
    return cfg, today_id


@pytest.mark.parametrize("query", ["giao vien", "giáo viên"])
def test_search_since_finds_todays_article_however_many_older_ones_rank_above_it(year_of_hits, query):
    cfg, today_id = year_of_hits
    found = json.loads(run(cfg, "search", query, "--since", "2026-11-28", "--json").output)["results"]
    assert [r["id"] for r in found] == [today_id]


def test_search_says_when_more_match_than_it_shows(year_of_hits):
    cfg, _ = year_of_hits
    out = run(cfg, "search", "giao vien", "--limit", "5").output
    # "5 bài" alone reads as "five articles were found"
    assert "5 bài đầu" in out and "--limit" in out
    out = run(cfg, "search", "giao vien", "--since", "2026-11-28").output
    assert "\n1 bài — " in out and "--limit" not in out


@pytest.fixture(scope="module")
def many_cases(tmp_path_factory):
    """A year's worth of cases: 205 opened by hand, one a day."""
    folder = tmp_path_factory.mktemp("many-cases")
    cfg = write_config(folder)
    app = App.from_path(cfg, clock=fixed_clock(NOW))
    try:
        found = entries(205, start=datetime(2026, 1, 5, 8, 0, tzinfo=TZ_OFFSET), step=timedelta(days=1), slug="vu",
                        title="Phụ huynh phản ánh khoản thu đầu năm ở một trường tiểu học",
                        sapo="Phòng GD&ĐT đã yêu cầu nhà trường báo cáo.")
        ids = [i for i, _ in app.store.add_feed_entries(found, "Báo Ví Dụ", NOW - timedelta(days=1), fetch_page=False)]
        for k, article_id in enumerate(ids):
            app.store.open_case_by_hand(article_id, datetime(2026, 1, 5, 9, 0, tzinfo=TZ_OFFSET) + timedelta(days=k),
                                        by="Chị Hoa", note="Mở thủ công: phụ huynh gọi điện", label_note="mở hồ sơ")
    finally:
        app.close()
    return cfg


def test_cases_list_says_how_many_it_leaves_out_and_lists_them_when_asked(many_cases):
    out = run(many_cases, "cases", "list").output.splitlines()
    assert len([line for line in out if line.startswith("#")]) == 200
    # the 5 oldest are not shown: the listing says so, and how to see them
    assert "200 hồ sơ" in out[-1] and "205" in out[-1] and "--limit" in out[-1]
    everything = run(many_cases, "cases", "list", "--limit", "1000").output.splitlines()
    assert len([line for line in everything if line.startswith("#")]) == 205
    assert not any("--limit" in line for line in everything)
    assert len(json.loads(run(many_cases, "cases", "list", "--limit", "1000", "--json").output)) == 205


def test_opening_an_open_case_again_adds_the_note_without_calling_it_opened_by_hand(tmp_path):
    """`cases open ID` on an article of a story whose case is already open keeps the case and adds the note; the
    history (which the clipping and the report quote as what was last done) must not say it was opened then."""
    cfg = write_config(tmp_path)
    app = App.from_path(cfg, clock=fixed_clock(NOW))
    try:
        (article_id, _), = app.store.add_feed_entries(
            entries(1, start=NOW - timedelta(days=3), slug="sach", title="Phụ huynh xếp hàng mua sách giáo khoa",
                    sapo="Nhiều phụ huynh phải chờ từ sáng sớm."), "Báo Ví Dụ", NOW - timedelta(days=3), fetch_page=False)
    finally:
        app.close()
    first = run(cfg, "cases", "open", str(article_id), "--by", "Chị Lan").output
    assert "đã mở" in first
    again = run(cfg, "cases", "open", str(article_id), "--note", "Phụ huynh gọi hỏi thêm", "--by", "Chị Hoa").output
    assert "đã có từ trước" in again
    case_id = json.loads(run(cfg, "cases", "list", "--json").output)[0]["id"]
    events = json.loads(run(cfg, "cases", "show", str(case_id), "--json").output)["events"]
    assert events[0]["note"].startswith("Mở thủ công")  # the first opening says so
    assert [e["note"] for e in events[1:]] == ["Phụ huynh gọi hỏi thêm"]
    # nothing said: nothing added to the history (the label is recorded as a label)
    run(cfg, "cases", "open", str(article_id), "--by", "Chị Hoa")
    assert len(json.loads(run(cfg, "cases", "show", str(case_id), "--json").output)["events"]) == 2


def test_status_counts_as_many_awaiting_review_as_monitor_review_lists(tmp_path):
    """`monitor status` names `monitor review` for what awaits review: its count is the queue's (one article per
    event, from the same day), not every doubtful reprint, or the clerk looks for articles the queue never shows."""
    from test_digest import add_article as store_article, classify

    cfg = write_config(tmp_path)
    app = App.from_path(cfg)  # the real clock: both commands look at the days before now
    yesterday = app.now() - timedelta(days=1)
    texts = [("Sở GD&ĐT Hà Nội công bố phương án tuyển sinh lớp 10 năm 2027",
              "Thí sinh thi ba môn Toán, Ngữ văn, Ngoại ngữ; điểm chuẩn công bố đầu tháng 7."),
             ("Hà Nội công bố phương án tuyển sinh lớp 10 năm 2027: thi ba môn",
              "Sở GD&ĐT Hà Nội cho biết thí sinh thi Toán, Ngữ văn, Ngoại ngữ; điểm chuẩn công bố tháng 7."),
             ("Câu lạc bộ cờ vua thiếu nhi khai giảng khóa hè tại Nhà văn hóa quận",
              "Các em được học miễn phí vào sáng thứ bảy hằng tuần.")]
    ids = [store_article(app.store, url=f"https://bao-vi-du.vn/giao-duc/{n}.html", outlet="Báo Ví Dụ", title=t,
                         sapo=s, published=yesterday, source="vi-du-giao-duc") for n, (t, s) in enumerate(texts)]
    classify(app.store, [(ids[0], dict(relevance=0.55)), (ids[1], dict(relevance=0.52)),
                         (ids[2], dict(edu=False, relevance=0.40))], now=yesterday)
    app.close()
    listed = json.loads(run(cfg, "review", "--json").output)["articles"]
    assert len(listed) == 2  # the reprint of the admissions plan is not listed
    assert json.loads(run(cfg, "status", "--json").output)["model"]["awaiting_review"] == len(listed)
    assert "Chờ xem lại: 2 bài" in run(cfg, "status").output


def test_alerts_all_says_how_many_it_leaves_out_and_which_reached_nobody(many_cases, tmp_path):
    """A year's alerts outnumber the listing's 500; those queued while no channel was configured reached nobody."""
    app = App.from_path(many_cases, clock=fixed_clock(NOW))
    try:
        stories = [c.story_id for c in app.store.cases(limit=1000)]
        for k in range(503):
            app.store.queue_alert(story_id=stories[k % len(stories)], kind="new", severity="cao", hot_score=62.0,
                                  n_national=1, created_at=datetime(2026, 1, 5, tzinfo=TZ_OFFSET) + timedelta(hours=k),
                                  subject=f"[Mức cao] Phụ huynh phản ánh khoản thu (số {k})", body="…", payload={},
                                  channels=[])
    finally:
        app.close()
    out = run(many_cases, "alerts", "--all").output
    assert len([line for line in out.splitlines() if line.startswith("#")]) == 500
    assert "500 cảnh báo mới nhất, trong 503" in out and "monitor alerts --all --limit 503" in out
    assert "không gửi tới ai" in out
    out = run(many_cases, "alerts", "--all", "--limit", "503").output
    assert len([line for line in out.splitlines() if line.startswith("#")]) == 503 and "--limit" not in out


def test_an_alert_another_run_is_sending_is_not_said_to_wait_for_quiet_hours(tmp_path):
    """Two `monitor alerts --send` at once (or the service and one): the delivery the other run has claimed waits
    out its lease. Listed meanwhile, an urgent alert is being sent, not held by quiet hours (which hold no urgent
    alert, whatever the hour)."""
    from monitor.notify import CLAIM_MINUTES

    cfg = write_config(tmp_path, extra={"alerts": {
        "enabled": True, "quiet_hours": "22:00-06:00", "channels": [{"kind": "webhook", "url": "http://127.0.0.1:9/hook"}]}})
    app = App.from_path(cfg)  # the real clock, as `monitor alerts` reads the lease against it
    now = app.now()
    try:
        (article_id, _), = app.store.add_feed_entries(
            entries(1, start=now - timedelta(hours=2), slug="khan", title="Học sinh bị thương khi sân trường sụt lún",
                    sapo="Sự việc xảy ra giờ ra chơi sáng nay."), "Báo Ví Dụ", now - timedelta(hours=1), fetch_page=False)
        case_id, _, _ = app.store.open_case_by_hand(article_id, now, by="Chị Hoa", note="Mở thủ công: tin báo",
                                                    label_note="mở hồ sơ")
        channel = "webhook:http://127.0.0.1:9/hook"
        alert_id = app.store.queue_alert(story_id=app.store.case(case_id).story_id, kind="new", severity="khẩn cấp",
                                         hot_score=85.0, n_national=1, created_at=now,
                                         subject="[KHẨN CẤP – Long Biên] Học sinh bị thương", body="…",
                                         payload={"case_id": case_id}, channels=[(channel, now)])
        assert app.store.claim_delivery(alert_id, channel, now, now + timedelta(minutes=CLAIM_MINUTES))
    finally:
        app.close()
    out = run(cfg, "alerts").output
    assert "giờ yên lặng" not in out and "đang được gửi" in out


def test_a_corrected_not_hot_label_gives_the_case_back_as_it_was_taken_on(tmp_path):
    """A "not hot" label that closed a case (its carry-over) is corrected by labelling hot again: the case opens
    again as it stood before, taken on by its owner, not back to "mới" as if nobody had handled it."""
    from test_digest import classify

    cfg = write_config(tmp_path)
    app = App.from_path(cfg, clock=fixed_clock(NOW))
    try:
        (article_id, _), = app.store.add_feed_entries(
            entries(1, start=NOW - timedelta(days=1), slug="phat", title="Trường thu phí phạt học sinh đi học muộn",
                    sapo="Phụ huynh phản ánh mỗi lần đi muộn phải nộp 20.000 đồng."), "Báo Ví Dụ", NOW - timedelta(days=1),
            fetch_page=False)
        # the model read it as education news of the city, not hot
        classify(app.store, [(article_id, dict(hot_score=0.1, scope="city", sentiment="negative"))], now=NOW)
    finally:
        app.close()
    run(cfg, "cases", "open", str(article_id), "--by", "Chị Lan")
    case_id = json.loads(run(cfg, "cases", "list", "--json").output)[0]["id"]
    run(cfg, "cases", "update", str(case_id), "--status", "đã tiếp nhận", "--owner", "Chị Hoa", "--by", "Chị Hoa")
    closed = run(cfg, "label", str(article_id), "--hot", "no", "--by", "Chị Lan").output
    assert "cảnh báo nhầm" in closed
    reopened = run(cfg, "label", str(article_id), "--hot", "yes", "--by", "Chị Lan").output
    assert "mở lại (đã tiếp nhận)" in reopened
    case = json.loads(run(cfg, "cases", "show", str(case_id), "--json").output)
    assert case["status"] == "đã tiếp nhận" and case["owner"] == "Chị Hoa"


def test_explain_names_the_scope_cues_in_vietnamese(tmp_path):
    """`monitor explain` says why an article's scope is what it is in the listings' words: "trong nước: Đà Nẵng", not
    the rules file's group ids ("domestic: …")."""
    from monitor.pipeline import classify_articles
    from test_service_support import add_articles

    cfg = write_config(tmp_path)
    app = App.from_path(cfg, clock=fixed_clock(NOW))
    try:
        (article_id,) = add_articles(app, [{
            "url": "https://bao-vi-du.vn/giao-duc/da-nang-truong-moi.html", "published": NOW - timedelta(hours=3),
            "title": "Đà Nẵng khánh thành trường tiểu học mới cho học sinh vùng ven",
            "sapo": "Trường có 30 phòng học, đón hơn một nghìn học sinh từ năm học tới.",
            "body": "Ngôi trường mới ở Đà Nẵng có thư viện, nhà đa năng và bếp ăn bán trú cho học sinh tiểu học."}])
        classify_articles(app, [article_id])
    finally:
        app.close()
    out = run(cfg, "explain", str(article_id)).output
    (scope_line,) = [line for line in out.splitlines() if line.strip().startswith("Phạm vi:")]
    assert "trong nước: Đà Nẵng" in scope_line and "domestic" not in scope_line
