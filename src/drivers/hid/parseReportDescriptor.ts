/**
 * HID report descriptor parser (HID 1.11 §6.2.2): short items (main, global, local), the global
 * state stack (Push/Pop), collections, report IDs. Produces the input/output/feature elements with
 * their bit positions per report ID, the top-level application collections (IOHIDFamily's
 * `DeviceUsagePairs`; the first is `PrimaryUsagePage`/`PrimaryUsage`) and the largest report sizes.
 *
 * Bounded: the input is walked once; collection nesting and the Push stack are limited to 64, usage
 * lists to 4096; violations raise {@link HIDReportDescriptorError} with the byte offset.
 */

export class HIDReportDescriptorError extends SyntaxError {
  readonly offset: number;
  constructor(offset: number, message: string) {
    super(`report descriptor offset ${offset}: ${message}`);
    this.name = "HIDReportDescriptorError";
    this.offset = offset;
  }
}

export interface HIDElement {
  readonly kind: "input" | "output" | "feature";
  readonly usagePage: number;
  /** Usages of the fields (variable) or the usage range (array). */
  readonly usages: readonly number[];
  readonly usageMin: number;
  readonly usageMax: number;
  readonly reportID: number;
  readonly bitOffset: number;
  readonly reportSize: number;
  readonly reportCount: number;
  readonly logicalMin: number;
  readonly logicalMax: number;
  readonly flags: number;
  /** Top-level collection usage this element belongs to. */
  readonly collection: { usagePage: number; usage: number };
}
export interface HIDReportDescriptor {
  readonly elements: readonly HIDElement[];
  readonly applications: readonly { usagePage: number; usage: number }[];
  readonly reportIDs: readonly number[];
  readonly maxInputReportSize: number;
  readonly maxOutputReportSize: number;
  readonly maxFeatureReportSize: number;
}

interface Globals { usagePage: number; logicalMin: number; logicalMax: number; reportSize: number; reportCount: number; reportID: number }
const LIMIT = 64;

function signed(v: number, size: number): number {
  const bits = size * 8;
  return bits > 0 && bits < 32 && v & (1 << (bits - 1)) ? v - (1 << bits) : v | 0;
}

export function parseReportDescriptor(bytes: Uint8Array): HIDReportDescriptor {
  let g: Globals = { usagePage: 0, logicalMin: 0, logicalMax: 0, reportSize: 0, reportCount: 0, reportID: 0 };
  const stack: Globals[] = [];
  let usages: Array<{ page: number | undefined; usage: number }> = [];
  let usageMin: number | undefined, usageMax: number | undefined;
  let depth = 0;
  let top: { usagePage: number; usage: number } = { usagePage: 0, usage: 0 };
  const elements: HIDElement[] = [];
  const applications: Array<{ usagePage: number; usage: number }> = [];
  const bits = new Map<string, number>();
  const ids = new Set<number>();
  for (let off = 0; off < bytes.length;) {
    const prefix = bytes[off] as number;
    if (prefix === 0xfe) { // long item: skip
      const size = bytes[off + 1];
      if (size === undefined) throw new HIDReportDescriptorError(off, "truncated long item");
      off += 3 + size;
      continue;
    }
    const size = [0, 1, 2, 4][prefix & 3] as number;
    if (off + 1 + size > bytes.length) throw new HIDReportDescriptorError(off, "item runs past the end");
    let value = 0;
    for (let i = 0; i < size; i++) value |= (bytes[off + 1 + i] as number) << (8 * i);
    value >>>= 0;
    const type = (prefix >> 2) & 3, tag = prefix >> 4;
    if (type === 0) {
      if (tag === 8 || tag === 9 || tag === 11) {
        const kind = tag === 8 ? "input" : tag === 9 ? "output" : "feature";
        const key = `${kind}:${g.reportID}`;
        const offset = bits.get(key) ?? 0;
        const list = usages.map((u) => (u.page !== undefined ? (u.page << 16) | u.usage : u.usage));
        elements.push({
          kind, usagePage: g.usagePage, usages: list, usageMin: usageMin ?? list[0] ?? 0, usageMax: usageMax ?? list[list.length - 1] ?? 0,
          reportID: g.reportID, bitOffset: offset, reportSize: g.reportSize, reportCount: g.reportCount,
          logicalMin: g.logicalMin, logicalMax: g.logicalMax, flags: value, collection: top,
        });
        bits.set(key, offset + g.reportSize * g.reportCount);
      } else if (tag === 10) {
        if (++depth > LIMIT) throw new HIDReportDescriptorError(off, `collections nested deeper than ${LIMIT}`);
        if (depth === 1) {
          const u = usages[0];
          top = { usagePage: u?.page ?? g.usagePage, usage: u?.usage ?? 0 };
          if (value === 1) applications.push(top);
        }
      } else if (tag === 12) {
        if (--depth < 0) throw new HIDReportDescriptorError(off, "End Collection without a collection");
      } else throw new HIDReportDescriptorError(off, `unknown main item tag ${tag}`);
      usages = [];
      usageMin = usageMax = undefined;
    } else if (type === 1) {
      switch (tag) {
        case 0: g.usagePage = value; break;
        case 1: g.logicalMin = signed(value, size); break;
        case 2: g.logicalMax = g.logicalMin < 0 ? signed(value, size) : value; break;
        case 7: g.reportSize = value; break;
        case 8:
          if (value === 0 || value > 255) throw new HIDReportDescriptorError(off, `report ID ${value} is outside 1…255`);
          g.reportID = value; ids.add(value); break;
        case 9: g.reportCount = value; break;
        case 10: if (stack.length >= LIMIT) throw new HIDReportDescriptorError(off, "Push stack overflow"); stack.push({ ...g }); break;
        case 11: { const p = stack.pop(); if (!p) throw new HIDReportDescriptorError(off, "Pop without Push"); g = p; break; }
        default: break; // physical, unit, exponent
      }
      if (g.reportSize > 256 || g.reportCount > 4096) throw new HIDReportDescriptorError(off, "report size or count out of bounds");
    } else if (type === 2) {
      const page = size === 4 ? value >>> 16 : undefined;
      const usage = size === 4 ? value & 0xffff : value;
      if (tag === 0) { if (usages.length >= 4096) throw new HIDReportDescriptorError(off, "too many usages"); usages.push({ page, usage }); }
      else if (tag === 1) usageMin = usage;
      else if (tag === 2) usageMax = usage;
    } else throw new HIDReportDescriptorError(off, "reserved item type");
    off += 1 + size;
  }
  if (depth !== 0) throw new HIDReportDescriptorError(bytes.length, "collection not closed");
  const maxOf = (kind: string): number => {
    let m = 0;
    for (const [k, v] of bits) if (k.startsWith(`${kind}:`)) m = Math.max(m, Math.ceil(v / 8) + (ids.size > 0 ? 1 : 0));
    return m;
  };
  return { elements, applications, reportIDs: [...ids], maxInputReportSize: maxOf("input"), maxOutputReportSize: maxOf("output"), maxFeatureReportSize: maxOf("feature") };
}

/** Reads an unsigned field of `size` bits at `offset` from a report (after the report ID byte). */
export function readField(report: Uint8Array, bitOffset: number, size: number): number {
  let v = 0;
  for (let i = 0; i < size && i < 32; i++) {
    const bit = bitOffset + i;
    if (((report[bit >> 3] ?? 0) >> (bit & 7)) & 1) v |= 1 << i;
  }
  return v >>> 0;
}
