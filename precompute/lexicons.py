"""Open lexicons for the offline source, built once and shipped as separately licensed tables:

- **FreeDict** bilingual dictionaries (Debian's ``dict-freedict-*``, GPL and others): a foreign noun and the
  English nouns it translates to, X→English read forwards, English→X read in reverse. Russian has no
  Russian→English dictionary and a small English→Russian one, so its nouns also come through other languages:
  a Russian word is taken to mean an English noun when two languages' dictionaries agree on it (German *Essen* →
  *еда* and *Essen* → *food*; French *nourriture* → *еда* and → *food*).
- **Unicode CLDR emoji names** (npm ``cldr-annotations-full``, Unicode licence): the name of each emoji in ~170
  languages, mapped to WordNet through its English name (🦋 *butterfly*: *Schmetterling*, *mariposa*, *бабочка*).

An English word is mapped to the noun senses it is used in (SemCor's counts; its first sense when none is
counted) among the store's synsets; the pictures choose among them, as for any label. Rows keep their language
and source (``freedict``, ``cldr``).
"""

from __future__ import annotations

import json
import logging
import re
import tarfile
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from tqdm import tqdm

from precompute.dictd import read_entries
from visemb.sources.foreign_labels import ForeignLabels

log = logging.getLogger(__name__)
DICTD_DIR = Path("/usr/share/dictd")
# language -> the FreeDict dictionaries that translate its nouns to or from English
FREEDICT = {"es": ("spa-eng", "eng-spa"), "de": ("deu-eng", "eng-deu"), "fr": ("fra-eng", "eng-fra"),
            "it": ("ita-eng", "eng-ita"), "pt": ("por-eng",), "nl": ("nld-eng",), "sv": ("swe-eng",),
            "tr": ("tur-eng",), "pl": ("eng-pol",), "ja": ("jpn-eng",), "ru": ("eng-rus",)}
# language -> dictionaries between it and languages that have English ones (the pivots), in either direction
PIVOTS = {"ru": ("deu-rus", "fra-rus", "ita-rus", "nld-rus", "pol-rus", "swe-rus", "jpn-rus"),
          "ja": ("jpn-deu", "jpn-fra", "jpn-rus")}
MIN_PIVOT_LANGUAGES = 2
ISO3 = {"spa": "es", "deu": "de", "fra": "fr", "ita": "it", "por": "pt", "nld": "nl", "swe": "sv", "tur": "tr",
        "pol": "pl", "jpn": "ja", "rus": "ru", "eng": "en"}
CLDR_ARCHIVE_PREFIX = "package/annotations/"
SCRIPTS = {"ru": re.compile(r"^[\u0400-\u04ff\s-]+$"),
           "ja": re.compile(r"^[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]+$")}


@lru_cache(maxsize=None)
def english_nouns(text: str) -> tuple[str, ...]:
    """WordNet ids of the noun senses an English word or phrase is used in: those SemCor counts it in, or its first
    sense when it counts none (*cat*: the feline, not *big cat* or *guy*; *butterfly*: the insect)."""
    from visemb.vocabulary import wnid_of
    from visemb.wordnet_data import wordnet

    wn = wordnet()
    word = re.sub(r"^(a|an|the|to) ", "", text.strip().lower())
    if not word or not all(ch.isascii() for ch in word):
        return ()
    lemma = wn.morphy(word.replace(" ", "_"), wn.NOUN)
    if lemma is None:
        return ()
    senses = wn.synsets(lemma, pos="n")
    counted = [s for s in senses if any(x.name().lower() == lemma and x.count() > 0 for x in s.lemmas())]
    return tuple(wnid_of(s) for s in (counted or senses[:1]))


def noun_items(folder: Path, name: str) -> list[tuple[str, str]]:
    """(headword, item) for every item of a dictionary's noun entries not marked as another part of speech."""
    return [(head, item) for entry in read_entries(folder, name) if entry.header_pos != "x"
            for item, pos in entry.items if pos != "x" for head in entry.headwords]


def dictionary_pairs(folder: Path, name: str) -> list[tuple[str, str]]:
    """(foreign word, English word) pairs a dictionary gives for nouns: X→English read forwards, English→X read
    in reverse."""
    pairs = noun_items(folder, name)
    return pairs if name.endswith("-eng") else [(item, head) for head, item in pairs]


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


