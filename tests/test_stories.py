"""Story grouping: reprints and rewrites of one event become one story; other events stay apart."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone

from monitor.stories import fold, growth, shingles
from monitor.triage import run_triage
from test_triage_support import (EXAM_SAPO, EXAM_TITLE, FEE_SAPO, FEE_TITLE, FIGHT_REWRITE_SAPO,
                                 FIGHT_REWRITE_TITLE, FIGHT_SAPO, FIGHT_TITLE, Cls, add_article, make_app, reprint)


def test_fold_ignores_diacritics_tone_placement_and_normalisation_form():
    assert fold("Hoà bình") == fold("Hòa bình") == fold(unicodedata.normalize("NFD", "hoà BÌNH")) == "hoa binh"
    assert fold("Đắk Lắk, 24/11") == "dak lak 24 11"
    assert shingles("Hoà") == shingles("hòa")


def test_five_outlets_reprinting_one_event_make_one_story(tmp_path):
    app = make_app(tmp_path)
    t0 = app.now() - timedelta(hours=3)
    outlets = ["Báo Long Biên", "VnExpress", "Tuổi Trẻ", "Thanh Niên", "Dân Trí"]
    ids = []
    for i, outlet in enumerate(outlets):
        title, sapo = reprint(FIGHT_TITLE, FIGHT_SAPO, i)
        ids.append(add_article(app, outlet, f"fight-{i}", title, sapo, t0 + timedelta(minutes=20 * i)))
    other = add_article(app, "VnExpress", "fee", FEE_TITLE, FEE_SAPO, t0 + timedelta(minutes=5), Cls(scope="city"))
    report = run_triage(app)
    assert report.assigned == 6 and report.new_stories == 2
    assert report.reprints == 4  # the four copies after the first publication
    story_id = app.store.story_of_article(ids[0])
    assert all(app.store.story_of_article(a) == story_id for a in ids)
    assert app.store.story_of_article(other) != story_id
    story = app.store.story(story_id)
    assert story.first_article_id == ids[0] and story.title == FIGHT_TITLE
    assert story.outlets == tuple(outlets)  # first publisher first, each outlet once
    assert story.article_ids == tuple(ids)
    assert story.severity is not None and story.case_status == "mới"
    between = app.store.stories_between(t0, t0 + timedelta(minutes=30))
    assert {s.id for s in between} == {story_id, app.store.story_of_article(other)}
    assert app.store.stories_between(t0 + timedelta(hours=10), t0 + timedelta(hours=11)) == []
    # a second run finds nothing new to place
    assert run_triage(app).assigned == 0


def test_rewrite_joins_story_but_same_topic_other_event_does_not(tmp_path):
    app = make_app(tmp_path)
    t0 = app.now() - timedelta(hours=5)
    first = add_article(app, "Báo Long Biên", "fight", FIGHT_TITLE, FIGHT_SAPO, t0)
    rewrite = add_article(app, "VnExpress", "fight-rewrite", FIGHT_REWRITE_TITLE, FIGHT_REWRITE_SAPO, t0 + timedelta(hours=2))
    exam = add_article(app, "Tuổi Trẻ", "exam", EXAM_TITLE, EXAM_SAPO, t0 + timedelta(hours=1), Cls(hot_score=0.1, sentiment="neutral", scope="city", topics=("thi-cu",), reasons=()))
    fee = add_article(app, "Thanh Niên", "fee", FEE_TITLE, FEE_SAPO, t0 + timedelta(hours=1), Cls(scope="city"))
    run_triage(app)
    s = app.store.story_of_article
    assert s(first) == s(rewrite)
    assert len({s(first), s(exam), s(fee)}) == 3
    members = app.store.story_members(s(first))
    assert [m["reprint"] for m in members] == [False, False]  # a rewrite is not a reprint
    assert growth((m["when"], m["outlet"]) for m in members)[-1][1] == 2


def test_same_text_outside_the_window_starts_a_new_story(tmp_path):
    app = make_app(tmp_path)
    t0 = app.now() - timedelta(days=10)
    a = add_article(app, "VnExpress", "fight-old", FIGHT_TITLE, FIGHT_SAPO, t0)
    b = add_article(app, "Tuổi Trẻ", "fight-new", FIGHT_TITLE, FIGHT_SAPO, t0 + timedelta(hours=80))
    run_triage(app)
    assert app.store.story_of_article(a) != app.store.story_of_article(b)


def test_articles_not_about_education_are_not_grouped(tmp_path):
    app = make_app(tmp_path)
    aid = add_article(app, "VnExpress", "x", FIGHT_TITLE, FIGHT_SAPO, app.now(), Cls(is_education=False))
    report = run_triage(app, [aid])
    assert report.assigned == 0 and app.store.story_of_article(aid) is None


# ------------------------------------------------------------------ bounds a hostile feed cannot push


# invented syllables: items of a feed built to cost grouping work (no real text)
_SYLLABLES = ("an bình châu dương gia hòa khánh lâm minh ngọc phúc quang sơn thạch trung việt xuân yên đông tây "
              "nam bắc thủy hải long phong vân nguyệt tâm đức trí tín nghĩa lễ hiếu thảo hạnh phước lộc thọ khang").split()


def _words(rng, n: int) -> str:
    return " ".join(rng.choice(_SYLLABLES) + str(rng.randint(0, 99)) for _ in range(n))


class _Counting:
    """Counts monitor.stories' similarity computations (what a match costs), whichever code computes them."""

    def __init__(self, monkeypatch) -> None:
        import monitor.stories as stories

        self.calls = 0
        cosine, jaccard = stories.cosine, stories.jaccard
        monkeypatch.setattr(stories, "cosine", lambda a, b: self._count(cosine(a, b)))
        monkeypatch.setattr(stories, "jaccard", lambda a, b: self._count(jaccard(a, b)))

    def _count(self, x):
        self.calls += 1
        return x


