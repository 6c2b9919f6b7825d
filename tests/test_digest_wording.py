"""The clipping's Vietnamese as leadership reads it (the native-speaker review): sentences kept whole at
abbreviations, feed problems in words, honest reasons, one unit per word, the subject, relative time words,
Markdown that renders, Vietnamese numbers. Every sentence here is written for the test."""

from __future__ import annotations

import html
import io
import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from docx import Document

from classifiers.types import HotCategory
from monitor.digest import (
    build_digest,
    digest_window,
    display_reasons,
    model_only_reason,
    note_follow_ups,
    source_problem,
)
from monitor.docx_render import render_docx
from monitor.models import SourceHealth, Story
from monitor.render import render_html, render_markdown, render_text, subject
from monitor.summary import dated_relative_words, extract_summary, split_sentences
from test_digest import DAY, NOW, TZ, add_article, article, classify, cls, make_app, office

T0 = datetime(2026, 11, 25, 20, 0, tzinfo=TZ)


def build(arts, classifications, **kw):
    return build_digest(office=office(), day=DAY, window=digest_window(DAY, "07:00", TZ), articles=arts,
                        classifications=classifications, generated_at=NOW, **kw)


def every_format(d) -> dict[str, str]:
    docx = Document(io.BytesIO(render_docx(d)))
    cells = [c.text for t in docx.tables for row in t.rows for c in row.cells]
    # the HTML as a reader sees it: its escaping is tested in test_render
    return {"txt": render_text(d), "md": render_markdown(d), "html": html.unescape(render_html(d)),
            "docx": "\n".join([p.text for p in docx.paragraphs] + cells)}


def story(sid, arts, *, severity="cao", score=65.0, reasons=(), case_status=None, hot_categories=()):
    return Story(id=sid, title=arts[0].title, first_article_id=arts[0].id, article_ids=tuple(a.id for a in arts),
                 outlets=tuple(dict.fromkeys(a.outlet for a in arts)), first_seen=T0, last_seen=T0, hot_score=score,
                 severity=severity, reasons=tuple(reasons), case_status=case_status, hot_categories=tuple(hot_categories))


# --------------------------------------------------------------------------- H1: abbreviations


def test_a_sentence_is_not_cut_after_an_abbreviation_or_an_initial():
    s = extract_summary("Thành phố điều chỉnh học phí từ học kỳ sau",
                        "Chiều qua, HĐND TP. Cần Thơ biểu quyết mức học phí mới cho các trường công lập. "
                        "Mức điều chỉnh bình quân khoảng 8% so với năm học trước.", "")
    assert s.startswith("Chiều qua, HĐND TP. Cần Thơ biểu quyết mức học phí mới"), s
    s = extract_summary("Hiệu phó bị khiển trách vì thu sai",
                        "Theo ThS. Đỗ Văn K, Trưởng phòng Giáo dục, hiệu phó đã bị khiển trách vì thu sai quy định. "
                        "Các khoản thu sai đã được trả lại phụ huynh.", "")
    assert s.startswith("Theo ThS. Đỗ Văn K, Trưởng phòng Giáo dục, hiệu phó đã bị khiển trách"), s
    for text in ("Hội thảo do PGS.TS. Trần Minh H chủ trì có hơn 200 giáo viên tham dự.",
                 "Trường ở Q. Hoàng Mai và P. Định Công được nhắc tên trong báo cáo của đoàn kiểm tra.",
                 "Thị xã TX. Sơn Tây có thêm hai trường đạt chuẩn quốc gia trong học kỳ này.",
                 "Buổi lễ có GS. Lê Văn M, BS. Phạm Thị N và NGƯT. Hoàng Văn P cùng dự.",
                 "Nhà giáo NGND. Vũ Thị Q phát biểu tại lễ kỷ niệm ngày thành lập trường.",
                 "Phụ huynh là bà Nguyễn Thị B. Hà cho biết con bà được hỗ trợ học phí.",
                 "Lớp tập huấn do Th.S. Bùi Văn T hướng dẫn kéo dài ba ngày liền."):
        assert split_sentences(text) == [text], text
    # a real end after an abbreviated place name still ends the sentence
    assert split_sentences("Học sinh đến từ TP.HCM. Các em học lớp 9.") == ["Học sinh đến từ TP.HCM.", "Các em học lớp 9."]


# --------------------------------------------------------------------------- H2: feed problems in words


