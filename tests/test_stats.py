"""visemb/stats.py: a similarity placed among random pairs of nouns."""

import numpy as np
from tests.helpers import make_store

from visemb.stats import pair_similarities, percentile
from visemb.store import Store


def test_pair_similarities_are_the_cosines_of_distinct_non_repeat_pairs():
    store = make_store(n=12, dim=16)
    sims = pair_similarities(store, n_pairs=2500, seed=3)  # several chunks of 1,000 and a partial one
    rng = np.random.default_rng(3)
    a, b = rng.choice(np.arange(12), 2500), rng.choice(np.arange(12), 2500)
    a, b = a[a != b], b[a != b]
    u = store.unit_vectors
    assert np.allclose(sims, np.sort((u[a] * u[b]).sum(axis=1)), atol=1e-6)
    assert len(sims) == len(a) < 2500 and np.all(np.diff(sims) >= 0)
    entries = [dict(e) for e in store.entries]
    entries[1]["same_photos_as"] = "a0"  # a repeat is never drawn
    with_repeat = Store(store.vectors, entries)
    pairs = pair_similarities(with_repeat, n_pairs=3000)
    u = with_repeat.unit_vectors
    others = {round(float(u[1] @ u[j]), 5) for j in range(12) if j != 1} - \
        {round(float(u[i] @ u[j]), 5) for i in range(12) for j in range(12) if 1 not in (i, j) and i != j}
    assert others and not others & {round(float(x), 5) for x in pairs}


def test_percentile_counts_the_pairs_below():
    sims = np.array([0.1, 0.2, 0.3, 0.4])
    assert percentile(sims, 0.25) == 50.0 and percentile(sims, 0.05) == 0.0 and percentile(sims, 0.9) == 100.0
    assert percentile(np.array([]), 0.5) == 0.0
