"""Part III of the monthly report in a month of much national news: the office's own issues and those it acted on
listed in full, the other areas' hottest listed and the rest counted by hot category, the counts as part I's."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from classifiers.types import HotCategory

from monitor.cases import update_case
from monitor.report import TOP_ELSEWHERE, build_and_deliver_report, load_report
from test_digest import TZ, add_article, classify
from test_report import _paragraphs, make_app_for_month, seed_months

VIOLENCE = HotCategory("bao-luc", "bạo lực, xâm hại")
ACCIDENT = HotCategory("tai-nan", "tai nạn, thương vong")
FRAUD = HotCategory("gian-lan", "gian lận thi, lộ đề")

# invented issues of other provinces: (title, score, outlets, hot categories, the main one first)
ELSEWHERE = [
    ("Nam sinh lớp 9 ở tỉnh miền núi bị nhóm bạn chặn đường đánh", 80.0, 4, (VIOLENCE,)),
    ("Học sinh tiểu học đuối nước khi tắm suối sau giờ học", 78.0, 3, (ACCIDENT,)),
    ("Phát hiện thí sinh mang điện thoại vào phòng thi học sinh giỏi tỉnh", 76.0, 3, (FRAUD,)),
    ("Giáo viên mầm non bị tố véo tai trẻ ở nhóm trẻ tư thục", 74.0, 2, (VIOLENCE,)),
    ("Cây phượng gãy đổ trong sân trường, hai học sinh bị thương", 72.0, 2, (ACCIDENT, VIOLENCE)),
    ("Phụ huynh phản ánh con bị bạn cùng lớp bắt nạt kéo dài", 70.0, 2, (VIOLENCE,)),
    ("Học sinh lớp 11 bị thương khi thí nghiệm hóa học", 68.0, 2, (ACCIDENT,)),
    ("Đề kiểm tra giữa kỳ môn Toán lan truyền trước giờ thi", 66.0, 2, (FRAUD,)),
    ("Nữ sinh bị đánh hội đồng, clip lan truyền trên mạng", 64.0, 1, (VIOLENCE,)),
    ("Xe đưa đón học sinh va chạm xe tải trên quốc lộ", 62.0, 1, (ACCIDENT,)),
    ("Thầy giáo bị tố xúc phạm học sinh trước lớp", 60.0, 1, (VIOLENCE,)),
    ("Học sinh ngã từ lan can tầng hai của trường", 58.0, 1, (ACCIDENT,)),
    ("Hai nhóm học sinh ẩu đả trước cổng trường", 56.0, 1, (VIOLENCE,)),
    ("Nhiều bài thi có đáp án giống hệt nhau ở một điểm thi", 54.0, 1, (FRAUD,)),
    ("Bài thi được nâng điểm sau phúc khảo gây nghi vấn", 52.0, 1, ()),  # the model alone judged it hot
]


def _hot_elsewhere(app, n: int, title: str, score: float, outlets: int, categories) -> int:
    """A story of another province (national scope), carried by `outlets` outlets, scored hot: its id."""
    when = datetime(2026, 11, 3, 8, 0, tzinfo=TZ) + timedelta(hours=7 * n)
    names = ["Tuổi Trẻ", "Thanh Niên", "Dân trí", "VietNamNet"][:outlets]
    ids = [add_article(app.store, url=f"https://news.example.vn/ngoai-dia-ban-{n}-{k}.html", outlet=o, title=title,
                       published=when + timedelta(minutes=30 * k)) for k, o in enumerate(names)]
    classify(app.store, [(aid, dict(topics=["an-toan-truong-hoc"], sentiment="negative", hot=True, hot_score=0.7,
                                    hot_categories=tuple(categories))) for aid in ids])
    story = app.store.create_story(ids[0], when)
    for aid in ids[1:]:
        app.store.add_story_member(story, aid, when, similarity=0.9, matched_id=ids[0], reprint=True)
    app.store.save_story_score(story, when, main_topic="an-toan-truong-hoc", n_outlets=outlets, hot_score=score,
                               severity="cao" if score >= 60 else "theo dõi", reasons=[], explanation={},
                               hot_categories=tuple(categories))
    return story


def _month_of_national_news(tmp_path):
    """The district's own issue (seed_months), 15 hot issues of other provinces, one more the office acted on:
    a rumour elsewhere, the least hot of all, that it reported to the district (recorded on the 1st of the next month:
    its case still "mới" at the month's end, its report to the district the month's); one of the others a clerk
    marked handled with nothing on record; and false information elsewhere the office took on."""
    app = make_app_for_month(tmp_path)
    _, own = seed_months(app.store)
    far = [_hot_elsewhere(app, n, *spec) for n, spec in enumerate(ELSEWHERE)]
    acted = _hot_elsewhere(app, 99, "Tin đồn nghỉ học cả thành phố vì rét đậm lan trên mạng xã hội", 50.0, 1, ())
    case = app.store.open_case(acted, datetime(2026, 11, 20, 9, 0, tzinfo=TZ))[0]
    update_case(app, case, by="Chị Lan", reported_to=["UBND quận Long Biên"], on=date(2026, 11, 21),
                note="Đã thông báo các trường: vẫn học bình thường")
    # and one low in the list its clerk moved along as read, with nothing on record: ranked with the others
    read = app.store.open_case(far[-2], datetime(2026, 11, 10, 9, 0, tzinfo=TZ))[0]
    app.store.update_case(read, datetime(2026, 11, 12, 9, 0, tzinfo=TZ), by="Chị Lan", status="đã xử lý",
                          note="Đã báo lãnh đạo")
    # false information elsewhere it took on and has not corrected: part I counts it as awaiting correction
    rumour = _hot_elsewhere(app, 98, "Tin nhắn giả mạo thông báo thu tiền học thêm gửi phụ huynh", 49.0, 1,
                            (HotCategory("tin-sai", "tin sai sự thật"),))
    taken = app.store.open_case(rumour, datetime(2026, 11, 22, 9, 0, tzinfo=TZ))[0]
    app.store.update_case(taken, datetime(2026, 11, 23, 9, 0, tzinfo=TZ), by="Chị Lan", status="đã tiếp nhận")
    return app, own, far, acted, rumour


MORE_LINE = ("… và 5 vấn đề khác ngoài địa bàn (để nắm tình hình; 1 đã xử lý), theo nhóm: bạo lực, xâm hại 2; tai nạn, thương vong 1; "
             "gian lận thi, lộ đề 1; loại khác 1.")


def test_many_issues_elsewhere_list_the_hottest_and_count_the_rest_by_hot_category(tmp_path):
    app, own, far, acted, rumour = _month_of_national_news(tmp_path)
    result = build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False)
    paragraphs = _paragraphs(result)
    part = paragraphs[paragraphs.index("III. VẤN ĐỀ NÓNG VÀ KẾT QUẢ XỬ LÝ"):paragraphs.index("IV. TIN TÍCH CỰC CẦN LAN TỎA")]
    html = result.paths["html"].read_text(encoding="utf-8")
    # part I counts them all, and part III's heading says the listed and the counted together
    for text in ("\n".join(paragraphs), html):
        assert "18 vấn đề nóng: 1 trên địa bàn (1 đã xử lý), 17 ngoài địa bàn (để nắm tình hình; 1 đã xử lý, 1 đã tiếp nhận)" in text
    html = html[html.index("III. VẤN ĐỀ NÓNG"):html.index("IV. TIN TÍCH CỰC")]
    for text in ("\n".join(part), html):
        assert "Ngoài địa bàn – để nắm tình hình, tham khảo (17)" in text
        for title, *_ in ELSEWHERE[:TOP_ELSEWHERE]:
            assert title in text
        for title, *_ in ELSEWHERE[TOP_ELSEWHERE:]:
            assert title not in text, "counted, not listed"
        # each counted once, under its main category; the model's own judgement apart, last
        assert MORE_LINE in text
        # the issue elsewhere the office acted on is listed with its handling, although it is the least hot of all
        assert "Tin đồn nghỉ học cả thành phố" in text and "Đã báo cáo: UBND quận Long Biên, ngày 21/11/2026" in text
        # and so is the false information it took on, which part I says awaits its correction
        assert "Tin nhắn giả mạo thông báo thu tiền" in text
        assert "Có dấu hiệu tin sai sự thật; chưa ghi nhận việc cải chính, bác bỏ" in text
    elsewhere = part[part.index("2. Ngoài địa bàn – để nắm tình hình, tham khảo (17)"):]
    assert sum(p.startswith("Tình trạng xử lý") for p in elsewhere) == 2
    assert sum(bool(re.match(r"\d+\. ", p)) for p in elsewhere[1:]) == TOP_ELSEWHERE + 2
    assert elsewhere[-1] == MORE_LINE

    # one source for both formats: the report's own lists
    r = load_report(app, 2026, 11)
    assert len(r.elsewhere_issues) == 17 and [h.story_id for h in r.own_issues] == [own]
    assert [h.story_id for h in r.elsewhere_listed] == [*far[:TOP_ELSEWHERE], acted, rumour]
    assert [h.story_id for h in r.elsewhere_more] == far[TOP_ELSEWHERE:]
    assert r.elsewhere_more_line == MORE_LINE
    _, issues, _, more, _ = r.hot_parts[-1]
    assert len(issues) + more == len(r.elsewhere_issues) == 17
    assert r.hot_text == "18 vấn đề nóng: 1 trên địa bàn (1 đã xử lý), 17 ngoài địa bàn (để nắm tình hình; 1 đã xử lý, 1 đã tiếp nhận)"


def test_a_few_issues_elsewhere_are_all_listed(tmp_path):
    """Under the cap nothing is summarised: no "… và" line, the heading's number the listed ones."""
    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    far = [_hot_elsewhere(app, n, *spec) for n, spec in enumerate(ELSEWHERE[:3])]
    r = load_report(app, 2026, 11)
    assert [h.story_id for h in r.elsewhere_listed] == far and not r.elsewhere_more and r.elsewhere_more_line == ""
    assert r.hot_parts[-1][3:] == (0, "")


def test_issues_counted_beyond_the_list_with_no_hot_category_are_not_said_by_group(tmp_path):
    """"theo nhóm: loại khác 1" names no group: the line then only counts them."""
    app = make_app_for_month(tmp_path)
    seed_months(app.store)
    for n, spec in enumerate([*ELSEWHERE[:TOP_ELSEWHERE], ELSEWHERE[-1]]):  # the last: the model alone judged it hot
        _hot_elsewhere(app, n, *spec)
    r = load_report(app, 2026, 11)
    assert len(r.elsewhere_more) == 1
    assert r.elsewhere_more_line == "… và 1 vấn đề khác ngoài địa bàn (để nắm tình hình).", r.elsewhere_more_line
