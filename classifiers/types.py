"""The records that enter and leave the classifier (the `monitor classify` contract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


SENTIMENTS = ("negative", "neutral", "positive")
BY_THE_MODEL = "theo mô hình"  # a reason with no rule term behind it: the learnt model alone
SCOPES = ("local", "city", "national", "foreign")  # nearest the office first
SCOPE_NAMES_VI = {"local": "địa phương", "city": "thành phố", "national": "toàn quốc", "foreign": "nước ngoài"}


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
