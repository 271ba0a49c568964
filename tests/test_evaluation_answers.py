"""evaluation/answers.py: queries from labelled photos, decided exactly as the library decides them."""

import numpy as np
import pytest

from evaluation.answers import Runner, kind_queries, photo_queries
from tests.helpers import make_deep_store
from visemb.answer import AnswerRule, decide


@pytest.fixture
def store_and_photos():
    store = make_deep_store()
    rng = np.random.default_rng(3)
    photos = []
    for key in ("beagle", "basset", "terrier", "cat", "goldfish"):
        for i in range(4):
            f = store.vectors[store.get_index(key)] + rng.normal(scale=0.8, size=store.dim)
            photos.append((key, f.astype(np.float32), (64, 64) if i % 2 else (500, 375)))
    for e in store.entries:  # the photos' labels are the keys themselves
        e["imagenet_id"] = e["key"] if e["n_classes"] == 1 else None
    return store, photos


def test_queries_carry_their_photos_sizes(store_and_photos):
    store, photos = store_and_photos
    qs = photo_queries(store, photos, 2)
    assert len(qs) == 10 and all(len(q.sizes) == 2 for q in qs)
    assert {q.small for q in qs} <= {0.0, 0.5, 1.0} and any(q.small > 0 for q in qs)
    kinds = kind_queries(store, photos, 2)
    assert kinds and all(len(q.sizes) == 2 and q.truth_class == -1 for q in kinds)


@pytest.mark.parametrize("ceiling", [None, 1])
def test_the_runner_decides_as_the_library_does(store_and_photos, ceiling):
    store, photos = store_and_photos
    rule = AnswerRule(threshold=0.6, cosine_scale=8.0, small_slope=-0.3, small_intercept=-0.5, ceiling=ceiling)
    runner = Runner(store)
    qs = photo_queries(store, photos, 2)
    for q, o in zip(qs, runner.run(qs, rule, removed=False)):
        ans = decide(store, q.features, rule, sizes=q.sizes)
        assert o.confidence == pytest.approx(ans.probability)
        assert o.exact == (ans.row == q.truth_row)
