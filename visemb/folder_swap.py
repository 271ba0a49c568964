"""Swapping a finished store folder in for the old one at once, and removing what killed saves left beside it."""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

from visemb.fileio import process_alive


def identity(path) -> tuple[int, ...] | None:
    """What a save changes about a store directory: its device, inode and change time, and its manifest's
    modification time (an inode number can be reused by the next save's folder); None when there is none."""
    try:
        st = os.stat(path)
        manifest = os.stat(Path(path) / "manifest.json").st_mtime_ns
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_ctime_ns, manifest


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where that is not available."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    ok = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0
    return ok


def swap_in(tmp: Path, path: Path) -> None:
    """Make the finished directory ``tmp`` the store at ``path``: a reader always finds a complete store there,
    the old or the new one (an atomic exchange where the OS has one, else two renames in a row)."""
    if path.is_dir() and not path.is_symlink() and exchange(tmp, path):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the old store
        return
    old = path.with_name(f".{path.name}.old")
    if path.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.replace(path, old)
    os.replace(tmp, path)
    shutil.rmtree(old, ignore_errors=True)


def remove_dead_saves(path: Path) -> None:
    """Remove what killed saves of ``path`` left beside it: ``.<name>.tmp-<pid>-*`` of processes that no longer run
    (and older nameless ones), and ``.<name>.old``."""
    for leftover in path.parent.glob(f"{glob.escape('.' + path.name)}.tmp-*"):
        pid = leftover.name.rsplit(".tmp-", 1)[1].split("-", 1)[0]
        if pid.isdigit() and process_alive(int(pid)):
            continue
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.rmtree(path.with_name(f".{path.name}.old"), ignore_errors=True)
