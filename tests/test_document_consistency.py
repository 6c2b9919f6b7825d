"""One thing, one name, in every place leadership and the clerk read it (Vietnamese-language review): a case's status
as the reports say it, the clipping's count of articles in every format, a size in MB in `status` as in `backup`, and
the office's own answer to an incident marked in the clipping and the case page as in the alert. All text invented."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from datetime import timedelta

from click.testing import CliRunner
from docx import Document

from monitor.cli import cli
from monitor.digest_delivery import load_digest, render_all
from test_digest import DAY, NOW, TZ, add_article, classify, digest_window, make_app, seed_day

FORMATS = {"txt", "md", "html", "docx"}
# an answer of the office to the poisoning, under another headline than the incident's (made up for this test)
ANSWER_TITLE = "Phòng GD&ĐT quận Long Biên chỉ đạo kiểm tra bếp ăn bán trú sau vụ học sinh nhập viện"


def _docx(rendered) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(rendered.docx)).paragraphs)


def _poisoning_with_answer(store, ids) -> tuple[int, int, int]:
    """seed_day's poisoning reprinted, then answered by the office in another outlet; scored with the answer left out
    as triage stores it (its explanation's "responses"): (story, reprint, answer)."""
    end = digest_window(DAY, "07:00", TZ)[1]
    reprint = add_article(store, url="https://khac.example.vn/nhap-vien.html", outlet="Dân trí",
                          title="Hơn 30 học sinh tiểu học ở Long Biên nhập viện sau bữa trưa bán trú",
                          published=end - timedelta(hours=4))
    answer = add_article(store, url="https://khac.example.vn/phong-chi-dao.html", outlet="Tiền Phong",
                         title=ANSWER_TITLE, published=end - timedelta(hours=2))
    classify(store, [(a, dict(topics=["y-te-the-chat"], sentiment="negative", hot=True, hot_score=0.9, scope="local"))
                     for a in (reprint, answer)])
    story = store.create_story(ids["ngo-doc"], NOW)
    store.add_story_member(story, reprint, NOW, similarity=0.97, matched_id=ids["ngo-doc"], reprint=True)
    store.add_story_member(story, answer, NOW, similarity=0.6, matched_id=ids["ngo-doc"], reprint=False)
    store.save_story_score(story, NOW, main_topic="y-te-the-chat", n_outlets=2, hot_score=88.0, severity="khẩn cấp",
                           reasons=["học sinh nhập viện"], explanation={"responses": [answer]})
    return story, reprint, answer


def test_the_clipping_names_a_new_case_as_the_reports_do_in_every_format(tmp_path):
    from monitor.report import STATUS_WORDS

    app = make_app(tmp_path)
    ids = seed_day(app.store)
    story, _, _ = _poisoning_with_answer(app.store, ids)
    app.store.open_case(story, NOW - timedelta(hours=3))
    d = load_digest(app, DAY)
    (item,) = [i for i in d.hot.items if i.story_id == story]
    said = STATUS_WORDS["mới"]
    assert said == "chưa tiếp nhận xử lý"
    assert item.case_label == said
    rendered = render_all(d, FORMATS)
    assert f"Tình trạng xử lý: {said}" in rendered.text and f"Tình trạng xử lý: {said}" in _docx(rendered)
    assert f"Tình trạng xử lý: <b>{said}</b>" in rendered.html_file
    assert f"tình trạng xử lý: *{said}*" in rendered.markdown
    for text in (rendered.text, rendered.markdown, rendered.html_file, _docx(rendered)):
        assert "xử lý: mới" not in text and "<b>mới</b>" not in text and "*mới*" not in text


def test_the_clipping_counts_its_articles_in_the_same_words_in_every_format(tmp_path):
    app = make_app(tmp_path)
    seed_day(app.store)
    d = load_digest(app, DAY)
    education, articles = d.summary.education, d.summary.articles
    assert 0 < education <= articles
    rendered = render_all(d, FORMATS)
    said = f"{education} trên tổng số {articles} tin, bài thu thập"
    assert f"Tin, bài về giáo dục: {said}" in rendered.text
    assert f"Tin, bài về giáo dục: {said}" in _docx(rendered)
    assert f"Tin, bài về giáo dục: **{education}** trên tổng số {articles} tin, bài thu thập" in rendered.markdown
    assert f"tin, bài về giáo dục trên tổng số {articles} tin, bài" in rendered.html_file
    for text in (rendered.text, rendered.markdown, rendered.html_file):
        assert not re.search(r"\d(\*\*)? / \d+ tin, bài|giáo dục / \d", text)


def test_the_office_answer_is_marked_among_the_clippings_related_articles_as_in_the_alert(tmp_path):
    from monitor.notify import RESPONSE_TAG

    app = make_app(tmp_path)
    ids = seed_day(app.store)
    story, _, answer = _poisoning_with_answer(app.store, ids)
    (item,) = [i for i in load_digest(app, DAY).hot.items if i.story_id == story]
    (related,) = item.related
    assert related.title == ANSWER_TITLE and related.response
    rendered = render_all(load_digest(app, DAY), FORMATS)
    tag = f"[{RESPONSE_TAG}]"
    assert tag == "[phản hồi của cơ quan]"
    for text in (rendered.text, rendered.markdown, rendered.html_file, _docx(rendered)):
        line = next(x for x in text.splitlines() if "Tin liên quan" in x and "Tiền Phong" in x)
        assert tag in line, line
        assert text.count(tag) == 1, "only the answer is marked"


def test_cases_show_marks_the_office_answer_as_the_alert_does(tmp_path, config_file):
    app = make_app(tmp_path)
    ids = seed_day(app.store)
    story, reprint, answer = _poisoning_with_answer(app.store, ids)
    case, _ = app.store.open_case(story, NOW)
    app.close()
    res = CliRunner().invoke(cli, ["--config", str(config_file), "cases", "show", str(case)])
    assert res.exit_code == 0, res.output
    line = next(x for x in res.output.splitlines() if ANSWER_TITLE in x)
    assert line.strip().startswith("- Tiền Phong [phản hồi của cơ quan]: "), line
    assert res.output.count("[phản hồi của cơ quan]") == 1
    # the spread counts the outlets that told the issue, as the alert does: the answer's Tiền Phong is not one
    spread = next(x for x in res.output.splitlines() if x.strip().startswith("Lan truyền:"))
    assert spread.strip().endswith(": 2 báo"), spread
    reprinted = next(x for x in res.output.splitlines() if "khac.example.vn/nhap-vien" in x)
    assert "[đăng lại]" in reprinted and "phản hồi" not in reprinted
    data = json.loads(CliRunner().invoke(cli, ["--config", str(config_file), "cases", "show", str(case), "--json"]).output)
    assert [s["response"] for s in data["sources"] if s["url"].endswith("phong-chi-dao.html")] == [True]
    assert sum(s["response"] for s in data["sources"]) == 1


def test_status_and_backup_say_the_same_megabytes_of_the_same_database(tmp_path, config_file):
    app = make_app(tmp_path)
    seed_day(app.store)
    path = app.store.path
    app.close()
    con = sqlite3.connect(path)
    # ~2.6 MB: 1,048,576-byte and 1,000,000-byte megabytes differ in the first decimal there
    con.execute("CREATE TABLE padding (x BLOB)")
    con.execute("INSERT INTO padding VALUES (zeroblob(2500000))")
    con.commit()
    con.close()
    runner = CliRunner()
    status = runner.invoke(cli, ["--config", str(config_file), "status"])
    assert status.exit_code == 0, status.output
    out = tmp_path / "sao-luu.sqlite3"
    backup = runner.invoke(cli, ["--config", str(config_file), "backup", "--out", str(out)])
    assert backup.exit_code == 0, backup.output
    in_status = re.search(r"Cơ sở dữ liệu: .* \(([\d.,]+) MB\)", status.output).group(1)
    in_backup = re.search(r"Đã ghi bản sao lưu .*: ([\d.,]+) MB,", backup.output).group(1)
    assert out.stat().st_size == sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    assert in_status == in_backup == f"{out.stat().st_size / 1e6:.1f}".replace(".", ","), (in_status, in_backup)


def test_the_office_answer_keeps_its_place_when_the_story_has_more_related_articles_than_shown(tmp_path):
    """Three related articles are shown, oldest first: the office's answer, usually the latest, was cut, while the
    reasons said it was left out of the level. It keeps a place; the earliest others fill the rest."""
    app = make_app(tmp_path)
    ids = seed_day(app.store)
    story, _, answer = _poisoning_with_answer(app.store, ids)
    end = digest_window(DAY, "07:00", TZ)[1]
    developments = []
    for n, (outlet, title) in enumerate((
            ("Lao Động", "Phụ huynh kể lại buổi chiều con đau bụng, sốt sau bữa bán trú"),
            ("Thanh Niên", "Bệnh viện cho biết phần lớn học sinh đã ổn định sức khỏe"),
            ("Tuổi Trẻ", "Mẫu thức ăn bữa trưa bán trú được gửi đi kiểm nghiệm"))):
        a = add_article(app.store, url=f"https://khac.example.vn/dien-bien-{n}.html", outlet=outlet, title=title,
                        published=end - timedelta(hours=3, minutes=50 - n))
        classify(app.store, [(a, dict(topics=["y-te-the-chat"], sentiment="negative", hot=True, hot_score=0.8,
                                      scope="local"))])
        app.store.add_story_member(story, a, NOW, similarity=0.5, matched_id=ids["ngo-doc"], reprint=False)
        developments.append(title)
    (item,) = [i for i in load_digest(app, DAY).hot.items if i.story_id == story]
    assert [r.title for r in item.related] == [*developments[:2], ANSWER_TITLE]
    assert [r.response for r in item.related] == [False, False, True]
