"""`monitor serve` (the always-on service) and `monitor status` (what it is doing)."""

from __future__ import annotations

import logging
import math
import os
import signal
import sys
import threading
import time as _time
from datetime import date, datetime, timedelta

import click

from monitor.cli import cli
from monitor.cli.common import YEARS, echo_json, get_app, shown
from monitor.cli.core import echo_setup_warnings
from monitor.errors import InputError, ModelError, MonitorError
from monitor.service import (JOB_OUTCOMES, InstanceLock, Service, digest_days_due, digest_days_missed, failed_digest_retry_at,
                             lock_holder, lock_path, scaled_clock, schedule_overview)
from monitor.setup_warnings import SetupWarning, setup_warnings

log = logging.getLogger("monitor.service")


class OfficeTimeFormatter(logging.Formatter):
    """Log lines stamped in the office's time zone with its offset ("2026-11-26 18:00:47+07:00"), as every other
    output is, whatever zone the server runs in (often UTC)."""

    def __init__(self, fmt: str, tz) -> None:
        super().__init__(fmt)
        self.tz = tz

    def formatTime(self, record, datefmt=None) -> str:  # noqa: N802 - logging's name
        return datetime.fromtimestamp(record.created, self.tz).isoformat(sep=" ", timespec="seconds")


def _setup_logging(log_file: str | None, verbose: bool, tz=None) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    for h in handlers:
        h.setFormatter(OfficeTimeFormatter(fmt, tz) if tz is not None else logging.Formatter(fmt))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=handlers, force=True)
    # httpx logs each request's full URL, and a Telegram URL holds the bot token: never below WARNING
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    if not verbose:
        # "skipped: maximum number of running instances reached" is the intended coalescing, not news
        logging.getLogger("apscheduler").setLevel(logging.ERROR)


@cli.command()
@click.option("--once", is_flag=True,
              help="Chạy các tác vụ đến hạn một vòng rồi thoát: thu thập các nguồn tin đến hạn, gửi những gì "
                   "đến hạn (ví dụ chạy từ cron); thoát với mã 1 khi có tác vụ trong vòng bị lỗi.")
@click.option("--run-for", type=float, metavar="SECONDS",
              help="Tự dừng sau số giây này (kiểm thử, trình diễn).")
@click.option("--tick", type=float, default=30.0, show_default=True, metavar="SECONDS",
              help="Khoảng cách giữa hai lần kiểm tra các tác vụ đến hạn: điểm báo, báo cáo và dọn dẹp "
                   "dữ liệu.")
@click.option("--start-at", metavar="ISO-TIME",
              help="Cho đồng hồ giả định bắt đầu từ thời điểm này (kiểm thử, trình diễn); thời điểm "
                   "không ghi múi giờ được hiểu theo múi giờ của cơ quan.")
@click.option("--time-scale", type=float, default=1.0, show_default=True,
              help="Cho đồng hồ chạy nhanh gấp số lần này so với thời gian thực (kiểm thử, trình diễn).")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Ghi nhật ký ra cả tệp này.")
