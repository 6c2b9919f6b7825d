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
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from classifiers import neighbours
from classifiers.corpus import iter_baomoi, iter_crawl, iter_rss, iter_unc, lookup, require
from classifiers.features import dense_matrix, dense_names, model_grams
from classifiers.fitting import (SEED, average_precision, best_f1_threshold, best_topic_share, calibrated, ece,
                                 fit_binary, fit_dense, fit_tone, fold_indices, mix, out_of_fold_binary, platt,
                                 recall_threshold, with_votes)
from classifiers.model import (DENSE_SCALE, Heads, build_vocabulary, count_matrix, design, install_bundle, save_models,
                               semantic, write_metadata)
from classifiers.rules import RuleSet, load_rules, prepare
from classifiers.types import SCOPES, SENTIMENTS
from monitor.errors import InputError

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
# --fast: a few thousand corpus items and 3 folds instead of 5. Every hand label is still learnt, and the heads
# fitted on them are most of the time: with 35,600 hand labels on the shared 2-core machine, a fast run reached the
# end of the topic heads after 1,030 s against a full run's 1,676 s just before it (about 3/5 of the time), not the
# minute it once took
FAST_CAPS = {"tc201805_baomoi_pos": 1500, "tc201805_baomoi_neg": 1500, "rss_sections": 500, "others": 1000}
# The stages of a training, in order, as `progress` is told of each when it starts (the CLI words them). Measured
# with 35,600 hand labels on the 2-core machine shared with other work: features and LSA about a minute and a half,
# relevance 7 minutes, topics 20, tone more than 12; nothing is written before "save"
STAGES = ("corpus", "features", "relevance", "topics", "tone", "hot", "scope", "save")


def _quiet(_message: str) -> None:
    """The default log: the library prints nothing; the CLI passes its own."""


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
        for art, r in database_labels(store):
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


def database_labels(store) -> list[tuple]:
    """(article, label) for each article the analysts labelled in the database whose education is known: the label
    merged field by field (store.labels: those in force, a withdrawn one left out), education filled in where the
    labels imply it (monitor.corrections.learnt_education). What `monitor train` learns from and `monitor evaluate
    --db-labels` measures on."""
    from monitor.corrections import learnt_articles

    out = []
    db_labels = store.labels()
    learnt = learnt_articles(store, db_labels)
    for r in db_labels:
        art = store.get_article(r["article_id"])
        if art is None:
            continue
        # `monitor label ID --hot no` (or --sentiment, --scope alone) corrects one call on an article the monitor
        # listed as education news, without disputing that: the most common correction there is
        if learnt[art.id] is None:
            continue  # relevance unknown: a correction of an article not shown as education cannot place it
        out.append((art, {**r, "is_education": learnt[art.id]}))
    return out


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




@dataclass
class _Inputs:
    """What every head reads: the hand/analyst-labelled items, their features, folds and neighbours, and the
    bundle's weight matrix, one column per head, which each head writes into."""
    rules: RuleSet
    hand: list[Example]
    Xh: sp.csr_matrix  # hand rows, restricted to the columns they use (`used`) once relevance is fitted
    used: np.ndarray
    Zh: np.ndarray  # hand rows' LSA coordinates
    N_hand: sp.csr_matrix  # hand rows as neighbours (pruned n-gram tf-idf)
    n_v: int  # n-gram columns; the rule evidence follows them
    n_x: int  # n-gram and rule columns; the LSA block's weights follow them
    k: int
    use_knn: bool
    W: np.ndarray
    b: np.ndarray
    knn_coef: np.ndarray  # the neighbours' weight in each topic logit and the hot logit
    report: TrainReport
    log: object
    t0: float

    def elapsed(self) -> str:
        return f"{time.time() - self.t0:.1f} giây"


