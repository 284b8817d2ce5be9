/**
 * libkern's `isEqualTo` as matching uses it: like {@link osEqual}, except that an OSString and an
 * OSData compare by bytes, the data allowed one trailing NUL more than the string. Firmware nubs
 * publish their names as data (`"device_type" = <"gpu-sensor">`), personalities write strings,
 * and `OSData::isEqualTo(const OSString *)` accepts the pair. Collections compare element-wise with
 * the same rule, as `OSArray`/`OSDictionary::isEqualTo` call their elements' `isEqualTo`.
 */
import { isOSArray, isOSDictionary, osEqual, type OSValue } from "../../libkern/index.ts";

const latin1 = new TextDecoder("latin1");

function dataEqualsString(data: Uint8Array, s: string): boolean {
  let n = data.length;
  if (n === s.length + 1 && data[n - 1] === 0) n--;
  if (n !== s.length) return false;
  // Kernel strings are C strings: compare byte for byte.
  return latin1.decode(data.subarray(0, n)) === s || new TextDecoder().decode(data.subarray(0, n)) === s;
}

/** `a->isEqualTo(b)` with the OSString/OSData bridge. */
export function isEqualTo(a: OSValue, b: OSValue): boolean {
  if (typeof a === "string" && b instanceof Uint8Array) return dataEqualsString(b, a);
  if (typeof b === "string" && a instanceof Uint8Array) return dataEqualsString(a, b);
  if (isOSArray(a) && isOSArray(b)) return a.length === b.length && a.every((x, i) => isEqualTo(x, b[i] as OSValue));
  if (isOSDictionary(a) && isOSDictionary(b)) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) {
      const w = b.get(k);
      if (w === undefined || !isEqualTo(v, w)) return false;
    }
    return true;
  }
  return osEqual(a, b);
}
