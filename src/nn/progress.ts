import { positiveInt } from "../checks.js";
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import type { Callback, Logs } from "./callbacks.js";
import { seesNoArrays } from "./step-safe.js";

interface Out { isTTY?: boolean; write(s: string): unknown; columns?: number }

/** stdout where there is one (Node, Deno, Bun); null in browsers and workers. */
function stdout(): Out | null {
  const p = (globalThis as { process?: { stdout?: Out } }).process;
  return p?.stdout && typeof p.stdout.write === "function" ? p.stdout : null;
}

const fmt = (logs: Logs) => Object.entries(logs).map(([k, v]) => `${k}: ${Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(3) : v.toFixed(4)}`).join(" - ");

/**
 * Keras-style progress: on a terminal, a bar redrawn in place (at most every 100 ms) and one
 * final line per epoch; when output is a pipe or file, just that line per epoch; in browsers,
 * console.log of that line.
 */
export function progressBar(o: { stream?: Out; width?: number } = {}): Callback {
  checkOptions("progressBar", o, ["stream", "width"]);
  if (o.stream !== undefined && (o.stream === null || typeof o.stream.write !== "function")) {
    throw new ValueError("progressBar: stream must have a write() method (like process.stdout)");
  }
  const out = o.stream ?? stdout();
  const tty = out?.isTTY === true;
  const width = positiveInt("progressBar", "width", o.width ?? 30);
  let t0 = 0, lastDraw = 0, seen = 0, lossSum = 0;
  const line = (s: string) => (out ? out.write(s + "\n") : console.log(s));
  // It reads the batch's loss and nothing of the model: fit's arrays may stay in kernel memory.
  return seesNoArrays({
    onEpochBegin() {
      t0 = performance.now(); lastDraw = 0; seen = 0; lossSum = 0;
    },
    onBatchEnd(batch, logs, ctx) {
      if (!tty) return;
      seen++;
      lossSum += logs.loss;
      const now = performance.now();
      if (now - lastDraw < 100 && batch + 1 < ctx.stepsPerEpoch) return;
      lastDraw = now;
      const frac = Math.min((batch + 1) / ctx.stepsPerEpoch, 1);
      const filled = Math.round(frac * width);
      const bar = "=".repeat(Math.max(filled - 1, 0)) + (filled < width ? ">" : "=") + ".".repeat(width - filled);
      out!.write(`\r${batch + 1}/${ctx.stepsPerEpoch} [${bar}] - ${((now - t0) / 1000).toFixed(1)}s - loss: ${(lossSum / seen).toFixed(4)}`);
    },
    onEpochEnd(epoch, logs, ctx) {
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      const text = `Epoch ${epoch + 1}/${ctx.epochs} - ${secs}s - ${fmt(logs)}`;
      if (tty) out!.write("\r\x1b[2K");
      line(text);
    },
  } satisfies Callback);
}
