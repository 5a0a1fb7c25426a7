// The convolution passes split over the pool, by output only (never a sum):
//   forward and input gradient: whole images per thread (batch ranges), each image's output
//   written by one thread with the unchanged kernel;
//   weight gradient: a tile of dw per thread (output channels or patch elements), through
//   f32_conv2d_backward_weight_tile, each element still summed over every image in order.
// So every pass gives the bits of one thread for any thread count.
import type { Arena } from "./arena.js";
import type { Conv2dGeometry } from "./conv-geometry.js";
import type { KernelExports } from "./kernel-exports.js";
import { F32_GEMM } from "./manifest.js";
import { batchParts, partCount, perThread, ranges, threadPool } from "./parallel-split.js";

export const parallelConv = {
  /**
   * Multiply-adds from which a pass is split: as for the GEMM (parallel-gemm.ts), a dispatch
   * costs about 15 µs, so a pass must take well over twice that. Tests set 0 to split every size.
   */
  minMacs: 1 << 20,
};

/**
 * Image ranges per thread: more parts than threads (batch 64 on 2 threads: 8 parts of 8 images),
 * so that a thread that starts late or is descheduled mid-op (a busy machine) holds up the
 * others by one part at most. Each part packs (or, for Winograd, transforms) the weights once
 * more: with 8 per thread the CNN's second convolution ran about 8% slower on 2 threads than
 * with 4, forward and input gradient alike (medians of 15 calls, five rounds alternated, with
 * glibc's malloc kept from unmapping freed outputs so that page faults did not swamp the split).
 */
const PARTS_PER_THREAD = 4;

/**
 * Tiles of dW per thread: one. Each tile reads the whole batch again for its rows and columns
 * (packs all of dY, or for Winograd transforms it, once more): on 2 threads the CNN's second
 * convolution's weight gradient took 4.5–4.6 ms as 2 tiles against 5.2 ms as 4, the first's
 * 1.29 against 1.55 ms (medians of 15 calls, six rounds alternated).
 */
const WEIGHT_TILES_PER_THREAD = 1;

const macs = (g: Conv2dGeometry) =>
  g.batch * g.outChannels * g.outH * g.outW * (g.inChannels / g.groups) * g.kernelH * g.kernelW;

/** Bytes of one image of `channels` planes of h×w floats. */
const imageBytes = (channels: number, h: number, w: number) => channels * h * w * 4;

type ForwardName = "f32_conv2d" | "f32_dwconv2d";

/** y = conv(x, w) + bias: f32_conv2d or f32_dwconv2d, split by images when worth it. */
export function convForward(wasm: KernelExports, arena: Arena, name: ForwardName, g: Conv2dGeometry, geo: number,
                            x: number, w: number, bias: number, y: number, flags: number): void {
  const workspace = name === "f32_conv2d" ? wasm.f32_conv2d_workspace : wasm.f32_dwconv2d_workspace;
  const pool = threadPool();
  if (pool === null || g.batch < 2 || macs(g) < parallelConv.minMacs) {
    wasm[name](geo, x, w, bias, y, flags, arena.alloc(workspace(geo)));
    return;
  }
  const parts = batchParts(arena, geo, partCount(pool, PARTS_PER_THREAD));
  const work = perThread(arena, workspace(parts[0].geometry), parts.length);
  const xImage = imageBytes(g.inChannels, g.inH, g.inW), yImage = imageBytes(g.outChannels, g.outH, g.outW);
  pool.run(wasm, name, parts.map((p, t) =>
    [p.geometry, x + p.b0 * xImage, w, bias, y + p.b0 * yImage, flags, work.base + t * work.stride]));
}

/** dx = the input gradient for dy and w, split by images when worth it. */
export function convBackwardInput(wasm: KernelExports, arena: Arena, g: Conv2dGeometry, geo: number,
                                  dy: number, w: number, dx: number): void {
  const pool = threadPool();
  if (pool === null || g.batch < 2 || macs(g) < parallelConv.minMacs) {
    wasm.f32_conv2d_backward_input(geo, dy, w, dx, arena.alloc(wasm.f32_conv2d_backward_input_workspace(geo)));
    return;
  }
  const parts = batchParts(arena, geo, partCount(pool, PARTS_PER_THREAD));
  const work = perThread(arena, wasm.f32_conv2d_backward_input_workspace(parts[0].geometry), parts.length);
  const xImage = imageBytes(g.inChannels, g.inH, g.inW), yImage = imageBytes(g.outChannels, g.outH, g.outW);
  pool.run(wasm, "f32_conv2d_backward_input", parts.map((p, t) =>
    [p.geometry, dy + p.b0 * yImage, w, dx + p.b0 * xImage, work.base + t * work.stride]));
}

/**
 * dw = the weight gradient for x and dy, split into tiles of dw when worth it: by patch elements
 * (columns, whole 8-column panels: each thread packs only its own patches, the costly operand)
 * when there are enough of them to share out, else by output channels (whole 4-row panels).
 */
export function convBackwardWeight(wasm: KernelExports, arena: Arena, g: Conv2dGeometry, geo: number,
                                   x: number, dy: number, dw: number): void {
  const pool = threadPool();
  const bytes = wasm.f32_conv2d_backward_weight_workspace(geo);
  if (pool === null || macs(g) < parallelConv.minMacs) {
    wasm.f32_conv2d_backward_weight(geo, x, dy, dw, arena.alloc(bytes));
    return;
  }
  const mg = g.outChannels / g.groups, k = (g.inChannels / g.groups) * g.kernelH * g.kernelW;
  const threads = pool.threads;
  const byColumns = Math.ceil(k / F32_GEMM.NR) >= 2 * threads || Math.ceil(k / F32_GEMM.NR) >= Math.ceil(mg / F32_GEMM.MR);
  const parts = partCount(pool, WEIGHT_TILES_PER_THREAD);
  const tiles = byColumns ? ranges(k, F32_GEMM.NR, parts).map(([j0, j1]) => [0, mg, j0, j1])
                          : ranges(mg, F32_GEMM.MR, parts).map(([i0, i1]) => [i0, i1, 0, k]);
  const work = perThread(arena, bytes, tiles.length);
  pool.run(wasm, "f32_conv2d_backward_weight_tile", tiles.map((tile, t) =>
    [geo, x, dy, dw, work.base + t * work.stride, ...tile]));
}
