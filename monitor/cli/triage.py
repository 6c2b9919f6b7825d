"""Hot-issue commands: the alert outbox (`monitor alerts`), cases (`monitor cases ...`), `monitor triage`."""

from __future__ import annotations

import getpass
import os
from datetime import timedelta

import click

from monitor.cli import cli
from monitor.cli.common import CASE_ID, STORED_ID, clip, echo_json, get_app
from monitor.config import OutletNames, score_text
from monitor.errors import InputError
from monitor.wording import RESPONSE_TAG, level_text


# a note is a few sentences of the case's history, printed in the clipping and the report: a pasted page is a mistake
MAX_NOTE = 2000


def _note_option(help_text: str):
    def check(ctx, param, value):
        if value and len(value) > MAX_NOTE:
            raise click.BadParameter(f"{len(value):,} ký tự; ghi tối đa {MAX_NOTE:,} ký tự".replace(",", ".")
                                     + " (vài câu: đã làm hoặc quyết định gì, do ai)")
        return value
    return click.option("--note", default="", callback=check, help=help_text)


ATTENTION_DAYS = 7  # `monitor alerts` keeps listing a sent alert with a problem (refused, maybe twice) this long


def _t(dt) -> str:
    return dt.strftime("%H:%M %d/%m/%Y") if dt else "—"


def _at(item, tz) -> str:
    """When an item from outside the press appeared: "lúc 20:15 25/11/2026", or "ngày 25/11/2026" for a day alone."""
    return item.when_label(tz) if item.day_only else f"lúc {item.when_label(tz)}"


@cli.command()
@click.pass_context
def triage(ctx: click.Context) -> None:
    """Gom bài thành sự việc, chấm điểm nóng, mở hồ sơ, xếp cảnh báo.

    Hồ sơ được mở cho các sự việc nóng; cảnh báo chỉ được đưa vào hàng chờ gửi, chưa gửi đi (`monitor alerts
    --send` hoặc `monitor serve` sẽ gửi). Quy trình tự động chạy lệnh này sau mỗi lần phân loại; sau `monitor
    reclassify` thì chạy bằng tay.

    \b
    Ví dụ:
      monitor triage && monitor alerts
    """
    from monitor.triage import run_triage

    click.echo(str(run_triage(get_app(ctx))))


@cli.command()
@click.option("--send", is_flag=True, help="Gửi ngay các cảnh báo đến hạn.")
@click.option("--now", "retry_now", is_flag=True,
              help="Kèm --send hoặc --dry-run: gửi ngay cả các lượt đang chờ thử lại sau lỗi (khi đã khắc "
                   "phục nguyên nhân, ví dụ mật khẩu SMTP); giờ yên lặng vẫn áp dụng.")
@click.option("--dry-run", is_flag=True, help="Chỉ xem --send sẽ gửi những gì, không gửi thật.")
@click.option("--all", "show_all", is_flag=True,
              help="Liệt kê cả các cảnh báo đã gửi tới mọi kênh, đã hủy (hồ sơ cảnh báo nhầm) hoặc đã bị "
                   "thay thế.")
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=500, show_default=True,
              help="Số cảnh báo tối đa, lấy các cảnh báo mới nhất (cả với --json); danh sách cho biết còn "
                   "bao nhiêu cảnh báo chưa hiện.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dưới dạng JSON (cho máy đọc).")
