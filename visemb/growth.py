"""Growing the store with a network. A translation's candidate senses that have no row — the word's dictionary
senses, and the children and siblings of the pictures' answer — get pictures of their English lemma from the web
source (at most ``MAX_CANDIDATES`` × ``PICTURES_EACH``, fetched concurrently), embedded with the store's own encoder,
and become rows of the local layer (:mod:`visemb.grown_layer`). Then the pictures decide again: the classifier has
no class for a grown row, so the query's pictures are compared with each candidate's by cosine, beside the store's
answer; a grown noun wins when its pictures are nearer the query's than the answer's row is."""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from visemb.errors import VisembError
from visemb.grown_layer import GrownLayer, GrownRow
from visemb.lexicon.nouns import Lexicon
from visemb.search import l2_normalize
from visemb.sources import ImageSource
from visemb.store import Store

MAX_CANDIDATES = 12
PICTURES_EACH = 4
FETCH_THREADS = 8


@dataclass
class Regrown:
    """The grown answer: its row, its cosine to the query's pictures and the store answer's, and the candidates
    compared (key -> cosine)."""

    row: GrownRow
    cosine: float
    answer_cosine: float
    compared: dict[str, float]


def candidate_senses(lexicon: Lexicon, store: Store, dictionary: Sequence[str], answer_wnid: str | None,
                     limit: int = MAX_CANDIDATES) -> list[str]:
    """WordNet ids without a row that the query may name: its dictionary senses first, then the children and the
    siblings of the pictures' answer, commonest first; at most ``limit``."""
    def rowless(wnid: str) -> bool:
        name = lexicon.name(wnid)
        return bool(name) and not len(store.taxonomy.rows_of(name))

    out = [w for w in dict.fromkeys(dictionary) if rowless(w)]
    if answer_wnid:
        near = list(lexicon.children(answer_wnid))
        for parent in lexicon.parents(answer_wnid):
            near += [c for c in lexicon.children(parent) if c != answer_wnid]
        out += sorted((w for w in dict.fromkeys(near) if rowless(w) and w not in out),
                      key=lambda w: (-_weight(lexicon, w), w))
    return out[:limit]


def _weight(lexicon: Lexicon, wnid: str) -> float:
    try:
        return lexicon.weight(wnid)
    except KeyError:
        return 0.0


def grow(wnids: Sequence[str], source: ImageSource, store: Store, encoder, lexicon: Lexicon, layer: GrownLayer,
         pictures: int = PICTURES_EACH, progress: Callable[[int, int], None] | None = None) -> list[GrownRow]:
    """Fetch ``pictures`` pictures of each sense's English lemma from ``source`` (concurrently), embed them with the
    store's encoder and add them to ``layer``; senses already grown are reused, senses with no usable picture left
    out. ``progress(done, total)`` counts the senses fetched."""
    have = {r.wnid: r for r in layer.rows()}
    todo = [w for w in wnids if w not in have]
    rows = [have[w] for w in wnids if w in have]
    if todo:
        with tempfile.TemporaryDirectory(prefix="visemb-grow-") as tmp:
            done = [0]

            def fetch(wnid: str):
                try:
                    return wnid, source.fetch(lexicon.lemma(wnid), pictures, dest=Path(tmp) / wnid)
                except VisembError:
                    return wnid, None
                finally:
                    done[0] += 1
                    if progress is not None:
                        progress(done[0], len(todo))

            with ThreadPoolExecutor(max_workers=min(FETCH_THREADS, len(todo))) as pool:
                fetched = [(w, f) for w, f in pool.map(fetch, todo) if f is not None and f.paths]
            new = _embedded(fetched, source.name, store, encoder, lexicon)
        if new:
            layer.add(new)
        rows += new
    if rows:
        layer.touch(r.key for r in rows)
    return rows


def _embedded(fetched, source_name: str, store: Store, encoder, lexicon: Lexicon) -> list[GrownRow]:
    """One row per sense with a usable picture: the mean of its pictures' unit feature vectors."""
    from dataclasses import asdict

    paths = [p for _, f in fetched for p in f.paths]
    if not paths:
        return []
    emb = encoder.embed(paths)
    vectors = {paths[i]: v for i, v in zip(emb.ok, emb.vectors)}
    out = []
    for wnid, f in fetched:
        mine = [vectors[p] for p in f.paths if p in vectors]
        if not mine:
            continue
        unit = l2_normalize(np.asarray(mine, np.float32))
        name = lexicon.name(wnid) or wnid
        out.append(GrownRow(key=name.rsplit(".", 2)[0], synset=name, wnid=wnid, source=source_name,
                            vector=unit.mean(axis=0).astype(np.float32),
                            images=[f.origins.get(str(p), str(p)) for p in f.paths if p in vectors],
                            credits=[asdict(c) for c in f.credits.values()][:8]))
    return out


def decide_again(store: Store, query: np.ndarray, answer_row: int, grown: Sequence[GrownRow]) -> Regrown | None:
    """The grown noun whose pictures are nearer the query's (``query``: raw vectors) than the store answer's row
    is, the nearest of them; None when the store's answer stays."""
    if not grown:
        return None
    q = l2_normalize(store.prepare(query).mean(axis=0, keepdims=True))[0]
    answer_cos = float(store.unit_vectors[answer_row] @ q)
    cos = {r.key: float(store.prepare(r.vector[None, :])[0] @ q) for r in grown}
    best = max(grown, key=lambda r: cos[r.key])
    if cos[best.key] <= answer_cos:
        return None
    return Regrown(best, cos[best.key], answer_cos, cos)
