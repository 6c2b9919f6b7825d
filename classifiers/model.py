"""Trained models: vocabulary, linear heads, thresholds; prediction, saving and checked loading.

Features: syllable uni- and bigrams of the normalised text (a vocabulary of the grams seen in at least
two training items) with tf-idf weights, the rule evidence vector (classifiers.features), and LSA
coordinates (a truncated SVD of the tf-idf, fitted unsupervised at training time) that let texts worded
differently from the labelled ones land near them. For topics and hot, the votes of the most similar
hand-labelled education articles (classifiers.neighbours) are added to the linear logits; for relevance,
where its linear score is unsure, the votes of the most similar hand-labelled articles of any kind. Heads
(scikit-learn LogisticRegression, fixed seeds): relevance (binary), topics (one binary head per topic),
tone (3-class multinomial), hot (binary), foreign scope (binary). After fitting, only the vocabulary, idf and weights are kept
(joblib, sparse float32), so the bundle is a few MB and prediction is one dictionary look-up per gram
and one sparse product — several times faster than hashing every gram with scikit-learn's vectoriser.

The bundle's metadata.json records library versions, the feature configuration and the rules file's
hash; `load_models` refuses a bundle that does not match and says to run `monitor train`.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from classifiers import neighbours
from classifiers.features import FEATURE_CONFIG, URL_GRAM, dense_names
from classifiers.types import SENTIMENTS
from monitor.errors import ModelError

MIN_DF = 2  # a gram seen in one training item only is noise, and would bloat the vocabulary
DENSE_SCALE = 3.0  # rule evidence competes with thousands of n-grams under one regularisation strength
WEIGHTS_FILE = "model.joblib"


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for dist in ("scikit-learn", "numpy", "scipy", "underthesea", "joblib"):
        try:  # the installed version, without importing the package (underthesea is slow to import)
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "absent"
    return out


def build_vocabulary(docs: list[list[str]]) -> list[str]:
    df: Counter = Counter()
    for d in docs:
        df.update(set(d))
    return sorted(g for g, c in df.items() if c >= MIN_DF)


def count_matrix(docs: list[list[str]], index: dict[str, int]) -> sp.csr_matrix:
    """Gram counts per document over the vocabulary; grams outside it are dropped (as in training)."""
    return column_counts([gram_columns(grams, index) for grams in docs], len(index))


def gram_columns(grams: list[str], index: dict[str, int]) -> np.ndarray:
    """One document's grams as their vocabulary columns, in order; grams outside the vocabulary are dropped.
    A batch can keep these instead of the grams' strings, a few times smaller (classifiers.classify)."""
    get = index.get
    return np.array([j for j in map(get, grams) if j is not None], dtype=np.int64)


def column_counts(columns: list[np.ndarray], n_vocab: int) -> sp.csr_matrix:
    """Gram counts per document from each document's gram_columns."""
    lengths = np.array([len(c) for c in columns], dtype=np.int64)
    rows = np.repeat(np.arange(len(columns)), lengths)
    cols = np.concatenate(columns) if columns else np.zeros(0, np.int64)
    X = sp.csr_matrix((np.ones(len(cols), np.float32), (rows, cols)), shape=(len(columns), n_vocab))
    X.sum_duplicates()
    return X


def tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    X = counts.copy()
    X.data = np.log1p(X.data)  # sublinear tf
    X = X.multiply(idf).tocsr()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return (sp.diags(1.0 / norms) @ X).tocsr()


