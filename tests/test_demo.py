"""`monitor demo` end to end: local news site -> crawl -> classify -> stories -> digest files.

Checked loosely against the labels written with the sample (monitor/demo_data/articles.yaml), as a
person reading the clipping would: plan topic names as headings, noise left out, incidents on top.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from classifiers.plan_topics import PLAN_TOPICS
from monitor.demo import demo_cases, expected_labels

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_FEEDS = ROOT / "monitor" / "templates" / "feeds.example.yaml"  # the Long Biên office, whatever feeds.yaml says


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(SHIPPED_FEEDS), "demo", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


def _titles_by_expectation(pred):
    import yaml

    items = yaml.safe_load((ROOT / "monitor" / "demo_data" / "articles.yaml").read_text(encoding="utf-8"))
    return [i["title"] for i in items if pred(i)]


def test_demo_writes_every_format_and_names_them(demo_run):
    out, stdout = demo_run
    digest_dir = out / "digest"
    for ext in ("html", "txt", "md", "docx"):
        files = list(digest_dir.glob(f"*.{ext}"))
        assert len(files) == 1, ext
        assert str(files[0]) in stdout
    assert (out / "monitor.sqlite3").is_file()
    # the closing line's counts for the clipping are the clipping's own (its window, not the whole crawl)
    txt = next(digest_dir.glob("*.txt")).read_text(encoding="utf-8")
    said = re.search(r"\(24 giờ trước giờ chốt\): (\d+) tin, bài về giáo dục, (\d+) vấn đề nóng", stdout)
    shown = re.search(r"Tin, bài về giáo dục: (\d+) trên tổng số ", txt)
    assert said and shown and said.group(1) == shown.group(1), stdout
    # and its hot issues the clipping's: a likely follow-up of another is counted with it, as the clipping says
    hot = re.search(r"Vấn đề nóng: (\d+)", txt)
    assert hot and said.group(2) == hot.group(1), (said.group(0), hot and hot.group(0))
    # the run is "lần chạy thử" in every line it prints, as its --help calls it, never the English "demo"
    report_line = next(line for line in stdout.splitlines() if line.startswith("Báo cáo tháng"))
    assert "lần chạy thử" in report_line and "demo" not in report_line, report_line
    # the model's doubt has one name, as `review --help` and `review` itself say it
    hint = next(line for line in stdout.splitlines() if line.rstrip().endswith("phân vân nhất"))
    assert hint.endswith("# những bài mô hình phân vân nhất"), hint


def test_digest_groups_education_under_plan_topics_and_leaves_noise_out(demo_run):
    out, _ = demo_run
    text = next((out / "digest").glob("*.txt")).read_text(encoding="utf-8")
    names = dict(PLAN_TOPICS)
    headings = [name for tid, name in PLAN_TOPICS if name in text]
    assert len(headings) >= 6, headings
    noise = _titles_by_expectation(lambda i: not i["expected"]["is_education"])
    assert noise and not [t for t in noise if t in text], "non-education noise reached the clipping"
    in_window_edu = _titles_by_expectation(lambda i: i["expected"]["is_education"] and 0 < i["hours_before_cutoff"] < 24)
    shown = [t for t in in_window_edu if t in text]
    assert len(shown) >= 0.8 * len(in_window_edu), f"{len(shown)}/{len(in_window_edu)} education items shown"
    after_cutoff = _titles_by_expectation(lambda i: i["hours_before_cutoff"] < 0)
    assert not [t for t in after_cutoff if t in text], "items published after the cut-off belong to the next day"
    assert names["an-toan-truong-hoc"] in text


def test_hot_incidents_come_first(demo_run):
    out, _ = demo_run
    text = next((out / "digest").glob("*.txt")).read_text(encoding="utf-8")
    hot_start = text.index("VẤN ĐỀ NÓNG")
    next_section = text.index("\nIII.", hot_start)
    hot_block = text[hot_start:next_section]
    hot_titles = _titles_by_expectation(lambda i: i["expected"]["hot"] and 0 < i["hours_before_cutoff"] < 24)
    found = [t for t in hot_titles if t in hot_block]
    assert len(found) >= 0.6 * len(hot_titles), found


def test_expected_labels_are_well_formed():
    labels = expected_labels()
    assert len(labels) >= 40
    assert sum(1 for l in labels.values() if l["is_education"]) >= 40


def test_the_demo_database_answers_the_analysts_review(demo_run):
    """The clerk's next step after the demo (its closing lines name it): the queue of doubtful calls."""
    import json

    out, stdout = demo_run
    assert "review" in stdout
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(out / "feeds.yaml"), "review", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    queue = json.loads(proc.stdout)["articles"]
    assert queue, "the sample's borderline articles make the model hesitate"
    assert all(a["label_command"].startswith(f"monitor label {a['id']} ") and a["questions"] for a in queue)
    assert [a["doubt"] for a in queue] == sorted((a["doubt"] for a in queue), reverse=True)


