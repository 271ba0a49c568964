"""Words in other languages for WordNet synsets: Babel-ImageNet, Open Multilingual Wordnet, compact TSV."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Iterable

from visemb.collector import collector_paused
from visemb.keys import fold, surface
from visemb.lexicon.packed_rows import PackedRows


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


# Open Multilingual Wordnet's ISO 639-3 codes -> the ISO 639-1 codes Babel-ImageNet and users write
ISO_639_1 = {"fra": "fr", "ita": "it", "nld": "nl", "pol": "pl", "por": "pt", "cmn": "zh", "qcn": "zh", "cat": "ca",
             "eus": "eu", "glg": "gl", "arb": "ar", "heb": "he", "ell": "el", "bul": "bg", "hrv": "hr", "slv": "sl",
             "slk": "sk", "lit": "lt", "dan": "da", "swe": "sv", "nob": "no", "nno": "no", "isl": "is", "fas": "fa",
             "ind": "id", "zsm": "ms", "als": "sq", "fin": "fi", "jpn": "ja", "spa": "es", "deu": "de", "rus": "ru",
             "hun": "hu", "est": "et", "nor": "no", "nb": "no", "nn": "no"}
ANY_LANGUAGE = ("", "any", None)
# how each lexicon is named to users
LEXICON_NAMES = {"babel-imagenet": "Babel-ImageNet", "omw": "Open Multilingual Wordnet", "freedict": "FreeDict",
                 "cldr": "CLDR emoji names", "cc-cedict": "CC-CEDICT", "ecdict": "ECDICT"}


def lexicon_name(origin: str) -> str:
    """A lexicon's name as users read it (``freedict`` -> ``FreeDict``)."""
    return LEXICON_NAMES.get(origin, origin)


def language_code(lang: str | None) -> str:
    """A language as the labels store it: ISO 639-1 where one exists (``deu`` -> ``de``), lower case; ``any``
    (or empty) for every language."""
    code = (lang or "any").strip().lower()
    return ISO_639_1.get(code, code)


FIELD, ROW = "\x1f", "\x1e"  # a packed row's fields, and its rows
ROW_BYTES = ROW.encode()


