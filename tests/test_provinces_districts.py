"""The former district-level units (quận, huyện, thị xã, abolished on 1 July 2025) in classifiers/provinces.yaml: a
Sở reads its own province's as its city, another province's place a story elsewhere (the namesake rule), a name
several provinces had is not in the table. Invented stories only."""

import pytest

from classifiers.classify import Classifier
from classifiers.provinces import load_provinces
from classifiers.rules import load_rules
from classifiers.types import ArticleText
from monitor.config import Office, Watchlist

RULES = load_rules()
LONG_BIEN = Office(name="Phòng GD&ĐT quận Long Biên", short_name="PGD Long Biên", district="Long Biên", city="Hà Nội",
                   watchlist=Watchlist(schools=("THCS Chu Văn An",)))


def so(city: str) -> Office:
    return Office(name=f"Sở Giáo dục và Đào tạo {city}", short_name=f"Sở GD&ĐT {city}", district=city, city=city)


def judged(office, title, sapo=""):
    c = Classifier(RULES, office, None).classify(ArticleText(id="d", title=title, sapo=sapo))
    return c.scope, c.reasons[-1]


def test_a_so_reads_its_provinces_former_districts_as_its_city():
    assert judged(so("Đà Nẵng"), "Giáo viên quận Hải Châu (cũ) tập huấn dạy học STEM")[0] == "city"
    assert judged(so("Đà Nẵng"), "Trường tiểu học ở huyện Núi Thành khai giảng sớm",
                  "Học sinh vùng biển được nhận sách giáo khoa miễn phí.")[0] == "city"
    assert judged(so("Cần Thơ"), "Phụ huynh quận Ninh Kiều lo chỗ học lớp 6 cho con")[0] == "city"
    assert judged(so("Cần Thơ"), "Giáo viên thị xã Vĩnh Châu cũ nhận phụ cấp thu hút")[0] == "city"
    assert judged(so("Lâm Đồng"), "Học sinh huyện Cư Jút được hỗ trợ tiền ăn trưa")[0] == "city"
    assert judged(so("Đồng Nai"), "Trường mầm non ở Trảng Bom thiếu giáo viên")[0] == "city"
    scope, reason = judged(so("Khánh Hòa"), "Thị xã Ninh Hòa cũ xây thêm 20 phòng học")
    assert scope == "city" and "Ninh Hòa" in reason


@pytest.mark.parametrize(("office", "title"), [
    ("Tuyên Quang", "Giáo viên ở Vị Xuyên tập huấn chuyển đổi số"),  # Hà Giang's
    ("Lào Cai", "Trường bán trú ở Bát Xát đón học sinh trở lại"),
    ("Thái Nguyên", "Học sinh huyện Ba Bể (cũ) được hỗ trợ tiền ăn trưa"),  # Bắc Kạn's
    ("Phú Thọ", "Trường mầm non ở Đà Bắc thiếu giáo viên"),  # Hòa Bình's
    ("Bắc Ninh", "Học sinh Lục Ngạn đi học sau mùa vải thiều"),  # Bắc Giang's
    ("Hưng Yên", "Giáo viên huyện Vũ Thư cũ nhận phụ cấp thu hút"),  # Thái Bình's
    ("Ninh Bình", "Phụ huynh Vụ Bản lo chỗ học lớp 10 cho con"),  # Nam Định's
    ("Quảng Trị", "Học sinh Bố Trạch được tặng áo phao mùa lũ"),  # Quảng Bình's
])
def test_a_so_of_the_north_and_quang_tri_reads_its_former_districts_as_its_city(office, title):
    assert judged(so(office), title)[0] == "city"


def test_another_provinces_former_district_is_elsewhere_for_an_office_of_ha_noi():
    assert judged(LONG_BIEN, "Giáo viên quận Hải Châu (cũ) tập huấn dạy học STEM")[0] == "national"
    assert judged(so("Hà Nội"), "Giáo viên quận Hải Châu (cũ) tập huấn dạy học STEM")[0] == "national"
    # ...and makes a watchlist school of the same name a namesake there
    scope, reason = judged(LONG_BIEN, "Cô giáo THCS Chu Văn An, quận Hải Châu (cũ) đoạt giải giáo viên giỏi")
    assert scope == "national" and "trùng tên ở nơi khác" in reason and "Hải Châu" in reason
    assert judged(LONG_BIEN, "Cô giáo THCS Chu Văn An đoạt giải giáo viên giỏi")[0] == "local"


