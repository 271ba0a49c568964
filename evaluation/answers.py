"""Answer queries built from labelled photos, scored as a user reads them (see :mod:`evaluation.answer_metrics`).

A query is ``k`` photos of one class. Two conditions: the class is in the store, or *removed* (its class gets no
probability and every row whose photos are only that class's can't be the answer) — what happens to a photo of a
noun the store lacks.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from evaluation.answer_metrics import Judge, Outcome
from evaluation.splits import Photo
from visemb.answer import (AnswerRule, ClassScorer, Hierarchy, QueryProbabilities, answer_row, query_probabilities,
                           small_share)
from visemb.entry import synset_of


@dataclass
class Query:
    """``k`` photos of one class: the truth's store row and class index, the photos' raw features and
    ``(width, height)`` sizes."""

    truth_row: int
    truth_class: int
    features: np.ndarray
    name: str = ""
    sizes: list[tuple[int, int]] = field(default_factory=list)
    group: str = ""  # the photo set it was drawn from

    @property
    def small(self) -> float:
        """The share of the photos that are small (see :func:`visemb.answer.small_share`)."""
        return small_share(self.sizes)


def photo_queries(store, photos: list[Photo], k: int, seed: int = 0, per_class: int | None = None) -> list[Query]:
    """Groups of ``k`` distinct photos of one class from ``[(wnid, feature, size)]`` (classes with fewer are
    skipped); at most ``per_class`` groups per class, drawn without overlap in a seeded order."""
    h = Hierarchy.of_store(store)
    class_of_row = {int(r): i for i, r in enumerate(h.class_rows)}
    row_of_wnid = {e.get("imagenet_id"): i for i, e in enumerate(store.entries) if e.get("imagenet_id")}
    by = defaultdict(list)
    for wnid, f, size in photos:
        if wnid in row_of_wnid and row_of_wnid[wnid] in class_of_row:
            by[wnid].append((f, size))
    rng = random.Random(seed)
    out = []
    for wnid in sorted(by):
        feats = by[wnid]
        order = list(range(len(feats)))
        rng.shuffle(order)
        groups = [order[i:i + k] for i in range(0, len(order) - k + 1, k)]
        for g in groups[:per_class]:
            row = row_of_wnid[wnid]
            out.append(Query(row, class_of_row[row], np.stack([feats[j][0] for j in g]), wnid,
                             [feats[j][1] for j in g]))
    return out


MAX_KIND_CLASSES = 150  # kind queries only for nouns this narrow or narrower (dog: 118 classes; not entity)


def kind_queries(store, photos: list[Photo], k: int, seed: int = 0) -> list[Query]:
    """Queries for words that name a kind: ``k`` photos of ``k`` different classes under one noun (a word such as
    *Hund* fetches photos of many breeds); the truth is that noun. Nouns with 2 to :data:`MAX_KIND_CLASSES` classes
    under them, repeats and top-level nouns left out."""
    from evaluation.answer_metrics import TOP_LEVEL

    h = Hierarchy.of_store(store)
    class_of_row = {int(r): i for i, r in enumerate(h.class_rows)}
    row_of_wnid = {e.get("imagenet_id"): i for i, e in enumerate(store.entries) if e.get("imagenet_id")}
    by_class = defaultdict(list)
    for wnid, f, size in photos:
        if row_of_wnid.get(wnid) in class_of_row:
            by_class[class_of_row[row_of_wnid[wnid]]].append((f, size))
    under = defaultdict(set)
    for c, r in zip(h.pair_class, h.pair_row):
        if int(c) in by_class and int(r) != int(h.class_rows[c]):
            under[int(r)].add(int(c))
    rng = random.Random(seed)
    out = []
    for row in sorted(under):
        e = store.entries[row]
        classes = sorted(under[row])
        if (row in store.repeats or (synset_of(e) or "") in TOP_LEVEL or len(classes) < k
                or h.classes_under[row] > MAX_KIND_CLASSES):
            continue
        picked = rng.sample(classes, k)
        chosen = [rng.choice(by_class[c]) for c in picked]
        out.append(Query(row, -1, np.stack([f for f, _ in chosen]), store.index_to_key[row], [s for _, s in chosen]))
    return out


class Runner:
    """Per-query probabilities under a rule, in the store or with the truth removed, and their outcomes."""

    def __init__(self, store):
        self.store = store
        self.h = Hierarchy.of_store(store)
        self.scorer = ClassScorer.for_store(store)
        self.judge = Judge(store, self.h)
        only = defaultdict(set)
        for c, r in zip(self.h.pair_class, self.h.pair_row):
            only[int(r)].add(int(c))
        # rows reached by exactly one class: removing that class leaves them with no photos
        self.sole_class_rows: dict[int, list[int]] = defaultdict(list)
        for r, cs in only.items():
            if len(cs) == 1:
                self.sole_class_rows[next(iter(cs))].append(r)
        self.base_allowed = np.ones(len(store.entries), bool)
        self.base_allowed[list(store.repeats)] = False

    def probabilities(self, q: Query, rule: AnswerRule, removed: bool) -> QueryProbabilities:
        """A query's uncalibrated probabilities (per photo, combined, per row), its class excluded if ``removed``."""
        z = self.logits_of(q, rule)
        if removed:
            z = z.copy()
            z[:, q.truth_class] = -np.inf
        return query_probabilities(self.h, z, rule)

    def logits_of(self, q: Query, rule: AnswerRule) -> np.ndarray:
        """The query's class logits (cached on the query: of the rule's numbers only a cosine scorer's scale counts)."""
        key = None if self.scorer.mode == "classifier" else rule.cosine_scale
        cached = getattr(q, "_logits", None)
        if cached is None or cached[0] != key:
            q._logits = (key, self.scorer.logits(q.features, rule).astype(np.float64))
        return q._logits[1]

    def removed_rows(self, q: Query) -> frozenset[int]:
        return frozenset(self.sole_class_rows.get(q.truth_class, ()))

    def outcome(self, q: Query, probs: QueryProbabilities, nodes: np.ndarray, rule: AnswerRule,
                removed: bool) -> Outcome:
        """Decide (as :func:`visemb.answer.decide`) on calibrated probabilities ``nodes`` and score the answer."""
        gone = self.removed_rows(q) if removed else frozenset()
        allowed = self.base_allowed.copy()
        if gone:
            allowed[list(gone)] = False
        row = answer_row(self.store, nodes, probs.class_probs, rule, self.h, allowed)
        order = [int(self.h.class_rows[c]) for c in np.argsort(-probs.mean_class)[:6]]
        ranked = [row] + [r for r in order if r != row][:4]
        p = float(nodes[row])
        return self.judge.judge(row, ranked, q.truth_row, p, rule.words(p), gone)

    def run(self, queries: list[Query], rule: AnswerRule, removed: bool) -> list[Outcome]:
        out = []
        for q in queries:
            probs = self.probabilities(q, rule, removed)
            nodes = rule.calibrate(probs.nodes, len(q.features), small=q.small)
            out.append(self.outcome(q, probs, nodes, rule, removed))
        return out
