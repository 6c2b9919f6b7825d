"""How one head of the bundle is fitted, calibrated and given its threshold: the statistics `monitor train`
assembles (classifiers/train.py) into the bundle's weights.

Every head is a logistic regression (liblinear on the sparse n-grams, lbfgs on the dense LSA coordinates) whose
out-of-fold scores, from the same seeded folds, choose its Platt calibration, its threshold and any mixing share.
"""

from __future__ import annotations

import numpy as np

from classifiers.model import logit
from classifiers.types import SENTIMENTS

SEED = 20221


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


def fit_binary(C: float, X, y: np.ndarray, w: np.ndarray | None = None):
    if len(np.unique(y)) < 2:
        p = float(y.mean()) if len(y) else 0.0
        return _Constant(np.array([1 - p, p]), X.shape[1])
    return _lr(C).fit(X, y, sample_weight=w)


def out_of_fold_binary(C: float, X, y: np.ndarray, w: np.ndarray, folds: list[np.ndarray]) -> np.ndarray:
    """Each row's probability from a binary head fitted on the other folds."""
    oof = np.zeros(len(y))
    for f in folds:
        if not len(f):
            continue
        mask = np.ones(len(y), bool)
        mask[f] = False
        oof[f] = fit_binary(C, X[mask], y[mask], w[mask]).predict_proba(X[f])[:, 1]
    return oof


def fit_tone(C: float, X, y: np.ndarray, w: np.ndarray):
    if len(np.unique(y)) < len(SENTIMENTS):
        freq = np.bincount(y, minlength=len(SENTIMENTS)) + 1.0
        return _Constant(freq / freq.sum(), X.shape[1])
    return _multinomial(C).fit(X, y, sample_weight=w)


def _multinomial(C: float):
    # multinomial rather than one-vs-rest for tone: cross-validated macro-F1 0.711 vs 0.695
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=2000, solver="lbfgs", random_state=SEED)


def platt(oof: np.ndarray, y: np.ndarray) -> tuple[float, float]:
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


def ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: the mean gap between score and observed rate, over 10 score bins."""
    idx = np.minimum((p * bins).astype(int), bins - 1)
    err = 0.0
    for k in range(bins):
        sel = idx == k
        if sel.any():
            err += sel.sum() / len(p) * abs(float(p[sel].mean()) - float(y[sel].mean()))
    return round(err, 4)


def calibrated(oof: np.ndarray, ac: tuple[float, float]) -> np.ndarray:
    a, c = ac
    return 1.0 / (1.0 + np.exp(-(a * logit(oof) + c)))


def fold_indices(n: int, k: int = 5) -> list[np.ndarray]:
    idx = np.random.RandomState(SEED).permutation(n)
    return [idx[i::k] for i in range(k)]


def best_f1_threshold(y: np.ndarray, p: np.ndarray, default: float = 0.5, beta: float = 1.0) -> tuple[float, float]:
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


def fit_dense(C: float, Z: np.ndarray, y: np.ndarray, w: np.ndarray | None = None):
    """Logistic regression on the LSA coordinates alone (dense, low-dimensional: lbfgs is quick)."""
    if len(np.unique(y)) < 2:
        p = float(y.mean()) if len(y) else 0.0
        return _Constant(np.array([1 - p, p]), Z.shape[1])
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=1000, solver="lbfgs", random_state=SEED).fit(Z, y, sample_weight=w)


def mix(p_grams: np.ndarray, p_lsa: np.ndarray, a: float) -> np.ndarray:
    """Ensemble of the n-gram and the LSA model: their logits averaged with share a for the n-grams. Linear
    in the features, so it folds into one weight column."""
    if a >= 1.0:
        return p_grams
    return 1.0 / (1.0 + np.exp(-(a * logit(p_grams) + (1 - a) * logit(p_lsa))))


def with_votes(p: np.ndarray, votes: np.ndarray | None, share: float) -> np.ndarray:
    """The linear heads' probability and the neighbours' vote, logits averaged with the vote's share."""
    if votes is None or share <= 0.0:
        return p
    return 1.0 / (1.0 + np.exp(-((1 - share) * logit(p) + share * logit(votes))))


def best_topic_share(shares, combine, learnt, oof_all, thresholds, Ys, scores: dict) -> float:
    """The share whose combination of the out-of-fold topic scores (combine(j, n-gram, LSA, share)) gives the
    best micro-F1 over every topic, thresholds chosen per topic; scores[share] records each F1."""
    best = None
    for share in shares:
        trial, th = oof_all.copy(), thresholds.copy()
        for j, yt, oof_t, oof_z in learnt:
            mixed = combine(j, oof_t, oof_z, share)
            trial[:, j] = calibrated(mixed, platt(mixed, yt))
            th[j] = best_f1_threshold(yt, trial[:, j], default=0.3)[0]
        f1 = micro_f1(trial >= th, Ys)
        scores[str(share)] = round(f1, 4)
        if best is None or f1 > best[0] + 1e-9:
            best = (f1, share)
    return best[1]


def micro_f1(pred: np.ndarray, Y: np.ndarray) -> float:
    tp, fp, fn = int((pred & (Y == 1)).sum()), int((pred & (Y == 0)).sum()), int((~pred & (Y == 1)).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def average_precision(y: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import average_precision_score

    return round(float(average_precision_score(y, p)), 4) if 0 < y.sum() < len(y) else 0.0


def recall_threshold(y: np.ndarray, p: np.ndarray, target: float) -> float:
    """The highest threshold whose recall on (y, p) reaches target (0.05 at worst)."""
    if y.sum() == 0:
        return 0.5
    for t in np.arange(0.95, 0.049, -0.01):
        if ((p >= t) & (y == 1)).sum() >= target * y.sum():
            return round(float(t), 2)
    return 0.05
