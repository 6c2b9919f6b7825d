"""Features shared by training and classification: the model text and the rule-evidence vector.

The same two functions run at training time and at classification time, so a model never sees
features computed differently from the ones it was trained on; FEATURE_CONFIG is saved in the model's
metadata and checked on load.
"""

from __future__ import annotations

import numpy as np

from classifiers.rules import Matches, RuleSet, squash
from classifiers.text import normalize

FEATURE_CONFIG = {
    "text": "normalize(title) x2 + normalize(sapo) + normalize(body[:1500])",
    "vectorizer": "HashingVectorizer word 1-2 grams on syllables, 2**18 features, tf-idf (sublinear)",
    "dense": "rule scores: edu, edu-x, topics, hot categories, neg, pos, foreign, domestic, has_sapo, has_body",
    "version": 3,
}
BODY_MODEL_CHARS = 1500


def model_text(title: str, sapo: str = "", body: str = "") -> str:
    # The title twice: feeds give a title and a short sapo at best, and the title is what decides.
    t = normalize(title)
    parts = [t, t]
    if sapo:
        parts.append(normalize(sapo))
    if body:
        parts.append(normalize(body[:BODY_MODEL_CHARS]))
    return " . ".join(parts)


def dense_names(rules: RuleSet) -> list[str]:
    return (["edu", "edu-x"] + [f"topic:{t}" for t in rules.topic_ids] + [f"hot:{h}" for h in rules.hot_ids]
            + ["neg", "pos", "foreign", "domestic", "has_sapo", "has_body"])


def dense_features(rules: RuleSet, m: Matches, has_sapo: bool, has_body: bool) -> np.ndarray:
    fw = rules.field_weights
    vals = [squash(m.score("edu", fw)), squash(m.score("edu-x", fw))]
    vals += [squash(m.score(f"topic:{t}", fw)) for t in rules.topic_ids]
    vals += [squash(m.score(f"hot:{h}", fw)) for h in rules.hot_ids]
    vals += [squash(m.score("neg", fw)), squash(m.score("pos", fw)), squash(m.score("foreign", fw)),
             squash(m.score("domestic", fw)), float(has_sapo), float(has_body)]
    return np.asarray(vals, dtype=np.float32)
