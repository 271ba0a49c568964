"""benchmarks/plot.py: the result tables become PNG plots."""

import importlib.util
import json

from tests.helpers import REPO


def load_plot():
    spec = importlib.util.spec_from_file_location("bench_plot", REPO / "benchmarks" / "plot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tables_become_pngs(tmp_path):
    plot = load_plot()
    (tmp_path / "neighbours.md").write_text(
        "Machine: x\n\n| vectors | data | method | build s | p50 ms | p99 ms | recall@10 |\n"
        "|---|---|---|---|---|---|---|\n"
        "| 1,000 | clustered | brute | 0.1 | 4.0 | 5.0 | 1.000 |\n"
        "| 10,000 | clustered | brute | 0.1 | 40.0 | 50 | 1 |\n")
    rows = plot.read_markdown_table(tmp_path / "neighbours.md")
    assert rows[1]["vectors"] == "10,000" and rows[1]["p50 ms"] == "40.0" and len(rows) == 2
    answer = {"exact": 0.1, "noun or ancestor": 0.7, "noun missing: an ancestor": 0.5}
    (tmp_path / "evaluation.json").write_text(json.dumps({"headline": {"cosine top noun (x)": answer,
                                                                       "the kind: y": answer}}))
    assert plot.main(["--results", str(tmp_path)]) == 0
    for png in ("neighbours.png", "ranking.png"):
        assert (tmp_path / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
