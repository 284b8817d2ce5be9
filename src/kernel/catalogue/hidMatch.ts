/**
 * HID family matching (IOHIDFamily's `MatchPropertyTable`, used by `IOHIDDevice`, `IOHIDInterface`
 * and the event services), spec §1.5.
 *
 * Every key below that the personality has must equal the nub's property (a missing property
 * fails). Scores are gathered per group and only count when the group's lead key scored:
 *
 * | group | keys and increments |
 * |---|---|
 * | transport | `Transport` 1000, then `LocationID` 2000 (counted only with Transport) |
 * | vendor | `VendorID` 5000, then `ProductID` 1000 / `ProductIDArray` 975 / `ProductIDMask` 950 / array with mask 925, and `VersionNumber`, `Manufacturer`, `SerialNumber`, `PhysicalDeviceUniqueID` 100 each (counted only with VendorID) |
 * | usage | `DeviceUsagePairs` or `DeviceUsagePage`/`DeviceUsage` against the nub's `DeviceUsagePairs`: 100 for page and usage, 50 for a page alone, plus a base of 1100; otherwise `PrimaryUsagePage` 1100 plus `PrimaryUsage` 100 |
 *
 * `BootProtocol` must match without scoring; `HIDDefaultBehavior` and `HIDCompatibilityInterface`
 * in the personality require the nub to have them. Any failure sets the score to 0.
 */
