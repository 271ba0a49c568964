"""Exporting a store to word2vec format and to the TensorFlow Embedding Projector's TSV files."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np

from visemb.fileio import refuse_special
from visemb.store import Store

FORMATS = ("word2vec", "projector")


def _atomic_text(path: Path):
    refuse_special(path)
    tmp = path.with_name(f".{path.name}.tmp")
    return tmp, open(tmp, "w", encoding="utf-8", newline="")


def export_word2vec(store: Store, path: str | Path, binary: bool = False) -> Path:
    """Write ``path`` in word2vec format (one row per entry, keyed by its canonical key).

    gensim reads it back with ``KeyedVectors.load_word2vec_format(path, binary=binary)``.
    """
    path = Path(path)
    refuse_special(path)
    vectors = np.asarray(store.vectors, np.float32)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as f:
        f.write(f"{len(store)} {store.dim}\n".encode())
        for key, vec in zip(store.index_to_key, vectors):
            if binary:
                f.write(key.encode("utf-8") + b" " + vec.astype("<f4").tobytes() + b"\n")
            else:
                f.write((key + " " + " ".join(f"{x:.6g}" for x in vec) + "\n").encode("utf-8"))
    os.replace(tmp, path)
    return path


def export_projector(store: Store, folder: str | Path) -> tuple[Path, Path]:
    """Write ``vectors.tsv`` and ``metadata.tsv`` (key, synset, category, gloss) for projector.tensorflow.org."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vec_path, meta_path = folder / "vectors.tsv", folder / "metadata.tsv"
    tmp, f = _atomic_text(vec_path)
    with f:
        for vec in np.asarray(store.vectors, np.float32):
            f.write("\t".join(f"{x:.6g}" for x in vec) + "\n")
    os.replace(tmp, vec_path)
    tmp, f = _atomic_text(meta_path)
    with f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(["key", "synset", "category", "gloss"])
        for e in store.entries:
            w.writerow([e["key"], (e.get("synsets") or [""])[0], e.get("category", ""),
                        " ".join(e.get("gloss", "").split())])
    os.replace(tmp, meta_path)
    return vec_path, meta_path
