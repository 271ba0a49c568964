"""Opening a store (``Store.load``), each variant in fresh processes, side by side in one run: as visemb opens it
(the checksums hashed through memory maps in a second thread while the JSON is parsed, the cycle collector
paused), with the files hashed a megabyte read at a time instead (where a file cannot be mapped), and with the
collector left running as well. The file cache is warm: every variant reads the same files first.

    python benchmarks/store_open.py --store PATH [--store PATH ...] [--runs 5] [--out FILE.md]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VARIANTS = {
    "as visemb opens it": "",
    "files hashed a megabyte read at a time": "read",
    "the same, the cycle collector running": "read,collector",
}


def open_once(path: str, changes: str) -> float:
    """Seconds to open ``path`` in this process, with the ``changes`` (comma-separated) made first."""
    import time
    from types import SimpleNamespace

    from visemb import checksum
    from visemb import store as store_module

    if "read" in changes.split(","):
        def unmappable(*args, **kwargs):
            raise OSError("no memory maps (benchmark)")

        checksum.mmap = SimpleNamespace(mmap=unmappable, ACCESS_READ=None)  # the checksums' maps only
    if "collector" in changes.split(","):
        store_module.collector_paused = contextlib.nullcontext
    t = time.perf_counter()
    store_module.Store.load(path)
    return time.perf_counter() - t


def fresh(path: str, changes: str) -> float:
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); "
            f"from store_open import open_once; print(open_once({path!r}, {changes!r}))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--store", action="append", required=True, help="a store directory (repeat for several)")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--out", help="also write the table to this Markdown file")
    a = p.parse_args(argv)
    from tqdm import tqdm

    lines = [f"Machine: {platform.machine()}, {len(os.sched_getaffinity(0))} CPUs; "
             f"median of {a.runs} fresh processes per variant, variants interleaved.", "",
             "| store | rows | " + " | ".join(VARIANTS) + " |", "|---|---|" + "---|" * len(VARIANTS)]
    for path in a.store:
        rows = json.loads((Path(path) / "manifest.json").read_text())["entries"]
        fresh(path, "")  # the file cache warm for every variant
        times: dict[str, list[float]] = {v: [] for v in VARIANTS}
        for _ in tqdm(range(a.runs), desc=Path(path).name, file=sys.stderr):
            for label, changes in VARIANTS.items():
                times[label].append(fresh(path, changes))
        med = {k: float(np.median(v)) for k, v in times.items()}
        lines.append(f"| {path} | {rows:,} | " + " | ".join(f"{med[v]:.2f} s ({min(times[v]):.2f}–"
                                                           f"{max(times[v]):.2f})" for v in VARIANTS) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    if a.out:
        Path(a.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
