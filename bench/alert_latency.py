"""Alert latency: from an item's appearance in its feed to the alert's delivery, over a simulated day.

A day of invented news (project-written, never corpus text) is served by monitor.sample_site on
127.0.0.1: each item appears in its outlet's feed at its publication time. Every 5 simulated minutes the
real pipeline runs (monitor.pipeline.run_once: crawl every feed over HTTP with conditional GET, fetch the
new article pages, classify, triage, deliver the outbox) and a real webhook receiver on 127.0.0.1 records
each alert. The clock is simulated between polls and runs in real time during a poll, so the time the
pipeline itself takes is counted. Latency = delivery time - appearance time of the newest article the
alert lists (the one whose arrival triggered it).

The classifier is a small stand-in (hot when the article is one of the invented incidents) so the bench
measures the pipeline's timing, not the NLP models; quiet hours are off (they are a policy hold, not
latency). Target: p95 under 6 minutes with a 5-minute polling interval.

    python bench/alert_latency.py [--hours 24] [--interval 5] [--seed 7]
"""

from __future__ import annotations

import argparse
import dataclasses
import http.server
import json
import random
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifiers.types import Classification  # noqa: E402
from monitor import sample_site  # noqa: E402
from monitor.app import App  # noqa: E402
from monitor.config import AlertChannel, Alerts  # noqa: E402
from monitor.pipeline import run_once  # noqa: E402

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FEEDS = {"VnExpress": "vnexpress-giao-duc", "Tuổi Trẻ": "tuoitre-giao-duc", "Thanh Niên": "thanhnien-giao-duc",
         "Dân Trí": "dantri-giao-duc", "VietnamNet": "vietnamnet-giao-duc", "Giáo dục & Thời đại": "gdtd-giao-duc"}
SCHOOLS = ["Ái Mộ", "Gia Thụy", "Ngọc Lâm", "Đoàn Kết", "Thanh Am", "Việt Hưng", "Bồ Đề", "Phúc Đồng", "Sài Đồng",
           "Thạch Bàn", "Cự Khối", "Giang Biên", "Đức Giang", "Phúc Lợi", "Thượng Thanh", "Long Biên"]
ROUTINE = ["tổ chức ngày hội đọc sách cho học sinh khối {k}", "ra mắt câu lạc bộ robot dành cho học sinh lớp {k}",
           "trao {n} suất học bổng cho học sinh vượt khó", "tập huấn kỹ năng phòng cháy cho {n} giáo viên",
           "khánh thành thư viện xanh với {n} đầu sách", "đón đoàn kiểm tra công tác bán trú đầu năm",
           "tổ chức hội thi giáo viên dạy giỏi cấp trường lần thứ {k}", "phát động phong trào kế hoạch nhỏ thu {n} kg giấy"]
