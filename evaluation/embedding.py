"""Photo vectors for the evaluation and the benchmarks, embedded once per encoder file and cached on disk."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def embed_cached(paths: list[str], cache: Path, spec) -> dict[str, np.ndarray]:
    """Vectors of ``paths`` with the store's encoder, cached on disk per encoder file checksum."""
    from tqdm import tqdm

    from visemb.encoder import load_encoder

    cache.mkdir(parents=True, exist_ok=True)
    f = cache / f"vectors-{(spec.file_sha256 or 'x')[:12]}.npz"
    have: dict[str, np.ndarray] = {}
    if f.is_file():
        with np.load(f) as z:
            have = dict(zip([str(p) for p in z["paths"]], z["vectors"]))
    todo = [p for p in paths if p not in have]
    if todo:
        enc = load_encoder(spec)
        for i in tqdm(range(0, len(todo), 64), desc="embed photos", unit="batch"):
            part = todo[i:i + 64]
            emb = enc.embed(part)
            have.update({part[j]: v for j, v in zip(emb.ok, emb.vectors)})
        tmp = f.with_suffix(".tmp.npz")
        np.savez(tmp, paths=np.array(list(have)), vectors=np.stack(list(have.values())))
        os.replace(tmp, f)
    return have
