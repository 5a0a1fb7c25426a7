// The size budget "tensor + matmul only": what an edge function ships when it multiplies tensors
// and nothing else — the slim entry, tree-shaken by the bundler, plus the core kernel module
// (the f32 GEMM only, without the int8, sparse and optimizer kernels).
import { init, matmul, tensor } from "../../dist/slim/slim.js";
import kernelModule from "../../dist/edgegrad-core-simd.wasm";

init({ module: kernelModule }).then(() => console.log(matmul(tensor([[1, 2]]), tensor([[3], [4]])).toString()));
