"""feeds.yaml validation: every problem reported at once, with its path and what to write instead."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
# The starting config the package ships (the Long Biên office), which `monitor init` writes and the checkout's
# feeds.yaml starts as; that feeds.yaml is the office's own once it sets itself up, so only "it is valid" is asked of it.
SHIPPED_FEEDS = ROOT / "monitor" / "templates" / "feeds.example.yaml"
OFFICE_FEEDS = ROOT / "feeds.yaml"


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "feeds.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_shipped_config_is_valid_and_typed():
    cfg = load_config(SHIPPED_FEEDS)
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
    assert [p.path for p in info.value.problems].count("smtp.password") == 1  # a secret, not also an unknown key


def test_typo_gets_a_suggestion(tmp_path):
    path = write(tmp_path, "office: {name: x, district: y, city: z}\nsources: [{name: a, url: 'https://a.vn/rss', intervall_minutes: 5}]\n")
    with pytest.raises(ConfigError, match="có phải ý bạn là 'interval_minutes'"):
        load_config(path)


def test_a_value_of_the_wrong_kind_is_named_in_words_not_pythons_type(tmp_path):
    # the IT person wrote YAML, not Python: "một danh sách", never "list" (nor "dict", "int")
    path = write(tmp_path, "office: [Phòng GD&ĐT]\nsources: [{name: [a, b], url: 'https://a.vn/rss'}]\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    said = {p.path: p.message for p in info.value.problems}
    assert said["office"].endswith("hiện là một danh sách"), said
    assert said["sources[0].name"] == "phải là văn bản; hiện là một danh sách", said
    assert not re.search(r"\b(list|dict|str|NoneType)\b", str(info.value)), str(info.value)


def test_bad_yaml_names_the_line(tmp_path):
    path = write(tmp_path, "office:\n  name: [unclosed\nsources: []\n")
    with pytest.raises(ConfigError, match=r"dòng \d+, cột \d+: không phải YAML hợp lệ"):
        load_config(path)


@pytest.mark.parametrize("text, where", [
    ("office:\n\tname: Phòng GD&ĐT\nsources: []\n", "dòng 2, cột 1"),  # libyaml: "cannot start any token"
    ("office:\n  name: Phòng GD&ĐT\n\t\nsources: []\n", "dòng 3, cột 1"),  # "a tab character that violates indentation"
], ids=["tab-before-a-key", "tab-on-a-blank-line"])
def test_a_tab_in_the_indent_says_to_indent_with_spaces(tmp_path, text, where):
    # the IT person's editor indents with the Tab key: the problem says so in words, not only libyaml's English
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    (problem,) = info.value.problems
    assert problem.path == where and "dùng dấu cách, không dùng phím Tab" in problem.message, problem
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "office:\n  name: [unclosed\nsources: []\n"))
    assert "Tab" not in str(info.value) and "kiểm tra thụt lề và dấu ngoặc kép" in str(info.value)


def test_a_key_written_twice_is_a_problem_not_a_silent_overwrite(tmp_path):
    # YAML itself keeps the second and drops the first: a second `sources:` block would replace the feed list
    path = write(tmp_path, """office: {name: x, district: y, city: z}
sources:
  - {name: a, url: "https://a.vn/rss", interval_minutes: 10, interval_minutes: 60}
digest: {cutoff: "07:00"}
sources:
  - {name: b, url: "https://b.vn/rss"}
""")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    problems = {p.path: p.message for p in info.value.problems}
    assert "lần đầu ở dòng 3" in problems["dòng 3"] and "'interval_minutes'" in problems["dòng 3"]
    assert "'sources'" in problems["dòng 5"] and "lần đầu ở dòng 2" in problems["dòng 5"]


def test_outlet_domains_are_host_names_and_match_whole_labels(tmp_path):
    path = write(tmp_path, """office: {name: x, district: y, city: z}
outlets: [{name: VnExpress, domains: ["https://vnexpress.net/"]}]
sources: [{name: a, url: "https://a.vn/rss", outlet: VnExpress}]
""")
    with pytest.raises(ConfigError, match="viết 'vnexpress.net'"):
        load_config(path)
    path = write(tmp_path, """office: {name: x, district: y, city: z}
