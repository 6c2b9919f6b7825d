"""A watchlist school or a ward of the office's is a namesake where the story is placed in another province and
names none of the office's own district or city (classifiers.scope.placed_elsewhere; ABLATIONS round 17): a school
named after a national figure exists in dozens of provinces. Invented stories only."""

from classifiers.classify import Classifier
from classifiers.rules import load_rules
from classifiers.scope import build_scope_index, office_places
from classifiers.types import ArticleText
from monitor.config import Office, Watchlist

RULES = load_rules()
LONG_BIEN = Office(name="Phòng GD&ĐT quận Long Biên", short_name="PGD Long Biên", district="Long Biên", city="Hà Nội",
                   watchlist=Watchlist(wards=("Bồ Đề", "Việt Hưng", "Phúc Lợi", "Gia Thụy"),
                                       schools=("THPT Cao Bá Quát", "THCS Chu Văn An", "Tiểu học Đoàn Kết"),
                                       other=("quận Long Biên",)))
# a Sở whose watchlist holds a school name common elsewhere
SO_DA_NANG = Office(name="Sở GD&ĐT thành phố Đà Nẵng", short_name="Sở GD&ĐT Đà Nẵng", district="Đà Nẵng",
                    city="Đà Nẵng",
                    watchlist=Watchlist(schools=("THPT Phan Châu Trinh", "THPT Trần Phú")))


def judged(office, title, sapo="", body=""):
    c = Classifier(RULES, office, None).classify(ArticleText(id="n", title=title, sapo=sapo, body=body))
    return c.scope, c.reasons[-1]


def test_a_watchlist_school_placed_in_another_province_is_a_namesake_with_its_reason():
    scope, reason = judged(LONG_BIEN, "Hiệu trưởng bị kỷ luật vì để học sinh lớp 12 nghỉ học",
                           "Sở GD&ĐT Đắk Lắk cảnh cáo hiệu trưởng Trường THPT Cao Bá Quát sau nhiều vi phạm.")
    assert scope == "national"
    assert reason == "trùng tên ở nơi khác: THPT Cao Bá Quát (sapo) — Đắk Lắk (sapo)"
    assert judged(LONG_BIEN, "Học sinh THPT Cao Bá Quát (Gia Lai) đánh nhau sau giờ học")[0] == "national"
    assert judged(LONG_BIEN, "Cô giáo THCS Chu Văn An ở tỉnh Quảng Nam (cũ) được khen thưởng")[0] == "national"
    # a former province's city, a ward's namesake
    assert judged(LONG_BIEN, "Trường Bồ Đề ở Đông Hà được trùng tu làm di tích")[0] == "national"
    assert judged(LONG_BIEN, "Cháy nhà xưởng ở phường Việt Hưng, Hạ Long")[0] == "national"


def test_a_story_naming_the_offices_district_or_city_too_stays_local():
    assert judged(LONG_BIEN, "Học sinh THPT Cao Bá Quát giành huy chương vàng tại Đà Nẵng")[0] == "national"
    # a school of the office's in a contest elsewhere, said to be of Hà Nội
    assert judged(LONG_BIEN, "Học sinh THPT Cao Bá Quát (Hà Nội) giành huy chương vàng tại Đà Nẵng")[0] == "local"
    # the district itself is never overruled, nor its bare name
    assert judged(LONG_BIEN, "Giáo viên quận Long Biên tập huấn tại Quảng Ninh")[0] == "local"
    assert judged(LONG_BIEN, "Trường THCS Chu Văn An, Long Biên đón đoàn giáo viên Nghệ An")[0] == "local"
    # one of the city's districts names the office's city
    assert judged(LONG_BIEN, "Học sinh Tiểu học Đoàn Kết và Cầu Giấy giao lưu với bạn Lào Cai")[0] == "local"
    # the office's own story, no other province
    assert judged(LONG_BIEN, "THPT Cao Bá Quát khai giảng năm học mới")[0] == "local"


