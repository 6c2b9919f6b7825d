"""One reading of "on the office's area" in the report and the clipping (an article of a story triage placed in the
district is the district's news, as its hot issue is), and the office's cases of earlier months still open at the
month's end in the report ("còn tồn đọng") and its forecast. Invented news, a real store in tmp_path."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from docx import Document

from monitor.digest import digest_window
from monitor.report import build_and_deliver_report, load_report
from test_digest import DAY, TZ, add_article, classify, make_app, mark_polled
from test_report import NOW, make_app_for_month

# what triage stores of a story a watchlist ward placed in the district though the classifier read its articles as
# national news (monitor.triage.score_story's locality signal)
WARD_EXPLANATION = {"local": True, "signals": [{"name": "locality", "points": 20.0, "max": 20.0, "detail": {
    "scope": "local", "watchlist": ["Ngọc Thụy"], "classified_scope": "national"}}]}


def _story(store, article_ids, *, severity=None, hot_score=30.0, explanation=None) -> int:
    story = store.create_story(article_ids[0], NOW)
    for aid in article_ids[1:]:
        store.add_story_member(story, aid, NOW, similarity=0.95, matched_id=article_ids[0], reprint=True)
    store.save_story_score(story, NOW, main_topic="an-toan-truong-hoc", n_outlets=len(article_ids), hot_score=hot_score,
                           severity=severity, reasons=[], explanation=explanation or {})
    return story


def _log_since_september(store):
    # monitored since the end of September: October and November are whole months (monitor.report partial)
    store.log_fetch(source="vne", kind="feed", url="https://vnexpress.net/rss/giao-duc.rss",
                    started_at=datetime(2026, 9, 30, 8, 0, tzinfo=TZ), status=200, size=1000, duration_ms=50, outcome="ok")


def _paragraphs(result) -> list[str]:
    return [p.text for p in Document(io.BytesIO(result.paths["docx"].read_bytes())).paragraphs]


def test_the_reports_area_count_counts_the_articles_of_its_hot_issue_on_the_area(tmp_path):
    """On a year of data the report said "Tin, bài trên địa bàn Long Biên: 0" beside "1 vấn đề nóng trên địa bàn":
    the issue was the district's by triage's locality (a ward of the watchlist in its text), its articles were
    counted by their classifier scope (national)."""
    app = make_app_for_month(tmp_path)
    store = app.store
    _log_since_september(store)
    nov, oct_ = datetime(2026, 11, 12, 9, 0, tzinfo=TZ), datetime(2026, 10, 15, 9, 0, tzinfo=TZ)
    kitchen = add_article(store, url="https://news.example.vn/bep-an.html", outlet="VnExpress",
                          title="Phụ huynh phản ánh bếp ăn bán trú ở phường Ngọc Thụy chưa bảo đảm vệ sinh", published=nov)
    kitchen_2 = add_article(store, url="https://khac.example.vn/bep-an.html", outlet="Dân trí",
                            title="Phụ huynh phản ánh bếp ăn bán trú ở phường Ngọc Thụy chưa bảo đảm vệ sinh",
                            published=nov + timedelta(hours=3))
    national = add_article(store, url="https://news.example.vn/lich-thi.html", outlet="Thanh Niên",
                           title="Bộ công bố khung kế hoạch thời gian năm học mới", published=nov + timedelta(days=2))
    october = add_article(store, url="https://news.example.vn/san-truong.html", outlet="Tuổi Trẻ",
                          title="Sân trường ở phường Ngọc Thụy được cải tạo thành vườn sinh thái",
                          published=oct_)
    classify(store, [(kitchen, dict(topics=["an-toan-truong-hoc"], sentiment="negative", hot=True, hot_score=0.8)),
                     (kitchen_2, dict(topics=["an-toan-truong-hoc"], sentiment="negative", hot=True, hot_score=0.8)),
                     (national, dict(topics=["chinh-sach"])),
                     (october, dict(topics=["co-so-vat-chat"], sentiment="positive"))], NOW)
    hot = _story(store, [kitchen, kitchen_2], severity="cao", hot_score=64.0, explanation=WARD_EXPLANATION)
    _story(store, [national])
    _story(store, [october], explanation=WARD_EXPLANATION)
    store.open_case(hot, nov + timedelta(hours=4))

    r = load_report(app, 2026, 11)
    assert [h.story_id for h in r.own_issues] == [hot]
    assert (r.local.count, r.local.previous) == (2, 1), "the issue's articles, and last month's by the same reading"
    assert [(i.title, i.articles) for i in r.local_items] == [
        ("Phụ huynh phản ánh bếp ăn bán trú ở phường Ngọc Thụy chưa bảo đảm vệ sinh", 2)]
    paragraphs = _paragraphs(build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False))
    assert "- Tin, bài trên địa bàn quận Long Biên: 2 (1 sự việc; tháng trước: 1 tin, bài)." in paragraphs
    assert "- 1 vấn đề nóng trên địa bàn, trong đó 1 chưa tiếp nhận xử lý." in paragraphs
    part = paragraphs[paragraphs.index("II. TIN, BÀI VỀ ĐƠN VỊ, ĐỊA BÀN QUẬN LONG BIÊN"):
                      paragraphs.index("III. VẤN ĐỀ NÓNG VÀ KẾT QUẢ XỬ LÝ")]
    assert "1. Phụ huynh phản ánh bếp ăn bán trú ở phường Ngọc Thụy chưa bảo đảm vệ sinh" in part


def test_the_clipping_counts_and_lists_a_story_triage_placed_in_the_district(tmp_path):
    """The clipping's hot item says "Tin trên địa bàn: phường Ngọc Thụy" (triage's reason); its summary must count it
    among the district's news, and a calm story placed there the same way goes under the district's heading."""
    app = make_app(tmp_path)
    store = app.store
    end = digest_window(DAY, "07:00", TZ)[1]
    kitchen = add_article(store, url="https://news.example.vn/bep-an.html", outlet="VnExpress",
                          title="Phụ huynh phản ánh bếp ăn bán trú ở phường Ngọc Thụy chưa bảo đảm vệ sinh",
                          published=end - timedelta(hours=5))
    garden = add_article(store, url="https://news.example.vn/vuon.html", outlet="Tuổi Trẻ",
                         title="Học sinh phường Ngọc Thụy trồng vườn rau sạch trong sân trường",
                         published=end - timedelta(hours=3))
    classify(store, [(kitchen, dict(topics=["an-toan-truong-hoc"], sentiment="negative", hot=True, hot_score=0.8)),
                     (garden, dict(topics=["guong-dien-hinh"], sentiment="positive"))])
    hot = _story(store, [kitchen], severity="cao", hot_score=64.0, explanation=WARD_EXPLANATION)
    _story(store, [garden], explanation=WARD_EXPLANATION)
    mark_polled(store, NOW)
    from monitor.digest_delivery import load_digest

    d = load_digest(app, DAY)
    assert [i.story_id for i in d.hot.items] == [hot]
    assert (d.summary.hot_local, d.summary.local_stories, d.summary.local_articles) == (1, 2, 2)
    assert [i.article_id for i in d.local.items] == [garden]
    assert d.local.note == "1 sự việc trên địa bàn là vấn đề nóng, đã nêu ở mục Vấn đề nóng."
    assert [i.article_id for i in d.positive.items] == []


def _case_from_october(store, url, title, *, explanation=None, sapo=""):
    """A hot article of October as a story of its own with its case, opened then: (story, case)."""
    when = datetime(2026, 10, 20, 9, 0, tzinfo=TZ)
    aid = add_article(store, url=url, outlet="Tuổi Trẻ", title=title, sapo=sapo, published=when)
    classify(store, [(aid, dict(topics=["hoc-phi-thu-chi"], sentiment="negative", hot=True, hot_score=0.7))], NOW)
    story = _story(store, [aid], severity="cao", hot_score=61.0, explanation=explanation)
    case_id, _ = store.open_case(story, when + timedelta(hours=2))
    return story, case_id


def test_a_case_of_an_earlier_month_still_open_is_reported_as_pending_and_forecast(tmp_path):
    """A local case opened in October and not handled by the end of November, with nothing about it in November:
    the November report and its forecast named only November's hot issues, so it vanished from both."""
    from monitor.cases import close_not_ours

    app = make_app_for_month(tmp_path)
    store = app.store
    _log_since_september(store)
    nov = datetime(2026, 11, 10, 9, 0, tzinfo=TZ)
    quiet = add_article(store, url="https://news.example.vn/lich-hoc.html", outlet="VnExpress",
                        title="Các trường điều chỉnh lịch học kỳ I", published=nov)
    classify(store, [(quiet, dict(topics=["chinh-sach"]))], NOW)
    _story(store, [quiet])
    pending, pending_case = _case_from_october(store, "https://news.example.vn/thu-chi.html",
                                               "Phụ huynh phường Ngọc Thụy phản ánh khoản thu quỹ lớp vượt quy định",
                                               explanation=WARD_EXPLANATION,
                                               sapo="Nhiều phụ huynh cho biết mỗi học sinh phải đóng quỹ lớp 1,5 triệu "
                                                    "đồng ngay từ đầu năm học.")
    store.update_case(pending_case, datetime(2026, 10, 21, 9, 0, tzinfo=TZ), by="Chị Lan", status="đã tiếp nhận",
                      owner="Chuyên viên Hà", note="Đã yêu cầu nhà trường báo cáo")
    # handled only in December: still open at the end of November, so the November report still lists it, as it stood
    # then (tests/test_report_case_then.py)
    store.update_case(pending_case, datetime(2026, 12, 1, 7, 30, tzinfo=TZ), by="Chị Lan", status="đã xử lý",
                      note="Nhà trường đã trả lại khoản thu")
    handled, handled_case = _case_from_october(store, "https://news.example.vn/xe-dua-don.html",
                                               "Xe đưa đón học sinh phường Ngọc Thụy chở quá số người",
                                               explanation=WARD_EXPLANATION)
    store.update_case(handled_case, datetime(2026, 10, 25, 9, 0, tzinfo=TZ), by="Chị Lan", status="đã xử lý",
                      note="Đã chấn chỉnh đơn vị vận tải")
    _, far_case = _case_from_october(store, "https://news.example.vn/tinh-khac.html",
                                     "Trường tiểu học ở tỉnh khác thu tiền sai quy định")  # open, but not the district's
    _, not_ours = _case_from_october(store, "https://news.example.vn/gia-lam.html",
                                     "Phụ huynh phường bên cạnh phản ánh tiền học thêm", explanation=WARD_EXPLANATION)
    close_not_ours(app, not_ours, by="Chị Lan")

    r = load_report(app, 2026, 11)
    assert r.hot_issues == ()
    assert [(h.story_id, h.case_status, h.owner) for h in r.pending] == [(pending, "đã tiếp nhận", "Chuyên viên Hà")]
    # its link and what happened, from its first article of October
    assert r.pending[0].url == "https://news.example.vn/thu-chi.html"
    assert "quỹ lớp 1,5 triệu đồng" in r.pending[0].summary
    assert r.hot_text == ("không có vấn đề nóng; 1 vụ việc trên địa bàn từ các tháng trước còn tồn đọng "
                          "(1 đã tiếp nhận)")
    assert [(c.story_id, c.status) for c in r.forecast.open_cases] == [(pending, "đã tiếp nhận")]
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    paragraphs = _paragraphs(result)
    part = paragraphs[paragraphs.index("III. VẤN ĐỀ NÓNG VÀ KẾT QUẢ XỬ LÝ"):paragraphs.index("IV. TIN TÍCH CỰC CẦN LAN TỎA")]
    assert part[1:4] == ["1. Trên địa bàn quận Long Biên (0)", "Không có vấn đề nóng trên địa bàn trong tháng.",
                         "2. Vụ việc trên địa bàn từ các tháng trước còn tồn đọng (1)"]
    assert "1. Phụ huynh phường Ngọc Thụy phản ánh khoản thu quỹ lớp vượt quy định" in part
    assert ("Tình trạng xử lý: đã tiếp nhận — cập nhật đến ngày 01/12/2026: đã xử lý; người phụ trách: Chuyên viên Hà"
            in part)
    assert not any("Xe đưa đón" in p or "tỉnh khác" in p or "phường bên cạnh" in p for p in part)
    heading = next(k for k, p in enumerate(paragraphs) if p.endswith(". Vụ việc trên địa bàn chưa xử lý xong"))
    forecast = paragraphs[heading:]
    assert forecast[1].startswith("- Phụ huynh phường Ngọc Thụy phản ánh khoản thu quỹ lớp vượt quy định: "
                                  "Vụ việc chưa xử lý xong (tình trạng: đã tiếp nhận)")
    html = result.paths["html"].read_text(encoding="utf-8")
    assert "2. Vụ việc trên địa bàn từ các tháng trước còn tồn đọng (1)" in html
    # December's report: handled on 3 December, so nothing pending at its end
    assert load_report(app, 2026, 12).pending == ()
    assert far_case and not_ours