def test_feed_problems_are_named_in_vietnamese_and_counted_at_the_top():
    raw = ("FetchError: connection problem with http://127.0.0.1:9/rss: ConnectError: All connection attempts failed")
    health = [SourceHealth("a-feed", "Báo A", "https://a.example/rss", "failing", consecutive_failures=4, last_error=raw),
              SourceHealth("b-feed", "Báo B", "https://b.example/rss", "backoff", consecutive_failures=1,
                           last_error="HTTPStatusError: HTTP 503 from https://b.example/rss"),
              SourceHealth("c-feed", "Báo C", "https://c.example/rss", "quiet",
                           last_error="no new item for 9.5 h; usually one every 1.0 h"),
              SourceHealth("d-feed", "Báo D", "https://d.example/rss", "ok"),
              SourceHealth("e-feed", "Báo E", "https://e.example/rss", "disabled", last_error="removed from feeds.yaml")]
    assert source_problem(health[0]) == "không kết nối được máy chủ của báo"
    assert source_problem(health[1]) == "báo trả lỗi (HTTP 503)"
    assert source_problem(health[2]) == "không có tin mới trong 9,5 giờ, trong khi thường 1 giờ có một tin (bất thường)"
    # a busy feed's usual gap is minutes, not "0,1 giờ"
    busy = replace(health[2], last_error="no new item for 7.0 h; usually one every 0.1 h")
    assert source_problem(busy) == "không có tin mới trong 7 giờ, trong khi thường 6 phút có một tin (bất thường)"
    assert "thường vài phút có một tin" in source_problem(replace(busy, last_error="no new item for 0.5 h; usually one every 0.0 h"))
    assert "chặn" in source_problem(replace(health[1], last_error="NotAFeed: x answered with an HTML page, not a feed"))
    assert "HTTP 403" in source_problem(replace(health[1], last_error="HTTPStatusError: HTTP 403 from x"))
    assert "quá thời gian" in source_problem(replace(health[1], last_error="FetchTimeout: timed out fetching x"))
    d = build([article(1, "Trường mở lớp học bơi miễn phí", "Báo D", T0)], {1: cls(1, topics=["y-te-the-chat"])},
              source_health=health)
    assert d.sources_warning == ("Lưu ý: 2/4 nguồn tin bị lỗi, 1/4 nguồn tin im lặng bất thường, "
                                 "điểm báo có thể thiếu tin (chi tiết ở phụ lục VI).")
    for fmt, text in every_format(d).items():
        assert "Lưu ý: 2/4 nguồn tin bị lỗi" in text, fmt
        assert text.index("Lưu ý:") < text.index("II. VẤN ĐỀ NÓNG"), fmt  # in I. TÓM TẮT
        assert "không kết nối được máy chủ của báo" in text and "báo trả lỗi (HTTP 503)" in text, fmt
        assert "ConnectError" not in text and "FetchError" not in text and "no new item" not in text, fmt
    assert "phụ lục" not in build([article(1, "Trường mở lớp học bơi", "Báo D", T0)], {1: cls(1)}).sources_warning


# --------------------------------------------------------------------------- H3: hot by the model alone


def test_a_story_hot_by_the_model_alone_says_so_with_what_kind_of_issue_it_is():
    assert model_only_reason(0.78, "Học phí, các khoản thu") == (
        "Hệ thống đánh giá có khả năng là vấn đề nóng (78%), chưa thấy dấu hiệu cụ thể — chủ đề: Học phí, các khoản thu")
    assert model_only_reason(0.78, tone="Tiêu cực").endswith("— sắc thái: tiêu cực")
    # review 2, N7: no "(20%)" below even odds, which reads as "80% not hot"
    assert model_only_reason(0.2, "Quy hoạch, sắp xếp trường lớp") == (
        "Hệ thống đánh giá cần theo dõi thêm, chưa thấy dấu hiệu cụ thể của vấn đề nóng — chủ đề: Quy hoạch, sắp xếp "
        "trường lớp")
    assert "%" not in model_only_reason(0.49) and "(50%)" in model_only_reason(0.5)
    # the topic from the classifier's own lines when the caller names none (a lone article)
    assert display_reasons(["chủ đề hoc-phi-thu-chi 0.71: học phí", "nóng 0.64: theo mô hình", "sắc thái negative 0.8"],
                           model_only=0.64) == (
        "Hệ thống đánh giá có khả năng là vấn đề nóng (64%), chưa thấy dấu hiệu cụ thể — chủ đề: Học phí, các khoản thu",)
    # a sign anywhere in the story: the signs are the reason
    assert display_reasons(["nóng 0.78: theo mô hình", "nóng 0.6: bạo lực, xâm hại (đánh (title))"], model_only=0.78,
                           hot_categories=(HotCategory("bao-luc", "bạo lực, xâm hại"),)) == ("Dấu hiệu: bạo lực, xâm hại",)
    arts = [article(1, "Phụ huynh kêu giá đồng phục tăng mạnh", "Báo A", T0)]
    st = story(5, arts, severity="theo dõi", score=58, reasons=("nóng 0.78: theo mô hình", "Sắc thái tiêu cực (1/1 báo)"))
    # hot by the model alone (no category behind it), scored before triage said so among the story's reasons
    d = build(arts, {1: cls(1, topics=["hoc-phi-thu-chi"], sentiment="negative", hot=True, hot_score=0.78,
                            hot_categories=())}, stories={1: st})
    assert d.hot.items[0].reasons == (
        "Hệ thống đánh giá có khả năng là vấn đề nóng (78%), chưa thấy dấu hiệu cụ thể — chủ đề: Học phí, các khoản thu",
        "Sắc thái tiêu cực (1/1 báo)")


