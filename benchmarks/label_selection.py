"""Choose how much a word's own labels count (``AnswerRule.label_boost``) and their calibration, on selection words.

A word that a dictionary knows (a foreign label, an English lemma) names its senses; the answer rule multiplies each
photo's probability of the classes at or below those senses by ``label_boost``. Chosen here on the *selection* part
only (`evaluation/splits.py`): labels of selection classes in every language, with the offline photos of selection
classes (never a held-out photo), k = 1, 2, 4.

- *agree*: the word's photos, as the offline source fetches them (the usual case);
- *disagree*: the same word's labels beside k photos of another selection class, the one its own photos are most
  easily taken for (a wrong or missing dictionary sense; a web search that returns a look-alike): the pictures
  must still win.

The boost with the best mean hierarchical F1 on *agree* queries is chosen among those that keep *disagree* queries'
hF1 (to the class in the photos) within 2% of no boost; then ``sigmoid(a logit(p) + b)`` is fitted on the agree
queries' noun probabilities, as the photos' calibration is (``benchmarks/answer_selection.py``).

    python benchmarks/label_selection.py        # prints the choice; writes results/label_selection.{md,json}
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.answer_selection import fit_logistic, noun_points  # noqa: E402
from evaluation.answer_metrics import Judge, summarize  # noqa: E402
from evaluation.splits import offline_source_of  # noqa: E402
from evaluation.words import Features, label_words  # noqa: E402
from visemb.answer import DEFAULT_RULE, AnswerRule, allowed_rows, conclude, weigh  # noqa: E402

BOOSTS = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 1024.0)
KS = (1, 2, 4)
WORDS_PER_LANGUAGE = 30
DISAGREE_TOLERANCE = 0.02


def decide_on(runner, z: np.ndarray, label_rows, rule: AnswerRule):
    """(calibrated node probabilities, the answer row) as :func:`visemb.answer.decide` computes them."""
    ev = weigh(runner["tax"], z, rule, runner["allowed"], label_rows)
    ans = conclude(runner["tax"], ev, rule, runner["allowed"], label_rows)
    return ev.mass, ans.node_probs, ans.row


def outcomes(runner, queries, rule: AnswerRule, disagree: bool) -> dict[int, list]:
    """Per k, the judged answers (truth: the word's noun; with ``disagree``, the other class in the photos)."""
    out = {}
    for k in KS:
        res = []
        for q in queries:
            z, truth = (q["other_logits"][k], q["other_truth"]) if disagree else (q["logits"][k], q["truth"])
            _, nodes, row = decide_on(runner, z, q["labels"], rule)
            p = float(nodes[row])
            res.append(runner["judge"].judge(row, [row], truth, p, rule.words(p)))
        out[k] = res
    return out


def prepare(store, queries, feats: Features) -> None:
    """Each query's per-photo logits for k = 1, 2, 4, and those of the photos of the class most easily taken for
    its noun (the other selection class its own photos score highest): the hard case of a wrong sense."""
    from visemb.answer import scorer_for

    scorer = scorer_for(store)
    column = store.taxonomy.class_of_row
    for q in queries:
        q["logits"] = {k: scorer.logits(feats(q["paths"][k]), DEFAULT_RULE) for k in KS}
    by_truth = {q["truth"]: q for q in queries}
    truths = np.array(sorted(by_truth))
    for q in queries:
        score = q["logits"][KS[-1]].mean(axis=0)[[column[int(t)] for t in truths]]
        score[np.isin(truths, [q["truth"], *q["labels"]])] = -np.inf
        other = by_truth[int(truths[int(np.argmax(score))])]
        q["other_truth"], q["other_logits"] = other["truth"], other["logits"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "label_selection"))
    a = ap.parse_args(argv)
    from visemb.defaults import store_path
    from visemb.store import Store

    store = Store.load(store_path())
    allowed = allowed_rows(store.taxonomy, store.repeats)
    runner = {"store": store, "tax": store.taxonomy, "allowed": allowed, "judge": Judge(store)}
    queries = [w for w in label_words(store, offline_source_of("selection"), WORDS_PER_LANGUAGE, KS) if w["paths"]]
    prepare(store, queries, Features(store))
    print(f"{len(queries)} selection words in {len({q['lang'] for q in queries})} languages", file=sys.stderr)
    base = replace(DEFAULT_RULE, label_slope=None, label_intercept=None)
    table = []
    for boost in BOOSTS:
        rule = replace(base, label_boost=boost)
        agree, disagree = outcomes(runner, queries, rule, False), outcomes(runner, queries, rule, True)
        row = {"boost": boost}
        for k in KS:
            s, d = summarize(agree[k]), summarize(disagree[k])
            row.update({f"exact_k{k}": s["exact_p1"], f"hf1_k{k}": s["h_f1"], f"ece_k{k}": s["ece"],
                        f"disagree_hf1_k{k}": d["h_f1"], f"disagree_exact_k{k}": d["exact_p1"]})
        row["hf1"] = float(np.mean([row[f"hf1_k{k}"] for k in KS]))
        row["disagree_hf1"] = float(np.mean([row[f"disagree_hf1_k{k}"] for k in KS]))
        table.append(row)
        print(f"boost {boost:g}: agree hF1 {row['hf1']:.3f} exact k=4 {row['exact_k4']:.3f}; "
              f"disagree hF1 {row['disagree_hf1']:.3f}", file=sys.stderr)
    floor = table[0]["disagree_hf1"] - DISAGREE_TOLERANCE
    best = max((r for r in table if r["disagree_hf1"] >= floor), key=lambda r: r["hf1"])
    rule = replace(base, label_boost=best["boost"])
    points = [noun_points(runner["judge"], decide_on(runner, q["logits"][k], q["labels"], rule)[0], q["truth"],
                          allowed) for q in queries for k in KS]
    la, lb = fit_logistic(*(np.concatenate(c) for c in zip(*[(x, y) for x, y, _ in points])))
    rule = replace(rule, label_slope=round(la, 4), label_intercept=round(lb, 4))
    final_agree, final_disagree = outcomes(runner, queries, rule, False), outcomes(runner, queries, rule, True)
    final = {k: {"agree": summarize(final_agree[k]), "disagree": summarize(final_disagree[k])} for k in KS}
    print(json.dumps({"label_boost": rule.label_boost, "label_slope": rule.label_slope,
                      "label_intercept": rule.label_intercept}))
    write(Path(a.out), rule, table, final, len(queries), len({q["lang"] for q in queries}))
    return 0


