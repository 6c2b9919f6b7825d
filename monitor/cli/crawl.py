"""`monitor crawl`: poll the feeds that are due and fetch their articles."""

from __future__ import annotations

import click

from monitor.cli import cli
from monitor.cli.common import get_app


def _local(app, dt) -> str:
    return dt.astimezone(app.config.office.tz).strftime("%H:%M %d/%m") if dt else "?"


@cli.command()
@click.option("--source", "sources", multiple=True, metavar="NAME", help="Only this source (repeatable).")
@click.option("--all", "force", is_flag=True, help="Poll every selected source now, ignoring due times and back-off.")
@click.pass_context
def crawl(ctx: click.Context, sources: tuple[str, ...], force: bool) -> None:
    """Poll the feeds that are due, fetch new articles and pages, classify and triage them.

    New articles and newly fetched pages are classified, grouped into stories and scored; alerts for hot
    stories are queued, not sent (`monitor alerts --send` or `monitor serve` delivers them). Exits 1 when
    a source failed (its error is recorded and shown by `monitor status`).

    \b
    Example:
      monitor crawl                              # the sources that are due
      monitor crawl --all                        # every enabled source, now
      monitor crawl --source vnexpress-giao-duc --all
    """
    from monitor.crawl import run_crawl
    from monitor.pipeline import classify_and_triage

    app = get_app(ctx)
    report = run_crawl(app, sources=list(sources) or None, force=force)
    for s in report.sources:
        if s.failed:
            click.echo(f"  ✗ {s.name}: {s.error} — tình trạng/health: {s.health}, thử lại/retry {_local(app, s.next_due)}")
        elif s.outcome == "ok":
            extra = f" — cảnh báo/warning: {'; '.join(s.problems)}" if s.problems else ""
            click.echo(f"  ✓ {s.name}: {s.items} mục/items, {s.new_items} mới/new{extra}")
        elif s.outcome in ("not-modified", "unchanged"):
            click.echo(f"  · {s.name}: không đổi/unchanged")
        elif s.outcome == "not-due" and sources:
            click.echo(f"  · {s.name}: chưa đến hạn/not due until {_local(app, s.next_due)} (use --all)")
    for err in report.page_errors[:10]:
        click.echo(f"  ! trang/page {err}")
    if len(report.page_errors) > 10:
        click.echo(f"  ! … {len(report.page_errors) - 10} more page errors (see `monitor status`)")
    click.echo(report.summary())
    # what the crawl stored is committed and reported above before the classifier loads, so a missing
    # model (exit 3) loses nothing: the next crawl or `monitor serve` classifies what is left
    classified, triaged = classify_and_triage(app, report)
    click.echo(f"phân loại {classified.classified} bài ({classified.education} giáo dục, {classified.hot} nóng)"
               f" / classified {classified.classified} articles ({classified.education} education, {classified.hot} hot)")
    if triaged is not None:
        click.echo(f"{triaged.summary()} / queued alerts are sent by `monitor alerts --send` or `monitor serve`")
    if not report.ok:
        ctx.exit(1)
