import { ValueError } from "../errors.js";

/**
 * How an image data set's x comes back: "flat" rows [n, pixels] for dense layers, or "nchw"
 * [n, channels, height, width] for convolutions (PyTorch's layout).
 */
export type ImageLayout = "flat" | "nchw";

const LAYOUTS: readonly string[] = ["flat", "nchw"];

/** Refuses any layout but "flat" and "nchw" (undefined means the default, "flat"). */
export function checkLayout(where: string, layout: unknown): void {
  if (layout !== undefined && !LAYOUTS.includes(layout as string)) {
    throw new ValueError(`${where}: layout must be "flat" or "nchw", got ${JSON.stringify(layout) ?? String(layout)}`);
  }
}
