export { LRScheduler, StepLR, MultiStepLR, ExponentialLR, InverseTimeDecay } from "./scheduler.js";
export type { Schedulable } from "./scheduler.js";
export { CosineAnnealingLR, CosineAnnealingWarmRestarts } from "./cosine.js";
export { LinearWarmup } from "./warmup.js";
export type { LinearWarmupOptions } from "./warmup.js";
export { ReduceLROnPlateau } from "./plateau.js";
export type { ReduceLROnPlateauOptions } from "./plateau.js";