outlets: [{name: VnExpress, domains: [vnexpress.net]}]
sources: [{name: a, url: "https://notvnexpress.net/rss"}, {name: b, url: "https://m.vnexpress.net/rss"}]
""")
    cfg = load_config(path)
    assert [s.outlet for s in cfg.sources] == ["notvnexpress.net", "VnExpress"]
    assert cfg.outlet_for_host("notvnexpress.net") is None


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
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(SHIPPED_FEEDS), "config", "check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert ": hợp lệ — đơn vị «Phòng GD&ĐT quận Long Biên»" in proc.stdout


def test_the_checkouts_feeds_yaml_as_the_office_has_it_is_valid():
    """Whatever office, sources and recipients the office has written in the checkout's feeds.yaml, it loads and
    `monitor config check` accepts it under that office's name."""
    cfg = load_config(OFFICE_FEEDS)
    assert cfg.office.short_name and cfg.sources
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(OFFICE_FEEDS), "config", "check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert f"{OFFICE_FEEDS}: hợp lệ — đơn vị «{cfg.office.short_name}»" in proc.stdout


# a setting's line: "  key:" or, as the starting config shows an optional one, "  # key:" (the key's own column
# is the '#'): prose comments never have a lower-case word and a colon right after the '#'
_SETTING = re.compile(r"^(?P<indent> *)(?P<shown>#\s*)?(?P<key>[a-z_]+):(?:\s|$)")
_ITEM = re.compile(r"^(?P<indent> *)(?:#\s*)?- ")


def settings_named(text: str) -> set[str]:
    """The settings a feeds.yaml names, set or shown commented out, as key paths ("storage.rules_file"); a list's
    items (sources, outlets, the watchlist's names, recipients) are the office's to fill, so not looked into."""
    named: set[str] = set()
    parents: list[tuple[int, str]] = []
    in_list: int | None = None  # the indent of the list items being skipped
    for line in text.splitlines():
        if not line.strip():
            continue
        item, m = _ITEM.match(line), _SETTING.match(line)
        indent = len((item or m).group("indent")) if (item or m) else len(line) - len(line.lstrip())
        if in_list is not None and (indent > in_list or item):
            continue
        in_list = None
        if item:
            in_list = indent
            continue
        if not m:
            continue
        while parents and parents[-1][0] >= indent:
            parents.pop()
        named.add(".".join([*(k for _, k in parents), m.group("key")]))
        parents.append((indent, m.group("key")))
    return named


def test_the_checkouts_feeds_yaml_names_the_settings_the_starting_config_names():
    """A clone starts from feeds.yaml, an installed package from the template `monitor init` writes: the project
    ships them the same file. The office then edits its feeds.yaml (its office, watchlist, sources, recipients,
    values; the suite asks only that it is valid), so what must stay in step is the settings each names, set or
    shown commented out: a setting documented in one only (storage.rules_file was, in the template alone) is one
    a clone's office never sees, or one `monitor init`'s never does."""
    shipped, checkout = (settings_named(p.read_text(encoding="utf-8")) for p in (SHIPPED_FEEDS, OFFICE_FEEDS))
    assert shipped - checkout == set(), (f"{OFFICE_FEEDS} does not name what {SHIPPED_FEEDS} does: write the same "
                                         "line in both (commented out when optional)")
    assert checkout - shipped == set(), (f"{SHIPPED_FEEDS} does not name what {OFFICE_FEEDS} does: write the same "
                                         "line in both (commented out when optional)")


def test_settings_named_sees_a_setting_added_to_one_file_but_not_an_offices_edits():
    shipped = SHIPPED_FEEDS.read_text(encoding="utf-8")
    assert {"office.watchlist.schools", "alerts.min_scope", "crawler.ca_file", "storage.rules_file",
            "smtp.sender", "sources", "outlets"} <= settings_named(shipped)
    assert not any(k.startswith(("sources.", "outlets.")) for k in settings_named(shipped))
    drifted = shipped.replace("  raw_html_retention_days: 365\n",
                              "  raw_html_retention_days: 365\n  # backup_dir: backups   # a new optional setting\n")
    assert settings_named(drifted) - settings_named(shipped) == {"storage.backup_dir"}
    # an office of Nghệ An: its office and watchlist, fewer sources, an alert channel, min_scope set
    office = (shipped.replace("district: Long Biên", "district: Nghệ An").replace("city: Hà Nội", "city: Nghệ An")
              .replace("    officials: []", "    officials: [Nguyễn Văn A]")
              .replace("  # min_scope: city", "  min_scope: tỉnh")
              .replace("  channels: []", "  channels:\n    - {kind: email, recipients: [a@so.example.vn]}\n"
                                         "    - kind: webhook\n      url: https://hook.example.vn/x"))
    office = "\n".join(line for line in office.splitlines() if "nhandan" not in line)
    assert office != shipped and settings_named(office) == settings_named(shipped)


