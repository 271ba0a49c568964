"""visemb.prototypes: ImageNet class ids, mixing, the shipped classifier rows and their failure messages."""

import numpy as np
import pytest
from tests.helpers import SHARED, needs_shared

from visemb.encoder_spec import get_spec
from visemb.errors import StoreError, WeightsMissingError
from visemb.prototypes import (classifier_path, imagenet_wnids, load_prototypes, mix_prototype,
                               save_prototypes)


def test_imagenet_wnids_are_the_1000_sorted_classes():
    wnids = imagenet_wnids()
    assert len(wnids) == len(set(wnids)) == 1000 and list(wnids) == sorted(wnids)
    assert wnids[0] == "n01440764" and "n02123045" in wnids  # tench, tabby


def test_mix_prototype_blends_unit_vectors():
    rng = np.random.default_rng(0)
    photo, proto = rng.normal(size=16), rng.normal(size=16)
    assert np.allclose(mix_prototype(photo, None, 1.0), photo / np.linalg.norm(photo))
    assert np.allclose(mix_prototype(photo, proto, 0.0), photo / np.linalg.norm(photo))
    cos = [float(mix_prototype(photo, proto, w) @ (proto / np.linalg.norm(proto))) for w in (0.5, 1.0, 3.0)]
    assert cos == sorted(cos) and np.isclose(np.linalg.norm(mix_prototype(photo, proto, 1.0)), 1.0)
    # weight 1 = equal parts: the mix is as close to the photo as to the prototype
    m = mix_prototype(photo, proto, 1.0)
    assert np.isclose(m @ (photo / np.linalg.norm(photo)), m @ (proto / np.linalg.norm(proto)), atol=1e-5)


def _onnx_spec(tmp_path, network="abc"):
    return get_spec("resnet50-keras-onnx").with_(weights_name=str(tmp_path / "enc.onnx"), network_sha256=network)


def test_save_and_load_round_trip(tmp_path):
    rows = np.random.default_rng(1).normal(size=(1000, 2048)).astype(np.float32)
    spec = _onnx_spec(tmp_path)
    save_prototypes(rows, classifier_path(spec), "abc")
    protos = load_prototypes(spec)
    assert protos.wnids == imagenet_wnids() and protos.network_sha256 == "abc"
    got = protos.get("n01440764")
    assert np.isclose(np.linalg.norm(got), 1.0) and float(got @ rows[0] / np.linalg.norm(rows[0])) > 0.9999
    assert protos.get("n99999999") is None and protos.get(None) is None
    with pytest.raises(ValueError, match="1000 classifier rows"):
        save_prototypes(rows[:10], tmp_path / "x.npz", "abc")


def test_missing_corrupt_or_foreign_rows_are_named(tmp_path):
    spec = _onnx_spec(tmp_path)
    with pytest.raises(WeightsMissingError, match="export-onnx.*--prototype-weight 0"):
        load_prototypes(spec)
    classifier_path(spec).write_bytes(b"not an npz")
    with pytest.raises(StoreError, match="not a readable classifier file"):
        load_prototypes(spec)
    save_prototypes(np.ones((1000, 4)), classifier_path(spec), "other")
    with pytest.raises(StoreError, match="belongs to network"):
        load_prototypes(spec)


@needs_shared
def test_shipped_rows_are_the_reference_networks_classifier():
    import torch

    fc = torch.load(SHARED / "weights" / "resnet50_keras_imagenet_tv.pth", map_location="cpu",
                    weights_only=True)["fc.weight"].numpy()
    shipped = load_prototypes(get_spec("resnet50-keras-onnx"))
    reference = load_prototypes(get_spec("resnet50-keras"))
    assert shipped.network_sha256 == reference.network_sha256 == get_spec("resnet50-keras").network_sha256
    cos = np.sum(shipped.vectors * reference.vectors, axis=1)
    assert cos.min() > 0.99999
    assert np.allclose(reference.vectors[0], fc[0] / np.linalg.norm(fc[0]), atol=1e-6)