def fit(rules: RuleSet, corpus: list[Example], hand: list[Example], report: TrainReport, log=_quiet, k: int = 5,
        stage=_quiet):
    """Every head on the examples; `stage(name)` is called as each of STAGES from "features" to "scope" starts."""
    t0 = time.time()
    allx = corpus + hand
    stage("features")
    vocab, counts, dense = _features(rules, allx)
    log(f"  đặc trưng của {len(allx)} bài: {time.time() - t0:.1f} giây")
    idf = _idf(counts)
    X = design(counts, dense, idf)
    n_v = len(vocab)
    n_c = len(corpus)
    lsa_rows, lsa = _fit_lsa(X[:, :n_v])
    Z = semantic(X[:, :n_v], lsa_rows, lsa.astype(np.float32)) if lsa.size else np.zeros((X.shape[0], 0), np.float32)
    log(f"  LSA {lsa.shape}: {time.time() - t0:.1f} giây")
    T = len(rules.topic_ids)
    n_in = X.shape[1] + Z.shape[1]
    W = np.zeros((n_in, 1 + T + 3 + 1 + 1), dtype=np.float64)
    b = np.zeros(1 + T + 3 + 1 + 1)
    Xh = X[n_c:]
    n_edu = sum(1 for e in hand if e.is_education and e.topics is not None)
    inputs = _Inputs(rules=rules, hand=hand, Xh=Xh, used=np.arange(X.shape[1]), Zh=Z[n_c:],
                     N_hand=neighbours.sparse_rows(Xh[:, :n_v]), n_v=n_v, n_x=X.shape[1], k=k,
                     use_knn=n_edu >= MIN_NEIGHBOURS, W=W, b=b, knn_coef=np.zeros(T + 1), report=report, log=log, t0=t0)

    stage("relevance")
    rel_t, rel_knn = _relevance_head(inputs, X, allx, n_c)
    # The other heads learn from the labelled items only: fit them on the columns those items use (a column
    # that is zero in every training row gets weight exactly 0 under L2 anyway), which is several times faster.
    inputs.used = np.unique(Xh.indices)
    inputs.Xh = Xh[:, inputs.used]
    stage("topics")
    thresholds, topic_share = _topic_heads(inputs)
    stage("tone")
    _tone_head(inputs)
    stage("hot")
    hot_t, hot_share = _hot_head(inputs)
    stage("scope")
    foreign_t = _foreign_head(inputs)
    knn = _neighbour_bank(inputs, topic_share, hot_share)
    return Heads(vocab=vocab, idf=idf, W=sp.csc_matrix(W.astype(np.float32)), b=b, topic_ids=rules.topic_ids,
                 rel_threshold=rel_t, topic_thresholds=thresholds, hot_threshold=hot_t, foreign_threshold=foreign_t,
                 lsa_rows=lsa_rows, lsa=lsa, **knn, **rel_knn)


