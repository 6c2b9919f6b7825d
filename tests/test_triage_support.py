"""Helpers for the story / triage / alert / case tests: an App on a temporary database with a settable
clock, invented Vietnamese articles, hand-made classifications, and small real servers on 127.0.0.1
(an HTTP receiver for webhooks and the Telegram Bot API, an aiosmtpd SMTP server)."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

from classifiers.types import Classification
from monitor.app import App
from monitor.config import parse_config
from monitor.models import FeedEntry

MODEL = "test-model-1"
OUTLETS = [
    {"name": "VnExpress", "domains": ["vnexpress.net"], "reach": 1.0},
    {"name": "Tuổi Trẻ", "domains": ["tuoitre.vn"], "reach": 1.0},
    {"name": "Thanh Niên", "domains": ["thanhnien.vn"], "reach": 1.0},
    {"name": "Dân Trí", "domains": ["dantri.com.vn"], "reach": 1.0},
    {"name": "VietnamNet", "domains": ["vietnamnet.vn"], "reach": 0.9},
    {"name": "Báo Long Biên", "domains": ["longbien.example.vn"], "reach": 0.3},
]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw) -> datetime:
        self.now += timedelta(**kw)
        return self.now


def config_data(tmp_path: Path, *, channels=(), quiet="22:00-06:00", cooldown=60, smtp_port=None,
                smtp_timeout=None, min_scope=None, office=None) -> dict:
    data = {
        "office": {"name": "Phòng Giáo dục và Đào tạo quận Long Biên", "short_name": "Phòng GD&ĐT quận Long Biên",
                   "district": "Long Biên", "city": "Hà Nội",
                   "watchlist": {"wards": ["Ngọc Lâm", "Bồ Đề"], "schools": ["THCS Ngọc Lâm", "Tiểu học Bồ Đề"]}},
        "outlets": OUTLETS,
        "sources": [{"name": "vne", "url": "https://vnexpress.net/rss/giao-duc.rss", "outlet": "VnExpress"}],
        "alerts": {"quiet_hours": quiet, "cooldown_minutes": cooldown, "window_hours": 72, "channels": list(channels)},
        "storage": {"data_dir": str(tmp_path / "var")},
    }
    if office:  # another office, e.g. SO_OFFICE
        data["office"] = office
    if min_scope:
        data["alerts"]["min_scope"] = min_scope
    if smtp_port:
        data["smtp"] = {"host": "127.0.0.1", "port": smtp_port, "security": "none", "sender": "canhbao@longbien.example.vn"}
        if smtp_timeout:
            data["smtp"]["timeout_seconds"] = smtp_timeout
    return data


# a province-level office (a Sở): its area is the whole city, every district in it (Office.is_own_area)
SO_OFFICE = {"name": "Sở Giáo dục và Đào tạo thành phố Hà Nội", "short_name": "Sở GD&ĐT Hà Nội", "district": "Hà Nội",
             "city": "Hà Nội"}


def make_app(tmp_path: Path, now: datetime | None = None, **kw) -> App:
    data = config_data(tmp_path, **kw)
    path = tmp_path / "feeds.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    cfg = parse_config(data, path)
    app = App(config=cfg, clock=Clock(now or datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)))  # 09:00 local
    app.store.register_model_version(MODEL, app.now())
    return app


@dataclass
class Cls:
    """What the classifier would have said about an article (test input)."""

    hot_score: float = 0.85
    sentiment: str = "negative"
    scope: str = "local"
    topics: tuple = ("an-toan-truong-hoc",)
    reasons: tuple = ("bạo lực học đường",)
    is_education: bool = True
    hot_categories: tuple | None = None  # None: as its reasons say (classifiers.hot), as for a row stored before 0072


def add_article(app: App, outlet: str, slug: str, title: str, sapo: str, published: datetime,
                cls: Cls | None = None) -> int:
    domain = next(o["domains"][0] for o in OUTLETS if o["name"] == outlet)
    entry = FeedEntry(source="vne", url=f"https://{domain}/{slug}.html", guid=slug, title=title, sapo=sapo,
                      published=published)
    aid, _ = app.store.add_feed_entry(entry, outlet, published)
    c = cls or Cls()
    app.store.save_classifications([(aid, Classification(
        id=str(aid), is_education=c.is_education, relevance=0.9, topics=c.topics, topic_scores={t: 0.9 for t in c.topics},
        sentiment=c.sentiment, hot=c.hot_score >= 0.5, hot_score=c.hot_score, scope=c.scope, reasons=c.reasons,
        model_version=MODEL, hot_categories=c.hot_categories))], app.now())
    return aid


# ---------------------------------------------------------------------- invented news (written for the tests)

FIGHT_TITLE = "Nữ sinh lớp 8 Trường THCS Ngọc Lâm bị bạn đánh hội đồng, quay clip tung lên mạng"
FIGHT_SAPO = ("Chiều 24/11, một nữ sinh lớp 8 Trường THCS Ngọc Lâm (quận Long Biên) bị bốn bạn cùng trường "
              "đánh hội đồng sau giờ tan học; đoạn clip dài hơn hai phút lan truyền trên mạng xã hội.")
FIGHT_REWRITE_TITLE = "Hà Nội: xác minh vụ nữ sinh THCS Ngọc Lâm bị đánh hội đồng sau giờ học"
# another outlet's own account of the fight (told by the school, not by an education authority: an authority's answer
# is the office's response, which joins the story without raising it, monitor.responses)
FIGHT_REWRITE_SAPO = ("Trường THCS Ngọc Lâm quận Long Biên đang xác minh clip nữ sinh lớp 8 của trường bị bốn "
                      "bạn đánh hội đồng, quay clip rồi đăng lên mạng xã hội chiều 24/11.")
FEE_TITLE = "Phụ huynh phản ánh khoản thu quỹ lớp 2 triệu đồng ở trường tiểu học quận Cầu Giấy"
FEE_SAPO = ("Nhiều phụ huynh một trường tiểu học ở quận Cầu Giấy cho biết mỗi em phải đóng 2 triệu đồng quỹ lớp "
            "ngay tuần đầu năm học, cao gấp đôi năm trước.")
EXAM_TITLE = "Hà Nội công bố lịch thi thử lớp 10 cho học sinh lớp 9 toàn thành phố"
EXAM_SAPO = "Sở GD&ĐT Hà Nội cho biết kỳ khảo sát lớp 9 diễn ra trong hai ngày cuối tháng 12, thi ba môn Toán, Ngữ văn, tiếng Anh."


def add_background(app: App, t0: datetime) -> None:
    """A store of other education news days before `t0`, so that a test's words weigh as in a real store's month."""
    for k in range(12):
        add_article(app, "VnExpress", f"fight-{k}", f"{FIGHT_TITLE} ({k})", FIGHT_SAPO, t0 - timedelta(days=5, hours=k))
        add_article(app, "Thanh Niên", f"fee-{k}", f"{FEE_TITLE} ({k})", FEE_SAPO, t0 - timedelta(days=6, hours=k))


def reprint(title: str, sapo: str, variant: int) -> tuple[str, str]:
    """A reprint as outlets do it: the same text with a light edit (a prefix, a tail, a changed word)."""
    edits = [
        (title, sapo),
        (title.replace("bị bạn", "bị các bạn"), sapo + " Nhà trường đã mời phụ huynh lên làm việc."),
        ("Clip: " + title, sapo.replace("Chiều 24/11", "Khoảng 17h ngày 24/11")),
        (title, sapo.replace("lan truyền", "được chia sẻ")),
        (title.replace(", quay clip tung lên mạng", ""), sapo),
    ]
    return edits[variant % len(edits)]


# ---------------------------------------------------------------------- real servers on 127.0.0.1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body.decode("utf-8"))


@dataclass
class HttpReceiver:
    """A webhook / Telegram Bot API stand-in: records every POST; answers `status`, `delay` seconds late
    (a slow receiver: it has the POST all the same), a byte every `trickle` seconds when set (a receiver
    whose every byte comes before a per-read timeout, and whose answer takes ten seconds in all)."""

    port: int
    status: int = 200
    delay: float = 0.0
    trickle: float = 0.0
    requests: list[Received] = field(default_factory=list)
    server: http.server.ThreadingHTTPServer | None = None

    def start(self) -> "HttpReceiver":
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(Received(self.path, dict(self.headers), body))
                time.sleep(receiver.delay)
                out = json.dumps({"ok": receiver.status == 200, "result": {}}).encode()
                if receiver.trickle:
                    answer = (f"HTTP/1.1 {receiver.status} OK\r\nContent-Type: application/json\r\n"
                              f"Content-Length: {len(out)}\r\n\r\n").encode() + out
                    try:
                        for byte in answer:
                            self.wfile.write(bytes([byte]))
                            time.sleep(receiver.trickle)
                    except OSError:
                        pass
                    return
                try:
                    self.send_response(receiver.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(out)))
                    self.end_headers()
                    self.wfile.write(out)
                except OSError:
                    pass  # the client stopped waiting (a slow answer)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


class SmtpSink:
    """aiosmtpd on 127.0.0.1 keeping every message it receives; it refuses the recipients in `refuse`
    (address -> its answer) and, while `slow` is set, answers the end of DATA that many seconds late
    (a busy server scanning the content: the message is kept all the same)."""

    def __init__(self, refuse: dict[str, str] | None = None) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list = []
        self.refuse = dict(refuse or {})
        self.slow = 0.0
        sink = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
                if address in sink.refuse:
                    return sink.refuse[address]
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                import asyncio
                import email
                from email import policy

                sink.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=policy.default)))
                if sink.slow:
                    await asyncio.sleep(sink.slow)
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SmtpSink":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def fight_alert_waiting(tmp_path: Path, url: str = "http://127.0.0.1:9/hook") -> None:
    """A store whose outbox holds the alert of the office's fight story for a webhook at `url`, made a few minutes
    ago in real time (the CLI runs on the system clock) with no quiet hours; feeds.yaml is left in tmp_path."""
    app = make_app(tmp_path, datetime.now(timezone.utc) - timedelta(minutes=5), quiet="",
                   channels=[{"kind": "webhook", "url": url}])
    add_article(app, "VnExpress", "fight", FIGHT_TITLE, FIGHT_SAPO, app.now())
    from monitor.triage import run_triage

    run_triage(app)
    app.close()


def todays_digest(app):
    """The clipping of the office's current day (cut-off 23:59) built from what the store holds now."""
    from monitor.digest import build_digest, digest_window
    from monitor.digest_delivery import stories_for

    now = app.now()
    day = now.astimezone(app.config.office.tz).date()
    window = digest_window(day, "23:59", app.config.office.tz)
    arts = list(app.store.articles_between(*window))
    classes = app.store.classifications_for([a.id for a in arts])
    return build_digest(office=app.config.office, day=day, window=window, articles=arts, classifications=classes,
                        stories=stories_for(app.store, classes, *window), generated_at=now)
