/**
 * Reads one value in the syntax `ioreg` prints (its `cfshow`): `"string"`, unsigned decimal or
 * `0x` hex numbers, `Yes`/`No`, data as `<hex>` or `<"str","str">`, arrays `(a,b)`, sets `[a,b]`
 * and dictionaries `{"k"=v,"k2"=v2}`.
 *
 * The syntax is ambiguous by construction: `ioreg` prints strings raw, so a string may hold `"`,
 * `,`, `)` or a newline. We read a string's closing quote as the first `"` followed by what may
 * follow a value in its context (end of line at the top level; `,` or the closing bracket inside a
 * container; `=` after a dictionary key), which recovers every string we have seen in real dumps.
 * Data strings end at `">` or continue at `","`; splitting a data string at a `","` it contains
 * gives the same bytes back when printed, so that ambiguity is harmless.
 *
 * Input is a "byte string": one character per byte (0–255), as produced by {@link bytesToBinary}.
 * Strings are decoded from UTF-8 when valid; data keeps raw bytes.
 *
 * Returns undefined on anything it does not understand; the importer then keeps the source text
 * verbatim. Nesting is bounded ({@link MAX_VALUE_DEPTH}) so hostile input cannot blow the stack.
 */
import { OSNumber, type OSValue } from "../../libkern/index.ts";

/** Deepest container nesting accepted. */
export const MAX_VALUE_DEPTH = 256;
/** Longest string (in bytes) that may run across lines. */
const MAX_STRING = 1 << 20;

const utf8 = new TextDecoder("utf-8", { fatal: true });

const widen = new TextDecoder("utf-16le");

/**
 * Decodes bytes to a byte string (one char per byte). Widening to UTF-16 code units and decoding
 * those natively is many times faster than `String.fromCharCode` over large inputs, and bytes
 * 0–255 are never surrogates.
 */
export function bytesToBinary(bytes: Uint8Array, start = 0, end = bytes.length): string {
  if (end - start < 64) {
    let out = "";
    for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i] as number);
    return out;
  }
  return widen.decode(Uint16Array.from(bytes.subarray(start, end)));
}

/** A byte string's bytes. */
export function binaryToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** Mac OS Roman, bytes 0x80–0xFF. */
const MAC_ROMAN = "ÄÅÇÉÑÖÜáàâäãåçéèêëíìîïñóòôöõúùûü†°¢£§•¶ß®©™´¨≠ÆØ∞±≤≥¥µ∂∑∏π∫ªºΩæø¿¡¬√ƒ≈∆«»…\u00a0ÀÃÕŒœ–—“”‘’÷◊ÿŸ⁄€‹›ﬁﬂ‡·‚„‰ÂÊÁËÈÍÎÏÌÓÔ\uf8ffÒÚÛÙıˆ˜¯˘˙˚¸˝˛ˇ";
let macRomanCodes: Map<string, number> | undefined;

/** How the non-ASCII strings of a dump decoded: as UTF-8, or (legacy ioreg) as Mac OS Roman. */
export interface TextDecodingStats {
  utf8: number;
  macRoman: number;
}

/**
 * A byte string as text: UTF-8 when valid, else Mac OS Roman, which is what Mac OS X 10.5-era
 * ioreg printed through CFString's MacRoman fast path. `stats` counts which one applied.
 */
export function binaryToText(s: string, stats?: TextDecodingStats): string {
  if (!NON_ASCII.test(s)) return s;
  try {
    const text = utf8.decode(binaryToBytes(s));
    if (stats !== undefined) stats.utf8++;
    return text;
  } catch {
    if (stats !== undefined) stats.macRoman++;
    let out = "";
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      out += c < 0x80 ? s[i] : MAC_ROMAN[c - 0x80];
    }
    return out;
  }
}

/** Text as a byte string: UTF-8, or Mac OS Roman when asked and every character has a code. */
export function textToBinary(s: string, macRoman = false): string {
  if (!NON_ASCII.test(s)) return s;
  if (macRoman) {
    macRomanCodes ??= new Map([...MAC_ROMAN].map((c, i) => [c, 0x80 + i]));
    let out = "";
    for (const c of s) {
      const code = c.charCodeAt(0) < 0x80 ? c.charCodeAt(0) : macRomanCodes.get(c);
      if (code === undefined) return bytesToBinary(new TextEncoder().encode(s));
      out += String.fromCharCode(code);
    }
    return out;
  }
  return bytesToBinary(new TextEncoder().encode(s));
}

/** Hex digit values by character code; undefined for non-digits. */
const HEX_VALUE: (number | undefined)[] = [];
for (let c = 0; c < 10; c++) HEX_VALUE[48 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX_VALUE[65 + c] = 10 + c;
  HEX_VALUE[97 + c] = 10 + c;
}
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** A reader over a byte string. `pos` advances as values are read. */
export class IORegValueReader {
  readonly src: string;
  pos: number;
  /** Set once a number was read in `0x` form (the dump was made with `ioreg -x`). */
  sawHex = false;
  /** How non-ASCII strings decoded (shared with the importer). */
  stats: TextDecodingStats = { utf8: 0, macRoman: 0 };

  constructor(src: string, pos = 0) {
    this.src = src;
    this.pos = pos;
  }

