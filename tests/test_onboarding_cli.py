"""What a new office's IT person and clerk meet first (review of session 14, finding 10): a crawl with nothing
due, a source never polled, the Vietnamese words for tone and scope, a feed on a private address, the log's
clock. Real feeds on 127.0.0.1 (the recorded outlets' sample site)."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from types import SimpleNamespace

import yaml
from click.testing import CliRunner

from monitor.app import App
from monitor.cli import cli
from monitor.sample_site import sample_config
from test_service_support import add_articles, write_config


def run(cfg, *args):
    return CliRunner().invoke(cli, ["--config", str(cfg), *args])


def site_config(tmp_path, site, **crawler) -> str:
    path = tmp_path / "feeds.yaml"
    sample_config(site, tmp_path / "var", config_path=path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["crawler"].update(crawler)
    data["alerts"]["channels"] = []
    data["storage"]["models_dir"] = str(tmp_path / "models")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


def test_a_crawl_with_nothing_due_says_when_the_next_source_is_and_how_to_poll_now(tmp_path, site):
    cfg = site_config(tmp_path, site)
    first = run(cfg, "crawl", "--all")
    assert first.exit_code == 0, first.output
    again = run(cfg, "crawl")
    assert again.exit_code == 0, again.output
    assert "chưa nguồn nào đến hạn" in again.output and "monitor crawl --all" in again.output, again.output
    # nothing new: nothing classified, unless it says why (on a loaded machine a page the first run gave up on
    # waiting for may arrive now)
    (line,) = [x for x in again.output.splitlines() if x.startswith("phân loại")]
    assert line.startswith("phân loại 0 bài") or "bài vừa lấy được nội dung trang" in line \
        or "còn chờ phân loại từ trước" in line or "phân loại lại theo quy tắc/mô hình mới" in line, line


def test_classifying_more_than_the_new_articles_says_why():
    from monitor.cli.crawl import _why_classified

    # articles 11 and 12 were classified before by another version: the rules or models changed on disk
    store = SimpleNamespace(classified_by_another_version=lambda ids, version: {i for i in ids if i > 10})
    report = SimpleNamespace(new_article_ids=(), updated_article_ids=(7,))
    assert _why_classified(report, SimpleNamespace(article_ids=(7, 9), model_version="v2"), store) == \
        ": 1 bài vừa lấy được nội dung trang, 1 bài còn chờ phân loại từ trước"
    assert _why_classified(report, SimpleNamespace(article_ids=(7, 11, 12), model_version="v2"), store) == \
        ": 1 bài vừa lấy được nội dung trang, 2 bài phân loại lại theo quy tắc/mô hình mới (v2)"
    report = SimpleNamespace(new_article_ids=(1, 2), updated_article_ids=(1, 2))
    assert _why_classified(report, SimpleNamespace(article_ids=(1, 2), model_version="v2"), store) == ""  # only the new


def test_status_of_a_source_never_polled_does_not_read_as_last_ok(tmp_path, site):
    cfg = site_config(tmp_path, site)
    assert run(cfg, "init").exit_code == 0  # the database, as README's order has it; `status` makes none
    out = run(cfg, "status").output
    lines = [x for x in out.splitlines() if "vnexpress" in x.lower()]
    assert lines and all("chưa thu thập lần nào" in x and "lần cuối OK" not in x for x in lines), out


def test_label_and_articles_take_the_vietnamese_words_the_listings_show(tmp_path):
    cfg = write_config(tmp_path)
    app = App.from_path(cfg)
    violence, admissions, _ = add_articles(app)
    app.close()
    r = run(cfg, "label", str(violence), "--sentiment", "tiêu cực", "--scope", "Địa phương", "--json")
    assert r.exit_code == 0, r.output
    stored = json.loads(r.output)
    assert stored["sentiment"] == "negative" and stored["scope"] == "local"
    r = run(cfg, "label", str(admissions), "--sentiment", "trung tinh", "--scope", "toan quoc")  # typed without marks
    assert r.exit_code == 0 and "sắc thái trung tính; phạm vi toàn quốc" in r.output, r.output
    for word, scope in (("thành phố", "city"), ("nuoc ngoai", "foreign"), ("national", "national")):
        assert run(cfg, "articles", "--scope", word, "--json").exit_code == 0, word
    bad = run(cfg, "label", str(violence), "--sentiment", "giận dữ")
    assert bad.exit_code == 2 and "negative (tiêu cực)" in bad.output, bad.output


def test_a_feed_on_a_private_address_names_the_setting_in_the_crawl_and_in_config_check(tmp_path, site):
    cfg = site_config(tmp_path, site, allow_private_addresses=False)
    check = run(cfg, "config", "check")
    assert check.exit_code == 0, check.output
    assert "Cảnh báo: nguồn tin" in check.output and "127.0.0.1" in check.output
    assert "crawler.allow_private_addresses là false" in check.output
    crawl = run(cfg, "crawl", "--all")
    assert crawl.exit_code == 1
    assert "nằm trong mạng nội bộ" in crawl.output and "đặt crawler.allow_private_addresses: true" in crawl.output, \
        crawl.output
    (tmp_path / "ok").mkdir()
    allowed = site_config(tmp_path / "ok", site)
    assert "Cảnh báo: nguồn tin" not in run(allowed, "config", "check").output


def test_serve_logs_in_the_office_time_zone_with_its_offset(tmp_path):
    from zoneinfo import ZoneInfo

    from monitor.cli.service import OfficeTimeFormatter, _setup_logging

    record = logging.LogRecord("monitor.service", logging.INFO, __file__, 1, "digest ok", None, None)
    record.created = datetime(2026, 11, 26, 11, 0, 47, tzinfo=timezone.utc).timestamp()
    line = OfficeTimeFormatter("%(asctime)s %(message)s", ZoneInfo("Asia/Ho_Chi_Minh")).format(record)
    assert line == "2026-11-26 18:00:47+07:00 digest ok"
    log_file = tmp_path / "service.log"
    try:
        _setup_logging(str(log_file), verbose=False, tz=ZoneInfo("Asia/Ho_Chi_Minh"))
        logging.getLogger("monitor.service").info("một dòng")
    finally:
        logging.basicConfig(force=True, handlers=[logging.NullHandler()])
    assert "+07:00 INFO monitor.service: một dòng" in log_file.read_text(encoding="utf-8")