def test_triage_gives_the_model_alone_reason_the_alerts_show(tmp_path):
    from classifiers.types import Classification
    from monitor.triage import SIGNAL_LABELS, score_story

    app = make_app(tmp_path)
    now = app.now()
    c = Classification(id="1", is_education=True, relevance=0.9, topics=("hoc-phi-thu-chi", "chinh-sach"),
                       topic_scores={"hoc-phi-thu-chi": 0.9, "chinh-sach": 0.6}, sentiment="negative", hot=True,
                       hot_score=0.78, scope="national", reasons=("nóng 0.78: theo mô hình",), model_version="t",
                       hot_categories=())
    member = {"id": 1, "outlet": "Báo A", "title": "Phụ huynh kêu giá đồng phục tăng", "sapo": "", "when": now,
              "reprint": False, "url": "https://example.vn/1"}
    s = score_story(app.config, [member], {1: c}, now, 1.0)
    line = ("Hệ thống đánh giá có khả năng là vấn đề nóng (78%), chưa thấy dấu hiệu cụ thể — chủ đề: "
            "Học phí, các khoản thu")
    assert line in s.reasons and "Sắc thái tiêu cực (1/1 báo)" in s.reasons
    assert display_reasons(s.reasons, limit=len(s.reasons))[0] == line  # once, first: what the alert says
    assert SIGNAL_LABELS["negativity"] == "Sắc thái tiêu cực" and SIGNAL_LABELS["controversy"] == "Báo chí đưa tin trái chiều"


# --------------------------------------------------------------------------- H7: nothing collected


def test_nothing_collected_is_not_a_quiet_day():
    nothing = build([], {})
    for fmt, text in every_format(nothing).items():
        assert "Hệ thống không thu thập được tin nào trong khoảng thời gian này" in text, fmt
        assert "đề nghị kiểm tra trước khi sử dụng điểm báo" in text and "Không có tin giáo dục" not in text, fmt
    assert subject(nothing, "Điểm báo GD") == "Điểm báo GD 26/11/2026: không thu thập được tin, cần kiểm tra"
    quiet = build([article(1, "Giá xăng giảm nhẹ", "Báo A", T0), article(2, "Trời rét đậm", "Báo B", T0)],
                  {1: cls(1, edu=False), 2: cls(2, edu=False)})
    assert quiet.empty_text == "Không có tin giáo dục trong 24 giờ qua (đã thu thập 2 tin, bài)."
    assert subject(quiet, "Điểm báo GD") == "Điểm báo GD 26/11/2026: không có vấn đề nóng"


