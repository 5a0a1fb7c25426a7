/** Where the default build finds the kernel bytes it embeds (decoded only when first needed). */
export interface EmbeddedWasm {
  simd(): Uint8Array;
  relaxed(): Uint8Array;
}
