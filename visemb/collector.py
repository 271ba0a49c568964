"""Memory housekeeping: Python's cycle collector paused while a big structure is built from a file; freed C heap
given back to the system."""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off for the block: parsing a store or a lexicon makes a million lists, tuples and strings,
    and every collection pass on the way would walk them all (half a 40K-noun store's load time). What such a parse
    builds holds no cycles, so nothing is left for the collector to find."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def trim_heap() -> None:
    """Return freed heap memory to the system (glibc ``malloc_trim``; nothing elsewhere): blocks that numpy or
    ONNX Runtime freed stay resident in the process until then."""
    import ctypes
    import sys

    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass
