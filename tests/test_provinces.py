"""The 34 provinces since 1 July 2025 (classifiers/provinces.yaml): an office anywhere reads its province, its former
provinces and their cities as its city; Hà Nội reads as it always did. Invented stories only."""

import subprocess
import sys
from pathlib import Path

import pytest

from classifiers.classify import Classifier
from classifiers.provinces import load_provinces, place_key
from classifiers.rules import load_rules
from classifiers.scope import city_names, office_places
from classifiers.types import ArticleText
from monitor.config import Office

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_FEEDS = ROOT / "monitor" / "templates" / "feeds.example.yaml"  # the Long Biên office, whatever feeds.yaml says
QUANG_NAM_STORY = ("Trường THCS ở Tam Kỳ, Quảng Nam (cũ) khánh thành nhà đa năng",
                   "Học sinh ba xã miền núi được học bơi miễn phí trong dịp hè.")


def so(city: str, district: str | None = None) -> Office:
    return Office(name=f"Sở Giáo dục và Đào tạo {city}", short_name=f"Sở GD&ĐT {city}", district=district or city,
                  city=city)


def scope(office, title, sapo="", rules=None) -> str:
    return Classifier(rules or load_rules(), office, None).classify(ArticleText(id="p", title=title, sapo=sapo)).scope


def test_the_table_has_the_34_provinces_and_finds_them_however_written():
    table = load_provinces()
    assert len(table.provinces) == 34
    assert len({p.name for p in table.provinces}) == 34
    assert sum(len(p.former) for p in table.provinces) == 29  # 63 provinces before the merger
    for written in ("Đà Nẵng", "thành phố Đà Nẵng", "TP. Đà Nẵng", "da nang", "TP Da Nang"):
        assert table.find(written).province.name == "Đà Nẵng" and table.find(written).former is None, written
    for written in ("TP.HCM", "TPHCM", "Thành phố Hồ Chí Minh", "ho chi minh", "Sài Gòn"):
        assert table.find(written).province.name == "Hồ Chí Minh", written
    assert table.find("Thừa Thiên Huế").province.name == "Huế"
    assert table.find("tỉnh Quảng Nam (cũ)").former == "Quảng Nam"
    assert table.find("Bình Dương").province.name == "Hồ Chí Minh"
    assert table.find("Hà Tây") is None and table.find("") is None
    assert place_key("TP. Hồ Chí Minh") == place_key("thanh pho ho chi minh")


def test_a_so_of_da_nang_reads_a_quang_nam_school_story_as_its_city_a_ha_noi_office_as_national():
    assert scope(so("Đà Nẵng"), *QUANG_NAM_STORY) == "city"
    assert scope(so("Đà Nẵng"), "Học sinh Hội An đạt giải nhất cuộc thi sáng tạo trẻ") == "city"
    assert scope(so("Đà Nẵng"), "Giáo viên tỉnh Quảng Nam cũ được hỗ trợ nhà công vụ") == "city"
    hn = Office(name="Phòng GD&ĐT quận Long Biên", short_name="PGD Long Biên", district="Long Biên", city="Hà Nội")
    assert scope(hn, *QUANG_NAM_STORY) == "national"
    assert scope(so("Hà Nội"), *QUANG_NAM_STORY) == "national"
    # an office anywhere gets its province's names: Huế's older name, a merged province of TP.HCM's
    assert scope(so("Huế"), "Thừa Thiên Huế tuyển 300 giáo viên mầm non") == "city"
    assert scope(so("TP Hồ Chí Minh"), "Học sinh Vũng Tàu được nghỉ học tránh bão") == "city"
    assert scope(so("Gia Lai"), "Trường tiểu học ở Quy Nhơn tổ chức ngày hội đọc sách") == "city"


