/**
 * IOPCIFamily matching (`IOPCIBridge::matchKeys` / `pciMatchNub`), spec §1.3.
 *
 * Each of `IOPCIMatch`, `IOPCIPrimaryMatch`, `IOPCISecondaryMatch`, `IOPCIClassMatch` that is
 * present must match (AND); the items inside one key are alternatives (OR). An item is
 * `VALUE[&MASK]`, both hexadecimal as `strtoul(…, 16)` reads them (so `0x` is optional); parsing stops
 * at the first token that is not a number. `IOPCIMatch` tries the ID register 0x00 and then the
 * subsystem register 0x2C; only a hit on 0x00 earns +1000, and only on non-x86 builds.
 * `IOPCIClassMatch` compares register 0x08 with the default mask 0xFFFFFF00.
 */
import type { OSDictionary } from "../../libkern/index.ts";
import type { FamilyContext, FamilyMatcher } from "./FamilyMatcher.ts";
import { fail, LazyFailure, type FamilyResult } from "./MatchFailure.ts";
import type { MatchNub } from "./MatchNub.ts";

/** One `VALUE&MASK` item. */
export interface PCIMatchItem {
  readonly value: number;
  readonly mask: number;
}

/** The result of reading a PCI match string: the items, and where reading stopped early, why. */
export interface PCIMatchParse {
  readonly items: readonly PCIMatchItem[];
  /** Set when text after the items was not a number (Apple ignores it silently). */
  readonly stoppedAt?: { readonly offset: number; readonly text: string };
}

const HEX = /^[0-9a-fA-F]/;

/** `strtoul(s, &end, 16)` from `i`: the value (mod 2^32 as the driver stores it) and the end index. */
function strtoul16(s: string, i: number): { value: number; end: number } | undefined {
  let j = i;
  while (j < s.length && /\s/.test(s[j] as string)) j++;
  if (s[j] === "+") j++;
  if (s[j] === "0" && (s[j + 1] === "x" || s[j + 1] === "X") && HEX.test(s[j + 2] ?? "")) j += 2;
  const start = j;
  let v = 0;
  while (j < s.length && HEX.test(s[j] as string)) {
    v = ((v * 16) + parseInt(s[j] as string, 16)) % 0x100000000;
    j++;
  }
  if (j === start) return undefined;
  return { value: v >>> 0, end: j };
}

const parsed = new Map<string, PCIMatchParse>();

/** {@link parsePCIMatch} with a bounded memo: personalities repeat the same strings for every nub. */
function parsedPCIMatch(text: string, defaultMask: number): PCIMatchParse {
  const k = `${defaultMask}:${text}`;
  let p = parsed.get(k);
  if (p === undefined) {
    if (parsed.size > 4096) parsed.clear();
    parsed.set(k, (p = parsePCIMatch(text, defaultMask)));
  }
  return p;
}

/** Parses a PCI match string with the default mask for its key. */
export function parsePCIMatch(text: string, defaultMask = 0xffffffff): PCIMatchParse {
  const items: PCIMatchItem[] = [];
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    if (i >= text.length) return { items };
    const v = strtoul16(text, i);
    if (v === undefined) return { items, stoppedAt: { offset: i, text: text.slice(i) } };
    i = v.end;
    let mask = defaultMask;
    let k = i;
    while (k < text.length && /\s/.test(text[k] as string)) k++;
    if (text[k] === "&") {
      const m = strtoul16(text, k + 1);
      if (m === undefined) return { items, stoppedAt: { offset: k, text: text.slice(k) } };
      mask = m.value;
      i = m.end;
    }
    items.push({ value: v.value, mask });
  }
}

/** Whether any item matches the register value. */
export function pciItemsMatch(items: readonly PCIMatchItem[], reg: number): boolean {
  for (const it of items) if (((it.value & it.mask) >>> 0) === ((reg & it.mask) >>> 0)) return true;
  return false;
}

const le32 = (v: unknown): number | undefined => {
  if (!(v instanceof Uint8Array) || v.length < 2) return undefined;
  let x = 0;
  for (let i = Math.min(4, v.length) - 1; i >= 0; i--) x = (x * 256) + (v[i] as number);
  return x >>> 0;
};