def test_a_hot_issue_entered_on_a_day_the_crawl_brought_nothing_leads_the_subject():
    """The crawl failed, yet a person entered a parent's post the evening before: the clipping lists it, and the
    subject (what a phone shows) names it first, the crawl's trouble after it."""
    from monitor.digest import add_outside_press
    from monitor.models import IntakeItem

    item = IntakeItem(id=1, story_id=30, title="Tài khoản mạng xã hội đăng tin học sinh ngộ độc sau bữa trưa",
                      source_kind="mạng xã hội", source="Nhóm phụ huynh", url=None, happened_at=T0, summary="",
                      entered_at=T0, entered_by="chuyenvien")
    story = Story(id=30, title=item.title, first_article_id=0, article_ids=(), outlets=(), first_seen=T0,
                  last_seen=T0, severity="cao", case_status="mới", intake=(item,))
    d = add_outside_press(build([], {}), [(item, story)])
    assert d.nothing_collected and [i.title for i in d.hot.items] == [item.title]
    assert subject(d, "Điểm báo GD") == "Điểm báo GD 26/11/2026: 1 mức cao (1 tại Long Biên); không thu thập được tin, cần kiểm tra"


# --------------------------------------------------------------------------- M1, M6, L4, L13: one item's lines


def test_separators_terms_outlets_and_times_of_a_hot_item_in_every_format():
    arts = [article(1, "Học sinh bị đánh trước cổng trường", "Tiền Phong", T0),
            article(2, "Học sinh bị đánh trước cổng trường", "VnExpress", T0 + timedelta(hours=1))]
    reasons = ("nóng 0.9: bạo lực, xâm hại (đánh (title)); sai phạm, kỷ luật (kỷ luật (body))",
               "Sắc thái tiêu cực (2/2 báo)", "Tin trên địa bàn: Ngọc Thụy, quận Long Biên")
    st = story(3, arts, severity="khẩn cấp", score=81, reasons=reasons,
               hot_categories=(HotCategory("bao-luc", "bạo lực, xâm hại"), HotCategory("vi-pham", "sai phạm, kỷ luật")))
    c = {i: cls(i, topics=["an-toan-truong-hoc", "doi-ngu"], sentiment="negative", scope="local") for i in (1, 2)}
    d = build(arts, c, stories={1: st, 2: st})
    signs = "Dấu hiệu: bạo lực, xâm hại / sai phạm, kỷ luật"
    # each topic quoted as the report names one (its own name may hold a comma or a semicolon), commas between
    topics = "“An ninh, an toàn trường học”, “Đội ngũ nhà giáo, cán bộ quản lý; sắp xếp cơ sở giáo dục”"
    for fmt, text in every_format(d).items():
        assert signs in text and topics in text, fmt
        assert "mức độ nóng 81/100" in text and "điểm nóng" not in text and "Mức độ:" not in text, fmt
        assert "Tiền Phong (và 1 báo khác: VnExpress)" in text and "+1" not in text, fmt
        assert "20:00 ngày 25/11/2026" in text, fmt
        assert "Giọng điệu" not in text, fmt
    page = every_format(d)["html"]
    assert "Lý do:<br>– Dấu hiệu" in page and "<br>– Sắc thái tiêu cực (2/2 báo)" in page  # one reason a line
    paragraphs = [p.text for p in Document(io.BytesIO(render_docx(d))).paragraphs]
    assert f"– {signs}" in paragraphs and "– Sắc thái tiêu cực (2/2 báo)" in paragraphs


# --------------------------------------------------------------------------- M2: a follow-up of an earlier issue


def test_a_hot_story_close_to_an_earlier_case_says_which_issue_it_may_continue():
    arts = [article(1, "Nam sinh bị đánh hội đồng", "Báo A", T0),
            article(2, "Quận yêu cầu xử lý nghiêm vụ nam sinh bị đánh", "Báo B", T0 + timedelta(hours=3))]
    stories = {1: story(11, arts[:1], severity="khẩn cấp", score=80), 2: story(12, arts[1:], score=70)}
    d = build(arts, {i: cls(i, sentiment="negative") for i in (1, 2)}, stories=stories)
    noted = note_follow_ups(d, {12: [(7, 11, "Nam sinh bị đánh hội đồng")]})
    assert noted.hot.items[1].follows == "Có thể là diễn biến tiếp của vấn đề số 1 (hồ sơ số 7)"
    assert noted.hot.items[0].follows == ""
    elsewhere = note_follow_ups(d, {12: [(4, 99, "Vụ việc tuần trước")]})
    assert elsewhere.hot.items[1].follows == "Có thể là diễn biến tiếp của vụ việc đã có hồ sơ số 4: Vụ việc tuần trước"
    for fmt, text in every_format(noted).items():
        assert "Có thể là diễn biến tiếp của vấn đề số 1 (hồ sơ số 7)" in text, fmt