@click.pass_context
def alerts(ctx: click.Context, send: bool, retry_now: bool, dry_run: bool, show_all: bool, limit: int,
           as_json: bool) -> None:
    """Xem hàng chờ gửi cảnh báo; --send gửi các cảnh báo đến hạn.

    Kênh nào gửi lỗi thì cảnh báo của kênh đó vẫn nằm trong hàng chờ gửi kèm lỗi và được thử lại (sau 1, 2, 5,
    10 phút, rồi cứ 30 phút một lần); không cảnh báo nào bị bỏ. Khi đã khắc phục nguyên nhân, --send --now gửi
    lại ngay; lượt gửi nào đúng lúc đó đang được một tiến trình khác gửi thì để tiến trình ấy gửi, nên không
    lượt nào đi hai lần. Cảnh báo đang chờ được liệt kê dưới kênh mà nó sẽ được gửi tới lúc này: khi một kênh đã
    được sửa trong feeds.yaml (sửa URL của webhook), đó là kênh mới, kèm ghi chú rằng lỗi trước đó xảy ra ở địa
    chỉ cũ. Trong 7 ngày, danh sách còn có: cảnh báo đã gửi nhưng máy chủ thư từ chối một số người nhận, và cảnh
    báo có thể đã tới hai lần (máy chủ không xác nhận một lần gửi, hoặc tiến trình bị dừng sau khi đã trao cảnh
    báo đi, nên cảnh báo được gửi lại: cùng Message-ID với thư điện tử, cùng tiêu đề HTTP X-Monitor-Alert-Id với
    webhook). Lượt gửi không được xác nhận chỉ được tự gửi lại một lần; lần gửi lại đó cũng không được xác nhận
    thì lượt gửi chờ người kiểm tra (hỏi người nhận, chưa nhận được thì --send --now). Hồ sơ bị đánh dấu cảnh báo nhầm thì các cảnh báo còn chờ của nó bị hủy; cảnh báo mới hơn của một
    sự việc thay cho các cảnh báo cũ hơn của sự việc đó đang chờ trên cùng kênh. Lệnh thoát với mã 1 khi có lượt
    gửi bị lỗi.

    \b
    Ví dụ:
      monitor alerts                 # cảnh báo nào đang chờ, cảnh báo nào vẫn gửi lỗi
      monitor alerts --dry-run       # những gì sẽ được gửi đi ngay lúc này
      monitor alerts --send          # gửi
      monitor alerts --send --now    # gửi, thử lại ngay các lượt đã lỗi (sau khi khắc phục nguyên nhân)
    """
    if retry_now and not (send or dry_run):
        raise InputError("--now chỉ dùng cùng --send hoặc --dry-run", hint="monitor alerts --send --now")
    from monitor.mail import refusals
    from monitor.notify import alert_ref, deliver_outbox, goes_to, held_in_doubt

    app = get_app(ctx, reads_only=not (send or dry_run))  # a look at the outbox writes nothing
    now = app.now()
    report = None
    if send or dry_run:
        report = deliver_outbox(app, dry_run=dry_run, retry_now=retry_now)
    rows = []
    listed = {"include_sent": show_all, "attention_since": now - timedelta(days=ATTENTION_DAYS)}
    items = app.store.outbox(**listed, limit=limit)
    # where each waiting delivery goes now: a channel edited in feeds.yaml since it was queued (a webhook URL
    # corrected after it failed) is the one it goes to, the old one only where it failed
    heading = {(alert.id, d.channel): goes_to(app.config, d, {x.channel for x in deliveries})
               for alert, deliveries in items for d in deliveries if d.status == "pending"}
    for alert, deliveries in items:
        rows.append({
            "alert_id": alert.id, "uid": alert_ref(alert), "story_id": alert.story_id, "kind": alert.kind, "severity": alert.severity,
            "hot_score": alert.hot_score, "created_at": alert.created_at.isoformat(), "subject": alert.subject,
            "deliveries": [{"channel": d.channel, "status": d.status, "attempts": d.attempts,
                            "due": d.status == "pending" and d.next_attempt_at <= now,
                            "next_attempt_at": d.next_attempt_at.isoformat() if d.status == "pending" and not held_in_doubt(d) else None,
                            "last_error": d.last_error, "sent_at": d.sent_at.isoformat() if d.sent_at else None,
                            "refused": d.refused, "in_doubt": d.in_doubt, "held_in_doubt": held_in_doubt(d),
                            "handing_over_at": d.handing_over_at.isoformat() if d.handing_over_at else None}
                           | ({"goes_to": heading[alert.id, d.channel]} if d.status == "pending" else {})
                           for d in deliveries],
        })
    if as_json:
        out = {"alerts": rows}
        if report is not None:
            out["delivery"] = {"dry_run": dry_run, "sent": [list(x) for x in report.sent],
                               "failed": [list(x) for x in report.failed], "waiting": report.waiting,
                               "held_in_doubt": [list(x) for x in report.held],
                               "refused": [list(x) for x in report.refused]}
        echo_json(out)
    else:
        tz = app.config.office.tz
        if report is not None:
            verb = "sẽ gửi" if dry_run else "đã gửi"
            click.echo(f"{verb} {len(report.sent)}, lỗi {len(report.failed)}, đang chờ {report.waiting}")
            for alert_id, channel in report.sent:
                click.echo(f"  {verb}: cảnh báo #{alert_id} → {channel}")
            for alert_id, channel, error in report.failed:
                click.echo(f"  LỖI: cảnh báo #{alert_id} → {channel}: {error}")
            for alert_id, channel, refused in report.refused:
                click.echo(f"  BỊ TỪ CHỐI: cảnh báo #{alert_id} → {channel}: {refusals(refused)}")
            for alert_id, channel in report.held:
                click.echo(f"  CHỜ NGƯỜI KIỂM TRA: cảnh báo #{alert_id} → {channel}: có thể đã tới nhiều lần, không tự "
                           "gửi lại nữa (monitor alerts --send --now để gửi lại)")
            if not retry_now:
                from monitor.notify import backing_off

                waiting = [d for a, d in app.store.waiting_after_failure(app.now()) if backing_off(app.config, a, d)]
                if waiting:
                    first = min(d.next_attempt_at for d in waiting)
                    click.echo(f"  {len(waiting)} lượt gửi đang chờ thử lại sau lỗi (sớm nhất lúc {_t(first.astimezone(tz))}); "
                               "đã sửa nguyên nhân thì gửi ngay: monitor alerts --send --now")
        if not app.config.alerts.channels:
            click.echo("(chưa cấu hình kênh cảnh báo: thêm alerts.channels trong feeds.yaml)")
        if not rows:
            click.echo("Hộp thư đi trống: không có cảnh báo chờ gửi.")
        for alert, deliveries in items:
            click.echo(f"#{alert.id} [{alert.severity}] {alert.subject} — tạo lúc {_t(alert.created_at.astimezone(tz))}")
            for d in deliveries:
                state = _delivery_state(d, now, tz, app.config, alert.severity)
                to = heading.get((alert.id, d.channel), d.channel)
                if to is None:
                    state += ("; kênh này không còn trong alerts.channels của feeds.yaml nên không gửi được: thêm lại "
                              "kênh, cảnh báo vẫn chờ")
                elif to != d.channel:
                    state += (f" — lỗi này là ở địa chỉ cũ {d.channel}; feeds.yaml đã sửa kênh, lần gửi sau đi tới {to}"
                              if d.last_error else f" (xếp hàng khi kênh còn là {d.channel}; feeds.yaml đã sửa kênh)")
                click.echo(f"    {to or d.channel}: {state}")
            if not deliveries:
                # queued while feeds.yaml named no channel: it reached nobody, and a channel added later does not send it
                click.echo("    không gửi tới ai: lúc tạo cảnh báo chưa có kênh nào trong alerts.channels")
            for line in _next_steps(app, alert):
                click.echo(f"    → {line}")
        if len(items) == limit and (total := app.store.count_outbox(**listed)) > limit:
            # a year's store holds a thousand alerts: the older ones are left out, never silently
            click.echo(f"\n{limit} cảnh báo mới nhất, trong {total}; xem cả {total - limit} cảnh báo cũ hơn: "
                       f"monitor alerts{' --all' if show_all else ''} --limit {total}")
    if report is not None and report.failed and not dry_run:
        ctx.exit(1)


def _next_steps(app, alert) -> list[str]:
    """The clerk's commands for an alert's case, as it stands now (the alert itself, read by leadership, has none)."""
    from monitor.notify import analyst_commands

    case_id = alert.payload.get("case_id")
    case = app.store.case(case_id) if case_id else None
    if case is None or case.closed:
        return []
    related = [r["case_id"] for r in alert.payload.get("related_cases", [])
               if (other := app.store.case(r["case_id"])) is not None and not other.closed]
    return analyst_commands(case.id, case.status, related)


def _delivery_state(d, now, tz, config, severity: str) -> str:
    """One delivery's state as the clerk reads it."""
    from monitor.mail import refusals  # here, not at import: smtplib and ssl would slow every command's start
    from monitor.notify import CLAIM_MINUTES, held_in_doubt, is_urgent, quiet_until, same_copy, seen_twice
    if d.status == "sent":
        state = f"đã gửi {_t(d.sent_at.astimezone(tz))}"
        if d.in_doubt:
            # each unconfirmed attempt may have arrived, and so did the one confirmed
            state += (f" ({d.in_doubt} lần gửi trước không được xác nhận (máy chủ không trả lời, hoặc tiến trình bị dừng "
                      f"sau khi đã trao cảnh báo đi) nên đã gửi lại {same_copy(d.channel)}: "
                      f"{seen_twice(d.channel, d.in_doubt + 1)})")
        if d.refused:
            state += f"; BỊ TỪ CHỐI, không nhận được: {refusals(d.refused)}"
        return state
    if d.status == "cancelled":
        return f"đã hủy, không gửi ({d.last_error or 'hồ sơ cảnh báo nhầm'})"
    if d.status == "superseded":
        return f"không gửi nữa: {d.last_error or 'có cảnh báo mới hơn của tin này'}"
    if d.handing_over_at:
        at = _t(d.handing_over_at.astimezone(tz))
        if d.next_attempt_at > now:
            return f"đang gửi (trao đi lúc {at})"
        # its run died between handing it over and recording it: the next run counts that attempt in doubt
        return f"lần gửi trao đi lúc {at} bị ngắt trước khi ghi nhận: có thể đã tới, sẽ gửi lại {same_copy(d.channel)}"
    if held_in_doubt(d):
        return (f"CHỜ NGƯỜI KIỂM TRA: {d.in_doubt} lần gửi không được xác nhận, {seen_twice(d.channel, d.in_doubt)} "
                "rồi, nên không tự gửi lại nữa; hỏi người nhận, chưa nhận được thì gửi lại bằng monitor alerts --send --now"
                f" — lỗi cuối: {d.last_error}")
    if d.last_error:
        return f"LỖI sau {d.attempts} lần, thử lại {_t(d.next_attempt_at.astimezone(tz))}: {d.last_error}"
    if d.next_attempt_at > now:
        until = _t(d.next_attempt_at.astimezone(tz))
        # quiet hours hold it to their end (never an urgent alert); a run's claim holds it the few minutes of its lease
        held = not is_urgent(config, severity) and quiet_until(
            d.next_attempt_at - timedelta(seconds=1), config.alerts.quiet_hours, tz) == d.next_attempt_at
        if held:
            return f"chờ đến {until} (giờ yên lặng)"
        if d.next_attempt_at <= now + timedelta(minutes=CLAIM_MINUTES):
            return (f"đang được gửi bởi một tiến trình khác (xem lại sau vài phút; nếu tiến trình đó dừng giữa chừng, "
                    f"cảnh báo được gửi lại sau {until})")
        return f"chờ đến {until}"
    return "chờ gửi"


