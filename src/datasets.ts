// "edgegrad/datasets": the embedded data sets on their own, for the slim build (which leaves
// them out) and for bundles that want them without the rest of the API.
export { digits, iris, breastCancer, diabetes } from "./data/datasets.js";
export type { Dataset, DigitsOptions } from "./data/datasets.js";
