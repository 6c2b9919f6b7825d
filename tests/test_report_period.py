"""The period report (`monitor report --from --to`): the months' figures added up, against the previous period of
equal length, the area's hot issues as they stood at the period's end, the cases' handling; on invented news."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from docx import Document

from monitor.errors import InputError
from monitor.period_report import build_and_deliver_period, check_period, load_period
from monitor.report import load_report
from test_digest import TZ, add_article, classify, make_app
import test_digest_send
from test_digest_send import parts, smtp_app

smtp_server = test_digest_send.smtp_server  # the fixture: a real SMTP server on 127.0.0.1
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)  # 08:00 on 1 December in Hà Nội: November is over

# per month: (education articles on the area, elsewhere, negative ones among them, topic)
MONTHS = {
    (2026, 6): (0, 3, 1, "tuyen-sinh"), (2026, 7): (1, 2, 0, "tuyen-sinh"), (2026, 8): (0, 4, 2, "chinh-sach"),
    (2026, 9): (1, 5, 1, "tuyen-sinh"), (2026, 10): (2, 3, 2, "an-toan-truong-hoc"),
    (2026, 11): (0, 6, 1, "an-toan-truong-hoc"),
}


def seed(store, months=MONTHS, *, monitored_since=datetime(2026, 5, 20, 8, 0, tzinfo=TZ)):
    """Invented news in each month, one article a day from the 3rd: the area's first, positive; then the rest,
    the first `negative` of them negative; and one article of another subject a month."""
    items = []
    for (y, m), (local, other, negative, topic) in months.items():
        day = datetime(y, m, 3, 9, 0, tzinfo=TZ)
        for i in range(local + other):
            aid = add_article(store, url=f"https://news.example.vn/{y}-{m}-{i}.html", outlet="VnExpress" if i % 2 else "Dân trí",
                              title=f"Tin giáo dục số {i} tháng {m}/{y} về trường học", published=day + timedelta(days=i))
            tone = "positive" if i < local else "negative" if i - local < negative else "neutral"
            items.append((aid, dict(topics=[topic], sentiment=tone, scope="local" if i < local else "national")))
        aid = add_article(store, url=f"https://news.example.vn/{y}-{m}-vang.html", outlet="VnExpress",
                          title=f"Giá vàng tháng {m}", published=day)
        items.append((aid, dict(edu=False)))
    classify(store, items, NOW)
    store.log_fetch(source="vne", kind="feed", url="https://vnexpress.net/rss/giao-duc.rss", started_at=monitored_since,
                    status=200, size=1000, duration_ms=50, outcome="ok")


def hot_case(app, key: str, title: str, published: datetime, *, scope="local", score=75.0):
    aid = add_article(app.store, url=f"https://news.example.vn/{key}.html", outlet="Tuổi Trẻ", title=title,
                      published=published)
    classify(app.store, [(aid, dict(topics=["an-toan-truong-hoc"], sentiment="negative", hot=True, hot_score=0.8,
                                    scope=scope))], NOW)
    story = app.store.create_story(aid, NOW)
    app.store.save_story_score(story, NOW, main_topic="an-toan-truong-hoc", n_outlets=1, hot_score=score,
                               severity="cao", reasons=["bạo lực học đường"], explanation={})
    case_id, _ = app.store.open_case(story, published + timedelta(hours=1))
    return story, case_id


def _app(tmp_path, now=NOW, **kw):
    return make_app(tmp_path, now=now, **kw)


def test_the_periods_totals_are_the_sum_of_its_months(tmp_path):
    app = _app(tmp_path)
    seed(app.store)
    p = load_period(app, (2026, 9), (2026, 11))
    months = [load_report(app, 2026, m) for m in (9, 10, 11)]
    assert [f.education for f in p.months] == [r.total.count for r in months] == [6, 5, 6]
    assert p.total.education == sum(r.total.count for r in months) == 17
    assert p.total.local == sum(r.local.count for r in months) == 3
    assert p.total.collected == sum(r.collected for r in months) == 20
    tone = [{t.label: t.count for t in r.tone} for r in months]
    assert p.total.negative == sum(t["Tiêu cực"] for t in tone) == 4
    assert p.total.positive == sum(t["Tích cực"] for t in tone) == 3
    topics = {t.label: t.count for t in p.topics}
    assert topics["An ninh, an toàn trường học"] == 11
    assert topics["Thi tuyển sinh lớp 10, tuyển sinh đầu cấp"] == 6


def test_the_previous_period_of_equal_length_is_compared(tmp_path):
    app = _app(tmp_path)
    seed(app.store)
    p = load_period(app, (2026, 9), (2026, 11))
    assert p.comparable and p.previous_label == "từ tháng 6/2026 đến tháng 8/2026"
    assert (p.previous_total.education, p.previous_total.local) == (10, 1)
    assert p.previous_total.education == sum(load_report(app, 2026, m).total.count for m in (6, 7, 8))
    assert p.change[1] == "+70%"
    rose, fell = p.topic_changes
    assert [t.label for t in rose] == ["An ninh, an toàn trường học"]  # admissions: 6 in both
    assert [t.label for t in fell] == ["Chủ trương, chính sách, pháp luật về giáo dục"]
    assert "tăng 70% so với kỳ liền trước (từ tháng 6/2026 đến tháng 8/2026: 10 tin, bài)" in p.assessment[0]
    html = build_and_deliver_period(app, (2026, 9), (2026, 11), out_dir=tmp_path / "o", send=False,
                                    formats=["html"]).paths["html"].read_text(encoding="utf-8")
    assert "Kỳ liền trước" in html and "Tăng nhiều nhất" in html


def test_a_previous_period_not_monitored_is_said_not_compared(tmp_path):
    app = _app(tmp_path)
    seed(app.store, {k: v for k, v in MONTHS.items() if k >= (2026, 8)},
         monitored_since=datetime(2026, 7, 25, 8, 0, tzinfo=TZ))
    p = load_period(app, (2026, 9), (2026, 11))
    assert not p.comparable
    assert p.no_comparison_text == ("Kỳ liền trước (từ tháng 6/2026 đến tháng 8/2026) chưa được theo dõi đủ (hệ thống "
                                    "bắt đầu theo dõi từ ngày 25/07/2026), nên không dùng để so sánh.")
    doc = Document(io.BytesIO(build_and_deliver_period(app, (2026, 9), (2026, 11), out_dir=tmp_path / "o", send=False,
                                                       formats=["docx"]).paths["docx"].read_bytes()))
    table = doc.tables[1]
    assert [c.text for c in table.rows[-1].cells][:3] == ["Cả kỳ", "20", "17"]  # no comparison rows
    assert p.no_comparison_text in [x.text for x in doc.paragraphs]


def test_an_unfinished_period_is_a_copy_for_reference(tmp_path):
    now = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)
    app = _app(tmp_path, now=now)
    seed(app.store, {k: v for k, v in MONTHS.items() if k < (2026, 11)} | {(2026, 11): (0, 2, 0, "tuyen-sinh")})
    p = load_period(app, (2026, 9), (2027, 1))
    assert p.unfinished and not p.comparable
    assert p.subtitle == "(Bản tham khảo; số liệu từ ngày 01/09/2026 đến ngày 20/11/2026, kỳ báo cáo chưa kết thúc)"
    assert [f.label for f in p.months] == ["Tháng 9/2026", "Tháng 10/2026", "Tháng 11/2026"]
    assert p.not_begun_text == "Tháng 12/2026 và tháng 01/2027 chưa bắt đầu, chưa có số liệu."
    assert "chưa so sánh" in p.no_comparison_text
    finished = load_period(_app(tmp_path / "b", now=NOW), (2026, 9), (2026, 10))
    assert finished.subtitle.startswith("(Dự thảo trình ký")


def test_a_period_with_nothing_collected_says_so(tmp_path):
    app = _app(tmp_path)
    result = build_and_deliver_period(app, (2026, 9), (2026, 11), out_dir=tmp_path / "o", send=False)
    text = "\n".join(p.text for p in Document(io.BytesIO(result.paths["docx"].read_bytes())).paragraphs)
    assert "THÔNG BÁO NỘI BỘ" in text and "Không có dữ liệu theo dõi từ tháng 9/2026 đến tháng 11/2026" in text
    assert "không thu thập được tin, bài nào trong kỳ" in result.message


def test_the_areas_hot_issues_say_how_they_stood_at_the_periods_end_and_how_long_they_took(tmp_path):
    app = _app(tmp_path)
    seed(app.store)
    oct_ = datetime(2026, 10, 5, 9, 0, tzinfo=TZ)
    quick, quick_case = hot_case(app, "xo-xat", "Học sinh xô xát trước cổng trường THCS Ngọc Lâm", oct_, score=80)
    app.store.update_case(quick_case, oct_ + timedelta(days=2), by="Chị Lan", status="đã tiếp nhận", note="Đã gọi hiệu trưởng")
    app.store.update_case(quick_case, oct_ + timedelta(days=4), by="Chị Lan", status="đã xử lý", note="Nhà trường đã xử lý")
    slow, slow_case = hot_case(app, "bep-an", "Phụ huynh phản ánh bếp ăn bán trú ở Long Biên", oct_ + timedelta(days=10), score=70)
    app.store.update_case(slow_case, oct_ + timedelta(days=12), by="Chị Lan", status="đang xử lý", note="Đoàn kiểm tra")
    # closed only after the period: as it stood at the end, the status since beside it
    app.store.update_case(slow_case, datetime(2026, 11, 3, 9, 0, tzinfo=TZ), by="Chị Lan", status="đã xử lý")
    far, _ = hot_case(app, "noi-khac", "Vụ việc ở một tỉnh khác", oct_, scope="national", score=90)
    later = _app(tmp_path, now=datetime(2026, 11, 10, 3, 0, tzinfo=timezone.utc))
    later._store = app.store
    p = load_period(later, (2026, 9), (2026, 10))
    assert [x.issue.story_id for x in p.own] == [quick, slow]
    first, second = p.own
    assert first.issue.status_label == "đã xử lý" and first.days == 4
    assert first.timeline == "Mở hồ sơ ngày 05/10/2026; đóng hồ sơ ngày 09/10/2026 (xử lý trong 4 ngày)"
    assert second.issue.status_label == "đang xử lý" and "cập nhật đến ngày 10/11/2026: đã xử lý" in second.issue.status_since
    assert second.timeline == "Mở hồ sơ ngày 15/10/2026; việc gần nhất ngày 17/10/2026; đến hết kỳ chưa đóng hồ sơ"
    assert (p.cases_opened, p.cases_closed, p.cases_open_at_end, p.median_close_days) == (2, 1, 1, 4)
    assert [h.story_id for h in p.elsewhere] == [far] and p.elsewhere_line == "Theo nhóm vấn đề: loại khác 1."
    assert p.hot_total == 3 and p.hot_own_total == 2
    html = build_and_deliver_period(later, (2026, 9), (2026, 10), out_dir=tmp_path / "o", send=False,
                                    formats=["html"]).paths["html"].read_text(encoding="utf-8")
    assert "Hồ sơ đã xử lý xong trong kỳ: 1 (thời gian xử lý trung vị: 4 ngày kể từ khi mở hồ sơ hoặc mở lại)" in html


def test_the_areas_positive_coverage_is_listed(tmp_path):
    app = _app(tmp_path)
    seed(app.store)
    p = load_period(app, (2026, 9), (2026, 11))
    assert p.positive_total == 3 and all("Tin giáo dục số 0" in x.title or "số 1" in x.title for x in p.positive)


def test_bad_ranges_name_the_options():
    with pytest.raises(InputError, match="--to 2026-08 ở trước --from 2026-09"):
        check_period((2026, 9), (2026, 8))
    with pytest.raises(InputError, match="--from 2024-01 --to 2026-01 gồm 25 tháng; báo cáo theo kỳ gồm tối đa 24 tháng"):
        check_period((2024, 1), (2026, 1))
    assert check_period((2025, 1), (2026, 12)) == 24


def test_cli_period_report(tmp_path, monkeypatch):
    app = _app(tmp_path)
    seed(app.store)
    from monitor.cli import cli

    monkeypatch.setattr("monitor.cli.digest.get_app", lambda ctx, **_: app)
    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
    ok = runner.invoke(cli, ["report", "--from", "2026-09", "--to", "2026-11", "--out", str(tmp_path / "r")])
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "r" / "bao-cao-ky-2026-09-den-2026-11.docx").is_file()
    assert (tmp_path / "r" / "bao-cao-ky-2026-09-den-2026-11.html").is_file()
    html = runner.invoke(cli, ["report", "--from", "2026-09", "--to", "2026-11", "--format", "html", "--out", "-"])
    assert html.exit_code == 0 and "Tổng hợp tình hình dư luận báo chí về giáo dục từ tháng 9/2026" in html.stdout
    for args, words in [
        (["--month", "2026-11", "--from", "2026-09", "--to", "2026-11"], "--month và --from/--to không dùng cùng nhau"),
        (["--from", "2026-09"], "--from cần có --to"),
        (["--to", "2026-09"], "--to cần có --from"),
        ([], "cần --month MM/YYYY"),
        (["--from", "2026-11", "--to", "2026-09"], "--to 2026-09 ở trước --from 2026-11"),
        (["--from", "2024-01", "--to", "2026-12"], "gồm 36 tháng"),
        (["--from", "9.2026", "--to", "2026-11"], "--from '9.2026' không phải là tháng"),
    ]:
        bad = runner.invoke(cli, ["report", *args])
        assert bad.exit_code == 2 and words in (bad.output + (bad.stderr if hasattr(bad, "stderr") else "")), (args, bad.output)


def test_the_period_report_is_e_mailed_as_the_monthly_one(tmp_path, smtp_server):
    inbox, port = smtp_server
    app = smtp_app(tmp_path, port, now=NOW)
    seed(app.store)
    result = build_and_deliver_period(app, (2026, 9), (2026, 11), out_dir=tmp_path / "o", send=True)
    assert result.status == "sent"
    msg, text, html, attachments = parts(inbox.messages[0][1])
    assert [a.get_filename() for a in attachments] == ["bao-cao-ky-2026-09-den-2026-11.docx"]
    assert "Kính gửi" in text.get_content() and "BÁO CÁO" in html.get_content()
    assert msg["Subject"].startswith("Báo cáo tổng hợp dư luận báo chí về giáo dục từ tháng 9/2026 đến tháng 11/2026 "
                                      "(dự thảo trình ký)")


def test_a_case_reopened_by_news_after_it_was_handled_counts_its_days_from_the_reopening(tmp_path):
    """Handled in two days, opened again by news three weeks later and closed two days after: two days, not the weeks
    between, in its timeline and in the period's median."""
    app = _app(tmp_path)
    seed(app.store)
    oct_ = datetime(2026, 10, 5, 9, 0, tzinfo=TZ)
    story, case_id = hot_case(app, "gui-xe", "Phụ huynh phản ánh thu phí gửi xe ở trường THCS Ngọc Lâm", oct_, score=80)
    app.store.update_case(case_id, oct_ + timedelta(days=2), by="Chị Lan", status="đã xử lý", note="Nhà trường hoàn trả")
    again = datetime(2026, 10, 27, 9, 0, tzinfo=TZ)
    app.store.reopen_handled_case(case_id, again, note="Mở lại: có diễn biến mới sau khi đã xử lý: Mức độ tăng")
    app.store.update_case(case_id, again + timedelta(days=2), by="Chị Lan", status="đã xử lý", note="Đã trả lời báo chí")
    later = _app(tmp_path, now=datetime(2026, 11, 10, 3, 0, tzinfo=timezone.utc))
    later._store = app.store
    p = load_period(later, (2026, 9), (2026, 10))
    (issue,) = [x for x in p.own if x.issue.story_id == story]
    assert issue.days == 2
    assert issue.timeline == ("Mở hồ sơ ngày 05/10/2026; mở lại ngày 27/10/2026; đóng hồ sơ ngày 29/10/2026 "
                              "(xử lý trong 2 ngày kể từ khi mở lại)")
    assert p.median_close_days == 2
