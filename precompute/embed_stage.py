"""Stage 3: embed a partition's images in chunks named by their content, each written once and atomically.

A chunk holds whole units (a unit's images are never split) and its file name is a hash of its (unit, path)
list: a unit fetched late, after an outage, changes only its own chunk, and a chunk on disk is reused only
when it holds exactly the images planned for it. A truncated or unreadable chunk is embedded again.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np
from tqdm import tqdm

from precompute.config import PipelineConfig
from precompute.errors import PipelineError
from precompute.journal import Journal, atomic_write_bytes

Chunk = list[tuple[int, str]]  # (unit, image path)


def plan_chunks(fetched: dict[int, dict], units: range | list[int], chunk_images: int) -> list[Chunk]:
    """Group the fetched images of ``units`` (in unit order) into chunks of whole units, about
    ``chunk_images`` images each."""
    chunks: list[Chunk] = []
    current: Chunk = []
    for u in units:
        if u not in fetched or not fetched[u]["paths"]:
            continue
        current += [(u, p) for p in fetched[u]["paths"]]
        if len(current) >= chunk_images:
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    return chunks


def chunk_path(part_dir: Path, chunk: Chunk) -> Path:
    """``emb-<hash of the chunk's (unit, path) list>.npz``."""
    digest = hashlib.sha256(json.dumps(chunk, ensure_ascii=False).encode("utf-8")).hexdigest()[:20]
    return Path(part_dir) / f"emb-{digest}.npz"


def read_chunk(path: Path, chunk: Chunk) -> dict | None:
    """The chunk's arrays, or None when the file is missing, truncated, unreadable or holds other images."""
    try:
        with np.load(path) as z:
            data = {k: z[k] for k in ("vectors", "units", "paths", "skipped", "backend")}
    except Exception:  # truncated, empty or foreign file (BadZipFile, EOFError, KeyError…): redo the chunk
        return None
    skipped = json.loads(str(data["skipped"]))
    paths = [str(p) for p in data["paths"]]
    if (len(data["vectors"]) != len(paths) or len(paths) + len(skipped) != len(chunk)
            or set(paths) | set(skipped) != {p for _, p in chunk}):
        return None
    return {"vectors": data["vectors"], "units": data["units"], "paths": paths, "skipped": skipped,
            "backend": json.loads(str(data["backend"]))}


def embed_chunk(encoder, chunk: Chunk, path: Path, backend: dict) -> int:
    """Embed ``chunk`` and write it atomically to ``path`` with the ``backend`` record that made it; return how
    many images were usable."""
    emb = encoder.embed([p for _, p in chunk])
    ok = np.asarray(emb.ok, np.int64)
    skipped = {chunk[i][1]: why for i, why in emb.skipped.items()}
    buf = io.BytesIO()
    np.savez(buf, vectors=emb.vectors.astype(np.float32), units=np.asarray([chunk[i][0] for i in ok], np.int64),
             paths=np.asarray([chunk[i][1] for i in ok], dtype=str), skipped=np.asarray(json.dumps(skipped)),
             backend=np.asarray(json.dumps(backend, sort_keys=True)))
    atomic_write_bytes(path, buf.getvalue())
    return len(ok)


def chunks_to_do(part_dir: Path, chunks: list[Chunk]) -> list[Chunk]:
    """The chunks without a valid file on disk."""
    return [c for c in chunks if read_chunk(chunk_path(part_dir, c), c) is None]


def embed_stage(cfg: PipelineConfig, chunks: list[Chunk], part_dir: Path) -> None:
    """In-process: embed every chunk of a partition that has no valid file yet."""
    from precompute.encoder_choice import choose_backend, encoder_for

    todo = chunks_to_do(part_dir, chunks)
    if not todo:
        return
    events = Journal(Path(part_dir) / "events.jsonl")
    backend = choose_backend(cfg)
    encoder = encoder_for(cfg, backend)
    for chunk in tqdm(todo, desc=f"embed {Path(part_dir).name}", unit="chunk", leave=False):
        path = chunk_path(part_dir, chunk)
        embed_chunk(encoder, chunk, path, backend.to_dict())
        events.append({"event": "embed", "chunk": path.name, "images": len(chunk)})


def read_embeddings(part_dir: Path, chunks: list[Chunk]) -> dict:
    """The planned chunks of a partition: ``vectors``, ``units``, ``paths``, ``skipped`` (path -> reason) and
    ``backends`` (the distinct backend records that embedded them).

    Raises:
        PipelineError: a planned chunk is missing or does not hold its planned images (rerun to redo it).
    """
    vecs, units, paths, skipped, backends = [], [], [], {}, []
    for chunk in chunks:
        data = read_chunk(chunk_path(part_dir, chunk), chunk)
        if data is None:
            raise PipelineError(f"{part_dir}: the embeddings of units {chunk[0][0]}..{chunk[-1][0]} are missing or "
                                "incomplete; run the same `python -m precompute run` again to redo them")
        vecs.append(data["vectors"])
        units.append(data["units"])
        paths += data["paths"]
        skipped.update(data["skipped"])
        if data["backend"] not in backends:
            backends.append(data["backend"])
    return {"vectors": np.concatenate(vecs) if vecs else np.zeros((0, 0), np.float32),
            "units": np.concatenate(units) if units else np.zeros(0, np.int64), "paths": paths, "skipped": skipped,
            "backends": backends}
