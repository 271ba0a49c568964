"""An embedding store: vectors, keys and metadata, manifest, 2-D coordinates and thumbnails, in one directory.

Rows are noun senses. ``index_to_key[i]`` is the row's canonical key (its word, or its synset name when the
word's commonest pictured sense is another row); ``key_to_index`` also maps every lemma and synset name to a
row, so ``store["car"]``, ``store["automobile"]`` and ``store["car.n.01"]`` are the same vector.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterable, Sequence, Union

import numpy as np

from visemb.collector import collector_paused
from visemb.encoder_spec import EncoderSpec
from visemb.entry import Entry
from visemb.errors import EncoderMismatchError, StoreError
from visemb.keys import store_key
from visemb.search import ANN_THRESHOLD, NeighbourIndex, csls, l2_normalize, release_pages, unit_rows
from visemb.store_files import FILES, FORMAT_VERSION, Thumbnails, read_store, save_store  # noqa: F401
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
        coords: projection name -> [n, 2] array.
        thumbnails: one JPEG bytes (or None) per row.
        center: a vector subtracted from rows and queries before cosine (``None``: raw cosine).
        hubness: per row, the mean cosine to its :data:`HUBNESS_K` nearest rows (see :meth:`compute_hubness`):
            neighbour lists can then be ranked by CSLS (:func:`visemb.search.csls`), so that broad nouns near
            everything (artifact, organism…) stop crowding them.
        saved_index: a big store's saved neighbour index arrays (:mod:`visemb.index_file`), from which the index is
            rebuilt without k-means the first time it is needed.
        saved_taxonomy: a loaded store's saved taxonomy arrays (:meth:`visemb.taxonomy.Taxonomy.arrays`).
        map_overview: per projection, the map's full view (:func:`visemb.map_layout.overview`) as saved.
        as_read: the arguments are a store just read from disk (:meth:`load`), taken as they are: the entries are not
            copied and ``aliases`` already maps every key, lemma and synset name.
    """

    def __init__(self, vectors: np.ndarray, entries: Sequence[Entry], manifest: dict | None = None,
                 aliases: dict[str, list[int]] | None = None, coords: dict[str, np.ndarray] | None = None,
                 thumbnails: Sequence[bytes | None] | None = None, center: np.ndarray | None = None,
                 hubness: np.ndarray | None = None, saved_index: dict[str, np.ndarray] | None = None,
                 saved_taxonomy: dict[str, np.ndarray] | None = None, map_overview: dict[str, dict] | None = None,
                 as_read: bool = False):
        if len(vectors) != len(entries):
            raise StoreError(f"{len(vectors)} vectors but {len(entries)} entries")
        if hubness is not None and len(hubness) != len(entries):
            raise StoreError(f"{len(hubness)} hubness values but {len(entries)} entries")
        self.hubness = None if hubness is None else np.asarray(hubness, np.float32)
        self.vectors = vectors
        self.entries = list(entries) if as_read else [dict(e) for e in entries]
        self.manifest = dict(manifest or {})
        self.coords = dict(coords or {})
        self.thumbnails = (thumbnails if isinstance(thumbnails, Thumbnails) else list(thumbnails)) \
            if thumbnails is not None else [None] * len(entries)
        self.center = None if center is None else np.asarray(center, np.float32)
        self.index_to_key = [e["key"] for e in self.entries]
        self.aliases = aliases if as_read and aliases is not None else self._build_aliases(aliases or {})
        self.key_to_index = {k: rows[0] for k, rows in self.aliases.items()}
        for i, key in enumerate(self.index_to_key):
            self.key_to_index[key] = i
        self._index: NeighbourIndex | None = None
        self._saved_index = saved_index  # a loaded store's saved index arrays (visemb.index_file), used once
        self._saved_taxonomy = saved_taxonomy
        self.map_overview = dict(map_overview or {})
        self._index_lock = threading.Lock()  # one build, however many threads ask for the index at once
        # rows whose vector merely repeats a more specific noun's (same photos); left out of neighbour lists
        self.repeats = frozenset(i for i, e in enumerate(self.entries) if e.get("same_photos_as"))

    def _build_aliases(self, given: dict[str, list[int]]) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {k: list(v) for k, v in given.items()}
        for i, e in enumerate(self.entries):
            for name in [e["key"], *e.get("synsets", ())]:
                rows = out.setdefault(name, [])
                if i in rows:
                    continue
                if name == e["key"]:
                    rows.insert(0, i)
                else:
                    rows.append(i)
            for lemma in e.get("lemmas", ()):
                rows = out.setdefault(lemma, [])
                if i not in rows:
                    rows.append(i)
        return out

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
        pos = _as_list(positive)
        neg = _as_list(negative)
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

    def complete(self, *, hubness: np.ndarray, coords: dict[str, np.ndarray],
                 thumbnails: Sequence[bytes | None], manifest: dict) -> None:
        """Add what a build computes from the store itself: hubness (:meth:`compute_hubness`), map coordinates,
        thumbnails and the manifest (one store per build, not one for the hubness and another to save)."""
        if len(hubness) != len(self) or len(thumbnails) != len(self):
            raise StoreError(f"{len(hubness)} hubness values and {len(thumbnails)} thumbnails for {len(self)} rows")
        self.hubness = np.asarray(hubness, np.float32)
        self.coords, self.thumbnails, self.manifest = dict(coords), list(thumbnails), dict(manifest)
        self.map_overview = {}  # computed again from these coordinates when saved

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
            return cls(*read_store(path, mmap, verify), as_read=True)


def _as_list(x) -> list:
    if x is None:
        return []
    if isinstance(x, (str, np.ndarray)):
        return [x]
    return list(x)
