"""The ``offline`` source: the held-out photos and foreign labels shipped beside the default store."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from visemb.encoder_spec import REPO_ROOT
from visemb.errors import SourceUnavailableError, VisembError
from visemb.lexicon.foreign_labels import ForeignLabels
from visemb.lexicon.nouns import PACK_NAME, Lexicon
from visemb.sources.labelled import LabelledSource

OFFLINE_DIR = REPO_ROOT / "data" / "default" / "offline"


def offline_source(folder: str | Path = OFFLINE_DIR) -> LabelledSource:
    """A :class:`LabelledSource` over ``folder/labels.csv``, ``foreign_labels.tsv.gz`` (with the open lexicons
    ``lexicon_*.tsv.gz`` after it) and WordNet's nouns (``wordnet_nouns.json.gz``: no WordNet needed).

    Built once per folder and process (reading the labels takes ~0.2 s); read-only, so callers share it.

    Raises:
        SourceUnavailableError: when the folder is missing (rebuild with ``python -m precompute default``).
    """
    csv_path = Path(folder) / "labels.csv"
    if not csv_path.is_file():
        raise SourceUnavailableError(f"The offline photos are missing ({csv_path}); restore data/default "
                                     "from git or rebuild it with `python -m precompute default`")
    return _load(str(Path(folder).resolve()), csv_path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _load(folder_name: str, _labels_mtime: int) -> LabelledSource:
    folder = Path(folder_name)
    csv_path = folder / "labels.csv"
    foreign = ForeignLabels()
    for tsv in [folder / "foreign_labels.tsv.gz", *sorted(folder.glob("lexicon_*.tsv.gz"))]:  # curated labels first
        if tsv.is_file():
            ForeignLabels.from_tsv(tsv, into=foreign)
    foreign.finish_reading()
    from visemb.encoder import release_free_memory

    release_free_memory()  # the tables' text, read and packed, leaves freed pages behind: give them back
    lexicon = Lexicon.from_pack(folder / PACK_NAME) if (folder / PACK_NAME).is_file() else None
    return OfflineSource(csv_path, folder, foreign, lexicon=lexicon)


class OfflineSource(LabelledSource):
    """The labelled photos shipped beside the default store: the ``offline`` source."""

    name = "offline"


def known_senses(word: str, lang: str | None = None) -> list[str]:
    """Synset names that the shipped label lexicon gives ``word`` (in ``lang``; None: any language), so that web
    pictures are answered as the offline photos are; empty when it is not a known label or the lexicon is absent."""
    try:
        return offline_source().named_senses(word, lang)
    except (VisembError, OSError):
        return []
