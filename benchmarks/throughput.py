"""Embedding throughput on the same shipped photos, side by side in one run.

Rows: the article's serial loop (open, preprocess, forward one image at a time, torch fp32), the pure-forward
floor (pre-decoded tensors), and the pipeline's settings (torch fp32 channels_last, bf16 autocast, ONNX Runtime
batch 1/8, fp16 weights), with each one's cosine to the fp32 reference. Optional GPU rows with --device cuda.

    python benchmarks/throughput.py --shared ../shared --n 500 [--device cuda]
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def cosines(a, b):
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
    p.add_argument("--n", type=int, default=500)
    p.add_argument("--device", default="cpu")
    p.add_argument("--json", help="also write the rows here")
    p.add_argument("--weights-fp16", help="a float16 copy of the state_dict (for machines without ../shared)")
    p.add_argument("--bf16", action="store_true", help="run the CPU bf16 rows even without AVX-512")
    p.add_argument("--photos", help="a folder of photos instead of the shared labelled photos")
    a = p.parse_args()
    shared = Path(a.shared)
    os.environ.setdefault("VISEMB_WEIGHTS", str(shared / "weights" / "resnet50_keras_imagenet_tv.pth"))
    import torch

    from visemb.encoder import OnnxEncoder, TorchEncoder, build_torch_resnet50
    from visemb.encoder_spec import get_spec
    from visemb.images import load_batch, open_image, preprocess

    if a.photos:
        paths = sorted(Path(a.photos).iterdir())[: a.n]
    else:
        rows = [r for r in csv.DictReader(open(shared / "photos" / "labels.csv")) if r["set"] != "tiny-imagenet-val"]
        paths = [shared / "photos" / r["path"] for r in rows[: a.n]]
    spec = get_spec("resnet50-keras")
    prep = spec.preprocessing
    results = []

    def record(name, seconds, vecs, ref):
        cos = float(cosines(vecs, ref).min()) if ref is not None else 1.0
        results.append({"setting": name, "ms_per_image": 1000 * seconds / len(paths), "min_cosine_vs_fp32": cos})
        print(f"{name:58s} {1000 * seconds / len(paths):8.1f} ms/image   min cos {cos:.5f}", flush=True)

    print(f"{len(paths)} photos; torch {torch.__version__}, threads {torch.get_num_threads()}; "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; device {a.device}", flush=True)
    if a.weights_fp16:
        import torchvision

        from visemb.encoder import as_feature_extractor

        model = torchvision.models.resnet50()
        model.load_state_dict({k: v.float() for k, v in torch.load(a.weights_fp16).items()})
        model = as_feature_extractor(model, "v1").eval()
    else:
        model = build_torch_resnet50(spec).eval()
    if a.device == "cpu":
        # the article's loop: open, preprocess, forward, one image at a time
        t0 = time.perf_counter()
        ref = []
        with torch.inference_mode():
            for path in paths:
                x = torch.from_numpy(preprocess(open_image(path), prep))[None]
                ref.append(model(x).numpy()[0])
        serial = time.perf_counter() - t0
        ref = np.stack(ref)
        record("serial loop (seed style): torch fp32, batch 1", serial, ref, None)
        batch, _, _ = load_batch(paths, prep)
        t0 = time.perf_counter()
        with torch.inference_mode():
            floor = np.concatenate([model(torch.from_numpy(batch[i:i + 1])).numpy() for i in range(len(batch))])
        record("pure forward floor (pre-decoded), torch fp32, batch 1", time.perf_counter() - t0, floor, ref)
        capability = torch.backends.cpu.get_cpu_capability()
        precisions = ["fp32"] + (["bf16"] if "AVX512" in capability or a.bf16 else [])
        if "bf16" not in precisions:
            print(f"(bf16 rows skipped: this CPU's capability is {capability}, without AVX-512 BF16 torch emulates "
                  "bf16 and is many times slower; --bf16 runs them anyway)", flush=True)
        for prec in precisions:
            for bs in (4, 8):
                enc = TorchEncoder(spec, batch_size=bs, precision=prec, channels_last=True, model=copy.deepcopy(model))
                enc.embed(paths[:8])
                t0 = time.perf_counter()
                v = enc.embed(paths).vectors
                label = "bf16 autocast" if prec == "bf16" else "fp32"
                record(f"pipeline: torch {label} + channels_last, batch {bs}", time.perf_counter() - t0, v, ref)
        onnx_spec = get_spec("resnet50-keras-onnx")
        for bs in (1, 8):
            enc = OnnxEncoder(onnx_spec, batch_size=bs)
            enc.embed(paths[:8])
            t0 = time.perf_counter()
            v = enc.embed(paths).vectors
            record(f"pipeline: ONNX Runtime fp32 (fp16 weights on disk), batch {bs}", time.perf_counter() - t0, v, ref)
        base = results[0]["ms_per_image"]
        for r in results:
            r["speedup_vs_serial"] = base / r["ms_per_image"]
        print("\nspeed-up vs the serial loop: " + ", ".join(f"{r['setting'].split(':')[-1].strip()} "
                                                      f"{r['speedup_vs_serial']:.2f}x" for r in results[1:]))
    else:
        batch, _, _ = load_batch(paths, prep)
        with torch.inference_mode():
            ref = np.concatenate([model(torch.from_numpy(batch[i:i + 64])).numpy() for i in range(0, len(batch), 64)])
        print(f"CPU fp32 reference computed for {len(ref)} photos", flush=True)
        gpu_model = copy.deepcopy(model)
        for bs, prec in ((64, "fp32"), (64, "bf16"), (256, "bf16")):
            enc = TorchEncoder(spec, batch_size=bs, precision=prec, device=a.device, model=gpu_model)
            reps = max(1, 2048 // len(batch))  # enough images for a steady-state figure
            big = np.concatenate([batch] * reps)
            for i in range(0, min(len(big), 4 * bs), bs):  # warm-up (cuDNN picks its kernels)
                enc.forward(big[i:i + bs])
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            v = np.concatenate([enc.forward(big[i:i + bs]) for i in range(0, len(big), bs)])
            torch.cuda.synchronize()
            secs = (time.perf_counter() - t0) / reps
            record(f"GPU {torch.cuda.get_device_name()}: forward only (host->GPU copy incl.), {prec}, batch {bs}",
                   secs, v[: len(batch)], ref)
            t0 = time.perf_counter()
            v = enc.embed(paths).vectors
            record(f"GPU {torch.cuda.get_device_name()}: decode+forward (1 CPU thread), {prec}, batch {bs}",
                   time.perf_counter() - t0, v, ref)
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
