"""The SQLite store on a real file: migrations, one article per URL, classifications per version, labels."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from classifiers.types import Classification
from monitor.errors import StoreError
from monitor.models import ExtractedPage, FeedEntry
from monitor.store import Store
from monitor.store.base import migration_files

T0 = datetime(2026, 11, 25, 1, 0, tzinfo=timezone.utc)


def entry(url="https://vnexpress.net/a-1.html", source="vnexpress-giao-duc", guid="g1", **kw):
    return FeedEntry(source=source, url=url, guid=guid, title=kw.pop("title", "Tiêu đề"), sapo="Sa pô", **kw)


def classification(version="v1", topics=("tuyen-sinh",), hot=False):
    return Classification(id="1", is_education=True, relevance=0.9, topics=topics, topic_scores={t: 0.8 for t in topics},
                          sentiment="neutral", hot=hot, hot_score=0.1, scope="national", reasons=("r",), model_version=version)


def test_migrations_are_recorded_and_idempotent(tmp_path):
    path = tmp_path / "m.sqlite3"
    with Store(path) as s:
        names = s.applied_migrations()
        assert names == [n for n, _ in migration_files()]
        assert s.migrate() == []
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_command_that_upgrades_the_database_says_so_on_standard_error(tmp_path, monkeypatch):
    """The analyst's upgrade (0061 → 0079, 8 s) said nothing. A command that upgrades a database made by an earlier
    version says so once, on standard error (its --json output stays clean); a new database is not an upgrade."""
    import json

    from click.testing import CliRunner

    from monitor.cli import cli
    from test_service_support import write_config

    cfg = write_config(tmp_path)
    shipped = migration_files()
    with monkeypatch.context() as m:  # the database as the release before the last two migrations made it
        m.setattr("monitor.store.base.migration_files", lambda: shipped[:-2])
        res = CliRunner().invoke(cli, ["--config", str(cfg), "init"])
        assert res.exit_code == 0, res.output
    assert "nâng cấp cơ sở dữ liệu" not in res.output.lower()
    res = CliRunner().invoke(cli, ["--config", str(cfg), "articles", "--json"])
    assert res.exit_code == 0, res.output
    json.loads(res.stdout)
    (line,) = res.stderr.splitlines()
    assert line.startswith(f"Đã nâng cấp cơ sở dữ liệu {tmp_path / 'var' / 'monitor.sqlite3'}: lược đồ "
                           f"{shipped[-3][0][:4]} → {shipped[-1][0][:4]} (2 bản nâng cấp)"), line
    res = CliRunner().invoke(cli, ["--config", str(cfg), "articles", "--json"])
    assert res.exit_code == 0 and res.stderr == "", res.output


def test_a_database_from_a_newer_monitor_is_refused_not_used(tmp_path):
    path = tmp_path / "m.sqlite3"
    Store(path).close()
    con = sqlite3.connect(path)
    con.execute("INSERT INTO schema_migrations(name, applied_at) VALUES ('9999_from_the_future.sql', '2030-01-01')")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="do một phiên bản monitor mới hơn tạo ra") as info:
        Store(path)
    assert "9999_from_the_future.sql" in str(info.value) and "nâng cấp bản cài đặt" in info.value.hint


def test_a_migration_that_fails_names_itself_and_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "monitor.sqlite3"
    Store(path).close()
    shipped = migration_files()
    monkeypatch.setattr("monitor.store.base.migration_files",
                        lambda: shipped + [("9999_broken.sql", "CREATE TABLE articles (x INTEGER);")])
    with pytest.raises(StoreError) as err:
        Store(path)
    assert "9999_broken.sql" in str(err.value) and str(path) in str(err.value), str(err.value)
    assert "bản nâng cấp lược đồ" in str(err.value) and "giữ nguyên" in err.value.hint and err.value.exit_code == 3
    monkeypatch.undo()
    with Store(path) as s:
        assert "9999_broken.sql" not in s.applied_migrations()


def test_one_article_per_url_every_feed_recorded(tmp_path):
    with Store(tmp_path / "s.sqlite3") as s:
        a1, new1 = s.add_feed_entry(entry(), "VnExpress", T0)
        a2, new2 = s.add_feed_entry(entry(source="vnexpress-tin-moi", guid="other"), "VnExpress", T0 + timedelta(minutes=5))
        assert new1 and not new2 and a1 == a2
        assert s.article_sources(a1) == ("vnexpress-giao-duc", "vnexpress-tin-moi")
        assert s.count_articles() == 1


def test_changed_link_with_same_guid_maps_to_the_same_article(tmp_path):
    with Store(tmp_path / "s.sqlite3") as s:
        a1, _ = s.add_feed_entry(entry(url="https://x.vn/a.html", guid="stable-42"), "X", T0)
        a2, new = s.add_feed_entry(entry(url="https://x.vn/a-updated.html", guid="stable-42"), "X", T0)
        assert a1 == a2 and not new


def test_a_guid_shared_by_different_links_drops_no_article(tmp_path):
    # a CMS that gives every item of its feed the same GUID: each link is its own article
    with Store(tmp_path / "s.sqlite3") as s:
        got = s.add_feed_entries([entry(url="https://x.vn/khai-giang.html", guid="12345", title="Trường A khai giảng"),
                                  entry(url="https://x.vn/diem-chuan.html", guid="12345", title="Sở công bố điểm chuẩn")],
                                 "X", T0)
        assert [new for _, new in got] == [True, True] and got[0][0] != got[1][0]
        # a later feed with a third link under that GUID: the GUID names two articles, so it names none
        a3, new3 = s.add_feed_entry(entry(url="https://x.vn/hoc-phi.html", guid="12345"), "X", T0 + timedelta(hours=1))
        assert new3 and s.count_articles() == 3


def test_a_database_locked_by_another_writer_is_a_store_error_naming_the_file(tmp_path, monkeypatch):
    import monitor.store.base as base

    monkeypatch.setattr(base, "BUSY_TIMEOUT_SECONDS", 0.2, raising=False)  # not half a minute in a test
    path = tmp_path / "s.sqlite3"
    with Store(path) as s:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # e.g. a long reclassify or a backup tool
        try:
            with pytest.raises(StoreError, match="đang bị một tiến trình khác khóa") as err:
                s.add_feed_entry(entry(), "VnExpress", T0)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert str(path) in str(err.value) and err.value.exit_code == 3 and "chạy lại lệnh này" in err.value.hint
        assert s.add_feed_entry(entry(), "VnExpress", T0)[1]  # nothing half-written; works once the lock is gone


def _copy_with_wal(tmp_path):
    """A database copied with its -wal and -shm beside it, as a backup or a move of a live data dir leaves it."""
    import shutil

    src, dst = tmp_path / "src", tmp_path / "ro"
    dst.mkdir()
    with Store(src / "monitor.sqlite3") as live:
        live.add_feed_entry(entry(), "VnExpress", T0)
        files = sorted(src.glob("monitor.sqlite3*"))
        assert [f.name for f in files] == ["monitor.sqlite3", "monitor.sqlite3-shm", "monitor.sqlite3-wal"]
        for f in files:
            shutil.copy2(f, dst / f.name)
    return dst / "monitor.sqlite3"


def _assert_read_only_error(err, path):
    assert isinstance(err, StoreError) and err.exit_code == 3
    assert str(path) in str(err) and "không ghi được vào cơ sở dữ liệu" in str(err)
    assert str(path.parent) in err.hint and "quyền ghi" in err.hint and "-wal" in err.hint


def test_a_read_only_folder_with_wal_files_beside_the_database_is_a_store_error(tmp_path):
    """The reviewer's read-only mount: reads work, the first write said "internal error: OperationalError:
    attempt to write a readonly database" (exit 4); it is the environment, so a StoreError naming the file."""
    path = _copy_with_wal(tmp_path)
    for f in path.parent.iterdir():
        f.chmod(0o444)
    path.parent.chmod(0o555)
    try:
        probe = path.parent / "probe"
        try:
            probe.touch(exist_ok=False)
        except PermissionError:
            pass
        else:  # root (or CAP_DAC_OVERRIDE) writes through any mode bits
            probe.unlink()
            pytest.skip("running as root: chmod does not stop this user writing, so the folder is not read-only "
                        "(test_a_database_sqlite_opened_read_only_... covers the error)")
        with Store(path) as s:
            assert s.count_articles() == 1  # reading still works
            with pytest.raises(StoreError) as err:
                s.add_feed_entry(entry(url="https://vnexpress.net/b-2.html", guid="g2"), "VnExpress", T0)
            _assert_read_only_error(err.value, path)
    finally:
        path.parent.chmod(0o755)


