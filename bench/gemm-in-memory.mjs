// GEMM problems placed in a kernel instance's memory, past everything the library uses, for
// benches that time the kernel alone (no copies, no op around it): `gemms` problems of A, B and C
// (A and B filled with 0.5), all of one shape — n (n³) or { m, n, k } — and `workspaces`
// f32_gemm_batch workspaces for it. Returns the calls (GemmCall, src/backend/parallel-gemm.ts)
// and the workspaces' pointers.
export function gemmsInMemory(kernels, shape, gemms, workspaces) {
  const { m, n, k } = typeof shape === "number" ? { m: shape, n: shape, k: shape } : shape;
  const aBytes = m * k * 4, bBytes = k * n * 4, cBytes = m * n * 4, each = aBytes + bBytes + cBytes;
  const work = kernels.f32_gemm_workspace(m, n, k), base = kernels.memory.buffer.byteLength;
  kernels.memory.grow(Math.ceil((gemms * each + workspaces * work + 256) / 65536));
  new Float32Array(kernels.memory.buffer, base, (gemms * each) / 4).fill(0.5);
  const calls = Array.from({ length: gemms }, (_, i) => {
    const a = base + i * each, b = a + aBytes, c = b + bBytes;
    return { batch: 1, m, n, k, a, aBatchStride: 0, aRowStride: k, aColStride: 1, b, bBatchStride: 0,
             bRowStride: n, bColStride: 1, c, cBatchStride: 0, cRowStride: n, bias: 0, flags: 0 };
  });
  const first = base + gemms * each;
  return { calls, work: Array.from({ length: workspaces }, (_, t) => first + t * work) };
}
