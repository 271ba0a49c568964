"""Nearest neighbours by cosine: exact numpy search, an approximate index (faiss IVF, hnswlib HNSW) past a measured
size."""

from __future__ import annotations

import logging

import numpy as np

from visemb.collector import trim_heap

logger = logging.getLogger(__name__)

# Past this many vectors brute force passes ~40 ms per query on 2 cores (19 ms at 10K, 164 ms at 100K, 1.6 s at
# 1M), so an approximate index takes over: faiss IVF (4.7 ms at 100K at nprobe 8, recall@10 1.0 on real-shaped data)
# or, without faiss, hnswlib HNSW (3.4 ms at 100K, but a 6-minute build). README, "Neighbour queries".
ANN_THRESHOLD = 20_000
DEFAULT_NPROBE = 8
RERANK_MIN = 256  # candidates a compressed index proposes per query before the exact re-rank
PQ_BYTES = 128  # product-quantizer code size per row of a big store (2048-d: 16 dimensions per byte)


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
            trim_heap()  # give the training sample's memory back to the system
        else:
            import hnswlib

            self._nn = hnswlib.Index(space="cosine", dim=self.unit.shape[1])
            self._nn.init_index(max_elements=n, ef_construction=200, M=32)
            self._nn.add_items(self.unit, np.arange(n))
            self._nn.set_ef(128)

    def __len__(self) -> int:
        return len(self.unit)

    def arrays(self) -> dict[str, np.ndarray] | None:
        """The IVF index as plain arrays, from which ``NeighbourIndex(rows, saved=...)`` rebuilds it; None for any
        other method: the cell centroids, and for a product-quantized index its codebooks and each cell's row ids
        and codes (opening the store then trains, assigns and encodes nothing)."""
        if self.method != "ivf":
            return None
        import faiss

        ivf = self._nn
        out = {"centroids": ivf.quantizer.reconstruct_n(0, ivf.nlist).astype(np.float32),
               "nprobe": np.array([ivf.nprobe], np.int64)}
        if isinstance(ivf, faiss.IndexIVFPQ):
            out["pq_centroids"] = faiss.vector_to_array(ivf.pq.centroids).astype(np.float32).reshape(
                ivf.pq.M, ivf.pq.ksub, ivf.pq.dsub)
            lists, width = ivf.invlists, ivf.invlists.code_size
            sizes = [lists.list_size(c) for c in range(ivf.nlist)]
            out["list_sizes"] = np.array(sizes, np.int64)
            out["ids"] = np.concatenate([faiss.rev_swig_ptr(lists.get_ids(c), k).copy()
                                         for c, k in enumerate(sizes) if k] or [np.zeros(0, np.int64)])
            out["codes"] = np.concatenate([faiss.rev_swig_ptr(lists.get_codes(c), k * width).copy()
                                           for c, k in enumerate(sizes) if k] or [np.zeros(0, np.uint8)]
                                          ).reshape(-1, width)
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


