"""Plain retrieval's first answer to a held-out photo, three ways: the cosine top noun, CSLS's top noun, and the
retired vote over CSLS's top 5 (kept as the record of why it was retired; the answer shown is
:func:`visemb.answer.decide`'s, measured by :mod:`evaluation.answers`)."""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

import numpy as np

from visemb.evaluate import PooledIndex, hubness_from_gram
from visemb.search import csls
from visemb.store import HUBNESS_K


def without_own_class(index: PooledIndex, G: np.ndarray | None, Qv: np.ndarray, q_leaf: np.ndarray,
                       leaf_row: np.ndarray, repeats: np.ndarray):
    """For each query, its noun removed from the store (ancestors re-pooled without its photos): yields
    (leaf, query index, cosines with removed rows and repeats at -inf, CSLS's r on the reduced store or None).

    ``r`` is computed only with ``G`` (the full store's gram matrix), updated for the re-pooled rows.
    """
    sums = index.sums()
    for l in sorted(set(q_leaf.tolist())):
        Mx, alive = index.matrix_without(sums, int(l))
        gone = ~alive | repeats
        gone[leaf_row[l]] = True
        r = None
        if G is not None:
            changed = np.array([l in m for m in index.members])
            Gx = G.copy()
            Gx[changed] = Mx[changed] @ Mx.T
            Gx[:, changed] = Gx[changed].T
            r = hubness_from_gram(Gx, HUBNESS_K, gone)
        for i in np.flatnonzero(q_leaf == l):
            s = Qv[i] @ Mx.T
            s[gone] = -np.inf
            yield l, i, s, r


KIND_TAG = "retired vote: the kind most of CSLS's top 5 share (not the answer shown)"
HEADLINES = {"cosine top noun (the list's first, default order)": "cosine",
             "CSLS top noun (the 'most specific guess')": "csls",
             "retired vote: what most of CSLS's top 5 are (not the answer shown)": "kind"}


def first_answers(store, cos: np.ndarray, r: np.ndarray, q: np.ndarray) -> dict[str, int]:
    """The first answer three ways, from cosines with repeats already at -inf: the cosine top noun, CSLS's top noun,
    and the retired vote, the kind most of CSLS's top 5 share (CSLS's top noun when they share none). The answer the
    app shows is :func:`visemb.answer.decide`'s, measured by :mod:`evaluation.answers`."""

    top5 = [int(x) for x in np.argsort(-csls(cos, r))[:KIND_TOP]]
    kind = consensus_kind(store, top5, q)
    return {"cosine": int(np.argmax(cos)), "csls": top5[0], "kind": top5[0] if kind is None else kind}


def headline(store, index: PooledIndex, r: np.ndarray, Qv: np.ndarray, q_leaf: np.ndarray, leaf_row: np.ndarray,
              anc_rows: list[set[int]], parents: list[set[int]], repeats: np.ndarray) -> dict:
    """Plain retrieval's first answer, three ways, for one held-out photo: with its noun in the store (exact; the
    noun or an ancestor; Wu-Palmer to it) and without it (leave-class-out: an ancestor; the parent; Wu-Palmer).
    ``r``: CSLS's hubness of ``index``'s rows."""
    from visemb.wordnet_data import wordnet

    wn = wordnet()
    syn = [wn.synset(e["synsets"][0]) for e in store.entries]
    M = index.matrix()
    acc: dict[str, dict[str, list]] = {tag: defaultdict(list) for tag in HEADLINES.values()}
    for i, l in enumerate(q_leaf):
        truth = int(leaf_row[l])
        for tag, row in first_answers(store, np.where(repeats, -np.inf, Qv[i] @ M.T), r, Qv[i]).items():
            acc[tag]["exact"].append(row == truth)
            acc[tag]["noun or ancestor"].append(row == truth or row in anc_rows[l])
            acc[tag]["WuP"].append(syn[truth].wup_similarity(syn[row]) or 0.0)
    for l, i, cos, r_x in without_own_class(index, M @ M.T, Qv, q_leaf, leaf_row, repeats):
        truth = int(leaf_row[l])
        for tag, row in first_answers(store, cos, r_x, Qv[i]).items():
            acc[tag]["noun missing: an ancestor"].append(row in anc_rows[l])
            acc[tag]["noun missing: the parent"].append(row in parents[l])
            acc[tag]["noun missing: WuP"].append(syn[truth].wup_similarity(syn[row]) or 0.0)
    return {name: {k: float(np.mean(v)) for k, v in acc[tag].items()} for name, tag in HEADLINES.items()}


KIND_TOP = 5


def consensus_kind(store, rows: Sequence[int], query: np.ndarray | None = None, top: int = 5,
                   support: int = 3) -> int | None:
    """The most specific store noun that at least ``support`` of the first ``top`` rows are, as themselves or as a
    kind of it (along the stored, longest hypernym path); ties go to the one nearer ``query`` (a unit vector). None if
    there is none.

    The vote follows one path, not every ancestor: WordNet's second paths are mostly functional kinds
    (domestic_animal, covering) that cut across looks, and voting over all of them named the noun or an ancestor
    less often on Tiny-ImageNet queries (0.582 vs 0.623). Repeats (nouns whose photos are exactly one class's) are
    never the answer, as in neighbour lists.
    """
    count: dict[int, int] = {}
    for row in list(rows)[:top]:
        for syn in store.entries[row].get("hypernyms") or store.entries[row].get("synsets", ()):
            kind = store.key_to_index.get(syn)
            if kind is not None and kind not in store.repeats:
                count[kind] = count.get(kind, 0) + 1
    agreed = [k for k, n in count.items() if n >= support]
    if not agreed:
        return None
    near = (lambda k: float(store.unit_vectors[k] @ query)) if query is not None else (lambda k: 0.0)
    return max(agreed, key=lambda k: (len(store.entries[k].get("hypernyms", ())), near(k)))
