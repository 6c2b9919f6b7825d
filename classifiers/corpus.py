"""Reading ../shared/corpus: training rows with outlet-section labels, and text look-up by id.

The corpus text is never copied into the repository: labels files hold ids, and text is joined here at
training or evaluation time.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from monitor.errors import InputError


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    sapo: str
    body: str
    source: str  # which corpus part, for the model card
    is_education: bool | None


def require(corpus_dir: Path) -> None:
    if not corpus_dir.is_dir():
        raise InputError(f"không có kho ngữ liệu dùng chung ở {corpus_dir}",
                         hint="huấn luyện và tra văn bản theo id cần thư mục ../shared/corpus bên cạnh thư mục dự án, "
                              "hoặc chỉ ra nó bằng --corpus DIR (xem README)")


def _jsonl(path: Path) -> Iterator[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _doc(r: dict, source: str) -> Doc:
    body = r.get("body") or r.get("body_fulltext_scraper") or ""
    return Doc(str(r["id"]), r.get("title") or "", r.get("sapo") or "", body, source, r.get("is_education"))


def iter_all(corpus_dir: Path) -> Iterator[Doc]:
    for d in iter_baomoi(corpus_dir, news_only=False):
        yield d
    yield from iter_unc(corpus_dir)
    yield from iter_crawl(corpus_dir, labelled_only=False)
    yield from iter_rss(corpus_dir, sections_only=False)


def iter_baomoi(corpus_dir: Path, news_only: bool = True) -> Iterator[Doc]:
    for r in _jsonl(corpus_dir / "tc201805_baomoi" / "articles.jsonl"):
        if news_only and r.get("source_kind") != "baomoi_news":
            continue
        yield _doc(r, "tc201805_baomoi")


def iter_unc(corpus_dir: Path) -> Iterator[Doc]:
    for r in _jsonl(corpus_dir / "unc_dantri" / "articles.jsonl"):
        yield _doc(r, "unc_dantri")


def iter_crawl(corpus_dir: Path, labelled_only: bool = True) -> Iterator[Doc]:
    for r in _jsonl(corpus_dir / "crawl_news_2026" / "articles.jsonl"):
        if labelled_only and r.get("is_education") is None:
            continue
        yield _doc(r, f"crawl_news_2026/{r.get('subset', '')}")


def rss_files(corpus_dir: Path) -> list[Path]:
    return sorted((corpus_dir / "rss_aggregator_2025_2026").glob("articles-*.jsonl.gz"))


def iter_rss(corpus_dir: Path, sections_only: bool = True) -> Iterator[Doc]:
    """VnExpress section feeds (Thế giới, Kinh doanh, Công nghệ, Thể thao) are known non-education."""
    for path in rss_files(corpus_dir):
        for r in _jsonl(path):
            if sections_only:
                if not r.get("category"):
                    continue
                yield Doc(str(r["id"]), r.get("title") or "", r.get("sapo") or "", "", "rss_aggregator/sections", False)
            else:
                yield _doc(r, "rss_aggregator")


def lookup(ids: set[str], corpus_dir: Path) -> dict[str, dict]:
    """id -> {"title", "sapo", "body", "url", "outlet"} for the ids found in the corpus."""
    require(corpus_dir)
    want = set(ids)
    out: dict[str, dict] = {}
    prefixes = {i.split("-", 1)[0] for i in want}
    readers = []
    if "tc201805" in prefixes:
        readers.append(corpus_dir / "tc201805_baomoi" / "articles.jsonl")
    if "unc" in prefixes:
        readers.append(corpus_dir / "unc_dantri" / "articles.jsonl")
    if "cn" in prefixes:
        readers.append(corpus_dir / "crawl_news_2026" / "articles.jsonl")
    if "na" in prefixes or prefixes - {"tc201805", "unc", "cn"}:
        readers += rss_files(corpus_dir)
    for path in readers:
        for r in _jsonl(path):
            rid = str(r.get("id"))
            if rid in want and rid not in out:
                out[rid] = {"title": r.get("title") or "", "sapo": r.get("sapo") or "",
                            "body": r.get("body") or r.get("body_fulltext_scraper") or "",
                            "url": r.get("url") or "", "outlet": r.get("outlet") or ""}
        if len(out) == len(want):
            break
    return out
