"""``python -m evaluation.grown``: nouns removed from the store, then grown back from the pictures a search engine
serves (the loopback engine's, :class:`precompute.loopback.PhotoIndex`), as a translation with a network grows them.

For each removed noun (a class of the half): k of its photos are the query (``--photos``: k=4 tiny photos by
default, or full-size ones); the store answers them with the noun removed (:class:`evaluation.answers.Runner`); the
candidate senses are the rowless kin of the answer and of the pictures' likeliest classes
(:func:`visemb.growth.candidate_senses`); each candidate's vector is the mean of the 4 pictures the engine serves for
its English lemma, from the store and full-size photos only (never the query's own); then the pictures decide
again. For a word (``--words``: the noun's foreign labels) the nearest of its senses wins, as the library decides.
For photos alone the library keeps the store's answer and reports the nearest grown noun that is nearer than every
row (:func:`visemb.growth.decide_again`); the ``if_taken`` scores say what taking it would give, with ``--in-store``
for nouns the store has (what it would cost them). ``--oracle`` always makes the removed noun a candidate: the
ceiling of the pictures' decision. Scored: exact (the removed noun), within two levels (the noun, its parent or
grandparent), and the grown answers' calibration: a logistic of the cosine margin over what it beat, fitted on the
selection half and written with ``--write-calibration``.

A candidate that is not an ImageNet class gets what the engine serves for it: photos of the classes under its
nearest photographed relative, not pictures of its own (the web would give those)."""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
K = 4
PICTURES_EACH = 4
CALIBRATION_NAME = "grown_calibration.json"


