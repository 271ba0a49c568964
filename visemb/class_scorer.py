"""Logits of query photos over a store's photographed classes: the network's own classifier where every class is one
of its classes, else scaled cosines to the classes' stored vectors; one scorer per store object."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

import numpy as np

from visemb.answer_rule import AnswerRule

if TYPE_CHECKING:
    from visemb.store import Store


class ClassScorer:
    """Logits of query features over a store's photographed classes.

    With a classifier (the encoder's ImageNet ``fc`` rows, when every class is one of its classes) the logits are
    the network's own; otherwise ``rule.cosine_scale`` times the cosine to each class's stored vector.
    """

    def __init__(self, store: "Store", classifier: np.ndarray | None = None):
        self.store = store
        self.classifier = classifier

    @property
    def mode(self) -> str:
        return "classifier" if self.classifier is not None else "cosine"

    def logits(self, features: np.ndarray, rule: AnswerRule) -> np.ndarray:
        """[k, dim] raw features -> [k, classes] logits (before the temperature), float64."""
        f = np.atleast_2d(np.asarray(features, np.float32))
        if self.classifier is not None:
            return (f @ self.classifier.T).astype(np.float64)
        from visemb.search import similarities

        # every row, a chunk at a time, then the classes' columns: no copy of the class rows (35K rows of a big store)
        sims = similarities(self.store.prepare(f), self.store.unit_vectors)
        return rule.cosine_scale * sims[:, self.store.taxonomy.class_rows].astype(np.float64)


_SCORERS: "weakref.WeakKeyDictionary[Store, ClassScorer]" = weakref.WeakKeyDictionary()


def scorer_for(store: "Store") -> ClassScorer:
    """The scorer of ``store`` (one per store object); uses the classifier when it can be found."""
    scorer = _SCORERS.get(store)
    if scorer is None:
        scorer = _SCORERS[store] = ClassScorer(store, _classifier_rows(store))
    return scorer


def _classifier_rows(store: "Store") -> np.ndarray | None:
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
    ids = [store.entries[int(r)].get("imagenet_id") for r in store.taxonomy.class_rows]
    if not all(w in index for w in ids):
        return None
    return np.ascontiguousarray(rows[[index[w] for w in ids]], dtype=np.float32)
