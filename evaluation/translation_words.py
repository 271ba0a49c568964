"""Two jobs of the retrieval evaluation that start from words: foreign labels translated through held-out photos
(ranked nouns per language and number of photos), and words for kinds of things (dog, vehicle) found from their
descendants' photos."""

from __future__ import annotations

import json
from collections import defaultdict

import numpy as np

from evaluation.context import QUICK_LANGS, EvalContext
from evaluation.first_answers import KIND_TAG, first_answers
from visemb.evaluate import rank_metrics
from visemb.search import csls, l2_normalize


def general_words(ctx: EvalContext, held_leaves: set[int]) -> dict:
    """Words for kinds of things (dog, vehicle, furniture): the noun's held-out descendant photos -> its rank among
    all nouns, and how close (Wu-Palmer) the top-1 is to it. Nouns with held-out photos of two or more classes."""
    from visemb.sources.labelled import LabelledSource
    from visemb.vocabulary import wnid_of
    from visemb.wordnet_data import wordnet

    store, vec, rankers, anc_rows, repeats = ctx.store, ctx.data.vec, ctx.rankers, ctx.data.anc_rows, ctx.repeats
    wn = wordnet()
    source = LabelledSource(ctx.shared / "photos" / "labels.csv", sets=("ilsvrc2012-val",))
    n_under = defaultdict(int)
    for l in held_leaves:
        for row in anc_rows[l]:
            n_under[row] += 1
    rows = [i for i in sorted(n_under) if n_under[i] >= 2 and not repeats[i]]
    synsets = [wn.synset(store.entries[i]["synsets"][0]) for i in rows]
    out: dict = {"nouns": len(rows), "per_k": {}}
    for k in (1, 4, 8):
        acc: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for i, syn in zip(rows, synsets):
            paths = source.photos_under(wnid_of(syn))[:k]
            q = l2_normalize(l2_normalize(np.stack([vec[str(source.root / p)] for p in paths])).mean(axis=0))
            for tag, (M, r) in rankers.items():
                shown = np.where(repeats, -np.inf, csls(M @ q, r))
                acc[tag]["rank"].append(1 + int((shown > shown[i]).sum()))
                top = wn.synset(store.entries[int(np.argmax(shown))]["synsets"][0])
                acc[tag]["wup"].append(syn.wup_similarity(top) or 0.0)
                if r is not None:  # the headline answer: the kind most of CSLS's top 5 share
                    kind = first_answers(store, np.where(repeats, -np.inf, M @ q), r, q)["kind"]
                    acc[KIND_TAG]["exact"].append(kind == i)
                    acc[KIND_TAG]["wup"].append(syn.wup_similarity(wn.synset(store.entries[kind]["synsets"][0])) or 0.0)
        out["per_k"][f"k={k}"] = {
            tag: ({**rank_metrics(np.array(v["rank"]))} if "rank" in v else {"P@1": float(np.mean(v["exact"]))})
            | {"WuP top-1": float(np.mean(v["wup"]))} for tag, v in acc.items()}
    return out


