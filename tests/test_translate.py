"""visemb/translate.py: words and pictures to English nouns, with evidence; mismatched encoders refused."""

import numpy as np
import pytest
from tests.helpers import jpeg

from visemb.defaults import DEFAULT_STORE
from visemb.encoder import load_encoder
from visemb.encoder_spec import get_spec
from visemb.errors import EncoderMismatchError, NoImagesError
from visemb.store import Store
from visemb.translate import coherence_of, rank, translate, translate_images


@pytest.fixture(scope="module")
def store():
    return Store.load(DEFAULT_STORE)


def test_offline_translation_of_foreign_words(store):
    t = translate("chien", store, source="offline", images=8, topn=10)
    keys = [c.key for c in t.candidates]
    assert {"dog", "canine"} & set(keys[:3])
    assert len(t.images) == 8 and t.coherence is not None and t.confidence in ("high", "medium", "low")
    assert sum(len(c.votes) for c in t.candidates) <= len(t.images)
    assert all(t.origins[p] for p in t.images)


@pytest.mark.parametrize("aggregation", ["mean", "avgmax"])
def test_aggregations_rank_consistently(store, aggregation):
    t = translate("pies", store, images=6, aggregation=aggregation)
    assert t.aggregation == aggregation
    scores = [c.score for c in t.candidates]
    assert scores == sorted(scores, reverse=True)
    assert any(k in [c.key for c in t.candidates[:5]] for k in ("dog", "canine", "domestic_animal"))


def test_translate_images_with_broken_upload(store):
    photos = sorted((DEFAULT_STORE.parent / "offline" / "photos").iterdir())[:2]
    t = translate_images([photos[0].read_bytes(), b"broken", photos[1]], store, names=["a", "b", "c"])
    assert t.images == ["a", "c"] and "b" in t.skipped
    with pytest.raises(NoImagesError, match="None of the 1 image"):
        translate_images([b"junk"], store)


def test_mismatched_encoder_refused(store):
    enc = load_encoder("resnet50-keras-onnx")

    class Other:
        spec = get_spec("resnet50-tv-v2")
        embed = enc.embed

    with pytest.raises(EncoderMismatchError, match="differs from the store's encoder"):
        translate_images([jpeg()], store, encoder=Other())


def test_rank_and_coherence(tiny_store):
    vecs = np.stack([tiny_store.vectors[0], tiny_store.vectors[1]])
    ranked, per_image = rank(tiny_store, vecs, topn=2)
    assert {tiny_store.index_to_key[r] for r, _ in ranked} == {"a0", "a1"}
    assert coherence_of(tiny_store, vecs) > 0.9 and coherence_of(tiny_store, vecs[:1]) is None
    with pytest.raises(ValueError, match="Unknown aggregation"):
        rank(tiny_store, vecs, aggregation="median")


def test_rank_on_a_centred_store_centres_once():
    from tests.helpers import make_store

    plain = make_store(n=12, dim=8, seed=3)
    centred = Store(plain.vectors, plain.entries, manifest=plain.manifest, center=plain.vectors.mean(axis=0))
    rng = np.random.default_rng(4)
    vecs = rng.normal(size=(3, 8)).astype(np.float32) + 2.0  # a common offset the centring must remove
    for aggregation in ("mean", "avgmax"):
        ranked, per_image = rank(centred, vecs, topn=12, aggregation=aggregation)
        q = centred.prepare(vecs)
        if aggregation == "mean":
            m = q.mean(axis=0)
            expected = centred.unit_vectors @ (m / np.linalg.norm(m))
        else:
            expected = (centred.unit_vectors @ q.T).mean(axis=1)
        assert [r for r, _ in ranked] == list(np.argsort(-expected))
        assert np.allclose([s for _, s in ranked], np.sort(expected)[::-1], atol=1e-5)
        assert [r for r, _ in per_image] == list(np.argmax(q @ centred.unit_vectors.T, axis=1))


def test_specific_nouns_option_ranks_by_csls(store):
    photo = sorted((DEFAULT_STORE.parent / "offline" / "photos").iterdir())[0]
    plain = translate_images([photo], store, topn=10)
    specific = translate_images([photo], store, topn=10, hubness=True)
    assert (plain.ranking, specific.ranking) == ("cosine", "csls")
    assert [c.score for c in plain.candidates] == sorted((c.score for c in plain.candidates), reverse=True)
    csls_keys = [2 * c.score - store.hubness[c.row] for c in specific.candidates]
    assert csls_keys == sorted(csls_keys, reverse=True)  # scores shown are cosines, the order is CSLS's
    assert [c.key for c in specific.candidates] != [c.key for c in plain.candidates]
    # broad pooled nouns (many photo classes under them) are demoted
    breadth = [store.entries[c.row].get("n_classes", 1) for c in (plain.candidates[0], specific.candidates[0])]
    assert breadth[1] <= breadth[0]


def test_avgmax_leaves_out_repeats_and_follows_csls(store):
    vecs = np.stack([store.vectors[store.get_index("goldfish")], store.vectors[store.get_index("tench")]])
    for hubness in (False, True):
        ranked, _ = rank(store, vecs, topn=20, aggregation="avgmax", hubness=hubness)
        assert not {r for r, _ in ranked} & store.repeats
        q = store.prepare(vecs)
        cos = (store.unit_vectors @ q.T).mean(axis=1)
        key = 2 * cos - store.hubness if hubness else cos
        assert [key[r] for r, _ in ranked] == sorted((key[r] for r, _ in ranked), reverse=True)


