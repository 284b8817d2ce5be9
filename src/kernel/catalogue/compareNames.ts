/**
 * `IONameMatch`: `compareNames` and the two rules a nub may use for one name.
 *
 * The base rule (`IORegistryEntry::compareName`) is plain equality with the entry's name. Nubs that
 * come from a firmware tree (device-tree, ACPI and PCI nubs) answer with `IODTCompareNubName`
 * instead: the string is compared with each NUL-separated string of the `name`, `compatible`,
 * `device_type` and `model` properties, and a trailing `*` makes it a prefix match. We apply the
 * firmware rule to nubs that conform to one of those classes or carry a `compatible` property, and
 * keep the entry name as a last resort for them too (ACPI nubs are named after their `_HID`, e.g.
 * `boot-ec`, without a `name` property).
 */
import { isOSArray, isOSSet, type OSValue } from "../../libkern/index.ts";
import type { MatchNub } from "./MatchNub.ts";

/** Classes whose nubs compare names with `IODTCompareNubName`. */
export const FIRMWARE_NAMED_CLASSES: readonly string[] = [
  "IOPlatformDevice", "IOPCIDevice", "IOPlatformExpertDevice", "AppleARMIODevice", "IODTNub",
];

const DT_NAME_PROPERTIES = ["name", "compatible", "device_type", "model"] as const;

const latin1 = new TextDecoder("latin1");

const decoded = new WeakMap<Uint8Array, readonly string[]>();

/** The NUL-separated strings of a data or string property (decoded once per data object). */
export function propertyStrings(v: OSValue | undefined): readonly string[] {
  if (typeof v === "string") return [v];
  if (v instanceof Uint8Array) {
    let s = decoded.get(v);
    if (s === undefined) decoded.set(v, (s = latin1.decode(v).split("\0").filter((x) => x.length > 0)));
    return s;
  }
  return [];
}

interface FirmwareNames {
  readonly values: readonly (OSValue | undefined)[];
  readonly list: readonly string[];
  readonly set: ReadonlySet<string>;
}

/** The nub's firmware names, kept while the four properties stay the same objects. */
const firmwareNameCache = new WeakMap<MatchNub, FirmwareNames>();

function firmwareNames(nub: MatchNub): FirmwareNames {
  const values = DT_NAME_PROPERTIES.map((k) => nub.property(k));
  const cached = firmwareNameCache.get(nub);
  if (cached !== undefined && cached.values.every((v, i) => v === values[i])) return cached;
  const list = values.flatMap((v) => propertyStrings(v));
  const names = { values, list, set: new Set(list) };
  firmwareNameCache.set(nub, names);
  return names;
}

/** `IODTCompareNubName` for one match string. */
export function dtCompareNubName(nub: MatchNub, match: string): boolean {
  const names = firmwareNames(nub);
  if (!match.endsWith("*")) return names.set.has(match);
  const m = match.slice(0, -1);
  return names.list.some((s) => s.startsWith(m));
}

// Divergence from XNU: XNU asks each nub class's own compareName override; here the firmware rule
// is chosen by class conformance or a `compatible` property, and the entry name is tried after it.
/** Whether the nub answers names with the firmware rule. */
export function usesFirmwareNames(nub: MatchNub): boolean {
  if (nub.property("compatible") !== undefined) return true;
  let byClass = firmwareClassCache.get(nub);
  if (byClass === undefined) {
    byClass = FIRMWARE_NAMED_CLASSES.some((c) => nub.conformsTo(c));
    firmwareClassCache.set(nub, byClass);
  }
  return byClass;
}

/** Class conformance never changes for a nub: answer it once. */
const firmwareClassCache = new WeakMap<MatchNub, boolean>();

function compareWith(nub: MatchNub, firmware: boolean, match: string): boolean {
  if (nub.compareName !== undefined) return nub.compareName(match);
  if (firmware && dtCompareNubName(nub, match)) return true;
  return match === nub.name;
}

/** `compareName` for one string: the nub's own rule if it has one, else the rules above. */
export function compareName(nub: MatchNub, match: string): boolean {
  return compareWith(nub, nub.compareName === undefined && usesFirmwareNames(nub), match);
}

/**
 * `compareNames`: a string, or a collection of strings of which any may match. Returns the string
 * that matched (written back as `IONameMatched`), or undefined.
 */
export function compareNames(nub: MatchNub, names: OSValue): string | undefined {
  const firmware = nub.compareName === undefined && usesFirmwareNames(nub);
  if (typeof names === "string") return compareWith(nub, firmware, names) ? names : undefined;
  if (isOSArray(names) || isOSSet(names)) {
    for (const n of names) if (typeof n === "string" && compareWith(nub, firmware, n)) return n;
  }
  return undefined;
}

/** The names `compareName` tries on this nub, for explanations. */
export function namesTried(nub: MatchNub): string[] {
  const out: string[] = [];
  if (nub.compareName === undefined && usesFirmwareNames(nub)) {
    for (const key of DT_NAME_PROPERTIES) for (const s of propertyStrings(nub.property(key))) if (!out.includes(s)) out.push(s);
  }
  if (!out.includes(nub.name)) out.push(nub.name);
  return out;
}