@cli.group()
def cases() -> None:
    """Hồ sơ xử lý các sự việc nóng.

    Trạng thái: mới → đã tiếp nhận → đang xử lý → đã phản hồi → đã xử lý.

    Mỗi sự việc nóng mở một hồ sơ; mọi thay đổi đều được lưu kèm người thực hiện và thời điểm. Vấn đề nóng mà mô
    hình bỏ sót thì mở hồ sơ bằng tay (`open`); cảnh báo nhầm thì đóng hồ sơ bằng `dismiss`: sự việc không gửi
    cảnh báo nữa. Cả hai cách đều ghi nhãn cho các bài để `monitor train` học. Vấn đề nóng đến với cơ quan từ
    nguồn ngoài báo chí (nhóm Facebook, đường dây nóng, báo cáo của trường) được mở bằng `open --title`. Vấn đề
    nóng có thật nhưng ngoài địa bàn của cơ quan thì đóng bằng `dismiss --not-ours` (trạng thái "ngoài địa
    bàn"), không ghi nhãn nào; hồ sơ mở lại khi có bài về địa bàn của cơ quan nhập vào sự việc. Diễn biến tiếp
    theo đã có hồ sơ riêng thì được gộp (`merge`) vào hồ sơ của vụ việc. Việc cơ quan đã làm (báo cáo cơ quan có
    thẩm quyền, trả lời báo chí, cải chính thông tin sai) được ghi bằng `update`, rồi được nêu trong báo cáo
    tháng và điểm báo.

    \b
    Ví dụ:
      monitor cases list --json
      monitor cases update 12 --status "đã tiếp nhận" --owner "Chị Lan"
      monitor cases update 12 --reported-to "UBND quận Long Biên" --on 2026-11-12
      monitor cases open 1234 --note "Phụ huynh phản ánh lạm thu"
      monitor cases open --title "..." --source-kind "mạng xã hội" --source "Nhóm Facebook ..."
      monitor cases dismiss 13 --note "Tin cũ đăng lại, không phải sự việc mới"
      monitor cases merge 15 --into 12
    """


def _case_dict(c, names) -> dict:
    return {"id": c.id, "story_id": c.story_id, "title": c.title, "status": c.status, "owner": c.owner,
            "severity": c.severity, "hot_score": c.hot_score, "outlets": list(names.unique(c.outlets)),
            "merged_into": c.merged_into,
            "opened_at": c.opened_at.isoformat(), "updated_at": c.updated_at.isoformat(),
            # a record's number as `cases show` gives it and `cases update --withdraw` takes it
            "events": [{"at": e.at.isoformat(), "by": e.by, "status": e.status, "owner": e.owner, "note": e.note,
                        "handling": _handling_dict(e.handling), "record": e.record,
                        "withdraws": getattr(_withdrawn(c, e), "record", None)} for e in c.events],
            "handling": [_handling_dict(e.handling) | {"record": e.record, "recorded_at": e.at.isoformat(),
                                                        "recorded_by": e.by} for e in c.handling]}


def _handling_dict(act) -> dict | None:
    if act is None:
        return None
    return {"kind": act.kind, "on": act.on.isoformat(), "party": act.party, "spokesperson": act.spokesperson,
            "directed_by": act.directed_by}


@cases.command("list")
@click.option("--status", help="Chỉ các hồ sơ có trạng thái này (gõ có dấu hay không dấu đều được).")
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=200, show_default=True,
              help="Số hồ sơ tối đa, lấy các hồ sơ thay đổi gần nhất (cả với --json); danh sách cho biết còn "
                   "bao nhiêu hồ sơ chưa hiện.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dưới dạng JSON (cho máy đọc).")
@click.pass_context
def cases_list(ctx: click.Context, status: str | None, limit: int, as_json: bool) -> None:
    """Liệt kê hồ sơ, hồ sơ thay đổi gần nhất lên trước.

    \b
    Ví dụ:
      monitor cases list --status "dang xu ly"
    """
    from monitor.cases import handling_brief, parse_status
    from monitor.intake import as_dict

    if status is not None and not status.strip():
        raise InputError("--status đang để trống; cho một trạng thái (ví dụ \"đang xử lý\"), hoặc bỏ --status để liệt kê mọi hồ sơ")
    app = get_app(ctx, reads_only=True)
    wanted = parse_status(status, listing=True) if status else None
    items = app.store.cases(status=wanted, limit=limit)
    tz = app.config.office.tz
    # hot issues entered from outside the press (monitor.intake) that each case's story holds
    outside = {c.id: app.store.intake_of_story(c.story_id) for c in items}
    if as_json:
        names = OutletNames(app.config)
        echo_json([_case_dict(c, names) | {"outside_press": [as_dict(i, tz) for i in outside[c.id]]} for c in items])
        return
    if not items:
        click.echo("Chưa có hồ sơ nào.")
    for c in items:
        if c.merged:
            # its articles are the other case's now: that case carries its level and score
            title = c.title or (c.events[-1].note if c.events else "")  # a merge stored before 0065: its note
            where = f"đã gộp vào hồ sơ số {c.merged_into}" if c.merged_into else "đã gộp (xem lịch sử)"
            click.echo(f"#{c.id} [{c.status}] {title} — {where}, cập nhật {_t(c.updated_at.astimezone(tz))}")
            continue
        # an item from outside the press has no score of its own (the level is the person's): its source instead
        where = ([f"điểm {score_text(c.hot_score)}"] if c.outlets or not outside[c.id] else []) + \
            [f"nguồn: {i.source_label}" for i in outside[c.id]]
        done = handling_brief(e.handling for e in c.handling)
        click.echo(f"#{c.id} [{c.status}] {c.title} — {level_text(c.severity)}, {', '.join(where)}, "
                   f"phụ trách: {c.owner or 'chưa có'}, cập nhật {_t(c.updated_at.astimezone(tz))}"
                   + (f"; kết quả: {done}" if done else ""))
    if len(items) == limit and (total := app.store.count_cases(status=wanted)) > limit:
        # a year's store holds a thousand cases: the oldest are left out, never silently
        click.echo(f"\n{limit} hồ sơ thay đổi gần nhất, trong {total} hồ sơ{f' «{wanted}»' if wanted else ''}; "
                   f"xem cả {total - limit} hồ sơ cũ hơn: monitor cases list"
                   + (f" --status \"{wanted}\" --limit {total}" if wanted else f" --limit {total} (hoặc lọc theo --status)"))


