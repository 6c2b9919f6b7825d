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
