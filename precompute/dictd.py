"""FreeDict dictionaries in dictd format (``freedict-deu-eng.index`` + ``.dict.dz``): headwords and the items
each entry translates them into, with the part of speech the entry marks (noun, other, or unmarked).

The dictionaries come from several projects and mark things differently: ``<masc, n, sg>`` after the headword,
``dog <n>`` after an item, ``I. <N> 1. pies`` before a section, ``(noun (common) ...)`` on a line of its own.
"""

from __future__ import annotations

import gzip
import logging
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
NOUN_TAGS = frozenset({"n", "noun", "nn", "masc", "fem", "neut", "m", "f", "pl", "sg", "nf", "nm"})
OTHER_TAGS = frozenset({"v", "vt", "vi", "vr", "adj", "adv", "prep", "conj", "pron", "interj", "num", "art", "verb",
                        "adjective", "adverb", "pronoun", "conjunction", "preposition", "particle", "suffix",
                        "prefix", "phrase"})
SKIP_LINE = re.compile(r"^\s*(synonyms?:|see:|note:|notes:|example|\{)", re.I)
NUMBERING = re.compile(r"^\s*(?:[0-9]+|[IVX]+)\.\s*")
BRACKETS = re.compile(r"\[[^\[\]]*\]|\{[^{}]*\}|\([^()]*\)|\"[^\"]*\"")
TAG = re.compile(r"<([^<>]*)>")
MAX_ITEM_WORDS = 3
logger = logging.getLogger(__name__)
MAX_ITEM_CHARS = 40


@dataclass(frozen=True)
class Entry:
    """One dictionary entry: its headwords (every index line pointing at it) and its items with their part of
    speech (``"n"``, ``"x"`` for another part of speech, None where the entry does not say)."""

    headwords: tuple[str, ...]
    header_pos: str | None
    items: tuple[tuple[str, str | None], ...]


def b64_number(text: str) -> int:
    """dictd's base-64 offsets and lengths.

    Raises:
        ValueError: for an empty or over-long number, or a character outside dictd's base 64.
    """
    if not 0 < len(text) <= 8:
        raise ValueError(f"not a dictd number: {text[:20]!r}")
    n = 0
    for ch in text:
        n = n * 64 + B64.index(ch)
    return n


MAX_DICT_BYTES = 256 * 2**20  # decompressed; FreeDict's largest dictionaries are a fraction of this
MAX_INDEX_BYTES = 128 * 2**20
MAX_LINE_BYTES = 4096


def read_dict(path: Path) -> bytes:
    """A ``.dict.dz`` decompressed, at most :data:`MAX_DICT_BYTES` (read in steps: memory stays that bound).

    Raises:
        LexiconInputError: the file is not gzip (dictzip) or inflates past the bound.
    """
    from precompute.errors import LexiconInputError

    chunks, size = [], 0
    try:
        with gzip.open(path) as f:
            while chunk := f.read(2**20):
                size += len(chunk)
                if size > MAX_DICT_BYTES:
                    raise LexiconInputError(f"{path}: inflates past {MAX_DICT_BYTES // 2**20} MB, more than any "
                                            "FreeDict dictionary; not read")
                chunks.append(chunk)
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise LexiconInputError(f"{path}: not a dictzip (gzip) file ({exc})") from None
    return b"".join(chunks)


def index_lines(path: Path) -> list[bytes]:
    """The raw lines of a dictd index, each at most :data:`MAX_LINE_BYTES` (longer ones are cut, so left out).

    Raises:
        LexiconInputError: the index is larger than any dictionary's.
    """
    from precompute.errors import LexiconInputError

    if path.stat().st_size > MAX_INDEX_BYTES:
        raise LexiconInputError(f"{path}: {path.stat().st_size // 2**20} MB, more than any dictd index; not read")
    return [line[:MAX_LINE_BYTES] for line in path.read_bytes().splitlines()]


