"""A word's senses, whatever pictures exist: the few WordNet facts translation needs (:class:`Lexicon`, from WordNet
or the shipped ``lexicon.json``), which of a word's senses its dictionaries agree on (:func:`best_agreed`), and where it
was found, in words (:func:`found_line`)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Callable, Iterable

from visemb.keys import fold


class Lexicon:
    """The few WordNet facts the source needs: ancestors of photographed classes, synset names, sense weights
    and English words. Built from WordNet, or read from ``lexicon.json`` (the offline pack: no WordNet needed).
    """

    def __init__(self, ancestors: dict[str, list[str]], names: dict[str, str], weights: dict[str, float],
                 english: dict[str, list[str]] | None):
        self.ancestors = {k: set(v) for k, v in ancestors.items()}
        self.names, self.weights, self.english = names, weights, english

    @classmethod
    def from_wordnet(cls, class_wnids) -> "Lexicon":
        from visemb.vocabulary import synset_by_wnid, usage_count, wnid_of

        ancestors, names, weights = {}, {}, {}
        for c in class_wnids:
            s = synset_by_wnid(c)
            up = list(s.closure(lambda x: x.hypernyms() + x.instance_hypernyms()))
            ancestors[c] = [wnid_of(a) for a in up]
            for x in [s, *up]:
                names[wnid_of(x)] = x.name()
                weights[wnid_of(x)] = usage_count(x) + 1.0
        return cls(ancestors, names, weights, None)

    @classmethod
    def from_json(cls, path: str | Path) -> "Lexicon":
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(d["ancestors"], d["names"], d["weights"], d["english"])

    def save_json(self, path: str | Path) -> None:
        from visemb.vocabulary import wnid_of
        from visemb.wordnet_data import wordnet

        wn = wordnet()
        english: dict[str, list[str]] = {}
        for wnid, name in self.names.items():
            for lemma in wn.synset(name).lemmas():
                word = fold(lemma.name())
                if word not in english:
                    english[word] = [wnid_of(x) for x in wn.synsets(lemma.name(), pos="n")
                                     if wnid_of(x) in self.names]
        data = {"ancestors": {k: sorted(v) for k, v in self.ancestors.items()}, "names": self.names,
                "weights": self.weights, "english": english}
        # keys sorted: WordNet's closure order varies between processes, and the committed file must not drift
        from visemb.fileio import atomic_write_text

        atomic_write_text(path, json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True))

    def english_senses(self, word: str) -> list[tuple[str, str]]:
        """[(wnid, the English lemma it was found as)] for an English noun, commonest sense first."""
        key = fold(word)
        if self.english is not None:
            for form in (key, key[:-1] if key.endswith("s") else None, key[:-2] if key.endswith("es") else None):
                if form and form in self.english:
                    return [(w, form) for w in self.english[form]]
            return []
        if not key.isascii():
            return []
        from visemb.vocabulary import wnid_of
        from visemb.wordnet_data import wordnet

        wn = wordnet()
        lemma = wn.morphy(key, wn.NOUN) or key
        return [(wnid_of(s), lemma) for s in wn.synsets(lemma, pos="n")]

    def weight(self, wnid: str) -> float:
        if wnid in self.weights:
            return self.weights[wnid]
        from visemb.vocabulary import synset_by_wnid, usage_count

        return usage_count(synset_by_wnid(wnid)) + 1.0


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
