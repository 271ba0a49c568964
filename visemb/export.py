"""Exporting a store to word2vec format and to the TensorFlow Embedding Projector's TSV files."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from visemb.fileio import atomic_open
from visemb.store import Store
from visemb.entry import synset_of

FORMATS = ("word2vec", "projector")


def export_word2vec(store: Store, path: str | Path, binary: bool = False) -> Path:
    """Write ``path`` in word2vec format (one row per entry, keyed by its canonical key).

    gensim reads it back with ``KeyedVectors.load_word2vec_format(path, binary=binary)``.
    """
    path = Path(path)
    with atomic_open(path, "wb") as f:
        f.write(f"{len(store)} {store.dim}\n".encode())
        for key, vec in zip(store.index_to_key, store.vectors):
            vec = np.asarray(vec, np.float32)
            if binary:
                f.write(key.encode("utf-8") + b" " + vec.astype("<f4").tobytes() + b"\n")
            else:
                f.write((key + " " + " ".join(f"{x:.6g}" for x in vec) + "\n").encode("utf-8"))
    return path


def export_projector(store: Store, folder: str | Path) -> tuple[Path, Path]:
    """Write ``vectors.tsv`` and ``metadata.tsv`` (key, synset, category, gloss) for projector.tensorflow.org."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vec_path, meta_path = folder / "vectors.tsv", folder / "metadata.tsv"
    with atomic_open(vec_path, "w", encoding="utf-8", newline="") as f:
        for vec in store.vectors:
            f.write("\t".join(f"{x:.6g}" for x in np.asarray(vec, np.float32)) + "\n")
    with atomic_open(meta_path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["key", "synset", "category", "gloss"])
        for e in store.entries:
            w.writerow([e["key"], synset_of(e) or "", e.get("category", ""),
                        " ".join(e.get("gloss", "").split())])
    return vec_path, meta_path