@cases.command("show")
@click.argument("case_id", type=CASE_ID)
@click.option("--json", "as_json", is_flag=True, help="In kết quả dưới dạng JSON (cho máy đọc).")
@click.pass_context
def cases_show(ctx: click.Context, case_id: int, as_json: bool) -> None:
    """Xem một hồ sơ: các nguồn của sự việc và toàn bộ lịch sử.

    \b
    Ví dụ:
      monitor cases show 12
    """
    app = get_app(ctx, reads_only=True)
    from monitor.cases import FALSE_INFORMATION, OPEN_STATUS, handling_text, no_case

    c = app.store.case(case_id)
    if c is None:
        raise no_case(app.store, case_id)
    from monitor.stories import growth
    from monitor.triage import related_cases

    names = OutletNames(app.config)  # an outlet once however its feeds spelt it
    members = [m | {"outlet": names(m["outlet"])} for m in app.store.story_members(c.story_id)]
    outside = app.store.intake_of_story(c.story_id)  # hot issues entered from outside the press (monitor.intake)
    explanation = app.store.story_explanation(c.story_id)
    # the office's own answers, as triage last scored the story: marked as its alert marks them (monitor.responses),
    # and no outlet the issue spread to, as the alert does not count them
    answers = set(explanation.get("responses", ()))
    spread = growth((m["when"], m["outlet"]) for m in members if m["id"] not in answers)
    related = [] if c.closed else related_cases(app, c.id, members)
    if as_json:
        from monitor.intake import as_dict

        echo_json(_case_dict(c, names) | {"outside_press": [as_dict(i, app.config.office.tz) for i in outside],
                                   "sources": [{"outlet": m["outlet"], "title": m["title"], "url": m["url"],
                                                 "published": m["when"].isoformat(), "reprint": m["reprint"],
                                                 "response": m["id"] in answers}
                                                for m in members],
                                   "growth": [{"at": t.isoformat(), "outlets": n} for t, n in spread],
                                   "related_cases": [{"case_id": r.case_id, "title": r.title, "similarity": r.similarity}
                                                     for r in related],
                                   "explanation": explanation,
                                   "false_information": _false_information(app, c)})
        return
    from monitor.intake import area_line

    tz = app.config.office.tz
    click.echo(f"Hồ sơ #{c.id}: {c.title or '(các bài đã chuyển sang hồ sơ được gộp vào, xem lịch sử)'}")
    if c.merged:
        where = f"hồ sơ số {c.merged_into}" if c.merged_into else "hồ sơ khác (xem lịch sử)"
        click.echo(f"  Trạng thái: {c.status}: các bài và việc xử lý chuyển sang {where}"
                   + (f" (monitor cases show {c.merged_into})" if c.merged_into else ""))
    else:
        score = f", điểm {score_text(c.hot_score)}" if members or not outside else ""  # an item alone: the person's level
        click.echo(f"  Trạng thái: {c.status}; phụ trách: {c.owner or 'chưa có'}; {level_text(c.severity)}{score}")
    click.echo("  Nguồn:")
    for i in outside:
        click.echo(f"    - {i.source_label}: {i.title}" + (f" <{i.url}>" if i.url else "")
                   + f" ({_at(i, tz)}; {i.entered_by} ghi nhận lúc {_t(i.entered_at.astimezone(tz))})")
        if i.summary:
            click.echo(f"      {i.summary}")
        click.echo(f"      {area_line(app.config.office, i)}")
    for m in members:
        tag = (" [đăng lại]" if m["reprint"] else "") + (f" [{RESPONSE_TAG}]" if m["id"] in answers else "")
        click.echo(f"    - {m['outlet']}{tag}: {m['title']} <{m['url']}>")
    if spread:
        click.echo("  Lan truyền: " + ", ".join(f"{_t(t.astimezone(tz))}: {n} báo" for t, n in spread))
    if related:
        # a follow-up joins its incident's case, which was opened first: the merge is offered on the newer case only
        click.echo("  Có thể cùng vụ việc với:")
        for r in related:
            older = _opened_before(app, r.case_id, c)
            # the newer case goes into the older one either way: the command is the same from both cases' pages
            how = (f"nếu đúng, gộp hồ sơ này vào: monitor cases merge {c.id} --into {r.case_id}" if older
                   else f"hồ sơ mở sau; nếu đúng, gộp hồ sơ đó vào hồ sơ này: monitor cases merge {r.case_id} "
                        f"--into {c.id}")
            other = app.store.case(r.case_id)
            if older and other is not None and other.not_ours:  # merge_case takes nothing into it while so closed
                how = (f"hồ sơ đó đã đóng «{other.status}»; nếu đúng và vụ việc thuộc địa bàn, mở lại hồ sơ đó "
                       f"(monitor cases update {r.case_id} --status \"mới\") rồi gộp: monitor cases merge {c.id} "
                       f"--into {r.case_id}")
            click.echo(f"    - hồ sơ #{r.case_id}: {r.title} (độ giống {r.similarity:.2f}; {how})")
    if c.handling:
        click.echo("  Kết quả xử lý:")
        for e in c.handling:
            text = handling_text(e.handling)
            click.echo(f"    - số {e.record}: {text[:1].upper()}{text[1:]} (ghi nhận bởi {e.by} lúc {_t(e.at.astimezone(tz))})")
    false = _false_information(app, c)
    if false["sign"]:
        click.echo(f"  Có dấu hiệu {FALSE_INFORMATION}: " + ("đã cải chính, bác bỏ" if false["corrected"] else
                   f"chưa ghi nhận cải chính, bác bỏ (khi đã làm: monitor cases update {c.id} --corrected)"))
    if c.status == OPEN_STATUS:
        click.echo(f'  Ghi nhận tiếp nhận: monitor cases update {c.id} --status "đã tiếp nhận" --owner "Tên"')
    click.echo("  Lịch sử:")
    for e in c.events:
        parts = [p for p in (f"trạng thái → {e.status}" if e.status else "", f"phụ trách → {e.owner}" if e.owner else "",
                             f"ghi nhận số {e.record}: {handling_text(e.handling)}" if e.handling else "",
                             _withdrawal(c, e),
                             f"ghi chú: {e.note}" if e.note else "") if p]
        click.echo(f"    {_t(e.at.astimezone(tz))} {e.by}: {'; '.join(parts)}")


def _withdrawal(c, e) -> str:
    """A history line withdrawing a record: which one, and what it said."""
    from monitor.cases import handling_text

    if e.withdraws is None:
        return ""
    gone = _withdrawn(c, e)
    return f"rút lại ghi nhận số {gone.record} ({handling_text(gone.handling)})" if gone else "rút lại một ghi nhận"


def _withdrawn(c, e):
    """The record the withdrawal line `e` of case `c` withdraws (update_case withdraws only a record of its case)."""
    return next((x for x in c.events if x.id == e.withdraws and x.handling is not None), None)


def _false_information(app, c) -> dict:
    """Whether the case's story bears the classifier's false-information sign, and whether a correction is recorded."""
    from monitor.cases import CORRECTED, false_information_sign

    story = None if c.merged else app.store.story(c.story_id)
    return {"sign": story is not None and false_information_sign(story.hot_categories),
            "corrected": any(e.handling.kind == CORRECTED for e in c.handling)}


def _opened_before(app, other_id: int, case) -> bool:
    """Whether case `other_id` was opened before `case` (the incident a follow-up's case joins)."""
    other = app.store.case(other_id)
    if other is None:
        return False
    return (other.opened_at, other.id) < (case.opened_at, case.id)


@cases.command("update")
@click.argument("case_id", type=CASE_ID)
@click.option("--status", help="Trạng thái mới: mới | đã tiếp nhận | đang xử lý | đã phản hồi | đã xử lý.")
@click.option("--owner", help="Người phụ trách hồ sơ.")
@_note_option("Ghi chú, lưu vào lịch sử hồ sơ. Điểm báo và báo cáo tháng chỉ in, như việc đã làm, ghi chú đi kèm "
              "--status hoặc kèm việc đã làm (--reported-to, --answered-press, --corrected); ghi chú riêng lẻ "
              "chỉ lưu trong lịch sử (`monitor cases show`).")
