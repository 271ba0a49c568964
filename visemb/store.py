"""An embedding store: vectors, keys and metadata, manifest, 2-D coordinates and thumbnails, in one directory.

Rows are noun senses. ``index_to_key[i]`` is the row's canonical key (its word, or its synset name when the
word's commonest pictured sense is another row); ``key_to_index`` also maps every lemma and synset name to a
row, so ``store["car"]``, ``store["automobile"]`` and ``store["car.n.01"]`` are the same vector.
"""

from __future__ import annotations

import collections.abc
import datetime as _dt
import json
import os
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence, Union

import numpy as np

from visemb.checksum import sha256_file
from visemb.encoder_spec import EncoderSpec
from visemb.errors import EncoderMismatchError, StoreError
from visemb.search import ANN_THRESHOLD, NeighbourIndex, release_pages, l2_normalize
from visemb.entry import Entry, synset_of

FORMAT_VERSION = 1
Query = Union[str, np.ndarray]
FILES = ("vectors.npy", "entries.json", "aliases.json")
HUBNESS_K = 10  # neighbourhood size of CSLS's hubness term, as in Conneau et al. 2018
HUBNESS_CANDIDATES = 200  # cosine candidates re-ranked by CSLS
VERIFY_LIMIT = 256 * 1024 * 1024  # checksum files up to this size on load; larger ones get a size check



