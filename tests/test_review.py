"""The analyst's review queue (monitor.review, `monitor review`): the model's doubtful calls, one per event."""

from __future__ import annotations

import json
import shlex
from datetime import datetime, timedelta

from click.testing import CliRunner

from monitor.app import App
from monitor.cli import cli
from monitor.review import MIN_DOUBT, Question, review_queue
from test_digest import TZ, add_article, article, classify, cls
from test_service_support import write_config

T0 = datetime(2026, 11, 25, 20, 0, tzinfo=TZ)


def test_doubt_is_a_coin_toss_at_one_and_a_hot_call_counts_as_far_as_the_article_is_education():
    assert Question("education", True, 0.5).doubt == 1.0
    assert Question("education", False, 0.05).doubt == 0.1
    assert abs(Question("hot", True, 0.4, weight=0.5).doubt - 0.4) < 1e-9
    assert Question("education", False, 0.42).label == "giáo dục: không (điểm 0.42)"  # a threshold not known


def test_doubt_is_centred_on_each_decisions_threshold_and_the_label_shows_score_and_threshold():
    """The analyst's review: 'máy phân vân 54%: nóng: có (27%)' read as the opposite of the decision, since the hot
    threshold is 0.17 and the doubt was centred on 0.5: a call at 0.20 ranked below a sure one at 0.73, and one at
    0.12, just missed, never came. Centred on the threshold, and said as score and threshold."""
    def hot(p):
        return Question("hot", p >= 0.17, p, threshold=0.17)

    assert hot(0.17).doubt == 1.0 and hot(0.0).doubt == 0.0 and abs(hot(1.0).doubt) < 1e-9
    assert hot(0.20).doubt > hot(0.12).doubt > hot(0.73).doubt
    assert hot(0.12).doubt >= MIN_DOUBT > hot(0.9).doubt
    assert hot(0.20).label == "nóng: có (điểm 0.20, ngưỡng 0.17)"
    assert hot(0.12).label == "nóng: không (điểm 0.12, ngưỡng 0.17)"
    # calls the score alone did not make: an incident admitted as education below its threshold, a story abroad
    assert Question("education", True, 0.35, threshold=0.51).label == \
        "giáo dục: có (điểm 0.35, dưới ngưỡng 0.51: nhận vì là sự cố nóng)"
    assert Question("hot", False, 0.4, threshold=0.17).label == \
        "nóng: không (điểm 0.40, ngưỡng 0.17: tin nước ngoài không tính là nóng)"
    # a threshold of 0.5, or none known: as before, a coin toss at 0.5
    assert Question("education", True, 0.75, threshold=0.5).doubt == Question("education", True, 0.75).doubt == 0.5


def test_queue_ranks_by_doubt_one_per_event_skipping_labelled_and_sure_articles():
    arts = [article(1, "Sở GD&ĐT Hà Nội công bố phương án tuyển sinh lớp 10 năm 2027", "VnExpress", T0,
                    sapo="Thí sinh thi ba môn Toán, Ngữ văn, Ngoại ngữ; điểm chuẩn công bố đầu tháng 7."),
            article(2, "Hà Nội công bố phương án tuyển sinh lớp 10 năm 2027: thi ba môn", "Dân trí", T0,
                    sapo="Sở GD&ĐT Hà Nội cho biết thí sinh thi Toán, Ngữ văn, Ngoại ngữ; điểm chuẩn công bố tháng 7."),
            article(3, "Câu lạc bộ cờ vua thiếu nhi khai giảng khóa hè tại Nhà văn hóa quận", "Thanh Niên", T0),
            article(4, "Học sinh lớp 8 bị nhóm bạn đánh hội đồng ngoài cổng trường", "Tuổi Trẻ", T0),
            article(5, "Giá xăng giảm nhẹ từ chiều nay", "VnExpress", T0),
            article(6, "Trường mầm non tổ chức ngày hội trải nghiệm nghề nghiệp", "VietnamPlus", T0)]
    pairs = [(arts[0], cls(1, relevance=0.55)),  # education, nearly a coin toss
             (arts[1], cls(2, relevance=0.52)),  # the same event in another outlet: a reprint teaches nothing new
             (arts[2], cls(3, edu=False, relevance=0.40)),
             (arts[3], cls(4, relevance=0.95, hot=True, hot_score=0.35, sentiment="negative")),  # sure it is education, not sure it is hot
             (arts[4], cls(5, edu=False, relevance=0.02)),  # sure: never queued
             (arts[5], cls(6, relevance=0.7))]
    queue = review_queue(pairs, labelled=[6])
    ids = [d.article.id for d in queue]
    assert ids == [2, 3, 4], "most doubtful first; one article per event; sure or already labelled never"
    assert all(d.doubt >= MIN_DOUBT for d in queue)
    hot = queue[2]
    assert [q.decision for q in hot.unsure_about] == ["hot"] and hot.unsure_about[0].label == "nóng: có (điểm 0.35)"
    assert hot.label_command == 'monitor label 4 --education --hot có --topics - --sentiment "tiêu cực"'
    assert queue[1].label_command == "monitor label 3 --not-education"
    assert [d.article.id for d in review_queue(pairs, labelled=[6], limit=2)] == [2, 3]
    assert [d.article.id for d in review_queue(pairs, labelled=[2, 6])] == [1, 3, 4], "its reprint takes its place"


