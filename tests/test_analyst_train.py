"""An analyst's label reaches the model: label an article, retrain (`monitor train`), reclassify, and the
corrected article is classified as labelled.

Training on ../shared/corpus takes minutes (about 12 for a full run, one or more with --fast on this
machine), over the test budget, so the project's training (`classifiers.train.train`, what `monitor
train --corpus DIR` runs) works here on a small corpus written for this test: outlet-section style
items for relevance, and analysts' labels in the database for the topics. The target article is a fee
complaint phrased without the rules' fee vocabulary, so a model trained without its label misses the
topic; after the analyst's label (`monitor label`) and a retraining, `monitor reclassify` finds it.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

from click.testing import CliRunner

from monitor.app import App
from monitor.cli import cli
from test_service_support import add_articles, write_config

TOPIC = "hoc-phi-thu-chi"

# ---------------------------------------------------------------------------- invented texts

SCHOOLS = ["Trường THCS Ngọc Lâm", "Trường Tiểu học Gia Thụy", "Trường THPT Nguyễn Gia Thiều", "Trường Mầm non Hoa Sữa",
           "Trường THCS Việt Hưng", "Trường THPT Thạch Bàn", "Trường Tiểu học Bồ Đề", "Trường THCS Phúc Đồng",
           "Trường THCS Đức Giang", "Trường Tiểu học Ngọc Thụy"]
FEE = [("Phụ huynh {s} phản ánh khoản thu quỹ lớp vượt mức", "Nhiều khoản thu đầu năm bị cho là lạm thu, vượt quy định."),
       ("{s} bị phản ánh lạm thu đầu năm học", "Quỹ hội cha mẹ học sinh thu cao hơn nhiều so với năm trước."),
       ("Yêu cầu {s} trả lại các khoản thu sai quy định", "Phòng GD&ĐT đề nghị rà soát quỹ lớp và khoản thu thỏa thuận."),
       ("Học phí và khoản thu tại {s} khiến phụ huynh lo lắng", "Mức thu học phí cùng quỹ phụ huynh tăng mạnh.")]
ADMISSION = [("Hà Nội công bố chỉ tiêu tuyển sinh lớp 10 tại {s}", "Thí sinh đăng ký nguyện vọng xét tuyển vào lớp 10 công lập."),
             ("{s} thông báo lịch thi tuyển sinh đầu cấp", "Điểm chuẩn và phương thức xét tuyển được công khai trên cổng thông tin."),
             ("Thí sinh hồi hộp trước kỳ thi vào lớp 10 tại {s}", "Ba bài thi Toán, Ngữ văn, Ngoại ngữ diễn ra trong hai ngày.")]
SAFETY = [("Học sinh {s} bị đánh hội đồng trong giờ ra chơi", "Clip bạo lực học đường lan truyền khiến dư luận bức xúc."),
          ("{s} siết chặt an toàn trường học sau vụ tai nạn", "Nhà trường rà soát cơ sở vật chất, lan can, cây xanh."),
          ("Nhiều học sinh {s} nhập viện nghi ngộ độc thực phẩm", "Bữa ăn bán trú được lấy mẫu kiểm nghiệm.")]
PRAISE = [("{s} tuyên dương học sinh đạt giải học sinh giỏi thành phố", "Nhiều em giành giải nhất, giải nhì các môn."),
          ("Cô giáo {s} tận tụy với học trò vùng khó", "Tấm gương người tốt việc tốt được ngành giáo dục vinh danh.")]
OTHER = [("Giá vàng hôm nay tăng mạnh phiên thứ {n}", "Giá vàng miếng tăng thêm nửa triệu đồng mỗi lượng."),
         ("Đội tuyển bóng chuyền nữ thắng trận thứ {n}", "Các tuyển thủ thi đấu áp đảo trong trận bán kết khu vực."),
         ("Ùn tắc kéo dài trên đường vành đai sáng thứ {n}", "Nhiều phương tiện xếp hàng dài giờ cao điểm."),
         ("Mưa lớn gây ngập {n} tuyến phố nội thành", "Lượng mưa vượt ngưỡng báo động tại nhiều trạm đo."),
         ("Thị trường chứng khoán giảm điểm phiên {n}", "Khối ngoại bán ròng, thanh khoản sụt giảm."),
         ("Khai mạc hội chợ nông sản lần thứ {n}", "Hơn hai trăm gian hàng giới thiệu đặc sản vùng miền."),
         ("Giá xăng dầu điều chỉnh lần thứ {n} trong năm", "Liên bộ Công Thương, Tài chính công bố giá bán lẻ mới."),
         ("Ca sĩ trẻ ra mắt album thứ {n}", "Album gồm mười ca khúc mang màu sắc dân gian đương đại.")]

# The correction: about money parents are asked for, in words the rules do not list for the fee topic.
TARGET = {
    "url": "https://bao-vi-du.vn/giao-duc/phu-huynh-gop-may-loc-nuoc-2001.html",
    "title": "Phụ huynh than phiền bị đề nghị góp mua máy lọc nước, rèm cửa cho phòng học",
    "sapo": "Đầu học kỳ, nhiều gia đình ở một trường tiểu học nhận danh sách vật dụng cần sắm kèm số tài khoản ngân hàng.",
    "body": "Một người mẹ cho biết cô chủ nhiệm gửi danh sách máy lọc nước, rèm cửa, ti vi qua nhóm tin nhắn của lớp "
            "và đề nghị mỗi gia đình chuyển khoản vài trăm nghìn đồng. Nhiều gia đình cho rằng việc sắm vật dụng "
            "cho phòng học là trách nhiệm của nhà trường.",
}


def _mini_corpus(root: Path) -> Path:
    """Outlet-section style items (is_education only), in the corpus layout `monitor train --corpus` reads."""
    rng = random.Random(5)
    corpus = root / "corpus"
    for sub in ("tc201805_baomoi", "unc_dantri", "crawl_news_2026", "rss_aggregator_2025_2026"):
        (corpus / sub).mkdir(parents=True, exist_ok=True)
    rows = []
    templates = ADMISSION + SAFETY + PRAISE + FEE
    for i in range(60):
        t, s = templates[i % len(templates)]
        school = rng.choice(SCHOOLS)
        rows.append({"id": f"tc201805-mini-e{i:03d}", "title": t.format(s=school), "sapo": s, "body": s,
                     "source_kind": "baomoi_news", "is_education": True})
    for i in range(60):
        t, s = OTHER[i % len(OTHER)]
        rows.append({"id": f"tc201805-mini-o{i:03d}", "title": t.format(n=i + 1), "sapo": s, "body": s,
                     "source_kind": "baomoi_news", "is_education": False})
    with open(corpus / "tc201805_baomoi" / "articles.jsonl", "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    for sub in ("unc_dantri", "crawl_news_2026"):
        (corpus / sub / "articles.jsonl").write_text("", encoding="utf-8")
    return corpus


def _labelled_articles(now: datetime) -> list[tuple[dict, dict]]:
    """Stored articles with the analysts' labels (the topic heads learn from these)."""
    rng = random.Random(11)
    out = []
    groups = [(FEE, {"topics": [TOPIC], "sentiment": "negative", "hot": True}),
              (ADMISSION, {"topics": ["tuyen-sinh"], "sentiment": "neutral", "hot": False}),
              (SAFETY, {"topics": ["an-toan-truong-hoc"], "sentiment": "negative", "hot": True}),
              (PRAISE, {"topics": ["guong-dien-hinh"], "sentiment": "positive", "hot": False})]
    n = 0
    for templates, label in groups:
        for i in range(10):
            t, s = templates[i % len(templates)]
            school = rng.choice(SCHOOLS)
            n += 1
            art = {"url": f"https://bao-vi-du.vn/giao-duc/bai-{n}.html", "title": t.format(s=school), "sapo": s,
                   "body": f"{s} {t.format(s=school)}.", "published": now - timedelta(hours=n)}
            out.append((art, {"is_education": True, **label}))
    for i in range(8):
        t, s = OTHER[i]
        n += 1
        art = {"url": f"https://bao-vi-du.vn/thoi-su/bai-{n}.html", "title": t.format(n=i + 20), "sapo": s, "body": s,
               "published": now - timedelta(hours=n)}
        out.append((art, {"is_education": False, "topics": [], "sentiment": "neutral", "hot": False}))
    return out


