"""Evaluation metrics: retrieval ranks (strict and lenient), leave-class-out, Spearman on word-similarity sets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from visemb.search import l2_normalize


def ranks_of(scores: np.ndarray, correct: list[set[int]]) -> np.ndarray:
    """1-based rank of the best-ranked correct column for each row of ``scores`` (inf when none exists)."""
    out = np.full(len(scores), np.inf)
    for i, (row, ok) in enumerate(zip(scores, correct)):
        if ok:
            best = max(row[j] for j in ok)
            out[i] = 1 + int((row > best).sum())
    return out


def hubness_from_gram(G: np.ndarray, k: int, never: np.ndarray | None = None) -> np.ndarray:
    """CSLS's ``r`` from a cosine gram matrix: each row's mean cosine to its ``k`` most similar other rows.

    Rows flagged in ``never`` (a boolean mask) are nobody's neighbours (repeats, rows left out of the store).
    """
    G = np.array(G, np.float32, copy=True)
    np.fill_diagonal(G, -np.inf)
    if never is not None:
        G[:, never] = -np.inf
    top = np.partition(G, G.shape[1] - k, axis=1)[:, -k:]
    ok = np.isfinite(top)
    return (np.where(ok, top, 0).sum(axis=1) / np.maximum(ok.sum(axis=1), 1)).astype(np.float32)


def rank_metrics(ranks: np.ndarray) -> dict[str, float]:
    """P@1, P@5, P@10 and MRR from 1-based ranks."""
    r = np.asarray(ranks, float)
    return {"n": int(len(r)), "P@1": float(np.mean(r <= 1)), "P@5": float(np.mean(r <= 5)),
            "P@10": float(np.mean(r <= 10)), "MRR": float(np.mean(1.0 / r))}


def spearman(pairs: list[tuple[str, str, float]], similarity) -> dict[str, float]:
    """Spearman rho between human scores and ``similarity(a, b)`` over the pairs (with their count)."""
    from scipy.stats import spearmanr

    if len(pairs) < 3:
        return {"pairs": len(pairs), "rho": float("nan")}
    human = [p[2] for p in pairs]
    model = [similarity(a, b) for a, b, _ in pairs]
    return {"pairs": len(pairs), "rho": float(spearmanr(human, model).statistic)}


@dataclass
class PooledIndex:
    """Store rows as pools of class (leaf) vectors, so rows can be rebuilt without a class (leave-class-out).

    Attributes:
        members: for each row, the leaf indices it pools.
        leaf_vectors: [n_leaves, d] unit vectors, one per class.
        own_rows: for each leaf, the row that is the class itself; with ``own_vectors`` ([n_leaves, d]) those rows
            take ``own_vectors`` instead of the pool (a class noun's photos mixed with its class prototype, while
            ancestors pool photos only — as the store is built).
    """

    members: list[list[int]]
    leaf_vectors: np.ndarray
    own_rows: np.ndarray | None = None
    own_vectors: np.ndarray | None = None

    def sums(self) -> np.ndarray:
        return np.stack([self.leaf_vectors[m].sum(axis=0) if m else np.zeros(self.leaf_vectors.shape[1])
                         for m in self.members]).astype(np.float32)

    def matrix(self) -> np.ndarray:
        return self._own(l2_normalize(self.sums()))

    def matrix_without(self, sums: np.ndarray, leaf: int) -> tuple[np.ndarray, np.ndarray]:
        """Row vectors with ``leaf`` removed from every pool; and a mask of rows that still exist."""
        has = np.array([leaf in m for m in self.members])
        s = sums.copy()
        s[has] -= self.leaf_vectors[leaf]
        alive = np.array([len(m) - (leaf in m) > 0 for m in self.members])
        return self._own(l2_normalize(s)), alive

    def _own(self, M: np.ndarray) -> np.ndarray:
        if self.own_vectors is not None:
            M[self.own_rows] = self.own_vectors
        return M
