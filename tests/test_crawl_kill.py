"""A crawl killed with SIGKILL midway loses nothing: the rerun stores every article exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.app import App
from monitor.config import load_config
from monitor.crawl import run_crawl
from monitor.sample_site import build_site, load_articles, sample_config, serve, stop

FIX = Path(__file__).parent / "fixtures" / "crawl"
ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ("import sys; from monitor.app import App; from monitor.crawl import run_crawl; "
          "run_crawl(App.from_path(sys.argv[1]), force=True)")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def many_articles():
    """Three articles per fixture article (new slugs, an hour apart), so a crawl has work to be killed in."""
    out = []
    for a in load_articles(FIX / "articles.json"):
        for i in range(3):
            out.append(replace(a, slug=f"{a.slug}-{i}", published=a.published - timedelta(hours=i),
                               title=f"{a.title} ({i + 1})"))
    return out


def count(db: Path, sql: str) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute(sql).fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0  # not created or migrated yet


@pytest.mark.parametrize("phase", ["pages", "feeds"])
def test_sigkill_midway_then_rerun_stores_each_article_once(tmp_path, phase):
    articles = many_articles()
    site = build_site(articles)
    server, _ = serve(site)
    try:
        slow = site.article_paths.values() if phase == "pages" else [p for _, p in site.feeds.values()]
        for path in slow:
            site.fault(path, delay=0.25)
        config_path = tmp_path / "feeds.yaml"
        sample_config(site, tmp_path / "var", config_path=config_path,
                      crawler={"max_connections_per_host": 2, "timeout_seconds": 10})
        db = load_config(config_path).storage.database
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(config_path)], cwd=str(tmp_path), env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ready = ("SELECT COUNT(*) FROM articles WHERE page_status = 'ok'" if phase == "pages"
                 else "SELECT COUNT(*) FROM articles")
        deadline = time.monotonic() + 120  # a guard against a hung child, not a speed requirement
        while count(db, ready) < 3:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the crawl never got going"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL

        before_ok = count(db, "SELECT COUNT(*) FROM articles WHERE page_status = 'ok'")
        before_all = count(db, "SELECT COUNT(*) FROM articles")
        if phase == "pages":
            assert before_all == len(articles)  # every feed entry was stored before any page
            assert 3 <= before_ok < len(articles)  # killed midway through the pages
        else:
            assert 3 <= before_all < len(articles)  # killed midway through the feeds

        site.clear_faults()
        app = App(config=load_config(config_path))
        report = run_crawl(app, force=True)
        assert report.ok
        rows = app.store.execute("SELECT url, page_status, body FROM articles").fetchall()
        urls = [r["url"] for r in rows]
        assert len(urls) == len(set(urls)) == len(articles)
        assert set(urls) == {site.article_url(a.slug) for a in articles}
        assert all(r["page_status"] == "ok" and r["body"] for r in rows)
        links = app.store.execute("SELECT COUNT(*) FROM article_feeds").fetchone()[0]
        assert links == sum(1 + len(a.extra_feeds) for a in articles)
        # every page already fetched before the kill was not fetched again
        assert report.pages_ok == len(articles) - before_ok
        app.close()
    finally:
        stop(server)
