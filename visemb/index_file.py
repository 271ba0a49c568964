"""A store's neighbour index as plain arrays (``neighbour_index.npz``, listed and checksummed in the manifest like
every store file): the IVF cells' centroids, the product quantizer's codebooks and each cell's row ids and codes.
They are read as numbers only (``allow_pickle=False``; no faiss serialisation) and put into faiss without training
or encoding (:class:`visemb.search.NeighbourIndex`); :mod:`visemb.store_files` checks the file and falls back to a
fresh build."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

INDEX_FILE = "neighbour_index.npz"


def index_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """The ``.npz`` bytes of an index's arrays."""
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def read_index(path: Path, rows: int, dim: int) -> dict[str, np.ndarray]:
    """The index arrays in ``path``, for a store of ``rows`` vectors of ``dim`` dimensions.

    Raises:
        ValueError: saying why they cannot be used (unreadable, pickled, or not made for such vectors).
    """
    from visemb.npz_file import read_npz

    arrays = read_npz(path, {"centroids": rows * dim, "nprobe": 1, "pq_centroids": 256 * dim, "list_sizes": rows,
                             "ids": rows, "codes": rows * dim})
    c = arrays.get("centroids")
    if c is None or c.ndim != 2 or c.shape[1] != dim or not 1 <= len(c) <= rows or c.dtype != np.float32:
        raise ValueError(f"{path}: its centroids do not fit the store's vectors")
    if not np.isfinite(c).all():
        raise ValueError(f"{path}: its centroids are not finite")
    pq = arrays.get("pq_centroids")
    if pq is not None and (pq.dtype != np.float32 or pq.ndim != 3 or pq.shape[1] != 256
                           or pq.shape[0] * pq.shape[2] != dim or not np.isfinite(pq).all()):
        raise ValueError(f"{path}: its codebooks do not fit the store's vectors")
    if "codes" in arrays and pq is None:
        raise ValueError(f"{path}: holds codes without the codebooks that made them")
    if "codes" in arrays:
        _check_cells(path, arrays, len(c), rows, pq.shape[0])
    return arrays


def _check_cells(path: Path, arrays: dict[str, np.ndarray], cells: int, rows: int, width: int) -> None:
    """Each row in exactly one cell, with one code of ``width`` bytes."""
    sizes, ids, codes = arrays.get("list_sizes"), arrays.get("ids"), arrays["codes"]
    if sizes is None or ids is None or sizes.shape != (cells,) or sizes.dtype != np.int64 or (sizes < 0).any():
        raise ValueError(f"{path}: its cell sizes do not fit its centroids")
    once = ids.shape == (rows,) and ids.dtype == np.int64 and int(sizes.sum()) == rows and \
        (rows == 0 or (ids.min() >= 0 and ids.max() < rows and (np.bincount(ids, minlength=rows) == 1).all()))
    if not once:
        raise ValueError(f"{path}: its cells do not hold each of the store's rows once")
    if codes.shape != (rows, width) or codes.dtype != np.uint8:
        raise ValueError(f"{path}: its codes do not fit the store's vectors")
