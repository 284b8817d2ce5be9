/**
 * The scalar grammars of XML property lists: `<integer>`, `<real>` and `<date>` text. Each
 * function returns `undefined` for text it cannot interpret; the reader turns that into a
 * positioned error.
 */
import { APPLE_EPOCH_OFFSET_SECONDS, OSDate, OSNumber, OSReal } from "../../libkern/index.ts";

const DECIMAL = /^[+-]?\d+$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]+)$/;
const I64_MIN = -(2n ** 63n);
const U64_MAX = 2n ** 64n - 1n;

/**
 * Reads `<integer>` text: decimal or `0x` hex, optional sign, surrounding whitespace ignored.
 * Values in [-2^63, 2^64-1] are 64-bit; wider values (which plistlib accepts) are kept exactly and
 * marked 128-bit, the width bplist gives its 16-byte integers.
 * Divergence from XNU: CF refuses integers outside 64 bits; accepting them loses nothing.
 */
export function parseXMLInteger(text: string): OSNumber | undefined {
  // Fast path for the common case, up to 15 decimal digits (always a safe integer): no trim,
  // regular expression or bigint.
  const n = text.length;
  if (n > 0 && n <= 16) {
    let i = text.charCodeAt(0) === 45 /* - */ && n > 1 ? 1 : 0;
    let v = 0;
    for (; i < n; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === n && (n < 16 || text.charCodeAt(0) === 45)) return new OSNumber(text.charCodeAt(0) === 45 ? -v : v);
  }
  const t = text.trim();
  let v: bigint;
  if (DECIMAL.test(t)) v = BigInt(t);
  else {
    const m = HEX.exec(t);
    if (m === null) return undefined;
    v = BigInt(`0x${m[2]}`);
    if (m[1] === "-") v = -v;
  }
  return new OSNumber(v, v >= I64_MIN && v <= U64_MAX ? 64 : 128);
}

/**
 * Reads `<integer>` text at `text[start, end)` without slicing it: plain decimal of up to 15
 * digits (always a safe integer) in place, up to 20 digits (the 64-bit range) through one slice
 * and one bigint; anything else (whitespace, `+`, hex, wider values) as {@link parseXMLInteger}.
 */
export function parseXMLIntegerAt(text: string, start: number, end: number): OSNumber | undefined {
  const negative = text.charCodeAt(start) === 45; /* - */
  const from = negative ? start + 1 : start;
  const n = end - from;
  if (n > 0 && n <= 20) {
    let v = 0;
    let i = from;
    for (; i < end; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === end) {
      if (n <= 15) return new OSNumber(negative ? -v : v);
      const b = BigInt(text.slice(start, end));
      return new OSNumber(b, b >= I64_MIN && b <= U64_MAX ? 64 : 128);
    }
  }
  return parseXMLInteger(text.slice(start, end));
}

/**
 * Reads `<real>` text at `text[start, end)`: plain decimal notation (the writers' output) is
 * checked by hand and converted by `Number`; anything else as {@link parseXMLReal}.
 */
export function parseXMLRealAt(text: string, start: number, end: number): OSReal | undefined {
  // Reads past `end` see -1 (no closure: a helper function here would be allocated per call under
  // tsx, which keeps function names).
  let i = start;
  let c = i < end ? text.charCodeAt(i) : -1;
  if (c === 45 || c === 43) c = ++i < end ? text.charCodeAt(i) : -1; /* - + */
  let digits = 0;
  for (; c >= 48 && c <= 57; c = ++i < end ? text.charCodeAt(i) : -1) digits++;
  if (c === 46 /* . */) for (c = ++i < end ? text.charCodeAt(i) : -1; c >= 48 && c <= 57; c = ++i < end ? text.charCodeAt(i) : -1) digits++;
  if (digits > 0 && (c === 101 || c === 69) /* e E */) {
    c = ++i < end ? text.charCodeAt(i) : -1;
    if (c === 45 || c === 43) c = ++i < end ? text.charCodeAt(i) : -1;
    let exponent = 0;
    for (; c >= 48 && c <= 57; c = ++i < end ? text.charCodeAt(i) : -1) exponent++;
    if (exponent === 0) digits = 0;
  }
  if (digits > 0 && i === end) return new OSReal(Number(text.slice(start, end)));
  return parseXMLReal(text.slice(start, end));
}

const REAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SPECIAL = /^([+-]?)(nan|inf|infinity)$/i;

/** Reads `<real>` text: decimal notation, or the `nan`/`inf`/`infinity` spellings (any case, optional sign). */
export function parseXMLReal(text: string): OSReal | undefined {
  const t = text.trim();
  if (REAL.test(t)) return new OSReal(Number(t));
  const m = SPECIAL.exec(t);
  if (m === null) return undefined;
  if ((m[2] as string).toLowerCase() === "nan") return new OSReal(Number.NaN);
  return new OSReal(m[1] === "-" ? -Infinity : Infinity);
}

// Divergence from XNU: plistlib's grammar, a superset of CF's: trailing fields may be omitted,
// the zone is always Z.
const DATE = /^(\d{4})(?:-(\d\d)(?:-(\d\d)(?:T(\d\d)(?::(\d\d)(?::(\d\d))?)?)?)?)?Z$/;

/** Reads `<date>` text, `YYYY-MM-DDTHH:MM:SSZ` (trailing fields optional), exactly. */
export function parseXMLDate(text: string): OSDate | undefined {
  const m = DATE.exec(text.trim());
  if (m === null) return undefined;
  const f = (i: number, dflt: number): number => (m[i] === undefined ? dflt : Number(m[i]));
  const month = f(2, 1);
  const day = f(3, 1);
  const hour = f(4, 0);
  const minute = f(5, 0);
  const second = f(6, 0);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(f(1, 0), month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return new OSDate(d.getTime() / 1000 - APPLE_EPOCH_OFFSET_SECONDS);
}
