"""Stage 2: images for each unit, in batches of units with one journal each (resumable, idempotent per unit).

Both drivers call :func:`fetch_batch`: the in-process runner one batch after another, the Ray driver as many
concurrent tasks. A batch's journal gets one line per attempt; a unit counts as done once it has a final line
(``ok`` or ``no_images``), so a rerun or a retried task fetches only what is missing and never duplicates a unit.
"""

from __future__ import annotations

import errno
import logging
import os
import random
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from precompute.config import PipelineConfig
from precompute.errors import DiskFullError
from precompute.journal import Journal

logger = logging.getLogger(__name__)
FETCH_BATCH_UNITS = 32  # units per journal (one Ray task each)
FINAL = ("ok", "no_images")


@dataclass(frozen=True)
class FetchPolicy:
    """How hard a fetch tries: ``tries`` per unit with exponential backoff from ``backoff_s`` (jittered, at most
    ``max_backoff_s``) after a source is unavailable (429, 5xx, timeouts); ``threads`` units at once per batch;
    ``rate`` units started per second per batch (0: no limit)."""

    tries: int = 3
    backoff_s: float = 0.5
    max_backoff_s: float = 8.0
    threads: int = 1
    rate: float = 0.0


class RateLimiter:
    """At most ``rate`` starts per second (a thread-safe, evenly spaced token schedule; 0 means no limit)."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        time.sleep(max(0.0, start - now))


def make_source(cfg: PipelineConfig):
    from visemb.sources import get_source

    options = dict(cfg.source_options)
    if cfg.source == "labelled":
        options.setdefault("labels_csv", cfg.labels_csv)
        if cfg.sets:
            options.setdefault("sets", tuple(cfg.sets))
        options["exclude"] = frozenset(options.get("exclude", ()))
    return get_source(cfg.source, **options)


def batches(units: range | list[int]) -> list[list[int]]:
    """The fixed batches of a partition's units (the same on every run, so journals line up on resume)."""
    units = list(units)
    return [units[i:i + FETCH_BATCH_UNITS] for i in range(0, len(units), FETCH_BATCH_UNITS)]


def journal_path(part_dir: Path, batch: list[int]) -> Path:
    return Path(part_dir) / f"fetch-{batch[0]:07d}.jsonl"


def fetch_done(part_dir: Path) -> dict[int, dict]:
    """Every unit of a partition with a final record ('unavailable' is retried on the next run)."""
    done: dict[int, dict] = {}
    for path in sorted(Path(part_dir).glob("fetch*.jsonl")):
        for r in Journal(path):
            if r.get("status") in FINAL:
                done.setdefault(r["unit"], r)
    return done


FULL_DISK_BYTES = 2**20  # less than this free after any unit: the disk is full
LOW_DISK_BYTES = 32 * 2**20  # less than this free after a unit that came back short: the disk, not the noun


def free_bytes(path: Path) -> int:
    """Free bytes on the file system that holds ``path`` (or its nearest existing parent)."""
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


def _mount_of(path: Path) -> Path:
    path = Path(path).resolve()
    while not path.exists() or (not os.path.ismount(path) and path != path.parent):
        path = path.parent
    return path


def check_room(image_root: Path, short: bool) -> None:
    """Raise :class:`DiskFullError` when the disk under ``image_root`` is full, or nearly full after a unit that
    came back ``short`` (fewer images than asked: a write may have failed for want of space)."""
    free = free_bytes(image_root)
    if free < FULL_DISK_BYTES or (short and free < LOW_DISK_BYTES):
        raise DiskFullError(f"No space left on the disk at {_mount_of(image_root)} ({free / 2**20:.1f} MB free, "
                            f"work folder images at {image_root}); nothing was recorded for the noun being fetched. "
                            "Free some space (or use a --work folder on a bigger disk) and rerun to resume.")


def _no_space(exc: OSError) -> bool:
    return exc.errno in (errno.ENOSPC, errno.EDQUOT)


def fetch_unit(source, cfg: PipelineConfig, unit: dict, u: int, image_root: Path, policy: FetchPolicy) -> dict:
    """Fetch one unit's images, retrying an unavailable source with backoff; return its journal record.

    Raises:
        DiskFullError: the disk filled up (what came back is not recorded: it may lack images that were not
            written).
    """
    record = _fetch_unit(source, cfg, unit, u, image_root, policy)
    if record["status"] != "unavailable":
        check_room(image_root, short=len(record["paths"]) < cfg.images_per_noun)
    return record


