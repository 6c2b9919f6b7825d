"""An analyst's label reaches the model: label an article, retrain (`monitor train`), reclassify, and the
corrected article is classified as labelled.

Training reads ../shared/corpus, so the test skips without it. A full training takes about 12 minutes
(measured on this machine: 26k section-labelled + 2.5k hand-labelled items), far over the test budget,
so the test runs only when `monitor train` offers a fast mode (an option named --fast or --quick).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.app import App
from monitor.cli import cli
from test_service_support import add_articles, write_config

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TOPIC = "hoc-phi-thu-chi"

# Written for this test: a fee complaint phrased without the rules' fee vocabulary.
TARGET = {
    "url": "https://bao-vi-du.vn/giao-duc/phu-huynh-nop-tien-may-loc-nuoc-2001.html",
    "title": "Phụ huynh than phiền phải góp tiền mua máy lọc nước, rèm cửa cho lớp",
    "sapo": "Đầu học kỳ, nhiều gia đình ở một trường tiểu học được đề nghị góp mỗi em vài trăm nghìn đồng "
            "để sắm máy lọc nước, rèm cửa và ti vi cho phòng học.",
    "body": "Một phụ huynh cho biết cô giáo chủ nhiệm gửi danh sách vật dụng cần sắm qua nhóm tin nhắn của lớp, "
            "kèm số tài khoản để chuyển tiền. Nhiều gia đình cho rằng đây là trách nhiệm của nhà trường.",
}


def _fast_option() -> str | None:
    train = cli.commands.get("train")
    if train is None:
        return None
    for p in train.params:
        for opt in getattr(p, "opts", ()):
            if opt in ("--fast", "--quick"):
                return opt
    return None


def _skip_reason() -> str | None:
    if not (SHARED / "corpus").is_dir():
        return f"training needs ../shared/corpus ({SHARED / 'corpus'} is absent)"
    if "train" not in cli.commands:
        return "`monitor train` (NLP builder) is not in this build yet"
    if _fast_option() is None:
        return "`monitor train` has no --fast/--quick option; a full training takes ~12 min, over the test budget"
    return None


@pytest.mark.corpus
@pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")
def test_label_train_reclassify_follows_the_label(tmp_path):
    cfg = write_config(tmp_path)
    app = App.from_path(cfg)
    now = datetime.now(timezone.utc)
    [target] = add_articles(app, [TARGET | {"published": now - timedelta(hours=3)}])
    before = app.classifier.classify(__import__("monitor.pipeline", fromlist=["article_text"]).article_text(
        app.store.get_article(target)))
    app.close()
    if TOPIC in before.topics:
        pytest.skip(f"the current model already tags the target with {TOPIC}; nothing to correct")

    runner = CliRunner()

    def run(*args):
        result = runner.invoke(cli, ["--config", str(cfg), *args])
        assert result.exit_code == 0, result.output
        return result.stdout

    run("label", str(target), "--topics", TOPIC, "--sentiment", "negative", "--by", "test")
    models = tmp_path / "models"
    run("train", _fast_option(), "--models", str(models))
    out = json.loads(run("reclassify", "--model", str(models), "--json"))
    app = App.from_path(cfg)
    after = app.store.classification(target, out["new_version"])
    app.close()
    assert after.is_education and TOPIC in after.topics, after
