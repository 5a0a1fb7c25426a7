// The core kernel module: only what the core kernel table (src/backend/wasm-kernels.ts) calls,
// the f32 GEMM with its packing and transposes. An application that multiplies tensors and
// never quantizes, sparsifies or runs the wasm Adam step ships this instead of the full build
// (assembly/index.ts); the kernel families check for their exports and name the full build.
export { f32_gemm_batch, f32_gemm_workspace } from "./f32-gemm";
export { heap_base, kernel_isa } from "./index";
