"""Putting a similarity in context: where it falls among all pairs of nouns in the store."""

from __future__ import annotations

import numpy as np

from visemb.store import Store


def pair_similarities(store: Store, n_pairs: int = 20000, seed: int = 0) -> np.ndarray:
    """Cosine similarities of random distinct pairs of (non-repeated) rows, sorted ascending."""
    rows = np.array([i for i in range(len(store)) if i not in store.repeats])
    rng = np.random.default_rng(seed)
    a = rng.choice(rows, n_pairs)
    b = rng.choice(rows, n_pairs)
    keep = a != b
    unit = store.unit_vectors
    return np.sort(np.einsum("ij,ij->i", unit[a[keep]], unit[b[keep]]))


def percentile(sorted_sims: np.ndarray, value: float) -> float:
    """Share (0-100) of random pairs less similar than ``value``."""
    return float(100.0 * np.searchsorted(sorted_sims, value) / max(len(sorted_sims), 1))
