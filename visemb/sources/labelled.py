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
import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Callable, Iterable

from visemb.errors import NoImagesError, SourceUnavailableError
from visemb.sources.base import FetchResult, ImageSource, clean_query, fold
from visemb.sources.foreign_labels import ANY_LANGUAGE, ForeignLabels, language_code, lexicon_name

CURATED_BONUS = 5.0
CURATED_ORIGINS = frozenset({"babel-imagenet", "cldr"})
COMPOUND_NOTE = ", which ends in the word"


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
            self._lexicon = Lexicon.from_wordnet(sorted(self.photos))
        return self._lexicon

    def synset_name(self, wnid: str) -> str:
        return self.lexicon.names.get(wnid, wnid)

    # -- senses ------------------------------------------------------------------------------------
    def senses(self, word: str, lang: str | None = None) -> list[tuple[str, float, str]]:
        """Senses of ``word`` that have photos: [(wnid, weight, how found)], heaviest first; only labels in
        ``lang`` (ISO 639-1; None or ``any``: every language, English nouns included)."""
        return self._senses(word, lang)[0]

    def named_senses(self, word: str, lang: str | None = None) -> list[str]:
        """Synset names of every sense the labels give ``word``, pictured or not, heaviest first (none for a word
        only known as the end of labels)."""
        ranked, unpictured, approximate, _ = self._senses(clean_query(word), lang)
        if approximate:
            return []
        names = [self.synset_name(w) for w, _, _ in ranked] + [self.synset_name(w) for w, _ in unpictured]
        return list(dict.fromkeys(n for n in names if ".n." in n))  # ids the lexicon cannot name are left out

    def _senses(self, word: str, lang: str | None) -> tuple[list[tuple[str, float, str]], list[tuple[str, str]],
                                                            bool, dict[str, list[tuple[str, str]]]]:
        """(senses with photos, [(wnid, language)] of labels found whose nouns have no photo, approximate,
        wnid -> [(language, lexicon)] where the word was found)."""
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
            if wnid not in lex.names and lex.english is not None:
                unpictured.append((wnid, la))
                continue
            try:
                base = lex.weight(wnid)
            except Exception:  # an id WordNet 3.0 does not know
                continue
            bonus = CURATED_BONUS if origin in CURATED_ORIGINS else 0.0
            weights[wnid] = max(weights.get(wnid, 0.0), base + bonus)
            how.setdefault(wnid, f"{la} ({lexicon_name(origin)})")
        approximate = False
        if not weights and not unpictured:  # unknown as a word: the head of labels? ('Perserkatze' is a 'Katze')
            for wnid, la, origin, label in self.foreign.lookup_as_head(word):
                if (wnid not in lex.names and lex.english is not None) or (code not in ANY_LANGUAGE and la != code):
                    continue
                weights.setdefault(wnid, lex.weight(wnid))
                how.setdefault(wnid, f"{la} '{label}'{COMPOUND_NOTE}")
                approximate = True
        pictured = [w for w in weights if self.photos_under(w)]
        agreed = best_agreed(found, pictured)
        ranked = [(w, weights[w], how[w]) for w in pictured if w in agreed]
        unpictured += [(w, how[w]) for w in weights if not self.photos_under(w)]
        return sorted(ranked, key=lambda t: (-t[1], t[0])), unpictured, approximate, found

    def restricted(self, keep: Callable[[str], bool]) -> "LabelledSource":
        """A copy serving only the photos of the classes ``keep`` accepts (same labels, same lexicon)."""
        out = copy.copy(self)
        out.photos = defaultdict(list, {w: p for w, p in self.photos.items() if keep(w)})  # a cache of its own too
        return out

    def photos_under(self, wnid: str) -> list[str]:
        """Photos of ``wnid`` and its hyponyms, interleaved class by class (so a few photos span breeds)."""
        if wnid in self._closure_cache:
            return self._closure_cache[wnid]
        anc = self.lexicon.ancestors
        classes = sorted(c for c in self.photos if c == wnid or wnid in anc.get(c, ()))
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
        senses, unpictured, approximate, found_in = self._senses(word, lang)
        if not senses:
            raise NoImagesError(self._why_none(word, lang, unpictured))
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
                name = self.foreign.english_name(wnid) or self.lexicon.names.get(wnid, wnid)
                names.append(f"{name} ({la})")
            return (f"{word!r} is a known label of {', '.join(names)}, but the offline photos have no picture of "
                    "it; a web image source (e.g. bing) would find some")
        where = "" if code in ANY_LANGUAGE else f" in language {code!r}"
        others = [la for _, la, _ in self.foreign.lookup(word)] if code not in ANY_LANGUAGE else []
        hint = f" (it is a label in: {', '.join(sorted(set(others)))})" if others else ""
        langs = self.foreign.languages()
        known = (f"; the offline labels name the photographed nouns in {len(langs)} languages "
                 f"({', '.join(langs[:12])}{'…' if len(langs) > 12 else ''}), mostly as breeds, species and objects, "
                 "so a common word may be missing; a web image source (e.g. --source bing) searches any word"
                 ) if langs else ""
        return (f"No photos for {word!r}: it is neither an English noun nor a known foreign label{where} of a "
                f"photographed noun{hint}{known}")


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
