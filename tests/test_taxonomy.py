"""visemb/taxonomy.py: one definition of the rows above and below a noun, held by every consumer."""

import numpy as np
import pytest

from visemb.store import Store

# animal > dog > {beagle, terrier}; animal > cat; the sense dog.n.01 is stored on two rows
PATHS = {"animal": ["animal.n.01"], "dog": ["animal.n.01", "dog.n.01"], "hound_dog": ["animal.n.01", "dog.n.01"],
         "beagle": ["animal.n.01", "dog.n.01", "beagle.n.01"], "terrier": ["animal.n.01", "dog.n.01", "terrier.n.01"],
         "cat": ["animal.n.01", "cat.n.01"]}


@pytest.fixture
def store():
    rng = np.random.default_rng(0)
    entries = [{"key": k, "synsets": [p[-1]], "hypernyms": p, "ancestors": p[:-1],
                "n_classes": 1 if k in ("beagle", "terrier", "cat") else 2} for k, p in PATHS.items()]
    return Store(rng.normal(size=(len(PATHS), 8)).astype(np.float32), entries)


def rows(store, *keys):
    return {store.index_to_key.index(k) for k in keys}


def test_a_synset_on_two_rows_is_both_rows_everywhere(store):
    tax = store.taxonomy
    dog, dog2 = sorted(rows(store, "dog", "hound_dog"))
    beagle = store.index_to_key.index("beagle")
    assert set(tax.rows_of("dog.n.01")) == {dog, dog2} and set(tax.same_sense(dog2)) == {dog, dog2}
    assert tax.ancestors(beagle) == rows(store, "animal", "dog", "hound_dog")
    assert tax.parents(beagle) == {dog, dog2}
    for head in (dog, dog2):
        below = {store.index_to_key[i] for i in np.flatnonzero(tax.at_or_below([head]))}
        assert below == {"dog", "hound_dog", "beagle", "terrier"}
        assert tax.is_at_or_below(beagle, head) and tax.is_at_or_below(dog, head)
    assert tax.classes_under[dog] == tax.classes_under[dog2] == 2
    assert list(tax.classes_at_or_below([dog])) == list(tax.classes_at_or_below([dog2]))
    assert tax.levels_up(beagle)[0] == (dog, dog2)


def test_every_consumer_reads_the_same_rows(store):
    from evaluation.answer_metrics import Judge
    from visemb.answer import AnswerRule, decide, node_probabilities

    tax = store.taxonomy
    dog, dog2 = sorted(rows(store, "dog", "hound_dog"))
    beagle = store.index_to_key.index("beagle")
    # the answer rule: both rows get the same probability, and a word naming either boosts the same classes
    p = np.array([[0.5, 0.3, 0.2]])
    nodes = node_probabilities(tax, p)[0]
    assert nodes[dog] == nodes[dog2] == pytest.approx(sum(p[0][tax.class_of_row[r]] for r in rows(store, "beagle",
                                                                                                   "terrier")))
    rule = AnswerRule(cosine_scale=10.0, label_boost=8.0)
    one = decide(store, store.vectors[[beagle]], rule, label_rows=[dog])
    two = decide(store, store.vectors[[beagle]], rule, label_rows=[dog2])
    assert np.allclose(one.class_probs, two.class_probs) and one.probability == pytest.approx(two.probability)
    # the evaluation's judge: either row is right for a beagle, and both are its parent
    judge = Judge(store)
    assert judge.judge(dog2, [dog2], beagle, 0.9, "high").correct and judge.judge(dog, [dog], beagle, 0.9, "high").near
    assert {dog, dog2} <= judge.near_rows(beagle)
    # the store's lineage (hidden relatives in neighbour lists)
    assert {dog, dog2} <= store.lineage(beagle) and dog2 in store.lineage(dog)


def test_a_saved_store_reads_its_taxonomy_instead_of_rebuilding_it(store, tmp_path, monkeypatch):
    from visemb.taxonomy import Taxonomy

    store.save(tmp_path / "s")
    assert (tmp_path / "s" / "taxonomy.npz").is_file()
    monkeypatch.setattr(Taxonomy, "_table", lambda self: pytest.fail("rebuilt from the entries"))
    loaded = Store.load(tmp_path / "s")
    beagle = loaded.index_to_key.index("beagle")
    assert loaded.taxonomy.ancestors(beagle) == store.taxonomy.ancestors(beagle)
    assert list(loaded.taxonomy.depth) == list(store.taxonomy.depth)
    assert list(loaded.taxonomy.pair_row) == list(store.taxonomy.pair_row)


@pytest.mark.parametrize("damage", ["unlisted", "deleted", "out of range", "flipped"])
def test_a_damaged_or_missing_taxonomy_file_is_rebuilt_with_a_warning(store, tmp_path, caplog, damage):
    import json
    import logging

    from tests.helpers import flip_byte, relist

    path = tmp_path / "s"
    store.save(path)
    f = path / "taxonomy.npz"
    m = json.loads((path / "manifest.json").read_text())
    if damage == "unlisted":  # a store written before the file existed: no warning
        f.unlink()
        del m["files"]["taxonomy.npz"]
        (path / "manifest.json").write_text(json.dumps(m))
    elif damage == "deleted":
        f.unlink()
    elif damage == "flipped":
        flip_byte(f)
    else:  # a crafted file, listed with its new checksum: its rows must still fit the store
        arrays = dict(np.load(f))
        arrays["ancestor"] = arrays["ancestor"] + 100
        np.savez(f, **arrays)
        relist(path, "taxonomy.npz")
    with caplog.at_level(logging.WARNING, logger="visemb.store_files"):
        loaded = Store.load(path)
    assert (damage == "unlisted") == ("built from the entries" not in caplog.text)
    beagle = loaded.index_to_key.index("beagle")
    assert loaded.taxonomy.ancestors(beagle) == rows(loaded, "animal", "dog", "hound_dog")