INCIDENTS = [  # twelve different events (invented), so that each is its own story
    ("Học sinh lớp 8 Trường THCS {s} bị bạn đánh hội đồng, clip lan truyền trên mạng",
     "Nữ sinh bị nhóm bạn cùng trường đánh sau giờ tan học; nhà trường đã mời phụ huynh các em lên làm việc."),
    ("{n} học sinh Trường Tiểu học {s} nhập viện sau bữa ăn bán trú",
     "Sau bữa trưa, nhiều em có biểu hiện đau bụng, buồn nôn; mẫu thức ăn đã được niêm phong để xét nghiệm."),
    ("Phụ huynh Trường Mầm non {s} phản ánh khoản thu {n} triệu đồng đầu năm",
     "Các khoản tiền điều hòa, đồng phục và quỹ lớp được thu ngay tuần đầu, vượt mức thỏa thuận."),
    ("Cô giáo ở {s} bị tố dùng thước đánh vào tay học sinh lớp 2",
     "Đoạn ghi âm do phụ huynh cung cấp cho thấy giáo viên quát mắng và đánh học trò vì chưa thuộc bài."),
    ("Mái tôn phòng học ở {s} bị tốc trong cơn dông, hai học sinh bị thương nhẹ",
     "Trận mưa lớn kèm gió giật chiều qua làm bung tấm lợp, giờ học buổi chiều phải dừng."),
    ("Lộ đề kiểm tra giữa kỳ môn Toán lớp 9 tại {s}, phải tổ chức thi lại",
     "Ảnh chụp đề được chia sẻ trong nhóm chat của học sinh từ tối hôm trước, phòng giáo dục yêu cầu báo cáo."),
    ("Xe đưa đón học sinh trường quốc tế ở {s} bỏ quên bé 4 tuổi trên xe",
     "Cháu bé được người dân phát hiện sau gần một giờ trong xe đóng kín cửa, đã được đưa đi kiểm tra sức khỏe."),
    ("Thực phẩm hết hạn được phát hiện trong bếp ăn bán trú ở {s}",
     "Đoàn kiểm tra liên ngành tìm thấy hơn {n} kg thịt đông lạnh không rõ nguồn gốc trong kho của nhà bếp."),
    ("Học sinh đuối nước khi tắm sông ở {s} sau giờ tan học",
     "Nhóm bạn rủ nhau ra bãi sông tắm, một em bị dòng nước cuốn, lực lượng cứu hộ tìm kiếm đến tối."),
    ("Thông tin sai về việc sáp nhập trường {s} lan trên mạng xã hội",
     "Bài đăng khẳng định trường sẽ giải thể khiến nhiều phụ huynh hoang mang; chính quyền phường đã lên tiếng."),
    ("Bình nóng lạnh phát nổ trong nhà vệ sinh trường {s}",
     "Vụ việc xảy ra trong giờ ra chơi, may mắn không có học sinh trong phòng; nhà trường đã ngắt điện toàn khu."),
    ("Phó hiệu trưởng ở {s} bị tạm đình chỉ vì nâng điểm học bạ",
     "Thanh tra phát hiện {n} học bạ bị sửa điểm tổng kết, người liên quan đã bị đình chỉ để làm rõ."),
]


