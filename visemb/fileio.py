"""Atomic file writes: readers see the old file or the whole new one, never a part (one helper for all writers)."""

from __future__ import annotations

import contextlib
import glob
import os
from pathlib import Path
from typing import IO, Iterator


def refuse_special(path: Path) -> None:
    """Refuse to write over anything but a regular file (a symlink, a device, a folder).

    Raises:
        IsADirectoryError, FileExistsError: naming the path.
    """
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise FileExistsError(f"{path} exists and is not a regular file (a link, device or folder); "
                              "choose another path")


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "wb", **kwargs) -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing (``wb`` or ``w``); on a clean exit it is fsynced and
    renamed over ``path``, on an error removed (``path`` keeps its old content)."""
    path = Path(path)
    refuse_special(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_dead_temporaries(path)
    tmp = path.with_name(f".{path.name}.tmp.{os.getpid()}")
    try:
        with open(tmp, mode, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def remove_dead_temporaries(path: Path) -> None:
    """Remove ``.<name>.tmp.<pid>`` files that writers of ``path`` killed mid-write left beside it (a live
    process's temporary stays)."""
    for leftover in path.parent.glob(f"{glob.escape('.' + path.name)}.tmp.*"):
        pid = leftover.name.rsplit(".tmp.", 1)[1]
        if pid.isdigit() and not process_alive(int(pid)):
            leftover.unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this machine (one owned by another user counts)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # no such process; a number no process can have
        return False
    except PermissionError:
        return True
    return True


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, fsynced, then renamed over it."""
    with atomic_open(path, "wb") as f:
        f.write(data)


def atomic_write_text(path: str | Path, text: str) -> None:
    """:func:`atomic_write_bytes` of UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))