import { OSNumber, isOSArray, isOSDictionary, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import type { FamilyMatcher } from "./FamilyMatcher.ts";
import { isEqualTo } from "./isEqualTo.ts";
import { fail, type FamilyResult, type MatchFailure } from "./MatchFailure.ts";
import type { MatchNub } from "./MatchNub.ts";

const u32 = (v: OSValue | undefined): number | undefined => (v instanceof OSNumber ? v.uint32() : undefined);

/** One key: absent from the table passes with no score; present, it must equal the nub's. */
function compareKey(table: OSDictionary, nub: MatchNub, key: string, increment: number): { ok: boolean; score: number } {
  const want = table.get(key);
  if (want === undefined) return { ok: true, score: 0 };
  const have = nub.property(key);
  return have !== undefined && isEqualTo(want, have) ? { ok: true, score: increment } : { ok: false, score: 0 };
}

/**
 * The usage test of one matching dictionary (its `DeviceUsagePage` / `DeviceUsage`) against the
 * nub's `DeviceUsagePairs`. A nub without usage pairs fails only when usages are asked for.
 */
function compareUsage(dict: OSDictionary, nub: MatchNub): { ok: boolean; score: number } {
  const page = dict.get("DeviceUsagePage");
  const usage = dict.get("DeviceUsage");
  const pairs = nub.property("DeviceUsagePairs");
  // Divergence from XNU: current IOHIDFamily fails any nub without DeviceUsagePairs; releases
  // before Mac OS X 10.5 published none, so a table that asks for no usage passes here.
  if (!isOSArray(pairs)) return { ok: page === undefined && usage === undefined, score: 0 };
  if (!(page instanceof OSNumber) && !(usage instanceof OSNumber)) return { ok: true, score: 0 };
  let ok = true;
  for (const pair of pairs) {
    if (!isOSDictionary(pair)) continue;
    const pp = pair.get("DeviceUsagePage");
    const pu = pair.get("DeviceUsage");
    if (!(page instanceof OSNumber) || !(pp instanceof OSNumber)) continue;
    ok = page.value === pp.value;
    if (!ok) continue;
    if (!(usage instanceof OSNumber)) return { ok: true, score: 50 };
    if (!(pu instanceof OSNumber)) continue;
    ok = usage.value === pu.value;
    if (ok) return { ok: true, score: 100 };
  }
  return { ok, score: 0 };
}

/** `ProductID`, `ProductIDArray`, `ProductIDMask`: the best-scoring form that hits wins. */
function compareProduct(table: OSDictionary, nub: MatchNub): { ok: boolean; score: number } {
  const have = u32(nub.property("ProductID"));
  const pid = table.get("ProductID");
  const arr = table.get("ProductIDArray");
  const mask = u32(table.get("ProductIDMask"));
  const exact = compareKey(table, nub, "ProductID", 1000);
  const list = isOSArray(arr) ? arr.map(u32).filter((x): x is number => x !== undefined) : undefined;
  const inArray = list === undefined ? { ok: true, score: 0 } : { ok: have !== undefined && list.includes(have), score: 975 };
  const pidN = u32(pid);
  const masked = pidN === undefined || mask === undefined ? { ok: true, score: 0 }
    : { ok: have !== undefined && ((have & mask) >>> 0) === ((pidN & mask) >>> 0), score: 950 };
  const maskedArray = list === undefined || mask === undefined ? { ok: true, score: 0 }
    : { ok: have !== undefined && list.some((x) => ((x & mask) >>> 0) === ((have & mask) >>> 0)), score: 925 };
  for (const r of [exact, inArray, masked, maskedArray]) if (r.ok && r.score !== 0) return r;
  return { ok: exact.ok && inArray.ok && masked.ok && maskedArray.ok, score: 0 };
}

/** `MatchPropertyTable` of IOHIDFamily. */
export function hidMatchPropertyTable(table: OSDictionary, nub: MatchNub, score: number): FamilyResult {
  const primaryPage = compareKey(table, nub, "PrimaryUsagePage", 1100);
  const primary = compareKey(table, nub, "PrimaryUsage", 100);
  let usage = { ok: true, score: 0 };
  const wantedPairs = table.get("DeviceUsagePairs");
  if (isOSArray(wantedPairs)) {
    for (const p of wantedPairs) {
      if (!isOSDictionary(p)) continue;
      usage = compareUsage(p, nub);
      if (usage.ok) break;
    }
  }
  const usage2 = compareUsage(table, nub);
  const transport = compareKey(table, nub, "Transport", 1000);
  const location = compareKey(table, nub, "LocationID", 2000);
  const vendor = compareKey(table, nub, "VendorID", 5000);
  const product = compareProduct(table, nub);
  const extras = ["VersionNumber", "Manufacturer", "SerialNumber", "PhysicalDeviceUniqueID"].map((k) => [k, compareKey(table, nub, k, 100)] as const);
  const boot = compareKey(table, nub, "BootProtocol", 0);
  const checks: readonly (readonly [string, { ok: boolean }])[] = [
    ["PrimaryUsagePage", primaryPage], ["PrimaryUsage", primary], ["DeviceUsagePairs", usage], ["DeviceUsagePage", usage2],
    ["Transport", transport], ["LocationID", location], ["VendorID", vendor], ["ProductID", product], ...extras, ["BootProtocol", boot],
  ];
  for (const [key, r] of checks) {
    if (!r.ok) return { ok: false, failure: hidFailure(table, nub, key) };
  }
  for (const key of ["HIDDefaultBehavior", "HIDCompatibilityInterface"]) {
    if (table.has(key) && nub.property(key) === undefined) return { ok: false, failure: fail(key, table.get(key), undefined, "the personality requires the nub to have this property") };
  }
  let s = score;
  if (transport.score > 0) s += transport.score + location.score;
  if (vendor.score > 0) s += vendor.score + product.score + extras.reduce((a, [, r]) => a + r.score, 0);
  const usageScore = usage.score + usage2.score;
  if (usageScore > 0) s += usageScore + 1100;
  else if (primaryPage.score > 0) s += primaryPage.score + primary.score;
  s = Number(BigInt.asIntN(32, BigInt(s)));
  return s === score ? { ok: true, score: s } : { ok: true, score: s, detail: `HID +${s - score}` };
}

function hidFailure(table: OSDictionary, nub: MatchNub, key: string): MatchFailure {
  if (key === "DeviceUsagePairs" || key === "DeviceUsagePage") {
    const want = table.get(key) ?? table.get("DeviceUsage");
    return fail(key, want, nub.property("DeviceUsagePairs"), "compared with the nub's DeviceUsagePairs");
  }
  if (key === "ProductID") return fail(key, table.get("ProductID") ?? table.get("ProductIDArray"), nub.property("ProductID"));
  return fail(key, table.get(key), nub.property(key));
}

export const hidFamily: FamilyMatcher = {
  name: "IOHIDFamily",
  nubClasses: ["IOHIDDevice", "IOHIDInterface", "IOHIDEventService"],
  matchPropertyTable: hidMatchPropertyTable,
};
