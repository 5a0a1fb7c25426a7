import { ValueError } from "./errors.js";

/**
 * Refuses option keys a function does not know, as Python refuses an unexpected keyword
 * argument: `{ learningRate: 0.01 }` for `{ lr }` must fail loudly, not train with the default.
 * Call it once at the public boundary, with every key the function reads.
 */
export function checkOptions(where: string, options: unknown, accepted: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new ValueError(`${where}: options must be an object, got ${options === null ? "null" : Array.isArray(options) ? "an array" : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (!accepted.includes(key)) {
      const list = accepted.length > 0 ? accepted.join(", ") : "none";
      throw new ValueError(`${where}: unknown option "${key}" (accepted: ${list})`);
    }
  }
}