def freedict_labels(folder: Path, keep: set[str], languages: Iterable[str] = tuple(FREEDICT),
                    skip: Iterable[str] = ()) -> ForeignLabels:
    """FreeDict's nouns of ``languages`` whose English nouns are in ``keep`` (WordNet ids), as labels of origin
    ``freedict``; the dictionaries named in ``skip`` are left out (the coverage benchmark holds them out)."""
    languages = set(languages)
    skip = set(skip) | missing_dictionaries(folder, languages)
    out = ForeignLabels()
    to_english: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    names = [(lang, n) for lang in sorted(languages) for n in FREEDICT.get(lang, ()) if n not in skip]
    pivots = {lang: [n for n in PIVOTS.get(lang, ()) if n not in skip] for lang in sorted(languages)}
    need = {pivot_of(n, lang) for lang, ps in pivots.items() for n in ps}
    names += [(lang, n) for lang in sorted(need - set(languages)) for n in FREEDICT.get(lang, ()) if n not in skip]
    for lang, name in tqdm(names, desc="FreeDict", unit="dictionary"):
        for word, english in dictionary_pairs(folder, name):
            nouns = english_nouns(english)
            to_english[lang][word.casefold()].update(nouns)
            if lang in languages:
                for wnid in nouns:
                    if wnid in keep:
                        out.add(word, wnid, lang, "freedict")
    for lang, dictionaries in pivots.items():
        support: dict[tuple[str, str], set[str]] = defaultdict(set)
        for name in dictionaries:
            via = pivot_of(name, lang)
            for pivot_word, word in foreign_words(folder, name, lang):
                for wnid in to_english[via].get(pivot_word.casefold(), ()):
                    if wnid in keep:
                        support[(word, wnid)].add(via)
        for (word, wnid), via in sorted(support.items()):
            if len(via) >= MIN_PIVOT_LANGUAGES:
                out.add(word, wnid, lang, "freedict")
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
    unpacked ``package`` folder) whose English name is a noun in ``keep``, as labels of origin ``cldr``. Regional
    variants (``de-CH``) are left out: their names repeat the language's."""
    files = read_cldr(archive)
    english = files.pop("en", {})
    senses = {emoji: [w for w in english_nouns(names[0]) if w in keep] for emoji, names in english.items() if names}
    out = ForeignLabels()
    for lang in sorted(files):
        if languages is not None and lang not in languages:
            continue
        for emoji, names in files[lang].items():
            for wnid in senses.get(emoji, ()):
                out.add(names[0], wnid, lang, "cldr")
    for emoji, wnids in senses.items():
        for wnid in wnids:
            out.add(english[emoji][0], wnid, "en", "cldr")
    return out


def read_cldr(archive: Path) -> dict[str, dict[str, list[str]]]:
    """language -> emoji -> its ``tts`` names, from the npm tarball or an unpacked folder."""
    out = {}
    if Path(archive).is_dir():
        items = [(p.parent.name, p.read_bytes()) for p in Path(archive).glob("annotations/*/annotations.json")]
    else:
        with tarfile.open(archive, "r:gz") as tar:
            items = [(m.name[len(CLDR_ARCHIVE_PREFIX):].split("/")[0], tar.extractfile(m).read())
                     for m in tar.getmembers()
                     if m.isfile() and m.name.startswith(CLDR_ARCHIVE_PREFIX) and m.name.endswith("annotations.json")]
    for lang, raw in items:
        if "-" in lang or lang == "und":
            continue
        data = json.loads(raw).get("annotations", {}).get("annotations", {})
        out[lang] = {e: v["tts"] for e, v in data.items() if v.get("tts")}
    if "en" not in out:
        raise FileNotFoundError(f"{archive} holds no English CLDR annotations (annotations/en/annotations.json)")
    return out


def write_lexicons(out: Path, keep: set[str], dictd: Path | None, cldr: Path | None) -> dict[str, int]:
    """Write ``lexicon_freedict.tsv.gz`` and ``lexicon_cldr.tsv.gz`` into ``out`` (each only when its input is given):
    {file name: words written}."""
    written = {}
    if dictd is not None:
        labels = freedict_labels(dictd, keep)
        labels.save_tsv(out / "lexicon_freedict.tsv.gz")
        written["lexicon_freedict.tsv.gz"] = len(labels)
    if cldr is not None:
        labels = cldr_labels(cldr, keep)
        labels.save_tsv(out / "lexicon_cldr.tsv.gz")
        written["lexicon_cldr.tsv.gz"] = len(labels)
    return written
