"""Set-up and data commands: init, config check, export, backup."""

from __future__ import annotations

import json
import shutil
import sys
from importlib import resources
from pathlib import Path

import click

from monitor.cli import cli
from monitor.cli.common import get_app, local_day_end, local_day_start, parse_date
from monitor.config import load_config, unset_secrets
from monitor.errors import HINT_PREFIX, InputError


@cli.command()
@click.option("--force", is_flag=True, help="Ghi đè feeds.yaml đã có.")
@click.pass_context
def init(ctx: click.Context, force: bool) -> None:
    """Tạo tệp feeds.yaml ban đầu và cơ sở dữ liệu. Tệp feeds.yaml chỉ được ghi khi chưa có (hoặc với
    --force).

    \b
    Ví dụ:
      monitor init && monitor config check
    """
    path = Path(ctx.find_root().obj["config_path"])
    if not path.exists() or force:
        template = resources.files("monitor") / "templates" / "feeds.example.yaml"
        with resources.as_file(template) as src:
            shutil.copyfile(src, path)
        click.echo(f"Đã ghi {path} (đơn vị của kế hoạch năm 2022: Phòng GD&ĐT quận Long Biên); hãy sửa lại cho đơn vị của mình")
    app = get_app(ctx, creates_database=True)
    applied = app.store.migrate()
    click.echo(f"Cơ sở dữ liệu {app.config.storage.database} đã sẵn sàng ({len(app.store.applied_migrations())} bản "
               f"nâng cấp lược đồ{', ' + str(len(applied)) + ' bản mới' if applied else ''})")


WARNING_PREFIX = "Cảnh báo: "


def _alert_reach(cfg) -> str:
    """Which hot stories alert, for `config check`: by default every story, other provinces' and abroad too, which a
    Sở's deputy reading alerts on the phone may not expect (a review counted 6 of 17 alerts in a month elsewhere)."""
    a = cfg.alerts
    if not a.enabled:
        return "cảnh báo tức thời: tắt (alerts.enabled: false)"
    office = cfg.office
    reach = {"foreign": "ở mọi nơi, cả tỉnh, thành khác và nước ngoài",
             "national": "trong nước, cả tỉnh, thành khác (không gồm tin nước ngoài)",
             "city": f"trên địa bàn và trong {office.city_area}",
             "local": f"trên địa bàn ({office.area})"}[a.min_scope]
    if office.is_department and a.min_scope == "city":
        reach = f"trên địa bàn ({office.area})"
    wider = a.min_scope in ("foreign", "national")
    return (f"cảnh báo tức thời: sự việc nóng {reach} (alerts.min_scope: {a.min_scope})"
            + ("; chỉ nhận sự việc trên địa bàn: alerts.min_scope: local (sự việc nơi khác vẫn có hồ sơ và vẫn ở "
               "điểm báo)" if wider else ""))


@cli.group()
def config() -> None:
    """Kiểm tra cấu hình."""


