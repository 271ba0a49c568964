"""Exporting the torch reference to a compact ONNX file (float16 weights on disk, float32 compute)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from visemb.checksum import sha256_file
from visemb.encoder_spec import EncoderSpec
from visemb.fileio import atomic_write_bytes, atomic_write_text


def export_onnx(spec: EncoderSpec, out: str | Path, fp16_weights: bool = True, opset: int = 17) -> EncoderSpec:
    """Export ``spec``'s torch network to ``out``; write ``<out>.json`` with the resulting spec and
    ``<out>.classifier.npz`` with the classifier rows (class prototypes, see :mod:`visemb.prototypes`).

    Float weights are stored as float16 and cast back to float32 once, when ONNX Runtime loads the file
    (constant folding), so the file is half the size and inference stays float32.

    Returns:
        The ONNX spec (same network identity as ``spec``, its own file checksum).
    """
    import onnx
    import torch
    from onnx import TensorProto, helper, numpy_helper

    from visemb.encoder import build_torch_resnet50, torch_state_dict
    from visemb.prototypes import classifier_path, save_prototypes

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    state = torch_state_dict(spec)  # read and checksummed once: the network and its classifier rows
    classifier_rows = state["fc.weight"].float().numpy()
    model = build_torch_resnet50(spec, state).eval()
    crop = spec.preprocessing.crop
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.onnx"
        torch.onnx.export(model, torch.zeros(1, 3, crop, crop), str(raw), input_names=["image"],
                          output_names=["features"], dynamic_axes={"image": {0: "n"}, "features": {0: "n"}},
                          opset_version=opset, dynamo=False)
        proto = onnx.load(str(raw))
    if fp16_weights:
        graph = proto.graph
        casts, new_inits = [], []
        for init in graph.initializer:
            if init.data_type != TensorProto.FLOAT:
                new_inits.append(init)
                continue
            arr = numpy_helper.to_array(init).astype("float16")
            new_inits.append(numpy_helper.from_array(arr, init.name + "_fp16"))
            casts.append(helper.make_node("Cast", [init.name + "_fp16"], [init.name], to=TensorProto.FLOAT))
        del graph.initializer[:]
        graph.initializer.extend(new_inits)
        nodes = list(graph.node)
        del graph.node[:]
        graph.node.extend(casts + nodes)
    onnx.checker.check_model(proto)
    atomic_write_bytes(out, proto.SerializeToString())
    onnx_spec = spec.with_(name=spec.name + "-onnx", weights="onnx-file", weights_name=str(out),
                           file_sha256=sha256_file(out))
    classifier = classifier_path(onnx_spec)
    save_prototypes(classifier_rows, classifier, spec.network_sha256)
    sidecar = {**onnx_spec.to_dict(), "weights_name": out.name, "classifier": classifier.name,
               "exported_from": {"name": spec.name, "sha256": spec.file_sha256, "layout": spec.layout},
               "fp16_weights": fp16_weights, "opset": opset}
    atomic_write_text(out.with_suffix(".json"), json.dumps(sidecar, indent=1))
    return onnx_spec
