"""Choose the answer rule (temperature, calibration, threshold, confidence words) on the selection photos.

Selection photos (:func:`evaluation.splits.selection_photos`): the 2,020 Tiny-ImageNet validation photos (64 px,
202 classes, 10 each) and the ILSVRC-2012 validation photos of the *selection* half of its classes; the other half
is held out for reporting (``python -m evaluation``), and the store's own photos are a third, separate set.
Queries of k = 1, 2, 4, 8 photos of one class, with the class in the store and removed from it. For each
temperature, novel-noun logit and combination, the calibration ``sigmoid(a logit(p) + b)`` (a, b linear in log2 k and
in the share of small photos) is fitted by logistic regression on (noun probability, truth at or below the noun) with
the noun in the store. Those, the ceiling and the threshold are the ones with the best score: the mean of exact
P@1, *near* (the noun, its parent or grandparent) and hierarchical F1, each averaged over both conditions and all k,
and over *kind* queries (k photos of k different classes under one noun, as a word like *Hund* fetches many breeds;
the truth is that noun), the two photo sets counting equally — exactness and specificity count; a vague answer does
not win.
The confidence words are tied to measured accuracy: ``high`` where answers were right at least 90% of the time,
``medium`` at least 60%.

    python benchmarks/answer_selection.py [--shared ../shared]   # prints the rule; writes results/answer_selection.*
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluation.answer_metrics import summarize  # noqa: E402
from evaluation.answers import Runner, kind_queries, photo_queries  # noqa: E402
from evaluation.splits import selection_photos  # noqa: E402
from visemb.answer import SMALL_SIDE, AnswerRule  # noqa: E402

SELECTION_SETS = ("tiny-imagenet-val", "ilsvrc2012-val")
KS = (1, 2, 4, 8)
KIND_KS = (2, 4, 8)
TEMPERATURES = (1.0, 1.5)
NOVEL = (None, 12.0, 15.0)
# a word's photos show different members of its kind (chien: eight breeds); their geometric mean ("logmean") reads
# that as disagreement and answers chien with canine at low confidence, so photos combine by their mean (a mixture)
COMBINE = ("mean",)
THRESHOLDS = tuple(np.round(np.arange(0.30, 0.91, 0.1), 2))
CEILINGS = (None, 1, 2, 3)
HIGH_ACCURACY, MEDIUM_ACCURACY = 0.90, 0.60


def fit_logistic(x: np.ndarray, y: np.ndarray, iters: int = 50) -> tuple[float, float]:
    """(a, b) maximising the likelihood of ``y ~ sigmoid(a x + b)``."""
    a, b = fit_logistic_design(np.stack([x, np.ones_like(x)], axis=1), y, iters)
    return float(a), float(b)


def fit_logistic_design(X: np.ndarray, y: np.ndarray, iters: int = 50) -> np.ndarray:
    """Weights ``w`` maximising the likelihood of ``y ~ sigmoid(X w)`` (Newton's method, a tiny ridge)."""
    w = np.zeros(X.shape[1])
    w[0] = 1.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(X @ w, -40, 40)))
        g = X.T @ (p - y) + 1e-6 * w
        H = (X * (p * (1 - p))[:, None]).T @ X + 1e-6 * np.eye(X.shape[1])
        step = np.linalg.solve(H, g)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def calibration_points(runner: Runner, queries, rule: AnswerRule, removed: bool) -> np.ndarray:
    """Rows (logit of mean noun probability, log2 k, small share, truth at or below the noun) for every noun a
    query gives 1–99.99%."""
    out = []
    for q in queries:
        x, y = noun_points(runner.judge, runner.probabilities(q, rule, removed).nodes, q.truth_row,
                           runner.base_allowed)
        out.append(np.stack([x, np.full(len(x), np.log2(len(q.features))), np.full(len(x), q.small), y], axis=1))
    return np.concatenate(out)


