"""Full-text search speed over a store of N invented articles (monitor search's FTS5 over folded text).

    .venv/bin/python bench/search_speed.py [N]        # default 50 000 articles

Prints the time to index and the median / worst time of typical analyst queries. Target: a query
answers in well under 100 ms on a year of one office's news (~50 000 articles).
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.models import FeedEntry  # noqa: E402
from monitor.search import fold_text, fts_query  # noqa: E402
from monitor.store import Store  # noqa: E402

WORDS = ("học sinh giáo viên phụ huynh nhà trường tuyển sinh lớp 10 học phí khoản thu bạo lực học đường "
         "an toàn trường học chương trình sách giáo khoa thi tốt nghiệp điểm chuẩn Hòa Bình Long Biên Đà Nẵng "
         "kinh tế giá vàng bóng đá thời tiết giao thông chứng khoán xăng dầu hội chợ nông sản").split()
QUERIES = ["bao luc hoc duong", "bạo lực học đường", '"hoc phi"', "hoà bình", "tuyen sinh lop 10",
           '"khoản thu" OR "học phí"', "giao vien -bong", "chuong*", "không có từ này"]


def main(n: int) -> None:
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.sqlite3")
        t0 = time.perf_counter()
        now = datetime(2026, 11, 26, tzinfo=timezone.utc)
        docs = []
        for i in range(n):
            title = " ".join(rng.choice(WORDS) for _ in range(12))
            body = " ".join(rng.choice(WORDS) for _ in range(300))
            entry = FeedEntry(source="bench", url=f"https://example.vn/{i}.html", guid=str(i), title=title,
                              published=now - timedelta(minutes=i))
            article_id, _ = store.add_feed_entry(entry, "Bench", now)
            docs.append((article_id, fold_text(title), "", fold_text(body)))
            if len(docs) == 1000:
                store.index_articles(docs)
                docs = []
        store.index_articles(docs)
        store.maintain()
        print(f"{n} articles stored and indexed in {time.perf_counter() - t0:.1f} s")
        for q in QUERIES:
            expr = fts_query(q)
            times = []
            for _ in range(7):
                t = time.perf_counter()
                hits = store.search_ids(expr, limit=20)
                times.append((time.perf_counter() - t) * 1000)
            print(f"  {q!r:32} {len(hits):>3} hits  median {statistics.median(times):7.1f} ms  worst {max(times):7.1f} ms")
        store.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
