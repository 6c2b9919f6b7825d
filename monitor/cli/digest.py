"""`monitor digest` (the daily clipping) and `monitor report` (the monthly public-opinion report)."""

from __future__ import annotations

import re
import sys
from datetime import timedelta

import click

from monitor.cli import cli
from monitor.cli.common import YEARS, get_app, parse_date
from monitor.errors import InputError

FORMAT_CHOICE = click.Choice(["html", "docx", "md", "txt"])
STDOUT = "-"  # --out -: the document on standard output, every notice on standard error


def to_stdout(formats: tuple[str, ...], example: str) -> str:
    """The one format `--out -` writes, or why it cannot: standard output holds one document, and a DOCX is bytes
    a terminal would show as garbage."""
    if len(formats) != 1:
        raise InputError(f"--out - ghi một văn bản ra đầu ra chuẩn, mà lệnh yêu cầu {len(formats)} dạng "
                         f"({', '.join(formats)})", hint=f"chọn một dạng bằng --format, ví dụ {example}")
    if formats[0] == "docx" and sys.stdout.isatty():
        raise InputError("--out - --format docx ghi ra tệp nhị phân, cửa sổ lệnh không hiển thị được",
                         hint="chuyển hướng vào một tệp (`> ten-tep.docx`), hoặc dùng --out DIR")
    return formats[0]


def write_stdout(data: bytes) -> None:
    sys.stdout.flush()  # bytes after any text already buffered, never inside it
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


@cli.command()
@click.option("--date", "day", metavar="YYYY-MM-DD",
              help="The day whose cut-off ends the window (default: the latest cut-off that has passed).")
@click.option("--send", is_flag=True, help="Deliver it: e-mail to digest.recipients, or the outbox folder without SMTP.")
@click.option("--resend", is_flag=True, help="With --send: deliver again a day already delivered (or left in doubt).")
@click.option("--force", is_flag=True, help="With --send: send even though no source has been polled successfully up to "
              "the cut-off, or, for a past day, the crawler collected nothing across its cut-off (the clipping then "
              "lacks that news, and says so).")
@click.option("--format", "formats", type=FORMAT_CHOICE, multiple=True,
              help="Files to write (repeatable; default: digest.formats in feeds.yaml).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, allow_dash=True), metavar="DIR|-",
              help="Folder for the files (default: the outbox folder of the day, under storage.data_dir); '-' writes "
                   "the one --format asked for to standard output (the chart inside HTML and Markdown), the notices "
                   "to standard error. Not with --send.")
@click.pass_context
def digest(ctx: click.Context, day: str | None, send: bool, resend: bool, force: bool, formats: tuple[str, ...],
           out_dir: str | None) -> None:
    """Build the daily press clipping (điểm báo) for the 24 hours before the cut-off.

    Without --send the files are only written (a preview); with --send the day is delivered once: a
    second run says it was already sent, unless --resend. Sending is refused (nothing recorded) when no
    source has been polled successfully up to the cut-off (a new install before its first crawl, a crawler
    that was down): run `monitor crawl --all` first, or add --force. A past day is refused as well when the
    fetch log shows the crawler collected nothing across its cut-off (an outage since recovered): its news is
    missing or went to a later clipping; --force sends it, saying so at the top.

    A preview only reads the database: a copy of the data on a read-only share gives one, written where
    --out says (the outbox folder under the data folder cannot be written then, and the command says so),
    or to standard output with --out - (one format; nothing else is printed there).

    \b
    Example:
      monitor digest --date 2026-11-26 --format html --out /tmp/diem-bao
      monitor digest --format txt --out - | less
      monitor digest --send
      monitor digest --date 2026-11-26 --send --resend
    """
    if resend and not send:
        raise InputError("--resend chỉ dùng cùng --send", hint="monitor digest --send --resend")
    if force and not send:
        raise InputError("--force chỉ dùng cùng --send", hint="monitor digest --send --force")
    if out_dir == STDOUT and send:
        raise InputError("--out - chỉ xem trước điểm báo trên đầu ra chuẩn; không dùng cùng --send được",
                         hint="bỏ --send để in ra, hoặc dùng --out DIR để giữ các tệp của bản gửi đi")
    from monitor.digest import build_and_deliver_digest

    app = get_app(ctx, reads_only=not send)  # a preview only reads: a copy on a read-only share can be previewed
    the_day = parse_date(day, "--date")
    furthest = app.local_now().date() + timedelta(days=1)
    if the_day is not None and the_day > furthest:
        # none of its 24 hours has begun: the clipping would be empty and say the crawler "collected nothing"
        raise InputError(f"--date {the_day.isoformat()} là ngày trong tương lai: 24 giờ của điểm báo ngày đó chưa bắt "
                         f"đầu; ngày xa nhất là {furthest.isoformat()}, điểm báo đang được thu thập",
                         hint="bỏ --date để lấy điểm báo mới nhất đã qua giờ chốt")
    if out_dir == STDOUT:
        from monitor.digest_delivery import digest_document

        data, message = digest_document(app, the_day, to_stdout(formats or app.config.digest.formats, "--format txt"))
        write_stdout(data)
        click.echo(message, err=True)
        return
    result = build_and_deliver_digest(app, the_day, send=send, resend=resend,
                                      formats=formats or None, out_dir=out_dir, force=force)
    click.echo(result.message)
    for fmt, path in result.paths.items():
        click.echo(f"  {fmt:5} {path}")
    if not result.ok:
        ctx.exit(1)


