// The layer classes of the families kept in their own files (convolution, pooling, batch and layer
// normalization, their 3-d members, embeddings, transformer encoders, Upsample, the dropouts, the padding modules, the recurrent layers), each registered by its file when that file
// loads. Code that must recognize these layers in a model it is given, such as the ONNX exporter,
// looks the classes up here instead of importing them: a model can hold a MaxPool2d only if the
// application loaded pool-layers.ts, so an application that builds MLPs and exports them bundles
// none of the families' code (nor the activations of activation-layers-more.ts). Only types are
// imported here, so this file costs nothing itself.
import type { ConvTranspose2d } from "./conv-layers.js";
import type { BatchNorm1d, BatchNorm2d, LayerNorm } from "./norm-layers.js";
import type { Embedding } from "./embedding.js";
import type { TransformerEncoder, TransformerEncoderLayer } from "./transformer.js";
import type { AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d } from "./pool-layers.js";
import type { Hardshrink, PReLU, ReLU6, Softmax2d, Softshrink, Threshold } from "./activation-layers-more.js";
import type { InstanceNorm1d, InstanceNorm2d } from "./instance-norm.js";
import type { Dropout2d, Upsample } from "./shape-layers.js";
import type { GRU, LSTM, RNN } from "./recurrent.js";
import type { Conv3d, ConvTranspose3d } from "./conv3d-layers.js";
import type { AdaptiveAvgPool3d, AdaptiveMaxPool3d, AvgPool3d, MaxPool3d } from "./pool3d-layers.js";
import type { BatchNorm3d, InstanceNorm3d } from "./norm3d.js";
import type { PixelShuffle, PixelUnshuffle, Unflatten } from "./rearrange-layers.js";
import type {
  CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d, ConstantPad2d, ConstantPad3d, ReflectionPad1d, ReflectionPad2d,
  ReflectionPad3d, ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, ZeroPad1d, ZeroPad2d, ZeroPad3d,
} from "./padding-layers.js";
import type { AlphaDropout, Dropout1d, FeatureAlphaDropout } from "./dropout-more.js";

export interface RegisteredLayers {
  ConvTranspose2d: typeof ConvTranspose2d;
  BatchNorm1d: typeof BatchNorm1d;
  BatchNorm2d: typeof BatchNorm2d;
  MaxPool1d: typeof MaxPool1d;
  MaxPool2d: typeof MaxPool2d;
  AvgPool1d: typeof AvgPool1d;
  AvgPool2d: typeof AvgPool2d;
  AdaptiveAvgPool2d: typeof AdaptiveAvgPool2d;
  AdaptiveMaxPool2d: typeof AdaptiveMaxPool2d;
  PReLU: typeof PReLU;
  ReLU6: typeof ReLU6;
  Softshrink: typeof Softshrink;
  Hardshrink: typeof Hardshrink;
  Threshold: typeof Threshold;
  Softmax2d: typeof Softmax2d;
  InstanceNorm1d: typeof InstanceNorm1d;
  InstanceNorm2d: typeof InstanceNorm2d;
  PixelShuffle: typeof PixelShuffle;
  PixelUnshuffle: typeof PixelUnshuffle;
  Unflatten: typeof Unflatten;
  ZeroPad2d: typeof ZeroPad2d;
  ConstantPad1d: typeof ConstantPad1d;
  ConstantPad2d: typeof ConstantPad2d;
  ReflectionPad1d: typeof ReflectionPad1d;
  ReflectionPad2d: typeof ReflectionPad2d;
  ReplicationPad1d: typeof ReplicationPad1d;
  ReplicationPad2d: typeof ReplicationPad2d;
  ZeroPad1d: typeof ZeroPad1d;
  ZeroPad3d: typeof ZeroPad3d;
  ConstantPad3d: typeof ConstantPad3d;
  ReflectionPad3d: typeof ReflectionPad3d;
  ReplicationPad3d: typeof ReplicationPad3d;
  CircularPad1d: typeof CircularPad1d;
  CircularPad2d: typeof CircularPad2d;
  CircularPad3d: typeof CircularPad3d;
  LayerNorm: typeof LayerNorm;
  Embedding: typeof Embedding;
  TransformerEncoderLayer: typeof TransformerEncoderLayer;
  TransformerEncoder: typeof TransformerEncoder;
  Upsample: typeof Upsample;
  Dropout2d: typeof Dropout2d;
  Dropout1d: typeof Dropout1d;
  AlphaDropout: typeof AlphaDropout;
  FeatureAlphaDropout: typeof FeatureAlphaDropout;
  RNN: typeof RNN;
  LSTM: typeof LSTM;
  GRU: typeof GRU;
  Conv3d: typeof Conv3d;
  ConvTranspose3d: typeof ConvTranspose3d;
  MaxPool3d: typeof MaxPool3d;
  AvgPool3d: typeof AvgPool3d;
  AdaptiveAvgPool3d: typeof AdaptiveAvgPool3d;
  AdaptiveMaxPool3d: typeof AdaptiveMaxPool3d;
  BatchNorm3d: typeof BatchNorm3d;
  InstanceNorm3d: typeof InstanceNorm3d;
}

// Keyed by fixed strings, not by each class's own name, which a minifying bundler changes.
const registered: Partial<RegisteredLayers> = {};

/** Called once by each family's file as it loads. */
export function registerLayers(classes: Partial<RegisteredLayers>): void {
  Object.assign(registered, classes);
}

/** Whether m is an instance of the named class; false when that class was never loaded. */
export function isRegisteredLayer<K extends keyof RegisteredLayers>(m: unknown, name: K): m is InstanceType<RegisteredLayers[K]> {
  const cls = registered[name];
  return cls !== undefined && m instanceof cls;
}
