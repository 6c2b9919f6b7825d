"""The shape of a rules file (topics.yaml): every section, each entry's type and only the keys classifiers.rules.RuleSet
reads, so that a file the office edited is either read as it means or refused with all its problems at once (in
Vietnamese, each "key path: what is wrong", monitor.errors' wording), never left to fail inside the classifier."""

from __future__ import annotations

import difflib
from typing import Iterator

from classifiers.rules import FIELDS

# The keys each part of a rules file holds (what RuleSet reads): any other is a typo the readers would skip silently
SECTIONS = ("fields", "education", "topics", "hot", "sentiment", "scope")
FIELD_KEYS = FIELDS
EDUCATION_KEYS = ("description", "terms", "exclusions")
TOPIC_KEYS = ("id", "name", "description", "terms", "exclusions")
HOT_KEYS = ("id", "name", "terms")
SENTIMENT_KEYS = ("negative", "positive")
SCOPE_KEYS = ("cities", "not_local_alone", "institutions_before", "institutions_after", "foreign", "domestic")
CITY_KEYS = ("aliases", "districts", "exclude")
MAX_WEIGHT = 3
SHIPPED_ID = {"topics": "tuyen-sinh", "hot": "bao-luc"}  # an id of each, as an example


def _is_word(v) -> bool:
    """Text, or a number (a term such as 2030, read as its digits); YAML's yes/no/null are neither."""
    return isinstance(v, (str, int, float)) and not isinstance(v, bool)


def _is_weight(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= MAX_WEIGHT


def _shown(v) -> str:
    """What a wrong value was read as, for the office: its shape, or a scalar as written."""
    if v is None:
        return "đang để trống"
    if isinstance(v, dict):
        return "đang là các dòng 'khóa: giá trị'"
    if isinstance(v, list):
        return "đang là một danh sách"
    return f"đang là {v!r}"


class _Checker:
    """Collects a rules file's problems, each "key path: what is wrong" (Vietnamese, keys and values as written:
    monitor.errors), reading on past each so that all of them are said at once."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def mapping(self, value, path: str, allowed: tuple[str, ...], under: str) -> dict:
        """`value` as a mapping of the `allowed` keys, written under the key `under` ({} when written empty or of
        another shape, said so)."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.add(path, f"phải là các khóa {', '.join(allowed)} (mỗi khóa một dòng, thụt lề dưới {under}:); "
                           f"{_shown(value)}")
            return {}
        self.known(value, path, allowed)
        return value

    def known(self, value: dict, path: str, allowed: tuple[str, ...]) -> None:
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.75)
                more = f"có phải ý bạn là '{close[0]}'?" if close else f"các khóa được phép: {', '.join(allowed)}"
                self.add(f"{path}.{key}" if path else str(key), f"khóa không hợp lệ; {more}")

    def text(self, value, path: str) -> None:
        if value is not None and not isinstance(value, str):
            self.add(path, f"phải là một dòng chữ; {_shown(value)}")

    def words(self, value, path: str, example: str) -> None:
        """A list of words or names (written empty: none)."""
        if value is None:
            return
        if not isinstance(value, list):
            self.add(path, f"phải là một danh sách, ví dụ {example}; {_shown(value)}")
            return
        for i, v in enumerate(value):
            if v is None:
                self.add(f"{path}[{i}]", "để trống; xóa mục đó hoặc viết một từ vào")
            elif isinstance(v, bool):
                self.add(f"{path}[{i}]", f"YAML đọc mục này thành {v} chứ không phải chữ; đặt từ đó trong ngoặc kép")
            elif not _is_word(v):
                self.add(f"{path}[{i}]", f"phải là một từ hoặc một tên; {_shown(v)}")

    def terms(self, value, path: str) -> None:
        """'term: weight' lines or a list of terms (each weighing 1), as _terms reads them."""
        if value is None:
            return
        if not isinstance(value, (dict, list)):
            self.add(path, f"viết mỗi dòng 'từ khóa: trọng số' (trọng số từ 0 đến {MAX_WEIGHT}) hoặc một danh sách từ khóa")
            return
        if isinstance(value, list):
            self.words(value, path, "[bạo lực, tai nạn]")
            return
        for k, v in value.items():
            if not _is_word(k):
                self.add(f"{path}.{k}", f"YAML đọc từ khóa này thành {k} chứ không phải chữ (yes, no, on, off, null "
                                        "viết trơn đều vậy); đặt từ khóa trong ngoặc kép")
            elif not _is_weight(v):
                self.add(f"{path}.{k}", f"trọng số phải là một số từ 0 đến {MAX_WEIGHT}, ví dụ 0.8; {_shown(v)}")

    def groups(self, value, path: str, allowed: tuple[str, ...], noun: str, whose: str) -> Iterator[tuple[str, dict]]:
        """topics and hot: a list of mappings each with an id of its own -> (path with the id, the mapping), whose
        unknown keys are said after what the caller says of its known ones."""
        seen = set()
        for i, g in enumerate(value):
            if not isinstance(g, dict) or not g.get("id"):
                self.add(f"{path}[{i}]", f"thiếu id (mã một {noun}{whose}, như trong classifiers/topics.yaml đi kèm)")
                continue
            gid = g["id"]
            if not isinstance(gid, str):
                self.add(f"{path}[{i}].id", f"phải là một mã viết liền, như {SHIPPED_ID[path]}; {_shown(gid)}")
                continue
            if gid in seen:
                self.add(f"{path}[{i}].id", f"mã {gid!r} trùng với một {noun} ở trên; mỗi {noun} một mã riêng")
            seen.add(gid)
            yield f"{path}[{i}] ({gid})", g
            self.known(g, f"{path}[{i}] ({gid})", allowed)