def test_a_database_sqlite_opened_read_only_is_a_store_error_naming_the_file(tmp_path):
    # what SQLite does by itself when it cannot open the file for writing (a read-only folder or mount, files
    # owned by another user), made explicit so it holds as root too: a connection opened with mode=ro
    path = _copy_with_wal(tmp_path)
    with Store(path) as s:
        s.db.close()
        s.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
        s.db.row_factory = sqlite3.Row
        assert s.count_articles() == 1
        with pytest.raises(StoreError) as err:  # a write inside a transaction (the crawl's sync_sources was one)
            s.add_feed_entry(entry(url="https://vnexpress.net/b-2.html", guid="g2"), "VnExpress", T0)
        _assert_read_only_error(err.value, path)
        with pytest.raises(StoreError) as err:  # a single statement
            s.unpin_model_versions()
        _assert_read_only_error(err.value, path)
        assert not s.db.in_transaction


def test_a_full_disk_is_a_store_error_and_loses_nothing_stored(tmp_path):
    path = tmp_path / "s.sqlite3"
    with Store(path) as s:
        s.add_feed_entry(entry(), "VnExpress", T0)
        pages = s.db.execute("PRAGMA page_count").fetchone()[0]
        s.db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full: no page more
        big = entry(url="https://vnexpress.net/b-2.html", guid="g2", title="Tiêu đề " * 20_000)
        with pytest.raises(StoreError) as err:
            s.add_feed_entry(big, "VnExpress", T0)
        assert str(path) in str(err.value) and "đã đầy" in str(err.value) and err.value.exit_code == 3
        assert "giải phóng dung lượng" in err.value.hint and str(tmp_path) in err.value.hint
        assert not s.db.in_transaction and s.count_articles() == 1
        s.db.execute("PRAGMA max_page_count = 1073741823")  # space freed: the same write goes through
        assert s.add_feed_entry(big, "VnExpress", T0)[1] and s.count_articles() == 2


