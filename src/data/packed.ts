/** One embedded data set as scripts/build-datasets.mjs packs it: base64 bytes and their layout. */
export interface PackedDataset {
  n: number;
  features: number;
  /** x holds uint8 values, or float32 little-endian. */
  xType: "uint8" | "float32";
  x: string;
  /** uint8 class labels, or float32 little-endian targets (regression sets, no targetNames). */
  y: string;
  targetNames?: readonly string[];
}
