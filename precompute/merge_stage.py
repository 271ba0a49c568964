"""Stage 4, in five named steps: collect the images, pool them per noun, project to 2-D, cut thumbnails, and
write the store (with its manifest) atomically."""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from precompute.config import PipelineConfig
from precompute.embed_stage import read_embeddings
from precompute.errors import PipelineError
from precompute.vocabulary_stage import vocabulary_stage
from precompute.journal import atomic_write_bytes, atomic_write_json
from visemb.entry import synset_of

logger = logging.getLogger(__name__)
AGGREGATION = ("mean of L2-normalised image vectors per noun; a noun pooling several classes (an ancestor) "
               "takes the mean of its classes' normalised vectors, each class counting once; a noun that is one of the "
               "classifier's classes adds its class prototype (see class_prototypes and visemb.prototypes)")


MAX_CREDITS = 16  # credits kept per noun: its pictures' (a noun pools at most a few dozen)

def mosaic(paths: list[str], size: int) -> bytes | None:
    """A square JPEG of up to four images: 2 side by side for two or three, a 2x2 grid for four (None when
    none can be read). A noun pooling several classes (dog, vehicle) shows several of them."""
    from PIL import Image, ImageOps

    from visemb.images import BadImageError, open_image

    imgs = []
    for path in paths:
        try:
            imgs.append(open_image(path, draft_size=size))
        except (BadImageError, OSError):
            continue
    if not imgs:
        return None
    half = size // 2
    if len(imgs) == 1:
        tiles, shape = [ImageOps.fit(imgs[0], (size, size))], [(0, 0)]
    elif len(imgs) < 4:
        tiles, shape = [ImageOps.fit(im, (half, size)) for im in imgs[:2]], [(0, 0), (half, 0)]
    else:
        tiles, shape = [ImageOps.fit(im, (half, half)) for im in imgs[:4]], [(0, 0), (half, 0), (0, half), (half, half)]
    canvas = Image.new("RGB", (size, size), "white")
    for tile, xy in zip(tiles, shape):
        canvas.paste(tile, xy)
    buf = io.BytesIO()
    canvas.save(buf, "JPEG", quality=80, optimize=True)
    return buf.getvalue()


def diverse_units(center: np.ndarray, unit_vecs: np.ndarray, k: int = 4, trade_off: float = 0.5) -> list[int]:
    """Up to ``k`` indices of ``unit_vecs`` (unit rows) that are near ``center`` and unlike each other: maximal
    marginal relevance, ``cos(center, u) - trade_off * max cos(u, already picked)``; the first is the nearest."""
    relevance = unit_vecs @ center
    picked = [int(np.argmax(relevance))]
    while len(picked) < min(k, len(unit_vecs)):
        redundancy = (unit_vecs @ unit_vecs[picked].T).max(axis=1)
        score = relevance - trade_off * redundancy
        score[picked] = -np.inf
        picked.append(int(np.argmax(score)))
    return picked


def noun_thumbnail(units: list[int], vector: np.ndarray, unit_images: dict[int, list[int]], unit_vec: dict,
                   images: np.ndarray, paths: list[str], size: int) -> bytes | None:
    """A noun's thumbnail: its most typical photo, or for a noun pooling several classes a mosaic of the most
    typical photo of up to four typical, mutually different classes."""
    units = [u for u in units if u in unit_images]
    if len(units) > 1:
        units = [units[i] for i in diverse_units(vector, np.stack([unit_vec[u] for u in units]))]
    chosen = []
    for u in units:
        cand = unit_images[u]
        chosen.append(paths[cand[int(np.argmax(images[cand] @ vector))]])
    return mosaic(chosen, size)


@dataclass
class Images:
    """Every embedded image of a run: unit-normalised vectors, their paths, the rows of each unit, each unit's
    pooled vector, the skipped images, every unit's final fetch record and the backends that embedded them."""

    vectors: np.ndarray
    paths: list[str]
    unit_rows: dict[int, list[int]]
    unit_vec: dict[int, np.ndarray]
    skipped: dict[str, str]
    fetch_records: dict[int, dict]
    backends: list[dict]


