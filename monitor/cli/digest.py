"""`monitor digest` (the daily clipping) and `monitor report` (the monthly public-opinion report)."""

from __future__ import annotations

import sys
from datetime import timedelta

import click

from monitor.cli import cli
from monitor.cli.common import get_app, parse_date, parse_month
from monitor.errors import InputError

FORMAT_CHOICE = click.Choice(["html", "docx", "md", "txt"])
STDOUT = "-"  # --out -: the document on standard output, every notice on standard error


def to_stdout(formats: tuple[str, ...], example: str) -> str:
    """The one format `--out -` writes, or why it cannot: standard output holds one document, and a DOCX is bytes
    a terminal would show as garbage."""
    if len(formats) != 1:
        raise InputError(f"--out - ghi một văn bản ra đầu ra chuẩn, mà lệnh yêu cầu {len(formats)} định dạng "
                         f"({', '.join(formats)})", hint=f"chọn một định dạng bằng --format, ví dụ {example}")
    if formats[0] == "docx" and sys.stdout.isatty():
        raise InputError("--out - --format docx ghi ra tệp nhị phân, cửa sổ lệnh không hiển thị được",
                         hint="chuyển hướng vào một tệp (`> ten-tep.docx`), hoặc dùng --out DIR")
    return formats[0]


def write_stdout(data: bytes) -> None:
    sys.stdout.flush()  # bytes after any text already buffered, never inside it
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


@cli.command()
@click.option("--date", "day", metavar="DD/MM/YYYY",
              help="Ngày có giờ chốt kết thúc khoảng thời gian của điểm báo, DD/MM/YYYY hoặc YYYY-MM-DD "
                   "(mặc định: giờ chốt gần nhất đã qua).")
@click.option("--send", is_flag=True,
              help="Gửi điểm báo: qua thư đến digest.recipients, hoặc lưu vào thư mục outbox khi chưa cấu hình "
                   "SMTP.")
@click.option("--resend", is_flag=True,
              help="Kèm --send: gửi lại điểm báo của một ngày đã gửi (hoặc chưa rõ đã tới hộp thư "
                   "chưa).")
@click.option("--force", is_flag=True,
              help="Kèm --send: vẫn gửi dù chưa nguồn tin nào được thu thập thành công đến giờ "
                   "chốt, hoặc, với một ngày đã qua, dù bộ thu thập không lấy được tin nào qua giờ chốt của "
                   "ngày đó (khi đó điểm báo thiếu các tin ấy và ghi rõ điều này).")
@click.option("--format", "formats", type=FORMAT_CHOICE, multiple=True,
              help="Định dạng tệp cần ghi (có thể dùng nhiều lần; mặc định: digest.formats trong feeds.yaml).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, allow_dash=True), metavar="DIR|-",
              help="Thư mục ghi các tệp (mặc định: thư mục outbox của ngày, trong storage.data_dir); "
                   "'-': ghi văn bản (một định dạng duy nhất, chọn bằng --format) ra đầu ra chuẩn (stdout; biểu "
                   "đồ nằm ngay trong HTML và Markdown), còn các thông báo ra đầu ra lỗi chuẩn (stderr). "
                   "Không dùng cùng --send.")
