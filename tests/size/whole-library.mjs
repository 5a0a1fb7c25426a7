// The size budget "whole library": every export of the slim entry plus one kernel module.
import * as edgegrad from "../../dist/slim/slim.js";
import kernelModule from "../../dist/edgegrad-simd.wasm";

edgegrad.init({ module: kernelModule }).then(() => (globalThis.edgegrad = edgegrad));
