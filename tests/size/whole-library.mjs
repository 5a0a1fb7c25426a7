// The size budget "everything from edgegrad/slim": every export of the slim entry (the top-level
// names: tensors, their ops, autograd, init, errors) plus the full kernel module.
import * as edgegrad from "../../dist/slim/slim.js";
import kernelModule from "../../dist/edgegrad-simd.wasm";

edgegrad.init({ module: kernelModule }).then(() => (globalThis.edgegrad = edgegrad));
