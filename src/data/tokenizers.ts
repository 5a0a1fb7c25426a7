import { DTypeError, FormatError, ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";

/**
 * Tokenizers for character- and byte-level language models: text in, int32 ids out (what an
 * Embedding takes), and back. Characters are Unicode code points, not UTF-16 units, so an emoji
 * is one token and never half of one.
 */

/** The token ids of one sequence: a 1-D integer Tensor, a typed array or a plain array. */
export type Ids = Tensor | ArrayLike<number>;

/**
 * The ids of one sequence. A tensor must be 1-D and of an integer dtype (a batch or a bool mask
 * would otherwise be read flat as ids); anything but an array or a typed array is refused, as a
 * string would be read character by character. The values themselves are checked by the caller.
 */
function idList(ids: Ids, where: string): ArrayLike<unknown> {
  if (ids instanceof Tensor) {
    if (ids.ndim !== 1) throw new ShapeError(`${where}: ids must be 1-D, got shape [${ids.shape.join(", ")}]`);
    if (ids.dtype !== "int32" && ids.dtype !== "uint8" && ids.dtype !== "int8") {
      throw new DTypeError(`${where}: ids must be an integer tensor, got ${ids.dtype}`);
    }
    return ids.data as ArrayLike<number>;
  }
  if (Array.isArray(ids) || (ArrayBuffer.isView(ids) && !(ids instanceof DataView))) return ids as ArrayLike<unknown>;
  throw new ValueError(`${where}: ids must be a tensor, a typed array or an array of numbers, got ${ids === null ? "null" : typeof ids}`);
}

/** A bad id as the message shows it: a string keeps its quotes and a bigint its n, so neither reads as a number. */
const shown = (id: unknown): string => (typeof id === "string" ? JSON.stringify(id) : typeof id === "bigint" ? `${id}n` : String(id));

export interface CharTokenizerOptions {
  /**
   * A character that stands for every character outside the vocabulary (added to the vocabulary
   * if the text has none). Without it, encoding an unknown character throws.
   */
  unk?: string;
}

export interface CharTokenizerJSON {
  type: "char";
  vocab: string[];
  unk?: string;
}

const singleCodePoint = (s: unknown): s is string => typeof s === "string" && s.length > 0 && [...s].length === 1;

/** One token per distinct character; ids in code-point order. */
export class CharTokenizer {
  /** The characters, id i ↦ vocab[i], sorted by code point. */
  readonly vocab: readonly string[];
  readonly unk: string | undefined;
  private readonly ids = new Map<number, number>();

  /** A tokenizer over exactly `chars` (each one code point, no repeats), in code-point order. */
  constructor(chars: Iterable<string>, o: CharTokenizerOptions = {}) {
    checkOptions("CharTokenizer", o, ["unk"]);
    if (o.unk !== undefined && !singleCodePoint(o.unk)) throw new ValueError(`CharTokenizer: unk must be one character, got ${JSON.stringify(o.unk)}`);
    if (typeof (chars as Partial<Iterable<string>> | null)?.[Symbol.iterator] !== "function") {
      throw new ValueError(`CharTokenizer: chars must be an iterable of characters (an array or a string), got ${chars === null ? "null" : typeof chars}`);
    }
    const points = new Set<number>();
    for (const c of chars) {
      if (!singleCodePoint(c)) throw new ValueError(`CharTokenizer: each vocabulary entry must be one character, got ${JSON.stringify(c)}`);
      const p = c.codePointAt(0)!;
      if (points.has(p)) throw new ValueError(`CharTokenizer: ${JSON.stringify(c)} appears twice in the vocabulary`);
      points.add(p);
    }
    if (o.unk !== undefined) points.add(o.unk.codePointAt(0)!);
    const sorted = [...points].sort((a, b) => a - b);
    this.vocab = sorted.map((p) => String.fromCodePoint(p));
    sorted.forEach((p, i) => this.ids.set(p, i));
    this.unk = o.unk;
  }

  /** The characters seen in `text`, sorted. */
  static fromText(text: string, o: CharTokenizerOptions = {}): CharTokenizer {
    if (typeof text !== "string") throw new ValueError(`CharTokenizer.fromText: text must be a string, got ${typeof text}`);
    const seen = new Set<string>();
    for (const c of text) seen.add(c);
    return new CharTokenizer(seen, o);
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  /** Ids of the characters of `text`; an unknown character maps to unk, or throws naming it. */
  encode(text: string): Int32Array {
    if (typeof text !== "string") throw new ValueError(`CharTokenizer.encode: text must be a string, got ${typeof text}`);
    const out = new Int32Array(text.length); // at least as many UTF-16 units as code points
    const unkId = this.unk === undefined ? -1 : this.ids.get(this.unk.codePointAt(0)!)!;
    let n = 0;
    for (let i = 0; i < text.length; n++) {
      const p = text.codePointAt(i)!;
      const id = this.ids.get(p);
      if (id === undefined) {
        if (unkId < 0) {
          throw new ValueError(`CharTokenizer.encode: character ${JSON.stringify(String.fromCodePoint(p))} (U+${p.toString(16).toUpperCase().padStart(4, "0")}) at offset ${i} is not in the vocabulary (give an unk character to map it)`);
        }
        out[n] = unkId;
      } else {
        out[n] = id;
      }
      i += p > 0xffff ? 2 : 1;
    }
    return out.slice(0, n);
  }

  decode(ids: Ids): string {
    const list = idList(ids, "CharTokenizer.decode");
    let s = "";
    for (let i = 0; i < list.length; i++) {
      const id = list[i];
      if (!(typeof id === "number" && Number.isInteger(id) && id >= 0 && id < this.vocab.length)) {
        throw new ValueError(`CharTokenizer.decode: id ${shown(id)} at position ${i} is outside the vocabulary [0, ${this.vocab.length})`);
      }
      s += this.vocab[id];
    }
    return s;
  }

  toJSON(): CharTokenizerJSON {
    return this.unk === undefined ? { type: "char", vocab: [...this.vocab] } : { type: "char", vocab: [...this.vocab], unk: this.unk };
  }

  static fromJSON(json: unknown): CharTokenizer {
    const j = json as CharTokenizerJSON;
    if (typeof j !== "object" || j === null || j.type !== "char" || !Array.isArray(j.vocab)) {
      throw new FormatError(`CharTokenizer.fromJSON: expected { type: "char", vocab: [...] }, got ${JSON.stringify(json)?.slice(0, 80)}`);
    }
    let t: CharTokenizer;
    try {
      t = new CharTokenizer(j.vocab, j.unk === undefined ? {} : { unk: j.unk });
    } catch (e) {
      // A bad entry in a saved vocabulary is a broken file, as an out-of-order one is.
      throw e instanceof ValueError ? new FormatError(e.message.replace("CharTokenizer:", "CharTokenizer.fromJSON:")) : e;
    }
    if (t.vocab.length !== j.vocab.length || t.vocab.some((c, i) => c !== j.vocab[i])) {
      throw new FormatError("CharTokenizer.fromJSON: the vocabulary is not in code-point order (or unk is missing from it)");
    }
    return t;
  }
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface ByteTokenizerJSON {
  type: "byte";
}

/**
 * UTF-8 bytes as tokens: vocabulary 256, nothing unknown. A well-formed string round-trips
 * exactly (a leading U+FEFF included: it is not taken for a byte-order mark); ids that are not
 * valid UTF-8 (a sampled sequence can be anything) decode with U+FFFD for each bad sequence, as
 * TextDecoder does.
 */
export class ByteTokenizer {
  readonly vocabSize = 256;

  /** The UTF-8 bytes of `text`; a lone surrogate (no UTF-8 form) is refused, as Python's str.encode refuses it. */
  encode(text: string): Int32Array {
    if (typeof text !== "string") throw new ValueError(`ByteTokenizer.encode: text must be a string, got ${typeof text}`);
    // TextEncoder would write U+FFFD for it, silently: the text would not decode back.
    const lone = LONE_SURROGATE.exec(text);
    if (lone) throw new ValueError(`ByteTokenizer.encode: lone surrogate U+${lone[0].charCodeAt(0).toString(16).toUpperCase()} at offset ${lone.index} has no UTF-8 form`);
    return Int32Array.from(new TextEncoder().encode(text));
  }

  decode(ids: Ids): string {
    const list = idList(ids, "ByteTokenizer.decode");
    const bytes = new Uint8Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const id = list[i];
      if (!(typeof id === "number" && Number.isInteger(id) && id >= 0 && id < 256)) {
        throw new ValueError(`ByteTokenizer.decode: id ${shown(id)} at position ${i} is not a byte (0–255)`);
      }
      bytes[i] = id;
    }
    // ignoreBOM keeps a leading U+FEFF: it is a character of the text, not a marker to strip.
    return new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  }

  toJSON(): ByteTokenizerJSON {
    return { type: "byte" };
  }

  static fromJSON(json: unknown): ByteTokenizer {
    if (typeof json !== "object" || json === null || (json as ByteTokenizerJSON).type !== "byte") {
      throw new FormatError(`ByteTokenizer.fromJSON: expected { type: "byte" }, got ${JSON.stringify(json)?.slice(0, 80)}`);
    }
    return new ByteTokenizer();
  }
}