def _relevance_head(inputs: _Inputs, X: sp.csr_matrix, allx: list[Example], n_c: int) -> tuple[float, dict]:
    """Relevance learns from every example (corpus sections and hand labels); its threshold and the neighbours'
    share come from out-of-fold scores of the hand/analyst labels. Returns the threshold and the neighbour bank."""
    hand, report = inputs.hand, inputs.report
    y = np.array([1 if e.is_education else 0 for e in allx])
    w = np.array([e.weight for e in allx])
    C_REL = 4.0
    Xr = inputs.Xh  # relevance reads no LSA
    oof = np.zeros(len(hand))
    hand_folds = fold_indices(len(hand), inputs.k)
    for f in hand_folds:
        if not len(f):
            continue
        mask = np.ones(len(allx), bool)
        mask[n_c + f] = False
        m = fit_binary(C_REL, X[mask], y[mask], w[mask])
        oof[f] = m.predict_proba(Xr[f])[:, 1]
    cal = platt(oof, y[n_c:])
    oof = calibrated(oof, cal)
    rel_t, rel_f = best_f1_threshold(y[n_c:], oof)
    report.oof["relevance"] = oof
    m = fit_binary(C_REL, X, y, w)
    inputs.W[:X.shape[1], 0], inputs.b[0] = cal[0] * m.coef_[0], cal[0] * m.intercept_[0] + cal[1]
    report.cv["relevance"] = {"threshold": rel_t, "oof_f1": round(rel_f, 4), "platt": [round(cal[0], 3), round(cal[1], 3)],
                              "oof_ece": ece(oof, y[n_c:])}
    # where the linear score is unsure, the most similar hand-labelled items (education or not) vote too;
    # their share of the logit chosen by out-of-fold F1 (share 0 keeps the linear score alone)
    rel_knn = {}
    if len(hand) >= MIN_NEIGHBOURS:
        y_hand = y[n_c:].astype(np.float32)[:, None]
        rel_votes = neighbours.out_of_fold(inputs.N_hand, y_hand, np.ones_like(y_hand), hand_folds)[:, 0]
        lo, hi = REL_KNN_BAND
        unsure = (oof >= lo) & (oof <= hi)
        best = (rel_f, 0.0, rel_t, oof)
        report.cv["relevance_neighbour_share"] = {"0.0": round(rel_f, 4)}
        for share in KNN_SHARES[1:]:
            trial = oof.copy()
            trial[unsure] = with_votes(oof[unsure], rel_votes[unsure], share)
            t, f = best_f1_threshold(y[n_c:], trial)
            report.cv["relevance_neighbour_share"][str(share)] = round(f, 4)
            if f > best[0] + 1e-9:
                best = (f, share, t, trial)
        rel_f, rel_share, rel_t, oof = best
        if rel_share > 0:
            rel_knn = dict(rel_knn_rows=inputs.N_hand, rel_knn_labels=y[n_c:].astype(np.uint8), rel_knn_share=rel_share,
                           rel_knn_band=REL_KNN_BAND)
        report.oof["relevance"] = oof
        report.cv["relevance"].update(threshold=rel_t, oof_f1=round(rel_f, 4), neighbour_share=rel_share,
                                      neighbour_band=list(REL_KNN_BAND), unsure_share=round(float(unsure.mean()), 4))
    inputs.log(f"  điểm liên quan: CV F1 {rel_f:.3f} ở ngưỡng {rel_t:.2f} ({inputs.elapsed()})")
    return rel_t, rel_knn