def test_a_name_that_is_a_word_or_a_sovereignty_story_counts_only_with_its_kind():
    # "thống nhất" is unification, "Hoàng Sa" the archipelago every school teaches about
    assert judged(so("Đồng Nai"), "Học sinh được nghỉ dịp kỷ niệm ngày Thống Nhất")[0] == "national"
    assert judged(so("Đồng Nai"), "Học sinh huyện Thống Nhất được nghỉ học tránh lũ")[0] == "city"
    assert judged(so("Đà Nẵng"), "Học sinh cả nước tìm hiểu về chủ quyền Hoàng Sa")[0] == "national"
    assert judged(so("Đà Nẵng"), "Chủ tịch huyện Hoàng Sa nói chuyện với học sinh")[0] == "city"
    # a given name, a singer's name, a pronoun
    assert judged(so("Phú Thọ"), "Cô giáo Thanh Thủy đạt giải giáo viên dạy giỏi")[0] == "national"
    assert judged(so("Phú Thọ"), "Học sinh huyện Thanh Thủy được miễn học phí")[0] == "city"
    assert judged(so("Quảng Trị"), "Ca sĩ Lệ Thủy hát cho học sinh vùng lũ")[0] == "national"
    assert judged(so("Quảng Trị"), "Học sinh huyện Lệ Thủy trở lại trường sau lũ")[0] == "city"
    assert judged(so("Thái Nguyên"), "Cách dùng đại từ nhân xưng trong bài văn")[0] == "national"
    assert judged(so("Thái Nguyên"), "Học sinh huyện Đại Từ (cũ) nhận học bổng")[0] == "city"
    # "Quang Bình" (Hà Giang's) is "Quảng Bình" without diacritics: only with its kind, and not Quảng Bình's
    assert judged(so("Tuyên Quang"), "Học sinh huyện Quang Bình được tặng áo ấm")[0] == "city"
    assert judged(so("Quảng Trị"), "Học sinh huyện Quang Bình được tặng áo ấm")[0] == "national"


@pytest.mark.parametrize(("office", "title"), [
    ("Cần Thơ", "Học sinh huyện Châu Thành được miễn học phí"),  # a huyện of Sóc Trăng and Hậu Giang, and of 9 others
    ("Đồng Nai", "Giáo viên huyện Tân Phú nhận bằng khen"),  # Đồng Nai's, and quận Tân Phú of TP.HCM
    ("Huế", "Trường THCS ở huyện Phong Điền xây thêm phòng học"),  # Huế's, and Cần Thơ's
    ("Thái Nguyên", "Học sinh huyện Chợ Mới được tặng xe đạp"),  # Bắc Kạn's, and An Giang's
    ("Phú Thọ", "Giáo viên huyện Tam Nông nhận bằng khen"),  # Phú Thọ's, and Đồng Tháp's
    ("Phú Thọ", "Trường THCS ở huyện Phù Ninh xây thêm phòng học"),  # Quảng Nam's Phú Ninh without diacritics
    ("Quảng Trị", "Giáo viên huyện Quảng Ninh nhận bằng khen"),  # Quảng Bình's, and a province's name
])
def test_a_name_several_provinces_had_is_read_as_none_of_them(office, title):
    assert judged(so(office), title)[0] == "national"