def semantic(X_tfidf: sp.csr_matrix, rows: np.ndarray, projection: np.ndarray) -> np.ndarray:
    """LSA coordinates of documents: their tf-idf over the projection's grams times the projection,
    l2-normalised (a text with none of those grams stays at zero)."""
    Z = np.asarray(X_tfidf[:, rows] @ projection, dtype=np.float32)
    norms = np.linalg.norm(Z, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return Z / norms


def design(counts: sp.csr_matrix, dense: np.ndarray, idf: np.ndarray,
           lsa: tuple[np.ndarray, np.ndarray] | None = None) -> sp.csr_matrix:
    """[tf-idf grams | scaled rule evidence | LSA coordinates]: the one input matrix of every head.
    `lsa` is (vocabulary rows, projection); without it (or with zero dimensions) the last block is absent."""
    T = tfidf(counts, idf)
    parts = [T, sp.csr_matrix(dense * DENSE_SCALE)]
    if lsa is not None and lsa[1].shape[1]:
        parts.append(sp.csr_matrix(semantic(T, *lsa)))
    return sp.hstack(parts, format="csr", dtype=np.float32)


def logit(p):
    """log(p / (1 - p)), kept finite at 0 and 1; the one logit of training and prediction."""
    p = np.asarray(p, dtype=np.float64)
    return np.log(np.clip(p, 1e-6, 1 - 1e-6) / np.clip(1 - p, 1e-6, 1))


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def _softmax(x):
    x = x - x.max(axis=1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=1, keepdims=True)


def _dense_rows(W: sp.spmatrix) -> np.ndarray:
    """A sparse matrix as a dense array in row order, filled a column at a time from its CSC form: scipy's
    toarray(order="C") of a CSC matrix goes through a CSR copy, 22 MB more at the moment a model loads."""
    W = W.tocsc()
    W.sum_duplicates()
    out = np.zeros(W.shape, dtype=W.dtype)
    for j in range(W.shape[1]):
        lo, hi = W.indptr[j], W.indptr[j + 1]
        out[W.indices[lo:hi], j] = W.data[lo:hi]
    return out


@dataclass
class Heads:
    """Linear weights over [tf-idf grams | scaled dense rule features]; columns: rel, topics..., tone x3, hot, foreign."""

    vocab: list[str]
    idf: np.ndarray  # (len(vocab),) float32
    W: sp.csc_matrix  # (len(vocab) + n_dense, n_out); dense (np.ndarray) once a Models holds it, see Models
    b: np.ndarray  # (n_out,)
    topic_ids: tuple[str, ...]
    rel_threshold: float
    topic_thresholds: np.ndarray
    hot_threshold: float
    foreign_threshold: float
    # LSA: the vocabulary rows it reads and their (rows x dims) projection; empty = no semantic block
    lsa_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    lsa: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    # nearest labelled neighbours (classifiers.neighbours): their pruned tf-idf rows, their labels and which
    # labels are known (columns: topics..., hot), the labels' base rates, and each vote's weight in the
    # topic and hot logits (0 = no vote); empty = no neighbours
    knn_rows: sp.csr_matrix = field(default_factory=lambda: sp.csr_matrix((0, 0), dtype=np.float32))
    knn_labels: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.uint8))
    knn_known: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.uint8))
    knn_prior: np.ndarray = field(default_factory=lambda: np.zeros(0))
    knn_coef: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # relevance's neighbours: every hand-labelled item (education or not) with its label, voting with this
    # share of the logit only where the linear relevance lies within rel_knn_band; share 0 = no vote
    rel_knn_rows: sp.csr_matrix = field(default_factory=lambda: sp.csr_matrix((0, 0), dtype=np.float32))
    rel_knn_labels: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint8))
    rel_knn_share: float = 0.0
    rel_knn_band: tuple[float, float] = (0.0, 0.0)


