"""Neighbour-query latency: exact brute force (numpy) vs HNSW (hnswlib) and IVF (faiss), with recall@10.

Two kinds of 2048-d data, n vectors each:
- ``clustered``: a mixture of 1,000 isotropic Gaussians (every direction equally noisy: the hard case for any
  approximate index, since a cluster's members are nearly equidistant from a query);
- ``realistic``: the default store's real noun vectors as centres, with noise drawn from their own principal
  components (CNN features have a decaying spectrum, i.e. a low intrinsic dimension).
p50/p99 over single queries (the app's case), recall@10 against brute force.

    python benchmarks/neighbours.py [--data clustered,realistic] [--sizes 1000,10000,100000,1000000]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def clustered(n: int, d: int, rng) -> np.ndarray:
    centers = rng.normal(size=(1000, d)).astype(np.float32)
    out = np.empty((n, d), np.float32)
    for start in range(0, n, 50_000):
        m = min(50_000, n - start)
        out[start:start + m] = centers[rng.integers(0, 1000, m)] + 0.8 * rng.normal(size=(m, d)).astype(np.float32)
    return out


def realistic(n: int, d: int, rng, noise: float = 0.6, components: int = 256) -> np.ndarray:
    """Real noun vectors as centres plus noise along their top principal components, scaled to ``noise`` x the
    centres' own spread."""
    from visemb.defaults import DEFAULT_STORE
    from visemb.store import Store

    base = Store.load(DEFAULT_STORE).unit_vectors.astype(np.float32)
    centred = base - base.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    scale = (noise * s[:components] / np.sqrt(len(base))).astype(np.float32)
    basis = vt[:components].astype(np.float32)
    out = np.empty((n, d), np.float32)
    for start in range(0, n, 50_000):
        m = min(50_000, n - start)
        z = rng.normal(size=(m, components)).astype(np.float32) * scale
        out[start:start + m] = base[rng.integers(0, len(base), m)] + z @ basis
    return out


def latencies(fn, queries) -> np.ndarray:
    t = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q[None])
        t.append(1000 * (time.perf_counter() - t0))
    return np.array(t)


def row(n: int, data: str, name: str, build: float, lat: np.ndarray, recall: float) -> None:
    print(f"| {n:,} | {data} | {name} | {build:.1f} | {np.percentile(lat, 50):.2f} | {np.percentile(lat, 99):.2f} | "
          f"{recall:.3f} |", flush=True)


def main() -> None:
    from visemb.search import NeighbourIndex

    p = argparse.ArgumentParser()
    p.add_argument("--data", default="clustered,realistic")
    p.add_argument("--sizes", default="1000,10000,100000,1000000")
    p.add_argument("--queries", type=int, default=50)
    p.add_argument("--hnsw-max", type=int, default=100_000, help="largest n to build HNSW for (slow on 2 cores)")
    p.add_argument("--nprobe", default="8,16")
    a = p.parse_args()
    d = 2048
    print("| vectors | data | method | build s | p50 ms | p99 ms | recall@10 |\n|---|---|---|---|---|---|---|",
          flush=True)
    for data in a.data.split(","):
        make = {"clustered": clustered, "realistic": realistic}[data]
        for n in (int(x) for x in a.sizes.split(",")):
            rng = np.random.default_rng(0)
            x = make(n + a.queries, d, rng)
            q, x = x[n:].copy(), x[:n]
            t0 = time.perf_counter()
            brute = NeighbourIndex(x, "brute")
            build = time.perf_counter() - t0
            del x
            gc.collect()
            lat = latencies(partial(brute.query, k=10), q)
            truth = brute.query(q, 10)[0]
            row(n, data, "exact brute (numpy)", build, lat, 1.0)
            unit = brute.unit  # already unit rows: the indexes below share this array instead of copying it
            del brute
            gc.collect()

            def measure(name: str, method: str, unit: np.ndarray, **kw) -> None:
                t0 = time.perf_counter()
                ann = NeighbourIndex(unit, method, **kw)
                build = time.perf_counter() - t0
                lat = latencies(partial(ann.query, k=10), q)
                got = ann.query(q, 10)[0]
                recall = np.mean([len(set(t) & set(g)) / 10 for t, g in zip(truth, got)])
                row(n, data, name, build, lat, recall)

            for nprobe in (int(v) for v in a.nprobe.split(",")):
                nlist = max(1, min(4096, int(np.sqrt(n))))
                measure(f"faiss IVF ({nlist} cells, nprobe {min(nprobe, nlist)})", "ivf", unit, nprobe=nprobe)
                gc.collect()
            if n <= a.hnsw_max:
                measure("hnswlib HNSW (M=32, ef=128)", "hnsw", unit)
            del unit
            gc.collect()


if __name__ == "__main__":
    main()
