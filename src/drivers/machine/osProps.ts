/**
 * Small builders for the property values families publish, in the shapes Apple's families use:
 * PCI registers as 4-byte little-endian data, USB fields as sized numbers, device-tree strings as
 * NUL-terminated data.
 */
import { num, type OSNumber, type OSValue } from "../../libkern/index.ts";

/** A 32-bit register as 4 bytes little-endian (`vendor-id` = <86800000>). */
export function le32(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, true);
  return b;
}

/** A device-tree string property: the bytes plus a NUL (`name` = <"pci8086,1234">). */
export function dtString(s: string): Uint8Array {
  const b = new TextEncoder().encode(s);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

/** An OSNumber of `bits` (default 32). */
export const n = (value: number | bigint, bits = 32): OSNumber => num(value, bits);

/** A plain JavaScript value as an OSValue: integers become 64-bit OSNumbers, objects ordered dictionaries. */
export function fromJS(value: unknown): OSValue {
  if (typeof value === "number") return num(value, 64);
  if (typeof value === "bigint") return num(value, 64);
  if (typeof value === "string" || typeof value === "boolean" || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(fromJS);
  if (value !== null && typeof value === "object") {
    if (value instanceof Map) return value as Map<string, OSValue>;
    return new Map(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, fromJS(v)]));
  }
  throw new TypeError(`fromJS: unsupported value ${String(value)}`);
}

/** Hex `0x%04x`-style formatting used in names and logs. */
export const hex = (v: number, width = 4): string => v.toString(16).padStart(width, "0");
