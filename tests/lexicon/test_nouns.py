"""WordNet's nouns from the shipped pack: no WordNet needed."""

import gzip
import json

import pytest

from tests.helpers import needs_wordnet
from visemb.lexicon.nouns import PACK_FORMAT, PACK_NAME, Lexicon, LexiconPackError, WordNetLexicon
from visemb.sources.offline import OFFLINE_DIR

GIRAFFE, RUMINANT = "n02439033", "n02399000"


@pytest.fixture(scope="module")
def pack() -> Lexicon:
    return Lexicon.from_pack(OFFLINE_DIR / PACK_NAME)


def test_the_pack_holds_every_noun_of_wordnet(pack):
    assert len(pack) == 82115
    assert pack.name(GIRAFFE) == "giraffe.n.01" and pack.lemma(GIRAFFE) == "giraffe"
    assert pack.name("n99999999") is None and not pack.knows("n99999999")
    with pytest.raises(KeyError):
        pack.weight("n99999999")


def test_english_words_plurals_and_irregular_plurals(pack):
    assert [w for w, _ in pack.english_senses("giraffe")] == [GIRAFFE]
    assert pack.english_senses("Giraffes")[0] == (GIRAFFE, "giraffe")
    assert pack.name(pack.english_senses("geese")[0][0]) == "goose.n.01"
    assert pack.name(pack.english_senses("ice cream")[0][0]) == "ice_cream.n.01"
    assert pack.english_senses("jirafa") == [] and pack.english_senses("") == []
    assert [pack.name(w) for w, _ in pack.english_senses("tree")][0] == "tree.n.01"  # the commonest sense first


def test_ancestors_nearest_and_children(pack):
    assert RUMINANT in pack.ancestors_of(GIRAFFE) and GIRAFFE not in pack.ancestors_of(GIRAFFE)
    assert pack.nearest(GIRAFFE, lambda w: pack.name(w) == "ruminant.n.01") == RUMINANT
    assert pack.nearest(GIRAFFE, lambda w: False) is None
    assert GIRAFFE in pack.children(pack.parents(GIRAFFE)[0])


@pytest.mark.parametrize("content", [b"not gzip", gzip.compress(b"{}"), gzip.compress(b"[1, 2]"),
                                     gzip.compress(json.dumps({"format": PACK_FORMAT, "ids": [1]}).encode()),
                                     gzip.compress(json.dumps({"format": PACK_FORMAT, "ids": ["a"], "names": [],
                                                               "counts": [], "parents": [], "english": {}}).encode())])
def test_a_damaged_pack_is_refused_with_a_clear_message(tmp_path, content):
    path = tmp_path / PACK_NAME
    path.write_bytes(content)
    with pytest.raises(LexiconPackError, match=PACK_NAME):
        Lexicon.from_pack(path)


@needs_wordnet
def test_wordnet_and_the_pack_agree(pack):
    wn = WordNetLexicon()
    for wnid in (GIRAFFE, RUMINANT, "n13104059"):
        assert wn.name(wnid) == pack.name(wnid) and wn.weight(wnid) == pack.weight(wnid)
        assert wn.ancestors_of(wnid) == pack.ancestors_of(wnid)
    for word in ("giraffe", "trees", "geese", "dog"):
        assert [w for w, _ in wn.english_senses(word)] == [w for w, _ in pack.english_senses(word)]
