"""The ``offline`` source: the held-out photos and foreign labels shipped beside the default store."""

from __future__ import annotations

from pathlib import Path

from visemb.encoder_spec import REPO_ROOT
from visemb.errors import SourceUnavailableError
from visemb.sources.foreign_labels import ForeignLabels
from visemb.sources.labelled import LabelledSource

OFFLINE_DIR = REPO_ROOT / "data" / "default" / "offline"


def offline_source(folder: str | Path = OFFLINE_DIR) -> LabelledSource:
    """A :class:`LabelledSource` over ``folder/labels.csv`` with ``folder/foreign_labels.tsv``.

    Raises:
        SourceUnavailableError: when the folder is missing (rebuild with ``python -m precompute default``).
    """
    folder = Path(folder)
    csv_path, tsv = folder / "labels.csv", folder / "foreign_labels.tsv"
    if not csv_path.is_file():
        raise SourceUnavailableError(f"The offline photos are missing ({csv_path}); restore data/default "
                                     "from git or rebuild it with `python -m precompute default`")
    foreign = ForeignLabels.from_tsv(tsv) if tsv.is_file() else ForeignLabels()
    source = LabelledSource(csv_path, folder, foreign)
    source.name = "offline"
    return source
