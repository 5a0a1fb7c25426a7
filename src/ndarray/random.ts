import { ValueError } from "../errors.js";

/**
 * xoshiro128** (Blackman & Vigna): 32-bit state words, so it gives the same numbers in every
 * JS engine without BigInt. Seeded through splitmix32 so that nearby seeds give unrelated streams.
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new ValueError(`seed must be an integer (at most 2^53 in size), got ${seed}`);
    // The low 32 bits seed the state; the high ones (a negative seed's too) are mixed in, so that
    // 1 and 2^32 + 1 differ. Seeds in [0, 2^32) give the streams they always gave.
    const high = Math.floor(seed / 2 ** 32);
    let x = ((seed >>> 0) ^ 0x9e3779b9) >>> 0;
    if (high !== 0) {
      let h = Math.imul(high ^ (high >>> 15), 0x2c1b3c6d);
      h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
      x = (x ^ h ^ (h >>> 15)) >>> 0;
    }
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next();
  }

  /** A generator in a given raw state (four 32-bit words, not all zero): for tests and resuming. */
  static fromState(state: readonly [number, number, number, number]): Rng {
    // All-zero words are xoshiro's fixed point: the generator would give 0 forever.
    const word = (w: number) => Number.isInteger(w) && w >= -(2 ** 31) && w < 2 ** 32;
    if (!Array.isArray(state as unknown) || state.length !== 4 || !state.every(word) || state.every((w) => w === 0)) {
      throw new ValueError(`Rng.fromState: needs four 32-bit integer words, not all zero; got ${JSON.stringify(state)}`);
    }
    const r = new Rng(0);
    [r.s0, r.s1, r.s2, r.s3] = state.map((w) => w >>> 0);
    return r;
  }

  /** The whole generator state (the four words and the cached second normal), to save and resume. */
  getState(): RngState {
    // The words are held as int32 by the bit operations; the state is given as unsigned.
    return { words: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spare: this.spare };
  }

  /** Puts the generator back in a state from getState(): it continues the same stream. */
  setState(state: RngState): void {
    const w = state?.words;
    if (!Array.isArray(w) || w.length !== 4 || !w.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32) || w.every((x) => x === 0)) {
      throw new ValueError(`Rng.setState: words must be four unsigned 32-bit integers, not all zero; got ${JSON.stringify(w)}`);
    }
    if (state.spare !== null && typeof state.spare !== "number") {
      throw new ValueError(`Rng.setState: spare must be a number or null, got ${JSON.stringify(state.spare)}`);
    }
    [this.s0, this.s1, this.s2, this.s3] = w;
    this.spare = state.spare;
  }

  /** Next 32 random bits as an unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * Fills `out` with the next out.length uniform() values, in order: the same numbers, drawn with
   * the state in local variables rather than the object's fields, which halves the time per
   * value in a loop as long as a dropout mask's.
   */
  fillUniform(out: Float64Array): Float64Array {
    let s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    for (let i = 0; i < out.length; i++) {
      // Two steps of nextU32, as uniform() takes them: 27 high bits, then 26 low ones.
      const hi = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 5;
      let t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
      const lo = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 6;
      t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11);
      out[i] = (hi * 67108864 + lo) / 9007199254740992;
    }
    this.s0 = s0; this.s1 = s1; this.s2 = s2; this.s3 = s3;
    return out;
  }

  /** Standard normal by the Box–Muller transform (the second value is kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[] | Int32Array): void {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t as never;
    }
  }
}

/** A generator's full state: xoshiro128**'s four words and Box–Muller's pending second value. */
export interface RngState {
  words: [number, number, number, number];
  spare: number | null;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

let globalRng = new Rng(Date.now() % 2 ** 31);

/** Seeds the generator that every random function uses when given neither `seed` nor `rng`. */
export function manualSeed(seed: number): void {
  globalRng = new Rng(seed);
}

/**
 * Runs `fn` (synchronously) with `rng` standing in for the global generator, then puts the
 * global one back: a training loop that owns its generator keeps unseeded layers (Dropout) on
 * it, so two loops interleaved by the event loop do not draw from one shared stream.
 */
export function withGlobalRng<T>(rng: Rng, fn: () => T): T {
  const saved = globalRng;
  globalRng = rng;
  try {
    return fn();
  } finally {
    globalRng = saved;
  }
}

export interface RandomOptions {
  seed?: number;
  rng?: Rng;
}

/** The generator a call should use: its own `rng`, a fresh one from `seed`, or the global one. */
export function rngFrom(o: RandomOptions | undefined): Rng {
  if (o?.rng !== undefined) {
    if (!(o.rng instanceof Rng)) throw new ValueError(`rng must be an Rng, got ${typeof o.rng}`);
    if (o.seed !== undefined) throw new ValueError("give seed or rng, not both (rng would be used and seed ignored)");
    return o.rng;
  }
  if (o?.seed !== undefined) return new Rng(o.seed);
  return globalRng;
}
