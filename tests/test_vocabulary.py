"""visemb/vocabulary.py and wordnet_data.py: WordNet nouns under the article's rule; clear errors when absent."""

import functools

import pytest
from tests.helpers import needs_shared

from visemb import wordnet_data
from visemb.errors import WordNetMissingError

pytestmark = needs_shared


@pytest.fixture(scope="module")
def article_nouns():
    from visemb.vocabulary import wordnet_nouns

    return wordnet_nouns("article", imagenet_ids={"n02084071"})


def test_article_rule_counts(article_nouns):
    assert 39_000 < len(article_nouns) < 40_500
    assert all(len(n.key) > 2 and n.key.isalpha() for n in article_nouns)


def test_noun_record_fields(article_nouns):
    dog = next(n for n in article_nouns if n.key == "dog")
    assert dog.synsets[0] == "dog.n.01"
    assert dog.category == "noun.animal" and "domesticated" in dog.gloss
    assert dog.hypernyms[0] == "entity.n.01" and dog.hypernyms[-1] == "dog.n.01"
    assert {"canine.n.02", "domestic_animal.n.01", "animal.n.01"} <= set(dog.ancestors)  # both of dog's paths
    assert "canine.n.02" in dog.hypernyms  # the stored path is the longer, taxonomic one
    assert dog.imagenet_id == "n02084071"


def test_every_hypernym_path_is_recorded_and_the_stored_path_is_stable(tmp_path):
    """house.n.01 is a building and a dwelling: both are among its ancestors, and the one stored path (the
    longest, then by name) is the same in every process, whatever Python's hash seed (NLTK's order is not)."""
    import json
    import os
    import subprocess
    import sys

    from visemb.vocabulary import noun_for_synset, synset_by_wnid

    house = noun_for_synset(synset_by_wnid("n03544360"))
    assert {"building.n.01", "dwelling.n.01", "structure.n.01"} <= set(house.ancestors)
    assert "house.n.01" not in house.ancestors and house.hypernyms[-1] == "house.n.01"
    script = ("import json; from visemb.vocabulary import noun_for_synset, synset_by_wnid; "
              "print(json.dumps([noun_for_synset(synset_by_wnid(w)).hypernyms for w in ('n03544360', 'n02916936')]))")
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3", "4")]
    assert len(set(runs)) == 1, runs
    assert json.loads(runs[0])[0][-2] == "dwelling.n.01"  # through dwelling (9 synsets), not building (8)


def test_lemmas_rule_has_more_words():
    from visemb.vocabulary import wordnet_nouns

    assert len(wordnet_nouns("lemmas")) == 54_891
    with pytest.raises(ValueError, match="Unknown vocabulary rule"):
        wordnet_nouns("everything")


def test_ancestors_and_descendants():
    from visemb.vocabulary import descendants_within, synset_by_wnid, with_ancestors

    beagle = synset_by_wnid("n02088364")
    names = {s.name() for s in with_ancestors([beagle])}
    assert {"beagle.n.01", "hound.n.01", "dog.n.01", "animal.n.01", "entity.n.01"} <= names
    dog = synset_by_wnid("n02084071")
    assert descendants_within(dog, {"beagle.n.01", "tabby.n.01"}) == ["beagle.n.01"]


def test_missing_wordnet_message(monkeypatch, tmp_path):
    import nltk

    monkeypatch.setenv("NLTK_DATA", str(tmp_path))
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    monkeypatch.setattr(wordnet_data, "DEBIAN_WORDNET", tmp_path / "none")
    monkeypatch.setattr(wordnet_data, "wordnet", functools.cache(wordnet_data.wordnet.__wrapped__))
    with pytest.raises(WordNetMissingError) as err:
        wordnet_data.wordnet()
    for way in ("nltk.download", "apt-get install wordnet-base", "NLTK_DATA"):
        assert way in str(err.value)


def test_debian_layout_gets_lexnames(monkeypatch, tmp_path, shared):
    import shutil

    debian = tmp_path / "usr-share-wordnet"
    shutil.copytree(shared / "wordnet" / "nltk_data" / "corpora" / "wordnet", debian)
    (debian / "lexnames").unlink()
    monkeypatch.setattr(wordnet_data, "DEBIAN_WORDNET", debian)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = wordnet_data._debian_as_nltk_root()
    made = (root / "corpora" / "wordnet" / "lexnames").read_text()
    assert made == (shared / "wordnet" / "nltk_data" / "corpora" / "wordnet" / "lexnames").read_text()