@click.option("--reported-to", "reported_to", multiple=True, metavar="AUTHORITY",
              help="Đã báo cáo cơ quan có thẩm quyền này; nhiều cơ quan thì lặp lại tùy chọn.")
@click.option("--answered-press", "answered_press", multiple=True, metavar="OUTLET",
              help="Đã trả lời báo này (trả lời báo chí); nhiều báo thì lặp lại tùy chọn.")
@click.option("--spokesperson", default="", metavar="NAME",
              help="Kèm --answered-press: người phát ngôn thay mặt cơ quan.")
@click.option("--directed-by", "directed_by", default="", metavar="WHO",
              help="Kèm --answered-press: người chỉ đạo việc trả lời (theo chỉ đạo của ...).")
@click.option("--corrected", is_flag=True,
              help="Thông tin sai về vụ việc đã được cải chính, bác bỏ công khai.")
@click.option("--on", "on", metavar="DD/MM/YYYY",
              help="Ngày đã báo cáo, trả lời hoặc cải chính, DD/MM/YYYY hoặc YYYY-MM-DD (mặc định: hôm nay).")
@click.option("--withdraw", type=STORED_ID, metavar="RECORD",
              help="Rút lại một ghi nhận làm nhầm (số ở đầu dòng của ghi nhận, mục «Kết quả xử lý» của "
                   "`monitor cases show`); --note ghi lý do.")
@click.option("--title", default=None,
              help="Sửa tiêu đề của tin ghi nhận từ ngoài báo chí (`cases open --title`).")
@click.option("--source-kind", "source_kind", default=None, metavar="KIND", help="Sửa loại nguồn của tin đó.")
@click.option("--source", default=None, help="Sửa nguồn của tin đó (nhóm, người gọi, trường, kênh, báo).")
@click.option("--url", default=None, help='Sửa địa chỉ của tin đó; --url "" để xóa địa chỉ.')
@click.option("--at", "at", default=None,
              help='Sửa thời điểm tin xuất hiện: "HH:MM DD/MM/YYYY" hoặc "DD/MM/YYYY".')
@click.option("--summary", default=None, help="Sửa tóm tắt của tin đó.")
@click.option("--scope", default=None, metavar="SCOPE",
              help="Cho biết tin đó xảy ra ở đâu: local (địa phương), city (thành phố, tỉnh), national "
                   "(toàn quốc) hoặc foreign (nước ngoài); được giữ từ đó về sau (không cho thì phạm vi được "
                   "xét lại theo nội dung đã sửa).")
@click.option("--item", "item_id", type=STORED_ID, default=None,
              help="Tin cần sửa, khi hồ sơ có nhiều tin (hồ sơ đã gộp).")
@click.option("--by", default=None, help="Người thay đổi (mặc định: $MONITOR_USER, nếu không có thì tên đăng nhập).")
@click.pass_context
def cases_update(ctx: click.Context, case_id: int, status: str | None, owner: str | None, note: str,
                 reported_to: tuple[str, ...], answered_press: tuple[str, ...], spokesperson: str, directed_by: str,
                 corrected: bool, on: str | None, withdraw: int | None, title: str | None, source_kind: str | None,
                 source: str | None, url: str | None, at: str | None, summary: str | None, scope: str | None,
                 item_id: int | None, by: str | None) -> None:
    """Đổi trạng thái, người phụ trách, ghi chú, việc đã làm của hồ sơ.

    Mọi thay đổi đều được lưu kèm người thực hiện và thời điểm. Việc đã làm là nội dung mà báo cáo tháng
    (mục "kết quả xử lý") và điểm báo nêu về vấn đề: đã báo cáo cơ quan có thẩm quyền (--reported-to),
    đã trả lời báo chí (--answered-press, kèm --spokesperson và --directed-by), đã cải chính, bác bỏ công
    khai thông tin sai (--corrected). --on cho biết ngày đã làm nếu không phải hôm nay. Khi ghi nhận việc
    đã làm, hồ sơ còn "mới" chuyển thành "đã tiếp nhận", trừ khi --status cho trạng thái khác. Cùng một
    ghi nhận hai lần (cùng loại, cùng cơ quan hoặc báo, cùng ngày) bị từ chối. Ghi nhận làm nhầm thì rút
    lại bằng --withdraw: ghi nhận đó không còn được tính, và lịch sử giữ cả hai.

    Tin ghi nhận từ ngoài báo chí bị gõ nhầm thì sửa ở đây (--title, --source-kind, --source, --url,
    --at, --summary), không cần đánh dấu cảnh báo nhầm rồi nhập lại; lịch sử giữ nội dung trước khi sửa.
    Cảnh báo đã gửi thì không gửi lại; cảnh báo còn chờ (trong giờ yên lặng) sẽ gửi bản đã sửa. --scope
    cho biết tin đó xảy ra ở đâu (trên địa bàn của cơ quan hay không), áp dụng chung cho điểm báo, cảnh
    báo và báo cáo tháng.

    \b
    Ví dụ:
      monitor cases update 12 --status "đang xử lý" --owner "Chị Lan" --note "Đã gọi hiệu trưởng"
      monitor cases update 12 --reported-to "UBND quận Long Biên" --on 2026-11-12
      monitor cases update 12 --answered-press "Tuổi Trẻ" --spokesperson "Phó Trưởng phòng Nguyễn Văn An" \\
          --directed-by "Chủ tịch UBND quận"
      monitor cases update 14 --corrected --note "Đăng thông báo trên cổng thông tin điện tử của Phòng"
      monitor cases update 12 --withdraw 2 --note "Nhầm hồ sơ"
      monitor cases update 16 --title "Phụ huynh phản ánh trường thu tiền lắp điều hòa" --at 25/11/2026
    """
    from monitor.cases import ITEM_CORRECTED, handling_text, update_case
    from monitor.cli.common import parse_date

    if owner is not None and not owner.strip():
        raise InputError("--owner đang để trống; ghi người phụ trách hồ sơ (ví dụ --owner \"Chị Lan\")")
    app = get_app(ctx)
    who = _actor(by)
    corrections = dict(title=title, source_kind=source_kind, source=source, url=url, at=at, summary=summary, scope=scope)
    if item_id is not None and all(v is None for v in corrections.values()):
        raise InputError("--item chọn tin cần sửa: cho kèm nội dung sửa (--title, --source, ...)")
    if any(v is not None for v in corrections.values()):
        from monitor.intake import correct_item

        c = correct_item(app, case_id, by=who, item_id=item_id, **corrections)
        line = next(e for e in reversed(c.events) if e.note.startswith(ITEM_CORRECTED))
        click.echo(f"Hồ sơ #{c.id}: {line.note} (bởi {who}).")
        from monitor.intake import intake_alert

        items = {i.id: i for i in app.store.intake_of_story(c.story_id)}
        for a in app.store.alerts_for_story(c.story_id):
            item = items.get((a.payload.get("intake") or {}).get("id"))
            if item is None:
                continue
            states = {d.status for d in app.store.deliveries(a.id)}
            if states == {"pending"} and a.body == intake_alert(app.config, item, c, a.severity)[1]:
                click.echo(f"  Cảnh báo #{a.id} chưa gửi: đã sửa theo, lãnh đạo nhận bản đã sửa.")
            elif "sent" in states or "pending" in states:
                click.echo(f"  Cảnh báo #{a.id} đã gửi (hoặc đang gửi) bản cũ; không gửi lại vì việc sửa này.")
        if not (status or owner is not None or note.strip() or reported_to or answered_press or corrected
                or withdraw is not None or spokesperson or directed_by or on):
            return
    before = app.store.case(case_id)
    c, again = update_case(app, case_id, by=who, status=status, owner=owner, note=note, reported_to=reported_to,
                           answered_press=answered_press, spokesperson=spokesperson, directed_by=directed_by,
                           corrected=corrected, on=parse_date(on, "--on"), withdraw=withdraw)
    click.echo(f"Hồ sơ #{c.id}: {c.status}; phụ trách: {c.owner or 'chưa có'}")
    _alerts_again(again, before)
    if withdraw is not None:
        gone = next(e for e in before.handling if e.record == withdraw)
        click.echo(f"  Đã rút lại ghi nhận số {withdraw}: {handling_text(gone.handling)} (bởi {who})")
    known = {e.id for e in before.handling}
    for e in c.handling:
        if e.id not in known:
            click.echo(f"  Ghi nhận số {e.record}: {handling_text(e.handling)} (bởi {e.by})")


