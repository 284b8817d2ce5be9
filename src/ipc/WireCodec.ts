/**
 * The wire encoding of values between user space and the kernel: a compact tagged binary form of
 * {@link OSValue} plus the few JavaScript shapes the ABI needs (plain numbers, 64-bit scalars as
 * bigint, null).
 *
 * Layout: one tag byte, then a payload. Lengths and counts are unsigned LEB128 varints. Integers
 * keep their OSNumber width; 64-bit scalars travel as 8 bytes (a separate tag for negatives), so
 * `uint64_t` selectors' arguments survive exactly. Dictionaries keep key order.
 *
 * Bad input fails fast: every length is checked against the bytes left before anything is
 * allocated, and nesting deeper than {@link kWireMaxDepth} is a {@link WireSyntaxError}, so a
 * hostile frame costs time and memory proportional to its size.
 */
import { OSDate, OSNumber, OSReal, OSUID, type OSValue } from "../libkern/index.ts";

/** A value on the wire. */
export type WireValue = OSValue | number | bigint | null | WireValue[] | Map<string, WireValue>;

/** Deepest nesting a decoder accepts. */
export const kWireMaxDepth = 128;

/** A malformed encoded value; `offset` is the byte where decoding failed. */
export class WireSyntaxError extends SyntaxError {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at byte ${offset}`);
    this.name = "WireSyntaxError";
    this.offset = offset;
  }
}

const T_NULL = 0, T_FALSE = 1, T_TRUE = 2, T_F64 = 3, T_U64 = 4, T_I64 = 5, T_STR = 6, T_DATA = 7, T_ARRAY = 8, T_DICT = 9,
  T_SET = 10, T_NUM = 11, T_NUMNEG = 12, T_NUMBIG = 13, T_REAL = 14, T_DATE = 15, T_UID = 16, T_I32 = 17;

const utf8 = new TextEncoder();
const utf8d = new TextDecoder("utf-8", { fatal: true });

/** A growable output buffer. */
class Writer {
  buf = new Uint8Array(256);
  view = new DataView(this.buf.buffer);
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  varint(n: number): void {
    this.ensure(5);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  string(s: string): void {
    // Worst case 3 bytes per UTF-16 unit.
    const max = s.length * 3;
    this.ensure(max + 5);
    if (s.length < 64) {
      // Short ASCII strings (routine names, keys) are copied by code unit: cheaper than encodeInto.
      let ascii = true;
      for (let i = 0; i < s.length; i++) {
        if (s.charCodeAt(i) > 0x7f) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        this.buf[this.pos++] = s.length;
        for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
        return;
      }
    }
    if (s.length < 128) {
      const start = this.pos++;
      const { written } = utf8.encodeInto(s, this.buf.subarray(this.pos));
      if (written < 128) {
        this.buf[start] = written;
        this.pos += written;
        return;
      }
      this.pos = start;
    }
    this.bytes(utf8.encode(s));
  }
}

function writeValue(w: Writer, v: WireValue, depth: number): void {
  if (depth > kWireMaxDepth) throw new RangeError("wire value nested too deeply");
  switch (typeof v) {
    case "string":
      w.byte(T_STR);
      w.string(v);
      return;
    case "boolean":
      w.byte(v ? T_TRUE : T_FALSE);
      return;
    case "number":
      if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff && !Object.is(v, -0)) {
        w.byte(T_I32);
        w.ensure(4);
        w.view.setInt32(w.pos, v);
        w.pos += 4;
      } else {
        w.byte(T_F64);
        w.ensure(8);
        w.view.setFloat64(w.pos, v);
        w.pos += 8;
      }
      return;
    case "bigint":
      if (v < -(1n << 63n) || v >= 1n << 64n) throw new RangeError(`bigint ${v} does not fit 64 bits`);
      w.byte(v < 0n ? T_I64 : T_U64);
      w.ensure(8);
      w.view.setBigUint64(w.pos, BigInt.asUintN(64, v));
      w.pos += 8;
      return;
    default:
  }
  if (v === null) return w.byte(T_NULL);
  if (v instanceof Uint8Array) {
    w.byte(T_DATA);
    w.bytes(v);
  } else if (Array.isArray(v)) {
    w.byte(T_ARRAY);
    w.varint(v.length);
    for (const x of v) writeValue(w, x, depth + 1);
  } else if (v instanceof Map) {
    w.byte(T_DICT);
    w.varint(v.size);
    for (const [k, x] of v) {
      w.string(k);
      writeValue(w, x, depth + 1);
    }
  } else if (v instanceof Set) {
    w.byte(T_SET);
    w.varint(v.size);
    for (const x of v) writeValue(w, x, depth + 1);
  } else if (v instanceof OSNumber) {
    if (v.value >= 0n && v.value < 1n << 64n) {
      w.byte(T_NUM);
      w.byte(v.bits);
      w.ensure(8);
      w.view.setBigUint64(w.pos, v.value);
      w.pos += 8;
    } else if (v.value < 0n && v.value >= -(1n << 63n)) {
      w.byte(T_NUMNEG);
      w.byte(v.bits);
      w.ensure(8);
      w.view.setBigInt64(w.pos, v.value);
      w.pos += 8;
    } else {
      w.byte(T_NUMBIG);
      w.byte(v.bits);
      w.string(v.value.toString());
    }
  } else if (v instanceof OSReal) {
    w.byte(T_REAL);
    w.byte(v.bits);
    w.ensure(8);
    w.view.setFloat64(w.pos, v.value);
    w.pos += 8;
  } else if (v instanceof OSDate) {
    w.byte(T_DATE);
    w.ensure(8);
    w.view.setFloat64(w.pos, v.absoluteTime);
    w.pos += 8;
  } else if (v instanceof OSUID) {
    w.byte(T_UID);
    w.varint(v.value >>> 0);
  } else {
    throw new TypeError(`cannot encode ${Object.prototype.toString.call(v)} on the wire`);
  }
}

/**
 * The encoder's scratch buffer, reused by every encode (encoding is synchronous and runs no caller
 * code, so one is enough): a call then allocates only its exact-size result, not a growing buffer
 * and its DataView. A buffer grown past {@link kScratchKeep} by a large value is dropped afterwards.
 */
let scratch: Writer | undefined = new Writer();
const kScratchKeep = 64 * 1024;

function encodeWith(value: WireValue, prefix: number, alloc: (size: number) => Uint8Array): Uint8Array {
  const w = scratch ?? new Writer();
  scratch = undefined;
  try {
    w.pos = prefix;
    writeValue(w, value, 0);
    const out = alloc(w.pos);
    const src = w.buf;
    if (w.pos <= 256) for (let i = prefix; i < w.pos; i++) out[i] = src[i] as number;
    else out.set(src.subarray(prefix, w.pos), prefix);
    return out;
  } finally {
    scratch = w.buf.length > kScratchKeep ? new Writer() : w;
  }
}

const newBytes = (size: number): Uint8Array => new Uint8Array(size);

/** Encodes one value. Throws TypeError/RangeError for values outside the wire model. */
export function encodeWire(value: WireValue): Uint8Array {
  return encodeWith(value, 0, newBytes);
}

/**
 * Encodes one value after `prefix` reserved bytes (the frame header, left for the caller to fill),
 * into a buffer of exactly the encoded size from `alloc` (default a new Uint8Array; a host may pass
 * a pooled allocator such as Node's `Buffer.allocUnsafe`).
 */
export function encodeWireWithPrefix(value: WireValue, prefix: number, alloc: (size: number) => Uint8Array = newBytes): Uint8Array {
  return encodeWith(value, prefix, alloc);
}

/** 8 bytes to read a 64-bit value through, so a decode needs no DataView over its input. */
const scratch8 = new Uint8Array(8);
const scratchView = new DataView(scratch8.buffer);

/**
 * Short ASCII strings seen recently (routine names, dictionary keys), by a hash of their bytes: a
 * repeated name is compared, not rebuilt. 256 slots, the newest wins a slot.
 */
const kInternMax = 32;
const internBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(256).fill(undefined);
const internStrings: string[] = new Array<string>(256).fill("");

/** Every empty data decodes to this one (it has no bytes to change). */
const kEmptyData = Object.freeze(new Uint8Array(0)) as Uint8Array;

class Reader {
  readonly buf: Uint8Array;
  pos: number;
  readonly end: number;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.pos = 0;
    this.end = buf.length;
  }

  need(n: number): void {
    if (this.pos + n > this.end) throw new WireSyntaxError(`truncated value (need ${n} bytes)`, this.pos);
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }

  i32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return ((b[p] as number) << 24) | ((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number);
  }

  /** Moves the next 8 bytes into {@link scratchView}. */
  load8(): DataView {
    this.need(8);
    const b = this.buf;
    const p = this.pos;
    for (let i = 0; i < 8; i++) scratch8[i] = b[p + i] as number;
    this.pos += 8;
    return scratchView;
  }

  varint(): number {
    let n = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      n += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return n;
    }
    throw new WireSyntaxError("varint too long", this.pos);
  }

  /** A count of items that each take at least one byte. */
  count(): number {
    const at = this.pos;
    const n = this.varint();
    if (n > this.end - this.pos) throw new WireSyntaxError(`count ${n} exceeds the bytes left`, at);
    return n;
  }

  /** A copy (never a view of the input, which may be a reused read buffer; a Node Buffer's slice would alias). */
  bytes(): Uint8Array {
    const n = this.count();
    if (n === 0) return kEmptyData;
    const b = new Uint8Array(n);
    b.set(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return b;
  }

  string(): string {
    const n = this.count();
    const at = this.pos;
    if (n === 0) return "";
    if (n <= kInternMax) {
      const s = this.#shortASCII(at, n);
      if (s !== undefined) {
        this.pos += n;
        return s;
      }
    }
    try {
      const s = utf8d.decode(this.buf.subarray(this.pos, this.pos + n));
      this.pos += n;
      return s;
    } catch {
      throw new WireSyntaxError("invalid UTF-8 in string", at);
    }
  }

  /** The ASCII string of `n` bytes at `at`, through the intern table; undefined if not ASCII. */
  #shortASCII(at: number, n: number): string | undefined {
    const b = this.buf;
    let h = 0x811c9dc5;
    for (let i = 0; i < n; i++) {
      const c = b[at + i] as number;
      if (c > 0x7f) return undefined;
      h = Math.imul(h ^ c, 0x01000193);
    }
    const slot = (h ^ (h >>> 8) ^ (h >>> 16)) & 0xff;
    const known = internBytes[slot];
    if (known !== undefined && known.length === n) {
      let same = true;
      for (let i = 0; i < n; i++) {
        if (known[i] !== b[at + i]) {
          same = false;
          break;
        }
      }
      if (same) return internStrings[slot];
    }
    let out = "";
    for (let i = 0; i < n; i++) out += String.fromCharCode(b[at + i] as number);
    const key = new Uint8Array(n);
    for (let i = 0; i < n; i++) key[i] = b[at + i] as number;
    internBytes[slot] = key;
    internStrings[slot] = out;
    return out;
  }

  f64(): number {
    return this.load8().getFloat64(0);
  }
}

function readValue(r: Reader, depth: number): WireValue {
  if (depth > kWireMaxDepth) throw new WireSyntaxError("value nested too deeply", r.pos);
  const at = r.pos;
  const tag = r.byte();
  switch (tag) {
    case T_NULL: return null;
    case T_FALSE: return false;
    case T_TRUE: return true;
    case T_I32: return r.i32();
    case T_F64: return r.f64();
    case T_U64:
    case T_I64: {
      const view = r.load8();
      return tag === T_U64 ? view.getBigUint64(0) : view.getBigInt64(0);
    }
    case T_STR: return r.string();
    case T_DATA: return r.bytes();
    case T_ARRAY: {
      const n = r.count();
      const a: WireValue[] = new Array<WireValue>(n);
      for (let i = 0; i < n; i++) a[i] = readValue(r, depth + 1);
      return a;
    }
    case T_DICT: {
      const n = r.count();
      const m = new Map<string, WireValue>();
      for (let i = 0; i < n; i++) {
        const k = r.string();
        m.set(k, readValue(r, depth + 1));
      }
      return m;
    }
    case T_SET: {
      const n = r.count();
      const s = new Set<OSValue>();
      for (let i = 0; i < n; i++) s.add(readValue(r, depth + 1) as OSValue);
      return s;
    }
    case T_NUM:
    case T_NUMNEG: {
      const bits = r.byte();
      const view = r.load8();
      return new OSNumber(tag === T_NUM ? view.getBigUint64(0) : view.getBigInt64(0), bits);
    }
    case T_NUMBIG: {
      const bits = r.byte();
      const s = r.string();
      if (!/^-?\d{1,40}$/.test(s)) throw new WireSyntaxError("bad big integer", at);
      return new OSNumber(BigInt(s), bits);
    }
    case T_REAL: {
      const bits = r.byte();
      return new OSReal(r.f64(), bits);
    }
    case T_DATE: return new OSDate(r.f64());
    case T_UID: return new OSUID(r.varint());
    default:
      throw new WireSyntaxError(`unknown tag ${tag}`, at);
  }
}

/** Decodes exactly one value filling `bytes`; throws {@link WireSyntaxError}. */
export function decodeWire(bytes: Uint8Array): WireValue {
  const r = new Reader(bytes);
  const v = readValue(r, 0);
  if (r.pos !== r.end) throw new WireSyntaxError(`${r.end - r.pos} trailing bytes`, r.pos);
  return v;
}