@pytest.mark.parametrize("body, where, says", [
    ("sources: [{name: a, url: 'http://[::1/x.rss'}]", "sources[0].url", "không phải URL hợp lệ"),
    ("sources: [{name: a, url: 'https://a.vn:99999/rss'}]", "sources[0].url", "không phải URL hợp lệ"),
    ("crawler: {timeout_seconds: .nan}\nsources: [{name: a, url: 'https://a.vn/rss'}]", "crawler.timeout_seconds", "phải là một số"),
    ("outlets: [{name: A, domains: []}]\nsources: [{name: a, url: 'https://a.vn/rss'}]", "outlets[0].domains", "bắt buộc phải có"),
    ("outlets: [{name: A, domains: ['[bad']}]\nsources: [{name: a, url: 'https://a.vn/rss'}]", "outlets[0].domains", "không phải tên máy chủ"),
    ("sources: [{name: a, url: 'https://a.vn/rss'}]\nalerts: {thresholds: {}}", "alerts.thresholds", "ít nhất một"),
    ("sources: [{name: a, url: 'https://a.vn/rss'}]\nalerts: {thresholds: {khẩn cấp: true}}", "alerts.thresholds", "số nguyên 0-100"),
    # typed without an IME, a level no alert, clipping or report knows: refused, naming the levels
    ("sources: [{name: a, url: 'https://a.vn/rss'}]\nalerts: {thresholds: {khan cap: 80, cao: 60, nong: 40}}",
     "alerts.thresholds.nong", "khẩn cấp, cao, theo dõi"),
    ("sources: [{name: a, url: 'https://a.vn/rss'}]\nalerts: {thresholds: {khẩn cấp: 50, cao: 60}}",
     "alerts.thresholds", "điểm cao hơn mức kế tiếp"),
    ("sources: [{name: a, url: 'https://a.vn/rss'}]\nalerts: {min_scope: gần}", "alerts.min_scope", "local"),
    ("sources: [{name: a, url: 'https://a.vn/rss'}]\nalerts: {channels: [{kind: email, recipients: [not-an-email]}]}",
     "alerts.channels[0].recipients", "không phải địa chỉ e-mail"),
    ("sources: [{name: a, url: 'https://a.vn/rss'}]\nsmtp: {host: h.vn, sender: a@b.vn, password_env: 'Xk9#p@ss w0rd!'}",
     "smtp.password_env", "tên một biến môi trường"),
    ("sources: [{name: a, url: 'https://a.vn/rss'}]\ndigest: {cutoff: 12:30}", "digest.cutoff", 'cutoff: "12:30"'),
])
def test_values_that_would_break_the_service_later_are_refused_now(tmp_path, body, where, says):
    path = write(tmp_path, "office: {name: x, district: y, city: z}\n" + body + "\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    problems = {p.path: p.message for p in info.value.problems}
    assert where in problems and says in problems[where], problems


def test_single_label_and_unicode_hosts_are_host_names(tmp_path):
    path = write(tmp_path, "office: {name: x, district: y, city: z}\nsources: [{name: a, url: 'https://a.vn/rss'}]\n"
                           "outlets: [{name: A, domains: [localhost, báo.vn, Tuoitre.vn]}]\n")
    assert load_config(path).outlets[0].domains == ("localhost", "báo.vn", "Tuoitre.vn")


def test_cli_config_check_warns_of_secrets_missing_from_the_environment(tmp_path):
    path = write(tmp_path, "office: {name: x, district: y, city: z}\nsources: [{name: a, url: 'https://a.vn/rss'}]\n"
                           "smtp: {host: h.vn, sender: a@b.vn, username_env: TEST_UNSET_USER, password_env: TEST_UNSET_PW}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEST_UNSET_")}
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(path), "config", "check"],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Cảnh báo: biến môi trường TEST_UNSET_USER chưa được đặt ở môi trường này (tên đăng nhập SMTP)" in proc.stdout
    assert "Cảnh báo: biến môi trường TEST_UNSET_PW chưa được đặt" in proc.stdout
    assert "xóa smtp.username_env và smtp.password_env khỏi feeds.yaml" in proc.stdout  # a relay without login


# --------------------------------------------------------------------------- who signs the monthly report (review H6)


