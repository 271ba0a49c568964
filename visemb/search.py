"""Nearest neighbours by cosine: exact numpy search, an approximate index (faiss IVF, hnswlib HNSW) past a measured
size."""

from __future__ import annotations

import logging

import numpy as np

logger = logging.getLogger(__name__)

# Past this many vectors brute force passes ~40 ms per query on 2 cores (19 ms at 10K, 164 ms at 100K, 1.6 s at
# 1M), so an approximate index takes over: faiss IVF (4.7 ms at 100K at nprobe 8, recall@10 1.0 on real-shaped data)
# or, without faiss, hnswlib HNSW (3.4 ms at 100K, but a 6-minute build). README, "Neighbour queries".
ANN_THRESHOLD = 20_000
DEFAULT_NPROBE = 8
RERANK_MIN = 64  # candidates a compressed index proposes per query before the exact re-rank


def l2_normalize(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero); float32 rows already of unit length are returned as they
    are, not copied (a million 2048-d rows are 8 GB)."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    if np.allclose(norms, 1.0, atol=1e-6):
        return x
    return x / np.maximum(norms, 1e-12)


class NeighbourIndex:
    """Cosine nearest-neighbour search over fixed rows.

    Args:
        vectors: [n, d] rows (need not be normalised).
        method: ``auto`` (brute below :data:`ANN_THRESHOLD`; above, IVF when faiss is installed, else HNSW when
            hnswlib is, else brute with a warning),
            ``brute``, ``hnsw`` (hnswlib) or ``ivf`` (faiss inverted lists: ~sqrt(n) k-means cells, of which
            ``nprobe`` nearest are scanned exactly).
        nprobe: cells scanned per query for ``ivf``.
    """

    def __init__(self, vectors: np.ndarray, method: str = "auto", nprobe: int = DEFAULT_NPROBE,
                 saved: dict[str, np.ndarray] | None = None):
        """``saved``: an IVF index's arrays (:meth:`arrays`, as a store keeps them) for the same rows: the index is
        rebuilt from them without its k-means training."""
        # float16 rows are taken as already unit length (a big store's prepared rows, half the memory of float32)
        self.unit = vectors if np.asarray(vectors[:0]).dtype == np.float16 else l2_normalize(vectors)
        n = len(self.unit)
        if method == "auto":
            method = _auto_method(n)
        if method not in ("brute", "hnsw", "ivf"):
            raise ValueError(f"Unknown search method {method!r}; expected 'auto', 'brute', 'hnsw' or 'ivf'")
        self.method = method
        if method == "brute":
            self._nn = None  # one matrix product per query batch (no scikit-learn import for a one-line answer)
        elif method == "ivf":
            self._nn = _build_ivf(self.unit, nprobe, saved=saved)
            release_pages(self.unit)  # the index holds its own copy; mapped rows come back only when read
            _trim_heap()  # give the training sample's memory back to the system
        else:
            import hnswlib

            self._nn = hnswlib.Index(space="cosine", dim=self.unit.shape[1])
            self._nn.init_index(max_elements=n, ef_construction=200, M=32)
            self._nn.add_items(self.unit, np.arange(n))
            self._nn.set_ef(128)

    def __len__(self) -> int:
        return len(self.unit)

    def arrays(self) -> dict[str, np.ndarray] | None:
        """The IVF index's trained parts as plain arrays (cell centroids; the 8-bit quantizer's ranges), from which
        ``NeighbourIndex(rows, saved=...)`` rebuilds it; None for any other method."""
        if self.method != "ivf":
            return None
        import faiss

        ivf = self._nn
        out = {"centroids": ivf.quantizer.reconstruct_n(0, ivf.nlist).astype(np.float32),
               "nprobe": np.array([ivf.nprobe], np.int64)}
        if isinstance(ivf, faiss.IndexIVFScalarQuantizer):
            out["sq_trained"] = faiss.vector_to_array(ivf.sq.trained).astype(np.float32)
        return out

    def _rerank(self, q: np.ndarray, candidates: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Exact cosines of each query's candidates (read from the rows), best ``k`` first."""
        idx = np.zeros((len(q), k), np.int64)
        sims = np.full((len(q), k), -np.inf, np.float32)
        for j, (qj, cand) in enumerate(zip(q, candidates)):
            cand = np.unique(cand[cand >= 0])
            exact = np.asarray(self.unit[cand], np.float32) @ qj
            order = np.lexsort((cand, -exact))[:k]
            idx[j, :len(order)], sims[j, :len(order)] = cand[order], exact[order]
        # a page fault maps a whole page-cache folio (up to MBs), so a thousand scattered rows would leave most
        # of a mapped file resident: let it go again
        release_pages(self.unit)
        return idx, sims

    def query(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` rows for each query.

        Returns:
            (indices [m, k], cosine similarities [m, k]), best first.
        """
        q = l2_normalize(np.atleast_2d(queries))
        k = max(0, min(k, len(self)))
        if k == 0:
            return np.zeros((len(q), 0), int), np.zeros((len(q), 0), np.float32)
        if self.method == "brute":
            sims_all = similarities(q, self.unit)
            part = np.argpartition(-sims_all, k - 1, axis=1)[:, :k] if k < len(self) else \
                np.tile(np.arange(len(self)), (len(q), 1))
            top = np.take_along_axis(sims_all, part, axis=1)
            order = np.lexsort((part, -top), axis=1)  # by similarity, ties by row
            idx = np.take_along_axis(part, order, axis=1)
            sims = np.take_along_axis(top, order, axis=1)
        elif self.method == "ivf" and self.unit.dtype == np.float16:
            idx, sims = self._rerank(q, self._nn.search(q, min(len(self), max(RERANK_MIN, 5 * k)))[1], k)
        elif self.method == "ivf":
            sims, idx = self._nn.search(q, k)
        else:
            idx, dist = self._nn.knn_query(q, k=k)
            sims = 1.0 - dist
        return idx.astype(np.int64), sims.astype(np.float32)


def csls(cos: np.ndarray, r: np.ndarray | float | None) -> np.ndarray:
    """CSLS order scores ``2 cos - r`` (Conneau et al. 2018; ``r``: each row's hubness, the mean cosine to its
    nearest rows) of cosines to rows; the cosines unchanged when ``r`` is None. For one query, the order of
    ``2 cos(x, y) - r_x - r_y`` is that of ``2 cos - r_y``."""
    return cos if r is None else 2 * cos - r


def unit_rows(vectors: np.ndarray, sample: int = 256) -> bool:
    """Whether ``vectors`` hold unit-length rows (to float16 precision), judged on an even sample of rows."""
    rows = np.asarray(vectors[:: max(1, len(vectors) // sample)], np.float32)
    return bool(np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=5e-3))


def similarities(q: np.ndarray, unit: np.ndarray, chunk: int = 8192) -> np.ndarray:
    """``q @ unit.T`` in float32; float16 rows are converted a chunk at a time (never all at once)."""
    if unit.dtype != np.float16:
        return q @ unit.T
    out = np.empty((len(q), len(unit)), np.float32)
    for s in range(0, len(unit), chunk):
        out[:, s:s + chunk] = q @ np.asarray(unit[s:s + chunk], np.float32).T
    return out


def _trim_heap() -> None:
    """Return freed heap memory to the system (glibc ``malloc_trim``; nothing elsewhere)."""
    import ctypes
    import sys

    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass


def release_pages(array: np.ndarray) -> None:
    """Let the kernel drop the resident pages of a memory-mapped array (they are read again on demand)."""
    import mmap

    m = getattr(array, "_mmap", None)
    if m is not None and hasattr(m, "madvise") and hasattr(mmap, "MADV_DONTNEED"):
        m.madvise(mmap.MADV_DONTNEED)


def _build_ivf(unit: np.ndarray, nprobe: int, seed: int = 0, saved: dict[str, np.ndarray] | None = None):
    """A faiss inverted-list index on inner product (= cosine on unit rows), k-means trained on a sample: rows kept
    as float32 (``IndexIVFFlat``); for float16 rows (big stores, memory-mapped) only 8-bit scalar-quantized codes
    (``IndexIVFScalarQuantizer``, a byte per dimension) that propose candidates, re-ranked exactly from the mapped
    rows. With ``saved`` (:meth:`NeighbourIndex.arrays`), the trained parts come from it instead of k-means."""
    import faiss

    n, d = unit.shape
    nlist = max(1, min(4096, int(np.sqrt(n)))) if saved is None else len(saved["centroids"])
    if saved is not None and (unit.dtype == np.float16) != ("sq_trained" in saved):
        saved = None  # saved for rows of the other precision: train afresh
    quantizer = faiss.IndexFlatIP(d)
    if unit.dtype == np.float16:
        index = faiss.IndexIVFScalarQuantizer(quantizer, d, nlist, faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
    else:
        index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
    if saved is not None:
        quantizer.add(np.ascontiguousarray(saved["centroids"], np.float32))
        if "sq_trained" in saved:
            faiss.copy_array_to_vector(np.ascontiguousarray(saved["sq_trained"], np.float32), index.sq.trained)
        index.is_trained = True
    else:
        sample = np.random.default_rng(seed).choice(n, size=min(n, 64 * nlist), replace=False)
        index.train(np.ascontiguousarray(unit[np.sort(sample)], np.float32))
    for start in range(0, n, 8192):
        index.add(np.ascontiguousarray(unit[start:start + 8192], np.float32))
    # compressed codes of clustered rows need more cells to propose the true neighbours (measured on the 40K store)
    index.nprobe = min(4 * nprobe if unit.dtype == np.float16 else nprobe, nlist)
    return index


def _auto_method(n: int) -> str:
    if n <= ANN_THRESHOLD:
        return "brute"
    for module, method in (("faiss", "ivf"), ("hnswlib", "hnsw")):
        if _importable(module):
            return method
    logger.warning("%d vectors: brute-force search (~%d ms per query); `pip install faiss-cpu` for an index",
                   n, n // 600)
    return "brute"


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None
