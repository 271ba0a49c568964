"""visemb/stats.py: a similarity placed among random pairs of nouns."""

import numpy as np
from tests.helpers import make_store

from visemb.stats import pair_similarities, percentile
from visemb.store import Store


def test_pair_similarities_are_the_cosines_of_distinct_non_repeat_pairs():
    store = make_store(n=300, dim=16)
    u = store.unit_vectors
    every = u @ u.T
    sims = pair_similarities(store, n_pairs=2500, seed=3)  # two disjoint samples of 50 rows: 2,500 pairs
    assert len(sims) == 2500 and np.all(np.diff(sims) >= 0)
    distinct = {round(float(x), 5) for x in every[np.triu_indices(300, k=1)]}
    assert {round(float(x), 5) for x in sims} <= distinct and sims.max() < 0.9999  # never a row with itself
    assert not np.array_equal(sims, pair_similarities(store, n_pairs=2500, seed=4))  # a random sample
    small = make_store(n=12, dim=16)  # too few rows for two samples: every pair once
    assert len(pair_similarities(small, n_pairs=2500)) == 12 * 11 // 2
    entries = [dict(e) for e in small.entries]
    entries[1]["same_photos_as"] = "a0"  # a repeat is never drawn
    with_repeat = Store(small.vectors, entries)
    pairs = pair_similarities(with_repeat, n_pairs=3000)
    u = with_repeat.unit_vectors
    assert len(pairs) == 11 * 10 // 2
    others = {round(float(u[1] @ u[j]), 5) for j in range(12) if j != 1} - \
        {round(float(u[i] @ u[j]), 5) for i in range(12) for j in range(12) if 1 not in (i, j) and i != j}
    assert others and not others & {round(float(x), 5) for x in pairs}


def test_percentile_counts_the_pairs_below():
    sims = np.array([0.1, 0.2, 0.3, 0.4])
    assert percentile(sims, 0.25) == 50.0 and percentile(sims, 0.05) == 0.0 and percentile(sims, 0.9) == 100.0
    assert percentile(np.array([]), 0.5) == 0.0