def make_day(start: datetime, hours: int, rng: random.Random) -> list[sample_site.SampleArticle]:
    """About 24 routine items per outlet per day and one incident every ~2 hours, reprinted or rewritten by 1-3 other outlets."""
    arts: list[sample_site.SampleArticle] = []
    outlets = list(FEEDS)
    n = 0
    for outlet in outlets:
        for _ in range(hours):
            n += 1
            s, k, v = rng.choice(SCHOOLS), rng.randint(1, 9), rng.randint(5, 900)
            what = rng.choice(ROUTINE).format(k=k, n=v)
            arts.append(sample_site.SampleArticle(
                outlet=outlet, feed=FEEDS[outlet], slug=f"tin-{n}", title=f"Trường {s} {what} (bản tin {n})",
                sapo=f"Sáng nay, trường {s} {what}; đây là hoạt động thường niên số {n} của nhà trường.",
                paragraphs=(f"Nội dung chi tiết của bản tin số {n} về trường {s}.",),
                published=start + timedelta(minutes=rng.uniform(0, hours * 60))))
    for i in range(hours // 2):
        title_t, sapo_t = INCIDENTS[i % len(INCIDENTS)]
        s, k, v = SCHOOLS[i % len(SCHOOLS)], rng.randint(6, 9), rng.randint(3, 40)
        first = start + timedelta(minutes=rng.uniform(0, hours * 60 - 60))
        carriers = rng.sample(outlets, rng.randint(2, 4))
        for j, outlet in enumerate(carriers):
            title = title_t.format(s=s, k=k, n=v) if j == 0 else f"{outlet}: " + title_t.format(s=s, k=k, n=v)
            arts.append(sample_site.SampleArticle(
                outlet=outlet, feed=FEEDS[outlet], slug=f"hot-{i}-{j}", title=title, sapo=sapo_t.format(s=s, k=k, n=v),
                paragraphs=("Sự việc đang được cơ quan chức năng xác minh.",),
                published=first + timedelta(minutes=rng.uniform(0, 50) * j)))
    return arts


class FakeClassifier:
    """Education for every item; hot for the invented incidents (their slugs start with "hot-")."""

    version = "bench-fake-1"

    def classify(self, a):
        hot = "/hot-" in a.url or "hot-" in a.url.rsplit("/", 1)[-1]
        return Classification(id=a.id, is_education=True, relevance=0.9, topics=("an-toan-truong-hoc",),
                              topic_scores={}, sentiment="negative" if hot else "positive", hot=hot,
                              hot_score=0.9 if hot else 0.05, scope="local" if hot else "national",
                              reasons=("sự cố tại trường học",) if hot else (), model_version=self.version)

    def classify_many(self, items):
        return [self.classify(a) for a in items]


class Receiver:
    def __init__(self, clock) -> None:
        self.got: list[tuple[datetime, dict]] = []
        recv = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                recv.got.append((clock(), json.loads(body)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hours", type=int, default=24)
    ap.add_argument("--interval", type=float, default=5.0, help="polling interval, simulated minutes")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    start = datetime(2026, 11, 23, 0, 0, tzinfo=VN)
    articles = make_day(start, args.hours, rng)
    by_path = {sample_site.article_path(a): a for a in articles}

    sim = {"t": start, "wall": time.monotonic()}

    def clock() -> datetime:
        return sim["t"] + timedelta(seconds=time.monotonic() - sim["wall"])

    site = sample_site.build_site([])
    server, base = sample_site.serve(site)
    receiver = Receiver(clock)
    tmp = Path(tempfile.mkdtemp(prefix="alert-latency-"))
    sources = [{"name": f, "url": f"{base}/{sample_site.OUTLETS[o][0]}/rss/{f}.rss", "outlet": o,
                "interval_minutes": max(1, int(args.interval))} for o, f in FEEDS.items()]
    layout = {f: f"/{sample_site.OUTLETS[o][0]}/rss/{f}.rss" for o, f in FEEDS.items()}
    cfg = sample_site.sample_config(site, tmp, sources=sources)
    cfg = dataclasses.replace(cfg, alerts=Alerts(quiet_hours="", cooldown_minutes=60, window_hours=72,
                                                 channels=(AlertChannel(kind="webhook", url=receiver.url),)))
    app = App(config=cfg, clock=clock)
    app.classifier = FakeClassifier()
    polls, wall0 = 0, time.monotonic()
    try:
        t = start
        end = start + timedelta(hours=args.hours, minutes=60)
        while t <= end:
            visible = [a for a in articles if a.published <= t]
            fresh = sample_site.build_site(visible, layout)
            site.routes, site.feeds, site.article_paths = fresh.routes, fresh.feeds, fresh.article_paths
            sim["t"], sim["wall"] = t, time.monotonic()
            run_once(app, force=True)
            polls += 1
            t += timedelta(minutes=args.interval)
    finally:
        sample_site.stop(server)
        receiver.server.shutdown()
    latencies = []
    for delivered, payload in receiver.got:
        if payload.get("type") != "alert.new":
            continue
        appeared = max(_article(s["url"], by_path).published for s in payload["sources"])
        latencies.append((delivered - appeared).total_seconds() / 60)
    latencies.sort()
    incidents = len({a.slug.split("-")[1] for a in articles if a.slug.startswith("hot-")})
    wall = time.monotonic() - wall0
    print(f"simulated {args.hours} h, {len(articles)} items in {len(FEEDS)} feeds, poll every {args.interval:g} min "
          f"({polls} polls, {wall:.0f} s wall)")
    print(f"incidents: {incidents}; alerts delivered: {len(receiver.got)} "
          f"({sum(1 for _, p in receiver.got if p.get('type') == 'alert.new')} new, "
          f"{sum(1 for _, p in receiver.got if p.get('type') != 'alert.new')} follow-ups)")
    if latencies:
        def pct(p: float) -> float:
            return latencies[min(len(latencies) - 1, int(round(p / 100 * (len(latencies) - 1))))]
        print(f"latency (min): median {pct(50):.2f}, p95 {pct(95):.2f}, max {latencies[-1]:.2f}")
        print("target p95 < 6 min:", "MET" if pct(95) < 6 else "NOT MET")
    else:
        print("no alerts were delivered: the pipeline did not alert on any incident")


def _article(url: str, by_path: dict):
    path = "/" + url.split("://", 1)[-1].split("/", 1)[-1]
    return by_path[path]


if __name__ == "__main__":
    main()
