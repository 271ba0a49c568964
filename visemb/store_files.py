"""A store's directory on disk: atomic saves, validated loads, memory-mapped thumbnails.

Kept apart from :class:`visemb.store.Store` (as gensim keeps ``SaveLoad`` apart from ``KeyedVectors``). Every file is
listed in ``manifest.json`` with its size and sha256; a load opens only listed files, by plain names inside the
store folder, and checks them. A save writes a new folder beside the old one and swaps it in at once.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import json
import logging
import os
import re
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from visemb.checksum import sha256_file
from visemb.errors import StoreError
from visemb.finite import all_finite
from visemb.folder_swap import identity, remove_dead_saves, swap_in
from visemb.index_file import INDEX_FILE, index_bytes, read_index
from visemb.npz_file import read_npz
from visemb.search import ANN_THRESHOLD, release_pages
from visemb.store_parts import StoreParts, StoreRecord, map_view_misfit
from visemb.thumbnails_file import Thumbnails, write_thumbnails

if TYPE_CHECKING:
    from visemb.store import Store

FORMAT_VERSION = 1
FILES = ("vectors.npy", "entries.json", "aliases.json")  # every store has these
TAXONOMY_FILE = "taxonomy.npz"  # the rows' ancestor table and depths (visemb.taxonomy), computed at build time
MAP_FILE = "map_layout.json"  # per projection, the map's full view (visemb.map_layout.views), as a build computed it
OPTIONAL_FILES = (INDEX_FILE, TAXONOMY_FILE, MAP_FILE)  # checked when read; a damaged one is computed afresh
logger = logging.getLogger(__name__)
VERIFY_LIMIT = 256 * 1024 * 1024  # checksum files up to this size on load; larger ones get a size check
PLAIN_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")  # a file directly inside the store folder


def save_store(store: "Store", path: str | Path, vector_dtype: str = "float32") -> dict:
    """Write ``store`` to the directory ``path`` atomically; returns the manifest written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_dead_saves(path)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-{os.getpid()}-", dir=path.parent))
    try:
        _write_files(store, tmp, vector_dtype)
        manifest = dict(store.manifest)
        manifest.update(format_version=FORMAT_VERSION, entries=len(store), keys=len(store.key_to_index),
                        dim=store.dim, vector_dtype=vector_dtype)
        manifest.setdefault("created", _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
        manifest["files"] = {f.name: {"bytes": f.stat().st_size, "sha256": sha256_file(f)}
                             for f in sorted(tmp.iterdir())}
        write_json(tmp / "manifest.json", manifest)
        swap_in(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def _write_files(store: "Store", folder: Path, vector_dtype: str) -> None:
    """Every file of ``store`` but the manifest, into ``folder``."""
    np.save(folder / "vectors.npy", np.asarray(store.vectors, dtype=vector_dtype))
    _write_index(store, folder, vector_dtype)
    write_json(folder / "entries.json", store.entries)
    np.savez(folder / TAXONOMY_FILE, **store.taxonomy.arrays())
    write_json(folder / "aliases.json", store.aliases)
    if store.coords:
        np.savez(folder / "coords.npz", **{k: np.asarray(v, np.float32) for k, v in store.coords.items()})
        views = {p: v for p, v in store.map_overview.items() if p in store.coords}  # as a build computed them
        if views:
            write_json(folder / MAP_FILE, views)
    if store.center is not None:
        np.save(folder / "center.npy", store.center)
    if store.hubness is not None:
        np.save(folder / "hubness.npy", store.hubness)
    if any(t is not None for t in store.thumbnails):
        offsets = write_thumbnails(folder / "thumbnails.bin", store.thumbnails)
        write_json(folder / "thumbnails.json", offsets)


def read_store(path: str | Path, mmap: bool | None = None, verify: bool = True) -> StoreRecord:
    """A store's directory read and checked (read again when a save replaced it while it was being read); see
    :meth:`visemb.store.Store.load`, which reads it with the cycle collector paused."""
    for _ in range(4):
        before = identity(path)
        try:
            return _read_once(Path(path), mmap, verify)
        except (StoreError, OSError):
            if before is None or identity(path) == before:
                raise  # not a save in between: the store itself is wrong
    return _read_once(Path(path), mmap, verify)


def _read_once(path: Path, mmap: bool | None, verify: bool) -> StoreRecord:
    manifest = read_manifest(path, verify=False)
    files = manifest["files"]
    if verify:
        _verify_listed(path, files, checksums=False)  # sizes first: a truncated file is named, not misread
    listed = lambda n: n in files and (path / n).is_file()  # noqa: E731
    checked = None
    with ThreadPoolExecutor(1, thread_name_prefix="visemb-verify") as pool:
        try:
            vectors = _read_vectors(path, manifest, mmap)
            # checksums and the vectors' finiteness are checked beside the JSON parse (hashlib and numpy release
            # the GIL): a 40K-noun store opens a third of a second sooner on 2 cores
            checked = pool.submit(_check_files, path, files if verify else {}, vectors)
            entries, aliases, coords, center, hubness, thumbs = _read_parts(path, listed, len(vectors))
        except Exception as exc:
            if checked is not None:
                checked.result()  # a damaged file explains a failed parse better than the parse error does
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"{path}: cannot read the store ({type(exc).__name__}: {exc})") from exc
        checked.result()
    _check_parts(path, manifest, vectors, entries, aliases, center, hubness, thumbs)
    release_pages(vectors)  # checked: its pages need not stay resident
    saved = _saved_index(path, files, vectors.shape) if len(vectors) > ANN_THRESHOLD else None
    parts = StoreParts(coords, thumbs, center, hubness, saved, _saved_taxonomy(path, files, len(entries)),
                       _saved_map(path, files, coords, len(entries)))
    return StoreRecord(vectors, entries, manifest, aliases, parts)


def _check_files(path: Path, files: dict, vectors: np.ndarray) -> None:
    """Each listed file's size and checksum (:func:`_verify_listed`), then the vectors' values."""
    _verify_listed(path, files)
    if not all_finite(vectors):
        raise StoreError(f"{path / 'vectors.npy'}: holds NaN or infinite values (corrupt); rebuild the store")


def _optional(path: Path, files: dict, name: str, read, then: str):
    """``read(path / name)`` of an optional store file, checked like any store file first; None when the manifest
    does not list it, and None with a warning (the error, then ``then``) when it is damaged or does not fit: the part
    it holds is computed afresh, never fatal."""
    if name not in files:
        return None
    try:
        _verify_file(path / name, files[name])
        return read(path / name)
    except (StoreError, OSError, ValueError) as exc:
        logger.warning("%s; %s", exc, then)
        return None


MAX_ANCESTORS = 128  # per row, over every hypernym path (WordNet's nouns have at most a few dozen)
MAX_PROJECTIONS = 8


def _saved_index(path: Path, files: dict, shape: tuple[int, int]) -> dict[str, np.ndarray] | None:
    """A big store's saved neighbour index arrays (:mod:`visemb.index_file`), or None: see :func:`_optional`."""
    return _optional(path, files, INDEX_FILE, lambda f: read_index(f, *shape),
                     "the neighbour index is built afresh (rebuild the store to save it again)")


def _saved_taxonomy(path: Path, files: dict, rows: int) -> dict[str, np.ndarray] | None:
    """The store's saved taxonomy arrays (:meth:`visemb.taxonomy.Taxonomy.arrays`), or None: see :func:`_optional`."""
    from visemb.taxonomy import misfit

    def read(f: Path) -> dict[str, np.ndarray]:
        arrays = read_npz(f, {"owner": rows * MAX_ANCESTORS, "ancestor": rows * MAX_ANCESTORS, "depth": rows})
        why = misfit(arrays, rows)
        if why:
            raise StoreError(f"{f}: {why}")
        return arrays

    return _optional(path, files, TAXONOMY_FILE, read,
                     "the taxonomy is built from the entries (rebuild the store to save it again)")


def _saved_map(path: Path, files: dict, coords: dict, rows: int) -> dict[str, dict]:
    """The map's saved full views, per projection, each checked (:func:`visemb.store_parts.map_view_misfit`); a
    missing or misfit one is left out, with a warning when the file was listed (the app then computes it on first
    view: not fatal)."""
    def read(f: Path) -> dict:
        saved = read_json(f)
        if not isinstance(saved, dict):
            raise StoreError(f"{f}: not a JSON object")
        return saved

    out = {}
    saved = _optional(path, files, MAP_FILE, read, "the map's full view is computed when first shown") or {}
    for proj, view in saved.items():
        why = map_view_misfit(view, rows) if proj in coords else "no such projection"
        if why:
            logger.warning("%s: %s's view: %s; it is computed when first shown", path / MAP_FILE, proj, why)
        else:
            out[proj] = view
    return out


def _write_index(store: "Store", folder: Path, vector_dtype: str) -> None:
    """A big store's neighbour index as arrays (``neighbour_index.npz``), so that opening it skips the k-means; the
    index is trained on the rows as they will be read back (float16 rows stay float16)."""
    from visemb.search import NeighbourIndex, importable

    if len(store) <= ANN_THRESHOLD or not importable("faiss"):
        return
    rows = store.prepare(np.asarray(store.vectors, np.float32))
    arrays = NeighbourIndex(rows.astype(np.float16) if vector_dtype == "float16" else rows, method="ivf").arrays()
    if arrays is not None:
        (folder / INDEX_FILE).write_bytes(index_bytes(arrays))


def read_manifest(path: Path, verify: bool = True) -> dict:
    """A store's manifest, its format and file list checked (and, with ``verify``, each file's size and checksum).

    Raises:
        StoreError: naming what is missing, corrupt or not allowed.
    """
    mpath = path / "manifest.json"
    if not mpath.is_file():
        raise StoreError(f"No store at {path}: {mpath.name} is missing. Build one with `python -m precompute`.")
    manifest = read_json(mpath)
    if not isinstance(manifest, dict):
        raise StoreError(f"{mpath}: not a store manifest (a JSON object is expected)")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise StoreError(f"{mpath}: unknown store format version {version!r} (this visemb reads "
                         f"{FORMAT_VERSION}); upgrade visemb or rebuild the store.")
    files = manifest.get("files", {})
    if not isinstance(files, dict):
        raise StoreError(f"{mpath}: its 'files' list is not readable; rebuild the store")
    for name, info in files.items():
        if not PLAIN_NAME.fullmatch(name) or name == "manifest.json":
            raise StoreError(f"{mpath}: lists {name[:60]!r}, which is not a plain file name inside the store "
                             "folder (corrupt or crafted); rebuild the store")
        if not (isinstance(info, dict) and isinstance(info.get("bytes"), int)
                and isinstance(info.get("sha256"), str)):
            raise StoreError(f"{mpath}: the record of {name!r} lacks its size or checksum; rebuild the store")
    if "encoder" in manifest:
        from visemb.encoder_spec import EncoderSpec

        try:
            EncoderSpec.from_dict(manifest["encoder"])
        except ValueError as exc:
            raise StoreError(f"{mpath}: its 'encoder' record cannot be read: {exc}; rebuild the store") from None
    for name in FILES:
        if name not in files or not (path / name).is_file():
            raise StoreError(f"{path / name}: missing (the store is incomplete; rebuild it)")
    if verify:
        _verify_listed(path, files)
    return manifest


def _verify_listed(path: Path, files: dict, checksums: bool = True) -> None:
    """The size (and checksum) of each file the manifest lists but the optional ones (checked when read: a damaged
    one is computed afresh, not fatal)."""
    for name, info in files.items():
        if name not in OPTIONAL_FILES:
            _verify_file(path / name, info, checksums)


def _verify_file(f: Path, info: dict, checksum: bool = True) -> None:
    if not f.is_file():
        raise StoreError(f"{f}: missing (the store is incomplete; rebuild it)")
    if f.stat().st_size != info["bytes"]:
        raise StoreError(f"{f}: {f.stat().st_size} bytes, manifest says {info['bytes']} (corrupt)")
    if checksum and info["bytes"] <= VERIFY_LIMIT and sha256_file(f) != info["sha256"]:
        raise StoreError(f"{f}: checksum differs from the manifest (corrupt or edited)")


def _read_vectors(path: Path, manifest: dict, mmap: bool | None) -> np.ndarray:
    """The store's vectors: float32 files are memory-mapped; float16 ones too past ANN_THRESHOLD rows, where they
    stay float16 (half the memory of a float32 copy); smaller float16 stores are read into float32."""
    dtype = manifest.get("vector_dtype", "float32")
    use_mmap = dtype in ("float32", "float16") if mmap is None else mmap
    vectors = np.load(path / "vectors.npy", mmap_mode="r" if use_mmap else None)
    if not use_mmap or (vectors.dtype == np.float16 and len(vectors) <= ANN_THRESHOLD):
        vectors = np.asarray(vectors, np.float32)
    return vectors


def _read_parts(path: Path, listed, rows: int) -> tuple:
    """(entries, aliases, coords, center, hubness, thumbnails) of a store of ``rows`` vectors; ``listed(name)``: the
    manifest lists it."""
    entries = read_json(path / "entries.json")
    aliases = read_json(path / "aliases.json")
    coords = {}
    if listed("coords.npz"):
        coords = _fitting_coords(path / "coords.npz", rows)
    center = np.load(path / "center.npy") if listed("center.npy") else None
    hubness = np.load(path / "hubness.npy") if listed("hubness.npy") else None
    thumbs = None
    if listed("thumbnails.json") and listed("thumbnails.bin"):
        thumbs = Thumbnails(path / "thumbnails.bin", read_json(path / "thumbnails.json"))
    return entries, aliases, coords, center, hubness, thumbs


def _fitting_coords(f: Path, rows: int) -> dict[str, np.ndarray]:
    """The projections of ``coords.npz`` that fit the store (``rows`` finite 2-D points each); one that does not is
    left out with a warning (the map offers the others)."""
    coords = {}
    for name, xy in read_npz(f, {}, others=rows * 4).items():  # bounded; a misshapen one is left out below
        if not PLAIN_NAME.fullmatch(name) or len(coords) == MAX_PROJECTIONS:
            why = "not a projection's name" if len(coords) < MAX_PROJECTIONS else "one projection too many"
        elif xy.shape != (rows, 2) or xy.dtype.kind != "f":
            why = f"shape {xy.shape} ({xy.dtype}), not {rows} points of two coordinates"
        elif not all_finite(xy):
            why = "holds NaN or infinite coordinates"
        else:
            coords[name] = xy
            continue
        logger.warning("%s: %s left out: %s (rebuild the store to compute it again)", f, name[:40], why)
    return coords


def _check_parts(path: Path, manifest: dict, vectors, entries, aliases, center, hubness, thumbs) -> None:
    """Raise :class:`StoreError` naming the first part that does not fit the others."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("key"), str)
                                                for e in entries):
        raise StoreError(f"{path / 'entries.json'}: every entry must be an object with a 'key' (corrupt)")
    if not isinstance(aliases, dict):
        raise StoreError(f"{path / 'aliases.json'}: not a JSON object (corrupt)")
    if not _rows_fit(aliases, len(entries)):
        word = next(w for w, rows in aliases.items() if not _rows_fit({w: rows}, len(entries)))
        raise StoreError(f"{path / 'aliases.json'}: alias {str(word)[:60]!r} points past the "
                         f"{len(entries)} rows (corrupt); rebuild the store")
    if vectors.ndim != 2 or len(vectors) != len(entries) or vectors.shape[1] != manifest.get("dim"):
        raise StoreError(f"{path / 'vectors.npy'}: shape {vectors.shape} does not match "
                         f"{len(entries)} entries of dim {manifest.get('dim')}")
    if hubness is not None and hubness.shape != (len(entries),):
        raise StoreError(f"{path / 'hubness.npy'}: shape {hubness.shape} does not match {len(entries)} entries")
    for name, arr in (("hubness.npy", hubness), ("center.npy", center)):  # the vectors': see _check_files
        if arr is not None and not all_finite(arr):
            raise StoreError(f"{path / name}: holds NaN or infinite values (corrupt); rebuild the store")
    if thumbs is not None and len(thumbs) != len(entries):
        raise StoreError(f"{path / 'thumbnails.json'}: {len(thumbs)} thumbnails for {len(entries)} entries")


def _rows_fit(aliases: dict, rows: int) -> bool:
    """Every alias maps to a list of row numbers below ``rows`` (checked as one array: a 40K-noun store has 200K)."""
    lists = list(aliases.values())
    if not all(v.__class__ is list for v in lists):
        return False
    flat = list(itertools.chain.from_iterable(lists))
    if not all(r.__class__ is int for r in flat):  # not bool, float or str
        return False
    return not flat or (min(flat) >= 0 and max(flat) < rows)


def write_json(path: Path, obj) -> None:
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
            try:
                obj[field] = list(map(sys.intern, names))
            except TypeError:  # not all strings: the load's checks say what is wrong
                pass
    if obj.get("category").__class__ is str:
        obj["category"] = sys.intern(obj["category"])
    return obj


def read_json(path: Path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"), object_hook=_shared_names)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(f"{path}: not valid JSON ({exc}); the store is corrupt, rebuild it") from exc
    except RecursionError:
        raise StoreError(f"{path}: nested too deeply to be a store file (corrupt or crafted); rebuild the store") \
            from None
