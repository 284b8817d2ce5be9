/**
 * Matching dictionaries as IOKitLib builds them (`IOServiceMatching`, `IOServiceNameMatching`,
 * `IOBSDNameMatching`, `IORegistryEntryIDMatching`).
 */
import { dict, num, type OSDictionary } from "../libkern/index.ts";

/** `{IOProviderClass: className}`. */
export const serviceMatching = (className: string): OSDictionary => dict({ IOProviderClass: className });
/** `{IONameMatch: name}`. */
export const nameMatching = (name: string): OSDictionary => dict({ IONameMatch: name });
/** `{"BSD Name": bsdName}`. */
export const bsdNameMatching = (bsdName: string): OSDictionary => dict({ "BSD Name": bsdName });
/** `{IOPropertyMatch: {key: value}}`. */
export const propertyMatching = (properties: OSDictionary): OSDictionary => dict({ IOPropertyMatch: properties });
/** `{IORegistryEntryID: id}`. */
export const registryEntryIDMatching = (id: bigint): OSDictionary => dict({ IORegistryEntryID: num(id, 64) });
