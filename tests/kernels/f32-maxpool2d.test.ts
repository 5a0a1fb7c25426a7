// The 2×2, stride-2 max-pooling kernel (wasm on the SIMD projects, the JS reference on js):
// against a reference written here (windows read tap by tap, the first winning tap named), over
// widths that straddle the 4-output SIMD block and its scalar tail, odd heights and widths (the
// row and column no window reads), ties, NaN and signed zeros; and the wasm kernel
// bit-identical to the JS reference. The backward likewise: each window's gradient at its
// winning tap, zeros elsewhere, every element of gx written. And the packing of the taps four to
// a byte (what the fused Conv→ReLU→pool keeps), both ways, against a rule written here.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maxPool2x2BackwardJs, maxPool2x2Js, packTapsJs, poolKernels, unpackTapsJs } from "../../src/backend/index.js";
import { activeKernelExports } from "../../src/backend/init.js";

/** By the definition: the maximum of the window and the row-major position of its first maximum (a NaN wins). */
function reference(planes: number, h: number, w: number, x: Float32Array) {
  const oh = h >> 1, ow = w >> 1, y = new Float32Array(planes * oh * ow), code = new Uint8Array(y.length);
  for (let p = 0, o = 0; p < planes; p++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++, o++) {
    const taps = [[0, 0], [0, 1], [1, 0], [1, 1]].map(([a, b]) => (p * h + 2 * i + a) * w + 2 * j + b);
    const nan = taps.findIndex((t) => Number.isNaN(x[t]));
    const k = nan >= 0 ? nan : taps.reduce((best, t, q) => (x[t] > x[taps[best]] ? q : best), 0);
    y[o] = x[taps[k]];
    code[o] = k;
  }
  return { y, code };
}

const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => v === b[i] || (Number.isNaN(v) && Number.isNaN(b[i])));
/** Values from a small set, so ties are common; some NaN and both zeros when `special`. */
const valuesArb = (n: number, special: boolean) => fc.array(
  special ? fc.constantFrom(-1, 0, -0, 0.5, 2, 2, NaN) : fc.integer({ min: -3, max: 3 }).map((v) => v / 2),
  { minLength: n, maxLength: n });

