// The default entry: the public API, with the kernel bytes embedded (src/backend/embedded.ts) so
// `import` just works in Node, bundlers and browsers. Edge runtimes that forbid compiling bytes
// use "edgegrad/slim", the same API built without the bytes.
export * from "./api.js";
