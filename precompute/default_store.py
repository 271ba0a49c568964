"""The embedded default store, built from ../shared with one command: ``python -m precompute default``.

- Nouns: the 1,000 ImageNet classes and every WordNet ancestor of them (an ancestor pools its descendants).
- Store photos: the ``imagenet-samples`` set of ``shared/photos`` (one full-size photo per class). Adding the
  64x64 ``tiny-imagenet-val`` photos was measured: it wins held-out retrieval slightly but loses leave-class-out
  and word similarity (README, "Evaluation"), so it is not the default.
- Held out: every ``ilsvrc2012-val`` photo (1,300 photos of 725 classes) stays out of the store; they are the
  evaluation's queries and, shipped re-encoded under ``offline/``, the app's offline image source.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from precompute.config import PipelineConfig
from precompute.errors import PipelineError
from precompute.journal import atomic_write_bytes

STORE_SETS = ("imagenet-samples",)
HELD_OUT_SET = "ilsvrc2012-val"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "data" / "default"


def shared_paths(shared: Path) -> dict[str, Path]:
    """Where the default build finds its inputs; exits with a clear message when ``shared`` lacks them."""
    paths = {"labels": shared / "photos" / "labels.csv",
             "weights": shared / "weights" / "resnet50_keras_imagenet_tv.pth",
             "nltk": shared / "wordnet" / "nltk_data", "babel": shared / "multilingual" / "babel-imagenet" /
             "babel_imagenet.json", "omw": shared / "multilingual" / "omw"}
    missing = [f"{k}: {v}" for k, v in paths.items() if not v.exists()]
    if missing:
        raise PipelineError("The default build needs the shared data folder (--shared). Missing: " + "; ".join(missing))
    return paths


def use_shared(shared: Path) -> dict[str, Path]:
    """Point NLTK and the torch weights at ``shared`` for this process (unless already set)."""
    paths = shared_paths(shared)
    os.environ.setdefault("NLTK_DATA", str(paths["nltk"]))
    os.environ.setdefault("VISEMB_WEIGHTS", str(paths["weights"]))
    return paths


def default_config(shared: Path, limit: int | None = None, projections=("pca", "tsne", "umap"),
                   without: tuple[str, ...] = ()) -> PipelineConfig:
    """The shipped store's settings (``without``: nouns left out, WordNet ids or synset names); it is embedded with
    the app's own ONNX encoder on every machine, so the same build gives the same vectors everywhere."""
    paths = shared_paths(shared)
    return PipelineConfig(vocabulary="imagenet", labels_csv=str(paths["labels"]), sets=STORE_SETS, ancestors=True,
                          without=tuple(without),
                          source="labelled", images_per_noun=64, partitions=4, limit=limit, center=False,
                          projections=tuple(projections), encoder="resnet50-keras-onnx", backend="onnx", batch_size=8)


def held_out_rows(labels_csv: Path, wnids: set[str] | None = None) -> list[dict]:
    """The held-out photos (never in the default store), optionally restricted to some classes."""
    with open(labels_csv, encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f) if r["set"] == HELD_OUT_SET and (wnids is None or r["wnid"] in wnids)]


def write_offline_pack(shared: Path, out: Path, wnids: set[str], store_synsets: set[str], max_side: int = 256) -> int:
    """Re-encode the held-out photos of ``wnids`` and the foreign labels of ``store_synsets`` into ``out``."""
    from PIL import Image

    from visemb.lexicon.foreign_labels import ForeignLabels
    from visemb.lexicon.nouns import PACK_NAME, write_pack
    from visemb.vocabulary import wnid_of
    from visemb.wordnet_data import wordnet

    paths = shared_paths(shared)
    photo_dir = out / "photos"
    photo_dir.mkdir(parents=True, exist_ok=True)
    rows = held_out_rows(paths["labels"], wnids)
    lines = ["path,wnid,set"]
    for r in rows:
        name = Path(r["path"]).stem + ".jpg"
        target = photo_dir / name
        if not target.is_file():
            img = Image.open(paths["labels"].parent / r["path"]).convert("RGB")
            img.thumbnail((max_side, max_side))
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=85, optimize=True)
            atomic_write_bytes(target, buf.getvalue())
        lines.append(f"photos/{name},{r['wnid']},{HELD_OUT_SET}")
    atomic_write_bytes(out / "labels.csv", ("\n".join(lines) + "\n").encode())
    with open(paths["labels"], encoding="utf-8", newline="") as f:
        class_wnids = sorted({r["wnid"] for r in csv.DictReader(f)})
    foreign = ForeignLabels.from_babel_imagenet(paths["babel"], class_wnids)
    ForeignLabels.from_omw(sorted(paths["omw"].glob("*/wn-data-*.tab")), into=foreign)
    wn = wordnet()
    foreign.restricted_to({wnid_of(wn.synset(n)) for n in store_synsets}).save_tsv(out / "foreign_labels.tsv.gz")
    write_pack(out / PACK_NAME)
    return len(rows)