def test_label_train_reclassify_follows_the_label(tmp_path):
    cfg = write_config(tmp_path)
    corpus = _mini_corpus(tmp_path)
    now = datetime.now(timezone.utc)
    app = App.from_path(cfg)
    pairs = _labelled_articles(now)
    ids = add_articles(app, [a for a, _ in pairs])
    for article_id, (_, label) in zip(ids, pairs):
        app.store.add_label(article_id, by="chuyên viên", at=now, **label)
    [target] = add_articles(app, [TARGET | {"published": now - timedelta(hours=1)}])
    app.close()

    runner = CliRunner()

    def run(*args) -> str:
        result = runner.invoke(cli, ["--config", str(cfg), *args])
        assert result.exit_code == 0, result.output
        return result.stdout

    def target_topics(models: Path) -> tuple[str, ...]:
        out = json.loads(run("reclassify", "--model", str(models), "--json"))
        app = App.from_path(cfg)
        try:
            c = app.store.classification(target, out["new_version"])
            assert c is not None and out["new_version"].startswith("edu-nlp."), out["new_version"]
            return c.topics
        finally:
            app.close()

    def train(models: Path) -> None:
        # what `monitor train --corpus DIR --models DIR` runs, minus its dev-set report: the dev labels
        # (../shared/labels/dev.jsonl) name corpus items this small corpus does not have
        from classifiers.train import train as run_train

        app = App.from_path(cfg)
        try:
            meta = run_train(models, corpus, store=app.store, dev_path=None, log=lambda m: None)
            # the CLI names the bundle by its weights' hash, with or without a dev set to report on
            assert meta["weights_sha256"] == json.loads((models / "edu-nlp" / "metadata.json").read_text())["weights_sha256"]
        finally:
            app.close()

    before = tmp_path / "models-before"
    train(before)
    assert TOPIC not in target_topics(before)  # the rules and the model miss the fee complaint

    run("label", str(target), "--topics", TOPIC, "--sentiment", "negative", "--by", "Nguyễn Thu Hà")
    after = tmp_path / "models-after"
    train(after)
    assert TOPIC in target_topics(after)

    # the analyst's other labels still hold under the retrained model
    app = App.from_path(cfg)
    version = app.store.active_model_version()
    fee_ids = [i for i, (_, lab) in zip(ids, pairs) if lab.get("topics") == [TOPIC]]
    got = app.store.classifications_for(fee_ids, version)
    assert sum(TOPIC in c.topics for c in got.values()) >= len(fee_ids) - 1
    app.close()


