import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { eye, randn } from "../ndarray/creation.js";
import { diagonal } from "../ndarray/diagonal.js";
import { cholesky } from "../ndarray/linalg-cholesky.js";
import { inverse, solve } from "../ndarray/linalg-solve.js";
import type { RandomOptions } from "../ndarray/random.js";
import { broadcastShapes } from "../ndarray/shape.js";
import { Tensor } from "../ndarray/tensor.js";
import { tril } from "../ndarray/triangular.js";
import { Distribution } from "./distribution.js";
import { checkValue, real, requireParam, samplingSetup, type ParamLike } from "./params.js";

/** Exactly one of the three ways PyTorch's MultivariateNormal takes its covariance. */
export type MultivariateNormalOptions =
  | { covarianceMatrix: Tensor; precisionMatrix?: undefined; scaleTril?: undefined }
  | { precisionMatrix: Tensor; covarianceMatrix?: undefined; scaleTril?: undefined }
  | { scaleTril: Tensor; covarianceMatrix?: undefined; precisionMatrix?: undefined };

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * L⁻¹·B for lower triangular L [..., n, n] and B [..., n, k], batch dims broadcast, as PyTorch's
 * solve_triangular(L, B, upper=False): only L's lower triangle is read, so only it gets a
 * gradient. B gets leading dims of 1 up to L's rank, so `solve` never reads it as a stack of vectors.
 */
export function lowerSolve(L: Tensor, B: Tensor): Tensor {
  const lead = Math.max(0, L.ndim - B.ndim);
  return solve(tril(L), lead > 0 ? B.reshape([...new Array<number>(lead).fill(1), ...B.shape]) : B);
}

/** |L⁻¹·x|² over the last dim: the squared Mahalanobis length of x [..., n] for covariance L·Lᵀ. */
export const mahalanobis = (L: Tensor, x: Tensor) => lowerSolve(L, x.unsqueeze(-1)).squeeze(-1).square().sum(-1);

/** Σ log Lᵢᵢ = ½·log det(L·Lᵀ). */
export const halfLogDet = (L: Tensor) => diagonal(L, 0, -2, -1).log().sum(-1);

/**
 * MultivariateNormal(loc, { covarianceMatrix } | { precisionMatrix } | { scaleTril }), PyTorch's:
 * N(loc, Σ) over the last dim (eventShape [n]), Σ = L·Lᵀ with L lower triangular. L is the
 * Cholesky factor of Σ (or of P⁻¹), or scaleTril itself; every method works through L, so
 * gradients reach whichever matrix was given. As in PyTorch, a given scaleTril's zeros above the
 * diagonal get the gradient of the products they enter (rsample, covarianceMatrix, the KL's
 * L_q⁻¹·L_p) but not of the triangular solves that read L's lower triangle only.
 */
export class MultivariateNormal extends Distribution {
  override readonly hasRsample = true;
  readonly loc: Tensor;
  /** L before broadcasting to the batch shape (PyTorch's _unbroadcasted_scale_tril). */
  readonly unbroadcastedScaleTril: Tensor;
  private readonly given: { name: "covarianceMatrix" | "precisionMatrix" | "scaleTril"; matrix: Tensor };

  constructor(loc: Tensor, o: MultivariateNormalOptions) {
    const where = "MultivariateNormal";
    if (!(loc instanceof Tensor) || loc.ndim < 1) {
      throw new ValueError(`${where}: loc must be a Tensor of at least one dimension (the event last), got ${loc instanceof Tensor ? "a 0-d tensor" : typeof loc}`);
    }
    if (loc.dtype !== "float32" && loc.dtype !== "float64") throw new DTypeError(`${where}: loc must be float32 or float64, got ${loc.dtype}`);
    checkOptions(where, o, ["covarianceMatrix", "precisionMatrix", "scaleTril"]);
    const names = (["covarianceMatrix", "precisionMatrix", "scaleTril"] as const).filter((k) => o?.[k] !== undefined);
    if (names.length !== 1) throw new ValueError(`${where}: give exactly one of covarianceMatrix, precisionMatrix and scaleTril, got ${names.length === 0 ? "none" : names.join(" and ")}`);
    const name = names[0], matrix = o[name] as Tensor, n = loc.shape[loc.ndim - 1];
    checkMatrix(where, name, matrix, loc, n);
    requireParam(where, "loc", loc, real);
    const L = name === "scaleTril" ? requireLowerCholesky(where, matrix)
      : cholesky(name === "covarianceMatrix" ? requireSymmetricPD(where, name, matrix) : inverse(requireSymmetricPD(where, name, matrix)));
    const batchShape = broadcastShapes(matrix.shape.slice(0, -2), loc.shape.slice(0, -1), where);
    super(where, batchShape, [n]);
    this.loc = loc.expand([...batchShape, n]);
    this.unbroadcastedScaleTril = L;
    this.given = { name, matrix };
  }