def test_namesakes_of_a_province_do_not_make_a_story_the_citys():
    # "Thái Bình Dương" is the Pacific; "Hà Nam" is also in people's names (bench/provinces.py found a doctor's)
    assert scope(so("TP Hồ Chí Minh"), "Sinh viên châu Á - Thái Bình Dương thi khởi nghiệp") == "national"
    assert scope(so("TP Hồ Chí Minh"), "Bình Dương cũ thêm 12 trường học mới") == "city"
    assert scope(so("Hưng Yên"), "Học bổng cho sinh viên vùng Thái Bình Dương") == "national"
    # a family name before a place's name makes it a person's, a school's kind a school's (of another province)
    assert scope(so("Hưng Yên"), "Trao học bổng Nguyễn Thái Bình cho học sinh vùng lũ") == "national"
    assert scope(so("Hưng Yên"), "Học sinh tỉnh Thái Bình cũ nhận học bổng vượt khó") == "city"
    assert scope(so("An Giang"), "Học trò tiễn thầy Võ Phú Quốc về nơi an nghỉ") == "national"
    assert scope(so("An Giang"), "Học sinh Phú Quốc được nghỉ học tránh bão") == "city"
    assert scope(so("An Giang"), "Tỉnh Đoàn An Giang trao 40 suất học bổng cho học sinh nghèo") == "city"
    assert scope(so("Hưng Yên"), "Giáo sư quê Thái Bình cũ làm hiệu trưởng trường đại học") == "national"
    assert scope(so("Lâm Đồng"), "Nữ sinh trường THCS Bình Thuận bị đánh hội đồng", "Vụ việc ở một tỉnh miền Tây.") == "national"
    assert scope(so("Lâm Đồng"), "Giáo viên Bình Thuận cũ được tăng phụ cấp") == "city"
    assert scope(so("Ninh Bình"), "Bác sĩ Trần Hà Nam Minh tặng học bổng cho tân sinh viên") == "national"
    assert scope(so("Ninh Bình"), "Trẻ mầm non ở Hà Nam được học bơi") == "city"
    assert scope(so("Ninh Bình"), "Giáo viên tỉnh Hà Nam (cũ) nhận quyết định điều động") == "city"
    # a university named after a merged province is not news from it, as "Đại học Y Hà Nội" is not the capital's
    assert scope(so("TP Hồ Chí Minh"), "Trường đại học Bà Rịa - Vũng Tàu có hiệu trưởng mới") == "national"
    assert scope(so("TP Hồ Chí Minh"), "Học sinh Bà Rịa - Vũng Tàu cũ chọn nguyện vọng lớp 10") == "city"


def test_an_office_city_written_as_a_former_province_is_read_as_the_province_it_was_merged_into(tmp_path):
    # Sở GD&ĐT Quảng Nam became part of Đà Nẵng's: a configuration not yet updated reads the new province, and
    # `monitor config check` says so and what to write
    office = so("tỉnh Quảng Nam", district="Quảng Nam")
    assert scope(office, "Đà Nẵng công bố điểm chuẩn lớp 10") == "city"
    assert scope(office, *QUANG_NAM_STORY) == "city"
    assert scope(office, "Học sinh Gia Lai đạt giải toán quốc gia") == "national"
    assert office.is_own_area("city")
    text = SHIPPED_FEEDS.read_text(encoding="utf-8")
    text = (text.replace("  name: Phòng Giáo dục và Đào tạo quận Long Biên", "  name: Sở Giáo dục và Đào tạo tỉnh Quảng Nam")
            .replace("  district: Long Biên", "  district: Quảng Nam").replace("  city: Hà Nội", "  city: tỉnh Quảng Nam"))
    (tmp_path / "feeds.yaml").write_text(text, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(tmp_path / "feeds.yaml"), "config", "check"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if x.startswith("Phạm vi: "))
    assert line.startswith("Phạm vi: office.city tỉnh Quảng Nam là thành phố Đà Nẵng (classifiers/provinces.yaml); các "
                           "tên được đọc là tỉnh, thành của đơn vị: ") and line.endswith("; là Sở: cả tỉnh, thành là địa "
                                                                                        "bàn của đơn vị")
    # its former districts and Quảng Nam's among them
    assert all(n in line for n in ("Hội An, ", "Quảng Nam, ", "Tam Kỳ, ", "Đà Nẵng", "Hải Châu, ", "Núi Thành, "))
    assert ("Cảnh báo: office.city tỉnh Quảng Nam là tỉnh cũ, đã sáp nhập vào thành phố Đà Nẵng (1/7/2025, "
            "Nghị quyết 202/2025/QH15)") in proc.stdout and "ghi city: Đà Nẵng (và district: Đà Nẵng)" in proc.stdout


