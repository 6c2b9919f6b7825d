"""`monitor serve` as a real subprocess against the sample news site on 127.0.0.1.

The service runs on a scaled clock (--start-at, --time-scale), so a morning passes in seconds: crawls
happen at the sources' intervals, the digest goes out when the cut-off passes, a restart after a
missed cut-off sends that digest once (and not a digest past the grace period), a second instance is
refused with exit code 3, and SIGTERM leaves a consistent database with no job run left 'running'.
Waiting is on conditions (with a generous limit), never on timings.
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from monitor.sample_site import SampleArticle, build_site, sample_config, serve, stop

VN = timezone(timedelta(hours=7))
WAIT = 90  # seconds: a limit for conditions that normally hold within a few seconds

ARTICLES = [
    SampleArticle(
        outlet="Dân Trí", feed="dantri-giao-duc", slug="phu-huynh-phan-anh-khoan-thu-dau-nam-1001",
        title="Phụ huynh phản ánh nhiều khoản thu đầu năm học tại một trường tiểu học",
        sapo="Nhiều phụ huynh cho biết ngoài học phí còn phải đóng quỹ lớp, tiền máy chiếu và tiền vệ sinh.",
        paragraphs=("Theo phản ánh, mỗi học sinh phải đóng gần hai triệu đồng trong tháng đầu năm học.",
                    "Hiệu trưởng nhà trường cho biết sẽ rà soát, trả lại các khoản thu không đúng quy định."),
        published=datetime(2026, 11, 25, 19, 0, tzinfo=VN)),
    SampleArticle(
        outlet="VnExpress", feed="vnexpress-giao-duc", slug="ha-noi-giu-ba-mon-thi-lop-10-1002",
        title="Hà Nội giữ ổn định ba môn thi vào lớp 10 công lập",
        sapo="Sở Giáo dục và Đào tạo Hà Nội công bố phương án tuyển sinh lớp 10 với ba bài thi Toán, Ngữ văn, Ngoại ngữ.",
        paragraphs=("Thí sinh làm ba bài thi, điểm xét tuyển là tổng điểm ba bài cộng điểm ưu tiên.",
                    "Các trường trung học cơ sở được đề nghị tăng cường tư vấn hướng nghiệp cho học sinh lớp 9."),
        published=datetime(2026, 11, 25, 21, 30, tzinfo=VN)),
]


@pytest.fixture()
def site():
    s = build_site(ARTICLES)
    server, _ = serve(s)
    yield s
    stop(server)


def make_config(tmp_path: Path, site) -> Path:
    path = tmp_path / "feeds.yaml"
    sample_config(site, tmp_path / "var", sources=site.source_configs(interval_minutes=10), config_path=path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["digest"].update({"cutoff": "07:00", "missed_grace_hours": 12, "formats": ["html", "txt"], "recipients": []})
    data["alerts"]["channels"] = []
    data["storage"]["models_dir"] = str(tmp_path / "models")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def serve_cmd(cfg: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "monitor", "--config", str(cfg), "serve", *args]


def start(cfg: Path, *args: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(serve_cmd(cfg, *args), stdout=subprocess.PIPE, stderr=open(log, "w", encoding="utf-8"),
                            text=True, cwd=cfg.parent)


def query(db: Path, sql: str, params=()) -> list[tuple]:
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def wait_for(condition, what: str, proc: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            value = condition()
        except sqlite3.OperationalError:  # table not there yet: the service is still migrating
            value = None
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the service exited ({proc.returncode}) before {what}:\n{log.read_text() if log else ''}")
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}:\n{log.read_text() if log else ''}")


def digests(db: Path) -> dict[str, tuple[str, int]]:
    return {day: (status, n) for day, status, n in query(db, "SELECT day, status, deliveries FROM digests")}


def assert_consistent(db: Path) -> None:
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert query(db, "SELECT job, started_at FROM job_runs WHERE outcome = 'running'") == []


def test_serve_crawls_sends_digest_at_cutoff_and_catches_up_once(tmp_path, site):
    cfg = make_config(tmp_path, site)
    db = tmp_path / "var" / "monitor.sqlite3"
    log = tmp_path / "serve1.log"
    # 06:59:00, 200x: the cut-off passes after 0.3 s of real time; a 10-minute interval is 3 s, so the second
    # poll falls well inside the run even when a busy machine slows the first one
    first = subprocess.run(serve_cmd(cfg, "--start-at", "2026-11-26T06:59:00", "--time-scale", "200",
                                     "--tick", "0.3", "--run-for", "8"),
                           capture_output=True, text=True, cwd=tmp_path, timeout=WAIT + 60)
    log.write_text(first.stderr)
    assert first.returncode == 0, first.stderr
    crawls = query(db, "SELECT COUNT(*) FROM job_runs WHERE job LIKE 'crawl:%' AND outcome = 'ok'")[0][0]
    assert crawls >= 2, first.stderr  # the first poll at start and at least one at the interval
    feed_fetches = query(db, "SELECT COUNT(*) FROM fetches WHERE kind = 'feed'")[0][0]
    assert feed_fetches >= 2 * len(site.feeds)
    assert query(db, "SELECT COUNT(*) FROM articles")[0][0] == len(ARTICLES)
    assert query(db, "SELECT COUNT(*) FROM classifications")[0][0] >= len(ARTICLES)
    assert digests(db) == {"2026-11-26": ("outbox", 1)}, first.stderr
    outbox = list((tmp_path / "var" / "outbox").rglob("*.html"))
    assert outbox and any("tuyển sinh lớp 10" in p.read_text(encoding="utf-8") for p in outbox)
    assert "tác vụ digest: xong" in first.stderr and "đã dừng gọn gàng" in first.stderr
    assert_consistent(db)

    # The machine was off at the next cut-off (27th 07:00); it starts at 10:00, within the 12 h grace.
    second = subprocess.run(serve_cmd(cfg, "--start-at", "2026-11-27T10:00:00", "--tick", "0.2", "--run-for", "3"),
                            capture_output=True, text=True, cwd=tmp_path, timeout=WAIT + 60)
    assert second.returncode == 0, second.stderr
    assert digests(db) == {"2026-11-26": ("outbox", 1), "2026-11-27": ("outbox", 1)}, second.stderr
    # Started again the same morning: nothing is sent twice (the ticks of both runs saw the record).
    third = subprocess.run(serve_cmd(cfg, "--start-at", "2026-11-27T10:30:00", "--once"),
                           capture_output=True, text=True, cwd=tmp_path, timeout=WAIT + 60)
    assert third.returncode == 0, third.stderr
    # Off for the 28th until 20:00, past the 12 h grace: that digest is left for a person to send.
    fourth = subprocess.run(serve_cmd(cfg, "--start-at", "2026-11-28T20:00:00", "--once"),
                            capture_output=True, text=True, cwd=tmp_path, timeout=WAIT + 60)
    assert fourth.returncode == 0, fourth.stderr
    assert digests(db) == {"2026-11-26": ("outbox", 1), "2026-11-27": ("outbox", 1)}
    assert query(db, "SELECT COUNT(*) FROM digest_deliveries")[0][0] == 2
    assert_consistent(db)


def test_second_instance_refused_and_sigterm_stops_cleanly(tmp_path, site):
    cfg = make_config(tmp_path, site)
    db = tmp_path / "var" / "monitor.sqlite3"
    lock = tmp_path / "var" / "monitor.sqlite3.lock"
    site.latency = 0.2  # every answer is slow, so SIGTERM is likely to arrive in the middle of a crawl
    log = tmp_path / "serve.log"
    proc = start(cfg, "--time-scale", "120", "--tick", "0.2", log=log)
    try:
        wait_for(lambda: lock.exists() and lock.read_text().strip() == str(proc.pid), "the lock file", proc, log)
        wait_for(lambda: query(db, "SELECT COUNT(*) FROM job_runs WHERE job LIKE 'crawl:%'")[0][0] >= 1,
                 "a crawl to start", proc, log)

        second = subprocess.run(serve_cmd(cfg, "--run-for", "1"), capture_output=True, text=True, cwd=tmp_path,
                                timeout=WAIT)
        assert second.returncode == 3, second.stderr
        assert str(proc.pid) in second.stderr and str(lock) in second.stderr
        assert f"Lỗi: dịch vụ đang chạy: tiến trình {proc.pid} đang phục vụ cơ sở dữ liệu này" in second.stderr, \
            second.stderr
        # whoever started it again to make sure it runs is told it does, not to kill it (clerk journey)
        assert "Cách sửa: không cần chạy thêm" in second.stderr and "systemctl restart edu-monitor" in second.stderr
        assert "dừng tiến trình đó trước" not in second.stderr
        assert proc.poll() is None  # the first one is unaffected
        status = subprocess.run([sys.executable, "-m", "monitor", "--config", str(cfg), "status", "--json"],
                                capture_output=True, text=True, cwd=tmp_path, timeout=WAIT)
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["service"] == {"running": True, "pid": proc.pid, "lock_file": str(lock)}

        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=WAIT)
        assert proc.returncode == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = log.read_text()
    assert "đã nhận SIGTERM" in text and "đã dừng gọn gàng" in text
    assert_consistent(db)
    assert lock.read_text() == ""  # released: the next start needs no clean-up
    again = subprocess.run(serve_cmd(cfg, "--once"), capture_output=True, text=True, cwd=tmp_path, timeout=WAIT + 60)
    assert again.returncode == 0, again.stderr


def test_status_shows_jobs_and_service_state(tmp_path, site):
    cfg = make_config(tmp_path, site)
    run = subprocess.run(serve_cmd(cfg, "--start-at", "2026-11-26T07:30:00", "--once"),
                         capture_output=True, text=True, cwd=tmp_path, timeout=WAIT + 60)
    assert run.returncode == 0, run.stderr
    out = subprocess.run([sys.executable, "-m", "monitor", "--config", str(cfg), "status", "--json"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=WAIT)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["service"]["running"] is False
    jobs = {j["job"]: j for j in data["jobs"]}
    assert jobs["crawl:10m"]["last_outcome"] == "ok" and jobs["digest"]["last_outcome"] == "ok", data["jobs"]
    assert {s["name"] for s in data["sources"]} == set(site.feeds)
    assert all(s["health"] == "ok" for s in data["sources"]), data["sources"]
    assert data["database"]["articles"] == len(ARTICLES) and data["model"]["active"]
    assert [(d["day"], d["status"]) for d in data["digests"]] == [("2026-11-26", "outbox")]
    text = subprocess.run([sys.executable, "-m", "monitor", "--config", str(cfg), "status"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=WAIT).stdout
    assert "không chạy" in text and "crawl:10m" in text and "Điểm báo 26/11/2026: đã lưu vào thư mục outbox" in text


def test_sighup_reads_feeds_yaml_again_in_place_and_a_broken_one_is_not_served(tmp_path, site):
    """`kill -HUP` (an administrator's habit for "read the configuration again") ended the service mid-job, which
    systemd's Restart=on-failure counts as a clean exit: no more crawls, alerts or clippings. It restarts in place
    instead (same PID), with the edited feeds.yaml, and one that would not load is refused while serving goes on."""
    cfg = make_config(tmp_path, site)
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    first, second = data["sources"]
    data["sources"] = [first]
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    db = tmp_path / "var" / "monitor.sqlite3"
    log = tmp_path / "serve.log"
    polled = lambda name: query(db, "SELECT COUNT(*) FROM fetches WHERE kind = 'feed' AND source = ?", (name,))[0][0]  # noqa: E731
    proc = start(cfg, "--tick", "0.2", log=log)
    try:
        wait_for(lambda: polled(first["name"]) >= 1, "the first crawl", proc, log)
        good = cfg.read_text(encoding="utf-8")
        cfg.write_text(good + "sources: [\n", encoding="utf-8")  # saved half-edited
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "vẫn phục vụ theo cấu hình đọc lúc khởi động" in log.read_text(), "the refusal", proc, log)
        data["sources"] = [first, second]
        cfg.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: polled(second["name"]) >= 1, "the added source's first poll", proc, log)
        assert proc.poll() is None  # the same process, serving on
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=WAIT)
        assert proc.returncode == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "khởi động lại tại chỗ để đọc lại" in log.read_text()
    assert_consistent(db)


def test_a_restart_in_place_goes_on_with_the_pretend_clock_and_the_run_for_of_its_start(tmp_path, site):
    """SIGHUP's restart in place ran serve's command line as first given: --start-at put the pretend clock back to
    where it began and --run-for counted again from nothing, so a demo's service ran on past the end it was given."""
    cfg = make_config(tmp_path, site)
    log = tmp_path / "serve.log"
    proc = start(cfg, "--start-at", "2026-11-26T06:50:00", "--time-scale", "60", "--run-for", "600", "--tick", "0.2",
                 log=log)
    try:
        wait_for(lambda: "đang phục vụ " in log.read_text(), "the start", proc, log)
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: log.read_text().count("đang phục vụ ") >= 2, "the restart", proc, log)
        argv = Path(f"/proc/{proc.pid}/cmdline").read_bytes().decode().split("\0")
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=WAIT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    clock = datetime.fromisoformat(argv[argv.index("--start-at") + 1])
    assert (clock if clock.tzinfo else clock.replace(tzinfo=VN)) > datetime(2026, 11, 26, 6, 50, tzinfo=VN), argv
    assert 0 < float(argv[argv.index("--run-for") + 1]) < 600, argv