def engine_index(shared: Path, tmp: Path, left_out: set[str] = frozenset()):
    """The loopback engine's photo index over the store and full-size photos (the tiny photos and the query photos
    ``left_out``, by path under ``photos/``, left out)."""
    from evaluation.splits import TINY_SET, labelled_rows
    from precompute.loopback import PhotoIndex

    rows = [r for r in labelled_rows(shared) if r["set"] != TINY_SET and r["path"] not in left_out]
    with open(tmp / "labels.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["path", "wnid", "set"])
        w.writeheader()
        for r in rows:
            w.writerow({"path": str(shared / "photos" / r["path"]), "wnid": r["wnid"], "set": r["set"]})
    return PhotoIndex(tmp)


def full_size_queries(shared: Path, store, half: str, k: int, seed: int = 0):
    """One query of ``k`` full-size (ILSVRC validation) photos per class of ``half`` that has that many, and the
    paths of the photos used (left out of the engine's index: a search never serves the query itself)."""
    from PIL import Image

    from evaluation.answers import Query
    from evaluation.embedding import embed_cached
    from evaluation.splits import CACHE, VAL_SET, labelled_rows, part_of
    from visemb.encoder_spec import get_spec

    row_of = {e.get("imagenet_id"): i for i, e in enumerate(store.entries) if e.get("imagenet_id")}
    by: dict[str, list[str]] = {}
    for r in labelled_rows(shared):
        if r["set"] == VAL_SET and part_of(r) == half and r["wnid"] in row_of:
            by.setdefault(r["wnid"], []).append(r["path"])
    queries, used = [], set()
    spec = get_spec(store.encoder_spec.name)
    for wnid, paths in sorted(by.items()):
        if len(paths) < k:
            continue
        chosen = sorted(paths)
        random.Random(f"{seed}{wnid}").shuffle(chosen)
        chosen = chosen[:k]
        full = [str(shared / "photos" / p) for p in chosen]
        feats = embed_cached(full, CACHE, spec)
        if not all(f in feats for f in full):
            continue
        sizes = []
        for f in full:
            with Image.open(f) as img:
                sizes.append(img.size)
        row = row_of[wnid]
        queries.append(Query(row, store.taxonomy.class_of_row[row], np.stack([feats[f] for f in full]), wnid, sizes))
        used |= set(chosen)
    return queries, used


def half_queries(store, shared: Path, half: str, k: int, per_class: int, removed_limit: int, seed: int = 0,
                 full_size: bool = False):
    """(the queries of at most ``removed_limit`` classes of ``half``, seeded; the query photos the engine must leave
    out): ``k`` tiny photos each, or with ``full_size`` ``k`` full-size ones."""
    from evaluation.answers import photo_queries
    from evaluation.splits import TINY_SET, is_selection_class, photos_of

    left_out: set[str] = set()
    if full_size:
        queries, left_out = full_size_queries(shared, store, half, k, seed)
    else:
        queries = photo_queries(store, photos_of(shared, store, half)[TINY_SET], k, seed=seed, per_class=per_class)
    keep = is_selection_class if half == "selection" else (lambda w: not is_selection_class(w))
    queries = [q for q in queries if keep(q.name)]
    classes = sorted({q.name for q in queries}, key=lambda w: random.Random(f"{seed}{w}").random())[:removed_limit]
    return [q for q in queries if q.name in classes], left_out


def run_half(store, shared: Path, half: str, per_class: int, removed_limit: int, seed: int = 0,
             words: bool = False, full_size: bool = False, k: int = K, oracle: bool = False,
             in_store: bool = False, margin: float = 0.0) -> list[dict]:
    """One outcome per removed noun of ``half`` (``selection`` or ``held-out``); with ``words``, one per foreign
    label of it instead (up to :data:`LABELS_PER_NOUN`): the candidates are the senses the shipped lexicons give the
    label, and its pictures are the noun's query photos (what a search for the label shows). The query photos are
    ``k`` tiny photos, or with ``full_size`` ``k`` full-size ones. With ``oracle`` the removed noun is always a
    candidate (in place of the last): the ceiling of the pictures' decision. With ``in_store`` the noun is not
    removed (what growth does to a noun the store has). ``margin``: how much nearer than every row a grown noun must
    be for the photos' "if taken" score (the library does not take it: :func:`visemb.growth.decide_again`)."""
    from evaluation.answers import Runner
    from visemb.answer import rule_for
    from visemb.encoder_spec import get_spec
    from visemb.growth import MAX_CANDIDATES, candidate_senses
    from visemb.lexicon.nouns import PACK_NAME, Lexicon
    from visemb.sources.offline import OFFLINE_DIR

    lexicon = Lexicon.from_pack(OFFLINE_DIR / PACK_NAME)
    translator = None
    if words:
        from visemb.translator import Translator

        translator = Translator(store)
    queries, left_out = half_queries(store, shared, half, k, per_class, removed_limit, seed, full_size)
    runner, rule = Runner(store), rule_for(store)
    spec = get_spec(store.encoder_spec.name)
    with tempfile.TemporaryDirectory(prefix="visemb-engine-") as tmp:
        index = engine_index(shared, Path(tmp), left_out)
        vectors: dict[str, np.ndarray] = {}
        out = []
        for q in queries:
            ans = runner.decide(q, rule, removed=not in_store, topn=10)  # the library's translations list 10
            gone = set() if in_store else set(runner.removed_rows(q, True)) | {q.truth_row}
            answer_name = store.entries[ans.row]["synsets"][0]
            answer_wnid = lexicon.wnid(answer_name)
            rowless = _RowlessView(store, gone)
            truth = lexicon.wnid(store.entries[q.truth_row]["synsets"][0])
            if translator is None:
                classes = [(lexicon.wnid(store.entries[r]["synsets"][0]), p) for r, p in ans.ranked[1:]]
                asked = [("", "", candidate_senses(lexicon, rowless, [], answer_wnid, likeliest=[w for w, _ in classes],
                                                   shares=[p for _, p in classes]))]
            else:
                asked = [(label, lang, candidate_senses(lexicon, rowless, [s.wnid for s in
                                                                           translator.reading(label, lang)[1]], None))
                         for label, lang in labels_of(translator, truth)]
            for label, lang, wanted in asked:
                if oracle and truth not in wanted:
                    wanted = [*wanted[:MAX_CANDIDATES - 1], truth]
                senses = [] if translator is None else [s.wnid for s in translator.reading(label, lang)[1]]
                sense_rows = [int(r) for w in senses if (name := lexicon.name(w))
                              for r in store.taxonomy.rows_of(name) if int(r) not in gone]
                out.append(_decided(store, lexicon, index, vectors, spec, q, ans, answer_wnid, truth, gone, wanted,
                                    label, lang, sense_rows if translator is not None else None, margin))
    return out


LABELS_PER_NOUN = 3
LABEL_LANGUAGES = ("de", "fr", "es", "it", "ru", "ja", "zh", "pl", "nl", "pt")


def labels_of(translator, wnid: str) -> list[tuple[str, str]]:
    """Up to :data:`LABELS_PER_NOUN` of the noun's foreign labels (Babel-ImageNet's), one per language, in the
    order of :data:`LABEL_LANGUAGES`."""
    foreign = translator.source("offline").foreign
    found: dict[str, str] = {}
    for word, rows in foreign.by_word.items():
        for w, lang, origin, form in rows:
            if w == wnid and origin == "babel-imagenet" and lang in LABEL_LANGUAGES and lang not in found:
                found[lang] = form.replace("_", " ")
    return [(found[la], la) for la in LABEL_LANGUAGES if la in found][:LABELS_PER_NOUN]


def _decided(store, lexicon, index, vectors, spec, q, ans, answer_wnid, truth, gone, wanted, label, lang,
             sense_rows: list[int] | None = None, margin: float = 0.0) -> dict:
    """One query decided again with the grown candidates ``wanted``, scored: for a word (``sense_rows``: its senses'
    rows) the nearest of its senses is the answer; for photos the store's answer stands, and ``*_if_taken`` scores
    the nearest grown noun when it is nearer than every row by ``margin``."""
    from evaluation.embedding import embed_cached
    from evaluation.splits import CACHE
    from visemb.search import l2_normalize

    cand = {}
    for wnid in wanted:
        if wnid not in vectors:
            paths = [str(p) for p in index.photos_for(lexicon.lemma(wnid), PICTURES_EACH)]
            feats = embed_cached([str(index.root / p) for p in paths], CACHE, spec)
            got = [feats[str(index.root / p)] for p in paths if str(index.root / p) in feats]
            vectors[wnid] = l2_normalize(np.asarray(got, np.float32)).mean(axis=0) if got else None
        if vectors[wnid] is not None:
            cand[wnid] = vectors[wnid]
    query = l2_normalize(store.prepare(q.features).mean(axis=0, keepdims=True))[0]
    sims = np.asarray(store.unit_vectors, np.float32) @ query
    sims[list(gone)] = -1.0  # the removed rows are not in the store
    answer_cos = float(sims.max()) if sense_rows is None else max((float(sims[r]) for r in sense_rows), default=-1.0)
    cos = {w: float(store.prepare(v[None, :])[0] @ query) for w, v in cand.items()}
    best = max(cos, key=cos.get) if cos else None
    words = sense_rows is not None
    taken = best is not None and cos[best] > answer_cos + (0.0 if words else margin)
    grown = taken and words
    final = best if grown else answer_wnid
    if_taken = best if taken else answer_wnid
    up1 = set(lexicon.parents(truth))
    up2 = up1 | {g for p in up1 for g in lexicon.parents(p)}
    return {"noun": lexicon.name(truth), "label": label, "lang": lang, "answer": lexicon.name(answer_wnid),
            "final": lexicon.name(final), "grown": grown, "candidates": len(cand),
            "truth_is_candidate": truth in cand,
            "margin": round(cos[best] - answer_cos, 4) if best else None,
            "store_probability": round(float(ans.probability), 4),
            "exact": final == truth, "within_two": final == truth or final in up2,
            "taken": taken, "exact_if_taken": if_taken == truth,
            "within_two_if_taken": if_taken == truth or if_taken in up2}


class _RowlessView:
    """The store as :func:`visemb.growth.candidate_senses` sees it with the removed rows gone."""

    def __init__(self, store, gone: set[int]):
        self.gone = gone
        self.taxonomy = self
        self._tax = store.taxonomy

    def rows_of(self, name: str) -> list[int]:
        return [r for r in self._tax.rows_of(name) if r not in self.gone]


def fit_calibration(rows: list[dict]) -> dict:
    """A logistic of the cosine margin, fitted on grown answers (right: the removed noun)."""
    from sklearn.linear_model import LogisticRegression

    grown = [r for r in rows if r["grown"]]
    x = np.array([[r["margin"]] for r in grown])
    y = np.array([r["exact"] for r in grown], int)
    if len(set(y)) < 2:
        return {"slope": 0.0, "intercept": float(np.log((y.mean() + 1e-3) / (1 - y.mean() + 1e-3))), "n": len(y)}
    m = LogisticRegression(C=10.0).fit(x, y)
    return {"slope": float(m.coef_[0][0]), "intercept": float(m.intercept_[0]), "n": len(y)}


def summary(rows: list[dict], cal: dict | None) -> dict:
    n = len(rows)
    grown = [r for r in rows if r["grown"]]
    out = {"removed_nouns": len({r["noun"] for r in rows}), "queries": n,
           "exact": round(sum(r["exact"] for r in rows) / n, 4),
           "within_two_levels": round(sum(r["within_two"] for r in rows) / n, 4),
           "truth_among_candidates": round(sum(r["truth_is_candidate"] for r in rows) / n, 4),
           "grown_answers": len(grown),
           "if_taken": {"exact": round(sum(r.get("exact_if_taken", r["exact"]) for r in rows) / n, 4),
                        "within_two_levels": round(sum(r.get("within_two_if_taken", r["within_two"])
                                                       for r in rows) / n, 4),
                        "taken": round(sum(r.get("taken", r["grown"]) for r in rows) / n, 4)}}
    if cal and grown:
        p = 1 / (1 + np.exp(-(cal["slope"] * np.array([r["margin"] for r in grown]) + cal["intercept"])))
        y = np.array([r["exact"] for r in grown], float)
        bins = np.minimum((p * 10).astype(int), 9)
        out["ece_grown"] = round(float(sum(abs(p[bins == b].mean() - y[bins == b].mean()) * (bins == b).sum()
                                           for b in set(bins.tolist())) / len(y)), 4)
        high = p >= 0.9
        out["high_right"] = round(float(y[high].mean()), 4) if high.any() else None
        out["high_answers"] = int(high.sum())
    return out


def main(argv: list[str] | None = None) -> int:
    from precompute.default_store import use_shared
    from visemb.defaults import DEFAULT_STORE
    from visemb.store import Store

    p = argparse.ArgumentParser(prog="python -m evaluation.grown", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shared", default=str(ROOT.parent / "shared"))
    p.add_argument("--half", choices=["selection", "held-out"], default="selection")
    p.add_argument("--removed", type=int, default=100, help="nouns removed (default: %(default)s)")
    p.add_argument("--per-class", type=int, default=1, help="k=4 queries per removed noun")
    p.add_argument("--words", action="store_true", help="the removed nouns' foreign labels instead of photos")
    p.add_argument("--photos", choices=["tiny", "full-size"], default="tiny",
                   help="the query photos: Tiny-ImageNet's 64 px or ILSVRC's full-size ones (default: %(default)s)")
    p.add_argument("--k", type=int, default=K, help="photos per query (default: %(default)s)")
    p.add_argument("--in-store", action="store_true", help="the nouns are not removed: what growth does to a noun "
                                                          "the store has")
    p.add_argument("--margin", type=float, default=0.0,
                   help="photos: how much nearer than every row a grown noun must be to count as taken in the "
                        "'if taken' scores (default: %(default)s)")
    p.add_argument("--oracle", action="store_true",
                   help="the removed noun is always a candidate: the ceiling of the pictures' decision")
    p.add_argument("--calibration", help="a calibration JSON to score the grown answers with (the shipped one's "
                                         "fit for the query kind, or a single fit)")
    p.add_argument("--write-calibration", help="fit the calibration on this half and write it here")
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    a = p.parse_args(argv)
    shared = Path(a.shared)
    if not (shared / "photos" / "labels.csv").is_file():
        print(f"{shared}/photos is missing: this evaluation needs the shared data (--shared)", file=sys.stderr)
        return 2
    use_shared(shared.resolve())
    store = Store.load(DEFAULT_STORE)
    full = a.photos == "full-size"
    rows = run_half(store, shared, a.half, a.per_class, a.removed, words=a.words, full_size=full, k=a.k,
                    oracle=a.oracle, in_store=a.in_store, margin=a.margin)
    cal = json.loads(Path(a.calibration).read_text()) if a.calibration else None
    if isinstance(cal, dict) and "words" in cal:  # the shipped file: one fit per kind of query
        cal = cal.get("words" if a.words else "photos")
    if a.write_calibration:
        cal = fit_calibration(rows)
        Path(a.write_calibration).write_text(json.dumps(cal, indent=1) + "\n")
        print(f"wrote {a.write_calibration}")
    report = {"half": a.half, "query": "foreign labels" if a.words else f"{a.photos} photos", "k": a.k,
              "oracle": a.oracle, "in_store": a.in_store, "margin": a.margin,
              "pictures_per_candidate": PICTURES_EACH, "summary": summary(rows, cal),
              "calibration": cal, "rows": rows}
    print(json.dumps(report["summary"]))
    tag = "_words" if a.words else ("_full-size" if full else "") + (f"_k{a.k}" if a.k != K else "")
    tag += ("_oracle" if a.oracle else "") + ("_in-store" if a.in_store else "")
    tag += f"_m{a.margin:g}" if a.margin else ""
    out = Path(a.out) / f"removed_then_grown{tag}_{a.half}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
