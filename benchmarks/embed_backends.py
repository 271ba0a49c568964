"""Embed throughput per backend through the Ray actor pool, against the article's serial loop, in one run.

- serial loop: torch fp32, one image at a time (open, preprocess, forward) — how the original embedded;
- each backend (ONNX Runtime fp32; torch bfloat16 + channels-last where the CPU has AVX-512 BF16/AMX; CUDA when
  there is a GPU) embeds ``--images`` photos from ``../shared/photos`` (cycled) through
  :class:`precompute.ray_driver.EmbedWorker` actors, chunk files written as in a real run;
- features compared with torch fp32 on ``--check`` photos (min cosine);
- projection: the full WordNet (82,115 noun synsets x 10 images) at the measured rates.

Writes ``benchmarks/results/embed_backends.{md,json}``.

    python benchmarks/embed_backends.py --shared ../shared [--images 8000]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
WORDNET_NOUN_SYNSETS = 82_115
IMAGES_PER_NOUN = 10


def photo_paths(shared: Path, n: int) -> list[str]:
    with open(shared / "photos" / "labels.csv", encoding="utf-8", newline="") as f:
        paths = [str(shared / "photos" / r["path"]) for r in csv.DictReader(f)]
    return [paths[i % len(paths)] for i in range(n)]


def serial_loop(cfg, paths: list[str]) -> float:
    """ms per image of torch fp32, batch 1, default memory format."""
    from visemb.encoder import load_encoder

    enc = load_encoder("resnet50-keras", backend="torch", batch_size=1, precision="fp32", channels_last=False)
    enc.embed(paths[:2])
    t0 = time.perf_counter()
    for p in paths:
        enc.embed([p])
    return (time.perf_counter() - t0) / len(paths) * 1000


def through_actors(ray, cfg, backend, paths: list[str], chunk: int, out: Path, actors: int) -> float:
    """ms per image through EmbedWorker actors writing chunk files."""
    from precompute.ray_driver import EmbedWorker

    cpus = int(ray.cluster_resources().get("CPU", 1))
    worker = ray.remote(num_cpus=0.5, num_gpus=1 if backend.device == "cuda" else 0)(EmbedWorker)
    pool = [worker.remote(cfg.to_dict(), backend.to_dict(), max(1, cpus // actors)) for _ in range(actors)]
    warm = [(0, p) for p in paths[:8]]
    ray.get([a.embed.remote(str(out / "warm"), warm) for a in pool])
    jobs = [[(i, p) for i, p in enumerate(paths[s:s + chunk], start=s)] for s in range(0, len(paths), chunk)]
    (out / "run").mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    refs = [pool[i % actors].embed.remote(str(out / "run"), job) for i, job in enumerate(jobs)]
    ray.get(refs)
    ms = (time.perf_counter() - t0) / len(paths) * 1000
    for a in pool:
        ray.kill(a)
    return ms


def min_cosine(backend, paths: list[str]) -> float:
    from visemb.encoder import load_encoder

    ref = load_encoder("resnet50-keras", backend="torch", batch_size=8, precision="fp32", channels_last=False)
    if backend.backend == "onnx":
        enc = load_encoder(backend.encoder, backend="onnx", batch_size=8)
    else:
        enc = load_encoder(backend.encoder, backend="torch", batch_size=8, precision=backend.precision,
                           device=backend.device)
    a, b = ref.embed(paths).vectors, enc.embed(paths).vectors
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    return float((a * b).sum(axis=1).min())


def decode_ms(paths: list[str]) -> float:
    from visemb.encoder_spec import get_spec
    from visemb.images import load_batch

    prep = get_spec("resnet50-keras").preprocessing
    t0 = time.perf_counter()
    for s in range(0, len(paths), 8):
        load_batch(paths[s:s + 8], prep)
    return (time.perf_counter() - t0) / len(paths) * 1000


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--shared", default=str(REPO.parent / "shared"))
    p.add_argument("--images", type=int, default=8000)
    p.add_argument("--serial", type=int, default=256, help="images for the serial loop")
    p.add_argument("--check", type=int, default=128, help="images for the cosine check")
    p.add_argument("--chunk", type=int, default=64)
    p.add_argument("--actors", type=int, default=1)
    p.add_argument("--fetch-rate", type=float, help="images/s of the fetch stage (default: from ray_fetch.json)")
    p.add_argument("--out", default=str(REPO / "benchmarks" / "results"))
    a = p.parse_args()
    shared = Path(a.shared).resolve()
    os.environ.setdefault("VISEMB_WEIGHTS", str(shared / "weights" / "resnet50_keras_imagenet_tv.pth"))
    import ray

    from precompute.config import PipelineConfig
    from precompute.encoder_choice import Backend, choose_backend, cpu_flags, has_fast_bf16

    cfg = PipelineConfig(encoder="resnet50-keras-onnx", batch_size=8)
    paths = photo_paths(shared, a.images)
    backends = [Backend("resnet50-keras-onnx", "onnx", reason="ONNX Runtime fp32")]
    if has_fast_bf16(cpu_flags()):
        backends.append(Backend("resnet50-keras", "torch", "bf16", "cpu", "torch bf16 + channels-last"))
    import torch

    if torch.cuda.is_available():
        backends.append(Backend("resnet50-keras", "torch", "fp32", "cuda", f"CUDA {torch.cuda.get_device_name()}"))
    chosen = choose_backend(cfg)
    rows = []
    serial = serial_loop(cfg, paths[: a.serial])
    decode = decode_ms(paths[:512])
    tmp = Path(tempfile.mkdtemp(prefix="visemb-embed-bench-"))
    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": str(REPO), "VISEMB_WEIGHTS": os.environ["VISEMB_WEIGHTS"]}})
    try:
        for b in backends:
            ms = through_actors(ray, cfg, b, paths, a.chunk, tmp / b.backend / b.precision, a.actors)
            rows.append({"backend": b.reason, "precision": b.precision, "device": b.device, "images": len(paths),
                         "ms_per_image": round(ms, 2), "vs_serial": round(serial / ms, 2),
                         "min_cosine_vs_fp32": round(min_cosine(b, paths[: a.check]), 5),
                         "chosen": b.backend == chosen.backend and b.precision == chosen.precision})
    finally:
        ray.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    total_images = WORDNET_NOUN_SYNSETS * IMAGES_PER_NOUN
    best = min(r["ms_per_image"] for r in rows)
    fetch_rate = a.fetch_rate  # images per second
    if fetch_rate is None and (Path(a.out) / "ray_fetch.json").is_file():
        ray_run = json.loads((Path(a.out) / "ray_fetch.json").read_text())["ray"]
        fetch_rate = ray_run["images"] / ray_run["seconds"]
    result = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
                         f"AVX-512 BF16: {has_fast_bf16(cpu_flags())}, GPU: {torch.cuda.is_available()}",
              "serial_loop_ms_per_image": round(serial, 2), "decode_preprocess_ms_per_image": round(decode, 2),
              "rows": rows, "chosen": chosen.to_dict(),
              "projection": {"nouns": WORDNET_NOUN_SYNSETS, "images": total_images,
                             "embed_hours": round(total_images * best / 1000 / 3600, 1),
                             "fetch_hours": round(total_images / fetch_rate / 3600, 1) if fetch_rate else None}}
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "embed_backends.json").write_text(json.dumps(result, indent=1) + "\n")
    lines = [f"# Embed backends\n\nMachine: {result['machine']}. Photos: `../shared/photos` (full-size ImageNet "
             f"photos, cycled), {a.images:,} per backend through `EmbedWorker` actors ({a.actors} actor, all CPUs), "
             f"batch 8, chunks of {a.chunk} written as in a run. Serial loop: torch fp32, one image at a time, "
             f"{a.serial} photos: **{serial:.1f} ms/image**. Decode + preprocess alone: {decode:.1f} ms/image.\n",
             "| backend | precision | device | images | ms/image | x serial loop | min cosine vs fp32 | chosen here |",
             "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['backend']} | {r['precision']} | {r['device']} | {r['images']:,} | {r['ms_per_image']:.1f} | "
              f"{r['vs_serial']:.2f} | {r['min_cosine_vs_fp32']:.5f} | {'yes' if r['chosen'] else ''} |" for r in rows]
    proj = result["projection"]
    lines.append(f"\nProjection for the full WordNet ({proj['nouns']:,} noun synsets x {IMAGES_PER_NOUN} images = "
                 f"{proj['images']:,} images) on this machine: embed **{proj['embed_hours']} h** at {best:.1f} "
                 "ms/image" + (f"; fetch **{proj['fetch_hours']} h** at {fetch_rate:.0f} images/s (Ray, loopback "
                               "engine, `ray_fetch.md`)" if fetch_rate else "") +
                 ". Fetch and embed overlap in the Ray driver, so the longer of the two bounds the run.\n")
    (out / "embed_backends.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
