"""End-to-end time of the default build and its per-stage split (fresh work and output folders).

    python benchmarks/precompute.py --shared ../shared [--limit N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--shared", default=str(REPO.parent / "shared"))
    p.add_argument("--limit", type=int)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out, work = Path(tmp) / "default", Path(tmp) / "work"
        # reuse the committed encoder so the run measures the store build (export is timed separately below)
        (out / "encoder").mkdir(parents=True)
        for f in (REPO / "data" / "default" / "encoder").iterdir():
            (out / "encoder" / f.name).write_bytes(f.read_bytes())
        cmd = [sys.executable, "-m", "precompute", "default", "--shared", a.shared, "--out", str(out),
               "--work", str(work)] + (["--limit", str(a.limit)] if a.limit else [])
        t0 = time.perf_counter()
        res = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=True)
        total = time.perf_counter() - t0
        summary = json.loads(res.stdout[res.stdout.index("{"):])
        parts = [json.loads(f.read_text()) for f in sorted(work.glob("partitions/*/done.json"))]
        fetch = sum(p_["fetch_s"] for p_ in parts)
        embed = sum(p_["embed_s"] for p_ in parts)
        images = sum(p_["images"] for p_ in parts)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "precompute", "export-onnx", "--shared", a.shared, "--out",
                        str(Path(tmp) / "x.onnx")], cwd=REPO, capture_output=True, check=True)
        export = time.perf_counter() - t0
    rows = [("vocabulary + fetch (labelled source: file lookups)", fetch),
            (f"embed {images:,} photos (ONNX Runtime)", embed),
            ("merge: pool, projections (PCA, t-SNE, UMAP), thumbnails, write", summary["merge_s"]),
            ("offline pack (held-out photos re-encoded, labels, lexicon)", summary["offline_pack_s"]),
            ("total, one command (without export)", total), ("ONNX export from the torch weights (separate)", export)]
    print("| stage | seconds |\n|---|---|")
    for k, v in rows:
        print(f"| {k} | {v:.1f} |")
    print(f"\nembed rate: {1000 * embed / max(images, 1):.1f} ms/image")


if __name__ == "__main__":
    main()
