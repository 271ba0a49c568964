"""Shared fixtures: the ../shared data (skipped with a clear reason when absent), tiny images and stores."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.helpers import SHARED, jpeg, make_store

# the tests' grown layer: never the user's own (each test that grows names its own folder)
os.environ.setdefault("VISEMB_LAYER", os.path.join(tempfile.mkdtemp(prefix="visemb-test-layer-"), "layer"))

if (SHARED / "wordnet" / "nltk_data").is_dir():
    os.environ.setdefault("NLTK_DATA", str(SHARED / "wordnet" / "nltk_data"))
    os.environ.setdefault("VISEMB_WEIGHTS", str(SHARED / "weights" / "resnet50_keras_imagenet_tv.pth"))


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"the shared data folder {SHARED} is absent (set VISEMB_SHARED)")
    return SHARED


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


@pytest.fixture
def tiny_store():
    return make_store()
