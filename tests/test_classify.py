"""The classifier: scope against the office, model loading checks, and the `monitor classify` contract."""

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from click.testing import CliRunner

from classifiers.classify import BUNDLE_NAME, SHIPPED_MODELS_DIR, Classifier, load_classifier
from classifiers.features import dense_names, model_grams, url_grams
from classifiers.model import WEIGHTS_FILE, Heads, load_models, save_models
from classifiers.rules import load_rules, prepare
from classifiers.scope import office_places, ward_kinds
from classifiers.types import ArticleText
from monitor.cli import cli
from monitor.config import Office, Watchlist
from monitor.errors import ModelError

OFFICE = Office(name="Phòng GD&ĐT quận Long Biên", short_name="PGD Long Biên", district="Long Biên", city="Hà Nội",
                watchlist=Watchlist(wards=("Bồ Đề", "Gia Thụy"), schools=("THCS Chu Văn An",)))
SHIPPED = SHIPPED_MODELS_DIR / BUNDLE_NAME
CONTRACT = ["id", "is_education", "relevance", "topics", "topic_scores", "sentiment", "hot", "hot_score", "scope",
            "reasons", "model_version"]


@pytest.fixture(scope="module")
def clf():
    return load_classifier(None, OFFICE)


@pytest.fixture(scope="module")
def rules_only():
    return Classifier(load_rules(), OFFICE, None)


def _scope(clf, title, sapo=""):
    return clf.classify(ArticleText(id="s", title=title, sapo=sapo)).scope


def test_the_url_section_is_a_feature_and_a_flat_url_gives_none():
    assert url_grams("https://bao.example.vn/giao-duc/Tuyen-Sinh/lop-10-nam-nay-20261126.htm") == ["u:giao-duc", "u:tuyen-sinh"]
    assert url_grams("https://bao.example.vn/lop-10-nam-nay-5061285.html") == []
    assert url_grams("") == []
    assert model_grams([], "https://bao.example.vn/giao-duc/x.htm") == ["u:giao-duc"]


def test_a_university_student_is_not_read_as_a_schoolboy():
    # "nam sinh" (a schoolboy) must not come out of "nam sinh viên" (a university student): the guide counts a
    # pupil harmed as education news and a student in crime news mostly not
    student = model_grams([("title", prepare("Nam sinh viên bị xe tông trên đường về ký túc xá", "title"))])
    pupil = model_grams([("title", prepare("Nam sinh lớp 9 bị xe tông trên đường đi học", "title"))])
    unaccented = model_grams([("title", prepare("Nam sinh vien bi xe tong", "title"))])
    assert "nam sinh" not in student and "nam sinh_viên" in student and "t:sinh_viên" in student
    assert "nam sinh" in pupil and "sinh lớp" in pupil
    assert "nam sinh_viên" in unaccented


def test_an_education_section_in_the_url_raises_relevance_and_is_named_in_the_explanation(clf):
    title = "Gen Z và câu chuyện trách nhiệm với cộng đồng"
    flat = clf.explain(ArticleText(id="u0", title=title, url="https://bao.example.vn/gen-z-va-trach-nhiem-20261126.htm"))
    filed = clf.explain(ArticleText(id="u1", title=title, url="https://bao.example.vn/giao-duc/gen-z-va-trach-nhiem-20261126.htm"))
    assert filed.relevance > flat.relevance + 0.1
    assert "[chuyên mục URL] giao-duc" in [name for name, _ in filed.evidence["model"]["relevance"]]
    assert filed.reasons[0].endswith(": chuyên mục giao-duc (URL)")
    assert flat.reasons[0].endswith(": không có từ khóa giáo dục")


def test_scope_against_the_office(rules_only):
    clf = rules_only
    assert _scope(clf, "Học sinh THCS Chu Văn An đạt giải cao") == "local"
    assert _scope(clf, "Phường Bồ Đề tổ chức khai giảng năm học mới") == "local"
    assert _scope(clf, "Quận Long Biên tuyển dụng 120 giáo viên") == "local"
    # the bridge alone does not make a story local, but it is in the city
    assert _scope(clf, "Ùn tắc kéo dài trên cầu Long Biên sáng nay") == "city"
    assert _scope(clf, "Hà Nội công bố điểm chuẩn vào lớp 10") == "city"
    # an institution named after the city is not news from the city
    assert _scope(clf, "Sinh viên Đại học Y Hà Nội giành giải nghiên cứu khoa học") == "national"
    assert _scope(clf, "Học sinh Lào Cai đạt giải tiếng Anh") == "national"
    assert _scope(clf, "Du học sinh ở Nhật Bản được tăng giờ làm thêm") == "foreign"
    assert _scope(clf, "Nghệ An có 5 học sinh đạt giải quốc gia") == "national"
    assert _scope(clf, "hoc sinh quan long bien dat giai") == "local"  # without diacritics


def test_a_city_named_in_passing_in_the_body_does_not_make_a_national_story_city(rules_only):
    # a page body names the capital in passing: read there, 43 of 382 held-out national stories became "city"
    # (models/edu-nlp/ABLATIONS.md, round 14). The office's own district and wards count in the body's lead
    # (test_the_office_named_only_deep_in_the_body_does_not_make_a_story_local).
    def scope(clf, body, title="Bộ GD&ĐT lấy ý kiến dự thảo quy định mới về dạy thêm, học thêm",
              sapo="Dự thảo nêu rõ các trường hợp giáo viên không được dạy thêm có thu tiền."):
        return clf.classify(ArticleText(id="b", title=title, sapo=sapo, body=body)).scope

    body = ("Theo dự thảo, quy định áp dụng với mọi cơ sở giáo dục trên cả nước. Trao đổi với phóng viên, một giáo "
            "viên dạy Toán ở Hà Nội cho rằng cần hướng dẫn cụ thể hơn về việc dạy thêm ngoài nhà trường. ")
    assert scope(rules_only, "") == "national"
    assert scope(rules_only, body) == "national"
    assert scope(rules_only, "Cô Lan, giáo viên một trường tiểu học ở phường Gia Thụy, đồng tình. " + body) == "local"
    assert scope(rules_only, "Cô Lan, giáo viên Trường THCS Chu Văn An, đồng tình. " + body) == "local"
    assert scope(rules_only, body, title="Hà Nội lấy ý kiến về dạy thêm, học thêm") == "city", "the title still says city"
    assert scope(rules_only, body, sapo="Sở GD&ĐT Hà Nội hướng dẫn các trường thực hiện.") == "city"
    assert scope(rules_only, body, title="", sapo="") == "city", "a body alone is all the item says of its place"
    # a Sở's city is its own area: for it the body's city counts, as the office's ward does for a Phòng
    so = Office(name="Sở Giáo dục và Đào tạo thành phố Hà Nội", short_name="Sở GD&ĐT Hà Nội", district="Hà Nội",
                city="Hà Nội")
    assert scope(Classifier(load_rules(), so, None), body) == "city"


