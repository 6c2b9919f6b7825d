"""Benchmark: the daily clipping of a day with 2,000 stored articles, in every format.

Target (issue): under 2 seconds to render a day of 2,000 stored articles in all formats.
Seeds a temporary SQLite store with invented articles (40 % education, reprints grouped into stories,
a few hot stories with cases, seven earlier days for the trend), then times:
  build   reading the day from the store and selecting (monitor.digest_delivery.load_digest)
  render  HTML (e-mail and file), text, Markdown, DOCX and the chart (render_all)
  total   build_and_deliver_digest(send=False) end to end, files written

Run:  .venv/bin/python bench/digest.py [--articles 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifiers.plan_topics import TOPIC_IDS  # noqa: E402
from classifiers.types import Classification  # noqa: E402
from monitor.app import App  # noqa: E402
from monitor.config import load_config  # noqa: E402
from monitor.models import ExtractedPage, FeedEntry  # noqa: E402

DAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 0, 30, tzinfo=timezone.utc)
OUTLETS = ["VnExpress", "Tuổi Trẻ", "Thanh Niên", "Dân trí", "VietNamNet", "Tiền Phong", "Lao Động", "Giáo dục & Thời đại",
           "Hà Nội Mới", "Kinh tế & Đô thị", "Người Lao Động", "Zing News"]
# Invented phrases to build titles and bodies from (never corpus text).
SUBJECTS = ["Học sinh", "Giáo viên", "Nhà trường", "Phụ huynh", "Sở GD&ĐT", "Phòng GD&ĐT", "Hiệu trưởng", "Sinh viên"]
VERBS = ["kiến nghị", "công bố", "triển khai", "điều chỉnh", "tổ chức", "phản ánh", "đề xuất", "hoàn thành"]
OBJECTS = ["lịch thi học kỳ", "khoản thu đầu năm", "chương trình song ngữ", "bữa ăn bán trú", "phương án tuyển sinh lớp 10",
           "hồ sơ điện tử", "hội thi giáo viên giỏi", "kế hoạch phòng chống đuối nước", "sách giáo khoa mới"]
PLACES = ["ở Long Biên", "tại Hà Nội", "ở TP HCM", "ở Đà Nẵng", "tại Nghệ An", "ở Gia Lâm", "tại phường Bồ Đề"]
FILLER = ("Theo kế hoạch, việc triển khai sẽ được thực hiện theo từng giai đoạn, có đánh giá sau mỗi học kỳ. "
          "Đại diện nhà trường cho biết sẽ lắng nghe ý kiến của phụ huynh và điều chỉnh khi cần thiết. "
          "Nhiều chuyên gia cho rằng cần có lộ trình rõ ràng và nguồn lực phù hợp để bảo đảm chất lượng. ")


def title(rng: random.Random, n: int) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(PLACES)} (số {n})"


def seed(app: App, articles: int, days_before: int, rng: random.Random) -> dict:
    store = app.store
    store.register_model_version("bench-1", NOW)
    tz = app.config.office.tz
    end = datetime.combine(DAY, datetime.min.time(), tzinfo=tz).replace(hour=7)
    counts = {"articles": 0, "education": 0, "stories": 0, "hot": 0}
    for back in range(days_before, -1, -1):
        day_end = end - timedelta(days=back)
        cls_items, edu_ids = [], []
        for n in range(articles):
            published = day_end - timedelta(seconds=rng.randrange(1, 24 * 3600))
            t = title(rng, n)
            url = f"https://bench.example.vn/{day_end:%Y%m%d}/{n}.html"
            aid, _ = store.add_feed_entry(FeedEntry(source="bench", url=url, guid=url, title=t,
                                                    sapo=f"{t}. {FILLER[:140]}", published=published),
                                          rng.choice(OUTLETS), published, fetch_page=back == 0)
            if back == 0:  # bodies only for the day itself: the trend reads counts, not text
                store.save_page(aid, ExtractedPage(title=t, sapo=f"{t}. {FILLER[:160]}", body=FILLER * 8, method="selectors"),
                                b"", "utf-8", published)
            edu = rng.random() < 0.4
            topics = tuple(rng.sample(TOPIC_IDS, rng.choice((0, 1, 1, 2)))) if edu else ()
            sentiment = rng.choices(("negative", "neutral", "positive"), (2, 5, 3))[0]
            cls_items.append((aid, Classification(
                id=str(aid), is_education=edu, relevance=0.8 if edu else 0.1, topics=topics,
                topic_scores={t: 0.7 for t in topics}, sentiment=sentiment, hot=False, hot_score=0.2,
                scope=rng.choice(("local", "city", "national", "national", "national")), reasons=(),
                model_version="bench-1")))
            if edu:
                edu_ids.append(aid)
        store.save_classifications(cls_items, NOW)
        counts["articles"] += articles
        if back == 0:
            counts["education"] = len(edu_ids)
            # a fifth of the education articles are reprints: stories of three
            for i in range(0, len(edu_ids) // 5 * 3, 3):
                sid = store.create_story(edu_ids[i], NOW)
                for j in (1, 2):
                    store.add_story_member(sid, edu_ids[i + j], NOW, similarity=0.95, matched_id=edu_ids[i], reprint=True)
                hot = i < 15
                store.save_story_score(sid, NOW, main_topic="", n_outlets=3, hot_score=85.0 - i if hot else 20.0,
                                       severity=("khẩn cấp", "cao", "theo dõi")[i % 3] if hot else None,
                                       reasons=["bench"] if hot else [], explanation={})
                if hot:
                    store.open_case(sid, NOW)
                    counts["hot"] += 1
                counts["stories"] += 1
    return counts


def timed(fn, repeat: int):
    runs, value = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        value = fn()
        runs.append(time.perf_counter() - t)
    return value, runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000, help="articles per day (default 2000)")
    ap.add_argument("--days-before", type=int, default=7, help="earlier days stored for the trend (default 7)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from monitor.digest_delivery import build_and_deliver_digest, load_digest, render_all

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cfg = load_config(ROOT / "feeds.yaml", overrides={
            "storage": {"data_dir": str(tmp / "var"), "database": "bench.sqlite3", "models_dir": str(tmp / "models")}})
        app = App(config=cfg, clock=lambda: NOW)
        t = time.perf_counter()
        counts = seed(app, args.articles, args.days_before, random.Random(26))
        print(f"seeded {counts['articles']} articles ({args.articles} on {DAY}, {counts['education']} education, "
              f"{counts['stories']} stories, {counts['hot']} hot) in {time.perf_counter() - t:.1f} s")

        # warm-up: imports (matplotlib, python-docx, Jinja2 templates) are a one-off per process
        t = time.perf_counter()
        digest = load_digest(app, DAY)
        render_all(digest, ("html", "txt", "md", "docx"))
        print(f"first run incl. imports and template compilation: {time.perf_counter() - t:.2f} s")

        digest, build = timed(lambda: load_digest(app, DAY), args.repeat)
        rendered, render = timed(lambda: render_all(digest, ("html", "txt", "md", "docx")), args.repeat)
        result, total = timed(lambda: build_and_deliver_digest(app, DAY, send=False, out_dir=tmp / "out"), args.repeat)

        def fmt(runs):
            return f"median {statistics.median(runs):.3f} s (min {min(runs):.3f}, max {max(runs):.3f})"

        print(f"digest: {digest.summary.education} education articles -> {digest.item_count} items shown, "
              f"{digest.summary.hot_stories} hot, {len(digest.topics)} topic sections")
        print(f"build  (store -> Digest)            {fmt(build)}")
        print(f"render (html, txt, md, docx, chart) {fmt(render)}")
        print(f"total  (build + render + write)     {fmt(total)}")
        sizes = {k: p.stat().st_size for k, p in result.paths.items()}
        print("files: " + ", ".join(f"{k} {v / 1024:.0f} KiB" for k, v in sizes.items()))
        target = statistics.median(total)
        print(f"target < 2 s for all formats: {'met' if target < 2 else 'NOT met'} ({target:.2f} s)")


if __name__ == "__main__":
    main()
