"""Helpers shared by the tests: paths, the ../shared marker, tiny images and stores."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("VISEMB_SHARED", REPO.parent / "shared"))

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"needs the shared data folder at {SHARED} "
                                  "(real weights, WordNet, photos); set VISEMB_SHARED to point elsewhere")


def _wordnet_found() -> bool:
    from visemb.wordnet_data import wordnet_available

    if SHARED.is_dir() and (SHARED / "wordnet" / "nltk_data").is_dir():
        os.environ.setdefault("NLTK_DATA", str(SHARED / "wordnet" / "nltk_data"))  # as conftest.py sets it
    return wordnet_available()


needs_wordnet = pytest.mark.skipif(not _wordnet_found(), reason="needs WordNet 3.0 (the shared data folder's copy, "
                                   "NLTK_DATA, nltk.download('wordnet') or Debian's wordnet-base)")


def jpeg(color=(200, 30, 30), size=(80, 60)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


def make_store(n: int = 6, dim: int = 8, seed: int = 0):
    """A tiny store: rows a0..a{n-1} with lemma aliases, a fake encoder spec, coordinates and thumbnails."""
    from visemb.encoder_spec import EncoderSpec
    from visemb.store import Store
    from visemb.store_parts import StoreParts

    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    vectors[1] = vectors[0] + 0.05 * rng.normal(size=dim)  # a1 is a0's near twin
    entries = [{"key": f"a{i}", "synsets": [f"a{i}.n.01"], "lemmas": [f"a{i}", f"alias{i}"], "gloss": f"gloss {i}",
                "category": "noun.artifact" if i % 2 else "noun.animal"} for i in range(n)]
    spec = EncoderSpec("test-encoder", "onnx-file", "x.onnx", "abc", None, "v1", dim=dim)
    return Store(vectors, entries, manifest={"encoder": spec.to_dict()},
                 parts=StoreParts(coords={"pca": rng.normal(size=(n, 2))},
                                  thumbnails=[jpeg((10 * i, 0, 0), (8, 8)) for i in range(n)]))


# animal > carnivore > dog > hound > {beagle, basset}; dog > terrier; carnivore > cat; animal > fish > goldfish
DEEP = {"animal": [], "carnivore": ["animal"], "dog": ["animal", "carnivore"],
        "hound": ["animal", "carnivore", "dog"], "beagle": ["animal", "carnivore", "dog", "hound"],
        "basset": ["animal", "carnivore", "dog", "hound"], "terrier": ["animal", "carnivore", "dog"],
        "cat": ["animal", "carnivore"], "fish": ["animal"], "goldfish": ["animal", "fish"]}


def make_deep_store(dim: int = 8, seed: int = 1):
    """A store of :data:`DEEP`'s nouns (the leaves are its photographed classes) with random vectors."""
    import numpy as np

    from visemb.store import Store

    entries = []
    for k, up in DEEP.items():
        path = [f"{a}.n.01" for a in up] + [f"{k}.n.01"]
        leaf = not any(k in v for v in DEEP.values())
        entries.append({"key": k, "synsets": [path[-1]], "hypernyms": path, "ancestors": path[:-1],
                        "n_classes": 1 if leaf else 2})
    rng = np.random.default_rng(seed)
    return Store(rng.normal(size=(len(DEEP), dim)).astype(np.float32), entries)


def clustered_rows(n: int, dim: int, seed: int = 0) -> tuple[np.ndarray, list[dict]]:
    """(float32 vectors in 300 clusters, one entry per row keyed ``k<i>``): a big store's shape for index tests."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(300, dim))
    vectors = (centers[rng.integers(0, 300, n)] + 0.3 * rng.normal(size=(n, dim))).astype(np.float32)
    return vectors, [{"key": f"k{i}", "synsets": [f"k{i}.n.01"]} for i in range(n)]


def dead_pid() -> int:
    """The id of a process that has just exited (a killed writer's, as far as its leftovers can tell)."""
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, timeout=60).stdout)


def flip_byte(path: Path) -> None:
    """Corrupt a file in place: its middle byte inverted."""
    raw = bytearray(Path(path).read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    Path(path).write_bytes(bytes(raw))


def relist(store_dir: Path, name: str) -> None:
    """Re-record a store file's size and checksum in the manifest after editing it, as a crafted store would."""
    import json

    from visemb.checksum import sha256_file

    f = Path(store_dir) / name
    manifest = json.loads((Path(store_dir) / "manifest.json").read_text())
    manifest["files"][name] = {"bytes": f.stat().st_size, "sha256": sha256_file(f)}
    (Path(store_dir) / "manifest.json").write_text(json.dumps(manifest))


def assert_same_onnx(built: Path, shipped: Path) -> None:
    """The same graph and weights, a float16 weight allowed one step apart: folding batch norm into the convolutions
    at export rounds differently on another CPU (seen: a few values in 47 of 106 tensors, each at most one step,
    2**-10 of the value or 1.2e-7 among float16's subnormals)."""
    import onnx
    from onnx import numpy_helper

    a, b = onnx.load(str(built)), onnx.load(str(shipped))
    assert a.graph.node == b.graph.node and a.graph.input == b.graph.input and a.graph.output == b.graph.output
    weights = {t.name: numpy_helper.to_array(t) for t in b.graph.initializer}
    assert sorted(t.name for t in a.graph.initializer) == sorted(weights)
    for tensor in a.graph.initializer:
        got, want = numpy_helper.to_array(tensor), weights[tensor.name]
        assert got.dtype == want.dtype and got.shape == want.shape, tensor.name
        if got.dtype == np.float16:
            got32, want32 = got.astype(np.float32), want.astype(np.float32)
            assert np.allclose(got32, want32, rtol=2 ** -10 * 1.01, atol=1e-6), tensor.name
            assert np.mean(got32 != want32) < 0.01, tensor.name
        else:
            assert np.array_equal(got, want), tensor.name
