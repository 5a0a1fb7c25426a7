// The torch.linalg functions beyond the square-matrix factorizations, gathered for one re-export:
// SVD, pseudo-inverse, least squares, norms, rank, condition number, eigvalsh, multiDot and
// householderProduct.
export { svd, svdvals } from "./linalg-svd.js";
export type { SvdOptions } from "./linalg-svd.js";
export { pinv, lstsq } from "./linalg-pinv.js";
export type { PinvOptions, LstsqOptions, SpectralCutoff } from "./linalg-pinv.js";
export { vectorNorm, matrixNorm } from "./linalg-norms.js";
export type { VectorNormOptions, MatrixNormOptions, MatrixNormOrder } from "./linalg-norms.js";
export { matrixRank, cond, eigvalsh } from "./linalg-spectral.js";
export type { MatrixRankOptions, CondOptions } from "./linalg-spectral.js";
export { multiDot } from "./linalg-multi-dot.js";
export { householderProduct } from "./linalg-householder.js";
