"""A store's parts beyond its core (vectors, entries, manifest, aliases): coordinates, thumbnails, centering, hubness,
and what a store read from disk saved of its neighbour index, taxonomy and map. Each part is optional."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Sequence

import numpy as np


@dataclass
class StoreParts:
    """The optional parts of a :class:`visemb.store.Store`.

    Attributes:
        coords: projection name -> [n, 2] array.
        thumbnails: one JPEG bytes (or None) per row.
        center: a vector subtracted from rows and queries before cosine (None: raw cosine).
        hubness: per row, the mean cosine to its nearest rows (:meth:`visemb.store.Store.compute_hubness`): neighbour
            lists can then be ranked by CSLS, so that broad nouns near everything stop crowding them.
        saved_index: a big store's saved neighbour index arrays (:mod:`visemb.index_file`), from which the index is
            rebuilt without k-means the first time it is needed.
        saved_taxonomy: saved taxonomy arrays (:meth:`visemb.taxonomy.Taxonomy.arrays`).
        map_overview: per projection, the map's full view (:func:`visemb.map_layout.overview`) as saved.
    """

    coords: dict[str, np.ndarray] = field(default_factory=dict)
    thumbnails: Sequence[bytes | None] | None = None
    center: np.ndarray | None = None
    hubness: np.ndarray | None = None
    saved_index: dict[str, np.ndarray] | None = None
    saved_taxonomy: dict[str, np.ndarray] | None = None
    map_overview: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


@dataclass
class StoreRecord:
    """A store as :func:`visemb.store_files.read_store` reads it: the core and the parts, already checked against
    each other (``aliases`` maps every key, lemma and synset name)."""

    vectors: np.ndarray
    entries: list[dict]
    manifest: dict
    aliases: dict[str, list[int]]
    parts: StoreParts


def legacy_parts(parts: StoreParts | None, given: dict) -> StoreParts:
    """``Store(..., coords=..., thumbnails=...)``: the parts as keywords, deprecated for ``parts=StoreParts(...)``."""
    import warnings

    unknown = set(given) - set(StoreParts.names())
    if unknown or parts is not None:
        raise TypeError(f"Store() got unexpected keyword(s) {sorted(unknown or given)}; pass parts=StoreParts(...)")
    warnings.warn(f"Store({', '.join(f'{k}=' for k in given)}) is deprecated and will be removed: pass "
                  "parts=StoreParts(...) (visemb.store_parts)", DeprecationWarning, stacklevel=3)
    return StoreParts(**given)


def map_view_misfit(saved: object, rows: int) -> str | None:
    """Why a saved map view (:func:`visemb.map_layout.overview`) cannot serve a store of ``rows`` rows; None if it
    can."""
    def number(x) -> bool:
        return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)

    def row(x) -> bool:
        return isinstance(x, int) and not isinstance(x, bool) and 0 <= x < rows

    if not isinstance(saved, dict) or not isinstance(saved.get("pictures"), dict) \
            or not isinstance(saved.get("regions"), list):
        return "not a map overview"
    pics = saved["pictures"]
    if not (isinstance(pics.get("rows"), list) and all(row(r) for r in pics["rows"])
            and number(pics.get("width")) and number(pics.get("height"))):
        return "its pictures do not fit the store"
    for r in saved["regions"]:
        if not (isinstance(r, dict) and row(r.get("row")) and all(number(r.get(k)) for k in ("x", "y", "share"))
                and isinstance(r.get("members"), int) and 0 <= r["members"] <= rows):
            return "its regions do not fit the store"
    return None
