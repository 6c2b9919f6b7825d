"""An analyst's labels as the office audits them: what training will learn of one (said when it is written, and fixed
then, not by a later model), a label withdrawn (`monitor label ID --withdraw N`) and its case, the office's labels
listed (`monitor labels`), `monitor explain` saying the corrected reading first, an option given twice refused."""

from __future__ import annotations

import json
from datetime import timedelta

from click.testing import CliRunner

from monitor.cli import cli
from test_triage_support import FIGHT_SAPO, FIGHT_TITLE, Cls, add_article, make_app

# invented news for these tests
GOLD = ("Giá vàng miếng tăng thêm nửa triệu đồng mỗi lượng sáng nay", "Giá vàng trong nước đi lên theo giá thế giới.")
READING = ("Trường tiểu học tổ chức ngày hội đọc sách cho học sinh", "Học sinh trao đổi sách cũ, giới thiệu sách hay.")
NOT_EDU = Cls(is_education=False, hot_score=0.0, sentiment="neutral", scope="national", topics=(), reasons=())
CALM = Cls(hot_score=0.05, sentiment="neutral", scope="city", topics=("dao-duc-ky-nang",), reasons=())


def run(tmp_path, *args, ok=True):
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.yaml"), *args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


def _two_articles(tmp_path):
    """An app holding a gold-price item the model read as not education and a school item it read as education."""
    app = make_app(tmp_path)
    gold = add_article(app, "VnExpress", "gold", *GOLD, app.now() - timedelta(hours=2), NOT_EDU)
    school = add_article(app, "Tuổi Trẻ", "reading", *READING, app.now() - timedelta(hours=1), CALM)
    return app, gold, school


def _reclassify(app, aid: int, *, education: bool) -> None:
    """A new model's call on one article, made the current one (as `monitor reclassify` with new models does)."""
    from classifiers.types import Classification

    app.store.register_model_version("test-model-2", app.now())
    topics = ("dao-duc-ky-nang",) if education else ()
    app.store.save_classifications([(aid, Classification(
        id=str(aid), is_education=education, relevance=0.9 if education else 0.1, topics=topics,
        topic_scores={t: 0.9 for t in topics}, sentiment="neutral", hot=False, hot_score=0.0, scope="city",
        reasons=(), model_version="test-model-2"))], app.now())


# ---------------------------------------------------------------------------- what training learns (finding 4, 12)


def test_a_label_training_will_not_learn_says_so_and_what_to_add(tmp_path):
    """A tone alone on an article not shown as education is never learnt (its education is unknown): the command
    says so when the label is written and names the options that make it learnt; with one of them it is learnt."""
    from classifiers.train import database_labels

    app, gold, school = _two_articles(tmp_path)
    app.close()
    out = run(tmp_path, "label", str(gold), "--sentiment", "positive", "--by", "Lan").output
    assert "sẽ không được học" in out and "--education hoặc --not-education" in out, out
    out = run(tmp_path, "label", str(school), "--sentiment", "positive", "--by", "Lan").output
    assert "không được học" not in out, out
    assert json.loads(run(tmp_path, "label", str(gold), "--scope", "city", "--json").stdout)["learnt"] is False
    app = make_app(tmp_path)
    assert [a.id for a, _ in database_labels(app.store)] == [school]
    app.close()
    out = run(tmp_path, "label", str(gold), "--not-education", "--by", "Lan").output
    assert "không được học" not in out, out
    app = make_app(tmp_path)
    learnt = {a.id: r for a, r in database_labels(app.store)}
    assert learnt[gold]["is_education"] is False and learnt[gold]["sentiment"] == "positive"
    app.close()


def test_a_one_call_label_says_the_education_it_is_learnt_with_as_a_topic_label_does(tmp_path):
    """`label 42 --scope …` on an education article is learnt as education news, as `label 41 --topics …` is: both
    say "giáo dục", the scope one saying it is as the article is shown (the label itself states no education)."""
    app, gold, school = _two_articles(tmp_path)
    app.close()
    out = run(tmp_path, "label", str(school), "--scope", "local").output
    assert "giáo dục (như bài đang được hiển thị); phạm vi" in out, out
    stored = json.loads(run(tmp_path, "label", str(school), "--sentiment", "positive", "--json").stdout)
    assert stored["is_education"] is None and stored["shown_education"] is True, "what it stores: no education stated"
    assert stored["learnt"] is True
    out = run(tmp_path, "label", str(school), "--topics", "dao-duc-ky-nang").output
    assert ": giáo dục; chủ đề: dao-duc-ky-nang" in out, out


