"""Checks exported ONNX models the way the ONNX project does (not part of npm test).

    /work/venv/bin/python scripts/check_onnx.py model.onnx [more.onnx ...]

For each file: onnx.checker.check_model with full_check=True (which runs strict
shape inference), then onnxruntime loads it and runs one batch of zeros at
batch 1 (and 7 where the input batch is dynamic), reporting output shapes.
"""
import sys

import numpy as np
import onnx
import onnxruntime as ort


def check(path: str) -> None:
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True, data_prop=True)
    opset = {o.domain or "ai.onnx": o.version for o in model.opset_import}
    ops = sorted({n.op_type for n in model.graph.node})
    options = ort.SessionOptions()
    options.log_severity_level = 2  # warnings and errors: an unsupported op would show here
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    inp = session.get_inputs()[0]
    batches = [1, 7] if not isinstance(inp.shape[0], int) else [inp.shape[0]]
    for n in batches:
        shape = [n] + [d for d in inp.shape[1:]]
        outs = session.run(None, {inp.name: np.zeros(shape, dtype=np.float32)})
        shapes = {o.name: list(v.shape) for o, v in zip(session.get_outputs(), outs)}
        print(f"{path}: batch {n}: {shapes}")
    print(f"{path}: ok (checker full_check, strict shape inference: {len(inferred.graph.value_info)} inferred values), opset {opset}, ops {' '.join(ops)}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for p in sys.argv[1:]:
        check(p)
