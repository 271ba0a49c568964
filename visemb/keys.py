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


def all_aliases(entries: list[dict], given: dict[str, list[int]]) -> dict[str, list[int]]:
    """``given`` aliases (key -> rows) with every entry's key, synset names and lemmas added: a row's own key first
    among its rows, then its senses and lemmas in entry order."""
    out: dict[str, list[int]] = {k: list(v) for k, v in given.items()}
    for i, e in enumerate(entries):
        for name in [e["key"], *e.get("synsets", ())]:
            rows = out.setdefault(name, [])
            if i in rows:
                continue
            if name == e["key"]:
                rows.insert(0, i)
            else:
                rows.append(i)
        for lemma in e.get("lemmas", ()):
            rows = out.setdefault(lemma, [])
            if i not in rows:
                rows.append(i)
    return out
