"""visemb/search.py: brute force, HNSW and IVF agree."""

import os

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
    expected = "ivf" if search.importable("faiss") else "hnsw" if search.importable("hnswlib") else "brute"
    assert NeighbourIndex(x).method == expected
    monkeypatch.setattr(search, "importable", lambda module: False)
    assert NeighbourIndex(x).method == "brute"  # no index library: still answers, with a warning


def _resident_kb(path) -> int:
    """Resident kB of this process's mappings of ``path`` (Linux /proc/self/smaps)."""
    total, inside = 0, False
    with open("/proc/self/smaps", encoding="utf-8") as f:
        for line in f:
            if "-" in line.split(" ", 1)[0]:
                inside = line.rstrip().endswith(str(path))
            elif inside and line.startswith("Rss:"):
                total += int(line.split()[1])
    return total


@pytest.mark.skipif(not os.path.exists("/proc/self/smaps"), reason="needs Linux's /proc/self/smaps")
def test_a_mapped_stores_pages_are_let_go_after_queries(tmp_path):
    """A page fault maps a whole page-cache folio: scattered reads would leave most of a big store resident."""
    from visemb.search import ANN_THRESHOLD
    from visemb.stats import pair_similarities
    from visemb.store import Store

    rng = np.random.default_rng(0)
    n, dim = ANN_THRESHOLD + 500, 512
    vectors = l2_normalize(rng.normal(size=(n, dim))).astype(np.float32)  # unit rows: searched from the file itself
    Store(vectors, [{"key": f"k{i}", "synsets": [f"k{i}.n.01"]} for i in range(n)]).save(
        tmp_path / "big", vector_dtype="float16")
    big = Store.load(tmp_path / "big")
    size_kb = (tmp_path / "big" / "vectors.npy").stat().st_size // 1024
    for row in rng.integers(0, n, 5):
        assert len(big.neighbours(int(row), 10)) == 10
    assert big.unit_vectors is big.vectors and big.index.method == "ivf"
    assert _resident_kb(tmp_path / "big" / "vectors.npy") < size_kb // 4
    assert len(pair_similarities(big)) > 10_000
    assert _resident_kb(tmp_path / "big" / "vectors.npy") < size_kb // 4
