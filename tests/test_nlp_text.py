"""Vietnamese text normalisation and rule matching."""

import unicodedata

import pytest

from classifiers.rules import load_rules
from classifiers.text import fold, has_diacritics, normalize, syllables
from monitor.errors import InputError


def test_normalize_nfc_lowercase_and_one_tone_placement():
    nfd = unicodedata.normalize("NFD", "Hoà Bình")
    assert normalize(nfd) == "hòa bình"
    assert normalize("THUỶ LỢI") == "thủy lợi"
    assert normalize("Khoẻ mạnh, tuỳ ý") == "khỏe mạnh, tùy ý"
    # closed syllables and "qu" keep their mark
    assert normalize("hoàn thành khuyến học") == "hoàn thành khuyến học"
    assert normalize("quý khách") == "quý khách"


def test_fold_removes_diacritics():
    assert fold(normalize("Đề thi Giáo dục ĐÀ NẴNG")) == "de thi giao duc da nang"
    assert not has_diacritics("hoc sinh bi danh o truong")
    assert has_diacritics("Học sinh bị đánh ở trường")


def test_syllables_keep_numbers_drop_punctuation():
    assert syllables(normalize("Lớp 10, GD&ĐT: 20/11!")) == ["lớp", "10", "gd", "đt", "20", "11"]


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def _terms(rules, title, group):
    return [h.term for h in rules.match_fields([("title", title)]).hits if h.group == group]


def test_rules_match_whole_syllables_with_field(rules):
    m = rules.match_fields([("title", "Phụ huynh phản ánh lạm thu đầu năm"), ("sapo", "Nhà trường trả lại tiền")])
    hits = {(h.group, h.term, h.field) for h in m.hits}
    assert ("topic:hoc-phi-thu-chi", "lạm thu", "title") in hits
    assert ("hot:lam-thu", "trả lại tiền", "sapo") in hits
    # "thi" (exam) must not fire inside "thiết bị"
    assert "kỳ thi" not in _terms(rules, "Thiết bị điện tử mới", "edu")


def test_rules_match_text_without_diacritics(rules):
    assert "đánh hội đồng" in _terms(rules, "Hoc sinh bi danh hoi dong tai truong THCS", "topic:an-toan-truong-hoc")


def test_capitalised_place_names_are_case_sensitive(rules):
    assert "ở Anh" in _terms(rules, "Du học sinh ở Anh được làm thêm", "foreign")
    assert "ở Anh" not in _terms(rules, "Em gửi thư ở anh trai", "foreign")
    assert _terms(rules, "Thầy Trịnh Mỹ Anh dạy tiếng Anh", "foreign") == []


def test_a_controversy_is_named_by_its_own_hot_rule_group(rules):
    # the guide counts a public controversy as hot even when nobody is hurt; `reasons` must be able to say so
    terms = _terms(rules, "Phụ huynh phàn nàn, nhiều ý kiến trái chiều quanh quy định mới về dạy thêm", "hot:tranh-luan")
    assert {"phàn nàn", "ý kiến trái chiều"} <= set(terms)
    assert "phàn nàn" in _terms(rules, "Phu huynh phan nan ve quy dinh moi", "hot:tranh-luan")
    assert _terms(rules, "Trường tổ chức lễ khai giảng năm học mới", "hot:tranh-luan") == []
    # a controversy is named as one only, not also as misconduct or over-charging
    hits = rules.match_fields([("title", "Gây tranh cãi, phụ huynh bức xúc vì đề kiểm tra lớp 6")]).hits
    assert {h.term for h in hits if h.group == "hot:tranh-luan"} >= {"tranh cãi", "bức xúc"}
    assert not [h for h in hits if h.group in ("hot:vi-pham", "hot:lam-thu")]


def test_a_term_for_a_pupil_does_not_match_inside_a_word_for_a_university_student(rules):
    # "nam sinh" (a schoolboy) inside "nam sinh viên" (a university student) would count a student in crime
    # news as a pupil harmed, which the guide counts as education news
    assert "nam sinh" not in _terms(rules, "Nam sinh viên bị xe tông trên đường về ký túc xá", "edu")
    assert "nữ sinh" not in _terms(rules, "Nu sinh vien mat tich sau buoi lam them", "edu")
    assert "nam sinh" in _terms(rules, "Nam sinh bị xe tông trên đường đi học", "edu")
    assert "sinh viên" in _terms(rules, "Nam sinh viên bị xe tông trên đường về ký túc xá", "edu")


def test_topic_exclusion_cancels_the_topic(rules):
    m = rules.match_fields([("title", "Tuyển sinh và tuyển dụng lao động phổ thông")])
    assert rules.topic_scores(m)["tuyen-sinh"] == 0.0


