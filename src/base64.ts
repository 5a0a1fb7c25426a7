/**
 * Base64 → bytes with the fastest decoder the platform has: Uint8Array.fromBase64 (newer
 * browsers), Buffer (Node, Bun), else atob and a copy loop (everywhere else). Decoding the
 * embedded kernels is on the cold-start path, where the loop costs a few tenths of a millisecond.
 */
export function decodeBase64(text: string): Uint8Array {
  const U8 = Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array };
  if (typeof U8.fromBase64 === "function") return U8.fromBase64(text);
  const B = (globalThis as unknown as { Buffer?: { from(s: string, e: string): Uint8Array } }).Buffer;
  // A copy: small Buffers are views into a pool that Node shares with other callers.
  if (B && typeof B.from === "function") return new Uint8Array(B.from(text, "base64"));
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