def entry_ancestry(entry: dict) -> frozenset[str]:
    """Synset names of an entry's sense and of all its WordNet ancestors: ``ancestors`` (every hypernym path)
    with the stored path and the sense itself (entries written before ``ancestors`` existed: the path only)."""
    return (frozenset(entry.get("ancestors", ())) | frozenset(entry.get("hypernyms", ()))
            | frozenset(filter(None, [synset_of(entry)])))

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
        hubness: per row, the mean cosine to its :data:`HUBNESS_K` nearest rows (see :meth:`compute_hubness`);
            when present, neighbour lists can be ranked by CSLS (Conneau et al. 2018: ``2 cos(x, y) - r_x - r_y``,
            whose order for one query is that of ``2 cos - r_y``), so that broad nouns that are near everything
            (artifact, organism, equipment…) stop crowding them.
    """

    def __init__(self, vectors: np.ndarray, entries: Sequence[Entry], manifest: dict | None = None,
                 aliases: dict[str, list[int]] | None = None, coords: dict[str, np.ndarray] | None = None,
                 thumbnails: Sequence[bytes | None] | None = None, center: np.ndarray | None = None,
                 hubness: np.ndarray | None = None):
        if len(vectors) != len(entries):
            raise StoreError(f"{len(vectors)} vectors but {len(entries)} entries")
        if hubness is not None and len(hubness) != len(entries):
            raise StoreError(f"{len(hubness)} hubness values but {len(entries)} entries")
        self.hubness = None if hubness is None else np.asarray(hubness, np.float32)
        self.vectors = vectors
        self.entries = [dict(e) for e in entries]
        self.manifest = dict(manifest or {})
        self.coords = dict(coords or {})
        self.thumbnails = (thumbnails if isinstance(thumbnails, Thumbnails) else list(thumbnails)) \
            if thumbnails is not None else [None] * len(entries)
        self.center = None if center is None else np.asarray(center, np.float32)
        self.index_to_key = [e["key"] for e in self.entries]
        self.aliases = self._build_aliases(aliases or {})
        self.key_to_index = {k: rows[0] for k, rows in self.aliases.items()}
        for i, key in enumerate(self.index_to_key):
            self.key_to_index[key] = i
        self._index: NeighbourIndex | None = None
        self._index_lock = threading.Lock()  # one build, however many threads ask for the index at once
        # rows whose vector merely repeats a more specific noun's (same photos); left out of neighbour lists
        self.repeats = frozenset(i for i, e in enumerate(self.entries) if e.get("same_photos_as"))
        self._ancestor_table: tuple[np.ndarray, np.ndarray] | None = None

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
        if key in self.key_to_index:
            return self.key_to_index[key]
        low = key.strip().lower().replace(" ", "_")
        return self.key_to_index.get(low)

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
        low = key.strip().lower().replace(" ", "_")
        rows = self.aliases.get(key) or self.aliases.get(low)
        if rows:
            return list(rows)
        return [self.get_index(key)]

    def entry(self, key: str | int) -> dict:
        """Metadata of a row (by key or row number)."""
        return self.entries[key if isinstance(key, (int, np.integer)) else self.get_index(key)]

    def ancestry(self, row: int) -> frozenset[str]:
        """Synset names of ``row``'s sense and of all its WordNet ancestors, over every hypernym path (stores
        written before ``ancestors`` was recorded: the one stored path). Computed per call: kept for every row of
        a 40K-noun store, these sets would hold ~24 MB."""
        return entry_ancestry(self.entries[row])

    def _ancestor_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Every row's stored ancestors as row numbers, flat (``owner[j]`` is the row whose ancestor is
        ``ancestor[j]``): 1.4 MB of integers for a 40K-noun store, where sets of names take ~24 MB."""
        if self._ancestor_table is None:
            syn_rows: dict[str, list[int]] = {}
            for i, e in enumerate(self.entries):
                if synset_of(e):
                    syn_rows.setdefault(synset_of(e), []).append(i)
            owner, ancestor = [], []
            for i, e in enumerate(self.entries):
                own = synset_of(e)
                up = {r for s in {*e.get("ancestors", ()), *e.get("hypernyms", ())} - {own}
                      for r in syn_rows.get(s, ())}
                owner += [i] * len(up)
                ancestor += sorted(up)
            self._ancestor_table = (np.array(owner, np.int32), np.array(ancestor, np.int32))
        return self._ancestor_table

    def ancestor_rows(self, row: int) -> set[int]:
        """Rows of ``row``'s WordNet ancestors over every hypernym path (rows the store has)."""
        owner, ancestor = self._ancestor_rows()
        return set(ancestor[owner == row].tolist())

    def at_or_below(self, rows: Iterable[int]) -> np.ndarray:
        """A mask over the store's rows: each of ``rows`` and every row below one of them in WordNet."""
        owner, ancestor = self._ancestor_rows()
        heads = np.array(sorted(set(rows)), np.int64)
        mask = np.zeros(len(self), bool)
        mask[heads] = True
        mask[owner[np.isin(ancestor, heads)]] = True
        return mask

    def lineage(self, row: int) -> set[int]:
        """Rows that are WordNet ancestors or descendants of ``row`` (to hide the obvious neighbours), and rows of
        the same sense."""
        syn = synset_of(self.entries[row])
        same = {i for i in self.aliases.get(syn, ()) if synset_of(self.entries[i]) == syn} if syn else set()
        same.add(row)
        up = set().union(*(self.ancestor_rows(r) for r in same))
        down = set(np.flatnonzero(self.at_or_below(same)).tolist())
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
        if self.center is None and _unit_rows(self.vectors):
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
                    self._index = NeighbourIndex(self._prepared_rows())
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
        return 2 * cos - float(self.hubness[self.get_index(w1)]) - float(self.hubness[self.get_index(w2)])

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
        csls = hubness and self.hubness is not None
        near = self.nearest(self.unit_vectors[row], topn, sorted(exclude), prepared=True, hubness=csls)
        return [Neighbour(self.index_to_key[i], i, cos, 2 * cos - float(self.hubness[i]) if csls else cos)
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
        csls = hubness and self.hubness is not None
        extra = max(HUBNESS_CANDIDATES, 5 * topn) if csls else 0  # re-ranked from the cosine top candidates
        idx, sims = self.index.query(q, topn + len(skip) + extra)
        out = []
        for ir, sr in zip(idx, sims):
            near = [(int(i), float(s)) for i, s in zip(ir, sr) if int(i) not in skip]
            if csls:
                near.sort(key=lambda t: 2 * t[1] - self.hubness[t[0]], reverse=True)
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

    # -- persistence -------------------------------------------------------------------------------
    def save(self, path: str | Path, vector_dtype: str = "float32") -> None:
        """Write the store to a directory atomically (a finished directory replaces the old one at once)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_dead_saves(path)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-{os.getpid()}-", dir=path.parent))
        try:
            np.save(tmp / "vectors.npy", np.asarray(self.vectors, dtype=vector_dtype))
            _write_json(tmp / "entries.json", self.entries)
            _write_json(tmp / "aliases.json", self.aliases)
            if self.coords:
                np.savez(tmp / "coords.npz", **{k: np.asarray(v, np.float32) for k, v in self.coords.items()})
            if self.center is not None:
                np.save(tmp / "center.npy", self.center)
            if self.hubness is not None:
                np.save(tmp / "hubness.npy", self.hubness)
            if any(t is not None for t in self.thumbnails):
                offsets = _write_thumbnails(tmp / "thumbnails.bin", self.thumbnails)
                _write_json(tmp / "thumbnails.json", offsets)
            manifest = dict(self.manifest)
            manifest.update(format_version=FORMAT_VERSION, entries=len(self), keys=len(self.key_to_index),
                            dim=self.dim, vector_dtype=vector_dtype)
            manifest.setdefault("created", _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
            manifest["files"] = {f.name: {"bytes": f.stat().st_size, "sha256": sha256_file(f)}
                                 for f in sorted(tmp.iterdir())}
            _write_json(tmp / "manifest.json", manifest)
            _swap_in(tmp, path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self.manifest = manifest

    @classmethod
    def load(cls, path: str | Path, mmap: bool | None = None, verify: bool = True) -> "Store":
        """Read and validate a store directory (read again when a save replaced it while it was being read).

        Args:
            path: the directory.
            mmap: memory-map the vectors (default: float32 ones, and float16 ones past ANN_THRESHOLD rows).
            verify: check each file's recorded size and (up to 256 MB) sha256.

        Raises:
            StoreError: naming the missing, corrupt or unknown-format file.
        """
        for _ in range(4):
            before = _identity(path)
            try:
                return cls._load_once(path, mmap, verify)
            except (StoreError, OSError):
                if before is None or _identity(path) == before:
                    raise  # not a save in between: the store itself is wrong
        return cls._load_once(path, mmap, verify)

    @classmethod
    def _load_once(cls, path: str | Path, mmap: bool | None = None, verify: bool = True) -> "Store":
        """One read of a store directory (:meth:`load`'s arguments and errors)."""
        path = Path(path)
        mpath = path / "manifest.json"
        if not mpath.is_file():
            raise StoreError(f"No store at {path}: {mpath.name} is missing. Build one with `python -m precompute`.")
        manifest = _read_json(mpath)
        if not isinstance(manifest, dict):
            raise StoreError(f"{mpath}: not a store manifest (a JSON object is expected)")
        version = manifest.get("format_version")
        if version != FORMAT_VERSION:
            raise StoreError(f"{mpath}: unknown store format version {version!r} (this visemb reads "
                             f"{FORMAT_VERSION}); upgrade visemb or rebuild the store.")
        files = manifest.get("files", {})
        if not isinstance(files, dict):
            raise StoreError(f"{mpath}: its 'files' list is not readable; rebuild the store")
        listed = lambda name: name in files and (path / name).is_file()  # noqa: E731  only the manifest's files
        for name in FILES:
            if name not in files or not (path / name).is_file():
                raise StoreError(f"{path / name}: missing (the store is incomplete; rebuild it)")
        for name, info in files.items():
            if not (isinstance(info, dict) and isinstance(info.get("bytes"), int)
                    and isinstance(info.get("sha256"), str)):
                raise StoreError(f"{mpath}: the record of {name!r} lacks its size or checksum; rebuild the store")
        if verify:
            for name, info in files.items():
                f = path / name
                if not f.is_file():
                    raise StoreError(f"{f}: missing (the store is incomplete; rebuild it)")
                if not isinstance(info, dict) or "bytes" not in info or "sha256" not in info:
                    raise StoreError(f"{mpath}: the entry for {name} lacks its size or checksum; rebuild the store")
                if f.stat().st_size != info["bytes"]:
                    raise StoreError(f"{f}: {f.stat().st_size} bytes, manifest says {info['bytes']} (corrupt)")
                if info["bytes"] <= VERIFY_LIMIT and sha256_file(f) != info["sha256"]:
                    raise StoreError(f"{f}: checksum differs from the manifest (corrupt or edited)")
        try:
            dtype = manifest.get("vector_dtype", "float32")
            # float32 files are memory-mapped; float16 ones too past ANN_THRESHOLD rows, where they stay float16
            # (half the memory of a float32 copy); smaller float16 stores are read into float32
            use_mmap = dtype in ("float32", "float16") if mmap is None else mmap
            vectors = np.load(path / "vectors.npy", mmap_mode="r" if use_mmap else None)
            if not use_mmap or (vectors.dtype == np.float16 and len(vectors) <= ANN_THRESHOLD):
                vectors = np.asarray(vectors, np.float32)
            entries = _read_json(path / "entries.json")
            aliases = _read_json(path / "aliases.json")
            coords = {}
            if listed("coords.npz"):
                with np.load(path / "coords.npz") as z:
                    coords = {k: z[k] for k in z.files}
            center = np.load(path / "center.npy") if listed("center.npy") else None
            hubness = np.load(path / "hubness.npy") if listed("hubness.npy") else None
            thumbs = None
            if listed("thumbnails.json") and listed("thumbnails.bin"):
                thumbs = Thumbnails(path / "thumbnails.bin", _read_json(path / "thumbnails.json"))
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"{path}: cannot read the store ({type(exc).__name__}: {exc})") from exc
        if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("key"), str)
                                                    for e in entries):
            raise StoreError(f"{path / 'entries.json'}: every entry must be an object with a 'key' (corrupt)")
        if not isinstance(aliases, dict):
            raise StoreError(f"{path / 'aliases.json'}: not a JSON object (corrupt)")
        for word, rows in aliases.items():
            if not isinstance(rows, list) or not all(isinstance(r, int) and 0 <= r < len(entries) for r in rows):
                raise StoreError(f"{path / 'aliases.json'}: alias {str(word)[:60]!r} points past the "
                                 f"{len(entries)} rows (corrupt); rebuild the store")
        if vectors.ndim != 2 or len(vectors) != len(entries) or vectors.shape[1] != manifest.get("dim"):
            raise StoreError(f"{path / 'vectors.npy'}: shape {vectors.shape} does not match "
                             f"{len(entries)} entries of dim {manifest.get('dim')}")
        if hubness is not None and hubness.shape != (len(entries),):
            raise StoreError(f"{path / 'hubness.npy'}: shape {hubness.shape} does not match {len(entries)} entries")
        for name, arr in (("vectors.npy", vectors), ("hubness.npy", hubness), ("center.npy", center)):
            if arr is not None and not _all_finite(arr):
                raise StoreError(f"{path / name}: holds NaN or infinite values (corrupt); rebuild the store")
        release_pages(vectors)  # checked: its pages need not stay resident
        if thumbs is not None and len(thumbs) != len(entries):
            raise StoreError(f"{path / 'thumbnails.json'}: {len(thumbs)} thumbnails for {len(entries)} entries")
        return cls(vectors, entries, manifest, aliases, coords, thumbs, center, hubness)


