// Diagnostic codes MOE0601–MOE0619: exporting to ONNX and running the exported
// model with onnxruntime (`moec export --to onnx`, `--engine onnx`). Add new
// codes at the end; never renumber.
import type { CodeTable } from './table.ts';

export const exportOnnxCodes: CodeTable = {
  MOE0601: { severity: 'error', description: 'a node of the op graph cannot be expressed in ONNX (the message names the node and why)' },
  MOE0602: { severity: 'error', description: 'an ONNX export option is invalid (`--opset` outside the supported range, `--batch` not a positive integer or `dynamic`)' },
  MOE0603: { severity: 'error', description: "the fixed export batch does not fit the graph (a routing group must divide the batch's tokens)" },
  MOE0604: { severity: 'error', description: 'the weights do not match the graph being exported (missing, extra or differently shaped tensor)' },
  MOE0605: { severity: 'error', description: 'an .onnx file cannot be read or is not a valid ONNX model for onnxruntime' },
  MOE0606: { severity: 'error', description: "an ONNX model does not fit the images or the run (input shape, output names or class count)" },
  MOE0607: { severity: 'error', description: 'the export output file exists (pass --force to overwrite) or cannot be written' },
  MOE0608: { severity: 'error', description: 'an export target or engine is unknown, or needs an input that was not given (e.g. --checkpoint)' },
  MOE0609: { severity: 'error', description: "the model's weights exceed the 2 GB a single ONNX (protobuf) file can hold" },
};