def test_excluded_label_files_items_leave_every_source(tmp_path):
    """`train --exclude 'day-*.jsonl'` measures on those days held out: their items must not come back through
    another label file that also holds them, nor through the section-labelled corpus."""
    from classifiers.train import TrainReport, collect

    corpus = _mini_corpus(tmp_path)
    labels = tmp_path / "labels"
    labels.mkdir()

    def row(i, edu):
        return json.dumps({"id": i, "is_education": edu, "topics": [], "sentiment": "neutral", "hot": False, "scope": "national"})

    (labels / "team-batch1.jsonl").write_text("\n".join([row("tc201805-mini-e001", True), row("tc201805-mini-e002", True)]) + "\n")
    (labels / "day-2026-01-01.jsonl").write_text("\n".join([row("tc201805-mini-e002", True), row("tc201805-mini-o003", False)]) + "\n")
    _, hand_all = collect(corpus, labels, report=TrainReport())
    assert {e.id for e in hand_all} == {"tc201805-mini-e001", "tc201805-mini-e002", "tc201805-mini-o003"}
    corpus_ex, hand_ex = collect(corpus, labels, report=TrainReport(), exclude=("day-*.jsonl",))
    assert {e.id for e in hand_ex} == {"tc201805-mini-e001"}
    seen = {e.id for e in corpus_ex} | {e.id for e in hand_ex}
    assert "tc201805-mini-e002" not in seen and "tc201805-mini-o003" not in seen
    assert "tc201805-mini-o004" in seen  # the rest of the corpus is still there


