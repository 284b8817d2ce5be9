/**
 * Families whose `matchPropertyTable` compares a few personality keys with the nub's own
 * properties, and the IOResources family.
 *
 * - `IOResources` / `IOUserResources`: every `IOResourceMatch` name must be a published resource
 *   (a property of the resources object); otherwise `IOResourceMatched` must be in its
 *   `IOResourceMatched` list.
 * - `IOMedia` (IOStorageFamily): `Content Mask` must equal the media's `Content`, and each of the
 *   media keys (`Content`, `Content Hint`, `Ejectable`, `Leaf`, `Open`, `Preferred Block Size`,
 *   `Removable`, `Size`, `Whole`, `Writable`) the personality names must equal the media's.
 * - SCSI peripheral nubs: `Peripheral Device Type`, vendor and product identification.
 * - FireWire units and devices: the unit directory keys.
 * - Thunderbolt ports (IOThunderboltFamily): `Adapter Type`.
 */
import { isOSArray, isOSSet, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import { isEqualTo } from "./isEqualTo.ts";
import type { FamilyMatcher } from "./FamilyMatcher.ts";
import { fail, type FamilyResult } from "./MatchFailure.ts";
import type { MatchNub } from "./MatchNub.ts";
import { kIOResourceMatchedKey, kIOResourceMatchKey } from "./keys.ts";

/** Names in a string-or-collection value. */
export function namesOf(v: OSValue | undefined): string[] {
  if (typeof v === "string") return [v];
  if (isOSArray(v) || isOSSet(v)) return [...v].filter((x): x is string => typeof x === "string");
  return [];
}

function resourcesMatch(table: OSDictionary, nub: MatchNub, score: number): FamilyResult {
  const want = table.get(kIOResourceMatchKey);
  if (want !== undefined) {
    for (const r of namesOf(want)) {
      if (nub.property(r) === undefined) return { ok: false, failure: fail(kIOResourceMatchKey, r, undefined, `resource "${r}" is not published on ${nub.className}`) };
    }
    return { ok: true, score };
  }
  const matched = table.get(kIOResourceMatchedKey);
  if (typeof matched === "string") {
    const list = namesOf(nub.property(kIOResourceMatchedKey));
    if (!list.includes(matched)) return { ok: false, failure: fail(kIOResourceMatchedKey, matched, nub.property(kIOResourceMatchedKey)) };
  }
  return { ok: true, score };
}

export const resourcesFamily: FamilyMatcher = {
  name: "IOResources",
  nubClasses: ["IOResources", "IOUserResources"],
  matchPropertyTable: resourcesMatch,
};

// Divergence from XNU: these families' matchPropertyTable overrides also adjust the score; here they
// only compare the listed keys.
/** A family that compares `[personality key, nub property]` pairs by equality. */
export function comparePropertyFamily(name: string, nubClasses: readonly string[], pairs: readonly (readonly [string, string])[]): FamilyMatcher {
  return {
    name,
    nubClasses,
    matchPropertyTable(table, nub, score) {
      for (const [tk, nk] of pairs) {
        const want = table.get(tk);
        if (want === undefined) continue;
        const have = nub.property(nk);
        if (have === undefined || !isEqualTo(have, want)) return { ok: false, failure: fail(tk, want, have, tk === nk ? undefined : `compared with the nub's "${nk}"`) };
      }
      return { ok: true, score };
    },
  };
}

export const mediaFamily = comparePropertyFamily("IOStorageFamily", ["IOMedia"], [
  ["Content Mask", "Content"],
  ...["Content", "Content Hint", "Ejectable", "Leaf", "Open", "Preferred Block Size", "Removable", "Size", "Whole", "Writable"]
    .map((k) => [k, k] as const),
]);

export const scsiFamily = comparePropertyFamily("IOSCSIArchitectureModelFamily", ["IOSCSIPeripheralDeviceNub", "IOSCSITargetDevice", "IOSCSILogicalUnitNub"], [
  ["Peripheral Device Type", "Peripheral Device Type"],
  ["Vendor Identification", "Vendor Identification"],
  ["Product Identification", "Product Identification"],
]);

export const fireWireFamily = comparePropertyFamily("IOFireWireFamily", ["IOFireWireUnit", "IOFireWireDevice"], [
  ["Vendor_ID", "Vendor_ID"], ["Model_ID", "Model_ID"], ["GUID", "GUID"],
  ["Unit_Spec_ID", "Unit_Spec_ID"], ["Unit_SW_Version", "Unit_SW_Version"],
]);

export const thunderboltFamily = comparePropertyFamily("IOThunderboltFamily", ["IOThunderboltPort"], [["Adapter Type", "Adapter Type"]]);