def _topic_heads(inputs: _Inputs) -> tuple[np.ndarray, float]:
    """One head per topic on the education items of the hand/analyst labels: an n-gram model and an LSA model
    mixed, and the nearest labelled neighbours' vote, each share chosen by out-of-fold micro-F1. Returns the
    per-topic thresholds and the neighbours' share."""
    rules, hand, report, W, b, used = inputs.rules, inputs.hand, inputs.report, inputs.W, inputs.b, inputs.used
    T = len(rules.topic_ids)
    edu = [i for i, e in enumerate(hand) if e.is_education and e.topics is not None]
    Xe = inputs.Xh[edu]
    Ze = inputs.Zh[edu]
    learnt = []  # (topic index, labels, out-of-fold n-gram scores, out-of-fold LSA scores)
    we = np.array([hand[i].weight for i in edu]) / HAND_WEIGHT  # 1 for file labels: C keeps its meaning
    folds = fold_indices(len(edu), inputs.k)
    thresholds = np.full(T, 0.5)
    report.cv["topics"] = {}
    oof_all = np.zeros((len(edu), T))
    Ys = np.zeros((len(edu), T), dtype=int)
    for j, tid in enumerate(rules.topic_ids):
        yt = np.array([1 if tid in hand[i].topics else 0 for i in edu])
        Ys[:, j] = yt
        col = 1 + j
        dense_col = inputs.n_v + 2 + j
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
            mm = fit_binary(C_TOPIC, Xe[mask], yt[mask], we[mask])
            oof_t[f] = mm.predict_proba(Xe[f])[:, 1]
            if Ze.shape[1]:
                oof_z[f] = fit_dense(C_LSA, Ze[mask], yt[mask], we[mask]).predict_proba(Ze[f])[:, 1]
        learnt.append((j, yt, oof_t, oof_z))
    # one mixing share for every topic head, chosen by out-of-fold micro-F1
    a = best_topic_share(MIXES if Ze.shape[1] else (1.0,), lambda j, oof_t, oof_z, share: mix(oof_t, oof_z, share),
                         learnt, oof_all, thresholds, Ys, report.cv.setdefault("topic_lsa_mix", {}))
    report.cv["topic_lsa_share"] = round(1 - a, 2)
    # nearest labelled neighbours vote too; their share of the logit, chosen the same way
    use_knn = inputs.use_knn
    knn_oof = (neighbours.out_of_fold(inputs.N_hand[edu], Ys.astype(np.float32), np.ones_like(Ys, np.float32), folds)
               if use_knn else None)
    knn_share = best_topic_share(
        KNN_SHARES if use_knn else (0.0,),
        lambda j, oof_t, oof_z, share: with_votes(mix(oof_t, oof_z, a), knn_oof[:, j] if use_knn else None, share),
        learnt, oof_all, thresholds, Ys, report.cv.setdefault("topic_neighbour_share", {}))
    for j, yt, oof_t, oof_z in learnt:
        tid, col = rules.topic_ids[j], 1 + j
        mixed = with_votes(mix(oof_t, oof_z, a), knn_oof[:, j] if use_knn else None, knn_share)
        cal = platt(mixed, yt)
        oof_all[:, j] = calibrated(mixed, cal)
        thresholds[j], fj = best_f1_threshold(yt, oof_all[:, j], default=0.3)
        mm = fit_binary(C_TOPIC, Xe, yt, we)
        lin = cal[0] * (1 - knn_share)  # the linear heads' share of the calibrated logit
        W[used, col], b[col] = lin * a * mm.coef_[0], lin * a * mm.intercept_[0] + cal[1]
        if a < 1.0:
            mz = fit_dense(C_LSA, Ze, yt, we)
            W[inputs.n_x:, col] = lin * (1 - a) * mz.coef_[0]
            b[col] += lin * (1 - a) * mz.intercept_[0]
        inputs.knn_coef[j] = cal[0] * knn_share
        report.cv["topics"][tid] = {"positives": int(yt.sum()), "threshold": thresholds[j], "oof_f1": round(fj, 4)}
    pred = oof_all >= thresholds
    tp, fp, fn = int((pred & (Ys == 1)).sum()), int((pred & (Ys == 0)).sum()), int((~pred & (Ys == 1)).sum())
    report.oof["topics"] = (edu, oof_all, thresholds)
    report.cv["topic_micro_f1"] = round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0
    inputs.log(f"  chủ đề: CV micro-F1 {report.cv['topic_micro_f1']:.3f} ({inputs.elapsed()})")
    return thresholds, knn_share


