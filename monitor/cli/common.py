"""Helpers shared by the command modules: building the App, dates, JSON output."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import click

from monitor.app import App
from monitor.errors import InputError


def get_app(ctx: click.Context) -> App:
    if "monitor.app" not in ctx.meta:
        app = App.from_path(ctx.find_root().obj["config_path"])
        ctx.meta["monitor.app"] = app
        ctx.call_on_close(app.close)
    return ctx.meta["monitor.app"]


def parse_date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{name} {value!r} is not a date; write YYYY-MM-DD, e.g. 2026-11-26") from None


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
