"""The answer a user reads: the noun a query's photos are examples of, and how sure that is.

A word names what its pictures have in common. The photos are treated as examples of one concept, a noun of the
store, and the answer is inferred over the whole set, as in Bayesian concept learning (Xu & Tenenbaum 2007, "Word
learning as Bayesian inference"), then hedged as in "Hedging your bets" (Deng, Krause, Berg & Fei-Fei 2012):

1. each photo gets a probability over the store's *photographed classes* (the nouns with photos of their own: the
   1,000 ImageNet classes in the default store) from the classifier's logits (or scaled cosines to the class
   vectors for stores without a classifier), beside one *novel-noun* logit whose share goes to the classes'
   parents (a photo that matches no class well is another kind of what it resembles); a query word's labels
   make the classes under the senses they name likelier;
2. a noun explains a photo by the mean probability of the classes at or below it (the *size principle*: a noun
   that covers many classes explains each photo less), mixed with an outlier rate (a stray photo among a web
   search's results does not pull the answer up): ``P(photo | noun) = (1 - outlier) * mean + outlier / classes``;
3. the posterior of each noun is its prior (``classes under ** size_prior``, times ``class_prior`` for a
   photographed class: one photo of a thing names that thing) times the product over the photos; the
   probability that the word's noun is at or below a noun is the posterior summed over it and every noun below
   it, calibrated for the number of photos and their size;
4. the answer is the likeliest concept (the posterior's mode) when its calibrated probability clears
   :attr:`AnswerRule.threshold`, else the nearest of its ancestors that does (or a sense the query word's labels
   name), never more than :attr:`AnswerRule.ceiling` levels above the likeliest concept.

One photo of a beagle: the beagle explains it best, its parent when the network hesitates between breeds. Four
photos of one beagle: beagle, surer. Photos of four breeds: no breed explains them all, *dog* does, and nothing
broader explains them better. That probability is the confidence shown: the chance that the answer is right (the
pictured noun is the answer or a kind of it). ``benchmarks/answer_selection.py`` chooses every number of
:data:`DEFAULT_RULE` on the selection photos, never on the held-out ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Sequence

import numpy as np

from visemb.answer_rule import DEFAULT_RULE, AnswerRule
from visemb.class_scorer import ClassScorer, scorer_for  # noqa: F401  (the answer's scorer, imported from here too)
from visemb.taxonomy import Taxonomy

if TYPE_CHECKING:
    from visemb.store import Store

SMALL_SIDE = 128  # a photo whose short side is under this many pixels is "small": the network sees less of it
PROBABILITY_FLOOR = 1e-4  # classes below this share of a photo are not carried up the hierarchy


@dataclass
class Evidence:
    """What a query's photos say, before calibration.

    Attributes:
        class_probs: [k, classes] per photo (after the word's labels, if any).
        posterior: [rows] the probability that the word's noun is exactly this row.
        mass: [rows] the probability that the word's noun is this row or a kind of it.
        labelled: whether the word's labels boosted any class.
        outside: [rows] the share of the photos whose likeliest class is not at or below the row.
    """

    class_probs: np.ndarray
    posterior: np.ndarray
    mass: np.ndarray
    labelled: bool
    outside: np.ndarray

    @property
    def mean_class(self) -> np.ndarray:
        """[classes] the photos' mean class probabilities."""
        return self.class_probs.mean(axis=0)


@dataclass
class Answer:
    """A decided answer and the probabilities behind it.

    Attributes:
        row: the answer's store row; probability: its calibrated probability (the confidence shown).
        confidence: ``high``/``medium``/``low`` for that probability.
        node_probs: calibrated probability of every row (0 for rows no class reaches).
        class_probs: [k, classes] per-photo class probabilities.
        ranked: rows to list: the answer with its probability, then the likeliest classes with the share of the
            photos' probability each holds.
        image_top: per photo, (its most probable class's row, that probability).
        top_class: the row of the likeliest class over all photos (the most specific guess).
        at_ceiling: no noun within the rule's ceiling cleared the threshold: the answer is the ceiling itself.
        kinds: the distinct likeliest classes of the photos that are kinds of the answer (the answer itself
            excluded), most photos first: what a kind answer rests on.
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
    kinds: list[int] = field(default_factory=list)


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


def label_prior(class_probs: np.ndarray, novel: np.ndarray, tax: Taxonomy, label_rows: Sequence[int],
                boost: float | None) -> tuple[np.ndarray, np.ndarray, bool]:
    """Per-photo (class probabilities, novel share) with the classes at or below ``label_rows`` (the senses a word's
    labels name) ``boost`` times as likely, renormalised; and whether any class was boosted."""
    if not boost or boost == 1 or not len(label_rows):
        return class_probs, novel, False
    mask = tax.classes_at_or_below(label_rows)
    if not mask.any():
        return class_probs, novel, False
    p = np.array(class_probs, np.float64)
    p[:, mask] *= boost
    total = p.sum(axis=1) + novel
    return p / total[:, None], novel / total, True


def node_probabilities(tax: Taxonomy, class_probs: np.ndarray, novel: np.ndarray | None = None) -> np.ndarray:
    """[k, classes] probabilities -> [k, rows]: each row's probability is the sum over the classes at or below it,
    plus the ``novel`` share ([k]) spread over the classes' strict ancestors in proportion to each class."""
    p = np.where(class_probs >= PROBABILITY_FLOOR, class_probs, 0.0)
    out = np.zeros((p.shape[0], len(tax)), np.float64)
    keep = p[:, tax.pair_class].any(axis=0)
    np.add.at(out.T, tax.pair_row[keep], p[:, tax.pair_class[keep]].T)
    if novel is not None and np.any(novel > 0):
        share = p * (novel / np.maximum(p.sum(axis=1), 1e-12))[:, None]
        strict = keep & (tax.pair_row != tax.class_rows[tax.pair_class])
        np.add.at(out.T, tax.pair_row[strict], share[:, tax.pair_class[strict]].T)
    return out


def concept_posterior(tax: Taxonomy, photo_nodes: np.ndarray, rule: AnswerRule, allowed: np.ndarray,
                      senses: Sequence[int] = ()) -> np.ndarray:
    """[k, rows] per-photo row probabilities -> [rows] the posterior that the photos are examples of each row
    (steps 2–3 of :mod:`visemb.answer`; rows not ``allowed`` or reached by no class get 0); ``senses``: rows a
    query word's labels name, whose prior is ``rule.label_boost`` times higher (the word names that noun)."""
    under = tax.classes_under
    ok = allowed & (under > 0)
    m = np.maximum(under[ok], 1).astype(np.float64)
    n_classes = max(len(tax.class_rows), 1)
    like = (1 - rule.outlier) * photo_nodes[:, ok] / m + rule.outlier / n_classes
    log_post = np.log(np.maximum(like, 1e-300)).sum(axis=0) + rule.size_prior * np.log(m)
    if rule.class_prior != 1:
        is_class = np.zeros(len(tax), bool)
        is_class[tax.class_rows] = True
        log_post += np.log(rule.class_prior) * is_class[ok]
    if len(senses) and rule.label_boost:
        named = np.zeros(len(tax), bool)
        named[[r for s in senses for r in tax.same_sense(int(s))]] = True
        log_post += np.log(rule.label_boost) * named[ok]
    log_post -= log_post.max()
    post = np.zeros(len(tax))
    post[ok] = np.exp(log_post)
    return post / post.sum()


def weigh(tax: Taxonomy, logits: np.ndarray, rule: AnswerRule, allowed: np.ndarray,
          label_rows: Sequence[int] = ()) -> Evidence:
    """Steps 1–3 for one query's [k, classes] logits (excluded classes at ``-inf``)."""
    cp, novel = softmax_with_novel(logits, rule)
    cp, novel, labelled = label_prior(cp, novel, tax, label_rows, rule.label_boost)
    nodes = node_probabilities(tax, cp, novel)
    post = concept_posterior(tax, nodes, rule, allowed, label_rows if labelled else ())
    return Evidence(cp, post, np.minimum(tax.sum_at_or_below(post), 1.0), labelled,
                    outside_share(tax, cp.argmax(axis=1)))


def outside_share(tax: Taxonomy, top_classes: np.ndarray) -> np.ndarray:
    """[rows] the share of photos (given by their likeliest class index) whose class is not at or below each row."""
    inside = np.zeros(len(tax))
    for c in np.asarray(top_classes).tolist():
        inside[tax.pair_row[tax.pair_class == c]] += 1
    return 1.0 - inside / max(len(top_classes), 1)


def choose(node_probs: np.ndarray, tax: Taxonomy, threshold: float, allowed: np.ndarray | None = None) -> int:
    """The most informative row whose probability is at least ``threshold`` (fewest classes below it, then the
    deepest, then the likelier); the likeliest row when none clears it."""
    ok = (node_probs >= threshold) & (tax.classes_under > 0)
    if allowed is not None:
        ok &= allowed
    cand = np.flatnonzero(ok)
    if not len(cand):
        return int(np.argmax(np.where(allowed, node_probs, -1.0) if allowed is not None else node_probs))
    key = np.lexsort((-node_probs[cand], -tax.depth[cand], tax.classes_under[cand]))
    return int(cand[key[0]])


def ceiling_row(tax: Taxonomy, row: int, levels: int, allowed: np.ndarray) -> int:
    """The allowed row ``levels`` steps above ``row`` along its stored hypernym path (the root if fewer)."""
    steps = tax.levels_up(row, allowed)
    return steps[min(levels, len(steps)) - 1][0] if levels > 0 and steps else row


def answer_row(tax: Taxonomy, nodes: np.ndarray, ev: Evidence, rule: AnswerRule, allowed: np.ndarray,
               label_rows: Sequence[int] = ()) -> tuple[int, bool]:
    """Step 4: (the most informative allowed row among the likeliest concept, its ancestors and the word's senses
    whose calibrated probability (``nodes``) clears the threshold, within the ceiling, else the ceiling; whether it
    is the ceiling)."""
    likeliest = int(np.argmax(ev.posterior))
    chain = np.zeros(len(tax), bool)
    chain[[*tax.same_sense(likeliest), *tax.ancestors(likeliest), *(int(r) for r in label_rows)]] = True
    chain &= allowed
    if rule.ceiling is None:
        return choose(nodes, tax, rule.threshold, chain), False
    top = ceiling_row(tax, likeliest, rule.ceiling, allowed)
    within = chain & tax.at_or_below({top, *(int(r) for r in label_rows)})
    if not ((nodes >= rule.threshold) & (tax.classes_under > 0) & within).any():
        return top, True
    return choose(nodes, tax, rule.threshold, within), False


def named_sense(tax: Taxonomy, row: int, label_rows: Sequence[int]) -> int:
    """The word's own sense the answer is a kind of, the most specific one; ``row`` itself when none is. A word's
    labels say what it means, the pictures only which of its senses: photos of timber wolves for *lobo*, which a
    dictionary gives as *wolf*, answer *wolf*. A named sense may be a row whose photos are all a more specific
    row's (*plant*, whose classes are all *vascular plant*'s), which the pictures alone never answer."""
    named = [int(r) for r in label_rows if tax.is_at_or_below(row, int(r))]
    if not named:
        return row
    return min(named, key=lambda r: (tax.classes_under[r], -tax.depth[r], r))


def small_share(sizes: Sequence[tuple[int, int]]) -> float:
    """The share of photos (``(width, height)`` each) whose short side is under :data:`SMALL_SIDE`."""
    return float(np.mean([min(w, h) < SMALL_SIDE for w, h in sizes])) if len(sizes) else 0.0


def allowed_rows(tax: Taxonomy, repeats: Sequence[int] | frozenset, exclude_rows: Sequence[int] = ()) -> np.ndarray:
    """Rows that may be the answer: neither a repeat of a more specific noun's photos nor excluded."""
    allowed = np.ones(len(tax), bool)
    allowed[list(repeats)] = False
    allowed[list(exclude_rows)] = False
    return allowed


def conclude(tax: Taxonomy, ev: Evidence, rule: AnswerRule, allowed: np.ndarray, label_rows: Sequence[int] = (),
             sizes: Sequence[tuple[int, int]] = (), topn: int = 10) -> Answer:
    """Step 4 and what is shown: calibrate the evidence, choose the answer, list it with the likeliest classes."""
    k = len(ev.class_probs)
    nodes = rule.calibrate(ev.mass, k, ev.labelled, small_share(sizes), tax.breadth, ev.outside)
    row, at_ceiling = answer_row(tax, nodes, ev, rule, allowed, label_rows if ev.labelled else ())
    row = named_sense(tax, row, label_rows)
    p = float(nodes[row])
    top = np.argsort(-ev.mean_class)[: topn + 1]
    order = [int(tax.class_rows[c]) for c in top]
    # after the answer, the likeliest classes with the share of the photos' probability each holds: what the
    # pictures show one by one (the posterior that the *word* means one breed of eight is near zero)
    ranked = [(row, p)] + [(int(tax.class_rows[c]), float(ev.mean_class[c])) for c in top
                           if int(tax.class_rows[c]) != row][: max(topn - 1, 0)]
    tops = ev.class_probs.argmax(axis=1)
    image_top = [(int(tax.class_rows[c]), float(rule.calibrate(ev.class_probs[i, c], 1, ev.labelled,
                                                               small_share(sizes[i:i + 1]))))
                 for i, c in enumerate(tops)]
    below = tax.at_or_below([row])
    seen = [r for r, _ in image_top if below[r] and r not in tax.same_sense(row)]
    kinds = sorted(set(seen), key=lambda r: (-seen.count(r), seen.index(r)))
    return Answer(row, p, rule.words(p), nodes, ev.class_probs, ranked, image_top, order[0], at_ceiling, kinds)


def decide_logits(tax: Taxonomy, logits: np.ndarray, rule: AnswerRule, *, repeats: Sequence[int] | frozenset = (),
                  exclude_rows: Sequence[int] = (), label_rows: Sequence[int] = (),
                  sizes: Sequence[tuple[int, int]] = (), topn: int = 10) -> Answer:
    """The answer for one query's [k, classes] logits: :func:`decide` after scoring (the evaluation's entry)."""
    ev, allowed = weigh_query(tax, logits, rule, repeats=repeats, exclude_rows=exclude_rows, label_rows=label_rows)
    return conclude(tax, ev, rule, allowed, label_rows, sizes, topn)


def weigh_query(tax: Taxonomy, logits: np.ndarray, rule: AnswerRule, *, repeats: Sequence[int] | frozenset = (),
                exclude_rows: Sequence[int] = (), label_rows: Sequence[int] = ()) -> tuple[Evidence, np.ndarray]:
    """The first half of :func:`decide_logits`: (the evidence, the rows that may be the answer), the classes of
    ``exclude_rows`` given no probability (their logits are not changed in place)."""
    z = np.array(logits, np.float64)
    if len(exclude_rows):
        z[:, np.isin(tax.class_rows, np.asarray(list(exclude_rows)))] = -np.inf
    allowed = allowed_rows(tax, repeats, exclude_rows)
    return weigh(tax, z, rule, allowed, label_rows), allowed


def decide(store: "Store", features: np.ndarray, rule: AnswerRule = DEFAULT_RULE, topn: int = 10,
           exclude_rows: Sequence[int] = (), label_rows: Sequence[int] = (),
           sizes: Sequence[tuple[int, int]] = ()) -> Answer:
    """The answer for ``features`` (one row per photo of the query); ``label_rows``: the store rows a query word's
    labels name (see :attr:`AnswerRule.label_boost`); ``sizes``: each photo's ``(width, height)`` as decoded (small
    photos are weaker evidence; none given: full-size)."""
    z = scorer_for(store).logits(features, rule)
    return decide_logits(store.taxonomy, z, rule, repeats=store.repeats, exclude_rows=exclude_rows,
                         label_rows=label_rows, sizes=sizes, topn=topn)


def rule_for(store: "Store", rule: AnswerRule | None = None) -> AnswerRule:
    """``rule``, else the store's own (manifest ``answer_rule``), else :data:`DEFAULT_RULE` for its scorer."""
    if rule is not None:
        return rule
    own = store.manifest.get("answer_rule")
    if isinstance(own, dict):
        return AnswerRule.from_dict(own)
    if scorer_for(store).mode == "classifier":
        return DEFAULT_RULE
    return replace(DEFAULT_RULE, novel=None)  # the novel logit is on the classifier's scale, not cosines