def test_demo_shows_an_item_from_outside_the_press_and_what_the_office_did(demo_run):
    """The clerk's part of the demo (monitor/demo_data/cases.yaml): a hot issue entered from outside the press, and
    what was done about the hot issues, in the clipping and in the month's report."""
    out, stdout = demo_run
    (item,) = demo_cases()["outside_press"]
    assert item["source"] == "Nhóm Facebook Cư dân phường Phúc Lợi"
    text = next((out / "digest").glob("*.txt")).read_text(encoding="utf-8")
    hot_block = text[text.index("VẤN ĐỀ NÓNG"):text.index("\nIII.")]
    assert item["title"] in hot_block and f"Nguồn: {item['source_kind']} – {item['source']}" in hot_block
    assert "Tình trạng xử lý: đang xử lý (đã báo cáo UBND quận Long Biên; đã trả lời báo chí: Tiền Phong)" in hot_block
    assert "Việc đã làm gần nhất (ngày" in hot_block
    (html,) = (out / "report").glob("*.html")
    report = html.read_text(encoding="utf-8")
    assert item["title"] in report and "Đã báo cáo: UBND quận Long Biên" in report
    assert "người phát ngôn: Phó Trưởng phòng Nguyễn Văn An" in report
    assert str(html) in stdout


DA_NANG_OFFICE = """office:
  name: Sở Giáo dục và Đào tạo thành phố Đà Nẵng
  short_name: Sở GD&ĐT Đà Nẵng
  district: Đà Nẵng
  city: Đà Nẵng
  watchlist:
    wards: [phường Hòa Khánh Bắc, phường Tam Kỳ]
    schools: [THCS Lê Văn Tám Hòa Khánh]
"""


NGHE_AN_OFFICE = """office:
  name: Sở Giáo dục và Đào tạo tỉnh Nghệ An
  short_name: Sở GD&ĐT Nghệ An
  district: Nghệ An
  city: Nghệ An
  watchlist:
    wards: [phường Vinh Phú, xã Diễn Châu]
"""


