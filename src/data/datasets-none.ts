// The slim build resolves "./datasets.generated.js" to this file (see tsup.config.ts): edge
// bundles carry code only; the data sets are in "edgegrad/datasets".
export const DIGITS = null;
export const IRIS = null;
export const BREAST_CANCER = null;
export const DIABETES = null;