def test_a_follow_up_of_an_issue_of_the_same_clipping_is_counted_once_in_the_summary_and_the_subject():
    """Review 2, N6: part II keeps both items, the figures count the incident once and say the follow-up apart."""
    arts = [article(1, "Nam sinh bị đánh hội đồng", "Báo A", T0),
            article(2, "Quận yêu cầu xử lý nghiêm vụ nam sinh bị đánh", "Báo B", T0 + timedelta(hours=3)),
            article(3, "Trường thu sai khoản quỹ lớp", "Báo C", T0 + timedelta(hours=4))]
    stories = {1: story(11, arts[:1], severity="khẩn cấp", score=80), 2: story(12, arts[1:2], score=70),
               3: story(13, arts[2:], severity="theo dõi", score=45)}
    c = {1: cls(1, sentiment="negative", scope="local"), 2: cls(2, sentiment="negative", scope="local"),
         3: cls(3, sentiment="negative")}
    d = build(arts, c, stories=stories)
    assert (d.summary.hot_stories, d.summary.hot_local) == (3, 2)
    noted = note_follow_ups(d, {12: [(7, 11, "Nam sinh bị đánh hội đồng")]})
    s = noted.summary
    assert len(noted.hot.items) == 3 and (s.hot_issues, s.follow_ups, s.hot_local) == (2, 1, 1)
    assert s.hot_text == "2 (khẩn cấp 1, theo dõi 1), 1 tin diễn biến tiếp (mục 1a)"
    # part II numbers the issues the summary counts, the follow-up under its issue (clerk journey, finding 14)
    assert [(i.number, i.story_id) for i in noted.hot.items] == [("1", 11), ("1a", 12), ("2", 13)]
    assert subject(noted, "Điểm báo GD") == ("Điểm báo GD 26/11/2026: 1 khẩn cấp, 1 cần theo dõi (1 tại Long Biên), "
                                              "1 tin diễn biến tiếp")
    for fmt, text in every_format(noted).items():
        assert "1 tin diễn biến tiếp (mục 1a)" in text, fmt
        assert re.search(r"\b1a\. ", text) and not re.search(r"\b3\. ", text.split("TIN TRÊN ĐỊA BÀN")[0]), fmt
    # a follow-up of an earlier clipping's case is a new item of this one: counted as before
    elsewhere = note_follow_ups(d, {12: [(4, 99, "Vụ việc tuần trước")]})
    assert (elsewhere.summary.hot_issues, elsewhere.summary.follow_ups) == (3, 0)
    assert "diễn biến tiếp" not in subject(elsewhere, "Điểm báo GD")


def test_the_store_backed_clipping_finds_the_earlier_case(tmp_path):
    app = make_app(tmp_path)
    store = app.store
    end = digest_window(DAY, "07:00", TZ)[1]
    first = add_article(store, url="https://news.example.vn/danh-1.html", outlet="Tiền Phong",
                        title="Nam sinh lớp 8 ở Ngọc Thụy bị nhóm bạn đánh hội đồng gần cổng trường",
                        sapo="Một nam sinh lớp 8 ở phường Ngọc Thụy bị bốn bạn chặn xe, đấm đá; video lan truyền trên mạng.",
                        published=end - timedelta(hours=15))
    later = add_article(store, url="https://news.example.vn/danh-2.html", outlet="Dân trí",
                        title="Quận yêu cầu xử lý nghiêm vụ nam sinh lớp 8 ở Ngọc Thụy bị nhóm bạn đánh",
                        sapo="Phòng Giáo dục yêu cầu nhà trường báo cáo vụ nam sinh lớp 8 ở phường Ngọc Thụy bị nhóm bạn "
                             "đánh hội đồng, video lan truyền trên mạng.",
                        published=end - timedelta(hours=2))
    classify(store, [(a, dict(topics=["an-toan-truong-hoc"], sentiment="negative", hot=True, hot_score=0.9, scope="local"))
                     for a in (first, later)])
    for aid, sev, score in ((first, "khẩn cấp", 81.0), (later, "cao", 70.0)):
        sid = store.create_story(aid, NOW)
        store.save_story_score(sid, NOW, main_topic="an-toan-truong-hoc", n_outlets=1, hot_score=score, severity=sev,
                               reasons=["nóng 0.9: bạo lực, xâm hại (đánh (title))"], explanation={})
        store.open_case(sid, NOW)
    from monitor.digest_delivery import load_digest

    d = load_digest(app, DAY)
    assert [i.article_id for i in d.hot.items] == [first, later]
    first_case = store.case_of_story(d.hot.items[0].story_id).id
    assert d.hot.items[1].follows == f"Có thể là diễn biến tiếp của vấn đề số 1 (hồ sơ số {first_case})"
    assert d.hot.items[0].follows == "", "the earlier issue does not continue its own follow-up"


