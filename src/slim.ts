// The slim entry, for runtimes that compile no wasm from bytes (Cloudflare Workers, Vercel Edge):
// no embedded kernel bytes — pass a precompiled module:
//   import wasm from "edgegrad/edgegrad-simd.wasm"; await init({ module: wasm });
// It holds the top-level names (tensors, their ops, autograd, init, errors); each namespace is
// its own subpath ("edgegrad/slim/nn", "edgegrad/slim/optim", …), the very module that eg.nn,
// eg.optim, … are in the default entry. Bundlers drop the unused members of a namespace only
// when it is imported from its own module: one re-exported from here would bring every layer
// into an application that uses three of them.
export * from "./api-core.js";
