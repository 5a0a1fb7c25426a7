// eg.autograd: torch.autograd's grad and gradcheck, and torch.autograd.functional's jacobian and
// vjp, on the tape of src/ndarray/autograd.ts (reverse mode, first-order gradients).
export { grad } from "./grad.js";
export type { GradOptions } from "./grad.js";
export { gradcheck, GradcheckError } from "./gradcheck.js";
export type { GradcheckOptions } from "./gradcheck.js";
export * as functional from "./functional.js";
export type { JacobianOptions, VjpOptions } from "./functional.js";