# --------------------------------------------------------------------------- M3, M5: subject and summary counts


def test_subject_and_summary_give_the_levels_and_the_district():
    arts = [article(i, f"Sự việc số {i} ở trường học", "Báo A", T0 + timedelta(minutes=i)) for i in (1, 2, 3, 4)]
    arts.append(article(5, "Sự việc số 4 ở trường học, đưa lại", "Báo B", T0 + timedelta(minutes=9)))
    stories = {1: story(1, arts[:1], severity="theo dõi", score=50), 2: story(2, arts[1:2], severity="khẩn cấp", score=85),
               3: story(3, arts[2:3], severity="cao", score=70), 4: story(4, [arts[3], arts[4]], severity="cao", score=66),
               5: story(4, [arts[3], arts[4]], severity="cao", score=66)}
    c = {i: cls(i, sentiment="negative", scope="local" if i in (3, 4, 5) else "national") for i in range(1, 6)}
    d = build(arts, c, stories=stories)
    assert subject(d, "Điểm báo GD") == "Điểm báo GD 26/11/2026: 1 khẩn cấp, 2 mức cao, 1 cần theo dõi (2 tại Long Biên)"
    unrated = build(arts[:1], {1: cls(1, hot=True, hot_score=0.8, sentiment="negative")})  # no story rated by triage
    assert unrated.summary.hot_text == "1 (chưa xếp mức 1)"
    assert d.summary.hot_text == "4 (khẩn cấp 1, cao 2, theo dõi 1)"
    assert d.summary.local_text == "2 (3 tin, bài)"
    for fmt, text in every_format(d).items():
        if fmt == "html":  # figures in boxes, the words under them
            assert ">4</div><div style=\"font-size:12px;color:#475467;\">vấn đề nóng<br>(khẩn cấp 1, cao 2, theo dõi 1)" in text
            assert ">2</div><div style=\"font-size:12px;color:#475467;\">sự việc trên địa bàn<br>(3 tin, bài)" in text
            continue
        assert re.search(r"Vấn đề nóng: (\*\*)?4(\*\*)? \(khẩn cấp 1, cao 2, theo dõi 1\)", text), fmt
        assert re.search(r"Sự việc trên địa bàn( quận Long Biên)?: (\*\*)?2(\*\*)? \(3 tin, bài\)", text), fmt
        assert "Tin trên địa bàn:" not in text.split("II. VẤN ĐỀ NÓNG")[0], fmt


# --------------------------------------------------------------------------- M10: relative time words


def test_relative_time_words_take_the_articles_date_in_a_later_clipping():
    published = datetime(2026, 11, 25, 12, 30, tzinfo=TZ)
    text = ("Trên đường tan học trưa nay, em bị chặn xe. Sáng nay (25/11), trường họp phụ huynh. "
            "Đêm qua trời mưa to. Trong ngày hôm nay sẽ có kết luận. Tối nay đoàn kiểm tra làm việc.")
    assert dated_relative_words(text, published, date(2026, 11, 26)) == (
        "Trên đường tan học trưa 25/11, em bị chặn xe. Sáng 25/11, trường họp phụ huynh. "
        "Đêm 24/11 trời mưa to. Trong ngày 25/11 sẽ có kết luận. Tối 25/11 đoàn kiểm tra làm việc.")
    assert dated_relative_words(text, published, date(2026, 11, 25)) == text  # read the same day: as written
    arts = [article(1, "Học sinh bị chặn xe trên đường tan học", "Báo A", published,
                    sapo="Trên đường tan học trưa nay, một học sinh lớp 7 bị nhóm thanh niên chặn xe. "
                         "Chiều cùng ngày, công an phường đã vào cuộc xác minh.")]
    d = build(arts, {1: cls(1, topics=["an-toan-truong-hoc"])})
    shown = [i for s in d.all_sections for i in s.items][0]
    assert "trưa 25/11" in shown.summary and "trưa nay" not in shown.summary


# --------------------------------------------------------------------------- M12: Markdown