  /** Whether `pos` is at a place where a value may end in context `terms` ("" means end of line). */
  #atTerm(terms: string, at = this.pos): boolean {
    if (at >= this.src.length) return terms === "";
    const c = this.src[at] as string;
    return terms === "" ? c === "\n" : terms.includes(c);
  }

  /** Reads a value that must end where `terms` allows. Undefined (pos unspecified) on failure. */
  readValue(terms: string, depth = 0): OSValue | undefined {
    if (depth > MAX_VALUE_DEPTH) return undefined;
    const c = this.src[this.pos];
    let v: OSValue | undefined;
    switch (c) {
      case '"':
        return this.readString(terms);
      case "<":
        v = this.#readData(terms);
        break;
      case "(":
        v = this.#readList(")", depth);
        break;
      case "[":
        v = this.#readList("]", depth);
        break;
      case "{":
        v = this.#readDict(depth);
        break;
      case "Y":
        if (this.src.startsWith("Yes", this.pos)) {
          this.pos += 3;
          v = true;
        }
        break;
      case "N":
        if (this.src.startsWith("No", this.pos)) {
          this.pos += 2;
          v = false;
        }
        break;
      default:
        if (c !== undefined && c >= "0" && c <= "9") v = this.#readNumber();
    }
    return v !== undefined && this.#atTerm(terms) ? v : undefined;
  }

  /** Reads `"…"` whose closing quote is followed by a character allowed by `terms`. */
  readString(terms: string): string | undefined {
    const start = this.pos + 1;
    const limit = Math.min(this.src.length, start + MAX_STRING);
    let j = start;
    for (;;) {
      j = this.src.indexOf('"', j);
      if (j < 0 || j >= limit) return undefined;
      if (this.#atTerm(terms, j + 1)) break;
      j++;
    }
    this.pos = j + 1;
    return binaryToText(this.src.slice(start, j), this.stats);
  }

  #readNumber(): OSNumber | undefined {
    const src = this.src;
    let p = this.pos;
    let hex = false;
    if (src.charCodeAt(p) === 48 /* 0 */ && src.charCodeAt(p + 1) === 120 /* x */) {
      hex = true;
      p += 2;
    }
    const start = p;
    while (p < src.length && (hex ? HEX_VALUE[src.charCodeAt(p)] !== undefined && src.charCodeAt(p) < 128 : isDigit(src.charCodeAt(p)))) p++;
    const digits = p - start;
    if (digits === 0 || digits > (hex ? 16 : 20)) return undefined;
    const n = digits < 16 && !hex ? BigInt(Number(src.slice(start, p))) : BigInt(hex ? `0x${src.slice(start, p)}` : src.slice(start, p));
    if (n >= 1n << 64n) return undefined;
    this.pos = p;
    if (hex) this.sawHex = true;
    // ioreg prints %qu of a long long: keep the signed 64-bit value, which prints back the same.
    return new OSNumber(BigInt.asIntN(64, n), 64);
  }

  #readData(terms: string): Uint8Array | undefined {
    const src = this.src;
    let p = this.pos + 1;
    if (src[p] === '"') {
      // <"str","str2"> — strings of printable bytes, NUL-separated in the data, NUL-terminated.
      let bytes = "";
      p++;
      let runStart = p;
      for (;;) {
        const c = src[p];
        if (c === undefined || c === "\n") return undefined;
        if (c === '"') {
          if (src[p + 1] === ">" && this.#atTerm(terms, p + 2)) {
            bytes += `${src.slice(runStart, p)}\0`;
            this.pos = p + 2;
            return binaryToBytes(bytes);
          }
          if (src[p + 1] === "," && src[p + 2] === '"') {
            bytes += `${src.slice(runStart, p)}\0`;
            p += 3;
            runStart = p;
            continue;
          }
        }
        p++;
      }
    }
    const end = src.indexOf(">", p);
    if (end < 0 || (end - p) % 2 !== 0) return undefined;
    const out = new Uint8Array((end - p) / 2);
    for (let i = 0; i < out.length; i++) {
      const h = HEX_VALUE[src.charCodeAt(p + 2 * i)];
      const l = HEX_VALUE[src.charCodeAt(p + 2 * i + 1)];
      if (h === undefined || l === undefined) return undefined;
      out[i] = (h << 4) | l;
    }
    this.pos = end + 1;
    return out;
  }

  #readList(close: string, depth: number): OSValue[] | Set<OSValue> | undefined {
    const items: OSValue[] = [];
    this.pos++;
    if (this.src[this.pos] === close) {
      this.pos++;
    } else {
      const inner = `,${close}`;
      for (;;) {
        const v = this.readValue(inner, depth + 1);
        if (v === undefined) return undefined;
        items.push(v);
        const c = this.src[this.pos++];
        if (c === close) break;
        if (c !== ",") return undefined;
      }
    }
    return close === "]" ? new Set(items) : items;
  }

  #readDict(depth: number): Map<string, OSValue> | undefined {
    const out = new Map<string, OSValue>();
    this.pos++;
    if (this.src[this.pos] === "}") {
      this.pos++;
      return out;
    }
    for (;;) {
      if (this.src[this.pos] !== '"') return undefined;
      const k = this.readString("=");
      if (k === undefined) return undefined;
      this.pos++; // '='
      const v = this.readValue(",}", depth + 1);
      if (v === undefined) return undefined;
      out.set(k, v);
      const c = this.src[this.pos++];
      if (c === "}") break;
      if (c !== ",") return undefined;
    }
    return out;
  }
}
