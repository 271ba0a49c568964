"""Putting a similarity in context: where it falls among all pairs of nouns in the store."""

from __future__ import annotations

import numpy as np

from visemb.search import rows_product
from visemb.store import Store


def pair_similarities(store: Store, n_pairs: int = 20000, seed: int = 0) -> np.ndarray:
    """Cosine similarities of about ``n_pairs`` random pairs of distinct (non-repeated) rows, sorted ascending:
    every pair between two disjoint random samples of ``sqrt(n_pairs)`` rows each, so that a memory-mapped 40K-noun
    store reads a few hundred rows, not all of them; a store too small for that gives every pair of its rows."""
    rows = np.array([i for i in range(len(store)) if i not in store.repeats])
    side = int(np.ceil(np.sqrt(n_pairs)))
    if len(rows) >= 2 * side:
        pick = np.random.default_rng(seed).choice(rows, 2 * side, replace=False)
        sims = rows_product(store.unit_vectors, np.sort(pick[:side]), np.sort(pick[side:])).ravel()
    else:
        sims = rows_product(store.unit_vectors, rows)[np.triu_indices(len(rows), k=1)]
    return np.sort(sims)


def percentile(sorted_sims: np.ndarray, value: float) -> float:
    """Share (0-100) of random pairs less similar than ``value``."""
    return float(100.0 * np.searchsorted(sorted_sims, value) / max(len(sorted_sims), 1))