@config.command("check")
@click.pass_context
def config_check(ctx: click.Context) -> None:
    """Kiểm tra feeds.yaml mà không chạy việc gì. Kiểm tra cả calendar.yaml của báo cáo tháng bên cạnh nó
    (nếu có); khi không hợp lệ, in mỗi lỗi một dòng và thoát với mã 2.

    \b
    Ví dụ:
      monitor --config feeds.yaml config check
    """
    cfg = load_config(ctx.find_root().obj["config_path"])
    rules_line, rules = _rules_line(cfg)
    enabled = sum(1 for s in cfg.sources if s.enabled)
    # what the clerk reads is Vietnamese (monitor/errors.py); key paths, files and values stay as written
    office = cfg.office
    kind = "Sở" if office.is_department else "Phòng"
    click.echo(f"{cfg.path}: hợp lệ — đơn vị «{office.short_name}», {len(cfg.sources)} nguồn tin ({enabled} đang bật), "
               f"{len(cfg.outlets)} cơ quan báo chí, {len(office.watchlist.all_names())} tên theo dõi (office.watchlist), "
               f"điểm báo chốt lúc {cfg.digest.cutoff} ({office.timezone}), SMTP: "
               f"{'đã cấu hình' if cfg.smtp.configured else 'chưa cấu hình (điểm báo ghi vào thư mục outbox)'}")
    # the proxy's URL never holds credentials (refused by the checks); only the variables' names are shown
    click.echo(f"kết nối của trình thu thập và webhook cảnh báo: {cfg.crawler.proxy_description()}")
    click.echo(_alert_reach(cfg))
    signer = " / ".join(office.report_signer) + (f", {office.signer_name}" if office.signer_name else "")
    click.echo(f"người ký báo cáo tháng: {signer}"
               f"{'' if office.signer else f' (mặc định của {kind}; đặt office.signer để đổi)'}")
    click.echo(f"Nơi nhận của báo cáo tháng: {'; '.join(office.report_recipients)}"
               f"{'' if office.recipients else f' (mặc định của {kind}; đặt office.recipients để đổi)'}")
    click.echo(f"https: {cfg.crawler.tls_description()}")
    click.echo(rules_line)
    from classifiers.scope import city_reading

    city_line, city_warning = city_reading(rules, office)
    click.echo(city_line)
    from monitor.forecast import SHIPPED_CALENDAR, calendar_path, load_calendar

    calendar = calendar_path(cfg.path)
    events = load_calendar(calendar)
    click.echo(f"lịch dự báo của báo cáo tháng: {len(events)} sự kiện từ {calendar}"
               f"{' (lịch đi kèm; chép thành calendar.yaml bên cạnh feeds.yaml để sửa)' if calendar == SHIPPED_CALENDAR else ''}")
    if city_warning:
        click.echo(f"{WARNING_PREFIX}{city_warning}")
    for name, what in unset_secrets(cfg):
        click.echo(f"{WARNING_PREFIX}biến môi trường {name} chưa được đặt ở môi trường này ({what}); export {name}=... "
                   "ở nơi monitor chạy" + ("; nếu máy chủ thư nhận thư không cần đăng nhập, xóa smtp.username_env và "
                                          "smtp.password_env khỏi feeds.yaml" if name in (cfg.smtp.username_env, cfg.smtp.password_env) else ""))
    for source, host in _private_sources(cfg):
        click.echo(f"{WARNING_PREFIX}nguồn tin '{source}' ở {host}, một địa chỉ nội bộ hoặc loopback, trong khi "
                   "crawler.allow_private_addresses là false: mọi lần thu thập nguồn này sẽ bị từ chối; đặt "
                   "crawler.allow_private_addresses: true nếu nguồn tin thật sự ở trong mạng của đơn vị hoặc trên máy này")
    from monitor.setup_warnings import setup_warnings

    echo_setup_warnings(setup_warnings(cfg, rules))


def echo_setup_warnings(warnings) -> None:
    """Each warning as the CLI prints an error: the warning, then what to do on the next line."""
    for w in warnings:
        click.echo(f"{WARNING_PREFIX}{w.message}")
        click.echo(f"{HINT_PREFIX}{w.fix}")


