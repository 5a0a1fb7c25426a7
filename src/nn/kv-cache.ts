// The key/value cache of causal incremental decoding: an attention layer appends the keys and
// values of the positions it is given, so generating token t attends over the t − 1 cached
// positions instead of re-running the prefix. Inference only: what it keeps is detached.
import { ShapeError } from "../errors.js";
import { concat, noGrad, type Tensor } from "../ndarray/index.js";

/** One attention layer's cached keys and values, [batch·heads, positions, headDim] each. */
export class KVCache {
  keys: Tensor | null = null;
  values: Tensor | null = null;

  /** Positions cached so far. */
  get length(): number {
    return this.keys ? this.keys.shape[1] : 0;
  }

  /** Forgets every position (to start a new sequence). */
  reset(): void {
    this.keys = null;
    this.values = null;
  }

  /** Appends new keys and values [blocks, l, dim]; returns all of them, the new positions last. */
  append(keys: Tensor, values: Tensor): [Tensor, Tensor] {
    return noGrad(() => {
      const k = keys.detach(), v = values.detach();
      if (this.keys && this.values) {
        if (this.keys.shape[0] !== k.shape[0] || this.keys.shape[2] !== k.shape[2] || this.values.shape[2] !== v.shape[2]) {
          throw new ShapeError(`KVCache: new keys [${k.shape}] / values [${v.shape}] do not continue the cached [${this.keys.shape}] / [${this.values.shape}]`);
        }
        this.keys = concat([this.keys, k], 1);
        this.values = concat([this.values, v], 1);
      } else {
        this.keys = k.contiguous();
        this.values = v.contiguous();
      }
      return [this.keys, this.values];
    });
  }
}