def test_rules_file_errors_name_the_problem(tmp_path):
    bad = tmp_path / "topics.yaml"
    bad.write_text("topics:\n  - id: tuyen-sinh\n    terms: {điểm chuẩn: lots}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"topics\[0\] \(tuyen-sinh\)\.terms\.điểm chuẩn: trọng số phải là một số từ 0 "
                                         r"đến 3, ví dụ 0\.8; đang là 'lots'"):
        load_rules(bad)
    bad.write_text("topics: [\n", encoding="utf-8")
    with pytest.raises(InputError, match="không phải YAML hợp lệ ở dòng 2, cột 1"):
        load_rules(bad)
    with pytest.raises(InputError, match="không đọc được tệp quy tắc .*missing.yaml: No such file"):
        load_rules(tmp_path / "missing.yaml")
    # an office adding a term the file already weighs must learn that one of the two weights would vanish
    shipped = load_rules().path.read_text(encoding="utf-8")
    bad.write_text(shipped.replace("  terms:\n", "  terms:\n    điểm chuẩn: 1.0\n    điểm chuẩn: 2.0\n", 1), encoding="utf-8")
    with pytest.raises(InputError, match=r"'điểm chuẩn' được viết lại lần nữa"):
        load_rules(bad)


def test_topics_follow_the_plan_order():
    ids = load_rules().topic_ids
    assert ids[0] == "chinh-sach" and ids[-1] == "hoc-phi-thu-chi" and len(ids) == 17


def test_rules_topics_match_the_plan_table():
    from classifiers.plan_topics import PLAN_TOPICS

    rules = load_rules()
    assert [(t.id, t.name) for t in rules.topics] == list(PLAN_TOPICS)


def test_underthesea_adapter_segments_words_and_sentences():
    from classifiers.text import segment, sentences, warm_segmenter

    warm_segmenter()
    words = segment("Học sinh trường THCS được nghỉ học. Phụ huynh yên tâm.")
    assert "Học_sinh" in words and "Phụ_huynh" in words
    assert len(sentences("Học sinh được nghỉ học. Phụ huynh yên tâm.")) == 2


def test_one_syllable_terms_do_not_match_folded_common_words(rules):
    # folded, "tat" is also "tất" (all), "sap" "sắp" (soon), "chay" "chạy" (run), "soi" "soi" (to inspect)
    hits = rules.match_fields([("title", "Truong hoc sap khai giang, tat ca giao vien da san sang")]).hits
    assert not [h for h in hits if h.group.startswith("hot:") or h.group == "neg"]
    assert "tát" not in _terms(rules, "Hoc sinh hao huc chay bo, thay co soi lai bai tap", "hot:bao-luc")
    assert _terms(rules, "Hoc sinh hao huc chay bo, thay co soi lai bai tap", "hot:tai-nan") == []
    assert _terms(rules, "Hoc sinh hao huc chay bo, thay co soi lai bai tap", "hot:ngo-doc-dich") == []
    # terms of two or more syllables still match unmarked text, as do names no Vietnamese word folds to,
    # and a one-syllable term the writer did mark
    assert "đánh hội đồng" in _terms(rules, "Nam sinh bi danh hoi dong sau gio tan hoc", "topic:an-toan-truong-hoc")
    assert "Singapore" in _terms(rules, "Hoc sinh Viet Nam sang Singapore thi dau", "foreign")
    assert "tát" in _terms(rules, "Co giao bi to tát hoc sinh lop 2", "hot:bao-luc")


def test_a_few_accented_words_keep_folded_matching_for_an_unmarked_text(rules):
    title = "Phu huynh to truong thu tien hoc them trai quy dinh o Hà Nội"
    assert "thu tiền" in _terms(rules, title, "topic:hoc-phi-thu-chi")
    assert has_diacritics("Học sinh Trường Tiểu học Hoa Sen đi tham quan")
    assert not has_diacritics(title)
    # an accented text with foreign names is still accented: "thi" there is the exam, not "thì"
    assert has_diacritics("Học sinh thi IELTS ở Hà Nội năm 2025")


def test_invisible_characters_and_html_entities_do_not_split_words(rules):
    zw = "Hàng chục học si\u200bnh nhập viện nghi ngộ đ\u200cộc sau bữa trưa bá\u00adn trú\ufeff"
    assert normalize(zw) == "hàng chục học sinh nhập viện nghi ngộ độc sau bữa trưa bán trú"
    assert "nghi ngộ độc" in _terms(rules, zw, "hot:ngo-doc-dich")
    ent = "Hàng&nbsp;chục&nbsp;học&nbsp;sinh&nbsp;nhập&nbsp;viện&nbsp;nghi&nbsp;ngộ&nbsp;độc"
    assert syllables(normalize(ent)) == ["hàng", "chục", "học", "sinh", "nhập", "viện", "nghi", "ngộ", "độc"]
    assert "nghi ngộ độc" in _terms(rules, ent, "hot:ngo-doc-dich")
    assert normalize("Tr&#432;&#7901;ng &amp;nbsp;") == "trường \xa0"
    # an ampersand that is not a character reference stays
    assert normalize("Phòng GD&ĐT và R&D") == "phòng gd&đt và r&d"
