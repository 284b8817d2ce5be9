/**
 * The binary property-list writer (`bplist00`), following CFBinaryPList's layout rules:
 *
 * - objects are numbered in depth-first pre-order from the top object (index 0); a dictionary's
 *   keys come before its values;
 * - equal scalars (strings, integers, reals, dates, data, UIDs, booleans) are written once;
 *   containers are written once per identity (a value graph that shares a sub-tree stays shared);
 * - object references use the fewest bytes that hold the object count, offsets the fewest that
 *   hold the offset table's position (any of 1 to 8 bytes, as CF does; plistlib uses 1/2/4/8);
 * - integers: non-negative values in 1, 2, 4 or 8 bytes, negative values in 8, values above
 *   2^63-1 (and other signed 128-bit values) in 16;
 * - reals in 8 bytes, or 4 for an {@link OSReal} of 32 bits; dates as 8-byte reals;
 * - strings as ASCII when every unit is below 0x80, else UTF-16BE;
 * - lengths of 15 and more follow the marker as an integer object.
 *
 * CF's uniquing treats an integer and a real of equal value as one object (CFEqual says they are
 * equal), so `1` and `1.0` can come back as the same type; we keep them apart (see the divergence
 * notes below). Dictionary order is the Map's order (CF writes hash order).
 *
 * The walk uses an explicit stack; a container inside itself throws {@link PlistTypeError}.
 */
import { ByteBuffer } from "../../base/index.ts";
import { OSDate, OSNumber, OSReal, OSUID, type OSValue } from "../../libkern/index.ts";
import { PlistTypeError } from "./PlistTypeError.ts";

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const I128_MIN = -(2n ** 127n);
const I128_MAX = 2n ** 127n - 1n;

/** The fewest bytes (1 to 8) that hold `n`. */
function byteCount(n: number): number {
  let size = 1;
  while (size < 8 && n >= 2 ** (8 * size)) size++;
  return size;
}

/** A growable byte buffer. */
class Output extends ByteBuffer {
  constructor() {
    super(1 << 16);
  }

  byte(b: number): void {
    this.reserve(1);
    this.bytes[this.length++] = b;
  }

  uint(v: number, size: number): void {
    this.reserve(size);
    const b = this.bytes;
    if (v <= 0xffffffff) {
      for (let i = size - 1; i >= 0; i--) b[this.length++] = i >= 4 ? 0 : (v >>> (8 * i)) & 0xff;
      return;
    }
    for (let i = size - 1; i >= 0; i--) b[this.length++] = Math.floor(v / 2 ** (8 * i)) & 0xff;
  }

  /** A marker with a count: in the low nibble below 15, else 0xF and an integer object. */
  marker(high: number, count: number): void {
    if (count < 15) this.byte(high | count);
    else {
      this.byte(high | 0x0f);
      const size = count <= 0xff ? 1 : count <= 0xffff ? 2 : count <= 0xffffffff ? 4 : 8;
      this.byte(0x10 | Math.log2(size));
      this.uint(count, size);
    }
  }
}

/**
 * Scalar de-duplication tables, one per type so lookups key on the value itself (no key strings to
 * build and hash). Divergence from XNU: CF uniques with CFEqual, which merges `1` and `1.0`; here
 * the type decides the table, so they stay apart.
 */
class Uniquer {
  readonly strings = new Map<string, number>();
  readonly ints = new Map<bigint, number>();
  /** Integers within ±2^53 key by number, which hashes faster than bigint. */
  readonly smallInts = new Map<number, number>();
  readonly reals = new Map<number, number>();
  readonly floats = new Map<number, number>();
  readonly dates = new Map<number, number>();
  readonly uids = new Map<number, number>();
  readonly data = new Map<string, number>();
  readonly bools: (number | undefined)[] = [undefined, undefined];
  negZeroReal: number | undefined;
  negZeroFloat: number | undefined;
  negZeroDate: number | undefined;

