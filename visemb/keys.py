"""How a word is normalised before it is compared: every form in one place.

- :func:`store_key`: how a store looks a key up (``Hot Dog`` → ``hot_dog``);
- :func:`surface`: how a label is compared exactly (case-folded, NFC, accents kept);
- :func:`fold`: how a label is compared loosely (:func:`surface` without accents and stress marks).
"""

from __future__ import annotations

import unicodedata


def _underscored(text: str) -> str:
    return text.replace(" ", "_").replace("-", "_")


def store_key(word: str) -> str:
    """A store key's lookup form: stripped, lower-cased, spaces -> ``_`` (hyphens kept: WordNet has them)."""
    return word.strip().lower().replace(" ", "_")


def surface(word: str) -> str:
    """How a label is written, compared exactly: case-folded and NFC, accents kept (Italian *treno* is not
    Portuguese *trenó*); spaces and hyphens -> ``_``."""
    return _underscored(unicodedata.normalize("NFC", word.strip().casefold()))


def fold(text: str) -> str:
    """Comparison form of a word: case-folded, accents and stress marks removed, spaces and hyphens -> ``_``."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _underscored(unicodedata.normalize("NFC", stripped))