def test_the_office_named_only_deep_in_the_body_does_not_make_a_story_local(rules_only):
    # On the hand-labelled bodies of data/scope/local-bodies.jsonl (ABLATIONS round 15), the office's places named
    # past the body's first 60 syllables made 36 false "local" calls (a national story quoting a teacher of one of
    # its schools, a chain's list of branch addresses, a namesake) and no right one: a story of the district
    # places itself in its title, its sapo or its body's first sentences.
    title = "Bộ GD&ĐT công bố dự thảo quy chế tuyển sinh đại học năm tới"
    sapo = "Dự thảo giới hạn số nguyện vọng và điểm cộng chứng chỉ ngoại ngữ của thí sinh."
    lead = ("Theo dự thảo, mỗi trường đại học chỉ được dùng tối đa năm phương thức xét tuyển và phải công bố sớm "
            "chỉ tiêu của từng phương thức. Các thí sinh sẽ đăng ký nguyện vọng trên hệ thống chung của Bộ trong một "
            "đợt duy nhất, sau khi biết điểm thi tốt nghiệp, thay vì nhiều đợt như những năm trước đây. ")
    deep = "Cô Hoa, hiệu trưởng Trường THCS Chu Văn An, cho rằng quy định mới giúp học sinh chủ động hơn."
    in_ward = "Sáng nay, hơn 300 học sinh phường Gia Thụy được nghe tư vấn tuyển sinh đại học. "

    def scope(title, sapo, body):
        return rules_only.classify(ArticleText(id="d", title=title, sapo=sapo, body=body)).scope

    assert len(lead.split()) > 60
    assert scope(title, sapo, lead + deep) == "national"
    assert scope(title, sapo, lead + "Buổi tư vấn diễn ra tại phường Gia Thụy, quận Long Biên.") == "national"
    # named in the body's lead, or in the title or sapo, the office's place still makes the story local
    assert scope(title, sapo, in_ward + lead) == "local"
    assert scope(title, sapo, deep + " " + lead) == "local"
    assert scope(title + " tại quận Long Biên", sapo, lead + deep) == "local"
    # a body with no title or sapo before it is all the item says of its place: read whole, as for the city
    assert scope("", "", lead + deep) == "local"


def test_a_ward_written_as_p_or_named_in_the_city_list_is_local(rules_only):
    clf = rules_only
    # "P." is how headlines abbreviate "phường"; "Gia Thụy" is a ward of the office only
    assert _scope(clf, "Trường THCS tại P. Gia Thụy khánh thành nhà đa năng") == "local"
    assert _scope(clf, "Trường THCS tại P.Gia Thụy khánh thành nhà đa năng") == "local"
    # Bồ Đề is one of the office's wards and also in the city's list: the office's place wins
    assert _scope(clf, "Trường THCS tại P. Bồ Đề khánh thành nhà đa năng") == "local"
    assert _scope(clf, "Học sinh Bồ Đề hào hứng ngày hội đọc sách") == "local"
    # but unmarked and lowercase "bo de" is "bộ đề", a set of exam papers
    assert _scope(clf, "Cong bo bo de thi thu lop 10") == "national"
    # a district named in lowercase after "ở" or "quận" is still the district
    assert _scope(clf, "Trường tiểu học ở long biên tổ chức ngày hội đọc sách") == "local"
    assert _scope(clf, "Giáo viên quận long biên tập huấn chương trình mới") == "local"
    assert _scope(clf, "Tuổi thanh xuân của cô giáo vùng cao") == "national"


def test_a_commune_or_township_of_the_watchlist_is_local_like_a_ward():
    # a rural office's (or a Sở's) units are mostly communes: "xã", "thị trấn" and their abbreviations name
    # a watchlist place as "phường" does, with or without diacritics; the name alone (in the city's list for
    # Gia Lâm, not for Kiêu Kỵ) still needs its word, and the word alone names no place
    office = Office(name="Phòng GD&ĐT huyện Gia Lâm", short_name="PGD Gia Lâm", district="Gia Lâm", city="Hà Nội",
                    watchlist=Watchlist(wards=("Trâu Quỳ", "Kiêu Kỵ", "Dương Xá")))
    clf = Classifier(load_rules(), office, None)
    assert _scope(clf, "Xã Kiêu Kỵ khánh thành trường mầm non mới", "Trường Mầm non ở xã Kiêu Kỵ, Hà Nội có 12 phòng học.") == "local"
    assert _scope(clf, "Phụ huynh phản ánh lạm thu", "Một trường tiểu học ở xã Dương Xá, Hà Nội thu cao bất thường.") == "local"
    assert _scope(clf, "Học sinh thị trấn Trâu Quỳ tham gia hội khỏe Phù Đổng", "Hà Nội tổ chức hội khỏe.") == "local"
    assert _scope(clf, "Trường mầm non tại TT. Trâu Quỳ khánh thành", "Hà Nội") == "local"
    assert _scope(clf, "Trường mầm non tại X. Kiêu Kỵ khánh thành", "Hà Nội") == "local"
    assert _scope(clf, "Truong mam non xa Kieu Ky khanh thanh", "Ha Noi") == "local"  # without diacritics
    assert _scope(clf, "Giáo viên xã kiêu kỵ tập huấn chương trình mới", "Hà Nội") == "local"  # lowercase name
    assert _scope(clf, "Hà Nội: xã nông thôn mới khánh thành trường học", "Trường ở xã Đông Dư, Hà Nội.") == "city"
    # a commune of another office is not ours
    assert _scope(clf, "Trường học ở xã Nghi Lộc khánh thành", "Nghệ An") == "national"


def test_a_bare_ward_is_read_after_the_kinds_of_the_offices_area():
    # Long Biên is a quận: its wards are phường, and communes of the same name elsewhere (Hoài Đức's xã Đức Giang,
    # Hải Phòng's xã Giang Biên, Hà Tĩnh's xã Phúc Đồng) are not the office's
    office = Office(name="Phòng GD&ĐT quận Long Biên", short_name="PGD Long Biên", district="Long Biên", city="Hà Nội",
                    watchlist=Watchlist(wards=("Đức Giang", "Giang Biên", "Phúc Đồng")))
    clf = Classifier(load_rules(), office, None)
    assert _scope(clf, "Hoài Đức (Hà Nội): trường mầm non xã Đức Giang xuống cấp",
                  "Phụ huynh ở xã Đức Giang, huyện Hoài Đức phản ánh phòng học dột nát.") == "city"
    assert _scope(clf, "Hải Phòng: học sinh xã Giang Biên bị đánh hội đồng", "Một nữ sinh ở X. Giang Biên bị bạn đánh.") == "national"
    assert _scope(clf, "Cô giáo ở thị trấn Phúc Đồng bị tố đánh học sinh", "Vụ việc ở TT. Phúc Đồng.") == "national"
    assert _scope(clf, "Ha Tinh: co giao o xa Phuc Dong bi to danh hoc sinh", "Vu viec o xa Phuc Dong.") == "national"
    # the office's own phường still are
    assert _scope(clf, "Học sinh phường Đức Giang đạt giải", "Trường ở P. Giang Biên.") == "local"
    assert _scope(clf, "Hoc sinh phuong Phuc Dong dat giai", "") == "local"
    # Gia Lâm is a huyện: its communes and townships
    gia_lam = Office(name="Phòng GD&ĐT huyện Gia Lâm", short_name="PGD Gia Lâm", district="Gia Lâm", city="Hà Nội",
                     watchlist=Watchlist(wards=("Kiêu Kỵ", "Trâu Quỳ")))
    clf = Classifier(load_rules(), gia_lam, None)
    assert _scope(clf, "Xã Kiêu Kỵ khánh thành trường mầm non mới", "") == "local"
    assert _scope(clf, "Trường mầm non tại TT. Trâu Quỳ khánh thành", "") == "local"
    assert _scope(clf, "Trường ở phường Kiêu Kỵ khánh thành", "Một tỉnh miền Trung.") == "national"


