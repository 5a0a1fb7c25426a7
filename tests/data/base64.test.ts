// decodeBase64 takes whichever decoder the platform has; each path must give the same bytes.
// Node has Buffer, so the atob path (Deno, workerd) is forced here by hiding Buffer for a call.
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { decodeBase64 } from "../../src/base64.js";

const NodeBuffer = globalThis.Buffer;
afterEach(() => { globalThis.Buffer = NodeBuffer; });

// Lengths drawn first so every padding case (length mod 3 = 0, 1, 2) comes up.
const bytesArb = fc.integer({ min: 0, max: 300 }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));

describe("decodeBase64", () => {
  it.each(["platform decoder", "atob fallback"])("%s: returns the encoded bytes, any length", (path) => {
    fc.assert(fc.property(bytesArb, (bytes) => {
      const text = NodeBuffer.from(bytes).toString("base64");
      if (path === "atob fallback") (globalThis as { Buffer?: unknown }).Buffer = undefined;
      const out = decodeBase64(text);
      globalThis.Buffer = NodeBuffer;
      expect(out).toBeInstanceOf(Uint8Array);
      expect(Array.from(out)).toEqual(Array.from(bytes));
    }), { numRuns: 200 });
  });

  it("returns a copy it owns, not a view into a shared buffer pool", () => {
    const out = decodeBase64(NodeBuffer.from([1, 2, 3]).toString("base64"));
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBe(3);
  });
});
