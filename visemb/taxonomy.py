"""The WordNet hierarchy over a store's rows: one definition of the rows above and below a noun.

Built once per store (:attr:`visemb.store.Store.taxonomy`) from what each entry records — its sense
(``synsets[0]``), its stored hypernym path (``hypernyms``, root first) and every ancestor over all paths
(``ancestors``) — never by walking WordNet again. A synset stored on several rows maps to all of them: each of
those rows has the same ancestors, and a row below that synset is below every one of them.
"""

from __future__ import annotations

from functools import cached_property
from typing import Iterable, Mapping, Sequence

import numpy as np

from visemb.entry import synset_of


def entry_ancestry(entry: Mapping) -> frozenset[str]:
    """Synset names of an entry's sense and of all its WordNet ancestors: ``ancestors`` (every hypernym path)
    with the stored path and the sense itself (entries written before ``ancestors`` existed: the path only)."""
    return (frozenset(entry.get("ancestors", ())) | frozenset(entry.get("hypernyms", ()))
            | frozenset(filter(None, [synset_of(entry)])))


def misfit(arrays: Mapping[str, np.ndarray], rows: int) -> str | None:
    """Why saved taxonomy arrays (:meth:`Taxonomy.arrays`) cannot serve a store of ``rows`` rows; None if they can."""
    owner, ancestor, depth = (arrays.get(k) for k in ("owner", "ancestor", "depth"))
    if owner is None or ancestor is None or depth is None:
        return "an array is missing"
    if owner.dtype != np.int32 or ancestor.dtype != np.int32 or owner.ndim != 1 or owner.shape != ancestor.shape:
        return "its ancestor table is not two int32 columns of one length"
    if depth.shape != (rows,) or depth.dtype != np.int64:
        return f"its depths do not fit {rows} rows"
    if len(owner) and (owner.min() < 0 or owner.max() >= rows or ancestor.min() < 0 or ancestor.max() >= rows
                       or (np.diff(owner) < 0).any()):
        return "its ancestor table points outside the rows or is out of order"
    return None


def photographed(entries: Sequence[Mapping]) -> list[int]:
    """Rows that have photos of their own (a *class*), as opposed to nouns that only pool their descendants':
    ImageNet classes with a class prototype when the store has them, else rows pooling one class."""
    rows = [i for i, e in enumerate(entries) if e.get("imagenet_id") and e.get("class_prototype")]
    if rows:
        return rows
    return [i for i, e in enumerate(entries) if not e.get("same_photos_as") and int(e.get("n_classes", 1) or 1) <= 1]


