import type { Module } from "./module.js";

/**
 * Runs `fn` with every module of `model` in eval mode, then gives each module back its own
 * training flag. model.train(was) would set one flag on the whole tree: a model in training
 * with a frozen (eval-mode) BatchNorm would come back with that BatchNorm training again, and
 * the next fit would update its running statistics.
 */
export function inEvalMode<T>(model: Module, fn: () => T): T {
  const modules = model.modules();
  const modes = modules.map((m) => m.training);
  model.eval();
  try {
    return fn();
  } finally {
    modules.forEach((m, i) => { m.training = modes[i]; });
  }
}