def _rules_line(cfg):
    """The topic rules in force, read as every crawl will read them: an office's edited copy (storage.rules_file)
    that is not valid, or whose topic and hot-group ids the trained models were not built for, is an error here
    (exit 2), not at the next crawl. Only the models' metadata is read, not their weights. Returns the line and the
    rules."""
    import json

    from classifiers.classify import find_bundle
    from classifiers.model import rules_mismatch
    from classifiers.rules import load_rules

    path = cfg.storage.rules_file
    rules = load_rules(path)  # InputError naming each problem (exit 2)
    where = f"{path} (storage.rules_file)" if path else "classifiers/topics.yaml đi kèm"
    bundle = find_bundle(cfg.storage.models_dir)
    if bundle is not None:
        try:
            meta = json.loads((bundle / "metadata.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = None  # the crawl reports an unreadable bundle itself (ModelError, exit 3)
        mismatch = rules_mismatch(meta, rules) if meta is not None else None
        if mismatch:
            raise InputError(f"storage.rules_file: {path} không khớp với các mô hình đã huấn luyện trong {bundle} "
                             f"({mismatch}); mọi lần thu thập sẽ không phân loại được bài",
                             hint="giữ nguyên các mã chủ đề và mã nhóm tin nóng của classifiers/topics.yaml (có thể đổi "
                                  "từ khóa, trọng số và loại trừ), hoặc huấn luyện lại mô hình bằng `monitor train`; "
                                  "`monitor rules test` cho thấy một thay đổi ảnh hưởng thế nào")
        if meta is not None and meta.get("rules_sha256") not in (None, rules.sha256):
            where += ", đã sửa sau khi huấn luyện mô hình (`monitor rules test` cho thấy thay đổi đó ảnh hưởng thế nào)"
    return f"quy tắc chủ đề: {where}, {len(rules.topic_ids)} chủ đề, {len(rules.hot_ids)} nhóm tin nóng", rules


def _private_sources(cfg) -> list[tuple[str, str]]:
    """(source, host) for each enabled source whose URL names a non-public address outright (127.0.0.1, 10.x,
    localhost), which the crawler refuses while crawler.allow_private_addresses is false. A host name is not
    looked up here (config check runs offline); the crawl refuses it the same way if it resolves to one."""
    if cfg.crawler.allow_private_addresses:
        return []
    import ipaddress
    from urllib.parse import urlsplit

    from monitor.fetch import address_refused

    out = []
    for s in cfg.sources:
        host = (urlsplit(s.url).hostname or "").lower()
        if not s.enabled or not host:
            continue
        try:
            refused = host == "localhost" or host.endswith(".localhost") or address_refused(ipaddress.ip_address(host))
        except ValueError:  # a name, not an address
            continue
        if refused:
            out.append((s.name, host))
    return out


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True,
              help="Định dạng đầu ra.")
@click.option("--since", help="Ngày đầu (DD/MM/YYYY hoặc YYYY-MM-DD, theo múi giờ của cơ quan), tính cả ngày này.")
@click.option("--until", help="Ngày cuối (DD/MM/YYYY hoặc YYYY-MM-DD), tính cả ngày này.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Ghi vào tệp này thay vì đầu ra chuẩn (stdout).")
@click.pass_context
def export(ctx: click.Context, fmt: str, since: str | None, until: str | None, output: str | None) -> None:
    """Xuất các bài đã lưu kèm kết quả phân loại hiện tại. Mỗi dòng một đối tượng JSON.

    Mỗi dòng có id, url, outlet, title, sapo, body, author, published và first_seen (giờ của cơ quan, như
    `monitor search --json`), sources, rồi classification: kết quả phân loại như điểm báo, báo cáo, `monitor
    articles` và `search` đọc, tức là đã theo nhãn của cán bộ (`monitor label`) nếu có; corrected_by: người gắn
    nhãn đó (null khi bài chưa được sửa); model_classification: kết quả của chính mô hình, trước khi theo nhãn.
    classification và model_classification có các trường như một dòng của `monitor classify` (null khi bài chưa
    được phân loại).

    \b
    Ví dụ:
      monitor export --format jsonl --since 2026-11-01 --until 2026-11-30 > november.jsonl
    """
    app = get_app(ctx, reads_only=True)
    d_since, d_until = parse_date(since, "--since"), parse_date(until, "--until")
    if d_since and d_until and d_until < d_since:
        raise InputError("--until đứng trước --since; đổi chỗ hai ngày")
    start = local_day_start(app, d_since) if d_since else None
    end = local_day_end(app, d_until) if d_until else None
    store = app.store
    tz = app.config.office.tz
    out = open(output, "w", encoding="utf-8") if output else sys.stdout
    n = 0
    try:
        batch = []
        for article in store.articles_between(start, end):
            batch.append(article)
            if len(batch) >= 500:
                n += _write_batch(out, store, batch, tz)
                batch = []
        n += _write_batch(out, store, batch, tz)
    finally:
        if output:
            out.close()
    click.echo(f"đã xuất {n} bài", err=True)


@cli.command()
@click.option("--out", "out_file", required=True, type=click.Path(dir_okay=False),
              help="Tệp sao lưu cần ghi (một cơ sở dữ liệu SQLite, ví dụ "
                   "/backup/monitor-2026-11-28.sqlite3).")
@click.option("--force", is_flag=True, help="Ghi đè tệp đó nếu đã có.")
@click.pass_context
def backup(ctx: click.Context, out_file: str, force: bool) -> None:
    """Ghi bản sao lưu nhất quán của cơ sở dữ liệu. Bản sao được kiểm tra trước khi giữ; lệnh chạy được cả
    khi `monitor serve` đang chạy.

    Bản sao là cơ sở dữ liệu tại một thời điểm (theo cách sao lưu trực tuyến của SQLite), được kiểm tra (PRAGMA
    quick_check) trước khi giữ lại. Bản sao chứa mọi thứ đã thu thập và những gì đã gửi đi, nên khi khôi phục
    từ bản sao, không gì đã gửi trước lúc sao lưu bị gửi lại. Cách khôi phục: dừng `monitor serve`, đặt tệp
    về lại storage.data_dir/storage.database (xóa các tệp -wal và -shm của tệp đó), rồi chạy lại. Các bản
    điểm báo và báo cáo đã ghi vào thư mục outbox là những tệp riêng: hãy sao chép cả thư mục đó.

    \b
    Ví dụ:
      monitor backup --out /mnt/sao-luu/monitor-$(date +%F).sqlite3
    """
    from monitor.digest import megabytes

    app = get_app(ctx, reads_only=True)
    result = app.store.backup(out_file, overwrite=force)
    click.echo(f"Đã ghi bản sao lưu {result['path']}: {megabytes(result['bytes'])}, {result['articles']} bài, "
               f"{result['cases']} hồ sơ, lược đồ {result['migration']}; bản sao đã qua bước kiểm tra (PRAGMA quick_check)")
    outbox = app.config.storage.data_dir / app.config.digest.outbox_dir
    files = [p for p in outbox.rglob("*") if p.is_file()] if outbox.is_dir() else []
    if files:
        size = sum(p.stat().st_size for p in files)
        click.echo(f"Không có trong bản sao lưu: thư mục outbox {outbox} ({len(files)} tệp, {megabytes(size)}: các "
                   f"bản điểm báo và báo cáo đã ghi ra); hãy sao chép cả thư mục này, ví dụ cp -a {outbox} "
                   f"{Path(result['path']).parent}/")


def _write_batch(out, store, articles, tz) -> int:
    """The articles as JSON lines: each read as every other listing reads it (the analysts' labels over the model's
    call, monitor.corrections), with who corrected it and the model's own call beside."""
    from monitor.corrections import apply_corrections, labels_of

    model = store.classifications_for([a.id for a in articles], evidence=False)  # the contract holds no evidence
    labels = labels_of(store, model) if model else {}
    shown = apply_corrections(model, labels)
    for a in articles:
        c, label = shown.get(a.id), labels.get(a.id)
        row = {
            "id": a.id, "url": a.url, "outlet": a.outlet, "title": a.title, "sapo": a.sapo, "body": a.body,
            "author": a.author, "published": _office_time(a.published, tz), "first_seen": _office_time(a.first_seen, tz),
            "sources": list(store.article_sources(a.id)),
            "classification": _contract(c, a.id),
            "corrected_by": label.get("labelled_by") if label and c is not model.get(a.id) else None,
            "model_classification": _contract(model.get(a.id), a.id),
        }
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(articles)


def _contract(c, article_id: int) -> dict | None:
    return c.to_contract() | {"id": article_id} if c else None  # stored as text; one id type: the article's


def _office_time(when, tz) -> str | None:
    return when.astimezone(tz).isoformat(timespec="seconds") if when else None


@cli.command()
@click.option("--out", "out_dir", default="demo-output", show_default=True, type=click.Path(file_okay=False),
              help="Thư mục chứa cơ sở dữ liệu, bản sao tệp cấu hình và điểm báo của lần chạy thử.")
@click.pass_context
def demo(ctx: click.Context, out_dir: str) -> None:
    """Chạy thử toàn bộ quy trình, không cần mạng. Dùng tin mẫu đi kèm và ghi điểm báo của ngày mẫu.

    Một trang tin mẫu trên 127.0.0.1 cung cấp các tin tiếng Việt tự soạn, đúng dạng nguồn tin và trang bài của
    các báo thật; lệnh thu thập các tin đó vào một tệp SQLite mới, phân loại, gom bài thành sự việc, đánh dấu
    vấn đề nóng, diễn lại một buổi sáng làm việc của cán bộ (một vấn đề nóng nhập từ nguồn ngoài báo chí, những
    việc đã làm với các hồ sơ), rồi ghi điểm báo của ngày (HTML, văn bản, Markdown, DOCX) và báo cáo tháng tính
    đến ngày đó (DOCX, HTML). Lần chạy thử đóng vai cơ quan khai báo trong --config (tên cơ quan trên đầu văn
    bản, địa bàn, người ký, giờ chốt và các mức cảnh báo), với các báo đi kèm, vì trang mẫu có đúng bố cục trang
    bài của các báo này.

    \b
    Ví dụ:
      monitor demo --out demo-output && xdg-open demo-output/digest/*.html
    """
    from monitor.demo import run_demo

    config_path = Path(ctx.find_root().obj["config_path"])
    result = run_demo(Path(out_dir), base_config=config_path if config_path.is_file() else None, echo=click.echo)
    click.echo("")
    # the clipping's and the report's words: "tin, bài"
    click.echo(f"Đã thu thập {result.articles} tin, bài ({result.education} tin, bài về giáo dục). Điểm báo ngày "
               f"{result.day:%d/%m/%Y} (24 giờ trước giờ chốt): {result.digest_education} tin, bài về giáo dục, "
               f"{result.hot_stories} vấn đề nóng.")
    for fmt, path in sorted(result.digest_paths.items()):
        click.echo(f"  {fmt:5} {path}")
    if result.report_paths:
        click.echo(f"Báo cáo tháng {result.day:%m/%Y} (đến nay, gồm các hồ sơ xử lý của lần chạy thử):")
        for fmt, path in sorted(result.report_paths.items()):
            click.echo(f"  {fmt:5} {path}")
    click.echo(f"cơ sở dữ liệu: {result.database}")
    click.echo(f"thử: monitor --config {result.config_path} articles --date {result.day.isoformat()}")
    click.echo(f"     monitor --config {result.config_path} review        # những bài mô hình phân vân nhất")
    click.echo(f"     monitor --config {result.config_path} cases list    # hồ sơ các vấn đề nóng và việc đã làm")
