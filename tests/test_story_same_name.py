"""One incident told in different words on the same days: two articles judged hot that name the same school, commune
or person (monitor.stories.specific_names) and a kind of incident join one story under the cosine threshold, so
leadership is alerted once; two schools' incidents, a Sở's many announcements, an article not judged hot stay apart.
A news round-up never opens a hot story of its own (nor alerts), and joins the story of the item it tells.
All text invented."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from monitor.stories import SAME_EVENT_COSINE, Doc, Idf, StoryIndex, is_round_up, specific_names
from monitor.triage import run_triage
from test_triage_support import (EXAM_SAPO, EXAM_TITLE, FEE_SAPO, FEE_TITLE, FIGHT_SAPO, FIGHT_TITLE, Cls, add_article,
                                 add_background, make_app)

WINDOW = timedelta(hours=72)
POISON = frozenset({"ngộ độc, dịch bệnh"})
VIOLENCE = frozenset({"bạo lực, xâm hại"})

# the incident, then the parents' side the next day in other words
MEAL = ("Hơn 30 học sinh Trường Tiểu học Hòa Phong nhập viện sau bữa trưa bán trú",
        "Trưa 12/3, sau khi ăn cơm gà tại bếp bán trú, nhiều học sinh có biểu hiện nôn, đau bụng, sốt và được đưa đi "
        "cấp cứu.")
PARENTS = ("Phụ huynh Trường Tiểu học Hòa Phong đòi công khai hợp đồng với đơn vị cung cấp suất ăn",
           "Chiều 13/3, hàng chục cha mẹ tập trung trước cổng trường yêu cầu ban giám hiệu giải trình việc chọn nhà "
           "cung cấp và chi phí mỗi suất.")
# another school of the same province, the same kind of incident, the same days
OTHER_SCHOOL = ("Phụ huynh Trường Tiểu học Tân Lập đòi công khai hợp đồng với đơn vị cung cấp suất ăn",
                "Chiều 13/3, hàng chục cha mẹ tập trung trước cổng trường yêu cầu ban giám hiệu giải trình việc chọn "
                "nhà cung cấp và chi phí mỗi suất.")
# the Sở speaks of many things on the same days: its name singles out none
SO_NOTICE = ("Sở GD&ĐT TP.HCM yêu cầu rà soát hợp đồng suất ăn bán trú toàn thành phố",
             "Các trường phải báo cáo nhà cung cấp, giá mỗi suất và kết quả kiểm tra an toàn thực phẩm trước ngày 20/3.")
SO_OTHER = ("Sở GD&ĐT TP.HCM đề nghị kỷ luật giáo viên đánh học sinh lớp 4",
            "Giáo viên bị phản ánh dùng thước đánh vào tay học sinh trong giờ học, gây bầm tím.")
ROUND_UP = ("Xem nhanh 20h ngày 13.3: Phụ huynh Trường Tiểu học Hòa Phong bức xúc | Giá xăng giảm lần thứ ba",
            "Những tin đáng chú ý trong ngày: cha mẹ học sinh đòi giải trình về suất ăn; giá xăng dầu giảm từ 15 giờ.")
PETROL = ("Giá xăng dầu giảm lần thứ ba liên tiếp từ 15 giờ chiều nay",
          "Liên bộ Công Thương, Tài chính điều chỉnh giá xăng dầu, xăng RON 95 giảm hơn 300 đồng mỗi lít.")


# the ward's lower-secondary school, which shares the primary school's name: another incident of the same kind
NEIGHBOUR = ("Nhiều học sinh Trường THCS Hòa Phong đau bụng sau khi uống sữa phát ở lớp",
             "Sáng 14/3, 12 học sinh lớp 8 được đưa đến trạm y tế phường; nhà trường đã niêm phong số sữa còn lại.")


def _idf() -> Idf:
    background = [f"{t} {s} {k}" for k in range(20) for t, s in
                  ((FIGHT_TITLE, FIGHT_SAPO), (FEE_TITLE, FEE_SAPO), (EXAM_TITLE, EXAM_SAPO))]
    return Idf(background + [" ".join(MEAL), " ".join(PARENTS), " ".join(OTHER_SCHOOL)])


T0 = datetime(2026, 3, 12, 12, tzinfo=timezone.utc)


def _doc(k: int, text: tuple[str, str], hours: float = 0, hot: frozenset[str] | None = POISON) -> Doc:
    return Doc(k, "Báo Tin tức", T0 + timedelta(hours=hours), " ".join(text), hot)


def _index(**kw) -> StoryIndex:
    index = StoryIndex(_idf(), WINDOW, **kw)
    index.add(_doc(1, MEAL), story_id=1)
    return index


def test_specific_names_are_a_school_commune_or_person_never_an_institution():
    assert specific_names("Học sinh Trường THCS Đại Kim ở xã Đá Bạc bị cô giáo Lê Thị Hoa phạt quỳ") == {
        "school:thcs dai kim", "place:da bac", "person:le thi hoa"}
    assert specific_names("Sở GD&ĐT TP.HCM, Bộ GD&ĐT và Trường ĐH Y Hà Nội họp về kỳ thi tốt nghiệp THPT Quốc gia") == set()
    assert specific_names("Trường tiểu học TP HCM và Trường THPT chuyên Hà Tĩnh") == {"school:thpt chuyen ha tinh"}
    # a name shortened by the press ends at its initial, whatever sentence follows: one person in both
    assert specific_names("Bị can Lê Văn H. Ngày 5/3, bị can Lê Văn H. (SN 1990) bị bắt") == {"person:le van h"}
    assert specific_names("Ông T.V. Nam, hiệu trưởng") == {"person:t v nam"}
    # a university abbreviated, a school after a role, the country: no person's name
    assert specific_names("Sinh viên ĐH Bách khoa bị lừa, học sinh THCS Đại Kim bị đánh") == {"school:thcs dai kim"}
    assert specific_names("Học sinh Việt Nam bị bắt nạt, sinh viên Việt Nam ở Nhật Bản") == set()


def test_the_same_schools_incident_in_other_words_joins_its_story():
    index = _index()
    later = _doc(2, PARENTS, hours=26)
    assert index.similarity(index.docs[1], later)[0] < SAME_EVENT_COSINE  # by words alone, another story
    match = index.match(later)
    assert match is not None and match.story_id == 1 and match.named == "school:th hoa phong"
    assert _index(same_name=False).match(later) is None


def test_a_schools_level_is_part_of_its_name():
    assert specific_names("Trường Trung học cơ sở Đại Kim") == specific_names("học sinh THCS Đại Kim") == {
        "school:thcs dai kim"}
    assert specific_names("Trường Mẫu giáo Đại Kim") == specific_names("Trường Mầm non Đại Kim") == {"school:mn dai kim"}
    assert specific_names("Trường TH&THCS Đại Kim") == {"school:th dai kim", "school:thcs dai kim"}
    assert specific_names(" ".join(NEIGHBOUR)).isdisjoint(specific_names(" ".join(MEAL)))


def test_another_level_of_school_of_the_same_name_is_another_incident():
    index = _index()  # the primary school's meal
    neighbour = _doc(2, NEIGHBOUR, hours=40)
    assert index.similarity(index.docs[1], neighbour)[0] < SAME_EVENT_COSINE
    assert index.match(neighbour) is None
    # a school of both levels is the primary school's too
    both = _doc(3, (PARENTS[0].replace("Tiểu học", "TH&THCS"), PARENTS[1]), hours=26)
    assert index.match(both) is not None


def test_two_schools_a_so_and_an_article_not_judged_hot_stay_apart():
    index = _index()
    assert index.match(_doc(2, OTHER_SCHOOL, hours=26)) is None  # another school of the province, same kind
    assert index.match(_doc(3, PARENTS, hours=26, hot=None)) is None  # not judged hot
    assert index.match(_doc(4, PARENTS, hours=26, hot=VIOLENCE)) is None  # another kind of incident
    assert index.match(_doc(5, PARENTS, hours=26, hot=frozenset())) is not None  # judged hot by the model alone
    assert index.match(_doc(6, PARENTS, hours=WINDOW.total_seconds() / 3600 + 1)) is None  # past the window
    so = StoryIndex(_idf(), WINDOW)
    so.add(_doc(1, SO_NOTICE), story_id=1)
    assert so.match(_doc(2, SO_OTHER, hours=5, hot=frozenset())) is None


def test_a_round_up_joins_the_story_of_the_item_it_tells_and_carries_no_other_item_in():
    assert is_round_up(" ".join(ROUND_UP)) and not is_round_up(" ".join(PARENTS))
    index = _index()
    rounded = _doc(2, ROUND_UP, hours=30)
    match = index.match(rounded)
    assert match is not None and match.story_id == 1
    index.add(rounded, story_id=1)
    # the petrol price is not the school's story, however like the round-up's other item it is
    assert index.match(_doc(3, PETROL, hours=31, hot=None)) is None


def test_a_round_ups_other_places_carry_no_article_of_theirs_into_its_story():
    # a story of Huế whose second member names no province; a round-up joins it, telling an item of Đà Nẵng too
    hue = ("Hơn 30 học sinh một trường tiểu học ở Huế nhập viện sau bữa trưa bán trú", MEAL[1])
    rounded = ("Xem nhanh 20h ngày 13.3: Học sinh Đà Nẵng thi robot | Học sinh Huế nhập viện", "Những tin trong ngày.")
    da_nang = (MEAL[0] + " tại Đà Nẵng", MEAL[1])
    index = StoryIndex(_idf(), WINDOW)
    index.add(_doc(1, hue, hot=None), story_id=1)
    index.add(_doc(2, MEAL, hours=1, hot=None), story_id=1)
    index.add(_doc(3, rounded, hours=2, hot=None), story_id=1)
    # the place veto holds as it did before the round-up joined
    assert index.match(_doc(4, da_nang, hours=3, hot=None)) is None


def _meal_alerted(tmp_path):
    """(app, the school meal's article, its hot call): the meal incident triaged and alerted once."""
    app = make_app(tmp_path)
    t0 = app.now()
    add_background(app, t0)
    run_triage(app)
    poison = Cls(reasons=("nóng 0.90: ngộ độc, dịch bệnh (nhập viện (title))",))
    meal = add_article(app, "VnExpress", "meal", *MEAL, t0 - timedelta(hours=3), poison)
    assert len(run_triage(app).alerts_queued) == 1
    return app, meal, poison


def test_triage_alerts_once_for_a_schools_incident_and_its_parents_side_told_apart(tmp_path):
    app, meal, poison = _meal_alerted(tmp_path)
    app.clock.advance(hours=20)
    parents = add_article(app, "Thanh Niên", "parents", *PARENTS, app.now() - timedelta(hours=1), poison)
    second = run_triage(app)
    assert app.store.story_of_article(parents) == app.store.story_of_article(meal)
    assert second.new_stories == 0 and second.cases_opened == []


def test_an_incident_at_the_ward_school_of_another_level_alerts_on_its_own(tmp_path):
    app, meal, poison = _meal_alerted(tmp_path)
    app.clock.advance(hours=40)
    milk = add_article(app, "Thanh Niên", "milk", *NEIGHBOUR, app.now() - timedelta(hours=1), poison)
    second = run_triage(app)
    assert app.store.story_of_article(milk) != app.store.story_of_article(meal)
    assert second.new_stories == 1 and len(second.alerts_queued) == 1


def test_a_round_up_alone_opens_no_case_and_queues_no_alert(tmp_path):
    app = make_app(tmp_path)
    t0 = app.now()
    rounded = add_article(app, "VnExpress", "round-up", *ROUND_UP, t0 - timedelta(hours=1))
    report = run_triage(app)
    story = app.store.story_of_article(rounded)
    assert story is not None  # grouped, so the clipping lists it
    assert report.alerts_queued == [] and report.cases_opened == []
