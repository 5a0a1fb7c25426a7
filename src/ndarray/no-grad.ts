// The public noGrad: the tape's own (autograd.ts) plus a check that only a user's callback needs,
// kept out of the tensor core so that a program that never calls it does not ship it.
import { ValueError } from "../errors.js";
import { noGrad as withoutRecording } from "./autograd.js";

/**
 * Runs `fn` without recording any op on the tape, and returns its result. `fn` must be
 * synchronous: an async function leaves the mode at its first await and would record the rest,
 * so a returned Promise is refused with a ValueError (the mode is restored by then).
 */
export function noGrad<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new ValueError(`noGrad: expected a function, got ${fn === null ? "null" : typeof fn}`);
  const result = withoutRecording(fn);
  if (result instanceof Promise) {
    result.catch(() => {}); // dropped, so that its rejection does not surface later on top of this error
    throw new ValueError("noGrad: fn returned a Promise (it must be synchronous)");
  }
  return result;
}