def _demo_as(tmp_path, office: str):
    text = SHIPPED_FEEDS.read_text(encoding="utf-8")
    start, end = text.index("office:"), text.index("crawler:")
    config = tmp_path / "feeds.yaml"
    config.write_text(text[:start] + office + "\n" + text[end:], encoding="utf-8")
    out = tmp_path / "demo"
    proc = subprocess.run([sys.executable, "-m", "monitor", "--config", str(config), "demo", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return out, proc


def _hot_item(clipping: str, title: str) -> str:
    """The lines of the clipping's hot issue titled `title`, up to the next item or section."""
    start = clipping.index(title)
    rest = clipping[start:]
    end = min((i for i in (rest.find("\n\n"), rest.find("\nIII.")) if i > 0), default=len(rest))
    return rest[:end]


FIGHT = "Nam sinh lớp 8 bị nhóm bạn đánh hội đồng gần cổng trường ở Long Biên"


def test_the_demo_runs_as_the_office_of_its_configuration(tmp_path):
    """`monitor demo` says it uses the office of --config: a Sở of Đà Nẵng's clipping and report are the Sở's
    (letterhead, its area's section, signer, recipients), not Long Biên's. Before, the demo always ran as the shipped
    Phòng of Long Biên. The sample has no hot press story in Đà Nẵng: its clerk reports nothing about the Long Biên
    incident to the city's committee nor answers the press about it (the demo did), but closes it as another
    area's and the demo says why."""
    out, proc = _demo_as(tmp_path, DA_NANG_OFFICE)
    assert "tin mẫu là tin về Hà Nội" in proc.stdout  # why its own area's section may be empty
    clipping = next((out / "digest").glob("*.txt")).read_text(encoding="utf-8")
    assert clipping.startswith("SỞ GIÁO DỤC VÀ ĐÀO TẠO THÀNH PHỐ ĐÀ NẴNG\n")
    assert "TIN TRÊN ĐỊA BÀN THÀNH PHỐ ĐÀ NẴNG" in clipping and "LONG BIÊN\n" not in clipping
    assert "Nguồn: mạng xã hội – Nhóm Facebook Cư dân phường Hòa Khánh Bắc" in clipping
    assert "đã báo cáo" not in clipping and "UBND quận Long Biên" not in clipping
    assert "Tình trạng xử lý: ngoài địa bàn" in _hot_item(clipping, FIGHT), clipping
    assert ("(ngoài địa bàn), Trần Văn Minh: Vụ việc ở quận Long Biên, Hà Nội, không thuộc địa bàn thành phố Đà Nẵng — "
            "tin mẫu không có vấn đề nóng nào trên địa bàn thành phố Đà Nẵng") in proc.stdout
    (html,) = (out / "report").glob("*.html")
    report = html.read_text(encoding="utf-8")
    assert "Sở Giáo dục và Đào tạo thành phố Đà Nẵng" in report and "ĐỊA BÀN THÀNH PHỐ ĐÀ NẴNG" in report
    import docx

    document = docx.Document(next((out / "report").glob("*.docx")))
    signed = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        c.text for table in document.tables for row in table.rows for c in row.cells)
    assert "- UBND thành phố Đà Nẵng (để báo cáo);\n- Ban Giám đốc Sở;" in signed and "GIÁM ĐỐC" in signed
    assert "TRƯỞNG PHÒNG" not in signed
    assert "người phát ngôn" not in report and "Đã báo cáo" not in report
    assert "Phòng GD&ĐT quận Long Biên" not in (out / "feeds.yaml").read_text(encoding="utf-8")


def test_another_offices_clerk_acts_on_a_hot_story_of_its_own_area(tmp_path):
    """A Sở of Nghệ An running the demo recorded its clerk reporting the Long Biên fight to UBND tỉnh Nghệ An and a
    Nghệ An spokesperson answering the press about it. Its records go on the sample's Nghệ An story instead (the
    fees inspection), naming its committee, titles and the outlet that carried it; the Long Biên case is left alone."""
    out, proc = _demo_as(tmp_path, NGHE_AN_OFFICE)
    clipping = next((out / "digest").glob("*.txt")).read_text(encoding="utf-8")
    fees = _hot_item(clipping, "Thanh tra phát hiện trường tiểu học thu sai hơn 700 triệu đồng đầu năm học")
    assert "Tình trạng xử lý: đang xử lý (đã báo cáo UBND tỉnh Nghệ An; đã trả lời báo chí: Dân Trí)" in fees, fees
    assert "Tình trạng xử lý: chưa tiếp nhận xử lý" in _hot_item(clipping, FIGHT), clipping
    assert "UBND quận Long Biên" not in clipping and "Tiền Phong)" not in clipping
    assert "ngoài địa bàn), Trần Văn Minh" not in proc.stdout
    (html,) = (out / "report").glob("*.html")
    report = html.read_text(encoding="utf-8")
    assert "người phát ngôn: Phó Giám đốc Sở Nguyễn Văn An; theo chỉ đạo của Chủ tịch UBND tỉnh" in report


def test_the_clerks_words_follow_the_office():
    """demo_data/cases.yaml's placeholders: the shipped office keeps the demo's words as they were."""
    from monitor.config import load_config
    from monitor.demo import office_words

    shipped = office_words(load_config(SHIPPED_FEEDS).office, "Phúc Lợi")
    assert shipped == {"ward": "phường Phúc Lợi", "ward_slug": "phucloi", "governing_body": "UBND quận Long Biên",
                       "deputy": "Phó Trưởng phòng", "chair": "Chủ tịch UBND quận", "area": "quận Long Biên"}


def test_alerts_with_no_channel_are_not_said_to_be_waiting(demo_run):
    """The shipped office has no alert channel (alerts.channels: []): the demo said "11 cảnh báo chờ gửi", alerts that
    nobody will ever receive, as `monitor alerts --all` says. It now says they go to no one, and why."""
    _, stdout = demo_run
    said = re.search(r"(\d+) cảnh báo không gửi được cho ai: chưa cấu hình kênh nhận \(alerts.channels trống", stdout)
    assert said and int(said.group(1)) > 0, stdout
    assert "cảnh báo chờ gửi" not in stdout


THANH_TRI_UNMARKED_CITY = """office:
  name: Phòng Giáo dục và Đào tạo huyện Thanh Trì
  short_name: Phòng GD&ĐT huyện Thanh Trì
  district: Thanh Trì
  city: Ha Noi
  watchlist:
    wards: [xã Tả Thanh Oai, thị trấn Văn Điển]
"""


def test_a_city_typed_without_diacritics_is_printed_as_the_province_table_names_it(tmp_path):
    """office.city "Ha Noi" (the README says diacritics are optional) resolved in `config check`, but the clipping
    printed "Tin trong tỉnh Ha Noi" (the wrong kind of unit, unmarked) and the report's Nơi nhận "Sở GD&ĐT Ha Noi"."""
    out, proc = _demo_as(tmp_path, THANH_TRI_UNMARKED_CITY)
    clipping = next((out / "digest").glob("*.txt")).read_text(encoding="utf-8")
    assert "Tin trong thành phố Hà Nội" in clipping and "Ha Noi" not in clipping, clipping
    import docx

    document = docx.Document(next((out / "report").glob("*.docx")))
    signed = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        c.text for table in document.tables for row in table.rows for c in row.cells)
    assert "- Sở GD&ĐT Hà Nội;" in signed and "Ha Noi" not in signed