def test_a_ward_written_with_its_kind_is_read_after_that_kind_only():
    # a Sở lists its province's units, phường and xã alike: "phường Bồ Đề" is named as a phường (or P.) only
    office = Office(name="Sở Giáo dục và Đào tạo thành phố Hà Nội", short_name="Sở GD&ĐT Hà Nội", district="Hà Nội",
                    city="Hà Nội", watchlist=Watchlist(wards=("phường Bồ Đề", "xã Kiêu Kỵ", "thị trấn Trâu Quỳ",
                                                              "X. Dương Xá")))
    places = office_places(office)
    assert places.ward_kinds == ("phường", "xã", "thị trấn")
    clf = Classifier(load_rules(), office, None)
    assert _scope(clf, "Trường ở P. Bồ Đề khánh thành", "Một tỉnh miền Trung.") == "local"
    assert _scope(clf, "Giáo viên xã kiêu kỵ tập huấn", "Một tỉnh miền Trung.") == "local"
    assert _scope(clf, "Trường mầm non tại TT. Trâu Quỳ khánh thành", "") == "local"
    assert _scope(clf, "Trường mầm non tại xã Dương Xá khánh thành", "") == "local"
    assert _scope(clf, "Trường học ở xã Trâu Quỳ khánh thành", "Một tỉnh miền Trung.") == "national"
    assert _scope(clf, "Trường học ở phường Kiêu Kỵ khánh thành", "Một tỉnh miền Trung.") == "national"
    # an office whose name does not say its kind of area: any kind
    assert ward_kinds("Long Biên") == ("phường", "xã", "thị trấn")
    assert ward_kinds("quận Long Biên") == ("phường",) and ward_kinds("phường Việt Hưng") == ("phường",)
    assert ward_kinds("huyện Gia Lâm") == ("xã", "thị trấn") == ward_kinds("xã Bát Tràng")
    assert ward_kinds("thị xã Sơn Tây") == ("phường", "xã", "thị trấn") == ward_kinds("thành phố Thủ Đức")


def test_a_so_whose_district_is_its_city_reads_the_city_as_the_city_and_its_watchlist_as_local():
    # A Sở gives its city as both district and city (README): the whole city is its own area (Office.own_scopes:
    # local and city), so the city is read as for any office, "city" whichever name it goes by, and an institution
    # named after it is not news from it; no "thị trấn Hà Nội" or "TT. Hà Nội" makes it a district of its own.
    # "local" is the Sở's watchlist, as for a Phòng.
    so = Office(name="Sở Giáo dục và Đào tạo thành phố Hà Nội", short_name="Sở GD&ĐT Hà Nội", district="Hà Nội",
                city="Hà Nội", watchlist=Watchlist(wards=("phường Bồ Đề",), schools=("THPT Chu Văn An",)))
    clf = Classifier(load_rules(), so, None)
    for title in ("Hà Nội công bố điểm chuẩn vào lớp 10", "Thủ đô tổ chức hội khỏe Phù Đổng cho học sinh",
                  "Trường THPT ở TP Hà Nội tổ chức thi thử", "Quận Long Biên tuyển dụng 120 giáo viên",
                  "Trường mầm non tại TT. Hà Nội khánh thành", "Học sinh thị trấn Hà Nội đạt giải",
                  "Học sinh ở hà nội được nghỉ học vì rét đậm"):
        assert _scope(clf, title) == "city", title
        assert so.is_own_area(_scope(clf, title)), title
    for title in ("Sinh viên Đại học Y Hà Nội giành giải nghiên cứu khoa học", "Hà Nội FC thắng trận mở màn",
                  "Sinh viên Học viện Công an Hà Nội tình nguyện mùa hè"):
        assert _scope(clf, title) == "national", title
    assert _scope(clf, "Trường ở P. Bồ Đề khánh thành nhà đa năng", "Một tỉnh miền Trung.") == "local"
    assert _scope(clf, "Học sinh THPT Chu Văn An đạt giải quốc tế") == "local"
    # a province the rules know nothing of reads the same: its name is the city
    na = Office(name="Sở Giáo dục và Đào tạo tỉnh Nghệ An", short_name="Sở GD&ĐT Nghệ An", district="Nghệ An",
                city="Nghệ An")
    clf = Classifier(load_rules(), na, None)
    assert _scope(clf, "Nghệ An có 5 học sinh đạt giải quốc gia") == "city"
    assert _scope(clf, "Trường học ở xã Nghi Lộc khánh thành", "Nghệ An") == "city"
    assert _scope(clf, "Trường Đại học Nghệ An tuyển sinh ngành sư phạm", "") == "national"
    assert _scope(clf, "Học sinh Lào Cai đạt giải tiếng Anh") == "national"


def test_a_ward_is_not_read_across_punctuation_nor_out_of_xa_hoi():
    # Hội An is a ward of Đà Nẵng: "an sinh xã hội, an ninh" and "xã hội an toàn" are no "xã Hội An"
    office = Office(name="Sở Giáo dục và Đào tạo thành phố Đà Nẵng", short_name="Sở GD&ĐT Đà Nẵng", district="Đà Nẵng",
                    city="Đà Nẵng", watchlist=Watchlist(wards=("Hội An", "Hội An Tây", "Hải Châu")))
    clf = Classifier(load_rules(), office, None)
    assert _scope(clf, "Giáo dục kỹ năng sống góp phần đảm bảo an sinh xã hội, an ninh trật tự", "Bộ GD&ĐT yêu cầu.") == "national"
    assert _scope(clf, "Xây dựng môi trường xã hội an toàn cho trẻ em", "Bộ GD&ĐT ban hành hướng dẫn.") == "national"
    assert _scope(clf, "Bao luc hoc duong: trach nhiem cua gia dinh va xa hoi. An toan truong hoc", "Bo GD&DT yeu cau.") == "national"
    assert _scope(clf, "Trách nhiệm của xã hội: an toàn trường học", "Bộ GD&ĐT yêu cầu.") == "national"
    # the ward itself, with its abbreviation's full stop, or its capitals after "xã"
    assert _scope(clf, "Trường ở P. Hội An Tây khánh thành", "Một tỉnh miền Trung.") == "local"
    assert _scope(clf, "Trường ở phường Hội An khánh thành", "Một tỉnh miền Trung.") == "local"
    assert _scope(clf, "Học sinh xã Hội An đạt giải", "Một tỉnh miền Trung.") == "local"
    # a district's name does not run across a comma either: "…xã hội, Long Biên…" names Long Biên bare (city list)
    lb = Classifier(load_rules(), OFFICE, None)
    assert _scope(lb, "Học sinh phường Gia, Thụy Khuê đạt giải", "Một tỉnh miền Trung.") != "local"


