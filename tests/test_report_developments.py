"""A hot issue of the monthly report's part III says how its story went on ("Diễn biến:"): the dated developments after
what the issue is told by (a lab result two days after a school poisoning, the prosecution merged in from a case of
its own), reprints and a day's other tellings once, at most a few, to the month's end; the same lines in the HTML and
the DOCX. An issue entered from outside the press is told by what the person entered, not by the press article
merged into its case since (the office's rebuttal of the rumour is one of its developments). A provincial Sở, invented
news, a real store."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from docx import Document

from monitor.cases import merge_case
from monitor.developments import MAX_DEVELOPMENTS, Development, developments, developments_label, told_by
from monitor.digest_delivery import load_digest
from monitor.intake import open_from_outside
from monitor.models import IntakeItem, Story
from monitor.period_report import build_and_deliver_period
from monitor.report import build_and_deliver_report, load_report
from monitor.triage import run_triage
from test_digest import TZ
from test_triage_support import SO_OFFICE, Cls, add_article, make_app

DEC_1 = datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)  # 08:00 on 1 December in Hà Nội
POISON = Cls(hot_score=0.9, sentiment="negative", scope="city", topics=("y-te-the-chat",),
             reasons=("sự cố an toàn thực phẩm",))

# invented for these tests
LEAD_TITLE = "Hơn 40 học sinh Trường Tiểu học Phú Diễn nhập viện sau bữa trưa bán trú"
LEAD_SAPO = ("Trưa 10/11, sau bữa ăn bán trú, hơn 40 học sinh Trường Tiểu học Phú Diễn (Hà Nội) bị đau bụng, nôn và "
             "được đưa đi cấp cứu.")
SAME_DAY_TITLE = "Hà Nội: hàng chục học sinh tiểu học nhập viện nghi ngộ độc thực phẩm"
LAB_TITLE = "Xét nghiệm xác định vi khuẩn Salmonella trong suất ăn bán trú Trường Tiểu học Phú Diễn"
LAB_OTHER_TITLE = "Tìm ra nguyên nhân khiến hơn 40 học sinh Phú Diễn phải nhập viện"
HOME_TITLE = "Các học sinh Trường Tiểu học Phú Diễn đã xuất viện, trở lại lớp"
CHARGE_TITLE = "Khởi tố vụ án vi phạm quy định về an toàn thực phẩm tại Trường Tiểu học Phú Diễn"
DECEMBER_TITLE = "Đình chỉ hoạt động công ty cung cấp suất ăn cho Trường Tiểu học Phú Diễn"

RUMOUR_TITLE = "Tài khoản Facebook đăng ảnh được cho là đề kiểm tra học kỳ I môn Toán lớp 9 của Hà Nội bị lộ"
RUMOUR_SUMMARY = ("Bài đăng kèm ảnh một đề Toán lớp 9, khẳng định đó là đề kiểm tra học kỳ I chung của thành phố bị lộ "
                  "trước ngày kiểm tra; bài thu hút hàng nghìn lượt chia sẻ.")
RUMOUR_URL = "https://facebook.com/gocontthithudo/posts/2002"
REBUTTAL_TITLE = "Sở GD&ĐT Hà Nội bác tin lộ đề kiểm tra học kỳ I môn Toán lớp 9"
REBUTTAL_SAPO = ("Sở GD&ĐT Hà Nội khẳng định thông tin lộ đề kiểm tra học kỳ I môn Toán lớp 9 lan truyền trên mạng xã "
                 "hội là sai sự thật: đề do từng trường tự ra, không có đề chung toàn thành phố.")


def _at(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=TZ)


def _poisoning(tmp_path):
    """A Sở's hot issue of November: a school poisoning told by four outlets, its lab result, the pupils home, and the
    prosecution, which grouping left in a story and case of its own that a person merged into the poisoning's; an
    article of December after it. Returns the app (the report written on 5 December) and the poisoning's story."""
    app = make_app(tmp_path, DEC_1, office=SO_OFFICE)
    store = app.store

    def article(slug, outlet, title, when, sapo=""):
        return add_article(app, outlet, slug, title, sapo or title + ".", when, POISON)

    lead = article("ngo-doc", "VnExpress", LEAD_TITLE, _at(10, 13), LEAD_SAPO)
    story = store.create_story(lead, DEC_1)
    members = [
        (article("ngo-doc-dt", "Dân Trí", SAME_DAY_TITLE, _at(10, 16)), False),  # the same day in other words
        (article("ngo-doc-tt", "Tuổi Trẻ", LEAD_TITLE, _at(11, 8), LEAD_SAPO), True),  # a reprint the next day
        (article("xet-nghiem", "Thanh Niên", LAB_TITLE, _at(12, 9)), False),
        (article("nguyen-nhan", "VnExpress", LAB_OTHER_TITLE, _at(12, 15)), False),
        (article("xuat-vien", "Tuổi Trẻ", HOME_TITLE, _at(15, 10)), False),
        (article("dinh-chi", "Dân Trí", DECEMBER_TITLE, _at(3, 9, month=12)), False),
    ]
    for aid, reprint in members:
        store.add_story_member(story, aid, DEC_1, similarity=0.9 if reprint else 0.4, matched_id=lead, reprint=reprint)
    charge = store.create_story(article("khoi-to", "Dân Trí", CHARGE_TITLE, _at(20, 9)), DEC_1)
    for sid, score in ((story, 85.0), (charge, 70.0)):
        store.save_story_score(sid, DEC_1, main_topic="y-te-the-chat", n_outlets=1, hot_score=score,
                               severity="khẩn cấp" if score > 80 else "cao", reasons=["sự cố an toàn thực phẩm"],
                               explanation={})
    poison_case, _ = store.open_case(story, _at(10, 14))
    charge_case, _ = store.open_case(charge, _at(20, 10))
    merge_case(app, charge_case, into=poison_case, by="Nguyễn Thị Lan", note="Diễn biến tiếp của vụ ngộ độc")
    app.clock.now = datetime(2026, 12, 5, 2, 0, tzinfo=timezone.utc)
    return app, story


