"""ResNet-50 feature extractors behind one interface: torch (the reference) and ONNX Runtime (the app's)."""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from visemb.checksum import verify_sha256
from visemb.encoder_spec import EncoderSpec, get_spec
from visemb.errors import WeightsMissingError
from visemb.images import ImageInput, load_batch

BACKENDS = ("onnx", "torch")


@dataclass
class Embedding:
    """Result of embedding several images.

    Attributes:
        vectors: float32 [n_ok, dim], one row per image that could be read, in input order.
        ok: input indices of those rows.
        skipped: {input index: reason} for images that were broken, truncated, too big or not images.
        sizes: ``(width, height)`` of each row's image as decoded.
    """

    vectors: np.ndarray
    ok: list[int]
    skipped: dict[int, str] = field(default_factory=dict)
    sizes: list[tuple[int, int]] = field(default_factory=list)


class Encoder:
    """Common part: batching, skipping bad images, flip TTA. Backends implement :meth:`_forward`."""

    backend = "?"

    def __init__(self, spec: EncoderSpec, batch_size: int = 8):
        self.spec = spec
        self.batch_size = batch_size
        self._lock = threading.Lock()

    def _forward(self, batch: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def forward(self, batch: np.ndarray) -> np.ndarray:
        """Preprocessed batch [n,3,H,W] -> features [n, dim] (with the spec's test-time augmentation)."""
        with self._lock:
            out = self._forward(batch)
            if self.spec.tta == "flip":
                out = (out + self._forward(np.ascontiguousarray(batch[..., ::-1]))) / 2
        return out.astype(np.float32, copy=False)

    def embed(self, items: Sequence[ImageInput], progress: Callable[[int, int], None] | None = None) -> Embedding:
        """Embed images (paths, bytes or PIL images), skipping unusable ones with a reason.

        Args:
            items: the images.
            progress: called as ``progress(done, total)`` after each batch.
        """
        chunks, ok_all, skipped_all, sizes = [], [], {}, []
        for start in range(0, len(items), self.batch_size):
            part = items[start:start + self.batch_size]
            batch, ok, skipped = load_batch(part, self.spec.preprocessing, sizes)
            if len(ok):
                chunks.append(self.forward(batch))
            ok_all += [start + i for i in ok]
            skipped_all.update({start + i: r for i, r in skipped.items()})
            if progress:
                progress(min(start + len(part), len(items)), len(items))
        vectors = np.concatenate(chunks) if chunks else np.zeros((0, self.spec.dim), np.float32)
        return Embedding(vectors, ok_all, skipped_all, sizes)


class OnnxEncoder(Encoder):
    """ONNX Runtime on CPU: what the app uses (no torch import, half the memory)."""

    backend = "onnx"

    def __init__(self, spec: EncoderSpec, batch_size: int = 8, threads: int | None = None, low_memory: bool = False):
        """``low_memory``: no memory arena (with batch 1: about 100 MB less resident, same speed here)."""
        super().__init__(spec, batch_size)
        path = Path(spec.weights_name)
        if not path.is_file():
            raise WeightsMissingError(
                f"ONNX encoder file not found: {path}. It ships in the repository (data/default/encoder); "
                "restore it with `git checkout -- data/default/encoder`, or rebuild it with "
                "`python -m precompute export-onnx` (needs torch and the ResNet-50 weights)."
            )
        verify_sha256(path, spec.file_sha256)
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or os.cpu_count() or 1
        opts.log_severity_level = 3
        if low_memory:
            opts.enable_cpu_mem_arena = False
        self._session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name
        self.low_memory = low_memory
        if low_memory:
            release_free_memory()

    def embed(self, items, progress=None) -> Embedding:
        out = super().embed(items, progress)
        if self.low_memory:
            release_free_memory()
        return out

    def _forward(self, batch: np.ndarray) -> np.ndarray:
        return self._session.run(None, {self._input: batch.astype(np.float32, copy=False)})[0]


def release_free_memory() -> None:
    """Give freed heap pages back to the OS (glibc's malloc_trim); a no-op elsewhere."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class TorchEncoder(Encoder):
    """The torchvision reference; also what the ONNX file is exported from."""

    backend = "torch"

    def __init__(self, spec: EncoderSpec, batch_size: int = 8, precision: str = "fp32", device: str = "cpu",
                 channels_last: bool | None = None, model=None):
        """``channels_last`` defaults to on for bf16 and GPUs; ``model`` reuses an already built network."""
        super().__init__(spec, batch_size)
        import torch

        self.torch = torch
        self.precision = precision
        self.device = device
        self.channels_last = (precision == "bf16" or device != "cpu") if channels_last is None else channels_last
        self.model = (model if model is not None else build_torch_resnet50(spec)).to(device).eval()
        if self.channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)

    def _forward(self, batch: np.ndarray) -> np.ndarray:
        torch = self.torch
        x = torch.from_numpy(np.ascontiguousarray(batch)).to(self.device)
        if self.channels_last:
            x = x.to(memory_format=torch.channels_last)
        with torch.inference_mode():
            if self.precision == "bf16":
                with torch.autocast(self.device.split(":")[0], dtype=torch.bfloat16):
                    out = self.model(x)
            else:
                out = self.model(x)
        return out.float().cpu().numpy()


def build_torch_resnet50(spec: EncoderSpec, state_dict: dict | None = None):
    """A torchvision ResNet-50 with the spec's weights (or ``state_dict``, already loaded by
    :func:`torch_state_dict`) and layout whose forward returns avg-pooled features.

    Raises:
        WeightsMissingError: weights file absent or torchvision's download impossible (offline).
    """
    import torchvision

    if spec.layer != "avgpool":
        raise ValueError(f"Unsupported layer {spec.layer!r}; expected 'avgpool'")
    model = torchvision.models.resnet50(weights=None)
    model.load_state_dict(state_dict if state_dict is not None else torch_state_dict(spec), strict=True)
    return as_feature_extractor(model, spec.layout)


def torch_state_dict(spec: EncoderSpec) -> dict:
    """The spec's torchvision ResNet-50 state_dict (classifier included), checksum-verified.

    Raises:
        WeightsMissingError: weights file absent or torchvision's download impossible (offline).
    """
    import torch
    import torchvision

    if spec.weights == "torch-file":
        path = Path(spec.weights_name)
        if not path.is_file():
            raise WeightsMissingError(
                f"ResNet-50 weights not found at {path}. Set VISEMB_WEIGHTS to the state_dict file "
                "(resnet50_keras_imagenet_tv.pth, sha256 d9b87ab1…), or use a torchvision encoder "
                "(--encoder resnet50-tv-v2) on a machine with a network."
            )
        verify_sha256(path, spec.file_sha256)
        return torch.load(path, map_location="cpu", weights_only=True)
    if spec.weights == "torchvision":
        return _torchvision_state_dict(torchvision.models.ResNet50_Weights[spec.weights_name])
    raise ValueError(f"{spec.name}: weights kind {spec.weights!r} is not a torch network")


def as_feature_extractor(model, layout: str = "v1.5"):
    """A torchvision ResNet-50 in the given stride layout, returning average-pooled features (fc removed)."""
    import torch

    if layout == "v1":  # MSRA/Keras ResNet v1: the stride-2 sits in the first 1x1 conv of layers 2-4
        for layer in (model.layer2, model.layer3, model.layer4):
            layer[0].conv1.stride = (2, 2)
            layer[0].conv2.stride = (1, 1)
    model.fc = torch.nn.Identity()
    return model


def _torchvision_state_dict(enum) -> dict:
    """torchvision's weights through its normal cache/download, failing fast and clearly when offline."""
    import torch

    hub_dir = Path(torch.hub.get_dir()) / "checkpoints"
    cached = hub_dir / os.path.basename(enum.url)
    if cached.is_file():
        return torch.load(cached, map_location="cpu", weights_only=True)
    host = enum.url.split("/")[2]
    try:
        socket.create_connection((host, 443), timeout=5).close()
    except OSError as exc:
        raise WeightsMissingError(
            f"Cannot download torchvision weights {enum} from {host} ({exc}). With no network, copy "
            f"{os.path.basename(enum.url)} into {hub_dir}, or use the shipped encoder (resnet50-keras-onnx)."
        ) from exc
    return enum.get_state_dict(progress=True, check_hash=True)