def test_a_one_call_label_keeps_the_education_shown_when_written_whatever_a_later_model_says(tmp_path):
    """A reclassification between labelling and training neither drops a tone correction of an article shown as
    education (now read as not education) nor makes one of an article shown as not education (now education) count
    as education news. A label written before the shown education was recorded keeps being read with the current
    classification, as before."""
    from classifiers.train import database_labels

    app, gold, school = _two_articles(tmp_path)
    app.store.add_label(school, by="Lan", at=app.now(), sentiment="positive")
    app.store.add_label(gold, by="Lan", at=app.now(), sentiment="positive")
    _reclassify(app, school, education=False)
    _reclassify(app, gold, education=True)
    learnt = {a.id: r for a, r in database_labels(app.store)}
    assert set(learnt) == {school} and learnt[school]["is_education"] is True
    assert learnt[school]["sentiment"] == "positive"
    with app.store.transaction() as db:  # as labels written before 0080
        db.execute("UPDATE labels SET shown_education = NULL")
    assert {a.id for a, _ in database_labels(app.store)} == {gold}, "older labels: the current classification"
    app.close()


def test_training_with_no_database_labels_reads_none(tmp_path):
    """What the shipped models are trained with (no label in the database) is unchanged: nothing."""
    from classifiers.train import database_labels

    app, _, _ = _two_articles(tmp_path)
    assert database_labels(app.store) == []
    app.close()


# ---------------------------------------------------------------------------- an option given twice (finding 12)


def test_an_option_given_twice_with_different_values_is_refused_and_nothing_is_written(tmp_path):
    app, _, school = _two_articles(tmp_path)
    app.close()
    for args, said in [(["--sentiment", "negative", "--sentiment", "positive"],
                        "--sentiment được cho 2 lần với giá trị khác nhau ('negative', 'positive')"),
                       (["--education", "--not-education"], "--education và --not-education cùng được cho"),
                       (["--scope", "local", "--scope", "city"], "--scope được cho 2 lần"),
                       (["--hot", "no", "--hot", "yes"], "--hot được cho 2 lần")]:
        result = run(tmp_path, "label", str(school), *args, ok=False)
        assert result.exit_code == 2 and said in result.output and "chưa ghi gì" in result.output, result.output
    app = make_app(tmp_path)
    assert app.store.article_labels(school) == []
    app.close()
    stored = json.loads(run(tmp_path, "label", str(school), "--sentiment", "positive", "--sentiment", "positive",
                            "--json").stdout)
    assert stored["sentiment"] == "positive", "the same value twice is that value"


# ---------------------------------------------------------------------------- withdrawing a label (finding 5)


def test_a_withdrawn_label_applies_nowhere_and_stays_in_the_history(tmp_path):
    """Lan labels the wrong article: withdrawn, the article is read as the model has it again in the clipping, for
    training and in `explain`; the label and its withdrawal stay in the history and in `monitor labels`."""
    from classifiers.train import database_labels
    from monitor.corrections import read_corrected

    app, gold, school = _two_articles(tmp_path)
    app.close()
    first = json.loads(run(tmp_path, "label", str(school), "--sentiment", "negative", "--by", "Lan", "--json").stdout)
    wrong = json.loads(run(tmp_path, "label", str(school), "--not-education", "--by", "Lan", "--json").stdout)
    out = run(tmp_path, "label", str(school), "--withdraw", f"#{wrong['id']}", "--by", "Hà", "--note", "nhầm bài").output
    assert f"Đã rút lại nhãn #{wrong['id']} của bài {school}" in out and "giáo dục: không" in out, out
    assert f"nhãn còn hiệu lực (#{first['id']})" in out and "sắc thái: tiêu cực" in out, out

    app = make_app(tmp_path)
    classes, labels = read_corrected(app.store, [school])
    assert classes[school].is_education and classes[school].sentiment == "negative", "the first label still applies"
    assert labels[school].get("is_education") is None
    (learnt,) = database_labels(app.store)
    assert learnt[0].id == school and learnt[1]["is_education"] is True, "training: the education shown, not the wrong label"
    rows = app.store.article_labels(school)
    assert [(r["id"], r["withdraws"], r["withdrawn_by"]) for r in rows] == [
        (first["id"], None, None), (wrong["id"], None, rows[2]["id"]), (rows[2]["id"], wrong["id"], None)]
    assert rows[2]["labelled_by"] == "Hà" and rows[2]["note"] == "nhầm bài"
    app.close()

    out = run(tmp_path, "label", str(school), "--withdraw", str(first["id"])).output
    assert "Bài không còn nhãn nào có hiệu lực" in out, out
    app = make_app(tmp_path)
    assert app.store.labels([school]) == [] and school not in app.store.labelled_ids()
    assert database_labels(app.store) == []
    classes, _ = read_corrected(app.store, [school])
    assert classes[school].sentiment == "neutral", "back to the model's reading"
    app.close()
    data = json.loads(run(tmp_path, "explain", str(school), "--json").stdout)
    assert data["corrected"] is None and len(data["labels"]) == 4
    text = run(tmp_path, "explain", str(school)).output
    assert f"(#{wrong['id']}, đã rút lại: #{rows[2]['id']})" in text and f"rút lại nhãn #{wrong['id']} — nhầm bài" in text
    assert "Đang hiển thị theo nhãn" not in text