def test_a_file_that_is_not_a_database_is_a_store_error_saying_so(tmp_path):
    path = tmp_path / "monitor.sqlite3"
    path.write_bytes(b"PK\x03\x04 this is a zip file, not the monitor's database " * 200)
    with pytest.raises(StoreError) as err:
        Store(path)
    assert str(path) in str(err.value) and "không phải cơ sở dữ liệu SQLite" in str(err.value) and err.value.exit_code == 3
    assert "bản sao lưu" in err.value.hint and "storage.database" in err.value.hint


@pytest.mark.parametrize("exc, words", [
    (sqlite3.OperationalError("disk I/O error"), ("lỗi đọc/ghi đĩa (disk I/O) trên cơ sở dữ liệu", "dmesg")),
    (sqlite3.DatabaseError("database disk image is malformed"), ("bị hỏng", "bản sao lưu")),
    (sqlite3.OperationalError("database or disk is full"), ("đã đầy", "giải phóng dung lượng")),
    (sqlite3.OperationalError("attempt to write a readonly database"), ("không ghi được vào cơ sở dữ liệu", "quyền ghi")),
    (sqlite3.OperationalError("database is locked"), ("đang bị một tiến trình khác khóa", "chạy lại lệnh này")),
])
def test_each_environment_failure_of_sqlite_has_its_own_message_and_hint(tmp_path, exc, words):
    from monitor.store.base import store_error

    path = tmp_path / "monitor.sqlite3"
    err = store_error(path, exc)
    assert isinstance(err, StoreError) and str(path) in str(err) and words[0] in str(err) and words[1] in err.hint
    # a bug (a constraint, a bad statement) is not dressed up as the environment's fault
    assert store_error(path, sqlite3.IntegrityError("UNIQUE constraint failed: articles.url")) is None
    assert store_error(path, sqlite3.OperationalError("no such table: nope")) is None


def test_http_https_and_www_variants_are_one_article_fetched_as_first_seen(tmp_path):
    with Store(tmp_path / "s.sqlite3") as s:
        a1, new1 = s.add_feed_entry(entry(url="http://www.baomau.vn/giao-duc/thi-lop-10-123.html", guid="a"), "B", T0)
        a2, new2 = s.add_feed_entry(entry(url="https://baomau.vn/giao-duc/thi-lop-10-123.html", source="khac", guid="b"),
                                    "B", T0)
        a3, new3 = s.add_feed_entry(entry(url="https://www.baomau.vn/giao-duc/thi-lop-10-123.html", source="ba", guid="c"),
                                    "B", T0)
        assert new1 and not new2 and not new3 and a1 == a2 == a3 and s.count_articles() == 1
        assert s.get_article(a1).url == "http://www.baomau.vn/giao-duc/thi-lop-10-123.html"  # what we fetch stays as given
        # another path, or another site, is another article
        assert s.add_feed_entry(entry(url="https://baomau.vn/giao-duc/thi-lop-10-124.html", guid="d"), "B", T0)[1]
        assert s.add_feed_entry(entry(url="https://baokhac.vn/giao-duc/thi-lop-10-123.html", guid="e"), "B", T0)[1]