class Models:
    """Prediction with loaded heads. Each array is kept once, in the form prediction reads, replacing the
    loaded one in `heads` (keeping both took 52 MB of the 165 MB the shipped bundle took in memory, which `monitor
    crawl` holds beside the crawler): heads.W becomes the dense weights, heads.lsa the float32 projection, and
    the neighbour rows views of their transposes. The values are the same numbers."""

    def __init__(self, heads: Heads, version: str, metadata: dict) -> None:
        self.heads = heads
        self.version = version
        self.metadata = metadata
        # (rules hash at training, rules hash now) when the rules were edited since: the model card's figures
        # were measured with the former
        self.rules_edited: tuple[str, str] | None = None
        self._index = {g: i for i, g in enumerate(heads.vocab)}
        self._n_t = len(heads.topic_ids)
        n_lsa = heads.lsa.shape[1] if heads.lsa.size else 0
        n_sparse = heads.W.shape[0] - n_lsa
        # the weights as one dense array (23 MB for 250,000 grams x 23 heads): (sparse texts) @ (dense weights) is
        # one pass over the texts' grams, several times quicker than a sparse-by-sparse product, and the LSA
        # block's weights meet dense coordinates anyway. In row order: scipy's product reads the dense side
        # as rows and copied all 23 MB on every batch when it was in column order (as a CSC matrix's toarray gives)
        if sp.issparse(heads.W):
            heads.W = _dense_rows(heads.W)
        W = heads.W
        self._W_grams = W[:n_sparse]
        # the LSA block (256 x 23) in column order, as it always was: its product with the coordinates is BLAS's,
        # whose float32 rounding follows the layout (row order moved scores by 1e-7)
        self._W_lsa = np.asfortranarray(W[n_sparse:]) if n_lsa else None
        # stored as float16 to keep the bundle small; computed in float32
        if n_lsa:
            heads.lsa = heads.lsa.astype(np.float32, copy=False)
        self._lsa = (heads.lsa_rows, heads.lsa) if n_lsa else None
        self._knn = heads.knn_rows.shape[0] > 0 and bool(np.any(heads.knn_coef))
        if self._knn:
            self._knn_labels = heads.knn_labels.astype(np.float32)
            self._knn_known = heads.knn_known.astype(np.float32)
            self._knn_cols = np.r_[1:1 + self._n_t, 4 + self._n_t]  # topic columns, then hot
            self._knn_rows_T = heads.knn_rows.T.tocsr()
            heads.knn_rows = self._knn_rows_T.T
        self._rel_knn = heads.rel_knn_share > 0 and heads.rel_knn_rows.shape[0] > 0
        if self._rel_knn:
            self._rel_knn_rows_T = heads.rel_knn_rows.T.tocsr()
            heads.rel_knn_rows = self._rel_knn_rows_T.T
            self._rel_knn_labels = heads.rel_knn_labels.astype(np.float32)[:, None]
            self._rel_knn_prior = neighbours.base_rate(self._rel_knn_labels, np.ones_like(self._rel_knn_labels))

    def features(self, docs: list[list[str]], dense: np.ndarray) -> sp.csr_matrix:
        return design(count_matrix(docs, self._index), dense, self.heads.idf, self._lsa)

    def columns(self, grams: list[str]) -> np.ndarray:
        """A document's grams as their vocabulary columns, which predict and logits take in their place."""
        return gram_columns(grams, self._index)

    def logits(self, docs: list[list[str] | np.ndarray], dense: np.ndarray) -> np.ndarray:
        """Each head's logit per document; a document is its grams or their columns (Models.columns)."""
        counts = column_counts([d if isinstance(d, np.ndarray) else self.columns(d) for d in docs], len(self._index))
        T = tfidf(counts, self.heads.idf)
        Z = self._linear_logits(T, dense)
        if self._rel_knn:
            Z[:, 0] = self._relevance_with_neighbours(T, Z[:, 0])
        if self._knn:
            Z[:, self._knn_cols] += self._neighbour_logits(T, Z[:, 0])
        return Z

    def _linear_logits(self, T: sp.csr_matrix, dense: np.ndarray) -> np.ndarray:
        X = sp.hstack([T, sp.csr_matrix(dense * DENSE_SCALE)], format="csr", dtype=np.float32)
        Z = np.asarray(X @ self._W_grams, dtype=np.float64)
        if self._lsa is not None:
            Z += semantic(T, *self._lsa) @ self._W_lsa
        return Z + self.heads.b

    def _relevance_with_neighbours(self, T: sp.csr_matrix, z: np.ndarray) -> np.ndarray:
        """The relevance logit with the labelled neighbours' vote mixed in where the linear score is unsure
        (about 1% of a national feed: the rest is left alone, which keeps the vote cheap)."""
        lo, hi = self.heads.rel_knn_band
        unsure = np.flatnonzero((z >= logit(lo)) & (z <= logit(hi)))
        if not len(unsure):
            return z
        v = neighbours.votes(neighbours.sparse_rows(T[unsure]), self._rel_knn_rows_T, self._rel_knn_labels,
                             np.ones_like(self._rel_knn_labels), self._rel_knn_prior)[:, 0]
        s = self.heads.rel_knn_share
        out = z.copy()
        out[unsure] = (1 - s) * z[unsure] + s * logit(v)
        return out

    def _neighbour_logits(self, T: sp.csr_matrix, relevance_logit: np.ndarray) -> np.ndarray:
        """The neighbours' weighted votes (as logits) for the topic and hot columns. Topics and hot count only
        for education articles, so only those look for neighbours; the others get the base rates' vote."""
        h = self.heads
        out = np.tile(logit(h.knn_prior) * h.knn_coef, (T.shape[0], 1))
        edu = np.flatnonzero(relevance_logit >= logit(h.rel_threshold))
        if len(edu):
            v = neighbours.votes(neighbours.sparse_rows(T[edu]), self._knn_rows_T, self._knn_labels, self._knn_known, h.knn_prior)
            out[edu] = logit(v) * h.knn_coef
        return out

    def predict(self, docs: list[list[str] | np.ndarray], dense: np.ndarray) -> dict:
        Z = self.logits(docs, dense)
        t = self._n_t
        return {
            "relevance": _sigmoid(Z[:, 0]),
            "topics": _sigmoid(Z[:, 1:1 + t]),
            "tone": _softmax(Z[:, 1 + t:4 + t]),
            "hot": _sigmoid(Z[:, 4 + t]),
            "foreign": _sigmoid(Z[:, 5 + t]),
            "rel_threshold": self.heads.rel_threshold,
            "topic_thresholds": self.heads.topic_thresholds,
            "hot_threshold": self.heads.hot_threshold,
            "foreign_threshold": self.heads.foreign_threshold,
        }

    def explain(self, grams: list[str], dense_row: np.ndarray, *, topics=(), k: int = 6) -> dict:
        """The n-grams and rule features that pushed each head most, with their contributions."""
        X = self.features([grams], dense_row[None, :])
        n_v = len(self.heads.vocab)
        names = {i: (f"[chuyên mục URL] {g[len(URL_GRAM):]}" if g.startswith(URL_GRAM) else g)
                 for i, g in enumerate(self.heads.vocab)}
        for j, n in enumerate(self.metadata.get("dense_names", [])):
            names[n_v + j] = f"[luật] {n}"
        n_d = len(self.metadata.get("dense_names", []))
        for j in range(self.heads.lsa.shape[1] if self.heads.lsa.ndim == 2 else 0):
            names[n_v + n_d + j] = f"[ngữ nghĩa LSA] chiều {j}"
        row = X.getrow(0)
        t = self._n_t
        cols = {"relevance": 0, "hot": 4 + t, "foreign": 5 + t, **{f"topic:{tid}": 1 + self.heads.topic_ids.index(tid) for tid in topics},
                **{f"tone:{s}": 1 + t + i for i, s in enumerate(SENTIMENTS)}}
        knn = {}
        T = tfidf(count_matrix([grams], self._index), self.heads.idf)
        if self._knn:
            z = self._neighbour_logits(T, np.array([np.inf]))[0]
            knn = {c: z[j] for j, c in enumerate(self._knn_cols)}
        if self._rel_knn:
            z_rel = self._linear_logits(T, dense_row[None, :])[:, 0]
            knn[0] = float((self._relevance_with_neighbours(T, z_rel) - z_rel)[0])  # 0 outside the unsure band
        out = {}
        for label, c in cols.items():
            w = sp.csc_matrix(self.heads.W[:, [c]])  # the column's non-zero weights, as the bundle stores them
            contrib = row.multiply(w.T).tocoo()
            pairs = [(names.get(int(i), f"#{i}"), float(v)) for i, v in zip(contrib.col, contrib.data)]
            if c in knn:
                pairs.append((f"[láng giềng] {neighbours.K} bài đã gán nhãn gần nhất", float(knn[c])))
            pairs = sorted(pairs, key=lambda p: -abs(p[1]))[:k]
            out[label] = [(name, round(v, 3)) for name, v in pairs if v]
        return out