def test_only_a_label_in_force_of_that_article_can_be_withdrawn(tmp_path):
    app, gold, school = _two_articles(tmp_path)
    app.close()
    other = json.loads(run(tmp_path, "label", str(gold), "--not-education", "--json").stdout)
    result = run(tmp_path, "label", str(school), "--withdraw", "999", ok=False)
    assert result.exit_code == 2 and "không có nhãn số 999" in result.output and f"bài {school} chưa có nhãn nào" in result.output
    result = run(tmp_path, "label", str(school), "--withdraw", str(other["id"]), ok=False)
    assert f"nhãn #{other['id']} là của bài {gold}, không phải bài {school}" in result.output
    assert f"monitor label {gold} --withdraw {other['id']}" in result.output
    run(tmp_path, "label", str(gold), "--withdraw", str(other["id"]))
    result = run(tmp_path, "label", str(gold), "--withdraw", str(other["id"]), ok=False)
    assert result.exit_code == 2 and f"nhãn #{other['id']} đã được rút lại" in result.output, result.output
    result = run(tmp_path, "label", str(gold), "--withdraw", str(other["id"] + 1), ok=False)
    assert "là một lần rút lại nhãn" in result.output, result.output
    result = run(tmp_path, "label", str(gold), "--withdraw", "1", "--sentiment", "positive", ok=False)
    assert result.exit_code == 2 and "--withdraw không đi cùng --sentiment" in result.output, result.output


def _hot_story_with_waiting_alert(tmp_path):
    from monitor.triage import run_triage

    app = make_app(tmp_path, channels=[{"kind": "webhook", "url": "http://127.0.0.1:9/hook"}])
    aid = add_article(app, "VnExpress", "story-1", FIGHT_TITLE, FIGHT_SAPO, app.now() - timedelta(minutes=10))
    report = run_triage(app)
    (case_id,), (alert_id,) = report.cases_opened, report.alerts_queued
    return app, aid, case_id, alert_id


def test_withdrawing_a_not_hot_label_that_dismissed_a_case_reopens_it_as_a_hot_label_would(tmp_path):
    """Lan's "not hot" on the only hot article dismissed its case and cancelled its alert; withdrawn, the article is
    hot again as the model has it: the case opens again and the alert waits to be sent, the history saying why."""
    from monitor.cases import STATUSES

    app, aid, case_id, alert_id = _hot_story_with_waiting_alert(tmp_path)
    app.close()
    out = run(tmp_path, "label", str(aid), "--hot", "no", "--by", "Lan").output
    assert "cảnh báo nhầm" in out
    label_id = make_app(tmp_path).store.article_labels(aid)[-1]["id"]
    out = run(tmp_path, "label", str(aid), "--withdraw", str(label_id), "--by", "Hà").output
    assert f"Hồ sơ #{case_id}" in out and "mở lại" in out and "1 lượt gửi cảnh báo" in out, out
    app = make_app(tmp_path)
    c = app.store.case(case_id)
    assert c.status == STATUSES[0] and c.events[-1].by == "Hà" and f"rút lại nhãn #{label_id}" in c.events[-1].note
    assert [d.status for d in app.store.deliveries(alert_id)] == ["pending"]
    app.close()


def test_withdrawing_a_label_a_persons_dismissal_wrote_leaves_the_case_and_says_how_to_reopen_it(tmp_path):
    from monitor.cases import DISMISSED, dismiss_case

    app, aid, case_id, alert_id = _hot_story_with_waiting_alert(tmp_path)
    dismiss_case(app, case_id, by="Trưởng phòng", note="Tin cũ đăng lại")
    (written,) = app.store.article_labels(aid)
    app.close()
    out = run(tmp_path, "label", str(aid), "--withdraw", str(written["id"])).output
    assert f"Hồ sơ #{case_id} vẫn là {DISMISSED}" in out and f"monitor cases update {case_id} --status" in out, out
    app = make_app(tmp_path)
    assert app.store.case(case_id).status == DISMISSED and app.store.labels([aid]) == []
    app.close()


