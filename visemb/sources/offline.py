"""The ``offline`` source: the held-out photos and foreign labels shipped beside the default store."""

from __future__ import annotations

from pathlib import Path

from visemb.encoder_spec import REPO_ROOT
from visemb.errors import SourceUnavailableError
from visemb.sources.foreign_labels import ForeignLabels
from visemb.sources.labelled import LabelledSource, Lexicon

OFFLINE_DIR = REPO_ROOT / "data" / "default" / "offline"


def offline_source(folder: str | Path = OFFLINE_DIR) -> LabelledSource:
    """A :class:`LabelledSource` over ``folder/labels.csv``, ``foreign_labels.tsv`` and ``lexicon.json`` (no WordNet).

    Raises:
        SourceUnavailableError: when the folder is missing (rebuild with ``python -m precompute default``).
    """
    folder = Path(folder)
    csv_path, tsv = folder / "labels.csv", folder / "foreign_labels.tsv"
    if not csv_path.is_file():
        raise SourceUnavailableError(f"The offline photos are missing ({csv_path}); restore data/default "
                                     "from git or rebuild it with `python -m precompute default`")
    foreign = ForeignLabels.from_tsv(tsv) if tsv.is_file() else ForeignLabels()
    lexicon = Lexicon.from_json(folder / "lexicon.json") if (folder / "lexicon.json").is_file() else None
    source = LabelledSource(csv_path, folder, foreign, lexicon=lexicon)
    source.name = "offline"
    return source
