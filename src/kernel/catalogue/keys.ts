/**
 * Matching's key names and constants (`IOKitKeys.h`, `IOService.cpp`), and how a probe score is read.
 */
import { OSNumber, type OSDictionary, type OSValue } from "../../libkern/index.ts";

export const kIOProviderClassKey = "IOProviderClass";
export const kIOClassKey = "IOClass";
export const kIOProbeScoreKey = "IOProbeScore";
export const kIOMatchCategoryKey = "IOMatchCategory";
export const kIODefaultMatchCategoryKey = "IODefaultMatchCategory";
export const kIONameMatchKey = "IONameMatch";
export const kIONameMatchedKey = "IONameMatched";
export const kIOPropertyMatchKey = "IOPropertyMatch";
export const kIOPropertyExistsMatchKey = "IOPropertyExistsMatch";
export const kIOResourceMatchKey = "IOResourceMatch";
export const kIOResourceMatchedKey = "IOResourceMatched";
export const kIOParentMatchKey = "IOParentMatch";
export const kIOPathMatchKey = "IOPathMatch";
export const kIOLocationMatchKey = "IOLocationMatch";
export const kIORegistryEntryIDKey = "IORegistryEntryID";
export const kIOMatchedServiceCountKey = "IOMatchedServiceCountMatch";
export const kIOServiceNotificationUserKey = "IOServiceNotificationUser";
export const kIOUserServerNameKey = "IOUserServerName";
export const kIOUserClassKey = "IOUserClass";
export const kCFBundleIdentifierKey = "CFBundleIdentifier";
export const kCFBundleIdentifierKernelKey = "CFBundleIdentifierKernel";
export const kIOPersonalityPublisherKey = "IOPersonalityPublisher";
export const kIOMatchDeferKey = "IOMatchDefer";
export const kIOBSDKeys = ["BSD Name", "BSD Major", "BSD Minor", "BSD Unit"] as const;

/** `kIODefaultProbeScore`. */
export const kIODefaultProbeScore = 0;

/**
 * Reads `IOProbeScore` the way `IOServiceOrdering` does: the number's low 32 bits, unsigned, then
 * treated as a signed 32-bit value. Missing or not a number counts as `kIODefaultProbeScore`.
 */
export function probeScoreOf(table: OSDictionary): number {
  return probeScoreValue(table.get(kIOProbeScoreKey));
}

/** {@link probeScoreOf} on a raw value. */
export function probeScoreValue(v: OSValue | undefined): number {
  if (!(v instanceof OSNumber)) return kIODefaultProbeScore;
  return v.int32();
}

/** The category a personality competes in: its `IOMatchCategory`, else `IODefaultMatchCategory`. */
export function matchCategoryOf(table: OSDictionary): string {
  const c = table.get(kIOMatchCategoryKey);
  return typeof c === "string" ? c : kIODefaultMatchCategoryKey;
}

/** A string-valued key, or undefined. */
export function stringKey(table: OSDictionary, key: string): string | undefined {
  const v = table.get(key);
  return typeof v === "string" ? v : undefined;
}
