"""Click's own words (help headings, usage errors, --version) reach the office in Vietnamese, through `monitor` as
installed and through CliRunner alike; and the translation table still matches the Click that is installed."""

from __future__ import annotations

import ast
import gettext
import importlib.metadata
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from monitor.cli import cli, click_vi

ROOT = Path(__file__).resolve().parents[1]
CLICK_DIR = Path(click.__file__).parent
ENGLISH = ("Usage:", "Options:", "Commands:", "Show this message", "Show the version", "Error:", "Try '",
           "No such", "Missing", "Invalid value", "is not", "Did you mean", "default:", "[required]", ", version")


def _monitor(*args: str) -> tuple[int, str]:
    """`python -m monitor ARGS` as a person runs it: exit code and stdout+stderr."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-m", "monitor", *args], capture_output=True, env=env, cwd=ROOT, timeout=120)
    return r.returncode, r.stdout.decode("utf-8") + r.stderr.decode("utf-8")


def _runner(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(cli, list(args), prog_name="monitor")
    return r.exit_code, r.output


RUNS = pytest.mark.parametrize("run", [_monitor, _runner], ids=["python -m monitor", "CliRunner"])


@RUNS
def test_the_top_level_help_is_vietnamese(run):
    code, out = run("--help")
    assert code == 0, out
    for heading in ("Cách dùng: monitor [OPTIONS] COMMAND [ARGS]...", "Tùy chọn:", "Lệnh:",
                    "Hiện hướng dẫn này rồi thoát.", "Hiện phiên bản rồi thoát.", "[mặc định:", "Tệp cấu hình",
                    "Theo dõi báo chí"):
        assert heading in out, (heading, out)
    for english in ENGLISH:
        assert english not in out, (english, out)


def test_a_commands_help_marks_required_options_in_vietnamese():
    code, out = _runner("classify", "--help")
    assert code == 0 and "[bắt" in out and "[required]" not in out and "Cách dùng: monitor classify" in out, out


@RUNS
def test_the_version_line_is_vietnamese(run):
    code, out = run("--version")
    assert code == 0 and re.fullmatch(r"monitor, phiên bản \S+\n", out), out


@RUNS
@pytest.mark.parametrize("args, said", [
    (["--bogus"], "Lỗi: Không có tùy chọn '--bogus'."),
    (["--bogus"], "Gõ 'monitor --help' để xem hướng dẫn."),
    (["review", "--limit", "abc"], "Cách dùng: monitor review [OPTIONS]"),
    (["--confg", "x.yaml"], "Có phải ý bạn là '--config'?"),
    (["khong-co-lenh"], "Lỗi: Không có lệnh 'khong-co-lenh'."),
    (["digest", "--format", "pdf"], "Lỗi: Giá trị không hợp lệ cho '--format': 'pdf' không thuộc các giá trị 'html'"),
    (["review", "--limit", "abc"], "Lỗi: Giá trị không hợp lệ cho '--limit': 'abc' không phải là số nguyên hợp lệ."),
    (["review", "--limit", "0"], "Lỗi: Giá trị không hợp lệ cho '--limit': 0 nằm ngoài khoảng cho phép 1<=x<=500."),
    (["digest", "--date"], "Lỗi: Tùy chọn '--date' cần một giá trị đi kèm."),
    (["classify"], "Lỗi: Thiếu tùy chọn '--input' / '-i'."),
    (["explain", "1", "2"], "Lỗi: Có đối số thừa, lệnh không nhận (2)"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_a_usage_error_is_vietnamese_with_exit_code_2(run, args, said):
    code, out = run(*args)
    assert code == 2, out
    assert said in out, out
    for english in ENGLISH:
        assert english not in out, (english, out)


def test_a_stored_number_keeps_its_check_without_printing_its_range():
    """An article, case or record number is refused below 1 and above SQLite's largest, but the help no longer prints
    "[1<=x<=9223372036854775807]" under --withdraw and --item (clerk journey), nor the error that range."""
    code, out = _runner("cases", "update", "--help")
    assert code == 0 and "9223372036854775807" not in out and "<=x<=" not in out, out
    assert "--item INTEGER " in out and "--withdraw RECORD " in out, out
    for args, said in ((["cases", "update", "0", "--note", "x"],
                        "Lỗi: Giá trị không hợp lệ cho 'CASE_ID': 0 không phải một số đã lưu: các số bắt đầu từ 1"),
                       (["explain", str(2 ** 63)], f"'ARTICLE_ID': {2 ** 63} quá lớn, không có số nào như vậy"),
                       (["cases", "update", "3", "--item", "-1"], "'--item': -1 không phải một số đã lưu"),
                       (["cases", "show", "abc"], "'CASE_ID': 'abc' không phải là số nguyên hợp lệ.")):
        code, out = _runner(*args)
        assert code == 2 and said in out and "9223372036854775807" not in out, (args, out)


def test_a_bad_date_stays_the_monitors_own_vietnamese_error():
    code, out = _monitor("digest", "--date", "hom-qua")
    assert code == 2 and "Lỗi: --date 'hom-qua' không phải là ngày" in out, out


def test_a_missing_rules_file_names_its_kind_in_vietnamese(tmp_path):
    # the kind ("File") is filled in by Click itself, outside gettext
    code, out = _runner("rules", "test", "--rules", str(tmp_path / "khong-co.yaml"))
    assert code == 2 and f"Tệp '{tmp_path / 'khong-co.yaml'}' không tồn tại." in out, out


def test_only_click_speaks_vietnamese_not_the_process():
    click_vi.install()  # again: idempotent
    assert gettext.gettext("Usage:") == "Usage:" and gettext.textdomain() == "messages"
    assert click.formatting._("Usage:") == "Cách dùng:"
    assert click_vi.gettext("a message Click has not got") == "a message Click has not got"


def _click_source_strings() -> set[str]:
    """Every string literal in the installed Click (implicitly joined literals as one, as gettext sees them)."""
    found = set()
    for path in CLICK_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def test_every_translated_message_is_still_in_the_installed_click():
    strings = _click_source_strings()
    msgids = [*click_vi.MESSAGES, *(m for pair in click_vi.PLURALS for m in pair), *click_vi.UNTRANSLATED]
    gone = [m for m in msgids if m not in strings]
    assert not gone, (f"Click {importlib.metadata.version('click')} no longer has these messages: update their "
                      f"msgid (and translation) in monitor/cli/click_vi.py: {gone}")


def test_every_message_click_marks_for_translation_is_translated_or_known_unreachable():
    marked = set()
    for name in click_vi.MODULES:
        tree = ast.parse((CLICK_DIR / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                literals = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if node.func.id == "_" and literals:
                    marked.add(literals[0])
                elif len(literals) == 2:
                    marked.add(tuple(literals))
    known = set(click_vi.MESSAGES) | set(click_vi.PLURALS) | set(click_vi.UNTRANSLATED)
    new = sorted(map(str, marked - known))
    assert not new, f"Click has messages monitor/cli/click_vi.py does not translate (add them there): {new}"


def _placeholders(text: str) -> list[str]:
    fields = sorted(f"{{{name}{'!' + conv if conv else ''}}}"
                    for _, name, _, conv in string.Formatter().parse(text) if name is not None)
    return fields + sorted(re.findall(r"%\(\w+\)s", text))


@pytest.mark.parametrize("msgid", sorted(click_vi.MESSAGES))
def test_a_translation_keeps_its_placeholders(msgid):
    assert _placeholders(click_vi.MESSAGES[msgid]) == _placeholders(msgid), msgid


@pytest.mark.parametrize("pair", sorted(click_vi.PLURALS))
def test_a_plural_translation_keeps_its_placeholders(pair):
    for english, vietnamese in zip(pair, click_vi.PLURALS[pair]):
        assert _placeholders(vietnamese) == _placeholders(english), english


def _groups(group: click.Group, path: tuple[str, ...] = ()):
    yield path, group
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            yield from _groups(cmd, path + (name,))


def test_a_command_list_on_an_80_column_terminal_cuts_no_command_short():
    # a command's first sentence is its line in its group's list; one longer than the terminal leaves is cut with
    # "...", mid-phrase (the translated alerts, review, triage and four of the cases' commands were)
    for path, group in _groups(cli):
        ctx = click.Context(cli, info_name="monitor", terminal_width=80)
        for name in path:
            ctx = click.Context(ctx.command.commands[name], info_name=name, parent=ctx, terminal_width=80)
        listing = group.get_help(ctx).split("Lệnh:\n", 1)[1]
        cut = [line for line in listing.splitlines() if line.endswith("...")]
        assert not cut, (path, cut)