describe("f32MaxPool2x2", () => {
  const k = poolKernels();
  const caseArb = fc.record({ planes: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 2, max: 7 }), w: fc.integer({ min: 2, max: 21 }), special: fc.boolean() })
    .chain((c) => fc.record({ c: fc.constant(c), xs: valuesArb(c.planes * c.h * c.w, c.special) }));

  it("gives each window's maximum and its first winning tap, for any size, with ties, NaN and signed zeros", () => {
    fc.assert(fc.property(caseArb, ({ c, xs }) => {
      const x = Float32Array.from(xs), ref = reference(c.planes, c.h, c.w, x);
      const y = new Float32Array(ref.y.length).fill(7), code = new Uint8Array(ref.y.length).fill(9); // stale values must go
      k.f32MaxPool2x2(c.planes, c.h, c.w, x, y, code);
      expect(same(y, ref.y), `maxima of ${JSON.stringify(c)}`).toBe(true);
      expect(Array.from(code), `codes of ${JSON.stringify(c)}`).toEqual(Array.from(ref.code));
      // No code array: the maxima alone, the same.
      const alone = new Float32Array(ref.y.length).fill(7);
      k.f32MaxPool2x2(c.planes, c.h, c.w, x, alone, null);
      expect(same(alone, ref.y), `maxima without taps of ${JSON.stringify(c)}`).toBe(true);
    }), { numRuns: 300 });
  });

  it("gives the JS reference's bits, signed zeros included", () => {
    fc.assert(fc.property(caseArb, ({ c, xs }) => {
      const x = Float32Array.from(xs), n = c.planes * (c.h >> 1) * (c.w >> 1);
      const y = new Float32Array(n), yJs = new Float32Array(n), code = new Uint8Array(n), codeJs = new Uint8Array(n);
      k.f32MaxPool2x2(c.planes, c.h, c.w, x, y, code);
      maxPool2x2Js(c.planes, c.h, c.w, x, yJs, codeJs);
      for (let i = 0; i < n; i++) if (!Object.is(y[i], yJs[i]) && !(Number.isNaN(y[i]) && Number.isNaN(yJs[i]))) throw new Error(`y[${i}]: ${y[i]} vs ${yJs[i]}`);
      expect(Array.from(code)).toEqual(Array.from(codeJs));
    }), { numRuns: 200 });
  });

  it("a CNN-sized plane batch (64·32 planes of 28×28) agrees with the reference", () => {
    const planes = 64 * 32, x = new Float32Array(planes * 28 * 28);
    for (let i = 0; i < x.length; i++) x[i] = ((i * 7919) % 1013) / 97 - 5;
    const ref = reference(planes, 28, 28, x);
    const y = new Float32Array(ref.y.length), code = new Uint8Array(ref.y.length);
    k.f32MaxPool2x2(planes, 28, 28, x, y, code);
    expect(same(y, ref.y)).toBe(true);
    expect(code.every((v, i) => v === ref.code[i])).toBe(true);
  });

  it("the raw kernel writes nothing past y's and code's ends (its ragged-end vectors spill only into rows it writes later), with or without codes", () => {
    const wasm = activeKernelExports();
    if (!wasm) return; // the js backend has no kernel module
    fc.assert(fc.property(caseArb, ({ c, xs }) => {
      const n = c.planes * (c.h >> 1) * (c.w >> 1), x = Float32Array.from(xs), ref = reference(c.planes, c.h, c.w, x);
      // The top 8 KB of memory: arena scratch, free between ops. x, then y, then code, each followed by a guard.
      const base = wasm.memory.buffer.byteLength - 8192, xPtr = base, yPtr = xPtr + x.length * 4 + 64, codePtr = yPtr + n * 4 + 64;
      const bytes = () => new Uint8Array(wasm.memory.buffer);
      bytes().fill(0xee, base, codePtr + n + 64);
      new Float32Array(wasm.memory.buffer, xPtr, x.length).set(x);
      wasm.f32_maxpool2d_2x2(c.planes, c.h, c.w, xPtr, yPtr, codePtr);
      expect(same(new Float32Array(wasm.memory.buffer, yPtr, n).slice(), ref.y)).toBe(true);
      expect(Array.from(bytes().subarray(codePtr, codePtr + n))).toEqual(Array.from(ref.code));
      expect(Array.from(bytes().subarray(yPtr + n * 4, yPtr + n * 4 + 64)).every((b) => b === 0xee)).toBe(true);
      expect(Array.from(bytes().subarray(codePtr + n, codePtr + n + 64)).every((b) => b === 0xee)).toBe(true);
      // code 0: the maxima alone (inference), the same bits, and no byte written but y's.
      bytes().fill(0xee, yPtr, codePtr + n + 64);
      const low = bytes().slice(0, 64);
      wasm.f32_maxpool2d_2x2(c.planes, c.h, c.w, xPtr, yPtr, 0);
      expect(same(new Float32Array(wasm.memory.buffer, yPtr, n).slice(), ref.y)).toBe(true);
      expect(Array.from(bytes().subarray(yPtr + n * 4, codePtr + n + 64)).every((b) => b === 0xee)).toBe(true);
      expect(Array.from(bytes().subarray(0, 64))).toEqual(Array.from(low));
    }), { numRuns: 300 });
  });
});

/** By the definition: gx is zero but at each window's winning tap, which holds the window's gradient. */
function backwardReference(planes: number, h: number, w: number, code: Uint8Array, g: Float32Array): Float64Array {
  const oh = h >> 1, ow = w >> 1, gx = new Float64Array(planes * h * w);
  for (let p = 0, o = 0; p < planes; p++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++, o++) {
    const [a, b] = [[0, 0], [0, 1], [1, 0], [1, 1]][code[o]];
    gx[(p * h + 2 * i + a) * w + 2 * j + b] = g[o];
  }
  return gx;
}

