"""Trained models: vectoriser, four linear heads, thresholds; fitting, saving and checked loading.

Features: hashed syllable uni- and bigrams of the normalised text with tf-idf weights, plus the rule
evidence vector (classifiers.features). Heads (scikit-learn LogisticRegression, fixed seeds):
relevance (binary), topics (one binary head per topic), tone (3-class multinomial), hot (binary).
After fitting, only the weights are kept, as sparse float32 matrices — a feature never seen in
training has weight exactly 0 — so the bundle is a few MB and prediction is one sparse product.

The bundle's metadata.json records library versions, the feature configuration and the rules file's
hash; `load_models` refuses a bundle that does not match and says to run `monitor train`.
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from classifiers.features import FEATURE_CONFIG, dense_names
from classifiers.types import SENTIMENTS
from monitor.errors import ModelError

N_FEATURES = 2 ** 18
DENSE_SCALE = 3.0  # rule evidence competes with thousands of n-grams under one regularisation strength
WEIGHTS_FILE = "weights.npz"


def library_versions() -> dict[str, str]:
    import joblib
    import sklearn
    import underthesea

    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__, "numpy": np.__version__,
            "scipy": __import__("scipy").__version__, "underthesea": underthesea.__version__, "joblib": joblib.__version__}


def make_vectorizer():
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(n_features=N_FEATURES, analyzer="word", token_pattern=r"(?u)\b\w+\b", ngram_range=(1, 2),
                             lowercase=False, alternate_sign=False, norm=None, dtype=np.float32)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def _softmax(x):
    x = x - x.max(axis=1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=1, keepdims=True)


@dataclass
class Heads:
    """Linear weights over [tf-idf n-grams | scaled dense rule features]; columns: rel, topics..., tone x3, hot."""

    idf: np.ndarray  # (N_FEATURES,) float32
    W: sp.csc_matrix  # (N_FEATURES + n_dense, n_out)
    b: np.ndarray  # (n_out,)
    topic_ids: tuple[str, ...]
    rel_threshold: float
    topic_thresholds: np.ndarray
    hot_threshold: float


class Models:
    def __init__(self, heads: Heads, version: str, metadata: dict) -> None:
        self.heads = heads
        self.version = version
        self.metadata = metadata
        self._vec = make_vectorizer()
        self._n_t = len(heads.topic_ids)

    def features(self, texts: list[str], dense: np.ndarray) -> sp.csr_matrix:
        X = self._vec.transform(texts)
        X.data = np.log1p(X.data)  # sublinear tf
        X = X.multiply(self.heads.idf).tocsr()
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        X = sp.diags(1.0 / norms) @ X
        return sp.hstack([X, sp.csr_matrix(dense * DENSE_SCALE)], format="csr", dtype=np.float32)

    def logits(self, X: sp.csr_matrix) -> np.ndarray:
        return np.asarray((X @ self.heads.W).todense()) + self.heads.b

    def predict(self, texts: list[str], dense: np.ndarray) -> dict:
        Z = self.logits(self.features(texts, dense))
        t = self._n_t
        return {
            "relevance": _sigmoid(Z[:, 0]),
            "topics": _sigmoid(Z[:, 1:1 + t]),
            "tone": _softmax(Z[:, 1 + t:4 + t]),
            "hot": _sigmoid(Z[:, 4 + t]),
            "rel_threshold": self.heads.rel_threshold,
            "topic_thresholds": self.heads.topic_thresholds,
            "hot_threshold": self.heads.hot_threshold,
        }

    def explain(self, text: str, dense_row: np.ndarray, *, topics=(), k: int = 6) -> dict:
        """The n-grams and rule features that pushed each head most, with their contributions."""
        from sklearn.utils import murmurhash3_32

        X = self.features([text], dense_row[None, :])
        names: dict[int, str] = {}
        for gram in self._vec.build_analyzer()(text):
            names[abs(murmurhash3_32(gram, seed=0)) % N_FEATURES] = gram
        for j, n in enumerate(self.metadata.get("dense_names", [])):
            names[N_FEATURES + j] = f"[luật] {n}"
        row = X.getrow(0)
        t = self._n_t
        cols = {"relevance": 0, "hot": 4 + t, **{f"topic:{tid}": 1 + self.heads.topic_ids.index(tid) for tid in topics},
                **{f"tone:{s}": 1 + t + i for i, s in enumerate(SENTIMENTS)}}
        out = {}
        for label, c in cols.items():
            w = self.heads.W.getcol(c)
            contrib = row.multiply(w.T).tocoo()
            pairs = sorted(zip(contrib.col, contrib.data), key=lambda p: -abs(p[1]))[:k]
            out[label] = [(names.get(int(i), f"#{i}"), round(float(v), 3)) for i, v in pairs if v]
        return out


# --------------------------------------------------------------------------- save / load

def save_models(bundle: Path, heads: Heads, metadata: dict) -> str:
    bundle.mkdir(parents=True, exist_ok=True)
    W = heads.W.tocsc().astype(np.float32)
    W.data[np.abs(W.data) < 1e-4] = 0  # weights this small never move a decision
    W.eliminate_zeros()
    path = bundle / WEIGHTS_FILE
    np.savez_compressed(
        path, idf=heads.idf.astype(np.float32), W_data=W.data, W_indices=W.indices.astype(np.int32),
        W_indptr=W.indptr.astype(np.int64), W_shape=np.asarray(W.shape), b=heads.b.astype(np.float64),
        topic_thresholds=heads.topic_thresholds.astype(np.float64),
        scalars=np.asarray([heads.rel_threshold, heads.hot_threshold]),
    )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    metadata = {**metadata, "weights_sha256": digest, "topic_ids": list(heads.topic_ids),
                "feature_config": FEATURE_CONFIG, "libraries": library_versions()}
    (bundle / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return digest


def _check(meta: dict, rules, bundle: Path, allow_rules_mismatch: bool) -> list[str]:
    problems = []
    have = library_versions()
    for lib in ("scikit-learn", "numpy", "underthesea"):
        want = meta.get("libraries", {}).get(lib)
        if want and want.split(".")[:2] != have[lib].split(".")[:2]:
            problems.append(f"trained with {lib} {want}, this environment has {have[lib]}")
    if meta.get("feature_config") != FEATURE_CONFIG:
        problems.append("trained with another feature configuration (the classifier code changed)")
    if list(meta.get("topic_ids", [])) != list(rules.topic_ids) or meta.get("dense_names") != dense_names(rules):
        problems.append(f"trained for other topics/rule groups than {rules.path.name} defines")
    elif meta.get("rules_sha256") != rules.sha256 and not allow_rules_mismatch:
        problems.append(f"trained with another version of the rules file {rules.path.name} "
                        f"(sha256 {str(meta.get('rules_sha256'))[:10]}…, now {rules.sha256[:10]}…)")
    return problems


def load_models(bundle: Path, rules, *, allow_rules_mismatch: bool = False) -> Models | None:
    """Load and check a bundle. With allow_rules_mismatch (a dry run of edited rules), a bundle for other
    rules is still used when its rule features line up; None when they do not (rules alone then score)."""
    meta_path = bundle / "metadata.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"model metadata {meta_path} is unreadable ({exc})", hint="run `monitor train` to rebuild the models") from None
    problems = _check(meta, rules, bundle, allow_rules_mismatch)
    if problems:
        if allow_rules_mismatch and all("topics/rule groups" in p for p in problems):
            return None
        raise ModelError(f"the models in {bundle} cannot be used: " + "; ".join(problems),
                         hint=f"run `monitor train --models {bundle.parent}` to rebuild them for this code, rules and libraries")
    path = bundle / WEIGHTS_FILE
    try:
        raw = path.read_bytes()
        if hashlib.sha256(raw).hexdigest() != meta.get("weights_sha256"):
            raise ModelError(f"{path} does not match its metadata (changed or corrupt)", hint="run `monitor train` to rebuild the models")
        z = np.load(path)
        W = sp.csc_matrix((z["W_data"], z["W_indices"], z["W_indptr"]), shape=tuple(z["W_shape"]))
        heads = Heads(idf=z["idf"], W=W, b=z["b"], topic_ids=tuple(meta["topic_ids"]), rel_threshold=float(z["scalars"][0]),
                      topic_thresholds=z["topic_thresholds"], hot_threshold=float(z["scalars"][1]))
    except ModelError:
        raise
    except (OSError, KeyError, ValueError) as exc:
        raise ModelError(f"the model weights {path} cannot be read ({exc})", hint="run `monitor train` to rebuild the models") from None
    return Models(heads, version=f"{meta.get('name', 'edu-nlp')}.{meta['weights_sha256'][:10]}", metadata=meta)
