"""With a network (a search engine on 127.0.0.1), a translation grows the store with the senses it may name that have
no row, keeps them in the local layer, and every reader of the store sees them."""

import pytest

from tests.fakesearch import FakeSearch
from visemb.defaults import DEFAULT_STORE
from visemb.grown_layer import GrownLayer
from visemb.grown_store import with_grown
from visemb.growth import MAX_CANDIDATES, candidate_senses
from visemb.sources import get_source
from visemb.store import Store
from visemb.translator import Translator


@pytest.fixture(scope="module")
def store():
    return Store.load(DEFAULT_STORE)


def test_candidates_are_rowless_dictionary_senses_then_the_answers_kin(store):
    tr = Translator(store)
    lexicon = tr.source("offline").lexicon
    giraffe = lexicon.wnid("giraffe.n.01")
    ruminant = lexicon.wnid("ruminant.n.01")
    wanted = candidate_senses(lexicon, store, [giraffe], ruminant)
    assert wanted[0] == giraffe and len(wanted) <= MAX_CANDIDATES
    assert all(not len(store.taxonomy.rows_of(lexicon.name(w))) for w in wanted)
    assert set(wanted[1:]) <= set(lexicon.children(ruminant)) | {
        c for p in lexicon.parents(ruminant) for c in lexicon.children(p)}


def test_a_web_translation_grows_the_layer_and_the_same_query_is_served_from_it(store, tmp_path):
    layer = GrownLayer(tmp_path / "layer", store.manifest["encoder"])
    tr = Translator(store, layer=layer)
    with FakeSearch(n_images=4) as fs:
        source = get_source("bing", base_url=fs.url, timeout=5)
        counted = []
        t = tr.word("jirafa", source, images=4, lang="es", growing=lambda d, n: counted.append((d, n)))
        first = len(fs.requests)
        assert "giraffe" in {r.key for r in layer.rows()} and counted and counted[-1][0] == counted[-1][1]
        assert any("grew" in n for n in t.notes)
        tr.word("jirafa", source, images=4, lang="es")
        again = [p for p in fs.requests[first:] if "giraffe" in p]
        assert not again  # giraffe's pictures come from the layer now
    grown = with_grown(store, GrownLayer(tmp_path / "layer", store.manifest["encoder"]), lexicon=tr.source(
        "offline").lexicon)
    assert "giraffe" in grown and len(grown) > len(store)
    entry = grown.entries[grown.get_index("giraffe")]
    assert entry["grown"] and entry["grown_from"] == "bing" and "ruminant.n.01" in entry["ancestors"]
    assert [n.key for n in grown.neighbours("giraffe", 3)]  # neighbours read the layer
    for xy in grown.coords.values():
        assert len(xy) == len(grown)


def test_a_known_words_grown_sense_wins_only_when_nearest_among_its_senses(store):
    import numpy as np

    from visemb.grown_layer import GrownRow
    from visemb.growth import decide_among_senses

    dog = store.get_index("dog")
    raw = np.asarray(store.vectors[dog], np.float32)[None, :]
    near = GrownRow("puppy", "puppy.n.01", "n01322604", "bing", vector=raw[0] * 1.0)
    far = GrownRow("okapi", "okapi.n.01", "n02439398", "bing", vector=-raw[0])
    assert decide_among_senses(store, raw, [dog], [far]) is None  # the dog row is nearer: the store's answer stays
    won = decide_among_senses(store, raw + 0.0, [], [near, far])
    assert won.row.key == "puppy" and won.answer_cosine == -1.0


def test_grown_calibration_reads_its_fits_and_says_when_it_has_none(tmp_path):
    import json

    from visemb.growth import CALIBRATION_NAME, GrownCalibration

    (tmp_path / CALIBRATION_NAME).write_text(json.dumps({"words": {"slope": 10.0, "intercept": 0.0, "n": 5}}))
    cal = GrownCalibration.load(tmp_path)
    assert cal.probability("words", 0.0) == 0.5 and cal.probability("words", 1.0) > 0.99
    assert cal.probability("photos", 0.3) is None and GrownCalibration.load(tmp_path / "nowhere").fits == {}


def test_pictures_alone_report_the_nearest_grown_noun_and_keep_the_stores_answer(store, tmp_path, monkeypatch):
    import visemb.growth as growth
    from visemb.growth import Regrown

    def nearest(store_, query, answer_row, grown):
        return Regrown(grown[0], 0.9, 0.5, {r.key: 0.9 for r in grown})

    monkeypatch.setattr(growth, "decide_again", nearest)  # a grown noun nearer the pictures than every row
    tr = Translator(store, layer=GrownLayer(tmp_path / "layer", store.manifest["encoder"]))
    with FakeSearch(n_images=4) as fs:
        t = tr.word("qzxvorbl", get_source("bing", base_url=fs.url, timeout=5), images=4)
    assert t.grown and t.basis == "pictures" and t.answer in store
    assert t.answer not in t.grown and any(f"nearest grown noun: {t.grown[0]}" in n for n in t.notes)


def test_kin_scores_weigh_siblings_by_their_class_share_and_cousins_less(store):
    from visemb.growth import COUSIN_WEIGHT, kin_scores

    lexicon = Translator(store).source("offline").lexicon
    beagle = lexicon.wnid("beagle.n.01")
    parent = next(iter(lexicon.parents(beagle)))
    sibling = next(c for c in lexicon.children(parent) if c != beagle)
    grandparent = next(iter(lexicon.parents(parent)))
    aunt = next(c for c in lexicon.children(grandparent) if c != parent)
    scores = kin_scores(lexicon, [(beagle, 0.5)], None)
    assert scores[sibling] == 0.5 and scores[aunt] == COUSIN_WEIGHT * 0.5 and beagle not in scores
    wanted = candidate_senses(lexicon, store, [], None, likeliest=[beagle], shares=[0.5])
    assert wanted and all(w in scores for w in wanted)
    assert all(not len(store.taxonomy.rows_of(lexicon.name(w))) for w in wanted)
