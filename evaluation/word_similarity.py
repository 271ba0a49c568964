"""Word similarity of the store's vectors against human ratings: MEN, SimLex-999's nouns and its concrete nouns."""

from __future__ import annotations

import csv

from visemb.evaluate import spearman


def word_similarity(shared, store, indexes: dict, base: str) -> dict:
    """Spearman's rho of the store's cosines (and of each variant in ``indexes``; ``base``: the article's baseline) to
    each rating set's nouns that the store has."""
    men = [(a, b, float(s)) for a, b, s in (l.split() for l in open(shared / "wordsim" / "MEN-3k.txt"))]
    simlex = list(csv.DictReader(open(shared / "wordsim" / "SimLex-999.tsv"), delimiter="\t"))
    sl = [(r["word1"], r["word2"], float(r["SimLex999"])) for r in simlex if r["POS"] == "N"]
    concrete = [(r["word1"], r["word2"], float(r["SimLex999"])) for r in simlex
                if r["POS"] == "N" and float(r["conc(w1)"]) >= 4 and float(r["conc(w2)"]) >= 4]
    mats = {name: index.matrix() for name, index in indexes.items()}
    base_M = mats[base]

    def base_sim(a, b):
        return float(base_M[store.get_index(a)] @ base_M[store.get_index(b)])

    out = {}
    for name, pairs, total in (("MEN", men, len(men)), ("SimLex-999 nouns", sl, len(sl)),
                               ("SimLex-999 concrete nouns (conc >= 4)", concrete, len(concrete))):
        covered = [p for p in pairs if p[0] in store and p[1] in store]
        out[name] = {"coverage": f"{len(covered)}/{total}", "visemb": spearman(covered, store.similarity),
                     "baseline": spearman(covered, base_sim), "variants": {}}
        if store.hubness is not None:
            out[name]["visemb, hubness-corrected (CSLS)"] = spearman(
                covered, lambda a, b: store.similarity(a, b, hubness=True))
        for vname, M in mats.items():
            out[name]["variants"][vname] = spearman(
                covered, lambda a, b, M=M: float(M[store.get_index(a)] @ M[store.get_index(b)]))["rho"]
    return out
