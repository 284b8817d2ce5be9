/**
 * Small text helpers shared by the kernel-XML and legacy-text codecs: UTF-8 conversion and C's
 * `strtol`/`strtoul` with base 0 as the kernel applies them to attribute values. (Escaping and
 * base64 are the property-list codecs' own: the kernel escapes and encodes exactly as CF does.)
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8");

/** UTF-8 bytes of `input`, or `input` itself when it already is bytes. */
export function utf8Bytes(input: string | Uint8Array): Uint8Array {
  return typeof input === "string" ? encoder.encode(input) : input;
}

/**
 * Decodes UTF-8 bytes.
 * // Divergence from XNU: invalid sequences become U+FFFD; an OSString keeps the raw bytes.
 */
export function utf8Text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * C's `strtoul(s, NULL, 0)` / `strtol(s, NULL, 0)` on an attribute value: leading white space, an
 * optional sign, `0x` for hex, a leading `0` for octal, digits up to the first non-digit; no digits
 * gives 0. The result is exact (a bigint) so callers can apply the C truncations they need.
 */
export function strtoBase0(s: string, signed: boolean): bigint {
  // Fast path for the common case, a short run of decimal digits such as an ID.
  if (s.length > 0 && s.length < 16 && s.charCodeAt(0) !== 0x30 && /^\d+$/.test(s)) return BigInt(Number(s));
  let i = 0;
  while (i < s.length && " \t\n\v\f\r".includes(s[i] as string)) i++;
  let negative = false;
  if (s[i] === "+" || s[i] === "-") {
    negative = s[i] === "-";
    i++;
  }
  let base = 10;
  if (s[i] === "0" && (s[i + 1] === "x" || s[i + 1] === "X") && /[0-9a-fA-F]/.test(s[i + 2] ?? "")) {
    base = 16;
    i += 2;
  } else if (s[i] === "0") {
    base = 8;
  }
  let n = 0n;
  for (; i < s.length; i++) {
    const d = parseInt(s[i] as string, 36);
    if (Number.isNaN(d) || d >= base) break;
    n = n * BigInt(base) + BigInt(d);
  }
  if (signed) {
    // strtol clamps to the range of a 64-bit long.
    const v = negative ? -n : n;
    if (v > 2n ** 63n - 1n) return 2n ** 63n - 1n;
    if (v < -(2n ** 63n)) return -(2n ** 63n);
    return v;
  }
  // strtoul clamps the magnitude to ULONG_MAX, then negates modulo 2^64.
  const m = n > 2n ** 64n - 1n ? 2n ** 64n - 1n : n;
  return negative ? BigInt.asUintN(64, -m) : m;
}
