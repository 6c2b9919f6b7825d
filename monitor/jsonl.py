"""A JSONL file a person gave us (`monitor classify --input`, `evaluate --labels`) that does not read: why the file
cannot be opened, what is wrong with a line, in the words of the rest of the CLI, and the id a broken line still
shows. `monitor classify` writes the last two into the line's error record (the issue's contract: a malformed line
gives its `id` when readable, and `error`); `monitor evaluate` names the line in its refusal.

Python's parser says what it expected in English and counts columns across the line's end ("Expecting ',' delimiter,
column 1" for a line cut off just before its newline), which neither the analyst nor the office reads.
"""

from __future__ import annotations

import errno
import json
import re
from json.decoder import scanstring

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()

# the starts of the parser's messages (the C scanner's and the pure-Python one's alike; later Pythons add the
# character or the escape after them), each said with the column where the parser stopped
_PROBLEMS = (
    ("Expecting ',' delimiter", "thiếu dấu phẩy giữa hai trường"),
    ("Expecting ':' delimiter", "thiếu dấu hai chấm sau tên trường"),
    ("Expecting property name enclosed in double quotes", "tên trường phải đặt trong ngoặc kép \" \" (không dùng ' ' "
                                                          "và không để dấu phẩy thừa trước })"),
    ("Expecting value", "thiếu một giá trị (hoặc có chữ không phải JSON)"),
    ("Invalid control character", "có ký tự điều khiển (như tab) chưa viết thành \\t, \\n trong chuỗi"),
    ("Invalid \\uXXXX escape", "có mã \\u không đủ bốn chữ số hệ 16"),
    ("Invalid \\escape", "có dấu \\ không hợp lệ trong chuỗi (muốn ghi chính dấu đó thì viết \\\\)"),
    ("Extra data", "còn dữ liệu sau khi đối tượng JSON đã đóng (hai bài trên một dòng?)"),
    ("Illegal trailing comma", "thừa dấu phẩy trước dấu đóng"),
)


def json_problem(exc: json.JSONDecodeError) -> str:
    """What is wrong with a line json.loads refused, in Vietnamese, with the column (counted in the line itself,
    without its line break) where reading stopped. A line that ends inside the object is said to be cut short:
    "Unterminated string" and "Expecting ','" at its very end are what a truncated line gives."""
    line = exc.doc.rstrip("\r\n")
    if exc.msg.startswith("Unterminated string") or exc.pos >= len(line.rstrip()):
        return "dòng dừng giữa chừng, thiếu phần cuối (tệp bị cắt, hoặc một chuỗi có chỗ xuống dòng chưa viết thành \\n)"
    said = next((vi for en, vi in _PROBLEMS if exc.msg.startswith(en)), "không đọc được")
    return f"{said}, ở cột {exc.pos + 1}"


def id_text(value) -> str | None:
    """An article's id as its output line carries it: a non-empty string, or an integer written as text."""
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        return None
    return str(value)


def readable_id(text: str) -> str | None:
    """The id a line that is not valid JSON still shows: the value of its object's "id" member when that member
    comes before the fault and is a string or an integer, as text. The object is read member by member, so an
    "id" inside a title or a nested object is never taken for it; None when there is no such member."""
    pos = _WHITESPACE.match(text).end()
    if not text.startswith("{", pos):
        return None
    pos += 1
    while True:
        pos = _WHITESPACE.match(text, pos).end()
        if not text.startswith('"', pos):
            return None
        try:
            key, pos = scanstring(text, pos + 1)
            pos = _WHITESPACE.match(text, pos).end()
            if not text.startswith(":", pos):
                return None
            value, pos = _DECODER.raw_decode(text, _WHITESPACE.match(text, pos + 1).end())
        except (ValueError, IndexError):  # JSONDecodeError is a ValueError
            return None
        if key == "id":
            return id_text(value)
        pos = _WHITESPACE.match(text, pos).end()
        if not text.startswith(",", pos):
            return None
        pos += 1


def unreadable(exc: OSError) -> str:
    """Why a file given to read cannot be, in Vietnamese for the common reasons; the system's own words otherwise."""
    return {errno.ENOENT: "không có tệp này", errno.EACCES: "người dùng này không được đọc tệp",
            errno.EPERM: "người dùng này không được đọc tệp", errno.EISDIR: "đây là một thư mục, không phải tệp"
            }.get(exc.errno, exc.strerror or str(exc))
