import { FormatError, ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { readIdxChecked } from "./idx.js";
import { checkLayout, type ImageLayout } from "./layout.js";

export const FASHION_MNIST_CLASSES = [
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
] as const;

export interface LoadMnistOptions {
  /** Images as [n, 784] (default) or [n, 28, 28]. Not together with `layout`. */
  flatten?: boolean;
  /**
   * "flat" (default): [n, 784] rows for dense layers; "nchw": [n, 1, 28, 28], the layout of
   * the convolution and pooling layers (one channel).
   */
  layout?: ImageLayout;
  /** float32 pixels scaled to [0, 1] (default), or the raw uint8 bytes when false. */
  normalize?: boolean;
}

export interface Split {
  x: Tensor;
  y: Tensor;
}

export interface MnistLike {
  train: Split;
  test: Split;
  targetNames: readonly string[];
}

/**
 * Loads Fashion-MNIST (or MNIST: same file names and format) from a directory holding
 * `train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`, `t10k-…` — e.g. the Debian
 * package's /usr/share/datasets/fashion-mnist. `dir` may also be an http(s) URL (read with fetch),
 * so the same call works in a browser. Labels come back as int32, like every classifier target here.
 */
export async function loadFashionMnist(dir: string | URL, o: LoadMnistOptions = {}): Promise<MnistLike> {
  checkOptions("loadFashionMnist", o, ["flatten", "normalize", "layout"]);
  for (const key of ["flatten", "normalize"] as const) {
    if (o[key] !== undefined && typeof o[key] !== "boolean") throw new ValueError(`loadFashionMnist: ${key} must be true or false, got ${JSON.stringify(o[key])}`);
  }
  checkLayout("loadFashionMnist", o.layout);
  if (o.layout !== undefined && o.flatten !== undefined) {
    throw new ValueError(`loadFashionMnist: give layout ("${o.layout}") or flatten (${o.flatten}), not both`);
  }
  const read = await reader(dir);
  const where = "loadFashionMnist";
  const split = async (prefix: string): Promise<Split> => {
    // Each header is checked before its data are decompressed: a wrong or hostile file costs
    // one chunk of decompression, not the size it claims.
    const images = await readIdxChecked(await read(`${prefix}-images-idx3-ubyte`), {}, where, (h) => {
      if (h.shape.length !== 3 || h.type !== "uint8") {
        throw new FormatError(`${where}: ${prefix} images are ${h.type} [${h.shape}], expected uint8 [n, rows, cols]`);
      }
    });
    const labels = await readIdxChecked(await read(`${prefix}-labels-idx1-ubyte`), {}, where, (h) => {
      if (h.shape.length !== 1 || h.shape[0] !== images.shape[0]) {
        throw new ShapeError(`${where}: ${prefix} labels [${h.shape}] do not match images [${images.shape}]`);
      }
    });
    return { x: prepare(images, o), y: new Tensor(Int32Array.from(labels.data), "int32", labels.shape) };
  };
  return { train: await split("train"), test: await split("t10k"), targetNames: FASHION_MNIST_CLASSES };
}

function prepare(images: Tensor, o: LoadMnistOptions): Tensor {
  const [n, h, w] = images.shape;
  const shape = o.layout === "nchw" ? [n, 1, h, w] : o.flatten === false ? [n, h, w] : [n, h * w];
  if (o.normalize === false) return images.reshape(shape);
  const px = images.data;
  const out = new Float32Array(px.length);
  for (let i = 0; i < px.length; i++) out[i] = px[i] / 255;
  return new Tensor(out, "float32", shape);
}

type Read = (name: string) => Promise<Uint8Array>;

async function reader(dir: string | URL): Promise<Read> {
  const base = String(dir);
  if (/^https?:\/\//i.test(base)) {
    const root = base.endsWith("/") ? base : base + "/";
    return async (name) => {
      for (const file of [`${name}.gz`, name]) {
        const res = await fetch(root + file);
        if (res.ok) return new Uint8Array(await res.arrayBuffer());
      }
      throw new ValueError(`loadFashionMnist: neither ${root}${name}.gz nor ${root}${name} could be fetched`);
    };
  }
  const fs = await nodeFs();
  const root = base.startsWith("file:") ? new URL(base.endsWith("/") ? base : base + "/") : base.replace(/\/?$/, "/");
  return async (name) => {
    for (const file of [`${name}.gz`, name]) {
      const path = typeof root === "string" ? root + file : new URL(file, root);
      try {
        return new Uint8Array(await fs.readFile(path));
      } catch (e) {
        if ((e as { code?: string }).code !== "ENOENT") throw new ValueError(`loadFashionMnist: cannot read ${path}: ${(e as Error).message}`);
      }
    }
    throw new ValueError(`loadFashionMnist: ${root}${name}.gz (or ${name}) not found`);
  };
}

type Fs = { readFile(path: string | URL): Promise<Uint8Array> };

/**
 * node:fs/promises, reached only when a file is actually read. Node ≥ 20.16 hands it out through
 * process.getBuiltinModule, with no import for a bundler to see; otherwise a dynamic import whose
 * specifier bundlers are told to leave alone (webpack 5 fails on "node:" URLs in web builds).
 */
async function nodeFs(): Promise<Fs> {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const builtin = proc?.getBuiltinModule?.("node:fs/promises") as Fs | undefined;
  if (builtin) return builtin;
  const specifier = "node:fs/promises";
  try {
    return (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as Fs;
  } catch {
    throw new ValueError("loadFashionMnist: this runtime cannot read files; pass an http(s) URL to fetch from instead");
  }
}
