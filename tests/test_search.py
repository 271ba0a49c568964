"""visemb/search.py: brute force, HNSW and IVF agree."""

import numpy as np
import pytest

from visemb.search import NeighbourIndex, l2_normalize


def test_brute_matches_numpy():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 16)).astype(np.float32)
    q = rng.normal(size=(3, 16)).astype(np.float32)
    idx, sims = NeighbourIndex(x, "brute").query(q, 5)
    exact = l2_normalize(q) @ l2_normalize(x).T
    assert np.array_equal(idx, np.argsort(-exact, axis=1)[:, :5])
    assert np.allclose(sims, np.sort(exact, axis=1)[:, ::-1][:, :5], atol=1e-5)


def test_hnsw_recall():
    pytest.importorskip("hnswlib")
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2000, 32)).astype(np.float32)
    q = rng.normal(size=(20, 32)).astype(np.float32)
    exact, _ = NeighbourIndex(x, "brute").query(q, 10)
    approx, _ = NeighbourIndex(x, "hnsw").query(q, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact, approx)])
    assert recall >= 0.9


def test_ivf_recall_and_similarities():
    pytest.importorskip("faiss")
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(40, 32))
    x = (centres[rng.integers(0, 40, 3000)] + 0.3 * rng.normal(size=(3000, 32))).astype(np.float32)
    q = (centres[rng.integers(0, 40, 20)] + 0.3 * rng.normal(size=(20, 32))).astype(np.float32)
    exact, exact_sims = NeighbourIndex(x, "brute").query(q, 10)
    approx, sims = NeighbourIndex(x, "ivf", nprobe=8).query(q, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact, approx)])
    assert recall >= 0.9
    assert np.allclose(sims[:, 0], exact_sims[:, 0], atol=1e-4)  # cosine, not distance
    one, _ = NeighbourIndex(x, "ivf", nprobe=1).query(q, 10)
    assert np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact, one)]) <= recall


def test_k_larger_than_rows_and_bad_method():
    idx, _ = NeighbourIndex(np.eye(3), "brute").query(np.ones(3), 10)
    assert idx.shape == (1, 3)
    with pytest.raises(ValueError, match="Unknown search method"):
        NeighbourIndex(np.eye(3), "magic")


def test_auto_picks_brute_below_threshold_and_an_index_above(monkeypatch):
    import visemb.search as search

    x = np.random.default_rng(4).normal(size=(300, 8)).astype(np.float32)
    assert NeighbourIndex(x).method == "brute"
    monkeypatch.setattr(search, "ANN_THRESHOLD", 100)
    expected = "ivf" if search._importable("faiss") else "hnsw" if search._importable("hnswlib") else "brute"
    assert NeighbourIndex(x).method == expected
    monkeypatch.setattr(search, "_importable", lambda module: False)
    assert NeighbourIndex(x).method == "brute"  # no index library: still answers, with a warning
