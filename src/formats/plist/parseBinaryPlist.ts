/**
 * The binary property-list reader (`bplist00`, CFBinaryPList's format).
 *
 * Layout: an 8-byte magic, the objects, an offset table (one big-endian unsigned integer of
 * `offsetIntSize` bytes per object) and a 32-byte trailer naming the sizes, the object count, the
 * top object and where the table starts. Containers hold object references (indexes into the
 * table) of `objectRefSize` bytes.
 *
 * Mechanism: the trailer is validated first, so every later offset and count can be checked
 * against the file before anything is allocated (an array claiming 2^40 members fails at once).
 * Objects are decoded on demand from the top object with an explicit work stack, never by
 * recursion, and each object is decoded once: a `state` byte per object marks it unvisited,
 * in progress (on the current path, so meeting it again is a cycle) or done (its value is cached;
 * shared references share the value, as CF's reader does).
 *
 * Cost: a parsed document is mostly its value tree, and every node of it survives, so V8's young
 * generation copies each one once or twice; in the bench's 340k-object document that copying and
 * `Map` insertion are about three quarters of the time (docs/benchmarks.md). The reader therefore
 * allocates nothing but the values: frames are reused by depth, leaves are decoded in the
 * container's loop without touching the stack, short strings are built from one reused array of
 * char codes, and small data blobs are views into shared 64 KiB pools (not into a copy of the
 * whole file, which the tree would then keep alive).
 *
 * Types: integers of 1, 2 and 4 bytes are unsigned, 8 bytes signed, 16 bytes a signed 128-bit
 * value (CF writes unsigned 64-bit values above 2^63-1 this way); they become {@link OSNumber}s
 * of 64 bits, or 128 when the value needs it. Reals of 4 and 8 bytes keep their width. Strings
 * are ASCII or UTF-16BE (lone surrogates kept). `null` and fill objects have no OSValue and are
 * refused, as are non-string dictionary keys.
 */
import { OSDate, OSNumber, OSReal, OSUID, type OSDictionary, type OSSet, type OSValue } from "../../libkern/index.ts";
import { PlistFormatError } from "./PlistSyntaxError.ts";

const MAGIC = [0x62, 0x70, 0x6c, 0x69, 0x73, 0x74, 0x30, 0x30]; // "bplist00"
const TRAILER = 32;
const I64_MIN = -(2n ** 63n);
const U64_MAX = 2n ** 64n - 1n;
const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8");

const UNVISITED = 0;
const IN_PROGRESS = 1;
const DONE = 2;

const ARRAY = 0xa;
const SET = 0xc;
const DICT = 0xd;

/** Strings up to this many code units are built from a reused array of codes; longer ones are decoded in bulk. */
const SHORT_STRING = 1024;

/**
 * A container being filled: its members' references are resolved one by one, straight into it.
 * Frames are reused by depth (one per nesting level ever reached), so filling a container
 * allocates nothing but the container.
 */
interface Frame {
  index: number;
  kind: number; // marker high nibble: ARRAY, SET or DICT
  refs: number; // byte offset of the first reference
  count: number; // members (dict: key/value pairs)
  pos: number; // next member to resolve
  value: OSValue[] | OSSet | OSDictionary;
  key: string; // a dictionary's key whose value is being resolved
}

const NO_VALUE: OSValue[] = [];
const EMPTY = new Uint8Array(0);
/** Bytes per pool that small data blobs are copied into; a blob over an eighth of it gets its own buffer. */
const DATA_POOL = 64 * 1024;

function fail(reason: string, offset: number): never {
  throw new PlistFormatError(reason, offset);
}

