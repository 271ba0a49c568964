"""visemb/answer.py: the photos as examples of one concept, and the most specific noun that clears the threshold."""

import numpy as np
import pytest

from visemb.answer import (AnswerRule, allowed_rows, choose, conclude, decide, node_probabilities, scorer_for,
                           softmax_with_novel, weigh)
from visemb.store import Store
from tests.helpers import make_deep_store

# animal > dog > {beagle, terrier}; animal > cat; only the leaves have photos of their own
PATHS = {"animal": ["animal.n.01"], "dog": ["animal.n.01", "dog.n.01"],
         "beagle": ["animal.n.01", "dog.n.01", "beagle.n.01"], "terrier": ["animal.n.01", "dog.n.01", "terrier.n.01"],
         "cat": ["animal.n.01", "cat.n.01"]}
POOLED = {"animal": 3, "dog": 2}


@pytest.fixture
def store():
    rng = np.random.default_rng(0)
    base = {k: (v := rng.normal(size=16)) / np.linalg.norm(v) for k in ("beagle", "terrier", "cat")}
    base["dog"] = (base["beagle"] + base["terrier"]) / 2
    base["animal"] = (base["dog"] + base["cat"]) / 2
    entries = [{"key": k, "synsets": [p[-1]], "hypernyms": p, "ancestors": p[:-1], "n_classes": POOLED.get(k, 1)}
               for k, p in PATHS.items()]
    return Store(np.stack([base[k] for k in PATHS]).astype(np.float32), entries)


def row(store, key):
    return store.get_index(key)


def test_only_photographed_nouns_are_classes_and_probabilities_add_up(store):
    h = store.taxonomy
    assert sorted(store.index_to_key[r] for r in h.class_rows) == ["beagle", "cat", "terrier"]
    classes = [store.index_to_key[r] for r in h.class_rows]
    p = np.array([[{"beagle": 0.5, "terrier": 0.3, "cat": 0.2}[c] for c in classes]])
    nodes = node_probabilities(h, p)[0]
    assert nodes[row(store, "dog")] == pytest.approx(0.8) and nodes[row(store, "animal")] == pytest.approx(1.0)
    assert list(h.classes_under[[row(store, k) for k in PATHS]]) == [3, 2, 1, 1, 1]


def test_the_answer_is_the_most_specific_noun_over_the_threshold(store):
    h = store.taxonomy
    nodes = np.zeros(len(store))
    for k, v in {"animal": 1.0, "dog": 0.8, "beagle": 0.5, "terrier": 0.3, "cat": 0.2}.items():
        nodes[row(store, k)] = v
    assert store.index_to_key[choose(nodes, h, 0.45)] == "beagle"
    assert store.index_to_key[choose(nodes, h, 0.6)] == "dog"  # the photos agree on the kind, not the breed
    assert store.index_to_key[choose(nodes, h, 0.9)] == "animal"


def test_a_photo_of_a_class_is_answered_by_that_class_with_high_confidence(store):
    rule = AnswerRule(threshold=0.5, cosine_scale=60.0, class_prior=8.0, high=0.7)
    ans = decide(store, store.vectors[[row(store, "cat")]], rule)
    assert store.index_to_key[ans.row] == "cat" and ans.confidence == "high" and ans.ranked[0][0] == ans.row
    assert store.index_to_key[ans.top_class] == "cat"
    # between two breeds: the kind they share
    between = (store.vectors[row(store, "beagle")] + store.vectors[row(store, "terrier")]) / 2
    ans = decide(store, between[None], AnswerRule(threshold=0.7, cosine_scale=10.0))
    assert store.index_to_key[ans.row] == "dog"


def test_excluded_classes_get_no_probability_and_are_never_the_answer(store):
    rule = AnswerRule(threshold=0.5, cosine_scale=60.0)
    ans = decide(store, store.vectors[[row(store, "beagle")]], rule, exclude_rows=[row(store, "beagle")])
    assert store.index_to_key[ans.row] != "beagle"
    assert ans.node_probs[row(store, "beagle")] < 1e-6 and ans.class_probs.max() < 1


def test_the_novel_share_goes_to_the_parents_not_the_classes(store):
    logits = np.array([[5.0, 1.0, 1.0]])
    p, novel = softmax_with_novel(logits, AnswerRule(novel=5.0))
    assert novel[0] == pytest.approx(p[0, 0]) and p.sum() + novel.sum() == pytest.approx(1.0)
    h = store.taxonomy
    first = store.index_to_key[h.class_rows[0]]
    nodes = node_probabilities(h, p, novel)[0]
    assert nodes[row(store, first)] == pytest.approx(p[0, 0])
    assert nodes[row(store, "animal")] == pytest.approx(1.0)  # the root keeps all of it
    assert softmax_with_novel(logits, AnswerRule())[1][0] == 0.0


