/** Base64 → bytes with the platform's decoder (atob everywhere modern; Buffer on old Node). */
export function decodeBase64(text: string): Uint8Array {
  if (typeof atob === "function") {
    const bin = atob(text);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  const B = (globalThis as unknown as { Buffer: { from(s: string, e: string): Uint8Array } }).Buffer;
  return new Uint8Array(B.from(text, "base64"));
}