def test_an_office_that_never_closes_its_cases_gets_the_oldest_pending_ones_listed_and_the_rest_counted(tmp_path):
    """An office that never closes the cases its local hot stories open would see every one of the year in each
    month's part III: the oldest TOP_PENDING are listed, the heading and part I count them all."""
    from monitor.report import TOP_PENDING

    app = make_app_for_month(tmp_path)
    store = app.store
    _log_since_september(store)
    quiet = add_article(store, url="https://news.example.vn/lich-hoc.html", outlet="VnExpress",
                        title="Các trường điều chỉnh lịch học kỳ I", published=datetime(2026, 11, 10, 9, 0, tzinfo=TZ))
    classify(store, [(quiet, dict(topics=["chinh-sach"]))], NOW)
    _story(store, [quiet])
    wards = ["Ngọc Thụy", "Gia Thụy", "Bồ Đề", "Phúc Đồng", "Thạch Bàn", "Việt Hưng"]
    n = TOP_PENDING + 3
    for k in range(n):
        _case_from_october(store, f"https://news.example.vn/ton-dong-{k}.html",
                           f"Phụ huynh phường {wards[k % len(wards)]} phản ánh khoản thu đầu năm, lần {k + 1}",
                           explanation=WARD_EXPLANATION)
    r = load_report(app, 2026, 11)
    assert len(r.pending) == TOP_PENDING and r.pending_total == n
    assert f"{n} vụ việc trên địa bàn từ các tháng trước còn tồn đọng ({n} chưa tiếp nhận xử lý)" in r.hot_text
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    paragraphs = _paragraphs(result)
    assert f"2. Vụ việc trên địa bàn từ các tháng trước còn tồn đọng ({n})" in paragraphs
    assert "… và 3 vụ việc khác còn tồn đọng (danh sách đầy đủ xem trong sổ theo dõi hồ sơ vụ việc của hệ thống)." in paragraphs
    html = result.paths["html"].read_text(encoding="utf-8")
    assert f"2. Vụ việc trên địa bàn từ các tháng trước còn tồn đọng ({n})" in html and "… và 3 vụ việc khác" in html
    # a report leadership signs sends its reader to the case register, not to a command they do not run
    assert not [p for p in paragraphs if "monitor " in p] and "monitor cases" not in html
    # the forecast names the first ten and counts the rest
    cases = dict(r.forecast.groups)["Vụ việc trên địa bàn chưa xử lý xong"]
    assert len(cases) == 11 and cases[-1].text == f"{n - 10} vụ việc khác"
