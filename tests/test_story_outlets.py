"""Story grouping and counting under what feeds get wrong: one outlet under several spellings, a feed named like a
real outlet, a flood of near-copies. All text is invented."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone

import pytest

from monitor.config import OutletNames, outlet_key, parse_config
from monitor.digest_delivery import outlets_named
from monitor.models import FeedEntry
from monitor.stories import SAME_EVENT_COSINE, Doc, Idf, StoryIndex
from monitor.triage import run_triage
from test_triage_support import (FIGHT_REWRITE_SAPO, FIGHT_REWRITE_TITLE, FIGHT_SAPO, FIGHT_TITLE, Cls, add_article,
                                 config_data, make_app, reprint)

NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731


def add_from_feed(app, feed: str, outlet: str, slug: str, title: str, sapo: str, published: datetime) -> int:
    """An article as feed `feed` (whose feeds.yaml entry calls its outlet `outlet`) brought it."""
    entry = FeedEntry(source=feed, url=f"https://{feed}.example.vn/{slug}.html", guid=slug, title=title, sapo=sapo,
                      published=published)
    aid, _ = app.store.add_feed_entry(entry, outlet, published)
    return aid


# ---------------------------------------------------------------------- 1. one outlet, many spellings


def test_an_outlets_spellings_share_one_key():
    same = ["VnExpress", "VNExpress", "Báo VnExpress", NFD("Báo VnExpress"), "vnexpress.net", "https://vnexpress.net/"]
    assert {outlet_key(n) for n in same} == {"vnexpress"}
    tuoi_tre = ["Tuổi Trẻ", "Tuoi Tre", "Tuổi Trẻ Online", NFD("Tuổi Trẻ"), "TUỔI TRẺ", "tuoitre.vn"]
    assert {outlet_key(n) for n in tuoi_tre} == {"tuoitre"}
    assert outlet_key("Thuỷ Nguyên") == outlet_key("Thủy Nguyên")  # tone placement
    assert len({outlet_key(n) for n in ["VnExpress", "Tuổi Trẻ", "Thanh Niên", "Dân Trí", "VietnamNet"]}) == 5


def test_every_spelling_takes_the_configured_display_name(tmp_path):
    cfg = parse_config(config_data(tmp_path), tmp_path / "feeds.yaml")
    names = OutletNames(cfg)
    assert {names(n) for n in ["VNExpress", "Báo VnExpress", "vnexpress.net", "m.vnexpress.net"]} == {"VnExpress"}
    assert {names(n) for n in ["Tuoi Tre", NFD("Tuổi Trẻ Online"), "tuoitre.vn"]} == {"Tuổi Trẻ"}
    assert cfg.outlet("VNExpress").name == "VnExpress"  # and its reach, for triage
    # an outlet feeds.yaml does not list: its spellings still fall together, under the first one met
    assert names.unique([NFD("Báo Hoà Bình"), "Báo Hòa Bình", "HOA BINH", "Dân trí"]) == ("Báo Hòa Bình", "Dân Trí")


def test_a_source_naming_its_outlet_another_way_is_that_outlet(tmp_path):
    data = config_data(tmp_path)
    data["sources"] = [{"name": "vne", "url": "https://vnexpress.net/rss/giao-duc.rss", "outlet": "VNExpress"},
                       {"name": "tt", "url": "https://tuoitre.vn/rss/giao-duc.rss", "outlet": "Báo Tuổi Trẻ"}]
    cfg = parse_config(data, tmp_path / "feeds.yaml")
    assert [s.outlet for s in cfg.sources] == ["VnExpress", "Tuổi Trẻ"]


def test_a_story_one_outlet_told_under_four_spellings_is_one_outlet(tmp_path):
    app = make_app(tmp_path)
    t0 = app.now() - timedelta(hours=3)
    spellings = ["VnExpress", "VNExpress", NFD("Báo VnExpress"), "vnexpress.net", "Tuoi Tre Online"]
    ids = []
    for i, outlet in enumerate(spellings):
        title, sapo = reprint(FIGHT_TITLE, FIGHT_SAPO, i)
        ids.append(add_from_feed(app, f"feed{i}", outlet, f"fight-{i}", title, sapo, t0 + timedelta(minutes=10 * i)))
    add_article(app, "VnExpress", "seed", "Trường THCS Gia Thụy khai giảng lớp học bơi miễn phí",
                "Học sinh được học bơi miễn phí suốt mùa hè.", t0 - timedelta(hours=1), Cls(hot_score=0.1))
    for aid in ids:
        add_article_classified(app, aid)
    run_triage(app)
    sid = app.store.story_of_article(ids[0])
    assert all(app.store.story_of_article(a) == sid for a in ids)
    explanation = app.store.story_explanation(sid)
    assert explanation["outlets"] == ["VnExpress", "Tuổi Trẻ"]
    # what the clipping reads: the story and its articles under one name each
    story = app.store.story(sid)
    articles = list(app.store.articles_between(t0 - timedelta(hours=2), app.now()))
    named, stories = outlets_named(app.config, articles, {a: story for a in story.article_ids})
    assert stories[ids[0]].outlets == ("VnExpress", "Tuổi Trẻ")
    assert {a.outlet for a in named if a.id in ids} == {"VnExpress", "Tuổi Trẻ"}


def add_article_classified(app, aid: int) -> None:
    from classifiers.types import Classification
    from test_triage_support import MODEL

    c = Cls()
    app.store.save_classifications([(aid, Classification(
        id=str(aid), is_education=True, relevance=0.9, topics=c.topics, topic_scores={t: 0.9 for t in c.topics},
        sentiment=c.sentiment, hot=True, hot_score=c.hot_score, scope=c.scope, reasons=c.reasons,
        model_version=MODEL))], app.now())


# ---------------------------------------------------------------------- 2. the cap is per feed


def test_a_feed_named_like_a_real_outlet_cannot_push_its_articles_out_of_the_grouping_index(tmp_path):
    app = make_app(tmp_path)
    t0 = app.now() - timedelta(hours=10)
    real = [add_from_feed(app, "vne", "VnExpress", f"real-{i}", f"Trường Tiểu học số {i} tổ chức hội thi kể chuyện",
                          f"Hội thi lần thứ {i} thu hút nhiều học sinh.", t0 + timedelta(minutes=i)) for i in range(5)]
    flood = [add_from_feed(app, "hostile", "VnExpress", f"copy-{i}", f"Thông báo nghỉ học số {i}",
                           f"Mã tin {i}.", t0 + timedelta(hours=1, minutes=i)) for i in range(40)]
    for aid in real + flood:
        app.store.create_story(aid, app.now())
    kept = {m["id"] for m in app.store.member_docs_between(t0 - timedelta(days=1), app.now(), per_story=100,
                                                           per_feed=5)}
    assert set(real) <= kept  # the real feed's five latest, whatever the other feed under its name listed
    assert len(kept & set(flood)) == 5
    # an article two feeds listed stays while either holds it among its latest
    entry = FeedEntry(source="hostile", url="https://vne.example.vn/real-0.html", guid="x", title="", sapo="",
                      published=t0)
    app.store.add_feed_entry(entry, "VnExpress", app.now())
    kept = {m["id"] for m in app.store.member_docs_between(t0 - timedelta(days=1), app.now(), per_feed=5)}
    assert set(real) <= kept


# ---------------------------------------------------------------------- 3. document frequencies under a flood

SCHOOLS = ["Ái Mộ", "Gia Thụy", "Đoàn Kết", "Thanh Am", "Việt Hưng", "Bồ Đề", "Phúc Đồng", "Sài Đồng", "Thạch Bàn",
           "Cự Khối", "Giang Biên", "Đức Giang", "Phúc Lợi", "Thượng Thanh"]
EVENTS = ["tổ chức ngày hội đọc sách cho học sinh", "ra mắt câu lạc bộ robot", "trao học bổng cho học sinh vượt khó",
          "tập huấn phòng cháy cho giáo viên", "khánh thành thư viện xanh", "đón đoàn kiểm tra bán trú",
          "tổ chức hội thi giáo viên dạy giỏi", "phát động phong trào kế hoạch nhỏ"]


def background() -> list[str]:
    return [f"Trường {s} {e} năm học mới. Sáng nay, trường {s} {e}; phụ huynh và học sinh tham gia đông đủ."
            for s in SCHOOLS for e in EVENTS]


def flood(n: int) -> list[str]:
    # a hostile feed's near-copies of one "denial" telling the story's own names: on the old count its words became
    # common and the two true articles of the story fell from 0.68 to 0.18, under the threshold
    return [f"Thông báo: nữ sinh lớp 8 Trường THCS Ngọc Lâm quận Long Biên bị bốn bạn đánh hội đồng, quay clip "
            f"đăng lên mạng xã hội chiều 24/11 chỉ là tin đồn; nhà trường nghỉ học ngày {20 + k % 9}/11 (mã tin {k})"
            for k in range(n)]


def pair_cosine(idf: Idf) -> float:
    when = datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
    a = Doc(1, "Báo Long Biên", when, f"{FIGHT_TITLE} {FIGHT_SAPO}")
    b = Doc(2, "VnExpress", when + timedelta(hours=2), f"{FIGHT_REWRITE_TITLE} {FIGHT_REWRITE_SAPO}")
    return StoryIndex(idf, timedelta(hours=72)).similarity(a, b)[0]


def test_a_flood_of_near_copies_counts_once_in_the_document_frequencies():
    ordinary = pair_cosine(Idf(background()))
    assert ordinary >= SAME_EVENT_COSINE
    flooded, calm = Idf(background() + flood(600)), Idf(background())
    assert flooded.n == calm.n + 1 and flooded.near_copies == calm.near_copies + 599
    assert pair_cosine(flooded) >= SAME_EVENT_COSINE
    assert pair_cosine(flooded) == pytest.approx(pair_cosine(Idf(background() + flood(1))))


def test_different_texts_each_count():
    texts = [f"Trường {s} {e}" for s, e in zip(SCHOOLS, EVENTS)] + [f"{FIGHT_TITLE} {FIGHT_SAPO}",
                                                                    f"{FIGHT_REWRITE_TITLE} {FIGHT_REWRITE_SAPO}"]
    idf = Idf(texts)
    assert idf.n == len(texts) and idf.near_copies == 0