def test_the_table_refuses_a_district_listed_under_two_provinces(tmp_path):
    table = load_provinces()
    assert any("Hải Châu" in p.districts for p in table.provinces)
    data = tmp_path / "provinces.yaml"
    data.write_text("provinces:\n  Cần Thơ:\n    districts: [huyện Châu Thành]\n"
                    "  Vĩnh Long:\n    former:\n      Bến Tre:\n        districts: [Châu Thành]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="chauthanh"):
        load_provinces(data)


@pytest.mark.parametrize(("office", "title"), [
    ("Quảng Ngãi", "Trường bán trú ở Tu Mơ Rông thêm phòng ở cho học sinh"),  # Kon Tum's
    ("Gia Lai", "Giáo viên huyện Phù Mỹ (cũ) nhận phụ cấp thu hút"),  # Bình Định's
    ("Đắk Lắk", "Học sinh huyện Sông Hinh được tặng xe đạp đến trường"),  # Phú Yên's
    ("Hồ Chí Minh", "Trường tiểu học ở Xuyên Mộc khai giảng năm học mới"),  # Bà Rịa - Vũng Tàu's
    ("Tây Ninh", "Phụ huynh Cần Giuộc lo chỗ học lớp 10 cho con"),  # Long An's
    ("Đồng Tháp", "Học sinh huyện Cái Bè cũ được miễn học phí"),  # Tiền Giang's
    ("Vĩnh Long", "Trường THPT ở huyện Giồng Trôm thiếu giáo viên Tin học"),  # Bến Tre's
    ("An Giang", "Học sinh vùng đệm U Minh Thượng được hỗ trợ tiền ăn trưa"),  # Kiên Giang's
    ("Cà Mau", "Giáo viên thị xã Giá Rai cũ tập huấn chương trình mới"),  # Bạc Liêu's
    ("Cà Mau", "Học sinh huyện Đầm Dơi đi học lại sau triều cường"),
])
def test_the_south_and_the_highlands_read_their_former_districts(office, title):
    assert judged(so(office), title)[0] == "city"


def test_a_southern_name_that_is_a_word_or_a_name_counts_only_with_its_kind():
    # "bình minh" is dawn (a club's, a shop's name), Đức Hòa a given name; "U Minh" alone is inside An Giang's
    # "U Minh Thượng"
    assert judged(so("Vĩnh Long"), "Câu lạc bộ Bình Minh tặng 500 cuốn sách cho học sinh")[0] == "national"
    assert judged(so("Vĩnh Long"), "Học sinh thị xã Bình Minh (cũ) nhận 500 cuốn sách")[0] == "city"
    assert judged(so("Tây Ninh"), "Cô giáo Đức Hòa kể chuyện dạy học sinh khuyết tật")[0] == "national"
    assert judged(so("Tây Ninh"), "Cô giáo huyện Đức Hòa kể chuyện dạy học sinh khuyết tật")[0] == "city"
    assert judged(so("Cà Mau"), "Học sinh vùng đệm U Minh Thượng được hỗ trợ tiền ăn trưa")[0] == "national"
    assert judged(so("Cà Mau"), "Học sinh huyện U Minh được hỗ trợ tiền ăn trưa")[0] == "city"


@pytest.mark.parametrize(("office", "title"), [
    ("An Giang", "Giáo viên huyện Phú Tân nhận bằng khen"),  # An Giang's and Cà Mau's
    ("Cà Mau", "Giáo viên huyện Phú Tân nhận bằng khen"),
    ("Tây Ninh", "Học sinh huyện Tân Châu được miễn học phí"),  # Tây Ninh's and An Giang's thị xã
    ("Vĩnh Long", "Học sinh huyện Bình Tân được tặng sách"),  # and quận Bình Tân of TP.HCM
    ("Đồng Tháp", "Trường THCS ở huyện Tam Nông xây thêm phòng học"),  # and Phú Thọ's
    ("Quảng Ngãi", "Học sinh thị xã Sơn Tây được nghỉ học tránh bão"),  # and Hà Nội's
])
def test_a_southern_name_several_provinces_had_stays_national(office, title):
    assert judged(so(office), title)[0] == "national"


def test_another_provinces_former_district_in_the_south_is_elsewhere_for_an_office_of_ha_noi():
    scope, reason = judged(LONG_BIEN, "Cô giáo THCS Chu Văn An, huyện Chợ Lách (cũ) đoạt giải giáo viên giỏi")
    assert scope == "national" and "trùng tên ở nơi khác" in reason and "Chợ Lách" in reason


def test_the_north_and_north_central_provinces_read_their_former_districts():
    assert judged(so("Nghệ An"), "Học sinh huyện Quỳnh Lưu cũ được hỗ trợ tiền ăn bán trú")[0] == "city"
    assert judged(so("Thanh Hóa"), "Trường mầm non ở Ngọc Lặc thiếu giáo viên")[0] == "city"
    assert judged(so("Điện Biên"), "Giáo viên Mường Nhé vượt suối đến điểm trường")[0] == "city"
    assert judged(so("Quảng Ninh"), "Học sinh đặc khu Cô Tô được tặng sách")[0] == "city"
    scope, reason = judged(so("Hà Tĩnh"), "Thị xã Kỳ Anh cũ xây thêm 12 phòng học")
    assert scope == "city" and "Kỳ Anh" in reason
    # another province's office reads them as elsewhere
    assert judged(LONG_BIEN, "Cô giáo THCS Chu Văn An, huyện Tương Dương (cũ) được tuyên dương")[0] == "national"


@pytest.mark.parametrize(("office", "title"), [
    ("Hà Tĩnh", "Cô giáo Lê Thị Đức Thọ nhận giải thưởng"),  # a given name: only "huyện Đức Thọ" is the place
    ("Lạng Sơn", "Cổ động viên kín sân Chi Lăng xem trận đấu của học sinh"),  # Đà Nẵng's stadium
    ("Thanh Hóa", "Như Thanh Niên đã đưa tin, học sinh được nghỉ học"),  # the newspaper, not huyện Như Thanh
    ("Quảng Ninh", "Học sinh xã Cô Tô (An Giang) được nhận học bổng"),  # a commune of An Giang
    ("Nghệ An", "Diễn viên Thái Hòa về thăm trường cũ"),  # an actor, not thị xã Thái Hòa
])
def test_a_north_central_name_that_is_also_a_word_or_a_persons_counts_only_with_its_kind(office, title):
    assert judged(so(office), title)[0] == "national"


def test_the_north_central_names_counted_with_their_kind_count_so():
    assert judged(so("Hà Tĩnh"), "Học sinh huyện Đức Thọ đạt giải học sinh giỏi quốc gia")[0] == "city"
    assert judged(so("Thanh Hóa"), "Giáo viên huyện Như Thanh (cũ) nhận phụ cấp thu hút")[0] == "city"


@pytest.mark.parametrize(("office", "title"), [
    ("Nghệ An", "Giáo viên thị xã Hoàng Mai được khen thưởng"),  # Nghệ An's thị xã and Hà Nội's quận
    ("Lai Châu", "Học sinh huyện Tân Uyên nhận học bổng"),  # Lai Châu's huyện and Bình Dương's city
    ("Cao Bằng", "Trường THCS ở huyện Bảo Lâm xây thêm phòng học"),  # Cao Bằng's and Lâm Đồng's
])
def test_a_northern_name_several_provinces_had_stays_national(office, title):
    assert judged(so(office), title)[0] == "national"
