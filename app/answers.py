"""Translations shared by every session of one server: a word asked by many visitors (a shared link) is answered
once, and everyone reads the same answer. Bounded (least recently used first out); a web source's answer expires, so
that a link answers the same for everyone within :data:`WEB_TTL_S` and a later visitor sees a fresh search."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

T = TypeVar("T")
SIZE = 128  # answers kept (each holds at most 16 image paths and a few lists)
WEB_TTL_S = 600.0  # below the web downloads' own lifetime (visemb.sources.web.QUERY_TTL_S): the images stay readable
WAIT_S = 300.0  # a session waiting on another's computation of the same answer waits at most this long


class SharedAnswers:
    """``get(key, compute, ttl)``: the kept value of ``key``, else ``compute()`` run once however many sessions ask at
    the same time (the others wait for it); an error is not kept, the next ask computes again."""

    def __init__(self, size: int = SIZE, clock: Callable[[], float] = time.monotonic):
        self.size, self.clock = size, clock
        self._kept: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self._running: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()
        self.computed = 0  # how many times a value was computed (for tests and benchmarks)

    def __len__(self) -> int:
        return len(self._kept)

    def _fresh(self, key: Hashable):
        """(True, value) for a kept value that has not expired, else (False, None); call with the lock held."""
        hit = self._kept.get(key)
        if hit is None:
            return False, None
        if hit[0] <= self.clock():
            del self._kept[key]
            return False, None
        self._kept.move_to_end(key)
        return True, hit[1]

    def get(self, key: Hashable, compute: Callable[[], T], ttl: float | None = None) -> T:
        """The value of ``key``: kept, or computed now by this caller or by one already computing it."""
        owner = True
        while True:
            with self._lock:
                found, value = self._fresh(key)
                if found:
                    return value
                running = self._running.get(key)
                if running is None:
                    self._running[key] = threading.Event()
                    break
            running.wait(WAIT_S)  # then kept, or failed there: ask again
            with self._lock:
                found, value = self._fresh(key)
                if found:
                    return value
                if self._running.get(key) is running:  # still running after WAIT_S: compute it here too
                    owner = False
                    break
        try:
            value = compute()
            with self._lock:
                self.computed += 1
                self._kept[key] = (self.clock() + ttl if ttl is not None else float("inf"), value)
                self._kept.move_to_end(key)
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
            return value
        finally:
            if owner:
                with self._lock:
                    event = self._running.pop(key)
                event.set()
