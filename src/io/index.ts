// eg.io: model formats shared with the big frameworks.
export { saveSafetensors, loadSafetensors, readSafetensors } from "./safetensors.js";
export type { SafetensorsDType, SaveOptions, StateDict } from "./safetensors.js";