def test_page_text_and_raw_html_kept(tmp_path):
    with Store(tmp_path / "s.sqlite3") as s:
        aid, _ = s.add_feed_entry(entry(published=None, published_flag="missing"), "VnExpress", T0)
        page = ExtractedPage(title="Tiêu đề trang", sapo="", body="Thân bài.", published=T0 - timedelta(hours=2), method="selectors")
        s.save_page(aid, page, "<html>trang</html>".encode(), "utf-8", T0)
        a = s.get_article(aid)
        assert a.title == "Tiêu đề trang" and a.sapo == "Sa pô" and a.body == "Thân bài." and a.page_status == "ok"
        assert a.published == T0 - timedelta(hours=2)  # the page's date replaces a missing feed date
        assert s.raw_html(aid)[0].decode() == "<html>trang</html>"


def test_failed_page_keeps_feed_text_and_is_retried(tmp_path):
    with Store(tmp_path / "s.sqlite3") as s:
        aid, _ = s.add_feed_entry(entry(), "VnExpress", T0)
        s.page_failed(aid, "HTTP 500", T0 + timedelta(minutes=10))
        assert [r["id"] for r in s.pages_due(T0 + timedelta(minutes=11))] == [aid]
        assert s.pages_due(T0 + timedelta(minutes=5)) == []
        assert s.get_article(aid).title == "Tiêu đề"


def test_classifications_kept_per_version_and_pinning(tmp_path):
    with Store(tmp_path / "s.sqlite3") as s:
        aid, _ = s.add_feed_entry(entry(), "VnExpress", T0)
        s.register_model_version("v1", T0)
        s.save_classifications([(aid, classification("v1"))], T0)
        s.register_model_version("v2", T0)
        s.save_classifications([(aid, classification("v2", topics=("doi-ngu",), hot=True))], T0)
        assert s.active_model_version() == "v2"
        assert s.classification(aid).topics == ("doi-ngu",)
        assert s.classification(aid, "v1").topics == ("tuyen-sinh",)
        s.pin_model_version("v1")
        s.register_model_version("v3", T0)  # a pinned rollback survives a new version appearing
        assert s.active_model_version() == "v1"


def test_page_text_stored_after_classification_is_classified_again(tmp_path):
    # classified on the feed's text; the page arrives later and the process dies before classifying it:
    # the need must live in the database, not in the dead process's list of changed articles
    with Store(tmp_path / "s.sqlite3") as s:
        aid, _ = s.add_feed_entry(entry(), "VnExpress", T0)
        s.register_model_version("v1", T0)
        s.save_classifications([(aid, classification("v1"))], T0)
        assert s.article_ids_needing_classification("v1") == []
        page = ExtractedPage(title="Tiêu đề trang", body="Thân bài dài.", method="selectors")
        s.save_page(aid, page, b"<html></html>", "utf-8", T0 + timedelta(minutes=20, microseconds=500))
        assert s.article_ids_needing_classification("v1") == [aid]
        s.save_classifications([(aid, classification("v1"))], T0 + timedelta(minutes=21))
        assert s.article_ids_needing_classification("v1") == []
        # a page stored within the same second as a classification of the older text still counts as newer
        s.save_page(aid, page, b"<html></html>", "utf-8", T0 + timedelta(minutes=21, microseconds=300))
        assert s.article_ids_needing_classification("v1") == [aid]
        # and a classification made after the page within the same second is current: not classified again at the
        # next run (every page saved in the second before its run's classification was, each poll)
        s.save_classifications([(aid, classification("v1"))], T0 + timedelta(minutes=21, microseconds=900))
        assert s.article_ids_needing_classification("v1") == []
        # the two times to the microsecond are UTC like every other: a naive one (the machine's zone, read silently
        # as UTC+7 or UTC) is refused as utc_iso refuses it, not stored hours off and compared with the page's
        naive = (T0 + timedelta(minutes=22)).replace(tzinfo=None)
        with pytest.raises(ValueError, match="naive datetime"):
            s.save_classifications([(aid, classification("v1"))], naive)
        with pytest.raises(ValueError, match="naive datetime"):
            s.save_page(aid, page, b"<html></html>", "utf-8", naive)


def test_labels_merge_field_by_field(tmp_path):
    with Store(tmp_path / "s.sqlite3") as s:
        aid, _ = s.add_feed_entry(entry(), "VnExpress", T0)
        s.add_label(aid, by="lan", at=T0, topics=["tuyen-sinh"], sentiment="neutral")
        s.add_label(aid, by="minh", at=T0 + timedelta(hours=1), hot=True)
        [merged] = s.labels()
        assert merged["topics"] == ["tuyen-sinh"] and merged["hot"] is True and merged["labelled_by"] == "minh"


