"""Python's cycle collector paused while a big structure is built from a file."""

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