def _texts(result) -> tuple[str, list[str]]:
    """Part III of the HTML and of the DOCX (its paragraphs)."""
    html = result.paths["html"].read_text(encoding="utf-8")
    paragraphs = [p.text for p in Document(io.BytesIO(result.paths["docx"].read_bytes())).paragraphs]
    start = next(k for k, p in enumerate(paragraphs) if p.startswith("III. "))
    end = next(k for k, p in enumerate(paragraphs) if p.startswith("IV. "))
    return html[html.index("III. VẤN ĐỀ NÓNG"):html.index("IV. TIN")], paragraphs[start:end]


def test_a_hot_issue_says_how_its_story_went_on_in_the_html_and_the_docx(tmp_path):
    app, story = _poisoning(tmp_path)
    r = load_report(app, 2026, 11)
    (issue,) = [h for h in r.hot_issues if h.story_id == story]
    assert issue.title == LEAD_TITLE and issue.summary.startswith("Trưa 10/11, sau bữa ăn bán trú")
    # the lead's own day is its summary's, its reprint the day after is the lead again, the lab result's day is one
    # line with the other outlet counted, the merged case's prosecution is there, December's is not
    lines = [
        "12/11/2026, Thanh Niên (và 1 báo khác): " + LAB_TITLE,
        "15/11/2026, Tuổi Trẻ: " + HOME_TITLE,
        "20/11/2026, Dân Trí: " + CHARGE_TITLE,
    ]
    assert [d.line for d in issue.developments] == lines
    assert issue.developments_label == "Diễn biến:" and issue.developments_total == 3
    assert issue.developments[0].url == "https://thanhnien.vn/xet-nghiem.html"
    html, paragraphs = _texts(build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False))
    assert "Diễn biến:" in paragraphs
    for line in lines:
        assert "– " + line in paragraphs
        head, title = line.split(": ", 1)
        assert f"<li>{head}: <a href=" in html and f">{title}</a></li>" in html
    assert DECEMBER_TITLE not in html and not any(DECEMBER_TITLE in p for p in paragraphs)
    assert SAME_DAY_TITLE not in html and html.count(LEAD_TITLE) == 1
    # under what it is about, before how it was handled
    at = paragraphs.index("Diễn biến:")
    assert paragraphs[at - 1].startswith("Nội dung: Trưa 10/11") and paragraphs[at + 4].startswith("Tình trạng xử lý:")
    # the period report lists the area's issues as the months do
    period = build_and_deliver_period(app, (2026, 10), (2026, 11), out_dir=tmp_path / "period", send=False)
    html = period.paths["html"].read_text(encoding="utf-8")
    paragraphs = [p.text for p in Document(io.BytesIO(period.paths["docx"].read_bytes())).paragraphs]
    for line in lines:
        head, title = line.split(": ", 1)
        assert "– " + line in paragraphs and f"<li>{head}: <a href=" in html and f">{title}</a></li>" in html