def test_a_province_name_that_is_a_school_a_person_or_an_institution_places_nothing():
    assert judged(LONG_BIEN, "Cô giáo THPT Cao Bá Quát ở Khánh Hòa được vinh danh")[0] == "national"
    assert judged(LONG_BIEN, "Học sinh THCS Chu Văn An thăm Trường THCS Bình Thuận kết nghĩa")[0] == "local"
    assert judged(LONG_BIEN, "Cô Nguyễn Thị Khánh Hòa, giáo viên THPT Cao Bá Quát, được vinh danh")[0] == "local"
    assert judged(LONG_BIEN, "Cựu học sinh THPT Cao Bá Quát đỗ thủ khoa Đại học Đà Nẵng")[0] == "local"
    assert judged(LONG_BIEN, "THCS Chu Văn An kỷ niệm ngày thành lập Đoàn TNCS Hồ Chí Minh")[0] == "local"
    # with its kind, Hồ Chí Minh is the city
    assert judged(LONG_BIEN, "Nữ sinh THCS Chu Văn An ở TP Hồ Chí Minh bị bạn đánh")[0] == "national"



def test_the_guards_are_matched_only_in_a_text_naming_a_local_place_and_another_province():
    # some 11,000 phrases: indexing them with the rest was most of every classifier's start, for a few texts a year
    idx = build_scope_index(RULES, office_places(LONG_BIEN))
    indexed = {g for table in (idx.exact, idx.folded, idx.cased, idx.cased_folded) for es in table.values() for g, _, _ in es}
    assert "elsewhere" in indexed and "not-elsewhere" not in indexed
    m = RULES.match_fields([("title", "Đoàn giáo viên Khánh Hòa thăm Trường THCS Bình Thuận")], idx)
    assert m.has("elsewhere") and not m.has("not-elsewhere")  # no local name: placed_elsewhere is not asked
    m = RULES.match_fields([("title", "Học sinh THCS Chu Văn An thăm Trường THCS Bình Thuận kết nghĩa")], idx)
    assert m.terms("not-elsewhere") == ["THCS Bình Thuận (title)"]
    assert judged(LONG_BIEN, "Học sinh THCS Chu Văn An thăm Trường THCS Bình Thuận kết nghĩa")[0] == "local"


def test_other_provinces_are_read_where_local_is_the_body_lead_not_past_it():
    filler = " ".join(["Buổi lễ diễn ra trang trọng với sự tham gia của đông đảo phụ huynh."] * 8)
    lead = "Sáng nay, Trường THPT Cao Bá Quát ở Đắk Lắk tổ chức lễ tri ân."
    assert judged(LONG_BIEN, "Lễ tri ân thầy cô ngày 20/11", body=lead + " " + filler)[0] == "national"
    # the school in the lead, another province named past it: the office's
    later = "Trường THPT Cao Bá Quát tổ chức lễ tri ân. " + filler + " Đoàn khách đến từ Gia Lai."
    assert judged(LONG_BIEN, "Lễ tri ân thầy cô ngày 20/11", body=later)[0] == "local"


def test_a_so_reads_its_watchlist_namesakes_in_other_provinces_and_its_own_province():
    assert judged(SO_DA_NANG, "Học sinh THPT Phan Châu Trinh (Quảng Ngãi) đoạt giải nhất")[0] == "national"
    # Quảng Nam is the Sở's own province since the merger: its own school
    assert judged(SO_DA_NANG, "THPT Trần Phú ở Tam Kỳ, Quảng Nam (cũ) khánh thành nhà thi đấu")[0] == "local"
    assert judged(SO_DA_NANG, "THPT Phan Châu Trinh đón học sinh Huế giao lưu")[0] == "national"
    assert judged(SO_DA_NANG, "THPT Phan Châu Trinh Đà Nẵng đón học sinh Huế giao lưu")[0] == "local"


def test_explain_names_the_other_province_among_the_scope_cues():
    c = Classifier(RULES, LONG_BIEN, None).explain(ArticleText(id="n", title="Học sinh THPT Cao Bá Quát (Gia Lai) đánh nhau"))
    assert c.evidence["rules"]["scope"]["elsewhere"] == ["Gia Lai (title)"]