# --------------------------------------------------------------------------- save / load

def save_models(bundle: Path, heads: Heads, metadata: dict) -> dict:
    import joblib

    bundle.mkdir(parents=True, exist_ok=True)
    W = heads.W.tocsc().astype(np.float32)
    W.data[np.abs(W.data) < 1e-4] = 0  # weights this small never move a decision
    W.eliminate_zeros()
    path = bundle / WEIGHTS_FILE
    # written beside and then renamed over the weights in use: `monitor train` writes into the live models folder, and
    # one stopped mid-write (Ctrl-C, a kill, a full disk) must leave the models that work, not half a file that every
    # later start refuses (the service then stores articles but classifies and alerts on none)
    part = path.with_name(path.name + ".part")
    try:
        _dump_weights(joblib, heads, W, part)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    digest = hashlib.sha256(part.read_bytes()).hexdigest()
    part.replace(path)
    metadata = {**metadata, "weights_file": WEIGHTS_FILE, "weights_sha256": digest, "vocabulary_size": len(heads.vocab),
                "topic_ids": list(heads.topic_ids), "feature_config": FEATURE_CONFIG, "libraries": library_versions()}
    write_metadata(bundle, metadata)
    return metadata


def _dump_weights(joblib, heads: Heads, W, path: Path) -> None:
    joblib.dump({"vocab": "\n".join(heads.vocab), "idf": heads.idf.astype(np.float32), "W": W,
                 "b": heads.b.astype(np.float64), "topic_thresholds": heads.topic_thresholds.astype(np.float64),
                 "rel_threshold": float(heads.rel_threshold), "hot_threshold": float(heads.hot_threshold),
                 "foreign_threshold": float(heads.foreign_threshold),
                 "lsa_rows": heads.lsa_rows.astype(np.int32), "lsa": heads.lsa.astype(np.float16),
                 "knn_rows": sp.csr_matrix(heads.knn_rows, dtype=np.float32), "knn_labels": heads.knn_labels.astype(np.uint8),
                 "knn_known": heads.knn_known.astype(np.uint8), "knn_prior": np.asarray(heads.knn_prior, np.float64),
                 "knn_coef": np.asarray(heads.knn_coef, np.float64),
                 "rel_knn_rows": sp.csr_matrix(heads.rel_knn_rows, dtype=np.float32),
                 "rel_knn_labels": heads.rel_knn_labels.astype(np.uint8), "rel_knn_share": float(heads.rel_knn_share),
                 "rel_knn_band": [float(x) for x in heads.rel_knn_band]},
                path, compress=3)


