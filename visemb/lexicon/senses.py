"""A word's senses, whatever pictures exist: WordNet's noun facts (:class:`Lexicon`, from the shipped pack or
WordNet; :mod:`visemb.lexicon.nouns`), which of a word's senses its dictionaries agree on (:func:`best_agreed`), and
where it was found, in words (:func:`found_line`)."""

from __future__ import annotations

from collections import defaultdict
from typing import Callable, Iterable

from visemb.lexicon.nouns import Lexicon, WordNetLexicon

__all__ = ["Lexicon", "WordNetLexicon", "best_agreed", "found_line"]


def best_agreed(found: dict[str, list[tuple[str, str]]], senses: Iterable[str]) -> set[str]:
    """Those of ``senses`` that, in some language, as many of its lexicons give as give any sense there (``found``:
    wnid -> [(language, lexicon)]). German *Bär* is bear in CLDR and FreeDict, a pile driver's monkey in FreeDict
    alone: bear stays; Swedish *bär* (berry) stays beside it; English 'crane' keeps its senses, one lexicon each.
    A sense no lexicon gives as the word itself (found as the end of labels: *Katze* in *Perserkatze*) stays."""
    senses = list(senses)
    per_language: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for wnid in senses:
        for la, _ in found.get(wnid, ()):
            per_language[la][wnid] += 1
    kept = {w for w in senses if not found.get(w)}
    for counts in per_language.values():
        most = max(counts.values())
        kept.update(w for w, n in counts.items() if n == most)
    return kept


def found_line(word: str, senses: list[tuple[str, list[tuple[str, str]]]], name_of: Callable[[str], str],
               most: int = 4) -> str:
    """Where ``word`` was found, a language at a time: ``perro — es (FreeDict, CLDR emoji names): dog``."""
    by_language: dict[str, tuple[list[str], list[str]]] = {}
    for wnid, places in senses:
        noun = name_of(wnid).split(".", 1)[0].replace("_", " ")
        for lang, lexicon in places:
            lexicons, nouns = by_language.setdefault(lang, ([], []))
            lexicons += [lexicon] if lexicon not in lexicons else []
            nouns += [noun] if noun not in nouns else []
    parts = [f"{lang} ({', '.join(lexicons)}): {', '.join(nouns[:most])}{' …' if len(nouns) > most else ''}"
             for lang, (lexicons, nouns) in by_language.items()]
    return f"{word} — {'; '.join(parts)}" if parts else ""
