import { BackendError, FormatError, ValueError } from "../errors.js";

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
 * Decompresses gzip bytes with the platform's DecompressionStream (browsers, workers, Node ≥ 18),
 * so no zlib port ships in the package. Output is capped so a small hostile file cannot make us
 * allocate without bound; corrupt or truncated input becomes a FormatError.
 */
export async function gunzip(input: Bytes, o: GunzipOptions = {}): Promise<Uint8Array> {
  const bytes = asBytes(input, "gunzip");
  const maxBytes = o.maxBytes ?? 2 ** 30;
  if (!isGzip(bytes)) throw new FormatError(`gunzip: byte 0: not gzip data (expected magic 1f 8b)`);
  const DS = (globalThis as { DecompressionStream?: new (f: string) => TransformStream<Uint8Array, Uint8Array> })
    .DecompressionStream;
  if (!DS) throw new BackendError("gunzip: this runtime has no DecompressionStream; decompress the file first");
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DS("gzip"));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel();
        throw new FormatError(`gunzip: output exceeds maxBytes = ${maxBytes}`);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof FormatError) throw e;
    throw new FormatError(`gunzip: corrupt or truncated gzip data (${(e as Error)?.message ?? e})`);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
