"""A store's neighbour index as plain arrays (``neighbour_index.npz``, listed and checksummed in the manifest): the
IVF cells' centroids and the 8-bit quantizer's ranges. Loading reads numbers only (``allow_pickle=False``; no
faiss serialisation), rebuilds the faiss index from them without k-means, and falls back to a fresh build, with a
warning, when the file is missing, damaged or made for other rows."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import numpy as np

from visemb.checksum import sha256_file

INDEX_FILE = "neighbour_index.npz"
logger = logging.getLogger(__name__)


def index_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """The ``.npz`` bytes of an index's arrays."""
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def read_index(folder: Path, manifest: dict, rows: int, dim: int) -> dict[str, np.ndarray] | None:
    """The saved index arrays of the store in ``folder``, checked against the manifest and the store's shape; None
    (and a warning saying why, the index being built afresh) when there is no usable file."""
    info = manifest.get("files", {}).get(INDEX_FILE)
    path = folder / INDEX_FILE
    if info is None:
        return None
    why = _problem(path, info)
    if why is None:
        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = {k: np.asarray(z[k]) for k in z.files}
            why = _shape_problem(arrays, rows, dim)
        except (OSError, ValueError, KeyError) as exc:
            why = f"unreadable ({type(exc).__name__})"
    if why is not None:
        logger.warning("%s: %s; the neighbour index is built afresh (rebuild the store to save it again)", path, why)
        return None
    return arrays


def _problem(path: Path, info: dict) -> str | None:
    if not path.is_file():
        return "missing"
    if path.stat().st_size != info.get("bytes") or sha256_file(path) != info.get("sha256"):
        return "checksum differs from the manifest (damaged)"
    return None


def _shape_problem(arrays: dict[str, np.ndarray], rows: int, dim: int) -> str | None:
    c = arrays.get("centroids")
    if c is None or c.ndim != 2 or c.shape[1] != dim or not 1 <= len(c) <= rows or c.dtype != np.float32:
        return "its centroids do not fit the store's vectors"
    if not np.isfinite(c).all():
        return "its centroids are not finite"
    sq = arrays.get("sq_trained")
    if sq is not None and (sq.shape != (2 * dim,) or not np.isfinite(sq).all()):
        return "its quantizer ranges do not fit the store's vectors"
    return None
