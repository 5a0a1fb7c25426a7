// The top-level names of the API, without the namespaces: what every program reaches first.
// The default entry under Node loads these eagerly and each namespace on first use
// (scripts/node-entry.mjs); elsewhere api.ts re-exports them with the namespaces.
export * from "./errors.js";
export { init, backendInfo } from "./backend/index.js";
export type { InitOptions, BackendInfo, BackendName } from "./backend/index.js";
export * from "./ndarray/index.js";
