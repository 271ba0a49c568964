"""EDICT (JMdict/EDICT, the EDRDG; Debian's ``edict``: ``/usr/share/edict/edict``, EUC-JP): Japanese nouns in
their kanji and kana forms with their English glosses. A line is ``KANJI [KANA] /(n) (1) gloss/gloss/(n) (2) .../``
or ``KANA /(n) gloss/``; only the first sense is read, and only when it is a noun."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from precompute.errors import LexiconInputError

MAX_EDICT_BYTES = 128 * 2**20
LINE = re.compile(r"^(?P<word>[^\s\[/]+)(?: \[(?P<kana>[^\]]+)\])? /(?P<body>.*)/$")
TAG = re.compile(r"^\(([^)]*)\)\s*")
PARENTHESES = re.compile(r"\s*\([^()]*\)")
SENSE_NUMBER = re.compile(r"^\((\d+)\)\s*")


def read_lines(path: Path) -> list[str]:
    """The dictionary's lines, decoded (EUC-JP as Debian ships it, or UTF-8).

    Raises:
        LexiconInputError: too big or not text.
    """
    raw = Path(path).read_bytes() if Path(path).stat().st_size <= MAX_EDICT_BYTES else None
    if raw is None:
        raise LexiconInputError(f"{path} is over {MAX_EDICT_BYTES // 2**20} MB: not EDICT")
    for encoding in ("euc_jp", "utf-8"):
        try:
            return raw.decode(encoding).splitlines()
        except UnicodeDecodeError:
            continue
    raise LexiconInputError(f"{path} is neither EUC-JP nor UTF-8 text: not EDICT")


def first_sense(body: str) -> tuple[list[str], list[str]]:
    """(its part-of-speech tags, its English glosses) of an entry's first sense."""
    tags: list[str] = []
    glosses: list[str] = []
    for i, part in enumerate(body.split("/")):
        text = part.strip()
        while (m := TAG.match(text)) and not SENSE_NUMBER.match(text):
            tags += [t.strip() for t in m.group(1).split(",")] if i == 0 or not glosses else []
            if i and glosses:  # a new sense's part of speech: the first sense ended
                return tags, glosses
            text = text[m.end():]
        numbered = SENSE_NUMBER.match(text)
        if numbered and numbered.group(1) != "1":
            break
        text = SENSE_NUMBER.sub("", text)
        while m := TAG.match(text):  # (uk), (food): usage and field tags
            text = text[m.end():]
        while PARENTHESES.search(text):  # innermost first: (Canis (lupus) familiaris)
            text = PARENTHESES.sub("", text)
        gloss = text.strip()
        if gloss and not gloss.startswith("EntL"):
            glosses.append(gloss)
    return tags, glosses


def noun_pairs(path: Path) -> Iterator[tuple[str, str]]:
    """(Japanese word, English gloss) for the first sense of every noun entry, the kanji and the kana form each."""
    for line in read_lines(path):
        m = LINE.match(line.strip())
        if not m:
            continue
        tags, glosses = first_sense(m.group("body"))
        if "n" not in tags:
            continue
        for word in filter(None, (m.group("word"), m.group("kana"))):
            for gloss in glosses:
                yield word, gloss
