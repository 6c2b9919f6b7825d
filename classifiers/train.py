"""`monitor train`: rebuild every model deterministically from the corpus and the labels.

Relevance learns from outlet sections (Báo Mới education folder vs other news, Dân Trí sections,
VnExpress section feeds as negatives) plus our hand labels (data/labels/*.jsonl, joined with corpus text
by id) and the analysts' labels in the database, which weigh more because they are in-domain and checked.
Topics, tone, hot and foreign scope learn from the hand and analyst labels. Binary heads are Platt-
calibrated and their decision thresholds chosen on out-of-fold predictions (5-fold cross-validation over
the hand/analyst labels), never on the dev set, which is used only for the metrics written into the model
card. Items of the dev set are removed from every training source. UIT-VSFC is not used: measured, it
lowers tone F1 (bench/classify.py --vsfc-ablation).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from classifiers import neighbours
from classifiers.corpus import iter_baomoi, iter_crawl, iter_rss, iter_unc, lookup, require
from classifiers.features import dense_matrix, dense_names, model_grams
from classifiers.model import (DENSE_SCALE, Heads, build_vocabulary, count_matrix, design, logit, save_models, semantic,
                               write_metadata)
from classifiers.rules import RuleSet, load_rules, prepare
from classifiers.types import SCOPES, SENTIMENTS
from monitor.errors import InputError

SEED = 20221
REPO = Path(__file__).resolve().parents[1]
LABELS_DIR = REPO / "data" / "labels"
# In-domain and read by a person, a hand label is worth many outlet-section labels: for relevance, weights
# 4, 12, 30, 100, 300 gave cross-validated F1 0.927, 0.931, 0.933, 0.938, 0.938 (hand labels alone: 0.929,
# so the section-labelled corpus still helps as a prior).
HAND_WEIGHT = 100.0
ANALYST_WEIGHT = 200.0  # an analyst's correction in the database must win over the older labels around it
MIN_TOPIC_POSITIVES = 8  # below this a topic head is the rule evidence alone
C_TOPIC = 32.0  # C = 4, 16, 32 compared by cross-validated micro-F1 on 5,154 hand labels: 0.712, 0.727, 0.731
CAPS = {"tc201805_baomoi_neg": 9000, "rss_sections": 5000}
# LSA (5-fold CV on 5,154 hand labels, see the model card's ablations): 256 dimensions over the 30,000 most
# common grams, concatenated to the sparse features, raised topic micro-F1 0.730 -> 0.739, tone macro-F1
# 0.780 -> 0.793, hot average precision 0.819 -> 0.825, and left relevance as it was (0.938 -> 0.937), so
# relevance does not read it. Fitting it on the 150k unlabelled RSS items as well was no better (topics
# 0.735, tone 0.787).
LSA_DIMS = 256
LSA_GRAMS = 30000
# The LSA coordinates feed a second logistic regression per head, averaged with the n-gram one (concatenated
# to the sparse features they made liblinear ten times slower). Topic micro-F1 by the n-grams' share: 1.0
# 0.730, 0.7 0.742, 0.5 0.746, 0.3 0.742 (LSA C = 1; C = 4 and 16 no better); training picks the share.
C_LSA = 1.0
MIXES = (1.0, 0.7, 0.5)
# The office wants every hot story: the threshold is the highest whose out-of-fold recall reaches this
HOT_RECALL_TARGET = 0.92
MIN_NEIGHBOURS = 50  # fewer labelled education items than this (a test corpus): no neighbour votes
KNN_SHARES = (0.0, 0.3, 0.5, 0.7)  # the neighbours' share of a topic or hot logit, chosen by cross-validation
# Relevance's neighbours vote only where the linear score lies in this band: about 1% of a national feed (139
# of 20,000 RSS items), so the vote costs little, and wider bands changed no decision (round 10: out-of-fold F1
# 0.936 -> 0.941)
REL_KNN_BAND = (0.1, 0.9)
# --fast: a few thousand corpus items and 3 folds instead of 5 (about a minute; for tests and quick checks)
FAST_CAPS = {"tc201805_baomoi_pos": 1500, "tc201805_baomoi_neg": 1500, "rss_sections": 500, "others": 1000}


@dataclass
class Example:
    id: str
    title: str
    sapo: str
    body: str
    source: str
    is_education: bool | None
    topics: list[str] | None = None
    sentiment: str | None = None
    hot: bool | None = None
    scope: str | None = None
    weight: float = 1.0
    url: str = ""  # only for hand/analyst labels: a section-labelled item's URL section is its label


@dataclass
class TrainReport:
    sources: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)
    cv: dict = field(default_factory=dict)
    seconds: float = 0.0
    oof: dict = field(default_factory=dict)  # out-of-fold scores, for error analysis (not saved)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_hand_labels(labels_dir: Path, exclude: tuple[str, ...] = ()) -> tuple[list[dict], dict]:
    """Every labelled row of labels_dir/*.jsonl (files of other shapes, e.g. pairs, are skipped; so are files
    whose name matches a glob of `exclude`) and the sha256 of each file that gave rows."""
    rows, files = [], {}
    for path in sorted(labels_dir.glob("*.jsonl")):
        if any(path.match(pattern) for pattern in exclude):
            continue
        found = _label_rows(path)
        rows += found
        if found:
            files[str(path.relative_to(REPO) if path.is_relative_to(REPO) else path)] = _sha256(path)
    by_id = {}
    for r in rows:  # a later file or line overrides an earlier label of the same id
        by_id[str(r["id"])] = r
    return [by_id[k] for k in sorted(by_id)], files


def _label_rows(path: Path) -> list[dict]:
    """The labelled rows of one file: objects with an id and is_education (other shapes, e.g. pairs, are not)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue  # a labelling helper may be writing the last line right now
        if isinstance(obj, dict) and "id" in obj and "is_education" in obj:
            rows.append(obj)
    return rows


def label_file_ids(labels_dir: Path, patterns: tuple[str, ...]) -> set[str]:
    """The ids labelled in the files of labels_dir whose name matches one of the globs."""
    return {str(r["id"]) for path in sorted(labels_dir.glob("*.jsonl"))
            if any(path.match(pattern) for pattern in patterns) for r in _label_rows(path)}


def collect(corpus_dir: Path, labels_dir: Path, store=None, dev_ids: set[str] = frozenset(),
            report: TrainReport | None = None, fast: bool = False,
            exclude: tuple[str, ...] = ()) -> tuple[list[Example], list[Example]]:
    """-> (section-labelled corpus examples, hand/analyst-labelled examples), sorted, without dev items."""
    require(corpus_dir)
    report = report or TrainReport()
    rng = random.Random(SEED)
    # the items of an excluded file leave every source (other label files that also hold them, the
    # section-labelled corpus), so a measurement on that file is truly held out
    dev_ids = set(dev_ids) | (label_file_ids(labels_dir, exclude) if exclude else set())

    corpus: list[Example] = []
    bm = [d for d in iter_baomoi(corpus_dir) if d.id not in dev_ids]
    pos = sorted((d for d in bm if d.is_education), key=lambda d: d.id)
    neg = sorted((d for d in bm if not d.is_education), key=lambda d: d.id)
    neg = rng.sample(neg, min(CAPS["tc201805_baomoi_neg"], len(neg)))
    rss = sorted((d for d in iter_rss(corpus_dir) if d.id not in dev_ids), key=lambda d: d.id)
    rss = rng.sample(rss, min(CAPS["rss_sections"], len(rss)))
    others = sorted((d for d in list(iter_unc(corpus_dir)) + list(iter_crawl(corpus_dir)) if d.id not in dev_ids),
                    key=lambda d: d.id)
    if fast:
        pos = rng.sample(pos, min(FAST_CAPS["tc201805_baomoi_pos"], len(pos)))
        neg = neg[:FAST_CAPS["tc201805_baomoi_neg"]]
        rss = rss[:FAST_CAPS["rss_sections"]]
        others = rng.sample(others, min(FAST_CAPS["others"], len(others)))
    for d in pos + neg + rss + others:
        corpus.append(Example(d.id, d.title, d.sapo, d.body, d.source, bool(d.is_education)))

    hand_rows, files = read_hand_labels(labels_dir, exclude)
    hand_rows = [r for r in hand_rows if str(r["id"]) not in dev_ids]
    texts = lookup({str(r["id"]) for r in hand_rows}, corpus_dir)
    hand: list[Example] = []
    missing = 0
    for r in hand_rows:
        t = texts.get(str(r["id"]))
        if t is None:
            missing += 1
            continue
        hand.append(_labelled(str(r["id"]), t["title"], t["sapo"], t["body"], "data/labels", r, HAND_WEIGHT, url=t["url"]))
    if store is not None:
        for r in store.labels():
            art = store.get_article(r["article_id"])
            if art is None:
                continue
            r = dict(r)
            if r.get("is_education") is None and r.get("topics"):
                r["is_education"] = True  # a topic of the plan is an education topic
            if r.get("is_education") is None:
                continue  # relevance unknown: a tone-only correction cannot place the article
            hand.append(_labelled(f"db-{art.id}", art.title, art.sapo, art.body, "database labels", r, ANALYST_WEIGHT,
                                  partial=True, url=art.url))
    hand_ids = {e.id for e in hand}
    corpus = [e for e in corpus if e.id not in hand_ids]
    corpus.sort(key=lambda e: e.id)
    hand.sort(key=lambda e: e.id)
    for e in corpus + hand:
        report.sources[e.source] = report.sources.get(e.source, 0) + 1
    report.sources["hand labels without corpus text (skipped)"] = missing
    report.files = files
    return corpus, hand


def _labelled(id_: str, title: str, sapo: str, body: str, source: str, r: dict, weight: float,
              partial: bool = False, url: str = "") -> Example:
    """A labelled example. In a file every field is stated; a database label states only what the analyst
    corrected (partial), so a missing field there is unknown rather than empty."""
    is_edu = bool(r["is_education"])
    if not is_edu:
        topics: list[str] | None = []
    elif r.get("topics") is not None:
        topics = list(r["topics"])
    else:
        topics = None if partial else []
    hot = r.get("hot")
    return Example(id_, title, sapo, body, source, is_edu, topics=topics,
                   sentiment=r.get("sentiment") if r.get("sentiment") in SENTIMENTS else None,
                   hot=bool(hot) if hot is not None else (False if not is_edu else None),
                   scope=r.get("scope") if r.get("scope") in SCOPES else None, weight=weight, url=url)


# --------------------------------------------------------------------------- fitting

def _features(rules: RuleSet, examples: list[Example]):
    docs, matches = [], []
    for e in examples:
        fields = [(n, prepare(t, n)) for n, t in (("title", e.title), ("sapo", e.sapo), ("body", e.body)) if t]
        docs.append(model_grams(fields, e.url))
        matches.append(rules.match_prepared(fields))
    vocab = build_vocabulary(docs)
    counts = count_matrix(docs, {g: i for i, g in enumerate(vocab)})
    dense = dense_matrix(rules, matches, [bool(e.sapo) for e in examples], [bool(e.body) for e in examples])
    return vocab, counts, dense


def _idf(counts: sp.csr_matrix) -> np.ndarray:
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)


def _lr(C: float):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=2000, solver="liblinear", random_state=SEED)


class _Constant:
    """What a head predicts when its labels hold one class only (or none): the class frequency. Happens
    with a small or one-sided label set, e.g. a database whose analysts corrected only education items."""

    def __init__(self, probs: np.ndarray, n_features: int) -> None:
        self.probs = probs
        logits = np.log(np.clip(probs, 1e-3, 1 - 1e-3))
        if len(probs) == 2:
            self.coef_ = np.zeros((1, n_features))
            self.intercept_ = np.array([logits[1] - logits[0]])
        else:
            self.coef_ = np.zeros((len(probs), n_features))
            self.intercept_ = logits

    def predict_proba(self, X):
        return np.tile(self.probs, (X.shape[0], 1))


def _fit_binary(C: float, X, y: np.ndarray, w: np.ndarray | None = None):
    if len(np.unique(y)) < 2:
        p = float(y.mean()) if len(y) else 0.0
        return _Constant(np.array([1 - p, p]), X.shape[1])
    return _lr(C).fit(X, y, sample_weight=w)


def _out_of_fold_binary(C: float, X, y: np.ndarray, w: np.ndarray, folds: list[np.ndarray]) -> np.ndarray:
    """Each row's probability from a binary head fitted on the other folds."""
    oof = np.zeros(len(y))
    for f in folds:
        if not len(f):
            continue
        mask = np.ones(len(y), bool)
        mask[f] = False
        oof[f] = _fit_binary(C, X[mask], y[mask], w[mask]).predict_proba(X[f])[:, 1]
    return oof


def _fit_tone(C: float, X, y: np.ndarray, w: np.ndarray):
    if len(np.unique(y)) < len(SENTIMENTS):
        freq = np.bincount(y, minlength=len(SENTIMENTS)) + 1.0
        return _Constant(freq / freq.sum(), X.shape[1])
    return _multinomial(C).fit(X, y, sample_weight=w)


def _multinomial(C: float):
    # multinomial rather than one-vs-rest for tone: cross-validated macro-F1 0.711 vs 0.695
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=2000, solver="lbfgs", random_state=SEED)


def _platt(oof: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling of a binary head from its out-of-fold scores: p = sigmoid(a * logit + c).

    Sample weights (hand labels x100, hot positives x3) shift a logistic model's probabilities; refitting
    the logit on held-out predictions makes a score of 0.7 mean "right about 70% of the time". For a linear
    head the map folds into its weights (a * w, a * b + c), so prediction costs nothing more."""
    if len(np.unique(y)) < 2 or len(y) < 20:
        return 1.0, 0.0
    from sklearn.linear_model import LogisticRegression

    z = logit(oof).reshape(-1, 1)
    m = LogisticRegression(C=100.0, solver="lbfgs").fit(z, y)
    a, c = float(m.coef_[0, 0]), float(m.intercept_[0])
    return (a, c) if a > 0 else (1.0, 0.0)


def _ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: the mean gap between score and observed rate, over 10 score bins."""
    idx = np.minimum((p * bins).astype(int), bins - 1)
    err = 0.0
    for k in range(bins):
        sel = idx == k
        if sel.any():
            err += sel.sum() / len(p) * abs(float(p[sel].mean()) - float(y[sel].mean()))
    return round(err, 4)


def _calibrated(oof: np.ndarray, ac: tuple[float, float]) -> np.ndarray:
    a, c = ac
    return 1.0 / (1.0 + np.exp(-(a * logit(oof) + c)))


def _folds(n: int, k: int = 5) -> list[np.ndarray]:
    idx = np.random.RandomState(SEED).permutation(n)
    return [idx[i::k] for i in range(k)]


def _best_f1_threshold(y: np.ndarray, p: np.ndarray, default: float = 0.5, beta: float = 1.0) -> tuple[float, float]:
    if y.sum() == 0:
        return default, 0.0
    best_t, best_f = default, -1.0
    for t in np.arange(0.05, 0.951, 0.01):
        pred = p >= t
        tp = float((pred & (y == 1)).sum())
        fp = float((pred & (y == 0)).sum())
        fn = float((~pred & (y == 1)).sum())
        denom = (1 + beta ** 2) * tp + beta ** 2 * fn + fp
        f = (1 + beta ** 2) * tp / denom if denom else 0.0
        if f > best_f + 1e-9:
            best_t, best_f = float(t), f
    return best_t, best_f


def _fit_dense(C: float, Z: np.ndarray, y: np.ndarray, w: np.ndarray | None = None):
    """Logistic regression on the LSA coordinates alone (dense, low-dimensional: lbfgs is quick)."""
    if len(np.unique(y)) < 2:
        p = float(y.mean()) if len(y) else 0.0
        return _Constant(np.array([1 - p, p]), Z.shape[1])
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=1000, solver="lbfgs", random_state=SEED).fit(Z, y, sample_weight=w)


def _mix(p_grams: np.ndarray, p_lsa: np.ndarray, a: float) -> np.ndarray:
    """Ensemble of the n-gram and the LSA model: their logits averaged with share a for the n-grams. Linear
    in the features, so it folds into one weight column."""
    if a >= 1.0:
        return p_grams
    return 1.0 / (1.0 + np.exp(-(a * logit(p_grams) + (1 - a) * logit(p_lsa))))


def _with_votes(p: np.ndarray, votes: np.ndarray | None, share: float) -> np.ndarray:
    """The linear heads' probability and the neighbours' vote, logits averaged with the vote's share."""
    if votes is None or share <= 0.0:
        return p
    return 1.0 / (1.0 + np.exp(-((1 - share) * logit(p) + share * logit(votes))))


def _best_topic_share(shares, combine, learnt, oof_all, thresholds, Ys, scores: dict) -> float:
    """The share whose combination of the out-of-fold topic scores (combine(j, n-gram, LSA, share)) gives the
    best micro-F1 over every topic, thresholds chosen per topic; scores[share] records each F1."""
    best = None
    for share in shares:
        trial, th = oof_all.copy(), thresholds.copy()
        for j, yt, oof_t, oof_z in learnt:
            mixed = combine(j, oof_t, oof_z, share)
            trial[:, j] = _calibrated(mixed, _platt(mixed, yt))
            th[j] = _best_f1_threshold(yt, trial[:, j], default=0.3)[0]
        f1 = _micro_f1(trial >= th, Ys)
        scores[str(share)] = round(f1, 4)
        if best is None or f1 > best[0] + 1e-9:
            best = (f1, share)
    return best[1]


def _micro_f1(pred: np.ndarray, Y: np.ndarray) -> float:
    tp, fp, fn = int((pred & (Y == 1)).sum()), int((pred & (Y == 0)).sum()), int((~pred & (Y == 1)).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _average_precision(y: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import average_precision_score

    return round(float(average_precision_score(y, p)), 4) if 0 < y.sum() < len(y) else 0.0


def _recall_threshold(y: np.ndarray, p: np.ndarray, target: float) -> float:
    """The highest threshold whose recall on (y, p) reaches target (0.05 at worst)."""
    if y.sum() == 0:
        return 0.5
    for t in np.arange(0.95, 0.049, -0.01):
        if ((p >= t) & (y == 1)).sum() >= target * y.sum():
            return round(float(t), 2)
    return 0.05


def _fit_lsa(X_tfidf: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Unsupervised LSA over the most common grams of every training text -> (vocabulary rows, float16
    projection). Empty when the training texts are too few to span the dimensions (small test corpora)."""
    df = np.bincount(X_tfidf.indices, minlength=X_tfidf.shape[1])
    rows = np.sort(np.argsort(-df, kind="stable")[:LSA_GRAMS]).astype(np.int32)
    dims = min(LSA_DIMS, len(rows) - 1, X_tfidf.shape[0] - 1)
    if dims < 2 * 16:  # a handful of dimensions of a tiny corpus would be noise
        return np.zeros(0, np.int32), np.zeros((0, 0), np.float16)
    from sklearn.decomposition import TruncatedSVD

    svd = TruncatedSVD(dims, random_state=SEED, n_iter=4).fit(X_tfidf[:, rows])
    return rows, svd.components_.T.astype(np.float16)


def fit(rules: RuleSet, corpus: list[Example], hand: list[Example], report: TrainReport, log=print, k: int = 5):
    t0 = time.time()
    allx = corpus + hand
    vocab, counts, dense = _features(rules, allx)
    log(f"  features for {len(allx)} items in {time.time() - t0:.1f}s")
    idf = _idf(counts)
    X = design(counts, dense, idf)
    n_v = len(vocab)
    n_c = len(corpus)
    lsa_rows, lsa = _fit_lsa(X[:, :n_v])
    Z = semantic(X[:, :n_v], lsa_rows, lsa.astype(np.float32)) if lsa.size else np.zeros((X.shape[0], 0), np.float32)
    log(f"  LSA {lsa.shape} in {time.time() - t0:.1f}s")
    Xh = X[n_c:]
    Zh = Z[n_c:]
    N_hand = neighbours.sparse_rows(Xh[:, :n_v])  # the hand items as neighbours (pruned n-gram tf-idf)
    n_x = X.shape[1]  # the LSA block's weights sit after the n-gram and rule rows
    T = len(rules.topic_ids)
    n_in = n_x + Z.shape[1]
    knn_coef = np.zeros(T + 1)  # the neighbours' weight in each topic logit and the hot logit
    W = np.zeros((n_in, 1 + T + 3 + 1 + 1), dtype=np.float64)
    b = np.zeros(1 + T + 3 + 1 + 1)

    # relevance: every example; threshold from out-of-fold scores of the hand/analyst labels
    y = np.array([1 if e.is_education else 0 for e in allx])
    w = np.array([e.weight for e in allx])
    C_REL = 4.0
    Xr = Xh  # relevance reads no LSA
    oof = np.zeros(len(hand))
    hand_folds = _folds(len(hand), k)
    for f in hand_folds:
        if not len(f):
            continue
        mask = np.ones(len(allx), bool)
        mask[n_c + f] = False
        m = _fit_binary(C_REL, X[mask], y[mask], w[mask])
        oof[f] = m.predict_proba(Xr[f])[:, 1]
    cal = _platt(oof, y[n_c:])
    oof = _calibrated(oof, cal)
    rel_t, rel_f = _best_f1_threshold(y[n_c:], oof)
    report.oof["relevance"] = oof
    m = _fit_binary(C_REL, X, y, w)
    W[:X.shape[1], 0], b[0] = cal[0] * m.coef_[0], cal[0] * m.intercept_[0] + cal[1]
    report.cv["relevance"] = {"threshold": rel_t, "oof_f1": round(rel_f, 4), "platt": [round(cal[0], 3), round(cal[1], 3)],
                              "oof_ece": _ece(oof, y[n_c:])}
    # where the linear score is unsure, the most similar hand-labelled items (education or not) vote too;
    # their share of the logit chosen by out-of-fold F1 (share 0 keeps the linear score alone)
    rel_knn = {}
    if len(hand) >= MIN_NEIGHBOURS:
        y_hand = y[n_c:].astype(np.float32)[:, None]
        rel_votes = neighbours.out_of_fold(N_hand, y_hand, np.ones_like(y_hand), hand_folds)[:, 0]
        lo, hi = REL_KNN_BAND
        unsure = (oof >= lo) & (oof <= hi)
        best = (rel_f, 0.0, rel_t, oof)
        report.cv["relevance_neighbour_share"] = {"0.0": round(rel_f, 4)}
        for share in KNN_SHARES[1:]:
            trial = oof.copy()
            trial[unsure] = _with_votes(oof[unsure], rel_votes[unsure], share)
            t, f = _best_f1_threshold(y[n_c:], trial)
            report.cv["relevance_neighbour_share"][str(share)] = round(f, 4)
            if f > best[0] + 1e-9:
                best = (f, share, t, trial)
        rel_f, rel_share, rel_t, oof = best
        if rel_share > 0:
            rel_knn = dict(rel_knn_rows=N_hand, rel_knn_labels=y[n_c:].astype(np.uint8), rel_knn_share=rel_share,
                           rel_knn_band=REL_KNN_BAND)
        report.oof["relevance"] = oof
        report.cv["relevance"].update(threshold=rel_t, oof_f1=round(rel_f, 4), neighbour_share=rel_share,
                                      neighbour_band=list(REL_KNN_BAND), unsure_share=round(float(unsure.mean()), 4))
    log(f"  relevance: CV F1 {rel_f:.3f} at threshold {rel_t:.2f} ({time.time() - t0:.1f}s)")

    # The other heads learn from the labelled items only: fit them on the columns those items use (a column
    # that is zero in every training row gets weight exactly 0 under L2 anyway), which is several times faster.
    used = np.unique(Xh.indices)
    Xh = Xh[:, used]

    # topics: one head per topic on education items of the hand/analyst labels
    edu = [i for i, e in enumerate(hand) if e.is_education and e.topics is not None]
    Xe = Xh[edu]
    Ze = Zh[edu]
    learnt = []  # (topic index, labels, out-of-fold n-gram scores, out-of-fold LSA scores)
    we = np.array([hand[i].weight for i in edu]) / HAND_WEIGHT  # 1 for file labels: C keeps its meaning
    folds = _folds(len(edu), k)
    thresholds = np.full(T, 0.5)
    report.cv["topics"] = {}
    oof_all = np.zeros((len(edu), T))
    Ys = np.zeros((len(edu), T), dtype=int)
    for j, tid in enumerate(rules.topic_ids):
        yt = np.array([1 if tid in hand[i].topics else 0 for i in edu])
        Ys[:, j] = yt
        col = 1 + j
        dense_col = n_v + 2 + j
        if yt.sum() < MIN_TOPIC_POSITIVES:
            # too few examples to learn from: the rule evidence alone, 0.5 where one strong term matched
            slope = 6.0
            W[dense_col, col] = slope / DENSE_SCALE
            b[col] = -slope * 0.55
            thresholds[j] = 0.5
            pos = np.searchsorted(used, dense_col)
            x = Xe[:, pos].toarray().ravel() if pos < len(used) and used[pos] == dense_col else np.zeros(len(edu))
            oof_all[:, j] = 1 / (1 + np.exp(-(x * slope / DENSE_SCALE - slope * 0.55)))
            report.cv["topics"][tid] = {"positives": int(yt.sum()), "head": "rules only"}
            continue
        oof_t, oof_z = np.zeros(len(edu)), np.zeros(len(edu))
        for f in folds:
            if not len(f):
                continue
            mask = np.ones(len(edu), bool)
            mask[f] = False
            mm = _fit_binary(C_TOPIC, Xe[mask], yt[mask], we[mask])
            oof_t[f] = mm.predict_proba(Xe[f])[:, 1]
            if Ze.shape[1]:
                oof_z[f] = _fit_dense(C_LSA, Ze[mask], yt[mask], we[mask]).predict_proba(Ze[f])[:, 1]
        learnt.append((j, yt, oof_t, oof_z))
    # one mixing share for every topic head, chosen by out-of-fold micro-F1
    a = _best_topic_share(MIXES if Ze.shape[1] else (1.0,), lambda j, oof_t, oof_z, share: _mix(oof_t, oof_z, share),
                          learnt, oof_all, thresholds, Ys, report.cv.setdefault("topic_lsa_mix", {}))
    report.cv["topic_lsa_share"] = round(1 - a, 2)
    # nearest labelled neighbours vote too; their share of the logit, chosen the same way
    use_knn = len(edu) >= MIN_NEIGHBOURS
    knn_oof = neighbours.out_of_fold(N_hand[edu], Ys.astype(np.float32), np.ones_like(Ys, np.float32), folds) if use_knn else None
    knn_share = _best_topic_share(
        KNN_SHARES if use_knn else (0.0,),
        lambda j, oof_t, oof_z, share: _with_votes(_mix(oof_t, oof_z, a), knn_oof[:, j] if use_knn else None, share),
        learnt, oof_all, thresholds, Ys, report.cv.setdefault("topic_neighbour_share", {}))
    for j, yt, oof_t, oof_z in learnt:
        tid, col = rules.topic_ids[j], 1 + j
        mixed = _with_votes(_mix(oof_t, oof_z, a), knn_oof[:, j] if use_knn else None, knn_share)
        cal = _platt(mixed, yt)
        oof_all[:, j] = _calibrated(mixed, cal)
        thresholds[j], fj = _best_f1_threshold(yt, oof_all[:, j], default=0.3)
        mm = _fit_binary(C_TOPIC, Xe, yt, we)
        lin = cal[0] * (1 - knn_share)  # the linear heads' share of the calibrated logit
        W[used, col], b[col] = lin * a * mm.coef_[0], lin * a * mm.intercept_[0] + cal[1]
        if a < 1.0:
            mz = _fit_dense(C_LSA, Ze, yt, we)
            W[n_x:, col] = lin * (1 - a) * mz.coef_[0]
            b[col] += lin * (1 - a) * mz.intercept_[0]
        knn_coef[j] = cal[0] * knn_share
        report.cv["topics"][tid] = {"positives": int(yt.sum()), "threshold": thresholds[j], "oof_f1": round(fj, 4)}
    pred = oof_all >= thresholds
    tp, fp, fn = int((pred & (Ys == 1)).sum()), int((pred & (Ys == 0)).sum()), int((~pred & (Ys == 1)).sum())
    report.oof["topics"] = (edu, oof_all, thresholds)
    report.cv["topic_micro_f1"] = round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0
    log(f"  topics: CV micro-F1 {report.cv['topic_micro_f1']:.3f} ({time.time() - t0:.1f}s)")

    # tone: 3 classes on labelled items (education items count fully: the target is tone toward education)
    tone_idx = [i for i, e in enumerate(hand) if e.sentiment]
    yt = np.array([SENTIMENTS.index(hand[i].sentiment) for i in tone_idx])
    wt = np.array([hand[i].weight / HAND_WEIGHT * (1.0 if hand[i].is_education else 0.3) for i in tone_idx])
    Xt = Xh[tone_idx]
    C_TONE = 16.0  # C = 1, 4, 16 on tf-idf alone, cross-validated macro-F1 0.716, 0.743, 0.750
    oof_tone = np.zeros((len(tone_idx), 3))
    for f in _folds(len(tone_idx), k):
        if not len(f):
            continue
        mask = np.ones(len(tone_idx), bool)
        mask[f] = False
        mm = _fit_tone(C_TONE, Xt[mask], yt[mask], wt[mask])
        oof_tone[f] = mm.predict_proba(Xt[f])
    is_edu_t = np.array([hand[i].is_education for i in tone_idx])
    pt = oof_tone.argmax(1)
    f1s = []
    for c in range(3):
        a = ((pt == c) & (yt == c) & is_edu_t).sum()
        bb = ((pt == c) & (yt != c) & is_edu_t).sum()
        cc = ((pt != c) & (yt == c) & is_edu_t).sum()
        f1s.append(2 * a / (2 * a + bb + cc) if a else 0.0)
    report.cv["tone_macro_f1_edu"] = round(float(np.mean(f1s)), 4)
    report.oof["tone"] = (tone_idx, oof_tone)
    mm = _fit_tone(C_TONE, Xt, yt, wt)
    W[used, 1 + T:4 + T] = mm.coef_.T
    b[1 + T:4 + T] = mm.intercept_
    log(f"  tone: CV macro-F1 (education) {report.cv['tone_macro_f1_edu']:.3f} ({time.time() - t0:.1f}s)")

    # hot: learnt on education items only (every hot label is an education item, and a story is flagged only
    # when it is judged education): it then separates incidents from other education news rather than
    # re-learning relevance (with LSA concatenated, average precision on education items 0.836 -> 0.860). The threshold favours
    # recall (an unseen incident costs more than a look).
    hot_idx = [i for i, e in enumerate(hand) if e.hot is not None and e.is_education]
    yh = np.array([1 if hand[i].hot else 0 for i in hot_idx])
    Xo = Xh[hot_idx]
    wo = np.array([hand[i].weight for i in hot_idx]) / HAND_WEIGHT * np.where(yh == 1, 3.0, 1.0)
    C_HOT = 16.0  # on education items: C = 4, 16, 64 gave average precision 0.858, 0.860, 0.861
    oof_h = _out_of_fold_binary(C_HOT, Xo, yh, wo, _folds(len(hot_idx), k))
    # the neighbours' vote: its share chosen by out-of-fold precision at the recall target
    knn_h = (neighbours.out_of_fold(N_hand[hot_idx], yh[:, None].astype(np.float32), np.ones((len(hot_idx), 1), np.float32),
                                    _folds(len(hot_idx), k))[:, 0] if use_knn else None)
    best = None
    for share in (KNN_SHARES if use_knn else (0.0,)):
        trial = _with_votes(oof_h, knn_h, share)
        trial = _calibrated(trial, _platt(trial, yh))
        ph = trial >= _recall_threshold(yh, trial, HOT_RECALL_TARGET)
        precision = float((ph & (yh == 1)).sum() / max(1, ph.sum()))
        report.cv.setdefault("hot_neighbour_share", {})[str(share)] = round(precision, 4)
        if best is None or precision > best[0] + 1e-9:
            best = (precision, share)
    hot_share = best[1]
    oof_h = _with_votes(oof_h, knn_h, hot_share)
    cal_h = _platt(oof_h, yh)
    oof_h = _calibrated(oof_h, cal_h)
    hot_t = _recall_threshold(yh, oof_h, HOT_RECALL_TARGET)
    report.oof["hot"] = (hot_idx, oof_h)
    ph = oof_h >= hot_t
    tp_h, fp_h, fn_h = int((ph & (yh == 1)).sum()), int((ph & (yh == 0)).sum()), int((~ph & (yh == 1)).sum())
    report.cv["hot"] = {"threshold": hot_t, "recall_target": HOT_RECALL_TARGET,
                        "oof_f2": round(5 * tp_h / max(1, 5 * tp_h + 4 * fn_h + fp_h), 4),
                        "oof_average_precision": _average_precision(yh, oof_h), "platt": [round(cal_h[0], 3), round(cal_h[1], 3)],
                        "oof_ece": _ece(oof_h, yh),
                        "oof_recall": round(float((ph & (yh == 1)).sum() / max(1, yh.sum())), 4),
                        "oof_precision": round(float((ph & (yh == 1)).sum() / max(1, ph.sum())), 4)}
    mm = _fit_binary(C_HOT, Xo, yh, wo)
    lin = cal_h[0] * (1 - hot_share)
    W[used, 4 + T], b[4 + T] = lin * mm.coef_[0], lin * mm.intercept_[0] + cal_h[1]
    knn_coef[T] = cal_h[0] * hot_share
    log(f"  hot: CV {report.cv['hot']} ({time.time() - t0:.1f}s)")

    # foreign: stories abroad name people, firms and places no rule list can hold; local and city stay
    # with the office's rules (they depend on the office, the model does not)
    sc_idx = [i for i, e in enumerate(hand) if e.scope is not None]
    ys = np.array([1 if hand[i].scope == "foreign" else 0 for i in sc_idx])
    Xs = Xh[sc_idx]
    ws = np.array([hand[i].weight for i in sc_idx]) / HAND_WEIGHT
    C_FOREIGN = 4.0
    oof_s = _out_of_fold_binary(C_FOREIGN, Xs, ys, ws, _folds(len(sc_idx), k))
    if ys.sum() >= MIN_TOPIC_POSITIVES and (ys == 0).sum() >= MIN_TOPIC_POSITIVES:
        cal_s = _platt(oof_s, ys)
        oof_s = _calibrated(oof_s, cal_s)
        foreign_t, foreign_f = _best_f1_threshold(ys, oof_s)
        report.cv["foreign"] = {"threshold": foreign_t, "oof_f1": round(foreign_f, 4)}
        mm = _fit_binary(C_FOREIGN, Xs, ys, ws)
        W[used, 5 + T], b[5 + T] = cal_s[0] * mm.coef_[0], cal_s[0] * mm.intercept_[0] + cal_s[1]
    else:  # too few scope labels: the weighted foreign cues alone, 0.5 at about one strong cue
        slope = 6.0
        W[n_v + dense_names(rules).index("foreign"), 5 + T] = slope / DENSE_SCALE
        b[5 + T] = -slope * 0.6
        foreign_t, foreign_f = 0.5, 0.0
        report.cv["foreign"] = {"threshold": foreign_t, "oof_f1": 0.0, "head": "rules only"}
    log(f"  foreign: CV F1 {foreign_f:.3f} at threshold {foreign_t:.2f} ({time.time() - t0:.1f}s)")

    # the neighbours kept in the bundle: every hand-labelled education item, with what is known of it
    if use_knn and np.any(knn_coef):
        edu_all = [i for i, e in enumerate(hand) if e.is_education]
        labels = np.zeros((len(edu_all), T + 1), np.uint8)
        known = np.zeros((len(edu_all), T + 1), np.uint8)
        for r, i in enumerate(edu_all):
            e = hand[i]
            if e.topics is not None:
                known[r, :T] = 1
                labels[r, :T] = [tid in e.topics for tid in rules.topic_ids]
            if e.hot is not None:
                known[r, T], labels[r, T] = 1, int(bool(e.hot))
        knn = dict(knn_rows=N_hand[edu_all], knn_labels=labels, knn_known=known,
                   knn_prior=neighbours.base_rate(labels.astype(np.float64), known.astype(np.float64)), knn_coef=knn_coef)
        report.cv["neighbours"] = {"items": len(edu_all), "k": neighbours.K, "grams_kept": neighbours.KEEP,
                                   "topic_share": knn_share, "hot_share": hot_share}
    else:
        knn = {}
    return Heads(vocab=vocab, idf=idf, W=sp.csc_matrix(W.astype(np.float32)), b=b, topic_ids=rules.topic_ids,
                 rel_threshold=rel_t, topic_thresholds=thresholds, hot_threshold=hot_t, foreign_threshold=foreign_t,
                 lsa_rows=lsa_rows, lsa=lsa, **knn, **rel_knn)


def train(models_dir: Path, corpus_dir: Path, *, labels_dir: Path = LABELS_DIR, dev_path: Path | None = None,
          store=None, rules_path: Path | None = None, log=print, analysis: dict | None = None,
          fast: bool = False, exclude: tuple[str, ...] = ()) -> dict:
    """Build the bundle models_dir/edu-nlp and return its metadata (with dev metrics when dev_path exists).
    `exclude`: globs of label file names left out, with their items (to measure on them, held out)."""
    from classifiers.classify import BUNDLE_NAME, Classifier

    t0 = time.time()
    rules = load_rules(rules_path)
    dev_ids: set[str] = set()
    if dev_path and dev_path.exists():
        dev_ids = {str(json.loads(l)["id"]) for l in dev_path.read_text(encoding="utf-8").splitlines() if l.strip()}
    report = TrainReport()
    corpus, hand = collect(corpus_dir, labels_dir, store, dev_ids, report, fast=fast, exclude=tuple(exclude))
    if not hand:
        raise InputError(f"no hand labels with corpus text in {labels_dir}", hint="label items (data/labels/*.jsonl) before training")
    log(f"training on {len(corpus)} section-labelled + {len(hand)} hand-labelled items")
    heads = fit(rules, corpus, hand, report, log=log, k=3 if fast else 5)
    if analysis is not None:  # out-of-fold scores for error analysis by the caller
        analysis.update(hand=hand, oof=dict(report.oof), rules=rules)
    report.seconds = round(time.time() - t0, 1)
    report.oof.clear()
    meta = {
        "name": BUNDLE_NAME,
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seed": SEED,
        "mode": ("fast (corpus sample, 3-fold CV)" if fast else "full (5-fold CV)")
                + (f", label files excluded: {', '.join(exclude)}" if exclude else ""),
        "rules_file": rules.path.name,
        "rules_sha256": rules.sha256,
        "dense_names": dense_names(rules),
        "training_sources": report.sources,
        "label_files": report.files,
        "corpus_dir": "../shared/corpus",
        "cross_validation": report.cv,
        "train_seconds": report.seconds,
    }
    bundle = models_dir / BUNDLE_NAME
    meta = save_models(bundle, heads, meta)
    if dev_path and dev_path.exists():
        from classifiers.evaluate import evaluate_file
        from classifiers.model import load_models
        from monitor.config import Office

        office = Office(name="Phòng GD&ĐT quận Long Biên", short_name="Phòng GD&ĐT quận Long Biên", district="Long Biên", city="Hà Nội")
        clf = Classifier(rules, office, load_models(bundle, rules))
        res = evaluate_file(clf, dev_path, corpus_dir)
        meta = {**meta, "dev_metrics": {k: v for k, v in res.items() if k != "labels_file"},
                "dev_file": "../shared/labels/dev.jsonl", "dev_sha256": _sha256(dev_path)}
        write_metadata(bundle, meta)
    from classifiers.card import write_card

    write_card(bundle, meta)
    return meta