def test_the_reports_signer_and_recipients_are_office_settings(tmp_path):
    path = write(tmp_path, """office:
  name: Phòng Giáo dục và Đào tạo quận Long Biên
  district: Long Biên
  city: Hà Nội
  signer: [KT. TRƯỞNG PHÒNG, PHÓ TRƯỞNG PHÒNG]
  signer_name: Nguyễn Thị Hằng
  recipients: ["- Sở GD&ĐT Hà Nội;", Ban Tuyên giáo Quận ủy, Lãnh đạo Phòng GD&ĐT, "Lưu: VT."]
sources: [{name: a, url: 'https://a.vn/rss'}]
""")
    office = load_config(path).office
    assert office.report_signer == ("KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG") and office.signer_name == "Nguyễn Thị Hằng"
    # the dashes and end marks are the document's: written or not, the same entries
    assert office.report_recipients == ("Sở GD&ĐT Hà Nội", "Ban Tuyên giáo Quận ủy", "Lãnh đạo Phòng GD&ĐT", "Lưu: VT")
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(path), "config", "check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "người ký báo cáo tháng: KT. TRƯỞNG PHÒNG / PHÓ TRƯỞNG PHÒNG, Nguyễn Thị Hằng\n" in proc.stdout
    assert "Nơi nhận của báo cáo tháng: Sở GD&ĐT Hà Nội; Ban Tuyên giáo Quận ủy; Lãnh đạo Phòng GD&ĐT; Lưu: VT\n" in proc.stdout


@pytest.mark.parametrize("written", ["  recipients: [Lãnh đạo Phòng, Lưu: VT]\n",
                                     "  recipients:\n    - Lãnh đạo Phòng\n    - Lưu: VT\n"], ids=["flow", "block"])
def test_recipients_take_luu_vt_as_typed(tmp_path, written):
    # unquoted, YAML reads "Lưu: VT" as a mapping; every Nơi nhận ends with it, and the examples write it so
    path = write(tmp_path, "office:\n  name: Phòng Giáo dục và Đào tạo quận Long Biên\n  district: Long Biên\n"
                           f"  city: Hà Nội\n{written}sources: [{{name: a, url: 'https://a.vn/rss'}}]\n")
    assert load_config(path).office.report_recipients == ("Lãnh đạo Phòng", "Lưu: VT")


def test_recipients_of_a_wrong_type_are_one_problem(tmp_path):
    path = write(tmp_path, "office: {name: x, district: y, city: z, recipients: [Lãnh đạo Phòng, {Lưu: [VT]}]}\n"
                           "sources: [{name: a, url: 'https://a.vn/rss'}]\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert [p.path for p in info.value.problems] == ["office.recipients"], str(info.value)


def test_the_signer_and_recipients_default_to_the_kind_of_office(tmp_path):
    phong = load_config(write(tmp_path, "office: {name: Phòng Giáo dục và Đào tạo huyện Gia Lâm, district: Gia Lâm, "
                                        "city: Hà Nội}\nsources: [{name: a, url: 'https://a.vn/rss'}]\n")).office
    assert phong.report_signer == ("TRƯỞNG PHÒNG",)
    # the head signs: up to the district's committee, to the rest of the leadership, never to himself "(để báo cáo)"
    # the city's Sở first, as the communication plan's own Nơi nhận (review 2, part 3)
    assert phong.report_recipients == ("Sở GD&ĐT Hà Nội", "UBND huyện Gia Lâm (để báo cáo)", "Lãnh đạo Phòng", "Lưu: VT")
    so = load_config(write(tmp_path, "office: {name: Sở Giáo dục và Đào tạo thành phố Hà Nội, district: Hoàn Kiếm, "
                                     "city: Hà Nội}\nsources: [{name: a, url: 'https://a.vn/rss'}]\n")).office
    assert so.report_signer == ("GIÁM ĐỐC",) and so.leadership == "Ban Giám đốc Sở"
    assert so.report_recipients == ("UBND thành phố Hà Nội (để báo cáo)", "Ban Giám đốc Sở", "Lưu: VT")
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(tmp_path / "feeds.yaml"), "config", "check"],
                          capture_output=True, text=True)
    assert "người ký báo cáo tháng: GIÁM ĐỐC (mặc định của Sở; đặt office.signer để đổi)" in proc.stdout
    assert ("Nơi nhận của báo cáo tháng: UBND thành phố Hà Nội (để báo cáo); Ban Giám đốc Sở; Lưu: VT (mặc định của Sở; "
            "đặt office.recipients để đổi)") in proc.stdout


