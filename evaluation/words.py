"""Foreign words of photographed classes with their offline photos, for choosing (selection) and reporting
(held out) how a word's labels count: the same words, drawn the same way, for both."""

from __future__ import annotations

import random
from collections import defaultdict

import numpy as np


def label_words(store, src, per_language: int, ks: tuple[int, ...], seed: int = 0) -> list[dict]:
    """Up to ``per_language`` labels per language (English aside) of the source's photographed classes that are
    store rows, shuffled by ``seed``: ``lang``, ``word``, ``wnid``, ``truth`` (its row), ``labels`` (the rows its
    labels name) and ``paths`` (k -> the photos the source fetches; None when it fetches none)."""
    from visemb.translate import sense_rows

    row_of = {e.get("imagenet_id"): i for i, e in enumerate(store.entries) if e.get("imagenet_id")}
    by_lang = defaultdict(set)
    for rows in src.foreign.by_word.values():
        for wnid, lang, _, form in rows:
            if lang != "en" and wnid in src.photos and wnid in row_of:
                by_lang[lang].add((form.replace("_", " "), wnid))
    rng = random.Random(seed)
    out = []
    for lang in sorted(by_lang):
        words = sorted(by_lang[lang])
        rng.shuffle(words)
        for word, wnid in words[:per_language]:
            item = {"lang": lang, "word": word, "wnid": wnid, "truth": row_of[wnid], "labels": [], "paths": None}
            try:
                fetched = {k: src.fetch(word, k, lang=lang) for k in ks}
            except Exception:
                out.append(item)
                continue
            item.update(labels=sense_rows(store, fetched[ks[-1]].senses),
                        paths={k: [str(p) for p in f.paths] for k, f in fetched.items()})
            out.append(item)
    return out


class Features:
    """Raw features of photo paths with the store's encoder, each photo embedded once."""

    def __init__(self, store):
        from visemb.translate import query_encoder

        self.enc = query_encoder(store)
        self.cache: dict[str, np.ndarray] = {}

    def __call__(self, paths: list[str]) -> np.ndarray:
        todo = [p for p in dict.fromkeys(paths) if p not in self.cache]
        if todo:
            emb = self.enc.embed(todo)
            self.cache.update({todo[i]: v for i, v in zip(emb.ok, emb.vectors)})
        return np.stack([self.cache[p] for p in paths if p in self.cache])
