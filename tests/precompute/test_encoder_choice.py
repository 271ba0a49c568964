"""The embed backend per machine: torch bf16 with AVX-512 BF16/AMX, CUDA with a GPU, else ONNX; settings win."""

import pytest
from tests.helpers import SHARED, needs_shared

from precompute.config import PipelineConfig
from precompute.encoder_choice import choose_backend, cpu_flags, has_fast_bf16

CPUINFO = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16 amx_tile\nprocessor\t: 1\n"


def test_cpu_flags_are_read_from_cpuinfo():
    flags = cpu_flags(CPUINFO)
    assert {"avx512f", "avx512_bf16"} <= flags and has_fast_bf16(flags)
    assert not has_fast_bf16(cpu_flags("flags\t: sse2 avx2 avx512f\n")) and cpu_flags("") == set()


@needs_shared
@pytest.mark.parametrize("flags, cuda, expected", [
    ({"avx512_bf16"}, False, ("torch", "bf16", "cpu")),
    ({"amx_bf16"}, False, ("torch", "bf16", "cpu")),
    ({"avx2"}, False, ("onnx", "fp32", "cpu")),
    ({"avx2"}, True, ("torch", "fp32", "cuda")),
])
def test_the_fastest_exact_enough_backend_is_chosen(flags, cuda, expected, monkeypatch):
    monkeypatch.setenv("VISEMB_WEIGHTS", str(SHARED / "weights" / "resnet50_keras_imagenet_tv.pth"))
    b = choose_backend(PipelineConfig(encoder="resnet50-keras-onnx"), flags=flags, cuda=cuda)
    assert (b.backend, b.precision, b.device) == expected and b.reason
    if b.backend == "torch":
        assert b.encoder == "resnet50-keras"  # the torch network with the same identity as the ONNX one


def test_settings_win_and_no_torch_network_means_onnx(monkeypatch):
    b = choose_backend(PipelineConfig(encoder="resnet50-keras-onnx", backend="onnx"), flags={"avx512_bf16"},
                       cuda=True)
    assert b.backend == "onnx" and "settings" in b.reason
    monkeypatch.setattr("precompute.encoder_choice.torch_twin", lambda name: None)
    b = choose_backend(PipelineConfig(encoder="resnet50-keras-onnx"), flags={"avx512_bf16"}, cuda=True)
    assert b.backend == "onnx"