def test_classification_fields_and_reasons(clf):
    a = ArticleText(id="a1", title="Học sinh lớp 6 bị đánh hội đồng trong giờ ra chơi",
                    sapo="Phụ huynh bức xúc, nhà trường đã mời công an vào cuộc.")
    c = clf.classify(a)
    assert list(c.to_contract()) == CONTRACT
    assert set(c.topic_scores) == set(load_rules().topic_ids)
    assert all(0 <= v <= 1 for v in c.topic_scores.values()) and 0 <= c.relevance <= 1 and 0 <= c.hot_score <= 1
    assert any("học sinh" in r for r in c.reasons)
    assert "đánh hội đồng (title)" in c.evidence["rules"]["topics"]["an-toan-truong-hoc"]
    assert c.model_version == clf.version
    # not education: no topics, not hot
    n = clf.classify(ArticleText(id="n1", title="Giá vàng hôm nay tăng mạnh", sapo="Giá vàng SJC vượt mốc mới."))
    assert not n.is_education and n.topics == () and not n.hot


class _FixedScores:
    """Stands in for the trained models with scores the test sets, to check the decisions made from them."""

    version = "edu-nlp.fixed"

    def __init__(self, relevance, hot, foreign):
        self.scores = {"relevance": np.array(relevance), "hot": np.array(hot), "foreign": np.array(foreign)}

    def columns(self, grams):
        return grams

    def predict(self, docs, dense):
        n, t = len(docs), len(load_rules().topic_ids)
        return {**self.scores, "topics": np.zeros((n, t)), "tone": np.tile([0.7, 0.2, 0.1], (n, 1)),
                "rel_threshold": 0.5, "topic_thresholds": np.full(t, 0.5), "hot_threshold": 0.14, "foreign_threshold": 0.5}


def test_an_incident_the_hot_model_is_sure_of_counts_as_education_from_a_lower_relevance():
    from classifiers.classify import INCIDENT_HOT_FLOOR, INCIDENT_RELEVANCE_FLOOR

    below = (INCIDENT_RELEVANCE_FLOOR + 0.5) / 2  # between the incident floor and the education threshold
    models = _FixedScores(relevance=[below, below, INCIDENT_RELEVANCE_FLOOR - 0.05, below, 0.9],
                          hot=[0.95, INCIDENT_HOT_FLOOR - 0.1, 0.95, 0.95, 0.05], foreign=[0.0, 0.0, 0.0, 0.99, 0.0])
    clf = Classifier(load_rules(), OFFICE, models)
    # the unsure and the too far name no pupil in their titles: one that did could pass the lower floor below
    titles = ["Nam sinh lớp 9 đuối nước khi tắm sông", "Thiếu niên 15 tuổi đuối nước khi tắm sông",
              "Thiếu niên 15 tuổi đuối nước khi tắm sông", "Nam sinh đuối nước ở Nhật Bản", "Trường tổ chức khai giảng"]
    out = clf.classify_many([ArticleText(id=str(i), title=t) for i, t in enumerate(titles)])
    sure, unsure, too_far, abroad, plain = out
    assert sure.is_education and sure.hot and sure.relevance == pytest.approx(below)
    assert "nhận vì là sự cố nóng" in sure.reasons[0]
    assert sure.evidence["thresholds"]["education_by_incident"] == {"relevance": INCIDENT_RELEVANCE_FLOOR, "hot": INCIDENT_HOT_FLOOR}
    assert not unsure.is_education and not unsure.hot and unsure.topics == ()
    assert not too_far.is_education and not too_far.hot
    assert abroad.scope == "foreign" and not abroad.is_education
    assert plain.is_education and not plain.hot and "sự cố nóng" not in plain.reasons[0]


def test_an_incident_whose_title_names_a_pupil_counts_as_education_from_a_lower_floor_still():
    """A pupil harmed outside school reads like crime news (relevance under the incident floor): a title naming a
    person of a school lets a fairly sure hot score through; the same scores without that title do not."""
    from classifiers.classify import (INCIDENT_RELEVANCE_FLOOR, VICTIM_HOT_FLOOR, VICTIM_RELEVANCE_FLOOR)

    low = (VICTIM_RELEVANCE_FLOOR + INCIDENT_RELEVANCE_FLOOR) / 2
    models = _FixedScores(relevance=[low, low, low, VICTIM_RELEVANCE_FLOOR - 0.05, low],
                          hot=[VICTIM_HOT_FLOOR + 0.05, VICTIM_HOT_FLOOR + 0.05, VICTIM_HOT_FLOOR - 0.05, 0.95, 0.95],
                          foreign=[0.0, 0.0, 0.0, 0.0, 0.99])
    clf = Classifier(load_rules(), OFFICE, models)
    titles = ["Nữ sinh lớp 7 bị lừa 'bắt cóc online', chuyển hàng trăm triệu đồng",
              "Bé gái 12 tuổi bị lừa 'bắt cóc online', chuyển hàng trăm triệu đồng",
              "Nữ sinh lớp 7 bị lừa 'bắt cóc online', chuyển hàng trăm triệu đồng",
              "Nữ sinh lớp 7 bị lừa 'bắt cóc online', chuyển hàng trăm triệu đồng",
              "Nữ sinh lớp 7 bị lừa 'bắt cóc online' ở Hàn Quốc"]
    named, unnamed, unsure, too_far, abroad = clf.classify_many([ArticleText(id=str(i), title=t) for i, t in enumerate(titles)])
    assert named.is_education and named.hot
    assert "tiêu đề nêu người của trường học" in named.reasons[0]
    assert named.evidence["thresholds"]["education_by_victim"] == {"relevance": VICTIM_RELEVANCE_FLOOR, "hot": VICTIM_HOT_FLOOR}
    assert not unnamed.is_education and not unnamed.hot
    assert not unsure.is_education and not too_far.is_education
    assert abroad.scope == "foreign" and not abroad.is_education



