"""The in-process driver: partitions one after another, each fetched then embedded by the shared stage functions.

:mod:`precompute.ray_driver` runs the same stages on Ray; both leave the same files in the work folder.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from precompute.config import PipelineConfig, open_work
from precompute.embed_stage import Chunk, chunks_to_do, embed_stage, plan_chunks
from precompute.errors import PipelineError
from precompute.fetch_stage import FetchPolicy, batches, fetch_done, fetch_stage
from precompute.journal import atomic_write_json
from precompute.vocabulary_stage import partition_units, vocabulary_stage


def partition_dir(work: Path, p: int, n: int) -> Path:
    return Path(work) / "partitions" / f"p{p:04d}-of-{n:04d}"


@dataclass
class PartitionState:
    """What is on disk for one partition: its units, their final fetch records and its planned chunks."""

    index: int
    dir: Path
    units: range
    fetched: dict[int, dict]
    chunks: list[Chunk]

    @property
    def missing(self) -> list[int]:
        return [u for u in self.units if u not in self.fetched]


def partition_state(work: Path, cfg: PipelineConfig, n_units: int, p: int) -> PartitionState:
    pdir = partition_dir(work, p, cfg.partitions)
    units = partition_units(n_units, p, cfg.partitions)
    fetched = fetch_done(pdir)
    return PartitionState(p, pdir, units, fetched, batch_chunks(fetched, units, cfg.chunk_images))


def batch_chunks(fetched: dict[int, dict], units: range, chunk_images: int) -> list[Chunk]:
    """A partition's chunks, planned batch by batch (a chunk never spans two fetch batches, so a batch's chunks
    are final as soon as the batch is fetched)."""
    return [c for b in batches(units) for c in plan_chunks(fetched, b, chunk_images)]


def finish_partition(state: PartitionState, timings: dict | None = None) -> dict:
    """Write ``done.json`` when every unit has a final record and every chunk is embedded; return a summary."""
    if state.missing:
        return {"partition": state.index, "status": "incomplete", "missing": len(state.missing)}
    if chunks_to_do(state.dir, state.chunks):
        return {"partition": state.index, "status": "incomplete", "chunks_to_embed": True}
    summary = {"partition": state.index, "units": len(state.units),
               "images": sum(len(c) for c in state.chunks), **(timings or {})}
    atomic_write_json(state.dir / "done.json", summary)
    return summary


def run_partition(work: Path, partition: int, partitions: int, policy: FetchPolicy = FetchPolicy(), *,
                  cfg: PipelineConfig | None = None, vocab: dict | None = None) -> dict:
    """Fetch and embed one partition (skipping whatever is already done); write ``done.json`` at the end
    (``cfg`` and ``vocab``: the run's, when the caller has read them already)."""
    cfg = cfg or open_work(work, None)
    if partitions != cfg.partitions:
        raise PipelineError(f"this run has {cfg.partitions} partitions, not {partitions}")
    pdir = partition_dir(work, partition, partitions)
    if (pdir / "done.json").is_file():
        return {"partition": partition, "status": "already done"}
    vocab = vocab or vocabulary_stage(work, cfg)
    units = partition_units(len(vocab["units"]), partition, partitions)
    t0 = time.perf_counter()
    fetch_stage(cfg, vocab, units, pdir, policy)
    t1 = time.perf_counter()
    state = partition_state(work, cfg, len(vocab["units"]), partition)
    embed_stage(cfg, state.chunks, pdir)
    t2 = time.perf_counter()
    return finish_partition(state, {"fetch_s": round(t1 - t0, 2), "embed_s": round(t2 - t1, 2)})


def run_all(work: Path, cfg: PipelineConfig | None = None, policy: FetchPolicy = FetchPolicy()) -> list[dict]:
    """Run every unfinished partition in this process, in order."""
    from tqdm import tqdm

    cfg = open_work(work, cfg)
    vocab = vocabulary_stage(work, cfg)  # read once for every partition
    return [run_partition(work, p, cfg.partitions, policy, cfg=cfg, vocab=vocab)
            for p in tqdm(range(cfg.partitions), desc="partitions", unit="part")]