def _fetch_unit(source, cfg: PipelineConfig, unit: dict, u: int, image_root: Path, policy: FetchPolicy) -> dict:
    from visemb.errors import DiskError, NoImagesError, SourceUnavailableError, VisembError

    dest = Path(image_root) / f"{u:07d}"
    reason = ""
    for attempt in range(policy.tries):
        shutil.rmtree(dest, ignore_errors=True)  # leftovers of a killed or failed try
        try:
            if unit.get("wnid") and hasattr(source, "fetch_class"):
                result = source.fetch_class(unit["wnid"], cfg.images_per_noun)
            else:
                result = source.fetch(unit["query"].replace("_", " "), cfg.images_per_noun, dest=dest)
            record = {"unit": u, "status": "ok", "paths": [str(p) for p in result.paths], "notes": result.notes}
            if result.credits:  # a licensed source's authors, licences and pages, kept beside the pictures
                from dataclasses import asdict

                record["credits"] = {str(p): asdict(c) for p, c in result.credits.items()}
            return record
        except OSError as exc:
            if _no_space(exc):
                check_room(image_root, short=True)
                raise DiskFullError(f"No space left writing {dest} ({exc}); nothing was recorded for the noun "
                                    "being fetched. Free some space and rerun to resume.") from None
            raise
        except DiskError as exc:  # the source's downloads could not be written: the disk, never the noun
            check_room(image_root, short=True)
            raise DiskFullError(f"{exc}; nothing was recorded for the noun being fetched, rerun to resume") from None
        except NoImagesError as exc:
            return {"unit": u, "status": "no_images", "reason": str(exc), "paths": []}
        except SourceUnavailableError as exc:
            reason, wait = str(exc), exc.retry_after or 0.0
        except VisembError as exc:
            return {"unit": u, "status": "no_images", "reason": str(exc), "paths": []}
        if attempt + 1 < policy.tries:
            backoff = min(policy.max_backoff_s, policy.backoff_s * 2 ** attempt) * (0.5 + random.random())
            time.sleep(max(backoff, min(wait, policy.max_backoff_s)))
    return {"unit": u, "status": "unavailable", "reason": reason, "paths": [], "tries": policy.tries}


def fetch_batch(cfg: PipelineConfig, vocab: dict, batch: list[int], part_dir: Path,
                policy: FetchPolicy = FetchPolicy(), source=None, progress=None) -> dict[str, int]:
    """Fetch the units of ``batch`` that have no final record in its journal; return counts by status."""
    journal = Journal(journal_path(part_dir, batch))
    done = {r["unit"] for r in journal if r.get("status") in FINAL}
    todo = [u for u in batch if u not in done]
    counts = {"ok": 0, "no_images": 0, "unavailable": 0, "skipped": len(batch) - len(todo)}
    if not todo:
        return counts
    source = source or make_source(cfg)
    limiter, lock = RateLimiter(policy.rate), threading.Lock()

    def one(u: int) -> None:
        limiter.wait()
        record = fetch_unit(source, cfg, vocab["units"][u], u, Path(part_dir) / "images", policy)
        with lock:
            try:
                journal.append(record)
            except OSError as exc:
                if _no_space(exc):
                    raise DiskFullError(f"No space left writing {journal.path} ({exc}); free some space and rerun "
                                        "to resume.") from None
                raise
            counts[record["status"]] += 1
        if progress:
            progress(1)

    if policy.threads <= 1:
        for u in todo:
            one(u)
    else:
        with ThreadPoolExecutor(policy.threads, thread_name_prefix="fetch") as pool:
            list(pool.map(one, todo))
    return counts


def fetch_stage(cfg: PipelineConfig, vocab: dict, units: range, part_dir: Path,
                policy: FetchPolicy = FetchPolicy()) -> dict[int, dict]:
    """In-process: fetch a partition batch by batch; return every unit's final record."""
    done = fetch_done(part_dir)
    todo_batches = [b for b in batches(units) if any(u not in done for u in b)]
    if todo_batches:
        source = make_source(cfg)
        with tqdm(total=sum(len(b) for b in todo_batches), desc=f"fetch {Path(part_dir).name}", unit="noun",
                  leave=False) as bar:
            for b in todo_batches:
                fetch_batch(cfg, vocab, b, part_dir, policy, source, progress=bar.update)
    done = fetch_done(part_dir)
    missing = [u for u in units if u not in done]
    if missing:
        logger.warning("%d unit(s) could not be fetched (source unavailable); rerun to retry", len(missing))
    return done