_CACHE: dict[tuple, Encoder] = {}
_CACHE_LOCK = threading.Lock()


def load_encoder(spec: EncoderSpec | str = "resnet50-keras-onnx", backend: str | None = None, **kwargs) -> Encoder:
    """Load an encoder once per process (later calls with the same arguments return the same object).

    Args:
        spec: a spec or a registered name.
        backend: ``onnx`` or ``torch``; default: ``onnx`` for ONNX files, ``torch`` otherwise.
        **kwargs: passed to the backend (batch_size, threads, precision, device).
    """
    if isinstance(spec, str):
        spec = get_spec(spec)
    backend = backend or ("onnx" if spec.weights == "onnx-file" else "torch")
    if backend not in BACKENDS:
        raise ValueError(f"Unknown backend {backend!r}; expected one of {BACKENDS}")
    key = (repr(spec), backend, tuple(sorted(kwargs.items())))
    with _CACHE_LOCK:
        if key not in _CACHE:
            cls = OnnxEncoder if backend == "onnx" else TorchEncoder
            if backend == "onnx" and spec.weights != "onnx-file":
                raise ValueError(f"{spec.name} is a torch network; export it to ONNX first (precompute export-onnx)")
            _CACHE[key] = cls(spec, **kwargs)
        return _CACHE[key]
