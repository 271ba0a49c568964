"""``python -m evaluation.retrieval``: held-out retrieval, leave-class-out, translation, word similarity, examples.

Needs the shared data folder (photos, labels, MEN, SimLex, WordNet). Writes ``results.json`` and
``results.md`` under ``--out``. Held-out photos are the ``ilsvrc2012-val`` set, never in the store.
"""

from __future__ import annotations

import csv
import json
import logging
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from visemb.evaluate import PooledIndex, hubness_from_gram, rank_metrics, ranks_of
from visemb.search import csls, l2_normalize
from visemb.store import HUBNESS_K
from evaluation.embedding import embed_cached
from evaluation.first_answers import headline, without_own_class
from evaluation.retrieval_report import markdown
from evaluation.context import EvalContext
from evaluation.translation_words import general_words, translation
from evaluation.word_similarity import word_similarity

logger = logging.getLogger(__name__)
NAME_BASE = "article baseline (1 photo/noun, raw cosine)"
NAME_DEFAULT = "visemb default (= the store: photos + class prototypes; cosine order)"
NAME_DEFAULT_CSLS = "visemb default, CSLS order (the 'prefer specific nouns' option)"


@dataclass
class EvalData:
    """The shipped photos, their vectors and their place in a store's WordNet, shared by the evaluation and the
    benchmarks that query the same data. Leaves are the photographed classes (ImageNet ids, sorted).

    Attributes:
        rows: labels.csv rows (``full``: the photo's path); vec: path -> 2048-d vector.
        leaf_row: each leaf's store row; members: each store row's leaves (itself and its descendants);
        parents / anc_rows: each leaf's parent rows / ancestor rows in the store; prototypes: each leaf's
        classifier row.
    """

    rows: list[dict]
    vec: dict[str, np.ndarray]
    leaves: list[str]
    leaf_ix: dict[str, int]
    leaf_row: np.ndarray
    members: list[list[int]]
    parents: list[set[int]]
    anc_rows: list[set[int]]
    prototypes: np.ndarray

    @classmethod
    def load(cls, shared: Path, store, cache: Path) -> "EvalData":
        """Read the labels, embed the photos (cached per encoder file) and relate the classes to ``store``."""
        from visemb.encoder_spec import get_spec
        from visemb.prototypes import load_prototypes

        spec = get_spec(store.encoder_spec.name)
        rows = list(csv.DictReader(open(shared / "photos" / "labels.csv", encoding="utf-8")))
        for r in rows:
            r["full"] = str(shared / "photos" / r["path"])
        vec = embed_cached([r["full"] for r in rows], cache, spec)
        tax = store.taxonomy
        row_of_wnid = {e.get("imagenet_id"): i for i, e in enumerate(store.entries) if e.get("imagenet_id")}
        leaves = sorted({r["wnid"] for r in rows if r["wnid"] in row_of_wnid})
        missing = sorted({r["wnid"] for r in rows} - set(leaves))
        if missing:
            raise SystemExit(f"the store lacks {len(missing)} photographed classes of the shared photos "
                             f"(e.g. {missing[0]}); evaluate the default store")
        leaf_row = np.array([row_of_wnid[w] for w in leaves])
        members: list[list[int]] = [[] for _ in store.entries]
        for li, row in enumerate(leaf_row.tolist()):
            for r in {*tax.same_sense(row), *tax.ancestors(row)}:
                members[r].append(li)
        protos = load_prototypes(spec)
        return cls(rows, vec, leaves, {w: i for i, w in enumerate(leaves)}, leaf_row, members,
                   [tax.parents(int(r)) for r in leaf_row], [tax.ancestors(int(r)) for r in leaf_row],
                   np.stack([protos.get(w) for w in leaves]))

    def queries(self, photo_set: str) -> tuple[np.ndarray, np.ndarray]:
        """Unit vectors of the photos of ``photo_set`` and each one's leaf index."""
        chosen = [r for r in self.rows if r["set"] == photo_set]
        return (l2_normalize(np.stack([self.vec[r["full"]] for r in chosen])),
                np.array([self.leaf_ix[r["wnid"]] for r in chosen]))

    def leaf_vectors(self, sets: tuple[str, ...], transform=None) -> np.ndarray:
        """Each leaf's mean normalised photo vector over the photos of ``sets`` (after ``transform``)."""
        by = defaultdict(list)
        for r in self.rows:
            if r["set"] in sets:
                v = self.vec[r["full"]]
                by[r["wnid"]].append(transform(v[None])[0] if transform else v)
        return l2_normalize(np.stack([l2_normalize(np.stack(by[w])).mean(axis=0) for w in self.leaves]))

    def with_prototypes(self, leaf_vectors: np.ndarray, weight: float) -> np.ndarray:
        """Leaf vectors with each class's prototype mixed in at ``weight`` (as the store's class nouns)."""
        from visemb.prototypes import mix_prototype

        return np.stack([mix_prototype(v, p, weight) for v, p in zip(leaf_vectors, self.prototypes)])


