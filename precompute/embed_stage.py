"""Stage 3: embed a partition's images in fixed chunks, each written once and atomically (resumable)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
from tqdm import tqdm

from precompute.config import PipelineConfig
from precompute.journal import Journal, atomic_write_bytes


def image_list(fetched: dict[int, dict], units: range) -> list[tuple[int, str]]:
    """(unit, path) for every fetched image of the partition, in a fixed order."""
    return [(u, p) for u in units if u in fetched for p in fetched[u]["paths"]]


def embed_stage(cfg: PipelineConfig, images: list[tuple[int, str]], part_dir: Path) -> None:
    """Embed ``images`` chunk by chunk into ``emb-#####.npz``; chunks already on disk are skipped."""
    from visemb.encoder import load_encoder

    events = Journal(part_dir / "events.jsonl")
    n = cfg.chunk_images
    chunks = [images[i:i + n] for i in range(0, len(images), n)]
    todo = [c for c in range(len(chunks)) if not (part_dir / f"emb-{c:05d}.npz").is_file()]
    if not todo:
        return
    encoder = load_encoder(cfg.encoder, backend=cfg.backend, batch_size=cfg.batch_size,
                           **({"precision": cfg.precision} if cfg.backend == "torch" else {}))
    for c in tqdm(todo, desc=f"embed {part_dir.name}", unit="chunk", leave=False):
        chunk = chunks[c]
        emb = encoder.embed([p for _, p in chunk])
        ok = np.asarray(emb.ok, np.int64)
        skipped = {chunk[i][1]: why for i, why in emb.skipped.items()}
        buf = io.BytesIO()
        np.savez(buf, vectors=emb.vectors.astype(np.float32), units=np.asarray([chunk[i][0] for i in ok], np.int64),
                 paths=np.asarray([chunk[i][1] for i in ok], dtype=str),
                 skipped=np.asarray(json.dumps(skipped)))
        atomic_write_bytes(part_dir / f"emb-{c:05d}.npz", buf.getvalue())
        events.append({"event": "embed", "chunk": c, "images": len(chunk)})


def read_embeddings(part_dir: Path) -> tuple[np.ndarray, np.ndarray, list[str], dict[str, str]]:
    """All chunks of a partition: (vectors, units, paths, skipped path -> reason)."""
    vecs, units, paths, skipped = [], [], [], {}
    for f in sorted(part_dir.glob("emb-*.npz")):
        with np.load(f) as z:
            vecs.append(z["vectors"])
            units.append(z["units"])
            paths += [str(p) for p in z["paths"]]
            skipped.update(json.loads(str(z["skipped"])))
    if not vecs:
        return np.zeros((0, 0), np.float32), np.zeros(0, np.int64), [], skipped
    return np.concatenate(vecs), np.concatenate(units), paths, skipped