  /** The index of an equal scalar already numbered, or -1; `assign` records `index` for it. */
  lookup(v: OSValue, assign: number): number {
    let table: Map<unknown, number>;
    let key: unknown = v;
    if (typeof v === "string") table = this.strings;
    else if (typeof v === "boolean") {
      const i = v ? 1 : 0;
      const seen = this.bools[i];
      if (seen === undefined) this.bools[i] = assign;
      return seen ?? -1;
    } else if (v instanceof OSNumber) {
      // `raw` is a number exactly when the value is a safe integer, which hashes faster than a bigint.
      key = v.raw;
      table = typeof key === "number" ? this.smallInts : this.ints;
    } else if (v instanceof OSReal || v instanceof OSDate) {
      const x = v instanceof OSReal ? v.value : v.absoluteTime;
      if (Object.is(x, -0)) {
        const field = v instanceof OSDate ? "negZeroDate" : v.bits === 32 ? "negZeroFloat" : "negZeroReal";
        const seen = this[field];
        if (seen === undefined) this[field] = assign;
        return seen ?? -1;
      }
      table = v instanceof OSDate ? this.dates : v.bits === 32 ? this.floats : this.reals;
      key = x;
    } else if (v instanceof OSUID) {
      table = this.uids;
      key = v.value;
    } else {
      const bytes = v as Uint8Array;
      // One flat string per blob (a char-by-char concatenation would build a rope to flatten again).
      let s = "";
      for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[]);
      table = this.data;
      key = s;
    }
    const seen = table.get(key);
    if (seen !== undefined) return seen;
    table.set(key, assign);
    return -1;
  }
}

const isContainer = (v: OSValue): v is OSValue[] | Map<string, OSValue> | Set<OSValue> => Array.isArray(v) || v instanceof Map || v instanceof Set;

/** A container being numbered: its members (a dictionary's keys, then its values) and their references. */
interface Frame {
  readonly container: object;
  readonly members: OSValue[];
  readonly keys: string[] | undefined;
  readonly refs: number[];
  pos: number;
}

/** The key path of the member being visited, from the frames on the stack. */
function framePath(stack: readonly Frame[]): string {
  const parts: string[] = [];
  for (const f of stack) {
    const i = f.pos - 1;
    if (f.keys === undefined) parts.push(String(i));
    else if (i >= f.keys.length) parts.push(f.keys[i - f.keys.length] as string);
  }
  return parts.join(".");
}

/**
 * Writes a value as a binary (`bplist00`) property list.
 *
 * @throws {PlistTypeError} for a container that contains itself, or an integer beyond 128 bits
 */
export function writeBinaryPlist(root: OSValue): Uint8Array {
  // 1. Flatten: number the objects depth-first, recording each container's member references.
  const objects: OSValue[] = [];
  const memberRefs: (number[] | undefined)[] = [];
  const uniq = new Uniquer();
  // Divergence from XNU: CF writes each container anew; sharing by identity keeps a DAG linear in size.
  const containers = new Map<object, number>();
  const open = new Set<object>();
  const stack: Frame[] = [];

  /** Numbers a value (or finds its number); opens a frame for a new container. */
  const visit = (v: OSValue): number => {
    if (!isContainer(v)) {
      const seen = uniq.lookup(v, objects.length);
      if (seen >= 0) return seen;
      if (v instanceof OSNumber && typeof v.raw === "bigint" && (v.raw < I128_MIN || v.raw > I128_MAX)) {
        throw new PlistTypeError(`Cannot write integer ${v.value} in a binary property list: it does not fit a signed 128-bit integer`, framePath(stack));
      }
      objects.push(v);
      memberRefs.push(undefined);
      return objects.length - 1;
    }
    if (open.has(v)) throw new PlistTypeError("Cannot write a container that contains itself", framePath(stack));
    const seen = containers.get(v);
    if (seen !== undefined) return seen;
    const index = objects.length;
    containers.set(v, index);
    objects.push(v);
    let members: OSValue[];
    let keys: string[] | undefined;
    if (v instanceof Map) {
      keys = Array.from(v.keys());
      members = (keys as OSValue[]).concat(Array.from(v.values()));
    } else members = Array.isArray(v) ? v : Array.from(v);
    const refs = new Array<number>(members.length);
    memberRefs.push(refs);
    open.add(v);
    stack.push({ container: v, members, keys, refs, pos: 0 });
    return index;
  };

  visit(root);
  while (stack.length > 0) {
    const f = stack[stack.length - 1] as Frame;
    if (f.pos < f.members.length) {
      const slot = f.pos++;
      f.refs[slot] = visit(f.members[slot] as OSValue);
    } else {
      stack.pop();
      open.delete(f.container);
    }
  }

  // 2. Write the objects, then the offset table and the trailer.
  const refSize = byteCount(objects.length);
  const out = new Output();
  for (const c of "bplist00") out.byte(c.charCodeAt(0));
  const offsets = new Array<number>(objects.length);
  for (let i = 0; i < objects.length; i++) {
    offsets[i] = out.length;
    writeObject(out, objects[i] as OSValue, memberRefs[i], refSize);
  }
  const table = out.length;
  const offsetSize = byteCount(table);
  out.reserve(offsets.length * offsetSize + 32);
  for (const off of offsets) out.uint(off, offsetSize);
  for (let i = 0; i < 6; i++) out.byte(0);
  out.byte(offsetSize);
  out.byte(refSize);
  out.uint(objects.length, 8);
  out.uint(0, 8);
  out.uint(table, 8);
  return out.bytes.slice(0, out.length);
}

