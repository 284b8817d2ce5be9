/**
 * `plutil -p`: Apple's human-readable dump. Dictionaries print as `{`, one `"key" => value` line
 * per entry (keys sorted case-insensitively, as plutil sorts them), and `}`; arrays as `[` with
 * `index => value` lines and `]`; nesting indents two spaces per level. Scalars print as
 * Foundation describes them: strings quoted, booleans `1`/`0`, reals `%.16g`, dates
 * `YYYY-MM-DD HH:MM:SS +0000`, data as `{length = N, bytes = 0x…}` (abbreviated past 24 bytes:
 * the first 16 and last 8 bytes, in 4-byte groups).
 *
 * Divergence from XNU: a UID prints as `<CFKeyedArchiverUID>{value = N}`, without the object
 * address Foundation includes (it changes every run). The walk is iterative.
 */
import { formatG } from "../../formats/index.ts";
import { APPLE_EPOCH_OFFSET_SECONDS, OSDate, OSNumber, OSReal, OSUID, type OSValue } from "../../libkern/index.ts";

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

function groups(bytes: Uint8Array): string {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 4) out.push(hex(bytes.subarray(i, i + 4)));
  return out.join(" ");
}

/** NSData's description. */
export function describeData(bytes: Uint8Array): string {
  if (bytes.length <= 24) return `{length = ${bytes.length}, bytes = 0x${hex(bytes)}}`;
  return `{length = ${bytes.length}, bytes = 0x${groups(bytes.subarray(0, 16))} ... ${groups(bytes.subarray(bytes.length - 8))} }`;
}

/** NSDate's description: `2001-01-01 00:00:00 +0000`. */
export function describeDate(date: OSDate): string {
  const d = new Date((Math.floor(date.absoluteTime) + APPLE_EPOCH_OFFSET_SECONDS) * 1000);
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function describeScalar(v: OSValue): string {
  if (typeof v === "string") return `"${v}"`;
  if (typeof v === "boolean") return v ? "1" : "0";
  if (v instanceof OSNumber) return v.value.toString();
  if (v instanceof OSReal) return formatG(v.value, 16);
  if (v instanceof OSDate) return describeDate(v);
  if (v instanceof OSUID) return `<CFKeyedArchiverUID>{value = ${v.value}}`;
  return describeData(v as Uint8Array);
}

/** Sorts as `caseInsensitiveCompare:` does, ties broken by code unit so output is stable. */
function compareCaseInsensitive(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The `plutil -p` text of a value, ending in a newline. */
export function printPlist(root: OSValue): string {
  const out: string[] = [];
  const work: ({ value: OSValue; depth: number } | string)[] = [{ value: root, depth: 0 }];
  while (work.length > 0) {
    const w = work.pop() as { value: OSValue; depth: number } | string;
    if (typeof w === "string") {
      out.push(w);
      continue;
    }
    const { value: v, depth } = w;
    const isMap = v instanceof Map;
    if (!isMap && !Array.isArray(v) && !(v instanceof Set)) {
      out.push(describeScalar(v));
      continue;
    }
    const inner = "  ".repeat(depth + 1);
    out.push(isMap ? "{\n" : "[\n");
    work.push(`${"  ".repeat(depth)}${isMap ? "}" : "]"}`);
    if (isMap) {
      const keys = [...v.keys()].sort(compareCaseInsensitive);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i] as string;
        work.push("\n", { value: v.get(k) as OSValue, depth: depth + 1 }, `${inner}"${k}" => `);
      }
    } else {
      const items = [...(v as OSValue[] | Set<OSValue>)];
      for (let i = items.length - 1; i >= 0; i--) work.push("\n", { value: items[i] as OSValue, depth: depth + 1 }, `${inner}${i} => `);
    }
  }
  out.push("\n");
  return out.join("");
}
