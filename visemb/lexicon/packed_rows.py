"""Many short strings by key, held in two byte blobs: a lexicon's 700K words cost about what their UTF-8 text does,
not a Python object or two each (a dict of strings would take three times the memory)."""

from __future__ import annotations

from bisect import bisect_left
from typing import Iterator, Mapping

import numpy as np


class PackedRows:
    """A read-only map of ``str`` keys to ``str`` values, sorted by the keys' UTF-8 bytes and searched by bisection.

    Args:
        items: key -> value.
    """

    def __init__(self, items: Mapping[str, str] | None = None):
        self._set(sorted((k.encode("utf-8"), v.encode("utf-8")) for k, v in (items or {}).items()))

    def _set(self, pairs: list[tuple[bytes, bytes]]) -> None:
        self._keys, self._key_end = _blob([k for k, _ in pairs])
        self._values, self._value_end = _blob([v for _, v in pairs])

    @classmethod
    def joined(cls, parts: list["PackedRows | list[tuple[bytes, bytes]]"], join: str) -> "PackedRows":
        """One map of several (maps, or lists of UTF-8 (key, value) pairs): a key in more than one keeps its values
        in the order given, joined by ``join``. One sort of every pair, then one pass."""
        pairs: list[tuple[int, int, bytes, bytes]] = []
        for order, part in enumerate(parts):
            items = part if isinstance(part, list) else [(k.encode("utf-8"), v.encode("utf-8"))
                                                          for k, v in part.items()]
            pairs += [(0, order, k, v) for k, v in items]
        pairs.sort(key=lambda p: (p[2], p[1]))
        sep = join.encode("utf-8")
        out: list[tuple[bytes, bytes]] = []
        for _, _, k, v in pairs:
            if out and out[-1][0] == k:
                out[-1] = (k, out[-1][1] + sep + v)
            else:
                out.append((k, v))
        rows = cls()
        rows._set(out)
        return rows

    def __len__(self) -> int:
        return len(self._key_end)

    def _key(self, i: int) -> bytes:
        start = int(self._key_end[i - 1]) if i else 0
        return self._keys[start:int(self._key_end[i])]

    def _value(self, i: int) -> str:
        start = int(self._value_end[i - 1]) if i else 0
        return self._values[start:int(self._value_end[i])].decode("utf-8")

    def get(self, key: str) -> str | None:
        raw = key.encode("utf-8")
        i = bisect_left(_Keys(self), raw)
        return self._value(i) if i < len(self) and self._key(i) == raw else None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def keys(self) -> Iterator[str]:
        for i in range(len(self)):
            yield self._key(i).decode("utf-8")

    def items(self) -> Iterator[tuple[str, str]]:
        for i in range(len(self)):
            yield self._key(i).decode("utf-8"), self._value(i)


class _Keys:
    """The sorted keys as a sequence of bytes, for :func:`bisect.bisect_left`."""

    def __init__(self, rows: PackedRows):
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> bytes:
        return self.rows._key(i)


def _blob(parts: list[bytes]) -> tuple[bytes, np.ndarray]:
    return b"".join(parts), np.cumsum([len(p) for p in parts], dtype=np.int64)