def _rumour_rebutted(tmp_path, summary: str = RUMOUR_SUMMARY):
    """A rumour on Facebook entered by hand on 16 November, the Sở's rebuttal in the press the next morning, its
    press case merged into the rumour's."""
    app = make_app(tmp_path, datetime(2026, 11, 16, 14, 0, tzinfo=timezone.utc), office=SO_OFFICE)
    done = open_from_outside(app, title=RUMOUR_TITLE, source_kind="mạng xã hội", source="Trang Facebook Góc ôn thi Thủ đô",
                             by="Nguyễn Thị Lan", url=RUMOUR_URL, at="20:10 16/11/2026", summary=summary, level="cao",
                             scope="city", alert=False)
    app.clock.now = datetime(2026, 11, 17, 3, 0, tzinfo=timezone.utc)
    add_article(app, "VnExpress", "bac-tin-lo-de", REBUTTAL_TITLE, REBUTTAL_SAPO, app.now() - timedelta(minutes=30),
                Cls(hot_score=0.8, sentiment="neutral", scope="city", topics=("doi-moi-chat-luong",),
                    reasons=("tin sai sự thật",)))
    (press_case,) = run_triage(app).cases_opened
    merge_case(app, press_case, into=done.case.id, by="Nguyễn Thị Lan", note="Sở đã bác bỏ tin đồn")
    app.clock.now = DEC_1
    return app


def test_an_issue_entered_by_hand_is_told_by_what_was_entered_and_the_rebuttal_is_a_development(tmp_path):
    app = _rumour_rebutted(tmp_path)
    (issue,) = load_report(app, 2026, 11).hot_issues
    assert issue.title == RUMOUR_TITLE
    assert issue.summary == RUMOUR_SUMMARY and issue.url == RUMOUR_URL
    assert [d.line for d in issue.developments] == ["17/11/2026, VnExpress: " + REBUTTAL_TITLE]
    html, paragraphs = _texts(build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False))
    assert f"Nội dung: {RUMOUR_SUMMARY}" in paragraphs and "– 17/11/2026, VnExpress: " + REBUTTAL_TITLE in paragraphs
    assert f"Nội dung: {RUMOUR_SUMMARY}" in html and f'<a href="{RUMOUR_URL}"' in html
    for text in (html, "\n".join(paragraphs)):
        assert REBUTTAL_SAPO[:60] not in text  # the rebuttal's words never stand as the rumour's content


def test_an_issue_entered_without_a_summary_says_no_other_content(tmp_path):
    app = _rumour_rebutted(tmp_path, summary="")
    (issue,) = load_report(app, 2026, 11).hot_issues
    assert (issue.title, issue.summary, issue.url) == (RUMOUR_TITLE, "", RUMOUR_URL)
    assert [d.title for d in issue.developments] == [REBUTTAL_TITLE]
    html, paragraphs = _texts(build_and_deliver_report(app, 2026, 11, out_dir=tmp_path / "out", send=False))
    assert not any(p.startswith("Nội dung:") for p in paragraphs) and "Nội dung:" not in html


def test_the_clipping_lists_such_an_issue_by_its_press_article_title_and_words_alike(tmp_path):
    """The clipping names the item by the article it shows (title and summary of one article, where it came from
    beside): no mismatch there to mend."""
    app = _rumour_rebutted(tmp_path)
    (item,) = load_digest(app, datetime(2026, 11, 18).date()).hot.items
    assert item.title == REBUTTAL_TITLE and item.summary.startswith("Sở GD&ĐT Hà Nội khẳng định")
    assert item.outlets_label == "VnExpress; Nguồn: mạng xã hội – Trang Facebook Góc ôn thi Thủ đô"


