"""The YAML files the office edits (feeds.yaml, topics.yaml, calendar.yaml), read by one strict reader: a key
written twice in one mapping is reported rather than silently dropped, and a file that cannot be read or parsed is a
ConfigError naming the file and the place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from monitor.errors import ConfigError, ConfigProblem


# libyaml's parser when PyYAML was built with it (the wheels are): same documents, errors and marks, ~10x quicker
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class DuplicateKey:
    key: str
    line: int  # 1-based, where it is written again
    first_line: int

    def __str__(self) -> str:
        return (f"{self.key!r} được viết lại lần nữa (lần đầu ở dòng {self.first_line}); YAML sẽ chỉ giữ lần sau "
                f"và bỏ lần đầu, nên hãy gộp hai chỗ làm một")


class _StrictLoader(YAML_LOADER):
    """YAML keeps the last of two equal keys in a mapping and drops the first without a word, so a second
    `sources:` block would silently replace the office's feed list: record every repeat instead."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.duplicates: list[DuplicateKey] = []

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            line = key_node.start_mark.line + 1
            try:
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    self.duplicates.append(DuplicateKey(str(key), line, seen[key]))
                else:
                    seen[key] = line
            except TypeError:  # an unhashable key: the base constructor reports it
                continue
        return super().construct_mapping(node, deep)


def load_yaml(text: str) -> tuple[Any, list[DuplicateKey]]:
    """Parse one YAML document (feeds.yaml, topics.yaml) -> (data, keys written twice in one mapping)."""
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


def duplicate_key_problems(duplicates: list[DuplicateKey] | tuple) -> list[ConfigProblem]:
    """The keys `load_yaml` found written twice, as problems of the file in the order they are written (YAML reads
    a nested mapping after the one around it, so a repeat inside a list item would otherwise come after a later one)."""
    return [ConfigProblem(f"dòng {d.line}", f"khóa {d}") for d in sorted(duplicates, key=lambda d: d.line)]


TAB_FIX = "dòng đó thụt lề bằng phím Tab: dùng dấu cách, không dùng phím Tab (YAML chỉ nhận dấu cách)"


def tab_fix(exc: yaml.YAMLError, text: str) -> str | None:
    """TAB_FIX when a Tab in the indent is what broke the file (an editor's Tab key, the usual slip of whoever edits
    it), which libyaml names only as "found character that cannot start any token"; None otherwise."""
    mark = getattr(exc, "problem_mark", None)
    lines = text.splitlines()
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    indent = line[:len(line) - len(line.lstrip(" \t"))]
    return TAB_FIX if "\t" in indent or "tab" in str(getattr(exc, "problem", "") or "") else None


def read_yaml_file(path: Path, *, missing: str | None = None) -> tuple[Any, list[DuplicateKey]]:
    """A YAML file the office edits (feeds.yaml, calendar.yaml) -> (data, keys written twice in one mapping); a file
    that cannot be read or parsed is a ConfigError naming it and the place. `missing`: what to do when it does not
    exist (without it, the system's own words)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(str(path), [ConfigProblem("", f"không tìm thấy tệp; {missing}" if missing else
                                                     f"không đọc được tệp ({exc})")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), [ConfigProblem("", f"không đọc được tệp ({exc}); hãy lưu tệp dưới dạng văn bản UTF-8")]) from None
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"dòng {mark.line + 1}, cột {mark.column + 1}" if mark else "YAML"
        problem = getattr(exc, "problem", None) or str(exc)
        fix = tab_fix(exc, text) or "kiểm tra thụt lề và dấu ngoặc kép ở chỗ đó"
        raise ConfigError(str(path), [ConfigProblem(where, f"không phải YAML hợp lệ ({problem}); {fix}")]) from None
