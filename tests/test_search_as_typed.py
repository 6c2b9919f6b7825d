"""monitor search with a query typed with diacritics: the words as typed are checked on the candidates' text, in
bm25 order, only as far as the listing needs; the results are those of checking every candidate of the page."""

from __future__ import annotations

import json
import random
import re
import unicodedata
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner

from monitor.app import App
from monitor.cli import cli
from monitor.search import _pattern, exact_ranker, fts_query, together_query, together_ranker
from monitor.store import Store
from test_service_support import TZ_OFFSET, add_articles, fixed_clock, write_config

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=TZ_OFFSET)
# invented pieces: the same words with other marks ("làm thêm … thứ" for "lạm thu"), an old tone placement, capitals,
# the words apart and together, joined by punctuation or an underscore (not a word boundary)
PIECES = ["lạm thu", "Lạm Thu", "LẠM THU", "lạm-thu", "lạm_thu", "làm thêm", "thứ hai", "khoản thu", "lam thu",
          "lạm dụng", "thu học phí", "Khánh Hoà", "Khánh Hòa", "hoà giải", "người dân", "ngươi", "người", "nguoi",
          "học phí", "hoc phi", "lạm", "thu", "thu2", "2thu"]
FILLER = ["phụ huynh", "nhà trường", "phản ánh", "đầu năm", "quận", "tiểu học", ",", ".", "giáo viên", "(", ")"]


@pytest.fixture(scope="module")
def store_of_variants(tmp_path_factory):
    rng = random.Random(18)
    folder = tmp_path_factory.mktemp("as-typed")
    cfg = write_config(folder)

    def text(n):
        return " ".join(rng.choice(PIECES) if rng.random() < 0.35 else rng.choice(FILLER) for _ in range(n))

    articles = [{"url": f"https://bao-vi-du.vn/giao-duc/bai-{k}.html", "title": text(rng.randint(3, 9)),
                 "sapo": text(rng.randint(0, 14)), "body": text(rng.choice([0, 20, 60])),
                 "published": NOW - timedelta(hours=k)} for k in range(240)]
    app = App.from_path(cfg, clock=fixed_clock(NOW))
    try:
        add_articles(app, articles)
    finally:
        app.close()
    return cfg


