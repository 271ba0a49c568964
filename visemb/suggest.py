"""Suggestions for a word the store does not know: WordNet's morphy when available, then close spellings."""

from __future__ import annotations

import difflib

from visemb.keys import store_key
from visemb.store import Store


def suggest(store: Store, word: str, n: int = 6) -> list[str]:
    """Keys of ``store`` the user may have meant (base form first, then close spellings)."""
    key = store_key(word)
    out: list[str] = []
    for form in _base_forms(key):
        if form in store and form not in out:
            out.append(form)
    keys = [k for k in store.key_to_index if "." not in k]
    out += [k for k in difflib.get_close_matches(key, keys, n=n, cutoff=0.7) if k not in out]
    return out[:n]


def base_form(store: Store, word: str) -> str | None:
    """The store key that is ``word``'s base form (``dogs`` -> ``dog``), if the store has one."""
    key = store_key(word)
    return next((f for f in _base_forms(key) if f in store), None)


def _base_forms(key: str) -> list[str]:
    forms = []
    try:
        from visemb.wordnet_data import wordnet

        wn = wordnet()
        base = wn.morphy(key, wn.NOUN)
        if base:
            forms.append(base)
    except Exception:  # no WordNet on this machine: plain English plural rules
        pass
    for suffix, repl in (("ies", "y"), ("ves", "f"), ("es", ""), ("s", "")):
        if key.endswith(suffix) and len(key) > len(suffix) + 2:
            forms.append(key[: -len(suffix)] + repl)
    return forms
