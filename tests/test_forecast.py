"""The monthly report's forecast: calendar windows, seasonal lift, momentum, the calendar file's checks, and the
report's part V."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner
from docx import Document

from monitor.app import App
from monitor.config import load_config
from monitor.errors import ConfigError
from monitor.forecast import (NATIONAL_SOURCE, OWN_SOURCE, SHIPPED_CALENDAR, CalendarEvent, MonthCounts, StoryTrace,
                              Window, build_forecast, growing, load_calendar, month_days, month_label, national_profile,
                              parse_calendar, seasonal_lifts, upcoming)
from monitor.report import FORECAST_TITLE, build_and_deliver_report, load_report
from test_digest import SHIPPED_FEEDS, TZ, add_article, classify
from test_report import NOW, make_app_for_month, seed_months

DEC_JAN = Window(12, 15, 1, 15)


@pytest.mark.parametrize("first,last,expected", [
    (date(2026, 12, 1), date(2026, 12, 31), True),
    (date(2027, 1, 1), date(2027, 1, 31), True),  # the window begun in December 2026 runs into January
    (date(2026, 1, 1), date(2026, 1, 14), True),  # and the one begun in December 2025 into January 2026
    (date(2027, 1, 16), date(2027, 2, 28), False),
    (date(2026, 11, 1), date(2026, 12, 14), False),
    (date(2026, 12, 15), date(2026, 12, 15), True),
])
def test_a_calendar_window_runs_over_the_years_end(first, last, expected):
    assert DEC_JAN.overlaps(first, last) is expected


def test_the_29th_of_february_is_a_day_in_any_year():
    leap_day = Window(2, 29, 3, 5)
    assert leap_day.overlaps(date(2027, 2, 1), date(2027, 2, 28))  # 2027 has no 29/02: it starts on the 28th
    assert not leap_day.overlaps(date(2027, 3, 6), date(2027, 3, 31))


def test_a_month_and_its_label_are_read_one_way_by_the_forecast_and_the_report(tmp_path):
    assert month_days(2028, 2) == (date(2028, 2, 1), date(2028, 2, 29))
    assert month_days(2026, 12) == (date(2026, 12, 1), date(2026, 12, 31))
    assert build_forecast(year=2026, month=11, events=(), history=(), seasonal_source="", stories=(),
                          as_of=NOW).last == date(2026, 12, 31)
    # the heading's month (Decree 30/2020: a zero before months 1 and 2) is the forecast's
    assert month_label(1, 2026) == "tháng 01/2026" and month_label(11, 2025) == "tháng 11/2025"
    app = make_app_for_month(tmp_path)
    january = load_report(app, 2026, 1)
    assert (january.label, january.previous_label) == ("tháng 01/2026", "tháng 12/2025")


def test_upcoming_events_keep_the_files_order():
    a = CalendarEvent("Thi học kỳ", (DEC_JAN,), ("doi-moi-chat-luong",), "Vì sao.")
    b = CalendarEvent("Tết", (Window(1, 1, 2, 28),), ("doi-ngu",), "Vì sao.")
    c = CalendarEvent("Khai giảng", (Window(8, 15, 9, 15),), ("doi-ngu",), "Vì sao.")
    assert upcoming((a, b, c), date(2027, 1, 1), date(2027, 1, 31)) == (a, b)


def _month(y, m, edu, **topics) -> MonthCounts:
    return MonthCounts(y, m, edu, tuple(sorted((k.replace("_", "-"), v) for k, v in topics.items())))


def test_a_topic_whose_share_rose_in_the_same_months_before_is_named():
    history = (_month(2025, 11, 100, tuyen_sinh=5, doi_ngu=30), _month(2025, 12, 100, tuyen_sinh=20, doi_ngu=31),
               _month(2026, 1, 50, tuyen_sinh=10, doi_ngu=10))
    lifts = seasonal_lifts(history, 11)
    assert [(lift.topic, lift.years) for lift in lifts] == [("tuyen-sinh", (2025,))]
    assert (lifts[0].share_before, lifts[0].share_after) == (0.05, 0.20)
    # too few articles to mean anything
    assert seasonal_lifts(history, 11, min_articles=21) == ()


def test_december_to_january_is_a_pair_across_years():
    history = (_month(2025, 12, 100, hoc_phi_thu_chi=2), _month(2026, 1, 100, hoc_phi_thu_chi=20))
    assert [lift.topic for lift in seasonal_lifts(history, 12)] == ["hoc-phi-thu-chi"]


def test_a_backtest_sees_no_pair_that_ends_in_or_after_the_month_forecast():
    history = (_month(2026, 11, 100, tuyen_sinh=5), _month(2026, 12, 100, tuyen_sinh=40))
    assert seasonal_lifts(history, 11, before=(2026, 12)) == ()
    assert seasonal_lifts(history, 11, before=(2027, 1)) != ()


def _trace(sid, as_of, hours_ago, outlets=None):
    outlets = outlets or ["VnExpress"] * len(hours_ago)
    return StoryTrace(sid, f"Sự việc {sid}", tuple((as_of - timedelta(hours=h), o) for h, o in zip(hours_ago, outlets)))


def test_a_story_with_more_articles_in_its_last_days_than_before_is_growing():
    as_of = datetime(2026, 11, 30, 23, 0, tzinfo=TZ)
    spreading = _trace(1, as_of, [2, 10, 30, 100], ["VnExpress", "Dân trí", "Tuổi Trẻ", "VnExpress"])
    steady = _trace(2, as_of, [5, 20, 80, 90])  # 2 in the last 3 days, 2 in the 3 before
    lone = _trace(3, as_of, [4])
    future = _trace(4, as_of, [-5, -10, 2])  # articles after the period's end do not count
    old = _trace(5, as_of, [200, 210, 220])
    flagged = growing([spreading, steady, lone, future, old], as_of)
    assert [(m.story_id, m.recent_articles, m.recent_outlets, m.earlier_articles) for m in flagged] == [(1, 3, 3, 1)]


def test_the_forecast_names_next_months_calendar_and_says_why():
    events = load_calendar(SHIPPED_CALENDAR)
    f = build_forecast(year=2026, month=12, events=events, history=(), seasonal_source=NATIONAL_SOURCE, stories=(),
                       as_of=datetime(2027, 1, 1, tzinfo=TZ))
    assert (f.year, f.month, f.label) == (2027, 1, "tháng 01/2027")
    names = [e.name for e in f.calendar]
    assert "Kiểm tra cuối học kỳ I" in names and "Tết Nguyên đán và lịch nghỉ Tết" in names
    assert "Khai giảng năm học mới ngày 05/9" not in names
    item = next(i for i in f.items if i.text.startswith("Kiểm tra cuối học kỳ I"))
    assert item.text == "Kiểm tra cuối học kỳ I (15/12–20/01)"
    assert "Đổi mới căn bản, toàn diện; chất lượng giáo dục" in item.reason


def test_the_shipped_calendar_and_profile_load():
    events = load_calendar(SHIPPED_CALENDAR)
    assert len(events) >= 10 and all(e.windows and e.topics and e.why for e in events)
    months = {(m.year, m.month) for m in national_profile()}
    assert (2025, 9) in months and (2026, 8) in months and len(months) == 13


def test_every_problem_of_a_calendar_file_is_reported_together():
    data = {"events": [
        {"name": "Khai giảng", "windows": ["05/09-31/13"], "topics": ["khai-giang"], "why": "Vì sao."},
        {"name": "Tết", "window": ["01/01-28/02"], "topics": ["doi-ngu"], "why": "Vì sao."},
        {"name": "20/11", "windows": "1/11 - 25/11", "topics": ["doi-ngu"]},
    ], "extra": 1}
    with pytest.raises(ConfigError) as exc:
        parse_calendar(data, "calendar.yaml")
    problems = {(p.path, p.message.split(";")[0]) for p in exc.value.problems}
    assert ("events[0].windows", "'05/09-31/13' không phải một khoảng ngày") in problems
    assert ("events[0].topics", "chủ đề 'khai-giang' không hợp lệ") in problems
    assert ("events[1].window", "khóa không hợp lệ") in problems
    assert ("events[1].windows", "bắt buộc phải có: thời gian, là các khoảng \"dd/mm-dd/mm\", ví dụ [\"15/12-15/01\"]") in problems
    assert ("events[2].why", "bắt buộc phải có: một câu: vì sao báo chí quan tâm") in problems
    assert ("extra", "khóa không hợp lệ") in problems
    assert len(exc.value.problems) == 6  # "1/11 - 25/11" alone, not in a list, is a valid window


def _office_app(tmp_path, calendar_text: str | None):
    """An App whose feeds.yaml sits in tmp_path, with the office's own calendar.yaml beside it when given."""
    shutil.copy(SHIPPED_FEEDS, tmp_path / "feeds.yaml")
    if calendar_text is not None:
        (tmp_path / "calendar.yaml").write_text(calendar_text, encoding="utf-8")
    overrides = {"storage": {"data_dir": str(tmp_path / "var"), "database": "monitor.sqlite3",
                             "models_dir": str(tmp_path / "models")}, "smtp": {"host": ""}}
    return App(config=load_config(tmp_path / "feeds.yaml", overrides=overrides), clock=lambda: NOW)


