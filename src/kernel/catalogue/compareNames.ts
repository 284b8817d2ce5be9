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

/** The NUL-separated strings of a data or string property. */
export function propertyStrings(v: OSValue | undefined): string[] {
  if (typeof v === "string") return [v];
  if (v instanceof Uint8Array) return latin1.decode(v).split("\0").filter((s) => s.length > 0);
  return [];
}

/** `IODTCompareNubName` for one match string. */
export function dtCompareNubName(nub: MatchNub, match: string): boolean {
  const prefix = match.endsWith("*");
  const m = prefix ? match.slice(0, -1) : match;
  for (const key of DT_NAME_PROPERTIES) {
    for (const s of propertyStrings(nub.property(key))) {
      if (prefix ? s.startsWith(m) : s === m) return true;
    }
  }
  return false;
}

/** Whether the nub answers names with the firmware rule. */
export function usesFirmwareNames(nub: MatchNub): boolean {
  if (nub.property("compatible") !== undefined) return true;
  for (const c of FIRMWARE_NAMED_CLASSES) if (nub.conformsTo(c)) return true;
  return false;
}

/** `compareName` for one string: the nub's own rule if it has one, else the rules above. */
export function compareName(nub: MatchNub, match: string): boolean {
  if (nub.compareName !== undefined) return nub.compareName(match);
  if (usesFirmwareNames(nub) && dtCompareNubName(nub, match)) return true;
  return match === nub.name;
}

/**
 * `compareNames`: a string, or a collection of strings of which any may match. Returns the string
 * that matched (written back as `IONameMatched`), or undefined.
 */
export function compareNames(nub: MatchNub, names: OSValue): string | undefined {
  if (typeof names === "string") return compareName(nub, names) ? names : undefined;
  if (isOSArray(names) || isOSSet(names)) {
    for (const n of names) if (typeof n === "string" && compareName(nub, n)) return n;
  }
  return undefined;
}
