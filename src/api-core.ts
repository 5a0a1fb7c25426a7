// The top-level names of the API, without the namespaces: what every program reaches first.
// The default entry under Node loads these eagerly and each namespace on first use
// (scripts/node-entry.mjs); elsewhere api.ts re-exports them with the namespaces.
export * from "./errors.js";
// (from the backend's own modules, not its index: that one re-exports every kernel family, and
// the namespaces' families would then count as reached from here)
export { init, backendInfo } from "./backend/init.js";
export type { InitOptions, BackendInfo } from "./backend/init.js";
export type { BackendName } from "./backend/kernels.js";
export * from "./ndarray/index.js";