def test_markdown_lines_break_hard_and_continue_under_a_two_digit_marker():
    arts = [article(i, f"Tin thứ {i} của Phòng GD&ĐT", "Giáo dục & Thời đại", T0 + timedelta(minutes=i),
                    sapo=f"Câu tóm tắt thứ {i} nói về một hoạt động của Phòng GD&ĐT trong tuần này.") for i in range(1, 12)]
    d = build(arts, {i: cls(i, topics=["chinh-sach"]) for i in range(1, 12)})
    md = render_markdown(d)
    assert "&amp;" not in md and "Phòng GD&ĐT" in md and "Giáo dục & Thời đại" in md
    lines = md.splitlines()
    ten = next(n for n, line in enumerate(lines) if line.startswith("10. "))
    block = lines[ten + 1:lines.index("", ten + 2) + 1 + 4]
    continuation = [line for line in block if line.strip()]
    assert continuation and all(line.startswith("    ") and not line.startswith("     ") for line in continuation[:2])
    # every line of an item is its own paragraph: a single line break would run them together
    assert lines[ten + 1] == "" and lines[ten + 2].startswith("    Giáo dục & Thời đại")
    assert "**Phòng Giáo dục và Đào tạo quận Long Biên**\\" in md  # a hard break under the office


# --------------------------------------------------------------------------- M13, L5: numbers


def test_thousands_and_averages_in_vietnamese_style_in_every_format():
    d = build([article(1, "Trường mở lớp học bơi miễn phí", "Báo A", T0)], {1: cls(1, topics=["y-te-the-chat"])})
    big = replace(d, summary=replace(d.summary, articles=12345, education=2345, stories=1234,
                                     previous_average=1500.0, change_percent=56.3))
    assert big.summary.change_text == "tăng 56% so với trung bình 7 ngày trước (1.500 tin, bài mỗi ngày)"
    for fmt, text in every_format(big).items():
        assert "2.345" in text and "12.345" in text and "1.234" in text, fmt
        assert "1500" not in text and "1.500,0" not in text, fmt
    few = replace(d.summary, education=9, previous_average=1.6, change_percent=462.5)
    assert few.change_text == "9 tin, bài (trung bình 7 ngày trước: 1,6 tin, bài mỗi ngày)"


# --------------------------------------------------------------------------- L1, L6, L7: footer and topic part


def test_footer_other_news_title_and_topic_counts_note():
    arts = [article(1, "Trường mở lớp học bơi miễn phí", "Báo A", T0), article(2, "Lịch nghỉ Tết của sinh viên", "Báo B", T0)]
    d = build(arts, {1: cls(1, topics=["y-te-the-chat"]), 2: cls(2, topics=[])})
    assert d.other.title == "Tin giáo dục khác (ngoài các chủ đề trên)"
    footer = "Điểm báo do hệ thống theo dõi báo chí của Phòng GD&ĐT quận Long Biên tổng hợp tự động lúc 07:30 ngày 26/11/2026."
    for fmt, text in every_format(d).items():
        assert footer in text and " bởi " not in text and "do máy" not in text, fmt
        assert "Tin giáo dục khác (ngoài các chủ đề trên) (1)" in text, fmt
        assert "số trong ngoặc là số sự việc của chủ đề chưa nêu ở các mục khác" in text, fmt