def test_bad_signer_and_recipients_are_reported_with_the_other_problems(tmp_path):
    path = write(tmp_path, """office:
  name: Phòng GD&ĐT quận Long Biên
  district: Long Biên
  city: Hà Nội
  timezone: Mars/Olympus
  signer: KT. TRƯỞNG PHÒNG
  recipients: []
  signers_name: Nguyễn Thị Hằng
sources: [{name: a, url: 'https://a.vn/rss'}]
""")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    problems = {p.path: p.message for p in info.value.problems}
    assert {"office.timezone", "office.signer", "office.recipients", "office.signers_name"} <= set(problems)
    assert "PHÓ TRƯỞNG PHÒNG" in problems["office.signer"]  # what to write instead
    assert "ký thay người khác" in problems["office.signer"] and "'Mars/Olympus'" in problems["office.timezone"]
    assert "phải có ít nhất một nơi nhận" in problems["office.recipients"], problems
    assert "có phải ý bạn là 'signer_name'" in problems["office.signers_name"]
    bad = write(tmp_path, "office: {name: x, district: y, city: z, signer: [A, B, C, D], recipients: {a: 1}}\n"
                          "sources: [{name: a, url: 'https://a.vn/rss'}]\n")
    with pytest.raises(ConfigError) as info:
        load_config(bad)
    assert {p.path for p in info.value.problems} == {"office.signer", "office.recipients"}
    # a "KT" typed without its dot still needs the signer's own title; recipients that are only dashes are none
    odd = write(tmp_path, "office: {name: x, district: y, city: z, signer: [KT TRƯỞNG PHÒNG], recipients: ['-', '–']}\n"
                          "sources: [{name: a, url: 'https://a.vn/rss'}]\n")
    with pytest.raises(ConfigError) as info:
        load_config(odd)
    assert {p.path for p in info.value.problems} == {"office.signer", "office.recipients"}


