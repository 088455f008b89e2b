// The ONNX protobuf schema, from the `onnx-proto` package (protobufjs static
// code generated from onnx.proto). The package is CommonJS with a namespace
// export, so the namespace is read off the default export at run time.
import * as onnxProto from 'onnx-proto';

type OnnxNamespace = typeof onnxProto.onnx;
const loaded = onnxProto as unknown as { onnx?: OnnxNamespace; default?: { onnx: OnnxNamespace } };

export const onnx: OnnxNamespace = loaded.onnx ?? loaded.default!.onnx;
// eslint-disable-next-line @typescript-eslint/no-namespace
export type { onnx as OnnxTypes } from 'onnx-proto';

export const DataType = onnx.TensorProto.DataType;
export const AttributeType = onnx.AttributeProto.AttributeType;

/** The ONNX IR version that goes with an opset (onnx/helper.py VERSION_TABLE). */
export function irVersionFor(opset: number): number {
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}
