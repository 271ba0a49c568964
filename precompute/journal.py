"""Crash-safe files: atomic writes and an append-only, fsynced JSON-lines journal."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator

from visemb.fileio import atomic_write_bytes

__all__ = ["Journal", "atomic_write_bytes", "atomic_write_json"]


def atomic_write_json(path: Path, obj) -> None:
    atomic_write_bytes(path, json.dumps(obj, ensure_ascii=False, indent=1).encode("utf-8"))


class Journal:
    """Append-only JSON lines; a line counts only once it is complete (a torn last line is ignored)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def __iter__(self) -> Iterator[dict]:
        if not self.path.is_file():
            return
        with open(self.path, "rb") as f:
            for raw in f:
                if not raw.endswith(b"\n"):
                    break  # torn write from a killed process
                try:
                    yield json.loads(raw)
                except (json.JSONDecodeError, RecursionError):
                    break

    def append(self, record: dict) -> None:
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        self._truncate_torn_tail()
        with open(self.path, "ab") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())

    def _truncate_torn_tail(self) -> None:
        if not self.path.is_file() or self.path.stat().st_size == 0:
            return
        with open(self.path, "rb+") as f:
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                data = self.path.read_bytes()
                f.truncate(data.rfind(b"\n") + 1)
