"""Words in other languages for WordNet synsets: Babel-ImageNet, Open Multilingual Wordnet, compact TSV."""

from __future__ import annotations

import csv
import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from visemb.sources.base import fold


# languages (ISO 639-1 and OMW's 639-3 codes) that write compounds as one word whose last part is the kind:
# German, Dutch, Swedish, Danish, Norwegian, Icelandic, Afrikaans, Frisian, Finnish, Estonian, Hungarian
HEAD_FINAL_LANGUAGES = frozenset({"de", "nl", "nld", "sv", "swe", "da", "dan", "no", "nb", "nob", "nn", "nno", "is",
                                  "isl", "af", "fy", "fi", "fin", "et", "hu", "hun"})
MIN_HEAD_LETTERS = 4
# languages whose noun phrases end in their head noun (adjective first): the compounding ones above, Slavic and
# Baltic languages, Greek, Turkish
HEAD_LAST_PHRASE_LANGUAGES = HEAD_FINAL_LANGUAGES | frozenset({
    "ru", "uk", "be", "bg", "cs", "sk", "sl", "hr", "sr", "bs", "mk", "lt", "lv", "el", "tr"})
MIN_PHRASE_HEAD_LETTERS = 3


@dataclass
class ForeignLabels:
    """``fold(word)`` -> [(wnid, language, origin)], in the order added (curated sources first).

    Attributes:
        by_word: the mapping.
    """

    by_word: dict[str, list[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, word: str, wnid: str, lang: str, origin: str) -> None:
        key = fold(word)
        if key and (wnid, lang, origin) not in self.by_word[key]:
            self.by_word[key].append((wnid, lang, origin))

    def lookup(self, word: str) -> list[tuple[str, str, str]]:
        return list(self.by_word.get(fold(word), ()))

    def lookup_as_head(self, word: str) -> list[tuple[str, str, str, str]]:
        """Labels whose last part is ``word`` and which therefore name a kind of it: [(wnid, language, origin,
        label)]. Two ways, each only in the languages that build names so:

        - one-word compounds ending in ``word`` (4 letters or more): German *Perserkatze* is a *Katze*;
        - phrases whose last word is ``word`` (3 letters or more): Russian *спортивный автомобиль* (sports car)
          is an *автомобиль*, where French *voiture de sport* puts the head first and is not used.
        """
        key = fold(word)
        if len(key) < MIN_PHRASE_HEAD_LETTERS or not key.replace("_", "").isalpha():
            return []
        out = []
        for label, rows in self.by_word.items():
            parts = label.rsplit("_", 1)
            last = parts[-1]
            if len(parts) == 2 and last == key:
                languages = HEAD_LAST_PHRASE_LANGUAGES
            elif (last != key and last.endswith(key) and len(key) >= MIN_HEAD_LETTERS
                  and len(last) - len(key) >= MIN_HEAD_LETTERS - 1):
                languages = HEAD_FINAL_LANGUAGES
            else:
                continue
            out += [(wnid, lang, origin, label) for wnid, lang, origin in rows if lang in languages]
        return sorted(out, key=lambda r: (r[3], r[0], r[1]))

    def __len__(self) -> int:
        return len(self.by_word)

    def restricted_to(self, wnids: Iterable[str]) -> "ForeignLabels":
        keep = set(wnids)
        out = ForeignLabels()
        for word, rows in self.by_word.items():
            for wnid, lang, origin in rows:
                if wnid in keep:
                    out.by_word[word].append((wnid, lang, origin))
        return out

    # -- readers -----------------------------------------------------------------------------------
    @classmethod
    def from_babel_imagenet(cls, path: str | Path, class_wnids: list[str], into: "ForeignLabels | None" = None):
        """Babel-ImageNet's ``{LANG: [[class indices], [labels]]}``; ``class_wnids[i]`` is ImageNet class i."""
        out = into or cls()
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        for lang, (indices, labels) in data.items():
            for i, label in zip(indices, labels):
                out.add(label, class_wnids[i], lang.lower(), "babel-imagenet")
        return out

    @classmethod
    def from_omw(cls, tab_files: Iterable[str | Path], into: "ForeignLabels | None" = None):
        """Open Multilingual Wordnet ``wn-data-<lang>.tab`` files (``02084071-n<TAB>fra:lemma<TAB>chien``)."""
        out = into or cls()
        for tab in tab_files:
            with open(tab, encoding="utf-8") as f:
                for line in f:
                    parts = line.rstrip("\n").split("\t")
                    if len(parts) < 3 or line.startswith("#") or not parts[0].endswith("-n"):
                        continue
                    lang, kind = parts[1].split(":", 1) if ":" in parts[1] else (parts[1], "lemma")
                    if kind != "lemma":
                        continue
                    out.add(parts[2], "n" + parts[0][:-2], lang, "omw")
        return out

    @classmethod
    def from_tsv(cls, path: str | Path, into: "ForeignLabels | None" = None):
        """The compact form written by :meth:`save_tsv` (word, wnid, lang, origin)."""
        out = into or cls()
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                out.by_word[row["word"]].append((row["wnid"], row["lang"], row["origin"]))
        return out

    def save_tsv(self, path: str | Path) -> None:
        path = Path(path)
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, delimiter="\t", lineterminator="\n")
            w.writerow(["word", "wnid", "lang", "origin"])
            for word in sorted(self.by_word):
                for wnid, lang, origin in self.by_word[word]:
                    w.writerow([word, wnid, lang, origin])
        os.replace(tmp, path)
