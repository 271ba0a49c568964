"""Opening a big store's neighbour index: k-means from scratch against the saved arrays (``neighbour_index.npz``),
side by side in one run, on rows shaped like a 40K-noun store (float16, 2,048-d, clustered); with the index's
recall@10 against exact search and the size of what it holds in memory.

    python benchmarks/saved_index.py [--rows 40000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=40_000)
    p.add_argument("--dim", type=int, default=2048)
    a = p.parse_args(argv)
    from visemb.index_file import INDEX_FILE
    from visemb.store import Store

    rng = np.random.default_rng(0)
    centers = rng.normal(size=(2000, a.dim)).astype(np.float32)
    vectors = np.empty((a.rows, a.dim), np.float32)
    for s in range(0, a.rows, 4096):
        n = min(4096, a.rows - s)
        part = centers[rng.integers(0, len(centers), n)] + 0.5 * rng.normal(size=(n, a.dim))
        vectors[s:s + n] = part / np.linalg.norm(part, axis=1, keepdims=True)  # stores keep unit rows
    entries = [{"key": f"k{i}", "synsets": [f"k{i}.n.01"]} for i in range(a.rows)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store"
        Store(vectors, entries).save(path, vector_dtype="float16")
        probes = list(range(0, a.rows, 997))
        truth = [[f"k{j}" for j in np.argsort(-(vectors @ vectors[r]))[:11] if j != r][:10] for r in probes]
        del vectors
        held = (path / INDEX_FILE).stat().st_size
        times, found = {}, {}
        for label in ("saved arrays", "k-means from scratch"):
            if label != "saved arrays":  # the fallback: a store whose index file is gone builds it afresh
                (path / INDEX_FILE).unlink()
            store = Store.load(path)
            t = time.perf_counter()
            store.neighbours("k7", 10)
            times[label] = time.perf_counter() - t
            found[label] = [[k for k, _ in store.most_similar(f"k{r}", topn=10)] for r in probes]
    lines = [f"# Opening a big store's neighbour index ({a.rows:,} rows, {a.dim}-d float16)", "",
             "`python benchmarks/saved_index.py`, x86_64, 2 CPUs, faiss-cpu. Time from a loaded store to its first "
             "neighbour list (index build included).", "", "| index | first neighbours (s) |", "|---|---|"]
    lines += [f"| {k} | {v:.2f} |" for k, v in times.items()]
    same = sum(x == y for x, y in zip(*found.values()))
    lines += ["", f"Ratio: {times['k-means from scratch'] / times['saved arrays']:.1f}x. "
              f"Top-10 lists identical for {same} of {len(probes)} probe rows (both re-rank exactly). "
              f"Recall@10 against exact search: "
              f"{np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found['saved arrays'], truth)]):.3f}. "
              f"Index file (centroids, codebooks, {a.rows:,} codes): {held / 1e6:.1f} MB."]
    from visemb.fileio import atomic_write_text

    atomic_write_text(ROOT / "benchmarks" / "results" / "saved_index.md", "\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