def test_confidence_of_one_image_follows_its_cosine():
    from visemb.translate import confidence_of

    assert [confidence_of(None, 1.0, c) for c in (0.75, 0.65, 0.5)] == ["high", "medium", "low"]
    assert confidence_of(0.6, 0.8, 0.1) == "high" and confidence_of(0.2, 0.1, 0.9) == "low"


def test_consensus_kind_is_the_most_specific_shared_kind():
    from visemb.translate import consensus_kind

    # animal > dog > {hound > beagle, terrier}; animal > cat; 'pet' repeats dog's photos
    paths = {"animal": ["animal.n.01"], "dog": ["animal.n.01", "dog.n.01"],
             "hound": ["animal.n.01", "dog.n.01", "hound.n.01"], "beagle": ["animal.n.01", "dog.n.01", "hound.n.01",
                                                                           "beagle.n.01"],
             "terrier": ["animal.n.01", "dog.n.01", "terrier.n.01"], "cat": ["animal.n.01", "cat.n.01"]}
    entries = [{"key": k, "synsets": [p[-1]], "hypernyms": p} for k, p in paths.items()]
    store = Store(np.eye(len(entries), dtype=np.float32), entries)
    row = {k: i for i, k in enumerate(paths)}
    kind = consensus_kind(store, [row[k] for k in ("beagle", "terrier", "hound", "cat", "animal")])
    assert store.index_to_key[kind] == "dog"  # 3 of 5 are dogs; 'animal' is shared by all but less specific
    assert store.index_to_key[consensus_kind(store, [row[k] for k in ("beagle", "hound", "cat")],
                                             top=3, support=2)] == "hound"
    assert consensus_kind(store, [row["cat"], row["terrier"], row["beagle"]], support=4) is None
    entries[row["dog"]]["same_photos_as"] = "hound"  # a repeat is never the answer
    store = Store(np.eye(len(entries), dtype=np.float32), entries)
    assert store.index_to_key[consensus_kind(store, [row[k] for k in ("beagle", "terrier", "hound", "cat")])] \
        == "animal"


def test_kind_votes_along_the_stored_path_and_relatives_follow_every_path():
    """house is a building (stored path) and a dwelling (second path): the headline vote follows the stored path
    only (measured better), while hiding relatives and the agreement figure use every ancestor."""
    from visemb.translate import _agreement, consensus_kind

    root = ["entity.n.01", "structure.n.01"]
    spec = {"building": (root + ["building.n.01"], []),
            "dwelling": (root + ["housing.n.01", "dwelling.n.01"], []),
            "house": (root + ["building.n.01", "house.n.01"], ["housing.n.01", "dwelling.n.01"]),
            "villa": (root + ["building.n.01", "house.n.01", "villa.n.01"], ["housing.n.01", "dwelling.n.01"]),
            "cabin": (root + ["housing.n.01", "dwelling.n.01", "cabin.n.01"], []),
            "hotel": (root + ["building.n.01", "hotel.n.01"], [])}
    entries = [{"key": k, "synsets": [path[-1]], "hypernyms": path, "ancestors": sorted(set(path[:-1]) | set(more))}
               for k, (path, more) in spec.items()]
    store = Store(np.eye(len(entries), dtype=np.float32), entries)
    row = {k: i for i, k in enumerate(spec)}
    # villa, house, hotel are buildings along their paths; villa and house are dwellings only by the second path
    assert store.index_to_key[consensus_kind(store, [row["villa"], row["house"], row["hotel"]], top=3,
                                             support=3)] == "building"
    # all three are dwellings, but villa and house only by their second path: no kind in the store is agreed
    assert consensus_kind(store, [row["villa"], row["cabin"], row["house"]], top=3, support=3) is None
    assert store.index_to_key[consensus_kind(store, [row["villa"], row["cabin"], row["house"]], top=3,
                                             support=2)] == "house"  # villa and house, along villa's path
    assert row["dwelling"] in store.lineage(row["house"]) and row["house"] in store.lineage(row["dwelling"])
    assert _agreement(store, row["dwelling"], [row["house"], row["cabin"], row["hotel"], row["villa"]]) == 0.75
    without = Store(np.eye(len(entries), dtype=np.float32), [{k: v for k, v in e.items() if k != "ancestors"}
                                                              for e in entries])
    assert row["dwelling"] not in without.lineage(row["house"])  # older stores: the one stored path


def test_translation_names_the_kind_and_the_specific_guess(store):
    t = translate("chien", store, images=8)
    assert t.kind == "dog"
    specific = translate("chien", store, images=8, hubness=True)
    assert t.specific == specific.candidates[0].key and t.kind == specific.kind
    top5 = [c.row for c in translate("chien", store, images=8, topn=5, hubness=True).candidates]
    kind_syn = store.entries[store.get_index(t.kind)]["synsets"][0]
    assert sum(kind_syn in store.entries[r]["hypernyms"] for r in top5) >= 3
