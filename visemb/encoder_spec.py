"""Encoder specs: where weights come from, layout, layer and preprocessing — written into every store."""

from __future__ import annotations

import functools
import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal

from visemb.images import Preprocessing

WeightsKind = Literal["torchvision", "torch-file", "onnx-file"]
KERAS_SHA256 = "d9b87ab14e3885f7c83f4c30539cd59e67f65dbf14d73f667ea631d8d9fd51fb"
REPO_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_ONNX = REPO_ROOT / "data" / "default" / "encoder" / "resnet50_keras_v1_fp16w.onnx"


@dataclass(frozen=True)
class EncoderSpec:
    """What defines an encoder's vectors.

    Attributes:
        name: registered name, e.g. ``resnet50-keras``.
        weights: ``torchvision`` (weights by enum name, torchvision's download/cache), ``torch-file`` (a local
            state_dict) or ``onnx-file`` (an exported network).
        weights_name: torchvision enum member (``IMAGENET1K_V2``) or a file path.
        network_sha256: checksum of the network the vectors come from (the original weights file); two specs
            with the same network, layout, layer, preprocessing and test-time augmentation are compatible.
        file_sha256: checksum of the file this spec loads (differs from the network's for an ONNX export).
        layout: ``v1`` (stride-2 in the first 1x1 conv, the MSRA/Keras network) or ``v1.5`` (torchvision).
        layer: ``avgpool`` — the 2048-d average-pooled layer before the classifier.
        tta: test-time augmentation: ``none`` or ``flip`` (mean of the image and its mirror).
    """

    name: str
    weights: WeightsKind
    weights_name: str
    network_sha256: str | None = None
    file_sha256: str | None = None
    layout: Literal["v1", "v1.5"] = "v1.5"
    layer: str = "avgpool"
    dim: int = 2048
    preprocessing: Preprocessing = field(default_factory=Preprocessing)
    tta: Literal["none", "flip"] = "none"

    def identity(self) -> dict:
        """The fields two encoders must share to produce comparable vectors."""
        network = self.network_sha256 or f"torchvision:{self.weights_name}"
        return {"network": network, "layout": self.layout, "layer": self.layer, "dim": self.dim,
                "preprocessing": self.preprocessing.to_dict(), "tta": self.tta}

    def compatible_with(self, other: "EncoderSpec") -> bool:
        return self.identity() == other.identity()

    def differences(self, other: "EncoderSpec") -> list[str]:
        a, b = self.identity(), other.identity()
        return [f"{k}: {a[k]} vs {b[k]}" for k in a if a[k] != b[k]]

    def with_(self, **changes) -> "EncoderSpec":
        return replace(self, **changes)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["preprocessing"] = self.preprocessing.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "EncoderSpec":
        """The spec a store's manifest records.

        Raises:
            ValueError: naming the field that is missing or not of its kind (a store is a stranger's file).
        """
        if not isinstance(d, dict):
            raise ValueError("the record is not a JSON object")
        known = {f for f in cls.__dataclass_fields__}
        d = {k: v for k, v in d.items() if k in known}
        for name in ("name", "weights", "weights_name"):
            if not isinstance(d.get(name), str):
                raise ValueError(f"field {name!r} is missing or not text")
        for name in ("network_sha256", "file_sha256", "layout", "layer", "tta"):
            if name in d and not isinstance(d[name], (str, type(None))):
                raise ValueError(f"field {name!r} is not text")
        if "dim" in d and not (d["dim"].__class__ is int and d["dim"] > 0):
            raise ValueError("field 'dim' is not a positive whole number")
        try:
            d["preprocessing"] = Preprocessing.from_dict(d["preprocessing"])
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ValueError(f"field 'preprocessing' is not a preprocessing record ({type(exc).__name__}: "
                             f"{str(exc)[:80]})") from None
        return cls(**d)


def _keras_weights_path() -> str:
    env = os.environ.get("VISEMB_WEIGHTS")
    if env:
        return env
    return str(REPO_ROOT.parent / "shared" / "weights" / "resnet50_keras_imagenet_tv.pth")


def _registry() -> dict[str, EncoderSpec]:
    """The registered encoders: built once per weights path and shipped-network sidecar (a re-export or another
    ``VISEMB_WEIGHTS`` builds it again)."""
    sidecar = SHIPPED_ONNX.with_suffix(".json")
    stamp = sidecar.stat().st_mtime_ns if sidecar.is_file() else None
    return _registry_of(_keras_weights_path(), stamp)


@functools.lru_cache(maxsize=8)
def _registry_of(weights_path: str, sidecar_stamp: int | None) -> dict[str, EncoderSpec]:
    keras = EncoderSpec("resnet50-keras", "torch-file", weights_path, KERAS_SHA256, KERAS_SHA256, "v1")
    shipped = EncoderSpec("resnet50-keras-onnx", "onnx-file", str(SHIPPED_ONNX), KERAS_SHA256, None, "v1")
    sidecar = SHIPPED_ONNX.with_suffix(".json")
    if sidecar_stamp is not None and sidecar.is_file():  # written by the export beside the network: its checksum
        shipped = EncoderSpec.from_dict({**json.loads(sidecar.read_text()), "weights_name": str(SHIPPED_ONNX)})
    return {
        "resnet50-keras": keras,
        "resnet50-keras-onnx": shipped,
        "resnet50-tv-v1": EncoderSpec("resnet50-tv-v1", "torchvision", "IMAGENET1K_V1"),
        "resnet50-tv-v2": EncoderSpec("resnet50-tv-v2", "torchvision", "IMAGENET1K_V2"),
    }


def encoder_names() -> list[str]:
    """Names accepted by :func:`get_spec`."""
    return list(_registry())


def get_spec(name: str) -> EncoderSpec:
    """The registered spec for ``name``.

    Raises:
        ValueError: naming the registered encoders when ``name`` is unknown.
    """
    reg = _registry()
    if name not in reg:
        raise ValueError(f"Unknown encoder {name!r}; expected one of {list(reg)}")
    return reg[name]
