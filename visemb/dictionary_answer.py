"""An answer from the dictionaries alone, where no picture of a word's sense is at hand: *jirafa* -> giraffe, placed
on the map at its nearest ancestor that has a row (*ruminant*).

Its probability is not a picture posterior: it is how often the dictionaries' first sense was right on everyday
words they were not built from, for answers whose first sense holds as large a share of the senses' weight
(:class:`DictionaryCalibration`, measured on the selection half of ``python -m evaluation.dictionary`` and shipped as
``dictionary_calibration.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from visemb.answer_rule import AnswerRule
from visemb.lexicon.nouns import Lexicon
from visemb.sources.labelled import DictionarySense
from visemb.store import Store
from visemb.translate import Translation

CALIBRATION_NAME = "dictionary_calibration.json"
BASIS_NOTE = ("how often the dictionaries' first sense was right on everyday words they were not built from, whose "
              "first sense held as large a share: a dictionary prior, not a picture posterior")


@dataclass(frozen=True)
class DictionaryCalibration:
    """Accuracy of the dictionaries' first sense by the share of the senses' weight it holds: ``bins`` are
    (lowest share, accuracy, words) from the lowest share up; ``measured_on`` says on what."""

    bins: tuple[tuple[float, float, int], ...]
    measured_on: str = ""

    def probability(self, share: float) -> float:
        """The accuracy of the highest bin whose lowest share ``share`` reaches (the share itself, uncalibrated,
        when there are no bins)."""
        chosen = None
        for low, accuracy, _ in self.bins:
            if share >= low:
                chosen = accuracy
        return float(share if chosen is None else chosen)

    @classmethod
    def load(cls, folder: str | Path) -> "DictionaryCalibration":
        """The shipped calibration in ``folder`` (uncalibrated when there is none or it cannot be read)."""
        try:
            d = json.loads((Path(folder) / CALIBRATION_NAME).read_text(encoding="utf-8"))
            bins = tuple((float(lo), float(acc), int(n)) for lo, acc, n in d["bins"])
            return cls(tuple(sorted(bins)), str(d.get("measured_on", "")))
        except (OSError, ValueError, KeyError, TypeError):
            return cls(())

    def to_dict(self) -> dict:
        return {"bins": [list(b) for b in self.bins], "measured_on": self.measured_on}


def first_share(senses: Sequence[DictionarySense]) -> float:
    """The first sense's share of the senses' weight (1.0 for a word with one sense)."""
    total = sum(s.weight for s in senses)
    return senses[0].weight / total if total > 0 else 0.0


def row_of(store: Store, name: str) -> int | None:
    """The store's row for synset ``name``, if it has one."""
    rows = store.taxonomy.rows_of(name)
    return int(rows[0]) if len(rows) else None


def placement(store: Store, lexicon: Lexicon, wnid: str) -> str:
    """The store key that stands for sense ``wnid`` on the map: its own row's, else its nearest ancestor's with a
    row; empty when none has one."""
    name = lexicon.name(wnid)
    own = row_of(store, name) if name else None
    if own is not None:
        return store.index_to_key[own]
    up = lexicon.nearest(wnid, lambda w: bool(lexicon.name(w)) and row_of(store, lexicon.name(w)) is not None)
    return store.index_to_key[row_of(store, lexicon.name(up))] if up else ""


def dictionary_translation(query: str, senses: Sequence[DictionarySense], found: str, store: Store,
                           lexicon: Lexicon, calibration: DictionaryCalibration, rule: AnswerRule,
                           source: str = "offline", why: str = "no offline pictures") -> Translation:
    """The translation of ``query`` whose first sense (``senses[0]``) no picture shows: that sense, named by its
    English lemma, with its dictionary probability, placement and the other senses offered."""
    first = senses[0]
    share = first_share(senses)
    probability = calibration.probability(share)
    placed = placement(store, lexicon, first.wnid)
    answer = lexicon.lemma(first.wnid).replace(" ", "_")
    own = row_of(store, first.name)
    if own is not None:
        answer = store.index_to_key[own]
    notes = [f"{why}: answered by the dictionaries' first sense, {first.name} (found as {first.how}); its "
             f"probability is {BASIS_NOTE}"]
    if placed and placed != answer:
        notes.append(f"on the map it is placed at its nearest ancestor with a row: {placed.replace('_', ' ')}")
    others = senses[1:4]
    if others:
        notes.append("other senses: " + ", ".join(f"{s.name}{'' if s.pictured else ' (no pictures)'}"
                                                   for s in others))
    return Translation(query=query, source=source, images=[], candidates=[], image_top=[], coherence=None,
                       agreement=0.0, confidence=rule.words(probability), answer=answer, probability=probability,
                       specific=answer, notes=notes, found=found, basis="dictionary", sense=first.name,
                       placed_at=placed,
                       senses_offered=[{"sense": s.name, "weight": s.weight, "pictured": s.pictured,
                                        "found": s.how} for s in senses[:8]])