def test_search_index_over_folded_text(tmp_path):
    with Store(tmp_path / "s.sqlite3") as s:
        aid, _ = s.add_feed_entry(entry(), "VnExpress", T0)
        s.index_articles([(aid, "bao luc hoc duong o truong thcs", "", "")])
        assert [i for i, _ in s.search_ids('"bao luc hoc duong"')] == [aid]
        assert s.search_ids('"hoc phi"') == []


def test_current_view_falls_back_to_the_newest_classification(tmp_path):
    with Store(tmp_path / "s.sqlite3") as s:
        old, _ = s.add_feed_entry(entry(), "VnExpress", T0)
        new, _ = s.add_feed_entry(entry(url="https://vnexpress.net/b-2.html", guid="g2"), "VnExpress", T0)
        s.register_model_version("v1", T0)
        s.save_classifications([(old, classification("v1"))], T0)
        s.register_model_version("v2", T0)
        s.save_classifications([(old, classification("v2")), (new, classification("v2", topics=("doi-ngu",)))], T0)
        s.pin_model_version("v1")  # a rollback: v1 never saw the newer article
        current = s.classifications_for([old, new])
        assert current[old].model_version == "v1" and current[new].model_version == "v2"
        assert new not in s.classifications_for([old, new], "v1")  # an explicit version is exact


def test_upgrading_cancels_the_waiting_alerts_of_cases_dismissed_before(tmp_path):
    """Dismissing a case now cancels its story's waiting alerts; a database upgraded from before that rule has
    its old ones cancelled by the migration, once."""
    path = tmp_path / "m.sqlite3"
    Store(path).close()
    con = sqlite3.connect(path)
    # back to the schema before 0060, with a dismissed case whose alert still waits, and an open one
    for column in ("refused", "in_doubt"):
        con.execute(f"ALTER TABLE alert_deliveries DROP COLUMN {column}")
    for table in ("digests", "digest_deliveries"):
        con.execute(f"ALTER TABLE {table} DROP COLUMN refused")
    con.execute("DELETE FROM schema_migrations WHERE name LIKE '0060%'")
    for story, status in ((1, "cảnh báo nhầm"), (2, "mới")):
        con.execute("INSERT INTO stories(id, created_at) VALUES (?, '2026-11-20T00:00:00+00:00')", (story,))
        con.execute("INSERT INTO cases(story_id, status, opened_at, updated_at) VALUES (?, ?, 'x', 'x')", (story, status))
        con.execute("INSERT INTO alerts(id, story_id, kind, severity, hot_score, created_at, subject, body, payload)"
                    " VALUES (?, ?, 'new', 'cao', 70, 'x', 's', 'b', '{}')", (story, story))
        con.execute("INSERT INTO alert_deliveries(alert_id, channel, not_before, next_attempt_at) VALUES (?, 'email', 'x', 'x')",
                    (story,))
    con.commit()
    con.close()
    with Store(path) as s:
        status = dict(s.execute("SELECT alert_id, status FROM alert_deliveries").fetchall())
    assert status == {1: "cancelled", 2: "pending"}


def test_control_characters_from_a_feed_are_not_stored_and_old_ones_are_removed_on_upgrade(tmp_path):
    """ESC [2J in a title clears the screen of whoever lists it; ESC ] 8 hides a link. Feeds and pages are
    cleaned when collected, and text stored before that rule loses them when the database is upgraded."""
    from monitor.feeds import clean_text

    hostile = "Học sinh\x1b[2J được\x07 khen\x1b]8;;http://evil.example/\x1b\\ thưởng\x9b31m\tnăm\x00 học\x0e"
    assert clean_text(hostile) == "Học sinh được khen thưởng năm học"  # whole sequences go, not only ESC
    path = tmp_path / "m.sqlite3"
    with Store(path) as s:
        aid, _ = s.add_feed_entry(entry(title=clean_text(hostile)), "VnExpress", T0)
        assert "\x1b" not in s.get_article(aid).title
        s.execute("UPDATE articles SET title = ?, body = ? WHERE id = ?", (hostile, "Đoạn một\x1b[1;31m\n\nĐoạn hai", aid))
        s.execute("DELETE FROM schema_migrations WHERE name LIKE '0064%'")  # as if stored by an earlier version
    with Store(path) as s:
        a = s.get_article(aid)
    assert a.title == "Học sinh được khen thưởng\tnăm học"  # the collection's rule (its whitespace left as stored)
    assert a.body == "Đoạn một\n\nĐoạn hai"  # paragraphs kept


