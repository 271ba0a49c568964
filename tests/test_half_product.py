"""Float32 queries times float16 rows: ONNX Runtime's product is numpy's, chunk by chunk, memory-mapped rows too."""

import numpy as np
import pytest

from visemb import half_product as hp


def _reference(q: np.ndarray, rows: np.ndarray) -> np.ndarray:
    return q.astype(np.float64) @ rows.astype(np.float64).T


@pytest.mark.parametrize("m, chunk", [(1, 4), (10, 4), (4099, 2048)])
def test_the_product_is_numpys(tmp_path, m, chunk):
    rng = np.random.default_rng(m)
    rows = rng.standard_normal((m, 64)).astype(np.float16)
    np.save(tmp_path / "rows.npy", rows)
    mapped = np.load(tmp_path / "rows.npy", mmap_mode="r")
    q = rng.standard_normal((3, 64)).astype(np.float32)
    got = hp.half_product(q, mapped, chunk=chunk)
    assert got.dtype == np.float32 and got.shape == (3, m)
    assert np.allclose(got, _reference(q, rows), atol=1e-4)
    assert hp._session() is not None  # ONNX Runtime did it, not the fallback


def test_without_onnx_runtime_numpy_gives_the_same(monkeypatch):
    rng = np.random.default_rng(1)
    rows = rng.standard_normal((50, 32)).astype(np.float16)
    q = rng.standard_normal((2, 32)).astype(np.float32)
    monkeypatch.setattr(hp, "_session", lambda: None)
    assert np.allclose(hp.half_product(q, rows, chunk=7), _reference(q, rows), atol=1e-4)


def test_the_shipped_graph_is_the_one_built_here():
    pytest.importorskip("onnx")
    assert hp.GRAPH.read_bytes() == hp.graph_bytes()  # rewrite it with `python -m visemb.half_product`


def test_similarities_of_float16_rows_go_through_it(monkeypatch):
    from visemb.search import similarities

    calls = []
    real = hp.half_product
    monkeypatch.setattr(hp, "half_product", lambda q, rows: calls.append(len(rows)) or real(q, rows))
    rows = np.eye(5, 8, dtype=np.float16)
    sims = similarities(np.ones((1, 8), np.float32), rows)
    assert calls == [5] and np.allclose(sims, 1.0)
