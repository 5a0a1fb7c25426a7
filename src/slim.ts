// The slim entry: the same API without embedded kernel bytes. Pass a precompiled module:
//   import wasm from "edgegrad/edgegrad-simd.wasm"; await init({ module: wasm });
export * from "./api.js";
