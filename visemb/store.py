"""An embedding store: vectors, keys and metadata, manifest, 2-D coordinates and thumbnails, in one directory.

Rows are noun senses. ``index_to_key[i]`` is the row's canonical key (its word, or its synset name when the
word's commonest pictured sense is another row); ``key_to_index`` also maps every lemma and synset name to a
row, so ``store["car"]``, ``store["automobile"]`` and ``store["car.n.01"]`` are the same vector.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Iterable, Sequence, Union

import numpy as np

from visemb.collector import collector_paused
from visemb.encoder_spec import EncoderSpec
from visemb.entry import Entry
from visemb.errors import EncoderMismatchError, StoreError
from visemb.keys import all_aliases, store_key
from visemb.search import ANN_THRESHOLD, NeighbourIndex, csls, l2_normalize, release_pages, unit_rows
from visemb.store_files import FILES, FORMAT_VERSION, Thumbnails, read_store, save_store  # noqa: F401
from visemb.store_parts import StoreParts, StoreRecord, legacy_parts
from visemb.taxonomy import Taxonomy, entry_ancestry

Query = Union[str, np.ndarray]
HUBNESS_K = 10  # neighbourhood size of CSLS's hubness term, as in Conneau et al. 2018
HUBNESS_CANDIDATES = 200  # cosine candidates re-ranked by CSLS


@dataclass(frozen=True)
class Neighbour:
    """One neighbour of a noun: its key and row, its cosine, and the score the list is ordered by."""

    key: str
    row: int
    cosine: float
    score: float


class Store:
    """Vectors with gensim's ``KeyedVectors`` vocabulary of names.

    Args:
        vectors: [n, dim] float array, one row per entry.
        entries: one metadata dict per row (``key``, ``synsets``, ``lemmas``, ``gloss``, ``category``, …).
        manifest: encoder spec, sources and counts (see :meth:`save`).
        aliases: extra keys -> rows, commonest sense first; lemmas and synset names are added automatically.
        parts: the optional parts (:class:`visemb.store_parts.StoreParts`: coordinates, thumbnails, center,
            hubness, and what a saved store kept of its index, taxonomy and map).
    """

    def __init__(self, vectors: np.ndarray, entries: Sequence[Entry], manifest: dict | None = None,
                 aliases: dict[str, list[int]] | None = None, parts: StoreParts | None = None, **deprecated):
        if deprecated:
            parts = legacy_parts(parts, deprecated)
        self._setup(vectors, [dict(e) for e in entries], manifest, aliases, parts or StoreParts(), as_read=False)

    @classmethod
    def from_record(cls, record: StoreRecord) -> "Store":
        """The store of a record just read from disk, taken as it is (the entries are not copied and its aliases
        already map every key, lemma and synset name)."""
        store = cls.__new__(cls)
        store._setup(record.vectors, record.entries, record.manifest, record.aliases, record.parts, as_read=True)
        return store

    def with_parts(self, manifest: dict | None = None, **parts) -> "Store":
        """This store with ``parts`` (fields of :class:`StoreParts`) replaced and, when given, another manifest: what
        a build adds once it has computed them from the store (hubness, coordinates, thumbnails). The map's saved
        view goes with new coordinates."""
        merged = replace(self.parts, **parts)
        if "coords" in parts:
            merged.map_overview = {}
        return self.from_record(StoreRecord(self.vectors, self.entries, dict(manifest or self.manifest), self.aliases,
                                            merged))

    def _setup(self, vectors, entries: list, manifest, aliases, parts: StoreParts, as_read: bool) -> None:
        if len(vectors) != len(entries):
            raise StoreError(f"{len(vectors)} vectors but {len(entries)} entries")
        if parts.hubness is not None and len(parts.hubness) != len(entries):
            raise StoreError(f"{len(parts.hubness)} hubness values but {len(entries)} entries")
        if parts.thumbnails is not None and len(parts.thumbnails) != len(entries):
            raise StoreError(f"{len(parts.thumbnails)} thumbnails but {len(entries)} entries")
        self.vectors, self.entries, self.manifest = vectors, entries, dict(manifest or {})
        self.hubness = None if parts.hubness is None else np.asarray(parts.hubness, np.float32)
        self.coords = dict(parts.coords or {})
        thumbs = parts.thumbnails
        self.thumbnails = (thumbs if isinstance(thumbs, Thumbnails) else list(thumbs)) if thumbs is not None \
            else [None] * len(entries)
        self.center = None if parts.center is None else np.asarray(parts.center, np.float32)
        self.index_to_key = [e["key"] for e in self.entries]
        self.aliases = aliases if as_read and aliases is not None else all_aliases(self.entries, aliases or {})
        self.key_to_index = {k: rows[0] for k, rows in self.aliases.items()}
        for i, key in enumerate(self.index_to_key):
            self.key_to_index[key] = i
        self._index: NeighbourIndex | None = None
        self._saved_index = parts.saved_index  # a loaded store's saved index arrays (visemb.index_file), used once
        self._saved_taxonomy = parts.saved_taxonomy
        self.map_overview = dict(parts.map_overview or {})
        self._index_lock = threading.Lock()  # one build, however many threads ask for the index at once
        # rows whose vector merely repeats a more specific noun's (same photos); left out of neighbour lists
        self.repeats = frozenset(i for i, e in enumerate(self.entries) if e.get("same_photos_as"))

    @property
    def parts(self) -> StoreParts:
        """The store's optional parts as they stand."""
        return StoreParts(self.coords, self.thumbnails, self.center, self.hubness, self._saved_index,
                          self._saved_taxonomy, self.map_overview)

    # -- gensim-style vocabulary -------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._lookup(key) is not None

    def __getitem__(self, key: str) -> np.ndarray:
        return self.get_vector(key)

    def _lookup(self, key: str) -> int | None:
        return self.key_to_index[key] if key in self.key_to_index else self.key_to_index.get(store_key(key))

    def get_index(self, key: str) -> int:
        """Row of ``key`` (word, lemma or synset name; case-insensitive).

        Raises:
            KeyError: ``Key 'x' not present``.
        """
        i = self._lookup(key) if isinstance(key, str) else None
        if i is None:
            raise KeyError(f"Key '{key}' not present")
        return i

    def senses(self, key: str) -> list[int]:
        """Every row ``key`` can mean, commonest sense first (e.g. crane the machine, crane the bird)."""
        rows = self.aliases.get(key) or self.aliases.get(store_key(key))
        return list(rows) if rows else [self.get_index(key)]

    def entry(self, key: str | int) -> dict:
        """Metadata of a row (by key or row number)."""
        return self.entries[key if isinstance(key, (int, np.integer)) else self.get_index(key)]

    def ancestry(self, row: int) -> frozenset[str]:
        """Synset names of ``row``'s sense and of all its WordNet ancestors, over every hypernym path (stores
        written before ``ancestors`` was recorded: the one stored path). Computed per call: kept for every row of
        a 40K-noun store, these sets would hold ~24 MB."""
        return entry_ancestry(self.entries[row])

    @cached_property
    def taxonomy(self) -> Taxonomy:
        """The WordNet hierarchy over the rows (built once, from the stored ancestors): see :mod:`visemb.taxonomy`."""
        tax = Taxonomy(self.entries, saved=self._saved_taxonomy)
        self._saved_taxonomy = None
        return tax

    def lineage(self, row: int) -> set[int]:
        """Rows that are WordNet ancestors or descendants of ``row`` (to hide the obvious neighbours), and rows of
        the same sense."""
        tax = self.taxonomy
        up = tax.ancestors(row)
        down = set(np.flatnonzero(tax.at_or_below([row])).tolist())
        return (up | down) - {row}

    def get_vector(self, key: str, norm: bool = False) -> np.ndarray:
        """The stored vector of ``key`` (unit length with ``norm=True``)."""
        v = np.asarray(self.vectors[self.get_index(key)], dtype=np.float32)
        return l2_normalize(v) if norm else v

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    @property
    def encoder_spec(self) -> EncoderSpec:
        if "encoder" not in self.manifest:
            raise StoreError("This store's manifest names no encoder")
        return EncoderSpec.from_dict(self.manifest["encoder"])

    def check_encoder(self, spec: EncoderSpec) -> None:
        """Refuse a query encoder other than the store's.

        Raises:
            EncoderMismatchError: listing what differs.
        """
        mine = self.encoder_spec
        if not mine.compatible_with(spec):
            raise EncoderMismatchError(
                f"Query encoder {spec.name!r} differs from the store's encoder {mine.name!r} "
                f"({'; '.join(mine.differences(spec))}). Embed queries with the store's encoder, "
                "or rebuild the store with this one."
            )

    # -- similarity --------------------------------------------------------------------------------
    def prepare(self, vectors: np.ndarray) -> np.ndarray:
        """Raw vectors -> the unit vectors cosine is taken on (after the store's centering, if any)."""
        v = np.asarray(vectors, np.float32)
        if self.center is not None:
            v = v - self.center
        return l2_normalize(v)

    def _prepared_rows(self, chunk: int = 8192) -> np.ndarray:
        """The rows as unit vectors: float32, or float16 for a store kept in float16 (prepared a chunk at a time,
        so a 40K-noun store never holds a float32 copy)."""
        if np.asarray(self.vectors[:0]).dtype != np.float16:
            return self.prepare(self.vectors)
        if self.center is None and unit_rows(self.vectors):
            return self.vectors  # already unit rows: the memory-mapped file itself, no copy
        out = np.empty(self.vectors.shape, np.float16)
        for s in range(0, len(self.vectors), chunk):
            out[s:s + chunk] = self.prepare(self.vectors[s:s + chunk])
        release_pages(self.vectors)  # the prepared copy is what is searched: the mapped file need not stay resident
        return out

    @property
    def unit_vectors(self) -> np.ndarray:
        return self.index.unit

    @property
    def index(self) -> NeighbourIndex:
        if self._index is None:
            with self._index_lock:
                if self._index is None:
                    self._index = NeighbourIndex(self._prepared_rows(), saved=self._saved_index)
                    self._saved_index = None
        return self._index

    def build_index_in_background(self) -> threading.Thread | None:
        """Build the neighbour index in a daemon thread when the store is big enough for an approximate one (a
        40K-noun store: ~2.5 s of k-means on 2 cores), so that a first query finds it ready or waits for that one
        build; None (nothing started) for a smaller store, whose exact search needs no build."""
        if len(self) <= ANN_THRESHOLD or self._index is not None:
            return None
        thread = threading.Thread(target=lambda: self.index, daemon=True, name="visemb-index")
        thread.start()
        return thread

    def _as_vector(self, item: Query) -> np.ndarray:
        if isinstance(item, str):
            return self.unit_vectors[self.get_index(item)]
        return self.prepare(np.asarray(item, np.float32).reshape(-1))

    def similarity(self, w1: Query, w2: Query, hubness: bool = False) -> float:
        """Cosine similarity of two keys (or raw vectors); with ``hubness``, CSLS between two keys:
        ``2 cos - r1 - r2`` (each key's hubness r; needs a store with hubness)."""
        cos = float(np.dot(self._as_vector(w1), self._as_vector(w2)))
        if not hubness:
            return cos
        if self.hubness is None or not (isinstance(w1, str) and isinstance(w2, str)):
            raise ValueError("hubness-corrected similarity needs two keys and a store with hubness")
        return float(csls(cos, self.hubness[self.get_index(w1)] + self.hubness[self.get_index(w2)]))

    def most_similar(self, positive: Query | Iterable[Query] | None = None,
                     negative: Query | Iterable[Query] | None = None, topn: int = 10,
                     exclude: Iterable[int] = ()) -> list[tuple[str, float]]:
        """gensim's ``most_similar``: the keys nearest the mean of ``positive`` minus the mean of ``negative``, in
        descending cosine; keys given as input are left out. For the hubness-corrected list of a noun, see
        :meth:`neighbours`.

        >>> store.most_similar("car", topn=2)   # doctest: +SKIP
        [('motor_vehicle', 0.961), ('cab', 0.93)]
        """
        pos, neg = ([] if x is None else [x] if isinstance(x, (str, np.ndarray)) else list(x)
                    for x in (positive, negative))
        if not pos and not neg:
            raise ValueError("most_similar needs at least one positive or negative key/vector")
        parts = [self._as_vector(p) for p in pos] + [-self._as_vector(n) for n in neg]
        query = np.mean(parts, axis=0)
        skip = set(exclude) | {self.get_index(k) for k in pos + neg if isinstance(k, str)}
        return [(self.index_to_key[i], s) for i, s in self.nearest(query, topn, skip, prepared=True)]

    def neighbours(self, word: str | int, topn: int = 10, hide_relatives: bool = False,
                   hubness: bool = True) -> list[Neighbour]:
        """A noun's nearest nouns, ordered by ``score``: CSLS (``2 cos - r``, r = each neighbour's hubness) when
        ``hubness`` and the store has it, else the cosine. ``hide_relatives`` leaves out the noun's own WordNet
        ancestors and descendants (``dog`` is near ``canine`` by construction).

        >>> [(n.key, round(n.cosine, 2)) for n in store.neighbours("dog", 2, hide_relatives=True)]  # doctest: +SKIP
        [('wolf', 0.83), ('fox', 0.8)]

        Raises:
            KeyError: ``word`` is not in the store.
        """
        row = word if isinstance(word, int) else self.get_index(word)
        exclude = {row} | (self.lineage(row) if hide_relatives else set())
        r = self.hubness if hubness else None
        near = self.nearest(self.unit_vectors[row], topn, sorted(exclude), prepared=True, hubness=r is not None)
        return [Neighbour(self.index_to_key[i], i, cos, float(csls(cos, None if r is None else r[i])))
                for i, cos in near]

    def nearest(self, vector: np.ndarray, topn: int = 10, exclude: Iterable[int] = (),
                prepared: bool = False, include_repeats: bool = False,
                hubness: bool = False) -> list[tuple[int, float]]:
        """Rows nearest a raw (or, with ``prepared=True``, already unit) vector: [(row, cosine)].

        Rows that only repeat a more specific noun's photos are left out unless ``include_repeats``. With
        ``hubness`` (and a store that has it) the order is CSLS's, ``2 cos - r`` (r: each row's hubness); the
        scores returned stay cosines.
        """
        return self.nearest_many(np.atleast_2d(vector), topn, exclude, prepared, include_repeats, hubness)[0]

    def nearest_many(self, vectors: np.ndarray, topn: int = 10, exclude: Iterable[int] = (),
                     prepared: bool = False, include_repeats: bool = False,
                     hubness: bool = False) -> list[list[tuple[int, float]]]:
        """:meth:`nearest` for each row of ``vectors``, in one index query."""
        q = vectors if prepared else self.prepare(vectors)
        skip = set(exclude) if include_repeats else set(exclude) | self.repeats
        r = self.hubness if hubness else None
        extra = max(HUBNESS_CANDIDATES, 5 * topn) if r is not None else 0  # re-ranked from the cosine top ones
        idx, sims = self.index.query(q, topn + len(skip) + extra)
        out = []
        for ir, sr in zip(idx, sims):
            near = [(int(i), float(s)) for i, s in zip(ir, sr) if int(i) not in skip]
            if r is not None:
                near.sort(key=lambda t: csls(t[1], r[t[0]]), reverse=True)
            out.append(near[:topn])
        return out

    def compute_hubness(self, k: int = HUBNESS_K, batch: int = 1024) -> np.ndarray:
        """Each row's mean cosine to its ``k`` nearest other rows (repeats left out): CSLS's ``r``."""
        out = np.zeros(len(self), np.float32)
        for start in range(0, len(self), batch):
            block = self.nearest_many(self.unit_vectors[start:start + batch], k + 1, prepared=True, hubness=False)
            for j, near in enumerate(block):
                sims = [c for r, c in near if r != start + j][:k]
                out[start + j] = float(np.mean(sims)) if sims else 0.0
        return out

    # -- persistence (visemb.store_files) ---------------------------------------------------------------
    def save(self, path: str | Path, vector_dtype: str = "float32") -> None:
        """Write the store to a directory atomically (a finished directory replaces the old one at once)."""
        self.manifest = save_store(self, path, vector_dtype)

    @classmethod
    def load(cls, path: str | Path, mmap: bool | None = None, verify: bool = True) -> "Store":
        """Read and validate a store directory (``mmap``: map the vectors, default float32 ones and big float16
        ones; ``verify``: check each file's size and, up to 256 MB, sha256).

        Raises:
            StoreError: naming the missing, corrupt or unknown-format file.
        """
        with collector_paused():
            return cls.from_record(read_store(path, mmap, verify))

