"""feeds.yaml validation: every problem reported at once, with its path and what to write instead."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "feeds.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_shipped_config_is_valid_and_typed():
    cfg = load_config(ROOT / "feeds.yaml")
    assert cfg.office.district == "Long Biên" and cfg.office.timezone == "Asia/Ho_Chi_Minh"
    assert "Ngọc Lâm" in cfg.office.watchlist.wards
    assert len(cfg.sources) >= 9 and all(s.url.startswith("https://") for s in cfg.sources)
    # every source names an outlet that has article selectors
    for s in cfg.sources:
        assert cfg.outlet(s.outlet) is not None, s.name
    assert cfg.outlet_for_host("www.vnexpress.net").name == "VnExpress"


def test_all_problems_reported_together(tmp_path):
    path = write(tmp_path, """
office: {name: Phòng GD&ĐT, district: Long Biên, city: Hà Nội, timezone: Mars/Olympus}
sources:
  - {name: a, url: "ftp://example.vn/feed", interval_minutes: 0, colour: red}
  - {name: a, interval_minutes: "often"}
digest: {cutoff: "7h", recipients: [not-an-address], borderline_min_relevance: 1.5, borderline_max_items: -1}
smtp: {password: hunter2}
bogus: 1
""")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    paths = {p.path for p in info.value.problems}
    assert {"bogus", "office.timezone", "sources[0].url", "sources[0].interval_minutes", "sources[0].colour",
            "sources[1].name", "sources[1].url", "sources[1].interval_minutes", "digest.cutoff",
            "digest.recipients", "digest.borderline_min_relevance", "digest.borderline_max_items",
            "smtp.password"} <= paths
    text = str(info.value)
    assert "password_env" in text  # says what to write instead


def test_typo_gets_a_suggestion(tmp_path):
    path = write(tmp_path, "office: {name: x, district: y, city: z}\nsources: [{name: a, url: 'https://a.vn/rss', intervall_minutes: 5}]\n")
    with pytest.raises(ConfigError, match="did you mean 'interval_minutes'"):
        load_config(path)


def test_bad_yaml_names_the_line(tmp_path):
    path = write(tmp_path, "office:\n  name: [unclosed\nsources: []\n")
    with pytest.raises(ConfigError, match=r"line \d+"):
        load_config(path)


def test_secrets_come_from_the_environment(tmp_path, monkeypatch):
    path = write(tmp_path, "office: {name: x, district: y, city: z}\nsources: [{name: a, url: 'https://a.vn/rss'}]\n"
                           "smtp: {host: mail.example.vn, sender: a@example.vn, password_env: TEST_SMTP_PW}\n")
    monkeypatch.setenv("TEST_SMTP_PW", "s3cret")
    assert load_config(path).smtp.password() == "s3cret"


def test_cli_config_check_exit_2_one_line_per_problem(tmp_path):
    path = write(tmp_path, "office: {name: x}\nsources:\n  - {name: a, url: 'nope', interval_minutes: -5}\nextra: 1\n")
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(path), "config", "check"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    lines = [l for l in proc.stderr.splitlines() if l.strip().startswith("- ")]
    assert len(lines) == 5, proc.stderr  # district, city, url, interval, extra: each once
    assert proc.stdout == ""


def test_cli_config_check_ok():
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(ROOT / "feeds.yaml"), "config", "check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "OK" in proc.stdout
