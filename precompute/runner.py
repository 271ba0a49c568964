"""The partition worker: everything a partition needs comes from its arguments and the work folder."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from precompute.config import PipelineConfig, open_work
from precompute.embed_stage import embed_stage, image_list
from precompute.fetch_stage import fetch_stage
from precompute.journal import atomic_write_json
from precompute.merge_stage import partition_dir
from precompute.vocabulary_stage import partition_units, vocabulary_stage

logger = logging.getLogger(__name__)


def run_partition(work: Path, partition: int, partitions: int) -> dict:
    """Fetch and embed one partition (skipping whatever is already done); write ``done.json`` at the end.

    A distributed engine can call this for each partition on any machine sharing ``work``.
    """
    cfg = open_work(work, None)
    if partitions != cfg.partitions:
        raise SystemExit(f"this run has {cfg.partitions} partitions, not {partitions}")
    pdir = partition_dir(work, partition, partitions)
    done_path = pdir / "done.json"
    if done_path.is_file():
        return {"partition": partition, "status": "already done"}
    vocab = vocabulary_stage(work, cfg)
    units = partition_units(len(vocab["units"]), partition, partitions)
    t0 = time.perf_counter()
    fetched = fetch_stage(cfg, vocab, units, pdir)
    t1 = time.perf_counter()
    images = image_list(fetched, units)
    embed_stage(cfg, images, pdir)
    t2 = time.perf_counter()
    if len(fetched) < len(units):
        return {"partition": partition, "status": "incomplete", "missing": len(units) - len(fetched)}
    summary = {"partition": partition, "units": len(units), "images": len(images),
               "fetch_s": round(t1 - t0, 2), "embed_s": round(t2 - t1, 2)}
    atomic_write_json(done_path, summary)
    return summary


def run_all(work: Path, cfg: PipelineConfig | None = None) -> list[dict]:
    """Run every unfinished partition in this process, in order."""
    from tqdm import tqdm

    cfg = open_work(work, cfg)
    vocabulary_stage(work, cfg)
    return [run_partition(work, p, cfg.partitions)
            for p in tqdm(range(cfg.partitions), desc="partitions", unit="part")]