def _tone_head(inputs: _Inputs) -> None:
    """Tone, 3 classes, on labelled items; education items count fully, the target being tone toward education."""
    hand, report, T = inputs.hand, inputs.report, len(inputs.rules.topic_ids)
    tone_idx = [i for i, e in enumerate(hand) if e.sentiment]
    yt = np.array([SENTIMENTS.index(hand[i].sentiment) for i in tone_idx])
    wt = np.array([hand[i].weight / HAND_WEIGHT * (1.0 if hand[i].is_education else 0.3) for i in tone_idx])
    Xt = inputs.Xh[tone_idx]
    C_TONE = 16.0  # C = 1, 4, 16 on tf-idf alone, cross-validated macro-F1 0.716, 0.743, 0.750
    oof_tone = np.zeros((len(tone_idx), 3))
    for f in fold_indices(len(tone_idx), inputs.k):
        if not len(f):
            continue
        mask = np.ones(len(tone_idx), bool)
        mask[f] = False
        mm = fit_tone(C_TONE, Xt[mask], yt[mask], wt[mask])
        oof_tone[f] = mm.predict_proba(Xt[f])
    is_edu_t = np.array([hand[i].is_education for i in tone_idx])
    pt = oof_tone.argmax(1)
    f1s = []
    for c in range(3):
        tp = ((pt == c) & (yt == c) & is_edu_t).sum()
        fp = ((pt == c) & (yt != c) & is_edu_t).sum()
        fn = ((pt != c) & (yt == c) & is_edu_t).sum()
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    report.cv["tone_macro_f1_edu"] = round(float(np.mean(f1s)), 4)
    report.oof["tone"] = (tone_idx, oof_tone)
    mm = fit_tone(C_TONE, Xt, yt, wt)
    inputs.W[inputs.used, 1 + T:4 + T] = mm.coef_.T
    inputs.b[1 + T:4 + T] = mm.intercept_
    inputs.log(f"  sắc thái: CV macro-F1 (bài giáo dục) {report.cv['tone_macro_f1_edu']:.3f} ({inputs.elapsed()})")


def _hot_head(inputs: _Inputs) -> tuple[float, float]:
    """Hot, learnt on education items only (every hot label is an education item, and a story is flagged only
    when it is judged education): it then separates incidents from other education news rather than
    re-learning relevance (with LSA concatenated, average precision on education items 0.836 -> 0.860). The
    threshold favours recall (an unseen incident costs more than a look). Returns it and the neighbours' share."""
    hand, report, T = inputs.hand, inputs.report, len(inputs.rules.topic_ids)
    hot_idx = [i for i, e in enumerate(hand) if e.hot is not None and e.is_education]
    yh = np.array([1 if hand[i].hot else 0 for i in hot_idx])
    Xo = inputs.Xh[hot_idx]
    wo = np.array([hand[i].weight for i in hot_idx]) / HAND_WEIGHT * np.where(yh == 1, 3.0, 1.0)
    C_HOT = 16.0  # on education items: C = 4, 16, 64 gave average precision 0.858, 0.860, 0.861
    oof_h = out_of_fold_binary(C_HOT, Xo, yh, wo, fold_indices(len(hot_idx), inputs.k))
    # the neighbours' vote: its share chosen by out-of-fold precision at the recall target
    use_knn = inputs.use_knn
    knn_h = (neighbours.out_of_fold(inputs.N_hand[hot_idx], yh[:, None].astype(np.float32),
                                    np.ones((len(hot_idx), 1), np.float32), fold_indices(len(hot_idx), inputs.k))[:, 0]
             if use_knn else None)
    best = None
    for share in (KNN_SHARES if use_knn else (0.0,)):
        trial = with_votes(oof_h, knn_h, share)
        trial = calibrated(trial, platt(trial, yh))
        ph = trial >= recall_threshold(yh, trial, HOT_RECALL_TARGET)
        precision = float((ph & (yh == 1)).sum() / max(1, ph.sum()))
        report.cv.setdefault("hot_neighbour_share", {})[str(share)] = round(precision, 4)
        if best is None or precision > best[0] + 1e-9:
            best = (precision, share)
    hot_share = best[1]
    oof_h = with_votes(oof_h, knn_h, hot_share)
    cal_h = platt(oof_h, yh)
    oof_h = calibrated(oof_h, cal_h)
    hot_t = recall_threshold(yh, oof_h, HOT_RECALL_TARGET)
    report.oof["hot"] = (hot_idx, oof_h)
    ph = oof_h >= hot_t
    tp_h, fp_h, fn_h = int((ph & (yh == 1)).sum()), int((ph & (yh == 0)).sum()), int((~ph & (yh == 1)).sum())
    report.cv["hot"] = {"threshold": hot_t, "recall_target": HOT_RECALL_TARGET,
                        "oof_f2": round(5 * tp_h / max(1, 5 * tp_h + 4 * fn_h + fp_h), 4),
                        "oof_average_precision": average_precision(yh, oof_h), "platt": [round(cal_h[0], 3), round(cal_h[1], 3)],
                        "oof_ece": ece(oof_h, yh),
                        "oof_recall": round(float((ph & (yh == 1)).sum() / max(1, yh.sum())), 4),
                        "oof_precision": round(float((ph & (yh == 1)).sum() / max(1, ph.sum())), 4)}
    mm = fit_binary(C_HOT, Xo, yh, wo)
    lin = cal_h[0] * (1 - hot_share)
    inputs.W[inputs.used, 4 + T], inputs.b[4 + T] = lin * mm.coef_[0], lin * mm.intercept_[0] + cal_h[1]
    inputs.knn_coef[T] = cal_h[0] * hot_share
    hot_cv = report.cv["hot"]
    inputs.log(f"  nóng: CV P {hot_cv['oof_precision']:.3f}  R {hot_cv['oof_recall']:.3f} ở ngưỡng {hot_cv['threshold']:.2f} "
               f"({inputs.elapsed()})")
    return hot_t, hot_share