def test_the_report_has_a_forecast_part_with_reasons(tmp_path):
    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    paragraphs = [p.text for p in Document(io.BytesIO(result.paths["docx"].read_bytes())).paragraphs]
    start = paragraphs.index(FORECAST_TITLE)
    part = paragraphs[start:paragraphs.index("VI. SỐ LIỆU THEO CHỦ ĐỀ CỦA KẾ HOẠCH TRUYỀN THÔNG")]
    assert part[1] == "(Tháng 12/2026)"
    assert "1. Sự kiện theo lịch năm học" in part
    assert any(p.startswith("- Kiểm tra cuối học kỳ I (15/12–20/01): Đề kiểm tra") for p in part)
    # the profile of one year is history, said as such, and the note says it is not yet checked
    seasonal = [p for p in part if p.startswith("- Chủ đề “")]
    assert seasonal and all("(tháng 11/2025) lên" in p and "(tháng 12/2025)" in p for p in seasonal)
    assert any("chưa kiểm chứng được" in p for p in part)
    html = result.paths["html"].read_text(encoding="utf-8")
    assert FORECAST_TITLE in html and "Kiểm tra cuối học kỳ I" in html
    # each item stands out from its reason, as in the HTML: a title may hold a colon of its own
    item = next(p for p in Document(io.BytesIO(result.paths["docx"].read_bytes())).paragraphs
                if p.text.startswith("- Kiểm tra cuối học kỳ I"))
    assert [r.text for r in item.runs if r.bold] == ["Kiểm tra cuối học kỳ I (15/12–20/01)"]


