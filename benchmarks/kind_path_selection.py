"""Which WordNet hypernym path the headline vote should follow, chosen on Tiny-ImageNet queries (the selection
set; never the held-out photos): the longest path, the shortest, or every ancestor over all paths.

Each of the 2,020 Tiny-ImageNet photos (not in the store) is a query, as in the evaluation's "answer a user reads
first": is the kind the photo's noun or an ancestor of it, with the noun in the store and removed from it?

    python benchmarks/kind_path_selection.py [--shared ../shared] [--cache benchmarks/out/eval/cache]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
    p.add_argument("--cache", default=str(Path(__file__).resolve().parent / "out" / "eval" / "cache"))
    a = p.parse_args()
    shared = Path(a.shared)
    os.environ.setdefault("NLTK_DATA", str(shared / "wordnet" / "nltk_data"))
    from precompute.default_store import STORE_SETS
    from visemb.defaults import DEFAULT_STORE
    from visemb.evaluate import PooledIndex, hubness_from_gram
    from evaluation.first_answers import HEADLINES, headline
    from evaluation.retrieval import EvalData
    from visemb.store import HUBNESS_K, Store
    from visemb.wordnet_data import wordnet

    store = Store.load(DEFAULT_STORE)
    d = EvalData.load(shared, store, Path(a.cache))
    Q, q_leaf = d.queries("tiny-imagenet-val")
    photos = d.leaf_vectors(STORE_SETS)
    weight = (store.manifest.get("class_prototypes") or {}).get("weight", 0.0)
    index = PooledIndex(d.members, photos, d.leaf_row, d.with_prototypes(photos, weight))
    repeats = np.zeros(len(store), bool)
    repeats[list(store.repeats)] = True
    M = index.matrix()
    r = hubness_from_gram(M @ M.T, HUBNESS_K, repeats)
    wn = wordnet()

    def shortest(name: str) -> tuple[str, ...]:
        return min((tuple(x.name() for x in p) for p in wn.synset(name).hypernym_paths()), key=lambda p: (len(p), p))

    variants = {"longest path (the default, as stored)": [tuple(e["hypernyms"]) for e in store.entries],
                "shortest path": [shortest(e["synsets"][0]) for e in store.entries],
                "every ancestor, all paths": [tuple(sorted(store.ancestry(i))) for i in range(len(store))]}
    # consensus_kind reads each entry's "hypernyms": every variant swaps its paths in, then they are restored
    saved = [(e.get("hypernyms"), e) for e in store.entries]
    print(f"{len(Q)} Tiny-ImageNet queries; {len(store)} nouns\n")
    print("| the vote follows | noun or ancestor | noun missing: an ancestor | WuP |\n|---|---|---|---|")
    kind_name = next(k for k, v in HEADLINES.items() if v == "kind")
    try:
        for name, paths in variants.items():
            for e, hyp in zip(store.entries, paths):
                e["hypernyms"] = list(hyp)
            res = headline(store, index, r, Q, q_leaf, d.leaf_row, d.anc_rows, d.parents, repeats)[kind_name]
            print(f"| {name} | {res['noun or ancestor']:.3f} | {res['noun missing: an ancestor']:.3f} | "
                  f"{res['WuP']:.3f} |", flush=True)
    finally:
        for hyp, e in saved:
            e["hypernyms"] = hyp


if __name__ == "__main__":
    main()
