"""Atomic file writes: readers see the old file or the whole new one, never a part (one helper for all writers)."""

from __future__ import annotations

import os
from pathlib import Path


def refuse_special(path: Path) -> None:
    """Refuse to write over anything but a regular file (a symlink, a device, a folder).

    Raises:
        IsADirectoryError, FileExistsError: naming the path.
    """
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise FileExistsError(f"{path} exists and is not a regular file (a link, device or folder); "
                              "choose another path")


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, fsynced, then renamed over it."""
    path = Path(path)
    refuse_special(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def atomic_write_text(path: str | Path, text: str) -> None:
    """:func:`atomic_write_bytes` of UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))