def _story(store, slug, title, spread, *, hot):
    ids = []
    for k, (hours_before_end, outlet) in enumerate(spread):
        when = datetime(2026, 12, 1, tzinfo=TZ) - timedelta(hours=hours_before_end)
        ids.append(add_article(store, url=f"https://news.example.vn/{slug}-{k}.html", outlet=outlet,
                               title=f"{title}, phần {k}", published=when))
    classify(store, [(i, dict(topics=["y-te-the-chat"], sentiment="negative" if hot else "neutral", hot=hot,
                              scope="local")) for i in ids], NOW)
    story = store.create_story(ids[0], NOW)
    for i in ids[1:]:
        store.add_story_member(story, i, NOW, similarity=0.6, matched_id=ids[0], reprint=False)
    return story


def test_stories_still_in_the_news_and_open_cases_are_listed_as_what_they_are(tmp_path):
    app = make_app_for_month(tmp_path)
    store = app.store
    spread = [(100, "VnExpress"), (40, "Dân trí"), (20, "Tuổi Trẻ"), (5, "Thanh Niên")]
    hot = _story(store, "ngo-doc", "Hàng chục học sinh nhập viện sau bữa bán trú", spread, hot=True)
    store.save_story_score(hot, NOW, main_topic="y-te-the-chat", n_outlets=4, hot_score=75.0, severity="cao",
                           reasons=["ngộ độc thực phẩm"], explanation={})
    store.open_case(hot, NOW - timedelta(days=3))
    _story(store, "bua-trua", "Quận thí điểm thực đơn bán trú mới cho học sinh tiểu học", spread, hot=False)
    r = load_report(app, 2026, 11)
    groups = dict(r.forecast.groups)
    followed = groups["Sự việc còn được đưa tin cuối kỳ (để theo dõi)"]
    # the story with an open case is listed once, under the cases
    assert [i.text for i in followed] == ["Quận thí điểm thực đơn bán trú mới cho học sinh tiểu học, phần 0"]
    assert followed[0].reason == ("Sự việc còn được đưa tin: 3 tin, bài của 3 cơ quan báo chí trong 3 ngày cuối kỳ; "
                                  "3 ngày trước đó: 1.")
    assert "thường tiếp tục" not in followed[0].reason  # measured not to beat its baseline: not said as a forecast
    assert "không được đưa tin tiếp nhiều hơn" in r.forecast.method_note
    cases = groups["Vụ việc trên địa bàn chưa xử lý xong"]
    assert [c.text for c in cases] == ["Hàng chục học sinh nhập viện sau bữa bán trú, phần 0"]
    assert cases[0].reason.startswith("Vụ việc chưa xử lý xong (tình trạng: chưa tiếp nhận xử lý)")