def test_the_hot_categories_are_the_rule_groups_behind_a_hot_judgement_and_not_in_the_contract():
    """The clipping, the cases and the report read a hot judgement's categories as data (ids from the rules, each
    that fired, in the order of the reason), never out of its reason, which names three; `monitor classify`'s
    output keeps its fields."""
    from classifiers.types import HotCategory

    models = _FixedScores(relevance=[0.9, 0.9, 0.9], hot=[0.95, 0.95, 0.05], foreign=[0.0, 0.0, 0.0])
    clf = Classifier(load_rules(), OFFICE, models)
    titles = ["Học sinh bị đánh hội đồng, nghi ngộ độc thực phẩm, lộ đề thi: mọi thông tin đều bịa đặt",
              "Trường tổ chức khai giảng năm học mới", "Trường tổ chức khai giảng năm học mới"]
    many, model_alone, calm = clf.classify_many([ArticleText(id=str(i), title=t) for i, t in enumerate(titles)])
    assert many.hot and many.hot_categories == (
        HotCategory("bao-luc", "bạo lực, xâm hại"), HotCategory("ngo-doc-dich", "ngộ độc, dịch bệnh"),
        HotCategory("gian-lan", "gian lận thi, lộ đề"), HotCategory("tin-sai", "tin sai sự thật"))
    (line,) = [r for r in many.reasons if r.startswith("nóng ")]
    assert "tin sai sự thật" not in line, "the reason names three; the categories are all of them"
    assert model_alone.hot and model_alone.hot_categories == ()
    assert not calm.hot and calm.hot_categories is None
    assert all(list(c.to_contract()) == CONTRACT for c in (many, model_alone, calm))


def _signs(stories: list[tuple[str, str]]) -> list[list[str]]:
    models = _FixedScores(relevance=[0.9] * len(stories), hot=[0.95] * len(stories), foreign=[0.0] * len(stories))
    out = Classifier(load_rules(), OFFICE, models).classify_many(
        [ArticleText(id=str(i), title=t, sapo=s) for i, (t, s) in enumerate(stories)])
    assert all(c.hot for c in out)
    return [[h.id for h in c.hot_categories] for c in out]


def test_a_hot_event_is_signed_by_what_happened_and_not_by_the_follow_up_its_sapo_tells():
    """A review found a school fight signed "sai phạm, kỷ luật" for the police's follow-up: the investigation, a
    charge or an outcry in the sapo of an event story is no sign; in the title it is (the story is about it), named
    after the event, which a reader sees first."""
    fight, drowning, suspended, outcry, charged = _signs([
        ("Hai nhóm học sinh lớp 8 ẩu đả trước cổng trường sau giờ tan học",
         "Công an phường đang điều tra, làm rõ vụ việc; nhiều phụ huynh bức xúc."),
        ("Ba học sinh đuối nước khi tắm hồ sau buổi dã ngoại", "Vụ việc khiến nhiều phụ huynh lo ngại."),
        ("Tạm đình chỉ cô giáo mầm non bạo hành trẻ trong giờ ngủ trưa", "Phòng giáo dục đã lập đoàn kiểm tra."),
        ("Phụ huynh bức xúc vì trường đổi lịch học liên tục", "Nhiều gia đình phải xin nghỉ làm để đưa đón con."),
        ("Khởi tố chủ cơ sở bơi lội", "Hai học sinh tiểu học tử vong do đuối nước khi học bơi tại cơ sở này."),
    ])
    assert fight == ["bao-luc"]
    assert drowning == ["tai-nan"]
    assert suspended == ["bao-luc", "vi-pham"]
    assert outcry == ["tranh-luan"], "a response with no event behind it is still the sign"
    assert charged == ["tai-nan", "vi-pham"]

def test_version_changes_with_the_rules(tmp_path, clf):
    edited = tmp_path / "topics.yaml"
    edited.write_text(load_rules().path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    other = load_classifier(None, OFFICE, rules_path=edited)
    assert other.version != clf.version and other.version.split("+")[1] != clf.version.split("+")[1]


def _tiny_bundle(tmp_path: Path) -> Path:
    rules = load_rules()
    vocab = ["giáo", "giáo viên", "học", "học sinh", "t:học"]
    n_in = len(vocab) + len(dense_names(rules))
    T = len(rules.topic_ids)
    W = sp.random(n_in, 1 + T + 5, density=0.2, format="csc", random_state=1, dtype=np.float32)
    heads = Heads(vocab=vocab, idf=np.ones(len(vocab), np.float32), W=W, b=np.zeros(1 + T + 5), topic_ids=rules.topic_ids,
                  rel_threshold=0.5, topic_thresholds=np.full(T, 0.5), hot_threshold=0.5, foreign_threshold=0.5)
    bundle = tmp_path / BUNDLE_NAME
    save_models(bundle, heads, {"name": BUNDLE_NAME, "rules_sha256": rules.sha256, "dense_names": dense_names(rules)})
    return bundle


def test_loaded_models_hold_each_array_once_as_prediction_reads_it_with_the_bundles_values(clf):
    """`monitor crawl` holds the models beside the crawler: no array is kept twice (sparse and dense, float16 and
    float32, rows and their transpose), and the dense weights are in row order, which scipy's product with the
    texts reads without copying all 23 MB of them on every batch."""
    import joblib

    m = clf.models
    z = joblib.load(SHIPPED / WEIGHTS_FILE)
    assert isinstance(m.heads.W, np.ndarray) and m.heads.W.flags.c_contiguous and m._W_grams.flags.c_contiguous
    assert m.heads.W.dtype == np.float32 and (sp.csr_matrix(m.heads.W) != z["W"]).nnz == 0
    assert m.heads.lsa.dtype == np.float32 and m._lsa[1] is m.heads.lsa
    assert np.array_equal(m.heads.lsa, z["lsa"].astype(np.float32))
    for rows, transposed, saved in ((m.heads.knn_rows, m._knn_rows_T, z["knn_rows"]),
                                    (m.heads.rel_knn_rows, m._rel_knn_rows_T, z["rel_knn_rows"])):
        assert np.shares_memory(rows.data, transposed.data) and (rows != saved).nnz == 0


def test_documents_given_as_vocabulary_columns_score_as_their_grams(clf):
    arts = [("Học sinh lớp 6 bị đánh hội đồng trong giờ ra chơi", "https://vnexpress.net/giao-duc/a-1.html"),
            ("Giá vàng hôm nay tăng mạnh", ""), ("", "")]
    grams = [model_grams([("title", prepare(t, "title"))] if t else [], url) for t, url in arts]
    dense = np.zeros((len(arts), len(dense_names(load_rules()))), np.float32)
    by_grams = clf.models.predict(grams, dense)
    by_columns = clf.models.predict([clf.models.columns(g) for g in grams], dense)
    for key in ("relevance", "topics", "tone", "hot", "foreign"):
        assert np.array_equal(by_grams[key], by_columns[key]), key


def test_model_loading_checks_versions(tmp_path):
    bundle = _tiny_bundle(tmp_path)
    rules = load_rules()
    assert load_models(bundle, rules).version.startswith(BUNDLE_NAME)
    meta_path = bundle / "metadata.json"
    meta = json.loads(meta_path.read_text())
    meta["libraries"]["scikit-learn"] = "0.24.2"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelError, match=r"scikit-learn 0\.24\.2") as exc:
        load_classifier(tmp_path, OFFICE)
    assert "monitor train" in exc.value.hint


