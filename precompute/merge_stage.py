"""Stage 4: pool image vectors per noun, project to 2-D, cut thumbnails and write the store atomically."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import numpy as np
from tqdm import tqdm

from precompute.config import PipelineConfig
from precompute.embed_stage import read_embeddings
from precompute.journal import Journal, atomic_write_bytes, atomic_write_json

logger = logging.getLogger(__name__)
AGGREGATION = ("mean of L2-normalised image vectors per noun; a noun pooling several classes (an ancestor) "
               "takes the mean of its classes' normalised vectors, each class counting once; a noun that is one of the "
               "classifier's classes adds its class prototype (see class_prototypes and visemb.prototypes)")


def partition_dir(work: Path, p: int, n: int) -> Path:
    return Path(work) / "partitions" / f"p{p:04d}-of-{n:04d}"


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


def merge_stage(work: Path, cfg: PipelineConfig, out: Path, vector_dtype: str = "float32",
                path_base: Path | None = None) -> dict:
    """Build the store at ``out`` from finished partitions; return the report.

    Raises:
        SystemExit: naming the partitions that are not finished.
    """
    from visemb.encoder_spec import get_spec
    from visemb.projection import project
    from visemb.prototypes import mix_prototype
    from visemb.search import l2_normalize
    from visemb.store import HUBNESS_K, Store

    work = Path(work)
    vocab = json.loads((work / "vocab.json").read_text(encoding="utf-8"))
    n = cfg.partitions
    unfinished = [p for p in range(n) if not (partition_dir(work, p, n) / "done.json").is_file()]
    if unfinished:
        raise SystemExit(f"partitions not finished: {unfinished}; run `python -m precompute run --work {work} "
                         f"--partition I/{n}` for each (or without --partition for all)")
    unit_images: dict[int, list[int]] = {}
    all_vecs, all_paths, skipped, fetch_records = [], [], {}, {}
    offset = 0
    for p in range(n):
        pdir = partition_dir(work, p, n)
        vecs, units, paths, sk = read_embeddings(pdir)
        skipped.update(sk)
        for r in Journal(pdir / "fetch.jsonl"):
            fetch_records[r["unit"]] = r
        for i, u in enumerate(units):
            unit_images.setdefault(int(u), []).append(offset + i)
        if len(vecs):
            all_vecs.append(vecs)
        all_paths += paths
        offset += len(paths)
    images = l2_normalize(np.concatenate(all_vecs)) if all_vecs else np.zeros((0, 2048), np.float32)
    unit_vec = {u: l2_normalize(images[rows].mean(axis=0)) for u, rows in unit_images.items()}

    prototypes = _prototypes(cfg)
    rows, entries, report = [], [], {"no_usable_image": []}
    keep_index = {}
    for i, e in enumerate(vocab["entries"]):
        got = [unit_vec[u] for u in e["units"] if u in unit_vec]
        if not got:
            reasons = [_why_no_image(vocab["units"][u], fetch_records.get(u), skipped) for u in e["units"]]
            report["no_usable_image"].append({"key": e["key"], "synset": (e.get("synsets") or [None])[0],
                                              "reasons": reasons})
            continue
        keep_index[i] = len(entries)
        photos = got[0] if len(got) == 1 else l2_normalize(np.mean(got, axis=0))
        prototype = prototypes.get(e.get("imagenet_id")) if prototypes else None
        rows.append(mix_prototype(photos, prototype, cfg.prototype_weight))
        entry = {k: v for k, v in e.items() if k != "units"}
        if prototype is not None:
            entry["class_prototype"] = True
        entry["n_images"] = int(sum(len(unit_images.get(u, [])) for u in e["units"]))
        entry["n_classes"] = len(got)
        entries.append(entry)
    if not entries:
        raise SystemExit("no noun got a usable image; see the report: " + json.dumps(report)[:500])
    _mark_same_photos(entries, [vocab["entries"][i]["units"] for i in keep_index])
    vectors = np.stack(rows).astype(np.float32)
    aliases = {w: [keep_index[r] for r in rs if r in keep_index] for w, rs in vocab["aliases"].items()}
    aliases = {w: rs for w, rs in aliases.items() if rs}
    center = images.mean(axis=0) if cfg.center else None
    store = Store(vectors, entries, aliases=aliases, center=center)
    unit = store.unit_vectors
    hubness = store.compute_hubness()
    coords = {}
    for method in cfg.projections:
        try:
            coords[method] = project(unit, method)
        except ImportError as exc:
            logger.warning("skipping projection %s: %s", method, exc)
    thumbs = []
    kept_entries = [e for i, e in enumerate(vocab["entries"]) if i in keep_index]
    resolved = [_resolve(p, path_base) for p in all_paths]
    for e, v in tqdm(list(zip(kept_entries, vectors)), desc="thumbnails", unit="noun", leave=False):
        thumbs.append(noun_thumbnail(e["units"], l2_normalize(v), unit_images, unit_vec, images, resolved,
                                     cfg.thumb_size))
    spec = get_spec(cfg.encoder).to_dict()
    spec["weights_name"] = Path(spec["weights_name"]).name if spec["weights"] != "torchvision" else spec["weights_name"]
    store = Store(vectors, entries, aliases=aliases, coords=coords, thumbnails=thumbs, center=center, hubness=hubness,
                  manifest={
        "encoder": spec,
        "backend": cfg.backend or ("onnx" if spec["weights"] == "onnx-file" else "torch"),
        "precision": cfg.precision if cfg.backend == "torch" else "fp32",
        "vocabulary": {k: getattr(cfg, k) for k in ("vocabulary", "rule", "limit", "ancestors", "sets")},
        "source": {"name": cfg.source, "images_per_noun": cfg.images_per_noun},
        "aggregation": AGGREGATION,
        "class_prototypes": {"weight": cfg.prototype_weight, "nouns": sum("class_prototype" in e for e in entries),
                             "network_sha256": prototypes.network_sha256} if prototypes else None,
        "center": bool(cfg.center),
        "hubness": {"k": HUBNESS_K, "use": "CSLS order (2 cos - r, r = this hubness) for neighbour lists; "
                                           "for image queries on request (prefer specific nouns)"},
        "images": int(len(images)),
        "classes": len(unit_vec),
        "projections": sorted(coords),
    })
    store.save(out, vector_dtype=vector_dtype)
    report.update(entries=len(entries), images=int(len(images)), skipped_images=skipped)
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
        raise SystemExit(f"{exc} (class prototypes: --prototype-weight {cfg.prototype_weight:g})") from exc


def _mark_same_photos(entries: list[dict], units: list[list[int]]) -> None:
    """Ancestors pooling exactly the photos of a more specific noun (goldfish -> cyprinid -> …) get
    ``same_photos_as`` = that noun's key; neighbour lists leave them out (their vectors are identical)."""
    from visemb.store import entry_ancestry

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
