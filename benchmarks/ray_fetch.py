"""Fetch throughput of the whole seed vocabulary from the loopback search engine: Ray vs the in-process runner.

Both drivers run the same fetch stage (icrawler's Bing crawler through visemb's web source) against
``precompute.loopback`` serving ``../shared/photos`` in its own process, with a per-request latency. The
in-process runner fetches a sample of the vocabulary (it would take hours for all of it), Ray every noun; both
in the same run, on the same engine. Writes ``benchmarks/results/ray_fetch.{md,json}``.

    python benchmarks/ray_fetch.py --shared ../shared [--limit N] [--sample 100] [--images 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def start_engine(photos: Path, latency: float, jitter: float, throttle: float) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "precompute.loopback", "--photos", str(photos), "--latency",
                             str(latency), "--jitter", str(jitter), "--throttle", str(throttle), "--lifetime", "7200"],
                            cwd=REPO, stdout=subprocess.PIPE, text=True)
    return proc, json.loads(proc.stdout.readline())["url"]


def count_final(work: Path) -> tuple[int, int]:
    """(units with a final record, images fetched) in a work folder."""
    from precompute.fetch_stage import fetch_done

    units = images = 0
    for pdir in work.glob("partitions/*"):
        done = fetch_done(pdir)
        units += len(done)
        images += sum(len(r["paths"]) for r in done.values())
    return units, images


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--shared", default=str(REPO.parent / "shared"))
    p.add_argument("--limit", type=int, help="only the first N nouns of the vocabulary (default: all)")
    p.add_argument("--sample", type=int, default=100, help="nouns the in-process runner fetches")
    p.add_argument("--images", type=int, default=3, help="images per noun")
    p.add_argument("--latency", type=float, default=0.1, help="engine latency per request, seconds")
    p.add_argument("--jitter", type=float, default=0.1)
    p.add_argument("--throttle", type=float, default=0.01, help="share of result pages answered 429")
    p.add_argument("--fetch-tasks", type=int, default=8)
    p.add_argument("--threads", type=int, default=8, help="searches at once per Ray task")
    p.add_argument("--out", default=str(REPO / "benchmarks" / "results"))
    a = p.parse_args()
    shared = Path(a.shared).resolve()
    os.environ.setdefault("NLTK_DATA", str(shared / "wordnet" / "nltk_data"))
    from precompute.config import PipelineConfig, open_work
    from precompute.fetch_stage import FetchPolicy, fetch_stage
    from precompute.ray_driver import RaySettings, run_ray
    from precompute.runner import partition_dir
    from precompute.vocabulary_stage import vocabulary_stage

    engine, url = start_engine(shared / "photos", a.latency, a.jitter, a.throttle)
    tmp = Path(tempfile.mkdtemp(prefix="visemb-fetch-bench-"))
    try:
        def config(limit):
            return PipelineConfig(vocabulary="wordnet", rule="article", limit=limit, source="bing",
                                  source_options={"base_url": url}, images_per_noun=a.images,
                                  partitions=max(1, (limit or 40_000) // 2000), projections=("pca",))

        # in-process: the runner's fetch stage on the first --sample nouns
        cfg_local = config(a.sample)
        work_local = tmp / "local"
        vocab = vocabulary_stage(work_local, open_work(work_local, cfg_local))
        t0 = time.perf_counter()
        for part in range(cfg_local.partitions):
            from precompute.vocabulary_stage import partition_units

            units = partition_units(len(vocab["units"]), part, cfg_local.partitions)
            fetch_stage(cfg_local, vocab, units, partition_dir(work_local, part, cfg_local.partitions))
        local_s = time.perf_counter() - t0
        local_units, local_images = count_final(work_local)

        # Ray: every noun
        cfg_ray = config(a.limit)
        work_ray = tmp / "ray"
        t0 = time.perf_counter()
        vocab = vocabulary_stage(work_ray, open_work(work_ray, cfg_ray))
        vocab_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        run_ray(work_ray, cfg_ray, RaySettings(fetch_tasks=a.fetch_tasks), FetchPolicy(threads=a.threads),
                fetch_only=True)
        ray_s = time.perf_counter() - t0
        ray_units, ray_images = count_final(work_ray)
    finally:
        engine.terminate()
        shutil.rmtree(tmp, ignore_errors=True)

    local_rate, ray_rate = local_units / local_s, ray_units / ray_s
    result = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs",
        "engine": {"latency_s": a.latency, "jitter_s": a.jitter, "throttle": a.throttle, "images_per_noun": a.images},
        "vocabulary_nouns": len(vocab["units"]), "vocabulary_build_s": round(vocab_s, 1),
        "in_process": {"nouns": local_units, "images": local_images, "seconds": round(local_s, 1),
                       "nouns_per_s": round(local_rate, 2)},
        "ray": {"nouns": ray_units, "images": ray_images, "seconds": round(ray_s, 1), "nouns_per_s": round(ray_rate, 2),
                "fetch_tasks": a.fetch_tasks, "threads_per_task": a.threads},
        "speedup": round(ray_rate / local_rate, 1),
    }
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "ray_fetch.json").write_text(json.dumps(result, indent=1) + "\n")
    md = (f"# Fetch: Ray vs in-process\n\nMachine: {result['machine']}. Engine: `precompute.loopback` in its own "
          "process, "
          f"{a.latency:g} s + up to {a.jitter:g} s per request, {a.throttle:.0%} of result pages throttled (429), "
          f"{a.images} images per noun, photos from `../shared/photos`. Vocabulary: WordNet nouns by the article's "
          f"rule, {len(vocab['units']):,} nouns.\n\n"
          "| driver | nouns | images | seconds | nouns/s |\n|---|---|---|---|---|\n"
          f"| in-process (sample) | {local_units:,} | {local_images:,} | {local_s:.1f} | {local_rate:.2f} |\n"
          f"| Ray ({a.fetch_tasks} tasks x {a.threads} threads) | {ray_units:,} | {ray_images:,} | {ray_s:.1f} | "
          f"{ray_rate:.2f} |\n\nRay / in-process: **{result['speedup']}x** nouns/s.\n")
    (out / "ray_fetch.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