def test_an_office_edit_of_the_rules_keeps_the_models_and_says_so_but_new_topics_do_not(tmp_path):
    """An office cannot retrain without the team's corpus: rules edited within the trained topics and rule
    groups keep the models (flagged), rules with other topics or groups are refused, or in a dry run scored
    by the rules alone."""
    bundle = _tiny_bundle(tmp_path)
    meta_path = bundle / "metadata.json"
    meta = json.loads(meta_path.read_text())
    meta["rules_sha256"] = "0" * 64  # trained with other terms or weights
    meta_path.write_text(json.dumps(meta))
    clf = load_classifier(tmp_path, OFFICE)
    assert clf.models is not None and clf.models.rules_edited == ("0" * 10, load_rules().sha256[:10])
    assert clf.rules_note == (f"tệp quy tắc topics.yaml đã được sửa sau khi huấn luyện mô hình (khi đó là quy tắc "
                              f"{'0' * 10}, nay là {load_rules().sha256[:10]}): các số liệu trong MODEL_CARD.md của mô "
                              "hình được đo với quy tắc cũ; `monitor rules test` cho thấy những gì thay đổi")
    meta["dense_names"] = meta["dense_names"][:-3] + ["hot:new-group"] + meta["dense_names"][-2:]
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="các chủ đề/nhóm quy tắc khác với"):
        load_classifier(tmp_path, OFFICE)
    trial = load_classifier(tmp_path, OFFICE, rules_path=load_rules().path, trial=True)
    assert trial.models is None and trial.version.startswith("rules-only")


def test_model_loading_checks_weights(tmp_path):
    bundle2 = _tiny_bundle(tmp_path / "b")
    (bundle2 / WEIGHTS_FILE).write_bytes(b"corrupt")
    with pytest.raises(ModelError, match="không khớp với tệp mô tả của nó"):
        load_classifier(tmp_path / "b", OFFICE)


def test_missing_models_when_required(tmp_path, monkeypatch):
    monkeypatch.setattr("classifiers.classify.SHIPPED_MODELS_DIR", tmp_path / "none")
    with pytest.raises(ModelError, match="chưa có mô hình đã huấn luyện trong"):
        load_classifier(tmp_path, OFFICE, require_models=True)


def test_classify_cli_contract_malformed_lines_and_exit_status(tmp_path):
    src = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "a", "title": "Bộ GD&ĐT công bố lịch thi tốt nghiệp THPT", "sapo": "Kỳ thi diễn ra trong hai ngày."}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "b", "title": ""}),
        json.dumps({"title": "không có id"}, ensure_ascii=False),
        json.dumps({"id": 7, "title": "Giá xăng giảm nhẹ từ chiều nay", "url": "https://example.vn/x"}, ensure_ascii=False),
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(cli, ["--config", str(tmp_path / "absent.yaml"), "classify", "--input", str(src), "--output", str(out)])
    assert res.exit_code == 1, res.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 5
    assert list(rows[0]) == CONTRACT and rows[0]["id"] == "a" and rows[0]["is_education"] is True
    assert set(rows[1]) == {"error"} and "dòng 2" in rows[1]["error"]
    assert rows[2]["id"] == "b" and "title" in rows[2]["error"]
    assert set(rows[3]) == {"error"}
    assert list(rows[4]) == CONTRACT and rows[4]["id"] == "7" and rows[4]["is_education"] is False


def test_classify_cli_a_malformed_line_keeps_its_readable_id_and_says_what_is_wrong_in_vietnamese(tmp_path):
    """The issue's contract: a malformed line gives `id` when readable. A line cut short after its id still shows it;
    "id" inside a title, or after the fault, is not taken for it. The summary names the bad lines, an id given twice
    is said, and the parser's English stays out."""
    good = {"id": "a1", "title": "Trường tiểu học tổ chức ngày hội đọc sách"}
    lines = [json.dumps(good, ensure_ascii=False),
             '{"id": "a3", "title": "Học sinh lớp 6 được tặng',  # cut short inside a string
             '{"id": 42, "title": "Giáo viên dạy giỏi cấp quận"',  # cut short before the closing brace
             '{"title": "ghi chú \\"id\\": \\"gia\\"" "id": "b"}',  # "id" only inside the title; the fault before the real one
             "{'id': 'c', 'title': 'nháy đơn'}",
             json.dumps({"id": "a1", "title": "Một bài khác mang cùng id"}, ensure_ascii=False)]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(cli, ["--config", str(tmp_path / "absent.yaml"), "classify", "-i", str(src), "-o", str(out)])
    assert res.exit_code == 1, res.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r.get("id") for r in rows] == ["a1", "a3", "42", None, None, "a1"]
    assert set(rows[1]) == {"id", "error"} and list(rows[5]) == CONTRACT, "no field added to a classified line"
    assert rows[1]["error"].startswith("dòng 2: không phải JSON hợp lệ: dòng dừng giữa chừng")
    assert rows[2]["error"].startswith("dòng 3: không phải JSON hợp lệ: dòng dừng giữa chừng"), "not 'column 1' of a next line"
    assert "dòng 4: không phải JSON hợp lệ: thiếu dấu phẩy giữa hai trường, ở cột" in rows[3]["error"]
    assert "dòng 5: không phải JSON hợp lệ: tên trường phải đặt trong ngoặc kép" in rows[4]["error"]
    for english in ("Expecting", "delimiter", "Unterminated", "property name"):
        assert english not in out.read_text(encoding="utf-8") and english not in res.output
    assert "4 dòng sai định dạng: dòng 2, 3, 4, 5" in res.output
    assert "chú ý: 1 id có ở nhiều dòng" in res.output and "a1 (dòng 1, 6)" in res.output


def test_classify_cli_a_missing_input_file_is_said_in_vietnamese(tmp_path):
    res = CliRunner().invoke(cli, ["--config", str(tmp_path / "absent.yaml"), "classify", "-i", str(tmp_path / "khong-co.jsonl"),
                                   "-o", str(tmp_path / "o.jsonl")])
    assert res.exit_code == 2, res.output
    assert f"không đọc được {tmp_path / 'khong-co.jsonl'}: không có tệp này" in res.output
    assert "No such file" not in res.output and not (tmp_path / "o.jsonl").exists()