def test_a_new_database_is_not_readable_by_other_local_users(tmp_path):
    import os
    import stat

    path = tmp_path / "var" / "monitor.sqlite3"
    with Store(path) as s:
        s.add_feed_entry(entry(), "VnExpress", T0)
    for p in (path, path.with_name(path.name + "-wal")):
        if p.exists():
            assert stat.S_IMODE(os.stat(p).st_mode) & 0o007 == 0, (p, oct(os.stat(p).st_mode))
    assert stat.S_IMODE(os.stat(path.parent).st_mode) & 0o007 == 0


def _refuse_writable_open(monkeypatch):
    """The open SQLite makes for writing fails as it does on a read-only share or mount; the read-only open (a
    file: URI) goes through. Made by hand because root writes through any file mode."""
    real = sqlite3.connect

    def connect(database, *args, **kw):
        if not kw.get("uri"):
            raise sqlite3.OperationalError("unable to open database file")
        return real(database, *args, **kw)

    monkeypatch.setattr("monitor.store.base.sqlite3.connect", connect)


def test_a_database_that_cannot_be_opened_for_writing_is_read_by_the_commands_that_only_read(tmp_path, monkeypatch):
    path = _copy_with_wal(tmp_path)  # with its -wal file: read with mode=ro, never immutable (it would miss the WAL)
    _refuse_writable_open(monkeypatch)
    with pytest.raises(StoreError) as err:  # a command that writes is refused at the open, as before
        Store(path)
    assert str(path) in str(err.value) and err.value.exit_code == 3
    with Store(path, read_only_fallback=True) as s:
        assert s.read_only and s.count_articles() == 1  # the row still in the -wal file is read
        with pytest.raises(StoreError) as err:
            s.add_feed_entry(entry(url="https://vnexpress.net/b-2.html", guid="g2"), "VnExpress", T0)
        _assert_read_only_error(err.value, path)
    assert sorted(p.name for p in path.parent.iterdir()) == ["monitor.sqlite3", "monitor.sqlite3-shm", "monitor.sqlite3-wal"]


def test_a_read_only_database_this_version_has_not_migrated_is_refused_saying_why(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite3"
    with Store(path) as s:
        s.db.execute("DELETE FROM schema_migrations WHERE name = ?", (migration_files()[-1][0],))
    _refuse_writable_open(monkeypatch)
    with pytest.raises(StoreError) as err:
        Store(path, read_only_fallback=True)
    assert "không ghi được vào cơ sở dữ liệu" in str(err.value) and "nâng cấp lược đồ" in str(err.value)
    assert str(path.parent) in err.value.hint


def _read_only_mount(folder):
    """A runner of a command with `folder` mounted read-only (a bind mount in a mount namespace of its own: root
    writes through file modes); the test is skipped where that cannot be made."""
    import shutil
    import subprocess

    def in_read_only_mount(*argv):
        script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" && shift && exec "$@"'
        return subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", str(folder), *argv],
                              capture_output=True, text=True, timeout=120)

    if shutil.which("unshare") is None or in_read_only_mount("sh", "-c", f'! touch "{folder}/probe"').returncode != 0:
        (folder / "probe").unlink(missing_ok=True)
        pytest.skip("needs `unshare -m` and mount (root with CAP_SYS_ADMIN) to make a read-only mount")
    return in_read_only_mount


def test_the_commands_that_only_read_work_on_a_read_only_mount_and_the_others_say_it_cannot_be_written(
        config_file, tmp_path):
    """A copy of the database on a read-only share: SQLite cannot make its -shm file beside it, so even reading failed
    (exit 3). A real read-only bind mount, in a mount namespace of its own (root writes through file modes)."""
    import sys

    from monitor.app import App

    app = App.from_path(config_file)
    app.store.add_feed_entry(entry(title="Trường tiểu học mở thêm lớp bán trú"), "VnExpress", T0)
    db = app.config.storage.database
    app.close()  # the last connection closed: the -wal file is checkpointed and removed, the file stands alone
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]
    folder = db.parent

    in_read_only_mount = _read_only_mount(folder)
    monitor = [sys.executable, "-m", "monitor", "--config", str(config_file)]
    out = tmp_path / "export.jsonl"
    for args in (["status"], ["search", "bán trú"], ["export", "-o", str(out)], ["cases", "list"], ["alerts"]):
        r = in_read_only_mount(*monitor, *args)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
    assert "Trường tiểu học mở thêm lớp bán trú" in out.read_text(encoding="utf-8")
    r = in_read_only_mount(*monitor, "label", "1", "--hot", "no", "--by", "Chị Lan")
    assert r.returncode == 3 and str(db) in r.stderr and ("được ghi vào đó" in r.stderr or "quyền ghi" in r.stderr), r.stderr
    assert sorted(p.name for p in folder.iterdir()) == [db.name]


