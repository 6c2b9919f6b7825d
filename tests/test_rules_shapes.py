"""A rules file the office edited into a wrong shape is refused with the office's own words (InputError), never read
into an internal error ("Lỗi nội bộ"): every section and key of the shipped topics.yaml, replaced in turn by each of a
few wrong shapes, then loaded, built into a classifier and used on one invented article. The problems of a whole
file are said together, each starting with its key path."""

from __future__ import annotations

import copy

import pytest
import yaml
from click.testing import CliRunner

from classifiers.classify import Classifier
from classifiers.rules import DEFAULT_RULES_PATH, load_rules
from classifiers.types import ArticleText
from monitor.cli import cli
from monitor.config import Office
from monitor.errors import InputError

DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
SHIPPED = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
# a Phòng in Hà Nội and a Sở (its district is its city) in Hồ Chí Minh: each reads its own city's scope.cities entry
OFFICES = (Office(name="Phòng GD&ĐT quận Long Biên", short_name="PGD Long Biên", district="Long Biên", city="Hà Nội"),
           Office(name="Sở GD&ĐT TP Hồ Chí Minh", short_name="Sở GD&ĐT", district="Hồ Chí Minh", city="Hồ Chí Minh"))
# Invented for this test: names the office's district and city, an institution after the city, a foreign cue, and
# education, hot and tone words.
ARTICLE = ArticleText(id="t", url="https://bao-vi-du.vn/giao-duc/thu-1.html",
                      title="Học sinh quận Long Biên bị đánh hội đồng, phụ huynh bức xúc",
                      sapo="Trường THCS ở Long Biên, Hà Nội và TP.HCM rà soát; du học sinh ở Mỹ cũng được hỏi ý kiến.",
                      body="Đại học Y Hà Nội và Sở GD&ĐT đã vào cuộc, nhà trường khen thưởng giáo viên tận tâm.")
# A list for a mapping, a mapping for a list, a string, a number, nothing, and wrong types nested one level down
WRONG = (["sai"], {"sai": 1.0}, "sai", 7, None, [{"sai": [1]}], {"sai": {"lồng": [1]}})


def _shortened(value):
    """The shipped rules with each long list or terms mapping cut to its first entries (its shape is the point; a
    thousand lines written and read for each of some 470 cases is not)."""
    if isinstance(value, dict):
        return {k: _shortened(v) for k, v in list(value.items())[:3 if len(value) > 12 else None]}
    if isinstance(value, list):
        return [_shortened(v) for v in value[:3 if all(isinstance(v, str) for v in value) else None]]
    return value


def _base() -> dict:
    data = _shortened(SHIPPED)
    data["scope"]["cities"]["Hà Nội"]["exclude"] = ["Sơn Tây"]  # the one city key the shipped file does not write
    return data


def _paths(value, path=()):
    """Every key and list item of the rules (a long list or terms mapping by its first entry only), and the hot
    group and topic whose shape differs from the first's (terms as a mapping, exclusions not empty)."""
    yield path
    if isinstance(value, dict):
        for key in list(value)[:1] if len(value) > 12 else list(value):
            yield from _paths(value[key], (*path, key))
    elif isinstance(value, list) and value:
        first = [0]
        if path == ("hot",):
            first.append(next(i for i, h in enumerate(value) if isinstance(h["terms"], dict)))
        if path == ("topics",):
            first.append(next(i for i, t in enumerate(value) if t.get("exclusions")))
        for i in first:
            yield from _paths(value[i], (*path, i))


PATHS = list(_paths(_base()))


def _replaced(path, wrong):
    if not path:
        return copy.deepcopy(wrong)
    data = _base()
    at = data
    for key in path[:-1]:
        at = at[key]
    at[path[-1]] = copy.deepcopy(wrong)
    return data