def _foreign_head(inputs: _Inputs) -> float:
    """Foreign scope: stories abroad name people, firms and places no rule list can hold; local and city stay
    with the office's rules (they depend on the office, the model does not). Returns the threshold."""
    hand, report, rules = inputs.hand, inputs.report, inputs.rules
    T = len(rules.topic_ids)
    sc_idx = [i for i, e in enumerate(hand) if e.scope is not None]
    ys = np.array([1 if hand[i].scope == "foreign" else 0 for i in sc_idx])
    Xs = inputs.Xh[sc_idx]
    ws = np.array([hand[i].weight for i in sc_idx]) / HAND_WEIGHT
    C_FOREIGN = 4.0
    oof_s = out_of_fold_binary(C_FOREIGN, Xs, ys, ws, fold_indices(len(sc_idx), inputs.k))
    if ys.sum() >= MIN_TOPIC_POSITIVES and (ys == 0).sum() >= MIN_TOPIC_POSITIVES:
        cal_s = platt(oof_s, ys)
        oof_s = calibrated(oof_s, cal_s)
        foreign_t, foreign_f = best_f1_threshold(ys, oof_s)
        report.cv["foreign"] = {"threshold": foreign_t, "oof_f1": round(foreign_f, 4)}
        mm = fit_binary(C_FOREIGN, Xs, ys, ws)
        inputs.W[inputs.used, 5 + T], inputs.b[5 + T] = cal_s[0] * mm.coef_[0], cal_s[0] * mm.intercept_[0] + cal_s[1]
    else:  # too few scope labels: the weighted foreign cues alone, 0.5 at about one strong cue
        slope = 6.0
        inputs.W[inputs.n_v + dense_names(rules).index("foreign"), 5 + T] = slope / DENSE_SCALE
        inputs.b[5 + T] = -slope * 0.6
        foreign_t, foreign_f = 0.5, 0.0
        report.cv["foreign"] = {"threshold": foreign_t, "oof_f1": 0.0, "head": "rules only"}
    inputs.log(f"  phạm vi nước ngoài: CV F1 {foreign_f:.3f} ở ngưỡng {foreign_t:.2f} ({inputs.elapsed()})")
    return foreign_t


