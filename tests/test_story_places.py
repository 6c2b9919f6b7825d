"""Story grouping and places: two articles placed in different provinces are not one story by similarity alone
(monitor.stories.apart); a reprint naming the same province, or no province, still joins; a national story naming
several provinces still gathers its reprints. All text invented."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from classifiers.scope import provinces_named
from monitor.stories import Doc, Idf, StoryIndex
from monitor.triage import run_triage
from test_triage_support import FIGHT_SAPO, FIGHT_TITLE, Cls, add_article, add_background, make_app

PLAN = Cls(hot_score=0.1, sentiment="neutral", scope="city", topics=("thi-cu",), reasons=())

DN_TITLE = "Sở GD&ĐT Đà Nẵng công bố dự kiến phương án tuyển sinh lớp 10 năm 2027"
DN_SAPO = ("Theo dự thảo, thí sinh thi ba môn toán, ngữ văn, tiếng Anh; điểm xét tuyển là tổng điểm ba bài thi "
           "cộng điểm ưu tiên, học sinh góp ý dự thảo đến hết tháng 12.")
HN_TITLE = "Hà Nội dự kiến giữ thi ba môn vào lớp 10 năm 2027"
HN_SAPO = ("Theo dự thảo phương án tuyển sinh lớp 10, thí sinh thi ba môn toán, ngữ văn, tiếng Anh; điểm xét "
           "tuyển là tổng điểm ba bài thi cộng điểm ưu tiên.")
# the same plan told again by another outlet, calling the capital by another of its names
HN_REPRINT_TITLE = "Thủ đô dự kiến giữ thi ba môn vào lớp 10 năm 2027"
# a national round-up naming no province: close to both
ROUNDUP_TITLE = "Nhiều nơi dự kiến giữ thi ba môn vào lớp 10 năm 2027"
ROUNDUP_SAPO = ("Dự thảo phương án tuyển sinh lớp 10: thí sinh thi ba môn toán, ngữ văn, tiếng Anh, điểm xét tuyển "
                "là tổng điểm ba bài thi cộng điểm ưu tiên.")
NATIONAL_TITLE = "Hà Nội, TP.HCM và Đà Nẵng cùng giữ thi ba môn vào lớp 10 năm 2027"
NATIONAL_SAPO = ("Ba địa phương lớn đều dự kiến thi toán, ngữ văn, tiếng Anh; Bộ GD&ĐT đề nghị công bố phương án "
                 "trước ngày 31/12.")


def test_the_provinces_an_article_names():
    assert provinces_named(f"{DN_TITLE} {DN_SAPO}") == {"Đà Nẵng"}
    assert provinces_named(HN_TITLE) == provinces_named(HN_REPRINT_TITLE) == {"Hà Nội"}  # "Thủ đô" is Hà Nội
    assert provinces_named("Học sinh Hội An nghỉ học tránh lũ") == {"Đà Nẵng"}  # a former province's city
    assert provinces_named(NATIONAL_TITLE) == {"Hà Nội", "Hồ Chí Minh", "Đà Nẵng"}
    # namesakes are no place: a school, a scholarship, the Youth Union, an ocean
    assert provinces_named("Trường THCS Bình Thuận nhận học bổng Nguyễn Thái Bình, Đoàn TNCS Hồ Chí Minh "
                           "phát động, chuyến đi Thái Bình Dương, phó hiệu trưởng Đỗ Thị Hồng Huế") == frozenset()


def test_one_provinces_plan_is_not_joined_to_anothers_told_in_the_same_words(tmp_path):
    # a Sở of Đà Nẵng's walkthrough: Hà Nội's plan joined its own, and its report listed it as Đà Nẵng's
    app = make_app(tmp_path)
    t0 = app.now() - timedelta(hours=10)
    add_background(app, t0)
    dn = add_article(app, "Thanh Niên", "dn-lop10", DN_TITLE, DN_SAPO, t0, PLAN)
    hn = add_article(app, "Tuổi Trẻ", "hn-lop10", HN_TITLE, HN_SAPO, t0 + timedelta(hours=2), PLAN)
    hn2 = add_article(app, "VnExpress", "hn-lop10-2", HN_REPRINT_TITLE, HN_SAPO, t0 + timedelta(hours=3), PLAN)
    run_triage(app)
    s = app.store.story_of_article
    assert s(dn) != s(hn)
    assert s(hn) == s(hn2)  # a reprint placed in the same province, under another of its names, stays one story
    assert app.store.story(s(dn)).article_ids == (dn,)


def test_a_third_article_naming_no_province_does_not_chain_two_provinces_into_one_story(tmp_path):
    app = make_app(tmp_path)
    t0 = app.now() - timedelta(hours=10)
    add_background(app, t0)
    dn = add_article(app, "Thanh Niên", "dn-lop10", DN_TITLE, DN_SAPO, t0, PLAN)
    roundup = add_article(app, "VnExpress", "roundup", ROUNDUP_TITLE, ROUNDUP_SAPO, t0 + timedelta(hours=1), PLAN)
    hn = add_article(app, "Tuổi Trẻ", "hn-lop10", HN_TITLE, HN_SAPO, t0 + timedelta(hours=2), PLAN)
    run_triage(app)
    s = app.store.story_of_article
    assert s(roundup) == s(dn)  # naming no province, it is left to similarity
    assert s(hn) != s(dn)  # Hà Nội's plan is closest to the round-up, but the story is Đà Nẵng's


def test_a_national_story_naming_several_provinces_still_gathers_its_reprints(tmp_path):
    app = make_app(tmp_path)
    t0 = app.now() - timedelta(hours=10)
    add_background(app, t0)
    first = add_article(app, "Thanh Niên", "national", NATIONAL_TITLE, NATIONAL_SAPO, t0, PLAN)
    copy = add_article(app, "VnExpress", "national-2", "Clip: " + NATIONAL_TITLE, NATIONAL_SAPO, t0 + timedelta(hours=1), PLAN)
    # a rewrite naming only one of its provinces shares it, and one naming none says nothing against it
    one = add_article(app, "Tuổi Trẻ", "national-3", "TP.HCM cùng Hà Nội, Đà Nẵng giữ thi ba môn vào lớp 10 năm 2027",
                      "Các địa phương dự kiến thi toán, ngữ văn, tiếng Anh; Bộ GD&ĐT đề nghị công bố phương án trước "
                      "ngày 31/12.", t0 + timedelta(hours=2), PLAN)
    none = add_article(app, "VnExpress", "national-4", "Ba địa phương lớn cùng giữ thi ba môn vào lớp 10 năm 2027",
                       NATIONAL_SAPO, t0 + timedelta(hours=3), PLAN)
    run_triage(app)
    s = app.store.story_of_article
    assert s(first) == s(copy) == s(one) == s(none)


def test_two_provinces_notices_written_from_one_template_are_no_reprint_of_each_other():
    # near-copies by their characters, yet two events
    t0 = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)
    texts = {1: f"{DN_TITLE} {HN_SAPO}", 2: f"{DN_TITLE.replace('Đà Nẵng', 'Cần Thơ')} {HN_SAPO}",
             3: f"{DN_TITLE.replace('Đà Nẵng', 'Quảng Nam (cũ)')} {HN_SAPO}"}
    index = StoryIndex(Idf([f"{FIGHT_TITLE} {FIGHT_SAPO} {k}" for k in range(30)] + list(texts.values())),
                       timedelta(hours=72))
    index.add(Doc(1, "Thanh Niên", t0, texts[1]), story_id=1)
    assert index.similarity(Doc(1, "", t0, texts[1]), Doc(2, "", t0, texts[2]))[1] >= index.reprint_jaccard
    assert index.match(Doc(2, "VnExpress", t0 + timedelta(hours=1), texts[2])) is None
    assert index.vetoed >= 1
    # the former Quảng Nam is Đà Nẵng since 1/7/2025: the same place
    m = index.match(Doc(3, "VnExpress", t0 + timedelta(hours=1), texts[3]))
    assert m is not None and m.story_id == 1
