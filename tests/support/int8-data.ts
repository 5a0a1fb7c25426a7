// Deterministic int8/uint8 test data, shared by the int8 kernel tests.
export type I8 = Int8Array | Uint8Array;

/** A small LCG: deterministic int8/uint8 data for a given seed. */
export function bytes(len: number, signed: boolean, seed: number): I8 {
  const out = signed ? new Int8Array(len) : new Uint8Array(len);
  let s = seed >>> 0;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;   // Int8Array stores the byte's two's-complement value
  }
  return out;
}
