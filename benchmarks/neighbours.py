"""Neighbour-query latency: scikit-learn brute force vs HNSW (hnswlib), with HNSW's recall@10.

Clustered random 2048-d vectors (a mixture of 1,000 Gaussians, like nouns around concepts). p50/p99 over
single queries. Sizes default to 1K, 10K, 100K; 1M is brute force only unless --hnsw-1m (its HNSW build takes
hours on 2 cores).

    python benchmarks/neighbours.py [--sizes 1000,10000,100000,1000000]
"""

from __future__ import annotations

import argparse
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


def latencies(fn, queries) -> np.ndarray:
    t = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q[None])
        t.append(1000 * (time.perf_counter() - t0))
    return np.array(t)


def main() -> None:
    from visemb.search import NeighbourIndex

    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="1000,10000,100000,1000000")
    p.add_argument("--queries", type=int, default=50)
    p.add_argument("--hnsw-max", type=int, default=100_000)
    a = p.parse_args()
    rng = np.random.default_rng(0)
    d = 2048
    print("| vectors | method | build s | p50 ms | p99 ms | recall@10 |\n|---|---|---|---|---|---|", flush=True)
    for n in (int(x) for x in a.sizes.split(",")):
        x = clustered(n, d, rng)
        q = clustered(a.queries, d, rng)
        t0 = time.perf_counter()
        brute = NeighbourIndex(x, "brute")
        build = time.perf_counter() - t0
        lat = latencies(partial(brute.query, k=10), q)
        truth = brute.query(q, 10)[0]
        print(f"| {n:,} | sklearn brute (cosine) | {build:.1f} | {np.percentile(lat, 50):.1f} | "
              f"{np.percentile(lat, 99):.1f} | 1.000 |", flush=True)
        if n <= a.hnsw_max:
            t0 = time.perf_counter()
            ann = NeighbourIndex(x, "hnsw")
            build = time.perf_counter() - t0
            lat = latencies(partial(ann.query, k=10), q)
            got = ann.query(q, 10)[0]
            recall = np.mean([len(set(a_) & set(b_)) / 10 for a_, b_ in zip(truth, got)])
            print(f"| {n:,} | hnswlib HNSW (M=32, ef=128) | {build:.1f} | {np.percentile(lat, 50):.2f} | "
                  f"{np.percentile(lat, 99):.2f} | {recall:.3f} |", flush=True)
        del x, brute


if __name__ == "__main__":
    main()
