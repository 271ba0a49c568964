"""What the retrieval evaluation's jobs share: the data folder, the store, the embedded photos, the rows never shown
(repeats), the rankers, and whether the run is quick; one record instead of a dozen arguments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from evaluation.retrieval import EvalData

QUICK_LANGS = ("de", "fr", "es", "it", "pl", "ru", "zh", "ja", "he", "ar", "nl", "pt")


@dataclass
class EvalContext:
    """shared: the shared data folder; store: the store evaluated; data: its embedded photos and hierarchy
    (:class:`evaluation.retrieval.EvalData`); repeats: a mask of the rows never shown; rankers: tag -> (row matrix,
    CSLS r or None); quick: fewer languages and numbers of photos."""

    shared: Path
    store: object
    data: "EvalData"
    repeats: np.ndarray
    rankers: dict
    quick: bool = False
