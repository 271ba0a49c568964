"""visemb/translate.py: words and pictures to English nouns, with evidence; mismatched encoders refused."""

import numpy as np
import pytest
from tests.helpers import jpeg

from visemb.defaults import DEFAULT_STORE
from visemb.encoder import load_encoder
from visemb.encoder_spec import get_spec
from visemb.errors import EncoderMismatchError, NoImagesError
from visemb.store import Store
from visemb.translate import coherence_of, translate, translate_images


@pytest.fixture(scope="module")
def store():
    return Store.load(DEFAULT_STORE)


def test_offline_translation_of_foreign_words(store):
    t = translate("chien", store, source="offline", images=8, topn=10)
    keys = [c.key for c in t.candidates]
    assert keys[0] == t.answer == "dog"
    assert len(t.images) == 8 and t.coherence is not None and t.confidence in ("high", "medium", "low")
    assert sum(len(c.votes) for c in t.candidates) <= len(t.images)
    assert all(t.origins[p] for p in t.images)


def test_candidates_are_the_answer_then_classes_by_probability(store):
    t = translate("pies", store, images=6, lang="pl")
    assert t.candidates[0].key == t.answer and t.candidates[0].score == pytest.approx(t.probability)
    rest = [c.score for c in t.candidates[1:]]
    assert rest == sorted(rest, reverse=True) and all(0 <= s <= 1 for s in rest)
    assert t.answer in ("dog", "canine")


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


def test_coherence(tiny_store):
    vecs = np.stack([tiny_store.vectors[0], tiny_store.vectors[1]])
    assert coherence_of(tiny_store, vecs) > 0.9 and coherence_of(tiny_store, vecs[:1]) is None


def test_agreement_follows_every_hypernym_path():
    """house is a building (stored path) and a dwelling (second path): agreement and relatives use every ancestor."""
    from visemb.translate import _agreement

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
    assert row["dwelling"] in store.lineage(row["house"]) and row["house"] in store.lineage(row["dwelling"])
    assert _agreement(store, row["dwelling"], [row["house"], row["cabin"], row["hotel"], row["villa"]]) == 0.75
    without = Store(np.eye(len(entries), dtype=np.float32), [{k: v for k, v in e.items() if k != "ancestors"}
                                                              for e in entries])
    assert row["dwelling"] not in without.lineage(row["house"])  # older stores: the one stored path


def test_translation_answer_probability_and_specific_guess(store):
    from visemb.answer import rule_for

    t = translate("chien", store, images=8, lang="fr")
    assert t.answer == "dog" and t.probability >= 0.9 and t.confidence == rule_for(store).words(t.probability)
    assert t.specific != "dog" and "dog.n.01" in store.ancestry(store.get_index(t.specific))
    one = translate("parapluie", store, images=4, lang="fr")
    assert one.answer == one.specific == "umbrella"


def test_a_kind_answer_says_what_it_rests_on(store):
    t = translate("chien", store, images=8, lang="fr")  # the offline photos of eight breeds
    assert t.answer == "dog" and len(t.kinds) > 1
    assert all(store.taxonomy.is_at_or_below(store.get_index(k), store.get_index("dog")) for k in t.kinds)
    assert t.rests_on == f"8 pictures, {len(t.kinds)} kinds of dog → dog"
    one = translate("Goldfisch", store, images=1, lang="de")
    assert one.kinds == [] and one.rests_on == "1 picture → goldfish"


def test_unclear_pictures_are_answered_at_the_ceiling_with_a_note_and_clear_ones_are_not(store):
    from PIL import Image

    from visemb.answer import rule_for

    rule = rule_for(store)
    noise = Image.fromarray(np.random.default_rng(0).integers(0, 255, (300, 300, 3), dtype=np.uint8))
    t = translate_images([noise], store)
    assert t.probability < rule.threshold and any("likely enough" in n for n in t.notes)
    clear = translate("Goldfisch", store, images=1, lang="de")
    assert clear.probability >= rule.threshold and not any("likely enough" in n for n in clear.notes)
