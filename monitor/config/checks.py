"""Reading the values of a YAML file the office edits: the Checker, and the checks that more than one of
feeds.yaml's sections make."""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import urlsplit

from monitor.errors import ConfigProblem

# what a wrong value is, in the words of the person who wrote it in YAML (not Python's "list", "dict")
_YAML_KINDS = ((bool, "true/false"), (int, "một số"), (float, "một số"), (str, "văn bản"),
               (list, "một danh sách"), (dict, "một ánh xạ (khóa: giá trị)"))


def yaml_kind(value: Any) -> str:
    """'một danh sách' for a list, … and the type's own name for anything else YAML makes (a date)."""
    if value is None:
        return "để trống"
    for kind, words in _YAML_KINDS:
        if isinstance(value, kind):
            return words
    return "một ngày" if hasattr(value, "isoformat") else type(value).__name__


class Checker:
    """Reads a parsed YAML file the office edits (feeds.yaml here, calendar.yaml in monitor.forecast) part by part,
    collecting every problem with its path in the file and what to write instead; it never raises, so the caller
    raises ConfigError(file, checker.problems) once, listing them all. Each reader returns a usable default for a
    value it found wrong, so reading goes on past it."""

    def __init__(self) -> None:
        self.problems: list[ConfigProblem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(ConfigProblem(path, message))

    def mapping(self, value: Any, path: str, allowed: dict[str, str], required: tuple[str, ...] = ()) -> dict:
        """Check `value` is a mapping with only the keys in `allowed` (key -> one-line description)."""
        if value is None:
            value = {}
        if not isinstance(value, dict):
            self.add(path, f"phải là một ánh xạ (mapping) với các khóa {', '.join(allowed)}; hiện là {yaml_kind(value)}")
            return {}
        for key in value:
            if key not in allowed:
                import difflib  # here, not at import: every command reads feeds.yaml, few have a key to correct

                close = difflib.get_close_matches(str(key), list(allowed), n=1, cutoff=0.75)
                suggestion = f"; có phải ý bạn là '{close[0]}'?" if close else f"; các khóa được phép: {', '.join(allowed)}"
                self.add(f"{path}.{key}" if path else str(key), f"khóa không hợp lệ{suggestion}")
        for key in required:
            if value.get(key) in (None, ""):
                self.add(f"{path}.{key}" if path else key, f"bắt buộc phải có: {allowed[key]}")
        return value

    def string(self, m: dict, key: str, path: str, default: str = "") -> str:
        v = m.get(key, default)
        if v is None:
            return default
        if not isinstance(v, (str, int, float)) or isinstance(v, bool):
            self.add(f"{path}.{key}", f"phải là văn bản; hiện là {yaml_kind(v)}")
            return default
        return str(v).strip()

    def strings(self, m: dict, key: str, path: str) -> tuple[str, ...]:
        v = m.get(key)
        if v is None:
            return ()
        if isinstance(v, str):
            return (v.strip(),)
        if not isinstance(v, list) or not all(isinstance(x, (str, int)) for x in v):
            self.add(f"{path}.{key}", "phải là một danh sách giá trị văn bản, ví dụ [\"a\", \"b\"]")
            return ()
        return tuple(str(x).strip() for x in v if str(x).strip())

    def number(self, m: dict, key: str, path: str, default, *, minimum=None, maximum=None, integer=False):
        v = m.get(key, default)
        if (isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and not isinstance(v, int))
                or not math.isfinite(v)):
            kind = "một số nguyên" if integer else "một số"
            self.add(f"{path}.{key}", f"phải là {kind}; hiện là {v!r}")
            return default
        if minimum is not None and v < minimum or maximum is not None and v > maximum:
            rng = f"nằm trong khoảng {minimum} đến {maximum}" if maximum is not None else f"lớn hơn hoặc bằng {minimum}"
            self.add(f"{path}.{key}", f"phải {rng}; hiện là {v!r}")
            return default
        return v

    def boolean(self, m: dict, key: str, path: str, default: bool) -> bool:
        v = m.get(key, default)
        if not isinstance(v, bool):
            self.add(f"{path}.{key}", f"phải là true hoặc false; hiện là {v!r}")
            return default
        return v


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def http_url(c: Checker, value: str, path: str) -> None:
    try:
        parts = urlsplit(value)
        parts.port  # raises on a port out of range or not a number
    except ValueError as exc:
        c.add(path, f"không phải URL hợp lệ ({exc}); viết dạng https://vnexpress.net/rss/giao-duc.rss; hiện là {value!r}")
        return
    if parts.scheme not in ("http", "https") or not parts.hostname:
        c.add(path, f"phải là URL http(s), ví dụ https://vnexpress.net/rss/giao-duc.rss; hiện là {value!r}")


def env_name(c: Checker, m: dict, key: str, path: str) -> str:
    """The name of an environment variable holding a secret; a value that cannot be a variable name is most
    likely the secret itself pasted in, which must not stay in the file."""
    name = c.string(m, key, path)
    if name and not _ENV_NAME.match(name):
        c.add(f"{path}.{key}", "phải là tên một biến môi trường (chữ cái, chữ số, _), ví dụ MONITOR_SMTP_PASSWORD; "
                               "nếu đó chính là giá trị bí mật, hãy xóa nó khỏi tệp và export nó vào một biến môi trường")
        return ""
    return name
