// n³ GEMM problems placed in a kernel instance's memory, past everything the library uses, for
// benches that time the kernel alone (no copies, no op around it): `gemms` problems of A, B and C
// (A and B filled with 0.5) and `workspaces` f32_gemm_batch workspaces for n³. Returns the calls
// (GemmCall, src/backend/parallel-gemm.ts) and the workspaces' pointers.
export function gemmsInMemory(kernels, n, gemms, workspaces) {
  const bytes = n * n * 4, work = kernels.f32_gemm_workspace(n, n, n), base = kernels.memory.buffer.byteLength;
  kernels.memory.grow(Math.ceil((3 * gemms * bytes + workspaces * work + 256) / 65536));
  new Float32Array(kernels.memory.buffer, base, 3 * gemms * n * n).fill(0.5);
  const calls = Array.from({ length: gemms }, (_, i) => {
    const a = base + 3 * i * bytes, b = a + bytes, c = b + bytes;
    return { batch: 1, m: n, n, k: n, a, aBatchStride: 0, aRowStride: n, aColStride: 1, b, bBatchStride: 0,
             bRowStride: n, bColStride: 1, c, cBatchStride: 0, cRowStride: n, bias: 0, flags: 0 };
  });
  const first = base + 3 * gemms * bytes;
  return { calls, work: Array.from({ length: workspaces }, (_, t) => first + t * work) };
}
