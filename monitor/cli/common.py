"""Helpers shared by the command modules: building the App, dates, JSON output."""

from __future__ import annotations

import calendar
import json
import re
from datetime import date, datetime, time, timedelta

import click

from monitor.app import App
from monitor.errors import InputError


def get_app(ctx: click.Context, *, reads_only: bool = False, creates_database: bool = False) -> App:
    """The command's App. `reads_only`: the command writes nothing to the database, so a database this user cannot
    write (a copy on a read-only share, another user's file) is opened read-only instead of refused.
    `creates_database`: the command is one that starts a database (init, crawl, serve); any other refuses one that
    does not exist, rather than make it empty and then report that article 52 is not there."""
    if "monitor.app" not in ctx.meta:
        app = App.from_path(ctx.find_root().obj["config_path"], reads_only=reads_only,
                            creates_database=creates_database, on_schema_upgrade=say_schema_upgrade)
        ctx.meta["monitor.app"] = app
        ctx.call_on_close(app.close)
    return ctx.meta["monitor.app"]


def say_schema_upgrade(upgrade) -> None:
    """One line when a command upgraded the database made by an earlier version (monitor.store.base.SchemaUpgrade),
    on standard error so that --json output stays clean: an upgrade changes the file in place, and going back means the
    backup made before it."""
    click.echo(f"Đã nâng cấp cơ sở dữ liệu {upgrade.path}: lược đồ {upgrade.before[:4]} → {upgrade.after[:4]} "
               f"({upgrade.steps} bản nâng cấp); phiên bản cũ hơn sẽ không mở được tệp này nữa", err=True)


# The years a day or month given on the command line may name: beyond them a window's arithmetic overflows
# Python's dates, and no news the monitor holds is that old or that new.
YEARS = (1970, 2999)


class StoredId(click.types.IntParamType):
    """An article, case or record number as SQLite stores it (1 to 2**63-1). Not a click.IntRange: that one prints
    its range, "[1<=x<=9223372036854775807]", under every option that takes a number, which tells a clerk nothing."""

    LARGEST = 2 ** 63 - 1

    def convert(self, value, param, ctx) -> int:
        number = super().convert(value, param, ctx)
        if number < 1:
            self.fail(f"{number} không phải một số đã lưu: các số bắt đầu từ 1", param, ctx)
        if number > self.LARGEST:
            self.fail(f"{number} quá lớn, không có số nào như vậy", param, ctx)
        return number


STORED_ID = StoredId()


class CaseNumber(StoredId):
    """A case or label number, also as every listing prints it ("hồ sơ #7", "nhãn #12"): the '#' copied with it is
    dropped."""

    def convert(self, value, param, ctx):
        if isinstance(value, str) and value.strip().startswith("#"):
            try:
                return super().convert(value.strip()[1:], param, ctx)
            except click.BadParameter:
                pass  # the error below quotes the value as typed, '#' and all
        return super().convert(value, param, ctx)


CASE_ID = CaseNumber()
LABEL_ID = CaseNumber()


def once(ctx: click.Context, param: click.Parameter, values: tuple) -> object:
    """The callback of an option that states one thing, declared `multiple=True` so that it can tell: given twice
    with different values (`--sentiment negative --sentiment positive`, `--education --not-education`) is a usage
    error naming both, rather than the last kept without a word. The same value twice is that value; none, None."""
    values = tuple(dict.fromkeys(values))
    if len(values) > 1:
        if param.secondary_opts and all(isinstance(v, bool) for v in values):
            said = f"{param.opts[0]} và {param.secondary_opts[0]} cùng được cho; chỉ cho một trong hai"
        else:
            said = (f"{param.opts[0]} được cho {len(values)} lần với giá trị khác nhau ("
                    + ", ".join(shown(str(v)) for v in values) + "); chỉ cho một lần")
        raise click.BadOptionUsage(param.name, f"{said}, chưa ghi gì", ctx)
    return values[0] if values else None


def shown(value: str, width: int = 40) -> str:
    """A value the person typed, quoted for an error message: a pasted page of text is cut, not echoed whole."""
    return repr(value if len(value) <= width else value[:width] + "…")


def parse_date(value: str | None, name: str) -> date | None:
    """A day typed as YYYY-MM-DD or as DD/MM/YYYY, the form every listing, clipping and report prints: the place of
    the four-digit year tells the two apart, so neither is ambiguous."""
    if value is None:
        return None
    if not value.strip():
        # an empty shell variable (`--date "$DAY"`) must not silently mean today or every day
        raise InputError(f"{name} đang để trống; viết ngày dạng DD/MM/YYYY hoặc YYYY-MM-DD, ví dụ 26/11/2026, "
                         f"hoặc bỏ hẳn {name}")
    iso = re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) is not None
    if iso:
        year, month, day_ = (int(x) for x in value.split("-"))
    elif re.fullmatch(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}", value):
        day_, month, year = (int(x) for x in value.split("/"))
    else:
        # fromisoformat also takes 20261127 and 2026-W48-5, which the help does not promise
        raise InputError(f"{name} {shown(value)} không phải là ngày; viết dạng DD/MM/YYYY hoặc YYYY-MM-DD, "
                         "ví dụ 26/11/2026 hoặc 2026-11-26")
    if not YEARS[0] <= year <= YEARS[1]:
        raise InputError(f"{name} {value!r} nằm ngoài khoảng cho phép; cho một ngày trong các năm {YEARS[0]}–{YEARS[1]}")
    try:
        return date(year, month, day_)
    except ValueError:
        # written as asked, but no such day: say which part is wrong rather than repeat the format
        why = (f"không có tháng {month}" if not 1 <= month <= 12
               else f"tháng {f'{year}-{month:02d}' if iso else f'{month}/{year}'} có "
                    f"{calendar.monthrange(year, month)[1]} ngày")
        raise InputError(f"{name} {value!r} không có trên lịch: {why}") from None


def parse_month(value: str | None, name: str) -> tuple[int, int]:
    """(year, month) of a month typed as YYYY-MM or as MM/YYYY, the form the report prints ("tháng 11/2026")."""
    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})", value or "")
    if m:
        year, month = int(m.group(1)), int(m.group(2))
    else:
        m = re.fullmatch(r"([0-9]{1,2})/([0-9]{4})", value or "")
        year, month = (int(m.group(2)), int(m.group(1))) if m else (0, 0)
    if not m or not 1 <= month <= 12:
        raise InputError(f"{name} {shown(value or '')} không phải là tháng; viết dạng MM/YYYY hoặc YYYY-MM, "
                         "ví dụ 11/2026 hoặc 2026-11")
    if not YEARS[0] <= year <= YEARS[1]:
        raise InputError(f"{name} {value!r} nằm ngoài khoảng cho phép; cho một tháng trong các năm {YEARS[0]}–{YEARS[1]}")
    return year, month


def local_day_start(app: App, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=app.config.office.tz)


def local_day_end(app: App, day: date) -> datetime:
    return local_day_start(app, day) + timedelta(days=1)


def echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def clip(text: str, width: int) -> str:
    """One line of at most `width` characters, for tables."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
