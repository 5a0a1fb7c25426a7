// The (values, indices) pair that sort, cummax and cummin return. PyTorch returns a named tuple,
// read either way: `values, indices = torch.sort(x)` or `torch.sort(x).values`; this is an array
// of the two that also carries them by name, so `const [v, i] = eg.sort(x)` and
// `eg.sort(x).values` both work.
import type { Tensor } from "./tensor.js";

export type ValuesIndices = [values: Tensor, indices: Tensor] & { readonly values: Tensor; readonly indices: Tensor };

export const valuesIndices = (values: Tensor, indices: Tensor): ValuesIndices =>
  Object.assign([values, indices] as [Tensor, Tensor], { values, indices });
