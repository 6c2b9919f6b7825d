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

from monitor.errors import MonitorError

EXIT_RESOURCE = 3
EXIT_INTERNAL = 4


class MonitorGroup(click.Group):
    """Turns MonitorError into one clear line and its exit code; tracebacks only with --debug."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            if ctx.meta.get("monitor.debug"):
                traceback.print_exc()
            click.echo(f"Lỗi / error: {exc}", err=True)
            if exc.hint:
                click.echo(f"  → {exc.hint}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
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
            where = exc.filename or "a file"
            click.echo(f"Lỗi / error: cannot use {where}: {exc.strerror or exc}", err=True)
            click.echo("  → check that the folder exists and that this user may write there", err=True)
            ctx.exit(EXIT_RESOURCE)
        except Exception as exc:  # noqa: BLE001 - the last line of defence, by design
            if ctx.meta.get("monitor.debug"):
                traceback.print_exc()
            hint = "" if ctx.meta.get("monitor.debug") else " (run with --debug for a traceback)"
            click.echo(f"internal error: {type(exc).__name__}: {exc}{hint}", err=True)
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=MonitorGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config_path", default="feeds.yaml", show_default=True, envvar="MONITOR_CONFIG",
              type=click.Path(dir_okay=False), help="The configuration file (env MONITOR_CONFIG).")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="edu-media-monitor")
@click.pass_context
def cli(ctx: click.Context, config_path: str, debug: bool) -> None:
    """Media monitor for Vietnamese education offices.

    Crawls the press, classifies articles by the communication plan's topics, flags hot issues and
    sends the daily press clipping (điểm báo).

    \b
    Start here:
      monitor demo                 # the whole pipeline on bundled sample news, offline
      monitor init                 # write feeds.yaml and create the database
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


def main() -> None:
    cli(prog_name="monitor")


if __name__ == "__main__":
    sys.exit(main())