def problems_of(data) -> list[str]:
    """Each problem as "key path: what is wrong" (Vietnamese, keys and values as written: monitor.errors): every
    section of the file, each entry's shape and only the keys RuleSet reads, so that a file the office edited is
    either read as it means or refused with all its problems, never left to fail inside the classifier."""
    if not isinstance(data, dict):
        return ["nội dung tệp phải là các khóa fields, education, topics, hot, sentiment, scope, mỗi khóa ở đầu một "
                "dòng và theo sau là dấu ':'"]
    c = _Checker()
    topics = data.get("topics")
    if not isinstance(topics, list) or not topics:
        c.add("topics", "phải là một danh sách chủ đề, mỗi chủ đề có id, name, terms")
    else:
        for where, t in c.groups(topics, "topics", TOPIC_KEYS, "chủ đề", " của kế hoạch"):
            c.text(t.get("name"), f"{where}.name")
            c.text(t.get("description"), f"{where}.description")
            c.terms(t.get("terms"), f"{where}.terms")
            c.words(t.get("exclusions"), f"{where}.exclusions", "[tuyển dụng, việc làm]")
    if data.get("fields") is None:
        # read as no weights, every term of the file would weigh nothing: no article education, hot or anything
        c.add("fields", "thiếu; phải cho mỗi trường title/sapo/body một trọng số, ví dụ title: 1.0 (0: không đọc trường "
                        "đó)")
    for key, value in data.items():
        if key not in SECTIONS:
            c.known({key: value}, "", SECTIONS)
        elif key == "fields":
            if value is None:
                continue  # said above
            if not isinstance(value, dict):
                c.add("fields", f"phải cho mỗi trường title/sapo/body một trọng số, ví dụ title: 1.0; {_shown(value)}")
                continue
            c.known(value, "fields", FIELD_KEYS)
            for f in FIELD_KEYS:
                if f not in value:
                    c.add(f"fields.{f}", f"thiếu trọng số; viết {f}: 0 nếu không muốn đọc trường này")
            for f, w in value.items():
                if f in FIELD_KEYS and not _is_weight(w):
                    c.add(f"fields.{f}", f"trọng số phải là một số từ 0 đến {MAX_WEIGHT}, ví dụ 0.7; {_shown(w)}")
        elif key == "education":
            edu = c.mapping(value, "education", EDUCATION_KEYS, "education")
            c.text(edu.get("description"), "education.description")
            c.terms(edu.get("terms"), "education.terms")
            c.words(edu.get("exclusions"), "education.exclusions", "[tứ kết, bán kết]")
        elif key == "hot":
            if value is None:
                continue
            if not isinstance(value, list):
                c.add("hot", f"phải là một danh sách nhóm tin nóng, mỗi nhóm có id, name, terms; {_shown(value)}")
                continue
            for where, h in c.groups(value, "hot", HOT_KEYS, "nhóm tin nóng", ""):
                c.text(h.get("name"), f"{where}.name")
                c.terms(h.get("terms"), f"{where}.terms")
        elif key == "sentiment":
            sent = c.mapping(value, "sentiment", SENTIMENT_KEYS, "sentiment")
            for k in SENTIMENT_KEYS:
                c.terms(sent.get(k), f"sentiment.{k}")
        elif key == "scope":
            sc = c.mapping(value, "scope", SCOPE_KEYS, "scope")
            cities = sc.get("cities")
            if cities is not None and not isinstance(cities, dict):
                c.add("scope.cities", f"phải là mỗi tỉnh, thành một khóa (như Hà Nội:) với aliases, districts, exclude "
                                      f"thụt lề dưới nó; {_shown(cities)}")
            for name, cfg in (cities.items() if isinstance(cities, dict) else ()):
                where = f"scope.cities.{name}"
                if not isinstance(name, str):
                    c.add(where, "tên tỉnh, thành phải là chữ, như Hà Nội")
                city = c.mapping(cfg, where, CITY_KEYS, str(name))
                for k in CITY_KEYS:
                    c.words(city.get(k), f"{where}.{k}", "[Hà Nội, Thủ đô]")
            c.words(sc.get("not_local_alone"), "scope.not_local_alone", "[cầu]")
            c.words(sc.get("institutions_before"), "scope.institutions_before", "[Đại học, Trường]")
            c.words(sc.get("institutions_after"), "scope.institutions_after", "[FC]")
            c.terms(sc.get("foreign"), "scope.foreign")
            c.terms(sc.get("domestic"), "scope.domestic")
    return c.problems
