"""Int8 static quantization of the encoder with ONNX Runtime: speed and fidelity against fp32, same run.

    python benchmarks/quantize_int8.py [--shared ../shared] [--work /tmp/visemb-int8]

Exports the fp32 ONNX network from the torch reference, quantizes it (QDQ, per-channel int8 weights, uint8
activations) calibrated on 128 store photos (never the held-out ones), then embeds 96 held-out photos with both and
prints ms/image and the cosine of each int8 feature to its fp32 feature. Needs the precompute extras (torch, onnx).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

CALIBRATION_PHOTOS, TEST_PHOTOS, BATCH = 128, 96, 8


def _session(path: Path, threads: int = 2):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _embed_timed(path: Path, X: np.ndarray, repeats: int = 2) -> tuple[np.ndarray, float]:
    """Features of X (one warm-up pass) and ms/image over ``repeats`` timed passes."""
    session = _session(path)
    name = session.get_inputs()[0].name
    feats = np.concatenate([session.run(None, {name: X[i:i + BATCH]})[0] for i in range(0, len(X), BATCH)])
    start = time.perf_counter()
    for _ in range(repeats):
        for i in range(0, len(X), BATCH):
            session.run(None, {name: X[i:i + BATCH]})
    return feats.reshape(len(X), -1), (time.perf_counter() - start) / (repeats * len(X)) * 1000


def main(argv: list[str] | None = None) -> int:
    from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                          quantize_static)
    from onnxruntime.quantization.shape_inference import quant_pre_process

    from visemb.encoder_spec import get_spec
    from visemb.images import load_batch
    from visemb.onnx_export import export_onnx

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
    p.add_argument("--work", default="/tmp/visemb-int8")
    a = p.parse_args(argv)
    shared, work = Path(a.shared), Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    spec = get_spec("resnet50-keras-onnx")
    fp32 = work / "fp32.onnx"
    if not fp32.is_file():
        export_onnx(get_spec("resnet50-keras"), fp32, fp16_weights=False)
    rows = list(csv.DictReader(open(shared / "photos" / "labels.csv", encoding="utf-8")))
    calibration = [str(shared / "photos" / r["path"]) for r in rows if r["set"] == "imagenet-samples"]
    held_out = [str(shared / "photos" / r["path"]) for r in rows if r["set"] == "ilsvrc2012-val"]
    Xc, _, _ = load_batch(calibration[:CALIBRATION_PHOTOS], spec.preprocessing)
    Xt, _, _ = load_batch(held_out[:TEST_PHOTOS], spec.preprocessing)
    input_name = _session(fp32).get_inputs()[0].name

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.batches = iter([{input_name: Xc[i:i + BATCH]} for i in range(0, len(Xc), BATCH)])

        def get_next(self):
            return next(self.batches, None)

    prepared = work / "prepared.onnx"
    if not prepared.is_file():
        quant_pre_process(str(fp32), str(prepared))
    reference, ms_fp32 = _embed_timed(fp32, Xt)
    print("| model | ms/image | min cosine to fp32 | mean cosine | MB |\n|---|---|---|---|---|")
    print(f"| fp32 (ONNX Runtime, batch {BATCH}) | {ms_fp32:.1f} | 1 | 1 | {fp32.stat().st_size / 1e6:.0f} |")
    for method in (CalibrationMethod.MinMax, CalibrationMethod.Percentile):
        out = work / f"int8-{method.name.lower()}.onnx"
        if not out.is_file():
            quantize_static(str(prepared), str(out), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                            activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, calibrate_method=method)
        feats, ms = _embed_timed(out, Xt)
        cos = np.sum(reference * feats, 1) / np.linalg.norm(reference, axis=1) / np.linalg.norm(feats, axis=1)
        print(f"| int8 QDQ per-channel, {method.name} calibration | {ms:.1f} | {cos.min():.4f} | {cos.mean():.4f} | "
              f"{out.stat().st_size / 1e6:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