def test_calibration_is_monotone_and_sharpens_with_more_photos():
    rule = AnswerRule(slope=(1.0, 0.5), intercept=(0.0, 0.0))
    p = np.linspace(0.05, 0.95, 19)
    for k in (1, 4):
        c = rule.calibrate(p, k)
        assert np.all(np.diff(c) > 0)
    assert rule.calibrate(0.8, 4) > rule.calibrate(0.8, 1)
    assert [rule.words(x) for x in (0.95, 0.7, 0.2)] == ["high", "medium", "low"]


def test_small_photos_are_weaker_evidence_when_the_rule_says_so(store):
    from visemb.answer import small_share

    assert small_share([(64, 64), (640, 480)]) == 0.5 and small_share([]) == 0.0
    rule = AnswerRule(threshold=0.5, cosine_scale=60.0, small_slope=-0.5, small_intercept=-1.0, class_prior=8.0)
    cat = store.vectors[[row(store, "cat")]]
    full, small = decide(store, cat, rule, sizes=[(640, 480)]), decide(store, cat, rule, sizes=[(64, 64)])
    at = row(store, "cat")
    assert small.node_probs[at] < full.node_probs[at] and small.image_top[0][1] < full.image_top[0][1]
    assert decide(store, cat, rule).probability == full.probability  # no sizes: full-size photos


def test_the_default_store_scores_with_the_networks_own_classifier():
    from visemb.defaults import DEFAULT_STORE

    s = Store.load(DEFAULT_STORE)
    scorer = scorer_for(s)
    assert scorer.mode == "classifier" and len(s.taxonomy.class_rows) == 1000 and scorer_for(s) is scorer


def test_a_words_labels_choose_among_the_photos_readings_but_never_overrule_them(store):
    from visemb.answer import label_prior

    rule = AnswerRule(threshold=0.5, cosine_scale=10.0, label_boost=8.0, class_prior=8.0)
    between = (store.vectors[row(store, "beagle")] + store.vectors[row(store, "terrier")]) / 2
    plain = decide(store, between[None], rule)
    assert store.index_to_key[plain.row] == "dog"  # the photo alone: one of two breeds
    named = decide(store, between[None], rule, label_rows=[row(store, "terrier")])
    assert store.index_to_key[named.row] == "terrier" and named.probability > 0.5  # the word says which
    # a word that names the kind favours every class below it, not one breed
    kind = decide(store, between[None], rule, label_rows=[row(store, "dog")])
    assert store.index_to_key[kind.row] == "dog" and kind.probability > plain.probability
    # photos that clearly show a cat stay a cat, whatever the word's labels say
    cat = decide(store, store.vectors[[row(store, "cat")]], AnswerRule(cosine_scale=60.0, label_boost=8.0,
                                                                       class_prior=8.0),
                 label_rows=[row(store, "terrier")])
    assert store.index_to_key[cat.row] == "cat"
    h = store.taxonomy
    p, novel = np.full((1, 3), 0.3), np.array([0.1])
    boosted, n2, used = label_prior(p, novel, h, [row(store, "dog")], 8.0)
    assert used and boosted.sum() + n2.sum() == pytest.approx(1.0)
    assert label_prior(p, novel, h, [], 8.0)[2] is False and label_prior(p, novel, h, [0], None)[2] is False


@pytest.fixture
def deep_store():
    return make_deep_store()


def _answer(store, photo_probs: list[dict[str, float]], rule: AnswerRule, label_rows=()):
    """The answer to photos with the given class probabilities (the rest of each photo spread thinly)."""
    tax = store.taxonomy
    classes = [store.index_to_key[r] for r in tax.class_rows]
    cp = np.array([[p.get(c, 0.0) + 1e-6 for c in classes] for p in photo_probs])
    allowed = allowed_rows(tax, store.repeats)
    ev = weigh(tax, np.log(cp), rule, allowed, label_rows)
    return conclude(tax, ev, rule, allowed, label_rows)


def _key(store, photo_probs, rule, label_rows=()) -> str:
    return store.index_to_key[_answer(store, photo_probs, rule, label_rows).row]


BEAGLE, BASSET, TERRIER = {"beagle": 0.95, "basset": 0.05}, {"basset": 0.9, "beagle": 0.1}, {"terrier": 0.97}
RULE = AnswerRule(threshold=0.7, outlier=0.1, class_prior=8.0)


