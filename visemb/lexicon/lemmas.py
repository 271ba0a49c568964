"""A word's dictionary form, offline: *рыбы* -> рыба, *Bücher* -> Buch, *kemeri* -> kemer (simplemma, MIT, its
dictionaries streamed from disk: about 15 MB and 1 s per language on first use, then cached).

Only a word's own language is tried: the one given, or in any language the one its script names alone (Greek: el;
Cyrillic: Russian, then Ukrainian and Bulgarian; Arabic script: Arabic, then Persian). A Latin-script word needs its
language: trying a dozen would cost a dozen seconds and as many dictionaries in memory.
"""

from __future__ import annotations

import threading
import unicodedata

from visemb.lexicon.foreign_labels import ANY_LANGUAGE, language_code

# simplemma's languages that the shipped lexicons also have
LEMMA_LANGUAGES = frozenset({"ar", "bg", "ca", "cs", "da", "de", "el", "es", "fa", "fi", "fr", "gl", "he", "hu", "id",
                             "is", "it", "lt", "nb", "nl", "pl", "pt", "ru", "sk", "sl", "sq", "sv", "tr", "uk"})
SCRIPT_LANGUAGES = {"GREEK": ("el",), "CYRILLIC": ("ru", "uk", "bg"), "ARABIC": ("ar", "fa")}
_lock = threading.Lock()
_lemmatizer = None


def _script(word: str) -> str:
    """The Unicode script of the word's first letter (``LATIN``, ``CYRILLIC``…), or empty."""
    for ch in word:
        if ch.isalpha():
            return unicodedata.name(ch, "").split(" ", 1)[0]
    return ""


def languages_to_try(word: str, lang: str | None) -> tuple[str, ...]:
    """The languages whose dictionary form of ``word`` is looked for."""
    code = language_code(lang)
    if code not in ANY_LANGUAGE:
        return (code,) if code in LEMMA_LANGUAGES else ()
    return SCRIPT_LANGUAGES.get(_script(word), ())


def lemma_forms(word: str, lang: str | None) -> list[tuple[str, str]]:
    """[(dictionary form, language)] of ``word`` that differ from it, in the languages :func:`languages_to_try`
    gives; empty where simplemma is not installed."""
    out = []
    for code in languages_to_try(word, lang):
        lemma = _lemmatize(word, code)
        if lemma and lemma.casefold() != word.casefold() and (lemma, code) not in out:
            out.append((lemma, code))
    return out


def _lemmatize(word: str, code: str) -> str | None:
    global _lemmatizer
    with _lock:
        if _lemmatizer is None:
            try:
                from simplemma import Lemmatizer
                from simplemma.strategies import LOW_MEMORY_DICTIONARY_FACTORY, DefaultStrategy
            except ImportError:
                return None
            _lemmatizer = Lemmatizer(lemmatization_strategy=DefaultStrategy(
                dictionary_factory=LOW_MEMORY_DICTIONARY_FACTORY))
        try:
            return _lemmatizer.lemmatize(word, code)
        except (ValueError, KeyError, OSError):
            return None
