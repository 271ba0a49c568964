"""visemb/encoder.py and encoder_spec.py: the reference matches known outputs, ONNX matches torch."""

import json

import numpy as np
import pytest
from tests.helpers import assert_same_onnx, jpeg, needs_shared

from visemb.encoder import load_encoder
from visemb.encoder_spec import SHIPPED_ONNX, EncoderSpec, encoder_names, get_spec
from visemb.errors import ChecksumError, WeightsMissingError


def test_registry_and_unknown_name():
    assert {"resnet50-keras", "resnet50-keras-onnx", "resnet50-tv-v2"} <= set(encoder_names())
    with pytest.raises(ValueError, match="Unknown encoder 'nope'"):
        get_spec("nope")


def test_spec_roundtrip_and_identity():
    spec = get_spec("resnet50-keras")
    assert EncoderSpec.from_dict(spec.to_dict()) == spec
    assert spec.compatible_with(get_spec("resnet50-keras-onnx"))
    assert not spec.compatible_with(get_spec("resnet50-tv-v2"))


def test_missing_weights_file_message(tmp_path):
    spec = get_spec("resnet50-keras").with_(weights_name=str(tmp_path / "none.pth"))
    pytest.importorskip("torch")
    with pytest.raises(WeightsMissingError, match="VISEMB_WEIGHTS"):
        load_encoder(spec, backend="torch")


def test_missing_onnx_message(tmp_path):
    spec = get_spec("resnet50-keras-onnx").with_(weights_name=str(tmp_path / "none.onnx"))
    with pytest.raises(WeightsMissingError, match="git checkout"):
        load_encoder(spec)


def test_torchvision_weights_offline_fail_fast(monkeypatch, tmp_path):
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    import socket

    def refuse(*a, **k):
        raise OSError("network unreachable")

    monkeypatch.setattr(socket, "create_connection", refuse)
    with pytest.raises(WeightsMissingError, match="Cannot download torchvision weights"):
        load_encoder("resnet50-tv-v2", backend="torch")


def test_shipped_onnx_checksum_verified(tmp_path):
    spec = get_spec("resnet50-keras-onnx")
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"0" * 10)
    with pytest.raises(ChecksumError, match="differs from the recorded"):
        load_encoder(spec.with_(weights_name=str(bad)))


def test_onnx_skips_bad_images_and_embeds_many():
    enc = load_encoder("resnet50-keras-onnx")
    emb = enc.embed([jpeg(), b"garbage", jpeg((0, 90, 0))])
    assert emb.vectors.shape == (2, 2048) and emb.ok == [0, 2] and "not a readable image" in emb.skipped[1]
    assert load_encoder("resnet50-keras-onnx") is enc  # loaded once


@needs_shared
def test_reference_matches_expected_outputs(shared):
    pytest.importorskip("torch")
    expected = json.loads((shared / "weights" / "expected_outputs.json").read_text())
    enc = load_encoder("resnet50-keras", backend="torch")
    emb = enc.embed([shared / "photos" / e["photo"] for e in expected])
    for v, e in zip(emb.vectors, expected):
        assert np.linalg.norm(v) == pytest.approx(e["avgpool_l2_norm"], rel=1e-3)
        assert np.allclose(v[:8], e["avgpool_first8"], atol=2e-3)


@needs_shared
def test_shipped_onnx_matches_torch_reference(shared):
    pytest.importorskip("torch")
    photos = sorted((shared / "photos" / "ilsvrc2012-val").iterdir())[:16]
    ref = load_encoder("resnet50-keras", backend="torch").embed(photos).vectors
    onnx = load_encoder("resnet50-keras-onnx").embed(photos).vectors
    cos = (ref * onnx).sum(1) / np.linalg.norm(ref, axis=1) / np.linalg.norm(onnx, axis=1)
    assert cos.min() > 0.9999
    assert SHIPPED_ONNX.stat().st_size < 100e6


@needs_shared
def test_export_reproduces_the_shipped_files(shared, tmp_path):
    """`export-onnx` from the torch weights gives the shipped .onnx (byte for byte, or one float16 step apart where
    another CPU rounds the folded batch norm differently), and the same classifier rows."""
    pytest.importorskip("onnx")
    from visemb.checksum import sha256_file
    from visemb.onnx_export import export_onnx
    from visemb.prototypes import classifier_path

    spec = export_onnx(get_spec("resnet50-keras"), tmp_path / SHIPPED_ONNX.name)
    assert sha256_file(SHIPPED_ONNX) == get_spec("resnet50-keras-onnx").file_sha256
    if spec.file_sha256 != sha256_file(SHIPPED_ONNX):
        assert_same_onnx(tmp_path / SHIPPED_ONNX.name, SHIPPED_ONNX)
    with np.load(classifier_path(spec)) as got, np.load(classifier_path(get_spec("resnet50-keras-onnx"))) as shipped:
        assert np.array_equal(got["weight"], shipped["weight"]) and np.array_equal(got["wnids"], shipped["wnids"])
        assert str(got["network_sha256"]) == str(shipped["network_sha256"])
