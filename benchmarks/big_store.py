"""A store of the whole seed vocabulary (~40K WordNet nouns), or with ``--all-synsets`` of every WordNet noun synset
(82,115), for benchmarking the app and CLI at scale; never shipped.

Each noun gets the photos the loopback search engine (``precompute.loopback``) returns for it — photos from
``../shared/photos`` of its nearest photographed WordNet relative — embedded once per distinct photo with the
store's ONNX encoder (cached under ``.work/eval-cache``), pooled per noun, hubness and the map's PCA and UMAP
projections computed (``--projections pca`` for a quicker build), a small thumbnail per noun, vectors in float16.
Many nouns share a relative's photos, so many vectors repeat; the sizes, memory and latencies are those of a real
40K store.

    python benchmarks/big_store.py --shared ../shared --out .work/big-store
    python benchmarks/big_store.py --shared ../shared --all-synsets --out .work/all-synsets-store
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def photo_vectors(shared: Path, paths: list[str], cache_dir: Path) -> dict[str, np.ndarray]:
    """Raw encoder vectors of shared photos (relative paths), from the evaluation's cache or embedded now."""
    from visemb.encoder import load_encoder

    cached: dict[str, np.ndarray] = {}
    for f in sorted(cache_dir.glob("vectors-*.npz")):
        with np.load(f, allow_pickle=False) as z:
            for p, v in zip(z["paths"], z["vectors"]):
                cached[Path(str(p)).as_posix().split("photos/", 1)[-1]] = v
    todo = [p for p in paths if p not in cached]
    if todo:
        enc = load_encoder("resnet50-keras-onnx")
        emb = enc.embed([str(shared / "photos" / p) for p in todo])
        for i, v in zip(emb.ok, emb.vectors):
            cached[todo[i]] = v
    return cached


def thumb(path: Path, size: int = 64) -> bytes:
    from visemb.images import open_image

    img = open_image(path, draft_size=size)
    img.thumbnail((size, size))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=75)
    return buf.getvalue()


def every_synset(limit: int | None) -> dict:
    """The vocabulary of every WordNet noun synset, shaped as :func:`precompute.vocabulary_stage.build_vocabulary`'s:
    a unit per synset (its first lemma is the query), an entry per synset with its lemmas, keys and aliases."""
    from tqdm import tqdm

    from precompute.vocabulary_stage import keys_and_aliases
    from visemb.prototypes import imagenet_wnids
    from visemb.vocabulary import noun_for_synset
    from visemb.wordnet_data import wordnet

    wn = wordnet()
    synsets = sorted(wn.all_synsets("n"), key=lambda s: s.name())[:limit]
    ids = frozenset(imagenet_wnids())
    entries = []
    for i, s in enumerate(tqdm(synsets, desc="synsets", unit="synset")):
        noun = noun_for_synset(s, imagenet_ids=ids).to_dict()
        noun.pop("extra", None)
        noun["lemmas"] = [lemma.name().lower() for lemma in s.lemmas()]
        noun["units"] = [i]
        entries.append(noun)
    keys, aliases = keys_and_aliases(entries, wn)
    for e, k in zip(entries, keys):
        e["key"] = k
    units = [{"query": s.lemmas()[0].name(), "synset": s.name()} for s in synsets]
    return {"units": units, "entries": entries, "aliases": aliases}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--shared", default=str(REPO.parent / "shared"))
    p.add_argument("--out", default=str(REPO / ".work" / "big-store"))
    p.add_argument("--images", type=int, default=3, help="photos per noun")
    p.add_argument("--limit", type=int)
    p.add_argument("--projections", default="pca,umap", help="comma-separated: pca, tsne, umap")
    p.add_argument("--all-synsets", action="store_true",
                   help="a row per WordNet noun synset (keyed by its first lemma, or its name when that word's "
                        "commonest sense is another row), not a row per seed word")
    a = p.parse_args()
    shared = Path(a.shared).resolve()
    os.environ.setdefault("NLTK_DATA", str(shared / "wordnet" / "nltk_data"))
    from precompute.config import PipelineConfig
    from precompute.loopback import PhotoIndex
    from precompute.vocabulary_stage import build_vocabulary
    from visemb.encoder_spec import get_spec
    from visemb.projection import project
    from visemb.search import l2_normalize
    from visemb.store import Store
    from visemb.store_parts import StoreParts

    t0 = time.perf_counter()
    vocab = every_synset(a.limit) if a.all_synsets else \
        build_vocabulary(PipelineConfig(vocabulary="wordnet", rule="article", limit=a.limit))
    photos = PhotoIndex(shared / "photos")
    picks = [photos.photos_for(u["query"].replace("_", " "), a.images) for u in vocab["units"]]
    vectors = photo_vectors(shared, sorted({p for ps in picks for p in ps}), REPO / ".work" / "eval-cache")
    unit = {p: l2_normalize(v) for p, v in vectors.items()}
    rows = np.stack([l2_normalize(np.mean([unit[p] for p in ps], axis=0)) for ps in picks]).astype(np.float32)
    entries = [{k: v for k, v in e.items() if k != "units"} | {"n_images": a.images} for e in vocab["entries"]]
    thumbs_by_photo = {p: thumb(shared / "photos" / p) for p in sorted({ps[0] for ps in picks})}
    store = Store(rows, entries, aliases=vocab["aliases"])
    hubness = store.compute_hubness()
    coords = {}
    for proj in a.projections.split(","):
        t = time.perf_counter()
        coords[proj] = project(store.unit_vectors, proj)
        print(f"{proj}: {time.perf_counter() - t:.0f} s", flush=True)
    spec = get_spec("resnet50-keras-onnx").to_dict()
    spec["weights_name"] = Path(spec["weights_name"]).name
    store = Store(rows, entries, aliases=vocab["aliases"],
                  parts=StoreParts(coords=coords, hubness=hubness, thumbnails=[thumbs_by_photo[ps[0]] for ps in picks]),
                  manifest={"encoder": spec, "backend": "onnx", "precision": "fp32",
                            "source": {"name": "loopback", "images_per_noun": a.images},
                            "vocabulary": {"vocabulary": "wordnet", "rule": "synsets" if a.all_synsets else "article",
                                           "limit": a.limit},
                            "images": int(len(vectors)), "projections": sorted(coords),
                            "benchmark_fixture": "benchmarks/big_store.py: never shipped"})
    from visemb.map_layout import views

    store.with_parts(map_overview=views(store)).save(a.out, vector_dtype="float16")  # as a build saves its map
    print(f"{len(store):,} nouns, {len(vectors):,} distinct photos -> {a.out} in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