@pytest.mark.parametrize("name, district, city, area, header", [
    ("Phòng Giáo dục và Đào tạo quận Long Biên", "Long Biên", "Hà Nội", "quận Long Biên",
     ("UBND QUẬN LONG BIÊN", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO")),
    ("Sở Giáo dục và Đào tạo tỉnh Nghệ An", "Nghệ An", "Nghệ An", "tỉnh Nghệ An",
     ("UBND TỈNH NGHỆ AN", "SỞ GIÁO DỤC VÀ ĐÀO TẠO")),
    # since the 2025 reorganisation a commune's office serves the area
    ("Phòng Văn hóa - Xã hội phường Việt Hưng", "Việt Hưng", "Hà Nội", "phường Việt Hưng",
     ("UBND PHƯỜNG VIỆT HƯNG", "PHÒNG VĂN HÓA - XÃ HỘI")),
    # the city as people abbreviate it
    ("Sở Giáo dục và Đào tạo Thành phố Hồ Chí Minh", "TP.HCM", "TP.HCM", "thành phố Hồ Chí Minh",
     ("UBND THÀNH PHỐ HỒ CHÍ MINH", "SỞ GIÁO DỤC VÀ ĐÀO TẠO")),
    # a name that does not say the area's kind gets no made-up "quận"
    ("Phòng GD&ĐT Gia Lâm", "Gia Lâm", "Hà Nội", "Gia Lâm", ("UBND GIA LÂM", "PHÒNG GD&ĐT GIA LÂM")),
])
def test_the_area_of_an_office_is_named_with_its_own_kind(name, district, city, area, header):
    from monitor.config import Office
    from monitor.digest import local_district_title
    from monitor.docx_render import office_header

    office = Office(name=name, short_name=name, district=district, city=city)
    assert office.area == area
    assert local_district_title(office) == f"Tin trên địa bàn {area}"
    assert office_header(office) == header
    assert office.report_recipients[-3] == f"UBND {area} (để báo cáo)"  # after a Phòng's "Sở GD&ĐT <city>"


def test_alert_levels_typed_without_diacritics_are_the_levels_and_min_scope_is_read(tmp_path):
    path = write(tmp_path, "office: {name: x, district: y, city: z}\nsources: [{name: a, url: 'https://a.vn/rss'}]\n"
                           "alerts: {thresholds: {khan cap: 85, CAO: 65, theo doi: 45}, min_scope: city}\n")
    alerts = load_config(path).alerts
    assert alerts.thresholds == (("khẩn cấp", 85), ("cao", 65), ("theo dõi", 45))
    assert alerts.min_scope == "city"
    assert load_config(SHIPPED_FEEDS).alerts.min_scope == "foreign", "default: every story alerts"


@pytest.mark.parametrize("written, scope", [("tỉnh", "city"), ("tinh", "city"), ("Địa phương", "local"),
                                            ("dia ban", "local"), ("toàn quốc", "national"), ("nước ngoài", "foreign")])
def test_min_scope_takes_the_words_every_scope_option_takes(tmp_path, written, scope):
    # a Sở's administrator writes its own area as "tỉnh", as `monitor articles --scope` and `cases open --scope` take it
    path = write(tmp_path, "office: {name: x, district: y, city: z}\nsources: [{name: a, url: 'https://a.vn/rss'}]\n"
                           f"alerts: {{min_scope: {written}}}\n")
    assert load_config(path).alerts.min_scope == scope


def test_config_check_speaks_vietnamese_to_a_so(tmp_path):
    """`monitor config check` is read by whoever sets the office up, often its clerk: its lines are Vietnamese
    (monitor/errors.py's policy: key paths, files and values as written), and a Sở's defaults say they are the
    Sở's and which key changes them."""
    path = write(tmp_path, "office: {name: Sở Giáo dục và Đào tạo thành phố Đà Nẵng, short_name: Sở GD&ĐT Đà Nẵng, "
                           "district: Đà Nẵng, city: Đà Nẵng}\n"
                           "sources: [{name: a, url: 'https://a.vn/rss'}, {name: b, url: 'http://127.0.0.1:8080/rss'}]\n"
                           "smtp: {host: h.vn, sender: a@b.vn, username_env: TEST_UNSET_USER, password_env: TEST_UNSET_PW}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEST_UNSET_")}
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(path), "config", "check"],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"{path}: hợp lệ — đơn vị «Sở GD&ĐT Đà Nẵng», 2 nguồn tin (2 đang bật)")
    assert "người ký báo cáo tháng: GIÁM ĐỐC (mặc định của Sở; đặt office.signer để đổi)" in lines
    assert any(line.startswith("Cảnh báo: nguồn tin 'b' ở 127.0.0.1") for line in lines)
    # a key path is written as in the file (alerts.enabled), so a word right after a dot is no English
    english = re.compile(r"(?<!\.)\b(sources|enabled|outlets|watchlist names|digest at|configured|signed by|default for|"
                         r"certificates|topic rules|hot groups|events from|warning|is not set|export it where)\b")
    # the scope line is classifiers/scope.py's (city_reading), translated with it
    assert [line for line in lines if english.search(line) and not line.startswith("scope: ")] == []


def test_a_mail_relay_without_login_is_told_how_to_go_without_the_variables(monkeypatch):
    """A Sở whose mail relay takes mail from its own network without a login: the error for unset credentials says
    how to send without them, not only to export them (nothing is sent: it is raised before connecting)."""
    from email.message import EmailMessage

    from monitor.config import Smtp
    from monitor.errors import NotifyError
    from monitor.mail import send_message

    monkeypatch.delenv("TEST_UNSET_USER", raising=False)
    monkeypatch.delenv("TEST_UNSET_PW", raising=False)
    smtp = Smtp(host="127.0.0.1", port=1, sender="diembao@so.example.vn", username_env="TEST_UNSET_USER",
                password_env="TEST_UNSET_PW")
    with pytest.raises(NotifyError) as err:
        send_message(smtp, EmailMessage())
    assert "export TEST_UNSET_USER=..." in err.value.hint
    assert "xóa smtp.username_env và smtp.password_env" in err.value.hint


@pytest.mark.parametrize("name, code", [
    ("Phòng Giáo dục và Đào tạo quận Long Biên", "PGDĐT"),
    ("Sở Giáo dục và Đào tạo tỉnh Tuyên Quang", "SGDĐT"),
    # since the 2025 reorganisation a ward's or commune's education sits with its Phòng Văn hóa - Xã hội, whose
    # documents are not numbered as an abolished Phòng GD&ĐT's
    ("Phòng Văn hóa - Xã hội phường Việt Hưng", "VHXH"),
    ("Phòng Văn hoá – Xã hội xã Bát Tràng", "VHXH"),
    ("Phòng VH-XH đặc khu Phú Quốc", "VHXH"),
])
def test_the_report_number_carries_the_code_of_the_kind_of_office(name, code):
    from monitor.config import Office

    assert Office(name=name, short_name=name, district="x", city="Hà Nội").document_code == code
