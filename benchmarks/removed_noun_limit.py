"""How far the answer rule's numbers can move the answer to a photo whose noun the store lacks, on the full-size
selection photos (ILSVRC-2012 validation photos of the selection classes, one per query).

For novel-noun logits 8–12 (each with its own calibration, fitted as ``benchmarks/answer_selection.py`` does),
ceilings none–3 and thresholds 0.3–0.7: exactness with the noun in the store, *near* (the noun, its parent or
grandparent) in the store and with the noun removed, and hierarchical F1 removed. Then how well single scores tell a
photo of a stored noun from one whose noun was removed (AUROC): the top class's probability, the top logit, the
cosine to the top class's stored vector.

    python benchmarks/removed_noun_limit.py     # writes results/removed_noun_limit.md
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.answer_selection import KIND_KS, KS, fit_rule, in_set  # noqa: E402
from evaluation.answer_metrics import summarize  # noqa: E402
from evaluation.answers import Runner, kind_queries, photo_queries  # noqa: E402
from visemb.answer import DEFAULT_RULE  # noqa: E402
from evaluation.splits import VAL_SET, selection_photos  # noqa: E402

NOVEL = (8.0, 10.0, 12.0)
CEILINGS = (None, 1, 2, 3)
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)


def auroc(positive: np.ndarray, negative: np.ndarray) -> float:
    """The probability that a positive scores above a negative (ties count half)."""
    from sklearn.metrics import roc_auc_score

    y = np.r_[np.ones(len(positive)), np.zeros(len(negative))]
    return float(roc_auc_score(y, np.r_[positive, negative]))


def separation(runner: Runner, queries, rule) -> dict[str, float]:
    """AUROC of novelty scores (:mod:`evaluation.novelty`) and the cosine to the top class for "the photo's noun is
    in the store" against "it was removed"."""
    from evaluation.novelty import novelty_scores

    unit = runner.store.unit_vectors
    scores: dict[str, tuple[list, list]] = {}
    for q in queries:
        for removed, side in ((False, 0), (True, 1)):
            z = runner.logits_of(q, rule).copy()
            if removed:
                z[:, q.truth_class] = -np.inf
            f = q.features[0] / np.linalg.norm(q.features[0])
            found = {k: float(v[0]) for k, v in novelty_scores(z, q.features).items()}
            found["cosine to the top class"] = -float(unit[runner.tax.class_rows[int(np.argmax(z[0]))]] @ f)
            for name, v in found.items():
                scores.setdefault(name, ([], []))[side].append(v)
    return {name: auroc(np.array(b), np.array(a)) for name, (a, b) in scores.items()}


def main(argv: list[str] | None = None) -> int:
    import argparse

    from visemb.defaults import store_path
    from visemb.fileio import atomic_write_text
    from visemb.store import Store

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--shared", default=str(ROOT.parent / "shared"), help="the shared data folder (photos)")
    a = p.parse_args(argv)
    store = Store.load(store_path())
    runner = Runner(store)
    photos = selection_photos(Path(a.shared), store)
    queries = {k: [q for n, ph in photos.items() for q in in_set(photo_queries(store, ph, k), n)] for k in KS}
    kinds = {k: [q for n, ph in photos.items() for q in in_set(kind_queries(store, ph, k), n)] for k in KIND_KS}
    full = [q for q in queries[1] if q.group == VAL_SET]
    lines = ["# A photo of a noun the store lacks: what the rule's numbers can do", "",
             f"{len(full)} full-size selection photos, one per query (`benchmarks/removed_noun_limit.py`). near: the "
             "noun, its parent or grandparent.", "",
             "| novel logit | ceiling | threshold | exact, in store | near, in store | near, removed | hF1, removed |",
             "|---|---|---|---|---|---|---|"]
    rows = []
    for novel in NOVEL:
        rule = fit_rule(runner, queries, kinds, replace(DEFAULT_RULE, novel=novel))
        for c in CEILINGS:
            for t in THRESHOLDS:
                r = replace(rule, ceiling=c, threshold=t)
                a, b = summarize(runner.run(full, r, False)), summarize(runner.run(full, r, True))
                rows.append((a["exact_p1"], b["near"]))
                lines.append(f"| {novel} | {c} | {t} | {a['exact_p1']:.3f} | {a['near']:.3f} | {b['near']:.3f} | "
                             f"{b['h_f1']:.3f} |")
        print(f"novel {novel} done", flush=True)
    exact, near = np.array(rows).T
    sep = separation(runner, full, replace(rule, ceiling=None))
    lines += ["", f"Over the grid, near with the noun removed spans {near.min():.3f}–{near.max():.3f}; exactness in "
              f"the store {exact.min():.3f}–{exact.max():.3f}.", "",
              "Telling a photo of a stored noun from one whose noun was removed (novel logit 12), AUROC: " +
              ", ".join(f"{k} {v:.3f}" for k, v in sep.items()) + "."]
    atomic_write_text(ROOT / "benchmarks" / "results" / "removed_noun_limit.md", "\n".join(lines) + "\n")
    print("\n".join(lines[-3:]))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("NLTK_DATA", str(ROOT.parent / "shared" / "wordnet" / "nltk_data"))
    raise SystemExit(main())