def _outcome(tmp_path, data) -> str:
    f = tmp_path / "topics.yaml"
    f.write_text(yaml.dump(data, Dumper=DUMPER, allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        rules = load_rules(f)
        for office in OFFICES:
            Classifier(rules, office, None).classify(ARTICLE)
    except InputError:
        return "refused"
    except Exception as exc:  # noqa: BLE001 - what this test hunts for
        return f"{type(exc).__name__}: {exc}"
    return "read"


def test_the_paths_cover_every_section_of_the_shipped_rules():
    assert {p[0] for p in PATHS if p} == set(SHIPPED)
    assert len(PATHS) > 50 and ("scope", "cities", "Hà Nội", "exclude", 0) in PATHS


@pytest.mark.parametrize("path", PATHS, ids=lambda p: ".".join(map(str, p)) or "file")
def test_a_wrong_shape_anywhere_is_read_or_refused_never_an_internal_error(tmp_path, path):
    failed = {repr(w): out for w in WRONG
              if (out := _outcome(tmp_path, _replaced(path, w))) not in ("read", "refused")}
    assert not failed, failed


def test_every_section_s_problems_are_said_together_each_with_its_key_path(tmp_path):
    bad = tmp_path / "rules-cua-phong.yaml"
    bad.write_text("fields: {title: 1.0, sapo: 0.7, body: 0.35, url: 1}\n"
                   "education:\n  - giáo dục\n"
                   "topics:\n"
                   "  - id: tuyen-sinh\n"
                   "    name: [Tuyển sinh]\n"
                   "    terms: {điểm chuẩn: 1.0, no: 0.5}\n"
                   "    exclusion: [tuyển dụng]\n"
                   "  - id: 12\n"
                   "hot:\n"
                   "  - id: bao-luc\n"
                   "    terms: [bạo lực, {tát: 1}]\n"
                   "  - id: bao-luc\n"
                   "sentiment:\n  negative: bạo lực\n  postive: [tốt]\n"
                   "scope:\n"
                   "  cities:\n"
                   "    Hà Nội:\n      exlude: [Sơn Tây]\n"
                   "    Đà Nẵng: [Hội An]\n"
                   "  not_local_alone: cầu\n"
                   "  institutions_before: [Đại học, ~]\n"
                   "  foreign: {du học: nhiều}\n"
                   "tags: [tuyển sinh]\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_rules(bad)
    assert str(err.value).splitlines() == [
        f"tệp quy tắc {bad} có 16 lỗi:",
        "  - topics[0] (tuyen-sinh).name: phải là một dòng chữ; đang là một danh sách",
        "  - topics[0] (tuyen-sinh).terms.False: YAML đọc từ khóa này thành False chứ không phải chữ (yes, no, on, off, "
        "null viết trơn đều vậy); đặt từ khóa trong ngoặc kép",
        "  - topics[0] (tuyen-sinh).exclusion: khóa không hợp lệ; có phải ý bạn là 'exclusions'?",
        "  - topics[1].id: phải là một mã viết liền, như tuyen-sinh; đang là 12",
        "  - fields.url: khóa không hợp lệ; các khóa được phép: title, sapo, body",
        "  - education: phải là các khóa description, terms, exclusions (mỗi khóa một dòng, thụt lề dưới education:); "
        "đang là một danh sách",
        "  - hot[0] (bao-luc).terms[1]: phải là một từ hoặc một tên; đang là các dòng 'khóa: giá trị'",
        "  - hot[1].id: mã 'bao-luc' trùng với một nhóm tin nóng ở trên; mỗi nhóm tin nóng một mã riêng",
        "  - sentiment.postive: khóa không hợp lệ; có phải ý bạn là 'positive'?",
        "  - sentiment.negative: viết mỗi dòng 'từ khóa: trọng số' (trọng số từ 0 đến 3) hoặc một danh sách từ khóa",
        "  - scope.cities.Hà Nội.exlude: khóa không hợp lệ; có phải ý bạn là 'exclude'?",
        "  - scope.cities.Đà Nẵng: phải là các khóa aliases, districts, exclude (mỗi khóa một dòng, thụt lề dưới Đà "
        "Nẵng:); đang là một danh sách",
        "  - scope.not_local_alone: phải là một danh sách, ví dụ [cầu]; đang là 'cầu'",
        "  - scope.institutions_before[1]: để trống; xóa mục đó hoặc viết một từ vào",
        "  - scope.foreign.du học: trọng số phải là một số từ 0 đến 3, ví dụ 0.8; đang là 'nhiều'",
        "  - tags: khóa không hợp lệ; các khóa được phép: fields, education, topics, hot, sentiment, scope",
    ], str(err.value)


def test_what_the_readers_take_as_empty_or_as_a_word_is_still_read(tmp_path):
    """A section or list written empty is none, a term may be a number, terms a list: the shipped file's readings
    and those an office's copy may make, unchanged."""
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8").replace(
        "  cities:\n", "  cities:\n    Đà Nẵng:\n      aliases:\n      districts: [Hòa Vang, 2030]\n    Huế:\n", 1)
    f = tmp_path / "topics.yaml"
    f.write_text(text + "\n", encoding="utf-8")
    rules = load_rules(f)
    assert rules.scope.cities["Đà Nẵng"] == {"aliases": [], "districts": ["Hòa Vang", "2030"]}
    assert rules.scope.cities["Huế"] == {} and rules.scope.cities["Hà Nội"] == SHIPPED["scope"]["cities"]["Hà Nội"]
    for office in OFFICES:
        Classifier(rules, office, None).classify(ARTICLE)
    f.write_text("fields: {title: 1.0, sapo: 0.7, body: 0}\neducation:\n"
                 "topics:\n  - id: tuyen-sinh\n    name:\n    terms: [điểm chuẩn, 10]\n    exclusions:\n"
                 "hot:\nsentiment:\nscope:\n  foreign:\n", encoding="utf-8")
    rules = load_rules(f)
    assert rules.topics[0].name == "" and rules.topics[0].terms == (("điểm chuẩn", 1.0), ("10", 1.0))
    assert rules.hot == () and rules.scope.foreign == ()


@pytest.mark.parametrize("fields", ["", "fields:\n", "fields: {title: 1.0, sapo: 0.7}\n"],
                         ids=["left-out", "written-empty", "one-missing"])
def test_the_field_weights_are_required_since_without_them_no_term_weighs_anything(tmp_path, fields):
    # read as no weights, every term of the file weighed 0: the shipped rules without their `fields` classified a
    # pupil beaten at a Long Biên school as not education, without a word
    data = {k: v for k, v in SHIPPED.items() if k != "fields"}
    f = tmp_path / "topics.yaml"
    f.write_text(fields + yaml.dump(data, Dumper=DUMPER, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_rules(f)
    assert ("fields.body: thiếu trọng số" if "title" in fields else "  - fields: thiếu; phải cho mỗi trường") \
        in str(err.value), str(err.value)


def test_rules_test_names_both_problems_of_two_sections_and_exits_2(config_file, tmp_path):
    bad = tmp_path / "rules-cua-phong.yaml"
    shipped = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    assert "  cities:\n    Hà Nội:\n" in shipped and "  - id: bao-luc\n" in shipped
    bad.write_text(shipped.replace("  cities:\n    Hà Nội:\n", "  cities:\n    Hà Nội:\n      exlude: [Sơn Tây]\n", 1)
                   .replace("  - id: bao-luc\n", "  - id: bao-luc\n    mo_ta: bạo lực học đường\n", 1), encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(config_file), "rules", "test", "--rules", str(bad)])
    assert res.exit_code == 2
    assert res.output == (
        f"Lỗi: tệp quy tắc {bad} có 2 lỗi:\n"
        "  - hot[0] (bao-luc).mo_ta: khóa không hợp lệ; các khóa được phép: id, name, terms\n"
        "  - scope.cities.Hà Nội.exlude: khóa không hợp lệ; có phải ý bạn là 'exclude'?\n"
        "  Cách sửa: sửa các lỗi đó rồi chạy lại `monitor rules test`\n"), res.output
