// Copying a GEMM operand — a batch of strided windows of a JS array — into the wasm arena, and C
// back out, for the one-thread op (wasm-kernels.ts) and the pooled ones (parallel-gemm-op.ts,
// parallel-gemm-pair.ts). An array that is kernel memory already (resident.ts) is not copied.
import type { Arena } from "./arena.js";
import type { StridedBatch } from "./kernels.js";
import { residentOffset } from "./resident.js";

/** A copied operand in the arena: byte pointer of matrix 0's element (0,0), strides in elements. */
export interface ArenaWindow { ptr: number; batchStride: number; rowStride: number; colStride: number }

/**
 * Copies the elements a batch of strided rows×cols windows touches into the arena. A dense batch
 * (span at most twice its size: contiguous, transposed, padded, broadcast) is copied as one
 * span — a memcpy — and keeps its strides, since the kernel's packing reads any strides at full
 * speed. A sparse one (column slices of a wide matrix, a strided batch) is compacted line by
 * line along its unit stride, so it costs batch·rows·cols, not its span. A resident array is
 * read where it is, with its strides.
 */
export function copyWindow(arena: Arena, m: StridedBatch, batch: number, rows: number, cols: number): ArenaWindow {
  const bs = batch > 1 ? m.batchStride : 0;
  const span = (batch - 1) * bs + (rows - 1) * m.rowStride + (cols - 1) * m.colStride + 1;
  const copies = bs === 0 ? 1 : batch, size = rows * cols;
  let ptr = residentOffset(m.data, arena);
  if (ptr >= 0) {
    ptr += 4 * m.offset;
  } else if (span > 2 * copies * size && (m.colStride === 1 || m.rowStride === 1)) {
    const byRows = m.colStride === 1;
    const lines = byRows ? rows : cols, len = byRows ? cols : rows, step = byRows ? m.rowStride : m.colStride;
    ptr = arena.alloc(copies * size * 4);
    const dst = arena.f32(ptr, copies * size);
    for (let t = 0; t < copies; t++) {
      for (let l = 0; l < lines; l++) {
        const src = m.offset + t * bs + l * step;
        dst.set(m.data.subarray(src, src + len), t * size + l * len);
      }
    }
    const batchStride = bs === 0 ? 0 : size;
    return byRows ? { ptr, batchStride, rowStride: cols, colStride: 1 } : { ptr, batchStride, rowStride: 1, colStride: rows };
  } else {
    ptr = arena.alloc(span * 4);
    arena.f32(ptr, span).set(m.data.subarray(m.offset, m.offset + span));
  }
  return { ptr, batchStride: bs, rowStride: m.rowStride, colStride: m.colStride };
}

/**
 * Where the kernel writes the `size` elements of C that go to `c` from `offset`: into `c` itself
 * when it is kernel memory, else fresh scratch (holding c's values first if `accumulate`). The
 * kernel must not read A or B from `c`'s elements: no op passes an output as its own operand.
 * Its caller copies C out afterwards only if `c` is not resident.
 */
export function outputPtr(arena: Arena, c: Float32Array, offset: number, size: number, accumulate: boolean): number {
  const resident = residentOffset(c, arena);
  if (resident >= 0) return resident + 4 * offset;
  const ptr = arena.alloc(size * 4);
  if (accumulate) arena.f32(ptr, size).set(c.subarray(offset, offset + size));
  return ptr;
}
