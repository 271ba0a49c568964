"""Deprecated: foreign labels live in :mod:`visemb.lexicon.foreign_labels` (word meaning apart from image sources)."""

import warnings

from visemb.lexicon.foreign_labels import *  # noqa: F401,F403
from visemb.lexicon.foreign_labels import ForeignLabels  # noqa: F401

warnings.warn("visemb.sources.foreign_labels is deprecated and will be removed: import visemb.lexicon.foreign_labels",
              DeprecationWarning, stacklevel=2)