def test_classify_cli_a_line_not_in_utf8_is_that_lines_error_and_a_failed_run_keeps_the_old_output(tmp_path, monkeypatch):
    good = json.dumps({"id": "a", "title": "Trường mầm non tổ chức ngày hội"}, ensure_ascii=False).encode("utf-8")
    latin1 = json.dumps({"id": "b", "title": "Học sinh"}, ensure_ascii=False).encode("utf-8").replace(
        "ọ".encode("utf-8"), b"\xf3")
    src = tmp_path / "in.jsonl"
    surrogate = b'{"id": "x\\ud800", "title": "H\\u1ecdc sinh"}'  # valid JSON, yet no character to write back
    src.write_bytes(b"\xef\xbb\xbf" + good + b"\n" + latin1 + b"\n" + json.dumps({"id": 3.5, "title": "x"}).encode() + b"\n"
                    + surrogate + b"\n")
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(cli, ["--config", str(tmp_path / "absent.yaml"), "classify", "-i", str(src), "-o", str(out)])
    assert res.exit_code == 1, res.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    # the id of the line not in UTF-8 is before its stray byte, so still read; 3.5 and "x\\ud800" are no ids
    assert [r.get("id") for r in rows] == ["a", "b", None, None] and list(rows[0]) == CONTRACT
    assert "dòng 2: không phải văn bản UTF-8" in rows[1]["error"] and "dòng 3: id phải là chuỗi hoặc số nguyên" in rows[2]["error"]
    assert "dòng 4: có mã \\ud800 (nửa cặp surrogate lẻ)" in rows[3]["error"]

    # a run that stops before the end (here: a fault injected at the second line, after the first was written)
    # leaves the last complete output as it was, and no partial file beside it
    import monitor.cli.nlp as nlp_cli

    read = nlp_cli._read_article

    def failing(raw, lineno):
        if lineno == 2:
            raise RuntimeError("injected fault")
        return read(raw, lineno)

    monkeypatch.setattr(nlp_cli, "_read_article", failing)
    monkeypatch.setattr(nlp_cli, "BATCH", 1)
    before = out.read_bytes()
    res = CliRunner().invoke(cli, ["--config", str(tmp_path / "absent.yaml"), "classify", "-i", str(src), "-o", str(out), "-j", "1"])
    assert res.exit_code == 4 and "injected fault" in res.output, res.output
    assert out.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_classify_cli_all_good_exits_zero(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "title": "Trường mầm non tổ chức ngày hội"}, ensure_ascii=False) + "\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(tmp_path / "absent.yaml"), "classify", "-i", str(src), "-o", str(tmp_path / "o.jsonl")])
    assert res.exit_code == 0, res.output


def test_classify_cli_with_a_models_folder_without_models(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "title": "Trường mầm non tổ chức ngày hội"}, ensure_ascii=False) + "\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(tmp_path / "absent.yaml"), "classify", "-i", str(src),
                                   "-o", str(tmp_path / "o.jsonl"), "--models", str(tmp_path / "empty")])
    assert res.exit_code == 3
    assert "chưa có mô hình đã huấn luyện" in res.output and "monitor train" in res.output


def test_classify_cli_headline_less_item_is_classified_from_its_body(tmp_path):
    """Archived pages often lose their headline; an empty title with a body is classified, a missing one is not."""
    src = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "no-headline", "title": "", "body": "Sáng nay, hơn 1.200 học sinh lớp 9 của quận bước vào "
                    "kỳ thi tuyển sinh vào lớp 10 THPT công lập. Sở Giáo dục và Đào tạo bố trí 40 điểm thi."}, ensure_ascii=False),
        json.dumps({"id": "no-title-key", "body": "Sở Giáo dục và Đào tạo công bố điểm chuẩn lớp 10."}, ensure_ascii=False),
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(cli, ["--config", str(tmp_path / "absent.yaml"), "classify", "-i", str(src), "-o", str(out)])
    assert res.exit_code == 1, res.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert list(rows[0]) == CONTRACT and rows[0]["is_education"] is True
    assert rows[1]["id"] == "no-title-key" and "thiếu title" in rows[1]["error"]


def test_disagreements_lists_only_items_that_differ_and_counts_like_evaluate():
    from types import SimpleNamespace

    from classifiers.evaluate import disagreements

    gold = [
        {"id": "same", "title": "a", "is_education": True, "topics": ["doi-ngu"], "sentiment": "neutral", "hot": False, "scope": "city"},
        {"id": "other", "title": "b", "is_education": False, "topics": [], "sentiment": "neutral", "hot": False, "scope": "national"},
        {"id": "diff", "title": "c", "is_education": True, "topics": ["doi-ngu"], "sentiment": "negative", "hot": True, "scope": "city"},
    ]
    pred = [
        SimpleNamespace(is_education=True, relevance=0.9, topics=("doi-ngu",), sentiment="neutral", hot=False, hot_score=0.1, scope="city"),
        # topics and tone of an item labelled not education are not counted, as in evaluate
        SimpleNamespace(is_education=False, relevance=0.1, topics=(), sentiment="positive", hot=False, hot_score=0.0, scope="national"),
        SimpleNamespace(is_education=True, relevance=0.8, topics=("an-toan-truong-hoc",), sentiment="neutral", hot=False,
                        hot_score=0.04, scope="national"),
    ]
    out = disagreements(gold, pred)
    assert [e["id"] for e in out] == ["diff"]
    assert out[0]["topics"] == {"missed": ["doi-ngu"], "extra": ["an-toan-truong-hoc"]}
    assert out[0]["tone"] == {"label": "negative", "model": "neutral"}
    assert out[0]["hot"] == {"label": True, "model": False, "score": 0.04}
    assert out[0]["scope"] == {"label": "city", "model": "national"}


def test_intervals_bracket_the_figures_narrow_with_more_items_and_repeat_exactly():
    from types import SimpleNamespace

    from classifiers.evaluate import evaluate, intervals

    def labelled(n_right: int, n_wrong: int):
        """Education items the model gets right (topic, tone, hot, scope) and ones it gets wholly wrong."""
        gold, pred = [], []
        for k in range(n_right + n_wrong):
            ok = k < n_right
            gold.append({"id": str(k), "is_education": True, "topics": ["doi-ngu"], "sentiment": "negative",
                         "hot": k % 2 == 0, "scope": "city"})
            pred.append(SimpleNamespace(is_education=ok, topics=("doi-ngu",) if ok else (), sentiment="negative" if ok else "neutral",
                                        hot=ok and k % 2 == 0, scope="city" if ok else "national"))
        return gold, pred

    small, large = labelled(40, 10), labelled(400, 100)
    ci_small, ci_large = intervals(*small), intervals(*large)
    assert set(ci_small) == {"education_f1", "topic_micro_f1", "tone_macro_f1", "hot_recall", "hot_precision", "scope_accuracy"}
    point = evaluate(*small)
    for key, value in [("education_f1", point["education"]["f1"]), ("topic_micro_f1", point["topic_micro"]["f1"]),
                       ("hot_recall", point["hot"]["recall"]), ("scope_accuracy", point["scope_accuracy"])]:
        lo, hi = ci_small[key]
        assert lo < value < hi, (key, lo, value, hi)
        assert ci_large[key][1] - ci_large[key][0] < (hi - lo) * 0.6, "ten times the items, about a third the width"
    assert ci_small["hot_precision"] == [1.0, 1.0], "every flag right in every resample"
    assert intervals(*small) == ci_small, "seeded: the same input prints the same interval"


