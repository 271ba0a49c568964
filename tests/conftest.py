"""Shared fixtures: the ../shared data (skipped with a clear reason when absent), tiny images and stores."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("VISEMB_SHARED", REPO.parent / "shared"))
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

if (SHARED / "wordnet" / "nltk_data").is_dir():
    os.environ.setdefault("NLTK_DATA", str(SHARED / "wordnet" / "nltk_data"))
    os.environ.setdefault("VISEMB_WEIGHTS", str(SHARED / "weights" / "resnet50_keras_imagenet_tv.pth"))

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"needs the shared data folder at {SHARED} "
                                  "(real weights, WordNet, photos); set VISEMB_SHARED to point elsewhere")


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"the shared data folder {SHARED} is absent (set VISEMB_SHARED)")
    return SHARED


def jpeg(color=(200, 30, 30), size=(80, 60)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def image_folder(tmp_path) -> Path:
    """root/<word>/*.jpg for three words, plus a broken file."""
    root = tmp_path / "images"
    for word, color in {"apple": (220, 20, 20), "leaf": (20, 200, 20), "sea": (20, 20, 220)}.items():
        (root / word).mkdir(parents=True)
        for i in range(3):
            (root / word / f"{i}.jpg").write_bytes(jpeg(tuple(max(0, c - 40 * i) for c in color)))
    (root / "apple" / "zz_broken.jpg").write_bytes(b"not a jpeg at all")
    return root


def make_store(n: int = 6, dim: int = 8, seed: int = 0):
    """A tiny store: rows a0..a{n-1} with lemma aliases, a fake encoder spec, coordinates and thumbnails."""
    from visemb.encoder_spec import EncoderSpec
    from visemb.store import Store

    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    vectors[1] = vectors[0] + 0.05 * rng.normal(size=dim)  # a1 is a0's near twin
    entries = [{"key": f"a{i}", "synsets": [f"a{i}.n.01"], "lemmas": [f"a{i}", f"alias{i}"], "gloss": f"gloss {i}",
                "category": "noun.artifact" if i % 2 else "noun.animal"} for i in range(n)]
    spec = EncoderSpec("test-encoder", "onnx-file", "x.onnx", "abc", None, "v1", dim=dim)
    return Store(vectors, entries, manifest={"encoder": spec.to_dict()}, coords={"pca": rng.normal(size=(n, 2))},
                 thumbnails=[jpeg((10 * i, 0, 0), (8, 8)) for i in range(n)])


@pytest.fixture
def tiny_store():
    return make_store()
