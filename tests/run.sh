#!/usr/bin/env bash
# Set up a virtual environment with everything the tests need, then run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -r requirements-dev.txt
.venv/bin/ruff check --quiet .   # lint first (ruff.toml): a failure names file and line
exec .venv/bin/python -m pytest "$@"