def _alerts_again(again: int, closed) -> None:
    """How many alert deliveries the reopening of `closed` (the case as it was) put back in the outbox, said the same
    way by every command that reopens a case (`cases update --status`, `cases open ARTICLE_ID`)."""
    if again:
        how = "đánh dấu cảnh báo nhầm" if closed.dismissed else f"đóng hồ sơ «{closed.status}»"
        click.echo(f"{again} lượt gửi cảnh báo bị hủy khi {how} lại chờ gửi (monitor alerts).")


def _not_a_case_number(app, article_id: int, before) -> None:
    """Refuse `cases open N` when N is also a case's number and article N is neither in that case nor hot already:
    case numbers are small and soon overlap article numbers, and a case number typed here (`cases open 7 --note`,
    meant for case #7) would put an unrelated article before leadership as a hot issue and into the training labels.
    The model's hot flag alone does not make the article hot here: a story below every level is not in the clipping."""
    case = app.store.case(article_id)
    if case is None or (before is not None and before.id == case.id):
        return
    article = app.store.get_article(article_id)
    if article is None:
        return  # open_case_by_hand says there is no such article
    if before is not None and not before.closed:
        return  # already in an open case, a hot issue leadership reads: opening it puts nothing new before them
    raise InputError(f"bài số {article_id} «{clip(article.title, 70)}» không thuộc hồ sơ #{case.id} "
                     f"(«{clip(case.title, 70)}»): ARTICLE_ID là số bài, không phải số hồ sơ",
                     hint=f"ghi chú cho hồ sơ #{case.id}: monitor cases update {case.id} --note \"...\"; "
                          f"mở hồ sơ mới cho bài này: thêm --yes")


@cases.command("open")
@click.argument("article_id", type=STORED_ID, required=False)
@click.option("--title", default=None,
              help="Vấn đề nóng từ nguồn ngoài các báo được thu thập: việc gì đã xảy ra, viết trong một dòng "
                   "(khi đó không cho ARTICLE_ID).")
@click.option("--source-kind", "source_kind", default=None, metavar="KIND",
              help="Kèm --title: mạng xã hội | đường dây nóng | cơ sở giáo dục | truyền hình | báo chí khác "
                   "| khác (gõ có dấu hay không dấu đều được).")
@click.option("--source", default=None, help="Kèm --title: nhóm, trang, người gọi, trường, kênh hoặc báo "
                                             "nào.")
@click.option("--url", default=None, help="Kèm --title: nơi xem được vấn đề (bài đăng, video), nếu có.")
@click.option("--at", "at", default=None,
              help='Kèm --title: lúc vấn đề xuất hiện hoặc đến với cơ quan, "HH:MM DD/MM/YYYY" hoặc '
                   '"DD/MM/YYYY" (mặc định: thời điểm hiện tại).')
@click.option("--summary", default="", help="Kèm --title: một hai câu tóm tắt nội dung.")
@click.option("--topic", default=None, help="Kèm --title: chủ đề của kế hoạch, mã (ví dụ an-toan-truong-hoc) "
                                             "hoặc tên, có dấu hay không dấu.")
@click.option("--level", default=None,
              help="Kèm --title: mức cảnh báo, một trong các mức của alerts.thresholds (mặc định: mức thấp "
                   "nhất, ví dụ \"theo dõi\").")
@click.option("--scope", default=None, metavar="SCOPE",
              help="Kèm --title: nơi xảy ra, local (địa phương), city (thành phố, tỉnh), national (toàn quốc) "
                   "hoặc foreign (nước ngoài); mặc định: xét từ tiêu đề, tóm tắt và nguồn, như với một bài "
                   "báo.")
@click.option("--no-alert", "no_alert", is_flag=True,
              help="Kèm --title: ghi nhận mà không gửi cảnh báo cho lãnh đạo (lãnh đạo đã biết).")
@click.option("--force", is_flag=True,
              help="Kèm --title: vẫn ghi nhận dù cùng tiêu đề từ cùng nguồn đã được nhập cho ngày đó.")
@_note_option("Vì sao đây là vấn đề nóng (lưu trong lịch sử và, với một bài báo, kèm nhãn).")
@click.option("--by", default=None, help="Người quyết định (mặc định: $MONITOR_USER, nếu không có thì tên đăng nhập).")
@click.option("--yes", "yes", is_flag=True,
              help="Kèm ARTICLE_ID: vẫn mở hồ sơ cho bài đó dù số bài trùng số một hồ sơ khác (xem phần mô tả).")