def install_bundle(staging: Path, bundle: Path) -> None:
    """Move the files of a bundle built in `staging` (weights, metadata, card) over those of `bundle`; files only
    `bundle` has (the notes of hand-run measurements) stay. The weights and their metadata must change together (a
    bundle whose weights do not match its metadata is refused at every start), so a Ctrl-C among these renames is
    held until they are done: they take milliseconds, and the run then ends with the new models in place, as it says."""
    import signal
    import threading

    bundle.mkdir(parents=True, exist_ok=True)
    names = sorted(p.name for p in staging.iterdir() if p.is_file() and not p.name.endswith(".part"))
    held: list[int] = []
    main = threading.current_thread() is threading.main_thread()  # only the main thread may set a signal handler
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum)) if main else None
    try:
        for name in names:
            os.replace(staging / name, bundle / name)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


def write_metadata(bundle: Path, metadata: dict) -> None:
    """(Re)write the bundle's metadata.json: after the weights, and again once the dev metrics are known."""
    part = bundle / "metadata.json.part"
    part.write_text(json.dumps(metadata, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    part.replace(bundle / "metadata.json")


# what a bundle's check says of rules with other topic or hot-group ids than its models' (an office's edit, most often)
RULES_PROBLEM = "chủ đề/nhóm quy tắc khác"
REBUILD_HINT = "chạy `monitor train` để dựng lại các mô hình"


def _check(meta: dict, rules) -> list[str]:
    problems = []
    have = library_versions()
    # The bundle holds numpy arrays and scipy matrices (joblib pickles) and was fitted with scikit-learn:
    # a different major version of these may not read it, or means the code around it changed. Minor
    # versions are compatible. underthesea is recorded but not checked: the features do not use it.
    for lib in ("numpy", "scipy", "scikit-learn"):
        want = meta.get("libraries", {}).get(lib)
        if want and want.split(".")[0] != have[lib].split(".")[0]:
            problems.append(f"được huấn luyện với {lib} {want}, môi trường này có {have[lib]}")
    if meta.get("feature_config") != FEATURE_CONFIG:
        problems.append("được huấn luyện với cấu hình đặc trưng khác (mã của bộ phân loại đã thay đổi)")
    # An office edits its rules' terms and weights without the team's corpus to retrain on: the models read
    # the rules as one evidence column per topic and hot group, so an edit within those groups feeds them as
    # training did, and is used (Models.rules_edited says so). New or removed topics or groups are not.
    mismatch = rules_mismatch(meta, rules)
    if mismatch is not None:
        problems.append(f"được huấn luyện cho các {RULES_PROBLEM} với {rules.path.name} ({mismatch})")
    return problems


def rules_mismatch(meta: dict, rules) -> str | None:
    """What the rules add to or drop from the topics and rule groups the models were trained for ("chủ đề không có
    trong mô hình: an-toan-truong; chủ đề mô hình cần mà tệp quy tắc thiếu: an-toan-truong-hoc"), None when they
    match. A renamed or mistyped id reads as one added and one missing, which is what an office needs to see to fix
    it. Vietnamese: it is quoted in the clerk's errors (config check, a refused rules file) and `monitor rules test`."""
    trained_topics, topics = list(meta.get("topic_ids", [])), list(rules.topic_ids)
    trained_dense, dense = list(meta.get("dense_names") or []), dense_names(rules)
    if trained_topics == topics and trained_dense == dense:
        return None
    parts = []
    for what, old, new in (("chủ đề", trained_topics, topics),
                           ("nhóm tin nóng", [d[4:] for d in trained_dense if d.startswith("hot:")],
                            [d[4:] for d in dense if d.startswith("hot:")])):
        added, missing = [x for x in new if x not in old], [x for x in old if x not in new]
        if added:
            parts.append(f"{what} không có trong mô hình: {', '.join(added)}")
        if missing:
            parts.append(f"{what} mô hình cần mà tệp quy tắc thiếu: {', '.join(missing)}")
        if not added and not missing and old != new:
            parts.append(f"{what} xếp theo thứ tự khác với mô hình")
    return "; ".join(parts) or "các nhóm quy tắc xếp theo thứ tự khác với mô hình"


def _relevance_neighbours(z: dict) -> dict:
    """The relevance vote's fields of a saved bundle; a bundle saved before relevance had neighbours has none."""
    if "rel_knn_rows" not in z:
        return {}
    return dict(rel_knn_rows=z["rel_knn_rows"].tocsr(), rel_knn_labels=z["rel_knn_labels"],
                rel_knn_share=float(z["rel_knn_share"]), rel_knn_band=tuple(z["rel_knn_band"]))


def load_models(bundle: Path, rules, *, allow_rules_mismatch: bool = False) -> Models | None:
    """Load and check a bundle. Rules edited within the trained topics and rule groups are used with it
    (Models.rules_edited); rules with other topics or groups are refused, or with allow_rules_mismatch (a
    dry run of edited rules) give None, so that the rules alone score."""
    meta_path = bundle / "metadata.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"không đọc được tệp mô tả mô hình {meta_path} ({exc})", hint=REBUILD_HINT) from None
    problems = _check(meta, rules)
    if problems:
        if allow_rules_mismatch and all(RULES_PROBLEM in p for p in problems):
            return None
        hint = f"chạy `monitor train --models {bundle.parent}` để dựng lại mô hình cho mã nguồn, bộ quy tắc và thư viện hiện tại"
        if all(RULES_PROBLEM in p for p in problems):
            # an office's edit of its rules, more often than not: a mistyped or renamed id, not a new topic
            hint = (f"khôi phục trong {rules.path.name} các mã chủ đề và mã nhóm tin nóng của classifiers/topics.yaml đi "
                    f"kèm (từ khóa, trọng số và loại trừ thì đổi thoải mái), hoặc, để thêm hay bỏ một chủ đề hoặc nhóm, "
                    f"{hint} với kho dữ liệu của nhóm (../shared/corpus)")
        raise ModelError(f"không dùng được các mô hình trong {bundle}: " + "; ".join(problems), hint=hint)
    path = bundle / WEIGHTS_FILE
    try:
        with path.open("rb") as f:  # read in blocks: the whole file's bytes (40 MB) need not be in memory at once
            digest = hashlib.file_digest(f, "sha256").hexdigest()
        if digest != meta.get("weights_sha256"):
            raise ModelError(f"{path} không khớp với tệp mô tả của nó (đã bị thay đổi hoặc bị hỏng)", hint=REBUILD_HINT)
        import joblib

        z = joblib.load(path)  # our own file, checked against the sha256 recorded at training time
        heads = Heads(vocab=z["vocab"].split("\n"), idf=z["idf"], W=z["W"].tocsc(), b=z["b"], topic_ids=tuple(meta["topic_ids"]),
                      rel_threshold=z["rel_threshold"], topic_thresholds=z["topic_thresholds"], hot_threshold=z["hot_threshold"],
                      foreign_threshold=z["foreign_threshold"], lsa_rows=z["lsa_rows"], lsa=z["lsa"],
                      knn_rows=z["knn_rows"].tocsr(), knn_labels=z["knn_labels"], knn_known=z["knn_known"],
                      knn_prior=z["knn_prior"], knn_coef=z["knn_coef"], **_relevance_neighbours(z))
        del z  # heads holds what is needed; Models replaces some of it, which then goes at once
    except ModelError:
        raise
    except (OSError, KeyError, ValueError, EOFError) as exc:
        raise ModelError(f"không đọc được tệp trọng số mô hình {path} ({exc})", hint=REBUILD_HINT) from None
    models = Models(heads, version=f"{meta.get('name', 'edu-nlp')}.{meta['weights_sha256'][:10]}", metadata=meta)
    trained_with = str(meta.get("rules_sha256") or "")
    if trained_with and trained_with != rules.sha256:
        models.rules_edited = (trained_with[:10], rules.sha256[:10])
    return models
