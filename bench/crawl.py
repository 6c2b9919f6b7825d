"""Crawl throughput: 500 feeds from a local server with 50 ms added latency.

Reports feeds per second for a first poll and for a re-poll (validators answered with 304), each
against a baseline of sequential `feedparser.parse(url)` over the same feeds, and the crawler's peak
memory. Targets: first poll >= 8x baseline, re-poll >= 12x, peak memory < 300 MB.

The feeds are spread over 100 loopback addresses (127.0.0.1-100) so that the crawler's per-host
politeness (at most 2 connections and a pause between requests to one host) applies as it would
to many real sites; the settings used are printed with the results. The server runs in its own
process, and the crawler in another so that its peak memory is its own.

    python bench/crawl.py [--feeds 500] [--items 20] [--latency 0.05] [--hosts 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOPICS = ["tuyển sinh lớp 10", "học phí", "bữa ăn bán trú", "giáo viên mầm non", "chuyển đổi số", "thi học sinh giỏi",
          "sách giáo khoa", "dạy thêm học thêm", "an toàn trường học", "học bạ số"]


def make_feeds(n: int, items: int, hosts: int, port: int) -> dict[tuple[str, str], bytes]:
    """(host, path) -> RSS bytes, VnExpress-shaped, with invented items."""
    from monitor.sample_site import SampleArticle, render_feed

    now = datetime.now(timezone.utc)
    out = {}
    for f in range(n):
        host = f"127.0.0.{1 + f % hosts}"
        base = f"http://{host}:{port}"
        arts = []
        for i in range(items):
            topic = TOPICS[(f + i) % len(TOPICS)]
            arts.append(SampleArticle(
                outlet="VnExpress", feed=f"bench-{f}", slug=f"nguon-{f}-bai-{i}",
                title=f"Bản tin {f}-{i}: phụ huynh và nhà trường bàn về {topic}",
                sapo=f"Nhiều ý kiến về {topic} được gửi tới nhà trường trong tuần, bản tin số {i} của nguồn {f}.",
                paragraphs=("",), published=now - timedelta(minutes=17 * i + f)))
        xml = render_feed("VnExpress", f"Nguồn {f}", base, [(a, f"/bai/{a.slug}-{f:04d}{i:03d}.html") for i, a in enumerate(arts)], base)
        out[(host, f"/rss/{f}.rss")] = xml.encode()
    return out


def serve_process(port: int, feeds: dict, latency: float, ready) -> None:
    import hashlib

    etags = {k: '"' + hashlib.sha1(v).hexdigest()[:16] + '"' for k, v in feeds.items()}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = writer.get_extra_info("sockname")[0]
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
                await asyncio.sleep(latency)
                key = (host, path)
                close = headers.get("connection", "").lower() == "close"
                if key not in feeds:
                    status, body, extra = "404 Not Found", b"not found", ""
                elif headers.get("if-none-match") == etags[key]:
                    status, body, extra = "304 Not Modified", b"", f"ETag: {etags[key]}\r\n"
                else:
                    status, body, extra = "200 OK", feeds[key], f"ETag: {etags[key]}\r\nContent-Type: application/rss+xml; charset=utf-8\r\n"
                writer.write((f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n{extra}"
                              f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n").encode() + body)
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        hosts = sorted({h for h, _ in feeds})
        server = await asyncio.start_server(handle, host=hosts, port=port, backlog=1024)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def baseline(urls: list[str], etags: dict[str, str] | None = None) -> float:
    import feedparser

    t = time.perf_counter()
    for u in urls:
        d = feedparser.parse(u, etag=etags.get(u) if etags else None)
        if etags is None and not d.entries:
            raise SystemExit(f"baseline got no entries from {u}: {d.get('bozo_exception')}")
    return time.perf_counter() - t


CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[2])
from monitor.app import App
from monitor.config import load_config
from monitor.crawl import run_crawl
app = App(config=load_config(sys.argv[1]))
app.store  # opening and migrating the database is not crawling
t = time.perf_counter(); first = run_crawl(app, force=True); t1 = time.perf_counter() - t
t = time.perf_counter(); again = run_crawl(app, force=True); t2 = time.perf_counter() - t
print(json.dumps({
    "first": t1, "repoll": t2, "first_ok": first.ok, "repoll_ok": again.ok,
    "first_new": len(first.new_article_ids),
    "outcomes": sorted({s.outcome for s in again.sources}),
    "failed": [s.error for s in first.failed_sources][:3],
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=500)
    ap.add_argument("--items", type=int, default=20)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--min-delay", type=float, default=0.25, help="crawler.min_delay_seconds for the run")
    args = ap.parse_args()

    import yaml

    port = free_port()
    feeds = make_feeds(args.feeds, args.items, args.hosts, port)
    ready = mp.get_context("fork").Event()
    server = mp.get_context("fork").Process(target=serve_process, args=(port, feeds, args.latency, ready), daemon=True)
    server.start()
    ready.wait(30)
    urls = [f"http://{h}:{port}{p}" for h, p in feeds]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            crawler = {"allow_private_addresses": True, "max_connections_per_host": 2,
                       "min_delay_seconds": args.min_delay, "timeout_seconds": 20, "max_retries": 3}
            data = yaml.safe_load((ROOT / "monitor" / "templates" / "feeds.example.yaml").read_text(encoding="utf-8"))
            data["crawler"] = crawler
            data["sources"] = [{"name": f"bench-{i}", "url": u, "outlet": "VnExpress", "interval_minutes": 10,
                                "fetch_pages": False} for i, u in enumerate(urls)]
            data["storage"] = {"data_dir": str(Path(tmp) / "var")}
            cfg = Path(tmp) / "feeds.yaml"
            cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

            out = subprocess.run([sys.executable, "-c", CHILD, str(cfg), str(ROOT)], capture_output=True, text=True)
            if out.returncode != 0:
                raise SystemExit(out.stderr[-3000:])
            ours = json.loads(out.stdout.strip().splitlines()[-1])

            base_plain = baseline(urls)

            base_rate = args.feeds / base_plain
            first_rate = args.feeds / ours["first"]
            repoll_rate = args.feeds / ours["repoll"]
            print(f"feeds: {args.feeds} x {args.items} items, {args.latency * 1000:.0f} ms added latency, "
                  f"{args.hosts} hosts; crawler: {crawler['max_connections_per_host']} connections and "
                  f"{args.min_delay:g} s between requests per host; {os.cpu_count()} CPUs")
            print(f"baseline  sequential feedparser.parse(url): {base_plain:6.2f} s  {base_rate:7.1f} feeds/s")
            print(f"first poll (fetch+parse+store {ours['first_new']} articles): {ours['first']:6.2f} s  {first_rate:7.1f} feeds/s"
                  f"  = {first_rate / base_rate:5.1f}x baseline (target >= 8x)  ok={ours['first_ok']}")
            print(f"re-poll (outcomes {ours['outcomes']}): {ours['repoll']:6.2f} s  {repoll_rate:7.1f} feeds/s"
                  f"  = {repoll_rate / base_rate:5.1f}x baseline (target >= 12x)")
            print(f"peak memory of the crawler process: {ours['peak_rss_mb']:.0f} MB (target < 300 MB)")
            if ours["failed"]:
                print("failures:", ours["failed"])
    finally:
        server.terminate()
        server.join(5)


if __name__ == "__main__":
    main()