def test_withdrawing_a_hot_label_leaves_an_open_case_open_and_says_so(tmp_path):
    """A case a person opened by hand for an article the model did not call hot: withdrawing the hot label it wrote
    does not close the case (a withdrawal says nothing of the issue); the command says so and names the dismissal."""
    from monitor.cases import open_case_by_hand

    app, _, school = _two_articles(tmp_path)
    case, _, _ = open_case_by_hand(app, school, by="Lan", note="Phụ huynh phản ánh")
    (written,) = app.store.article_labels(school)
    app.close()
    out = run(tmp_path, "label", str(school), "--withdraw", str(written["id"])).output
    assert f"Hồ sơ #{case.id}" in out and "vẫn mở" in out and f"monitor cases dismiss {case.id}" in out, out
    app = make_app(tmp_path)
    assert not app.store.case(case.id).closed
    app.close()


# ---------------------------------------------------------------------------- listing the labels (finding 5)


def test_the_offices_labels_are_listed_for_audit_with_the_withdrawn_and_the_unlearnt_marked(tmp_path):
    app, gold, school = _two_articles(tmp_path)
    app.close()
    tone = json.loads(run(tmp_path, "label", str(gold), "--sentiment", "positive", "--by", "Lan", "--json").stdout)
    wrong = json.loads(run(tmp_path, "label", str(school), "--hot", "yes", "--by", "Hà", "--json").stdout)
    run(tmp_path, "label", str(school), "--withdraw", str(wrong["id"]), "--by", "Hà", "--note", "nhầm bài")
    out = run(tmp_path, "labels").output
    lines = out.splitlines()
    assert any(line.startswith(f"#{tone['id']} ") and "sắc thái: tích cực" in line and "⚠ không được học" in line
               for line in lines), out
    assert any(line.startswith(f"#{wrong['id']} ") and "[đã rút lại: #" in line for line in lines), out
    assert any(f"rút lại nhãn #{wrong['id']} — nhầm bài" in line for line in lines), out
    assert "1 nhãn còn hiệu lực trên 1 bài, 1 nhãn đã rút lại" in out and f"monitor label {gold} --education" in out
    data = json.loads(run(tmp_path, "labels", "--by", "Hà", "--json").stdout)["labels"]
    assert [(r["id"], r["in_force"], r["withdrawn_by"] is not None) for r in data] == [
        (wrong["id"], False, True), (wrong["id"] + 1, False, False)]
    assert data[0]["labelled_at"].endswith("+07:00"), "the office's time, as explain's --json"
    assert json.loads(run(tmp_path, "labels", "--since", "01/01/2099", "--json").stdout) == {"labels": []}
    (only,) = json.loads(run(tmp_path, "labels", "--article", str(gold), "--json").stdout)["labels"]
    assert only["id"] == tone["id"] and only["learnt"] is False and only["in_force"] is True
    result = run(tmp_path, "labels", "--since", "02/12/2026", "--until", "01/12/2026", ok=False)
    assert result.exit_code == 2 and "trước --since" in result.output


# ---------------------------------------------------------------------------- explain (finding 6)


def test_explain_says_the_corrected_reading_under_the_title_and_marks_what_the_label_overrode(tmp_path):
    app, _, school = _two_articles(tmp_path)
    app.close()
    label = json.loads(run(tmp_path, "label", str(school), "--topics", "hoi-nhap", "--sentiment", "tich cuc",
                           "--json").stdout)
    text = run(tmp_path, "explain", str(school)).output
    lines = text.splitlines()
    assert lines[2] == f"✎ Đang hiển thị theo nhãn #{label['id']}: chủ đề: hoi-nhap; sắc thái: tích cực", text
    assert any(line.startswith("  Sắc thái: trung tính") and line.endswith("✎ theo nhãn: tích cực") for line in lines), text
    assert "  Chủ đề: ✎ theo nhãn: hoi-nhap" in lines, text
    assert not any(line.startswith("  Giáo dục:") and "✎" in line for line in lines), "education was not overridden"
    data = json.loads(run(tmp_path, "explain", str(school), "--json").stdout)
    assert data["corrected"]["overridden"] == ["topics", "sentiment"] and data["corrected"]["labels"] == [label["id"]]
    assert data["corrected"]["reading"]["topics"] == ["hoi-nhap"] and data["classification"]["sentiment"] == "neutral"


def test_explain_of_a_label_that_agrees_with_the_model_says_it_confirms_it(tmp_path):
    app, _, school = _two_articles(tmp_path)
    app.close()
    label = json.loads(run(tmp_path, "label", str(school), "--sentiment", "neutral", "--json").stdout)
    assert run(tmp_path, "explain", str(school)).output.splitlines()[2] == \
        f"✎ Nhãn #{label['id']} xác nhận kết quả của mô hình"
