"""Offline, a word whose sense no shipped picture shows is answered by the dictionaries, said so; only a word no
source knows is an error. Runs on the shipped data alone."""

import json

import pytest

from visemb.defaults import DEFAULT_STORE
from visemb.dictionary_answer import CALIBRATION_NAME, DictionaryCalibration, first_share
from visemb.errors import UnknownWordError
from visemb.sources.labelled import DictionarySense
from visemb.store import Store
from visemb.translator import Translator


@pytest.fixture(scope="module")
def translator() -> Translator:
    return Translator(Store.load(DEFAULT_STORE))


def test_jirafa_is_a_giraffe_under_ruminant_on_the_map(translator):
    t = translator.word("jirafa", lang="es")
    assert (t.answer, t.sense, t.basis, t.placed_at) == ("giraffe", "giraffe.n.01", "dictionary", "ruminant")
    assert t.images == [] and "es (" in t.found and "no offline pictures" in t.notes[0]
    assert "dictionary prior" in t.notes[0] and 0 < t.probability <= 1
    assert t.rests_on == "the dictionaries' first sense → giraffe"
    assert json.loads(json.dumps(t.to_dict()))["basis"] == "dictionary"  # the --json fields


def test_baum_is_a_tree_not_a_maypole(translator):
    t = translator.word("Baum", lang="de")
    assert (t.answer, t.basis) == ("tree", "dictionary")
    assert translator.word("Baum").answer == "tree"  # in any language the German dictionary sense outweighs Baum


def test_an_english_noun_without_a_row_answers_as_itself(translator):
    t = translator.word("giraffe")
    assert (t.answer, t.basis, t.placed_at) == ("giraffe", "dictionary", "ruminant")


def test_an_inflected_form_is_looked_up_as_its_dictionary_form(translator):
    pytest.importorskip("simplemma")
    t = translator.word("árboles", lang="es")
    assert t.answer == "tree" and "the dictionary form of árboles" in t.found and t.query == "árboles"


def test_a_pictured_sense_is_still_answered_by_the_pictures(translator):
    t = translator.word("perro", lang="es", images=4)
    assert (t.answer, t.basis) == ("dog", "pictures") and len(t.images) == 4


def test_only_a_word_no_source_knows_is_an_error_and_the_library_names_no_front_end(translator):
    with pytest.raises(UnknownWordError) as err:
        translator.word("qxzvbnmw")
    assert "No source knows" in str(err.value) and "--source" not in str(err.value)


def test_calibration_bins_pick_the_highest_reached_and_fall_back_to_the_share(tmp_path):
    cal = DictionaryCalibration(((0.0, 0.5, 10), (0.7, 0.8, 10), (0.9, 0.95, 10)))
    assert [cal.probability(x) for x in (0.2, 0.75, 1.0)] == [0.5, 0.8, 0.95]
    assert DictionaryCalibration(()).probability(0.42) == 0.42
    (tmp_path / CALIBRATION_NAME).write_text(json.dumps(cal.to_dict()))
    assert DictionaryCalibration.load(tmp_path) == cal
    (tmp_path / CALIBRATION_NAME).write_text("{broken")
    assert DictionaryCalibration.load(tmp_path).bins == ()


def test_the_first_sense_share():
    senses = [DictionarySense("n1", "a.n.01", 3.0, "", False, 1), DictionarySense("n2", "b.n.01", 1.0, "", True, 1)]
    assert first_share(senses) == 0.75 and first_share(senses[:1]) == 1.0
