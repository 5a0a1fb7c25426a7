// The dense kernel module: what a dense network trains with — the f32 GEMM with its packing and
// transposes (the core table), Adam's step (src/backend/optim-kernels.ts), and Linear's ReLU
// mask and bias-gradient sums (src/backend/epilogue-kernels.ts). An application that trains
// MLPs ships this instead of the full build (assembly/index.ts) and carries no convolution,
// int8, sparse, recurrent or attention kernels; the other families name the full build.
export { f32_gemm_batch, f32_gemm_workspace } from "./f32-gemm";
export { f32_adam } from "./f32-adam";
export { f32_column_sums, f32_relu_backward } from "./f32-conv2d-epilogue-backward";
export { heap_base, kernel_isa } from "./index";