function writeObject(out: Output, v: OSValue, refs: number[] | undefined, refSize: number): void {
  if (typeof v === "string") {
    let ascii = true;
    for (let i = 0; i < v.length; i++) {
      if (v.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    }
    out.marker(ascii ? 0x50 : 0x60, v.length);
    out.reserve(v.length * 2);
    const b = out.bytes;
    if (ascii) for (let i = 0; i < v.length; i++) b[out.length++] = v.charCodeAt(i);
    else {
      for (let i = 0; i < v.length; i++) {
        const c = v.charCodeAt(i);
        b[out.length++] = c >> 8;
        b[out.length++] = c & 0xff;
      }
    }
  } else if (typeof v === "boolean") out.byte(v ? 0x09 : 0x08);
  else if (v instanceof OSNumber) writeInteger(out, v.raw);
  else if (v instanceof OSReal) {
    out.reserve(9);
    if (v.bits === 32) {
      out.bytes[out.length++] = 0x22;
      out.view.setFloat32(out.length, v.value);
      out.length += 4;
    } else {
      out.bytes[out.length++] = 0x23;
      out.view.setFloat64(out.length, v.value);
      out.length += 8;
    }
  } else if (v instanceof OSDate) {
    out.reserve(9);
    out.bytes[out.length++] = 0x33;
    out.view.setFloat64(out.length, v.absoluteTime);
    out.length += 8;
  } else if (v instanceof OSUID) {
    const size = v.value <= 0xff ? 1 : v.value <= 0xffff ? 2 : v.value <= 0xffffffff ? 4 : 8;
    out.byte(0x80 | (size - 1));
    out.uint(v.value, size);
  } else if (v instanceof Uint8Array) {
    out.marker(0x40, v.length);
    out.reserve(v.length);
    out.bytes.set(v, out.length);
    out.length += v.length;
  } else {
    const r = refs as number[];
    const high = v instanceof Map ? 0xd0 : v instanceof Set ? 0xc0 : 0xa0;
    out.marker(high, v instanceof Map ? r.length / 2 : r.length);
    out.reserve(r.length * refSize);
    for (const ref of r) out.uint(ref, refSize);
  }
}

function writeInteger(out: Output, raw: number | bigint): void {
  out.reserve(17);
  if (typeof raw === "number" && raw >= 0 && raw <= 0xffffffff) {
    const v = raw;
    const size = v <= 0xff ? 1 : v <= 0xffff ? 2 : 4;
    out.byte(0x10 | Math.log2(size));
    out.uint(v, size);
    return;
  }
  const n = BigInt(raw);
  if (n >= I64_MIN && n <= I64_MAX) {
    out.bytes[out.length++] = 0x13;
    out.view.setBigInt64(out.length, n);
    out.length += 8;
  } else {
    out.bytes[out.length++] = 0x14;
    const u = BigInt.asUintN(128, n);
    out.view.setBigUint64(out.length, u >> 64n);
    out.view.setBigUint64(out.length + 8, BigInt.asUintN(64, u));
    out.length += 16;
  }
}