def test_keys_written_twice_in_a_calendar_are_listed_in_the_files_order_as_in_feeds_yaml(tmp_path):
    # YAML reads a nested mapping after the outer one: its repeat, earlier in the file, must still come first
    path = tmp_path / "calendar.yaml"
    path.write_text('events:\n  - name: Khai giảng\n    name: Khai giảng năm học\n    windows: ["01/09-05/09"]\n'
                    '    topics: [an-toan-truong-hoc]\n    why: Vì sao.\nevents: []\n', encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_calendar(path)
    assert [p.path for p in exc.value.problems] == ["dòng 3", "dòng 7"]
    assert exc.value.problems[0].message.startswith("khóa 'name' được viết lại lần nữa (lần đầu ở dòng 2)")


def test_the_offices_own_calendar_beside_feeds_yaml_is_used(tmp_path):
    app = _office_app(tmp_path, "events:\n  - name: Hội khỏe Phù Đổng của quận\n    windows: [\"20/11-10/12\"]\n"
                                "    topics: [y-te-the-chat]\n    why: Quận tổ chức hội thi thể thao cho học sinh.\n")
    r = load_report(app, 2026, 11)
    assert [e.name for e in r.forecast.calendar] == ["Hội khỏe Phù Đổng của quận"]


def test_a_broken_calendar_is_a_config_error_naming_the_file_but_the_report_is_still_made(tmp_path):
    app = _office_app(tmp_path, "events:\n  - name: Tết\n    windows: [\"01/01-30/02\"]\n    topics: [tet]\n    why: x\n")
    with pytest.raises(ConfigError) as exc:
        load_calendar(tmp_path / "calendar.yaml")
    assert str(tmp_path / "calendar.yaml") in str(exc.value) and len(exc.value.problems) == 2
    # the month's report is not lost to a typo: the shipped calendar stands in, and the report says so
    r = load_report(app, 2026, 11)
    assert any(e.name.startswith("Kiểm tra cuối học kỳ I") for e in r.forecast.calendar)
    assert "Tệp lịch năm học của đơn vị (calendar.yaml) có lỗi" in r.forecast.method_note
    from monitor.cli import cli

    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), "config", "check"])
    assert result.exit_code == 2 and "events[0].topics: chủ đề 'tet' không hợp lệ" in result.output


def _a_year_ago(store) -> list:
    """November and December 2025, 20 education articles each, the tuition topic rising from 3 to 18 of them:
    (article id, classification fields) to classify."""
    items = []
    for month, n_fee in ((11, 1), (12, 6)):
        for k in range(20):
            aid = add_article(store, url=f"https://news.example.vn/{month}-{k}.html", outlet="VnExpress",
                              title=f"Tin giáo dục số {k} tháng {month}", published=datetime(2025, month, 3 + k, 9, tzinfo=TZ))
            items.append((aid, dict(topics=["hoc-phi-thu-chi"] if k < n_fee * 3 else ["doi-ngu"])))
    return items


def test_a_store_holding_a_year_is_its_own_seasonal_history(tmp_path):
    app = make_app_for_month(tmp_path)
    store = app.store
    items = _a_year_ago(store)
    classify(store, items, NOW)
    store.log_fetch(source="vne", kind="feed", url="https://vnexpress.net/rss/giao-duc.rss",
                    started_at=datetime(2025, 10, 30, 8, 0, tzinfo=TZ), status=200, size=1000, duration_ms=50, outcome="ok")
    r = load_report(app, 2026, 11)
    assert r.forecast.seasonal_source == OWN_SOURCE
    assert [lift.topic for lift in r.forecast.seasonal] == ["hoc-phi-thu-chi"]
    item = next(i for i in r.forecast.items if i.kind == "cùng kỳ")
    assert "tăng từ 15,0% (tháng 11/2025) lên 90,0% (tháng 12/2025)" in item.reason


