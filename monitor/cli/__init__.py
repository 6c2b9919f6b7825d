"""The command line: thin wrappers over the library, and the only place errors become messages and exit codes.

Exit codes: 0 success; 1 the command ran but part of the work failed; 2 bad configuration or input;
3 a needed resource is missing or locked; 4 an internal error (run again with --debug for a traceback);
141 the reader of the output went away (a closed pipe), as for other Unix tools.
"""

from __future__ import annotations

import os
import sys
import traceback

import click

from monitor.errors import ERROR_PREFIX, HINT_PREFIX, INTERNAL_PREFIX, InputError, MonitorError
from monitor.cli import click_vi

# before the first decorator: --version's help and message are read when `cli` is declared
click_vi.install()

EXIT_RESOURCE = 3
EXIT_INTERNAL = 4


def _not_utf8(value) -> str | None:
    """The first text in `value` (a string or a tuple of them) holding bytes that were not UTF-8 on the command line."""
    for text in value if isinstance(value, (tuple, list)) else (value,):
        if isinstance(text, str):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                return text
    return None


class MonitorCommand(click.Command):
    """Text arguments as the monitor stores what it collects. Refused when typed in another encoding, before the
    command runs: Python keeps such bytes as lone surrogates, which no database, file or mail can hold (an internal
    error at the first write, after part of the work). Otherwise kept as collected text is (monitor.charsets.printable):
    NFC, without terminal sequences, control or bidirectional formatting characters, which a note or an entered
    title would carry into the clipping, the report and every listing (an override reverses what follows it on the
    line). File paths keep any bytes: a file's name may legitimately be in another encoding."""

    def invoke(self, ctx: click.Context):
        from monitor.charsets import printable

        for param in self.params:
            if isinstance(param.type, click.Path):
                continue
            value = ctx.params.get(param.name)
            bad = _not_utf8(value)
            if bad is not None:
                from monitor.cli.common import shown

                name = param.opts[0] if param.param_type_name == "option" else param.human_readable_name
                byte = next((f" (byte {ord(c) - 0xDC00:#04x})" for c in bad if 0xDC80 <= ord(c) <= 0xDCFF), "")
                raise InputError(
                    f"{name} {shown(bad.encode('utf-8', 'replace').decode('utf-8'))} không phải văn bản UTF-8{byte}: "
                    "cửa sổ lệnh hoặc tệp lệnh đã gõ nó dùng bảng mã khác",
                    hint="gõ lại trong cửa sổ lệnh UTF-8 (ví dụ LANG=C.UTF-8), hoặc lưu tệp lệnh dạng UTF-8")
            if isinstance(value, str):
                ctx.params[param.name] = printable(value)
            elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
                ctx.params[param.name] = tuple(printable(v) for v in value)
        return super().invoke(ctx)


class MonitorGroup(click.Group):
    """Turns MonitorError into one clear line and its exit code; tracebacks only with --debug."""

    command_class = MonitorCommand
    group_class = type  # `cases`, `config`, `rules` are MonitorGroups too, so their commands are checked as well

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            if ctx.meta.get("monitor.debug"):
                traceback.print_exc()
            click.echo(f"{ERROR_PREFIX}{exc}", err=True)
            if exc.hint:
                click.echo(f"{HINT_PREFIX}{exc.hint}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("Đã dừng (Ctrl-C).", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # the reader of our output went away (`monitor classify -o - | head`): stop quietly, as Unix tools
            # do, and keep Python from complaining again when it flushes stdout at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(141)
        except OSError as exc:
            # a file the command was told to read or write (--output, --log-file, feeds.yaml's folder) is
            # missing or not ours: the person can fix that, so it is not an internal error
            if ctx.meta.get("monitor.debug"):
                traceback.print_exc()
            where = exc.filename or "một tệp"
            click.echo(f"{ERROR_PREFIX}không dùng được {where}: {exc.strerror or exc}", err=True)
            click.echo(f"{HINT_PREFIX}kiểm tra thư mục có tồn tại và người dùng này được ghi vào đó", err=True)
            ctx.exit(EXIT_RESOURCE)
        except Exception as exc:  # noqa: BLE001 - the last line of defence, by design
            if ctx.meta.get("monitor.debug"):
                traceback.print_exc()
            hint = "" if ctx.meta.get("monitor.debug") else " (chạy lại với --debug để xem chi tiết kỹ thuật, traceback)"
            click.echo(f"{INTERNAL_PREFIX}{type(exc).__name__}: {exc}{hint}", err=True)
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=MonitorGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config_path", default="feeds.yaml", show_default=True, envvar="MONITOR_CONFIG",
              type=click.Path(dir_okay=False), help="Tệp cấu hình (biến môi trường MONITOR_CONFIG).")
@click.option("--debug", is_flag=True, help="Khi có lỗi, in cả chi tiết kỹ thuật (traceback) để gửi cho người phát triển.")
@click.version_option(package_name="edu-media-monitor")
@click.pass_context
def cli(ctx: click.Context, config_path: str, debug: bool) -> None:
    """Theo dõi báo chí cho cơ quan quản lý giáo dục (Phòng/Sở GD&ĐT).

    Thu thập tin từ các báo, phân loại bài theo các chủ đề của kế hoạch truyền thông, phát hiện vấn đề nóng
    và gửi điểm báo hằng ngày.

    \b
    Bắt đầu từ đây:
      monitor demo                 # chạy cả quy trình trên tin mẫu có sẵn, không cần mạng
      monitor init                 # tạo feeds.yaml và cơ sở dữ liệu
      monitor crawl && monitor digest
    """
    ctx.meta["monitor.debug"] = debug
    ctx.obj = {"config_path": config_path}


def _register() -> None:
    from monitor.cli import core  # noqa: F401  (each module adds its commands to `cli`)

    for name in ("crawl", "nlp", "triage", "digest", "analyst", "review", "service"):
        try:
            __import__(f"monitor.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"monitor.cli.{name}":
                raise


_register()


def _utf8_streams() -> None:
    """Write UTF-8 where the locale's encoding cannot hold Vietnamese (a cp1252 Windows console redirected to a file,
    a latin-1 locale): every listing and message has diacritics, and the first would otherwise stop the command
    half-way with an internal error. JSON and JSONL are UTF-8 by their definition anyway."""
    for stream in (sys.stdout, sys.stderr):
        try:
            "ạ".encode(stream.encoding or "ascii")
        except (UnicodeEncodeError, LookupError):
            try:
                stream.reconfigure(encoding="utf-8")
            except (AttributeError, ValueError, OSError):
                pass  # not a text stream we may change (a test harness's): leave it


def main() -> None:
    _utf8_streams()
    cli(prog_name="monitor")


if __name__ == "__main__":
    sys.exit(main())
