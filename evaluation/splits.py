"""Which shipped photos play which part: the store's own photos, the selection photos and the held-out photos.

- store (exemplars): ``imagenet-samples``, one photo per ImageNet class, built into the default store;
- selection: the ``tiny-imagenet-val`` (64 px) and ``ilsvrc2012-val`` (full-size) photos of the classes in the
  *selection half* (a fixed hash of the class id) — these choose the answer rule and its numbers;
- held out: the photos of both sets of the other half of the classes — they report, once.

The three never overlap (a test checks it), and held-out classes are never selection classes.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import numpy as np

STORE_SET = "imagenet-samples"
TINY_SET, VAL_SET = "tiny-imagenet-val", "ilsvrc2012-val"
CACHE = Path(__file__).resolve().parent.parent / ".work" / "eval-cache"
Photo = tuple[str, np.ndarray, tuple[int, int]]  # (wnid, raw feature, (width, height))


def is_selection_class(wnid: str) -> bool:
    """Whether ``wnid``'s ILSVRC validation photos are selection photos (else held out): a fixed hash, half each."""
    return hashlib.sha256(wnid.encode()).digest()[0] % 2 == 0


def part_of(row: dict) -> str:
    """``store``, ``selection`` or ``held-out`` for a ``labels.csv`` row."""
    if row["set"] == STORE_SET:
        return "store"
    if row["set"] in (TINY_SET, VAL_SET) and is_selection_class(row["wnid"]):
        return "selection"
    return "held-out"


def labelled_rows(shared: Path) -> list[dict]:
    with open(Path(shared) / "photos" / "labels.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def photos_of(shared: Path, store, part: str) -> dict[str, list[Photo]]:
    """{photo set: [(wnid, raw feature, (width, height))]} of one part, embedded with the store's encoder (cached
    under .work/)."""
    from PIL import Image

    from visemb.encoder_spec import get_spec
    from evaluation.embedding import embed_cached

    rows = [r for r in labelled_rows(shared) if part_of(r) == part]
    paths = [str(Path(shared) / "photos" / r["path"]) for r in rows]
    vec = embed_cached(paths, CACHE, get_spec(store.encoder_spec.name))
    out: dict[str, list[Photo]] = {}
    for r, p in zip(rows, paths):
        if p in vec:
            with Image.open(p) as img:  # the header only
                size = img.size
            out.setdefault(r["set"], []).append((r["wnid"], vec[p], size))
    return out


def selection_photos(shared: Path, store) -> dict[str, list[Photo]]:
    return photos_of(shared, store, "selection")


def held_out_photos(shared: Path, store) -> dict[str, list[Photo]]:
    return photos_of(shared, store, "held-out")


def offline_source_of(part: str):
    """The offline source with only the photos of one part's classes (``selection`` or ``held-out``): a word of a
    selection class never fetches a held-out photo, and the other way round."""
    import copy

    from visemb.sources.offline import offline_source

    src = copy.copy(offline_source())
    keep = is_selection_class if part == "selection" else (lambda w: not is_selection_class(w))
    return src.restricted(keep)