def test_the_clipping_and_the_report_of_a_read_only_data_folder_go_where_out_says(tmp_path):
    """A preview of the clipping or the report only reads the database, so a copy of the data on a read-only share
    gives it, written where --out says; without --out (the files go under the data folder by default) the command
    says it cannot write there and to pass --out, and writes nothing anywhere else."""
    import sys

    from monitor.digest import digest_window
    from monitor.intake import open_from_outside
    from monitor.triage import run_triage
    from test_triage_support import FIGHT_SAPO, FIGHT_TITLE, add_article, make_app

    app = make_app(tmp_path, datetime.now(timezone.utc) - timedelta(minutes=5))
    published = app.now() - timedelta(days=1)
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, published)
    assert run_triage(app).cases_opened
    title = "Phụ huynh gọi đường dây nóng phản ánh trường thu tiền lắp điều hòa"
    open_from_outside(app, title=title, source_kind="hotline", source="Đường dây nóng của Phòng", by="Chị Lan",
                      at=published.astimezone(app.config.office.tz).strftime("%H:%M %d/%m/%Y"), alert=False)
    tz, cutoff = app.config.office.tz, app.config.digest.cutoff
    folder = app.config.storage.data_dir
    app.close()
    local = published.astimezone(tz).date()
    day = next(d for d in (local, local + timedelta(days=1)) if published < digest_window(d, cutoff, tz)[1])
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    in_read_only_mount = _read_only_mount(folder)
    monitor = [sys.executable, "-m", "monitor", "--config", str(tmp_path / "feeds.yaml")]
    out = tmp_path / "out"
    r = in_read_only_mount(*monitor, "digest", "--date", day.isoformat(), "--format", "txt", "--out", str(out))
    assert r.returncode == 0, (r.stdout, r.stderr)
    text = (out / f"diem-bao-{day.isoformat()}.txt").read_text(encoding="utf-8")
    assert FIGHT_TITLE in text, text
    month = f"{published.astimezone(tz):%Y-%m}"
    r = in_read_only_mount(*monitor, "report", "--month", month, "--format", "html", "--out", str(out))
    assert r.returncode == 0, (r.stdout, r.stderr)
    html = (out / f"bao-cao-thang-{month}.html").read_text(encoding="utf-8")
    assert FIGHT_TITLE in html and title in html
    outbox = folder / app.config.digest.outbox_dir
    for args, name in ((["digest", "--date", day.isoformat()], "điểm báo"), (["report", "--month", month], "báo cáo")):
        r = in_read_only_mount(*monitor, *args)
        assert r.returncode == 3 and f"không ghi được {name} vào {outbox}" in r.stderr, r.stderr
        assert "--out DIR" in r.stderr and "chưa ghi gì" in r.stderr, r.stderr
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before
    assert sorted(p.name for p in out.iterdir()) == [f"bao-cao-thang-{month}-theo-ngay.png", f"bao-cao-thang-{month}.html",
                                                    f"diem-bao-{day.isoformat()}.txt"]


def _feed(name: str, enabled: bool = True):
    from types import SimpleNamespace

    return SimpleNamespace(name=name, url=f"https://{name}.example.vn/rss/giao-duc.rss", outlet=name.title(),
                           enabled=enabled, interval_minutes=30)


def _changes(s: Store) -> list[tuple]:
    return [tuple(r) for r in s.execute("SELECT source, at, enabled FROM source_changes ORDER BY id")]


def test_each_time_a_feed_is_turned_off_or_back_on_is_recorded(tmp_path):
    """sources.enabled says only what holds now: an old day read from the fetch log needs the feeds enabled then."""
    iso = [(T0 + timedelta(days=d)).isoformat() for d in range(6)]
    with Store(tmp_path / "m.sqlite3") as s:
        s.sync_sources([_feed("a"), _feed("b"), _feed("c", enabled=False)], T0)
        assert _changes(s) == [("c", iso[0], 0)]  # added disabled
        s.sync_sources([_feed("a", enabled=False), _feed("b"), _feed("c", enabled=False)], T0 + timedelta(days=1))
        s.sync_sources([_feed("a", enabled=False), _feed("c", enabled=False)], T0 + timedelta(days=2))  # b removed
        s.sync_sources([_feed("a", enabled=False), _feed("c", enabled=False)], T0 + timedelta(days=3))  # no change
        s.sync_sources([_feed("a"), _feed("b"), _feed("c", enabled=False)], T0 + timedelta(days=4))  # both back
        assert _changes(s) == [("c", iso[0], 0), ("a", iso[1], 0), ("b", iso[2], 0), ("a", iso[4], 1), ("b", iso[4], 1)]