def test_one_rule_for_one_photo_several_of_one_class_and_several_kinds(deep_store):
    rule = RULE
    one = _answer(deep_store, [BEAGLE], rule)
    assert deep_store.index_to_key[one.row] == "beagle"
    four = _answer(deep_store, [BEAGLE] * 4, rule)
    assert deep_store.index_to_key[four.row] == "beagle" and four.probability > one.probability
    # a photo torn between two hounds: the kind they share
    assert _key(deep_store, [{"beagle": 0.5, "basset": 0.5}], rule) == "hound"
    # photos of different breeds are examples of what they have in common, not of one breed nor of "animal"
    breeds = _answer(deep_store, [BEAGLE, BASSET, TERRIER, BEAGLE] * 2, rule)
    assert deep_store.index_to_key[breeds.row] == "dog" and breeds.probability > 0.7
    assert [deep_store.index_to_key[r] for r in breeds.kinds] == ["beagle", "basset", "terrier"]
    # six hounds and two terriers are still dogs: the terriers are not strays
    assert _key(deep_store, [BEAGLE, BASSET] * 3 + [TERRIER] * 2, rule) == "dog"


def test_one_stray_photo_does_not_pull_the_answer_up(deep_store):
    photos = [BEAGLE, BASSET, BEAGLE, BASSET, BEAGLE, BASSET, BEAGLE, {"goldfish": 0.99}]
    assert _key(deep_store, photos, RULE) == "hound"
    # without an outlier rate the goldfish must be explained too: only "animal" covers them all
    assert _key(deep_store, photos, AnswerRule(threshold=0.7, outlier=0.0, class_prior=8.0)) == "animal"


def test_a_size_prior_favours_broader_nouns_that_the_photos_can_overcome(deep_store):
    torn = [{"beagle": 0.75, "basset": 0.25}]
    assert _key(deep_store, torn, AnswerRule(threshold=0.5, class_prior=8.0)) == "beagle"
    assert _key(deep_store, torn, AnswerRule(threshold=0.5, class_prior=8.0, size_prior=3.0)) != "beagle"
    assert _key(deep_store, [BEAGLE] * 8, AnswerRule(threshold=0.5, class_prior=8.0, size_prior=3.0)) == "beagle"


def test_one_photo_cannot_tell_a_class_from_its_kind_without_the_class_prior(deep_store):
    # by the size principle alone, beagle, hound and dog all explain one beagle photo: the class gets < 0.5
    plain = _answer(deep_store, [BEAGLE], AnswerRule(threshold=0.7))
    assert deep_store.index_to_key[plain.row] != "beagle"
    assert _key(deep_store, [BEAGLE], RULE) == "beagle"


def test_the_ceiling_keeps_an_unsure_answer_near_the_likeliest_concept(deep_store):
    photo = {"beagle": 0.4, "basset": 0.05, "cat": 0.3, "goldfish": 0.25}
    assert _key(deep_store, [photo], AnswerRule(threshold=0.9, class_prior=8.0)) == "animal"
    near = _answer(deep_store, [photo], AnswerRule(threshold=0.9, ceiling=1, class_prior=8.0))
    assert deep_store.index_to_key[near.row] == "hound" and near.at_ceiling and near.probability < 0.9
    # a word whose labels name "animal" may be answered by it, whatever the ceiling
    animal = deep_store.get_index("animal")
    labelled = AnswerRule(threshold=0.9, ceiling=1, label_boost=2.0, class_prior=8.0)
    assert _key(deep_store, [photo], labelled, [animal]) == "animal"
    # a clear photo is answered as before
    assert _key(deep_store, [{"beagle": 0.95, "cat": 0.05}], AnswerRule(threshold=0.5, ceiling=1,
                                                                        class_prior=8.0)) == "beagle"


def test_a_word_means_its_named_sense_when_the_pictures_show_kinds_of_it(deep_store):
    dog, terrier = deep_store.key_to_index["dog"], deep_store.key_to_index["terrier"]
    assert _key(deep_store, [BEAGLE] * 4, RULE) == "beagle"  # pictures alone: the breed they show
    # a dictionary gives the word as "dog": beagle photos are examples of it, the answer is the word's sense
    assert _key(deep_store, [BEAGLE] * 4, RULE, label_rows=[dog]) == "dog"
    # of several named senses, the most specific one the answer is a kind of
    assert _key(deep_store, [TERRIER] * 4, RULE, label_rows=[dog, terrier]) == "terrier"
    # a named sense the pictures do not show does not move the answer
    assert _key(deep_store, [BEAGLE] * 4, RULE, label_rows=[terrier]) == "beagle"
