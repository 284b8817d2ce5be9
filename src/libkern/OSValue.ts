/**
 * The typed value model shared by every codec, the registry, matching and the kernel↔user wire.
 *
 * Property lists and libkern collections distinguish types that JavaScript does not: integers and
 * reals, integer bit widths and 64-bit unsigned values, data and strings, dates with sub-second
 * precision, and keyed-archiver UIDs. Native types stand in where they are exact; small classes stand
 * in where they are not:
 *
 * | Apple                 | here                          |
 * |-----------------------|-------------------------------|
 * | OSString / CFString   | `string`                      |
 * | OSBoolean / CFBoolean | `boolean`                     |
 * | OSData / CFData       | `Uint8Array`                  |
 * | OSArray / CFArray     | `OSValue[]`                   |
 * | OSDictionary          | `Map<string, OSValue>` (insertion order kept) |
 * | OSSet / CFSet         | `Set<OSValue>` (insertion order kept)         |
 * | OSNumber (integer)    | {@link OSNumber}: a bigint plus its bit width |
 * | CFNumber (real)       | {@link OSReal}                |
 * | CFDate                | {@link OSDate}: seconds since 2001-01-01 UTC  |
 * | CF$UID                | {@link OSUID}                 |
 *
 * Values are plain data: no I/O, no identity beyond JavaScript's. A value graph may share
 * sub-objects (the kernel XML dialect's IDREF does that); it never contains a cycle unless built by
 * hand, and codecs that write refuse cycles.
 */

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * An integer with its bit width. `value` is exact for the full signed and unsigned 64-bit ranges.
 *
 * Storage: a parsed document holds hundreds of thousands of integers, and a BigInt per integer
 * doubles their allocation (and the collector's work, since every one survives). So the exact value
 * lives in {@link OSNumber.raw}, a plain number when it is a safe integer and a bigint only beyond
 * ±(2^53 - 1); `value` builds the bigint on demand. The representation is normalized (one value,
 * one `raw`), so `raw === raw` is value equality and deep-equality checks still see the value.
 */
export class OSNumber {
  /** The exact value: a number when it is a safe integer (never -0), else a bigint. Hot paths read this instead of `value`. */
  readonly raw: number | bigint;
  /** OSNumber's `numberOfBits`: 8, 16, 32, 64, or 128 for bplist's 16-byte integers. */
  readonly bits: number;

  constructor(value: bigint | number, bits = 64) {
    if (typeof value === "number") {
      // Readers pass safe integers: they skip the truncation. `+ 0` turns -0 into 0; non-finite
      // values throw in BigInt(), as they always did.
      if (Number.isSafeInteger(value)) this.raw = value + 0;
      else {
        const t = Math.trunc(value);
        this.raw = Number.isSafeInteger(t) ? t + 0 : BigInt(t);
      }
    } else {
      this.raw = value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value;
    }
    this.bits = bits;
  }

  /** The exact value as a bigint. */
  get value(): bigint {
    const r = this.raw;
    return typeof r === "number" ? BigInt(r) : r;
  }

  /** The value as a JavaScript number (exact up to 2^53). */
  toNumber(): number {
    return Number(this.raw);
  }

  /** The value reinterpreted as an unsigned integer of `bits` bits, as `%qu` prints it. */
  unsigned(bits = 64): bigint {
    return BigInt.asUintN(bits, this.value);
  }

  /** The value reinterpreted as a signed integer of `bits` bits. */
  signed(bits = 64): bigint {
    return BigInt.asIntN(bits, this.value);
  }

  /**
   * The low 32 bits as an unsigned number (`(UInt32)` in C). Matching reads every score and ID this
   * way, so safe integers skip the bigint: `>>> 0` is exact modulo 2^32 for them.
   */
  uint32(): number {
    const r = this.raw;
    return typeof r === "number" ? r >>> 0 : Number(BigInt.asUintN(32, r));
  }

  /** The low 32 bits as a signed number (`(SInt32)` in C); see {@link OSNumber.uint32}. */
  int32(): number {
    const r = this.raw;
    return typeof r === "number" ? r | 0 : Number(BigInt.asIntN(32, r));
  }

  toString(): string {
    return this.raw.toString();
  }
}

/** A real number (`<real>`, CFNumber double or float). */
export class OSReal {
  readonly value: number;
  /** 32 for a single-precision float, 64 for a double. */
  readonly bits: number;

  constructor(value: number, bits = 64) {
    this.value = value;
    this.bits = bits;
  }

  toString(): string {
    return String(this.value);
  }
}

/** Seconds between the Unix epoch and Apple's reference date, 2001-01-01T00:00:00Z. */
export const APPLE_EPOCH_OFFSET_SECONDS = 978307200;

/** A date, stored exactly as Core Foundation does: a double of seconds since 2001-01-01 UTC. */
export class OSDate {
  readonly absoluteTime: number;

  constructor(absoluteTime: number) {
    this.absoluteTime = absoluteTime;
  }

  static fromDate(date: Date): OSDate {
    return new OSDate(date.getTime() / 1000 - APPLE_EPOCH_OFFSET_SECONDS);
  }

  static fromUnixSeconds(seconds: number): OSDate {
    return new OSDate(seconds - APPLE_EPOCH_OFFSET_SECONDS);
  }

  /** Seconds since the Unix epoch. */
  toUnixSeconds(): number {
    return this.absoluteTime + APPLE_EPOCH_OFFSET_SECONDS;
  }

  /** A JavaScript Date (millisecond precision). */
  toDate(): Date {
    return new Date(this.toUnixSeconds() * 1000);
  }

  toString(): string {
    return this.toDate().toISOString();
  }
}

/** A keyed-archiver object reference (`CF$UID`), binary plists only. */
export class OSUID {
  readonly value: number;

  constructor(value: number) {
    this.value = value;
  }

  toString(): string {
    return `CF$UID(${this.value})`;
  }
}

/** A dictionary: string keys in insertion order. */
export type OSDictionary = Map<string, OSValue>;
/** A set: members in insertion order. */
export type OSSet = Set<OSValue>;
/** An array. */
export type OSArray = OSValue[];

/** Any property-list or libkern value. */
export type OSValue =
  | string
  | boolean
  | OSNumber
  | OSReal
  | OSDate
  | OSUID
  | Uint8Array
  | OSArray
  | OSDictionary
  | OSSet;

/** The type tag of a value, named as property lists name their elements. */
export type OSValueKind =
  | "string" | "boolean" | "integer" | "real" | "date" | "uid" | "data" | "array" | "dict" | "set";

/** Names the kind of a value. */
export function kindOf(value: OSValue): OSValueKind {
  switch (typeof value) {
    case "string":
      return "string";
    case "boolean":
      return "boolean";
  }
  if (value instanceof OSNumber) return "integer";
  if (value instanceof OSReal) return "real";
  if (value instanceof OSDate) return "date";
  if (value instanceof OSUID) return "uid";
  if (value instanceof Uint8Array) return "data";
  if (Array.isArray(value)) return "array";
  if (value instanceof Map) return "dict";
  if (value instanceof Set) return "set";
  throw new TypeError(`Cannot classify value: not an OSValue (${Object.prototype.toString.call(value)})`);
}

export const isOSNumber = (v: unknown): v is OSNumber => v instanceof OSNumber;
export const isOSDictionary = (v: unknown): v is OSDictionary => v instanceof Map;
export const isOSArray = (v: unknown): v is OSArray => Array.isArray(v);
export const isOSSet = (v: unknown): v is OSSet => v instanceof Set;
export const isOSData = (v: unknown): v is Uint8Array => v instanceof Uint8Array;

/** Builds an integer: `num(5)`, `num(5, 32)`, `num(2n ** 64n - 1n)`. */
export function num(value: bigint | number, bits = 64): OSNumber {
  return new OSNumber(value, bits);
}

/** Builds a real. */
export function real(value: number, bits = 64): OSReal {
  return new OSReal(value, bits);
}

/** Builds a dictionary from an object literal or entries, keeping their order. */
export function dict(entries: Record<string, OSValue> | Iterable<readonly [string, OSValue]>): OSDictionary {
  const it = Symbol.iterator in Object(entries)
    ? (entries as Iterable<readonly [string, OSValue]>)
    : Object.entries(entries as Record<string, OSValue>);
  return new Map(it);
}

/** Options for {@link osEqual}. */
export interface OSEqualOptions {
  /** Compare integer bit widths too (default false: `<integer>` in XML has no width). */
  readonly compareBits?: boolean;
  /** Compare dictionary key order too (default false, like `isEqualTo`). */
  readonly compareOrder?: boolean;
}

/**
 * Deep equality in the sense of libkern's `isEqualTo`: same kinds, same values. Integers compare
 * by value, reals by value (NaN equals NaN, -0 equals -0 but not +0), dates by absolute time.
 */
export function osEqual(a: OSValue, b: OSValue, options: OSEqualOptions = {}): boolean {
  if (a === b) return true;
  const ka = kindOf(a);
  if (ka !== kindOf(b)) return false;
  switch (ka) {
    case "integer":
      return (a as OSNumber).raw === (b as OSNumber).raw && (!options.compareBits || (a as OSNumber).bits === (b as OSNumber).bits);
    case "real":
      return Object.is((a as OSReal).value, (b as OSReal).value);
    case "date":
      return Object.is((a as OSDate).absoluteTime, (b as OSDate).absoluteTime);
    case "uid":
      return (a as OSUID).value === (b as OSUID).value;
    case "data": {
      const x = a as Uint8Array;
      const y = b as Uint8Array;
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
      return true;
    }
    case "array": {
      const x = a as OSArray;
      const y = b as OSArray;
      return x.length === y.length && x.every((v, i) => osEqual(v, y[i] as OSValue, options));
    }
    case "set": {
      const x = [...(a as OSSet)];
      const y = [...(b as OSSet)];
      if (x.length !== y.length) return false;
      const used = new Array<boolean>(y.length).fill(false);
      return x.every((v) => {
        const i = y.findIndex((w, j) => !used[j] && osEqual(v, w, options));
        if (i < 0) return false;
        used[i] = true;
        return true;
      });
    }
    case "dict": {
      const x = a as OSDictionary;
      const y = b as OSDictionary;
      if (x.size !== y.size) return false;
      if (options.compareOrder) {
        const ky = [...y.keys()];
        let i = 0;
        for (const k of x.keys()) if (k !== ky[i++]) return false;
      }
      for (const [k, v] of x) {
        const w = y.get(k);
        if (w === undefined || !osEqual(v, w, options)) return false;
      }
      return true;
    }
    default:
      return a === b;
  }
}
