// A float64 reference of the exported sequence layers (Linear, LayerNorm, GELU, Embedding,
// TransformerEncoderLayer/Encoder in the ONNX exporter's terms), PyTorch's definitions as plain
// loops, with a first-order bound on the error of any float32 evaluation of the same network:
// each rounding site's bound times the output's sensitivity to it, summed over the sites.
import * as eg from "../../src/index.js";
import { gamma, U32 } from "./tolerance.js";

const ETA = 2 ** -149;
type Layer = eg.io.OnnxLayer;
type Encoder = Extract<Layer, { kind: "transformerEncoderLayer" }>;
type Norm = Extract<Layer, { kind: "layerNormalization" }>;

/**
 * The float64 forward of exported layers as plain loops, every rounding site of a float32
 * evaluation marked: site(values, mag) records how far any float32 engine may round each value
 * there (Higham's standard model: γ(k+1)·Σ|terms| for a k-term sum in any order, with or without
 * FMA; a few ulps for exp, erf, sqrt; u per add, multiply and divide), and lets the bound below
 * move one value of one site.
 */
class Tape {
  mags: Float64Array[] = [];
  private k = 0;
  constructor(private readonly poke: { site: number; index: number; h: number } | null = null) {}
  site(values: Float64Array, mag: Float64Array): Float64Array {
    const s = this.k++;
    if (!this.poke) this.mags.push(mag);
    else if (this.poke.site === s) values[this.poke.index] += this.poke.h;
    return values;
  }
}

const u = U32;
const rows = (a: Float64Array, width: number) => a.length / width;

/** x·Wᵀ + b along the last dim (width k). */
function linear(t: Tape, x: Float64Array, k: number, w: ArrayLike<number>, b: ArrayLike<number> | null, out: number): Float64Array {
  const n = rows(x, k), y = new Float64Array(n * out), mag = new Float64Array(n * out);
  for (let r = 0; r < n; r++) for (let j = 0; j < out; j++) {
    let s = b ? b[j] : 0, abs = Math.abs(s);
    for (let p = 0; p < k; p++) { const v = w[j * k + p] * x[r * k + p]; s += v; abs += Math.abs(v); }
    y[r * out + j] = s;
    mag[r * out + j] = gamma(k + 1) * abs + (k + 1) * ETA;
  }
  return t.site(y, mag);
}

/** LayerNorm over the last E values of each row (the normalized dims flattened): mean, centring, variance (one- or two-pass), σ (ε, √, reciprocal), x̂, γ, β. */
function layerNorm(t: Tape, x: Float64Array, E: number, l: Norm): Float64Array {
  const n = rows(x, E), mu = new Float64Array(n), muMag = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0, abs = 0;
    for (let i = 0; i < E; i++) { s += x[r * E + i]; abs += Math.abs(x[r * E + i]); }
    mu[r] = s / E; muMag[r] = gamma(E + 1) * abs / E;
  }
  t.site(mu, muMag);
  const d = x.map((v, i) => v - mu[Math.floor(i / E)]);
  t.site(d, d.map((v) => u * Math.abs(v)));
  const sigma = new Float64Array(n), varMag = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let v = 0;
    for (let i = 0; i < E; i++) v += d[r * E + i] ** 2;
    sigma[r] = v / E; varMag[r] = gamma(E + 4) * (v / E + 2 * mu[r] ** 2);
  }
  t.site(sigma, varMag);
  sigma.forEach((v, r) => { sigma[r] = Math.sqrt(v + l.epsilon); });
  t.site(sigma, sigma.map((v) => 3 * u * v));
  const xh = d.map((v, i) => v / sigma[Math.floor(i / E)]);
  t.site(xh, xh.map((v) => u * Math.abs(v)));
  const g = xh.map((v, i) => v * (l.scale ? l.scale[i % E] : 1));
  t.site(g, g.map((v) => u * Math.abs(v)));
  const y = g.map((v, i) => v + (l.bias ? l.bias[i % E] : 0));
  return t.site(y, y.map((v) => u * Math.abs(v)));
}

/** GELU, erf or tanh form: within 16u·|x| + 64u·|y| (erf, exp or tanh kernels of a few ulps, then ×x). */
function gelu(t: Tape, x: Float64Array, tanh: boolean): Float64Array {
  const f = tanh ? (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))) : (v: number) => 0.5 * v * (1 + eg.nn.erf(v / Math.SQRT2));
  const y = x.map(f);
  return t.site(y, y.map((v, i) => 16 * u * Math.abs(x[i]) + 64 * u * Math.abs(v) + 2 ** -60));
}

const add = (t: Tape, a: Float64Array, b: Float64Array) => {
  const y = a.map((v, i) => v + b[i]);
  return t.site(y, y.map((v) => u * Math.abs(v)));
};

/**
 * Self-attention of [N, S, E]: scores q·k·(1/√Dh) (the scale rounded, applied before or after the
 * product), softmax (the shift by the row max, exp within 8 ulps, the sum, a divide or a reciprocal
 * and multiply), then p·v.
 */
