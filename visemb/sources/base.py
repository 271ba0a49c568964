"""What every image source returns, and the word checks they share."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from visemb.keys import fold  # noqa: F401  (re-exported: sources compare words by it)
from visemb.errors import BadQueryError

MAX_QUERY_CHARS = 100


@dataclass
class FetchResult:
    """Images found for a query.

    Attributes:
        word: the query as given.
        paths: local image files, in the order the source ranked them.
        origins: path -> where it came from (URL, synset, folder), for the evidence shown to users.
        notes: human-readable remarks (senses used, images dropped as broken, …).
        approximate: the images only stand in for the word (photos of labels that end in it, say).
        senses: synset names the word's labels name (a dictionary's senses of it), likeliest first; the answer
            favours them (see :attr:`visemb.answer.AnswerRule.label_boost`). Empty: the word is not a known label.
        found: where the word was found, in words (``perro — es (FreeDict, CLDR emoji names): dog``); empty for
            a web search.
        credits: path -> who made the picture and under which licence (:class:`visemb.sources.licensed.Credit`),
            for sources that say (Wikimedia Commons, Openverse).
    """

    word: str
    paths: list[Path]
    origins: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    approximate: bool = False
    senses: list[str] = field(default_factory=list)
    found: str = ""
    credits: dict = field(default_factory=dict)


def clean_query(word: str) -> str:
    """Trim and validate a user's query (any script); refuse empty, control-only or absurdly long input.

    Raises:
        BadQueryError: with the reason.
    """
    if not isinstance(word, str):
        raise BadQueryError("The query must be text")
    word = unicodedata.normalize("NFC", " ".join(word.split()))
    printable = "".join(ch for ch in word if unicodedata.category(ch)[0] not in "C")
    if not printable.strip():
        raise BadQueryError("Type a word: the query is empty")
    if len(printable) > MAX_QUERY_CHARS:
        raise BadQueryError(f"The query is {len(printable)} characters long; keep it under {MAX_QUERY_CHARS}")
    return printable.strip()


class ImageSource:
    """Base class: ``fetch(word, k)`` returns up to ``k`` local image files for ``word``."""

    name = "?"

    def fetch(self, word: str, k: int = 8, dest: str | Path | None = None,
              lang: str | None = None) -> FetchResult:  # pragma: no cover
        """Up to ``k`` images of ``word``; ``lang`` (ISO 639-1, None for any) where the source can use it."""
        raise NotImplementedError
