/**
 * Bounds-checked reads from a byte buffer in either byte order, plus the LEB128 varints and C
 * strings Mach-O's linkedit tables use. Every read checks the range first and throws a
 * {@link MachOFormatError} naming the offset, so a truncated or lying file never reads garbage.
 *
 * Offsets are absolute in `bytes`. 64-bit fields come back as `bigint` (`u64`) or as a `number`
 * when the caller only needs sizes and offsets that must fit in the buffer anyway (`u64n`, which
 * rejects values above 2^53).
 */
import { MachOFormatError } from "./MachOFormatError.ts";

export class ByteReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly little: boolean;

  constructor(bytes: Uint8Array, little: boolean) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.little = little;
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Throws unless [offset, offset+size) lies inside the buffer. */
  need(offset: number, size: number, what: string): void {
    if (!(offset >= 0 && size >= 0 && offset + size <= this.bytes.length)) {
      throw new MachOFormatError(`${what} extends past the end of the file`, Math.min(Math.max(offset, 0), this.bytes.length));
    }
  }

  u8(offset: number): number {
    this.need(offset, 1, "byte");
    return this.bytes[offset] as number;
  }

  u16(offset: number): number {
    this.need(offset, 2, "16-bit field");
    return this.view.getUint16(offset, this.little);
  }

  u32(offset: number): number {
    this.need(offset, 4, "32-bit field");
    return this.view.getUint32(offset, this.little);
  }

  i32(offset: number): number {
    this.need(offset, 4, "32-bit field");
    return this.view.getInt32(offset, this.little);
  }

  u64(offset: number): bigint {
    this.need(offset, 8, "64-bit field");
    return this.view.getBigUint64(offset, this.little);
  }

  /** A 64-bit field as a number; throws if it cannot be an offset or size in a real file. */
  u64n(offset: number, what: string): number {
    const v = this.u64(offset);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new MachOFormatError(`${what} 0x${v.toString(16)} is too large`, offset);
    return Number(v);
  }

  /** A fixed-size, NUL-padded name such as `segname[16]`, as a byte string. */
  fixedString(offset: number, size: number): string {
    this.need(offset, size, "name");
    let end = offset;
    const stop = offset + size;
    while (end < stop && this.bytes[end] !== 0) end++;
    return byteString(this.bytes, offset, end);
  }

  /** A NUL-terminated string starting at `offset` that must end before `limit`. */
  cString(offset: number, limit: number = this.bytes.length): string {
    const lim = Math.min(limit, this.bytes.length);
    if (offset < 0 || offset > lim) throw new MachOFormatError("string offset out of range", Math.max(0, Math.min(offset, this.bytes.length)));
    let end = offset;
    while (end < lim && this.bytes[end] !== 0) end++;
    return byteString(this.bytes, offset, end);
  }

  /** Unsigned LEB128 at `offset` (must end before `limit`); returns the value and the next offset. */
  uleb(offset: number, limit: number = this.bytes.length): { value: bigint; next: number } {
    let result = 0n;
    let shift = 0n;
    let p = offset;
    for (;;) {
      if (p >= limit) throw new MachOFormatError("malformed uleb128, extends past end", p);
      const b = this.bytes[p++] as number;
      if (shift >= 64n && (b & 0x7f) !== 0) throw new MachOFormatError("uleb128 too big for uint64", offset);
      if (shift < 64n) result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) break;
    }
    return { value: BigInt.asUintN(64, result), next: p };
  }

  /** Signed LEB128, like {@link uleb}. */
  sleb(offset: number, limit: number = this.bytes.length): { value: bigint; next: number } {
    let result = 0n;
    let shift = 0n;
    let p = offset;
    let b = 0;
    for (;;) {
      if (p >= limit) throw new MachOFormatError("malformed sleb128, extends past end", p);
      b = this.bytes[p++] as number;
      if (shift < 64n) result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) break;
      if (shift > 70n) throw new MachOFormatError("sleb128 too big for int64", offset);
    }
    if (shift < 64n && (b & 0x40) !== 0) result |= -1n << shift;
    return { value: BigInt.asIntN(64, result), next: p };
  }

  /** Unsigned LEB128 as a number, for values that must fit (offsets, counts). */
  ulebn(offset: number, limit: number = this.bytes.length): { value: number; next: number } {
    // Fast path: most varints are small.
    let result = 0;
    let mul = 1;
    let p = offset;
    for (let i = 0; i < 7; i++) {
      if (p >= limit) throw new MachOFormatError("malformed uleb128, extends past end", p);
      const b = this.bytes[p++] as number;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return { value: result, next: p };
      mul *= 128;
    }
    const big = this.uleb(offset, limit);
    if (big.value > BigInt(Number.MAX_SAFE_INTEGER)) throw new MachOFormatError("uleb128 value too large", offset);
    return { value: Number(big.value), next: big.next };
  }
}

/**
 * Bytes [start, end) as a string with one char per byte (ISO-8859-1), so that names compare in
 * byte order and can be written back byte for byte.
 */
export function byteString(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= 0) return "";
  if (n <= 16) {
    let s = "";
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i] as number);
    return s;
  }
  let s = "";
  for (let i = start; i < end; i += 8192) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + 8192)) as unknown as number[]);
  }
  return s;
}

/** Encodes a byte string (one char per byte) back to bytes. */
export function bytesOfByteString(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}
