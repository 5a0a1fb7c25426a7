// A pool whose workers never answer (a browser under load may never start one) does not hang
// init(): startThreadPool gives up after poolStart.timeoutMs, ends the workers it made, and says
// why in a BackendError, which init turns into one thread with that reason.
import { afterEach, describe, expect, it } from "vitest";
import { BackendError } from "../../src/index.js";
import { poolStart, startThreadPool, type WorkerHost } from "../../src/backend/thread-pool.js";

const defaultTimeout = poolStart.timeoutMs;
afterEach(() => { poolStart.timeoutMs = defaultTimeout; });

describe("starting a pool", () => {
  it("gives up on workers that never say they are ready, and ends them", async () => {
    const made: { terminated: boolean }[] = [];
    class SilentWorker {
      terminated = false;
      constructor() { made.push(this); }
      on(): void {}
      off(): void {}
      unref(): void {}
      terminate(): void { this.terminated = true; }
    }
    const host = { kind: "node", Worker: SilentWorker } as unknown as WorkerHost;
    poolStart.timeoutMs = 50;
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
    const started = performance.now();
    const attempt = startThreadPool(host, 2, new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])), memory, true);
    await expect(attempt).rejects.toThrow(BackendError);
    await expect(attempt).rejects.toThrow("init: the thread pool's workers did not start (no answer from the workers within 50 ms)");
    expect(performance.now() - started).toBeLessThan(5000);
    expect(made.length).toBe(2);
    expect(made.every((w) => w.terminated)).toBe(true);
  });
});
