"""Features shared by training and classification: the model text and the rule-evidence vector.

The same functions run at training time and at classification time, so a model never sees
features computed differently from the ones it was trained on; FEATURE_CONFIG is saved in the model's
metadata and checked on load.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import numpy as np

from classifiers.rules import STUDENT_FIRST, STUDENT_SECOND, Matches, Prepared, RuleSet

FEATURE_CONFIG = {
    "text": "syllables of title, sapo, body[:350 syllables] (NFC, one tone placement, lowercase)",
    "grams": "per field: syllable unigrams + bigrams (not across fields), 'sinh viên' joined into one token; "
             "title unigrams again as 't:'",
    "vectorizer": "vocabulary of grams with df >= 2 in training, tf-idf (sublinear), l2",
    "dense": "rule scores: edu, edu-x, topics, hot categories, neg, pos, foreign, domestic, has_sapo, has_body",
    "semantic": "LSA: 256-dim truncated SVD (seeded) of the tf-idf over the 30,000 grams in most training items, "
                "fitted on every training text; l2-normalised; read by the topic heads (an LR on it, logits averaged "
                "with the n-gram LR's)",
    "neighbours": "the 10 nearest hand-labelled education items by cosine over each text's 50 heaviest tf-idf grams "
                  "vote on topics and hot (similarity-weighted, smoothed to the base rate); their logit is added to "
                  "those heads with a weight chosen by cross-validation; for relevance, where its linear score is "
                  "0.1-0.9, the 10 nearest hand-labelled items of any kind vote the same way",
    "url": "the outlet's section in a hand-labelled or classified item's URL path (every segment but the last, "
           "as 'u:' grams); section-labelled corpus items carry none, their label being that section",
    "version": 10,
    "heads": "relevance, topics, tone (3), hot (learnt on education items), foreign",
}
URL_GRAM = "u:"  # the prefix of a URL-section gram: the explanation and the reasons name these grams
BODY_MODEL_TOKENS = 350  # the lead of a long body carries the subject; the rest costs time


def url_grams(url: str) -> list[str]:
    """The outlet's section path of an article URL ("/giao-duc/slug.htm" -> ["u:giao-duc"]); a flat URL has none.

    The topics guide lets the section help without deciding: many title-only items of a national feed are
    ambiguous from the headline alone, and the outlet's own filing is the reader's next clue."""
    path = urlsplit(url).path if url else ""
    segments = [s.lower() for s in path.split("/") if s]
    return [URL_GRAM + s for s in segments[:-1]]


def join_student(toks: list[str]) -> list[str]:
    """"sinh viên" as one token: otherwise "nam sinh viên" (a university student) yields the bigram "nam sinh"
    (a schoolboy), and a pupil harmed, which the guide counts as education, reads like a student in crime news."""
    out: list[str] = []
    i = 0
    while i < len(toks):
        if toks[i] in STUDENT_FIRST and i + 1 < len(toks) and toks[i + 1] in STUDENT_SECOND:
            out.append("sinh_viên")
            i += 2
        else:
            out.append(toks[i])
            i += 1
    return out


def model_grams(fields: list[tuple[str, Prepared]], url: str = "") -> list[str]:
    """The n-grams the models read, from the fields prepared once for rule matching, and the URL's section."""
    grams: list[str] = url_grams(url)
    for name, p in fields:
        toks = join_student(p.lowered[:BODY_MODEL_TOKENS] if name == "body" else p.lowered)
        grams += toks
        grams += [a + " " + b for a, b in zip(toks, toks[1:])]
        if name == "title":
            grams += ["t:" + t for t in toks]
    return grams


def dense_names(rules: RuleSet) -> list[str]:
    return (["edu", "edu-x"] + [f"topic:{t}" for t in rules.topic_ids] + [f"hot:{h}" for h in rules.hot_ids]
            + ["neg", "pos", "foreign", "domestic", "has_sapo", "has_body"])


def dense_columns(rules: RuleSet) -> dict[str, int]:
    return {name: j for j, name in enumerate(dense_names(rules)[:-2])}


def dense_matrix(rules: RuleSet, matches: list[Matches], has_sapo: list[bool], has_body: list[bool]) -> np.ndarray:
    """Rule evidence per article, squashed to 0-1 (see rules.squash), one row per article."""
    cols = dense_columns(rules)
    n_cols = len(cols) + 2
    D = np.zeros((len(matches), n_cols), dtype=np.float32)
    for i, m in enumerate(matches):
        for group, terms in m.groups().items():
            j = cols.get(group)
            if j is not None:
                D[i, j] = sum(w for _, w in terms.values())
        for group in m.groups():
            if group.startswith("x:"):  # a topic's exclusion cancels its evidence
                D[i, cols["topic:" + group[2:]]] = 0.0
    D[:, :-2] = -np.expm1(-np.maximum(D[:, :-2], 0))  # = squash, for the whole batch at once
    D[:, -2] = np.asarray(has_sapo, dtype=np.float32)
    D[:, -1] = np.asarray(has_body, dtype=np.float32)
    return D
