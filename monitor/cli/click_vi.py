"""Click's own words (help headings, its usage errors, its prompts) in Vietnamese, as the rest of the CLI speaks.

Click marks them with gettext but ships no Vietnamese catalogue, and binding a catalogue through the gettext module
would change the whole process's domain (and need a compiled .mo file). Instead `install()` points the `_` and
`ngettext` of Click's own modules at a lookup in the tables below; a message not in them stays Click's English, so a
Click upgrade that adds or rewords one degrades to English rather than failing (tests/test_cli_vietnamese.py says
which msgid to update). Placeholders ({name}, %(prog)s...) are kept as Click fills them in.
"""

from __future__ import annotations

import importlib

# Click's modules that print words of their own. Left out: _winconsole (a Windows console's internal errors).
MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui", "utils", "_termui_impl",
           "shell_completion")

MESSAGES: dict[str, str] = {
    # the help page
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Positional arguments": "Đối số",
    "Commands": "Lệnh",
    "Show this message and exit.": "Hiện hướng dẫn này rồi thoát.",
    "Show the version and exit.": "Hiện phiên bản rồi thoát.",
    "%(prog)s, version %(version)s": "%(prog)s, phiên bản %(version)s",
    "default: {default}": "mặc định: {default}",
    "env var: {var}": "biến môi trường: {var}",
    "required": "bắt buộc",
    "(dynamic)": "(tính khi chạy)",
    "deprecated": "không còn dùng",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}":
        "Cảnh báo: lệnh {name!r} không còn được dùng nữa.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        "Cảnh báo: {param_type} {name!r} không còn được dùng nữa.{extra_message}",
    # usage errors: "Lỗi: " as monitor.errors.ERROR_PREFIX writes the monitor's own
    "Error: {message}": "Lỗi: {message}",
    "Try '{command} {option}' for help.": "Gõ '{command} {option}' để xem hướng dẫn.",
    "No such option {name!r}.": "Không có tùy chọn {name!r}.",
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "Missing command.": "Thiếu tên lệnh.",
    "Missing argument": "Thiếu đối số",
    "Missing option": "Thiếu tùy chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing {param_type}": "Thiếu {param_type}",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ cho {param_hint}: {message}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "Value must be an iterable.": "Giá trị phải là một danh sách.",
    "Option {name!r} does not take a value.": "Tùy chọn {name!r} không nhận giá trị.",
    "Argument {name!r} takes {nargs} values.": "Đối số {name!r} cần {nargs} giá trị.",
    "Could not open file {filename!r}: {message}": "Không mở được tệp {filename!r}: {message}",
    "unknown error": "lỗi không rõ",
    "Aborted!": "Đã hủy.",
    # values of the wrong type
    "Choose from:\n\t{choices}": "Chọn một trong:\n\t{choices}",
    "{value!r} is not a valid {number_type}.": "{value!r} không phải là {number_type} hợp lệ.",
    "{value} is not in the range {range}.": "{value} nằm ngoài khoảng cho phép {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} không phải là giá trị đúng/sai hợp lệ. Các giá trị nhận được: {states}",
    "{value!r} is not a valid UUID.": "{value!r} không phải là UUID hợp lệ.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} không tồn tại.",
    "{name} {filename!r} is a file.": "{name} {filename!r} là một tệp.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} là một thư mục.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} không đọc được.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} không ghi được.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} không có quyền chạy.",
    # prompts, the progress bar, the editor
    "Do you want to continue?": "Tiếp tục?",
    "Confirm the action without prompting.": "Xác nhận luôn, không hỏi lại.",
    "Repeat for confirmation": "Nhập lại để xác nhận",
    "Error: The two entered values do not match.": "Lỗi: hai lần nhập không khớp nhau.",
    "Error: invalid input": "Lỗi: giá trị nhập không hợp lệ",
    "Press any key to continue...": "Nhấn phím bất kỳ để tiếp tục...",
    "d": " ngày",  # the progress bar's time left: "2 ngày 03:04:05"
    "{editor}: Editing failed": "{editor}: sửa không thành công",
    "{editor}: Editing failed: {e}": "{editor}: sửa không thành công: {e}",
    # shell completion (`_MONITOR_COMPLETE=bash_source monitor`)
    "Shell completion is not supported for Bash versions older than 4.4.":
        "Không hỗ trợ tự hoàn thành lệnh cho Bash cũ hơn bản 4.4.",
    "Couldn't detect Bash version, shell completion is not supported.":
        "Không xác định được phiên bản Bash, không hỗ trợ tự hoàn thành lệnh.",
}