/** Reads an unsigned big-endian integer of 1 to 8 bytes (inexact above 2^53, which no bound admits). */
function readUint(b: Uint8Array, at: number, size: number): number {
  switch (size) {
    case 1:
      return b[at] as number;
    case 2:
      return ((b[at] as number) << 8) | (b[at + 1] as number);
    case 3:
      return ((b[at] as number) << 16) | ((b[at + 1] as number) << 8) | (b[at + 2] as number);
    case 4:
      return (b[at] as number) * 0x1000000 + (((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number));
  }
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + (b[at + i] as number);
  return v;
}

/** True when the bytes start with the `bplist00` magic. */
export function isBinaryPlist(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  for (let i = 0; i < 8; i++) if (bytes[i] !== MAGIC[i]) return false;
  return true;
}

class BinaryPlistReader {
  readonly #b: Uint8Array;
  readonly #view: DataView;
  readonly #offsetSize: number;
  readonly #refSize: number;
  readonly #count: number;
  readonly #table: number;
  readonly #state: Uint8Array;
  readonly #values: (OSValue | undefined)[];
  readonly #frames: Frame[] = [];
  #depth = 0;
  /** Char codes of the string being decoded: `String.fromCharCode.apply` on a plain array is ~2× faster than on a typed-array view. */
  readonly #codes: number[] = [];
  /** The buffer small data blobs are copied into (views of it are the values); replaced when full. */
  #pool: Uint8Array = EMPTY;
  #poolUsed = 0;

  constructor(bytes: Uint8Array) {
    this.#b = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const len = bytes.length;
    if (!isBinaryPlist(bytes)) fail("Missing bplist00 header", 0);
    if (len < 8 + 1 + TRAILER) fail(`File too short for a binary plist (${len} bytes)`, len);
    const t = len - TRAILER;
    this.#offsetSize = bytes[t + 6] as number;
    this.#refSize = bytes[t + 7] as number;
    const count = this.#view.getBigUint64(t + 8);
    const top = this.#view.getBigUint64(t + 16);
    const table = this.#view.getBigUint64(t + 24);
    if (this.#offsetSize < 1 || this.#offsetSize > 8) fail(`Trailer offset size ${this.#offsetSize} is not 1 to 8`, t + 6);
    if (this.#refSize < 1 || this.#refSize > 8) fail(`Trailer object reference size ${this.#refSize} is not 1 to 8`, t + 7);
    if (count < 1n) fail("Trailer claims no objects", t + 8);
    if (table < 9n || table >= BigInt(t)) fail(`Offset table at ${table} lies outside the object area`, t + 24);
    // The table must fit in the file; hand-made files let the trailer's unused bytes overlap its end.
    if (count * BigInt(this.#offsetSize) > BigInt(len) - table) fail(`Offset table of ${count} entries runs past the end of the file`, t + 8);
    if (top >= count) fail(`Top object ${top} is not among the ${count} objects`, t + 16);
    this.#count = Number(count);
    this.#table = Number(table);
    this.#state = new Uint8Array(this.#count);
    this.#values = new Array<OSValue | undefined>(this.#count);
    this.top = Number(top);
  }

  readonly top: number;

  #objectOffset(index: number): number {
    const entry = this.#table + index * this.#offsetSize;
    const off = readUint(this.#b, entry, this.#offsetSize);
    if (off < 8 || off >= this.#table) fail(`Object ${index} has offset ${off} outside the object area`, entry);
    return off;
  }

  #ref(at: number): number {
    const r = readUint(this.#b, at, this.#refSize);
    if (r >= this.#count) fail(`Object reference ${r} is not among the ${this.#count} objects`, at);
    return r;
  }

  /** Bytes [at, at + n) must lie in the object area. */
  #need(at: number, n: number, what: string, marker: number): void {
    if (n > this.#table - at) fail(`${what} of ${n} bytes runs past the object area`, marker);
  }

  /** Where the bytes after the last {@link #length}'s count begin (a field, not a tuple: no allocation per object). */
  #after = 0;

  /** The count in a marker's low nibble, or the integer object after it when the nibble is 0xF; sets {@link #after}. */
  #length(off: number): number {
    const low = (this.#b[off] as number) & 0x0f;
    if (low !== 0x0f) {
      this.#after = off + 1;
      return low;
    }
    const m = this.#b[off + 1] as number;
    if (off + 1 >= this.#table || (m & 0xf0) !== 0x10 || (m & 0x0f) > 3) fail("Malformed length after object marker", off + 1);
    const size = 1 << (m & 0x0f);
    this.#need(off + 2, size, "Length", off + 1);
    this.#after = off + 2 + size;
    return readUint(this.#b, off + 2, size);
  }

  /**
   * Decodes every object reachable from the top one. Each container's loop resolves its members
   * in place; only a member that is itself an unread container suspends it (a frame is pushed and
   * the loop resumes with the child), so leaves never touch the stack.
   */
  read(): OSValue {
    const top = this.#visit(this.top);
    if (top !== undefined) return top;
    const frames = this.#frames;
    const state = this.#state;
    const values = this.#values;
    const rs = this.#refSize;
    for (;;) {
      const f = frames[this.#depth - 1] as Frame;
      const n = f.count;
      let open = false;
      if (f.kind === DICT) {
        const m = f.value as OSDictionary;
        while (f.pos < n) {
          const i = f.pos++;
          const key = this.#key(f.refs + i * rs);
          const v = this.#member(f.refs + (n + i) * rs);
          if (v === undefined) {
            f.key = key;
            open = true;
            break;
          }
          m.set(key, v);
        }
      } else {
        const isArray = f.kind === ARRAY;
        while (f.pos < n) {
          const v = this.#member(f.refs + f.pos++ * rs);
          if (v === undefined) {
            open = true;
            break;
          }
          if (isArray) (f.value as OSValue[]).push(v);
          else (f.value as OSSet).add(v);
        }
      }
      if (open) continue;
      const value = f.value;
      f.value = NO_VALUE; // the frame is reused: drop the finished container
      values[f.index] = value;
      state[f.index] = DONE;
      if (--this.#depth === 0) return value;
      const p = frames[this.#depth - 1] as Frame;
      if (p.kind === DICT) (p.value as OSDictionary).set(p.key, value);
      else if (p.kind === ARRAY) (p.value as OSValue[]).push(value);
      else (p.value as OSSet).add(value);
    }
  }

  /** The member referenced at `at`: its value, or undefined when it is a container just opened (pushed). */
  #member(at: number): OSValue | undefined {
    const ref = this.#ref(at);
    const st = this.#state[ref] as number;
    if (st === DONE) return this.#values[ref];
    if (st === IN_PROGRESS) fail(`Object ${ref} contains itself (reference cycle)`, at);
    return this.#visit(ref);
  }

  /** Resolves a dictionary key reference, which must name a string. */
  #key(at: number): string {
    const ref = this.#ref(at);
    let v = this.#values[ref];
    if (this.#state[ref] !== DONE) {
      const off = this.#objectOffset(ref);
      const marker = this.#b[off] as number;
      if (marker >> 4 !== 0x5 && marker >> 4 !== 0x6) fail("Dictionary key is not a string", at);
      v = this.#scalar(off, marker);
      this.#values[ref] = v;
      this.#state[ref] = DONE;
    }
    if (typeof v !== "string") fail("Dictionary key is not a string", at);
    return v;
  }

  /** Decodes a scalar (returned) or opens a container frame (pushed; returns undefined). */
  #visit(index: number): OSValue | undefined {
    const off = this.#objectOffset(index);
    const marker = this.#b[off] as number;
    const kind = marker >> 4;
    if (kind === ARRAY || kind === SET || kind === DICT) {
      const count = this.#length(off);
      const refs = this.#after;
      const per = kind === DICT ? 2 * this.#refSize : this.#refSize;
      this.#need(refs, count * per, kind === DICT ? "Dictionary" : kind === ARRAY ? "Array" : "Set", off);
      this.#state[index] = IN_PROGRESS;
      const value = kind === ARRAY ? [] : kind === SET ? new Set<OSValue>() : new Map<string, OSValue>();
      let f = this.#frames[this.#depth];
      if (f === undefined) {
        f = { index, kind, refs, count, pos: 0, value, key: "" };
        this.#frames.push(f);
      } else {
        f.index = index;
        f.kind = kind;
        f.refs = refs;
        f.count = count;
        f.pos = 0;
        f.value = value;
      }
      this.#depth++;
      return undefined;
    }
    const v = this.#scalar(off, marker);
    this.#values[index] = v;
    this.#state[index] = DONE;
    return v;
  }

  #scalar(off: number, marker: number): OSValue {
    const b = this.#b;
    const low = marker & 0x0f;
    switch (marker >> 4) {
      case 0x0:
        if (marker === 0x08) return false;
        if (marker === 0x09) return true;
        return fail(marker === 0x00 ? "Null object has no property-list value" : `Unknown object marker 0x${marker.toString(16).padStart(2, "0")}`, off);
      case 0x1: {
        if (low > 4) fail(`Integer of ${1 << low} bytes is not supported`, off);
        const size = 1 << low;
        this.#need(off + 1, size, "Integer", off);
        // Most integers are safe JavaScript numbers: no bigint is built for them (see OSNumber).
        if (size <= 4) return new OSNumber(readUint(b, off + 1, size));
        if (size === 8) {
          const hi = this.#view.getInt32(off + 1);
          if (hi >= -0x200000 && hi < 0x200000) return new OSNumber(hi * 2 ** 32 + this.#view.getUint32(off + 5));
          return new OSNumber(this.#view.getBigInt64(off + 1));
        }
        const v = BigInt.asIntN(128, (this.#view.getBigUint64(off + 1) << 64n) | this.#view.getBigUint64(off + 9));
        return new OSNumber(v, v >= I64_MIN && v <= U64_MAX ? 64 : 128);
      }
      case 0x2:
        if (low === 2) {
          this.#need(off + 1, 4, "Real", off);
          return new OSReal(this.#view.getFloat32(off + 1), 32);
        }
        if (low === 3) {
          this.#need(off + 1, 8, "Real", off);
          return new OSReal(this.#view.getFloat64(off + 1));
        }
        return fail(`Real of ${1 << low} bytes is not supported`, off);
      case 0x3:
        if (marker !== 0x33) fail(`Unknown object marker 0x${marker.toString(16)}`, off);
        this.#need(off + 1, 8, "Date", off);
        return new OSDate(this.#view.getFloat64(off + 1));
      case 0x4: {
        const n = this.#length(off);
        const at = this.#after;
        this.#need(at, n, "Data", off);
        return this.#data(at, n);
      }
      case 0x5: {
        const n = this.#length(off);
        const at = this.#after;
        this.#need(at, n, "ASCII string", off);
        return this.#ascii(at, n);
      }
      case 0x6: {
        const n = this.#length(off);
        const at = this.#after;
        this.#need(at, n * 2, "UTF-16 string", off);
        return this.#utf16(at, n);
      }
      case 0x8: {
        const size = low + 1;
        this.#need(off + 1, size, "UID", off);
        const v = readUint(b, off + 1, size);
        if (size > 4 && v > 0xffffffff) fail("UID does not fit in 32 bits", off);
        return new OSUID(v);
      }
      default:
        return fail(`Unknown object marker 0x${marker.toString(16).padStart(2, "0")}`, off);
    }
  }

  /**
   * A copy of the bytes [at, at + n): small blobs become views into a shared pool (a buffer per
   * blob costs far more than its bytes), large ones get their own buffer. Never a view of the
   * input, which the caller may reuse (and `slice()` of a Node Buffer is such a view).
   */
  #data(at: number, n: number): Uint8Array {
    const b = this.#b;
    if (n > DATA_POOL / 8) {
      const own = new Uint8Array(n);
      own.set(b.subarray(at, at + n));
      return own;
    }
    if (this.#poolUsed + n > this.#pool.length) {
      this.#pool = new Uint8Array(DATA_POOL);
      this.#poolUsed = 0;
    }
    const pool = this.#pool;
    const start = this.#poolUsed;
    for (let i = 0; i < n; i++) pool[start + i] = b[at + i] as number;
    this.#poolUsed = start + n;
    return new Uint8Array(pool.buffer, start, n);
  }

  #ascii(at: number, n: number): string {
    const b = this.#b;
    if (n > SHORT_STRING) {
      for (let i = at; i < at + n; i++) if ((b[i] as number) > 0x7f) return utf8.decode(b.subarray(at, at + n));
      return latin1.decode(b.subarray(at, at + n));
    }
    const codes = this.#codes;
    codes.length = n;
    let any = 0;
    for (let i = 0; i < n; i++) any |= codes[i] = b[at + i] as number;
    // Divergence from XNU: CF and plistlib refuse non-ASCII bytes here, but old writers
    // (iTunes) put UTF-8 in "ASCII" strings and the meaning is plain, so read it as UTF-8.
    if (any > 0x7f) return utf8.decode(b.subarray(at, at + n));
    return String.fromCharCode.apply(null, codes);
  }

  #utf16(at: number, n: number): string {
    const b = this.#b;
    const codes = this.#codes;
    let s = "";
    // Lone surrogates are kept: fromCharCode takes code units, not code points.
    for (let start = 0; start < n; start += SHORT_STRING) {
      const m = Math.min(SHORT_STRING, n - start);
      codes.length = m;
      for (let i = 0, p = at + 2 * start; i < m; i++, p += 2) codes[i] = ((b[p] as number) << 8) | (b[p + 1] as number);
      s += String.fromCharCode.apply(null, codes);
    }
    return s;
  }
}

/**
 * Reads a binary (`bplist00`) property list.
 *
 * @param bytes the whole file
 * @returns the top object
 * @throws {PlistFormatError} on any malformation, with the byte offset of the faulty table entry,
 *   object or reference; in time and memory proportional to the input
 */
export function parseBinaryPlist(bytes: Uint8Array): OSValue {
  return new BinaryPlistReader(bytes).read();
}