def test_a_label_correcting_one_call_of_an_education_article_is_learnt(tmp_path):
    """`monitor label ID --hot no` (or --sentiment alone) on an article the monitor showed as education news corrects
    that call without restating education: training learns it, on the education the analyst did not dispute. A
    correction of an article not shown as education still cannot place it."""
    from classifiers.train import TrainReport, collect
    from test_triage_support import Cls, add_article, make_app

    corpus = _mini_corpus(tmp_path)
    (tmp_path / "labels").mkdir()
    app = make_app(tmp_path)
    hot = add_article(app, "VnExpress", "hot", "Phụ huynh phản ánh khoản thu quỹ lớp", "Nhiều khoản thu đầu năm.", app.now())
    tone = add_article(app, "Tuổi Trẻ", "tone", "Trường tổ chức ngày hội đọc sách", "Học sinh trao đổi sách.", app.now(),
                       Cls(hot_score=0.05, sentiment="neutral"))
    other = add_article(app, "Dân Trí", "other", "Giá vàng tăng mạnh", "Giá vàng miếng tăng.", app.now(),
                        Cls(is_education=False, hot_score=0.0, sentiment="neutral", topics=()))
    for aid, label in ((hot, {"hot": False}), (tone, {"sentiment": "positive"}), (other, {"sentiment": "positive"})):
        app.store.add_label(aid, by="Lan", at=app.now(), **label)
    _, hand = collect(corpus, tmp_path / "labels", app.store, report=TrainReport())
    app.close()
    got = {e.id: e for e in hand}
    assert got[f"db-{hot}"].is_education and got[f"db-{hot}"].hot is False and got[f"db-{hot}"].topics is None
    assert got[f"db-{tone}"].is_education and got[f"db-{tone}"].sentiment == "positive"
    assert f"db-{other}" not in got