/**
 * The configuration registers matching reads, from the nub's own `configRead32` or, for imported
 * nubs, from the properties IOPCIFamily publishes (`vendor-id`, `device-id`, `subsystem-id`,
 * `subsystem-vendor-id`, `class-code`, `revision-id`: little-endian data).
 */
export function pciRegister(nub: MatchNub, offset: 0x00 | 0x08 | 0x2c): number | undefined {
  const direct = nub.configRead32?.(offset);
  if (direct !== undefined) return direct >>> 0;
  const p = (k: string): number | undefined => le32(nub.property(k));
  switch (offset) {
    case 0x00: {
      const ven = p("vendor-id");
      const dev = p("device-id");
      return ven === undefined || dev === undefined ? undefined : (((dev & 0xffff) << 16) | (ven & 0xffff)) >>> 0;
    }
    case 0x2c: {
      const ven = p("subsystem-vendor-id");
      const dev = p("subsystem-id");
      return ven === undefined || dev === undefined ? undefined : (((dev & 0xffff) << 16) | (ven & 0xffff)) >>> 0;
    }
    case 0x08: {
      const cls = p("class-code");
      const rev = p("revision-id") ?? 0;
      return cls === undefined ? undefined : (((cls & 0xffffff) << 8) | (rev & 0xff)) >>> 0;
    }
  }
}

const hex8 = (n: number | undefined): string | undefined => (n === undefined ? undefined : `0x${n.toString(16).padStart(8, "0")}`);

/** `IOPCIDevice::matchPropertyTable`. */
export function pciMatchPropertyTable(table: OSDictionary, nub: MatchNub, score: number, ctx: FamilyContext): FamilyResult {
  let bonus = 0;
  const keys: readonly [string, readonly (0x00 | 0x08 | 0x2c)[], number][] = [
    ["IOPCIMatch", [0x00, 0x2c], 0xffffffff],
    ["IOPCIPrimaryMatch", [0x00], 0xffffffff],
    ["IOPCISecondaryMatch", [0x2c], 0xffffffff],
    ["IOPCIClassMatch", [0x08], 0xffffff00],
  ];
  const matchedOn: string[] = [];
  for (const [key, regs, mask] of keys) {
    const v = table.get(key);
    if (v === undefined) continue;
    if (typeof v !== "string") return { ok: false, failure: fail(key, v, undefined, `${key} must be a string`) };
    const { items } = parsedPCIMatch(v, mask);
    let hit: number | undefined;
    for (const off of regs) {
      const reg = pciRegister(nub, off);
      if (reg !== undefined && pciItemsMatch(items, reg)) { hit = off; break; }
    }
    if (hit === undefined) {
      return { ok: false, failure: new LazyFailure(key, v, () => regs.map((o) => hex8(pciRegister(nub, o)) ?? "?").join(" / ")) };
    }
    matchedOn.push(`${key} on 0x${hit.toString(16).padStart(2, "0")}`);
    if (key === "IOPCIMatch" && hit === 0x00 && ctx.arch !== "x86_64") bonus = 1000;
  }
  if (table.get("IOPCITunnelCompatible") !== true && nub.property("IOPCITunnelled") === true && !nub.conformsTo("IOPCI2PCIBridge")) {
    return { ok: false, failure: fail("IOPCITunnelCompatible", table.get("IOPCITunnelCompatible"), true, "the device is Thunderbolt-tunnelled and the personality lacks IOPCITunnelCompatible = true") };
  }
  const detail = matchedOn.length === 0 ? undefined : matchedOn.join(", ") + (bonus ? ", +1000 (non-x86 build)" : "");
  return detail === undefined ? { ok: true, score: score + bonus } : { ok: true, score: score + bonus, detail };
}

export const pciFamily: FamilyMatcher = {
  name: "IOPCIFamily",
  nubClasses: ["IOPCIDevice"],
  matchPropertyTable: pciMatchPropertyTable,
};