def collect_images(work: Path, cfg: PipelineConfig, n_units: int) -> Images:
    """Step 1: read every partition's planned chunks and check that each unit has all its images.

    Raises:
        PipelineError: a partition is unfinished, or a unit's embedded and skipped images do not add up to what
            was fetched for it.
    """
    from precompute.runner import partition_state
    from visemb.search import l2_normalize

    n = cfg.partitions
    states = [partition_state(work, cfg, n_units, p) for p in range(n)]
    unfinished = [s.index for s in states if not (s.dir / "done.json").is_file()]
    if unfinished:
        raise PipelineError(f"partitions not finished: {unfinished}; run `python -m precompute run --work {work} "
                            f"--partition I/{n}` for each (or without --partition for all)")
    unit_rows: dict[int, list[int]] = {}
    vecs, paths, skipped, records, backends = [], [], {}, {}, []
    for state in states:
        emb = read_embeddings(state.dir, state.chunks)
        records.update(state.fetched)
        skipped.update(emb["skipped"])
        backends += [b for b in emb["backends"] if b not in backends]
        for i, u in enumerate(emb["units"]):
            unit_rows.setdefault(int(u), []).append(len(paths) + i)
        if len(emb["vectors"]):
            vecs.append(emb["vectors"])
        paths += emb["paths"]
    for u, r in records.items():
        got = len(unit_rows.get(u, [])) + sum(p in skipped for p in r["paths"])
        if got != len(r["paths"]):
            raise PipelineError(f"unit {u} ({r.get('query', '')}): {got} of its {len(r['paths'])} fetched images were "
                                "embedded or skipped; run the same `python -m precompute run` again")
    images = l2_normalize(np.concatenate(vecs)) if vecs else np.zeros((0, 2048), np.float32)
    unit_vec = {u: l2_normalize(images[rows].mean(axis=0)) for u, rows in unit_rows.items()}
    return Images(images, paths, unit_rows, unit_vec, skipped, records, backends)


def noun_rows(cfg: PipelineConfig, vocab: dict, imgs: Images,
              prototypes) -> tuple[np.ndarray, list[dict], dict[int, int], list]:
    """Step 2: one unit vector per noun with a usable image (photos pooled, ``prototypes`` mixed in when not None);
    returns (vectors, entries, vocabulary index -> store row, nouns without a usable image)."""
    from visemb.prototypes import mix_prototype

    rows, entries, missing, keep_index = [], [], [], {}
    for i, e in enumerate(vocab["entries"]):
        got = [imgs.unit_vec[u] for u in e["units"] if u in imgs.unit_vec]
        if not got:
            reasons = [_why_no_image(vocab["units"][u], imgs.fetch_records.get(u), imgs.skipped) for u in e["units"]]
            missing.append({"key": e["key"], "synset": synset_of(e), "reasons": reasons})
            continue
        keep_index[i] = len(entries)
        photos = got[0] if len(got) == 1 else np.mean(got, axis=0)
        prototype = prototypes.get(e.get("imagenet_id")) if prototypes else None
        rows.append(mix_prototype(photos, prototype, cfg.prototype_weight))  # unit length: normalised there once
        entry = {k: v for k, v in e.items() if k != "units"}
        if prototype is not None:
            entry["class_prototype"] = True
        entry["n_images"] = int(sum(len(imgs.unit_rows.get(u, [])) for u in e["units"]))
        credits = [c for u in e["units"] for c in ((imgs.fetch_records.get(u) or {}).get("credits") or {}).values()]
        if credits:  # who made the noun's pictures, under which licence (a licensed source's): shown with them
            entry["credits"] = credits[:MAX_CREDITS]
        entry["n_classes"] = len(got)
        entries.append(entry)
    if not entries:
        raise PipelineError("no noun got a usable image; see the report: " + json.dumps(missing)[:500])
    _mark_same_photos(entries, [vocab["entries"][i]["units"] for i in keep_index])
    return np.stack(rows).astype(np.float32), entries, keep_index, missing