@click.option("--verbose", "-v", is_flag=True, help="Ghi nhật ký chi tiết (mức DEBUG).")
@click.pass_context
def serve(ctx: click.Context, once: bool, run_for: float | None, tick: float, start_at: str | None,
          time_scale: float, log_file: str | None, verbose: bool) -> None:
    """Chạy dịch vụ giám sát liên tục.

    Dịch vụ thu thập tin từ từng nguồn theo chu kỳ riêng của nguồn đó, phân loại, gom thành sự việc và
    chấm điểm nóng, gửi cảnh báo, gửi điểm báo hằng ngày lúc giờ chốt và báo cáo tháng vào ngày 1, và dọn
    dẹp cơ sở dữ liệu.

    Mỗi cơ sở dữ liệu chỉ có một phiên dịch vụ chạy (phiên thứ hai thoát với mã 3, kèm PID của phiên
    đang chạy). SIGTERM hoặc Ctrl-C dừng dịch vụ giữa hai bước; không có gì bị ghi dở dang. SIGHUP làm
    dịch vụ đọc lại feeds.yaml (khởi động lại tại chỗ giữa hai bước), trừ khi tệp không nạp được:
    khi đó nhật ký ghi rõ lý do và dịch vụ vẫn chạy như cũ. Điểm báo bị lỡ trong lúc máy tắt sẽ được gửi ở
    lần khởi động tiếp theo nếu vẫn còn trong digest.missed_grace_hours, trừ khi đó là một ngày trước giờ
    chốt gần nhất mà bộ thu thập không chạy qua giờ chốt của ngày đó (điểm báo được giữ lại; gửi bằng
    `monitor digest --date D --send --force`).

    \b
    Ví dụ:
      monitor serve --log-file var/monitor.log
      monitor serve --once                      # chạy các tác vụ đến hạn một vòng, ví dụ từ cron
    """
    if not all(math.isfinite(x) and x > 0 for x in (time_scale, tick, run_for if run_for is not None else 1.0)):
        raise InputError("--time-scale, --tick và --run-for phải là số dương")
    app = get_app(ctx, creates_database=True)
    start = None
    if start_at:
        try:
            start = datetime.fromisoformat(start_at)
        except ValueError:
            raise InputError(f"--start-at {shown(start_at)} không phải một thời điểm; viết ví dụ 2026-11-26T06:59:00") from None
        if not YEARS[0] <= start.year <= YEARS[1]:
            # the clock's arithmetic (windows, due times) overflows Python's dates near year 1 or 9999
            raise InputError(f"--start-at {start_at!r} nằm ngoài khoảng cho phép; cho một thời điểm từ năm {YEARS[0]} đến {YEARS[1]}")
        if start.tzinfo is None:
            start = start.replace(tzinfo=app.config.office.tz)
    app.clock = scaled_clock(start, time_scale)
    _setup_logging(log_file, verbose, app.config.office.tz)

    lock = InstanceLock(lock_path(app.config)).acquire()
    started = _time.monotonic()
    reload = False
    failed: list[str] = []
    try:
        service = Service(app)
        closed = app.store.interrupted_jobs_closed(app.now())
        if closed:
            log.warning("%d lượt chạy tác vụ còn ghi «%s» do một tiến trình đã dừng bỏ dở: đã ghi lại là «%s»", closed,
                        JOB_OUTCOMES["running"], JOB_OUTCOMES["interrupted"])
        for w in setup_warnings(app.config):
            log.warning("%s; cách sửa: %s", w.message, w.fix)
        for d in _digests(app):
            # the service never sends these again by itself: said at start, not only by `monitor status`
            if _digest_shown_state(d) == "in-doubt":
                log.warning("điểm báo %s chưa rõ đã tới hộp thư chưa (lần gửi trước không được máy chủ thư xác nhận, "
                            "hoặc bị ngắt sau khi đã trao thư đi); dịch vụ không tự gửi lại: kiểm tra hộp thư rồi mới "
                            "gửi lại bằng monitor digest --date %s --send --resend", _day(d["day"]), d["day"])
        try:
            log.info("bộ phân loại %s", app.classifier.version)
        except ModelError as exc:
            # keep crawling (nothing collected is lost); classification resumes once the models are fixed
            log.error("không nạp được bộ phân loại: %s%s; bài vẫn được lưu và sẽ được phân loại khi nạp được",
                      exc, f" ({exc.hint})" if exc.hint else "")
        if once:
            failed = _serve_once(service)
        else:
            reload = _serve_forever(service, run_for=run_for, tick=tick, time_scale=time_scale)
    finally:
        lock.release()
    if failed:
        raise MonitorError(f"vòng chạy có {len(failed)} tác vụ bị lỗi: {', '.join(failed)}",
                           hint="xem lỗi của từng tác vụ ở trên hoặc bằng `monitor status`; vòng sau chạy lại chúng")
    if reload:
        # the same process (systemd's main PID, the same arguments and environment) starts again from the top,
        # reading feeds.yaml (and the models) afresh; the database is consistent, every job having finished.
        # A pretend clock goes on from where it was and --run-for counts from the first start, not from this one.
        left = None if run_for is None else run_for - (_time.monotonic() - started)
        clock_now = app.now() if start is not None or time_scale != 1.0 else None
        app.close()
        if left is not None and left <= 0:
            log.info("đã hết --run-for: dừng thay vì khởi động lại")
            return
        log.info("khởi động lại tại chỗ để đọc lại %s", app.config.path)
        logging.shutdown()
        try:
            os.execv(sys.executable, argv_to_restart(sys.orig_argv, run_for=left, start_at=clock_now))
        except OSError as exc:
            raise MonitorError(f"không khởi động lại tại chỗ được sau SIGHUP: {exc}",
                               hint="khởi động lại dịch vụ (systemctl restart ...)") from None