def test_train_with_the_shared_folder_named_by_corpus_keeps_the_dev_set_out_and_reports_on_it(tmp_path):
    """`monitor train --corpus DIR` where the shared folder is not beside the project: the dev set beside that corpus
    (DIR/../labels/dev.jsonl) is still left out of training and measured on, in the model card too."""
    corpus = _shared_with_dev(tmp_path)
    cfg = _labelled_config(tmp_path)
    pairs = _labelled_articles(datetime.now(timezone.utc))
    models = tmp_path / "models-new"
    res = CliRunner().invoke(cli, ["--config", str(cfg), "train", "--corpus", str(corpus), "--models", str(models)])
    assert res.exit_code == 0, res.output
    meta = json.loads((models / "edu-nlp" / "metadata.json").read_text(encoding="utf-8"))
    card = (models / "edu-nlp" / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert meta["dev_metrics"]["n"] == 2 and "## Metrics on" in card
    assert meta["training_sources"]["database labels"] == len(pairs)
    # the office reads the measurement in Vietnamese, each block's figures in one column; the card stays the developers'
    assert f"đã ghi {models / 'edu-nlp'} (" in res.output and "\nsố bài: 2   mô hình: edu-nlp." in res.output, res.output
    assert "\ngiáo dục    P " in res.output and "\nchủ đề      micro P " in res.output and "\nphạm vi     tỷ lệ đúng " \
        in res.output, res.output
    assert "huấn luyện trên " in res.output and "  chủ đề: CV micro-F1 " in res.output, res.output
    assert "\nitems: 2   model: edu-nlp." in card and "\neducation   P " in card and "giáo dục" not in card


def test_a_training_stopped_while_writing_the_weights_leaves_the_models_that_work(tmp_path, monkeypatch):
    """`monitor train` writes into the live models folder (storage.models_dir). Stopped while it writes the weights
    (Ctrl-C, a kill, a full disk), it must leave the bundle that loads, not half a file that every later start of the
    service refuses (it would store articles and classify, and so alert on, none)."""
    import shutil
    import types

    import joblib
    import numpy as np
    import pytest
    import scipy.sparse as sp

    from classifiers.classify import BUNDLE_NAME, SHIPPED_MODELS_DIR
    from classifiers.model import load_models, save_models
    from classifiers.rules import load_rules

    bundle = tmp_path / BUNDLE_NAME
    shutil.copytree(SHIPPED_MODELS_DIR / BUNDLE_NAME, bundle)
    rules = load_rules(None)
    version = load_models(bundle, rules).version

    def stopped_mid_write(value, filename, **kw):
        Path(filename).write_bytes(b"\x00" * 4096)  # the first block of the new weights, then the stop
        raise KeyboardInterrupt

    monkeypatch.setattr(joblib, "dump", stopped_mid_write)
    z = np.zeros((1, 1))
    heads = types.SimpleNamespace(
        W=sp.csc_matrix(z), vocab=["a"], idf=z, b=z, topic_thresholds=z, rel_threshold=0.5, hot_threshold=0.5,
        foreign_threshold=0.5, lsa_rows=z, lsa=z, knn_rows=z, knn_labels=z, knn_known=z, knn_prior=z, knn_coef=z,
        rel_knn_rows=z, rel_knn_labels=z, rel_knn_share=0.0, rel_knn_band=(0.0, 1.0), topic_ids=())
    with pytest.raises(KeyboardInterrupt):
        save_models(bundle, heads, {"name": BUNDLE_NAME})
    assert load_models(bundle, rules).version == version
    assert sorted(p.name for p in bundle.iterdir()) == sorted(p.name for p in (SHIPPED_MODELS_DIR / BUNDLE_NAME).iterdir())


def _shared_with_dev(tmp_path: Path) -> Path:
    """A shared folder elsewhere (corpus and labels/dev.jsonl), as `monitor train --corpus DIR` reads it."""
    shared = tmp_path / "elsewhere" / "shared"
    corpus = _mini_corpus(shared)
    (shared / "labels").mkdir()
    dev = [{"id": "tc201805-mini-e000", "is_education": True, "topics": ["tuyen-sinh"], "sentiment": "neutral",
            "hot": False, "scope": "city"},
           {"id": "tc201805-mini-o000", "is_education": False, "topics": [], "sentiment": "neutral", "hot": False,
            "scope": "national"}]
    (shared / "labels" / "dev.jsonl").write_text("".join(json.dumps(r) + "\n" for r in dev), encoding="utf-8")
    return corpus


def _labelled_config(tmp_path: Path) -> Path:
    cfg = write_config(tmp_path)
    app = App.from_path(cfg)
    pairs = _labelled_articles(datetime.now(timezone.utc))
    for article_id, (_, label) in zip(add_articles(app, [a for a, _ in pairs]), pairs):
        app.store.add_label(article_id, by="chuyên viên", at=app.now(), **label)
    app.close()
    return cfg


def test_train_says_each_stage_as_it_starts_and_a_ctrl_c_at_the_last_one_leaves_the_models_in_use(tmp_path, monkeypatch):
    """The analyst's review: half an hour with nothing printed for 28 minutes, and a Ctrl-C that said only
    'Đã dừng (Ctrl-C).'. Each stage now says when it starts, on standard error; stopped, the command says where and
    that the models in use are unchanged, which holds even in its last stage (measured on the dev set, then
    written): the bundle is built beside the one in use and moved over it only at the very end."""
    import classifiers.evaluate
    from classifiers.train import STAGES

    cfg = _labelled_config(tmp_path)
    corpus = _shared_with_dev(tmp_path)
    models = tmp_path / "models-cua-phong"
    run = ["--config", str(cfg), "train", "--corpus", str(corpus), "--models", str(models)]
    res = CliRunner().invoke(cli, run)
    assert res.exit_code == 0, res.output
    steps = [line for line in res.stderr.splitlines() if line.startswith("bước ")]
    assert [s.split(":")[0] for s in steps] == [f"bước {n}/{len(STAGES)}" for n in range(1, len(STAGES) + 1)], res.stderr
    assert steps[3] == "bước 4/8: mô hình chủ đề, một mô hình cho mỗi chủ đề — một bước lâu" and steps[-1] == "bước 8/8: đo trên tập dev và ghi mô hình"
    assert "bước" not in res.stdout  # standard output keeps the result alone
    # the chapter of hand-run measurements stays in the bundle and in its card, retrained
    bundle = models / "edu-nlp"
    (bundle / "ABLATIONS.md").write_text("## Ablations (viết tay)\n\nMột phép đo.\n", encoding="utf-8")

    before = {p.name: p.read_bytes() for p in bundle.iterdir()}
    app = App.from_path(cfg)  # one more label: the retrained weights differ
    [extra] = add_articles(app, [TARGET | {"published": app.now()}])
    app.store.add_label(extra, by="chuyên viên", at=app.now(), topics=[TOPIC], sentiment="negative")
    app.close()

    def stopped(*args, **kw):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(classifiers.evaluate, "evaluate_file", stopped)
        res = CliRunner().invoke(cli, run)
    assert res.exit_code == 130, res.output
    assert (f"Đã dừng (Ctrl-C) ở bước 8/8 (đo trên tập dev và ghi mô hình): chưa ghi gì vào {bundle}; các mô hình "
            "đang dùng vẫn giữ nguyên.") in res.stderr, res.stderr
    assert {p.name: p.read_bytes() for p in bundle.iterdir()} == before
    assert sorted(p.name for p in models.iterdir()) == ["edu-nlp"], "nothing of the stopped run is left beside it"

    res = CliRunner().invoke(cli, run)
    assert res.exit_code == 0, res.output
    assert (bundle / "model.joblib").read_bytes() != before["model.joblib"]
    assert "## Ablations (viết tay)" in (bundle / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert sorted(p.name for p in models.iterdir()) == ["edu-nlp"]

    # a Ctrl-C just after the new bundle is in place does not claim the old one stayed
    import classifiers.train

    installed = classifiers.train.install_bundle

    def then_stopped(*args):
        installed(*args)
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(classifiers.train, "install_bundle", then_stopped)
        res = CliRunner().invoke(cli, run)
    assert res.exit_code == 130 and "Đã dừng (Ctrl-C) ngay sau khi ghi xong mô hình mới vào" in res.stderr, res.output
    assert "vẫn giữ nguyên" not in res.stderr


def test_train_over_the_shipped_models_says_so_before_it_starts_and_a_ctrl_c_writes_nothing(tmp_path, monkeypatch):
    """With the shipped feeds.yaml, `monitor train` writes into models/, the git checkout's own files, which a later
    `git pull` then refuses to update: it says so first, while a Ctrl-C still costs nothing."""
    import classifiers.classify
    import classifiers.train

    cfg = _labelled_config(tmp_path)
    corpus = _shared_with_dev(tmp_path)
    shipped = tmp_path / "checkout" / "models"
    shipped.mkdir(parents=True)
    monkeypatch.setattr(classifiers.classify, "SHIPPED_MODELS_DIR", shipped)

    def stopped(*args, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(classifiers.train, "_tone_head", stopped)
    res = CliRunner().invoke(cli, ["--config", str(cfg), "train", "--corpus", str(corpus), "--models", str(shipped)])
    assert res.exit_code == 130, res.output
    first = res.stderr.splitlines()[0]
    assert first.startswith(f"chú ý: sẽ ghi đè mô hình đi kèm phần mềm ({shipped / 'edu-nlp'}") and "git pull" in first
    assert "storage.models_dir" in first, first
    assert "Đã dừng (Ctrl-C) ở bước 5/8 (mô hình sắc thái): chưa ghi gì" in res.stderr, res.stderr
    assert list(shipped.iterdir()) == []
    res = CliRunner().invoke(cli, ["--config", str(cfg), "train", "--corpus", str(corpus), "--models",
                                   str(tmp_path / "models-cua-phong")])
    assert "sẽ ghi đè mô hình đi kèm" not in res.output