def test_the_start_line_gives_the_system_clock_in_the_office_s_time(tmp_path, site):
    """Ops review: on the system clock the start line said "đồng hồ 2026-11-28T03:53:05+00:00" beside the log's own
    10:53:05+07:00, the only UTC time of the console."""
    run = subprocess.run(serve_cmd(make_config(tmp_path, site), "--run-for", "0.5", "--tick", "0.2"), capture_output=True,
                         text=True, cwd=tmp_path, timeout=WAIT + 60)
    assert run.returncode == 0, run.stderr
    assert re.search(r"đồng hồ \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00 x1\n", run.stderr), run.stderr


# what the job summaries said in English (or as a dataclass's field names) before they were Vietnamese
ENGLISH_SUMMARIES = ("classified ", " education", " hot)", " with edu-nlp", "no source due", "backing off", "polled early",
                     "nothing to do", "assigned=", "new_stories=", "alerts_queued=", "optimize", "WAL checkpoint",
                     " frame", "(busy)")


def test_the_console_and_status_say_what_each_job_did_in_vietnamese(tmp_path, site):
    """serve's console logs each job's one-line summary, stored in job_runs for `monitor status`: a clerk reads them,
    and they said "classified 2 (2 education, 1 hot) with …", "no source due (backing off or polled early)",
    "đã chạy optimize; WAL checkpoint 0/0 frame"."""
    cfg = make_config(tmp_path, site)
    logs = []
    # a round at 07:30 (crawl, digest, housekeeping), then one a minute later when no feed is due yet
    for at in ("2026-11-26T07:30:00", "2026-11-26T07:31:00"):
        run = subprocess.run(serve_cmd(cfg, "--start-at", at, "--once"), capture_output=True, text=True, cwd=tmp_path,
                             timeout=WAIT + 60)
        assert run.returncode == 0, run.stderr
        logs.append(run.stderr)
    first, second = logs
    crawl = next(x for x in first.splitlines() if "tác vụ crawl:10m: xong" in x)
    assert f"thu thập {len(site.feeds)} nguồn: {len(ARTICLES)} bài mới, lấy được {len(ARTICLES)} trang bài; " \
           f"phân loại {len(ARTICLES)} bài (" in crawl and " về giáo dục, " in crawl and " bằng edu-nlp" in crawl, crawl
    assert f"gom {len(ARTICLES)} bài vào sự việc" in crawl, crawl
    assert "đã tối ưu cơ sở dữ liệu" in first, first
    assert "tác vụ crawl:10m: xong" in second and "chưa nguồn nào đến hạn thu thập" in second, second

    def monitor(*args: str) -> str:
        out = subprocess.run([sys.executable, "-m", "monitor", "--config", str(cfg), *args], capture_output=True,
                             text=True, cwd=tmp_path, timeout=WAIT)
        assert out.returncode == 0, out.stderr
        return out.stdout

    text, data = monitor("status"), json.loads(monitor("status", "--json"))
    summaries = {j["job"]: j["last_summary"] for j in data["jobs"]}
    assert "chưa nguồn nào đến hạn thu thập" in summaries["crawl:10m"], summaries
    assert "đã tối ưu cơ sở dữ liệu" in summaries["housekeeping"], summaries
    assert {j["last_outcome"] for j in data["jobs"] if j["last_outcome"]} == {"ok"}, data["jobs"]  # stored as it was
    for where, said in (("the first round's console", first), ("the second round's console", second),
                        ("status", text), ("status --json's summaries", "\n".join(s or "" for s in summaries.values()))):
        for english in ENGLISH_SUMMARIES:
            assert english not in said, (where, english, said)


