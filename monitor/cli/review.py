"""`monitor review`: the analyst's queue of the articles the model is least sure of (monitor.review)."""

from __future__ import annotations

from datetime import date, timedelta

import click

from monitor.cli import cli
from monitor.cli.common import clip, echo_json, get_app, local_day_start, parse_date


@cli.command()
@click.option("--since", help="Chỉ các bài đăng từ ngày này trở đi (DD/MM/YYYY hoặc YYYY-MM-DD; mặc định: 7 ngày "
              "gần nhất).")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True, help="Số bài tối đa.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dưới dạng JSON (cho máy đọc).")
@click.pass_context
def review(ctx: click.Context, since: str | None, limit: int, as_json: bool) -> None:
    """Các bài mô hình phân vân nhất, nên sửa nhãn trước.

    Sửa nhãn các bài này giúp mô hình học được nhiều nhất. Xếp theo mức phân vân của mô hình khi quyết định
    mỗi bài có phải tin giáo dục không và, nếu phải, có nóng không; mỗi sự việc một bài, không lấy bài đã có
    nhãn. Mỗi quyết định so điểm của bài với ngưỡng của quyết định đó ("nóng: có (điểm 0.20, ngưỡng 0.17)"):
    mức phân vân là 100% khi điểm đúng bằng ngưỡng và giảm dần tới 0% khi điểm là 0 hoặc 1. Ngưỡng tin nóng
    cố ý đặt thấp (bỏ sót một sự cố tốn kém hơn một lần báo nhầm), nên một bài điểm 0.20 là rất phân vân,
    và những bài vừa dưới ngưỡng cũng được đưa ra xem. Mỗi bài kèm kết luận của mô hình dưới dạng một lệnh
    `monitor label`: sửa chỗ sai, chạy lệnh, và `monitor train` sẽ học từ nhãn đó.

    \b
    Ví dụ:
      monitor review --since 2026-11-20 --limit 10
    """
    from monitor.review import MIN_DOUBT, review_candidates

    app = get_app(ctx, reads_only=True)
    start_day = parse_date(since, "--since") or review_start(app)
    queue, unlabelled = review_candidates(app.store, local_day_start(app, start_day), app.now(), limit)
    tz = app.config.office.tz
    if as_json:
        echo_json({"since": start_day.isoformat(), "model_version": app.store.active_model_version(), "articles": [{
            "id": d.article.id, "published": d.article.when.astimezone(tz).isoformat(timespec="minutes"),
            "outlet": d.article.outlet, "title": d.article.title, "url": d.article.url, "doubt": round(d.doubt, 3),
            "questions": [{"decision": q.decision, "model_says": q.call, "score": round(q.probability, 3),
                           "threshold": None if q.threshold is None else round(q.threshold, 3),
                           "doubt": round(q.doubt, 3)} for q in d.unsure_about],
            "label_command": d.label_command} for d in queue]})
        return
    if not queue:
        click.echo(f"Không có bài nào chưa có nhãn mà mô hình phân vân từ {MIN_DOUBT:.0%} trở lên, kể từ ngày "
                   f"{start_day:%d/%m/%Y}: chưa có gì cần xem lại.")
        return
    for n, d in enumerate(queue, 1):
        when = d.article.when.astimezone(tz)
        asked = "; ".join(q.label for q in d.unsure_about)
        click.echo(f"{n:>3}. [{d.article.id}] {when:%d/%m %H:%M} {clip(d.article.outlet, 14)} — {clip(d.article.title, 90)}")
        click.echo(f"     mô hình phân vân {d.doubt * 100:.0f}%: {asked}")
        click.echo(f"     {d.label_command}")
    click.echo(f"\n{len(queue)} bài cần xem, trong {unlabelled} bài chưa có nhãn kể từ ngày {start_day:%d/%m/%Y}; "
               "sửa lệnh cho đúng rồi chạy, sau đó `monitor train`.")



def review_start(app) -> date:
    """The first day `monitor review` (and `monitor status`'s count of it) looks at unless told: a week ago, from its
    start (office time)."""
    from monitor.review import RECENT_DAYS

    return (app.local_now() - timedelta(days=RECENT_DAYS)).date()
