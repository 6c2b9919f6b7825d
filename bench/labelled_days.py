"""The hand-labelled whole days (data/labels/day-*.jsonl) as the measurement scripts read them.

Each day holds every national RSS item of that day, read one by one, and is left out of the shipped
model's training (`monitor train --exclude 'day-*.jsonl'`). The texts come from ../shared/corpus.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifiers.classify import load_classifier  # noqa: E402
from classifiers.evaluate import article_texts, attach_text, read_labels  # noqa: E402
from monitor.config import Config, load_config  # noqa: E402
from monitor.models import Article  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"


def shipped_classifier(models: Path):
    """The configuration and the classifier in `models`; exits with a reason when the corpus is missing."""
    if not CORPUS.exists():
        sys.exit(f"{CORPUS} is missing: this measurement needs the shared corpus beside the project")
    cfg: Config = load_config(ROOT / "feeds.yaml")
    return cfg, load_classifier(models, cfg.office, require_models=True)


def classified_days(classifier) -> Iterator[tuple[date, list[dict], list]]:
    """(day, labelled rows with their text, the classifier's output for them) for each labelled day."""
    for path in sorted((ROOT / "data" / "labels").glob("day-*.jsonl")):
        rows = attach_text(read_labels(path), CORPUS)
        yield date.fromisoformat(path.stem.removeprefix("day-")), rows, classifier.classify_many(article_texts(rows), evidence=False)


def as_articles(rows: list[dict], when: datetime) -> list[Article]:
    """The rows as stored articles (id = row number), all published at `when`."""
    return [Article(id=n, url=r.get("url") or "", outlet=r.get("outlet") or "", title=r.get("title") or "",
                    sapo=r.get("sapo") or "", body="", published=when, first_seen=when) for n, r in enumerate(rows)]
