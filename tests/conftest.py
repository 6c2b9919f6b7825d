"""Fixtures shared by every test module: the ../shared folder, a temporary config and App."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
# The starting config the package ships (what `monitor init` writes; the checkout's feeds.yaml ships as the same
# file). Tests that rely on the shipped office (Long Biên), its sources or thresholds read it: the checkout's
# feeds.yaml is the office's own once it sets itself up, and only tests of "whatever it holds is valid" read that.
SHIPPED_FEEDS = ROOT / "monitor" / "templates" / "feeds.example.yaml"

requires_shared = pytest.mark.skipif(
    not (SHARED / "corpus").is_dir() or not (SHARED / "labels" / "dev.jsonl").is_file(),
    reason=f"needs the team's shared data at {SHARED} (corpus and labels); absent on this machine",
)


@pytest.fixture
def shared_dir() -> Path:
    if not (SHARED / "corpus").is_dir():
        pytest.skip(f"needs the team's shared data at {SHARED}; absent on this machine")
    return SHARED


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A copy of the shipped starting config (the Long Biên office) whose data directory is inside tmp_path."""
    text = SHIPPED_FEEDS.read_text(encoding="utf-8")
    text = text.replace("data_dir: var", f"data_dir: {tmp_path / 'var'}")
    text = text.replace("models_dir: models", f"models_dir: {ROOT / 'models'}")
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def fixed_now() -> datetime:
    return datetime(2026, 11, 26, 0, 30, tzinfo=timezone.utc)  # 07:30 in Hà Nội


@pytest.fixture
def site():
    """The recorded outlets' feeds and pages (tests/fixtures/crawl), served on 127.0.0.1."""
    from monitor.sample_site import build_site, load_articles, serve, stop

    s = build_site(load_articles(ROOT / "tests" / "fixtures" / "crawl" / "articles.json"))
    server, _ = serve(s)
    yield s
    stop(server)