def test_monitor_review_lists_the_queue_and_forgets_what_an_analyst_labelled(tmp_path):
    cfg = write_config(tmp_path)
    app = App.from_path(cfg)
    store = app.store
    ids = [add_article(store, url=f"https://news.example.vn/r{n}.html", outlet=outlet, title=title, published=when)
           for n, (outlet, title, when) in enumerate([
               ("Dân trí", "Câu lạc bộ robot thiếu nhi ra mắt ở Long Biên", T0),
               ("VnExpress", "Phụ huynh phản ánh tiền quỹ lớp đầu năm ở một trường tiểu học", T0 - timedelta(days=1)),
               ("Tuổi Trẻ", "Thị trường vàng tuần qua biến động mạnh", T0),
               ("Thanh Niên", "Trường THCS khánh thành thư viện xanh", T0 - timedelta(days=20))])]
    robot, fund, gold, old = ids
    classify(store, [(robot, dict(edu=False, relevance=0.45)),
                     (fund, dict(relevance=0.9, hot=True, hot_score=0.3, sentiment="negative", topics=["hoc-phi-thu-chi"])),
                     (gold, dict(edu=False, relevance=0.01)),
                     (old, dict(edu=False, relevance=0.5))])  # doubtful, but before --since
    app.close()

    def review(*args):
        result = CliRunner().invoke(cli, ["--config", str(cfg), "review", "--since", "2026-11-20", *args])
        assert result.exit_code == 0, result.output
        return result.output

    data = json.loads(review("--json"))
    assert [a["id"] for a in data["articles"]] == [robot, fund]
    # in the listings' words, which `monitor label` accepts as well (clerk journey: it suggested "--hot yes")
    command = f'monitor label {fund} --education --hot có --topics hoc-phi-thu-chi --sentiment "tiêu cực"'
    assert data["articles"][1]["label_command"] == command
    assert data["articles"][0]["questions"] == [{"decision": "education", "model_says": False, "score": 0.45,
                                                 "threshold": None, "doubt": 0.9}]
    text = review()
    assert "mô hình phân vân 90%: giáo dục: không (điểm 0.45)" in text and f"monitor label {robot} --not-education" in text
    assert "Thị trường vàng" not in text and "thư viện xanh" not in text

    labelled = CliRunner().invoke(cli, ["--config", str(cfg), "label", str(robot), "--education", "--by", "Thu Hà"])
    assert labelled.exit_code == 0, labelled.output
    assert [a["id"] for a in json.loads(review("--json"))["articles"]] == [fund]
    # the suggested command runs as printed, shell quoting and all
    labelled = CliRunner().invoke(cli, ["--config", str(cfg), *shlex.split(command)[1:], "--by", "Thu Hà"])
    assert labelled.exit_code == 0, labelled.output
    app = App.from_path(cfg)
    label = app.store.article_labels(fund)[-1]
    app.close()
    assert (label["hot"], label["sentiment"], label["topics"]) == (True, "negative", ["hoc-phi-thu-chi"]), label
    assert json.loads(review("--json"))["articles"] == []
    bad = CliRunner().invoke(cli, ["--config", str(cfg), "review", "--since", "20.11.2026"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_status_counts_what_awaits_review_and_each_feeds_education_share(tmp_path):
    cfg = write_config(tmp_path)
    app = App.from_path(cfg)  # the real clock: `monitor status` looks at the days before now
    yesterday = app.now() - timedelta(days=1)
    store = app.store
    titles = ["Trường tiểu học tổ chức ngày hội đọc sách", "Câu lạc bộ robot thiếu nhi ra mắt",
              "Giá rau xanh tăng sau mưa lớn", "Sở GD&ĐT công bố lịch thi học kỳ"]
    ids = [add_article(store, url=f"https://bao-vi-du.vn/giao-duc/{n}.html", outlet="Báo Ví Dụ", title=t,
                       published=yesterday, source="vi-du-giao-duc") for n, t in enumerate(titles)]
    classify(store, [(ids[0], dict(relevance=0.97)), (ids[1], dict(edu=False, relevance=0.45)),
                     (ids[2], dict(edu=False, relevance=0.02)), (ids[3], dict(relevance=0.6))], now=yesterday)
    store.add_label(ids[3], by="Thu Hà", at=app.now(), is_education=True)
    app.close()
    result = CliRunner().invoke(cli, ["--config", str(cfg), "status", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["model"]["awaiting_review"] == 1, "the unsure one; the sure ones and the labelled one are not waiting"
    (feed,) = [s for s in data["sources"] if s["name"] == "vi-du-giao-duc"]
    assert feed["classified_recently"] == {"days": 7, "articles": 4, "education": 2}
    text = CliRunner().invoke(cli, ["--config", str(cfg), "status"]).output
    assert "Chờ xem lại: 1 bài chưa có nhãn mà mô hình còn phân vân" in text and "giáo dục  50%/7 ngày" in text


def test_candidates_read_by_scores_are_the_queue_of_the_whole_articles_and_classifications(tmp_path):
    """review_candidates reads a window's four scores and only the doubtful articles whole: its queue and count
    are those of every article with its current classification (the active version's, else the newest of any
    version's), labelled ones left out, as review_queue makes it from everything read whole."""
    from dataclasses import replace

    from monitor.review import review_candidates
    from monitor.stories import article_text

    app = App.from_path(write_config(tmp_path))
    store = app.store
    start, now = T0 - timedelta(days=7), T0 + timedelta(hours=1)
    news = {key: add_article(store, url=f"https://bao-vi-du.vn/xem-lai/{key}.html", outlet=outlet, title=title,
                             sapo=sapo, published=when)
            for key, outlet, title, sapo, when in [
                ("only-old", "Dân trí", "Câu lạc bộ khoa học nhí ra mắt ở nhà văn hóa phường Bồ Đề",
                 "Các em được làm thí nghiệm đơn giản mỗi chiều thứ bảy.", T0 - timedelta(days=1)),
                ("old-unsure", "VnExpress", "Giá thuê nhà trọ quanh các trường đại học tăng mạnh",
                 "Sinh viên năm nhất chật vật tìm chỗ ở trước ngày nhập học.", T0 - timedelta(days=2)),
                ("new-unsure", "Tuổi Trẻ", "Phụ huynh phản ánh bữa ăn bán trú ít thịt ở một trường tiểu học",
                 "Nhà trường cho biết sẽ rà soát thực đơn cùng đơn vị cung cấp.", T0 - timedelta(days=3)),
                ("newest-unsure", "Thanh Niên", "Quận tổ chức giải bóng đá thiếu niên dịp hè",
                 "Mười sáu đội bóng của các phường tham gia vòng loại.", T0 - timedelta(days=4)),
                ("newest-sure", "VietnamPlus", "Trường THCS khánh thành nhà đa năng mới",
                 "Công trình gồm sân tập thể chất và phòng học nghệ thuật.", T0 - timedelta(days=5)),
                ("labelled", "Dân trí", "Giáo viên hợp đồng chờ xét tuyển viên chức",
                 "Nhiều người đã dạy hơn mười năm nhưng chưa được ký hợp đồng dài hạn.", T0 - timedelta(days=1)),
                ("unclassified", "VnExpress", "Học sinh lớp 5 nhặt được ví tiền trả lại người đánh rơi",
                 "Em được nhà trường tuyên dương trước toàn trường.", T0 - timedelta(hours=3)),
                ("too-early", "Tuổi Trẻ", "Trường mầm non tổ chức ngày hội gia đình",
                 "Phụ huynh cùng các bé làm bánh và trồng cây.", T0 - timedelta(days=20))]}
    day = timedelta(days=1)

    def classify_as(version: str, at: datetime, items: dict[str, dict]) -> None:
        store.register_model_version(version, at)
        store.save_classifications([(news[k], replace(cls(news[k], **kw), model_version=version))
                                    for k, kw in items.items()], at)

    unsure, sure = dict(edu=False, relevance=0.5), dict(edu=False, relevance=0.02)
    classify_as("v1", T0 - 9 * day, {"only-old": unsure, "old-unsure": unsure, "new-unsure": dict(relevance=0.98),
                                     "newest-sure": unsure, "too-early": unsure})
    classify_as("v2", T0 - 8 * day, {"newest-unsure": sure, "newest-sure": sure})
    classify_as("v1", T0 - 7 * day, {"newest-unsure": dict(relevance=0.6)})  # v1 again, after v2: the newest
    classify_as("v3", T0 - 6 * day, {"old-unsure": sure, "new-unsure": dict(relevance=0.97, hot=True, hot_score=0.4),
                                     "labelled": unsure})  # v3, registered last, is the active version
    store.add_label(news["labelled"], by="Thu Hà", at=T0, is_education=True)
    assert store.active_model_version() == "v3"

    queue, unlabelled = review_candidates(store, start, now, limit=20)
    assert {d.article.id for d in queue} == {news["only-old"], news["new-unsure"], news["newest-unsure"]}, (
        "an article only an older version classified counts; the active version's classification wins, else the "
        "newest; labelled, unclassified and earlier articles never")
    assert unlabelled == 5

    # as the queue was made from every article and classification read whole
    found = list(store.articles_between(start, now))
    classes = store.classifications_for([a.id for a in found])
    labelled = {row["article_id"] for row in store.labels()}
    before = review_queue(((a, classes[a.id]) for a in found if a.id in classes), labelled=labelled,
                          background=[article_text(a) for a in found], limit=20)
    assert [(d.article.id, d.doubt, d.unsure_about, d.label_command, d.classification.model_version) for d in queue] == [
        (d.article.id, d.doubt, d.unsure_about, d.label_command, d.classification.model_version) for d in before]
    assert unlabelled == len([a for a in found if a.id in classes and a.id not in labelled])
    assert [d.article.id for d in review_candidates(store, start, now, limit=2)[0]] == [d.article.id for d in before[:2]]
    app.close()


def test_monitor_review_reads_each_versions_thresholds_and_lists_a_hot_call_just_missed(tmp_path):
    """The thresholds a version decided at are in its classifications' evidence: `monitor review` centres each
    article's doubt on them and says score and threshold, so a story scored 0.12 against a hot threshold of 0.17 (not
    hot, just) is listed, and one the model called hot at 0.85 is not."""
    from dataclasses import replace

    cfg = write_config(tmp_path)
    app = App.from_path(cfg)
    store = app.store
    missed, sure, plain = [add_article(store, url=f"https://news.example.vn/t{n}.html", outlet=outlet, title=title,
                                       published=T0 - timedelta(hours=n))
                           for n, (outlet, title) in enumerate([
                               ("Tuổi Trẻ", "Phụ huynh phản ánh học sinh bị phạt đứng ngoài nắng"),
                               ("Dân trí", "Học sinh lớp 9 bị đánh hội đồng trước cổng trường"),
                               ("VnExpress", "Trường tiểu học tổ chức ngày hội đọc sách")])]
    evidence = {"thresholds": {"education": 0.51, "hot": 0.17, "topics": {}}}
    store.register_model_version("edu-nlp.test+rules.x", T0)
    store.save_classifications([
        (missed, replace(cls(missed, relevance=0.97, hot=False, hot_score=0.12, sentiment="negative"),
                         model_version="edu-nlp.test+rules.x", evidence=evidence)),
        (sure, replace(cls(sure, relevance=0.99, hot=True, hot_score=0.85, sentiment="negative"),
                       model_version="edu-nlp.test+rules.x", evidence=evidence)),
        (plain, replace(cls(plain, relevance=0.99, hot=False, hot_score=0.01),
                        model_version="edu-nlp.test+rules.x", evidence=evidence))], T0)
    app.close()
    res = CliRunner().invoke(cli, ["--config", str(cfg), "review", "--since", "2026-11-20", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert [a["id"] for a in data["articles"]] == [missed], "0.12 against 0.17 is doubtful; 0.85 and 0.01 are not"
    assert data["articles"][0]["questions"] == [{"decision": "hot", "model_says": False, "score": 0.12,
                                                 "threshold": 0.17, "doubt": round(0.12 / 0.17 * 0.97, 3)}]
    text = CliRunner().invoke(cli, ["--config", str(cfg), "review", "--since", "2026-11-20"]).output
    assert "mô hình phân vân 68%: nóng: không (điểm 0.12, ngưỡng 0.17)" in text, text