def argv_to_restart(argv: list[str], *, run_for: float | None, start_at: datetime | None) -> list[str]:
    """`argv` (serve's own command line) with --run-for set to what is left of it and --start-at to the pretend
    clock's time now, when given: the options of a start are not those of a restart in place."""
    argv = list(argv)
    for option, value in (("--run-for", None if run_for is None else f"{run_for:.3f}"),
                          ("--start-at", None if start_at is None else start_at.isoformat())):
        if value is None:
            continue
        for i, token in enumerate(argv):
            if token == option and i + 1 < len(argv):
                argv[i + 1] = value
                break
            if token.startswith(option + "="):
                argv[i] = f"{option}={value}"
                break
        else:  # serve takes no arguments, so an option added at the end is serve's
            argv += [option, value]
    return argv


def _serve_once(service: Service) -> list[str]:
    """One round of the due jobs; -> the jobs that failed in it (README: cron reads exit 1 as part of the work failed)."""
    from monitor.service import crawl_groups

    service.failed = []
    for group in crawl_groups(service.app.config):
        service.run_job(group.job, lambda g=group: service.crawl(g.sources))
    service.deliver_due()
    service.due_work()
    failed = list(dict.fromkeys(service.failed))
    if failed:
        log.error("xong một vòng; %d tác vụ bị lỗi: %s", len(failed), ", ".join(failed))
    else:
        log.info("xong một vòng")
    return failed


def _serve_forever(service: Service, *, run_for: float | None, tick: float, time_scale: float) -> bool:
    """Serve until a stop (SIGTERM, SIGINT, --run-for); True when it stopped to reload (SIGHUP, feeds.yaml valid)."""
    from monitor.jobs import ClockWatch, build_scheduler, follow_clock_step

    reload_asked, reloading = threading.Event(), threading.Event()

    def request_reload(_signum, _frame) -> None:
        # checked in the loop below, not here: reading a file is no work for a signal handler
        if not service.stopping.is_set():
            reload_asked.set()

    def request_stop(signum, _frame) -> None:
        name = signal.Signals(signum).name
        if reloading.is_set():  # a stop while reloading: stop, do not start again
            reloading.clear()
            log.info("đã nhận %s: dừng sau bước đang chạy, không nạp lại cấu hình", name)
            return
        if service.stopping.is_set():
            # A second signal: the person will not wait for a slow crawl. Every store write is its own
            # transaction, so the database stays consistent; the kernel drops the lock, and the next start
            # marks the unfinished job run 'interrupted'.
            log.warning("đã nhận %s lần nữa: dừng ngay, bỏ dở tác vụ đang chạy", name)
            logging.shutdown()
            os._exit(130)
        log.info("đã nhận %s: dừng sau bước đang chạy (gửi lần nữa để dừng ngay)", name)
        service.stopping.set()

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGTERM, signal.SIGINT)}
    # SIGHUP's default is to end the process at once, mid-job, which systemd's Restart=on-failure counts as a clean
    # exit and does not restart: an administrator's `kill -HUP` to have feeds.yaml read again stopped the monitoring
    previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, request_reload)
    scheduler = build_scheduler(service, time_scale=time_scale, tick_seconds=tick)
    app = service.app
    log.info("đang phục vụ %s (khóa PID %s): %d nguồn, điểm báo lúc %s %s, đồng hồ %s x%g",
             app.config.storage.database, lock_path(app.config), sum(s.enabled for s in app.config.sources),
             app.config.digest.cutoff, app.config.office.timezone,
             app.now().astimezone(app.config.office.tz).isoformat(timespec="seconds"), time_scale)
    try:
        if app.classifier.rules_note:
            log.warning("%s", app.classifier.rules_note)
    except MonitorError as exc:  # the crawl jobs report it on every run; the service still crawls and stores
        log.error("không nạp được bộ phân loại: %s", exc)
    scheduler.start()
    deadline = _time.monotonic() + run_for if run_for else None
    clock = ClockWatch()
    try:
        while not service.stopping.wait(0.2):
            if deadline is not None and _time.monotonic() >= deadline:
                log.info("đã hết --run-for: dừng")
                service.stopping.set()
            if reload_asked.is_set():
                reload_asked.clear()
                if _config_reloadable(service.app.config.path):
                    log.info("đã nhận SIGHUP: %s hợp lệ; sẽ khởi động lại tại chỗ sau bước đang chạy để đọc tệp này",
                             service.app.config.path)
                    reloading.set()
                    service.stopping.set()
            jump = clock.step()
            if jump:
                moved = follow_clock_step(scheduler, jump)
                log.warning("đồng hồ hệ thống nhảy %s %.0f giây%s", "lùi" if jump < 0 else "tới", abs(jump),
                            f": lần chạy tới của {moved} tác vụ được dời lại tương ứng" if moved
                            else ": các tác vụ đến hạn chạy ngay")
    finally:
        service.stopping.set()
        scheduler.shutdown(wait=True)  # the job in progress finishes; queued ones see `stopping` and skip
        for s, handler in previous.items():
            signal.signal(s, handler)
        log.info("đã dừng gọn gàng")
    return reloading.is_set()


