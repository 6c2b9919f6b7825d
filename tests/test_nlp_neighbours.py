"""The nearest-neighbour votes (classifiers.neighbours) on small hand-made matrices."""

import numpy as np
import scipy.sparse as sp

from classifiers import neighbours


def _rows(*dense_rows):
    return neighbours.sparse_rows(sp.csr_matrix(np.array(dense_rows, dtype=np.float32)))


def test_sparse_rows_keeps_the_heaviest_grams_and_normalises():
    X = sp.csr_matrix(np.array([[0.1, 0.5, 0.2, 0.9], [0.0, 0.0, 0.0, 0.0]], dtype=np.float32))
    R = neighbours.sparse_rows(X, keep=2)
    first = R.getrow(0).toarray().ravel()
    assert set(np.flatnonzero(first)) == {1, 3}  # 0.5 and 0.9 kept, 0.1 and 0.2 dropped
    assert abs(np.linalg.norm(first) - 1.0) < 1e-6
    assert R.getrow(1).nnz == 0  # an empty text stays empty rather than dividing by zero


def test_top_k_keeps_the_largest_similarities_per_row():
    S = sp.csr_matrix(np.array([[0.9, -0.5, 0.3, 0.8], [0.1, 0.2, 0.0, 0.01]]))
    kept = neighbours.top_k(S, k=2).toarray()
    assert kept[0].tolist() == [0.9, 0.0, 0.0, 0.8]
    assert kept[1].tolist() == [0.1, 0.2, 0.0, 0.0]  # 0.01 is below MIN_SIMILARITY


def test_votes_follow_the_nearest_labelled_articles():
    N = _rows([1, 0, 0], [0.9, 0.1, 0], [0, 0, 1])
    labels = np.array([[1, 0], [1, 0], [0, 1]], dtype=np.float32)
    known = np.ones_like(labels)
    prior = neighbours.base_rate(labels, known)
    v = neighbours.votes(_rows([1, 0.05, 0], [0, 0, 1]), N.T.tocsr(), labels, known, prior, k=2)
    assert v[0, 0] > 0.7 > 0.3 > v[0, 1]  # like the first two: label 0
    assert v[1, 1] > 0.5 > v[1, 0]  # like the third: label 1


def test_an_unknown_label_does_not_vote_and_no_neighbour_gives_the_base_rate():
    N = _rows([1, 0], [1, 0.01])
    labels = np.array([[1], [0]], dtype=np.float32)
    known = np.array([[1], [0]], dtype=np.float32)  # the second neighbour's label is unknown
    prior = np.array([0.2])
    v = neighbours.votes(_rows([1, 0]), N.T.tocsr(), labels, known, prior, k=2)
    assert v[0, 0] > 0.6  # only the first neighbour voted, and it says yes
    far = neighbours.votes(_rows([0, 0]), N.T.tocsr(), labels, known, prior, k=2)
    assert abs(far[0, 0] - 0.2) < 1e-9


def test_out_of_fold_votes_never_see_their_own_row():
    rows = _rows([1, 0, 0], [0, 1, 0], [0, 0, 1])
    labels = np.array([[1], [0], [0]], dtype=np.float32)
    oof = neighbours.out_of_fold(rows, labels, np.ones_like(labels), [np.array([0]), np.array([1, 2])])
    # row 0 is the only positive and unlike the others: held out, nothing votes for it and it gets the base rate
    assert abs(oof[0, 0] - 1 / 3) < 1e-6


def _relevance_only_models(share: float):
    """A two-gram model whose linear relevance is unsure (logit 0) for every text, and whose labelled
    neighbours are one education article ("trường") and one that is not ("bóng")."""
    from classifiers.model import Heads, Models

    vocab = ["bóng", "trường"]
    T, n_dense = 1, 2
    W = sp.csc_matrix((len(vocab) + n_dense, 1 + T + 3 + 1 + 1), dtype=np.float32)
    rows = neighbours.sparse_rows(sp.csr_matrix(np.array([[0, 1], [1, 0]], dtype=np.float32)))
    heads = Heads(vocab=vocab, idf=np.ones(2, np.float32), W=W, b=np.zeros(W.shape[1]), topic_ids=("t",),
                  rel_threshold=0.5, topic_thresholds=np.array([0.5]), hot_threshold=0.5, foreign_threshold=0.5,
                  rel_knn_rows=rows, rel_knn_labels=np.array([1, 0], np.uint8), rel_knn_share=share,
                  rel_knn_band=(0.1, 0.9))
    return Models(heads, version="test", metadata={})


def test_relevance_neighbours_vote_where_the_linear_score_is_unsure():
    m = _relevance_only_models(0.5)
    dense = np.zeros((3, 2))
    p = m.predict([["trường"], ["bóng"], ["mưa"]], dense)["relevance"]
    assert p[0] > 0.6 and p[1] < 0.4  # pulled towards the nearest labelled article's label
    assert abs(p[2] - 0.5) < 0.05  # no neighbour near: the vote is the base rate (one in two)
    assert np.allclose(_relevance_only_models(0.0).predict([["trường"]], dense[:1])["relevance"], 0.5)


def test_relevance_neighbours_leave_a_sure_score_alone():
    m = _relevance_only_models(0.5)
    m.heads.b[0] = 3.0  # linear relevance 0.95, above the band
    p = m.predict([["bóng"]], np.zeros((1, 2)))["relevance"]
    assert abs(p[0] - 1 / (1 + np.exp(-3.0))) < 1e-9


def test_the_relevance_vote_is_named_in_the_explanation():
    m = _relevance_only_models(0.5)
    names = [name for name, _ in m.explain(["trường"], np.zeros(2))["relevance"]]
    assert any(name.startswith("[láng giềng]") for name in names)