  private get n(): number { return this.eventShape[0]; }
  get scaleTril(): Tensor { return this.unbroadcastedScaleTril.expand([...this.batchShape, this.n, this.n]); }
  get covarianceMatrix(): Tensor {
    const L = this.unbroadcastedScaleTril;
    const m = this.given.name === "covarianceMatrix" ? this.given.matrix : L.matmul(L.transpose(-1, -2));
    return m.expand([...this.batchShape, this.n, this.n]);
  }
  /** (L·Lᵀ)⁻¹ = L⁻ᵀ·L⁻¹ (PyTorch's cholesky_inverse), or the given precision matrix. */
  get precisionMatrix(): Tensor {
    let m = this.given.matrix;
    if (this.given.name !== "precisionMatrix") {
      const Linv = lowerSolve(this.unbroadcastedScaleTril, eye(this.n, this.n, { dtype: this.loc.dtype }));
      m = Linv.transpose(-1, -2).matmul(Linv);
    }
    return m.expand([...this.batchShape, this.n, this.n]);
  }

  get mean(): Tensor { return this.loc; }
  /** The diagonal of Σ: the row sums of L². */
  get variance(): Tensor { return this.unbroadcastedScaleTril.square().sum(-1).expand([...this.batchShape, this.n]); }

  /** loc + L·ε, ε standard normal. */
  override rsample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    const rng = samplingSetup("MultivariateNormal.rsample", sampleShape, o);
    const eps = randn(this.extendedShape(sampleShape), { dtype: this.loc.dtype, rng });
    return this.loc.add(this.unbroadcastedScaleTril.matmul(eps.unsqueeze(-1)).squeeze(-1));
  }

  /** −½·(n·log 2π + |L⁻¹(x − loc)|²) − Σ log Lᵢᵢ. */
  logProb(value: ParamLike): Tensor {
    const v = checkValue("MultivariateNormal.logProb", value, this.loc, this.batchShape, this.eventShape);
    requireParam("MultivariateNormal.logProb", "value", v, real);
    const m = mahalanobis(this.unbroadcastedScaleTril, v.sub(this.loc));
    return m.add(this.n * LOG_2PI).mul(-0.5).sub(halfLogDet(this.unbroadcastedScaleTril));
  }

  entropy(): Tensor {
    return halfLogDet(this.unbroadcastedScaleTril).add(0.5 * this.n * (1 + LOG_2PI)).expand(this.batchShape);
  }
}

function checkMatrix(where: string, name: string, m: unknown, loc: Tensor, n: number): asserts m is Tensor {
  if (!(m instanceof Tensor)) throw new ValueError(`${where}: ${name} must be a Tensor, got ${typeof m}`);
  if (m.dtype !== loc.dtype) throw new DTypeError(`${where}: ${name} must have loc's dtype ${loc.dtype}, got ${m.dtype}`);
  if (m.ndim < 2 || m.shape[m.ndim - 1] !== n || m.shape[m.ndim - 2] !== n) {
    throw new ShapeError(`${where}: ${name} must be [..., ${n}, ${n}] for loc of shape [${loc.shape}], got shape [${m.shape}]`);
  }
}

/** PyTorch's lower_cholesky constraint: zeros above the diagonal, a positive diagonal. */
function requireLowerCholesky(where: string, m: Tensor): Tensor {
  const n = m.shape[m.ndim - 1], data = m.contiguous().data;
  for (let i = 0; i < data.length; i++) {
    const r = Math.floor(i / n) % n, c = i % n;
    if ((c > r && data[i] !== 0) || (c === r && !(data[i] > 0)) || data[i] !== data[i]) {
      throw new ValueError(`${where}: scaleTril must be lower triangular with a positive diagonal, got ${data[i]} at row ${r}, column ${c} (flat index ${i} of shape [${m.shape}])`);
    }
  }
  return m;
}

/** PyTorch's positive_definite constraint: symmetric (isclose, atol 1e-6) and a Cholesky factor exists. */
function requireSymmetricPD(where: string, name: string, m: Tensor): Tensor {
  const n = m.shape[m.ndim - 1], data = m.contiguous().data;
  for (let i = 0; i < data.length; i++) {
    const base = i - (i % (n * n)), r = Math.floor((i % (n * n)) / n), c = i % n, t = data[base + c * n + r];
    if (!(Math.abs(data[i] - t) <= 1e-6 + 1e-5 * Math.abs(t))) {
      throw new ValueError(`${where}: ${name} must be symmetric, got ${data[i]} at row ${r}, column ${c} and ${t} at row ${c}, column ${r} (flat index ${i} of shape [${m.shape}])`);
    }
  }
  try {
    cholesky(m.detach());
  } catch (e) {
    if (e instanceof ValueError) throw new ValueError(`${where}: ${name} must be positive definite: ${e.message}`);
    throw e;
  }
  return m;
}