describe("f32MaxPool2x2Backward", () => {
  const k = poolKernels();
  const caseArb = fc.record({ planes: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 2, max: 7 }), w: fc.integer({ min: 2, max: 21 }) })
    .chain((c) => {
      const n = c.planes * (c.h >> 1) * (c.w >> 1);
      return fc.record({
        c: fc.constant(c),
        code: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
        g: fc.array(fc.constantFrom(-1.5, -0, 0, 0.25, 3, NaN, Infinity), { minLength: n, maxLength: n }),
      });
    });

  it("puts each window's gradient at its winning tap and zeros everywhere else, over stale values, for any size", () => {
    fc.assert(fc.property(caseArb, ({ c, code, g }) => {
      const codes = Uint8Array.from(code), gs = Float32Array.from(g), want = backwardReference(c.planes, c.h, c.w, codes, gs);
      const gx = new Float32Array(want.length).fill(7);
      k.f32MaxPool2x2Backward(c.planes, c.h, c.w, codes, gs, gx);
      for (let i = 0; i < want.length; i++) {
        if (!Object.is(gx[i], want[i])) throw new Error(`gx[${i}] of ${JSON.stringify(c)}: ${gx[i]}, want ${want[i]}`);
      }
    }), { numRuns: 300 });
  });

  it("gives the JS reference's bits", () => {
    fc.assert(fc.property(caseArb, ({ c, code, g }) => {
      const codes = Uint8Array.from(code), gs = Float32Array.from(g), size = c.planes * c.h * c.w;
      const gx = new Float32Array(size), gxJs = new Float32Array(size).fill(9);
      k.f32MaxPool2x2Backward(c.planes, c.h, c.w, codes, gs, gx);
      maxPool2x2BackwardJs(c.planes, c.h, c.w, codes, gs, gxJs);
      for (let i = 0; i < size; i++) if (!Object.is(gx[i], gxJs[i])) throw new Error(`gx[${i}]: ${gx[i]} vs ${gxJs[i]}`);
    }), { numRuns: 200 });
  });
});

describe("packing the taps four to a byte", () => {
  const codesArb = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 70 });

  it("packTapsJs puts code i in bits 2(i mod 4) of byte ⌊i/4⌋, and unpackTapsJs undoes it", () => {
    fc.assert(fc.property(codesArb, (codes) => {
      const packed = packTapsJs(Uint8Array.from(codes));
      expect(packed.length).toBe(Math.ceil(codes.length / 4));
      codes.forEach((c, i) => expect((packed[Math.floor(i / 4)] >> (2 * (i % 4))) & 3).toBe(c));
      // The bits past the last code are zero.
      if (codes.length % 4) expect(packed[packed.length - 1] >> (2 * (codes.length % 4))).toBe(0);
      expect(Array.from(unpackTapsJs(packed, codes.length))).toEqual(codes);
    }), { numRuns: 300 });
  });

  it("u8_pack_taps and u8_unpack_taps give the JS reference's bytes and write nothing past their ends", () => {
    const wasm = activeKernelExports();
    if (!wasm) return; // the js backend has no kernel module: the reference above is its implementation
    // Up to 250 codes: the kernels' 64-code vector steps, then their scalar ends.
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 250 }), (codes) => {
      const n = codes.length, bytes = (n + 3) >> 2;
      // The top KB of memory: arena scratch, free between ops (no kernel data lives there).
      const src = wasm.memory.buffer.byteLength - 1024, dst = src + 256, back = dst + 256;
      const mem = () => new Uint8Array(wasm.memory.buffer);
      mem().fill(0xee, src, back + 256);
      mem().set(codes, src);
      wasm.u8_pack_taps(n, src, dst);
      expect(Array.from(mem().subarray(dst, dst + bytes))).toEqual(Array.from(packTapsJs(Uint8Array.from(codes))));
      expect(mem()[dst + bytes]).toBe(0xee);
      wasm.u8_unpack_taps(n, dst, back);
      expect(Array.from(mem().subarray(back, back + n))).toEqual(codes);
      expect(mem()[back + n]).toBe(0xee);
    }), { numRuns: 300 });
  });
});