def _config_reloadable(path) -> bool:
    """Whether feeds.yaml, as it is now, can be served; when not, why is logged and the service goes on as it is
    (a restart would fail on it, leaving no monitoring until someone fixed the file)."""
    from monitor.config import load_config

    try:
        load_config(path)
    except MonitorError as exc:
        log.error("đã nhận SIGHUP, nhưng không dùng được %s: %s%s; vẫn phục vụ theo cấu hình đọc lúc khởi động",
                  path, exc, f" ({exc.hint})" if exc.hint else "")
        return False
    return True


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="In kết quả dưới dạng JSON (cho máy đọc).")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Xem tình trạng nguồn tin, tác vụ và dữ liệu.

    Hiện tình trạng từng nguồn tin và tỷ lệ tin giáo dục của nguồn; lần chạy gần nhất và lần chạy tới của
    các tác vụ; mô hình đang dùng; số bài chờ xem lại; cơ sở dữ liệu.

    \b
    Ví dụ:
      monitor status
      monitor status --json | jq '.sources[] | select(.health != "ok")'
    """
    # here, not at import: monitor.review loads story grouping (datasketch, scipy), half a second at every start
    from monitor.layout_drift import layout_drifts
    from monitor.notify import HELD_IN_DOUBT
    from monitor.review import RECENT_DAYS

    app = get_app(ctx, reads_only=True)
    store = app.store
    now = app.now()
    tz = app.config.office.tz
    sources = _sources(app, now)
    holder = lock_holder(app.config)
    data = {
        "now": now.astimezone(tz).isoformat(timespec="seconds"),
        "service": {"running": holder is not None, "pid": holder, "lock_file": str(lock_path(app.config))},
        "database": {"path": str(store.path), "size_bytes": store.size_bytes(), "articles": store.count_articles(),
                     "articles_24h": store.articles_seen_since(now - timedelta(hours=24))},
        "model": {"active": store.active_model_version(), "pinned": store.pinned_model_version(),
                  "awaiting_review": _awaiting_review(app, now)},
        "jobs": schedule_overview(app, service_running=holder is not None),
        "digests": _digests(app),
        # alert deliveries that may have arrived more than once, no longer resent by themselves (monitor.notify)
        "alerts_held_in_doubt": store.count_held_deliveries(HELD_IN_DOUBT),
        # days past their cut-off, within the grace, whose clipping was never attempted (the service was not running)
        "digests_due": [d.isoformat() for d in digest_days_due(now, app.config, store.digest_record)
                        if store.digest_record(d) is None],
        "digests_missed": [d.isoformat() for d in digest_days_missed(
            now, app.config, [r.day for r in app.store.digest_records(limit=30)])],
        "sources": sources,
        # outlets whose latest pages no longer match their selectors (a new layout); empty when none
        "page_layouts": [d.as_dict(tz) for d in layout_drifts(store, app.config, now)],
        # what feeds.yaml still gets wrong for a real office (monitor.setup_warnings), as `monitor config check` says it
        "setup_warnings": [w.as_dict() for w in setup_warnings(app.config)],
    }
    if as_json:
        echo_json(data)
        return
    from monitor.digest import megabytes

    svc = data["service"]
    click.echo(f"Dịch vụ: {'đang chạy (PID ' + str(svc['pid']) + ')' if svc['running'] else 'không chạy'}"
               f" — tệp khóa {svc['lock_file']}")
    db = data["database"]
    click.echo(f"Cơ sở dữ liệu: {db['path']} ({megabytes(db['size_bytes'])}), {db['articles']} bài, "
               f"{db['articles_24h']} bài trong 24 giờ qua")
    model = data["model"]
    click.echo(f"Mô hình: {model['active'] or '— (chưa phân loại)'}{' (đã ghim)' if model['pinned'] else ''}")
    echo_setup_warnings(SetupWarning(**w) for w in data["setup_warnings"])
    if model["awaiting_review"]:
        click.echo(f"Chờ xem lại: {model['awaiting_review']} bài chưa có nhãn mà mô hình còn phân vân trong {RECENT_DAYS} ngày qua"
                   " (monitor review)")
    for d in data["digests"][:3]:
        click.echo(_digest_line(d, tz))
    for day in data["digests_due"]:
        when = ("dịch vụ gửi trong ít phút" if svc["running"]
                else "dịch vụ không chạy: chạy monitor serve, hoặc gửi tay: monitor digest --date " + day + " --send")
        click.echo(f"Điểm báo {_day(day)}: chưa gửi, đã đến hạn ({when})")
    for day in data["digests_missed"]:
        click.echo(f"Điểm báo {_day(day)}: BỊ LỠ, không gửi (quá hạn digest.missed_grace_hours); gửi tay: "
                   f"monitor digest --date {day} --send")
    if data["alerts_held_in_doubt"]:
        click.echo(f"Cảnh báo chờ người kiểm tra: {data['alerts_held_in_doubt']} lượt gửi đã nhiều lần không được xác "
                   "nhận (người nhận có thể đã có nhiều bản) nên không tự gửi lại nữa; xem: monitor alerts, gửi lại: "
                   "monitor alerts --send --now")
    for d in data["page_layouts"]:
        click.echo(d["message"][:1].upper() + d["message"][1:])
    click.echo("\nTác vụ của dịch vụ:")
    click.echo(f"  {'tác vụ':<34} {'lịch':<26} {'lần cuối':<20} {'kết quả':<12} {'lần tới':<16}")
    for j in data["jobs"]:
        outcome = JOB_OUTCOMES.get(j["last_outcome"], j["last_outcome"]) if j["last_outcome"] else "—"
        click.echo(f"  {_job_name(j['job']):<34} {j['every']:<26} {_local(j['last_started'], tz):<20} {outcome:<12} "
                   f"{_local(j['next'], tz):<16}")
        if j["last_outcome"] == "error" and j["last_summary"]:
            # the job's own error, for whoever looks after the machine (as the log has it)
            click.echo(f"      ↳ chi tiết kỹ thuật: {j['last_summary'][:150]}")
        elif j["last_outcome"] != j.get("last_outcome_recorded"):
            # recorded 'running' by a service that is gone: it stopped mid-run; the next `serve` records that
            click.echo("      ↳ bị dừng giữa chừng: dịch vụ đã dừng khi tác vụ đang chạy (lần `monitor serve` tới sẽ ghi nhận)"
                       + (f"; đã làm: {j['last_summary'][:120]}" if j["last_summary"] else ""))
    from monitor.digest import HEALTH_LABELS

    click.echo("\nNguồn tin:")
    health = {s["name"]: HEALTH_LABELS.get(s["health"], s["health"]) for s in sources}
    width = max((len(h) for h in health.values()), default=0)
    for s in sources:
        share = s.get("classified_recently")
        edu = f"  giáo dục {share['education'] / share['articles']:>4.0%}/{share['days']} ngày" if share else ""
        if s.get("last_success"):
            last = f"lấy tin được lúc {_local(s['last_success'], tz):<17}"
        elif s["health"] in ("new", "disabled"):
            last = f"{'chưa thu thập lần nào':<31}"  # not "last fetched —", which reads as a poll that went well
        else:
            last = f"{'chưa lần nào thu thập được':<31}"
        # a failing feed waits out its back-off (hours, at length) even once the outlet answers again: when it is
        # polled next tells IT whether to wait or run `monitor crawl --all`
        retry = (f"; thử lại lúc {_local(s['next_due'], tz)}" if s["health"] in ("failing", "backoff") and s.get("next_due")
                 else "")
        click.echo(f"  {s['name']:<32} {health[s['name']]:<{width}}  {last}"
                   f" {s.get('items_24h', 0):>3} bài/24h{edu}{_source_problem(s)}{retry}")


# what each job does, beside the name the log and --json give it ("crawl:10m": the crawl of the 10-minute feeds)
JOB_NAMES = {"crawl": "thu thập tin", "pages": "lấy lại trang bài", "deliver": "gửi cảnh báo", "digest": "điểm báo",
             "report": "báo cáo tháng", "housekeeping": "dọn dẹp dữ liệu"}


def _job_name(job: str) -> str:
    what = JOB_NAMES.get(job.split(":", 1)[0])
    return f"{what} ({job})" if what else job


def _clip(error: str, limit: int = 240) -> str:
    """The crawler's error for the status line. Its cause comes after the feed's URL ("... answered with an HTML
    page", "(ReadTimeout)"), which a cut at 80 characters dropped without a sign that anything was missing."""
    return error if len(error) <= limit else error[:limit - 1].rstrip() + "…"


def _source_problem(s: dict) -> str:
    """What is wrong with a source, in the words the clipping's appendix uses; the crawler's own error beside it
    for whoever looks after the machine (the clerk reads the first, IT searches the log for the second). A quiet
    feed's "error" is our own sentence, said wholly in Vietnamese. An error the crawler already says in Vietnamese
    (monitor.errors.FETCH_REASONS: what happened and what to do, such as which setting to fix) is said once, its
    technical part alone beside it: the category before it said less, and the whole text twice filled the cut."""
    from monitor.digest import source_problem
    from monitor.errors import split_fetch_reason
    from monitor.models import SourceHealth

    error = s.get("last_error")
    if not error:
        return ""
    if s["health"] in ("failing", "backoff") and (parts := split_fetch_reason(error)) is not None:
        reason, technical = parts
        return f" — {reason} (chi tiết kỹ thuật: {_clip(technical)})"
    if s["health"] == "disabled":
        return " — đã bỏ khỏi feeds.yaml" if error == "removed from feeds.yaml" else f" — lần lỗi cuối: {_clip(error)}"
    if s["health"] == "ok":  # it answers; something in its answer was odd (a feed cut at its first items)
        return f" — lưu ý kỹ thuật: {_clip(error)}"
    problem = source_problem(SourceHealth(name=s["name"], outlet=s.get("outlet", ""), url=s.get("url", ""),
                                          health=s["health"], last_success=None, last_error=error,
                                          consecutive_failures=s.get("consecutive_failures") or 0,
                                          failure_score=s.get("failure_score") or 0.0, next_due=None,
                                          items_24h=s.get("items_24h", 0)))
    return f" — {problem}" + ("" if s["health"] == "quiet" else f" (chi tiết kỹ thuật: {_clip(error)})")


# a digest's status (monitor.store.digests) in the text output; --json keeps the status itself
DIGEST_STATES = {"sent": "đã gửi", "outbox": "đã lưu vào thư mục outbox (không gửi thư)", "failed": "gửi lỗi",
                 "sending": "đang gửi", "in-doubt": "chưa rõ đã tới hộp thư chưa",
                 "stopped": "chưa gửi được"}  # left 'sending' by a run that stopped before the hand-over


def _digests(app) -> list[dict]:
    from monitor.digest_delivery import sending_now

    out = []
    now = app.now()
    for r in app.store.digest_records(limit=7):
        retry = failed_digest_retry_at(r.day, app.config, r)
        out.append({"day": r.day.isoformat(), "status": r.status, "channel": r.channel, "items": r.items,
                    "sent_at": r.sent_at.isoformat() if r.sent_at else None, "error": r.error,
                    "refused": r.refused, "failures": r.failures,
                    "retry_at": retry.isoformat() if retry else None,
                    "started_at": r.started_at.isoformat() if r.started_at else None,
                    "sending_now": sending_now(r, now), "stopped_before_hand_over": r.stopped_before_hand_over(now)})
    return out


def _digest_shown_state(d: dict) -> str:
    """A recent digest's state as a person is told it (DIGEST_STATES' keys)."""
    state = d["status"]
    if d.get("stopped_before_hand_over"):
        return "stopped"
    if state == "sending" and not d.get("sending_now"):
        # its run stopped after handing the mail over (a kill, a power cut): nothing is sending it any more, and
        # "đang gửi" beside "có thể đã tới hộp thư" left the clerk waiting for a delivery that would never finish
        return "in-doubt"
    return state


def _digest_line(d: dict, tz) -> str:
    """A recent digest's line of `monitor status`."""
    state = _digest_shown_state(d)
    return (f"Điểm báo {_day(d['day'])}: {DIGEST_STATES.get(state, state)}"
            + (f" lúc {_local(d['sent_at'], tz)}" if d["sent_at"] else "")
            + _digest_state(d, tz) + (f" — {d['error']}" if d.get("error") else ""))


def _day(iso: str) -> str:
    """A digest's day as every other line writes a date (28/11/2026); the commands quoted keep --date ISO."""
    return f"{date.fromisoformat(iso):%d/%m/%Y}"


def _digest_state(d: dict, tz) -> str:
    """What a digest that did not simply go out is waiting for, in a few words."""
    if d["status"] == "failed":
        tries = f"lỗi {d['failures']} lần" if d.get("failures") else "lỗi"
        return (f" ({tries}, thử lại lúc {_local(d['retry_at'], tz)})" if d.get("retry_at")
                else f" ({tries}, đã thôi thử lại: quá hạn chót; gửi tay: monitor digest --date {d['day']} --send)")
    if d.get("stopped_before_hand_over"):  # nothing went out: sent again, by the service or by hand
        return (" (lần gửi bị ngắt trước khi thư được trao cho máy chủ thư, chưa có gì được gửi đi; "
                + (f"dịch vụ sẽ gửi lại lúc {_local(d['retry_at'], tz)})" if d.get("retry_at")
                   else f"gửi tay: monitor digest --date {d['day']} --send)"))
    if d.get("sending_now"):  # claimed minutes ago: a run (the service, a `digest --send`) is sending it now
        return f" (đang được gửi từ {_local(d['started_at'], tz)}: xem lại sau một phút)"
    if d["status"] in ("sending", "in-doubt"):
        return f" (có thể đã tới hộp thư: kiểm tra rồi mới gửi lại bằng monitor digest --date {d['day']} --send --resend)"
    return ""


def _awaiting_review(app, now) -> int:
    """Unlabelled articles of the last days the model hesitates over: what `monitor review` lists by default (one per
    event, from the same day), however long its list; a count of every doubtful reprint would name articles the queue
    never shows."""
    from monitor.cli.common import local_day_start
    from monitor.cli.review import review_start
    from monitor.review import review_candidates

    queue, _ = review_candidates(app.store, local_day_start(app, review_start(app)), now, limit=1_000_000)
    return len(queue)


def _sources(app, now) -> list[dict]:
    from monitor.review import RECENT_DAYS

    store = app.store
    out: list[dict] = []
    # an education section's feed whose share falls has changed (a redirect to the front page, a layout the
    # extractor misreads) or the model no longer reads it right
    shares = store.education_by_source(now - timedelta(days=RECENT_DAYS))
    for h in store.source_health(now, app.config.crawler.quiet_factor):
        out.append({"name": h.name, "outlet": h.outlet, "url": h.url, "health": h.health,
                    "last_success": h.last_success.isoformat() if h.last_success else None,
                    "last_error": h.last_error, "consecutive_failures": h.consecutive_failures,
                    "failure_score": h.failure_score, "next_due": h.next_due.isoformat() if h.next_due else None,
                    "items_24h": h.items_24h})
    # sources never crawled yet are listed from the configuration
    known = {s["name"] for s in out}
    out += [{"name": s.name, "outlet": s.outlet, "url": s.url, "health": "new" if s.enabled else "disabled",
             "last_success": None, "last_error": None, "items_24h": 0} for s in app.config.sources if s.name not in known]
    for s in out:
        if s["name"] in shares:
            s["classified_recently"] = {"days": RECENT_DAYS, **dict(zip(("articles", "education"), shares[s["name"]]))}
    return out


def _local(iso: str | None, tz) -> str:
    if not iso:
        return "—"
    return datetime.fromisoformat(iso).astimezone(tz).strftime("%d/%m %H:%M:%S")