class Taxonomy:
    """Synset → rows, ancestors, rows at or below, depth and the photographed classes under each row.

    Args:
        entries: the store's entries, one per row.
        saved: :meth:`arrays` as a store saves them (``taxonomy.npz``, checked with :func:`misfit` by the store's
            reader): the ancestor table is then taken from them, not rebuilt from the entries.

    Attributes:
        owner, ancestor: every (row, ancestor row) pair, flat int32 arrays: a 40K-noun store's table is ~1.4 MB
            where sets of names would take ~24 MB.
        depth: per row, the length of its stored hypernym path (the row itself included).
    """

    def __init__(self, entries: Sequence[Mapping], saved: Mapping[str, np.ndarray] | None = None):
        self.entries = entries
        self.syn = [synset_of(e) for e in entries]
        rows: dict[str, list[int]] = {}
        for i, s in enumerate(self.syn):
            if s:
                rows.setdefault(s, []).append(i)
        self._rows = {s: tuple(r) for s, r in rows.items()}
        if saved is not None:
            self.owner, self.ancestor, self.depth = saved["owner"], saved["ancestor"], saved["depth"]
        else:
            self.owner, self.ancestor, self.depth = self._table()
        # owner is in row order: row i's ancestors are ancestor[start[i]:start[i + 1]]
        self._start = np.searchsorted(self.owner, np.arange(len(entries) + 1)).astype(np.int64)

    def _table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(owner, ancestor, depth) from the entries' recorded ancestors and paths."""
        owner, ancestor = [], []
        for i, e in enumerate(self.entries):
            up = {r for s in {*e.get("ancestors", ()), *e.get("hypernyms", ())} - {self.syn[i]}
                  for r in self._rows.get(s, ())}
            owner += [i] * len(up)
            ancestor += sorted(up)
        depth = np.array([len(e.get("hypernyms") or ()) for e in self.entries], np.int64)
        return np.array(owner, np.int32), np.array(ancestor, np.int32), depth

    def arrays(self) -> dict[str, np.ndarray]:
        """The ancestor table and depths as plain arrays, for a store to save (``Taxonomy(entries, saved=...)``)."""
        return {"owner": self.owner, "ancestor": self.ancestor, "depth": self.depth}

    def __len__(self) -> int:
        return len(self.entries)

    # -- rows of a synset, above and below ----------------------------------------------------------
    def rows_of(self, synset: str) -> tuple[int, ...]:
        """Every row whose own sense is ``synset`` (none: ``()``)."""
        return self._rows.get(synset, ())

    def same_sense(self, row: int) -> tuple[int, ...]:
        """``row`` and every other row of the same synset."""
        s = self.syn[row]
        return self._rows.get(s, (row,)) if s else (row,)

    def ancestors(self, row: int) -> set[int]:
        """Rows of ``row``'s WordNet ancestors over every hypernym path (rows the store has)."""
        return set(self.ancestor[self._start[row]:self._start[row + 1]].tolist())

    def at_or_below(self, rows: Iterable[int]) -> np.ndarray:
        """A mask over the rows: each of ``rows``, every row of the same synset, and every row below one of them."""
        heads = np.array(sorted({r for x in rows for r in self.same_sense(int(x))}), np.int64)
        mask = np.zeros(len(self), bool)
        if len(heads):
            mask[heads] = True
            mask[self.owner[np.isin(self.ancestor, heads)]] = True
        return mask

    def is_at_or_below(self, row: int, head: int) -> bool:
        """Whether ``row`` is ``head``'s sense or a kind of it."""
        return row == head or (self.syn[row] is not None and self.syn[row] == self.syn[head]) \
            or head in self.ancestors(row)

    def parents(self, row: int) -> set[int]:
        """The nearest stored ancestors of ``row``: ancestors that are not an ancestor of another of its ancestors."""
        up = self.ancestors(row)
        higher = set(self.ancestor[np.isin(self.owner, list(up))].tolist()) if up else set()
        return up - higher

    def levels_up(self, row: int, allowed: np.ndarray | None = None) -> list[tuple[int, ...]]:
        """The rows above ``row`` along its stored hypernym path, one level per synset the store has (and
        ``allowed`` keeps), nearest first."""
        path = self.entries[row].get("hypernyms") or []
        out = []
        for s in reversed(path[:-1]):
            rows = tuple(r for r in self._rows.get(s, ()) if allowed is None or allowed[r])
            if rows:
                out.append(rows)
        return out

    def sum_at_or_below(self, values: np.ndarray) -> np.ndarray:
        """Per row, the sum of ``values`` (one per row) over the row and every row below it."""
        v = np.asarray(values, np.float64)
        return v + np.bincount(self.ancestor, weights=v[self.owner], minlength=len(self))

    # -- the photographed classes -----------------------------------------------------------------
    @cached_property
    def class_rows(self) -> np.ndarray:
        """Store row of each photographed class (see :func:`photographed`)."""
        return np.array(photographed(self.entries), dtype=np.int64)

    @cached_property
    def _pairs(self) -> tuple[np.ndarray, np.ndarray]:
        classes = self.class_rows
        own = [(ci, r) for ci, row in enumerate(classes.tolist()) for r in self.same_sense(row)]
        lengths = self._start[classes + 1] - self._start[classes]
        up = np.concatenate([self.ancestor[self._start[r]:self._start[r + 1]] for r in classes.tolist()]) \
            if len(classes) else np.zeros(0, np.int32)
        pc = np.concatenate([np.array([c for c, _ in own], np.int64), np.repeat(np.arange(len(classes)), lengths)])
        pr = np.concatenate([np.array([r for _, r in own], np.int64), up.astype(np.int64)])
        key = np.unique(pc * len(self) + pr)  # (class, row) once each, by class then row
        return key // len(self), key % len(self)

    @property
    def pair_class(self) -> np.ndarray:
        """With :attr:`pair_row`: every (class index, row at or above it) pair over all hypernym paths."""
        return self._pairs[0]

    @property
    def pair_row(self) -> np.ndarray:
        return self._pairs[1]

    @cached_property
    def classes_under(self) -> np.ndarray:
        """Per row, how many photographed classes are at or below it (0: a row no class reaches)."""
        return np.bincount(self.pair_row, minlength=len(self))

    @cached_property
    def breadth(self) -> np.ndarray:
        """Per row, ``log2`` of the number of classes at or below it (0 for a class or a row no class reaches)."""
        return np.log2(np.maximum(self.classes_under, 1))

    @cached_property
    def class_of_row(self) -> dict[int, int]:
        """Class index of each class row."""
        return {int(r): i for i, r in enumerate(self.class_rows)}

    def classes_at_or_below(self, rows: Iterable[int]) -> np.ndarray:
        """A mask over the classes: those at or below any of ``rows``."""
        mask = np.zeros(len(self.class_rows), bool)
        mask[self.pair_class[np.isin(self.pair_row, np.asarray(list(rows), np.int64))]] = True
        return mask