def noun_points(judge, nodes: np.ndarray, truth_row: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(logit of each allowed noun's probability, whether the truth is at or below it) for the nouns one query gives
    1–99.99%: the points a calibration is fitted on."""
    rows = np.flatnonzero((nodes > 0.01) & (nodes < 0.9999) & allowed)
    truth_anc = judge.store.ancestry(truth_row)
    p = nodes[rows]
    return np.log(p / (1 - p)), np.array([judge.syn[r] in truth_anc for r in rows], float)


def fit_rule(runner: Runner, queries: dict, temperature: float, novel: float | None, combine: str) -> AnswerRule:
    """The calibration ``sigmoid(a logit(p) + b)`` for one temperature, novel logit and combination, fitted in the
    store on every k at once: ``a`` and ``b`` linear in log2 k and in the share of small photos."""
    rule = AnswerRule(temperature=temperature, novel=novel, combine=combine)
    x, lk, s, y = np.concatenate([calibration_points(runner, queries[k], rule, False) for k in KS]).T
    w = fit_logistic_design(np.stack([x, x * lk, x * s, np.ones_like(x), lk, s], axis=1), y)
    return replace(rule, slope=(float(w[0]), float(w[1])), intercept=(float(w[3]), float(w[4])),
                   small_slope=float(w[2]), small_intercept=float(w[5]))


def outcomes_by_choice(runner: Runner, queries: list, rule: AnswerRule, k: int, removed: bool) -> dict:
    """{(ceiling, threshold): judged answers} for the queries, computing their probabilities once."""
    cached = []
    for q in queries:
        probs = runner.probabilities(q, rule, removed)
        cached.append((q, probs, rule.calibrate(probs.nodes, k, small=q.small)))
    out = {}
    for c in CEILINGS:
        for t in THRESHOLDS:
            r = replace(rule, threshold=float(t), ceiling=c)
            out[(c, float(t))] = [runner.outcome(q, p, n, r, removed) for q, p, n in cached]
    return out


def evaluate(runner: Runner, queries: dict, kinds: dict, rule: AnswerRule) -> dict:
    """Judged answers per (condition, k, ceiling, threshold): photos of one class in the store and removed, and
    the kind queries (photos of different classes under one noun)."""
    out = {}
    for removed in (False, True):
        for k in KS:
            for (c, t), res in outcomes_by_choice(runner, queries[k], rule, k, removed).items():
                out[(removed, k, c, t)] = res
    for k, qs in kinds.items():
        for (c, t), res in outcomes_by_choice(runner, qs, rule, k, False).items():
            out[("kind", k, c, t)] = res
    return out


def in_set(queries: list, name: str) -> list:
    """``queries``, each marked as drawn from photo set ``name``."""
    for q in queries:
        q.group = name
    return queries


def balanced(outcomes: list, groups: list[str]) -> dict[str, float]:
    """:func:`summarize` of each photo set's outcomes, averaged over the sets: the 64-px Tiny-ImageNet photos and
    the full-size ones count the same, however many each has."""
    parts = [summarize([o for o, g in zip(outcomes, groups) if g == name]) for name in sorted(set(groups))]
    return {m: float(np.mean([p[m] for p in parts])) for m in parts[0]}


def confidence_words(outcomes) -> tuple[float, float]:
    """The lowest confidences above which selection answers were right >= 90% / >= 60% of the time."""
    conf = np.array([o.confidence for o in outcomes])
    ok = np.array([o.correct for o in outcomes], float)
    cuts = np.round(np.arange(0.30, 0.99, 0.01), 2)

    def lowest(target):
        for c in cuts:
            m = conf >= c
            if m.sum() >= 20 and ok[m].mean() >= target:
                return float(c)
        return 0.99

    return lowest(HIGH_ACCURACY), lowest(MEDIUM_ACCURACY)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    a = ap.parse_args(argv)
    shared = Path(a.shared).resolve()
    from visemb.defaults import store_path
    from visemb.store import Store

    store = Store.load(store_path())
    runner = Runner(store)
    photos = selection_photos(shared, store)
    queries = {k: [q for name, ph in photos.items() for q in in_set(photo_queries(store, ph, k), name)] for k in KS}
    kinds = {k: [q for name, ph in photos.items() for q in in_set(kind_queries(store, ph, k), name)]
             for k in KIND_KS}
    sets = {**{(rm, k): [q.group for q in queries[k]] for rm in (False, True) for k in KS},
            **{("kind", k): [q.group for q in kinds[k]] for k in KIND_KS}}
    print("selection queries:", {k: len(v) for k, v in queries.items()}, "kind queries:",
          {k: len(v) for k, v in kinds.items()}, "mode:", runner.scorer.mode)
    table, best = [], None
    for temp, novel, comb in [(t, n, c) for t in TEMPERATURES for n in NOVEL for c in COMBINE]:
        rule = fit_rule(runner, queries, temp, novel, comb)
        res = evaluate(runner, queries, kinds, rule)
        for c, t in [(c, float(t)) for c in CEILINGS for t in THRESHOLDS]:
            cells = [balanced(res[(rm, k, c, t)], sets[(rm, k)]) for rm in (False, True) for k in KS]
            cells += [balanced(res[("kind", k, c, t)], sets[("kind", k)]) for k in KIND_KS]
            means = {m: float(np.mean([x[m] for x in cells])) for m in ("exact_p1", "near", "h_f1")}
            score = float(np.mean(list(means.values())))
            row = {"temperature": temp, "novel": novel, "combine": comb, "ceiling": c, "threshold": t,
                   "score": score, "mean_exact": means["exact_p1"], "mean_near": means["near"],
                   "mean_h_f1": means["h_f1"],
                   "exact_in_k1": cells[0]["exact_p1"], "exact_in_k4": cells[2]["exact_p1"],
                   "near_in_k1": cells[0]["near"], "near_removed_k1": cells[4]["near"],
                   "h_f1_removed_k1": cells[4]["h_f1"], "top_level_removed_k1": cells[4]["top_level"],
                   "ece_mean": float(np.mean([x["ece"] for x in cells]))}
            table.append(row)
            if best is None or score > best[0]:
                best = (score, replace(rule, threshold=t, ceiling=c), res)
        mine = [r for r in table if (r["temperature"], r["novel"], r["combine"]) == (temp, novel, comb)]
        print(f"T={temp} novel={novel} {comb}: best {max(mine, key=lambda r: r['score'])}", flush=True)
    _, rule, res = best
    choice = (rule.ceiling, rule.threshold)
    chosen = [o for rm in (False, True) for k in KS for o in res[(rm, k, *choice)]]
    chosen += [o for k in KIND_KS for o in res[("kind", k, *choice)]]
    high, medium = confidence_words(chosen)
    rule = replace(rule, high=high, medium=medium)
    print("chosen rule:", json.dumps(asdict(rule)))
    final = {}
    for rm in (False, True):
        for k in KS:
            outs = res[(rm, k, *choice)]
            for o in outs:
                o.words = rule.words(o.confidence)
            final[f"{'removed' if rm else 'in store'}, k={k}"] = summarize(outs)
            for name in SELECTION_SETS:
                mine = [o for o, g in zip(outs, sets[(rm, k)]) if g == name]
                if mine:
                    final[f"{'removed' if rm else 'in store'}, k={k}, {name}"] = summarize(mine)
    for k in KIND_KS:
        outs = res[("kind", k, *choice)]
        for o in outs:
            o.words = rule.words(o.confidence)
        final[f"a kind (k classes under one noun), k={k}"] = summarize(outs)
    write(Path(a.out), rule, table, final)
    return 0


def write(out: Path, rule: AnswerRule, table: list[dict], final: dict) -> None:
    from visemb.fileio import atomic_write_text

    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "answer_selection.json", json.dumps(
        {"rule": asdict(rule), "grid": table, "selection": final}, indent=1, default=float))
    lines = ["# Answer rule, chosen on the selection photos", "",
             "Selection photos: Tiny-ImageNet's 2,020 validation photos (64 px, 202 classes) and the ILSVRC-2012 "
             "validation photos of the selection half of its classes (`evaluation/splits.py`); never in the store, "
             "never used to report. Produced by `python benchmarks/answer_selection.py`.", "",
             f"Chosen: temperature {rule.temperature}, novel-noun logit {rule.novel}, ceiling {rule.ceiling}, "
             f"threshold {rule.threshold}, calibration slope "
             f"{rule.slope[0]:.3f} + {rule.slope[1]:.3f}·log2 k {rule.small_slope:+.3f}·s, intercept "
             f"{rule.intercept[0]:.3f} + {rule.intercept[1]:.3f}·log2 k {rule.small_intercept:+.3f}·s (s: the share "
             f"of photos under {SMALL_SIDE} px); confidence words: high ≥ {rule.high}, medium ≥ {rule.medium}.", "",
             "## The chosen rule on the selection photos", "",
             "| condition | queries | exact P@1 | P@5 | MRR | near (noun, parent, grandparent) | hF1 | correct | "
             "info gain (bits) | top level | ECE | right when high |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, s in final.items():
        lines.append(f"| {name} | {s['n']} | {s['exact_p1']:.3f} | {s['exact_p5']:.3f} | {s['mrr']:.3f} | "
                     f"{s['near']:.3f} | {s['h_f1']:.3f} | {s['correct']:.3f} | {s['info_gain']:.2f} | "
                     f"{s['top_level']:.3f} | {s['ece']:.3f} | {_fmt(s['correct_high'])} |")
    lines += ["", "## The grid", "",
              "score (chooses): the mean of exact P@1, near and hierarchical F1, each averaged over both conditions, "
              "k = 1, 2, 4, 8, and kind queries. ceiling: levels above the noun the photos agree on (None: none); "
              "near: the noun, its parent or grandparent.", "",
              "| temperature | novel | combine | ceiling | threshold | score | mean exact | mean near | mean hF1 | "
              "exact, in store, k=1 | near, in store, k=1 | exact, in store, k=4 | near, removed, k=1 | "
              "hF1, removed, k=1 | top level, removed, k=1 | mean ECE |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in table:
        lines.append(f"| {r['temperature']} | {r['novel']} | {r['combine']} | {r['ceiling']} | {r['threshold']} | "
                     f"{r['score']:.3f} | {r['mean_exact']:.3f} | {r['mean_near']:.3f} | {r['mean_h_f1']:.3f} | "
                     f"{r['exact_in_k1']:.3f} | {r['near_in_k1']:.3f} | "
                     f"{r['exact_in_k4']:.3f} | {r['near_removed_k1']:.3f} | {r['h_f1_removed_k1']:.3f} | "
                     f"{r['top_level_removed_k1']:.3f} | {r['ece_mean']:.3f} |")
    atomic_write_text(out / "answer_selection.md", "\n".join(lines) + "\n")


def _fmt(x: float) -> str:
    return "–" if x != x else f"{x:.3f}"


if __name__ == "__main__":
    os.environ.setdefault("NLTK_DATA", str(ROOT.parent / "shared" / "wordnet" / "nltk_data"))
    raise SystemExit(main())
