// eg.io: model formats shared with the big frameworks.
export { saveSafetensors, loadSafetensors, readSafetensors } from "./safetensors.js";
export type { SafetensorsDType, SaveOptions, StateDict } from "./safetensors.js";
export { exportOnnx, describeSequential } from "./onnx-export.js";
export type { OnnxLayer, OnnxExportOptions } from "./onnx-export.js";
export { importOnnx, OnnxModule, type ImportOnnxOptions } from "./onnx-import.js";
