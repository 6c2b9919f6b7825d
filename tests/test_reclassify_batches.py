"""`monitor reclassify` over a whole history works a page of articles at a time: nothing it holds grows with the
number of articles, the diff is the same whatever the page size (a story whose members fall on different pages
included), and a run stopped halfway leaves the version that was current, current."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from monitor.app import App
from monitor.cli import cli
from monitor.store import Store
from test_analyst_reclassify import rules_copies, run
from test_service_support import ARTICLES, add_articles, write_config

# invented: a second report of the school-violence article's incident, a day later, so that one story has members
# far apart in id order (the admissions and football articles come between them)
FOLLOW_UP = {
    "url": "https://bao-vi-du.vn/giao-duc/nha-truong-hop-phu-huynh-vu-danh-hoi-dong-1004.html",
    "title": "Học sinh lớp 8 bị nhóm bạn đánh hội đồng: nhà trường họp phụ huynh, xử lý vụ bạo lực học đường",
    "sapo": "Vụ nữ sinh lớp 8 trường THCS Ngọc Lâm, quận Long Biên bị nhóm bạn đánh hội đồng tiếp tục khiến phụ huynh "
            "bức xúc; nhà trường đã mời gia đình các em liên quan lên làm việc.",
    "body": "Sáng 25/11, ban giám hiệu trường THCS Ngọc Lâm đã họp với phụ huynh các học sinh trong clip đánh hội đồng. "
            "Phòng Giáo dục và Đào tạo quận Long Biên yêu cầu nhà trường báo cáo bằng văn bản, xử lý nghiêm các em "
            "vi phạm và tăng cường giáo dục kỹ năng phòng chống bạo lực học đường.",
}


@pytest.fixture()
def history(tmp_path):
    """Four articles, the first and the last in one story; a baseline version current, an edited rules file."""
    cfg = write_config(tmp_path)
    app = App.from_path(cfg)
    now = datetime.now(timezone.utc)
    shifted = [a | {"published": now - timedelta(hours=20 - 2 * i)} for i, a in enumerate(ARTICLES)]
    ids = add_articles(app, shifted + [FOLLOW_UP | {"published": now - timedelta(hours=2)}])
    app.close()
    base, edited = rules_copies(tmp_path)
    run(cfg, "reclassify", "--rules", str(base))
    app = App.from_path(cfg)
    stories = {app.store.story_of_article(i) for i in (ids[0], ids[-1])}
    app.close()
    assert len(stories) == 1 and None not in stories, "the two reports must be one story for this test to say anything"
    return cfg, ids, base, edited


def _set_page(monkeypatch, size: int) -> None:
    monkeypatch.setattr("monitor.reclassify.PAGE", size, raising=False)
    monkeypatch.setattr("monitor.pipeline.BATCH", size)


def test_the_diff_is_the_same_whatever_the_page_size(history, monkeypatch):
    cfg, ids, _, edited = history
    outputs = {}
    for size in (1, 2, 3, 4, 256):
        _set_page(monkeypatch, size)
        outputs[size] = (json.loads(run(cfg, "reclassify", "--rules", str(edited), "--dry-run", "--json")),
                         run(cfg, "reclassify", "--rules", str(edited), "--dry-run", "--show", "1").split("\n", 1)[1])
    assert all(o == outputs[256] for o in outputs.values()), outputs
    dry = outputs[256][0]
    # the story of the first and last article stopped being rated as it was, seen from pages of one article too
    assert [s["id"] for s in dry["stories_severity_changed"]] and dry["stopped_education"] == [ids[0], ids[-1]]
    text = outputs[256][1]
    assert "Không còn là bài giáo dục: 2" in text and "… và 1 bài khác" in text


def test_no_read_takes_the_whole_range_and_the_text_report_keeps_only_examples(history, monkeypatch):
    """What would fail if memory grew with the history again: every read of articles or classifications takes a
    page (or one story's members), never the range; the text report's lists keep `--show` ids and count the rest."""
    cfg, ids, base, edited = history
    _set_page(monkeypatch, 1)
    widest: dict[str, int] = {}

    def spy(name):
        original = getattr(Store, name)

        def wrapper(self, *args, **kw):
            given = args[0] if args and isinstance(args[0], (list, tuple, set)) else ()
            widest[name] = max(widest.get(name, 0), len(given))
            if name == "article_ids_between":
                widest[name] = 10**9  # every id of the range in one list
            return original(self, *args, **kw)
        monkeypatch.setattr(Store, name, wrapper)

    for name in ("classifications_for", "article_ids_between", "get_articles", "stories_of_articles"):
        if hasattr(Store, name):
            spy(name)
    for args in (("--dry-run",), (), ("--compare",)):
        widest.clear()
        if args == ("--compare",):
            versions = [v["version"] for v in json.loads(run(cfg, "reclassify", "--versions", "--json"))]
            args = ("--compare", *versions[:2])
        else:
            args = ("--rules", str(edited), *args)
        run(cfg, "reclassify", *args, "--json")
        run(cfg, "reclassify", *args)
        # a page is one article here; the largest story has two members
        assert max(widest.values()) <= 2, (args, widest)

    from classifiers.classify import load_classifier
    from monitor import reclassify as rc

    app = App.from_path(cfg)
    try:
        # the edited rules are current now: the baseline's puts the two reports back into education
        clf = load_classifier(app.config.storage.models_dir, app.config.office, rules_path=base, trial=True)
        diff = rc.reclassify(app, clf, None, None, dry_run=True, keep=1)
        whole = rc.reclassify(app, clf, None, None, dry_run=True)
    finally:
        app.close()
    assert len(diff.became_education) == 1 and diff.total("became_education") == 2 == len(whole.became_education)
    assert diff.became_education == whole.became_education[:1] and diff.n_changed == whole.n_changed


class _Stop(Exception):
    pass


def test_a_run_stopped_halfway_leaves_the_current_version_current_and_can_be_run_again(history, monkeypatch):
    cfg, ids, base, edited = history
    app = App.from_path(cfg)
    current = app.store.active_model_version()
    app.store.pin_model_version(current)  # a rollback's pin: lifted only by a reclassify that completes
    alerts = app.store.execute("SELECT COUNT(*) FROM alerts").fetchone()[0]
    app.close()
    expected = json.loads(run(cfg, "reclassify", "--rules", str(edited), "--dry-run", "--json"))

    import classifiers.classify as classify

    real_load = classify.load_classifier
    pages = {"n": 0}

    def stopping_load(*args, **kw):
        clf = real_load(*args, **kw)
        classify_many = clf.classify_many

        def halfway(texts):
            pages["n"] += 1
            if pages["n"] == 3:
                raise _Stop("killed")
            return classify_many(texts)
        clf.classify_many = halfway
        return clf

    _set_page(monkeypatch, 1)
    monkeypatch.setattr(classify, "load_classifier", stopping_load)
    result = CliRunner().invoke(cli, ["--config", str(cfg), "reclassify", "--rules", str(edited)])
    assert result.exit_code != 0 and "_Stop: killed" in result.output, result.output
    app = App.from_path(cfg)
    try:
        assert app.store.active_model_version() == current and app.store.pinned_model_version() == current
        partial = {v["version"]: v["articles"] for v in app.store.model_versions()}[expected["new_version"]]
        assert partial == 2, "the pages done are kept under the new version, beside the current one"
        assert app.store.execute("SELECT COUNT(*) FROM alerts").fetchone()[0] == alerts
    finally:
        app.close()

    monkeypatch.setattr(classify, "load_classifier", real_load)
    again = json.loads(run(cfg, "reclassify", "--rules", str(edited), "--json"))
    assert {k: v for k, v in again.items() if k != "dry_run"} == {k: v for k, v in expected.items() if k != "dry_run"}
    app = App.from_path(cfg)
    try:
        assert app.store.active_model_version() == expected["new_version"] and app.store.pinned_model_version() is None
        assert {v["version"]: v["articles"] for v in app.store.model_versions()}[expected["new_version"]] == len(ids)
    finally:
        app.close()


def test_pages_of_ids_cover_the_window_once_in_order(history):
    cfg, ids, _, _ = history
    app = App.from_path(cfg)
    try:
        store = app.store
        published = sorted(store.get_article(i).published for i in ids)
        for since, until in ((None, None), (published[1], None), (None, published[2]), (published[1], published[3]),
                             (published[-1] + timedelta(days=1), None)):
            whole = store.article_ids_between(since, until)
            assert store.count_articles_between(since, until) == len(whole)
            for size in (1, 2, 3, len(ids), 500):
                pages = list(store.article_id_pages(since, until, size))
                assert [i for p in pages for i in p] == whole and all(0 < len(p) <= size for p in pages), (since, size)
    finally:
        app.close()
