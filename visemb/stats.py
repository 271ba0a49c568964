"""Putting a similarity in context: where it falls among all pairs of nouns in the store."""

from __future__ import annotations

import numpy as np

from visemb.search import release_pages
from visemb.store import Store


def pair_similarities(store: Store, n_pairs: int = 20000, seed: int = 0) -> np.ndarray:
    """Cosine similarities of random distinct pairs of (non-repeated) rows, sorted ascending."""
    rows = np.array([i for i in range(len(store)) if i not in store.repeats])
    rng = np.random.default_rng(seed)
    a = rng.choice(rows, n_pairs)
    b = rng.choice(rows, n_pairs)
    keep = a != b
    a, b = a[keep], b[keep]
    unit = store.unit_vectors
    # a thousand pairs at a time: gathering all 20,000 pairs' 2048-d rows at once peaked at +330 MB
    chunk = 1000
    sims = np.sort(np.concatenate([np.einsum("ij,ij->i", unit[a[i:i + chunk]], unit[b[i:i + chunk]])
                                   for i in range(0, len(a), chunk)]))
    release_pages(unit)  # a memory-mapped store's rows were all read once: they need not stay resident
    return sims


def percentile(sorted_sims: np.ndarray, value: float) -> float:
    """Share (0-100) of random pairs less similar than ``value``."""
    return float(100.0 * np.searchsorted(sorted_sims, value) / max(len(sorted_sims), 1))