def test_feeds_turned_off_before_the_upgrade_are_recorded_by_it(tmp_path):
    """A store made before source_changes: a removed feed from when its removal was noticed, a disabled one from its
    last poll (when the file changed after it is not known); one disabled before it ever polled has no poll to count."""
    path = tmp_path / "m.sqlite3"
    (name,) = [n for n, _ in migration_files() if n.endswith("_source_changes.sql")]
    with Store(path) as s:
        s.sync_sources([_feed("a"), _feed("b"), _feed("c"), _feed("d")], T0)
        s.execute("DROP TABLE source_changes")
        s.execute("DELETE FROM schema_migrations WHERE name = ?", (name,))
        # what the version before did: flags, no history
        s.execute("UPDATE sources SET last_fetch_at = ? WHERE name IN ('b', 'c')", ((T0 + timedelta(hours=2)).isoformat(),))
        s.execute("UPDATE sources SET enabled = 0 WHERE name IN ('b', 'd')")
        s.execute("UPDATE sources SET enabled = 0, removed_at = ? WHERE name = 'c'", ((T0 + timedelta(days=1)).isoformat(),))
    with Store(path) as s:
        assert name in s.applied_migrations()
        assert sorted(_changes(s)) == [("b", (T0 + timedelta(hours=2)).isoformat(), 0),
                                       ("c", (T0 + timedelta(days=1)).isoformat(), 0)]


def _damaged_store(path):
    """A store whose schema reads but whose last pages (the job runs written last) are garbage."""
    with Store(path) as s:
        with s.transaction() as db:
            db.executemany("INSERT INTO job_runs(job, started_at, summary) VALUES (?,?,?)",
                           [("crawl:10m", "2026-11-26T00:00:00+00:00", "x" * 400)] * 3000)
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.seek(size - 40 * 4096)
        f.write(b"\xff" * 30 * 4096)
    return Store(path)


def test_a_damaged_page_met_while_rows_are_read_is_a_store_error_not_an_internal_one(tmp_path):
    """SQLite reads a query's rows as they are fetched: the damage surfaced while `monitor status` iterated, after
    execute had returned, as 'Lỗi nội bộ: DatabaseError: database disk image is malformed' (exit 4)."""
    path = tmp_path / "monitor.sqlite3"
    s = _damaged_store(path)
    for read in (lambda: list(s.execute("SELECT * FROM job_runs")), lambda: s.execute("SELECT * FROM job_runs").fetchall()):
        with pytest.raises(StoreError) as err:
            read()
        assert "bị hỏng" in str(err.value) and ".recover" in err.value.hint and err.value.exit_code == 3
    s.close()


def test_a_backup_of_a_damaged_database_blames_the_database_not_the_destination(tmp_path):
    path = tmp_path / "monitor.sqlite3"
    s = _damaged_store(path)
    out = tmp_path / "sao-luu" / "monitor-backup.sqlite3"
    with pytest.raises(StoreError) as err:
        s.backup(out)
    assert f"chính cơ sở dữ liệu {path} bị hỏng" in str(err.value), str(err.value)
    assert ".recover" in err.value.hint and "ổ đĩa còn đủ chỗ" not in err.value.hint
    assert not out.exists() and list(out.parent.iterdir()) == []
    s.close()


def test_a_read_only_mount_is_named_as_such_not_as_a_missing_permission(tmp_path, monkeypatch):
    """root running the monitor on a disk mounted read-only was told to grant itself write permission. Mounting a file
    system needs privileges a test does not have: the mount's read-only flag (statvfs) is what is stood in for."""
    import errno

    from monitor.store import base

    path = tmp_path / "monitor.sqlite3"
    write = sqlite3.OperationalError("attempt to write a readonly database")
    assert "quyền ghi" in base.store_error(path, write).hint  # a writable mount: the permission is what is missing
    monkeypatch.setattr(base, "mounted_read_only", lambda folder: True)
    err = base.store_error(path, write)
    assert "chế độ chỉ đọc" in str(err) and "remount,rw" in err.hint and "storage.data_dir" in err.hint
    assert "cho người dùng chạy monitor quyền ghi" not in err.hint
    lock = base.store_error(tmp_path / "monitor.sqlite3.lock", OSError(errno.EROFS, "Read-only file system", "x.lock"))
    assert "tệp khóa" in str(lock) and "chế độ chỉ đọc" in str(lock) and "remount,rw" in lock.hint and lock.exit_code == 3