# (singular, plural) -> (Vietnamese for one, for several). Vietnamese has one form; two are kept because Click's
# two English forms may fill different placeholders.
PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Có đối số thừa, lệnh không nhận ({args})", "Có đối số thừa, lệnh không nhận ({args})"),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Có phải ý bạn là {possibility}?", "(Có phải ý bạn là một trong: {possibilities}?)"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("Tùy chọn {name!r} cần một giá trị đi kèm.", "Tùy chọn {name!r} cần {nargs} giá trị đi kèm."),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("Cần {nargs} giá trị nhưng chỉ có 1.", "Cần {nargs} giá trị nhưng có {len}."),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} không phải là {choice}.", "{value!r} không thuộc các giá trị {choices}."),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."):
        ("{value!r} không đúng định dạng {format}.", "{value!r} không đúng định dạng nào trong {formats}."),
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."):
        ("Cần {len_type} giá trị, nhưng có {len_value}.", "Cần {len_type} giá trị, nhưng có {len_value}."),
}

# Messages a user of the monitor cannot meet: errors in how a command is declared (raised while the CLI is built,
# so a test run meets them first), and a class's repr. Listed so the test that every message is covered knows them.
UNTRANSLATED = frozenset({
    "Could not determine name for option with declarations {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? "
    "Did you mean to pass '--{name}'?",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.",
    "Name '{name}' defined twice",
    "Boolean option {decl!r} cannot use the same flag for true/false.",
    "Invalid start character for option ({option})",
    "Unknown color {colour!r}",
    "Unknown standard stream '{name}'",
    "Choice({choices})",
    "file", "directory", "path",  # a Path's name: its metavar (FILE), which the help keeps as typed
})

# English words Click fills into a message's placeholders itself, never through gettext: a number type's name,
# a Path's kind (title-cased), a parameter's kind. Translated only in the messages that carry them, so that a
# value the person typed ({name!r} of an unknown command) is never altered.
_NUMBER_TYPES = {"integer": "số nguyên", "integer range": "số nguyên", "float": "số thực", "float range": "số thực"}
_PATH_KINDS = {"File": "Tệp", "Directory": "Thư mục", "Path": "Đường dẫn"}
_PARAM_KINDS = {"option": "tùy chọn", "argument": "đối số", "parameter": "tham số"}
_FILLED: dict[str, dict[str, dict[str, str]]] = {
    "{value!r} is not a valid {number_type}.": {"number_type": _NUMBER_TYPES},
    "Missing {param_type}": {"param_type": _PARAM_KINDS},
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": {"param_type": _PARAM_KINDS},
    **{msgid: {"name": _PATH_KINDS} for msgid in MESSAGES if msgid.startswith("{name} {filename!r} ")},
}


class _Filled(str):
    """A translated message whose format() also translates the English words Click passes into it."""

    words: dict[str, dict[str, str]]

    def format(self, *args, **kwargs):  # Click calls .format() on what `_` returns
        for key, table in self.words.items():
            if isinstance(kwargs.get(key), str):
                kwargs[key] = table.get(kwargs[key], kwargs[key])
        return str.format(self, *args, **kwargs)


def gettext(message: str) -> str:
    text = MESSAGES.get(message, message)
    if message in _FILLED and text is not message:
        text = _Filled(text)
        text.words = _FILLED[message]
    return text


def ngettext(singular: str, plural: str, n: int) -> str:
    pair = PLURALS.get((singular, plural))
    if pair is None:
        return singular if n == 1 else plural
    return pair[0] if n == 1 else pair[1]


def install() -> None:
    """Make Click speak Vietnamese in this process (idempotent). Only Click's modules change: the gettext module's
    global domain, the locale and the environment are left as they were."""
    for name in MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