def test_paired_bootstrap_of_two_classifiers_differs_by_their_own_items_only():
    """bench/body_lead.py scores two readings of the same items on the same resamples: the interval of their
    difference is zero where they agree, and a model better on some items is never behind on a resample."""
    from types import SimpleNamespace

    import numpy as np

    from classifiers.evaluate import bootstrap_samples, intervals, resample_weights

    gold = [{"id": str(k), "is_education": k < 60, "topics": ["doi-ngu"] if k < 60 else [], "sentiment": "neutral",
             "hot": False, "scope": "national"} for k in range(100)]

    def calls(missed: int):
        return [SimpleNamespace(is_education=g["is_education"] and k >= missed, topics=tuple(g["topics"]) if k >= missed else (),
                                sentiment="neutral", hot=False, scope="national") for k, g in enumerate(gold)]

    weights = resample_weights(len(gold))
    worse, better = bootstrap_samples(gold, calls(10), weights), bootstrap_samples(gold, calls(2), weights)
    diff = better["education_f1"] - worse["education_f1"]
    # a resample that draws none of the 8 items they differ on ties them; none puts the weaker ahead
    assert (diff >= 0).all() and (diff > 0).mean() > 0.99, "on the same resamples the model missing fewer items is ahead"
    assert np.array_equal(better["tone_macro_f1"], worse["tone_macro_f1"])
    ci = intervals(gold, calls(10))
    assert ci["education_f1"] == [round(float(np.percentile(worse["education_f1"], q)), 4) for q in (2.5, 97.5)]


def test_classify_cli_in_worker_processes_writes_what_one_process_writes(tmp_path, monkeypatch):
    """Several batches in flight across forked workers come back in input order, malformed lines in place."""
    monkeypatch.setattr("monitor.cli.nlp.BATCH", 3)
    titles = ["Hà Nội công bố điểm chuẩn lớp 10 năm học mới", "Giá vàng hôm nay tăng mạnh",
              "Học sinh lớp 8 bị bạn đánh hội đồng, nhà trường kỷ luật", "Đội tuyển bóng đá thắng 2-0",
              "Trường mầm non tổ chức tết Trung thu cho trẻ", "Giáo viên được tăng phụ cấp ưu đãi nghề"]
    lines = []
    for n in range(4):
        for k, t in enumerate(titles):
            lines.append(json.dumps({"id": f"{n}-{k}", "title": t}, ensure_ascii=False))
        lines.append("{broken")
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outputs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}.jsonl"
        res = CliRunner().invoke(cli, ["--config", str(tmp_path / "absent.yaml"), "classify", "-i", str(src), "-o", str(out), "--jobs", jobs])
        assert res.exit_code == 1 and "đã phân loại 24 bài" in res.output and "4 dòng sai định dạng" in res.output, res.output
        outputs[jobs] = out.read_text(encoding="utf-8")
    assert outputs["1"] == outputs["2"]
    rows = [json.loads(x) for x in outputs["2"].splitlines()]
    assert [r.get("id") for r in rows[:7]] == ["0-0", "0-1", "0-2", "0-3", "0-4", "0-5", None]
    assert "error" in rows[6] and rows[2]["is_education"] is True and rows[1]["is_education"] is False


def test_classify_to_a_reader_that_goes_away_stops_quietly(tmp_path):
    """`monitor classify -o - | head`: no 'internal error' when the pipe closes, the SIGPIPE status instead."""
    import subprocess
    import sys
    from pathlib import Path

    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": str(n), "title": f"Học sinh lớp {n % 12 + 1} tham gia ngày hội đọc sách"},
                                      ensure_ascii=False) + "\n" for n in range(3000)), encoding="utf-8")
    monitor = Path(sys.executable).with_name("monitor")
    proc = subprocess.Popen([str(monitor), "--config", str(tmp_path / "absent.yaml"), "classify", "-i", str(src), "-o", "-"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.read(100)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141, err
    assert "Lỗi nội bộ" not in err and "Traceback" not in err


def test_a_namesake_commune_of_a_ward_the_city_also_lists_is_not_local():
    """Hà Nội's own list names Bồ Đề (a ward of the office's), so the bare capitalised name is local; "xã Bồ Đề"
    is a commune elsewhere (Hà Nam) and is not."""
    from monitor.config import load_config

    office = load_config(Path(__file__).resolve().parents[1] / "monitor" / "templates" / "feeds.example.yaml").office
    clf = Classifier(load_rules(), office)
    assert clf.classify(ArticleText(id="1", title="Hà Nam: nam sinh lớp 8 ở xã Bồ Đề bị bạn đánh hội đồng")).scope != "local"
    assert clf.classify(ArticleText(id="2", title="Học sinh Bồ Đề được khen thưởng")).scope == "local"
    assert clf.classify(ArticleText(id="3", title="Học sinh phường Bồ Đề được khen thưởng")).scope == "local"


def _city_reason(clf, title, sapo=""):
    c = clf.classify(ArticleText(id="s", title=title, sapo=sapo))
    assert c.scope == "city", c
    (reason,) = [r for r in c.reasons if r.startswith(("tỉnh: ", "thành phố: "))]
    return reason


def test_a_city_scopes_reason_names_the_offices_city_by_its_kind(tmp_path):
    # "thành phố: …" was written for any province, and `monitor classify`, the stored reasons and evaluate's
    # listings kept it; a province's office reads its own stories as "tỉnh", a centrally-run city's as "thành phố"
    rules = load_rules()
    nghe_an = Office(name="Sở Giáo dục và Đào tạo tỉnh Nghệ An", short_name="Sở GD&ĐT Nghệ An", district="Nghệ An",
                     city="Nghệ An")
    title = "Nghệ An cho học sinh nghỉ học tránh bão"
    assert _city_reason(Classifier(rules, nghe_an, None), title) == "tỉnh: Nghệ An (title)"
    da_nang = Office(name="Sở Giáo dục và Đào tạo thành phố Đà Nẵng", short_name="Sở GD&ĐT Đà Nẵng",
                     district="Đà Nẵng", city="Đà Nẵng")
    assert _city_reason(Classifier(rules, da_nang, None), "Đà Nẵng tuyển thêm giáo viên mầm non") \
        == "thành phố: Đà Nẵng (title)"
    # a Phòng's "city" is its province too, and an office known by its places alone takes the province table's kind
    assert _city_reason(Classifier(rules, OFFICE, None), "Hà Nội tuyển thêm giáo viên mầm non",
                        "Một tỉnh miền Trung.").startswith("thành phố: Hà Nội")
    from classifiers.types import OfficeContext
    assert _city_reason(Classifier(rules, OfficeContext(district="Nghệ An", city="tỉnh Nghệ An"), None), title) \
        == "tỉnh: Nghệ An (title)"
    # `monitor classify` with the Sở's feeds.yaml writes it so
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("office: {name: Sở Giáo dục và Đào tạo tỉnh Nghệ An, district: Nghệ An, city: Nghệ An}\n"
                   "sources: [{name: a, url: 'http://127.0.0.1:9/rss'}]\n", encoding="utf-8")
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(json.dumps({"id": "n1", "title": title}, ensure_ascii=False) + "\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(cfg), "classify", "-i", str(src), "-o", str(out), "-j", "1"])
    assert res.exit_code == 0, res.output
    (line,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert "tỉnh: Nghệ An (title)" in line["reasons"] and not any("thành phố" in r for r in line["reasons"])
