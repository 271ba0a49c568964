"""A word's dictionary form, in its own language only."""

import pytest

from visemb.lexicon.lemmas import languages_to_try, lemma_forms


def test_which_languages_are_tried():
    assert languages_to_try("Bücher", "de") == ("de",)
    assert languages_to_try("Bücher", None) == ()  # a Latin-script word needs its language
    assert languages_to_try("рыбы", "any") == ("ru", "uk", "bg")
    assert languages_to_try("δέντρα", None) == ("el",)
    assert languages_to_try("words", "tlh") == ()  # no lemmatizer for it


@pytest.mark.parametrize("word, lang, lemma", [("Bücher", "de", "Buch"), ("рыбы", None, "рыба"),
                                               ("kemeri", "tr", "kemer"), ("jirafas", "es", "jirafa")])
def test_inflected_forms_find_their_dictionary_form(word, lang, lemma):
    pytest.importorskip("simplemma")
    assert lemma in [form for form, _ in lemma_forms(word, lang)]


def test_a_word_already_in_its_dictionary_form_gives_nothing_new():
    pytest.importorskip("simplemma")
    assert lemma_forms("Buch", "de") == []