def projections(work: Path, unit: np.ndarray, methods: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Step 3: 2-D projections of the unit vectors, cached in the work folder under the vectors' checksum (a
    rerun of the merge skips them)."""
    import hashlib

    from visemb.projection import project

    digest = hashlib.sha256(np.ascontiguousarray(unit, np.float32).tobytes()).hexdigest()[:16]
    cache = Path(work) / "merge-cache"
    coords = {}
    for method in methods:
        path = cache / f"{method}-{digest}.npy"
        if path.is_file():
            coords[method] = np.load(path)
            continue
        try:
            coords[method] = project(unit, method)
        except ImportError as exc:
            logger.warning("skipping projection %s: %s", method, exc)
            continue
        buf = io.BytesIO()
        np.save(buf, coords[method])
        atomic_write_bytes(path, buf.getvalue())
    return coords


def thumbnails(cfg: PipelineConfig, entries_units: list[list[int]], vectors: np.ndarray, imgs: Images,
               path_base: Path | None) -> list[bytes | None]:
    """Step 4: one thumbnail per noun (its most typical photo, or a mosaic of its classes); ``vectors``: the nouns'
    unit vectors (step 2)."""
    resolved = [_resolve(p, path_base) for p in imgs.paths]
    return [noun_thumbnail(units, v, imgs.unit_rows, imgs.unit_vec, imgs.vectors, resolved,
                           cfg.thumb_size)
            for units, v in tqdm(list(zip(entries_units, vectors)), desc="thumbnails", unit="noun", leave=False)]


def manifest(cfg: PipelineConfig, imgs: Images, entries: list[dict], coords: dict, prototypes) -> dict:
    """Step 5: what the store records about how it was built (encoder identity and backend included)."""
    from visemb.encoder_spec import get_spec
    from visemb.store import HUBNESS_K

    spec = get_spec(cfg.encoder).to_dict()
    spec["weights_name"] = Path(spec["weights_name"]).name if spec["weights"] != "torchvision" else spec["weights_name"]
    backend = imgs.backends[0] if len(imgs.backends) == 1 else {"backend": "mixed", "precision": "mixed"}
    return {
        "encoder": spec,
        "backend": backend.get("backend"),
        "precision": backend.get("precision", "fp32"),
        "embed_backends": imgs.backends,
        "vocabulary": {k: getattr(cfg, k) for k in ("vocabulary", "rule", "limit", "ancestors", "sets")},
        "source": {"name": cfg.source, "images_per_noun": cfg.images_per_noun},
        "aggregation": AGGREGATION,
        "class_prototypes": {"weight": cfg.prototype_weight, "nouns": sum("class_prototype" in e for e in entries),
                             "network_sha256": prototypes.network_sha256} if prototypes else None,
        "center": bool(cfg.center),
        "hubness": {"k": HUBNESS_K, "use": "CSLS order (2 cos - r, r = this hubness) for neighbour lists; "
                                           "for image queries on request (prefer specific nouns)"},
        "images": int(len(imgs.vectors)),
        "classes": len(imgs.unit_vec),
        "projections": sorted(coords),
    }


def merge_stage(work: Path, cfg: PipelineConfig, out: Path, vector_dtype: str = "float32",
                path_base: Path | None = None) -> dict:
    """Build the store at ``out`` from finished partitions (the five steps above); return the report.

    Raises:
        PipelineError: naming the partitions that are not finished, or a unit whose images do not add up.
    """
    from visemb.store import Store
    from visemb.map_layout import views
    from visemb.store_parts import StoreParts

    work = Path(work)
    vocab = vocabulary_stage(work, cfg)
    imgs = collect_images(work, cfg, len(vocab["units"]))
    prototypes = _prototypes(cfg)
    vectors, entries, keep_index, missing = noun_rows(cfg, vocab, imgs, prototypes)
    aliases = {w: [keep_index[r] for r in rs if r in keep_index] for w, rs in vocab["aliases"].items()}
    aliases = {w: rs for w, rs in aliases.items() if rs}
    center = imgs.vectors.mean(axis=0) if cfg.center else None
    store = Store(vectors, entries, aliases=aliases, parts=StoreParts(center=center))
    coords = projections(work, store.unit_vectors, cfg.projections)
    kept_units = [vocab["entries"][i]["units"] for i in keep_index]
    store = store.with_parts(manifest(cfg, imgs, entries, coords, prototypes), hubness=store.compute_hubness(),
                             coords=coords, thumbnails=thumbnails(cfg, kept_units, vectors, imgs, path_base))
    store = store.with_parts(map_overview=views(store))  # the map's full views, so that the app need not compute them
    store.save(out, vector_dtype=vector_dtype)
    report = {"no_usable_image": missing, "entries": len(entries), "images": int(len(imgs.vectors)),
              "skipped_images": imgs.skipped}
    atomic_write_json(work / "report.json", report)
    atomic_write_bytes(work / "report.md", _report_md(report).encode())
    return report


def _prototypes(cfg: PipelineConfig):
    """The encoder's class prototypes when the run mixes them in (``prototype_weight`` > 0), else None."""
    from visemb.encoder_spec import get_spec
    from visemb.errors import VisembError
    from visemb.prototypes import load_prototypes

    if cfg.prototype_weight <= 0:
        return None
    try:
        return load_prototypes(get_spec(cfg.encoder))
    except VisembError as exc:
        raise PipelineError(f"{exc} (class prototypes: --prototype-weight {cfg.prototype_weight:g})") from exc