@cli.command()
@click.option("--month", metavar="YYYY-MM", help="The month to report on, e.g. 2026-11.")
@click.option("--from", "first", metavar="YYYY-MM",
              help="With --to: a period report from this month to --to's, both included (at most 24 months), e.g. "
                   "--from 2026-09 --to 2027-01 for the first term. Not with --month.")
@click.option("--to", "last", metavar="YYYY-MM", help="The period's last month (with --from).")
@click.option("--format", "formats", type=click.Choice(["docx", "html"]), multiple=True,
              help="Files to write (repeatable; default both).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, allow_dash=True), metavar="DIR|-",
              help="Folder for the files (default: <data_dir>/<outbox_dir>/reports); '-' writes the one --format "
                   "asked for to standard output (the chart inside the HTML), the notices to standard error. Not "
                   "with --send.")
@click.option("--send", is_flag=True, help="Also e-mail it to digest.recipients (SMTP must be configured).")
@click.pass_context
def report(ctx: click.Context, month: str | None, first: str | None, last: str | None, formats: tuple[str, ...],
           out_dir: str | None, send: bool) -> None:
    """Write the monthly public-opinion report, a draft for the signer of office.signer: a general
    assessment from the figures, the district's own stories, the hot issues with what happened and
    the latest action, the district's cases of earlier months still open at the month's end ("còn tồn
    đọng"), positive coverage, a forecast of what the press may take up next month (the
    education year's calendar from calendar.yaml, topics that rose in the same months before, stories
    still in the news, open cases), coverage by topic, tone and outlet against the previous month, and
    the proposals part the signer completes. A month with nothing collected says so.

    With --from and --to instead of --month, a period report ("sơ kết học kỳ", "tổng kết năm học", the
    year's evaluation): the period's figures month by month against the previous period of equal
    length, coverage by plan topic and which topics rose or fell, the district's hot issues with
    their status at the period's end and how long each took, the hot issues elsewhere by category
    with the ten hottest, the cases opened, closed and still open (median days to close), the
    district's positive coverage, and the proposals part. A period not over is a copy for reference.

    Without --send it only reads the database: a copy of the data on a read-only share gives the report,
    written where --out says (the default folder under the data folder cannot be written then, and the
    command says so), or to standard output with --out - (one format; nothing else is printed there).

    \b
    Example:
      monitor report --month 2026-11 --format docx --out reports/
      monitor report --month 2026-11 --format html --out - > bao-cao.html
      monitor report --from 2026-09 --to 2027-01 --format docx --out reports/
    """
    period = first is not None or last is not None
    if period and month is not None:
        raise InputError("--month và --from/--to không dùng cùng nhau; --month YYYY-MM cho báo cáo tháng, "
                         "--from YYYY-MM --to YYYY-MM cho báo cáo theo kỳ")
    if period and (first is None or last is None):
        given, missing = ("--from", "--to") if last is None else ("--to", "--from")
        raise InputError(f"{given} cần có {missing}: báo cáo theo kỳ đi từ tháng của --from đến tháng của --to",
                         hint="ví dụ --from 2026-09 --to 2027-01")
    if not period and month is None:
        raise InputError("cần --month YYYY-MM cho báo cáo tháng, hoặc --from YYYY-MM --to YYYY-MM cho báo cáo theo kỳ")
    from monitor import period_report, report as monthly

    if period:
        span = (_month_option("--from", first), _month_option("--to", last))
        period_report.check_period(*span)  # before opening anything: a bad range is the person's to fix
        document, deliver = period_report.period_document, period_report.build_and_deliver_period
    else:
        span = _month_option("--month", month)
        document, deliver = monthly.report_document, monthly.build_and_deliver_report
    if out_dir == STDOUT:
        if send:
            raise InputError("--out - ghi báo cáo ra đầu ra chuẩn; không dùng cùng --send được",
                             hint="bỏ --send để in ra, hoặc dùng --out DIR để giữ các tệp của bản gửi đi")
        fmt = to_stdout(formats or ("docx", "html"), "--format html")
    app = get_app(ctx, reads_only=not send)
    if out_dir == STDOUT:
        data, message = document(app, *span, fmt)
        write_stdout(data)
        click.echo(message, err=True)
        return
    if send and not (app.config.smtp.configured and app.config.digest.recipients):
        # the service writes the report without SMTP (the folder is the delivery); a person who asked for the
        # e-mail must not read "written" as sent
        missing = ("smtp.host và smtp.sender" if not app.config.smtp.configured else "digest.recipients")
        raise InputError(f"--send: chưa đặt {missing} trong {app.config.path}, nên không gửi báo cáo qua thư được",
                         hint="đặt các mục đó (`monitor config check` cho xem cấu hình SMTP), hoặc bỏ --send để "
                              "chỉ ghi tệp")
    result = deliver(app, *span, formats=formats or None, out_dir=out_dir, send=send)
    click.echo(result.message)
    for fmt, path in result.paths.items():
        click.echo(f"  {fmt:5} {path}")
    if result.status == "in-doubt":
        ctx.exit(1)  # the e-mail may not have arrived: a script must not read this as done


def _month_option(option: str, value: str | None) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{4})-(\d{2})", value or "")
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise InputError(f"{option} {value!r} không phải là tháng; viết dạng YYYY-MM, ví dụ 2026-11")
    if not YEARS[0] <= int(m.group(1)) <= YEARS[1]:
        raise InputError(f"{option} {value!r} nằm ngoài khoảng cho phép; cho một tháng trong các năm {YEARS[0]}–{YEARS[1]}")
    return int(m.group(1)), int(m.group(2))
