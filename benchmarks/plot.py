"""PNG plots of the benchmark and evaluation tables in ``benchmarks/results``.

    python benchmarks/plot.py            # writes benchmarks/results/neighbours.png and ranking.png

neighbours.png: p50 query latency against store size per method (from ``neighbours.md``, the table that
``benchmarks/neighbours.py`` printed), with the latency targets. ranking.png: the first answer for a held-out photo
(cosine top noun, CSLS top noun, the kind they share) — exact, noun or ancestor, an ancestor when the noun is
missing (the "headline" section of ``evaluation.json``).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def read_markdown_table(path: Path) -> list[dict[str, str]]:
    """The first markdown table in ``path`` as a list of row dicts."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip().startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    return [dict(zip(header, (c.strip() for c in line.strip("|").split("|")))) for line in lines[2:]]


def plot_neighbours(table: list[dict[str, str]], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    for row in table:
        method = re.sub(r" \(\d+ cells, ", " (", row["method"])  # one line per nprobe, whatever the cell count
        series[(row["data"], method)].append((int(row["vectors"].replace(",", "")), float(row["p50 ms"])))
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    for ax, data in zip(axes, ("clustered", "realistic")):
        for (kind, method), points in sorted(series.items()):
            if kind != data or len(points) < 2:
                continue
            xs, ys = zip(*sorted(points))
            ax.plot(xs, ys, marker="o", label=method)
        ax.scatter([100_000, 1_000_000], [5, 20], marker="*", s=160, color="crimson", zorder=5, label="target p50")
        ax.set(xscale="log", yscale="log", xlabel="vectors (2048-d)", title=f"{data} data", ylabel="p50 ms / query")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("Neighbour queries, 2 cores (AMD EPYC, AVX2)")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def plot_ranking(evaluation: dict, out: Path) -> None:
    """Bars from the evaluation's "headline" section: what a user reads first, three ways."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    headline = evaluation["headline"]
    names = list(headline)
    labels = [n.split(":")[0].split(" (")[0] for n in names]
    measures = {"exact noun": "exact", "the noun or an ancestor": "noun or ancestor",
                "noun missing: an ancestor": "noun missing: an ancestor"}
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / len(measures)
    for i, (label, key) in enumerate(measures.items()):
        xs = [j + i * width for j in range(len(names))]
        values = [headline[n][key] for n in names]
        ax.bar(xs, values, width, label=label)
        for x, v in zip(xs, values):
            ax.text(x, v + 0.01, f"{v:.2f}", ha="center", fontsize=8)
    ax.set_xticks([j + width for j in range(len(names))], labels)
    ax.set(ylim=(0, 1), ylabel="share of held-out photos",
           title="One held-out photo: the first answer (1,300 ILSVRC photos, default store)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--results", default=str(RESULTS), help="folder with neighbours.md and evaluation.json")
    a = p.parse_args(argv)
    folder = Path(a.results)
    written = []
    if (folder / "neighbours.md").is_file():
        plot_neighbours(read_markdown_table(folder / "neighbours.md"), folder / "neighbours.png")
        written.append(folder / "neighbours.png")
    if (folder / "evaluation.json").is_file():
        plot_ranking(json.loads((folder / "evaluation.json").read_text()), folder / "ranking.png")
        written.append(folder / "ranking.png")
    print("wrote " + (", ".join(map(str, written)) or "nothing (no results found)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