# A place of the office's province below the province itself may have a namesake elsewhere: Hà Nội's Sơn Tây is a
# commune of Quảng Ngãi too, and a Quảng Ngãi landslide was read as the office's city (README, "The office's city").
SO_HCM = Office(name="Sở GD&ĐT Thành phố Hồ Chí Minh", short_name="Sở GD&ĐT TP.HCM", district="Hồ Chí Minh",
                city="Hồ Chí Minh")


def test_a_place_of_the_city_placed_in_another_province_is_a_namesake_with_its_reason():
    scope, reason = judged(LONG_BIEN, "Sạt lở đồi đe dọa điểm trường, di dời học sinh khẩn cấp",
                           "Mưa lớn làm sạt lở đồi sau điểm trường tiểu học ở xã Sơn Tây, tỉnh Quảng Ngãi.")
    assert scope == "national"
    assert reason == "trùng tên ở nơi khác: Sơn Tây (sapo) — Quảng Ngãi (sapo)"
    # a person's name, a school named after a place, each placed elsewhere
    assert judged(LONG_BIEN, "Nữ sinh Trần Ngọc Hà (Tuyên Quang) đỗ thủ khoa khối B")[0] == "national"
    assert judged(LONG_BIEN, "Trường mầm non Hà Đông ở Thanh Hóa thiếu phòng học cho trẻ")[0] == "national"
    # an institution named after the city is not the city: a Hải Phòng pupil admitted to it stays elsewhere
    scope, reason = judged(LONG_BIEN, "Em Đặng Ngọc Hà (Hải Phòng) đoạt huy chương bạc, chọn học Đại học Y Hà Nội")
    assert (scope, reason) == ("national", "trùng tên ở nơi khác: Ngọc Hà (title) — Hải Phòng (title)")
    # a Sở: a commune of another province named as one of its districts
    assert judged(SO_HCM, "Học sinh xã Bình Chánh cũ, tỉnh Quảng Ngãi được tặng xe đạp đến trường")[0] == "national"
    # a former district of the table, named after its kind in another province's story
    assert judged(SO_DA_NANG, "Lũ cuốn trôi cầu tạm, học sinh xã Thăng Bình ở Gia Lai nghỉ học")[0] == "national"


def test_a_place_of_the_city_stays_city_beside_the_province_itself_or_with_no_other_province():
    assert judged(LONG_BIEN, "Học sinh Sơn Tây, Hà Nội giành huy chương vàng tại Thanh Hóa") == (
        "city", "thành phố: Sơn Tây (title), Hà Nội (title)")
    assert judged(LONG_BIEN, "Thị xã Sơn Tây khánh thành trường tiểu học mới")[0] == "city"
    assert judged(SO_HCM, "Học sinh Bình Chánh vào mùa tuyển sinh lớp 10")[0] == "city"
    # the other province's name in a school's or a person's name places nothing (the guards are read for it too)
    assert judged(LONG_BIEN, "Học sinh Sơn Tây thăm Trường THCS Bình Thuận kết nghĩa")[0] == "city"
    assert judged(LONG_BIEN, "Cô Nguyễn Thị Khánh Hòa dạy giỏi ở Sơn Tây được tuyên dương")[0] == "city"
    # a city of the table is the place's alone (classifiers/provinces.yaml): a round-up of campuses keeps it
    assert judged(SO_DA_NANG, "Học sinh Hội An giao lưu văn nghệ với học sinh Huế")[0] == "city"


def test_the_places_of_the_city_that_may_be_namesakes():
    hanoi = build_scope_index(RULES, office_places(LONG_BIEN)).city_places
    assert {"Sơn Tây", "Ngọc Hà", "Hà Đông"} <= hanoi and not {"Hà Nội", "Thủ đô", "Long Biên"} & hanoi
    da_nang = build_scope_index(RULES, office_places(SO_DA_NANG)).city_places
    assert {"Hải Châu", "Thăng Bình", "quận Cẩm Lệ"} <= da_nang
    assert not {"Đà Nẵng", "Quảng Nam", "Hội An", "Tam Kỳ"} & da_nang
