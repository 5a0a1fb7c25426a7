// The fused recurrent cells (assembly/f32-lstm-cell.ts, f32-gru-cell.ts, f32-rnn-cell.ts on the
// SIMD projects, their JS reference on js), called through the recurrent kernel family's machine:
// every output of one step, forward and backward, against float64 formulas written here, for
// hidden sizes that straddle the 4-lane vectors (ragged tails), pre-activations far into
// saturation (±90, where a naive exp overflows), and NaN propagating. Errors are bounded per
// element from the magnitudes of the terms that make it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { recurrentKernels, type RecurrentMachine } from "../../src/backend/index.js";
import { U32 } from "../support/tolerance.js";

const sig = (v: number) => 1 / (1 + Math.exp(-v));
const valuesArb = (n: number, big: boolean) => fc.array(
  big ? fc.oneof(fc.double({ min: -90, max: 90, noNaN: true }), fc.double({ min: -4, max: 4, noNaN: true })) : fc.double({ min: -4, max: 4, noNaN: true }),
  { minLength: n, maxLength: n });
const shapeArb = fc.record({ B: fc.integer({ min: 1, max: 3 }), H: fc.integer({ min: 1, max: 13 }), big: fc.boolean() });

/** Writes arrays at consecutive offsets of a machine's buffer; returns the offsets. */
function place(m: RecurrentMachine, parts: ArrayLike<number>[]): number[] {
  let at = 0;
  return parts.map((p) => { m.buf.set(p, at); at += p.length; return at - p.length; });
}
const read = (m: RecurrentMachine, at: number, n: number) => Array.from(m.buf.subarray(at, at + n));
const f32 = (a: number[]) => Array.from(Float32Array.from(a));
/** |got − want| ≤ c·u·mag + tiny, element by element. */
function within(got: number[], want: number[], mag: number[], c: number, what: string): void {
  want.forEach((w, i) => {
    const tol = c * U32 * mag[i] + 1e-30;
    if (!(Math.abs(got[i] - w) <= tol)) expect.fail(`${what}[${i}]: ${got[i]} against ${w} (tolerance ${tol})`);
  });
}

