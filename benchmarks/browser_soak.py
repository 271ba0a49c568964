"""The real-browser tests, several runs in a row, beside a CPU hog on every core: do they wait for state, not time?

    python benchmarks/browser_soak.py [--runs 5]

Writes ``benchmarks/results/browser_soak.md``; exits non-zero if any run failed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def hog() -> None:
    while True:
        pass


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--out", default=str(REPO / "benchmarks" / "results"))
    a = p.parse_args()
    hogs = [multiprocessing.Process(target=hog, daemon=True) for _ in range(os.cpu_count() or 1)]
    for h in hogs:
        h.start()
    rows = []
    try:
        for i in range(a.runs):
            t0 = time.perf_counter()
            r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                "tests/app/test_browser.py"], cwd=REPO, capture_output=True, text=True)
            last = (r.stdout.strip().splitlines() or ["?"])[-1]
            rows.append((i + 1, r.returncode, round(time.perf_counter() - t0), last))
            print(rows[-1], flush=True)
    finally:
        for h in hogs:
            h.terminate()
    md = [f"# Browser tests beside a CPU hog\n\nMachine: {platform.machine()}, {os.cpu_count()} CPUs, one busy-loop "
          f"process per CPU for the whole run. `tests/app/test_browser.py` (Chromium), {a.runs} runs in a row.\n",
          "| run | exit | seconds | pytest |", "|---|---|---|---|"]
    md += [f"| {n} | {rc} | {s} | {last} |" for n, rc, s, last in rows]
    failed = sum(rc != 0 for _, rc, _, _ in rows)
    md.append(f"\n{a.runs - failed} of {a.runs} runs passed.\n")
    Path(a.out).mkdir(parents=True, exist_ok=True)
    (Path(a.out) / "browser_soak.md").write_text("\n".join(md))
    print("\n".join(md))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
