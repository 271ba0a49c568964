"""How well a photo of a noun the store lacks is told from one of a stored noun: AUROC of novelty scores.

Each held-out photo is scored twice: with its class in the store, and with its class removed (its logit dropped, as
:class:`evaluation.answers.Runner` removes it). A score that is higher for the removed case tells a missing noun.
Scores, as in OpenOOD (ImageNet-1k, ResNet-50): maximum softmax probability, energy (log-sum-exp of the logits),
and SCALE (Xu et al. 2024: the energy of the logits of the feature scaled by ``exp(sum / sum of its top 15%)``),
beside the answer's own calibrated probability.
"""

from __future__ import annotations

import numpy as np

SCALE_PERCENTILE = 85  # SCALE keeps the activations above this percentile to measure how peaked a feature is


def scale_factor(features: np.ndarray, percentile: float = SCALE_PERCENTILE) -> np.ndarray:
    """SCALE's per-photo factor ``exp(sum(a) / sum(a above the percentile))`` of [k, dim] non-negative features."""
    a = np.maximum(np.asarray(features, np.float64), 0.0)
    cut = np.percentile(a, percentile, axis=1, keepdims=True)
    top = np.where(a > cut, a, 0.0).sum(axis=1)
    return np.exp(a.sum(axis=1) / np.maximum(top, 1e-12))


def _logsumexp(z: np.ndarray) -> np.ndarray:
    m = z.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))[:, 0]


def novelty_scores(logits: np.ndarray, features: np.ndarray) -> dict[str, np.ndarray]:
    """Per photo, higher = more likely a missing noun: negative max softmax, negative energy, negative SCALE."""
    z = np.asarray(logits, np.float64)
    finite = np.where(np.isfinite(z), z, -np.inf)
    p = np.exp(finite - finite.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    scaled = finite * scale_factor(features)[:, None]
    return {"max softmax": -p.max(axis=1), "energy": -_logsumexp(finite), "SCALE": -_logsumexp(scaled)}


def novelty_report(runner, photos: list) -> dict[str, float]:
    """AUROC of each score (and of the answer's probability) on one-photo queries of ``photos``, class in the store
    (negatives) against class removed (positives)."""
    from sklearn.metrics import roc_auc_score

    from evaluation.answers import photo_queries
    from visemb.answer import rule_for

    queries = photo_queries(runner.store, photos, 1)
    if not queries:
        return {}
    rule = rule_for(runner.store)
    labels, scores = [], {}
    for removed in (False, True):
        for q in queries:
            z = runner.logits_of(q, rule).copy()
            if removed:
                z[:, q.truth_class] = -np.inf
            for name, v in novelty_scores(z, q.features).items():
                scores.setdefault(name, []).append(float(v[0]))
            scores.setdefault("answer's probability", []).append(-runner.decide(q, rule, removed).probability)
            labels.append(int(removed))
    return {"queries": len(queries), **{name: float(roc_auc_score(labels, v)) for name, v in scores.items()}}