def test_serve_once_exits_1_naming_the_jobs_that_failed(tmp_path):
    """README: `serve --once` is for cron, and exit 1 means part of the work failed. No feed answers (the site is
    down) and the digest's cut-off is past: the digest job fails (held, nothing collected up to it); the round
    exited 0 all the same, and cron's mail said nothing."""
    down = build_site(ARTICLES)
    server, _ = serve(down)
    cfg = make_config(tmp_path, down)
    stop(server)
    run = subprocess.run(serve_cmd(cfg, "--start-at", "2026-11-26T07:30:00", "--once"), capture_output=True, text=True,
                         cwd=tmp_path, timeout=WAIT + 60)
    assert run.returncode == 1, run.stderr
    assert "tác vụ bị lỗi: " in run.stderr and "digest" in run.stderr.splitlines()[-2], run.stderr
    assert "Traceback" not in run.stderr


def test_serve_says_at_start_which_digest_is_in_doubt_and_how_to_resend_it(tmp_path, site):
    cfg = make_config(tmp_path, site)
    db = tmp_path / "var" / "monitor.sqlite3"
    first = subprocess.run(serve_cmd(cfg, "--start-at", "2026-11-26T07:30:00", "--once"), capture_output=True,
                           text=True, cwd=tmp_path, timeout=WAIT + 60)
    assert first.returncode == 0, first.stderr
    assert "chưa rõ" not in first.stderr
    # as an SMTP server that took the clipping without confirming it leaves the day (test_digest_send)
    con = sqlite3.connect(db)
    con.execute("UPDATE digests SET status = 'in-doubt' WHERE day = '2026-11-26'")
    con.commit()
    con.close()
    again = subprocess.run(serve_cmd(cfg, "--start-at", "2026-11-26T08:30:00", "--once"), capture_output=True,
                           text=True, cwd=tmp_path, timeout=WAIT + 60)
    assert again.returncode == 0, again.stderr
    line = next((x for x in again.stderr.splitlines() if "26/11/2026 chưa rõ" in x), "")
    assert "monitor digest --date 2026-11-26 --send --resend" in line, again.stderr