def test_config_check_shows_the_shipped_offices_city_and_warns_of_an_unknown_one(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(SHIPPED_FEEDS), "config", "check"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert ("Phạm vi: office.city Hà Nội là thành phố Hà Nội (classifiers/provinces.yaml); các tên được đọc là tỉnh, "
            "thành của đơn vị: Hanoi, Hà Nội, TP Hà Nội, Thủ đô, và 64 địa danh của topics.yaml scope.cities\n") in proc.stdout
    assert "Cảnh báo: office.city" not in proc.stdout
    path = tmp_path / "feeds.yaml"
    path.write_text("office: {name: Sở GD&ĐT Hà Tây, district: Hà Tây, city: Hà Tây}\n"
                    "sources: [{name: a, url: 'https://a.vn/rss'}]\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(path), "config", "check"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "Cảnh báo: office.city Hà Tây không là tỉnh, thành nào trong 34 tỉnh, thành" in proc.stdout


def test_ha_noi_reads_as_before_and_topics_yaml_scope_cities_still_extends_and_overrides(tmp_path):
    rules = load_rules()
    hn = Office(name="Phòng GD&ĐT quận Long Biên", short_name="PGD Long Biên", district="Long Biên", city="Hà Nội")
    assert city_names(rules, office_places(hn)).aliases == sorted(rules.scope.cities["Hà Nội"]["aliases"])
    assert city_names(rules, office_places(hn)).not_city == ()
    # an office's copy of the rules: another name for its city, and a place of the table it does not want
    text = (ROOT / "classifiers" / "topics.yaml").read_text(encoding="utf-8")
    text = text.replace("  cities:\n", "  cities:\n    Đà Nẵng:\n      aliases: [Sông Hàn]\n      exclude: [Tam Kỳ]\n"
                                       "      districts: [Hòa Vang]\n", 1)
    (tmp_path / "topics.yaml").write_text(text, encoding="utf-8")
    own = load_rules(tmp_path / "topics.yaml")
    dn = so("Đà Nẵng")
    assert scope(dn, "Thiếu nhi bên Sông Hàn vui Tết Trung thu", "Các em được tặng sách vở.", rules=own) == "city"
    assert scope(dn, "Học sinh Hòa Vang được miễn học phí", rules=own) == "city"
    assert scope(dn, "Trường THCS ở Tam Kỳ khánh thành nhà đa năng", rules=own) == "national"
    assert scope(dn, "Trường THCS ở Tam Kỳ khánh thành nhà đa năng") == "city"
    assert scope(dn, "Học sinh Hội An đạt giải nhất cuộc thi sáng tạo trẻ", rules=own) == "city"
    # a former province excluded takes its cities with it
    (tmp_path / "topics2.yaml").write_text(text.replace("exclude: [Tam Kỳ]", "exclude: [Quảng Nam]"), encoding="utf-8")
    assert scope(dn, "Học sinh Hội An đạt giải nhất cuộc thi sáng tạo trẻ", rules=load_rules(tmp_path / "topics2.yaml")) == "national"


@pytest.mark.parametrize("city", ["Nghệ An", "tỉnh Nghệ An"])
def test_a_city_known_by_a_kind_word_only_is_read_with_it(city):
    # "Vinh" is also a given name: the city counts named as a city ("TP Vinh", "thành phố Vinh") or as a place
    assert scope(so(city), "Học sinh TP Vinh được nghỉ học vì mưa lớn") == "city"
    assert scope(so(city), "Thầy Vinh được trao giải thưởng giáo viên giỏi") == "national"
