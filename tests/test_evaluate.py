"""visemb.evaluate: ranks, metrics and the pooled index used for leave-class-out."""

import numpy as np

from visemb.evaluate import PooledIndex, rank_metrics, ranks_of


def test_ranks_and_metrics():
    scores = np.array([[0.9, 0.5, 0.1], [0.2, 0.8, 0.7], [0.3, 0.2, 0.1]])
    r = ranks_of(scores, [{0}, {2}, set()])
    assert list(r[:2]) == [1, 2] and np.isinf(r[2])
    m = rank_metrics(r[:2])
    assert m["P@1"] == 0.5 and m["P@5"] == 1.0 and np.isclose(m["MRR"], 0.75)


def test_pooled_index_own_rows_and_leave_class_out():
    leaves = np.eye(3, dtype=np.float32)
    # rows: 0,1,2 = the classes; 3 = an ancestor of 0 and 1; 4 = an ancestor of 2 only
    members = [[0], [1], [2], [0, 1], [2]]
    own = np.array([[0.6, 0.8, 0], [0, 1, 0], [0, 0, 1]], np.float32)
    index = PooledIndex(members, leaves, own_rows=np.array([0, 1, 2]), own_vectors=own)
    M = index.matrix()
    assert np.allclose(M[0], own[0]) and np.allclose(M[3], [2 ** -0.5, 2 ** -0.5, 0], atol=1e-6)
    Mx, alive = index.matrix_without(index.sums(), 0)
    assert np.allclose(Mx[3], [0, 1, 0]) and list(alive) == [False, True, True, True, True]
    Mx, alive = index.matrix_without(index.sums(), 2)
    assert not alive[4] and not alive[2]
    plain = PooledIndex(members, leaves).matrix()
    assert np.allclose(plain[0], leaves[0])


def test_hubness_from_gram_and_csls():
    from visemb.evaluate import hubness_from_gram
    from visemb.search import csls

    rng = np.random.default_rng(0)
    M = rng.normal(size=(9, 5)).astype(np.float32)
    M /= np.linalg.norm(M, axis=1, keepdims=True)
    G = M @ M.T
    r = hubness_from_gram(G, 3)
    off = G - np.diag(np.full(9, np.inf))
    assert np.allclose(r, np.sort(off, axis=1)[:, -3:].mean(axis=1), atol=1e-6)
    never = np.zeros(9, bool)
    never[[0, 1]] = True
    r2 = hubness_from_gram(G, 3, never)
    off[:, [0, 1]] = -np.inf
    assert np.allclose(r2, np.sort(off, axis=1)[:, -3:].mean(axis=1), atol=1e-6)
    S = rng.normal(size=(2, 9))
    assert np.allclose(csls(S, r), 2 * S - r) and csls(S, None) is S
