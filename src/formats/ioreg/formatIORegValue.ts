/**
 * `ioreg`'s value rendering (`cfshow`), byte for byte: strings quoted raw, numbers as `%qu` of the
 * value read as a long long (so negatives print as huge unsigned numbers) or `0x%qx` with `-x`,
 * booleans `Yes`/`No`, arrays `(a,b)`, sets `[a,b]`, dictionaries `{"k"=v}`, and data as hex or,
 * under ioreg's ASCII rule, as quoted strings.
 *
 * Output is a byte string (one char per byte): strings go out as UTF-8, data strings as their raw
 * bytes, as ioreg's printf does.
 */
import { OSNumber, OSReal, type OSValue } from "../../libkern/index.ts";
import { textToBinary } from "./parseIORegValue.ts";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** C's `isprint` in the C locale. */
const isPrint = (b: number): boolean => b >= 0x20 && b <= 0x7e;

/**
 * ioreg's test for data that prints as strings: runs of printable bytes (bytes 128–254 allowed but
 * counted as symbols) each ended by one NUL or by the end of the data, at least 80% normal
 * characters, never for 1-byte data, never with `-x`.
 */
export function dataIsStrings(bytes: Uint8Array, hex = false): boolean {
  const length = bytes.length;
  let normal = 0;
  let symbol = 0;
  let index = 0;
  for (; index < length; index++) {
    // A NUL where a string should start (data starting with NUL, or a second NUL after a
    // string's terminator) ends the scan: real ioreg prints "t8103\0\0\0" as hex.
    // iokit-spec §2.3 reads the rule as allowing NUL padding; every real dump we have (Mac OS X
    // 10.4 through macOS 13) shows that only one NUL may follow each string.
    if (bytes[index] === 0) break;
    for (; index < length; index++) {
      const b = bytes[index] as number;
      if (isPrint(b)) normal++;
      else if (b >= 128 && b <= 254) symbol++;
      else break;
    }
    if (index < length && bytes[index] === 0) continue;
    break;
  }
  if (normal >> 2 < symbol || length === 1 || hex) return false;
  return index >= length && normal > 0;
}

/** Renders data as ioreg does, without the angle brackets. */
export function formatIORegData(bytes: Uint8Array, hex = false): string {
  if (!dataIsStrings(bytes, hex)) {
    let out = "";
    for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i] as number];
    return out;
  }
  let out = "";
  let quoted = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b !== 0) {
      if (!quoted) {
        quoted = true;
        out += i > 0 ? ',"' : '"';
      }
      out += String.fromCharCode(b);
    } else if (quoted) {
      quoted = false;
      out += '"';
    } else break;
  }
  if (quoted) out += '"';
  return out;
}

/** Options for value rendering. */
export interface FormatValueOptions {
  /** `-x`: numbers and data in hex. */
  readonly hex?: boolean;
  /** Write strings in Mac OS Roman where possible (reprinting a 10.5-era dump). */
  readonly macRoman?: boolean;
}

/** Renders one value as ioreg's `cfshow` does (as a byte string). */
export function formatIORegValue(value: OSValue, options: FormatValueOptions = {}, depth = 0): string {
  const hex = options.hex === true;
  switch (typeof value) {
    case "string":
      return `"${textToBinary(value, options.macRoman)}"`;
    case "boolean":
      return value ? "Yes" : "No";
  }
  if (depth > 512) return "<unknown object>";
  if (value instanceof OSNumber) {
    const u = BigInt.asUintN(64, value.value);
    return hex ? `0x${u.toString(16)}` : u.toString();
  }
  if (value instanceof OSReal) {
    // CFNumberGetValue(kCFNumberLongLongType) truncates a real to an integer.
    const t = Number.isFinite(value.value) ? BigInt.asUintN(64, BigInt(Math.trunc(value.value))) : 0n;
    return hex ? `0x${t.toString(16)}` : t.toString();
  }
  if (value instanceof Uint8Array) return `<${formatIORegData(value, hex)}>`;
  if (Array.isArray(value)) return `(${value.map((v) => formatIORegValue(v, options, depth + 1)).join(",")})`;
  if (value instanceof Set) return `[${[...value].map((v) => formatIORegValue(v, options, depth + 1)).join(",")}]`;
  if (value instanceof Map) {
    const parts: string[] = [];
    for (const [k, v] of value) parts.push(`"${textToBinary(k, options.macRoman)}"=${formatIORegValue(v, options, depth + 1)}`);
    return `{${parts.join(",")}}`;
  }
  return "<unknown object>";
}