def _notice(k: int) -> str:
    return (f"Thông báo: học sinh Trường THCS Ngọc Lâm nghỉ học ngày 25/11 để bảo trì hệ thống điện (bản {k}). "
            f"Ban giám hiệu thông báo học sinh khối 8 nghỉ học một ngày để thay thiết bị chiếu sáng (mã tin {k}).")


def test_an_article_is_checked_against_a_bounded_number_of_near_copies_however_many_the_window_holds(monkeypatch):
    from monitor.stories import MAX_NEAR_COPIES, Doc, Idf, StoryIndex

    t0 = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)
    index = StoryIndex(Idf([_notice(k) for k in range(50)]), timedelta(hours=72))
    for k in range(1500):  # three polls of a feed listing 500 copies under new links
        index.add(Doc(k, "Báo Tin tức", t0 + timedelta(seconds=k), _notice(k)), story_id=1)
    counted = _Counting(monkeypatch)
    match = index.match(Doc(9999, "Báo Tin tức", t0 + timedelta(hours=1), _notice(9999)))
    # it still joins the copies' story as a reprint; before the bound it was compared with all 1,500
    assert match is not None and match.reprint and match.story_id == 1
    assert counted.calls <= 2 * MAX_NEAR_COPIES  # a Jaccard each, and a cosine for each closer one
    assert max(len(b) for table in index.lsh.tables for b in table.values()) <= index.lsh.cap


def test_an_article_is_compared_with_a_bounded_number_of_articles_sharing_its_rare_words(monkeypatch):
    import random

    from monitor.stories import MAX_CANDIDATES, POSTINGS_CAP, Doc, Idf, StoryIndex

    rng = random.Random(3)
    t0 = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)
    shared = "Hội đồng trường liên cấp Vạn Xuân Khải Hoàn"  # rare: in none of the background
    index = StoryIndex(Idf([_words(rng, 30) for _ in range(500)]), timedelta(hours=72))
    for k in range(1500):  # each its own story: the same few rare words among words of its own
        index.add(Doc(k, "Báo Tin tức", t0 + timedelta(seconds=k), f"{shared} {_words(rng, 40)}"), story_id=k)
    counted = _Counting(monkeypatch)
    index.match(Doc(9999, "Báo Tin tức", t0 + timedelta(hours=1), f"{shared} {_words(rng, 40)}"))
    assert 0 < counted.calls <= MAX_CANDIDATES * 2  # a cosine each, and a Jaccard for a match found
    assert max(len(p) for p in index.postings.values()) <= POSTINGS_CAP
    assert index.capped >= 1


def test_the_bounds_leave_a_real_sized_window_as_it_was():
    # a day of news, reprints and rewrites among it: nothing is cut (bench/story_pairs.py counts it on real news)
    from monitor.stories import Doc, Idf, StoryIndex

    t0 = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)
    texts = [f"{FIGHT_TITLE} {FIGHT_SAPO}", f"{FIGHT_REWRITE_TITLE} {FIGHT_REWRITE_SAPO}", f"{FEE_TITLE} {FEE_SAPO}",
             f"{EXAM_TITLE} {EXAM_SAPO}"] + [" ".join(reprint(FIGHT_TITLE, FIGHT_SAPO, i)) for i in range(1, 5)]
    index = StoryIndex(Idf(texts), timedelta(hours=72))
    for k, text in enumerate(texts):
        doc = Doc(k, "VnExpress", t0 + timedelta(minutes=k), text)
        m = index.match(doc)
        index.add(doc, m.story_id if m else k)
    assert index.capped == 0
    assert len({index.story[k] for k in (0, 1, 4, 5, 6, 7)}) == 1 and len({index.story[k] for k in (0, 2, 3)}) == 3


def test_a_title_and_sapo_of_megabytes_cost_grouping_a_bounded_text():
    from monitor.stories import MAX_TEXT_CHARS, shingles, tokens

    huge = "Học sinh Trường THCS Ngọc Lâm " + _words(__import__("random").Random(1), 200_000)
    assert len(tokens(huge)) <= MAX_TEXT_CHARS and len(shingles(huge)) <= MAX_TEXT_CHARS


def test_triage_indexes_the_latest_members_of_a_story_and_still_joins_a_new_copy_to_it(tmp_path, monkeypatch):
    import monitor.triage as triage

    app = make_app(tmp_path)
    t0 = app.now() - timedelta(hours=30)
    first = add_article(app, "Báo Long Biên", "ban-0", *_notice(0).split(". ", 1), t0)
    run_triage(app)
    story = app.store.story_of_article(first)
    monkeypatch.setattr(triage, "INDEXED_PER_STORY", 20)
    for k in range(1, 60):
        add_article(app, "Báo Long Biên", f"ban-{k}", *_notice(k).split(". ", 1), t0 + timedelta(minutes=k))
    run_triage(app)
    assert {app.store.story_of_article(a) for a in app.store.article_ids_between(t0, None)} == {story}
    built: list[int] = []

    class Spy(triage.StoryIndex):
        def match(self, doc, exclude_story=None):
            built.append(len(self.docs))
            return super().match(doc, exclude_story)

    monkeypatch.setattr(triage, "StoryIndex", Spy)
    late = add_article(app, "VnExpress", "ban-moi", *_notice(99).split(". ", 1), t0 + timedelta(hours=2))
    run_triage(app)
    assert app.store.story_of_article(late) == story
    assert built == [20]  # the story's latest 20 of its 60 members; before the bound, all 60