def _neighbour_bank(inputs: _Inputs, topic_share: float, hot_share: float) -> dict:
    """The neighbours kept in the bundle: every hand-labelled education item, with what is known of it (none
    when the neighbours got no share of any logit)."""
    hand, rules = inputs.hand, inputs.rules
    T = len(rules.topic_ids)
    if not (inputs.use_knn and np.any(inputs.knn_coef)):
        return {}
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
    inputs.report.cv["neighbours"] = {"items": len(edu_all), "k": neighbours.K, "grams_kept": neighbours.KEEP,
                                      "topic_share": topic_share, "hot_share": hot_share}
    return dict(knn_rows=inputs.N_hand[edu_all], knn_labels=labels, knn_known=known,
                knn_prior=neighbours.base_rate(labels.astype(np.float64), known.astype(np.float64)),
                knn_coef=inputs.knn_coef)


def train(models_dir: Path, corpus_dir: Path, *, labels_dir: Path = LABELS_DIR, dev_path: Path | None = None,
          store=None, rules_path: Path | None = None, log=_quiet, analysis: dict | None = None,
          fast: bool = False, exclude: tuple[str, ...] = (), progress=_quiet) -> dict:
    """Build the bundle models_dir/edu-nlp and return its metadata (with dev metrics when dev_path exists).
    `exclude`: globs of label file names left out, with their items (to measure on them, held out). `log` gets the
    figures of each stage, `progress(name)` each of STAGES as it starts.

    Nothing in models_dir/edu-nlp changes until the very end: the new bundle is written, measured on the dev set and
    described (MODEL_CARD.md) in a folder beside it, then moved over it file by file (classifiers.model.install_bundle).
    A run stopped before that (Ctrl-C, an error) leaves the models in use as they were."""
    from classifiers.classify import BUNDLE_NAME, Classifier

    t0 = time.time()
    progress("corpus")
    rules = load_rules(rules_path)
    dev_ids: set[str] = set()
    if dev_path and dev_path.exists():
        dev_ids = {str(json.loads(l)["id"]) for l in dev_path.read_text(encoding="utf-8").splitlines() if l.strip()}
    report = TrainReport()
    corpus, hand = collect(corpus_dir, labels_dir, store, dev_ids, report, fast=fast, exclude=tuple(exclude))
    if not hand:
        raise InputError(f"không có nhãn gán tay nào (có văn bản trong kho ngữ liệu) ở {labels_dir}",
                         hint="gắn nhãn cho các bài (data/labels/*.jsonl) trước khi huấn luyện")
    log(f"huấn luyện trên {len(corpus)} bài gắn nhãn theo chuyên mục + {len(hand)} bài gắn nhãn tay")
    heads = fit(rules, corpus, hand, report, log=log, k=3 if fast else 5, stage=progress)
    if analysis is not None:  # out-of-fold scores for error analysis by the caller
        analysis.update(hand=hand, oof=dict(report.oof), rules=rules)
    report.seconds = round(time.time() - t0, 1)
    report.oof.clear()
    progress("save")
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
    # beside the bundle (the same disk, so the final moves are renames), hidden, and removed however the run ends
    staging = models_dir / f".{BUNDLE_NAME}.training"
    shutil.rmtree(staging, ignore_errors=True)  # left by a run killed outright (SIGKILL, a power cut)
    try:
        meta = save_models(staging, heads, meta)
        if dev_path and dev_path.exists():
            from classifiers.evaluate import evaluate_file
            from classifiers.model import load_models
            from monitor.config import Office

            office = Office(name="Phòng GD&ĐT quận Long Biên", short_name="Phòng GD&ĐT quận Long Biên", district="Long Biên", city="Hà Nội")
            clf = Classifier(rules, office, load_models(staging, rules))
            res = evaluate_file(clf, dev_path, corpus_dir)
            meta = {**meta, "dev_metrics": {k: v for k, v in res.items() if k != "labels_file"},
                    "dev_file": "../shared/labels/dev.jsonl", "dev_sha256": _sha256(dev_path)}
            write_metadata(staging, meta)
        from classifiers.card import write_card

        # the notes measured by hand (ABLATIONS.md, MEASUREMENTS.md) stay in the bundle and go into its card
        write_card(staging, meta, notes_from=bundle)
        install_bundle(staging, bundle)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return meta