def run_evaluation(a) -> int:
    """The whole retrieval evaluation (``a``: the parsed command line); writes results.json and results.md."""
    from precompute.default_store import STORE_SETS

    shared, out, store, d = _inputs(a)
    from visemb.defaults import store_path
    held = [r for r in d.rows if r["set"] == "ilsvrc2012-val"]
    Q, q_leaf = d.queries("ilsvrc2012-val")
    weight = (store.manifest.get("class_prototypes") or {}).get("weight", 0.0)
    variants = _variants(d, weight)
    indexes = {name: PooledIndex(d.members, L, d.leaf_row, own) for name, (L, _, own) in variants.items()}
    repeats = np.zeros(len(store), bool)
    repeats[list(store.repeats)] = True
    # table row -> (variant, CSLS order?): the default as the app ranks by default (cosine), and with CSLS
    orders = {NAME_BASE: (NAME_BASE, False), NAME_DEFAULT: (NAME_DEFAULT, False),
              NAME_DEFAULT_CSLS: (NAME_DEFAULT, True)}
    orders.update({name: (name, False) for name in variants if name not in orders})
    results: dict = {"store": str(store_path(a.store)), "held_out_photos": len(held),
                     "held_out_classes": len(set(q_leaf)), "prototype_weight": weight, "hubness_k": HUBNESS_K,
                     "retrieval": {}, "multi_image": {}, "leave_class_out": {}, "translation": {},
                     "general_words": {}, "similarity": {}, "examples": {}}
    results.update(_rebuilt(store, indexes[NAME_DEFAULT], repeats))
    for name, (vname, use_csls) in orders.items():
        retrieval, multi, lco = _retrieval(indexes[vname], variants[vname][1], use_csls, Q, q_leaf, d, repeats)
        results["retrieval"][name], results["multi_image"][name], results["leave_class_out"][name] = \
            retrieval, multi, lco
    ctx = EvalContext(shared, store, d, repeats, _rankers(indexes, repeats), a.quick)
    results["headline"] = headline(store, indexes[NAME_DEFAULT], ctx.rankers["visemb CSLS"][1], Q, q_leaf, d.leaf_row,
                                    d.anc_rows, d.parents, repeats)
    results["translation"] = translation(ctx, held, [r for r in d.rows if r["set"] in STORE_SETS])
    results["general_words"] = general_words(ctx, set(q_leaf.tolist()))
    results["similarity"] = word_similarity(shared, store, indexes, NAME_BASE)
    results["examples"] = _examples(store, indexes[NAME_BASE].matrix())
    from visemb.fileio import atomic_write_text

    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "results.json", json.dumps(results, indent=1))
    md = markdown(results)
    atomic_write_text(out / "results.md", md)
    print(md)
    return 0


def _inputs(a):
    """(shared folder, output folder, store, :class:`EvalData`) for the command line ``a``."""
    from visemb.defaults import store_path
    from visemb.store import Store

    shared = Path(a.shared or Path(__file__).resolve().parents[2] / "shared").resolve()
    if not (shared / "photos" / "labels.csv").is_file():
        raise SystemExit(f"evaluate needs the shared data folder (photos, MEN, SimLex): not found at {shared}; "
                         "pass --shared")
    os.environ.setdefault("NLTK_DATA", str(shared / "wordnet" / "nltk_data"))
    from visemb.wordnet_data import wordnet

    wordnet()  # fail early, with the message naming how to install it, before any embedding
    out = Path(a.out)
    store = Store.load(store_path(a.store))
    return shared, out, store, EvalData.load(shared, store, out / "cache")


def _variants(d: EvalData, weight: float) -> dict:
    """name: (leaf photo vectors, query transform, the class nouns' own vectors or None)."""
    from precompute.default_store import STORE_SETS

    photos = d.leaf_vectors(STORE_SETS)
    whiten = _fit_whitening(np.stack([d.vec[r["full"]] for r in d.rows if r["set"] != "ilsvrc2012-val"]))
    return {
        NAME_BASE: (d.leaf_vectors(("imagenet-samples",)), None, None),
        NAME_DEFAULT: (photos, None, d.with_prototypes(photos, weight) if weight else None),
        "photos only (no class prototypes; the default before)": (photos, None, None),
        "class prototypes only (rejected: word similarity drops)": (photos, None, d.prototypes),
        "photos + Tiny-ImageNet photos (10/class, 202 classes; rejected)": (
            d.leaf_vectors(("imagenet-samples", "tiny-imagenet-val")), None, None),
        "photos + PCA-whitening (512-d, fit on store photos; rejected)": (
            d.leaf_vectors(STORE_SETS, whiten), whiten, None),
    }