class ForeignLabels:
    """``fold(word)`` -> [(wnid, language, origin, written form)], in the order added (curated sources first).

    Rows read from a table stay packed, one string per word, until a word is looked up: the shipped lexicons' 700K
    words then cost about a fifth of the memory tuples would. :attr:`by_word` unpacks them all (tools and tests).
    """

    def __init__(self):
        self._rows: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
        self._packed = PackedRows()
        self._pending: list[list[tuple[bytes, bytes]]] = []  # tables read, packed together on the first look-up
        self._languages: set[str] = set()
        self._english: dict[str, str] = {}  # wnid -> its English label (Babel-ImageNet's or CLDR's ``en``)

    def finish_reading(self) -> "ForeignLabels":
        """Pack the tables read so far now rather than on the first look-up (a server loads them before visitors)."""
        self._pack()
        return self

    def _pack(self) -> PackedRows:
        """The packed rows, the tables read since the last look-up joined in."""
        if self._pending:
            self._packed = PackedRows.joined([self._packed, *self._pending], ROW)
            self._pending = []
        return self._packed

    @property
    def by_word(self) -> dict[str, list[tuple[str, str, str, str]]]:
        """The mapping itself, every row unpacked; the key drops accents, the written form (:func:`surface`) keeps
        them."""
        if len(self._pack()):
            for key, packed in self._packed.items():
                self._rows[key].extend(_unpack(packed))
            self._packed = PackedRows()
        return self._rows

    def _note(self, wnid: str, lang: str, form: str) -> None:
        self._languages.add(lang)
        if lang == "en":
            self._english.setdefault(wnid, form.replace("_", " "))

    def add(self, word: str, wnid: str, lang: str, origin: str) -> None:
        key, form, lang = fold(word), surface(word), language_code(lang)
        if key and (wnid, lang, origin, form) not in self.rows(key):
            self._rows[key].append((wnid, lang, origin, form))
            self._note(wnid, lang, form)

    def rows(self, key: str) -> list[tuple[str, str, str, str]]:
        """Every row of the folded word ``key``."""
        rows = self._rows.get(key, [])
        packed = self._pack().get(key)
        return rows + _unpack(packed) if packed else list(rows)

    def keys(self) -> set[str]:
        return set(self._rows) | set(self._pack().keys())

    def lookup(self, word: str, lang: str | None = None) -> list[tuple[str, str, str]]:
        """[(wnid, language, origin)] of the labels written ``word``, in ``lang`` (None/``any``: every language).

        Labels written exactly so (accents included) win; only when there are none do labels that differ only in
        accents count (a user may leave them out: *nino* for *niño*).
        """
        code = language_code(lang)
        rows = [r for r in self.rows(fold(word)) if code in ANY_LANGUAGE or r[1] == code]
        exact = [r for r in rows if r[3] == surface(word)]
        return [(w, la, o) for w, la, o, _ in (exact or rows)]

    def languages(self) -> list[str]:
        """Every language code with at least one label, sorted."""
        return sorted(self._languages)

    def english_name(self, wnid: str) -> str | None:
        """The English label of ``wnid`` (Babel-ImageNet's or CLDR's ``en``), if any."""
        return self._english.get(wnid)

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
        for label in self.keys():
            parts = label.rsplit("_", 1)
            last = parts[-1]
            if len(parts) == 2 and last == key:
                languages = HEAD_LAST_PHRASE_LANGUAGES
            elif (last != key and last.endswith(key) and len(key) >= MIN_HEAD_LETTERS
                  and len(last) - len(key) >= MIN_HEAD_LETTERS - 1):
                languages = HEAD_FINAL_LANGUAGES
            else:
                continue
            out += [(wnid, lang, origin, label) for wnid, lang, origin, _ in self.rows(label) if lang in languages]
        return sorted(out, key=lambda r: (r[3], r[0], r[1]))

    def __len__(self) -> int:
        return len(self.keys())

    def restricted_to(self, wnids: Iterable[str]) -> "ForeignLabels":
        keep = set(wnids)
        out = ForeignLabels()
        for word in sorted(self.keys()):
            for row in self.rows(word):
                if row[0] in keep:
                    out._rows[word].append(row)
                    out._note(row[0], row[1], row[3])
        return out

    # -- readers -----------------------------------------------------------------------------------
    @classmethod
    def from_babel_imagenet(cls, path: str | Path, class_wnids: list[str], into: "ForeignLabels | None" = None):
        """Babel-ImageNet's ``{LANG: [[class indices], [labels]]}``; ``class_wnids[i]`` is ImageNet class i."""
        out = into if into is not None else cls()
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        for lang, (indices, labels) in data.items():
            for i, label in zip(indices, labels):
                out.add(label, class_wnids[i], lang.lower(), "babel-imagenet")
        return out

    @classmethod
    def from_omw(cls, tab_files: Iterable[str | Path], into: "ForeignLabels | None" = None):
        """Open Multilingual Wordnet ``wn-data-<lang>.tab`` files (``02084071-n<TAB>fra:lemma<TAB>chien``)."""
        out = into if into is not None else cls()
        for tab in tab_files:
            file_lang = Path(tab).stem.rsplit("-", 1)[-1]  # wn-data-por.tab: some files name no language per line
            with open(tab, encoding="utf-8") as f:
                for line in f:
                    parts = line.rstrip("\n").split("\t")
                    if len(parts) < 3 or line.startswith("#") or not parts[0].endswith("-n"):
                        continue
                    lang, kind = parts[1].split(":", 1) if ":" in parts[1] else (file_lang, parts[1])
                    if kind != "lemma":
                        continue
                    out.add(parts[2], "n" + parts[0][:-2], lang, "omw")
        return out

    @classmethod
    def from_tsv(cls, path: str | Path, into: "ForeignLabels | None" = None):
        """The compact form written by :meth:`save_tsv` (word, wnid, lang, origin, form), gzip-compressed when the
        name ends in ``.gz``."""
        import gzip

        out = into if into is not None else cls()
        opener = gzip.open if str(path).endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", newline="") as f, collector_paused():
            rows = csv.reader(f, delimiter="\t")
            header = next(rows, [])
            try:
                word, wnid, lang, origin = (header.index(c) for c in ("word", "wnid", "lang", "origin"))
            except ValueError:
                raise ValueError(f"{path}: not a labels table (its header is {header[:6]})") from None
            form = header.index("form") if "form" in header else word
            codes: dict[str, str] = {}  # a few hundred languages over 100K rows
            packed: list[tuple[bytes, bytes]] = []  # (word, its rows): a table lists a word's rows together
            for row in rows:
                if len(row) < len(header):
                    continue
                code = codes.get(row[lang]) or codes.setdefault(row[lang], language_code(row[lang]))
                written = row[form] or row[word]
                one = FIELD.join((row[wnid], code, row[origin], written)).encode("utf-8")
                key = row[word].encode("utf-8")
                if packed and packed[-1][0] == key:
                    packed[-1] = (key, packed[-1][1] + ROW_BYTES + one)
                else:
                    packed.append((key, one))
                if code == "en":
                    out._english.setdefault(row[wnid], written.replace("_", " "))
            out._languages.update(codes.values())
        out._pending.append(packed)
        return out

    def save_tsv(self, path: str | Path) -> None:
        """Write the compact form; a name ending in ``.gz`` is gzip-compressed (reproducibly: no time stamp)."""
        import gzip
        import io

        from visemb.fileio import atomic_write_bytes, atomic_write_text

        buf = io.StringIO()
        w = csv.writer(buf, delimiter="\t", lineterminator="\n")
        w.writerow(["word", "wnid", "lang", "origin", "form"])
        for word in sorted(self.keys()):
            for wnid, lang, origin, form in self.rows(word):
                w.writerow([word, wnid, lang, origin, form])
        if str(path).endswith(".gz"):
            atomic_write_bytes(path, gzip.compress(buf.getvalue().encode("utf-8"), compresslevel=9, mtime=0))
        else:
            atomic_write_text(path, buf.getvalue())


def _unpack(packed: str) -> list[tuple[str, str, str, str]]:
    return [tuple(row.split(FIELD, 3)) for row in packed.split(ROW)]  # type: ignore[misc]