def test_relative_time_words_are_whole_words_and_a_text_read_later_is_always_dated():

    written = datetime(2026, 11, 24, 20, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    clipping_day = date(2026, 11, 25)
    for text in ("Việc này có ý nghĩa tối quan trọng với nhà trường.", "Đêm quan sát thiên văn thu hút học sinh.",
                 "Hôm quay phim, cả lớp được nghỉ.", "Hiện nay, năm nay và ngày nay vẫn thế."):
        assert dated_relative_words(text, written, clipping_day) == text
        assert dated_relative_words(text, written) == text
    assert dated_relative_words("Tối nay, phụ huynh họp.", written, date(2026, 11, 24)) == "Tối nay, phụ huynh họp."
    # without the reader's day (an alert held overnight, the monthly report): dated even on the article's own day
    assert dated_relative_words("Tối nay, phụ huynh họp.", written) == "Tối 24/11, phụ huynh họp."


def test_an_alert_held_overnight_does_not_say_tonight():
    from monitor.notify import alert_summary

    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    member = {"title": "Phụ huynh phản ánh trường thu tiền trái quy định",
              "sapo": "Tối nay, nhiều phụ huynh Trường Tiểu học Hoa Sữa phản ánh khoản thu trái quy định đầu năm học.",
              "when": datetime(2026, 11, 24, 14, 40, tzinfo=timezone.utc)}
    assert alert_summary([member], tz).startswith("Tối 24/11, nhiều phụ huynh")


# --------------------------------------------------------------------------- review 2, N2: a Sở's own city


def so_office():
    return replace(office(), name="Sở Giáo dục và Đào tạo thành phố Hà Nội", short_name="Sở GD&ĐT Hà Nội",
                   district="Hà Nội", city="Hà Nội")


def test_a_sos_clipping_lists_a_story_of_its_city_under_its_area_and_counts_it():
    arts = [article(1, "Trường tiểu học ở Long Biên khánh thành nhà đa năng", "Báo A", T0),
            article(2, "Tỉnh bạn tuyển thêm giáo viên tiếng Anh", "Báo B", T0 + timedelta(hours=1)),
            article(3, "Nam sinh lớp 8 ở Long Biên bị nhóm bạn đánh", "Báo C", T0 + timedelta(hours=2))]
    c = {1: cls(1, topics=["co-so-vat-chat"], sentiment="positive", scope="city"),
         2: cls(2, topics=["doi-ngu"], scope="national"),
         3: cls(3, topics=["an-toan-truong-hoc"], sentiment="negative", scope="city")}
    hot = {3: story(13, arts[2:], severity="khẩn cấp", score=81)}

    def digest(o):
        return build_digest(office=o, day=DAY, window=digest_window(DAY, "07:00", TZ), articles=arts,
                            classifications=c, stories=hot, generated_at=NOW)

    so = digest(so_office())
    assert so.local.title == "Tin trên địa bàn thành phố Hà Nội"
    assert [i.article_id for i in so.local.items] == [1]
    assert (so.summary.local_stories, so.summary.hot_local) == (2, 1)
    assert "(1 tại Hà Nội)" in subject(so, "Điểm báo GD")
    # a Phòng reads the same stories as the city's, not its district's: unchanged
    phong = digest(office())
    assert phong.local.items == () and (phong.summary.local_stories, phong.summary.hot_local) == (0, 0)


def test_a_topic_beyond_the_plan_is_not_passed_off_as_one_of_the_plans():
    """topics.md: "Học phí, các khoản thu" is watched "beyond the plan's list"; the clipping's part IV is headed
    "theo chủ đề của kế hoạch truyền thông", so its section says it is not the plan's, and the "other" section,
    which follows it, no longer claims to hold every article outside the plan's topics."""
    arts = [article(1, "Phụ huynh phản ánh khoản thu quỹ lớp đầu năm", "Báo A", T0),
            article(2, "Trường mở lớp học bơi miễn phí", "Báo B", T0)]
    d = build(arts, {1: cls(1, topics=["hoc-phi-thu-chi"]), 2: cls(2, topics=["y-te-the-chat"])})
    titles = [s.title for s in d.topic_sections]
    assert titles == ["Y tế trường học, thể chất, dinh dưỡng", "Học phí, các khoản thu (theo dõi thêm, ngoài kế hoạch)"]
    for fmt, text in every_format(d).items():
        assert "Học phí, các khoản thu (theo dõi thêm, ngoài kế hoạch) (1)" in text, fmt


def test_a_sos_story_is_its_citys_when_a_reprint_names_the_city():
    # the Sở reads a mention of its city as "city" (classifiers.scope): one reprint naming it makes the story the
    # Sở's, as a reprint naming the district makes it a Phòng's
    arts = [article(1, "Một trường tiểu học khánh thành nhà đa năng", "Báo A", T0),
            article(2, "Trường tiểu học ở Hà Nội khánh thành nhà đa năng", "Báo B", T0 + timedelta(hours=1))]
    c = {1: cls(1, topics=["co-so-vat-chat"], scope="national"), 2: cls(2, topics=["co-so-vat-chat"], scope="city")}
    grouped = dict.fromkeys((1, 2), story(11, arts, severity=None, score=10))

    def digest(o):
        return build_digest(office=o, day=DAY, window=digest_window(DAY, "07:00", TZ), articles=arts,
                            classifications=c, stories=grouped, generated_at=NOW)

    so = digest(so_office())
    assert [i.article_id for i in so.local.items] == [1] and so.summary.local_stories == 1
    assert digest(office()).local.items == ()  # the city is not a Phòng's district
