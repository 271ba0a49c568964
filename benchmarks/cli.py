"""Wall time of one-line CLI answers on the shipped store, beside `python -c "import numpy"` in the same run.

    python benchmarks/cli.py [--repeat 5]

Writes ``benchmarks/results/cli.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COMMANDS = {
    'python -c "import numpy"': [sys.executable, "-c", "import numpy"],
    "python -m visemb info": [sys.executable, "-m", "visemb", "info"],
    "python -m visemb similarity car truck": [sys.executable, "-m", "visemb", "similarity", "car", "truck"],
    "python -m visemb neighbours dog": [sys.executable, "-m", "visemb", "neighbours", "dog"],
    "python -m visemb neighbours dog --hide-relatives": [sys.executable, "-m", "visemb", "neighbours", "dog",
                                                          "--hide-relatives"],
}


def wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--out", default=str(REPO / "benchmarks" / "results"))
    a = p.parse_args()
    for cmd in COMMANDS.values():  # warm the file cache once
        wall(cmd)
    rows = {name: statistics.median(wall(cmd) for _ in range(a.repeat)) for name, cmd in COMMANDS.items()}
    base = rows['python -c "import numpy"']
    md = [f"# CLI wall time\n\nMachine: {platform.machine()}, {os.cpu_count()} CPUs; the shipped store; median of "
          f"{a.repeat} runs each, warm file cache, one run of this script.\n",
          "| command | seconds | minus `import numpy` |", "|---|---|---|"]
    md += [f"| `{name}` | {s:.2f} | {s - base:+.2f} |" for name, s in rows.items()]
    text = "\n".join(md) + "\n"
    Path(a.out).mkdir(parents=True, exist_ok=True)
    (Path(a.out) / "cli.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
