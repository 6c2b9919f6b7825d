"""The records that enter and leave the classifier (the `monitor classify` contract)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from classifiers.text import ascii_fold


SENTIMENTS = ("negative", "neutral", "positive")
BY_THE_MODEL = "theo mô hình"  # a reason with no rule term behind it: the learnt model alone
SCOPES = ("local", "city", "national", "foreign")  # nearest the office first
SCOPE_NAMES_VI = {"local": "địa phương", "city": "thành phố", "national": "toàn quốc", "foreign": "nước ngoài"}
# what a person may write for each scope, with or without diacritics, wherever a scope is asked for (`monitor
# articles --scope`, `label --scope`, `cases open --scope`, alerts.min_scope): the id, the listings' word first
# (SCOPE_NAMES_VI), then the clipping's, and a province's own ("tỉnh") for "city"
SCOPE_WORDS_VI = {"local": ("địa phương", "địa bàn"), "city": ("thành phố", "tỉnh"),
                  "national": ("toàn quốc", "trong nước"), "foreign": ("nước ngoài", "quốc tế")}


def scope_id(text: str | None) -> str | None:
    """The scope (SCOPES) `text` names, an id or one of its SCOPE_WORDS_VI ("Địa phương", "tinh"); None if none."""

    def key(t: str) -> str:
        return re.sub(r"[^a-z0-9]+", " ", ascii_fold(t)).strip()

    wanted = key(text or "")
    return next((s for s in SCOPES if wanted == s or wanted in map(key, SCOPE_WORDS_VI[s])), None)


class HotCategory(NamedTuple):
    """A hot rule group of the rules (topics.yaml `hot:`) behind a hot judgement: its id says what it is (the report
    marks false information by id), its name is what people read, as the rules in force named it then."""

    id: str
    name: str


@dataclass(frozen=True)
class ArticleText:
    id: str
    title: str
    sapo: str = ""
    body: str = ""
    url: str = ""
    outlet: str = ""
    published: str = ""  # ISO 8601, optional


@dataclass(frozen=True)
class Classification:
    id: str
    is_education: bool
    relevance: float
    topics: tuple[str, ...]
    topic_scores: dict[str, float]
    sentiment: str
    hot: bool
    hot_score: float
    scope: str
    reasons: tuple[str, ...]
    model_version: str
    # the hot rule groups behind a hot judgement, in the order of the "nóng" reason (all of them: the reason names
    # three); () when the learnt model alone judged it hot, None when the classifier did not judge it hot.
    # Stored with the classification, not part of the JSONL contract: the reasons say the same for people.
    hot_categories: tuple[HotCategory, ...] | None = None
    # evidence for `monitor explain`; not part of the JSONL contract
    evidence: dict = field(default_factory=dict, compare=False)

    def to_contract(self) -> dict:
        """The exact fields `monitor classify` writes, in contract order."""
        return {
            "id": self.id,
            "is_education": self.is_education,
            "relevance": round(self.relevance, 4),
            "topics": list(self.topics),
            "topic_scores": {k: round(v, 4) for k, v in self.topic_scores.items()},
            "sentiment": self.sentiment,
            "hot": self.hot,
            "hot_score": round(self.hot_score, 4),
            "scope": self.scope,
            "reasons": list(self.reasons),
            "model_version": self.model_version,
        }


@dataclass(frozen=True)
class OfficeContext:
    """What the classifier needs to know about the office to judge scope."""

    district: str
    city: str
    watchlist: tuple[str, ...] = ()


class Classifier(Protocol):
    version: str

    def classify(self, article: ArticleText) -> Classification: ...

    def classify_many(self, articles: list[ArticleText]) -> list[Classification]: ...
