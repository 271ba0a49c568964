"""Stage 2: images for each unit of a partition, one journal line per unit (resumable)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from tqdm import tqdm

from precompute.config import PipelineConfig
from precompute.journal import Journal

logger = logging.getLogger(__name__)


def make_source(cfg: PipelineConfig):
    from visemb.sources import get_source

    options = dict(cfg.source_options)
    if cfg.source == "labelled":
        options.setdefault("labels_csv", cfg.labels_csv)
        if cfg.sets:
            options.setdefault("sets", tuple(cfg.sets))
        options["exclude"] = frozenset(options.get("exclude", ()))
    return get_source(cfg.source, **options)


def fetch_done(journal: Journal) -> dict[int, dict]:
    """Units already fetched, final outcomes only ('unavailable' is retried on the next run)."""
    return {r["unit"]: r for r in journal if r.get("status") in ("ok", "no_images")}


def fetch_stage(cfg: PipelineConfig, vocab: dict, units: range, part_dir: Path) -> dict[int, dict]:
    """Fetch images for ``units`` that have no final journal line yet; return every unit's record."""
    from visemb.errors import NoImagesError, SourceUnavailableError, VisembError

    journal = Journal(part_dir / "fetch.jsonl")
    done = fetch_done(journal)
    todo = [u for u in units if u not in done]
    if todo:
        source = make_source(cfg)
        image_root = part_dir / "images"
        for u in tqdm(todo, desc=f"fetch {part_dir.name}", unit="noun", leave=False):
            unit = vocab["units"][u]
            dest = image_root / f"{u:07d}"
            shutil.rmtree(dest, ignore_errors=True)  # leftovers of a killed fetch
            try:
                if unit.get("wnid") and hasattr(source, "fetch_class"):
                    result = source.fetch_class(unit["wnid"], cfg.images_per_noun)
                else:
                    result = source.fetch(unit["query"].replace("_", " "), cfg.images_per_noun, dest=dest)
                record = {"unit": u, "status": "ok", "paths": [str(p) for p in result.paths],
                          "notes": result.notes}
            except NoImagesError as exc:
                record = {"unit": u, "status": "no_images", "reason": str(exc), "paths": []}
            except SourceUnavailableError as exc:
                record = {"unit": u, "status": "unavailable", "reason": str(exc), "paths": []}
            except VisembError as exc:
                record = {"unit": u, "status": "no_images", "reason": str(exc), "paths": []}
            journal.append(record)
            if record["status"] != "unavailable":
                done[u] = record
    missing = [u for u in units if u not in done]
    if missing:
        logger.warning("%d unit(s) could not be fetched (source unavailable); rerun to retry", len(missing))
    return done
