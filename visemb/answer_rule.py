"""The numbers of the answer rule (:mod:`visemb.answer`): how the photos' evidence is weighed, calibrated and hedged,
and :data:`DEFAULT_RULE`, chosen on the selection photos and words."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AnswerRule:
    """How a query's class scores become a calibrated answer.

    Attributes:
        temperature: logits are divided by it before the softmax (per photo).
        novel: the logit of "a noun the store lacks" (None: none); its share of a photo goes to the *parents* of
            the classes in proportion to their probabilities.
        outlier: the share of a query's photos that may show something else (step 2 of :mod:`visemb.answer`).
        size_prior: a noun's prior is ``classes under it ** size_prior`` (0: every noun alike) …
        class_prior: … times this for a photographed class: a photo of one thing names that thing (one example
            cannot tell *beagle* from *hound* by the size principle alone; a person asking about a photo means
            what it shows).
        slope, intercept: calibration of a noun's probability ``p`` over ``k`` photos:
            ``sigmoid(a * logit(p) + b)`` with ``a = slope[0] + slope[1] * log2(k) + small_slope * s`` and likewise
            ``b``, where ``s`` is the share of the photos that are small (short side under :data:`SMALL_SIDE`).
        small_slope, small_intercept: how much a small photo's evidence weighs less (see ``slope``).
        breadth_slope, breadth_intercept: likewise for ``log2`` of the number of classes under the noun: the same
            probability means more for a broad noun that several kinds of photos agree on than for one class.
        outside_slope, outside_intercept: likewise for the share of the photos whose own likeliest class is not
            at or below the noun: a noun that some photos' best guesses fall outside of is right less often.
        threshold: the answer is the most specific noun whose calibrated probability is at least this.
        high, medium: confidence words: ``high`` from ``high`` up, ``medium`` from ``medium`` up, else ``low``.
        cosine_scale: for stores without a classifier, logits are ``cosine_scale * cosine`` to each class vector.
        label_boost: when the query word is a known label (a dictionary names its senses), each photo's
            probability of the classes at or below those senses is multiplied by this, then renormalised, and so is
            the prior of the senses themselves (the word names that noun, not its parent): the word is evidence,
            the pictures choose among its senses and still win when they all disagree (None: off).
        label_slope, label_intercept: the calibration ``sigmoid(a logit(p) + b)`` of answers to labelled words
            (None: the photos' calibration).
        ceiling: the answer is never more than this many levels (along the stored hypernym path) above the
            likeliest concept, nor above the senses a query word's labels name; when no noun within clears the
            threshold, the answer is the ceiling itself, with its (lower) probability (None: no ceiling).
    """

    temperature: float = 1.0
    novel: float | None = None
    outlier: float = 0.1
    size_prior: float = 0.0
    class_prior: float = 1.0
    slope: tuple[float, float] = (1.0, 0.0)
    intercept: tuple[float, float] = (0.0, 0.0)
    small_slope: float = 0.0
    small_intercept: float = 0.0
    breadth_slope: float = 0.0
    breadth_intercept: float = 0.0
    outside_slope: float = 0.0
    outside_intercept: float = 0.0
    threshold: float = 0.5
    high: float = 0.9
    medium: float = 0.6
    cosine_scale: float = 30.0
    label_boost: float | None = None
    label_slope: float | None = None
    label_intercept: float | None = None
    ceiling: int | None = None

    def calibrate(self, p: np.ndarray, k: int, labelled: bool = False, small: float = 0.0,
                  breadth: np.ndarray | float = 0.0, outside: np.ndarray | float = 0.0) -> np.ndarray:
        """Calibrated probability of nouns whose probability over ``k`` photos is ``p`` (``labelled``: of a word
        whose labels boosted its senses; ``small``: the share of the photos that are small; ``breadth``: ``log2``
        of the number of classes under each noun; ``outside``: the share of photos whose likeliest class is not
        at or below each noun)."""
        lk = math.log2(max(k, 1))
        breadth, outside = np.asarray(breadth), np.asarray(outside)
        a = (self.slope[0] + self.slope[1] * lk + self.small_slope * small + self.breadth_slope * breadth
             + self.outside_slope * outside)
        b = (self.intercept[0] + self.intercept[1] * lk + self.small_intercept * small
             + self.breadth_intercept * breadth + self.outside_intercept * outside)
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
DEFAULT_RULE = AnswerRule(temperature=1.0, novel=12.0, outlier=0.1, size_prior=0.5,
                          class_prior=8.0,
                          slope=(1.3237, -0.1926), intercept=(0.4783, -0.1895),
                          small_slope=-0.4674, small_intercept=-0.842,
                          breadth_slope=0.0441, breadth_intercept=0.0307,
                          outside_slope=-0.226, outside_intercept=-0.1721,
                          threshold=0.6, ceiling=2, high=0.99, medium=0.5,
                          label_boost=8.0, label_slope=1.2002, label_intercept=0.4565)