def run_search(cfg, *args) -> dict:
    r = CliRunner().invoke(cli, ["--config", str(cfg), "search", *args, "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def every_candidate_checked(store: Store, query: str, limit: int, page: int, most: int) -> tuple[list[int], bool]:
    """The listing as search made it before it stopped early: every candidate of a page read and checked, then sorted
    by tier (bm25 order within), page after page until `limit` and one more, or nothing as typed on the first; and
    whether more matched than are listed."""
    expr, rank = fts_query(query), exact_ranker(query)
    rows: list[int] = []
    first_page: list[tuple[int, float]] = []
    any_exact = more = False
    offset = 0
    while True:
        hits = store.search_ids(expr, limit=page, offset=offset)
        offset += len(hits)
        last = len(hits) < page
        first_page = first_page or hits
        found = {a.id: a for a in store.get_articles([i for i, _ in hits])}
        tiers = {i: rank("\n".join((a.title, a.sapo, a.body))) for i, a in found.items()}
        hits = sorted(((i, r) for i, r in hits if tiers.get(i) is not None), key=lambda h: tiers[h[0]])
        any_exact = any_exact or bool(hits)
        for i, _ in hits:
            if len(rows) >= limit:
                more = True
                break
            rows.append(i)
        if more or last or not any_exact:
            break
        if offset >= most:
            more = True
            break
    together = together_query(query)
    if not any_exact and together:  # plain words: the fallback keeps those standing together, without the marks
        check = together_ranker(query)
        texts = store.article_texts([i for i, _ in store.search_ids(together, limit=most)])
        first_page = [(i, r) for i, r in store.search_ids(together, limit=most) if check(texts[i]) is not None]
    if not any_exact and first_page:
        return [i for i, _ in first_page[:limit]], len(first_page) > limit
    return rows, more


QUERIES = ["lạm thu", '"lạm thu"', "lạm thu OR học phí", "người", "Khánh Hoà", "hòa*", "lạm thu -dụng", "thư",
           "Lam Thu OR khoản thu", "học phí", "làm thềm", "thứ hai làm thêm", "lạm*", '"khoản thu" OR "lạm thu"']


@pytest.mark.parametrize("page", [7, 5000])
@pytest.mark.parametrize("query", QUERIES)
def test_listing_is_the_one_of_checking_every_candidate(store_of_variants, monkeypatch, query, page):
    import monitor.cli.analyst as analyst
    from monitor.search import has_marks

    assert has_marks(query)
    monkeypatch.setattr(analyst, "SEARCH_PAGE", page)
    monkeypatch.setattr(analyst, "SEARCH_CHECK", page)
    monkeypatch.setattr(analyst, "SEARCH_MAX", 4 * page)
    store = Store(store_of_variants.parent / "var" / "monitor.sqlite3")
    try:
        for limit in (1, 3, 10, 50):
            shown = [r["id"] for r in run_search(store_of_variants, query, "--limit", str(limit))["results"]]
            listed = CliRunner().invoke(cli, ["--config", str(store_of_variants), "search", query, "--limit", str(limit)])
            assert (shown, " bài đầu (còn bài khớp khác" in listed.output) == \
                   every_candidate_checked(store, query, limit, page, 4 * page), (query, limit)
    finally:
        store.close()


def test_a_common_word_typed_with_marks_reads_about_what_it_shows(store_of_variants, monkeypatch):
    """Its best matches are as typed: reading and normalising a year's page of 5,000 texts took seconds."""
    read: list[int] = []
    original = Store.get_articles

    def counted(self, article_ids):
        read.extend(article_ids)
        return original(self, article_ids)

    monkeypatch.setattr(Store, "get_articles", counted)
    texts = Store.article_texts
    monkeypatch.setattr(Store, "article_texts", lambda self, ids: read.extend(ids) or texts(self, ids))
    every = run_search(store_of_variants, "lạm", "--limit", "200")["results"]
    read.clear()
    shown = run_search(store_of_variants, "lạm", "--limit", "3")["results"]
    assert [r["id"] for r in shown] == [r["id"] for r in every[:3]]
    assert len(every) > 60 and len(set(read)) <= 55  # a first chunk of 50 (and the 3 shown, read again)


@pytest.mark.parametrize("words", [["lạm"], ["lạm", "thu"], ["thu", "2"], ["u"]])
@pytest.mark.parametrize("prefix", [False, True])
def test_word_patterns_match_where_the_boundary_checked_first_did(words, prefix):
    before = re.compile(r"(?<![^\W_])" + r"[\W_]+".join(map(re.escape, words)) + ("" if prefix else r"(?![^\W_])"))
    texts = ["lạm thu", "xlạm thu", "_lạm thu", "2lạm thu", "lạm thu2", "lạm__thu", "lạm - thu.", "thu2 thu 2",
             "u uu ư u", "\nlạm\nthu\n", "lạmthu lạm thu", "ạlạm lạm", "u"]
    for text in texts:
        assert [m.span() for m in _pattern(words, prefix).finditer(text)] == \
               [m.span() for m in before.finditer(text)], text


# invented spellings of the pieces as stored texts may hold them: capitals, the old tone placement, decomposed, a
# character reference, an invisible character inside a word, a capital whose lower case is longer
SPELLINGS = [str.upper, str.title, lambda t: t.replace("òa", "oà").replace("ủy", "uỷ").replace("ÒA", "OÀ"),
             lambda t: unicodedata.normalize("NFD", t), lambda t: t.replace(" ", "&nbsp;", 1),
             lambda t: t.replace("ư", "\u00adư", 1), lambda t: "İ " + t, lambda t: t.replace("ơ", "o", 1)]


def test_texts_told_apart_without_normalising_rank_as_normalised(monkeypatch):
    import monitor.search as search

    rng = random.Random(7)
    pieces = PIECES + ["hòa", "Hoà", "thủy", "thuỷ", "khỏe", "khoẻ", "quý", "hoàn", "ngươi2", "Ngươi", "NGƯƠI"]
    texts = []
    for _ in range(600):
        t = " ".join(rng.choice(pieces) if rng.random() < 0.4 else rng.choice(FILLER) for _ in range(rng.randint(1, 12)))
        texts.append(rng.choice(SPELLINGS)(t) if rng.random() < 0.6 else t)
    queries = QUERIES + ["ngươi", "hoà", "hò*", "hòa*", "thuỷ", "khỏe", "Hà Noi", "quý", "ngươi OR thủy", "ò*"]
    quick = [exact_ranker(q) for q in queries]
    monkeypatch.setattr(search, "_needed", lambda groups: None)
    for q, rank in zip(queries, quick):
        assert [rank(t) for t in texts] == [exact_ranker(q)(t) for t in texts], q


def test_a_word_typed_with_marks_normalises_only_the_texts_that_may_hold_it(store_of_variants, monkeypatch):
    """"ngươi" folds to "nguoi", mostly "người": its thousands of candidates in a year are told apart without
    normalising each (normalising a year's 20,000 of them was most of the seconds such a search took)."""
    import monitor.search as search

    normalised: list[str] = []
    key = search._key
    monkeypatch.setattr(search, "_key", lambda text: normalised.append(text) or key(text))
    shown = run_search(store_of_variants, "ngươi", "--limit", "200")["results"]
    store = Store(store_of_variants.parent / "var" / "monitor.sqlite3")
    try:
        candidates = store.search_ids(fts_query("ngươi"), limit=1000)
    finally:
        store.close()
    assert 0 < len(shown) < len(candidates) - 50
    assert len(normalised) == len(shown)  # those it shows, each normalised once; not the other candidates