describe("recurrent cells", () => {
  const run = recurrentKernels().run;

  it("LSTM forward and backward", () => {
    fc.assert(fc.property(shapeArb.chain((s) => fc.record({ s: fc.constant(s), v: valuesArb(s.B * s.H * 12, s.big), w: valuesArb(s.B * s.H * 4, false) })), ({ s, v, w }) => {
      const { B, H } = s, G = 4 * H, n = B * H;
      const xp = f32(v.slice(0, B * G)), hp = f32(v.slice(B * G, 2 * B * G)), cp = f32(w.slice(0, n));
      const dy = f32(w.slice(n, 2 * n)), dh = f32(w.slice(2 * n, 3 * n)), dc = f32(w.slice(3 * n, 4 * n));
      run(24 * n + 4, [], (m) => {
        const [pxp, php, pcp, pg, ph, pc, pdy, pdh, pdc, pdg] = place(m, [xp, hp, cp, new Array(B * G).fill(0), new Array(n).fill(0), new Array(n).fill(0), dy, dh, dc, new Array(B * G).fill(0)]);
        m.lstmForward(B, H, pxp, php, pcp, pg, ph, pc);
        const gates = read(m, pg, B * G), h = read(m, ph, n), c = read(m, pc, n);
        const gWant: number[] = [], cWant: number[] = [], hWant: number[] = [], cMag: number[] = [];
        for (let b = 0; b < B; b++) for (let q = 0; q < 4; q++) for (let j = 0; j < H; j++) {
          const r = b * G + q * H + j, a = xp[r] + hp[r];
          gWant.push(q === 2 ? Math.tanh(a) : sig(a));
        }
        for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) {
          const [i, f, g, o] = [0, 1, 2, 3].map((q) => gWant[b * G + q * H + j]);
          const cv = f * cp[b * H + j] + i * g;
          // Each gate's error is bounded by its range (1), not by its value, so c's is bounded by |c₋| + 1.
          cWant.push(cv); cMag.push(Math.abs(cp[b * H + j]) + 1 + Math.abs(cv));
          hWant.push(o * Math.tanh(c[b * H + j]));   // from the stored c: h's own error is then a few roundings
        }
        within(gates, gWant, gWant.map(() => 1), 16, "gates");
        within(c, cWant, cMag, 24, "c");
        within(h, hWant, hWant.map(() => 1), 24, "h");
        m.lstmBackward(B, H, pg, pcp, pc, pdy, pdh, pdc, pdg);
        const dg = read(m, pdg, B * G), dcPrev = read(m, pdc, n);
        for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) {
          const k = b * H + j, [i, f, g, o] = [0, 1, 2, 3].map((q) => gates[b * G + q * H + j]);
          const dht = dy[k] + dh[k], tc = Math.tanh(c[k]), dct = dc[k] + dht * o * (1 - tc * tc);
          const mag = Math.abs(dc[k]) + Math.abs(dht) + 1;
          const want = [dct * g * i * (1 - i), dct * cp[k] * f * (1 - f), dct * i * (1 - g * g), dht * tc * o * (1 - o)];
          want.forEach((wv, q) => within([dg[b * G + q * H + j]], [wv], [mag * (1 + Math.abs(cp[k]))], 48, `dgates ${q}`));
          within([dcPrev[k]], [dct * f], [mag], 48, "dc");
        }
      });
    }), { numRuns: 80 });
  });

  it("GRU forward and backward", () => {
    fc.assert(fc.property(shapeArb.chain((s) => fc.record({ s: fc.constant(s), v: valuesArb(s.B * s.H * 6, s.big), w: valuesArb(s.B * s.H * 3, false) })), ({ s, v, w }) => {
      const { B, H } = s, G = 3 * H, n = B * H;
      const xp = f32(v.slice(0, B * G)), hp = f32(v.slice(B * G)), hPrev = f32(w.slice(0, n)), dy = f32(w.slice(n, 2 * n)), dh = f32(w.slice(2 * n));
      run(20 * n, [], (m) => {
        const [pxp, php, phv, pg, ph, pdy, pdh, pdx, pdhp] = place(m, [xp, hp, hPrev, new Array(4 * n).fill(0), new Array(n).fill(0), dy, dh,
          new Array(B * G).fill(0), new Array(B * G).fill(0)]);
        m.gruForward(B, H, pxp, php, phv, pg, ph);
        const gates = read(m, pg, 4 * n), h = read(m, ph, n);
        for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) {
          const x3 = b * G, k = b * H + j;
          const r = sig(xp[x3 + j] + hp[x3 + j]), z = sig(xp[x3 + H + j] + hp[x3 + H + j]), hn = hp[x3 + 2 * H + j];
          const nv = Math.tanh(xp[x3 + 2 * H + j] + gates[b * 4 * H + j] * hn);   // through the stored r
          within([gates[b * 4 * H + j], gates[b * 4 * H + H + j], gates[b * 4 * H + 2 * H + j], gates[b * 4 * H + 3 * H + j]],
                 [r, z, nv, hn], [1, 1, 1 + Math.abs(hn), Math.abs(hn)], 24, "gates");
          within([h[k]], [(1 - z) * nv + z * hPrev[k]], [2 + Math.abs(hPrev[k])], 32, "h");
        }
        m.gruBackward(B, H, pg, phv, pdy, pdh, pdx, pdhp);
        const dx = read(m, pdx, B * G), dhp = read(m, pdhp, B * G), dhRec = read(m, pdh, n);
        for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) {
          const k = b * H + j, g4 = b * 4 * H, [r, z, nv, hn] = [0, 1, 2, 3].map((q) => gates[g4 + q * H + j]);
          const dht = dy[k] + dh[k], dn = dht * (1 - z) * (1 - nv * nv), dz = dht * (hPrev[k] - nv) * z * (1 - z), dr = dn * hn * r * (1 - r);
          const mag = (Math.abs(dy[k]) + Math.abs(dh[k])) * (2 + Math.abs(hPrev[k])) * (1 + Math.abs(hn));
          within([dx[b * G + j], dx[b * G + H + j], dx[b * G + 2 * H + j]], [dr, dz, dn], [mag, mag, mag], 48, "dxp");
          within([dhp[b * G + j], dhp[b * G + H + j], dhp[b * G + 2 * H + j]], [dr, dz, dn * r], [mag, mag, mag], 48, "dhp");
          within([dhRec[k]], [dht * z], [Math.abs(dy[k]) + Math.abs(dh[k])], 8, "dh direct");
        }
      });
    }), { numRuns: 80 });
  });

  it("Elman forward and backward, tanh and relu", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 23 }).chain((n) => fc.record({ n: fc.constant(n), relu: fc.boolean(), v: valuesArb(4 * n, true) })), ({ n, relu, v }) => {
      const xp = f32(v.slice(0, n)), hp = f32(v.slice(n, 2 * n)), dy = f32(v.slice(2 * n, 3 * n).map((x) => x / 30)), dh = f32(v.slice(3 * n).map((x) => x / 30));
      run(6 * n, [], (m) => {
        const [pxp, php, ph, pdy, pdh, pdp] = place(m, [xp, hp, new Array(n).fill(0), dy, dh, new Array(n).fill(0)]);
        m.rnnForward(n, pxp, php, ph, relu);
        const h = read(m, ph, n);
        const sums = xp.map((x, i) => Math.fround(x + hp[i]));
        within(h, sums.map((s) => (relu ? Math.max(0, s) : Math.tanh(s))), sums.map((s) => (relu ? 0 : 1)), 16, "h");
        m.rnnBackward(n, ph, pdy, pdh, pdp, relu);
        const d = read(m, pdp, n);
        within(d, h.map((hv, i) => (dy[i] + dh[i]) * (relu ? (hv > 0 ? 1 : 0) : 1 - hv * hv)), dy.map((x, i) => Math.abs(x) + Math.abs(dh[i])), 8, "dpre");
      });
    }), { numRuns: 80 });
  });

  it("propagates NaN from a pre-activation to the gates, the state and the output", () => {
    run(64, [], (m) => {
      const xp = [NaN, 0, 0, 0], hp = [0, 0, 0, 0];
      const [pxp, php, pcp, pg, ph, pc] = place(m, [xp, hp, [0.5], [0, 0, 0, 0], [0], [0]]);
      m.lstmForward(1, 1, pxp, php, pcp, pg, ph, pc);
      expect(Number.isNaN(m.buf[pg]) && Number.isNaN(m.buf[pc]) && Number.isNaN(m.buf[ph])).toBe(true);
    });
  });
});
