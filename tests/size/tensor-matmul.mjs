// The size budget "tensor + matmul only": what an edge function ships when it multiplies tensors
// and nothing else — the slim entry, tree-shaken by the bundler, plus one kernel module.
import { init, matmul, tensor } from "../../dist/slim/slim.js";
import kernelModule from "../../dist/edgegrad-simd.wasm";

init({ module: kernelModule }).then(() => console.log(matmul(tensor([[1, 2]]), tensor([[3], [4]])).toString()));