function attention(t: Tape, x: Float64Array, [N, S, E]: number[], l: Encoder): Float64Array {
  const H = l.nhead, Dh = E / H, scale = 1 / Math.sqrt(Dh);
  const qkv = linear(t, x, E, l.inProjWeight, l.inProjBias, 3 * E);
  const at = (part: number, n: number, s: number, h: number, d: number) => ((n * S + s) * 3 + part) * E + h * Dh + d;
  const sc = new Float64Array(N * H * S * S), scMag = new Float64Array(sc.length);
  for (let n = 0; n < N; n++) for (let h = 0; h < H; h++) for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) {
    let sum = 0, abs = 0;
    for (let d = 0; d < Dh; d++) { const v = qkv[at(0, n, i, h, d)] * qkv[at(1, n, j, h, d)]; sum += v; abs += Math.abs(v); }
    const o = ((n * H + h) * S + i) * S + j;
    sc[o] = sum * scale; scMag[o] = gamma(Dh + 2) * abs * scale + Dh * ETA;
  }
  t.site(sc, scMag);
  const ex = new Float64Array(sc.length), exMag = new Float64Array(sc.length), z = new Float64Array(N * H * S), zMag = new Float64Array(z.length);
  for (let r = 0; r < z.length; r++) {
    const m = Math.max(...sc.subarray(r * S, (r + 1) * S));
    for (let j = 0; j < S; j++) { const e = Math.exp(sc[r * S + j] - m); ex[r * S + j] = e; exMag[r * S + j] = (u * Math.abs(sc[r * S + j] - m) + 8 * u) * e; }
  }
  t.site(ex, exMag);
  for (let r = 0; r < z.length; r++) { for (let j = 0; j < S; j++) z[r] += ex[r * S + j]; zMag[r] = gamma(S) * z[r]; }
  t.site(z, zMag);
  const p = ex.map((v, i) => v / z[Math.floor(i / S)]);
  t.site(p, p.map((v) => 2 * u * v));
  const y = new Float64Array(N * S * E), mag = new Float64Array(y.length);
  for (let n = 0; n < N; n++) for (let h = 0; h < H; h++) for (let i = 0; i < S; i++) for (let d = 0; d < Dh; d++) {
    let sum = 0, abs = 0;
    for (let j = 0; j < S; j++) { const v = p[((n * H + h) * S + i) * S + j] * qkv[at(2, n, j, h, d)]; sum += v; abs += Math.abs(v); }
    y[(n * S + i) * E + h * Dh + d] = sum; mag[(n * S + i) * E + h * Dh + d] = gamma(S + 1) * abs + S * ETA;
  }
  return linear(t, t.site(y, mag), E, l.outProjWeight, l.outProjBias, E);
}

function encoderLayer(t: Tape, x: Float64Array, shape: number[], l: Encoder): Float64Array {
  const E = l.dModel;
  const ff = (h: Float64Array) => {
    const a = linear(t, h, E, l.linear1Weight, l.linear1Bias, l.dimFeedforward);
    return linear(t, l.activation === "relu" ? a.map((v) => Math.max(v, 0)) : gelu(t, a, false), l.dimFeedforward, l.linear2Weight, l.linear2Bias, E);
  };
  if (l.normFirst) {
    const x1 = add(t, x, attention(t, layerNorm(t, x, E, l.norm1), shape, l));
    return add(t, x1, ff(layerNorm(t, x1, E, l.norm2)));
  }
  const x1 = layerNorm(t, add(t, x, attention(t, x, shape, l)), E, l.norm1);
  return layerNorm(t, add(t, x1, ff(x1)), E, l.norm2);
}

/** The float64 forward of exported layers; the input holds token ids when the first layer is an Embedding. */
function forward(t: Tape, layers: Layer[], inShape: number[], input: ArrayLike<number>): Float64Array {
  let h: Float64Array = Float64Array.from(input), shape = inShape.slice();
  const last = () => shape[shape.length - 1];
  for (const l of layers) {
    switch (l.kind) {
      case "embedding": {
        const y = new Float64Array(h.length * l.embeddingDim);
        h.forEach((id, r) => y.set(l.weight.subarray(id * l.embeddingDim, (id + 1) * l.embeddingDim), r * l.embeddingDim));
        h = y; shape = [...shape, l.embeddingDim];
        break;
      }
      case "transformerEncoderLayer": h = encoderLayer(t, h, shape, l); break;
      case "transformerEncoder":
        for (const layer of l.layers) h = encoderLayer(t, h, shape, layer);
        if (l.norm) h = layerNorm(t, h, last(), l.norm);
        break;
      case "layerNormalization": h = layerNorm(t, h, l.normalizedShape.reduce((a, d) => a * d, 1), l); break;
      case "linear": h = linear(t, h, l.inFeatures, l.weight, l.bias, l.outFeatures); shape = [...shape.slice(0, -1), l.outFeatures]; break;
      case "gelu": case "geluTanh": h = gelu(t, h, l.kind === "geluTanh"); break;
      case "relu": h = h.map((v) => Math.max(v, 0)); break;
      case "identity": break;
      default: throw new Error(`reference: no rule for ${l.kind}`);
    }
  }
  return h;
}

/**
 * The float64 outputs and, per output, a first-order bound on the error of any float32
 * evaluation: Σ over rounding sites of |∂output/∂site value|·(the site's rounding bound), the
 * derivatives by forward differences in float64, one site value at a time (the networks here
 * have a few thousand), so no worst case is compounded layer by layer. Doubled for the
 * second-order terms and the differences' own error.
 */
export function reference(layers: Layer[], shape: number[], input: ArrayLike<number>): { y: Float64Array; err: Float64Array } {
  const base = new Tape(), y = forward(base, layers, shape, input), err = new Float64Array(y.length);
  base.mags.forEach((mag, site) => mag.forEach((m, index) => {
    if (m === 0) return;
    const h = 1e-7;
    const moved = forward(new Tape({ site, index, h }), layers, shape, input);
    moved.forEach((v, i) => { err[i] += Math.abs((v - y[i]) / h) * m; });
  }));
  return { y, err: err.map((e) => 2 * e) };
}