def write(out: Path, rule: AnswerRule, table: list[dict], final: dict, n: int, langs: int) -> None:
    from visemb.fileio import atomic_write_text

    atomic_write_text(out.with_suffix(".json"), json.dumps(
        {"rule": asdict(rule), "grid": table, "final": final}, indent=1, default=float))
    lines = ["# How much a word's own labels count, chosen on selection words", "",
             f"{n} labels of selection classes in {langs} languages (up to {WORDS_PER_LANGUAGE} per language), with "
             "the offline photos of selection classes only; *agree*: the word's own photos; *disagree*: its labels "
             "beside photos of the class its photos are most easily taken for (truth: that class). Produced by "
             "`python benchmarks/label_selection.py`.",
             "", f"Chosen: label boost {rule.label_boost:g} (the best agree hF1 among boosts whose disagree hF1 stays "
             f"within {DISAGREE_TOLERANCE} of no boost); calibration of labelled answers "
             f"sigmoid({rule.label_slope:g}·logit(p) {rule.label_intercept:+g}).", "",
             "| boost | " + " | ".join(f"exact k={k}" for k in KS) + " | agree hF1 | "
             + " | ".join(f"disagree hF1 k={k}" for k in KS) + " |",
             "|---|" + "---|" * (2 * len(KS) + 1)]
    for r in table:
        lines.append(f"| {r['boost']:g} | " + " | ".join(f"{r[f'exact_k{k}']:.3f}" for k in KS)
                     + f" | {r['hf1']:.3f} | " + " | ".join(f"{r[f'disagree_hf1_k{k}']:.3f}" for k in KS) + " |")
    lines += ["", "The chosen rule with its calibration:", "",
              "| k | agree: exact | hF1 | correct | ECE | disagree: exact | hF1 |", "|---|---|---|---|---|---|---|"]
    for k, f in final.items():
        s, d = f["agree"], f["disagree"]
        lines.append(f"| {k} | {s['exact_p1']:.3f} | {s['h_f1']:.3f} | {s['correct']:.3f} | {s['ece']:.3f} | "
                     f"{d['exact_p1']:.3f} | {d['h_f1']:.3f} |")
    atomic_write_text(out.with_suffix(".md"), "\n".join(lines) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
