"""A store's neighbour index as plain arrays (``neighbour_index.npz``, listed and checksummed in the manifest like
every store file): the IVF cells' centroids and the 8-bit quantizer's ranges. They are read as numbers only
(``allow_pickle=False``; no faiss serialisation) and rebuilt into faiss without k-means
(:class:`visemb.search.NeighbourIndex`); :mod:`visemb.store_files` checks the file and falls back to a fresh build."""

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
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: np.asarray(z[k]) for k in z.files}
    except (OSError, ValueError, KeyError) as exc:
        raise ValueError(f"{path}: unreadable ({type(exc).__name__})") from exc
    c = arrays.get("centroids")
    if c is None or c.ndim != 2 or c.shape[1] != dim or not 1 <= len(c) <= rows or c.dtype != np.float32:
        raise ValueError(f"{path}: its centroids do not fit the store's vectors")
    if not np.isfinite(c).all():
        raise ValueError(f"{path}: its centroids are not finite")
    sq = arrays.get("sq_trained")
    if sq is not None and (sq.shape != (2 * dim,) or not np.isfinite(sq).all()):
        raise ValueError(f"{path}: its quantizer ranges do not fit the store's vectors")
    return arrays
