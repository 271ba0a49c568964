"""Scores of the answer a user reads, against the photographed noun: exact, hierarchical, specificity, calibration.

- exact: P@1 / P@5 / MRR of the ranked list (the answer first);
- hierarchical precision, recall and F1 (Kiritchenko et al. 2005): overlap of the answer's and the truth's
  ancestor sets (each with itself, without the root *entity*);
- correct: the truth is the answer or a kind of it (what the confidence predicts);
- near: the answer is the truth or one of its two nearest ancestors along the stored path (distinct nouns only:
  rows that merely repeat one class's photos are skipped), counting only ancestors still in the store;
- information gain (Deng et al. 2012): ``log2(classes) - log2(classes under the answer)`` when correct, else 0;
- top level: the answer is one of :data:`TOP_LEVEL` (entity, physical entity, object, whole, artifact, organism);
- expected calibration error of the confidence (10 equal-width bins) and a reliability table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from visemb.entry import synset_of

ROOT = "entity.n.01"
TOP_LEVEL = frozenset({"entity.n.01", "physical_entity.n.01", "object.n.01", "whole.n.02", "artifact.n.01",
                       "organism.n.01", "abstraction.n.06", "living_thing.n.01"})


@dataclass
class Outcome:
    """How one answer scored."""

    exact: bool
    in_top5: bool
    reciprocal_rank: float
    correct: bool
    near: bool
    h_precision: float
    h_recall: float
    h_f1: float
    info_gain: float
    top_level: bool
    confidence: float
    words: str


class Judge:
    """Scores answers against a store's WordNet (its taxonomy: ancestry and the stored hypernym paths)."""

    def __init__(self, store):
        self.store = store
        self.tax = store.taxonomy
        self.syn = [synset_of(e) or "" for e in store.entries]
        self.not_repeat = np.ones(len(store.entries), bool)
        self.not_repeat[list(store.repeats)] = False
        self.n_classes = len(self.tax.class_rows)

    def ancestors(self, row: int) -> frozenset[str]:
        return self.store.ancestry(row) - {ROOT}

    def near_rows(self, truth: int, removed: frozenset[int] = frozenset()) -> set[int]:
        """The truth (unless removed) and its two nearest distinct ancestors along the stored path."""
        allowed = self.not_repeat.copy()
        allowed[list(removed)] = False
        return ({truth} - removed) | {r for level in self.tax.levels_up(truth, allowed)[:2] for r in level}

    def judge(self, answer: int, ranked: list[int], truth: int, confidence: float, words: str,
              removed: frozenset[int] = frozenset()) -> Outcome:
        a, t = self.ancestors(answer), self.ancestors(truth)
        inter = len(a & t)
        hp = inter / len(a) if a else 0.0
        hr = inter / len(t) if t else 0.0
        hf = 2 * hp * hr / (hp + hr) if hp + hr else 0.0
        correct = self.tax.is_at_or_below(truth, answer)
        under = max(int(self.tax.classes_under[answer]), 1)
        rank = ranked.index(truth) + 1 if truth in ranked else 0
        return Outcome(answer == truth, truth in ranked[:5], 1.0 / rank if rank else 0.0, correct,
                       answer in self.near_rows(truth, removed), hp, hr, hf,
                       math.log2(self.n_classes / under) if correct else 0.0, self.syn[answer] in TOP_LEVEL,
                       confidence, words)


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """ECE: the bin-size-weighted mean gap between accuracy and mean confidence over equal-width bins."""
    confidence, correct = np.asarray(confidence, float), np.asarray(correct, float)
    if not len(confidence):
        return float("nan")
    edges = np.minimum((confidence * bins).astype(int), bins - 1)
    err = 0.0
    for b in range(bins):
        m = edges == b
        if m.any():
            err += m.mean() * abs(correct[m].mean() - confidence[m].mean())
    return float(err)


def reliability(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> list[tuple[str, int, float, float]]:
    """Rows of a reliability diagram: (bin, answers, mean confidence, accuracy) for non-empty bins."""
    confidence, correct = np.asarray(confidence, float), np.asarray(correct, float)
    edges = np.minimum((confidence * bins).astype(int), bins - 1)
    out = []
    for b in range(bins):
        m = edges == b
        if m.any():
            out.append((f"{b / bins:.1f}–{(b + 1) / bins:.1f}", int(m.sum()), float(confidence[m].mean()),
                        float(correct[m].mean())))
    return out


def summarize(outcomes: list[Outcome]) -> dict[str, float]:
    """Means of every score, ECE, and the accuracy of answers by confidence word."""
    if not outcomes:
        return {"n": 0}
    col = {f: np.array([getattr(o, f) for o in outcomes], float) for f in
           ("exact", "in_top5", "reciprocal_rank", "correct", "near", "h_precision", "h_recall", "h_f1",
            "info_gain", "top_level", "confidence")}
    out = {"n": len(outcomes), "exact_p1": col["exact"].mean(), "exact_p5": col["in_top5"].mean(),
           "mrr": col["reciprocal_rank"].mean(), "correct": col["correct"].mean(), "near": col["near"].mean(),
           "h_precision": col["h_precision"].mean(), "h_recall": col["h_recall"].mean(), "h_f1": col["h_f1"].mean(),
           "info_gain": col["info_gain"].mean(), "top_level": col["top_level"].mean(),
           "confidence": col["confidence"].mean(),
           "ece": expected_calibration_error(col["confidence"], col["correct"])}
    for w in ("high", "medium", "low"):
        m = np.array([o.words == w for o in outcomes])
        out[f"share_{w}"] = float(m.mean())
        out[f"correct_{w}"] = float(col["correct"][m].mean()) if m.any() else float("nan")
    return out