def test_a_december_report_names_december_and_january_as_the_report_writes_months():
    history = (_month(2025, 12, 100, hoc_phi_thu_chi=2), _month(2026, 1, 100, hoc_phi_thu_chi=20))
    f = build_forecast(year=2026, month=12, events=(), history=history, seasonal_source=OWN_SOURCE, stories=(),
                       as_of=datetime(2027, 1, 1, tzinfo=TZ))
    item = next(i for i in f.items if i.kind == "cùng kỳ")
    # the heading says "tháng 01/2027": the line under it says January the same way (Decree 30/2020)
    assert f.label == "tháng 01/2027"
    assert "tăng từ 2,0% (tháng 12/2025) lên 20,0% (tháng 01/2026)." in item.reason


def _retrained(store, keep_ids, when):
    """A retraining that reclassified only the articles `keep_ids` (monitor reclassify --since): the new version is
    current, the older articles keep the classifications the first version made."""
    from test_digest import cls

    store.register_model_version("test-digest-2", when)
    store.save_classifications([(aid, replace(cls(aid, topics=["doi-ngu"]), model_version="test-digest-2"))
                                for aid in keep_ids], when)


def test_months_classified_before_a_retraining_keep_their_articles_in_the_report_and_the_seasons(tmp_path):
    app = make_app_for_month(tmp_path)
    store = app.store
    items = _a_year_ago(store)
    recent = [add_article(store, url=f"https://news.example.vn/moi-{k}.html", outlet="Dân trí",
                          title=f"Tin giáo dục mới số {k}", published=datetime(2026, 11, 5 + k, 9, tzinfo=TZ))
              for k in range(3)]
    classify(store, items + [(aid, dict(topics=["doi-ngu"])) for aid in recent], datetime(2025, 12, 31, tzinfo=TZ))
    store.log_fetch(source="vne", kind="feed", url="https://vnexpress.net/rss/giao-duc.rss",
                    started_at=datetime(2025, 10, 30, 8, 0, tzinfo=TZ), status=200, size=1000, duration_ms=50, outcome="ok")
    _retrained(store, recent, NOW - timedelta(days=10))
    # December 2025's report still counts December's articles, as the hot issues of that month are still listed
    december = load_report(app, 2025, 12)
    assert (december.total.count, december.total.previous) == (20, 20)
    # and a year later its months are the office's own seasonal history
    r = load_report(app, 2026, 11)
    assert r.total.count == 3
    assert r.forecast.seasonal_source == OWN_SOURCE
    assert [lift.topic for lift in r.forecast.seasonal] == ["hoc-phi-thu-chi"]


def test_a_store_with_no_education_article_a_year_before_says_the_national_figures_are_used(tmp_path):
    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    # monitoring began more than a year before, but nothing of those months is education news
    app.store.log_fetch(source="vne", kind="feed", url="https://vnexpress.net/rss/giao-duc.rss",
                        started_at=datetime(2025, 10, 30, 8, 0, tzinfo=TZ), status=200, size=1000, duration_ms=50,
                        outcome="ok")
    r = load_report(app, 2026, 11)
    assert r.forecast.seasonal  # the national profile's, named as such
    assert r.forecast.seasonal_source == NATIONAL_SOURCE
    assert all(NATIONAL_SOURCE in i.reason for i in r.forecast.items if i.kind == "cùng kỳ")


def test_the_forecasts_note_names_no_file_to_those_who_read_the_report(tmp_path):
    """The note under part V goes to the signer and to the Sở: "tệp calendar.yaml" is the clerk's word."""
    app = make_app_for_month(tmp_path)
    note = load_report(app, 2026, 11).forecast.method_note
    assert note.startswith("Phần dự báo do hệ thống lập tự động từ lịch năm học (đơn vị có thể điều chỉnh)"), note
    assert ".yaml" not in note and "tệp" not in note.lower()