def read_entries(folder: str | Path, name: str) -> list[Entry]:
    """Every entry of ``folder/freedict-<name>.index`` / ``.dict.dz`` (dictzip is gzip-readable).

    Raises:
        FileNotFoundError: when the dictionary is not installed (``apt-get install dict-freedict-<name>``).
    """
    folder = Path(folder)
    index, data = folder / f"freedict-{name}.index", folder / f"freedict-{name}.dict.dz"
    for p in (index, data):
        if not p.is_file():
            raise FileNotFoundError(f"{p} is missing: install Debian's dict-freedict-{name} package")
    text = read_dict(data)
    heads: dict[tuple[int, int], list[str]] = {}
    bad = 0
    for raw in index_lines(index):
        try:
            parts = raw.decode("utf-8").split("\t")
            if len(parts) != 3 or parts[0].startswith("00database") or parts[0].startswith("00-database"):
                continue
            offset, length = b64_number(parts[1]), b64_number(parts[2])
        except (UnicodeDecodeError, ValueError):  # not UTF-8, or an offset outside base 64: the line is left out
            bad += 1
            continue
        if offset + length <= len(text):
            heads.setdefault((offset, length), []).append(parts[0])
        else:
            bad += 1
    if bad:
        logger.warning("%s: %d line(s) left out (not UTF-8, or offsets that are not dictd's base 64 or point past "
                       "the dictionary)", index, bad)
    out = []
    for (offset, length), words in sorted(heads.items()):
        body = text[offset:offset + length].decode("utf-8", errors="replace")
        header_pos, items = parse_body(body)
        out.append(Entry(written_heads(body.split("\n", 1)[0], words), header_pos, tuple(items)))
    return out


def tag_pos(tag: str) -> str | None:
    """``"n"`` for a noun tag (``masc, n, sg``), ``"x"`` for another part of speech, None for neither."""
    tokens = {t.strip(" .").lower() for t in re.split(r"[,;\s]+", tag) if t.strip(" .")}
    if tokens & NOUN_TAGS:
        return "n"
    if tokens & OTHER_TAGS:
        return "x"
    return None


def parse_body(body: str) -> tuple[str | None, list[tuple[str, str | None]]]:
    """(the header's part of speech, [(item, part of speech)]) of one entry's text."""
    lines = body.split("\n")
    header = lines[0] if lines else ""
    tags = [tag_pos(t) for t in TAG.findall(header)]
    header_pos = next((t for t in tags if t), None)
    section = header_pos
    items: list[tuple[str, str | None]] = []
    for line in lines[1:]:
        if not line.strip() or SKIP_LINE.match(line):
            continue
        stripped = NUMBERING.sub("", line.strip())
        if stripped.startswith("(") and stripped.endswith(")"):  # JMdict: "(noun (common) (futsuumeishi))"
            section = "n" if "noun" in stripped.lower() and "adjectiv" not in stripped.lower() else "x"
            continue
        line = NUMBERING.sub("", without_brackets(stripped))
        lead = TAG.match(line.strip())
        if lead:  # "<N> 1. pies": the tag opens a section
            section = tag_pos(lead.group(1)) or section
            line = line.strip()[lead.end():]
        for piece in re.split(r"[,;]|\s[0-9]+\.(?:\s|$)|\s[IVX]+\.(?:\s|$)", line):
            # "dog <n>": a tag after an item is its own part of speech; otherwise the section's
            pos = next((t for t in map(tag_pos, TAG.findall(piece)) if t), section)
            item = clean_item(TAG.sub(" ", piece))
            if item:
                items.append((item, pos))
    return header_pos, items


def without_brackets(text: str) -> str:
    """``text`` without bracketed remarks, nested ones included: ``dog (Canis (lupus) familiaris)`` -> ``dog``."""
    while True:
        shorter = BRACKETS.sub(" ", text)
        if shorter == text:
            return text
        text = shorter


def written_heads(header: str, indexed: list[str]) -> tuple[str, ...]:
    """The headwords as the entry writes them (the index may fold case: ``hund`` for *Hund*)."""
    written = header.split(" /", 1)[0].split(" <", 1)[0].strip()
    return tuple(dict.fromkeys(written if w.casefold() == written.casefold() else w for w in indexed))


def clean_item(text: str) -> str:
    """An item as a word or short phrase (numbering, brackets and stray punctuation removed); empty when it is
    a sentence, a definition or not a word at all."""
    text = NUMBERING.sub("", without_brackets(text))
    text = re.sub(r"\s+", " ", text).strip(" .:!?-/'\"·")
    if not text or len(text) > MAX_ITEM_CHARS or len(text.split()) > MAX_ITEM_WORDS:
        return ""
    if any(ch.isdigit() for ch in text) or not any(ch.isalpha() for ch in text):
        return ""
    return text