# --------------------------------------------------------------------------- the rules, on the store's rows


def _member(aid, outlet, title, when, *, reprint_of=None):
    return {"id": aid, "url": f"https://news.example.vn/{aid}.html", "outlet": outlet, "title": title, "sapo": "",
            "when": when, "reprint": reprint_of is not None, "matched_id": reprint_of}


def test_the_latest_developments_are_kept_and_the_heading_says_how_many_there_are():
    members = [_member(1, "VnExpress", LEAD_TITLE, _at(1, 9))]
    steps = ["Lấy mẫu thức ăn", "Công bố kết quả xét nghiệm", "Học sinh xuất viện", "Nhà trường xin lỗi phụ huynh",
             "Tạm dừng bếp ăn bán trú", "Kiểm tra toàn bộ bếp ăn của quận", "Khởi tố vụ án", "Trường nấu ăn trở lại"]
    members += [_member(10 + d, "Dân Trí", title, _at(d, 9)) for d, title in enumerate(steps, 2)]
    shown, total = developments(members, (), told=1, until=_at(30, 0), tz=TZ)
    assert total == 8 and len(shown) == MAX_DEVELOPMENTS
    assert [d.day.day for d in shown] == [5, 6, 7, 8, 9]
    assert developments_label(len(shown), total) == "Diễn biến (5 mốc gần nhất trong 8):"


def test_a_reprint_goes_with_what_it_copies_and_an_item_merged_later_is_a_development_of_its_own():
    members = [
        _member(1, "VnExpress", LEAD_TITLE, _at(1, 9)),
        _member(2, "Thanh Niên", LAB_TITLE, _at(3, 9)),
        # a near-copy under a rewritten headline, two days later: the lab result again, by the store's mark
        _member(3, "Tuổi Trẻ", "Đã rõ nguyên nhân vụ ngộ độc ở Phú Diễn", _at(5, 9), reprint_of=2),
        _member(4, "Dân Trí", "Clip: " + LEAD_TITLE, _at(6, 9)),  # the lead's headline lightly edited
    ]
    call = IntakeItem(id=7, story_id=1, title="Phụ huynh gọi đường dây nóng hỏi về bữa ăn bán trú", source_kind="đường dây nóng",
                      source="Đường dây nóng của Sở", url=None, happened_at=_at(4, 10), summary="", entered_at=_at(4, 11),
                      entered_by="Nguyễn Thị Lan")
    shown, total = developments(members, (call,), told=1, until=_at(30, 0), tz=TZ)
    assert [d.line for d in shown] == [
        "03/11/2026, Thanh Niên (và 1 báo khác): " + LAB_TITLE,
        "04/11/2026, đường dây nóng – Đường dây nóng của Sở: Phụ huynh gọi đường dây nóng hỏi về bữa ăn bán trú",
    ]
    assert total == 2 and shown[1] == Development(_at(4, 10).date(), "đường dây nóng – Đường dây nóng của Sở",
                                                  call.title)


def test_a_title_kept_at_a_merge_tells_the_issue_by_the_article_it_names():
    members = [_member(1, "VnExpress", LAB_TITLE, _at(1, 9)), _member(2, "Dân Trí", LEAD_TITLE, _at(2, 9))]
    story = Story(id=1, title=LEAD_TITLE, first_article_id=1, article_ids=(1, 2, 3), outlets=("VnExpress", "Dân Trí"),
                  first_seen=_at(1, 9), last_seen=_at(3, 9))
    members.append(_member(3, "Tuổi Trẻ", LEAD_TITLE, _at(3, 9), reprint_of=2))
    assert told_by(story, members)["id"] == 2
    # its headline article, as the report reads it: a reprint under its title tells nothing else
    assert told_by(replace(story, title=LAB_TITLE), [*members, _member(4, "Dân Trí", LAB_TITLE, _at(4, 9))]) is None