def _damage(db: Path) -> None:
    """Garbage over the last pages of the file, where the most recent job runs are: the database opens, its schema
    reads, and a query over job_runs meets a malformed page."""
    size = db.stat().st_size
    with open(db, "r+b") as f:
        f.seek(size - 40 * 4096)
        f.write(b"\xff" * 30 * 4096)


def test_a_damaged_database_is_exit_3_with_the_recover_hint_for_status_and_serve_once(tmp_path, site):
    cfg = make_config(tmp_path, site)
    db = tmp_path / "var" / "monitor.sqlite3"
    run = subprocess.run(serve_cmd(cfg, "--start-at", "2026-11-26T07:30:00", "--once"), capture_output=True, text=True,
                         cwd=tmp_path, timeout=WAIT + 60)
    assert run.returncode == 0, run.stderr
    con = sqlite3.connect(db)
    con.executemany("INSERT INTO job_runs(job, started_at, finished_at, outcome, summary) VALUES (?,?,?,?,?)",
                    [("crawl:10m", "2026-11-26T00:00:00+00:00", "2026-11-26T00:01:00+00:00", "ok", "x" * 400)] * 3000)
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    _damage(db)
    status = subprocess.run([sys.executable, "-m", "monitor", "--config", str(cfg), "status"], capture_output=True,
                            text=True, cwd=tmp_path, timeout=WAIT)
    assert status.returncode == 3, status.stderr
    assert "bị hỏng" in status.stderr and ".recover" in status.stderr and "Lỗi nội bộ" not in status.stderr
    again = subprocess.run(serve_cmd(cfg, "--start-at", "2026-11-26T08:30:00", "--once"), capture_output=True,
                           text=True, cwd=tmp_path, timeout=WAIT + 60)
    assert again.returncode != 0 and "Traceback" not in again.stderr, again.stderr
    assert "bị hỏng" in again.stderr, again.stderr
