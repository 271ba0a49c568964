"""Every benchmark and evaluation entry point still starts: its ``--help`` runs (an import or a name it reads that
no longer exists fails here, not in the next person's measurement)."""

import subprocess
import sys

import pytest

from tests.helpers import REPO

PAGES = {"floor_app.py"}  # a Streamlit page that benchmarks/app.py serves, not a command
SCRIPTS = sorted(p.name for p in (REPO / "benchmarks").glob("*.py") if p.name not in PAGES)
MODULES = ["evaluation", "evaluation.retrieval"]


@pytest.mark.parametrize("command", [[f"benchmarks/{s}"] for s in SCRIPTS] + [["-m", m] for m in MODULES],
                         ids=lambda c: c[-1])
def test_help_runs(command):
    r = subprocess.run([sys.executable, *command, "--help"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "usage" in r.stdout.lower(), r.stderr[-2000:]