@click.pass_context
def cases_open(ctx: click.Context, article_id: int | None, title: str | None, source_kind: str | None,
               source: str | None, url: str | None, at: str | None, summary: str, topic: str | None, level: str | None,
               scope: str | None, no_alert: bool, force: bool, note: str, by: str | None, yes: bool) -> None:
    """Mở hồ sơ bằng tay: bài mô hình bỏ sót, tin từ ngoài báo chí.

    Với ARTICLE_ID (một bài đã thu thập): bài được ghi nhãn nóng cho `monitor train`, và sự việc của bài
    (một sự việc riêng nếu bài chưa thuộc sự việc nào) được tính là nóng trong điểm báo và báo cáo tháng
    từ nay về sau. Sự việc đã có hồ sơ thì giữ hồ sơ đó; hồ sơ đã đánh dấu cảnh báo nhầm thì được mở lại.

    Với --title, --source-kind và --source thay cho ARTICLE_ID: vấn đề nóng đến với cơ quan theo đường khác (bài
    đăng trong một nhóm Facebook, phụ huynh gọi đường dây nóng, báo cáo của trường, một phóng sự truyền hình,
    một báo không có trong feeds.yaml) được ghi nhận kèm người nhập và thời điểm, và mở một hồ sơ. Vấn đề này có
    mặt trong điểm báo kế tiếp và trong báo cáo tháng như một vấn đề nóng, kèm nguồn ("Nguồn: mạng xã hội –
    ..."), và không được tính vào số tin, bài. Cảnh báo được gửi tới lãnh đạo qua hàng chờ gửi như với một sự
    việc nóng thu thập được, ở mức --level, trừ khi có --no-alert. Cùng tiêu đề, cùng nguồn, cùng ngày thì bị từ
    chối vì đã ghi nhận (kèm số hồ sơ), trừ khi có --force. Các bài báo đăng sau về cùng sự việc không tự nhập
    vào: cảnh báo của các bài đó và `cases show` nêu hồ sơ này, và `monitor cases merge PRESS_CASE --into CASE`
    gộp lại; sự việc sau khi gộp giữ ít nhất mức --level (điểm từ báo chí có thể nâng mức, không bao giờ hạ).
    Vấn đề được tính là thuộc địa bàn của cơ quan (nhãn địa bàn của cảnh báo, số liệu của điểm báo và báo cáo)
    khi tiêu đề, tóm tắt hoặc nguồn nêu địa bàn của cơ quan (quận, huyện của Phòng; tỉnh, thành phố của Sở), một
    xã, phường của địa bàn đó hoặc một tên trong danh sách office.watchlist, như văn bản của một bài báo; tin đến qua đường dây nóng của chính cơ quan hoặc từ các
    trường của cơ quan (--source-kind "đường dây nóng" | "cơ sở giáo dục") cũng vậy, trừ khi nêu nơi khác;
    --scope cho biết nơi xảy ra khi văn bản dễ gây hiểu nhầm.

    ARTICLE_ID là số bài, không phải số hồ sơ: khi số đó cũng là số của một hồ sơ mà bài không thuộc hồ
    sơ ấy (và bài chưa nóng), lệnh từ chối, vì có lẽ người gõ định ghi chú cho hồ sơ (`monitor cases
    update N --note ...`); thêm --yes để vẫn mở hồ sơ cho bài.

    \b
    Ví dụ:
      monitor cases open 1234 --note "Phụ huynh phản ánh lạm thu, báo địa phương đã đăng"
      monitor cases open --title "Clip học sinh bị đánh trước cổng trường lan truyền" \\
        --source-kind "mạng xã hội" --source "Nhóm Facebook Phụ huynh Long Biên" \\
        --url https://facebook.com/groups/phuhuynhlongbien/posts/123 --at "20:15 25/11/2026" --level cao
      monitor cases open --title "Phụ huynh gọi phản ánh thu tiền điều hòa" \\
        --source-kind "duong day nong" --source "Đường dây nóng của Phòng" --scope local --no-alert
    """
    app = get_app(ctx)
    who = _actor(by)
    outside = {"--source-kind": source_kind, "--source": source, "--url": url, "--at": at, "--summary": summary or None,
               "--topic": topic, "--level": level, "--scope": scope, "--no-alert": no_alert or None,
               "--force": force or None}
    if article_id is not None:
        if title is not None:
            raise InputError("cho ARTICLE_ID (một bài báo đã thu thập) hoặc --title (một vấn đề nóng từ ngoài báo chí), "
                             "không cho cả hai", hint="monitor cases open --help trình bày cả hai cách")
        given = [name for name, value in outside.items() if value is not None]
        if given:
            raise InputError(f"{given[0]} đi cùng --title (vấn đề nóng từ ngoài báo chí), không đi cùng ARTICLE_ID")
        from monitor.cases import open_case_by_hand

        story_id = app.store.story_of_article(article_id)
        before = app.store.case_of_story(story_id) if story_id is not None else None
        if not yes:
            _not_a_case_number(app, article_id, before)
        c, opened, again = open_case_by_hand(app, article_id, by=who, note=note)
        state = "đã mở" if opened else ("đã có từ trước, ghi chú được thêm" if note and note.strip() else "đã có từ trước")
        click.echo(f"Hồ sơ #{c.id} ({state}): {c.title} — {c.status}; bài {article_id} được ghi nhãn giáo dục, nóng (bởi {who}).")
        if before is not None:
            _alerts_again(again, before)
        _say_unlearnt(app, [article_id])
        return
    if title is None:
        raise InputError("cho biết vấn đề nóng nào: ARTICLE_ID của một bài báo đã thu thập, hoặc --title cùng --source-kind và "
                         "--source cho vấn đề từ ngoài báo chí",
                         hint='monitor cases open --title "..." --source-kind "mạng xã hội" --source "Nhóm Facebook ..."')
    for name in ("--source-kind", "--source"):
        if outside[name] is None:
            raise InputError(f"cần {name} khi dùng --title: vấn đề nóng đến từ đâu",
                             hint='ví dụ --source-kind "mạng xã hội" --source "Nhóm Facebook Phụ huynh Long Biên"')
    from monitor.intake import area_line, duplicate_error, open_from_outside

    tz = app.config.office.tz
    done = open_from_outside(app, title=title, source_kind=source_kind, source=source, by=who, url=url, at=at,
                             summary=summary, topic=topic, level=level, note=note, alert=not no_alert, force=force,
                             scope=scope)
    if done.item is None:
        raise duplicate_error(done, tz)
    c, item = done.case, done.item
    click.echo(f"Hồ sơ #{c.id} (đã mở): {item.title} — {c.status}, mức {c.severity}; "
               f"nguồn: {item.source_label}, {_at(item, tz)} (ghi nhận bởi {who}).")
    click.echo(f"  {area_line(app.config.office, item)}"
               + ("" if item.scope_given else "; nếu sai: monitor cases update " + str(c.id) + " --scope local|national"))
    if done.alert_id is not None:
        channels = len(app.store.deliveries(done.alert_id))
        click.echo(f"  Cảnh báo #{done.alert_id} chờ gửi qua {channels} kênh (monitor alerts)." if channels else
                   f"  Cảnh báo #{done.alert_id} đã lưu, nhưng không kênh nào nhận: cảnh báo đang tắt (alerts.enabled) "
                   "hoặc chưa cấu hình alerts.channels trong feeds.yaml.")
    else:
        click.echo("  Không gửi cảnh báo (--no-alert).")


@cases.command("dismiss")
@click.argument("case_id", type=CASE_ID)
@click.option("--not-education", "not_education", is_flag=True,
              help="Sự việc hoàn toàn không liên quan đến giáo dục (mặc định: tin giáo dục, nhưng không phải "
                   "vấn đề nóng).")
@click.option("--not-ours", "not_ours", is_flag=True,
              help='Vấn đề nóng có thật nhưng ngoài địa bàn của cơ quan: đóng hồ sơ với trạng thái "ngoài '
                   'địa bàn", không ghi nhãn.')
