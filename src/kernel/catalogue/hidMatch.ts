/**
 * HID family matching (`IOHIDFamilyPrivate.cpp` `MatchPropertyTable`), spec §1.5, for
 * `IOHIDDevice` and `IOHIDInterface` nubs.
 *
 * Every listed key the personality has must equal the nub's property; the score grows with what
 * matched (Transport 1000, LocationID 2000, VendorID 5000, ProductID 1000 or 975 via
 * `ProductIDArray`, 950 via `ProductIDMask`, 925 via both; version, manufacturer and serial 100
 * each; usages 1000 plus 100 per usage key). A failure forces the score to 0 and no match.
 */
import { OSNumber, isOSArray, isOSDictionary, osEqual, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import type { FamilyMatcher } from "./FamilyMatcher.ts";
import { fail, type FamilyResult } from "./MatchFailure.ts";
import type { MatchNub } from "./MatchNub.ts";

const num = (v: OSValue | undefined): bigint | undefined => (v instanceof OSNumber ? v.value : undefined);

function pairMatches(nub: MatchNub, page: OSValue | undefined, usage: OSValue | undefined): boolean {
  const pairs = nub.property("DeviceUsagePairs");
  const list: OSDictionary[] = isOSArray(pairs) ? pairs.filter(isOSDictionary) : [];
  if (list.length === 0) {
    const pp = nub.property("PrimaryUsagePage");
    const pu = nub.property("PrimaryUsage");
    list.push(new Map<string, OSValue>([...(pp ? [["DeviceUsagePage", pp] as const] : []), ...(pu ? [["DeviceUsage", pu] as const] : [])]));
  }
  return list.some((d) => {
    const p = d.get("DeviceUsagePage");
    const u = d.get("DeviceUsage");
    return (page === undefined || (p !== undefined && osEqual(p, page))) && (usage === undefined || (u !== undefined && osEqual(u, usage)));
  });
}

/** `MatchPropertyTable` of IOHIDFamily. */
export function hidMatchPropertyTable(table: OSDictionary, nub: MatchNub, score: number): FamilyResult {
  let s = score;
  const eq = (key: string): boolean | undefined => {
    const want = table.get(key);
    if (want === undefined) return undefined;
    const have = nub.property(key);
    return have !== undefined && osEqual(have, want);
  };
  const usageKeys = ["PrimaryUsagePage", "PrimaryUsage"] as const;
  let usages = 0;
  for (const k of usageKeys) {
    const r = eq(k);
    if (r === false) return { ok: false, failure: fail(k, table.get(k), nub.property(k)) };
    if (r) usages++;
  }
  const dup = table.get("DeviceUsagePairs");
  if (dup !== undefined) {
    const wanted = isOSArray(dup) ? dup.filter(isOSDictionary) : [];
    if (!wanted.some((d) => pairMatches(nub, d.get("DeviceUsagePage"), d.get("DeviceUsage")))) {
      return { ok: false, failure: fail("DeviceUsagePairs", dup, nub.property("DeviceUsagePairs")) };
    }
    usages++;
  } else if (table.has("DeviceUsagePage") || table.has("DeviceUsage")) {
    const page = table.get("DeviceUsagePage");
    const usage = table.get("DeviceUsage");
    if (!pairMatches(nub, page, usage)) return { ok: false, failure: fail(page !== undefined ? "DeviceUsagePage" : "DeviceUsage", page ?? usage, nub.property("DeviceUsagePairs")) };
    usages += (page !== undefined ? 1 : 0) + (usage !== undefined ? 1 : 0);
  }
  if (usages > 0) s += 1000 + 100 * usages;

  const scored: readonly [string, number][] = [["Transport", 1000], ["LocationID", 2000], ["VendorID", 5000]];
  for (const [k, pts] of scored) {
    const r = eq(k);
    if (r === false) return { ok: false, failure: fail(k, table.get(k), nub.property(k)) };
    if (r) s += pts;
  }
  // ProductID: exact, "*", ProductIDArray, ProductIDMask.
  const pid = table.get("ProductID");
  const arr = table.get("ProductIDArray");
  const mask = num(table.get("ProductIDMask"));
  if (pid !== undefined || arr !== undefined) {
    const have = num(nub.property("ProductID"));
    let pts = 0;
    if (pid === "*") pts = 0;
    else if (pid !== undefined && have !== undefined && num(pid) === have) pts = 1000;
    else if (isOSArray(arr) && have !== undefined && arr.some((e) => num(e) === have)) pts = 975;
    else if (mask !== undefined && have !== undefined) {
      const c = [num(pid), ...(isOSArray(arr) ? arr.map(num) : [])].filter((x): x is bigint => x !== undefined);
      if (c.some((x) => (x & mask) === (have & mask))) pts = isOSArray(arr) ? 925 : 950;
      else return { ok: false, failure: fail("ProductID", pid ?? arr, nub.property("ProductID")) };
    } else return { ok: false, failure: fail("ProductID", pid ?? arr, nub.property("ProductID")) };
    s += pts;
  }
  for (const k of ["VersionNumber", "Manufacturer", "SerialNumber"]) {
    const r = eq(k);
    if (r === false) return { ok: false, failure: fail(k, table.get(k), nub.property(k)) };
    if (r) s += 100;
  }
  for (const k of ["ModelNumber", "PhysicalDeviceUniqueID", "BootProtocol"]) {
    if (eq(k) === false) return { ok: false, failure: fail(k, table.get(k), nub.property(k)) };
  }
  return { ok: true, score: Number(BigInt.asIntN(32, BigInt(s))), ...(s !== score ? { detail: `HID +${s - score}` } : {}) };
}

export const hidFamily: FamilyMatcher = {
  name: "IOHIDFamily",
  nubClasses: ["IOHIDDevice", "IOHIDInterface"],
  matchPropertyTable: hidMatchPropertyTable,
};
