"""A store's thumbnails: one ``thumbnails.bin`` of JPEG bytes and ``thumbnails.json`` of their offsets, read on
demand through a memory map; a thumbnail whose offset or bytes are not an image's reads as None (no picture)."""

from __future__ import annotations

import collections.abc
import logging
from pathlib import Path
from typing import Sequence

from visemb.errors import StoreError

logger = logging.getLogger("visemb.store_files")  # a store's load reports through one logger


def write_thumbnails(path: Path, thumbs: Sequence[bytes | None]) -> list:
    offsets, pos = [], 0
    with open(path, "wb") as f:
        for t in thumbs:
            if t is None:
                offsets.append(None)
                continue
            f.write(t)
            offsets.append([pos, len(t)])
            pos += len(t)
    return offsets


class Thumbnails(collections.abc.Sequence):
    """A store's thumbnails read from ``thumbnails.bin`` on demand (memory-mapped): 40K thumbnails cost no memory
    until shown. A thumbnail whose offset or bytes are not an image's reads as None (no picture)."""

    def __init__(self, path: Path, offsets: list):
        import mmap

        if not isinstance(offsets, list):
            raise StoreError(f"{path.with_suffix('.json')}: not a list of offsets (corrupt)")
        self.offsets = offsets
        size = path.stat().st_size
        with open(path, "rb") as f:
            self._blob = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        fits = [o is None or (o.__class__ is list and len(o) == 2 and o[0].__class__ is int
                              and o[1].__class__ is int and 0 <= o[0] and 0 <= o[1] and o[0] + o[1] <= size)
                for o in offsets]
        if not all(fits):  # such a row shows no picture; the rest of the store is sound
            logger.warning("%s: %d offset(s) are not two whole numbers inside thumbnails.bin (corrupt); those "
                           "nouns show no picture", path.with_suffix(".json"), fits.count(False))
            self.offsets = [o if ok else None for o, ok in zip(offsets, fits)]

    def __len__(self) -> int:
        return len(self.offsets)

    def __eq__(self, other) -> bool:
        return isinstance(other, collections.abc.Sequence) and list(self) == list(other)

    __hash__ = None

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        o = self.offsets[i]
        if o is None:
            return None
        data = bytes(self._blob[o[0]:o[0] + o[1]])
        return data if data.startswith(IMAGE_SIGNATURES) else None  # not an image: shown as none


IMAGE_SIGNATURES = (b"\xff\xd8", b"\x89PNG\r\n\x1a\n", b"GIF8", b"RIFF", b"BM")  # JPEG, PNG, GIF, WebP, BMP