def similarities(q: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """``q @ unit.T`` in float32; float16 rows a chunk at a time (never all at once), through
    :func:`visemb.half_product.half_product`. Every row was read: a memory-mapped ``unit``'s pages are let go after
    (they are read again on demand), so callers keep no housekeeping of their own."""
    if unit.dtype != np.float16:
        out = q @ unit.T
    else:
        from visemb.half_product import half_product

        out = half_product(q, unit)
    release_pages(unit)
    return out


def rows_product(unit: np.ndarray, a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """The cosines between rows ``a`` and rows ``b`` (default: ``a``) of ``unit`` in float32; a memory-mapped
    ``unit``'s pages are let go after the read."""
    left = np.asarray(unit[a], np.float32)
    out = left @ (left if b is None else np.asarray(unit[b], np.float32)).T
    release_pages(unit)
    return out


def release_pages(array: np.ndarray) -> None:
    """Let the kernel drop the resident pages of a memory-mapped array (they are read again on demand)."""
    import mmap

    m = getattr(array, "_mmap", None)
    if m is not None and hasattr(m, "madvise") and hasattr(mmap, "MADV_DONTNEED"):
        m.madvise(mmap.MADV_DONTNEED)


def _build_ivf(unit: np.ndarray, nprobe: int, seed: int = 0, saved: dict[str, np.ndarray] | None = None):
    """A faiss inverted-list index on inner product (= cosine on unit rows), k-means trained on a sample: rows kept
    as float32 (``IndexIVFFlat``); for float16 rows (big stores, memory-mapped) only product-quantized codes
    (``IndexIVFPQ``, :data:`PQ_BYTES` a row: 5 MB for 40K rows where 8-bit codes took 80 MB) that propose
    :data:`RERANK_MIN` candidates, re-ranked exactly from the mapped rows. With ``saved``
    (:meth:`NeighbourIndex.arrays`), the trained parts and the cells come from it."""
    import faiss

    n, d = unit.shape
    nlist = max(1, min(4096, int(np.sqrt(n)))) if saved is None else len(saved["centroids"])
    if saved is not None and (unit.dtype == np.float16) != ("pq_centroids" in saved):
        saved = None  # saved for rows of the other precision: train afresh
    quantizer = faiss.IndexFlatIP(d)
    if unit.dtype == np.float16:
        width = len(saved["pq_centroids"]) if saved is not None else pq_bytes(d)  # codebooks as saved, if any
        index = faiss.IndexIVFPQ(quantizer, d, nlist, width, 8, faiss.METRIC_INNER_PRODUCT)
        # 10 k-means rounds per codebook: recall unchanged on the 40K store, a third less training (0.995 either
        # way); and no warning per codebook when the sample is small (a codebook is refined by the re-rank anyway)
        index.pq.cp.niter, index.pq.cp.min_points_per_centroid = 10, 1
    else:
        index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
    if saved is not None:
        quantizer.add(np.ascontiguousarray(saved["centroids"], np.float32))
        if "pq_centroids" in saved:
            pq = saved["pq_centroids"]
            if pq.shape != (index.pq.M, index.pq.ksub, index.pq.dsub):
                raise ValueError("saved codebooks do not fit this index")  # read_index checks this too
            faiss.copy_array_to_vector(np.ascontiguousarray(pq, np.float32).ravel(), index.pq.centroids)
        index.is_trained = True
    else:
        sample = np.random.default_rng(seed).choice(n, size=min(n, 64 * nlist), replace=False)
        index.train(np.ascontiguousarray(unit[np.sort(sample)], np.float32))
    if saved is not None and "codes" in saved:
        _fill_cells(index, saved)
    else:
        for start in range(0, n, 8192):
            index.add(np.ascontiguousarray(unit[start:start + 8192], np.float32))
    # compressed codes of clustered rows need more cells to propose the true neighbours (measured on the 40K store)
    index.nprobe = min(4 * nprobe if unit.dtype == np.float16 else nprobe, nlist)
    return index


def pq_bytes(dim: int) -> int:
    """Bytes of a row's product-quantizer code: :data:`PQ_BYTES`, or the largest divisor of ``dim`` below it."""
    return max(m for m in range(1, min(PQ_BYTES, dim) + 1) if dim % m == 0)


def _fill_cells(index, saved: dict[str, np.ndarray]) -> None:
    """Put saved cell contents (:meth:`NeighbourIndex.arrays`: per cell its size; ids and codes cell after cell)
    into an empty trained index."""
    import faiss

    ids = np.ascontiguousarray(saved["ids"], np.int64)
    codes = np.ascontiguousarray(saved["codes"], np.uint8)
    if codes.shape != (len(ids), index.code_size) or int(saved["list_sizes"].sum()) != len(ids):
        raise ValueError("saved cells do not fit this index")  # read_index checks this; never copy past an array
    start = 0
    for cell, size in enumerate(saved["list_sizes"].tolist()):
        if size:
            index.invlists.add_entries(cell, size, faiss.swig_ptr(ids[start:start + size]),
                                       faiss.swig_ptr(codes[start:start + size]))
        start += size
    index.ntotal = len(ids)


def _auto_method(n: int) -> str:
    if n <= ANN_THRESHOLD:
        return "brute"
    for module, method in (("faiss", "ivf"), ("hnswlib", "hnsw")):
        if importable(module):
            return method
    logger.warning("%d vectors: brute-force search (~%d ms per query); `pip install faiss-cpu` for an index",
                   n, n // 600)
    return "brute"


def importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None
