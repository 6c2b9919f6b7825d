"""Helpers shared by the command modules: building the App, dates, JSON output."""

from __future__ import annotations

import calendar
import json
import re
from datetime import date, datetime, time, timedelta

import click

from monitor.app import App
from monitor.errors import InputError


def get_app(ctx: click.Context, *, reads_only: bool = False) -> App:
    """The command's App. `reads_only`: the command writes nothing to the database, so a database this user cannot
    write (a copy on a read-only share, another user's file) is opened read-only instead of refused."""
    if "monitor.app" not in ctx.meta:
        app = App.from_path(ctx.find_root().obj["config_path"], reads_only=reads_only)
        ctx.meta["monitor.app"] = app
        ctx.call_on_close(app.close)
    return ctx.meta["monitor.app"]


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


def shown(value: str, width: int = 40) -> str:
    """A value the person typed, quoted for an error message: a pasted page of text is cut, not echoed whole."""
    return repr(value if len(value) <= width else value[:width] + "…")


def parse_date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    if not value.strip():
        # an empty shell variable (`--date "$DAY"`) must not silently mean today or every day
        raise InputError(f"{name} đang để trống; viết ngày dạng YYYY-MM-DD, ví dụ 2026-11-26, hoặc bỏ hẳn {name}")
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        # fromisoformat also takes 20261127 and 2026-W48-5, which the help does not promise
        raise InputError(f"{name} {shown(value)} không phải là ngày; viết dạng YYYY-MM-DD, ví dụ 2026-11-26")
    year, month, day_ = (int(x) for x in value.split("-"))
    if not YEARS[0] <= year <= YEARS[1]:
        raise InputError(f"{name} {value!r} nằm ngoài khoảng cho phép; cho một ngày trong các năm {YEARS[0]}–{YEARS[1]}")
    try:
        return date(year, month, day_)
    except ValueError:
        # written as asked, but no such day: say which part is wrong rather than repeat the format
        why = (f"không có tháng {month}" if not 1 <= month <= 12
               else f"tháng {year}-{month:02d} có {calendar.monthrange(year, month)[1]} ngày")
        raise InputError(f"{name} {value!r} không có trên lịch: {why}") from None


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