def _as_list(x) -> list:
    if x is None:
        return []
    if isinstance(x, (str, np.ndarray)):
        return [x]
    return list(x)


def _write_json(path: Path, obj) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))
        f.flush()
        os.fsync(f.fileno())


SHARED_NAMES = ("synsets", "hypernyms", "ancestors")  # entry fields whose names repeat across thousands of rows


def _shared_names(obj: dict) -> dict:
    """One string object per repeated synset name (``sys.intern``): half the memory of a 40K-noun store's entries."""
    for field in SHARED_NAMES:
        names = obj.get(field)
        if names.__class__ is list:
            obj[field] = [sys.intern(n) if n.__class__ is str else n for n in names]
    if obj.get("category").__class__ is str:
        obj["category"] = sys.intern(obj["category"])
    return obj


def _read_json(path: Path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"), object_hook=_shared_names)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(f"{path}: not valid JSON ({exc}); the store is corrupt, rebuild it") from exc


def _write_thumbnails(path: Path, thumbs: Sequence[bytes | None]) -> list:
    offsets, pos = [], 0
    with open(path, "wb") as f:
        for t in thumbs:
            if t is None:
                offsets.append(None)
                continue
            f.write(t)
            offsets.append([pos, len(t)])
            pos += len(t)
    return offsets


def _unit_rows(vectors: np.ndarray, sample: int = 256) -> bool:
    """Whether ``vectors`` hold unit-length rows (to float16 precision), judged on an even sample of rows."""
    rows = np.asarray(vectors[:: max(1, len(vectors) // sample)], np.float32)
    return bool(np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=5e-3))


class Thumbnails(collections.abc.Sequence):
    """A store's thumbnails read from ``thumbnails.bin`` on demand (memory-mapped): 40K thumbnails cost no memory
    until shown."""

    def __init__(self, path: Path, offsets: list):
        import mmap

        if not isinstance(offsets, list):
            raise StoreError(f"{path.with_suffix('.json')}: not a list of offsets (corrupt)")
        self.offsets = offsets
        size = path.stat().st_size
        with open(path, "rb") as f:
            self._blob = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        for o in offsets:
            if o is not None and not (isinstance(o, list) and len(o) == 2 and 0 <= o[0] and o[0] + o[1] <= size):
                raise StoreError(f"{path.with_suffix('.json')}: an offset points outside thumbnails.bin (corrupt)")

    def __len__(self) -> int:
        return len(self.offsets)

    def __eq__(self, other) -> bool:
        return isinstance(other, collections.abc.Sequence) and list(self) == list(other)

    __hash__ = None

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        o = self.offsets[i]
        return None if o is None else bytes(self._blob[o[0]:o[0] + o[1]])


def _all_finite(arr: np.ndarray, chunk: int = 8192) -> bool:
    """No NaN or infinity in ``arr``, checked a chunk of rows at a time (a memory-mapped array stays mapped)."""
    arr = np.atleast_1d(arr)
    return all(np.isfinite(arr[s:s + chunk]).all() for s in range(0, len(arr), chunk))


def _identity(path) -> tuple[int, int] | None:
    """(device, inode) of a store directory, which a save changes; None when there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _exchange(a: Path, b: Path) -> bool:
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


def _swap_in(tmp: Path, path: Path) -> None:
    """Make the finished directory ``tmp`` the store at ``path``: a reader always finds a complete store there,
    the old or the new one (an atomic exchange where the OS has one, else two renames in a row)."""
    if path.is_dir() and not path.is_symlink() and _exchange(tmp, path):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the old store
        return
    old = path.with_name(f".{path.name}.old")
    if path.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.replace(path, old)
    os.replace(tmp, path)
    shutil.rmtree(old, ignore_errors=True)


def _remove_dead_saves(path: Path) -> None:
    """Remove what killed saves of ``path`` left beside it: ``.<name>.tmp-<pid>-*`` of processes that no longer run
    (and older nameless ones), and ``.<name>.old``."""
    for leftover in path.parent.glob(f".{path.name}.tmp-*"):
        pid = leftover.name.rsplit(".tmp-", 1)[1].split("-", 1)[0]
        if pid.isdigit() and _alive(int(pid)):
            continue
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.rmtree(path.with_name(f".{path.name}.old"), ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
