"""Shared set-up for the service and analyst tests (no tests here): a config in tmp_path and invented articles.

The articles are written for these tests (realistic, invented; no text from ../shared/corpus).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

from monitor.app import App
from monitor.models import ExtractedPage, FeedEntry

TZ_OFFSET = timezone(timedelta(hours=7))

ARTICLES = [
    {
        "url": "https://bao-vi-du.vn/giao-duc/hoc-sinh-lop-8-bi-danh-hoi-dong-1001.html",
        "title": "Học sinh lớp 8 bị nhóm bạn đánh hội đồng, phụ huynh bức xúc về bạo lực học đường",
        "sapo": "Một nữ sinh lớp 8 trường THCS Ngọc Lâm, quận Long Biên bị nhóm bạn cùng trường đánh hội đồng, "
                "clip lan truyền trên mạng xã hội khiến phụ huynh bức xúc.",
        "body": "Chiều 24/11, một đoạn clip ghi lại cảnh nữ sinh lớp 8 bị nhóm bạn túm tóc, tát liên tiếp ngay sau giờ tan học "
                "được chia sẻ rộng rãi. Gia đình em cho biết con bị sang chấn tâm lý, phải nghỉ học nhiều ngày. "
                "Phòng Giáo dục và Đào tạo quận Long Biên đã yêu cầu nhà trường báo cáo vụ việc, làm rõ trách nhiệm "
                "của giáo viên chủ nhiệm và có biện pháp phòng chống bạo lực học đường.",
        "published": datetime(2026, 11, 25, 9, 30, tzinfo=TZ_OFFSET),
    },
    {
        "url": "https://bao-vi-du.vn/giao-duc/tuyen-sinh-lop-10-hoa-binh-1002.html",
        "title": "Hòa Bình công bố phương án tuyển sinh lớp 10 năm học 2027-2028",
        "sapo": "Sở Giáo dục và Đào tạo tỉnh Hòa Bình giữ ổn định ba môn thi vào lớp 10 công lập gồm Toán, Ngữ văn và Ngoại ngữ.",
        "body": "Theo phương án được công bố, thí sinh dự thi tuyển sinh lớp 10 làm ba bài thi, điểm xét tuyển là tổng điểm "
                "ba bài thi cộng điểm ưu tiên. Các trường trung học phổ thông chuyên tổ chức thêm bài thi môn chuyên. "
                "Sở đề nghị các trường trung học cơ sở tăng cường tư vấn, hướng nghiệp cho học sinh lớp 9.",
        "published": datetime(2026, 11, 25, 14, 0, tzinfo=TZ_OFFSET),
    },
    {
        "url": "https://bao-vi-du.vn/the-thao/doi-tuyen-thang-dam-1003.html",
        "title": "Đội tuyển bóng đá thắng đậm 4-0 trong trận giao hữu trên sân Mỹ Đình",
        "sapo": "Các cầu thủ chơi áp đảo ngay từ hiệp một và ghi bốn bàn thắng.",
        "body": "Huấn luyện viên trưởng hài lòng với tinh thần thi đấu của các cầu thủ trẻ. Khán giả lấp đầy khán đài, "
                "cổ vũ nhiệt tình suốt chín mươi phút. Trận đấu tiếp theo diễn ra vào cuối tuần tại Thái Lan.",
        "published": datetime(2026, 11, 25, 20, 0, tzinfo=TZ_OFFSET),
    },
]


def write_config(tmp_path: Path, *, sources: list[dict] | None = None, digest: dict | None = None,
                 extra: dict | None = None) -> Path:
    cfg = {
        "office": {"name": "Phòng Giáo dục và Đào tạo quận Long Biên", "short_name": "Phòng GD&ĐT quận Long Biên",
                   "district": "Long Biên", "city": "Hà Nội",
                   "watchlist": {"wards": ["Ngọc Lâm", "Bồ Đề"], "schools": ["THCS Ngọc Lâm"]}},
        "crawler": {"allow_private_addresses": True, "respect_robots": False, "min_delay_seconds": 0,
                    "timeout_seconds": 5, "max_retries": 0},
        "outlets": [{"name": "Báo Ví Dụ", "domains": ["bao-vi-du.vn", "127.0.0.1"]}],
        "sources": sources or [{"name": "vi-du-giao-duc", "url": "http://127.0.0.1:9/rss/giao-duc.rss",
                                "outlet": "Báo Ví Dụ", "interval_minutes": 30}],
        "digest": digest or {"cutoff": "07:00"},
        "alerts": {"enabled": False},
        "storage": {"data_dir": str(tmp_path / "var"), "models_dir": str(tmp_path / "models")},
    }
    cfg.update(extra or {})
    path = tmp_path / "feeds.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def add_articles(app: App, articles=ARTICLES) -> list[int]:
    """Store the invented articles as if crawled: a feed entry, then the fetched page."""
    ids = []
    for a in articles:
        seen = a["published"] + timedelta(minutes=5)
        entry = FeedEntry(source="vi-du-giao-duc", url=a["url"], guid=a["url"], title=a["title"], sapo=a["sapo"],
                          published=a["published"])
        article_id, _ = app.store.add_feed_entry(entry, "Báo Ví Dụ", seen)
        page = ExtractedPage(title=a["title"], sapo=a["sapo"], body=a["body"], published=a["published"], method="selectors")
        app.store.save_page(article_id, page, f"<html><body>{a['body']}</body></html>".encode(), "utf-8", seen)
        ids.append(article_id)
    return ids


def fixed_clock(when: datetime):
    return lambda: when


def use_rules_with_own_topic(cfg: Path, name: str) -> Path:
    """Make the feeds.yaml at `cfg` run a copy of the shipped rules, written beside it as `name`, with a topic the
    office added ("ban-tru-nha-o", Bán trú, nhà ở học sinh); returns the rules file."""
    from classifiers.rules import DEFAULT_RULES_PATH

    data = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    data["topics"].append({"id": "ban-tru-nha-o", "name": "Bán trú, nhà ở học sinh",
                           "description": "bán trú, ký túc xá, nhà ở cho học sinh vùng khó",
                           "terms": {"bán trú": 1.0, "ký túc xá": 0.8}, "exclusions": []})
    own = cfg.parent / name
    own.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    config = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    config["storage"]["rules_file"] = str(own)
    cfg.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return own


def classified_store(folder: Path) -> tuple[Path, list[int], str]:
    """A store in `folder` holding add_articles' articles, classified at 08:00 on 26/11/2026 office time:
    (feeds.yaml, the articles' ids, the model version)."""
    from monitor.pipeline import classify_articles

    cfg = write_config(folder)
    app = App.from_path(cfg, clock=fixed_clock(datetime(2026, 11, 26, 8, 0, tzinfo=TZ_OFFSET)))
    try:
        ids = add_articles(app)
        classify_articles(app, ids)
        return cfg, ids, app.store.active_model_version()
    finally:
        app.close()
