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
from visemb.answer import (Answer, AnswerRule, Evidence, conclude, decide_logits, scorer_for, small_share,
                           weigh_query)
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
    class_of_row = store.taxonomy.class_of_row
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

    h = store.taxonomy
    class_of_row = h.class_of_row
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
    """Queries decided as :func:`visemb.answer.decide` decides them (the class in the store, or removed), and
    judged."""

    def __init__(self, store):
        self.store = store
        self.tax = store.taxonomy
        self.scorer = scorer_for(store)
        self.judge = Judge(store)
        only = defaultdict(set)
        for c, r in zip(self.tax.pair_class, self.tax.pair_row):
            only[int(r)].add(int(c))
        # rows reached by exactly one class: removing that class leaves them with no photos
        self.sole_class_rows: dict[int, list[int]] = defaultdict(list)
        for r, cs in only.items():
            if len(cs) == 1:
                self.sole_class_rows[next(iter(cs))].append(r)
        self._logits: dict[int, tuple[Query, float | None, np.ndarray]] = {}

    def logits_of(self, q: Query, rule: AnswerRule) -> np.ndarray:
        """The query's class logits (kept per query: of the rule's numbers only a cosine scorer's scale counts)."""
        key = None if self.scorer.mode == "classifier" else rule.cosine_scale
        cached = self._logits.get(id(q))
        if cached is None or cached[0] is not q or cached[1] != key:
            cached = self._logits[id(q)] = (q, key, self.scorer.logits(q.features, rule))
        return cached[2]

    def removed_rows(self, q: Query, removed: bool) -> tuple[int, ...]:
        """The rows barred when the query's class is removed: those whose photos are only that class's."""
        return tuple(self.sole_class_rows.get(q.truth_class, ())) if removed else ()

    def decide(self, q: Query, rule: AnswerRule, removed: bool, topn: int = 5) -> Answer:
        """The answer the library gives (:func:`visemb.answer.decide_logits`), the class removed if ``removed``."""
        return decide_logits(self.tax, self.logits_of(q, rule), rule, repeats=self.store.repeats,
                             exclude_rows=self.removed_rows(q, removed), sizes=q.sizes, topn=topn)

    def evidence(self, q: Query, rule: AnswerRule, removed: bool) -> tuple[Evidence, np.ndarray]:
        """The first half of :meth:`decide` (evidence and the allowed rows), to conclude under several rules."""
        return weigh_query(self.tax, self.logits_of(q, rule), rule, repeats=self.store.repeats,
                           exclude_rows=self.removed_rows(q, removed))

    def conclude(self, q: Query, ev: Evidence, allowed: np.ndarray, rule: AnswerRule, removed: bool) -> Outcome:
        """The second half of :meth:`decide` under ``rule`` (same weighing numbers), judged."""
        return self.score(q, conclude(self.tax, ev, rule, allowed, sizes=q.sizes, topn=5), removed)

    def score(self, q: Query, ans: Answer, removed: bool) -> Outcome:
        gone = frozenset(self.removed_rows(q, removed))
        return self.judge.judge(ans.row, [r for r, _ in ans.ranked], q.truth_row, ans.probability, ans.confidence,
                                gone)

    def run(self, queries: list[Query], rule: AnswerRule, removed: bool) -> list[Outcome]:
        return [self.score(q, self.decide(q, rule, removed), removed) for q in queries]