@_note_option("Vì sao đây không phải vấn đề nóng (lưu trong lịch sử và kèm các nhãn).")
@click.option("--by", default=None, help="Người quyết định (mặc định: $MONITOR_USER, nếu không có thì tên đăng nhập).")
@click.pass_context
def cases_dismiss(ctx: click.Context, case_id: int, not_education: bool, not_ours: bool, note: str, by: str | None) -> None:
    """Đóng hồ sơ vì cảnh báo nhầm; các bài được ghi nhãn không nóng.

    Sự việc không gửi cảnh báo nữa (các cảnh báo còn chờ trong hàng chờ gửi bị hủy) và rời khỏi mục Vấn
    đề nóng của điểm báo. Các bài của sự việc được ghi nhãn không nóng, và là tin giáo dục trừ khi có
    --not-education: `monitor train` học rằng những sự việc như vậy không phải vấn đề nóng. Lệnh
    `monitor cases update --status ...` mở lại hồ sơ. Nếu sau đó có bài mới nhập vào sự việc và đưa sự
    việc lên mức cao hơn mức lúc đánh dấu, hệ thống tự mở lại hồ sơ (trạng thái "mới") và gửi cảnh báo
    nêu rõ sự việc từng bị đánh dấu cảnh báo nhầm.

    Vấn đề nóng chỉ đơn giản là không thuộc địa bàn của cơ quan (sự việc ở tỉnh khác) thì đóng bằng --not-ours
    (trạng thái "ngoài địa bàn"): cũng không gửi cảnh báo nữa, nhưng không ghi nhãn, và vẫn được tính là vấn đề
    nóng trong điểm báo và báo cáo tháng với kết quả đó, không phải cảnh báo nhầm. Hồ sơ trước đó đã đánh dấu
    cảnh báo nhầm mà nay đóng --not-ours thì các nhãn "không nóng" của lần đánh dấu ấy được rút lại, như `monitor
    label ID --withdraw LABEL` rút lại một nhãn: `monitor train` không học chúng nữa, còn `monitor labels` vẫn liệt
    kê chúng cùng lần rút lại. Lệnh báo khi nhãn còn lại của một bài sẽ không được học, như `monitor label`. Nếu sau này
    có bài về địa bàn của chính cơ quan nhập vào sự việc, `monitor triage` mở lại hồ sơ (trạng thái "mới") và
    gửi cảnh báo như với một sự việc mới. Không gộp được hồ sơ nào vào hồ sơ đã đóng --not-ours (chạy `monitor
    cases update N --status "mới"` trước). alerts.min_scope trong feeds.yaml khiến những sự việc như vậy không
    gửi cảnh báo nào.

    \b
    Ví dụ:
      monitor cases dismiss 13 --note "Tin cũ đăng lại, không phải sự việc mới"
      monitor cases dismiss 14 --not-education --note "Tin hình sự, không liên quan trường học"
      monitor cases dismiss 15 --not-ours --note "Vụ việc ở Hà Nội, không thuộc địa bàn"
    """
    from monitor.cases import close_not_ours, dismiss_case

    app = get_app(ctx)
    who = _actor(by)
    if not_ours:
        if not_education:
            raise InputError("--not-ours và --not-education mâu thuẫn nhau: --not-ours đóng một vấn đề nóng có thật "
                             "của địa bàn khác mà không ghi nhãn",
                             hint="tin ngoài lĩnh vực giáo dục thì bỏ qua bằng --not-education, không kèm --not-ours")
        c, unlabelled = close_not_ours(app, case_id, by=who, note=note)
        withdrawn = ""
        if unlabelled:
            named = ", ".join(map(str, unlabelled[:10])) + (", …" if len(unlabelled) > 10 else "")
            listing = "monitor labels" + (f" --article {unlabelled[0]}" if len(unlabelled) == 1 else "")
            withdrawn = (f"; rút lại nhãn «không nóng» mà lần đánh dấu cảnh báo nhầm đã ghi cho {len(unlabelled)} bài "
                         f"({named}; lịch sử giữ cả nhãn lẫn lần rút lại: {listing})")
        click.echo(f"Hồ sơ #{c.id}: {c.status}; không gửi cảnh báo nữa, không ghi nhãn nào{withdrawn} (bởi {who}). "
                   "Nếu sau này có bài về địa bàn của cơ quan nhập vào sự việc này, hồ sơ tự mở lại và gửi cảnh báo.")
        # what the withdrawal leaves may be a person's one-call label training cannot place
        _say_unlearnt(app, unlabelled)
        return
    c, labelled = dismiss_case(app, case_id, by=who, education=not not_education, note=note)
    if not labelled:  # a case of items from outside the press only: no article, so nothing for training
        click.echo(f"Hồ sơ #{c.id}: {c.status}; hồ sơ không có bài báo nào nên không ghi nhãn bài nào (bởi {who}).")
        return
    what = "không phải tin giáo dục" if not_education else "tin giáo dục, không nóng"
    click.echo(f"Hồ sơ #{c.id}: {c.status}; {len(labelled)} bài được ghi nhãn {what} (bởi {who}); "
               "`monitor train` sẽ học từ các nhãn này.")
    _say_unlearnt(app, labelled)


def _say_unlearnt(app, article_ids) -> None:
    """After `cases open` / `cases dismiss` wrote or withdrew the articles' labels: the warning `monitor label` gives
    (monitor.corrections.unlearnt_warning) when `monitor train` will not learn some of them."""
    from monitor.corrections import unlearnt_warning

    warning = unlearnt_warning(app.store, article_ids)
    if warning:
        click.echo(f"Chú ý: {warning}")


@cases.command("merge")
@click.argument("case_id", type=CASE_ID)
@click.option("--into", "into", type=CASE_ID, required=True,
              help="Hồ sơ được giữ lại để theo dõi tiếp (hồ sơ của vụ việc gốc).")
@click.option("--title", default=None,
              help="Tiêu đề cho hồ sơ được giữ lại (mặc định: giữ tiêu đề của hồ sơ đó, dù các bài được gộp "
                   "vào viết gì).")
@_note_option("Vì sao đây là cùng một vụ việc (lưu trong lịch sử của cả hai hồ sơ).")
@click.option("--by", default=None, help="Người quyết định (mặc định: $MONITOR_USER, nếu không có thì tên đăng nhập).")
@click.pass_context
def cases_merge(ctx: click.Context, case_id: int, into: int, title: str | None, note: str, by: str | None) -> None:
    """Gộp hồ sơ của diễn biến tiếp theo vào hồ sơ của vụ việc.

    Khi không chắc chắn, bước gom bài thành sự việc để riêng một diễn biến được viết bằng lời khác (một cuộc
    điều tra, một hình thức xử lý kỷ luật, một câu trả lời chính thức), nên diễn biến đó có thể có hồ sơ
    và cảnh báo riêng; `monitor cases show` và cảnh báo nêu những hồ sơ đang mở mà nó có thể là phần tiếp
    theo. Khi gộp, các bài của hồ sơ này và các cảnh báo nó đã gửi chuyển sang sự việc của hồ sơ kia, các
    cảnh báo còn chờ của nó bị hủy, ghi chú của nó (và trạng thái nếu đã tiến xa hơn, người phụ trách nếu
    hồ sơ kia chưa có) chuyển sang hồ sơ kia; hồ sơ kia nếu đã xử lý thì mở lại với trạng thái của hồ sơ này
    khi hồ sơ này chưa xử lý xong; rồi hồ sơ này đóng với trạng thái "đã gộp"; các bài đăng
    sau của cả hai đều nhập vào sự việc đã gộp, và cảnh báo tiếp theo là cảnh báo cập nhật của một sự
    việc duy nhất. Hồ sơ được giữ lại vẫn giữ tiêu đề của mình, kể cả khi diễn biến tiếp theo mang theo
    một bài cũ hơn bài đầu tiên về vụ việc, trừ khi --title cho tiêu đề khác.

    \b
    Ví dụ:
      monitor cases merge 15 --into 12 --note "Cùng vụ học sinh bị đánh ở phường Ngọc Thụy"
    """
    from monitor.cases import merge_case

    app = get_app(ctx)
    who = _actor(by)
    c = merge_case(app, case_id, into=into, by=who, note=note, title=title)
    click.echo(f"Hồ sơ #{case_id} đã gộp vào hồ sơ #{c.id}: {c.title} — {len(OutletNames(app.config).unique(c.outlets))} báo, "
               f"{level_text(c.severity)}, điểm {score_text(c.hot_score)}, trạng thái {c.status} (bởi {who}).")


def _actor(by: str | None) -> str:
    """Who makes a change: --by, else $MONITOR_USER, else the login name. An empty --by (an unset shell variable) is
    refused rather than recorded as nobody or quietly replaced by the login name."""
    if by is not None and not by.strip():
        raise InputError("--by đang để trống; ghi tên người thay đổi, hoặc bỏ --by để ghi tên đăng nhập")
    return (by or "").strip() or os.environ.get("MONITOR_USER") or _login()



def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "không rõ"
