// The default entry: the public API with the kernel bytes embedded, so `import` just works in
// Node, bundlers and browsers. Edge runtimes that forbid compiling bytes use "edgegrad/slim".
import { registerEmbeddedWasm } from "./backend/index.js";
import { embeddedWasm } from "./backend/embedded.js";

registerEmbeddedWasm(embeddedWasm);

export * from "./api.js";
