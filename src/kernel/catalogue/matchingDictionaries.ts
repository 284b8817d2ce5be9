/**
 * The matching-dictionary helpers of `IOService` (`serviceMatching`, `nameMatching`,
 * `resourceMatching`, `propertyMatching`, `registryEntryIDMatching`), spec §1.2. Each builds a new
 * dictionary or, given `table`, writes into it; `propertyMatching` *replaces* any `IOPropertyMatch`
 * already in the table rather than merging with it.
 */
import { OSNumber, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import { kIONameMatchKey, kIOPropertyMatchKey, kIOProviderClassKey, kIORegistryEntryIDKey, kIOResourceMatchKey } from "./keys.ts";

/** `{IOProviderClass: className}`. */
export function serviceMatching(className: string, table: OSDictionary = new Map()): OSDictionary {
  table.set(kIOProviderClassKey, className);
  return table;
}

/** `{IONameMatch: name}`. */
export function nameMatching(name: string, table: OSDictionary = new Map()): OSDictionary {
  table.set(kIONameMatchKey, name);
  return table;
}

/** `{IOProviderClass: "IOResources", IOResourceMatch: name}`. */
export function resourceMatching(name: string, table: OSDictionary = new Map()): OSDictionary {
  serviceMatching("IOResources", table);
  table.set(kIOResourceMatchKey, name);
  return table;
}

/** Sets `IOPropertyMatch` to `{key: value}`, replacing any previous `IOPropertyMatch`. */
export function propertyMatching(key: string, value: OSValue, table: OSDictionary = new Map()): OSDictionary {
  table.set(kIOPropertyMatchKey, new Map([[key, value]]));
  return table;
}

/** `{IORegistryEntryID: id}`. */
export function registryEntryIDMatching(id: bigint, table: OSDictionary = new Map()): OSDictionary {
  table.set(kIORegistryEntryIDKey, new OSNumber(id, 64));
  return table;
}