def _rebuilt(store, index: PooledIndex, repeats: np.ndarray) -> dict:
    """Sanity: how closely the default variant rebuilds the committed store's vectors and hubness."""
    rebuilt = index.matrix()
    out = {"rebuilt_vs_store_min_cosine": float(np.min(np.sum(rebuilt * store.unit_vectors, axis=1)))}
    if store.hubness is not None:
        r_rebuilt = hubness_from_gram(rebuilt @ rebuilt.T, HUBNESS_K, repeats)
        out["rebuilt_vs_store_max_hubness_diff"] = float(np.max(np.abs(r_rebuilt - store.hubness)))
    return out


def _retrieval(index: PooledIndex, tf, use_csls: bool, Q: np.ndarray, q_leaf: np.ndarray, d: EvalData,
               repeats: np.ndarray) -> tuple[dict, dict, dict]:
    """(retrieval, multi-photo, leave-class-out) figures of one variant in one order."""
    leaf_row, anc_rows = d.leaf_row, d.anc_rows
    M = index.matrix()
    G = M @ M.T
    r = hubness_from_gram(G, HUBNESS_K, repeats) if use_csls else None
    Qv = l2_normalize(tf(Q)) if tf else Q
    S = csls(Qv @ M.T, r)
    strict = ranks_of(S[:, leaf_row], [{int(l)} for l in q_leaf])
    lenient_sets = [{int(leaf_row[l])} | anc_rows[l] for l in q_leaf]
    shown = np.where(repeats, -np.inf, S)  # what a user is shown: all nouns but repeats
    retrieval = {"strict (among the 1,000 nouns)": rank_metrics(strict),
                 "exact (all nouns)": rank_metrics(ranks_of(shown, [{int(leaf_row[l])} for l in q_leaf])),
                 "lenient (synset or hypernym, all nouns)": rank_metrics(ranks_of(S, lenient_sets))}
    multi = {}
    by_class = defaultdict(list)
    for i, l in enumerate(q_leaf):
        by_class[int(l)].append(i)
    for k in (2, 4):
        groups = [ix[:k] for ix in by_class.values() if len(ix) >= k]
        if groups:
            Gq = l2_normalize(np.stack([Qv[g].mean(axis=0) for g in groups]))
            rk = ranks_of(csls(Gq @ M.T, r)[:, leaf_row], [{int(q_leaf[g[0]])} for g in groups])
            multi[f"k={k}"] = rank_metrics(rk)
    lco = _leave_class_out(index, G if use_csls else None, Qv, q_leaf, leaf_row, anc_rows, d.parents, repeats)
    return retrieval, multi, lco


def _examples(store, base_M: np.ndarray) -> dict:
    """Similarities of a few pairs, visemb's beside the article baseline's."""
    out = {}
    for x, y in (("car", "truck"), ("car", "dog"), ("house", "building"), ("wine", "bottle")):
        ok = x in store and y in store
        out[f"{x}/{y}"] = {
            "visemb": store.similarity(x, y) if ok else None,
            "baseline": float(base_M[store.get_index(x)] @ base_M[store.get_index(y)]) if ok else None}
    return out


def _leave_class_out(index: PooledIndex, G: np.ndarray | None, Qv: np.ndarray, q_leaf: np.ndarray,
                     leaf_row: np.ndarray, anc_rows: list[set[int]], parents: list[set[int]],
                     repeats: np.ndarray) -> dict:
    """Each query's own noun removed: is the top-1 an ancestor, the parent? With ``G``: in CSLS order."""
    hit_anc = hit_parent = 0
    for l, _, s, r in without_own_class(index, G, Qv, q_leaf, leaf_row, repeats):
        top = int(np.argmax(csls(s, r)))
        hit_anc += top in anc_rows[l]
        hit_parent += top in parents[l]
    return {"n": len(q_leaf), "top-1 is an ancestor": hit_anc / len(q_leaf),
            "top-1 is the parent": hit_parent / len(q_leaf)}


def _fit_whitening(X: np.ndarray, dim: int = 512):
    from sklearn.decomposition import PCA

    pca = PCA(n_components=dim, whiten=True, random_state=0).fit(l2_normalize(X))
    return lambda x: pca.transform(l2_normalize(np.atleast_2d(x))).astype(np.float32)


def _rankers(indexes: dict[str, PooledIndex], repeats: np.ndarray) -> dict:
    """tag -> (row matrix, CSLS r or None): the baseline; the default (cosine order); the default in CSLS order
    (the 'prefer specific nouns' option)."""
    base, default = indexes[NAME_BASE].matrix(), indexes[NAME_DEFAULT].matrix()
    return {"baseline": (base, None), "visemb": (default, None),
            "visemb CSLS": (default, hubness_from_gram(default @ default.T, HUBNESS_K, repeats))}


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m evaluation.retrieval", description=__doc__.splitlines()[0])
    ap.add_argument("--shared", help="the shared data folder (photos, labels, MEN, SimLex)")
    ap.add_argument("--out", default="evaluation-out", help="folder for results.json and results.md")
    ap.add_argument("--quick", action="store_true", help="fewer languages and k values")
    ap.add_argument("--store", help="the store to evaluate (default: the shipped one, or VISEMB_STORE)")
    return run_evaluation(ap.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
