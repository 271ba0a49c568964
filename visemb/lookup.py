"""Words the store lacks, looked up live: fetch pictures of the word, embed them, and place it among the store's nouns.

>>> hit = lookup("teacher", store, source="bing", images=8)   # doctest: +SKIP
>>> hit.neighbours[:2], hit.similarity(store, "child")          # doctest: +SKIP
([('ballplayer', 0.71), ('scuba_diver', 0.69)], 0.52)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from visemb.encoder import Encoder
from visemb.errors import SourceUnavailableError
from visemb.search import l2_normalize
from visemb.sources import ImageSource, get_source
from visemb.store import Store


@dataclass
class LiveWord:
    """A word placed among the store's nouns through its pictures.

    Attributes:
        word: the word as asked.
        vector: its unit vector, prepared like the store's (centred when the store is).
        neighbours: the store's nearest nouns, [(key, cosine)] in descending cosine.
        images: the pictures that made the vector; origins: picture -> the URL it came from.
        source: the image source's name; skipped: pictures that could not be used, with the reason.
        thumbnails: small JPEGs of the first pictures (they outlive the downloaded files).
    """

    word: str
    vector: np.ndarray
    neighbours: list[tuple[str, float]]
    images: list[str]
    source: str
    origins: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    thumbnails: list[bytes] = field(default_factory=list)

    def similarity(self, store: Store, key: str) -> float:
        """Cosine similarity of the looked-up word and a store noun.

        Raises:
            KeyError: ``key`` is not in the store.
        """
        return float(self.vector @ store.unit_vectors[store.get_index(key)])

    def to_dict(self) -> dict:
        return {"word": self.word, "source": self.source, "in_store": False, "images": self.images,
                "neighbours": [{"key": k, "similarity": round(s, 4)} for k, s in self.neighbours],
                "skipped": self.skipped}


def live_source(name: str = "bing", **options) -> ImageSource:
    """The image source for live lookups, checked to be reachable.

    Raises:
        SourceUnavailableError: saying what is missing (no network, no folder) and what to do instead.
    """
    source = get_source(name, **options)
    reachable = getattr(source, "reachable", None)
    if reachable is not None and not reachable():
        raise SourceUnavailableError(
            f"looking a word up through pictures needs an image search, and {name} cannot be reached (no "
            "network?); use --source folder --root DIR with a DIR/<word>/ folder of pictures instead")
    return source


def lookup(word: str, store: Store, source: str | ImageSource = "bing", images: int = 8, topn: int = 10,
           encoder: Encoder | None = None, dest: str | Path | None = None, progress=None) -> LiveWord:
    """Fetch ``images`` pictures of ``word``, embed them with the store's encoder and return its place among the
    store's nouns.

    Raises:
        SourceUnavailableError, NoImagesError: with a message for the user.
        EncoderMismatchError: when ``encoder`` is not the store's.
    """
    from visemb.translate import embed_for

    src = live_source(source) if isinstance(source, str) else source
    fetched = src.fetch(word, images, dest=dest)
    names = [str(p) for p in fetched.paths]
    emb, skipped = embed_for(store, fetched.paths, names, encoder, progress)
    vector = l2_normalize(store.prepare(emb.vectors).mean(axis=0))
    near = store.nearest(vector, topn, prepared=True)
    used = [names[i] for i in emb.ok]
    return LiveWord(word, vector, [(store.index_to_key[i], s) for i, s in near], used, src.name,
                    {k: v for k, v in fetched.origins.items() if k in names}, skipped, _thumbnails(used[:6]))


def _thumbnails(paths: list[str], size: int = 96) -> list[bytes]:
    import io

    from visemb.images import open_image

    out = []
    for p in paths:
        img = open_image(p, draft_size=size)
        img.thumbnail((size, size))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=80)
        out.append(buf.getvalue())
    return out
