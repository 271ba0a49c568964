"""A local layer of grown rows beside a shipped store: nouns the store lacks, embedded with the store's own encoder
from pictures a web source fetched, and kept for the next query and the next session.

Layout of the folder: ``CURRENT`` names the live generation; ``gen-<n>/`` holds ``manifest.json`` (format, the
store's encoder spec, row count, the sha256 of the two other files), ``rows.json`` and ``vectors.npy``; ``lock``.
A write builds a new generation beside the live one and then switches ``CURRENT`` atomically, so a writer killed
mid-write leaves the last whole generation live: it opens with a warning naming the unfinished one (the next write
removes it), and no partial row. Writers hold an exclusive lock (``fcntl``) and re-read the live generation first,
so app sessions growing at once lose nothing. At most ``max_rows`` rows: the least recently used go first. A full
disk stops growth with one line (:class:`visemb.errors.DiskError`); the shipped store is never written.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import logging
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from visemb.errors import DiskError, StoreError
from visemb.fileio import atomic_write_text

log = logging.getLogger(__name__)
LAYER_FORMAT = "visemb-grown-layer/1"
DEFAULT_MAX_ROWS = 5000
MAX_ROWS_JSON_BYTES = 256 * 2**20
DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


@dataclass
class GrownRow:
    """One grown noun: its store key, WordNet sense, where its pictures came from, and its vector (the mean of its
    pictures' unit feature vectors, as the store's classes are)."""

    key: str
    synset: str
    wnid: str
    source: str
    vector: np.ndarray = field(repr=False)
    images: list[str] = field(default_factory=list)
    credits: list[dict] = field(default_factory=list)
    used: float = 0.0

    def meta(self) -> dict:
        d = asdict(self)
        d.pop("vector")
        return d


def default_layer_dir(encoder_sha256: str) -> Path:
    """``$VISEMB_LAYER``, else the user's cache (``$XDG_CACHE_HOME/visemb/grown/<encoder>``): one layer per
    encoder, so a layer never mixes two."""
    given = os.environ.get("VISEMB_LAYER")
    if given:
        return Path(given)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "visemb" / "grown" / (encoder_sha256[:16] or "unknown")


class GrownLayer:
    """The rows grown beside one store (see the module's docstring).

    Args:
        folder: where the layer lives (created on the first write).
        encoder: the store's encoder spec (``store.manifest["encoder"]``); a layer written with another is refused.
        max_rows: the most rows kept.
    """

    def __init__(self, folder: str | Path, encoder: dict, max_rows: int = DEFAULT_MAX_ROWS):
        self.folder, self.encoder, self.max_rows = Path(folder), dict(encoder), int(max_rows)
        self.warning: str | None = None
        self._rows: list[GrownRow] = []
        self._touched: dict[str, float] = {}  # key -> when it was last used here, written with the next add
        self._generation: str | None = None
        self.refresh()

    # -- reading -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the live generation when another writer has switched it."""
        live = self._live_name()
        if live == self._generation:
            return
        self._rows, self.warning = self._read(live), self._unfinished_warning(live)
        self._generation = live

    def rows(self) -> list[GrownRow]:
        return list(self._rows)

    def get(self, key: str) -> GrownRow | None:
        return next((r for r in self._rows if r.key == key or r.synset == key), None)

    def __len__(self) -> int:
        return len(self._rows)

    def _live_name(self) -> str | None:
        try:
            name = (self.folder / "CURRENT").read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return name if name.startswith("gen-") and "/" not in name else None

    def _read(self, name: str | None) -> list[GrownRow]:
        if name is None:
            return []
        gen = self.folder / name
        try:
            manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
            raw_rows = (gen / "rows.json").read_bytes()
            raw_vectors = (gen / "vectors.npy").read_bytes()
        except (OSError, ValueError) as exc:
            self.warning = f"the grown layer at {self.folder} could not be read ({exc}); it is left out"
            return []
        if manifest.get("format") != LAYER_FORMAT:
            raise StoreError(f"{gen} is not a visemb grown layer ({LAYER_FORMAT})")
        if manifest.get("encoder", {}).get("file_sha256") != self.encoder.get("file_sha256") or \
                manifest.get("encoder", {}).get("name") != self.encoder.get("name"):
            raise StoreError(f"The grown layer at {self.folder} was embedded with another encoder "
                             f"({manifest.get('encoder', {}).get('name')!r}) than the store's "
                             f"({self.encoder.get('name')!r}); point VISEMB_LAYER elsewhere or remove it")
        if (hashlib.sha256(raw_rows).hexdigest() != manifest.get("rows_sha256")
                or hashlib.sha256(raw_vectors).hexdigest() != manifest.get("vectors_sha256")
                or len(raw_rows) > MAX_ROWS_JSON_BYTES):
            log.warning("the grown layer at %s does not match its checksums; it is left out", gen)
            return []
        metas = json.loads(raw_rows.decode("utf-8"))
        vectors = np.load(io.BytesIO(raw_vectors), allow_pickle=False)
        if len(metas) != len(vectors) or vectors.ndim != 2:
            return []
        return [GrownRow(vector=np.asarray(v, np.float32), **m) for m, v in zip(metas, vectors)]

    def _unfinished_warning(self, live: str | None) -> str | None:
        unfinished = sorted(p.name for p in self._generations() if p.name != live and _number(p.name) >
                            _number(live or "gen-0"))
        if unfinished:
            return (f"an unfinished write of the grown layer ({unfinished[-1]}) was left out; the layer opens as it "
                    "was before it")
        return self.warning

    def _generations(self) -> list[Path]:
        return [p for p in self.folder.glob("gen-*") if p.is_dir()] if self.folder.is_dir() else []

    # -- writing -----------------------------------------------------------------------------------
    def add(self, rows: Iterable[GrownRow]) -> None:
        """Add ``rows`` (a key already grown is replaced), keeping the ``max_rows`` most recently used.

        Raises:
            DiskError: the disk under the layer is full (growth stops; nothing already grown is lost).
        """
        rows = list(rows)
        now = time.time()
        for r in rows:
            r.used = r.used or now
        self._write(lambda live: [*[r for r in live if r.key not in {x.key for x in rows}], *rows])

    def touch(self, keys: Iterable[str]) -> None:
        """Mark rows as used now (they are the last to be evicted); kept in memory and written with the next
        :meth:`add`, so that serving a row from the layer writes nothing."""
        now = time.time()
        for key in keys:
            self._touched[key] = now
        for r in self._rows:
            if r.key in self._touched:
                r.used = max(r.used, self._touched[r.key])

    def _write(self, change) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with self._locked():
                live = self._live_name()
                rows = change(self._read(live))
                for r in rows:
                    r.used = max(r.used, self._touched.get(r.key, 0.0))
                rows = sorted(rows, key=lambda r: -r.used)[: self.max_rows]
                name = f"gen-{_number(live or 'gen-0') + 1:08d}"
                self._write_generation(self.folder / name, rows)
                atomic_write_text(self.folder / "CURRENT", name)
                for old in self._generations():  # the one before stays for readers still on it
                    if _number(old.name) < _number(name) - 1:
                        shutil.rmtree(old, ignore_errors=True)
        except OSError as exc:
            if exc.errno in DISK_FULL:
                raise DiskError(f"No room to grow the local layer at {self.folder} ({exc.strerror}): growth stopped; "
                                "the shipped store is untouched") from None
            raise
        self._rows, self._generation, self.warning = rows, name, None

    def _write_generation(self, gen: Path, rows: list[GrownRow]) -> None:
        shutil.rmtree(gen, ignore_errors=True)
        gen.mkdir()
        try:
            dim = len(rows[0].vector) if rows else 0
            vectors = np.stack([r.vector for r in rows]).astype(np.float32) if rows else np.zeros((0, dim), np.float32)
            buf = io.BytesIO()
            np.save(buf, vectors, allow_pickle=False)
            raw_vectors = buf.getvalue()
            raw_rows = json.dumps([r.meta() for r in rows], ensure_ascii=False).encode("utf-8")
            manifest = {"format": LAYER_FORMAT, "encoder": self.encoder, "rows": len(rows),
                        "rows_sha256": hashlib.sha256(raw_rows).hexdigest(),
                        "vectors_sha256": hashlib.sha256(raw_vectors).hexdigest()}
            for file, data in (("vectors.npy", raw_vectors), ("rows.json", raw_rows),
                               ("manifest.json", json.dumps(manifest, indent=1).encode())):
                with open(gen / file, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            raise

    @contextmanager
    def _locked(self) -> Iterator[None]:
        import fcntl

        with open(self.folder / "lock", "a+b") as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def _number(name: str) -> int:
    try:
        return int(name.split("-", 1)[1])
    except (IndexError, ValueError):
        return 0

