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
