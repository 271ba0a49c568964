"""Which WordNet hypernym path the headline vote should follow, chosen on Tiny-ImageNet queries (the selection
set; never the held-out photos): the longest path, the shortest, or every ancestor over all paths.

Each of the 2,020 Tiny-ImageNet photos (not in the store) is a query, as in the evaluation's "answer a user reads
first": is the kind the photo's noun or an ancestor of it, with the noun in the store and removed from it?

    python benchmarks/kind_path_selection.py [--shared ../shared] [--cache benchmarks/out/eval/cache]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections import defaultdict
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
    from visemb.encoder_spec import get_spec
    from visemb.evaluate import PooledIndex, hubness_from_gram
    from visemb.evaluate_cli import HEADLINES, _embed_cached, _headline
    from visemb.prototypes import load_prototypes, mix_prototype
    from visemb.search import l2_normalize
    from visemb.store import HUBNESS_K, Store
    from visemb.vocabulary import synset_of
    from visemb.wordnet_data import wordnet

    store = Store.load(DEFAULT_STORE)
    spec = get_spec(store.encoder_spec.name)
    rows = list(csv.DictReader(open(shared / "photos" / "labels.csv", encoding="utf-8")))
    for r in rows:
        r["full"] = str(shared / "photos" / r["path"])
    vec = _embed_cached([r["full"] for r in rows], Path(a.cache), spec)
    leaves = sorted({r["wnid"] for r in rows})
    leaf_ix = {w: i for i, w in enumerate(leaves)}
    leaf_syn = [synset_of(w) for w in leaves]
    row_syn = [e["synsets"][0] for e in store.entries]
    syn_row = {s: i for i, s in enumerate(row_syn)}
    leaf_row = np.array([syn_row[s.name()] for s in leaf_syn])
    ancestors = [{x.name() for x in s.closure(lambda y: y.hypernyms() + y.instance_hypernyms())} for s in leaf_syn]
    members: list[list[int]] = [[] for _ in row_syn]
    for li, anc in enumerate(ancestors):
        for name in anc | {leaf_syn[li].name()}:
            if name in syn_row:
                members[syn_row[name]].append(li)
    parents = [{syn_row[x.name()] for x in s.hypernyms() + s.instance_hypernyms() if x.name() in syn_row}
               for s in leaf_syn]
    anc_rows = [{syn_row[n] for n in anc if n in syn_row} for anc in ancestors]
    tiny = [r for r in rows if r["set"] == "tiny-imagenet-val"]
    Q = l2_normalize(np.stack([vec[r["full"]] for r in tiny]))
    q_leaf = np.array([leaf_ix[r["wnid"]] for r in tiny])
    by_class = defaultdict(list)
    for r in rows:
        if r["set"] in STORE_SETS:
            by_class[r["wnid"]].append(vec[r["full"]])
    photos = l2_normalize(np.stack([l2_normalize(np.stack(by_class[w])).mean(axis=0) for w in leaves]))
    protos = load_prototypes(spec)
    weight = (store.manifest.get("class_prototypes") or {}).get("weight", 0.0)
    own = np.stack([mix_prototype(v, protos.get(w), weight) for v, w in zip(photos, leaves)])
    index = PooledIndex(members, photos, leaf_row, own)
    repeats = np.zeros(len(store), bool)
    repeats[list(store.repeats)] = True
    M = index.matrix()
    r = hubness_from_gram(M @ M.T, HUBNESS_K, repeats)
    wn = wordnet()

    def path(name: str, longest: bool) -> tuple[str, ...]:
        paths = [tuple(x.name() for x in p) for p in wn.synset(name).hypernym_paths()]
        return (max if longest else min)(paths, key=lambda p: (len(p), p))

    variants = {"longest path (the default)": [path(s, True) for s in row_syn],
                "shortest path": [path(s, False) for s in row_syn],
                "every ancestor, all paths": [tuple(sorted({n for p in wn.synset(s).hypernym_paths() for n in
                                                             (x.name() for x in p)})) for s in row_syn]}
    # consensus_kind reads each entry's "hypernyms": every variant swaps its paths in, then they are restored
    saved = [(e.get("hypernyms"), e) for e in store.entries]
    print(f"{len(tiny)} Tiny-ImageNet queries; {len(store)} nouns\n")
    print("| the vote follows | noun or ancestor | noun missing: an ancestor | WuP |\n|---|---|---|---|")
    kind_name = next(k for k, v in HEADLINES.items() if v == "kind")
    try:
        for name, paths in variants.items():
            for e, hyp in zip(store.entries, paths):
                e["hypernyms"] = list(hyp)
            res = _headline(store, index, r, Q, q_leaf, leaf_row, anc_rows, parents, repeats)[kind_name]
            print(f"| {name} | {res['noun or ancestor']:.3f} | {res['noun missing: an ancestor']:.3f} | "
                  f"{res['WuP']:.3f} |", flush=True)
    finally:
        for hyp, e in saved:
            e["hypernyms"] = hyp


if __name__ == "__main__":
    main()