def translation(ctx: EvalContext, held: list[dict], store_rows: list[dict]) -> dict:
    """Foreign labels -> the labelled source over held-out photos -> ranked nouns, per language and k."""
    from visemb.errors import VisembError
    from visemb.lexicon.foreign_labels import ForeignLabels
    from visemb.sources.labelled import LabelledSource

    shared, vec, d = ctx.shared, ctx.data.vec, ctx.data
    leaves, leaf_ix, leaf_row, anc_rows = d.leaves, d.leaf_ix, d.leaf_row, d.anc_rows
    foreign = ForeignLabels.from_babel_imagenet(shared / "multilingual" / "babel-imagenet" / "babel_imagenet.json",
                                                leaves)
    ForeignLabels.from_omw(sorted((shared / "multilingual" / "omw").glob("*/wn-data-*.tab")), into=foreign)
    source = LabelledSource(shared / "photos" / "labels.csv", foreign=foreign, sets=("ilsvrc2012-val",))
    held_classes = {r["wnid"] for r in held}
    data = json.loads((shared / "multilingual" / "babel-imagenet" / "babel_imagenet.json").read_text())
    langs = sorted(data)
    if ctx.quick:
        langs = [l for l in langs if l.lower() in QUICK_LANGS]
    ks = (1, 2, 4) if ctx.quick else (1, 2, 4, 8)
    # per-image store vectors of each leaf noun, for the true avgmax (Kiela et al.: mean over query images of the
    # best match among the noun's own images)
    img_rows = sorted(store_rows, key=lambda r: leaf_ix[r["wnid"]])
    I = l2_normalize(np.stack([vec[r["full"]] for r in img_rows]))
    starts = np.searchsorted([leaf_ix[r["wnid"]] for r in img_rows], np.arange(len(leaves)))
    out: dict = {"languages": len(langs), "per_language": {}, "overall": {}}
    agg_ranks: dict[str, list] = defaultdict(list)
    heads: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for lang in langs:
        indices, labels = data[lang]
        per: dict[str, list] = defaultdict(list)
        for ci, label in zip(indices, labels):
            wnid = leaves[ci]
            if wnid not in held_classes:
                continue
            for k in ks:
                try:
                    fetched = source.fetch(label, k)
                except VisembError:
                    continue
                V = l2_normalize(np.stack([vec[str(p)] for p in fetched.paths]))
                target = leaf_ix[wnid]
                _rank_fetched(ctx, V, k, target, {int(leaf_row[target])} | anc_rows[target], (I, starts), per,
                              heads)
        for key, v in per.items():
            agg_ranks[key] += v
        out["per_language"][lang] = {key: rank_metrics(np.array(v)) for key, v in per.items()}
    out["overall"] = {key: rank_metrics(np.array(v)) for key, v in sorted(agg_ranks.items())}
    out["headline, noun or ancestor"] = {k: {name: float(np.mean(v)) for name, v in d.items()}
                                         for k, d in heads.items()}
    return out


def _rank_fetched(ctx: EvalContext, V: np.ndarray, k: int, target: int, lenient: set[int],
                  images: tuple[np.ndarray, np.ndarray], per: dict, heads: dict) -> None:
    """Ranks of one fetched query (``V``: its unit photo vectors; ``target``: its leaf) by every ranker, added to
    ``per``; whether the first answers are the noun or an ancestor, added to ``heads["k=…"]``."""
    store, leaf_row, repeats = ctx.store, ctx.data.leaf_row, ctx.repeats
    q = l2_normalize(V.mean(axis=0))
    for tag, (M, r) in ctx.rankers.items():
        if tag != "visemb" and k not in (1, 4):
            continue
        if tag == "baseline" and k != 1:
            continue
        full = csls(M @ q, r)
        strict = full[leaf_row]
        per[f"{tag} k={k} mean"].append(1 + int((strict > strict[target]).sum()))
        shown = np.where(repeats, -np.inf, full)
        per[f"{tag} k={k} mean, exact among all nouns"].append(1 + int((shown > shown[leaf_row[target]]).sum()))
        best = max(full[j] for j in lenient)
        per[f"{tag} k={k} mean, lenient"].append(1 + int((full > best).sum()))
        if tag == "visemb":
            I, starts = images
            am = np.maximum.reduceat(V @ I.T, starts, axis=1).mean(axis=0)
            per[f"{tag} k={k} avgmax"].append(1 + int((am > am[target]).sum()))
        if r is not None:  # the first answers: is each the noun or one of its ancestors?
            first = first_answers(store, np.where(repeats, -np.inf, M @ q), r, q)
            for name, tag_ in (("retired vote (not the answer shown)", "kind"), ("CSLS top noun", "csls"),
                               ("cosine top noun", "cosine")):
                heads[f"k={k}"][name].append(first[tag_] in lenient)
