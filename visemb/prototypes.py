"""Class prototypes: the ImageNet classifier's weight rows, one 2048-d direction per class noun.

The last layer of an ImageNet ResNet-50 scores a class by a dot product between the avg-pooled feature and a
learnt weight row, so each row is the network's summary of that class's ~1,300 training photos, in the same
space as the photo vectors (Qi, Brown & Lowe 2018, "Low-shot learning with imprinted weights"). A noun that is
one of the 1,000 classes gets ``normalize(photo_mean + weight * normalize(row))``; other nouns keep their photos.
The rows ship next to the ONNX encoder (``<name>.classifier.npz``, float16), so stores can be built without torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from visemb.encoder_spec import EncoderSpec
from visemb.errors import StoreError, WeightsMissingError
from visemb.search import l2_normalize

WNIDS_FILE = Path(__file__).with_name("imagenet_wnids.txt")


@lru_cache(maxsize=1)
def imagenet_wnids() -> tuple[str, ...]:
    """The 1,000 ImageNet-1k class ids in class-index order (sorted WordNet ids, e.g. ``n01440764`` = tench)."""
    return tuple(WNIDS_FILE.read_text().split())


@dataclass(frozen=True)
class ClassPrototypes:
    """Unit-length classifier rows keyed by ImageNet id, and the network they come from."""

    wnids: tuple[str, ...]
    vectors: np.ndarray
    network_sha256: str | None

    def get(self, wnid: str | None) -> np.ndarray | None:
        """The prototype of ``wnid``, or None when it is not a class of the classifier."""
        i = self._index.get(wnid) if wnid else None
        return None if i is None else self.vectors[i]

    @cached_property
    def _index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.wnids)}


def mix_prototype(photo_vector: np.ndarray, prototype: np.ndarray | None, weight: float) -> np.ndarray:
    """``normalize(normalize(photo_vector) + weight * prototype)``; the photo vector alone when there is none."""
    v = l2_normalize(np.asarray(photo_vector, np.float32))
    if prototype is None or weight <= 0:
        return v
    return l2_normalize(v + weight * l2_normalize(np.asarray(prototype, np.float32)))


def classifier_path(spec: EncoderSpec) -> Path:
    """Where an ONNX encoder's classifier rows live: next to the ``.onnx`` file."""
    return Path(spec.weights_name).with_suffix(".classifier.npz")


def save_prototypes(weight_rows: np.ndarray, path: str | Path, network_sha256: str | None) -> None:
    """Write the classifier rows (float16) with their class ids and network checksum, atomically."""
    rows = np.asarray(weight_rows)
    if rows.shape[0] != len(imagenet_wnids()):
        raise ValueError(f"expected {len(imagenet_wnids())} classifier rows, got {rows.shape[0]}")
    import io

    from visemb.fileio import atomic_write_bytes

    buf = io.BytesIO()
    np.savez_compressed(buf, wnids=np.array(imagenet_wnids()), weight=rows.astype(np.float16),
                        network_sha256=np.array(network_sha256 or ""))
    atomic_write_bytes(path, buf.getvalue())


def load_classifier(spec: EncoderSpec) -> tuple[tuple[str, ...], np.ndarray]:
    """The raw classifier rows of ``spec``'s network, [1000, dim] float32, and their class ids (the ONNX sidecar
    file, or the torch weights' ``fc``): dotted with a raw feature they give the network's own class logits.

    Raises:
        WeightsMissingError: the classifier rows are not available (names how to provide them).
        StoreError: the file is unreadable or belongs to another network.
    """
    if spec.weights == "onnx-file":
        path = classifier_path(spec)
        if not path.is_file():
            raise WeightsMissingError(
                f"Classifier rows not found at {path}. Re-export the encoder (`python -m precompute export-onnx`, "
                "which writes them next to the .onnx file), or build without class prototypes "
                "(--prototype-weight 0).")
        try:
            with np.load(path) as z:
                wnids, rows, network = tuple(str(w) for w in z["wnids"]), z["weight"], str(z["network_sha256"])
        except (OSError, ValueError, KeyError) as exc:
            raise StoreError(f"{path}: not a readable classifier file ({exc})") from exc
        if spec.network_sha256 and network != spec.network_sha256:
            raise StoreError(f"{path} belongs to network {network[:12]}…, not the encoder's "
                             f"{spec.network_sha256[:12]}…; re-export the encoder")
        return wnids, np.asarray(rows, np.float32)
    from visemb.encoder import torch_state_dict

    return imagenet_wnids(), torch_state_dict(spec)["fc.weight"].float().numpy()


def load_prototypes(spec: EncoderSpec) -> ClassPrototypes:
    """The class prototypes of ``spec``'s network: its classifier rows (:func:`load_classifier`) at unit length."""
    wnids, rows = load_classifier(spec)
    network = spec.network_sha256
    return ClassPrototypes(wnids, l2_normalize(rows), network or None)