def _mark_same_photos(entries: list[dict], units: list[list[int]]) -> None:
    """Ancestors pooling exactly the photos of a more specific noun (goldfish -> cyprinid -> …) get
    ``same_photos_as`` = that noun's key; neighbour lists leave them out (their vectors are identical)."""
    from visemb.taxonomy import entry_ancestry

    groups: dict[tuple, list[int]] = {}
    for i, u in enumerate(units):
        groups.setdefault(tuple(u), []).append(i)
    for rows in groups.values():
        if len(rows) < 2:
            continue
        deepest = max(rows, key=lambda r: len(entry_ancestry(entries[r])))  # a kind has more ancestors
        for r in rows:
            if r != deepest:
                entries[r]["same_photos_as"] = entries[deepest]["key"]


def _resolve(path: str, base: Path | None) -> str:
    return str(base / path) if base and not Path(path).is_absolute() else path


def _why_no_image(unit: dict, record: dict | None, skipped: dict[str, str]) -> str:
    if record is None:
        return f"{unit['query']}: not fetched (source unavailable)"
    if record["status"] != "ok":
        return f"{unit['query']}: {record.get('reason', record['status'])}"
    bad = [f"{Path(p).name}: {skipped[p]}" for p in record["paths"] if p in skipped]
    return f"{unit['query']}: all {len(record['paths'])} image(s) unusable ({'; '.join(bad)[:300]})"


def _report_md(report: dict) -> str:
    lines = [f"# Build report\n\n{report['entries']} nouns from {report['images']} images; "
             f"{len(report['skipped_images'])} image(s) skipped; "
             f"{len(report['no_usable_image'])} noun(s) without a usable image.\n"]
    if report["no_usable_image"]:
        lines.append("| noun | why |\n|---|---|")
        lines += [f"| {r['key']} | {'; '.join(r['reasons'])} |" for r in report["no_usable_image"]]
    return "\n".join(lines) + "\n"
