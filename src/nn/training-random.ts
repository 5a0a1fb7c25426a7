import type { Rng } from "../ndarray/index.js";
import type { Module } from "./module.js";

/**
 * The generator a fit() run owns for a model: it shuffles the batches and stands in for the
 * global generator while the run's batches execute (unseeded Dropout draws from it). Kept per
 * model so that a checkpoint can save it and a resumed run (initialEpoch > 0) can continue it.
 */
export interface TrainingRandom {
  rng: Rng;
  /** The run's { seed }, or null when it was drawn from the global generator. */
  seed: number | null;
}

export const trainingRandom = new WeakMap<Module, TrainingRandom>();
