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
 * Divergence from CF: CF's uniquing treats an integer and a real of equal value as one object
 * (CFEqual says they are equal), so `1` and `1.0` can come back as the same type; we keep them
 * apart. Dictionary order is the Map's order (CF writes hash order).
 *
 * The walk uses an explicit stack; a container inside itself throws {@link PlistTypeError}.
 */
import { OSDate, OSNumber, OSReal, OSUID, type OSValue } from "../../libkern/index.ts";
import { keyPathOf, type PathLink } from "./keyPath.ts";
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
class Output {
  bytes = new Uint8Array(1 << 16);
  view = new DataView(this.bytes.buffer);
  length = 0;

  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.reserve(1);
    this.bytes[this.length++] = b;
  }

  uint(v: number, size: number): void {
    this.reserve(size);
    for (let i = size - 1; i >= 0; i--) this.bytes[this.length++] = Math.floor(v / 2 ** (8 * i)) & 0xff;
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

/** A scalar's identity for de-duplication: equal keys mean equal values of the same type. */
function scalarKey(v: OSValue): string | undefined {
  if (typeof v === "string") return `s${v}`;
  if (typeof v === "boolean") return v ? "t" : "f";
  if (v instanceof OSNumber) return `i${v.value}`;
  if (v instanceof OSReal) return `r${v.bits}:${Object.is(v.value, -0) ? "-0" : v.value}`;
  if (v instanceof OSDate) return `d${Object.is(v.absoluteTime, -0) ? "-0" : v.absoluteTime}`;
  if (v instanceof OSUID) return `u${v.value}`;
  if (v instanceof Uint8Array) {
    let s = "x";
    for (let i = 0; i < v.length; i += 4096) s += String.fromCharCode(...v.subarray(i, i + 4096));
    return s;
  }
  return undefined;
}

interface Pending {
  readonly value: OSValue;
  readonly link: PathLink | undefined;
  /** Where to store this object's index: the parent's reference list and slot. */
  readonly refs: number[] | undefined;
  readonly slot: number;
}

/**
 * Writes a value as a binary (`bplist00`) property list.
 *
 * @throws {PlistTypeError} for a container that contains itself, or an integer beyond 128 bits
 */
export function writeBinaryPlist(root: OSValue): Uint8Array {
  // 1. Flatten: number the objects, remember each container's member references.
  const objects: OSValue[] = [];
  const memberRefs: (number[] | undefined)[] = [];
  const scalars = new Map<string, number>();
  const containers = new Map<object, number>();
  const open = new Set<object>();
  const work: (Pending | { exit: object })[] = [{ value: root, link: undefined, refs: undefined, slot: 0 }];
  while (work.length > 0) {
    const w = work.pop() as Pending | { exit: object };
    if ("exit" in w) {
      open.delete(w.exit);
      continue;
    }
    const v = w.value;
    let index: number;
    const key = scalarKey(v);
    if (key !== undefined) {
      const seen = scalars.get(key);
      if (seen !== undefined) index = seen;
      else {
        index = objects.length;
        scalars.set(key, index);
        objects.push(v);
        memberRefs.push(undefined);
        if (v instanceof OSNumber && (v.value < I128_MIN || v.value > I128_MAX)) {
          throw new PlistTypeError(`Cannot write integer ${v.value} in a binary property list: it does not fit a signed 128-bit integer`, keyPathOf(w.link));
        }
      }
    } else {
      const c = v as object;
      if (open.has(c)) throw new PlistTypeError("Cannot write a container that contains itself", keyPathOf(w.link));
      const seen = containers.get(c);
      if (seen !== undefined) index = seen;
      else {
        index = objects.length;
        containers.set(c, index);
        objects.push(v);
        open.add(c);
        work.push({ exit: c });
        if (v instanceof Map) {
          const n = v.size;
          const refs = new Array<number>(2 * n);
          memberRefs.push(refs);
          const entries = [...v];
          for (let i = n - 1; i >= 0; i--) {
            const [k, x] = entries[i] as [string, OSValue];
            work.push({ value: x, link: { parent: w.link, key: k }, refs, slot: n + i });
          }
          for (let i = n - 1; i >= 0; i--) {
            const k = (entries[i] as [string, OSValue])[0];
            work.push({ value: k, link: w.link, refs, slot: i });
          }
        } else {
          const items = [...(v as OSValue[] | Set<OSValue>)];
          const refs = new Array<number>(items.length);
          memberRefs.push(refs);
          for (let i = items.length - 1; i >= 0; i--) work.push({ value: items[i] as OSValue, link: { parent: w.link, key: i }, refs, slot: i });
        }
      }
    }
    if (w.refs !== undefined) w.refs[w.slot] = index;
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
  else if (v instanceof OSNumber) writeInteger(out, v.value);
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

function writeInteger(out: Output, n: bigint): void {
  out.reserve(17);
  if (n >= 0n && n <= 0xffffffffn) {
    const v = Number(n);
    const size = v <= 0xff ? 1 : v <= 0xffff ? 2 : 4;
    out.byte(0x10 | Math.log2(size));
    out.uint(v, size);
  } else if (n >= I64_MIN && n <= I64_MAX) {
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
