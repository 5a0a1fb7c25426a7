import { BackendError, FormatError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";

export type Bytes = Uint8Array | ArrayBuffer;

/** A Uint8Array over `bytes` without copying (Node's Buffer is already one). */
export function asBytes(bytes: Bytes, where: string): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  // ArrayBuffer views from another realm fail instanceof; accept anything shaped like one.
  const v = bytes as unknown as ArrayBufferView;
  if (v && typeof v === "object" && ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  throw new ValueError(`${where}: expected a Uint8Array or ArrayBuffer, got ${Object.prototype.toString.call(bytes)}`);
}

/** True when the bytes start with the gzip magic number 1f 8b. */
export const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

export interface GunzipOptions {
  /** Stop with a FormatError once the output would exceed this many bytes (default 1 GiB). */
  maxBytes?: number;
}

/**
 * Deflate cannot expand data more than 1032-fold (a 258-byte match in two bits), so gzip input of
 * n bytes never holds more than this: a header that declares more is refused before any work.
 */
export const maxGunzipBytes = (compressedBytes: number): number => 1032 * compressedBytes;

/**
 * The decompressed bytes of gzip data, chunk by chunk, from the platform's DecompressionStream
 * (browsers, workers, Node ≥ 18), so no zlib port ships in the package. Decompression advances
 * only as chunks are taken; leaving the loop early (break, throw) cancels the rest. Corrupt or
 * truncated input becomes a FormatError.
 */
export async function* gunzipChunks(bytes: Uint8Array, where: string): AsyncGenerator<Uint8Array, void, undefined> {
  if (!isGzip(bytes)) throw new FormatError(`${where}: byte 0: not gzip data (expected magic 1f 8b)`);
  const DS = (globalThis as { DecompressionStream?: new (f: string) => TransformStream<Uint8Array, Uint8Array> })
    .DecompressionStream;
  if (!DS) throw new BackendError(`${where}: this runtime has no DecompressionStream; decompress the file first`);
  const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(new DS("gzip")).getReader();
  let finished = false;
  try {
    for (;;) {
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await reader.read();
      } catch (e) {
        finished = true; // an errored stream cannot be cancelled
        throw new FormatError(`${where}: corrupt or truncated gzip data (${(e as Error)?.message ?? e})`);
      }
      if (step.done) {
        finished = true;
        return;
      }
      if (step.value.length > 0) yield step.value;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
  }
}

/**
 * Decompresses gzip bytes (see gunzipChunks). Output is capped so a small hostile file cannot
 * make us allocate without bound.
 */
export async function gunzip(input: Bytes, o: GunzipOptions = {}): Promise<Uint8Array> {
  checkOptions("gunzip", o, ["maxBytes"]);
  const bytes = asBytes(input, "gunzip");
  const maxBytes = checkMaxBytes(o.maxBytes, "gunzip");
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of gunzipChunks(bytes, "gunzip")) {
    total += chunk.length;
    if (total > maxBytes) throw new FormatError(`gunzip: output exceeds maxBytes = ${maxBytes}`);
    chunks.push(chunk);
  }
  return concatChunks(chunks, total);
}

/** The chunks as one array (the chunk itself when there is only one). */
export function concatChunks(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The maxBytes option, 1 GiB by default. */
export function checkMaxBytes(maxBytes: number | undefined, where: string): number {
  const m = maxBytes ?? 2 ** 30;
  if (typeof m !== "number" || !(m >= 0)) throw new ValueError(`${where}: maxBytes must be a non-negative number, got ${String(maxBytes)}`);
  return m;
}
