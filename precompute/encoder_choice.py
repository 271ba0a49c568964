"""The embed stage's backend: the fastest one whose features stay within cosine 0.999 of fp32 on this machine.

With ``backend`` left unset (``auto``): CUDA through torch when a GPU is there; torch bfloat16 with channels-last
tensors where the CPU has AVX-512 BF16 or AMX (measured ≥ 2.2x the serial loop, min cosine 0.9998, see
``benchmarks/results/embed_backends.md``); ONNX Runtime fp32 everywhere else. The choice, its precision and the
reason are written into the store's manifest. A torch backend needs a torch network with the same identity
(network checksum, layout, layer, preprocessing) as the configured encoder, so stores stay comparable.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from precompute.config import PipelineConfig


@dataclass(frozen=True)
class Backend:
    """One embed backend: encoder name, ``onnx``/``torch``, precision, device and why it was chosen."""

    encoder: str
    backend: str
    precision: str = "fp32"
    device: str = "cpu"
    reason: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def cpu_flags(cpuinfo: str | None = None) -> set[str]:
    """The CPU feature flags of this machine (``/proc/cpuinfo``; empty where there is none)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def has_fast_bf16(flags: set[str]) -> bool:
    return bool({"avx512_bf16", "amx_bf16"} & flags)


def torch_twin(encoder: str) -> str | None:
    """A registered torch encoder computing the same vectors as ``encoder`` (itself when it is a torch one)
    whose weights file is present, or None."""
    from visemb.encoder_spec import encoder_names, get_spec

    spec = get_spec(encoder)
    if spec.weights != "onnx-file":
        return encoder
    for name in encoder_names():
        other = get_spec(name)
        if other.weights == "torch-file" and other.compatible_with(spec) and Path(other.weights_name).is_file():
            return name
    return None


def choose_backend(cfg: PipelineConfig, flags: set[str] | None = None, cuda: bool | None = None) -> Backend:
    """The backend for ``cfg``: its own when set, else the fastest exact-enough one here (module docstring)."""
    from visemb.encoder_spec import get_spec

    onnx_file = get_spec(cfg.encoder).weights == "onnx-file"
    if cfg.backend:
        if cfg.backend == "onnx":
            return Backend(cfg.encoder, "onnx", reason="set in the run's settings")
        return Backend(torch_twin(cfg.encoder) or cfg.encoder, "torch", cfg.precision,
                       reason="set in the run's settings")
    twin = torch_twin(cfg.encoder)
    if twin and cuda is None:
        try:
            import torch

            cuda = torch.cuda.is_available()
        except ImportError:
            twin, cuda = None, False
    if twin and cuda:
        return Backend(twin, "torch", "fp32", "cuda", "a CUDA GPU is available")
    flags = cpu_flags() if flags is None else flags
    if twin and has_fast_bf16(flags):
        return Backend(twin, "torch", "bf16", "cpu", "the CPU has AVX-512 BF16/AMX: torch bfloat16, channels-last")
    if onnx_file:
        return Backend(cfg.encoder, "onnx", reason="no AVX-512 BF16/AMX or GPU: ONNX Runtime fp32")
    return Backend(cfg.encoder, "torch", "fp32", reason="a torch encoder without a faster option here")


def encoder_for(cfg: PipelineConfig, backend: Backend | None = None, threads: int | None = None):
    """Load the encoder ``choose_backend`` picks (or ``backend``), batched as the run's settings say, on
    ``threads`` CPU threads (default: all)."""
    from visemb.encoder import load_encoder

    b = backend or choose_backend(cfg)
    kwargs = {"batch_size": cfg.batch_size}
    if b.backend == "torch":
        kwargs.update(precision=b.precision, device=b.device)
        if threads:
            import torch

            torch.set_num_threads(threads)
    elif threads:
        kwargs["threads"] = threads
    return load_encoder(b.encoder, backend=b.backend, **kwargs)
