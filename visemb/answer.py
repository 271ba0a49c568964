"""The answer a user reads: class probabilities added up WordNet, and the most specific noun that clears a threshold.

A query's photos are scored against the store's *photographed classes* (the nouns that have photos of their own:
the 1,000 ImageNet classes in the default store), not against every row: a broad noun such as *artifact* pools
thousands of photos, sits in the middle of the space and is near every photo, so ranking all rows by cosine
answers with hubs. Instead, as in "Hedging your bets" (Deng, Krause, Berg & Fei-Fei 2012, DARTS):

1. each photo gets a probability over the classes (a softmax of the classifier's logits, or of scaled cosines to the
   class vectors for stores without a classifier), with a temperature chosen on the selection photos;
2. a noun's probability is the sum over the classes at or below it in WordNet (every hypernym path counts), averaged
   over the photos, then calibrated for the number of photos;
3. the answer is the most informative noun (fewest classes below it; then the deepest) whose calibrated
   probability clears :attr:`AnswerRule.threshold`, among the nouns at most :attr:`AnswerRule.ceiling` levels
   above what the photos agree on (the nearest noun every photo's likeliest class is at or below). Specific when
   the photos agree on one class, a parent or grandparent when they agree only on the kind, never a hub because of
   where its mean vector sits nor because the probability spreads over many classes.

That probability is the confidence shown: the chance that the answer is right (the photographed noun is the answer
or a kind of it). ``benchmarks/answer_selection.py`` chooses every number of :data:`DEFAULT_RULE` on the
selection photos (Tiny-ImageNet), never on the held-out ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Sequence

import numpy as np
from visemb.entry import synset_of


SMALL_SIDE = 128  # a photo whose short side is under this many pixels is "small": the network sees less of it
PROBABILITY_FLOOR = 1e-4  # classes below this share of a photo are not carried up the hierarchy
LOG_FLOOR = 1e-5  # a photo's class probabilities are floored here before a geometric mean


@dataclass(frozen=True)
class AnswerRule:
    """How scores become a calibrated answer.

    Attributes:
        temperature: logits are divided by it before the softmax (per photo).
        slope, intercept: calibration of a noun's mean probability ``p`` over ``k`` photos:
            ``sigmoid(a * logit(p) + b)`` with ``a = slope[0] + slope[1] * log2(k) + small_slope * s`` and likewise
            ``b``, where ``s`` is the share of the photos that are small (short side under :data:`SMALL_SIDE`).
        small_slope, small_intercept: how much a small photo's evidence weighs less (see ``slope``).
        threshold: the answer is the most specific noun whose calibrated probability is at least this.
        high, medium: confidence words: ``high`` from ``high`` up, ``medium`` from ``medium`` up, else ``low``.
        cosine_scale: for stores without a classifier, logits are ``cosine_scale * cosine`` to each class vector.
        novel: the logit of "a noun the store lacks" (None: none). Its share of a photo goes to the *parents* of
            the classes in proportion to their probabilities: a photo that matches no class well is some other
            kind of what it resembles, so the answer moves up to the kind instead of naming a sibling.
        combine: how ``k`` photos' class probabilities combine: ``mean`` (a mixture: a stray photo costs little) or
            ``logmean`` (their renormalised geometric mean, each photo's probabilities floored at 0.001%: agreeing
            photos add up to more evidence than any one of them).
        label_boost: when the query word is a known label (a dictionary names its senses), each photo's
            probability of the classes at or below those senses is multiplied by this, then renormalised: the word
            itself is evidence, the pictures choose among its senses and still win when they all disagree
            (None: words are not used).
        label_slope, label_intercept: the calibration ``sigmoid(a logit(p) + b)`` of answers to labelled words
            (None: the photos' calibration).
        ceiling: the answer is never more than this many levels (along the stored hypernym path) above the noun the
            photos agree on — the likeliest class for one photo, the nearest common ancestor of the photos'
            likeliest classes for several — nor above the senses a query word's labels name; when no noun within
            clears the threshold, the answer is the ceiling itself, with its (lower) probability (None: no ceiling).
    """

    temperature: float = 1.0
    slope: tuple[float, float] = (1.0, 0.0)
    intercept: tuple[float, float] = (0.0, 0.0)
    threshold: float = 0.5
    high: float = 0.9
    medium: float = 0.6
    cosine_scale: float = 30.0
    novel: float | None = None
    combine: str = "mean"
    label_boost: float | None = None
    label_slope: float | None = None
    label_intercept: float | None = None
    ceiling: int | None = None
    small_slope: float = 0.0
    small_intercept: float = 0.0

    def calibrate(self, p: np.ndarray, k: int, labelled: bool = False, small: float = 0.0) -> np.ndarray:
        """Calibrated probability of nouns whose mean per-photo probability over ``k`` photos is ``p`` (``labelled``:
        of a word whose labels boosted its senses; ``small``: the share of the photos that are small)."""
        lk = math.log2(max(k, 1))
        a = self.slope[0] + self.slope[1] * lk + self.small_slope * small
        b = self.intercept[0] + self.intercept[1] * lk + self.small_intercept * small
        if labelled and self.label_slope is not None and self.label_intercept is not None:
            a, b = self.label_slope, self.label_intercept
        q = np.clip(np.asarray(p, np.float64), 1e-9, 1 - 1e-9)
        x = np.clip(a * np.log(q / (1 - q)) + b, -40, 40)
        return 1.0 / (1.0 + np.exp(-x))

    def words(self, probability: float) -> str:
        """``high``/``medium``/``low`` for a calibrated probability."""
        return "high" if probability >= self.high else "medium" if probability >= self.medium else "low"

    @classmethod
    def from_dict(cls, d: dict) -> "AnswerRule":
        known = {k: tuple(v) if isinstance(v, list) else v for k, v in d.items() if k in cls.__dataclass_fields__}
        return cls(**known)


# chosen on the selection photos by benchmarks/answer_selection.py (see benchmarks/results/answer_selection.md);
# the labels' boost and calibration on selection words by benchmarks/label_selection.py (results/label_selection.md)
DEFAULT_RULE = AnswerRule(temperature=1.0, slope=(0.9327, 0.3038),
                          intercept=(-0.0211, 0.4849),
                          small_slope=-0.2046, small_intercept=-0.4989,
                          threshold=0.7, ceiling=2, high=0.97, medium=0.3,
                          novel=12.0, combine="mean",
                          label_boost=128.0, label_slope=1.0102, label_intercept=0.1045)


@dataclass
class Hierarchy:
    """The store's photographed classes and, for each, the rows it counts towards (itself and every ancestor).

    Attributes:
        class_rows: store row of each class.
        pair_class, pair_row: membership pairs (class index, row) over all hypernym paths.
        classes_under: per row, how many classes are at or below it (0: a row no class reaches).
        depth: per row, the length of its stored hypernym path.
        syn_row: synset name -> the first row whose sense it is.
    """

    class_rows: np.ndarray
    pair_class: np.ndarray
    pair_row: np.ndarray
    classes_under: np.ndarray
    depth: np.ndarray
    syn_row: dict[str, int]

    @classmethod
    def of_store(cls, store) -> "Hierarchy":
        """The hierarchy of ``store`` (computed once per store object)."""
        cached = getattr(store, "_answer_hierarchy", None)
        if cached is not None:
            return cached
        syn_row: dict[str, int] = {}
        for i, e in enumerate(store.entries):
            if synset_of(e):
                syn_row.setdefault(synset_of(e), i)
        class_rows = np.array(photographed_classes(store), dtype=np.int64)
        pc, pr = [], []
        for ci, row in enumerate(class_rows):
            rows = {row} | {syn_row[s] for s in store.ancestry(int(row)) if s in syn_row}
            pc += [ci] * len(rows)
            pr += sorted(rows)
        n = len(store.entries)
        under = np.bincount(np.array(pr, dtype=np.int64), minlength=n)
        depth = np.array([len(e.get("hypernyms") or ()) for e in store.entries])
        h = cls(class_rows, np.array(pc, dtype=np.int64), np.array(pr, dtype=np.int64), under, depth, syn_row)
        store._answer_hierarchy = h
        return h

    def node_probabilities(self, class_probs: np.ndarray, novel: np.ndarray | None = None) -> np.ndarray:
        """[k, classes] probabilities -> [k, rows]: each row's probability is the sum over the classes below it,
        plus the ``novel`` share ([k]) spread over the classes' strict ancestors in proportion to each class."""
        p = np.where(class_probs >= PROBABILITY_FLOOR, class_probs, 0.0)
        out = np.zeros((p.shape[0], len(self.classes_under)), np.float64)
        keep = p[:, self.pair_class].any(axis=0)
        np.add.at(out.T, self.pair_row[keep], p[:, self.pair_class[keep]].T)
        if novel is not None and np.any(novel > 0):
            share = p * (novel / np.maximum(p.sum(axis=1), 1e-12))[:, None]
            strict = keep & (self.pair_row != self.class_rows[self.pair_class])
            np.add.at(out.T, self.pair_row[strict], share[:, self.pair_class[strict]].T)
        return out


def photographed_classes(store) -> list[int]:
    """Rows that have photos of their own (a class), as opposed to nouns that only pool their descendants'."""
    rows = [i for i, e in enumerate(store.entries) if e.get("imagenet_id") and e.get("class_prototype")]
    if rows:
        return rows
    return [i for i, e in enumerate(store.entries)
            if not e.get("same_photos_as") and int(e.get("n_classes", 1) or 1) <= 1]


class ClassScorer:
    """Logits of query features over a store's photographed classes.

    With a classifier (the encoder's ImageNet ``fc`` rows, when every class is one of its classes) the logits are
    the network's own; otherwise ``rule.cosine_scale`` times the cosine to each class's stored vector.
    """

    def __init__(self, store, hierarchy: Hierarchy, classifier: np.ndarray | None = None):
        self.store = store
        self.hierarchy = hierarchy
        self.classifier = classifier

    @classmethod
    def for_store(cls, store) -> "ClassScorer":
        """The scorer of ``store`` (cached per store object); uses the classifier when it can be found."""
        cached = getattr(store, "_answer_scorer", None)
        if cached is not None:
            return cached
        h = Hierarchy.of_store(store)
        scorer = cls(store, h, _classifier_rows(store, h))
        store._answer_scorer = scorer
        return scorer

    @property
    def mode(self) -> str:
        return "classifier" if self.classifier is not None else "cosine"

    def logits(self, features: np.ndarray, rule: AnswerRule) -> np.ndarray:
        """[k, dim] raw features -> [k, classes] logits (before the temperature)."""
        f = np.atleast_2d(np.asarray(features, np.float32))
        if self.classifier is not None:
            return f @ self.classifier.T
        from visemb.search import release_pages, similarities

        unit = self.store.unit_vectors
        # every row, a chunk at a time, then the classes' columns: no copy of the class rows (35K rows of a big store)
        sims = similarities(self.store.prepare(f), unit)
        release_pages(unit)  # a memory-mapped store's rows were all read: they need not stay resident
        return rule.cosine_scale * sims[:, self.hierarchy.class_rows]


def _classifier_rows(store, h: Hierarchy) -> np.ndarray | None:
    """The classifier's weight rows for the store's classes, or None (no class prototypes, or rows not found)."""
    if not (store.manifest.get("class_prototypes") or {}).get("nouns"):
        return None
    try:
        from visemb.encoder_spec import get_spec
        from visemb.prototypes import load_classifier

        wnids, rows = load_classifier(get_spec(store.encoder_spec.name))
    except Exception:  # no classifier available for this encoder: score by cosine instead
        return None
    index = {w: i for i, w in enumerate(wnids)}
    ids = [store.entries[int(r)].get("imagenet_id") for r in h.class_rows]
    if not all(w in index for w in ids):
        return None
    return np.ascontiguousarray(rows[[index[w] for w in ids]], dtype=np.float32)


@dataclass
class Answer:
    """A decided answer and the probabilities behind it.

    Attributes:
        row: the answer's store row; probability: its calibrated probability (the confidence shown).
        confidence: ``high``/``medium``/``low`` for that probability.
        node_probs: calibrated probability of every row (0 for rows no class reaches).
        class_probs: [k, classes] per-photo class probabilities.
        ranked: rows to list, the answer first, then classes by probability.
        image_top: per photo, (its most probable class's row, that probability).
        top_class: the row of the likeliest class over all photos (the most specific guess).
        at_ceiling: no noun within the rule's ceiling cleared the threshold: the answer is the ceiling itself.
    """

    row: int
    probability: float
    confidence: str
    node_probs: np.ndarray
    class_probs: np.ndarray
    ranked: list[tuple[int, float]] = field(default_factory=list)
    image_top: list[tuple[int, float]] = field(default_factory=list)
    top_class: int = -1
    at_ceiling: bool = False


def softmax_with_novel(logits: np.ndarray, rule: AnswerRule) -> tuple[np.ndarray, np.ndarray]:
    """Softmax of ``logits / temperature`` beside the rule's novel-noun logit: (class probabilities, novel share)."""
    z = np.asarray(logits, np.float64) / rule.temperature
    novel = None if rule.novel is None else np.full((z.shape[0], 1), rule.novel / rule.temperature)
    full = z if novel is None else np.concatenate([z, novel], axis=1)
    full = full - full.max(axis=1, keepdims=True)
    e = np.exp(full)
    e /= e.sum(axis=1, keepdims=True)
    if novel is None:
        return e, np.zeros(z.shape[0])
    return e[:, :-1], e[:, -1]


def label_prior(class_probs: np.ndarray, novel: np.ndarray, h: Hierarchy, label_rows: Sequence[int],
                boost: float | None) -> tuple[np.ndarray, np.ndarray, bool]:
    """Per-photo (class probabilities, novel share) with the classes at or below ``label_rows`` (the senses a word's
    labels name) ``boost`` times as likely, renormalised; and whether any class was boosted."""
    if not boost or boost == 1 or not len(label_rows):
        return class_probs, novel, False
    mask = np.zeros(len(h.class_rows), bool)
    mask[h.pair_class[np.isin(h.pair_row, np.asarray(list(label_rows), np.int64))]] = True
    if not mask.any():
        return class_probs, novel, False
    p = np.array(class_probs, np.float64)
    p[:, mask] *= boost
    total = p.sum(axis=1) + novel
    return p / total[:, None], novel / total, True


def combine_photos(class_probs: np.ndarray, novel: np.ndarray, rule: AnswerRule) -> tuple[np.ndarray, np.ndarray]:
    """k photos' (class probabilities [k, C], novel share [k]) -> the query's ([1, C], [1]) by ``rule.combine``."""
    if rule.combine == "logmean":
        full = np.concatenate([class_probs, novel[:, None]], axis=1)
        g = np.exp(np.log(np.maximum(full, LOG_FLOOR)).mean(axis=0))
        if rule.novel is None:
            g[-1] = 0.0
        g /= g.sum()
        return g[None, :-1], g[-1:]
    return class_probs.mean(axis=0, keepdims=True), novel.mean(keepdims=True)


def choose(node_probs: np.ndarray, h: Hierarchy, threshold: float, allowed: np.ndarray | None = None) -> int:
    """The most informative row whose probability is at least ``threshold`` (fewest classes below it, then the
    deepest, then the likelier); the likeliest row when none clears it."""
    ok = (node_probs >= threshold) & (h.classes_under > 0)
    if allowed is not None:
        ok &= allowed
    cand = np.flatnonzero(ok)
    if not len(cand):
        return int(np.argmax(node_probs))
    key = np.lexsort((-node_probs[cand], -h.depth[cand], h.classes_under[cand]))
    return int(cand[key[0]])


def agreed_row(store, rows: Sequence[int], h: Hierarchy, allowed: np.ndarray) -> int:
    """The noun ``rows`` (the photos' likeliest classes) agree on: the deepest allowed row that is each of them or
    an ancestor of each (``rows[0]`` when they are all the same)."""
    first = int(rows[0])
    if all(int(r) == first for r in rows):
        return first
    common = None
    for r in {int(r) for r in rows}:
        mine = store.ancestor_rows(r) | {r}
        common = mine if common is None else common & mine
    common = [r for r in common if allowed[r]]
    if not common:
        return int(np.argmax(h.classes_under))  # nothing in common: the broadest row
    return max(common, key=lambda r: (h.depth[r], -h.classes_under[r]))


def rows_up(store, row: int, h: Hierarchy, allowed: np.ndarray) -> list[int]:
    """The allowed rows above ``row`` along its stored hypernym path, nearest first (rows the store lacks skipped)."""
    path = store.entries[row].get("hypernyms") or []
    return [h.syn_row[s] for s in reversed(path[:-1]) if s in h.syn_row and allowed[h.syn_row[s]]]


def ceiling_row(store, row: int, levels: int, h: Hierarchy, allowed: np.ndarray) -> int:
    """The allowed row ``levels`` steps above ``row`` along its stored hypernym path (the root if fewer)."""
    steps = rows_up(store, row, h, allowed)
    return steps[min(levels, len(steps)) - 1] if levels > 0 and steps else row


def within_rows(store, tops: Sequence[int], rule: AnswerRule, h: Hierarchy, allowed: np.ndarray,
                label_rows: Sequence[int] = ()) -> tuple[np.ndarray, int]:
    """The rows the answer may be under the rule's ceiling (all ``allowed`` rows when it has none), and the ceiling
    row (-1 with none): every row at or below the ceiling above the photos' agreed noun, or at or below a sense
    the query word's labels name."""
    if rule.ceiling is None:
        return allowed, -1
    top = ceiling_row(store, agreed_row(store, tops, h, allowed), rule.ceiling, h, allowed)
    return allowed & store.at_or_below({top, *(int(r) for r in label_rows)}), top


def answer_row(store, nodes: np.ndarray, class_probs: np.ndarray, rule: AnswerRule, h: Hierarchy,
               allowed: np.ndarray, label_rows: Sequence[int] = ()) -> int:
    """Step 6: the most informative allowed row under the ceiling whose calibrated probability (``nodes``) clears
    the threshold, else the ceiling; ``class_probs``: the [k, classes] per-photo probabilities."""
    tops = [int(h.class_rows[c]) for c in np.asarray(class_probs).argmax(axis=1)]
    within, top = within_rows(store, tops, rule, h, allowed, label_rows)
    if top >= 0 and not ((nodes >= rule.threshold) & (h.classes_under > 0) & within).any():
        return top
    return choose(nodes, h, rule.threshold, within)


@dataclass
class QueryProbabilities:
    """A query's probabilities before calibration, from its photos' class logits.

    Attributes:
        class_probs: [k, classes] per photo (after the word's labels, if any).
        mean_class: [classes] the photos combined.
        nodes: [rows] every row's probability (classes at or below it, the novel share to the parents).
        labelled: whether the word's labels boosted any class.
    """

    class_probs: np.ndarray
    mean_class: np.ndarray
    nodes: np.ndarray
    labelled: bool


def query_probabilities(h: Hierarchy, logits: np.ndarray, rule: AnswerRule,
                        label_rows: Sequence[int] = ()) -> QueryProbabilities:
    """Steps 1-4 of the rule for one query's [k, classes] logits (excluded classes at ``-inf``): per-photo
    probabilities beside the novel noun, the word's labels, the photos combined, added up the hierarchy."""
    cp, novel = softmax_with_novel(logits, rule)
    cp, novel, labelled = label_prior(cp, novel, h, label_rows, rule.label_boost)
    qp, qn = combine_photos(cp, novel, rule)
    return QueryProbabilities(cp, qp[0], h.node_probabilities(qp, qn)[0], labelled)


def small_share(sizes: Sequence[tuple[int, int]]) -> float:
    """The share of photos (``(width, height)`` each) whose short side is under :data:`SMALL_SIDE`."""
    return float(np.mean([min(w, h) < SMALL_SIDE for w, h in sizes])) if len(sizes) else 0.0


def decide(store, features: np.ndarray, rule: AnswerRule = DEFAULT_RULE, topn: int = 10,
           exclude_rows: Sequence[int] = (), label_rows: Sequence[int] = (),
           sizes: Sequence[tuple[int, int]] = ()) -> Answer:
    """The answer for ``features`` (one row per photo of the query); ``label_rows``: the store rows a query word's
    labels name (see :attr:`AnswerRule.label_boost`); ``sizes``: each photo's ``(width, height)`` as decoded (small
    photos are weaker evidence; none given: full-size)."""
    h = Hierarchy.of_store(store)
    scorer = ClassScorer.for_store(store)
    z = scorer.logits(features, rule).astype(np.float64)
    if len(exclude_rows):
        z[:, np.isin(h.class_rows, np.asarray(list(exclude_rows)))] = -np.inf
    q = query_probabilities(h, z, rule, label_rows)
    cp, labelled, k = q.class_probs, q.labelled, len(z)
    small = small_share(sizes)
    nodes = rule.calibrate(q.nodes, k, labelled, small)
    allowed = np.ones(len(nodes), bool)
    allowed[list(store.repeats)] = False
    if len(exclude_rows):
        allowed[np.asarray(list(exclude_rows))] = False
    row = answer_row(store, nodes, cp, rule, h, allowed, label_rows if labelled else ())
    p = float(nodes[row])
    mean_class = rule.calibrate(q.mean_class, k, labelled, small)
    order = [int(h.class_rows[c]) for c in np.argsort(-mean_class)[: topn + 1]]
    ranked = [(row, p)] + [(r, float(nodes[r])) for r in order if r != row][: max(topn - 1, 0)]
    tops = cp.argmax(axis=1)
    image_top = [(int(h.class_rows[c]), float(rule.calibrate(cp[i, c], 1, labelled, small_share(sizes[i:i + 1]))))
                 for i, c in enumerate(tops)]
    at_ceiling = rule.ceiling is not None and p < rule.threshold
    return Answer(row, p, rule.words(p), nodes, cp, ranked, image_top, order[0], at_ceiling)


def rule_for(store, rule: AnswerRule | None = None) -> AnswerRule:
    """``rule``, else the store's own (manifest ``answer_rule``), else :data:`DEFAULT_RULE` for its scorer."""
    if rule is not None:
        return rule
    own = store.manifest.get("answer_rule")
    if isinstance(own, dict):
        return AnswerRule.from_dict(own)
    if ClassScorer.for_store(store).mode == "classifier":
        return DEFAULT_RULE
    return replace(DEFAULT_RULE, novel=None)  # the novel logit is on the classifier's scale, not cosines