@click.pass_context
def digest(ctx: click.Context, day: str | None, send: bool, resend: bool, force: bool, formats: tuple[str, ...],
           out_dir: str | None) -> None:
    """Lập điểm báo hằng ngày cho 24 giờ trước giờ chốt.

    Không có --send thì chỉ ghi các tệp (bản xem trước); có --send thì điểm báo của ngày chỉ được gửi một
    lần: chạy lại sẽ báo là đã gửi, trừ khi thêm --resend. Lệnh từ chối gửi (và không ghi nhận gì) khi chưa
    nguồn tin nào được thu thập thành công đến giờ chốt (vừa cài đặt, chưa thu thập lần nào; hoặc bộ thu
    thập từng ngừng chạy): hãy chạy `monitor crawl --all` trước, hoặc thêm --force. Với một ngày đã qua,
    lệnh cũng từ chối khi nhật ký thu thập cho thấy bộ thu thập không lấy được tin nào qua giờ chốt của
    ngày đó (do sự cố, nay đã khắc phục): tin của ngày đó bị thiếu hoặc đã vào điểm báo sau; --force vẫn
    gửi và ghi rõ điều này ở đầu điểm báo.

    Bản xem trước chỉ đọc cơ sở dữ liệu: có thể xem trước từ bản sao dữ liệu trên thư mục dùng chung chỉ đọc,
    ghi vào nơi --out chỉ định (khi đó không ghi được vào thư mục outbox trong thư mục dữ liệu, và lệnh sẽ báo
    điều này), hoặc ra đầu ra chuẩn với --out - (một định dạng duy nhất; không in gì khác ra đó).

    \b
    Ví dụ:
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
                         f"đầu; ngày xa nhất là {furthest:%d/%m/%Y}, điểm báo đang được thu thập",
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
@click.option("--month", metavar="MM/YYYY", help="Tháng cần báo cáo, MM/YYYY hoặc YYYY-MM, ví dụ 11/2026.")
@click.option("--from", "first", metavar="MM/YYYY",
              help="Kèm --to: báo cáo kỳ từ tháng này đến tháng của --to, tính cả hai tháng (tối đa 24 "
                   "tháng), ví dụ --from 09/2026 --to 01/2027 cho học kỳ I (cũng viết được 2026-09). Không "
                   "dùng cùng --month.")
@click.option("--to", "last", metavar="MM/YYYY", help="Kèm --from: tháng cuối của kỳ.")
@click.option("--format", "formats", type=click.Choice(["docx", "html"]), multiple=True,
              help="Định dạng tệp cần ghi (có thể dùng nhiều lần; mặc định: cả hai).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, allow_dash=True), metavar="DIR|-",
              help="Thư mục ghi các tệp (mặc định: thư mục reports trong thư mục outbox, trong "
                   "storage.data_dir); '-': ghi văn bản (một định dạng duy nhất, chọn bằng --format) ra đầu ra "
                   "chuẩn (stdout; biểu đồ nằm ngay trong HTML), còn các thông báo ra đầu ra lỗi chuẩn "
                   "(stderr). Không dùng cùng --send.")
@click.option("--send", is_flag=True,
              help="Gửi thêm qua thư điện tử đến digest.recipients (phải cấu hình SMTP).")
@click.pass_context
def report(ctx: click.Context, month: str | None, first: str | None, last: str | None, formats: tuple[str, ...],
           out_dir: str | None, send: bool) -> None:
    """Lập báo cáo tháng hoặc báo cáo kỳ về dư luận báo chí.

    Báo cáo tháng là bản dự thảo trình người ký (office.signer), gồm: đánh giá chung rút ra từ số liệu;
    các sự việc trên địa bàn; các vấn đề nóng, với diễn biến và biện pháp xử lý gần nhất; các hồ sơ trên
    địa bàn từ các tháng trước đến cuối tháng vẫn chưa xử lý xong ("còn tồn đọng"); tin tích cực; dự báo
    những vấn đề báo chí có thể quan tâm trong tháng tới (lịch năm học trong calendar.yaml, các chủ đề
    từng tăng vào cùng các tháng này những năm trước, các sự việc vẫn đang được đưa tin, các hồ sơ chưa
    xử lý xong); số tin theo chủ đề, sắc thái và theo báo, so với tháng trước; và phần đề xuất, kiến nghị do
    người ký hoàn thiện. Tháng không thu thập được tin nào thì báo cáo ghi rõ điều đó.

    Dùng --from và --to thay cho --month để lập báo cáo kỳ ("sơ kết học kỳ", "tổng kết năm học", đánh
    giá cả năm): số liệu của kỳ theo từng tháng, so với kỳ trước có cùng độ dài; số tin theo chủ đề của
    kế hoạch truyền thông và những chủ đề tăng hay giảm; các vấn đề nóng trên địa bàn, với tình trạng
    vào cuối kỳ và thời gian xử lý mỗi vấn đề; các vấn đề nóng ngoài địa bàn theo nhóm vấn đề, kèm mười
    vấn đề nóng nhất; các hồ sơ đã mở, đã đóng và còn mở (số ngày xử lý trung vị); tin tích cực trên địa bàn;
    và phần đề xuất, kiến nghị. Kỳ chưa kết thúc thì báo cáo là bản tham khảo.

    Không có --send thì lệnh chỉ đọc cơ sở dữ liệu: có thể lập báo cáo từ bản sao dữ liệu trên thư mục dùng
    chung chỉ đọc, ghi vào nơi --out chỉ định (khi đó không ghi được vào thư mục mặc định trong thư mục dữ liệu,
    và lệnh sẽ báo điều này), hoặc ra đầu ra chuẩn với --out - (một định dạng duy nhất; không in gì khác ra đó).

    \b
    Ví dụ:
      monitor report --month 2026-11 --format docx --out reports/
      monitor report --month 2026-11 --format html --out - > bao-cao.html
      monitor report --from 2026-09 --to 2027-01 --format docx --out reports/
    """
    period = first is not None or last is not None
    if period and month is not None:
        raise InputError("--month và --from/--to không dùng cùng nhau; --month MM/YYYY cho báo cáo tháng, "
                         "--from MM/YYYY --to MM/YYYY cho báo cáo theo kỳ")
    if period and (first is None or last is None):
        given, missing = ("--from", "--to") if last is None else ("--to", "--from")
        raise InputError(f"{given} cần có {missing}: báo cáo theo kỳ đi từ tháng của --from đến tháng của --to",
                         hint="ví dụ --from 2026-09 --to 2027-01")
    if not period and month is None:
        raise InputError("cần --month MM/YYYY cho báo cáo tháng, hoặc --from MM/YYYY --to MM/YYYY cho báo cáo theo kỳ",
                         hint="ví dụ monitor report --month 11/2026 (viết 2026-11 cũng được)")
    from monitor import period_report, report as monthly

    if period:
        span = (parse_month(first, "--from"), parse_month(last, "--to"))
        period_report.check_period(*span)  # before opening anything: a bad range is the person's to fix
        document, deliver = period_report.period_document, period_report.build_and_deliver_period
    else:
        span = parse_month(month, "--month")
        document, deliver = monthly.report_document, monthly.build_and_deliver_report
    if out_dir == STDOUT:
        if send:
            raise InputError("--out - ghi báo cáo ra đầu ra chuẩn; không dùng cùng --send được",
                             hint="bỏ --send để in ra, hoặc dùng --out DIR để giữ các tệp của bản gửi đi")
        fmt = to_stdout(formats or ("docx", "html"), "--format html")
    app = get_app(ctx, reads_only=not send)
    today = app.local_now().date()
    begins, option = (span[0], "--from") if period else (span, "--month")
    if begins > (today.year, today.month):
        # not one of its days has begun: the report would be empty and say the crawler "collected nothing"
        raise InputError(f"{option} {begins[1]:02d}/{begins[0]} là tháng chưa bắt đầu: chưa có tin, bài nào của tháng "
                         f"đó; tháng xa nhất là {today.month:02d}/{today.year}, đang được thu thập",
                         hint=f"lập báo cáo tháng trước: monitor report --month "
                              f"{(today.month - 2) % 12 + 1:02d}/{today.year - (today.month == 1)}")
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

