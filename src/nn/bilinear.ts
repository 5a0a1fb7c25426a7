// The bilinear layer, F.bilinear / torch.nn.Bilinear: y_o = Σ_ij x1_i·W_oij·x2_j + b_o over inputs
// [*, in1] and [*, in2] with the same leading dims, W of shape [out, in1, in2] as PyTorch's. It is
// composed of recorded ops (one GEMM of x1 with W's [in1, out·in2] view, then a product with x2
// summed over in2), so autograd is theirs and the GEMM runs on the kernels.
import { positiveInt } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { rngFrom, Tensor, zeros, type RandomOptions } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { Module } from "./module.js";

function floatInput(name: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw new ValueError(`bilinear: ${name} must be a Tensor`);
  if (t.dtype !== "float32" && t.dtype !== "float64") throw new DTypeError(`bilinear: ${name} must be float32 or float64, got ${t.dtype}`);
  return t;
}

/** F.bilinear(x1, x2, weight, bias?): x1 [*, in1], x2 [*, in2], weight [out, in1, in2], bias [out] → [*, out]. */
export function bilinear(x1: Tensor, x2: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const all: [string, Tensor][] = [["input1", x1], ["input2", x2], ["weight", weight]];
  if (bias !== null && bias !== undefined) all.push(["bias", bias]);
  for (const [name, t] of all) floatInput(name, t);
  const dtype = x1.dtype;
  for (const [name, t] of all) {
    if (t.dtype !== dtype) throw new DTypeError(`bilinear: ${name} is ${t.dtype} but input1 is ${dtype} (all must share one dtype)`);
  }
  if (weight.ndim !== 3) throw new ShapeError(`bilinear: weight must be 3-d [out, in1, in2], got shape [${weight.shape}]`);
  const [out, in1, in2] = weight.shape;
  if (x1.ndim < 1 || x2.ndim !== x1.ndim) throw new ShapeError(`bilinear: input1 [${x1.shape}] and input2 [${x2.shape}] must have the same number of dims, at least 1`);
  const lead = x1.shape.slice(0, -1);
  lead.forEach((d, i) => {
    if (x2.shape[i] !== d) throw new ShapeError(`bilinear: input batch dims do not match at dim ${i}: input1 [${x1.shape}], input2 [${x2.shape}]`);
  });
  if (x1.shape[x1.ndim - 1] !== in1) throw new ShapeError(`bilinear: input1's last dim is ${x1.shape[x1.ndim - 1]}, weight [${weight.shape}] expects ${in1}`);
  if (x2.shape[x2.ndim - 1] !== in2) throw new ShapeError(`bilinear: input2's last dim is ${x2.shape[x2.ndim - 1]}, weight [${weight.shape}] expects ${in2}`);
  if (bias !== null && bias !== undefined && (bias.ndim !== 1 || bias.shape[0] !== out)) {
    throw new ShapeError(`bilinear: bias must have shape [${out}] (weight [${weight.shape}]), got [${bias.shape}]`);
  }
  const B = lead.reduce((a, b) => a * b, 1);
  // u[b, o, j] = Σ_i x1[b, i]·W[o, i, j], then y[b, o] = Σ_j u[b, o, j]·x2[b, j].
  const u = x1.reshape([B, in1]).matmul(weight.permute([1, 0, 2]).reshape([in1, out * in2])).reshape([B, out, in2]);
  let y = u.mul(x2.reshape([B, 1, in2])).sum(2);
  if (bias !== null && bias !== undefined) y = y.add(bias);
  return y.reshape([...lead, out]);
}

export interface BilinearOptions extends RandomOptions {
  /** Add a learned bias (default true). */
  bias?: boolean;
  dtype?: "float32" | "float64";
}

/** torch.nn.Bilinear(in1Features, in2Features, outFeatures): weight [out, in1, in2] and bias [out], both U(±1/√in1) as PyTorch. */
export class Bilinear extends Module {
  static readonly typeName: string = "Bilinear";
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(readonly in1Features: number, readonly in2Features: number, readonly outFeatures: number, o: BilinearOptions = {}) {
    super();
    for (const [name, v] of [["in1Features", in1Features], ["in2Features", in2Features], ["outFeatures", outFeatures]] as const) {
      positiveInt("Bilinear", name, v);
    }
    checkOptions("Bilinear", o, ["bias", "dtype", "seed", "rng"]);
    const dtype = o.dtype ?? "float32";
    if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`Bilinear: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
    if (o.bias !== undefined && typeof o.bias !== "boolean") throw new ValueError(`Bilinear: bias must be true or false, got ${String(o.bias)}`);
    const rng = rngFrom(o), bound = 1 / Math.sqrt(in1Features);
    // PyTorch's reset_parameters: the weight, then the bias, from U(−1/√in1, 1/√in1).
    const uniform = (t: Tensor) => {
      const d = t.storage;
      for (let i = 0; i < d.length; i++) d[i] = (2 * rng.uniform() - 1) * bound;
      return t;
    };
    this.weight = this.registerParameter("weight", uniform(zeros([outFeatures, in1Features, in2Features], { dtype })));
    this.bias = (o.bias ?? true) ? this.registerParameter("bias", uniform(zeros([outFeatures], { dtype }))) : null;
  }
  forward(x1: Tensor, x2: Tensor): Tensor { return bilinear(x1, x2, this.weight, this.bias); }
}
