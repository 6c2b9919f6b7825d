"""monitor search typed with diacritics and filtered (--hot, --topic): the filters drop most of each page of
candidates, so the matches as typed may sit on a later page than the first matches without the marks; every match
as typed comes before any loose one, whatever the size of the pages read."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner

from monitor.app import App
from monitor.cli import cli
from monitor.pipeline import classify_articles
from test_service_support import TZ_OFFSET, add_articles, fixed_clock, write_config

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=TZ_OFFSET)
FILLER = ("Phòng giáo dục quận đã kiểm tra việc dạy thêm ở các trường tiểu học, nhắc nhở hiệu trưởng công khai "
          "các khoản đóng góp đầu năm và báo cáo kết quả trước cuối tháng. ")


def art(k: int, title: str, body: str) -> dict:
    return {"url": f"https://bao-vi-du.vn/giao-duc/bai-loc-{k}.html", "title": title, "sapo": "", "body": body,
            "published": NOW - timedelta(hours=k)}


@pytest.fixture(scope="module")
def filtered_store(tmp_path_factory):
    """Invented articles: "người" many times (loose matches of "ngươi", the best ranked), "ngươi" once in a long
    text (as typed, ranked below them), and all of them hot and on the topic of fees but a few of each."""
    folder = tmp_path_factory.mktemp("search-filters")
    cfg = write_config(folder)
    loose = [art(k, f"Người dân, người thân và người học ({k})", f"Người dân phản ánh. {FILLER}")
             for k in range(12)]
    exact = [art(100 + k, f"Vở diễn cải lương mới ({k})", f"{FILLER * 6}Câu thoại \"hỡi ngươi\" được khán giả nhớ.")
             for k in range(3)]
    app = App.from_path(cfg, clock=fixed_clock(NOW))
    try:
        ids = add_articles(app, loose + exact)
        classify_articles(app, ids)
    finally:
        app.close()
    runner = CliRunner()
    for i in ids[:9] + ids[12:14]:  # hot and on fees: nine loose, two as typed (the third is neither)
        r = runner.invoke(cli, ["--config", str(cfg), "label", str(i), "--hot", "yes", "--topics", "hoc-phi-thu-chi"])
        assert r.exit_code == 0, r.output
    for i in ids[9:12] + ids[14:]:
        r = runner.invoke(cli, ["--config", str(cfg), "label", str(i), "--hot", "no", "--topics", "-"])
        assert r.exit_code == 0, r.output
    return cfg, ids[12:14]


@pytest.mark.parametrize("page", [4, 5, 5000])
@pytest.mark.parametrize("filters", [("--hot",), ("--topic", "hoc-phi-thu-chi"), ("--hot", "--topic", "hoc-phi-thu-chi")])
def test_matches_as_typed_on_a_later_page_come_before_loose_ones(filtered_store, monkeypatch, page, filters):
    import monitor.cli.analyst as analyst

    cfg, as_typed = filtered_store
    monkeypatch.setattr(analyst, "SEARCH_PAGE", page)
    monkeypatch.setattr(analyst, "SEARCH_MAX", 4 * page)
    for limit in ("1", "20"):
        r = CliRunner().invoke(cli, ["--config", str(cfg), "search", "ngươi", *filters, "--limit", limit, "--json"])
        assert r.exit_code == 0, r.output
        found = json.loads(r.output)
        assert found["matched_without_diacritics"] is False, (page, filters, limit)
        assert sorted(x["id"] for x in found["results"]) == sorted(as_typed[:int(limit)]), (page, filters, limit)
    listed = CliRunner().invoke(cli, ["--config", str(cfg), "search", "ngươi", *filters])
    assert "Không có bài nào có đúng" not in listed.output and "hỡi ngươi" in listed.output


@pytest.mark.parametrize("page", [4, 5000])
def test_loose_matches_under_a_filter_are_the_same_whatever_the_page(filtered_store, monkeypatch, page):
    """Nothing as typed ("ngươi" mistyped "ngưoi"): the loose matches passing the filter, best first, said to be loose."""
    import monitor.cli.analyst as analyst

    cfg, as_typed = filtered_store
    monkeypatch.setattr(analyst, "SEARCH_PAGE", page)
    monkeypatch.setattr(analyst, "SEARCH_MAX", 4 * page)
    r = CliRunner().invoke(cli, ["--config", str(cfg), "search", "ngưoi", "--hot", "--limit", "20", "--json"])
    found = json.loads(r.output)
    assert found["matched_without_diacritics"] is True
    assert len(found["results"]) == 11 and set(as_typed) <= {x["id"] for x in found["results"]}
