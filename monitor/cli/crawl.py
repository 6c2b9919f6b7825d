"""`monitor crawl`: poll the feeds that are due and fetch their articles."""

from __future__ import annotations

import click

from monitor.cli import cli
from monitor.cli.common import get_app


def _local(app, dt) -> str:
    return dt.astimezone(app.config.office.tz).strftime("%H:%M %d/%m") if dt else "?"


def _why_classified(report, classified, store) -> str:
    """Which articles were classified, when not only the new ones: pages fetched now for articles stored
    earlier, the recent articles an older version classified (the rules or models changed on disk: every
    article of the last days follows them), and articles left unclassified by an earlier run."""
    done = set(classified.article_ids)
    new = done & set(report.new_article_ids)
    pages = (done & set(report.updated_article_ids)) - new
    earlier = done - new - pages
    if not pages and not earlier:
        return ""
    redone = store.classified_by_another_version(sorted(earlier), classified.model_version) if earlier else set()
    parts = [f"{len(new)} bài mới"] if new else []
    if pages:
        parts.append(f"{len(pages)} bài vừa lấy được nội dung trang")
    if redone:
        parts.append(f"{len(redone)} bài phân loại lại theo quy tắc/mô hình mới ({classified.model_version})")
    if earlier - redone:
        parts.append(f"{len(earlier - redone)} bài còn chờ phân loại từ trước")
    return ": " + ", ".join(parts)


@cli.command()
@click.option("--source", "sources", multiple=True, metavar="NAME",
              help="Chỉ nguồn tin này (có thể dùng nhiều lần).")
@click.option("--all", "force", is_flag=True,
              help="Đọc ngay mọi nguồn tin được chọn, bỏ qua giờ đến hạn và thời gian chờ thử lại sau lỗi.")
@click.pass_context
def crawl(ctx: click.Context, sources: tuple[str, ...], force: bool) -> None:
    """Thu thập tin từ các nguồn đến hạn và phân loại.

    Đọc các nguồn tin đã đến hạn, lấy bài mới và nội dung trang bài. Các bài mới và trang bài vừa lấy về
    đều được phân loại, gom thành sự việc và chấm điểm nóng; cảnh báo cho các sự việc nóng chỉ được
    đưa vào hàng chờ gửi, chưa gửi đi (`monitor alerts --send` hoặc `monitor serve` sẽ gửi); khi
    alerts.channels trống, lệnh nói rõ các cảnh báo đó không gửi được cho ai. Lệnh thoát với
    mã 1 khi có nguồn tin bị lỗi (lỗi được ghi lại và hiện trong `monitor status`).

    \b
    Ví dụ:
      monitor crawl                              # các nguồn tin đã đến hạn
      monitor crawl --all                        # mọi nguồn tin đang bật, ngay bây giờ
      monitor crawl --source vnexpress-giao-duc --all
    """
    from monitor.crawl import run_crawl
    from monitor.digest import HEALTH_LABELS
    from monitor.pipeline import classify_and_triage

    app = get_app(ctx, creates_database=True)
    report = run_crawl(app, sources=list(sources) or None, force=force)
    for s in report.sources:
        if s.failed:
            click.echo(f"  ✗ {s.name}: {s.message or s.error} — tình trạng: {HEALTH_LABELS.get(s.health, s.health)}, "
                       f"thử lại lúc {_local(app, s.next_due)}")
        elif s.outcome == "ok":
            extra = f" — cảnh báo: {'; '.join(s.problems)}" if s.problems else ""
            click.echo(f"  ✓ {s.name}: {s.items} mục, {s.new_items} mới{extra}")
        elif s.outcome in ("not-modified", "unchanged"):
            click.echo(f"  · {s.name}: không đổi")
        elif s.outcome == "not-due" and sources:
            click.echo(f"  · {s.name}: chưa đến hạn, đến hạn lúc {_local(app, s.next_due)} (thu thập ngay: thêm --all)")
    for err in report.page_errors[:10]:
        click.echo(f"  ! trang {err}")
    if len(report.page_errors) > 10:
        click.echo(f"  ! … còn {len(report.page_errors) - 10} lỗi trang nữa (xem `monitor status`)")
    waiting = [s for s in report.sources if s.outcome == "not-due"]
    nothing_due = waiting and not any(s.outcome not in ("not-due", "disabled") for s in report.sources) and not sources
    if not nothing_due or report.pages_ok or report.pages_failed or report.pages_given_up:
        click.echo(report.summary())  # otherwise the line below says it, and when the next poll is
    if nothing_due:
        # nothing was due: say when something will be, not just "0 sources" (which reads as broken)
        soonest = min(waiting, key=lambda s: s.next_due or app.now())
        click.echo(f"chưa nguồn nào đến hạn: nguồn sớm nhất ({soonest.name}) đến hạn lúc {_local(app, soonest.next_due)}; "
                   "thu thập ngay tất cả: `monitor crawl --all`")
    # what the crawl stored is committed and reported above before the classifier loads, so a missing
    # model (exit 3) loses nothing: the next crawl or `monitor serve` classifies what is left
    classified, triaged = classify_and_triage(app, report)
    click.echo(classified.counts() + _why_classified(report, classified, app.store))
    if triaged is not None:
        click.echo(triaged.summary() + ("; cảnh báo chờ gửi được `monitor alerts --send` hoặc `monitor serve` gửi đi"
                                        if triaged.alerts_waiting else ""))
    if not report.ok:
        ctx.exit(1)
