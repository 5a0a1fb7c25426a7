// The key/value cache of causal incremental decoding: an attention layer appends the keys and
// values of the positions it is given, so generating token t attends over the t − 1 cached
// positions instead of re-running the prefix. Inference only (attention refuses it while
// recording gradients). Each append re-packs the blocks (a copy as large as the keys and values
// the step then attends over, so it does not change the step's order of cost).
import { ShapeError } from "../errors.js";
import type { FloatArray } from "../ndarray/index.js";

/** One attention layer's cached keys and values, [blocks = batch·heads, positions, head dim] each. */
export class KVCache {
  private keys: FloatArray | null = null;
  private values: FloatArray | null = null;
  private blocks = 0;
  private e = 0;
  private ev = 0;
  /** Positions cached so far. */
  length = 0;

  /** Forgets every position (to start a new sequence). */
  reset(): void {
    this.keys = this.values = null;
    this.length = 0;
  }

  /**
   * Appends new keys [blocks, l, e] and values [blocks, l, ev] (block-major arrays); returns all
   * cached keys and values, [blocks, length, ·], the new positions last.
   */
  append(keys: FloatArray, values: FloatArray, blocks: number, e: number, ev: number): [FloatArray, FloatArray] {
    const l = keys.length / (blocks * e);
    if (this.keys && (blocks !== this.blocks || e !== this.e || ev !== this.ev || keys.constructor !== this.keys.constructor)) {
      throw new ShapeError(`KVCache: ${blocks} blocks of width ${e}/${ev} (${keys.constructor.name}) do not continue the cached ${this.blocks} blocks of width ${this.e}/${this.ev} (${this.keys.constructor.name})`);
    }
    const old = this.length, total = old + l;
    const join = (prev: FloatArray | null, add: FloatArray, w: number): FloatArray => {
      const out = add instanceof Float64Array ? new Float64Array(blocks * total * w) : new Float32Array(blocks * total * w);
      for (let b = 0; b < blocks; b++) {
        if (prev) out.set(prev.subarray(b * old * w, (b + 1) * old * w), b * total * w);
        out.set(add.subarray(b * l * w, (b + 1) * l * w), (b * total + old) * w);
      }
      return out;
    };
    this.keys = join(this.keys, keys, e);
    this.values = join(this.values, values, ev);
    Object.assign(this, { blocks, e, ev, length: total });
    return [this.keys, this.values];
  }
}
