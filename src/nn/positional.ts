// Positional encodings added to a sequence of embeddings. Neither has a PyTorch module of its
// own: the sinusoidal table is "Attention Is All You Need"'s (as PyTorch's tutorials build it),
// the learned one is an Embedding of positions (key "weight", N(0, 1) like nn.Embedding).
import { boolean, nonNegativeInt, positiveInt } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { rngFrom, Tensor, zeros, type RandomOptions } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { Module } from "./module.js";

export interface PositionalOptions {
  /** Inputs [batch, seq, dModel] instead of [seq, batch, dModel] (default false); 2-D [seq, dModel] always works. */
  batchFirst?: boolean;
  dtype?: "float32" | "float64";
}
export interface PositionalForwardOptions {
  /** Position of the first element (e.g. the cache length in incremental decoding); default 0. */
  offset?: number;
}

function dtypeOf(where: string, d: unknown): "float32" | "float64" {
  const dtype = d ?? "float32";
  if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`${where}: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
  return dtype;
}

/** The rows [offset, offset + L) of table [maxLen, d], shaped to add onto x. */
function positions(where: string, table: Tensor, x: Tensor, batchFirst: boolean, o: PositionalForwardOptions): Tensor {
  checkOptions(where, o, ["offset"]);
  if (!(x instanceof Tensor)) throw new ValueError(`${where}: input must be a Tensor`);
  const offset = nonNegativeInt(where, "offset", o.offset ?? 0);
  const [maxLen, d] = table.shape;
  if (x.ndim < 2 || x.ndim > 3 || x.shape[x.ndim - 1] !== d) {
    throw new ShapeError(`${where}: expected [seq, ${d}] or a 3-D input ending in ${d}, got [${x.shape}]`);
  }
  const len = x.ndim === 2 || batchFirst ? x.shape[x.ndim - 2] : x.shape[0];
  if (offset + len > maxLen) throw new ValueError(`${where}: positions ${offset}..${offset + len - 1} exceed maxLen ${maxLen}`);
  const rows = table.slice([offset, offset + len]);
  return x.ndim === 3 && !batchFirst ? rows.unsqueeze(1) : rows;
}

/** x + PE[pos], PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(…); a non-persistent buffer "pe". */
export class SinusoidalPositionalEncoding extends Module {
  static readonly typeName: string = "SinusoidalPositionalEncoding";
  readonly pe: Tensor;
  readonly batchFirst: boolean;
  constructor(readonly dModel: number, readonly maxLen = 5000, o: PositionalOptions = {}) {
    super();
    const where = "SinusoidalPositionalEncoding";
    checkOptions(where, o, ["batchFirst", "dtype"]);
    positiveInt(where, "dModel", dModel);
    positiveInt(where, "maxLen", maxLen);
    this.batchFirst = boolean(where, "batchFirst", o.batchFirst ?? false);
    const pe = zeros([maxLen, dModel], { dtype: dtypeOf(where, o.dtype) });
    const d = pe.storage;
    for (let pos = 0; pos < maxLen; pos++) {
      for (let i = 0; i < dModel; i += 2) {
        const angle = pos * Math.exp(-(i / dModel) * Math.log(10000));
        d[pos * dModel + i] = Math.sin(angle);
        if (i + 1 < dModel) d[pos * dModel + i + 1] = Math.cos(angle);
      }
    }
    this.pe = this.registerBuffer("pe", pe, { persistent: false })!;
  }
  forward(x: Tensor, o: PositionalForwardOptions = {}): Tensor {
    const p = positions("SinusoidalPositionalEncoding", this.pe, x, this.batchFirst, o); // checks x first
    return x.add(p);
  }
}

/** x + W[pos] with a learned table W [maxLen, dModel] (parameter "weight"). */
export class LearnedPositionalEncoding extends Module {
  static readonly typeName: string = "LearnedPositionalEncoding";
  readonly weight: Tensor;
  readonly batchFirst: boolean;
  constructor(readonly maxLen: number, readonly dModel: number, o: PositionalOptions & RandomOptions = {}) {
    super();
    const where = "LearnedPositionalEncoding";
    checkOptions(where, o, ["batchFirst", "dtype", "seed", "rng"]);
    positiveInt(where, "maxLen", maxLen);
    positiveInt(where, "dModel", dModel);
    this.batchFirst = boolean(where, "batchFirst", o.batchFirst ?? false);
    const w = zeros([maxLen, dModel], { dtype: dtypeOf(where, o.dtype) });
    const rng = rngFrom(o);
    for (let i = 0; i < w.storage.length; i++) w.storage[i] = rng.normal();
    this.weight = this.registerParameter("weight", w);
  }
  forward(x: Tensor, o: PositionalForwardOptions = {}): Tensor {
    const p = positions("LearnedPositionalEncoding", this.weight, x, this.batchFirst, o); // checks x first
    return x.add(p);
  }
}
