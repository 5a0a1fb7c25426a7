// eg.distributions: torch.distributions' common families (PyTorch 1.13 semantics, camelCase),
// for VAEs, policy gradients and Bayesian layers.
export { Distribution } from "./distribution.js";
export { Normal, Uniform } from "./normal-uniform.js";
export { Exponential, Laplace } from "./exponential-laplace.js";
export { Bernoulli, Categorical } from "./discrete.js";
export type { ProbsOrLogits } from "./discrete.js";
export type { ParamLike } from "./params.js";
export { klDivergence } from "./kl.js";
export { Independent, OneHotCategorical } from "./independent-onehot.js";
export { Gamma } from "./gamma.js";
export { Beta, Dirichlet } from "./dirichlet-beta.js";
export { LogNormal, HalfNormal } from "./lognormal-halfnormal.js";
export { Gumbel, Cauchy } from "./gumbel-cauchy.js";
export { StudentT } from "./student-t.js";
export { MultivariateNormal } from "./multivariate-normal.js";
export type { MultivariateNormalOptions } from "./multivariate-normal.js";
export { Poisson, Geometric } from "./poisson-geometric.js";
export { Binomial } from "./binomial.js";
export type { BinomialOptions } from "./binomial.js";
