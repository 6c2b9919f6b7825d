"""The daily clipping as data: window, selection, sections, summary; plus the helpers other digest,
render and report tests import (a real Store in tmp_path seeded with invented Vietnamese news)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from classifiers.types import Classification
from monitor.app import App
from monitor.config import load_config
from monitor.digest import (
    Digest,
    TrendDay,
    administrative_date,
    build_digest,
    digest_window,
    latest_complete_day,
    trend_from_rows,
    vietnamese_date,
)
from monitor.models import Article, FeedEntry, SourceHealth, Story
from monitor.summary import extract_summary

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_FEEDS = ROOT / "monitor" / "templates" / "feeds.example.yaml"  # the Long Biên office, whatever feeds.yaml says
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 0, 30, tzinfo=timezone.utc)  # 07:30 in Hà Nội, just after the cut-off
VERSION = "test-digest-1"


# --------------------------------------------------------------------------- helpers (imported elsewhere)


def make_app(tmp_path: Path, *, smtp: dict | None = None, recipients=("lanhdao@pgd-longbien.example.vn",),
             now: datetime = NOW, formats=("html", "txt", "md", "docx"), max_items: int = 15) -> App:
    """An App on the shipped starting config (the Long Biên office) with its data in tmp_path and a fixed clock."""
    overrides = {
        "storage": {"data_dir": str(tmp_path / "var"), "database": "monitor.sqlite3", "models_dir": str(tmp_path / "models")},
        "digest": {"cutoff": "07:00", "recipients": list(recipients), "subject_prefix": "Điểm báo giáo dục",
                   "formats": list(formats), "outbox_dir": "outbox", "max_items_per_topic": max_items},
        "smtp": smtp or {"host": ""},
    }
    cfg = load_config(SHIPPED_FEEDS, overrides=overrides)
    return App(config=cfg, clock=lambda: now)


def add_article(store, *, url: str, outlet: str, title: str, sapo: str = "", published: datetime,
                seen: datetime | None = None, source: str = "test-feed") -> int:
    entry = FeedEntry(source=source, url=url, guid=url, title=title, sapo=sapo, published=published)
    article_id, _ = store.add_feed_entry(entry, outlet, seen or published, fetch_page=False)
    return article_id


def classify(store, items: list[tuple[int, dict]], now: datetime = NOW) -> None:
    store.register_model_version(VERSION, now)
    store.save_classifications([(aid, cls(aid, **kw)) for aid, kw in items], now)


def cls(aid: int, *, edu: bool = True, topics=(), sentiment="neutral", hot=False, hot_score=0.0, scope="national",
        reasons=(), relevance: float | None = None, hot_categories=None) -> Classification:
    relevance = relevance if relevance is not None else 0.9 if edu else 0.1
    return Classification(id=str(aid), is_education=edu, relevance=relevance, topics=tuple(topics),
                          topic_scores={t: 0.8 - 0.1 * i for i, t in enumerate(topics)}, sentiment=sentiment, hot=hot,
                          hot_score=hot_score, scope=scope, reasons=tuple(reasons), model_version=VERSION,
                          hot_categories=hot_categories)


# Invented news (never copied from the corpus): (key, outlet, title, sapo, hours before the cut-off, classification)
NEWS = [
    ("ngo-doc", "VnExpress", "Hơn 30 học sinh tiểu học ở Long Biên nhập viện sau bữa trưa bán trú",
     "Sau bữa trưa tại trường, nhiều học sinh Trường Tiểu học Gia Thụy có biểu hiện đau bụng, buồn nôn. "
     "Phòng GD&ĐT quận Long Biên đã cử cán bộ đến nắm tình hình. Cơ quan chức năng đang lấy mẫu thức ăn để xét nghiệm.",
     5, dict(topics=["y-te-the-chat", "an-toan-truong-hoc"], sentiment="negative", hot=True, hot_score=0.92, scope="local",
             reasons=["sự cố an toàn thực phẩm", "học sinh nhập viện"])),
    ("lam-thu", "Dân trí", "Phụ huynh phản ánh khoản thu đầu năm 'khủng' ở một trường THCS ngoại thành",
     "Nhiều phụ huynh cho biết phải đóng hơn 5 triệu đồng ngay tuần đầu năm học. Nhà trường giải thích đây là các khoản tự nguyện.",
     9, dict(topics=["hoc-phi-thu-chi"], sentiment="negative", hot=True, hot_score=0.71, scope="city",
             reasons=["phản ánh lạm thu"])),
    ("hsg", "Tuổi Trẻ", "Học sinh Long Biên giành 5 huy chương vàng kỳ thi Olympic Toán tuổi thơ",
     "Đội tuyển của quận Long Biên đạt thành tích cao nhất từ trước tới nay. Các em được Chủ tịch UBND quận khen thưởng.",
     12, dict(topics=["doi-moi-chat-luong", "guong-dien-hinh"], sentiment="positive", scope="local")),
    ("thong-tu", "VnExpress", "Bộ GD&ĐT ban hành thông tư mới về đánh giá học sinh tiểu học",
     "Thông tư có hiệu lực từ học kỳ II, thay đổi cách nhận xét định kỳ. Giáo viên sẽ giảm bớt sổ sách.",
     14, dict(topics=["chinh-sach"], sentiment="neutral")),
    ("lop10", "Thanh Niên", "Hà Nội dự kiến giữ ổn định phương án thi vào lớp 10 năm 2027",
     "Sở GD&ĐT Hà Nội cho biết kỳ thi vẫn gồm ba môn. Phương án chính thức sẽ công bố trước tháng 3.",
     16, dict(topics=["tuyen-sinh"], sentiment="neutral", scope="city")),
    ("giao-vien", "Dân trí", "Cô giáo vùng cao 20 năm cõng chữ lên bản",
     "Câu chuyện về người giáo viên kiên trì bám bản, vận động học sinh đến lớp, được đồng nghiệp gọi là người giữ lửa.",
     18, dict(topics=["guong-dien-hinh"], sentiment="positive")),
    ("tieng-anh", "VietNamNet", "Nhiều trường phổ thông mở rộng chương trình song ngữ",
     "Các chương trình liên kết được kiểm định chặt hơn. Phụ huynh cần tìm hiểu kỹ trước khi đăng ký cho con.",
     20, dict(topics=["hoi-nhap"], sentiment="neutral")),
    ("xss", "Báo Mới", "Cảnh báo <script>alert('x')</script> & <b>mã độc</b> trong tài liệu học tập",
     "Nhiều tệp tài liệu ôn thi lan truyền trên mạng chứa mã độc. Chuyên gia khuyên giáo viên chỉ tải từ nguồn chính thống.",
     21, dict(topics=["chuyen-doi-so"], sentiment="neutral")),
    ("khac", "VnExpress", "Đại học công bố lịch nghỉ Tết của sinh viên",
     "Sinh viên được nghỉ ba tuần, dài hơn năm ngoái. Lịch học bù sẽ thông báo sau.",
     22, dict(topics=[], sentiment="neutral")),
    ("bong-da", "VnExpress", "Đội tuyển bóng đá thắng đậm trong trận giao hữu",
     "Trận đấu diễn ra trên sân Mỹ Đình với hơn 20.000 khán giả. Huấn luyện viên hài lòng với lối chơi.",
     6, dict(edu=False, sentiment="positive")),
    ("thoi-tiet", "Tuổi Trẻ", "Không khí lạnh tăng cường, Hà Nội trở rét",
     "Nhiệt độ thấp nhất có thể xuống 12 độ. Người dân cần giữ ấm khi ra đường.",
     8, dict(edu=False)),
]


def mark_polled(store, at: datetime, source: str = "test-feed") -> None:
    """As if the crawler had polled `source` successfully at `at` (a clipping is not sent before a crawl)."""
    from types import SimpleNamespace

    store.sync_sources([SimpleNamespace(name=source, url=f"https://news.example.vn/{source}.rss", outlet="Dân trí",
                                        enabled=True, interval_minutes=30)], at)
    store.record_feed_success(source, at, status=200, etag=None, last_modified=None, body_hash=None, new_items=0,
                              items=1, warning=None)


def seed_day(store, now: datetime = NOW, *, cutoff_day: date = DAY, extra_days: int = 7) -> dict[str, int]:
    """Store NEWS in the window ending at 07:00 on `cutoff_day`, plus a few education articles on each earlier day,
    as a crawl at `now` would have."""
    end = datetime.combine(cutoff_day, datetime.min.time(), tzinfo=TZ).replace(hour=7)
    ids: dict[str, int] = {}
    items = []
    for key, outlet, title, sapo, hours, kw in NEWS:
        published = end - timedelta(hours=hours)
        aid = add_article(store, url=f"https://news.example.vn/{cutoff_day.isoformat()}/{key}.html", outlet=outlet,
                          title=title, sapo=sapo, published=published)
        ids[key] = aid
        items.append((aid, kw))
    for n in range(1, extra_days + 1):
        for k in range(n % 3 + 2):
            published = end - timedelta(days=n, hours=3 + k)
            aid = add_article(store, url=f"https://news.example.vn/old/{n}-{k}.html", outlet="Dân trí",
                              title=f"Tin giáo dục cũ số {n}-{k} về lịch học kỳ", sapo="Nhà trường thông báo lịch học mới.",
                              published=published)
            items.append((aid, dict(topics=["chinh-sach"], sentiment=("positive", "neutral", "negative")[k % 3])))
    classify(store, items, now)
    mark_polled(store, now)
    return ids


def article(aid: int, title: str, outlet: str, published: datetime, sapo: str = "", url: str = "") -> Article:
    return Article(id=aid, url=url or f"https://news.example.vn/{aid}.html", outlet=outlet, title=title, sapo=sapo,
                   body="", published=published, first_seen=published)


def office():
    return make_app(Path("/nonexistent")).config.office


# --------------------------------------------------------------------------- dates and windows


def test_vietnamese_dates():
    assert vietnamese_date(DAY) == "Thứ Năm, ngày 26/11/2026"
    assert vietnamese_date(date(2026, 11, 29)) == "Chủ nhật, ngày 29/11/2026"  # Vietnamese writes the day's name in lower case
    assert administrative_date(DAY) == "ngày 26 tháng 11 năm 2026"
    # Decree 30/2020: a leading zero on days below 10 and on months 1 and 2
    assert administrative_date(date(2027, 2, 3)) == "ngày 03 tháng 02 năm 2027"


def test_window_is_the_24_hours_before_the_cutoff_in_office_time():
    start, end = digest_window(DAY, "07:00", TZ)
    assert end == datetime(2026, 11, 26, 0, 0, tzinfo=timezone.utc)
    assert end - start == timedelta(hours=24)
    assert latest_complete_day(NOW, "07:00", TZ) == DAY
    assert latest_complete_day(datetime(2026, 11, 25, 23, 59, tzinfo=timezone.utc), "07:00", TZ) == DAY - timedelta(days=1)


def test_extract_summary_picks_sentences_not_the_title():
    title = "Học sinh Long Biên giành huy chương vàng Olympic Toán"
    sapo = ("Đội tuyển quận Long Biên giành 5 huy chương vàng Olympic Toán tuổi thơ năm nay. "
            "Buổi lễ diễn ra trang trọng tại hội trường. Các em được khen thưởng.")
    s = extract_summary(title, sapo, "")
    assert s.startswith("Đội tuyển quận Long Biên giành 5 huy chương vàng")
    assert len(s) <= 320 and title not in s
    assert extract_summary("Tiêu đề", "", "") == ""
    long_body = " ".join(f"Câu thứ {i} nói về kỳ thi tuyển sinh lớp 10 với nhiều chi tiết dài dòng." for i in range(30))
    assert len(extract_summary("Kỳ thi tuyển sinh lớp 10", "", long_body)) <= 321


# --------------------------------------------------------------------------- selection


def test_store_backed_digest_sections_and_summary(tmp_path):
    app = make_app(tmp_path)
    ids = seed_day(app.store)
    from monitor.digest_delivery import load_digest

    d = load_digest(app, DAY)
    assert isinstance(d, Digest)
    assert d.summary.articles == len(NEWS)
    assert d.summary.education == len(NEWS) - 2
    shown = [i.article_id for s in d.all_sections for i in s.items]
    assert len(shown) == len(set(shown)), "an article appears once"
    assert ids["bong-da"] not in shown and ids["thoi-tiet"] not in shown, "non-education never appears"
    assert [i.article_id for i in d.hot.items] == [ids["ngo-doc"], ids["lam-thu"]]  # by hot score without stories
    assert [i.article_id for i in d.local.items] == [ids["hsg"]]  # local wins over positive
    assert [i.article_id for i in d.positive.items] == [ids["giao-vien"]]
    assert [s.key for s in d.topics] == ["topic:chinh-sach", "topic:tuyen-sinh", "topic:hoi-nhap", "topic:chuyen-doi-so"]
    assert [i.article_id for i in d.other.items] == [ids["khac"]]
    assert dict(d.summary.tone) == {"positive": 2, "neutral": 5, "negative": 2}
    assert d.summary.hot_stories == 2 and d.summary.local_stories == 2
    assert d.summary.top_outlets[0] == ("VnExpress", 3)
    # the previous 7 days hold 2..4 articles a day (seed_day): today's 9 is well above
    assert d.summary.previous_average == pytest.approx(sum(n % 3 + 2 for n in range(1, 8)) / 7)
    assert d.summary.change_percent == pytest.approx(200)
    # a percentage of a handful of articles says nothing: counts instead
    assert d.summary.change_text == "9 tin, bài (trung bình 7 ngày trước: 3 tin, bài mỗi ngày)"
    busier = replace(d.summary, education=30, previous_average=20.0, change_percent=50.0)
    assert busier.change_text == "tăng 50% so với trung bình 7 ngày trước (20 tin, bài mỗi ngày)"
    assert replace(busier, change_percent=-25.0).change_text.startswith("giảm 25%")
    assert [t.day for t in d.trend] == [DAY - timedelta(days=n) for n in range(6, -1, -1)]
    assert d.trend[-1].total == 9
    assert d.outline()[0] == ("I", "TÓM TẮT") and d.outline()[2][1] == "TIN TRÊN ĐỊA BÀN QUẬN LONG BIÊN"


def test_reprints_are_one_item_with_the_count_of_other_outlets():
    t0 = datetime(2026, 11, 25, 20, 0, tzinfo=TZ)
    arts = [article(1, "Trường học đóng cửa vì dịch cúm", "VnExpress", t0),
            article(2, "Trường học đóng cửa vì dịch cúm (đăng lại)", "Dân trí", t0 + timedelta(hours=1)),
            article(3, "Trường học đóng cửa vì dịch cúm", "Thanh Niên", t0 + timedelta(hours=2))]
    story = Story(id=7, title=arts[0].title, first_article_id=1, article_ids=(1, 2, 3),
                  outlets=("VnExpress", "Dân trí", "Thanh Niên"), first_seen=t0, last_seen=t0, hot_score=65,
                  severity="cao", reasons=("dịch bệnh trong trường học",), case_status="đang xử lý")
    c = {i: cls(i, topics=["y-te-the-chat"], sentiment="negative") for i in (1, 2, 3)}
    d = build_digest(office=office(), day=DAY, window=digest_window(DAY, "07:00", TZ), articles=arts, classifications=c,
                     stories={1: story, 2: story, 3: story}, generated_at=NOW)
    assert len(d.hot.items) == 1 and d.item_count == 1
    item = d.hot.items[0]
    assert (item.article_id, item.outlet, item.reprints) == (1, "VnExpress", 2)
    assert (item.severity, item.case_label, item.hot_score) == ("cao", "đang xử lý", 65)
    assert d.summary.education == 3 and d.summary.stories == 1 and d.summary.hot_stories == 1
    assert item.related == ()  # the same headline, lightly edited: reprints, counted only


def test_a_follow_up_in_a_story_is_listed_with_its_headline_and_link_not_called_a_reprint():
    t0 = datetime(2026, 11, 25, 20, 0, tzinfo=TZ)
    arts = [article(1, "Trường học đóng cửa vì dịch cúm", "VnExpress", t0),
            article(2, "Trường học đóng cửa vì dịch cúm", "Dân trí", t0 + timedelta(hours=1)),
            article(3, "Sở Y tế lấy mẫu xét nghiệm, khử khuẩn toàn bộ lớp học", "Tiền Phong", t0 + timedelta(hours=2),
                    url="https://news.example.vn/khu-khuan.html")]
    story = Story(id=7, title=arts[0].title, first_article_id=1, article_ids=(1, 2, 3),
                  outlets=("VnExpress", "Dân trí", "Tiền Phong"), first_seen=t0, last_seen=t0, hot_score=65,
                  severity="cao", reasons=("dịch bệnh trong trường học",))
    c = {i: cls(i, topics=["y-te-the-chat"], sentiment="negative") for i in (1, 2, 3)}
    d = build_digest(office=office(), day=DAY, window=digest_window(DAY, "07:00", TZ), articles=arts, classifications=c,
                     stories={1: story, 2: story, 3: story}, generated_at=NOW)
    [item] = d.hot.items
    assert item.related == (("Tiền Phong", arts[2].title, "https://news.example.vn/khu-khuan.html", False),)
    from io import BytesIO

    from docx import Document

    from monitor.digest_delivery import render_all

    rendered = render_all(d, {"txt", "md", "html", "docx"})
    docx_text = "\n".join(p.text for p in Document(BytesIO(rendered.docx)).paragraphs)
    for fmt, text in (("txt", rendered.text), ("md", rendered.markdown), ("html", rendered.html_file), ("docx", docx_text)):
        assert "VnExpress (và 2 báo khác: Dân trí, Tiền Phong)" in text and "đăng lại" not in text, fmt
        assert "+2" not in text, fmt
        assert "Tin liên quan" in text and "khử khuẩn toàn bộ lớp học" in text, fmt
    assert "https://news.example.vn/khu-khuan.html" in rendered.html_file and "khu-khuan.html" in rendered.markdown


def test_the_districts_section_says_where_its_hot_stories_are():
    t0 = datetime(2026, 11, 25, 20, 0, tzinfo=TZ)
    arts = [article(1, "Học sinh Long Biên bị đánh trước cổng trường", "VnExpress", t0)]
    story = Story(id=1, title=arts[0].title, first_article_id=1, article_ids=(1,), outlets=("VnExpress",),
                  first_seen=t0, last_seen=t0, hot_score=70, severity="cao")
    d = build_digest(office=office(), day=DAY, window=digest_window(DAY, "07:00", TZ), articles=arts,
                     classifications={1: cls(1, sentiment="negative", scope="local")}, stories={1: story}, generated_at=NOW)
    assert d.summary.local_stories == 1 and d.local.items == () and len(d.hot.items) == 1
    assert d.local.note == "1 sự việc trên địa bàn là vấn đề nóng, đã nêu ở mục Vấn đề nóng."
    assert d.local.empty_text.startswith("Ngoài các vấn đề nóng")
    from monitor.digest_delivery import render_all

    rendered = render_all(d, {"txt", "md", "html"})
    assert all(d.local.note in text for text in (rendered.text, rendered.markdown, rendered.html_file))


def test_the_positive_section_says_where_the_districts_positive_stories_are():
    t0 = datetime(2026, 11, 25, 20, 0, tzinfo=TZ)
    arts = [article(1, "Học sinh Long Biên đoạt 12 giải hội thi khoa học kỹ thuật cấp thành phố", "Tiền Phong", t0)]
    d = build_digest(office=office(), day=DAY, window=digest_window(DAY, "07:00", TZ), articles=arts,
                     classifications={1: cls(1, sentiment="positive", scope="local")}, stories={}, generated_at=NOW)
    assert dict(d.summary.tone)["positive"] == 1 and [i.article_id for i in d.local.items] == [1]
    assert d.positive.items == ()
    assert d.positive.note == "1 sự việc tích cực trên địa bàn đã nêu ở mục Tin trên địa bàn quận Long Biên."
    assert d.positive.empty_text.startswith("Ngoài tin trên địa bàn"), "not 'no positive news' beside 'Tích cực 1'"
    from monitor.digest_delivery import render_all

    rendered = render_all(d, {"txt", "md", "html"})
    for text in (rendered.text, rendered.markdown, rendered.html_file):
        assert d.positive.note in text and "Không có tin tích cực nổi bật trong 24 giờ qua" not in text


def test_hot_sorted_by_severity_then_score_and_case_status_defaults():
    t0 = datetime(2026, 11, 25, 20, 0, tzinfo=TZ)
    arts = [article(i, f"Sự việc {i}", "VnExpress", t0 + timedelta(minutes=i)) for i in (1, 2, 3)]
    def st(i, sev, score):
        return Story(id=i, title=f"Sự việc {i}", first_article_id=i, article_ids=(i,), outlets=("VnExpress",),
                     first_seen=t0, last_seen=t0, hot_score=score, severity=sev)
    stories = {1: st(1, "theo dõi", 45), 2: st(2, "khẩn cấp", 85), 3: st(3, "cao", 90)}
    c = {i: cls(i, sentiment="negative") for i in (1, 2, 3)}
    d = build_digest(office=office(), day=DAY, window=digest_window(DAY, "07:00", TZ), articles=arts, classifications=c,
                     stories=stories, generated_at=NOW)
    assert [i.article_id for i in d.hot.items] == [2, 3, 1]
    assert d.hot.items[0].case_label == "chưa có hồ sơ xử lý"


def test_topic_sections_follow_the_plan_order_and_are_capped():
    t0 = datetime(2026, 11, 25, 20, 0, tzinfo=TZ)
    arts = [article(i, f"Tin {i}", "VnExpress", t0 + timedelta(minutes=i)) for i in range(1, 8)]
    c = {i: cls(i, topics=["hoc-phi-thu-chi"] if i <= 5 else ["chinh-sach"]) for i in range(1, 8)}
    d = build_digest(office=office(), day=DAY, window=digest_window(DAY, "07:00", TZ), articles=arts, classifications=c,
                     max_items=3, generated_at=NOW)
    assert [s.key for s in d.topics] == ["topic:chinh-sach", "topic:hoc-phi-thu-chi"]
    fees = d.topics[1]
    assert len(fees.items) == 3 and fees.omitted == 2
    assert [i.article_id for i in fees.items] == [5, 4, 3]  # newest first when no reprints


def test_empty_day_and_source_appendix():
    health = [SourceHealth("a-feed", "VnExpress", "https://a.example/rss", "failing", consecutive_failures=4,
                           last_error="HTTP 503"),
              SourceHealth("b-feed", "Dân trí", "https://b.example/rss", "ok"),
              SourceHealth("c-feed", "Tuổi Trẻ", "https://c.example/rss", "quiet", last_error="no new item for 9 h")]
    arts = [article(1, "Giá vàng hôm nay", "VnExpress", datetime(2026, 11, 25, 20, 0, tzinfo=TZ))]
    d = build_digest(office=office(), day=DAY, window=digest_window(DAY, "07:00", TZ), articles=arts,
                     classifications={1: cls(1, edu=False)}, source_health=health, generated_at=NOW)
    assert d.empty and d.item_count == 0
    assert [h.name for h in d.sources] == ["a-feed", "c-feed"]
    assert d.outline()[-1][1].startswith("PHỤ LỤC")


def test_borderline_appendix_lists_unsure_articles_apart():
    t0 = datetime(2026, 11, 25, 20, 0, tzinfo=TZ)
    arts = [article(1, "Trường tiểu học tổ chức ngày hội đọc sách", "VnExpress", t0),
            article(2, "Thanh niên tình nguyện sửa nhà cho người nghèo", "Tuổi Trẻ", t0),
            article(3, "Doanh nghiệp trao quà Tết cho công nhân", "Dân trí", t0),
            article(4, "Câu lạc bộ cờ vua thiếu nhi khai giảng khóa hè", "Thanh Niên", t0),
            article(5, "Giá xăng giảm nhẹ từ chiều nay", "VnExpress", t0)]
    classifications = {1: cls(1, topics=["dao-duc-ky-nang"]), 2: cls(2, edu=False, relevance=0.34),
                       3: cls(3, edu=False, relevance=0.31), 4: cls(4, edu=False, relevance=0.47),
                       5: cls(5, edu=False, relevance=0.12)}

    def build(**kw):
        return build_digest(office=office(), day=DAY, window=digest_window(DAY, "07:00", TZ), articles=arts,
                            classifications=classifications, generated_at=NOW, **kw)

    d = build()
    assert [i.article_id for i in d.borderline.items] == [4, 2, 3], "most likely first; under the floor never"
    assert all(i.unsure and not i.hot for i in d.borderline.items)
    assert d.borderline.items[0].relevance_label == "độ liên quan 47%"
    assert d.summary.education == 1 and d.item_count == 1, "listed apart, never counted as education"
    assert 4 not in [i.article_id for s in d.all_sections for i in s.items]
    assert d.outline()[-1][1] == "PHỤ LỤC: TIN CÓ THỂ LIÊN QUAN ĐẾN GIÁO DỤC, CẦN XEM LẠI" == d.outline()[d.borderline_part][1]
    capped = build(borderline_max_items=2, borderline_min_relevance=0.2)
    assert [i.article_id for i in capped.borderline.items] == [4, 2] and capped.borderline.omitted == 1
    off = build(borderline_max_items=0)
    assert not off.borderline.items and not off.borderline.omitted
    assert all("CẦN XEM LẠI" not in h for _, h in off.outline())


def test_an_unsure_article_telling_a_shown_event_is_an_outlet_of_it_not_an_appendix_line():
    t0 = datetime(2026, 11, 25, 20, 0, tzinfo=TZ)
    story = "Học sinh Trường THCS Ngọc Thụy đạt huy chương vàng Olympic Toán quốc tế tại Bangkok"
    arts = [article(1, story, "VnExpress", t0, sapo="Em Nguyễn Minh Khôi giành huy chương vàng kỳ thi Olympic Toán "
                    "quốc tế tổ chức tại Bangkok, Thái Lan."),
            article(2, "Nam sinh Ngọc Thụy giành huy chương vàng Olympic Toán quốc tế ở Bangkok", "Dân trí", t0,
                    sapo="Nguyễn Minh Khôi, học sinh THCS Ngọc Thụy, đoạt huy chương vàng Olympic Toán quốc tế tại Bangkok."),
            article(3, "Câu lạc bộ cờ vua thiếu nhi khai giảng khóa hè", "Thanh Niên", t0),
            *[article(i, f"Giá rau củ tại chợ đầu mối ngày {i}", "Tuổi Trẻ", t0) for i in range(4, 12)]]
    classifications = {1: cls(1, topics=["doi-moi-chat-luong"]), 2: cls(2, edu=False, relevance=0.45),
                       3: cls(3, edu=False, relevance=0.40),
                       **{i: cls(i, edu=False, relevance=0.02) for i in range(4, 12)}}
    d = build_digest(office=office(), day=DAY, window=digest_window(DAY, "07:00", TZ), articles=arts,
                     classifications=classifications, generated_at=NOW)
    assert [i.article_id for i in d.borderline.items] == [3], "the same event is not listed twice"
    (item,) = [i for s in d.all_sections for i in s.items]
    assert item.article_id == 1 and item.other_outlets == ("Dân trí",) and item.reprints == 1
    assert d.summary.education == 1, "still not counted as education"


def test_store_backed_appendix_follows_the_config(tmp_path):
    app = make_app(tmp_path)
    end = datetime.combine(DAY, datetime.min.time(), tzinfo=TZ).replace(hour=7)
    aid = add_article(app.store, url="https://news.example.vn/clb-robot.html", outlet="Dân trí",
                      title="Câu lạc bộ robot thiếu nhi ra mắt ở Long Biên", published=end - timedelta(hours=3))
    classify(app.store, [(aid, dict(edu=False, relevance=0.4))])
    from monitor.digest_delivery import load_digest

    assert [i.article_id for i in load_digest(app, DAY).borderline.items] == [aid]
    app.config = replace(app.config, digest=replace(app.config.digest, borderline_min_relevance=0.5))
    assert not load_digest(app, DAY).borderline.items


def test_unclassified_articles_are_counted_not_shown():
    arts = [article(1, "Tin chưa phân loại", "VnExpress", datetime(2026, 11, 25, 20, 0, tzinfo=TZ))]
    d = build_digest(office=office(), day=DAY, window=digest_window(DAY, "07:00", TZ), articles=arts,
                     classifications={}, generated_at=NOW)
    assert d.summary.unclassified == 1 and d.item_count == 0


def test_late_arrivals_join_the_next_clipping(tmp_path):
    app = make_app(tmp_path)
    start, end = digest_window(DAY, "07:00", TZ)
    # published 10 minutes before the previous cut-off, collected 20 minutes after it
    aid = add_article(app.store, url="https://news.example.vn/muon.html", outlet="VnExpress",
                      title="Tin đăng sát giờ chốt về lịch thi học kỳ", published=start - timedelta(minutes=10),
                      seen=start + timedelta(minutes=20))
    old = add_article(app.store, url="https://news.example.vn/rat-cu.html", outlet="VnExpress",
                      title="Tin cũ của nguồn mới thêm", published=start - timedelta(days=30), seen=start + timedelta(hours=1))
    classify(app.store, [(aid, dict(topics=["chinh-sach"])), (old, dict(topics=["chinh-sach"]))])
    from monitor.digest_delivery import load_digest

    d = load_digest(app, DAY)
    shown = {i.article_id: i for s in d.all_sections for i in s.items}
    assert aid in shown and shown[aid].late
    assert old not in shown


def test_trend_rows_bucket_by_digest_window():
    days = [DAY - timedelta(days=1), DAY]
    rows = [(datetime(2026, 11, 25, 6, 59, tzinfo=TZ), True, "positive"),  # window of the 25th
            (datetime(2026, 11, 25, 7, 0, tzinfo=TZ), True, "negative"),  # window of the 26th
            (datetime(2026, 11, 25, 12, 0, tzinfo=TZ), False, "negative")]
    t = trend_from_rows(rows, days, "07:00", TZ)
    assert t == (TrendDay(days[0], positive=1), TrendDay(DAY, negative=1))


def _reprinted_poisoning(store, ids, slug, reasons) -> tuple[int, int]:
    """seed_day's poisoning reprinted by a second outlet, grouped and scored "khẩn cấp" with `reasons`:
    (story id, the reprint's id)."""
    end = digest_window(DAY, "07:00", TZ)[1]
    reprint = add_article(store, url=f"https://khac.example.vn/{slug}.html", outlet="Dân trí",
                          title="Hơn 30 học sinh tiểu học ở Long Biên nhập viện sau bữa trưa bán trú",
                          published=end - timedelta(hours=4))
    classify(store, [(reprint, dict(topics=["y-te-the-chat"], sentiment="negative", hot=True, hot_score=0.9, scope="local"))])
    story_id = store.create_story(ids["ngo-doc"], NOW)
    store.add_story_member(story_id, reprint, NOW, similarity=0.97, matched_id=ids["ngo-doc"], reprint=True)
    store.save_story_score(story_id, NOW, main_topic="y-te-the-chat", n_outlets=2, hot_score=88.0, severity="khẩn cấp",
                           reasons=reasons, explanation={})
    return story_id, reprint


def test_store_backed_stories_group_reprints_and_carry_case_status(tmp_path):
    app = make_app(tmp_path)
    store = app.store
    ids = seed_day(store)
    story_id, reprint = _reprinted_poisoning(store, ids, "hoc-sinh-nhap-vien", ["học sinh nhập viện", "2 báo đưa tin"])
    case_id, _ = store.open_case(story_id, NOW)
    store.update_case(case_id, NOW, by="chuyên viên", status="đang xử lý", note="Đã liên hệ nhà trường")
    # the other hot article has a story that triage did not rate hot: it leaves the hot section
    calm = store.create_story(ids["lam-thu"], NOW)
    store.save_story_score(calm, NOW, main_topic="hoc-phi-thu-chi", n_outlets=1, hot_score=30.0, severity=None,
                           reasons=[], explanation={})
    from monitor.digest_delivery import load_digest

    d = load_digest(app, DAY)
    assert [i.article_id for i in d.hot.items] == [ids["ngo-doc"]]
    hot = d.hot.items[0]
    # "Dân Trí": feeds.yaml's name for the outlet the row spelt "Dân trí"
    assert (hot.reprints, hot.other_outlets, hot.severity, hot.case_status) == (1, ("Dân Trí",), "khẩn cấp", "đang xử lý")
    assert hot.reasons == ("học sinh nhập viện", "2 báo đưa tin")
    shown = [i.article_id for s in d.all_sections for i in s.items]
    assert reprint not in shown and ids["lam-thu"] in shown
    assert d.summary.education == len(NEWS) - 1 and d.summary.stories == len(NEWS) - 2


def test_display_reasons_drop_word_level_evidence():
    from classifiers.types import HotCategory
    from monitor.digest import display_reasons

    raw = ("giáo dục 0.99: phòng gd (sapo), nhà trường (sapo)",
           "chủ đề an-toan-truong-hoc 0.84: bạo lực (sapo), bị đánh (body)",
           "nóng 0.58: bạo lực, xâm hại (bị đánh (title)); tai nạn, đuối nước (bị thương (body))",
           "sắc thái negative 0.59", "địa bàn: quận Long Biên (sapo)",
           "Sắc thái tiêu cực (1/2 báo)", "2 báo đưa tin: Tiền Phong, VnExpress", "Sắc thái tiêu cực (1/2 báo)")
    signs = (HotCategory("bao-luc", "bạo lực, xâm hại"), HotCategory("tai-nan", "tai nạn, đuối nước"))
    assert display_reasons(raw, hot_categories=signs) == (
        "Dấu hiệu: bạo lực, xâm hại / tai nạn, đuối nước", "Sắc thái tiêu cực (1/2 báo)", "2 báo đưa tin: Tiền Phong, VnExpress")
    # the signs are the stored categories, not the wording of the classifier's line
    assert display_reasons(raw)[0] == "Sắc thái tiêu cực (1/2 báo)"
    assert display_reasons(["sự cố an toàn thực phẩm"]) == ("sự cố an toàn thực phẩm",)
    # the model alone, with no rule sign behind it: said as it is, not hidden (a reader would otherwise see only the
    # other reasons, as if they had made it hot)
    assert display_reasons(["nóng 0.28: theo mô hình", "2 báo đưa tin: A, B"], model_only=0.28) == (
        "Hệ thống đánh giá cần theo dõi thêm, chưa thấy dấu hiệu cụ thể của vấn đề nóng", "2 báo đưa tin: A, B")


def test_display_reasons_of_a_story_of_two_articles_name_each_sign_once():
    from classifiers.types import HotCategory
    from monitor.digest import display_reasons

    raw = ("nóng 1.00: bạo lực, xâm hại (đánh (title)); tin sai sự thật (bịa đặt (body)); sai phạm, kỷ luật (kỷ luật (body))",
           "nóng 0.93: bạo lực, xâm hại (đánh (sapo)); tai nạn, đuối nước (ngã (body)); sai phạm, kỷ luật (đình chỉ (body))",
           "Sắc thái tiêu cực (2/2 báo)", "Tin trên địa bàn: Ngọc Thụy, quận Long Biên")
    signs = [HotCategory(*c) for c in (("bao-luc", "bạo lực, xâm hại"), ("tin-sai", "tin sai sự thật"),
                                        ("vi-pham", "sai phạm, kỷ luật"), ("bao-luc", "bạo lực, xâm hại"),
                                        ("tai-nan", "tai nạn, đuối nước"))]
    assert display_reasons(raw, hot_categories=signs) == (
        "Dấu hiệu: bạo lực, xâm hại / tin sai sự thật / sai phạm, kỷ luật / tai nạn, đuối nước",
        "Sắc thái tiêu cực (2/2 báo)", "Tin trên địa bàn: Ngọc Thụy, quận Long Biên")


def test_an_item_entered_from_outside_the_press_stands_mid_level_not_last():
    """A hand-entered hot issue (monitor.intake) has no press heat to rank by, only the level a person gave it: it
    stands where a typical item of that level does (the level's median score), not below every press item."""
    from monitor.digest import add_outside_press
    from monitor.models import IntakeItem

    t0 = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
    press = [(1, "Học sinh nhập viện sau bữa ăn bán trú", "khẩn cấp", 50.0),
             (2, "Phụ huynh phản ánh lạm thu đầu năm học", "cao", 80.0),
             (3, "Giáo viên bị tố đánh học sinh lớp 3", "cao", 60.0),
             (4, "Trường học thiếu phòng học cho lớp 1", "cao", 40.0)]
    arts = [article(aid, title, "VnExpress", t0 + timedelta(minutes=aid)) for aid, title, _, _ in press]
    stories = {aid: Story(id=10 + aid, title=title, first_article_id=aid, article_ids=(aid,), outlets=("VnExpress",),
                          first_seen=t0, last_seen=t0, hot_score=score, severity=level, case_status="mới")
               for aid, title, level, score in press}
    c = {aid: cls(aid, topics=["an-toan-truong-hoc"], sentiment="negative", hot=True, hot_score=score)
         for aid, _, _, score in press}
    d = build_digest(office=office(), day=DAY, window=digest_window(DAY, "07:00", TZ), articles=arts, classifications=c,
                     stories=stories, generated_at=NOW)
    item = IntakeItem(id=1, story_id=30, title="Phụ huynh gọi đường dây nóng về xe đưa đón học sinh quá tải",
                      source_kind="đường dây nóng", source="Phụ huynh lớp 2A", url=None, happened_at=t0,
                      summary="Xe đưa đón chở quá số chỗ.", entered_at=t0, entered_by="chuyenvien")
    story = Story(id=30, title=item.title, first_article_id=0, article_ids=(), outlets=(), first_seen=t0, last_seen=t0,
                  severity="cao", case_status="mới", intake=(item,))
    d = add_outside_press(d, [(item, story)])
    assert [i.title for i in d.hot.items] == [press[0][1], press[1][1], press[2][1], item.title, press[3][1]]


def test_the_weeks_chart_counts_a_past_day_as_its_clipping_does_after_an_analysts_correction(tmp_path):
    """The chart's bar of a day and that day's own clipping read its articles with the analysts' corrections: an
    article judged not education since, or of another tone, moves in both."""
    from monitor.digest_delivery import load_digest

    app = make_app(tmp_path)
    store = app.store
    when = datetime(2026, 11, 24, 15, 0, tzinfo=TZ)  # in the clipping of the 25th
    ids = [add_article(store, url=f"https://news.example.vn/tuan-{n}.html", outlet="Dân trí", title=title,
                       published=when + timedelta(minutes=n), seen=when + timedelta(minutes=n + 5))
           for n, title in enumerate(["Trường THCS tổ chức ngày hội đọc sách cho học sinh",
                                      "Giá vàng tăng mạnh trong phiên sáng",
                                      "Phụ huynh phản ánh khoản thu đầu năm ở một trường tiểu học"])]
    classify(store, [(ids[0], dict(topics=["guong-dien-hinh"], sentiment="positive")), (ids[1], dict(topics=[])),
                     (ids[2], dict(topics=["hoc-phi"]))])
    store.add_label(ids[1], by="Chị Lan", at=NOW, is_education=False)
    store.add_label(ids[2], by="Chị Lan", at=NOW, sentiment="negative")
    day_before = load_digest(app, DAY - timedelta(days=1))
    assert day_before.summary.education == 2 and dict(day_before.summary.tone)["negative"] == 1
    bar = next(t for t in load_digest(app, DAY).trend if t.day == DAY - timedelta(days=1))
    assert (bar.total, bar.positive, bar.neutral, bar.negative) == (2, 1, 0, 1)


def test_a_hot_items_reasons_do_not_list_again_the_outlets_its_outlet_line_names(tmp_path):
    """Triage's "2 báo đưa tin: …" names the outlets as the score read them (an old row's spelling too): the line
    under the item names them once already, and the reason took one of the four places."""
    app = make_app(tmp_path)
    store = app.store
    ids = seed_day(store)
    _reprinted_poisoning(store, ids, "hoc-sinh-nhap-vien-2",
                         ["học sinh nhập viện", "2 báo đưa tin: VnExpress, Dân trí", "Tin trên địa bàn"])
    from monitor.digest_delivery import load_digest
    from monitor.render import render_text

    hot = load_digest(app, DAY).hot.items[0]
    assert hot.reasons == ("học sinh nhập viện", "Tin trên địa bàn")
    assert "Dân Trí" in hot.outlets_label
    assert "báo đưa tin" not in render_text(load_digest(app, DAY))
