"""The ``labelled`` source: photos labelled with WordNet synsets, found by a word in any language.

The offline stand-in for an image search. A word is looked up as an English WordNet noun (with morphy) and
in the foreign labels; each sense found draws photos of its synset and of its hyponyms. Senses are ranked
the way a search engine's results lean: by WordNet's sense frequency (the SemCor counts of the synset's
lemmas, +1), a curated label (a Babel-ImageNet class label, or a CLDR emoji name: the everyday sense) counting
as 5 extra; the k photos are shared between
senses in proportion to these weights (largest remainder), so the commonest sense gets most of them.

A word found nowhere may be the last part of labels in languages that name kinds that way (German *Katze*:
*Perserkatze*, *Siamkatze*; Russian *автомобиль*: *спортивный автомобиль*); their photos stand in, with a note
saying so.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from visemb.errors import NoImagesError, SourceUnavailableError, UnknownWordError
from visemb.sources.base import FetchResult, ImageSource, clean_query
from visemb.lexicon.foreign_labels import ANY_LANGUAGE, ForeignLabels, language_code, lexicon_name
from visemb.lexicon.senses import Lexicon, WordNetLexicon, best_agreed, found_line

CURATED_BONUS = 5.0


@dataclass(frozen=True)
class DictionarySense:
    """One sense a word's labels and lexicons give it: its id and synset name, weight (SemCor count + 1, more for a
    curated label), how it was found, whether the photos show it, and in how many lexicons it was found."""

    wnid: str
    name: str
    weight: float
    how: str
    pictured: bool
    lexicons: int
CURATED_ORIGINS = frozenset({"babel-imagenet", "cldr"})
COMPOUND_NOTE = ", which ends in the word"


class LabelledSource(ImageSource):
    """Photos from a CSV of ``path,wnid[,set]``.

    Args:
        labels_csv: the CSV; paths are relative to ``root`` (default: the CSV's folder).
        foreign: foreign-language labels (optional).
        sets: keep only rows whose ``set`` is one of these.
        exclude: photo paths (as in the CSV) never served.
        lexicon: WordNet facts (default: from WordNet itself).
    """

    name = "labelled"

    def __init__(self, labels_csv: str | Path, root: str | Path | None = None, foreign: ForeignLabels | None = None,
                 sets: tuple[str, ...] | None = None, exclude: set[str] | frozenset = frozenset(),
                 lexicon: Lexicon | None = None):
        self.labels_csv = Path(labels_csv)
        self.root = Path(root) if root else self.labels_csv.parent
        self.foreign = foreign or ForeignLabels()
        self.sets = sets
        if not self.labels_csv.is_file():
            raise SourceUnavailableError(f"Labelled photos not found: {self.labels_csv} is missing")
        photos: dict[str, list[str]] = defaultdict(list)
        with open(self.labels_csv, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                if sets and row.get("set") not in sets:
                    continue
                if row["path"] in exclude:
                    continue
                photos[row["wnid"]].append(row["path"])
        self.photos = photos
        self._lexicon = lexicon

    @property
    def photos(self) -> dict[str, list[str]]:
        """Class (wnid) -> its photos' paths, relative to ``root``."""
        return self._photos

    @photos.setter
    def photos(self, photos: dict[str, list[str]]) -> None:
        self._photos = photos
        self._closure_cache: dict[str, list[str]] = {}  # photos_under's answers hold for these photos only

    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            self._lexicon = WordNetLexicon()
        return self._lexicon

    def synset_name(self, wnid: str) -> str:
        return self.lexicon.name(wnid) or wnid

    # -- senses ------------------------------------------------------------------------------------
    def senses(self, word: str, lang: str | None = None) -> list[tuple[str, float, str]]:
        """Senses of ``word`` that have photos: [(wnid, weight, how found)], heaviest first; only labels in
        ``lang`` (ISO 639-1; None or ``any``: every language, English nouns included)."""
        return self._senses(word, lang)[0]

    def dictionary_senses(self, word: str, lang: str | None = None) -> tuple[list[DictionarySense], str]:
        """Every sense the labels and lexicons agree ``word`` has, pictured or not, heaviest first, and where it was
        found in words; nothing for a word known only as the end of labels (that guess is for pictures alone)."""
        word = clean_query(word)
        *_, approximate, found, every = self._senses(word, lang)
        if approximate or not every:
            return [], ""
        line = found_line(word, [(w, found.get(w, [])) for w, *_ in every], self.synset_name)
        return [DictionarySense(w, self.synset_name(w), weight, how, pictured, len(found.get(w, ())))
                for w, weight, how, pictured in every], line

    def named_senses(self, word: str, lang: str | None = None) -> list[str]:
        """Synset names of every sense the labels give ``word``, pictured or not, heaviest first (none for a word
        only known as the end of labels)."""
        ranked, unpictured, approximate, *_ = self._senses(clean_query(word), lang)
        if approximate:
            return []
        names = [self.synset_name(w) for w, _, _ in ranked] + [self.synset_name(w) for w, _ in unpictured]
        return list(dict.fromkeys(n for n in names if ".n." in n))  # ids the lexicon cannot name are left out

    def _senses(self, word: str, lang: str | None) -> tuple[list[tuple[str, float, str]], list[tuple[str, str]],
                                                            bool, dict[str, list[tuple[str, str]]],
                                                            list[tuple[str, float, str, bool]]]:
        """(senses with photos, [(wnid, language)] of labels found whose nouns have no photo, approximate,
        wnid -> [(language, lexicon)] where the word was found, [(wnid, weight, how, pictured)] of every sense the
        lexicons agree on, heaviest first)."""
        lex = self.lexicon
        code = language_code(lang)
        weights: dict[str, float] = {}
        how: dict[str, str] = {}
        if code in ANY_LANGUAGE or code == "en":
            for wnid, lemma in lex.english_senses(word):
                weights[wnid] = lex.weight(wnid)
                how[wnid] = f"English '{lemma}'"
        unpictured: list[tuple[str, str]] = []
        found: dict[str, list[tuple[str, str]]] = defaultdict(list)  # wnid -> [(language, lexicon)]
        for wnid in weights:
            found[wnid].append(("en", "WordNet"))
        for wnid, la, origin in self.foreign.lookup(word, code):
            if (la, lexicon_name(origin)) not in found[wnid]:
                found[wnid].append((la, lexicon_name(origin)))
            try:
                base = lex.weight(wnid)
            except KeyError:  # an id WordNet 3.0 does not know
                continue
            bonus = CURATED_BONUS if origin in CURATED_ORIGINS else 0.0
            weights[wnid] = max(weights.get(wnid, 0.0), base + bonus)
            how.setdefault(wnid, f"{la} ({lexicon_name(origin)})")
        approximate = False
        if not weights and not unpictured:  # unknown as a word: the head of labels? ('Perserkatze' is a 'Katze')
            for wnid, la, origin, label in self.foreign.lookup_as_head(word):
                if not lex.knows(wnid) or (code not in ANY_LANGUAGE and la != code):
                    continue
                weights.setdefault(wnid, lex.weight(wnid))
                how.setdefault(wnid, f"{la} '{label}'{COMPOUND_NOTE}")
                approximate = True
        pictured = [w for w in weights if self.photos_under(w)]
        agreed = best_agreed(found, pictured)
        ranked = [(w, weights[w], how[w]) for w in pictured if w in agreed]
        unpictured += [(w, how[w]) for w in weights if not self.photos_under(w)]
        every = [(w, weights[w], how[w], bool(self.photos_under(w))) for w in best_agreed(found, weights)]
        return (sorted(ranked, key=lambda t: (-t[1], t[0])), unpictured, approximate, found,
                sorted(every, key=lambda t: (-t[1], t[0])))

    def restricted(self, keep: Callable[[str], bool]) -> "LabelledSource":
        """A copy serving only the photos of the classes ``keep`` accepts (same labels, same lexicon)."""
        out = copy.copy(self)
        out.photos = defaultdict(list, {w: p for w, p in self.photos.items() if keep(w)})  # a cache of its own too
        return out

    def photos_under(self, wnid: str) -> list[str]:
        """Photos of ``wnid`` and its hyponyms, interleaved class by class (so a few photos span breeds)."""
        if wnid in self._closure_cache:
            return self._closure_cache[wnid]
        classes = sorted(c for c in self.photos if c == wnid or wnid in self.lexicon.ancestors_of(c))
        lists = [self.photos[c] for c in classes]
        lists.sort(key=lambda l: _stable_hash(wnid + l[0]))
        interleaved = [p for round_ in _zip_longest(lists) for p in round_]
        self._closure_cache[wnid] = interleaved
        return interleaved

    def fetch_class(self, wnid: str, k: int) -> FetchResult:
        """Photos labelled exactly ``wnid`` (no hyponyms, no sense search): how a store's own class is built."""
        paths = [self.root / p for p in self.photos.get(wnid, [])[:k]]
        if not paths:
            raise NoImagesError(f"No photos labelled {wnid}")
        return FetchResult(wnid, paths, {str(p): wnid for p in paths})

    def fetch(self, word: str, k: int = 8, dest: str | Path | None = None, lang: str | None = None) -> FetchResult:
        word = clean_query(word)
        senses, unpictured, approximate, found_in, _ = self._senses(word, lang)
        if not senses:
            raise (NoImagesError if unpictured else UnknownWordError)(self._why_none(word, lang, unpictured))
        quota = _allocate(k, [w for _, w, _ in senses], [len(self.photos_under(s)) for s, _, _ in senses])
        paths, origins, notes = [], {}, []
        if approximate:
            notes.append(f"{word!r} is not a known label; these are photos of labels that end in it (a compound or "
                         "phrase usually names a kind of its last part, though not always: Dutch 'zwijn' ends in "
                         "'wijn')")
        for (wnid, weight, how), n in zip(senses, quota):
            if n == 0:
                continue
            name = self.synset_name(wnid)
            notes.append(f"{n} photo(s) of {name} (found as {how}, weight {weight:g})")
            for rel in self.photos_under(wnid)[:n]:
                p = self.root / rel
                paths.append(p)
                origins[str(p)] = name
        named = [] if approximate else [self.synset_name(w) for w, _, _ in senses]
        found = "" if approximate else found_line(word, [(w, found_in.get(w, [])) for w, _, _ in senses],
                                                   self.synset_name)
        return FetchResult(word, paths, origins, notes, approximate=approximate, senses=named, found=found)

    def _why_none(self, word: str, lang: str | None, unpictured: list[tuple[str, str]]) -> str:
        """Why ``word`` got no photos, and what to try."""
        code = language_code(lang)
        if unpictured:
            names = []
            for wnid, la in list(dict.fromkeys(unpictured))[:3]:  # one row per lexicon: each sense named once
                name = self.foreign.english_name(wnid) or self.synset_name(wnid)
                names.append(f"{name} ({la})")
            return (f"{word!r} is a known word for {', '.join(names)}, but the offline photos have no picture of "
                    "it; a web image source would find some")
        where = "" if code in ANY_LANGUAGE else f" in language {code!r}"
        others = [la for _, la, _ in self.foreign.lookup(word)] if code not in ANY_LANGUAGE else []
        hint = f" (it is a label in: {', '.join(sorted(set(others)))})" if others else ""
        langs = self.foreign.languages()
        known = (f"; the shipped dictionaries and labels cover {len(langs)} languages "
                 f"({', '.join(langs[:12])}{'…' if len(langs) > 12 else ''}), and a rare word or a name may be "
                 "missing") if langs else ""
        return f"No source knows {word!r}: it is neither an English noun nor a known word{where}{hint}{known}"


def _stable_hash(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def _zip_longest(lists: list[list[str]]):
    for i in range(max((len(l) for l in lists), default=0)):
        yield [l[i] for l in lists if i < len(l)]


def _allocate(k: int, weights: list[float], available: list[int]) -> list[int]:
    """Share ``k`` photos between senses by weight (largest remainder), never more than a sense has."""
    quota = [0] * len(weights)
    remaining = k
    active = [i for i in range(len(weights)) if available[i] > 0]
    while remaining > 0 and active:
        total = sum(weights[i] for i in active)
        shares = {i: remaining * weights[i] / total for i in active}
        give = {i: min(math.floor(shares[i]), available[i] - quota[i]) for i in active}
        left = remaining - sum(give.values())
        for i in sorted(active, key=lambda i: -(shares[i] - math.floor(shares[i]))):
            if left <= 0:
                break
            if quota[i] + give[i] < available[i]:
                give[i] += 1
                left -= 1
        for i in active:
            quota[i] += give[i]
        remaining = k - sum(quota)
        active = [i for i in active if quota[i] < available[i]]
        if sum(give.values()) == 0:
            break
    return quota
