import * as eg from "../index.js";

/**
 * The convolutional networks of `edgegrad train --model cnn`, one for each data set, NCHW.
 *
 * Digits (8×8): Conv(1,16,3,p1)+ReLU → MaxPool(2) → Conv(16,32,3,p1)+ReLU → MaxPool(2) →
 * Flatten → Linear(128,10): 6090 parameters, a 2×2×32 map before the classifier.
 *
 * Fashion-MNIST (28×28): Conv(1,32,3,p1)+ReLU → MaxPool(2) → Conv(32,64,3,p1)+ReLU → MaxPool(2)
 * → Flatten → Linear(3136,128)+ReLU → Linear(128,10), optionally with BatchNorm2d after each
 * convolution (before its ReLU) and Dropout before the last Linear.
 */
export interface CnnShape {
  /** Input channels and side of the square images. */
  channels: number;
  side: number;
  /** Output channels of the two convolutions. */
  filters: [number, number];
  /** Width of the hidden Linear layer after Flatten; 0 for none (Flatten → Linear(·, classes)). */
  hidden: number;
  classes: number;
}

export const DIGITS_CNN: CnnShape = { channels: 1, side: 8, filters: [16, 32], hidden: 0, classes: 10 };
export const FASHION_CNN: CnnShape = { channels: 1, side: 28, filters: [32, 64], hidden: 128, classes: 10 };

export interface CnnExtras {
  /** BatchNorm2d after each convolution. */
  batchNorm: boolean;
  /** Dropout probability before the last Linear (0: none). */
  dropout: number;
}

/** The network of `shape`; layer i takes seed + i, so a seed gives the same weights every time. */
export function buildCnn(shape: CnnShape, seed: number, extras: CnnExtras): eg.nn.Sequential {
  const layers: eg.nn.Module[] = [];
  let channels = shape.channels, side = shape.side, k = 0;
  for (const filters of shape.filters) {
    // With BatchNorm right after it, the convolution's bias would be subtracted again: PyTorch's
    // convention is to drop it.
    layers.push(new eg.nn.Conv2d(channels, filters, 3, { padding: 1, bias: !extras.batchNorm, seed: seed + k++ }));
    if (extras.batchNorm) layers.push(new eg.nn.BatchNorm2d(filters));
    layers.push(new eg.nn.ReLU(), new eg.nn.MaxPool2d(2));
    channels = filters;
    side = Math.floor(side / 2);
  }
  layers.push(new eg.nn.Flatten());
  let features = channels * side * side;
  if (shape.hidden > 0) {
    layers.push(new eg.nn.Linear(features, shape.hidden, { seed: seed + k++ }), new eg.nn.ReLU());
    features = shape.hidden;
  }
  if (extras.dropout > 0) layers.push(new eg.nn.Dropout(extras.dropout, { seed: seed + 100 }));
  layers.push(new eg.nn.Linear(features, shape.classes, { seed: seed + k }));
  return new eg.nn.Sequential(...layers);
}

/** A one-line description, e.g. "CNN conv16-pool-conv32-pool-fc10 (batch norm, dropout 0.25)". */
export function describeCnn(shape: CnnShape, extras: CnnExtras): string {
  const body = shape.filters.map((f) => `conv${f}-pool`).join("-") + (shape.hidden > 0 ? `-fc${shape.hidden}` : "") + `-fc${shape.classes}`;
  const notes = [extras.batchNorm ? "batch norm" : "", extras.dropout > 0 ? `dropout ${extras.dropout}` : ""].filter(Boolean);
  return `CNN ${body}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}`;
}
