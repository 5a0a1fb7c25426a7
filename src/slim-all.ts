// The whole API without embedded bytes, as one module: what the require() form of the slim entry
// and its namespace subpaths are cut from (scripts/slim-subpaths.mjs), so that both share one
// Tensor class and one declaration of it. Not an entry of its own.
export * from "./api.js";
